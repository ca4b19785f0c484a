"""Other ways in: BibTeX and CSL-JSON (Zotero's export) read into source entries, as the listing is.

A source entry is what every way in produces: the record keys (``schema.KEYS``) a source gives for one
paper, with where it came from. Each entry that cannot be imported is a problem naming ``path:line`` in our
own words; every other entry is still read. Counts add up: entries read + rejected + folded into others
(a ``crossref`` target) = the entries in the file.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import schema
from .bibtex import BibEntry, clean_control, one_line, parse_bibtex, tex_to_markup, tex_to_text, verbatim
from .dates import PartialDate, month_number
from .identifiers import ARXIV_IN_TEXT, arxiv_url, doi_url, normalize_arxiv, normalize_doi
from .problems import Problem, error, warning
from .urls import first_repository_url, is_repository_url, is_safe_link

if TYPE_CHECKING:
    from .listing import Entry  # the listing parser is loaded when a listing is read (a .bib needs none of it)

ARXIV_ID_RE = ARXIV_IN_TEXT


@dataclass(frozen=True)
class SourceEntry:
    """One paper as a source gives it: title, authors, date, abstract, and any other record keys."""

    title: str
    authors: tuple[str, ...]
    date: PartialDate
    source: str  # the file's label
    line: int
    abstract: str = ""
    values: tuple[tuple[str, Any], ...] = ()  # (schema key, value): lists as tuples, links as (name, url) pairs

    def __post_init__(self) -> None:
        for name, _value in self.values:
            if name not in schema.BY_NAME or name in ("title", "authors", "date"):
                raise ValueError(f"{name!r} is not a record key a source gives")  # a bug, not a user mistake

    def get(self, name: str, default: Any = None) -> Any:
        for key, value in self.values:
            if key == name:
                return value
        return default

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.values)

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        return self.get("links", ())

    @property
    def et_al(self) -> bool:
        return bool(self.get("et_al", False))

    @property
    def doi(self) -> str | None:
        return self.get("doi")

    @property
    def arxiv_id(self) -> str | None:
        return self.get("arxiv")

    @property
    def citekey(self) -> str | None:
        return self.get("citekey")

    @property
    def tags(self) -> tuple[str, ...] | None:
        return self.get("tags")  # None: the source has no keywords, tags stay the user's

    @property
    def type(self) -> str | None:
        return self.get("type")

    def richness(self) -> int:
        return (sum(1 for _name, value in self.values if value not in (None, (), "", False))
                + bool(self.abstract) * 3 + len(self.authors) // 3)


@dataclass(frozen=True)
class SourceResult:
    entries: tuple[SourceEntry, ...]
    problems: tuple[Problem, ...]
    rejected: int = 0
    folded: int = 0  # entries whose fields went into others (a crossref'd proceedings volume)


def _entry(title: str, authors, date: PartialDate, source: str, line: int, abstract: str = "",
           **values: Any) -> SourceEntry:
    """A source entry; values that are None are left out (the source does not give them)."""
    return SourceEntry(title, tuple(authors), date, source, line, abstract,
                       tuple((k, v) for k, v in values.items() if v is not None))


def from_listing_entry(entry: Entry, label: str) -> SourceEntry:
    return SourceEntry(
        title=entry.title, authors=entry.authors, date=PartialDate.of(entry.date), source=label, line=entry.line,
        abstract=entry.abstract,
        values=(("et_al", entry.et_al), ("type", "preprint"), ("category", entry.category),
                ("affiliation", entry.affiliation), ("links", (("code", entry.code_url),) if entry.code_url else ()),
                ("has_code", entry.has_code and not entry.code_url)),
    )


def read_listing(text: str, label: str, as_of: dt.date) -> SourceResult:
    from .listing import parse_listing

    result = parse_listing(text, label, as_of)
    return SourceResult(tuple(from_listing_entry(e, label) for e in result.entries), result.problems, result.rejected)


class _Reject(Exception):
    """This entry cannot be imported: the message says why, in our words."""


# ---------------------------------------------------------------- BibTeX

_TYPES = {"article": "journal-article", "inproceedings": "conference-paper", "conference": "conference-paper",
          "proceedings": "book", "mvproceedings": "book", "book": "book", "mvbook": "book", "collection": "book",
          "mvcollection": "book", "booklet": "book", "inbook": "chapter", "incollection": "chapter",
          "inreference": "chapter", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
          "techreport": "report", "report": "report", "manual": "report", "dataset": "dataset", "data": "dataset",
          "software": "software", "unpublished": "other", "misc": "other", "online": "other",
          "electronic": "other", "www": "other", "patent": "other", "presentation": "talk", "talk": "talk"}
_PROCEEDINGS = {"proceedings", "mvproceedings", "book", "mvbook", "collection", "mvcollection"}
# BibTeX field -> record key, read as text (TeX decoded).
_TEXT_FIELDS = {"volume": "volume", "number": "number", "issue": "number",
                "publisher": "publisher", "address": "address", "location": "address", "edition": "edition",
                "series": "series", "school": "school", "institution": "institution", "note": "note"}
_VERBATIM_FIELDS = {"pages": "pages", "isbn": "isbn", "issn": "issn"}  # 112--119 stays as written
# Link fields (al-folio's and others'), kept verbatim: field -> link name.
_LINK_FIELDS = {"pdf": "pdf", "html": "html", "code": "code", "slides": "slides", "poster": "poster",
                "video": "video", "website": "website", "supp": "supp", "blog": "blog", "data": "data"}
_ARXIV_WORDS = re.compile(r"^arxiv( preprint)?\b|^corr$|^ssrn\b|^biorxiv\b|^medrxiv\b", re.IGNORECASE)
_DOI_WORD = re.compile(r"^doi\s*:?\s+", re.IGNORECASE)  # Mendeley's "Doi 10.1139/B08-001"


_COMMA, _COMMA_CAPTURED = re.compile(r","), re.compile(r"(,)")
_AND = re.compile(r" and | and$|^and ", re.IGNORECASE)  # in a name list whose white space is single spaces
_AND_CAPTURED = re.compile(f"({_AND.pattern})", re.IGNORECASE)


def _split_top(text: str, separator: re.Pattern, captured: re.Pattern) -> list[str]:
    """Split at ``separator`` outside braces (``{Barnes and Noble}`` is one name); ``captured``: the same
    pattern in a group."""
    if "{" not in text:
        return separator.split(text)
    parts, current, depth = [], "", 0
    for k, piece in enumerate(captured.split(text)):
        if k % 2 and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += piece
        if not k % 2:
            depth += piece.count("{") - piece.count("}")
    parts.append(current)
    return parts


def _person(raw: str) -> str:
    """One BibTeX name as it is written in a byline: ``Last, First`` -> ``First Last``; ``von Last, Jr,
    First`` -> ``First von Last, Jr``; ``{Barnes and Noble}`` stays one name."""
    parts = [p.strip() for p in _split_top(raw.strip(), _COMMA, _COMMA_CAPTURED)] if "," in raw else [raw.strip()]
    if len(parts) == 1:
        return tex_to_text(parts[0])
    if len(parts) == 2:
        last, first, jr = parts[0], parts[1], ""
    else:
        last, jr, first = parts[0], parts[1], ", ".join(parts[2:])
    name = " ".join(p for p in (tex_to_text(first), tex_to_text(last)) if p)
    return f"{name}, {tex_to_text(jr)}" if jr else name


def _names(value: str, what: str, label: str, line: int, problems: list[Problem]) -> tuple[list[str], bool]:
    """(names, et al.) from an author or editor field; a stray ``and`` or comma is read past, with a warning."""
    if not value.strip():
        return [], False
    names, et_al, stray = [], False, []
    for part in _split_top(one_line(value), _AND, _AND_CAPTURED):
        part = part.strip()
        if part.startswith(",") or part.endswith(","):
            part = part.strip(",").strip()
            stray.append("comma")
        if not part:
            stray.append("and")
            continue
        if part.lower() == "others":
            et_al = True
            continue
        name = _person(part)
        if name:
            names.append(name)
    for kind in dict.fromkeys(stray):
        problems.append(warning(label, line, f"the {what} list has a stray {'comma' if kind == 'comma' else chr(39) + 'and' + chr(39)}"
                                " (an empty name): read without it"))
    return names, et_al


def _month(text: str) -> int | None:
    word = re.match(r"\s*([A-Za-z]+|\d+)", text)
    if not word:
        return None
    token = word.group(1).lower().rstrip(".")
    if token.isdigit():
        return int(token)
    return month_number(token) or month_number(token[:3])


def _bib_date(fields: dict[str, str]) -> PartialDate:
    if fields.get("date", "").strip():
        raw = verbatim(fields["date"])
        match = re.fullmatch(r"(\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:\s*/.*)?", raw)  # 2019-05-03/2019-05-05
        if not match:
            raise _Reject(f"date {raw!r} is not written YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in match.groups())
    else:
        raw = tex_to_text(fields.get("year", ""))
        if not raw:
            raise _Reject("has no year or date")
        match = re.fullmatch(r"(\d{1,4})[a-z]?", raw) or re.fullmatch(r".*?\b(\d{4})\b.*", raw)
        if not match:
            raise _Reject(f"year {raw!r} is not a year")
        year, month, day = int(match.group(1)), None, None
        if fields.get("month", "").strip():
            month_text = tex_to_text(fields["month"])
            month = _month(month_text)
            if month is None:
                raise _Reject(f"month {month_text!r} is not a month")
            if fields.get("day", "").strip():
                day_text = tex_to_text(fields["day"])
                if not day_text.isdigit() or len(day_text) > 2:
                    raise _Reject(f"day {day_text!r} is not a day of the month")
                day = int(day_text)
    try:
        return PartialDate(year, month, day)
    except ValueError as exc:
        raise _Reject(f"has an impossible date ({exc})") from None


def _web_address(value: str) -> str | None:
    """A web address from a link field: Zotero/JabRef ``file`` fields hold ``:path:type`` triples."""
    value = verbatim(value)
    url = re.search(r"https?://[^\s;{}]+", value)
    if url is None:
        return None
    url_text = url.group(0).rstrip(":")
    return url_text if is_safe_link(url_text) else None


def _bib_links(fields: dict[str, str], label: str, line: int, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    links: dict[str, str] = {}
    url = verbatim(fields.get("url", ""))
    if not url:  # \url{...} in howpublished, as older styles wrote it
        found = re.search(r"\\url\{([^{}]+)\}|(https?://\S+)", fields.get("howpublished", ""))
        url = verbatim(found.group(1) or found.group(2)) if found else ""
    if url:
        if url.startswith(("http://", "https://")) and is_safe_link(url):
            links["code" if is_repository_url(url) else "url"] = url
        else:
            problems.append(warning(label, line, f"url {url!r} is not a web address: left out"))
    for name, link in (("file", "pdf"), *_LINK_FIELDS.items()):
        if name not in fields or not fields[name].strip():
            continue
        address = _web_address(fields[name])
        if address is None:
            if name != "file":  # a file field is usually a path on the exporter's disk: nothing to say
                problems.append(warning(label, line, f"{name} {verbatim(fields[name])!r} is not a web address: "
                                        "left out"))
            continue
        links.setdefault(link, address)
    # (a URL has a "/", and verbatim makes none: a field without one is not read again for an address)
    code = first_repository_url(" ".join(verbatim(fields[k]) for k in ("note", "howpublished", "abstract")
                                         if "/" in fields.get(k, "")))
    if code and "code" not in links:
        links = {"code": code, **links}
    return tuple(links.items())


def _bib_entry(entry: BibEntry, fields: dict[str, str], label: str, problems: list[Problem],
               citekey: str | None) -> SourceEntry:
    line = entry.line
    title = tex_to_text(fields.get("title", ""))
    if fields.get("subtitle", "").strip():
        title = f"{title}: {tex_to_text(fields['subtitle'])}" if title else tex_to_text(fields["subtitle"])
    if not title:
        raise _Reject("has no title")
    date = _bib_date(fields)
    authors, et_al = _names(fields.get("author", ""), "author", label, line, problems)
    editors, editors_et_al = _names(fields.get("editor", ""), "editor", label, line, problems)
    if not authors and editors:
        authors, et_al = list(editors), editors_et_al  # an edited volume: its editors, marked as editors below
    if not authors:
        authors = ["Anonymous"]
        problems.append(warning(label, line, f"entry {entry.key!r} has no author or editor: imported with the "
                                "author 'Anonymous' (name them in the record)"))
    # identifiers, kept verbatim
    doi = None
    if fields.get("doi", "").strip():
        doi = normalize_doi(_DOI_WORD.sub("", verbatim(fields["doi"])))
        if doi is None:
            problems.append(warning(label, line, f"doi {verbatim(fields['doi'])!r} is not a DOI: left out"))
    prefix = verbatim(fields.get("archiveprefix", "") or fields.get("eprinttype", "")).lower()
    arxiv = None
    if fields.get("arxiv", "").strip():
        arxiv = normalize_arxiv(verbatim(fields["arxiv"]))
    if arxiv is None and fields.get("eprint", "").strip() and prefix in ("arxiv", ""):
        arxiv = normalize_arxiv(verbatim(fields["eprint"]))
    if arxiv is None:
        found = ARXIV_IN_TEXT.search(" ".join(verbatim(fields.get(k, "")) for k in
                                              ("journal", "note", "howpublished", "url", "eprint")))
        arxiv = found.group(1) if found else None
    if doi is None and arxiv is None and (found := re.search(r"10\.48550/arxiv\.(\S+)", verbatim(fields.get("doi", "")),
                                                              re.IGNORECASE)):
        arxiv = normalize_arxiv(found.group(1))
    category = verbatim(fields.get("primaryclass", "") or fields.get("eprintclass", "")) or None
    if category and category.startswith("cs."):
        category = category[3:]
    venue = next((tex_to_text(fields[k]) for k in ("journal", "journaltitle", "booktitle") if fields.get(k, "").strip()),
                 None)
    kind = _TYPES.get(entry.entry_type, "other")
    if venue and _ARXIV_WORDS.match(venue):
        venue = None  # Google Scholar's "arXiv preprint arXiv:...": the arXiv link says it
        kind = "preprint"
    elif kind in ("other", "journal-article") and arxiv and not venue and not doi:
        kind = "preprint"
    links = dict(_bib_links(fields, label, line, problems))
    if arxiv:
        links.setdefault("arxiv", arxiv_url(arxiv))
    if doi:
        links.setdefault("doi", doi_url(doi))
    keywords = [k.strip() for k in re.split(r"[,;]", tex_to_text(fields.get("keywords", ""))) if k.strip()]
    values: dict[str, Any] = {
        "et_al": et_al, "editors": tuple(editors) if editors else None, "type": kind, "venue": venue,
        "venue_short": next((tex_to_text(fields[k]) for k in ("abbr", "shortjournal") if fields.get(k, "").strip()),
                            None),
        "category": category, "doi": doi, "arxiv": arxiv, "citekey": citekey,
        "tags": tuple(dict.fromkeys(keywords)) if keywords else None, "links": tuple(links.items()),
    }
    for bib_field, key in _TEXT_FIELDS.items():
        if values.get(key) is None and fields.get(bib_field, "").strip():
            values[key] = tex_to_text(fields[bib_field]) or None
    for bib_field, key in _VERBATIM_FIELDS.items():
        if fields.get(bib_field, "").strip():
            values[key] = verbatim(fields[bib_field])
    if verbatim(fields.get("selected", "")).lower() in ("true", "yes", "1"):
        values["selected"] = True
    return _entry(title, authors, date, label, line, tex_to_markup(fields.get("abstract", "")), **values)


def read_bibtex(text: str, label: str) -> SourceResult:
    """Every entry of a .bib file; a broken entry is reported with its line and the others are read."""
    parsed = parse_bibtex(text, label)
    problems = list(parsed.problems)
    rejected = parsed.rejected
    by_key: dict[str, BibEntry] = {}
    key_count: dict[str, int] = {}
    for entry in parsed.entries:
        if entry.key:
            key_count[entry.key.lower()] = key_count.get(entry.key.lower(), 0) + 1
            by_key.setdefault(entry.key.lower(), entry)
    crossref_targets = {e.fields["crossref"].strip().lower() for e in parsed.entries if e.fields.get("crossref")}
    entries: list[SourceEntry] = []
    folded = 0
    seen_keys: set[str] = set()
    for entry in parsed.entries:
        if entry.key and entry.key.lower() in seen_keys:
            problems.append(warning(label, entry.line, f"the key {entry.key!r} is used by an earlier entry too: "
                                    "this entry is imported all the same, without the key"))
        if (entry.entry_type in _PROCEEDINGS and entry.key and entry.key.lower() in crossref_targets
                and "author" not in entry.fields):
            folded += 1  # a proceedings volume others point to: its fields are theirs, it is not a paper
            seen_keys.add(entry.key.lower())
            continue
        fields = dict(entry.fields)
        target_key = fields.get("crossref", "").strip().lower()
        if target_key:
            target = by_key.get(target_key)
            if target is None:
                problems.append(warning(label, entry.line, f"crossref {fields['crossref'].strip()!r} names no entry "
                                        "of this file"))
            else:
                for name, value in target.fields.items():
                    if name == "title" and "booktitle" not in fields:
                        fields["booktitle"] = value
                    fields.setdefault(name, value)
        unique = bool(entry.key) and key_count.get(entry.key.lower()) == 1
        citekey = entry.key if unique else (entry.key if entry.key and entry.key.lower() not in seen_keys else None)
        if entry.key:
            seen_keys.add(entry.key.lower())
        try:
            entries.append(_bib_entry(entry, fields, label, problems, citekey))
        except _Reject as exc:
            rejected += 1
            name = f"entry {entry.key!r}" if entry.key else f"this @{entry.entry_type} entry"
            problems.append(error(label, entry.line, f"{name} {exc}: not imported"))
    return SourceResult(tuple(entries), tuple(problems), rejected, folded)


# ---------------------------------------------------------------- CSL-JSON

_CSL_TYPES = {"article-journal": "journal-article", "paper-conference": "conference-paper", "article": "preprint",
              "book": "book", "chapter": "chapter", "thesis": "thesis", "report": "report", "dataset": "dataset",
              "software": "software", "speech": "talk", "manuscript": "preprint", "entry-encyclopedia": "chapter",
              "entry-dictionary": "chapter", "article-magazine": "journal-article",
              "article-newspaper": "journal-article", "post-weblog": "other", "webpage": "other"}
_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w:.-]*)([^<>]*)>|<[^<>]*>")
# CSL rich text (and JATS inline elements, as Crossref writes abstracts): what each tag means.
_RICH_MEANING = {"i": "italic", "em": "italic", "italic": "italic", "b": "bold", "strong": "bold", "bold": "bold",
                 "sup": "sup", "sub": "sub", "sc": "small-caps", "small-caps": "small-caps"}
# How a meaning is written: in a title (the record's title markup, see titles.py), in an abstract (markdown
# with TeX, see markup.py: raw HTML there is shown as text), in a plain text field (venue, publisher, ...).
# Superscripts and subscripts outside titles become Unicode characters where there are some (m², H₂O).
_RICH_WRITTEN = {
    "title": {"italic": ("<i>", "</i>"), "bold": ("<b>", "</b>"), "sup": ("<sup>", "</sup>"),
              "sub": ("<sub>", "</sub>"), "small-caps": ("<sc>", "</sc>"), "nocase": ("{", "}")},
    "markdown": {"italic": ("\\emph{", "}"), "bold": ("\\textbf{", "}")},
    "text": {},
}
_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


def _tag_meaning(name: str, attributes: str) -> str | None:
    name = name.lower().removeprefix("jats:")
    if name == "span":
        if re.search(r"""class\s*=\s*["']?nocase""", attributes, re.IGNORECASE):
            return "nocase"
        if re.search(r"font-variant\s*:\s*small-caps", attributes, re.IGNORECASE):
            return "small-caps"
        return None
    return _RICH_MEANING.get(name)


