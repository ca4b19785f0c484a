"""Link checking for built sites: from disk and over HTTP under any base path."""
from __future__ import annotations

import functools
import http.server
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse_links(html: str) -> tuple[list[str], set[str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links, parser.ids


def is_internal(link: str) -> bool:
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc and not link.startswith("//")


def broken_links_on_disk(output: Path) -> list[str]:
    """Every internal href/src of every page that does not lead to a file (or a missing #id)."""
    broken = []
    ids_cache: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids_cache:
            ids_cache[path] = parse_links(path.read_text(encoding="utf-8"))[1]
        return ids_cache[path]

    for page in sorted(output.rglob("*.html")):
        if page.relative_to(output).as_posix() == "404.html":
            continue  # served for any missing path, so its links are absolute on purpose
        links, _ids = parse_links(page.read_text(encoding="utf-8"))
        for link in links:
            if not is_internal(link):
                continue
            if link.startswith("/"):
                broken.append(f"{page.relative_to(output)}: absolute link {link}")
                continue
            target, fragment = urldefrag(link)
            path = (page.parent / target).resolve() if target else page
            if path.is_dir():
                broken.append(f"{page.relative_to(output)}: {link} is a folder (no index.html from file://)")
            elif not path.is_file():
                broken.append(f"{page.relative_to(output)}: {link} -> missing")
            elif fragment and path.suffix == ".html" and fragment not in ids_of(path):
                broken.append(f"{page.relative_to(output)}: {link} -> no id {fragment!r}")
    return broken


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_base_path__")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")  # as GitHub Pages sends
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        """Like GitHub Pages: a missing path gets the site's 404.html, with status 404."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve(folder: Path, prefix: str = "/", port: int = 0):
    """Serve ``folder`` at http://127.0.0.1:<port><prefix> in a thread, as GitHub Pages would."""
    handler = type("Handler", (_PrefixHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def crawl_http(start: str) -> tuple[set[str], list[str]]:
    """Follow every internal href and src from ``start``; returns (visited, failures)."""
    seen: set[str] = set()
    failures: list[str] = []
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read()
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            failures.append(f"{url}: {exc.code}")
            continue
        if "html" not in kind:
            continue
        links, _ids = parse_links(body.decode("utf-8"))
        for link in links:
            if is_internal(link):
                target = urldefrag(urljoin(url, link))[0]
                if target.startswith(start.rsplit("/", 1)[0]) and target not in seen:
                    queue.append(target)
                elif not target.startswith(start.rsplit("/", 1)[0]):
                    failures.append(f"{url}: {link} leaves the base path")
    return seen, failures
