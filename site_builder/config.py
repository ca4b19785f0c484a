"""site.yaml: every key declared with its type, default and meaning; typos are errors."""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import yamlio
from .textsafe import clean_tree
from .problems import ParseError, Problem, UserError, error

CONFIG_NAME = "site.yaml"
SLUG_SAFE_RE = re.compile(r"[A-Za-z0-9_.-]+")
URL_RE = re.compile(r"https?://[^\s/]+(/[^\s]*)?")
ACCENT_RE = re.compile(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?")
DOMAIN_RE = re.compile(r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def cache_dir_of(root: Path) -> Path:
    """Where the site in ``root`` keeps what builds and imports remember for the next one, and its lock (safe
    to delete; not committed)."""
    return root / ".cache" / "site-builder"


@dataclass(frozen=True)
class SiteConfig:
    """The validated contents of site.yaml plus where the site lives."""

    root: Path
    title: str = "Publications"
    description: str = ""
    owner: str | None = None
    url: str | None = None
    theme: str = "default"
    language: str = "en"
    listing_date: dt.date | None = None
    macros: dict[str, str] = field(default_factory=dict)
    output_dir: str = "output"
    paginate: int | None = None
    cname: str | None = None
    feed_size: int = 20
    owner_aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    theme_options: tuple[tuple[str, Any], ...] = ()
    profile: "Profile | None" = None
    citation_style: str = "apa"
    owner_on_every_paper: bool = False
    contact: str | None = None
    enrich_max_age: int = 30

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.theme_options).get(name, default)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def papers_dir(self) -> Path:
        return self.root / "content" / "papers"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def cache_dir(self) -> Path:
        return cache_dir_of(self.root)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def themes_dir(self) -> Path:
        return self.root / "themes"

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()


@dataclass(frozen=True)
class Profile:
    """``profile:`` in site.yaml: who the site is about, shown at the top of the index."""

    name: str
    photo: str | None = None
    role: str | None = None
    affiliation: str | None = None
    bio: str = ""  # markdown
    links: tuple[tuple[str, str], ...] = ()  # (kind, URL or e-mail address), in the order written


PROFILE_LINKS = {
    "scholar": "Google Scholar", "google_scholar": "Google Scholar", "orcid": "ORCID", "github": "GitHub",
    "gitlab": "GitLab", "dblp": "DBLP", "semantic_scholar": "Semantic Scholar", "linkedin": "LinkedIn",
    "email": "E-mail", "website": "Website", "cv": "CV", "twitter": "X (Twitter)", "x": "X", "bluesky": "Bluesky",
    "mastodon": "Mastodon", "openreview": "OpenReview", "researchgate": "ResearchGate", "huggingface": "Hugging Face",
}
PROFILE_KEYS = ("name", "photo", "role", "affiliation", "bio", "links")
_EMAIL_RE = re.compile(r"(?:mailto:)?([^@\s<>\"]+)@([^@\s<>\"]+\.[^@\s<>\"]+)")


def _profile(value: Any) -> Profile | None:
    from .urls import is_safe_link

    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("must be a mapping with name, and optionally photo, role, affiliation, bio and links")
    for name in value:
        if name not in PROFILE_KEYS:
            hint = difflib.get_close_matches(str(name), PROFILE_KEYS, n=1)
            raise ValueError(f"unknown key {name!r}{f' (did you mean {hint[0]!r}?)' if hint else ''}; "
                             f"known: {', '.join(PROFILE_KEYS)}")
    texts = {}
    for name in ("name", "photo", "role", "affiliation", "bio"):
        item = value.get(name)
        if item is not None and not isinstance(item, str):
            raise ValueError(f"{name} must be text (put it in quotes)")
        texts[name] = item.strip() if isinstance(item, str) and item.strip() else None
    if not texts["name"]:
        raise ValueError("name is required: the name shown at the top of the index")
    if texts["photo"] and not is_safe_link(texts["photo"]):
        raise ValueError("photo must be a path in the site (static/me.jpg) or an http(s) URL")
    links = value.get("links") or {}
    if not isinstance(links, dict):
        raise ValueError("links must be a mapping such as github: https://github.com/me")
    cleaned = []
    for kind, url in links.items():
        if not isinstance(url, str) or not url.strip():
            raise ValueError(f"links: {kind} must be a URL (put it in quotes)")
        url = url.strip()
        if str(kind) == "email":
            if not _EMAIL_RE.fullmatch(url):
                raise ValueError(f"links: email must be an address such as ada@example.org, not {url!r}")
            url = url.removeprefix("mailto:")
        elif not is_safe_link(url):
            raise ValueError(f"links: {kind} must be an http(s) URL or a path in the site, not {url!r}")
        cleaned.append((str(kind), url))
    return Profile(texts["name"], texts["photo"], texts["role"], texts["affiliation"], texts["bio"] or "",
                   tuple(cleaned))


def _citation_style(value: Any) -> str:
    text = _text(value).strip()
    if not (re.fullmatch(r"[a-z0-9][a-z0-9-]*", text) or (text.endswith(".csl") and "\x00" not in text)):
        raise ValueError("must be a CSL style name such as apa, ieee or chicago-author-date, "
                         "or the path of a .csl file in the site")
    return text


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


@dataclass(frozen=True)
class Key:
    name: str
    kind: str  # shown in messages and the README
    check: Callable[[Any], Any]  # returns the cleaned value or raises ValueError
    doc: str


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text (put it in quotes)")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value).strip() or None


def _url(value: Any) -> str | None:
    text = _optional_text(value)
    if text is None:
        return None
    if not URL_RE.fullmatch(text):
        raise ValueError("must be an absolute http(s) URL such as https://lab.github.io/pubs/")
    return text if text.endswith("/") else text + "/"


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError("must be a date written YYYY-MM-DD")


def _macros(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of macro name to text, e.g. algoname: SparseFed")
    cleaned = {}
    for name, text in value.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z]+", name.lstrip("\\")):
            raise ValueError(f"macro name {name!r} must be letters only (without the backslash)")
        if not isinstance(text, str):
            raise ValueError(f"the text for macro {name!r} must be text (put it in quotes)")
        cleaned[name.lstrip("\\")] = text
    return dict(sorted(cleaned.items()))


def _theme(value: Any) -> str:
    text = _text(value).strip()
    if not SLUG_SAFE_RE.fullmatch(text) or text.startswith("."):
        raise ValueError("must be a theme folder name such as default")
    return text


def _output_dir(value: Any) -> str:
    text = _text(value).strip()
    if not text or "\x00" in text:
        raise ValueError("must be a folder name such as output")
    return text


def _paginate(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("must be a whole number of papers per page, such as 100")
    return value


def _cname(value: Any) -> str | None:
    text = _optional_text(value)
    if text is None:
        return None
    if not DOMAIN_RE.fullmatch(text):
        raise ValueError("must be a domain name such as pubs.example.org")
    return text.lower()


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError("must be a list of names")
    return tuple(v.strip() for v in value)


THEME_OPTIONS = {
    "accent": "a colour for links and highlights, #rgb or #rrggbb",
    "show_abstracts": "index, true or false: the abstract behind a toggle in the main list only (index, the "
                      "default: tag and author pages list papers compactly), in every list (true), or in none",
    "group_by": "year or category: how the index groups papers (default year)",
    "venue_colors": "a mapping of venue abbreviation to a colour, #rgb or #rrggbb, for the venue badges "
                    "(NeurIPS: \"#6d3fa0\")",
}


def _theme_options(value: Any) -> tuple[tuple[str, Any], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValueError("must be a mapping such as accent: \"#8a2be2\"")
    options = {}
    for name, option in value.items():
        if name not in THEME_OPTIONS:
            hint = difflib.get_close_matches(str(name), list(THEME_OPTIONS), n=1)
            raise ValueError(f"unknown option {name!r}{f' (did you mean {hint[0]!r}?)' if hint else ''}; "
                             f"known: {', '.join(THEME_OPTIONS)}")
        if name == "accent" and not (isinstance(option, str) and ACCENT_RE.fullmatch(option)):
            raise ValueError("accent must be a colour written #rgb or #rrggbb (in quotes)")
        if name == "show_abstracts" and not (isinstance(option, bool) or option == "index"):
            raise ValueError("show_abstracts must be index, true or false")
        if name == "group_by" and option not in ("year", "category"):
            raise ValueError("group_by must be year or category")
        if name == "venue_colors":
            if not isinstance(option, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", v)
                    for k, v in option.items()):
                raise ValueError("venue_colors must map venue abbreviations to colours written #rgb or #rrggbb "
                                 "(in quotes), e.g. NeurIPS: \"#6d3fa0\"")
            option = tuple(sorted(option.items()))
        options[name] = option
    return tuple(sorted(options.items()))


def _contact(value: Any) -> str | None:
    text = _optional_text(value)
    if text is not None and not (re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) or re.fullmatch(r"https?://\S+", text)):
        raise ValueError("must be an email address (you@example.org) or a web address")
    return text


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number of days, such as 30")
    return value


def _feed_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("must be a whole number of papers, such as 20")
    return value


KEYS: tuple[Key, ...] = (
    Key("title", "text", _text, "The site's name, shown in the header and the browser tab."),
    Key("description", "text", _text, "One sentence under the title; also the index page's description."),
    Key("owner", "text", _optional_text, "The researcher whose site this is: shown in bold in every author list."),
    Key("url", "URL", _url, "Where the site is published, e.g. https://lab.github.io/pubs/. "
        "Used only where an absolute URL is required; every link between pages stays relative."),
    Key("theme", "name", _theme, "The theme folder under themes/ (default: default)."),
    Key("language", "text", _text, "The pages' lang attribute (default: en)."),
    Key("listing_date", "YYYY-MM-DD", _date, "The date the listing was copied: year-less dates "
        "(`Mar 9`) resolve to the latest such day not after it. Default: the listing file's "
        "modification time."),
    Key("macros", "mapping", _macros, "TeX macros used outside math in abstracts, mapped to text "
        "(algoname: SparseFed)."),
    Key("output_dir", "folder", _output_dir, "Where the built site goes (default: output)."),
    Key("paginate", "number", _paginate, "Papers per page on the index and tag pages. Default: "
        "lists longer than 250 papers are split into pages of 250."),
    Key("cname", "domain", _cname, "A custom domain for GitHub Pages (pubs.example.org): written to output/CNAME."),
    Key("feed_size", "number", _feed_size, "How many of the newest papers the Atom feeds carry (default: 20)."),
    Key("owner_aliases", "list of names", _names, "Other spellings of the owner's name (A. Panda): shown in bold "
        "too, and their papers are on the owner's author page."),
    Key("members", "list of names", _names, "Lab members: highlighted in author lists on a lab site."),
    Key("theme_options", "mapping", _theme_options, "Options for the theme: " +
        "; ".join(f"{k}: {v}" for k, v in THEME_OPTIONS.items()) + "."),
    Key("profile", "mapping", _profile, "Who the site is about, shown at the top of the index in every theme: "
        "name, photo (static/me.jpg or a URL), role, affiliation, bio (markdown) and links (scholar, orcid, "
        "github, dblp, semantic_scholar, linkedin, email, website, or any name: a URL each; the e-mail address "
        "is not written out as a link)."),
    Key("citation_style", "name", _citation_style, "The CSL style of the formatted reference in each paper's "
        "Cite box: a style name from the CSL style collection (apa, the default; ieee, chicago-author-date, "
        "modern-language-association, nature, ...) or the path of a .csl file in the site."),
    Key("owner_on_every_paper", "true/false", _flag, "Every paper is the owner's: a cut author list without "
        "the owner reads \"A, B, C, et al. (incl. Owner)\" and the owner's page lists every paper. "
        "Default false: nothing is added."),
    Key("contact", "email", _contact, "An email address sent with enrich's requests (the User-Agent, and Crossref's "
        "and OpenAlex's polite pool), so the APIs can reach you instead of blocking you."),
    Key("enrich_max_age", "days", _days, "enrich --refresh fetches again the cached answers older than this "
        "many days (default: 30)."),
)
KEYS_BY_NAME = {k.name: k for k in KEYS}


def parse_config(text: str, root: Path, path_label: str = CONFIG_NAME) -> tuple[SiteConfig, tuple[Problem, ...]]:
    """Validate site.yaml text; all problems are collected, defaults fill the gaps."""
    problems: list[Problem] = []
    try:
        data = yamlio.load(text) if text.strip() else {}
    except ParseError as exc:
        return SiteConfig(root=root), (error(path_label, exc.line, exc.message),)
    if data is None:
        data = {}
    data = clean_tree(data)  # pages only ever see text an HTML or XML file may hold
    if not isinstance(data, dict):
        return SiteConfig(root=root), (error(path_label, 1, "site.yaml must be a mapping of key: value lines"),)
    lines = yamlio.key_lines(text)
    values: dict[str, Any] = {}
    for name, value in data.items():
        line = lines.get(str(name))
        key = KEYS_BY_NAME.get(name) if isinstance(name, str) else None
        if key is None:
            hint = difflib.get_close_matches(str(name), list(KEYS_BY_NAME), n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            problems.append(error(path_label, line, f"unknown key {name!r}{suggestion}; "
                                  f"known keys: {', '.join(KEYS_BY_NAME)}"))
            continue
        try:
            values[name] = key.check(value)
        except ValueError as exc:
            problems.append(error(path_label, line, f"{name}: {exc}"))
    return SiteConfig(root=root, **values), tuple(problems)


def find_site_root(start: Path) -> Path:
    """The folder holding site.yaml: ``start`` itself or its nearest parent."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise UserError(f"no {CONFIG_NAME} in {start} or any parent folder: run this in a site folder or pass --site DIR")


def load_config(root: Path) -> SiteConfig:
    """Read and validate ``root/site.yaml``; raise UserError listing every problem."""
    path = root / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None
    config, problems = parse_config(text, root, str(_display(path)))
    if problems:
        raise UserError(f"{_display(path)}: {len(problems)} problem(s)", problems)
    return config


def _display(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
