"""Records: ``content/papers/<slug>.md``, YAML front matter plus the abstract as markdown.

Reading validates every field and reports ``path:line: message``; keys a user
adds are kept and reach the templates as they are. Writing is deterministic
and atomic (a temporary file renamed over the old one).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import difflib

from . import schema, yamlio
from .dates import PartialDate
from .identifiers import normalize_arxiv, normalize_doi
from .problems import ParseError, Problem, error, warning
from .textsafe import clean_tree
from .urls import is_safe_link

SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
FRONT_MATTER_FENCE = "---"


@dataclass(frozen=True, slots=True)
class Record:
    """One paper as its record file says it: an attribute per key of the schema table (schema.KEYS)."""

    src_path: Path
    slug: str
    title: str
    authors: tuple[str, ...]
    date: PartialDate
    et_al: bool = False
    editors: tuple[str, ...] = ()
    type: str | None = None
    venue: str | None = None
    venue_short: str | None = None
    category: str | None = None
    affiliation: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    publisher: str | None = None
    address: str | None = None
    edition: str | None = None
    series: str | None = None
    school: str | None = None
    institution: str | None = None
    isbn: str | None = None
    issn: str | None = None
    doi: str | None = None
    arxiv: str | None = None
    citekey: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    has_code: bool = False
    orcids: tuple[tuple[str, str], ...] = ()
    citations: dict[str, Any] | None = None
    selected: bool = False
    note: str | None = None
    image: str | None = None
    updated: PartialDate | None = None
    equal: tuple[str, ...] = ()
    corresponding: tuple[str, ...] = ()
    body: str = ""  # the markdown body (the abstract); empty in the records the build reads: reading.read_records renders it as it reads the file
    body_line: int = 1  # 1-based line of the body's first line in the file
    extra: dict[str, Any] = field(default_factory=dict)  # every key not in the schema, in file order
    digest: str = ""  # sha1 of the file's text: what changed when it changes


@dataclass(frozen=True, slots=True)
class RecordText:
    """A record file split into its front matter (parsed) and body."""

    front_matter: dict[str, Any]
    front_matter_text: str
    body: str
    body_line: int


# A line break, then a line that is only "---" (whitespace around it allowed, as str.strip() takes it: \s is the
# same set). Starting with a line break, the search only stops at line breaks.
_FENCE_LINE_RE = re.compile(r"\n[^\S\n]*---[^\S\n]*(?=\n|\Z)")
_NON_BLANK_RE = re.compile(r"\S")


def split_front_matter(text: str) -> RecordText:
    """Parse ``---`` YAML ``---`` body. Raises ParseError with a 1-based file line.

    The body (most of a record) is not cut into lines: the lines are found by searching the text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    first_end = text.find("\n")
    if (text if first_end < 0 else text[:first_end]).strip() != FRONT_MATTER_FENCE:
        raise ParseError(1, "a record must start with a '---' line, then YAML front matter, then '---'")
    closing = _FENCE_LINE_RE.search(text, first_end) if first_end >= 0 else None
    if closing is None:
        raise ParseError(1, "the front matter is not closed by a '---' line")
    fm_text = text[first_end + 1:closing.start() + 1] or "\n"  # its lines, each ending with a line break
    try:
        data = yamlio.load(fm_text)
    except ParseError as exc:  # its line is within the front matter
        raise ParseError(exc.line + 1 if exc.line else 1, exc.message) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError(2, "the front matter must be a mapping of key: value lines")
    end = text.count("\n", 0, closing.start() + 1)  # the closing line's index (0-based)
    if closing.end() == len(text):  # nothing after the closing line, not even a line break
        return RecordText(data, fm_text, "", end + 2)
    body_start = closing.end() + 1
    first = _NON_BLANK_RE.search(text, body_start)
    if first is None:  # only blank lines
        return RecordText(data, fm_text, "", end + 3 + text.count("\n", body_start))
    line_start = text.rfind("\n", body_start, first.start()) + 1 or body_start
    body = text[line_start:].rstrip()
    return RecordText(data, fm_text, body, end + 2 + text.count("\n", body_start, line_start))