def _rich_text(value: str, to: str = "text") -> str:
    """CSL rich text (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, ``<sc>``, ``<span style="font-variant:small-caps;">``,
    ``<span class="nocase">``, and JATS's ``<jats:italic>`` and kin) with HTML entities decoded, written for
    ``to``: ``"title"`` keeps every kind of formatting in the record's title markup (titles.py shows it),
    ``"markdown"`` keeps italic, bold, superscript and subscript as the HTML an abstract may hold, ``"text"``
    (a venue, a publisher) keeps the text, with superscript and subscript digits as their Unicode characters
    (``m<sup>2</sup>`` -> m², ``H<sub>2</sub>O`` -> H₂O). Any other tag is dropped and its text kept."""
    written = _RICH_WRITTEN[to]
    unescape = html.unescape
    out: list[str] = []
    open_tags: list[tuple[str, str | None, int]] = []  # (tag name, meaning, where its text starts in out)
    last = 0
    for match in _TAG_RE.finditer(value):
        out.append(unescape(value[last:match.start()]))
        last = match.end()
        if match.group(2) is None:
            continue  # a comment or a stray <...>: nothing
        name, closing = match.group(2).lower(), bool(match.group(1))
        if not closing:
            if match.group(3).rstrip().endswith("/"):
                continue  # <br/> and kin
            meaning = _tag_meaning(name, match.group(3))
            open_tags.append((name, meaning, len(out)))
            if meaning in written:
                out.append(written[meaning][0])
            continue
        for depth in range(len(open_tags) - 1, -1, -1):
            if open_tags[depth][0] == name:
                break
        else:
            continue  # a closing tag never opened: dropped
        for _name, meaning, start in reversed(open_tags[depth:]):
            if meaning in written:
                out.append(written[meaning][1])
            elif meaning in ("sup", "sub"):
                inner = "".join(out[start:])
                table = _SUPERSCRIPT if meaning == "sup" else _SUBSCRIPT
                if inner and all(ch in "0123456789+-=()" or (meaning == "sup" and ch == "n") for ch in inner):
                    out[start:] = [inner.translate(table)]
        del open_tags[depth:]
    out.append(unescape(value[last:]))
    for _name, meaning, _start in reversed(open_tags):  # tags never closed end with the text
        if meaning in written:
            out.append(written[meaning][1])
    return " ".join(clean_control("".join(out)).split())


