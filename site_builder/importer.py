"""Import: listing entries -> records on disk, never losing a hand edit.

The importer remembers, per record, the values it last wrote
(``content/.import-state.json``). On the next import each listing-owned field
is compared three ways:

* file == last written: the user did not touch it, so the listing's value is written;
* file != last written: the user edited it, so the user's value stays; when the
  listing changed it too, the import says so;
* no memory of the record (state deleted, record written by hand): any
  difference is treated as the user's edit.

Records are never deleted; a record whose entry left the listing is reported.
Files are written atomically and only when their bytes change.

A re-import with nothing changed does not parse: the state also remembers what the last import read
(each source file's digest, and the date year-less listing dates resolved against), the digest of every
record file as that import left it, and the report the same import would give again. When every one of
these is still the same, that report is the answer; any difference (a source edited, a record edited by
hand or deleted, the state or site-builder changed) runs the whole import.
"""
from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from .problems import ParseError, Problem, error, warning
from . import schema
from .dates import PartialDate
from .identifiers import normalize_arxiv
from . import fileio
from .fileio import atomic_write
from .records import render_record, split_front_matter

# The readers of every source, slugs and enrichment are loaded by the functions that use them, when there is
# something to import: a re-import with nothing changed needs none of them.
if TYPE_CHECKING:
    from .sources import SourceEntry, SourceResult

