"""Finding URLs in running text, and deciding which URLs are safe to link."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# A URL runs until white space, a quote, angle bracket, brace, backslash or a private-use character (the
# renderer's placeholders for math and links: "https://x.org/$x$" is a link followed by a formula).
URL_RE = re.compile(r"https?://[^\s<>\"{}\\\ue000-\uf8ff]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?'*"
REPOSITORY_HOSTS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "sourceforge.net",
    "huggingface.co",
    "anonymous.4open.science",
    "git.",
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def public_url(site_url: str | None, path: str) -> str:
    """The public address of an output path on a site published at ``site_url`` (``url:``, ending in "/");
    "" without one. A page's address names its folder: ``papers/x/index.html`` -> ``.../papers/x/``."""
    if not site_url:
        return ""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return site_url + path


def trim_url(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from a URL's end."""
    while url:
        last = url[-1]
        if last in TRAILING_PUNCTUATION:
            url = url[:-1]
        elif last == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        elif last == "]" and url.count("[") < url.count("]"):
            url = url[:-1]
        else:
            break
    return url


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) of every bare http(s) URL in text, punctuation trimmed."""
    found = []
    for match in URL_RE.finditer(text):
        url = trim_url(match.group(0))
        if len(url) > len("https://"):
            found.append((match.start(), match.start() + len(url), url))
    return found


def is_repository_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) or (h.endswith(".") and host.startswith(h))
               for h in REPOSITORY_HOSTS)


def first_repository_url(text: str) -> str | None:
    for _start, _end, url in find_urls(text):
        if is_repository_url(url):
            return url
    return None


def is_safe_link(url: str) -> bool:
    """True for links a visitor may follow: http(s), mailto, or a relative path."""
    url = url.strip()
    if not url or not url.isprintable() and any(ord(ch) < 32 or ch == "\x7f" for ch in url):  # printable: none
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in SAFE_SCHEMES
    # No scheme: a relative link. Refuse protocol-relative and backslash tricks.
    return not url.startswith(("//", "\\", "/\\"))