def _jats(value: str) -> str:
    """An abstract in JATS (``<jats:p>``, as Crossref returns them) or plain text, with CSL rich text:
    paragraphs of markdown text (italic and bold kept, see _rich_text)."""
    value = re.sub(r"<(jats:)?title>.*?</(jats:)?title>", "", value, flags=re.DOTALL)
    paragraphs = re.split(r"</?(?:jats:)?p\b[^>]*>|\n\s*\n", value)
    return "\n\n".join(p for p in (_rich_text(p, "markdown") for p in paragraphs) if p)


def _csl_text(item: dict, name: str, to: str = "text") -> str | None:
    """A text variable: a string or a number; a list is read as its first item. Raises _Reject otherwise.
    Its rich text is written for ``to`` (see _rich_text)."""
    value = item.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Reject(f"{name} must be text, not {type(value).__name__}")
    if isinstance(value, float) and not value.is_integer():
        raise _Reject(f"{name} must be text, not {value!r}")
    text = _rich_text(str(int(value)) if isinstance(value, float) else str(value), to)
    return text or None


def _csl_names(item: dict, name: str) -> list[str]:
    people = item.get(name)
    if people is None:
        return []
    if not isinstance(people, list):
        raise _Reject(f"{name} must be a list of names")
    names = []
    for n, person in enumerate(people, start=1):
        if not isinstance(person, dict):
            raise _Reject(f"{name} {n} must be an object with given and family names")
        parts = {}
        for part in ("literal", "given", "dropping-particle", "non-dropping-particle", "family", "suffix"):
            value = person.get(part)
            if value is None:
                continue
            if not isinstance(value, str):
                raise _Reject(f"{name} {n}: {part} must be text")
            parts[part] = _rich_text(value)
        full = parts.get("literal") or " ".join(
            parts[p] for p in ("given", "dropping-particle", "non-dropping-particle", "family") if parts.get(p))
        if parts.get("suffix") and not parts.get("literal"):
            full = f"{full}, {parts['suffix']}"
        if full.strip():
            names.append(" ".join(full.split()))
    return names