STATE_NAME = ".import-state.json"
STATE_VERSION = 2
# Fields the listing owns, in the order they are compared and reported.
_MISSING = object()


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edited: int = 0
    rejected: int = 0
    merged: int = 0  # duplicates folded into another entry's record (and crossref'd volumes into their papers)
    problems: tuple[Problem, ...] = ()
    unreadable: int = 0  # files that could not be read at all

    @property
    def failed(self) -> bool:
        """An entry was rejected or a file could not be read: the command exits non-zero."""
        return bool(self.rejected or self.unreadable)

    @property
    def entries(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept_edited + self.rejected + self.merged

    def summary(self) -> str:
        merged = f", {self.merged} merged duplicates" if self.merged else ""
        return (f"imported {self.entries} entries: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.kept_edited} kept-edited, {self.rejected} rejected{merged}")


@dataclass(frozen=True)
class ListingSource:
    """A listing file to import and the date its year-less dates resolve against."""

    path: Path
    label: str  # how messages and the state name it, e.g. seeds/publications.txt
    as_of: dt.date


def listing_sources(root: Path, paths: list[Path], as_of: dt.date | None, listing_date: dt.date | None) -> list[ListingSource]:
    """Sources for listing files; year-less dates resolve against ``as_of``, else ``listing_date``,
    else each file's modification time."""
    sources = []
    for path in paths:
        try:
            label = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            label = str(path)
        when = as_of or listing_date or dt.datetime.fromtimestamp(path.stat().st_mtime).date()
        sources.append(ListingSource(path, label, when))
    return sources


# The formatting tags a title may hold (CSL rich text, kept for titles.py to show): no part of an address.
_RICH_TAG_RE = re.compile(r"</?(?:i|b|em|strong|sup|sub|sc)>", re.IGNORECASE)


_WORD_RE = re.compile(r"\w+")


@functools.lru_cache(maxsize=8192)  # asked for four or five times an entry in an import
def title_key(title: str) -> str:
    return " ".join(_WORD_RE.findall(title.casefold()))


Field = schema.Field
ABSTRACT = Field(schema.BODY)
HAS_CODE, CODE_LINK = Field("has_code"), Field("links", "code")

# One Field a record key (and one for each usual link), made once: a first import of 911 entries made 45,000 of
# them. The same objects each time also make most dict look-ups by Field an identity check.
_KEY_FIELD = {name: Field(name) for name in schema.KEY_ORDER if name not in ("links", "has_code")}
_KEY_FIELD["has_code"] = HAS_CODE
_LINK_FIELD = {"code": CODE_LINK, **{name: Field("links", name) for name in (
    "url", "doi", "arxiv", "pdf", "html", "slides", "poster", "video", "website", "supp", "blog", "data")}}
_DATES = frozenset(name for name in schema.KEY_ORDER if schema.BY_NAME[name].kind == "date")
_SOURCE_OWNED = frozenset(name for name in schema.KEY_ORDER if schema.BY_NAME[name].owner == "source")
_USER_OWNED = frozenset(name for name in schema.KEY_ORDER if schema.BY_NAME[name].owner == "user")


def _json(name: str, value: Any) -> Any:
    """A source value as JSON: tuples as lists, links as a mapping, dates as their text."""
    if isinstance(value, PartialDate):
        return value.iso
    if schema.BY_NAME[name].kind == "links":
        return dict(value or ())
    if isinstance(value, tuple):
        return list(value)
    return value


def _link_field(link: str) -> Field:
    return _LINK_FIELD.get(link) or Field("links", link)


def entry_fields(entry: SourceEntry) -> dict[Field, Any]:
    """The source-owned values of an entry, as JSON values, by field (each link a field of its own). A key is
    present only when the source gives it (a listing gives no venue; a .bib without keywords leaves the tags
    to the user)."""
    fields: dict[Field, Any] = {_KEY_FIELD["title"]: entry.title, _KEY_FIELD["authors"]: list(entry.authors),
                                _KEY_FIELD["date"]: entry.date.iso}
    for name, value in entry.values:
        if name == "links":
            fields.update((_link_field(link), url) for link, url in value)
        elif name in _SOURCE_OWNED:
            fields[_KEY_FIELD[name]] = _json(name, value)
    if fields.get(HAS_CODE) and fields.get(CODE_LINK):
        fields[HAS_CODE] = False
    fields[ABSTRACT] = entry.abstract
    return fields


def creation_fields(entry: SourceEntry) -> dict[str, Any]:
    """User-owned keys a source gives (al-folio's ``selected``, a BibTeX ``note``), as front matter: written
    when the record is made, never compared or changed afterwards."""
    return {name: _json(name, value) for name, value in entry.values
            if name in _USER_OWNED and value not in (None, False, "", ())}


def fingerprint(field: Field, value: Any) -> Any:
    """What the state remembers of a value: the abstract as a hash, the rest as is."""
    if field.key == schema.BODY and isinstance(value, str):
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return value


def _get(fm: dict[str, Any], body: str, field: Field) -> Any:
    """A compared field's current value in a record, normalised to JSON values."""
    if field == ABSTRACT:
        return body.strip()
    if field.link is not None:
        links = fm.get("links")
        return links.get(field.link) if isinstance(links, dict) else None
    value = fm.get(field.key)
    if field.kind == "date":
        try:
            return PartialDate.from_value(value).iso
        except ValueError:
            return value if isinstance(value, str) else repr(value)
    if field.kind == "bool":
        return bool(value) if value is not None else (False if field == HAS_CODE else None)
    if field.kind == "count" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _yaml_date(iso: str) -> Any:
    """A date as YAML writes it at its precision: ``2024``, ``2024-05``, ``2024-05-03``."""
    date = PartialDate.parse(iso)
    if date.precision == "year":
        return date.year
    if date.precision == "day":
        return dt.date(date.year, date.month, date.day)
    return date.iso


def _set(fm: dict[str, Any], field: Field, value: Any) -> str | None:
    """Set a compared field in front matter; returns the new body for the abstract."""
    if field == ABSTRACT:
        return value
    if field.link is not None:
        links = dict(fm["links"]) if isinstance(fm.get("links"), dict) else {}
        if value:
            links[field.link] = value
        else:
            links.pop(field.link, None)
        fm["links"] = links
        return None
    name = field.key
    if field.kind == "date" and isinstance(value, str):
        fm[name] = _yaml_date(value)
    elif value is None or value is False and field == HAS_CODE:
        if name in ("category", "affiliation") and name in fm:
            fm[name] = None  # the listing's keys stay, empty
        elif name == "tags":
            fm[name] = []
        else:
            fm.pop(name, None)
    else:
        fm[name] = value
    return None


def new_front_matter(fields: dict[Field, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Front matter for a new record: the source's keys in the schema's order (tags and links always, for the
    user to fill in), then the user-owned keys the source gave."""
    given = {field.key: value for field, value in fields.items() if field.link is None}
    fm: dict[str, Any] = {}
    for name in schema.KEY_ORDER:
        if name == "links":
            fm[name] = {f.link: v for f, v in fields.items() if f.link is not None and v}
        elif name == "has_code":
            if given.get(name):
                fm[name] = True
            elif name in extra:
                fm[name] = extra[name]
        elif name in given:
            fm[name] = _yaml_date(given[name]) if name in _DATES else given[name]
        elif name == "tags":
            fm[name] = []
        elif name in extra:
            fm[name] = extra[name]
    return fm


def _state_text(path: Path) -> str:
    """The state file's text; "" when it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return ""


def _state_data(path: Path, text: str | None = None) -> dict[str, Any]:
    """The state file (or its ``text``) as data; {} when missing or damaged (a damaged state only costs us
    knowing which values were ours)."""
    try:
        data = json.loads(_state_text(path) if text is None else text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# What the state remembers of a record by field: the values last written (and those an interrupted import
# may have written), and what ``enrich`` found. In the file, by field name; in memory, by Field.
_BY_FIELD = ("fields", "pending", "enriched")


def load_state(path: Path, data: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """What the state file remembers of each record (slug -> info), its field values keyed by Field."""
    data = _state_data(path) if data is None else data
    records = data.get("records")
    if not isinstance(records, dict):
        return {}
    state = {k: v for k, v in records.items() if isinstance(v, dict)}
    if data.get("version") == 1:
        state = {slug: _from_version_1(info) for slug, info in state.items()}
    return {slug: {k: schema.fields_of(v) if k in _BY_FIELD and isinstance(v, dict) else v
                   for k, v in info.items() if k not in _BY_FIELD or isinstance(v, dict)}
            for slug, info in state.items()}


def _state_json(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The records of a state as JSON data: field values keyed by field name."""
    return {slug: {k: schema.names_of(v) if k in _BY_FIELD else v for k, v in info.items()}
            for slug, info in sorted(records.items())}


def _from_version_1(info: dict[str, Any]) -> dict[str, Any]:
    """State version 1 remembered the code link as ``code``, every date as a whole day, and the ``note`` a
    source gave (a key people own now)."""
    def convert(fields: Any) -> Any:
        if not isinstance(fields, dict):
            return fields
        out = {k: v for k, v in fields.items() if k not in ("code", "note")}
        if "code" in fields:
            out[CODE_LINK.name] = fields["code"]
        return out
    return {**info, **{k: convert(info[k]) for k in ("fields", "pending") if k in info}}


def dump_state(records: dict[str, dict[str, Any]], files: list[str] | None = None,
               records_text: list[str] | None = None) -> str:
    """The state file's text. ``records_text``: ``_records_text(records)``, when the caller has it already.
    Any JSON reader reads it; ``json.loads`` gives ``{"version", "records", "files"}``."""
    return "".join(state_pieces(records, files, records_text))


def state_pieces(records: dict[str, dict[str, Any]], files: list[str] | None = None,
                 records_text: list[str] | None = None) -> Iterator[str]:
    """``dump_state``'s text in pieces, to be written as they come (``atomic_write``): whole, and then as bytes,
    the text of a large state would be held three times over."""
    parts: dict[str, list[str]] = {"version": [_ENCODE(STATE_VERSION)],
                                   "records": _records_text(records) if records_text is None else records_text}
    if files:
        parts["files"] = [_ENCODE(sorted(set(files)))]
    yield "{\n"
    for n, key in enumerate(sorted(parts)):
        yield f",\n{_ENCODE(key)}: " if n else f"{_ENCODE(key)}: "
        yield from parts[key]
    yield "\n}\n"


# The state's text: each record on a line of its own (and each of the last import's record digests), so that a
# change to one record is a change to one line. ``json.dumps`` with ``indent`` runs json's pure-Python encoder
# (a tenth of a first import of 911 records); this runs the C encoder, once a line. Any JSON reader reads it.
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_RECORDS_OPEN = '\n"records": {\n'  # how the records start in the text dump_state writes (when there are any)


def _json_lines(value: Any, spread: dict[str, Any]) -> str:
    """``value`` as JSON, a key a line (and so in each mapping ``spread`` names, inside)."""
    if not isinstance(value, dict) or not value:
        return _ENCODE(value)
    lines = [f"{_ENCODE(str(key))}: {_json_lines(value[key], spread[key]) if key in spread else _ENCODE(value[key])}"
             for key in sorted(value)]
    return "{\n" + ",\n".join(lines) + "\n}"


def _records_text(records: dict[str, dict[str, Any]],
                  encoded: dict[int, tuple[Any, str]] | None = None) -> list[str]:
    """The state's records as the state file holds them, in pieces (their text is ``"".join`` of them, never
    made: at 100,000 records it and its copies would take hundreds of MB): a record a line, each what
    ``_ENCODE`` writes of it. ``encoded``: the JSON of each mapping by field written so far (by id, with the
    mapping itself), for the two states an import writes, which share most of them."""
    if not records:
        return ["{}"]
    encoded = {} if encoded is None else encoded
    lines = ["{\n"]
    for slug in sorted(records):
        info = records[slug]
        parts = []
        for key in sorted(info):
            value = info[key]
            if key in _BY_FIELD:
                known = encoded.get(id(value))
                if known is None or known[0] is not value:
                    known = encoded[id(value)] = (value, _ENCODE(schema.names_of(value)))
                parts.append(f"{_ENCODE(key)}: {known[1]}")
            else:
                parts.append(f"{_ENCODE(key)}: {_ENCODE(value)}")
        if len(lines) > 1:
            lines.append(",\n")
        lines.append(f"{_ENCODE(slug)}: {{{', '.join(parts)}}}")
    lines.append("\n}")
    return lines


def _records_in(text: str) -> str | None:
    """The records part of a state file's text, as ``_records_text`` wrote it, or None. Every record is a line
    of its own, starting with its name: the first line that is only ``}`` closes the records."""
    start = text.find(_RECORDS_OPEN)
    end = text.find("\n}", start + len(_RECORDS_OPEN)) if start != -1 else -1
    return None if end == -1 else text[start + len(_RECORDS_OPEN) - 2:end + 2]


def imported_files(content_dir: Path, data: dict[str, Any] | None = None) -> list[str]:
    """The files earlier imports read (as labels: relative to the site, or absolute): a file once named on the
    command line is read again by a plain ``import``, so that the plain import does not undo what it gave."""
    data = _state_data(content_dir / STATE_NAME) if data is None else data
    files = data.get("files")
    return [f for f in files if isinstance(f, str)] if isinstance(files, list) else []


# ---------------------------------------------------------------- a re-import with nothing changed

def _code_digest() -> str:
    """site-builder's own code: an upgraded or edited site-builder may read the same files differently."""
    package = Path(__file__).resolve().parent
    sha = hashlib.sha256(f"{STATE_VERSION}".encode())
    for path in sorted(package.glob("*.py")):
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def _inputs(sources: list[ListingSource]) -> list[list[str]] | None:
    """What an import reads from each source: its label, the digest of its bytes, and for a listing the date
    year-less dates resolve against. None when a file cannot be read (the whole import says why)."""
    out = []
    for source in sources:
        try:
            data = source.path.read_bytes()
        except OSError:
            return None
        as_of = "" if source.path.suffix.lower() in (".bib", ".json") else source.as_of.isoformat()
        out.append([source.label, hashlib.sha256(data).hexdigest(), as_of])
    return out


def _file_digest(path: Path | str) -> str | None:
    try:
        with open(path, "rb", buffering=0) as handle:  # unbuffered: one read of the file's size
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return None


def _records_digest(records_text: str | list[str] | None) -> str | None:
    """The digest of a state's records as the file holds them (``_records_text``'s pieces, ``_records_in``)."""
    if records_text is None:
        return None
    sha = hashlib.sha256()
    for piece in ([records_text] if isinstance(records_text, str) else records_text):
        sha.update(piece.encode("utf-8"))
    return sha.hexdigest()


def _problem_json(problem: Problem) -> list[Any]:
    return [problem.path, problem.line, problem.message, problem.severity]


LAST_IMPORT = "last-import.json"  # in the cache folder (``.cache/site-builder/``): see ``_unchanged_import``


def _load_last_import(cache_dir: Path | None) -> Any:
    """What the last import left in ``cache_dir`` (see ``_unchanged_import``), or None."""
    if cache_dir is None:
        return None
    try:
        return json.loads((cache_dir / LAST_IMPORT).read_bytes())
    except (OSError, ValueError):  # not there (a first import, a deleted cache) or damaged: import
        return None


def _save_last_import(cache_dir: Path | None, last: dict[str, Any] | None) -> None:
    """Remember what this import found for the next one, in the cache folder: not in the state file, which
    people commit (the digest of site-builder's own code in it would change it on every upgrade). None
    forgets it. Kept in the cache, it may be lost at any time: then the next import reads everything."""
    if cache_dir is None:
        return
    path = cache_dir / LAST_IMPORT
    try:
        if last is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, _json_lines(last, {"digests": {}}) + "\n", durable=False)
    except OSError:
        pass  # a cache that cannot be written costs the next import its shortcut, nothing else


def _unchanged_import(sources: list[ListingSource], last: Any, data: dict[str, Any], files: list[str],
                      papers_dir: Path, text: str = "") -> ImportReport | None:
    """The report of an import whose every input is what the last import left (``last``: what it remembered
    in the cache folder), or None: then import. ``data``: the state file as it is (its records are not even
    converted), ``text``: its text."""
    records = data.get("records")
    if not isinstance(last, dict) or not isinstance(records, dict) or data.get("version") != STATE_VERSION:
        return None
    try:
        if (last.get("inputs") != _inputs(sources) or last.get("files") != sorted(set(files))
                or last.get("records") != _records_digest(_records_in(text)) or last.get("code") != _code_digest()):
            return None
        digests = last["digests"]
        if not isinstance(digests, dict) or set(digests) != set(records):
            return None
        folder = str(papers_dir)
        for slug, expected in digests.items():
            if _file_digest(f"{folder}/{slug}.md") != expected:
                return None  # a record edited, deleted or made by hand since
        counts = {k: int(last["report"][k]) for k in ("unchanged", "kept_edited", "rejected", "merged", "unreadable")}
        problems = tuple(Problem(str(path), line, str(message), str(severity))
                         for path, line, message, severity in last["problems"])
    except (KeyError, TypeError, ValueError, OSError):
        return None
    return ImportReport(problems=problems, **counts)


def _has_comments(front_matter_text: str) -> bool:
    return any(line.lstrip().startswith("#") for line in front_matter_text.splitlines())


def _names_in(folder: Path) -> set[str]:
    """The names in a folder; none when it cannot be listed (or does not exist yet)."""
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def _match(entries: list[SourceEntry], state: dict[str, dict[str, Any]],
           papers_dir: Path, present: set[str] | None = None) -> list[tuple[SourceEntry, str, bool]]:
    """Give each entry its slug: (entry, slug, known_to_state). ``present``: the names in ``papers_dir``."""
    from .slugs import slugify, unique_slug

    by_key: dict[str, list[str]] = {}
    for slug in sorted(state):
        by_key.setdefault(state[slug].get("key", ""), []).append(slug)
    used: set[str] = set()
    matched: dict[int, tuple[str, bool]] = {}
    # 1. the same title (normalised) as last time
    for i, entry in enumerate(entries):
        for slug in by_key.get(title_key(entry.title), []):
            if slug not in used:
                used.add(slug)
                matched[i] = (slug, True)
                break
    # 2. a retitled entry: an unclaimed record with strong evidence of being the same paper (the same
    #    DOI or arXiv id, the same citation key in the same file, or the same authors with a near-identical
    #    title or the same abstract). Anything weaker is a new record; the old one stays and is reported.
    for i, entry in enumerate(entries):
        if i in matched:
            continue
        best = next((slug for slug in sorted(state) if slug not in used and _same_paper(entry, state[slug])), None)
        if best is not None:
            used.add(best)
            matched[i] = (best, True)
    # 3. new entries get a new slug (or adopt a hand-made record with the same title)
    present = _names_in(papers_dir) if present is None else present
    taken = set(state) | {os.path.splitext(name)[0] for name in present if fnmatch.fnmatchcase(name, "*.md")}
    result = []
    for i, entry in enumerate(entries):
        if i in matched:
            slug, known = matched[i]
        else:
            base = slugify(_RICH_TAG_RE.sub("", entry.title))  # "On <i>Tags</i>": on-tags
            slug, known = unique_slug(base, taken), False
            existing = papers_dir / f"{base}.md"
            if (base not in state and base not in used and f"{base}.md" in present and existing.is_file()
                    and _file_title_key(existing) == title_key(entry.title)):
                slug = base
            taken.add(slug)
            used.add(slug)
        result.append((entry, slug, known))
    return result


# A key such as ``Lovelace2023`` or ``lovelace_2023b`` (JabRef's and others' default scheme) names an author and a
# year, not a paper: an export that drops one paper and adds another gives the new one the same key.
_GENERIC_KEY_RE = re.compile(r"[^\W\d_]+[-_:]?\d{2,4}[a-z]?")


def _identifiers(entry: SourceEntry) -> set[str]:
    ids = set()
    if entry.doi:
        ids.add("doi:" + entry.doi.casefold())
    if entry.arxiv_id:
        ids.add("arxiv:" + entry.arxiv_id.casefold())
    if entry.citekey and not _GENERIC_KEY_RE.fullmatch(entry.citekey):
        ids.add(f"citekey:{entry.source}:{entry.citekey}")
    return ids


def _remembered_identifiers(info: dict[str, Any], fields: dict[str, Any]) -> set[str]:
    ids = set()
    doi = fields.get(Field("doi"))
    if isinstance(doi, str) and doi:
        ids.add("doi:" + doi.casefold())
    arxiv = normalize_arxiv(str(fields.get(Field("arxiv")) or fields.get(Field("links", "arxiv")) or ""))
    if arxiv:
        ids.add("arxiv:" + arxiv.casefold())
    citekey = info.get("citekey")
    if isinstance(citekey, str) and citekey:
        ids.add(f"citekey:{info.get('source', '')}:{citekey}")
    return ids


def _same_authors(a: list[Any] | tuple[Any, ...], b: list[Any] | tuple[Any, ...]) -> bool:
    return [" ".join(str(n).casefold().split()) for n in a] == [" ".join(str(n).casefold().split()) for n in b]


def _same_paper(entry: SourceEntry, info: dict[str, Any]) -> bool:
    """Strong evidence that a remembered record is this entry under another title."""
    return any(_same_paper_as(entry, info, fields) for fields in (info.get("fields", {}), info.get("pending")) if fields)


def _same_paper_as(entry: SourceEntry, info: dict[str, Any], fields: dict[str, Any]) -> bool:
    if _identifiers(entry) & _remembered_identifiers(info, fields):
        return True
    authors = fields.get(Field("authors"))
    if not (isinstance(authors, list) and _same_authors(authors, entry.authors)):
        return False
    if entry.abstract.strip() and fields.get(ABSTRACT) == fingerprint(ABSTRACT, entry.abstract):
        return True  # the same authors and the same abstract
    return _near_identical(str(info.get("key", "")), title_key(entry.title))


def _near_identical(a: str, b: str) -> bool:
    """Title keys that differ by a typo or two, and not in a number ("Part 1" and "Part 2" are two papers)."""
    return re.findall(r"\d+", a) == re.findall(r"\d+", b) and difflib.SequenceMatcher(None, a, b).ratio() >= 0.9


def _file_title_key(path: Path) -> str | None:
    try:
        fm = split_front_matter(path.read_text(encoding="utf-8")).front_matter
    except (OSError, UnicodeDecodeError, ParseError):
        return None
    title = fm.get("title")
    return title_key(title) if isinstance(title, str) else None


def _published(entry: SourceEntry) -> bool:
    return entry.type not in (None, "preprint", "other") and bool(entry.get("venue") or entry.doi)


def _may_be_one_work(a: SourceEntry, b: SourceEntry) -> bool:
    """Title and first author agree: one work, unless the years are far apart and neither is a preprint
    (a book and its second edition, a talk given again)."""
    return abs(a.date.year - b.date.year) <= 1 or "preprint" in (a.type, b.type)


def merge_duplicates(entries: list[SourceEntry]) -> tuple[list[tuple[SourceEntry, tuple[str, ...]]], list[Problem]]:
    """One entry per paper: duplicates (same DOI, same arXiv id, or same title and first author's last name
    with years at most one apart unless one is a preprint), within a file or across files, are merged. The
    published version leads (its venue, date and title), else the richer entry; gaps are filled from the
    others, links and both identifiers kept. Returns (entry, labels of every source it came from) in
    first-seen order."""
    from .sources import SourceEntry

    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    by_title: dict[str, list[int]] = {}
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        for key in ("doi:" + entry.doi.casefold() if entry.doi else None,
                    "arxiv:" + entry.arxiv_id.casefold() if entry.arxiv_id else None):
            if key is None:
                continue
            if key not in first_with:
                first_with[key] = i
                continue
            other = entries[first_with[key]]
            if difflib.SequenceMatcher(None, title_key(other.title), title_key(entry.title)).ratio() >= 0.6:
                parent[find(i)] = find(first_with[key])
            else:  # one identifier copied onto two papers: a mistake in the source, not one paper
                problems.append(warning(entry.source, entry.line, f"has the same {key.split(':')[0]} as "
                                        f"{other.source}:{other.line}, but another title: kept as two records"))
        title = f"{title_key(entry.title)}|{entry.authors[0].split(' ')[-1].casefold()}"
        for j in by_title.setdefault(title, []):
            if _may_be_one_work(entries[j], entry):
                parent[find(i)] = find(j)
                break
        by_title[title].append(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(entries)):
        groups.setdefault(find(i), []).append(i)
    merged = []
    for members in sorted(groups.values()):
        group = [entries[i] for i in members]
        if len(group) == 1:
            merged.append((group[0], (group[0].source,)))
            continue
        primary = max(group, key=lambda e: (_published(e), e.richness(), -group.index(e)))
        values = dict(primary.values)
        for other in group:
            for name, value in other.values:
                if name == "links":
                    links = dict(values.get("links", ()))
                    for link, url in value:
                        links.setdefault(link, url)
                    values["links"] = tuple(links.items())
                elif values.get(name) in (None, (), "") and value not in (None, (), ""):
                    values[name] = value
        if values.get("has_code") and any(link == "code" for link, _ in values.get("links", ())):
            values["has_code"] = False
        abstract = primary.abstract or next((e.abstract for e in group if e.abstract), "")
        result = SourceEntry(primary.title, primary.authors, primary.date, primary.source, primary.line, abstract,
                             tuple((name, values[name]) for name in schema.KEY_ORDER if name in values))
        others = ", ".join(f"{e.source}:{e.line}" for e in group if e is not primary)
        problems.append(warning(primary.source, primary.line,
                                f"the same paper as {others}: merged into one record (fields from this entry, "
                                "gaps filled from the others)"))
        merged.append((result, tuple(dict.fromkeys(e.source for e in group))))
    return merged, problems


def read_source(path: Path, label: str, as_of: dt.date) -> SourceResult:
    from .sources import read_source as read

    return read(path, label, as_of)


def import_listings(sources: list[ListingSource], content_dir: Path, strict: bool = False,
                    progress: Callable[[int, int], None] | None = None,
                    read: Sequence[tuple[str, SourceResult]] = (), cache_dir: Path | None = None) -> ImportReport:
    """Import every source (listings, .bib, CSL-JSON) into ``content_dir/papers``; counts and problems.
    ``read``: sources already read elsewhere (an ORCID record's works), as (label, result). ``cache_dir``: where
    to remember what this import found (``.cache/site-builder/``), so that the next one, given the same
    inputs, is done at once; None: nowhere."""
    papers_dir = content_dir / "papers"
    state_path = content_dir / STATE_NAME
    present = _names_in(papers_dir)  # the files in the papers folder: listed once, not asked for one by one
    leftovers = [papers_dir / name for name in present if fnmatch.fnmatchcase(name, ".*.md.*.tmp")]
    for leftover in [*leftovers, *content_dir.glob(f".{STATE_NAME}.*.tmp")]:
        leftover.unlink(missing_ok=True)  # from an import that was killed while writing
        present.discard(leftover.name)
    state_text = _state_text(state_path)
    data = _state_data(state_path, state_text)
    files = imported_files(content_dir, data)
    if not read and not strict:
        unchanged = _unchanged_import(sources, _load_last_import(cache_dir), data, files, papers_dir, state_text)
        if unchanged is not None:
            return unchanged
    state = load_state(state_path, data)
    inputs = _inputs(sources)  # before reading: a file changed while it is read is read again next time
    old_state = _state_json(state)  # what is on disk, to tell whether anything changed
    problems: list[Problem] = []
    entries: list[SourceEntry] = []
    rejected = folded = unreadable = 0
    read_labels = []
    for source in sources:
        try:
            result = read_source(source.path, source.label, source.as_of)
        except UnicodeDecodeError as exc:
            problems.append(error(source.label, None, f"not UTF-8 text ({exc.reason} at byte {exc.start}): "
                                  "nothing in this file is imported"))
            unreadable += 1
            continue
        except OSError as exc:
            problems.append(error(source.label, None, f"cannot read: {exc.strerror or exc}"))
            unreadable += 1
            continue
        read_labels.append(source.label)
        problems.extend(result.problems)
        entries.extend(result.entries)
        rejected += result.rejected
        folded += result.folded
    for label, result in read:
        read_labels.append(label)
        problems.extend(result.problems)
        entries.extend(result.entries)
        rejected += result.rejected
        folded += result.folded
    if strict and any(p.is_error for p in problems):
        problems.append(error(sources[0].label if sources else "import", None,
                              "--strict: nothing imported because of the errors above"))
        return ImportReport(rejected=rejected + len(entries) + folded, problems=tuple(problems), unreadable=unreadable)

    merged, merge_problems = merge_duplicates(entries)
    problems.extend(merge_problems)
    duplicates_merged = len(entries) - len(merged) + folded
    seen_titles: dict[str, SourceEntry] = {}
    for entry, _labels in merged:
        key = title_key(entry.title)
        if key in seen_titles and seen_titles[key].source == entry.source:
            problems.append(warning(entry.source, entry.line, f"the same title as the entry at line "
                                    f"{seen_titles[key].line}: imported as a separate record"))
        seen_titles.setdefault(key, entry)

    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept_edited": 0}
    matched = _match([e for e, _labels in merged], state, papers_dir, present)
    claimed = set()
    # Each record to write goes to a temporary file beside it at once, renamed into place below once the state
    # names it: the import never holds every record's text (at 100,000 records, 400 MB).
    writes = fileio.Batch(papers_dir)
    written: dict[str, str] = {}  # slug -> SHA-256 of the text written
    encoded: dict[int, tuple[Any, str]] = {}  # the JSON of what the states remember by field, written once
    new_state = dict(state)
    pending_state = dict(state)
    # What an import of the same inputs would report next time (see _unchanged_import): None when it cannot
    # be told without importing (a record that could not be read, an entry whose record the state does not name).
    again: dict[str, int] | None = {"unchanged": 0, "kept_edited": 0}
    once: set[int] = set()  # ids of problems the next import does not repeat ("kept your edit; now says")
    with writes:  # an exception leaves no temporary file behind
        for done, ((entry, slug, known), (_e, labels)) in enumerate(zip(matched, merged), start=1):
            claimed.add(slug)
            outcome = _import_entry(entry, slug, state if known else {}, papers_dir, problems, set(read_labels), once,
                                    f"{slug}.md" in present)
            counts[outcome.kind] += 1
            if again is not None and outcome.again is not None and (outcome.fields is not None or known):
                again[outcome.again] += 1
            else:
                again = None
            if outcome.fields is not None:
                info = {"source": entry.source, "key": title_key(entry.title), "fields": outcome.fields}
                if entry.citekey:
                    info["citekey"] = entry.citekey
                if known and state.get(slug, {}).get("enriched"):
                    info["enriched"] = state[slug]["enriched"]  # what `enrich` found, applied on top of the source
                if len(labels) > 1:
                    info["also"] = [label for label in labels if label != entry.source]
                new_state[slug] = info
                if outcome.text is not None:
                    # Until the state says otherwise, the record may hold either what we last wrote or this.
                    old = state.get(slug) if known else None
                    pending_state[slug] = {**info, "fields": old.get("fields", {}) if old else {},
                                           "pending": outcome.fields}
            if outcome.text is not None:
                writes.add(papers_dir / f"{slug}.md", outcome.text)
                written[slug] = hashlib.sha256(outcome.text.encode("utf-8")).hexdigest()
            if progress:
                progress(done, len(merged))
    for slug in sorted(state):
        if slug not in claimed and state[slug].get("source") in read_labels and f"{slug}.md" in present:
            problems.append(warning(f"{_rel(papers_dir, content_dir)}/{slug}.md", None,
                                    f"no longer in {state[slug]['source']}: kept (delete the file by hand to remove it)"))
    # The order makes an interrupted import harmless: the state first names, for each record about to be
    # written, both the values it held and the values it is getting; then the records; then the state with
    # the new values alone. A record and its remembered values never disagree, wherever a kill lands.
    if written:
        with writes:
            atomic_write(state_path, state_pieces(pending_state, files, _records_text(pending_state, encoded)))
            writes.commit()  # on disk, all of them, before the state says they are
    new_files = sorted(set([*files, *read_labels]))
    last_import = None
    records_text = _records_text(new_state, encoded)
    if again is not None and inputs is not None and not read and not strict:
        last_import = {
            "inputs": inputs, "files": new_files, "records": _records_digest(records_text),
            "code": _code_digest(),
            "digests": {slug: written[slug] if slug in written else _file_digest(papers_dir / f"{slug}.md")
                        for slug in sorted(new_state)},
            "report": {**again, "rejected": rejected, "merged": duplicates_merged, "unreadable": unreadable},
            "problems": [_problem_json(p) for p in problems if id(p) not in once],
        }
    if (written or _state_json(new_state) != old_state or new_files != sorted(set(files)) or data.get("version") != STATE_VERSION
            or "last_import" in data):  # where earlier versions kept what is now in the cache folder
        atomic_write(state_path, state_pieces(new_state, new_files, records_text))
    _save_last_import(cache_dir, last_import)
    return ImportReport(rejected=rejected, merged=duplicates_merged, problems=tuple(problems), unreadable=unreadable,
                        **counts)


def _rel(papers_dir: Path, content_dir: Path) -> str:
    return f"{content_dir.name}/{papers_dir.name}"


@dataclass(frozen=True)
class _Outcome:
    kind: str  # created, updated, unchanged, kept_edited
    fields: dict[str, Any] | None  # what to remember as last written; None keeps the old memory
    text: str | None = None  # the record's new text, when it is to be written
    again: str | None = "unchanged"  # the kind the same entry gets from the next import if nothing changes


@dataclass(frozen=True)
class FieldMerge:
    """The outcome of a three-way merge of a record's fields (see :func:`merge_fields`)."""

    front_matter: dict[str, Any]
    body: str
    remembered: dict[Field, Any]  # what to remember as last written
    applied: tuple[Field, ...]  # fields set to the source's value
    kept: tuple[tuple[Field, Any, Any], ...]  # (field, the source's value, the remembered value or _MISSING): edits kept


def merge_fields(front_matter: dict[str, Any], body: str, new: dict[Field, Any], last: dict[Field, Any],
                 names: list[Field] | None = None, pending: dict[Field, Any] | None = None,
                 new_keys: bool = False) -> FieldMerge:
    """Three-way merge of ``names`` (default: those of ``new``, ``last`` and ``pending``): a field whose file
    value is what was last written (``last``, or ``pending``: what an interrupted import may have written)
    takes the source's value (``new``); a field edited by hand keeps the edit. ``new_keys``: a field with no
    memory that the record does not have (a key new to the schema) takes the source's value. Shared by
    import and enrich."""
    pending = pending or {}
    fm = dict(front_matter)
    remembered = dict(last)
    applied, kept = [], []
    for field in names if names is not None else [*new, *(k for k in {**last, **pending} if k not in new)]:
        current = fingerprint(field, _get(fm, body, field))
        previous = last.get(field, _MISSING)
        if field in pending and current == pending[field]:
            previous = pending[field]
        if previous is _MISSING and new_keys and current in (None, [], {}):
            previous = current
        wanted = new.get(field)
        remembered[field] = fingerprint(field, wanted)
        if current == remembered[field]:
            continue
        if previous is not _MISSING and current == previous:
            new_body = _set(fm, field, wanted)
            if new_body is not None:
                body = new_body
            applied.append(field)
            continue
        kept.append((field, wanted, previous))
    return FieldMerge(fm, body, remembered, tuple(applied), tuple(kept))


def _import_entry(entry: SourceEntry, slug: str, state: dict[str, dict[str, Any]], papers_dir: Path,
                  problems: list[Problem], read_labels: set[str] | None = None,
                  once: set[int] | None = None, exists: bool | None = None) -> _Outcome:
    """``exists``: whether the record's file exists, when the caller knows (else it is asked)."""
    new = entry_fields(entry)
    enriched = state.get(slug, {}).get("enriched")
    if enriched:
        from .overlay import with_enrichment  # (and what it needs: loaded only for a record enrich changed)

        new = with_enrichment(new, enriched)
    path = papers_dir / f"{slug}.md"
    label = f"content/papers/{slug}.md"
    where = f"{entry.source}:{entry.line}"
    if not (path.exists() if exists is None else exists):
        remembered = {name: fingerprint(name, value) for name, value in new.items()}
        return _Outcome("created", remembered, render_record(new_front_matter(new, creation_fields(entry)), new[ABSTRACT]))
    try:
        old_text = path.read_text(encoding="utf-8")
        parsed = split_front_matter(old_text)
    except ParseError as exc:
        problems.append(warning(label, exc.line, f"{exc.message}; not updated from {where} until fixed"))
        return _Outcome("kept_edited", None, again="kept_edited")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(warning(label, None, f"cannot read ({exc}); not updated from {where}"))
        return _Outcome("kept_edited", None, again=None)

    info = state.get(slug, {})
    # A record that also came from a file not read this time (a file named on the command line before) keeps
    # what that file gave: a key this import's sources do not give is left as it is.
    partial = read_labels is not None and any(label not in read_labels for label in info.get("also", []))
    last, pending = info.get("fields", {}), info.get("pending", {})
    names = [field for field in dict.fromkeys([*new, *last, *pending])
             if field.owner == "source" and not (partial and field not in new)]  # a person's keys are theirs
    merged = merge_fields(parsed.front_matter, parsed.body, new, last, names=names, pending=pending,
                          new_keys=bool(last or pending))
    fm, body, remembered = merged.front_matter, merged.body, merged.remembered
    user_kept, listing_changed = bool(merged.kept), bool(merged.applied)
    said = []
    for name, wanted, previous in merged.kept:
        if previous is not _MISSING and fingerprint(name, wanted) != previous:
            problems.append(warning(label, None, f"kept your edit of '{name}'; {where} now says {_short(wanted)}"))
            said.append(id(problems[-1]))
    again = "kept_edited" if user_kept else "unchanged"
    if once is not None and not (listing_changed and _has_comments(parsed.front_matter_text)):
        once.update(said)  # said once: the state now remembers the source's new value, the next import is quiet

    kind = "updated"  # the file is rewritten: "updated", even when an edit of another field was kept (warned)
    if not listing_changed:
        # Nothing to apply: the file is left byte for byte as it is, formatting and all.
        return _Outcome(again, remembered, again=again)
    if _has_comments(parsed.front_matter_text):
        problems.append(warning(label, None, f"has comments, so it was not rewritten: apply the changes from {where} by hand"))
        return _Outcome("kept_edited", None, again="kept_edited")
    return _Outcome(kind, remembered, render_record(schema.ordered(fm), body), again=again)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."