def _as_text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} must be text, not {value!r} (put it in quotes)")
    if isinstance(value, (int, float)):
        raise ValueError(f"{what} must be text, not the number {value!r} (put it in quotes)")
    raise ValueError(f"{what} must be text")


def _as_optional_text(value: Any, what: str) -> str | None:
    text = _as_text(value, what)
    return text if text.strip() else None


def _as_count(value: Any, what: str) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # volume: 12, pages: 7
    return _as_optional_text(value, what)


def _as_text_list(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list")
    items = []
    for item in value:
        text = _as_text(item, f"each of {what}")
        if not text.strip():
            raise ValueError(f"{what} has an empty item")
        items.append(text)
    return tuple(items)


def _as_links(value: Any, what: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValueError("links must be a mapping such as code: https://github.com/...")
    links = []
    for name, url in value.items():
        name = _as_text(name, "a link name")
        if url is None or url == "":
            continue
        url = _as_text(url, f"link {name!r}").strip()
        if not is_safe_link(url):
            raise ValueError(f"link {name!r} must be an http(s) or mailto URL or a relative path, not {url!r}")
        links.append((name, url))
    return tuple(links)


def _as_bool(value: Any, what: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"{what} must be true or false")
    return value


def _as_date(value: Any, what: str) -> PartialDate:
    try:
        return PartialDate.from_value(value)
    except ValueError as exc:
        raise ValueError(str(exc) if what == "date" else f"{what}: {exc}") from None


def _as_choice(key: schema.Key):
    def convert(value: Any, what: str) -> str | None:
        text = _as_optional_text(value, what)
        if text is None:
            return None
        if text.strip() not in key.choices:
            close = difflib.get_close_matches(text.strip(), key.choices, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"{what} must be one of {', '.join(key.choices)}, not {text!r}{hint}")
        return text.strip()
    return convert


def _as_doi(value: Any, what: str) -> str | None:
    text = _as_optional_text(value, what)
    if text is None:
        return None
    doi = normalize_doi(text)
    if doi is None:
        raise ValueError(f"doi must look like 10.1000/xyz123, not {text!r}")
    return doi


def _as_arxiv(value: Any, what: str) -> str | None:
    text = _as_optional_text(value, what)
    if text is None:
        return None
    arxiv_id = normalize_arxiv(text)
    if arxiv_id is None:
        raise ValueError(f"arxiv must be an arXiv identifier such as 2401.01234, not {text!r}")
    return arxiv_id


def _as_url(value: Any, what: str) -> str | None:
    text = _as_optional_text(value, what)
    if text is None:
        return None
    if not is_safe_link(text.strip()):
        raise ValueError(f"{what} must be an http(s) URL or a relative path, not {text!r}")
    return text.strip()


def _as_slug(value: Any, what: str) -> str:
    slug = _as_text(value, what).strip()
    if not SLUG_RE.fullmatch(slug):
        raise ValueError(f"slug {slug!r} must be lower-case letters, digits and hyphens (no slashes, dots or spaces)")
    return slug


def _as_orcids(value: Any, what: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ValueError("orcids must be a mapping of author name to ORCID iD, such as Ada Lovelace: 0000-0002-1825-0097")
    pairs = []
    for name, orcid in value.items():
        name = _as_text(name, "an author name in orcids")
        orcid = _as_text(orcid, f"the ORCID iD of {name!r}").strip()
        if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", orcid):
            raise ValueError(f"the ORCID iD of {name!r} must look like 0000-0002-1825-0097, not {orcid!r}")
        pairs.append((name, orcid))
    return tuple(pairs)


def _as_citations(value: Any, what: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or isinstance(value.get("count"), bool) or not isinstance(value.get("count"), int) \
            or value["count"] < 0:
        raise ValueError("citations must be a mapping with a count (a whole number), a source and a fetched date")
    fetched = value.get("fetched")
    return {"count": value["count"], "source": _as_optional_text(value.get("source"), "citations source"),
            "fetched": fetched.isoformat() if hasattr(fetched, "isoformat") else _as_optional_text(fetched, "citations fetched")}


_CONVERTERS = {
    "orcids": _as_orcids,
    "citations": _as_citations,
    "text": _as_optional_text,
    "count": _as_count,
    "text-list": _as_text_list,
    "date": _as_date,
    "bool": _as_bool,
    "links": _as_links,
    "doi": _as_doi,
    "arxiv": _as_arxiv,
    "url": _as_url,
    "slug": _as_slug,
}


def _converter(key: schema.Key):
    return _as_choice(key) if key.kind == "choice" else _CONVERTERS[key.kind]



# Key name -> (its place in the schema table, the key, its converter); the required keys with their places.
_BY_NAME = {key.name: (place, key, _converter(key)) for place, key in enumerate(schema.KEYS)}
_REQUIRED = tuple((place, key) for place, key in enumerate(schema.KEYS) if key.required)


def record_from_text(text: str, src_path: Path, label: str,
                     for_display: bool = False) -> tuple[Record | None, tuple[Problem, ...]]:
    """Build a Record from a file's text, every key converted by its kind in the schema table;
    problems name ``label:line``.

    ``for_display``: the record is for pages, so its text loses the characters no HTML or XML file may hold
    (YAML escapes such as ``"\\x01"`` can make them; anything else is kept exactly)."""
    record, _body, problems = split_record(text, src_path, label, for_display, keep_body=True)
    return record, problems


def split_record(text: str, src_path: Path, label: str, for_display: bool = False,
                 keep_body: bool = False) -> tuple[Record | None, str, tuple[Problem, ...]]:
    """``record_from_text``, with the body given apart: (the record, its body when ``keep_body`` is false
    (the record's is then empty), problems). The build renders bodies and lets them go (reading.py)."""
    row, body, problems = parse_record(text, src_path.name, label, for_display, keep_body)
    return (None if row is None else record_of(src_path, row)), body, problems


# A Record as plain data (a "row"): every value but ``src_path``, in field order, dates as (year, month, day)
# tuples. A forked reader sends rows back to the build (reading.py): pickling Records costs 36 µs each on the
# way back (the dataclass's __setstate__ looks up its fields every time; a Path pickles as its parts, parsed
# again), a row 2 µs; and a Record is made once, where it is kept (making one sets 43 frozen slots: 15 µs).
_ROW_NAMES = tuple(f.name for f in dataclasses.fields(Record))[1:]
_ROW_PLACE = {name: i for i, name in enumerate(_ROW_NAMES)}
_DEFAULT_ROW = tuple(None if f.default is dataclasses.MISSING else f.default for f in dataclasses.fields(Record)[1:])
_DATES = tuple(_ROW_PLACE[name] for name in ("date", "updated"))
_SLUG, _HAS_CODE, _BODY, _BODY_LINE, _EXTRA, _DIGEST = (
    _ROW_PLACE[name] for name in ("slug", "has_code", "body", "body_line", "extra", "digest"))
_NOT_CLEANED = {_ROW_PLACE[name] for name in ("body", "body_line", "digest", "date", "updated")}
# Key name -> (its place in the schema table, the key, its converter, its place in a row)
_BY_NAME_ROW = {name: (*found, _ROW_PLACE[name]) for name, found in _BY_NAME.items()}


def record_of(src_path: Path, row: tuple | list) -> Record:
    """The Record a row (``parse_record``) stands for, read from ``src_path``."""
    row = list(row)
    for i in _DATES:
        if row[i] is not None:
            row[i] = PartialDate(*row[i])
    return Record(src_path, *row)


def _stem(name: str) -> str:
    """``Path(name).stem``."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def parse_record(text: str, name: str, label: str, for_display: bool = False,
                 keep_body: bool = False) -> tuple[tuple | None, str, tuple[Problem, ...]]:
    """``split_record`` for a file called ``name``, giving the record as a row (``record_of`` makes it)."""
    try:
        parsed = split_front_matter(text)
    except ParseError as exc:
        return None, "", (error(label, exc.line, exc.message),)
    data = parsed.front_matter
    lines: dict[str, int] = {}

    def line_of(key: str) -> int:
        if not lines:  # composing the YAML again is only worth it when there is an error to place
            lines.update(yamlio.key_lines(parsed.front_matter_text) or {"": 0})
        return lines[key] + 1 if key in lines else 1

    problems: list[tuple[int, Problem]] = []  # (the key's place in the schema table, the problem): in that order
    row = list(_DEFAULT_ROW)
    extra: dict[str, Any] = {}
    for key_name, value in data.items():  # the keys the file has (a dozen), not every key of the table
        found = _BY_NAME_ROW.get(key_name) if isinstance(key_name, str) else None
        if found is None:
            extra[key_name] = value
            continue
        place, key, convert, at = found
        if value is None:
            continue  # a required key is reported below
        try:
            converted = convert(value, key_name)
        except ValueError as exc:
            problems.append((place, error(label, line_of(key_name), str(exc))))
            continue
        if key.required and (converted is None or converted == ()):
            what = "authors is empty: list at least one author" if key_name == "authors" else f"{key_name} is empty"
            problems.append((place, error(label, line_of(key_name), what)))
            continue
        if converted is not None:
            row[at] = converted
    for place, key in _REQUIRED:
        if data.get(key.name) is None:
            problems.append((place, error(label, 1 if key.name not in data else line_of(key.name),
                                          f"missing required field {key.name!r}")))
    if problems:
        problems.sort(key=lambda p: p[0])
    found_problems = [problem for _place, problem in problems]
    if row[_SLUG] is None:
        row[_SLUG] = _stem(name)
        if not SLUG_RE.fullmatch(row[_SLUG]):
            found_problems.append(error(label, 1, f"the file name {name!r} is not a usable slug: "
                                        "use lower-case letters, digits and hyphens, or set slug:"))
    if any(p.is_error for p in found_problems):
        return None, "", tuple(found_problems)
    for i in _DATES:
        date = row[i]
        if date is not None:
            row[i] = (date.year, date.month, date.day)
    links = row[_ROW_PLACE["links"]]
    if links and any(link_name == "code" for link_name, _ in links):
        row[_HAS_CODE] = True
    row[_BODY] = parsed.body if keep_body else ""
    row[_BODY_LINE] = parsed.body_line
    row[_EXTRA] = extra
    row[_DIGEST] = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
    if for_display and "\\" in parsed.front_matter_text:  # only a YAML escape can make such a character
        row = [value if i in _NOT_CLEANED else clean_tree(value) for i, value in enumerate(row)]
    return tuple(row), ("" if keep_body else parsed.body), tuple(found_problems)


def unknown_key_warnings(text: str, label: str) -> tuple[Problem, ...]:
    """Warnings for keys that are not in the schema table, with the closest declared key when one is close."""
    try:
        parsed = split_front_matter(text)
    except ParseError:
        return ()
    lines = yamlio.key_lines(parsed.front_matter_text)
    problems = []
    for key in parsed.front_matter:
        if key in schema.BY_NAME:
            continue
        close = difflib.get_close_matches(str(key), schema.KEY_ORDER, n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]!r}?" if close else " (kept, and passed to templates as is)"
        problems.append(warning(label, lines.get(str(key), 0) + 1, f"unknown key {key!r}{hint}"))
    return tuple(problems)


def render_record(front_matter: dict[str, Any], body: str) -> str:
    """The file text for a record: front matter in the given key order, then the body."""
    text = FRONT_MATTER_FENCE + "\n" + yamlio.dump(front_matter) + FRONT_MATTER_FENCE + "\n"
    if body:
        text += "\n" + body.strip("\n") + "\n"
    return text