def _csl_date(value: Any) -> PartialDate | None:
    """``issued``: date-parts, raw, literal, with season or circa (ignored: the year stands)."""
    if value is None:
        return None
    if isinstance(value, list):  # some exporters write the date-parts array itself
        value = {"date-parts": value}
    if not isinstance(value, dict):
        raise _Reject("issued must be an object such as {\"date-parts\": [[2024, 5, 3]]}")
    parts = value.get("date-parts")
    if parts is not None:
        if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
            raise _Reject("issued's date-parts must be a list of [year, month, day] lists, such as [[2024, 5]]")
        first = parts[0][:3]
        numbers = []
        for part in first:
            if isinstance(part, str) and part.strip().isdigit():
                part = int(part)
            if isinstance(part, bool) or not isinstance(part, (int, float)) or part != part or part in (
                    float("inf"), float("-inf")) or int(part) != part:
                raise _Reject(f"issued's date-parts hold {part!r}, not a number")
            numbers.append(int(part))
        return _season_aware(numbers, "issued")
    for name in ("raw", "literal"):
        text = value.get(name)
        if isinstance(text, str) and text.strip():
            iso = re.match(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
            if iso:
                return _season_aware([int(g) for g in iso.groups() if g], f"issued {text!r}")
            year = re.search(r"\b(\d{4})\b", text)
            if year:
                month = next(filter(None, map(month_number, re.findall(r"[A-Za-z]+", text))), None)
                return PartialDate(int(year.group(1)), month)
            raise _Reject(f"issued {text!r} names no year")
    return None


def _season_aware(numbers: list[int], what: str) -> PartialDate:
    """CSL writes a season as a month of 13 to 16 (21 to 24 in EDTF): the year stands, the season is no month."""
    if len(numbers) >= 2 and 13 <= numbers[1] <= 24:
        numbers = numbers[:1]
    try:
        return PartialDate(*numbers[:3])
    except (ValueError, TypeError) as exc:
        raise _Reject(f"{what} is an impossible date ({exc})") from None


def _item_end(text: str, start: int) -> int:
    """The index after the JSON value starting at ``start``, found without parsing it (strings respected)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _json_items(text: str) -> list[tuple[int, object]]:
    """(1-based line, item) for each item of a top-level JSON array; ValueError with a line if broken.
    An item nested too deeply to read is given as the exception it raised."""
    decoder = json.JSONDecoder(parse_constant=lambda name: float("nan"))
    start = text.find("[")
    if start == -1 or text[:start].strip():
        raise ValueError((1, "a CSL-JSON file is one array of items"))
    items, i = [], start + 1
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text):
            raise ValueError((text.count("\n") + 1, "the array is not closed with ]"))
        if text[i] == "]":
            return items
        line = text.count("\n", 0, i) + 1
        try:
            item, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise ValueError((exc.lineno, f"invalid JSON: {exc.msg}")) from None
        except RecursionError:
            item, end = _Reject("is nested too deeply to read"), _item_end(text, i)
        items.append((line, item))
        i = end


def _csl_entry(item: Any, label: str, line: int, problems: list[Problem]) -> SourceEntry:
    if isinstance(item, _Reject):
        raise item
    if not isinstance(item, dict):
        raise _Reject("must be an object")
    title = _csl_text(item, "title", to="title")
    if not title:
        raise _Reject("has no title")
    date = _csl_date(item.get("issued"))
    if date is None:
        raise _Reject("has no issued date")
    authors = _csl_names(item, "author")
    editors = _csl_names(item, "editor")
    if not authors and editors:
        authors = list(editors)
    text = {name: _csl_text(item, name) for name in (
        "DOI", "URL", "note", "container-title", "container-title-short", "journalAbbreviation", "publisher",
        "publisher-place", "volume", "issue", "page", "edition", "collection-title", "ISBN", "ISSN", "number",
        "keyword", "type", "genre")}
    abstract_value = item.get("abstract")
    if abstract_value is not None and not isinstance(abstract_value, str):
        raise _Reject("abstract must be text")
    if not authors:
        authors = ["Anonymous"]
        problems.append(warning(label, line, "has no author or editor: imported with the author 'Anonymous' "
                                "(name them in the record)"))
    doi = normalize_doi(text["DOI"]) if text["DOI"] else None
    if text["DOI"] and doi is None:
        problems.append(warning(label, line, f"DOI {text['DOI']!r} is not a DOI: left out"))
    found = ARXIV_IN_TEXT.search(" ".join(t for t in (text["URL"], text["note"], text["number"],
                                                      text["container-title"]) if t))
    arxiv = found.group(1) if found else None
    if arxiv is None and doi and (m := re.fullmatch(r"10\.48550/arxiv\.(.+)", doi, re.IGNORECASE)):
        arxiv = normalize_arxiv(m.group(1))
    links: dict[str, str] = {}
    url = (text["URL"] or "").strip()
    if url:
        if url.startswith(("http://", "https://")) and is_safe_link(url):
            links["code" if is_repository_url(url) else "url"] = url
        else:
            problems.append(warning(label, line, f"URL {url!r} is not a web address: left out"))
    code = first_repository_url(text["note"] or "")
    if code and "code" not in links:
        links = {"code": code, **links}
    if arxiv:
        links.setdefault("arxiv", arxiv_url(arxiv))
    if doi:
        links.setdefault("doi", doi_url(doi))
    venue = text["container-title"]
    kind = _CSL_TYPES.get(text["type"] or "", "other")
    if venue and _ARXIV_WORDS.match(venue):
        venue, kind = None, "preprint"
    keywords = [k.strip() for k in re.split(r"[,;]", text["keyword"] or "") if k.strip()]
    return _entry(
        title, authors, date, label, line, _jats(abstract_value or ""),
        editors=tuple(editors) if editors else None, type=kind, venue=venue,
        venue_short=text["container-title-short"] or text["journalAbbreviation"],
        volume=text["volume"], number=text["issue"] or (text["number"] if kind == "report" else None),
        pages=text["page"], publisher=text["publisher"], address=text["publisher-place"], edition=text["edition"],
        series=text["collection-title"], school=text["publisher"] if kind == "thesis" else None,
        isbn=text["ISBN"], issn=text["ISSN"], doi=doi, arxiv=arxiv, note=text["note"],
        tags=tuple(dict.fromkeys(keywords)) if keywords else None, links=tuple(links.items()),
    )


def read_csl_json(text: str, label: str) -> SourceResult:
    """CSL-JSON (Zotero's, Better BibTeX's, manubot's export): an array of items."""
    try:
        items = _json_items(text)
    except ValueError as exc:
        line, message = exc.args[0]
        return SourceResult((), (error(label, line, message + "; nothing in this file is imported"),), 1)
    problems: list[Problem] = []
    entries = []
    rejected = 0
    for line, item in items:
        try:
            entries.append(_csl_entry(item, label, line, problems))
        except _Reject as exc:
            rejected += 1
            item_id = item.get("id") if isinstance(item, dict) else None
            name = f"item {item_id!r}" if isinstance(item_id, (str, int)) and not isinstance(item_id, bool) else "this item"
            problems.append(error(label, line, f"{name} {exc}: not imported"))
        except RecursionError:
            rejected += 1
            problems.append(error(label, line, "this item is nested too deeply to read: not imported"))
    return SourceResult(tuple(entries), tuple(problems), rejected)


# ---------------------------------------------------------------- files


def _decode_file(data: bytes, label: str, problems: list[Problem]) -> str:
    """UTF-8 (with or without a byte-order mark); a file that is not is read as Windows-1252/Latin-1 with a
    warning naming the encoding."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            text = data.decode("cp1252")
            encoding = "Windows-1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            encoding = "Latin-1"
        problems.append(warning(label, line, f"not UTF-8 (the first other byte is on this line): read as "
                                f"{encoding}; save the file as UTF-8 to be sure of every accent"))
    return text[1:] if text.startswith("\ufeff") else text


def read_source(path: Path, label: str, as_of: dt.date) -> SourceResult:
    """Any supported file, by its ending: .txt (listing), .bib, .json (CSL-JSON)."""
    suffix = path.suffix.lower()
    if suffix in (".bib", ".json"):
        problems: list[Problem] = []
        text = _decode_file(path.read_bytes(), label, problems)
        result = read_bibtex(text, label) if suffix == ".bib" else read_csl_json(text, label)
        return SourceResult(result.entries, (*problems, *result.problems), result.rejected, result.folded)
    text = path.read_text(encoding="utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return read_listing(text, label, as_of)


__all__ = ["SourceEntry", "SourceResult", "read_source", "read_bibtex", "read_csl_json", "read_listing",
           "from_listing_entry", "ARXIV_ID_RE"]
