"""Citation formats for a paper: BibTeX, RIS and CSL-JSON, and the names, types and keys they share.

They are references to copy into a bibliography, so like BibTeX they leave the
abstract out: the page above them shows it, and its metadata carries it.

Every export carries each bibliographic field the record has and invents none: no
month for a year-only date, no note made from the arXiv category, and ``url`` is the
paper's own address (the record's ``url`` link, its DOI or arXiv page), never its code.
The entry type travels through ``TYPES`` (the table in the README); names are split
once (``split_name``) and written so that BibTeX, biber, bibtexparser and citeproc
read back the same person.
"""
from __future__ import annotations

import functools
import json
import operator
from json.encoder import encode_basestring  # type: ignore[attr-defined]
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, NamedTuple
from urllib.parse import urljoin, urlsplit

from .csl import reference_html
from .dates import MONTH_MACROS
from .identifiers import arxiv_of, arxiv_url, doi_url
from .presentation import split_marks
from .recent import recent
from .titles import title_tex, title_text, title_words
from .urls import public_url

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_STOP_WORDS = frozenset("a an the on of for in to and with via from by at is are".split())

_TEX_SPECIAL_RE = re.compile(r"[\\{}$&#_%~^@]")
_NOT_WORD_RE = re.compile(r"[^a-z0-9]")
_CS_CATEGORY_RE = re.compile(r"[A-Z]{2}")  # an arXiv cs category as listings give it: its primaryClass is cs.XX


def tex_escape(text: str) -> str:
    """Escape TeX's special characters; drop control characters; keep unicode as is."""
    if not text.isprintable():  # printable text has no control (or other category C) characters
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == " ")
    if not _TEX_SPECIAL_RE.search(text):
        return text
    return "".join(_TEX_SPECIALS.get(ch, ch) for ch in text).replace("@", "{@}")


def _ascii_word(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD_RE.sub("", text.lower())


# ---------------------------------------------------------------- the record's fields

def field(record: Any, key: str) -> Any:
    """A record key's value: its attribute when the record model has one, else from ``extra``; None when empty."""
    value = getattr(record, key, None)
    if value is None:
        extra = getattr(record, "extra", None)
        if type(extra) is dict or isinstance(extra, Mapping):  # a record's is a dict: no ABC check (~5 us)
            value = extra.get(key)
        if value is None:
            return None  # most keys of most records
    if value in ("", (), []):
        return None
    return value


def _text(value: Any) -> str:
    return " ".join(str(value).split())


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if str(v).strip())


def authors(paper) -> tuple[str, ...]:
    """The paper's author names without marks (``Ada Lovelace*`` -> ``Ada Lovelace``)."""
    names = getattr(paper, "author_names", None)
    return tuple(names) if names is not None else tuple(split_marks(a)[0] for a in paper.record.authors)


def link(paper, name: str) -> str | None:
    return next((url for n, url in paper.record.links if n == name), None)


def arxiv_id(paper) -> str | None:
    """The bare arXiv id: the record's ``arxiv`` key, else one in an arxiv.org link."""
    return arxiv_of(field(paper.record, "arxiv"), paper.record.links)


def doi(paper) -> str | None:
    value = field(paper.record, "doi")
    if not value:
        return None
    text = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", _text(value), flags=re.IGNORECASE)
    return text or None


def paper_url(paper) -> str | None:
    """The paper's own address: the record's ``url`` link, else its DOI page, else its arXiv page."""
    own = link(paper, "url")
    if own and own.startswith(("http://", "https://")):
        return own
    if doi(paper):
        return doi_url(doi(paper))
    if arxiv_id(paper):
        return arxiv_url(arxiv_id(paper))
    return None


class Ids(NamedTuple):
    """What every citation format asks of a paper first: its entry type, DOI, arXiv id and own address."""

    kind: str  # entry_type
    doi: str | None
    arxiv: str | None
    url: str | None  # paper_url


@recent
def ids(paper) -> Ids:
    """``Ids`` of a paper, made once for the paper being rendered (its page writes five formats)."""
    arxiv = arxiv_id(paper)
    the_doi = doi(paper)
    given = field(paper.record, "type")
    kind = given if isinstance(given, str) and given in TYPES else \
        "preprint" if arxiv or paper.record.category else "other"
    own = link(paper, "url")
    if own and own.startswith(("http://", "https://")):
        url = own
    elif the_doi:
        url = doi_url(the_doi)
    elif arxiv:
        url = arxiv_url(arxiv)
    else:
        url = None
    return Ids(kind, the_doi, arxiv, url)


# The record keys the citation formats write (besides title, authors, date, links and identifiers).
_CITED = ("editors", "venue", "venue_short", "volume", "number", "pages", "publisher", "address", "edition", "series",
          "school", "institution", "isbn", "issn", "note")


_GET_CITED = operator.attrgetter(*_CITED)


@recent
def _values(paper) -> dict[str, Any]:
    """The record's values of ``_CITED`` as ``field`` reads them, absent and empty ones left out; made once for
    the paper being rendered (its page writes four formats from them)."""
    record = paper.record
    try:
        raw = _GET_CITED(record)  # one call for the fifteen attributes of a Record
    except AttributeError:
        raw = tuple(getattr(record, key, None) for key in _CITED)
    extra = getattr(record, "extra", None)
    found = {}
    for key, value in zip(_CITED, raw):
        if value is None:
            if not extra:
                continue
            value = field(record, key)  # from ``extra``, as field reads it
            if value is None:
                continue
        elif value in ("", (), []):
            continue
        found[key] = value
    return found


# ---------------------------------------------------------------- entry types

@dataclass(frozen=True, slots=True)
class EntryType:
    bibtex: str
    ris: str
    csl: str
    venue_field: str  # the BibTeX field that holds ``venue``: journal, booktitle or howpublished
    schema_org: str


# The record's ``type`` and what each format calls it (the README's table is made from this).
TYPES: dict[str, EntryType] = {
    "journal-article": EntryType("article", "JOUR", "article-journal", "journal", "ScholarlyArticle"),
    "conference-paper": EntryType("inproceedings", "CONF", "paper-conference", "booktitle", "ScholarlyArticle"),
    "preprint": EntryType("misc", "RPRT", "article", "howpublished", "ScholarlyArticle"),
    "book": EntryType("book", "BOOK", "book", "howpublished", "Book"),
    "chapter": EntryType("incollection", "CHAP", "chapter", "booktitle", "Chapter"),
    "thesis": EntryType("phdthesis", "THES", "thesis", "howpublished", "Thesis"),
    "report": EntryType("techreport", "RPRT", "report", "howpublished", "Report"),
    "dataset": EntryType("misc", "DATA", "dataset", "howpublished", "Dataset"),
    "software": EntryType("misc", "COMP", "software", "howpublished", "SoftwareSourceCode"),
    "talk": EntryType("misc", "SLIDE", "speech", "howpublished", "PresentationDigitalDocument"),
    "other": EntryType("misc", "GEN", "document", "howpublished", "CreativeWork"),
}


def entry_type(paper) -> str:
    """The record's ``type``; a record without one is a preprint when it has an arXiv id or an arXiv category
    (as every listing entry has: the listing is arXiv's), else ``other``."""
    given = field(paper.record, "type")
    if isinstance(given, str) and given in TYPES:
        return given
    return "preprint" if arxiv_id(paper) or paper.record.category else "other"


# ---------------------------------------------------------------- names

SUFFIXES = frozenset("jr jr. sr sr. ii iii iv v 2nd 3rd".split())
PARTICLES = frozenset("van von der den de del della dei degli da das dos du di le la les lo ter ten zu zur y "
                      "bin ibn al el st. dit d' l'".split())
_ORGANISATION_WORDS = frozenset("""consortium collaboration team group project committee association society
    institute institution university universität université laboratory laboratories lab labs foundation
    organization organisation council network initiative alliance inc inc. ltd ltd. llc corporation corp
    corp. company center centre agency board authors contributors developers community partnership
    department ministry office federation union academy commission working program programme""".split())


@dataclass(frozen=True, slots=True)
class Name:
    """A person's name in parts, as BibTeX and CSL know them; or an organisation's, whole (``literal``)."""

    family: str = ""
    given: str = ""
    particle: str = ""  # "van der", "de la": BibTeX's von part, CSL's non-dropping-particle
    suffix: str = ""  # "Jr.", "III"
    literal: str = ""  # an organisation, or a one-word name: never split

    @property
    def is_literal(self) -> bool:
        return bool(self.literal)


def _is_particle(word: str) -> bool:
    return word[:1].islower() and word.lower() in PARTICLES or (word.islower() and word.isalpha() and len(word) <= 3)


def _is_suffix(text: str) -> bool:
    return text.strip().lower() in SUFFIXES


def _split_family(words: list[str]) -> tuple[str, str]:
    """(particle, family) of the words of a family name written first: ``van der Berg``."""
    n = 0
    while n < len(words) - 1 and _is_particle(words[n]):
        n += 1
    return " ".join(words[:n]), " ".join(words[n:])


@functools.lru_cache(maxsize=65536)  # a pure function of the text; a page asks for each name 5 times
def split_name(text: str) -> Name:
    """A record's author or editor name in parts.

    ``First von Last``, ``First Last, Jr.``, ``von Last, First`` and ``von Last, Jr., First`` (BibTeX's
    forms) are people; a name in braces (``{The ENCODE Project Consortium}``), a one-word name
    (``OpenAI``, ``Gemma-Team``) and a name with a word such as Consortium, Team or University are
    organisations, kept whole."""
    name = " ".join(text.split())
    if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
        return Name(literal=name[1:-1].strip())
    name = name.replace("{", "").replace("}", "")
    if re.search(r"\s[Aa][Nn][Dd]\s", name):  # "Barnes and Noble", or a list never split: BibTeX must not split it
        return Name(literal=name)
    words = name.replace(",", " ").split()
    if len(words) <= 1 or any(w.lower().strip(".,") in _ORGANISATION_WORDS for w in words) and len(words) > 1 \
            and not any(_is_suffix(w) for w in words):
        return Name(literal=name)
    parts = [p.strip() for p in name.split(",")]
    if len(parts) >= 3:  # von Last, Jr., First
        particle, family = _split_family(parts[0].split())
        return Name(family=family, given=", ".join(parts[2:]), particle=particle, suffix=parts[1])
    suffix = ""
    if len(parts) == 2:
        if _is_suffix(parts[1]):  # First Last, Jr.
            suffix, parts = parts[1], [parts[0]]
        else:  # von Last, First
            particle, family = _split_family(parts[0].split())
            return Name(family=family, given=parts[1], particle=particle)
    tokens = parts[0].split()
    if not suffix and len(tokens) >= 3 and _is_suffix(tokens[-1]):
        suffix, tokens = tokens[-1], tokens[:-1]
    if len(tokens) == 1:
        return Name(family=tokens[0], suffix=suffix)
    if _is_particle(tokens[0]):  # von Last, no given name
        particle, family = _split_family(tokens)
        return Name(family=family, particle=particle, suffix=suffix)
    # First von Last: the von part is the run of lower-case words before the last word.
    start = next((i for i in range(1, len(tokens) - 1) if _is_particle(tokens[i])), len(tokens) - 1)
    end = start
    while end < len(tokens) - 1 and _is_particle(tokens[end]):
        end += 1
    return Name(family=" ".join(tokens[end:]), given=" ".join(tokens[:start]),
                particle=" ".join(tokens[start:end]), suffix=suffix)


def bibtex_name(name: Name) -> str:
    """``von Last, Jr., First``; an organisation in braces, so BibTeX never splits it."""
    if name.is_literal:
        return "{" + tex_escape(name.literal) + "}"
    last = tex_escape(" ".join(p for p in (name.particle, name.family) if p))
    if " " in name.family and not name.particle and not name.given:
        last = "{" + last + "}"
    pieces = [last]
    if name.suffix:
        pieces.append(tex_escape(name.suffix))
    if name.given or name.suffix:
        pieces.append(tex_escape(name.given))
    return ", ".join(pieces)


def ris_name(name: Name) -> str:
    """``Last, First, Suffix`` (the RIS form), the particle in front of the family name."""
    if name.is_literal:
        return name.literal
    pieces = [" ".join(p for p in (name.particle, name.family) if p)]
    if name.given or name.suffix:
        pieces.append(name.given)
    if name.suffix:
        pieces.append(name.suffix)
    return ", ".join(pieces)


def csl_name(name: Name) -> dict[str, str]:
    if name.is_literal:
        return {"literal": name.literal}
    data = {"family": name.family}
    if name.given:
        data["given"] = name.given
    if name.particle:
        data["non-dropping-particle"] = name.particle
    if name.suffix:
        data["suffix"] = name.suffix
    return data


def last_name(author: str) -> str:
    name = split_name(author)
    return name.literal or name.family


# ---------------------------------------------------------------- citation keys

def generated_key(record: Any) -> str:
    """``panda2024lottery``: first author's family name, year, first significant title word (ASCII)."""
    surname = _surname_word(record.authors[0] if record.authors else "")
    return f"{surname}{getattr(record.date, 'year', '')}{_title_word(record.title)}"


@functools.lru_cache(maxsize=65536)  # pure, and a site has far fewer first authors than papers
def _surname_word(author: str) -> str:
    name = split_name(split_marks(author)[0])
    return _ascii_word(name.literal.split()[0] if name.literal else name.family) or "anon"


def _title_word(title: str) -> str:
    words = (_ascii_word(w) for w in title_words(title))  # lazily: up to the first significant word
    return next((w for w in words if w and w not in _STOP_WORDS), "paper")


_KEY_RE = re.compile(r"[^\s,{}()=\"#%'~\\]+")


def _suffixed(base: str, n: int) -> str:
    """``base``, ``basea`` ... ``basez``, ``baseaa`` ...: the n-th key for a base."""
    if n == 0:
        return base
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return base + letters


def citation_keys(records: Iterable[Any]) -> dict[str, str]:
    """slug -> a citation key unique across the site, the same for the same records in every build.

    A ``citekey`` from the record's source is kept when no other record has it. Every other record gets
    ``panda2024lottery``; records sharing one such key are numbered oldest first (then by slug) with
    letters: ``panda2024lottery``, ``panda2024lotterya``, ``panda2024lotteryb`` ... So a paper added later
    never changes the key of an older one, and no key is ever taken from a kept source key."""
    records = sorted(records, key=operator.attrgetter("slug"))
    records.sort(key=_date_key)  # stable: by date, then by slug (two sorts with plain keys: half the time of one)
    given: dict[str, list[Any]] = {}
    for record in records:
        key = field(record, "citekey")
        if isinstance(key, str) and _KEY_RE.fullmatch(key.strip()):
            given.setdefault(key.strip(), []).append(record)
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for key, owners in given.items():
        if len(owners) == 1:
            keys[owners[0].slug] = key
            taken.add(key.lower())
    counters: dict[str, int] = {}
    for record in records:
        if record.slug in keys:
            continue
        base = generated_key(record)
        n = counters.get(base, 0)
        while (key := _suffixed(base, n)).lower() in taken:
            n += 1
        keys[record.slug] = key
        taken.add(key.lower())
        counters[base] = n + 1
    return keys


def _date_key(record: Any) -> tuple[int, int, int]:
    date = record.date
    sort_key = getattr(date, "sort_key", None)
    if sort_key is not None:
        return sort_key
    return (date.year, date.month, date.day)


def bibtex_key(paper) -> str:
    """The paper's key in papers.bib and on its page (unique across the site: ``Paper.citekey``)."""
    return getattr(paper, "citekey", "") or field(paper.record, "citekey") or generated_key(paper.record)


# ---------------------------------------------------------------- dates

def date_parts(date: Any) -> list[int]:
    """[year], [year, month] or [year, month, day]: only what the record knows."""
    parts = getattr(date, "parts", None)
    if parts is not None:
        return list(parts())
    return [date.year, date.month, date.day]


def _pages(value: Any) -> tuple[str, str | None] | None:
    """(first, last) of ``12-34``, ``12--34``, ``12–34``; (first, None) of a single page or article number."""
    if value is None:
        return None
    text = _text(value)
    match = re.fullmatch(r"(\S+?)\s*(?:-{1,3}|–|—)\s*(\S+)", text)
    return (match.group(1), match.group(2)) if match else (text, None)


# ---------------------------------------------------------------- BibTeX

def _bib_value(text: str) -> str:
    return "{" + tex_escape(_text(text)) + "}"


def _bib_verbatim(text: str) -> str:
    """An address or identifier: no TeX escaping (bibtexparser, biber and the url package read it as is),
    only what would end the field or start a comment removed."""
    return "{" + re.sub(r"[{}\\\s]", "", text) + "}"


def bibtex(paper) -> str:
    """The paper's BibTeX entry: its type's entry kind, every field the record has, nothing else."""
    record = paper.record
    values = _values(paper)
    facts = ids(paper)
    spec = TYPES[facts.kind]
    people = " and ".join(bibtex_name(split_name(a)) for a in authors(paper))
    if record.et_al:
        people += " and others"
    fields: list[tuple[str, str]] = [("author", "{" + people + "}")]
    editors = _names(values.get("editors"))
    if editors:
        fields.append(("editor", "{" + " and ".join(bibtex_name(split_name(e)) for e in editors) + "}"))
    fields.append(("title", "{{" + title_tex(record.title) + "}}"))
    venue = values.get("venue")
    if venue:
        fields.append((spec.venue_field, _bib_value(venue)))
    for key in ("volume", "number", "series", "edition"):
        value = values.get(key)
        if value is not None:
            fields.append((key, _bib_value(value)))
    pages = _pages(values.get("pages"))
    if pages:
        fields.append(("pages", _bib_value(pages[0] + ("--" + pages[1] if pages[1] else ""))))
    for key in ("publisher", "address", "school", "institution", "isbn", "issn"):
        value = values.get(key)
        if value is not None:
            fields.append((key, _bib_value(value)))
    parts = date_parts(record.date)
    fields.append(("year", "{" + str(parts[0]) + "}"))
    if len(parts) >= 2:
        fields.append(("month", MONTH_MACROS[parts[1] - 1]))
    arxiv = facts.arxiv
    if arxiv:
        fields += [("eprint", "{" + arxiv + "}"), ("archivePrefix", "{arXiv}")]
        if record.category and _CS_CATEGORY_RE.fullmatch(record.category):
            fields.append(("primaryClass", f"{{cs.{record.category}}}"))
    if facts.doi:
        fields.append(("doi", _bib_verbatim(facts.doi)))
    if facts.url:
        fields.append(("url", _bib_verbatim(facts.url)))
    note = values.get("note")
    if note is not None:
        fields.append(("note", _bib_value(note)))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{spec.bibtex}{{{bibtex_key(paper)},\n{body}\n}}\n"


# ---------------------------------------------------------------- RIS

def ris_date(date: Any) -> str:
    """RIS ``DA``: ``2024/05/03/``, ``2024/05//`` or ``2024///`` (the unknown parts empty)."""
    parts = date_parts(date)
    year = f"{parts[0]:04d}"
    month = f"{parts[1]:02d}" if len(parts) > 1 else ""
    day = f"{parts[2]:02d}" if len(parts) > 2 else ""
    return f"{year}/{month}/{day}/"


def ris(paper, page_url: str | None = None) -> str:
    """The paper's RIS record. ``page_url`` (the site's page about it) is not the paper's address and is
    not written: ``UR`` is the paper's own address."""
    record = paper.record
    values = _values(paper)
    facts = ids(paper)
    kind = facts.kind
    lines = [("TY", TYPES[kind].ris), ("TI", title_text(record.title))]
    lines += [("AU", ris_name(split_name(a))) for a in authors(paper)]
    lines += [("A2", ris_name(split_name(e)))
              for e in _names(values.get("editors"))]
    parts = date_parts(record.date)
    lines += [("PY", str(parts[0])), ("DA", ris_date(record.date))]
    venue = values.get("venue")
    if venue:
        lines.append(("JO" if kind == "journal-article" else "T2", _text(venue)))
    short = values.get("venue_short")
    if short:
        lines.append(("J2", _text(short)))
    for tag, key in (("VL", "volume"), ("IS", "number"), ("T3", "series"), ("ET", "edition")):
        value = values.get(key)
        if value is not None:
            lines.append((tag, _text(value)))
    pages = _pages(values.get("pages"))
    if pages:
        lines.append(("SP", pages[0]))
        if pages[1]:
            lines.append(("EP", pages[1]))
    for key in ("publisher", "school", "institution"):
        value = values.get(key)
        if value is not None:
            lines.append(("PB", _text(value)))
    address = values.get("address")
    if address is not None:
        lines.append(("CY", _text(address)))
    for key in ("isbn", "issn"):
        value = values.get(key)
        if value is not None:
            lines.append(("SN", _text(value)))
    if facts.doi:
        lines.append(("DO", facts.doi))
    if facts.url:
        lines.append(("UR", facts.url))
    note = values.get("note")
    if note is not None:
        lines.append(("N1", _text(note)))
    for ref in getattr(paper, "tags", ()):
        lines.append(("KW", _text(ref.name)))
    return "".join(f"{tag}  - {value}\n" for tag, value in lines) + "ER  -\n"


# ---------------------------------------------------------------- Highwire (Google Scholar)

def highwire_date(date: Any) -> str:
    """``2024``, ``2024/05`` or ``2024/05/03``."""
    parts = date_parts(date)
    return "/".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])])


def pdf_url(paper, site_url: str | None, arxiv: str | None | bool = False) -> str | None:
    """The PDF Google Scholar may index: the ``pdf`` link when it is on the site's own host (a relative
    link made absolute with ``url:``), else the arXiv PDF of an arXiv paper; None otherwise."""
    pdf = link(paper, "pdf")
    if pdf:
        if not urlsplit(pdf).scheme and not pdf.startswith("//"):
            if site_url:
                return urljoin(site_url, pdf)
        elif site_url and urlsplit(pdf).scheme in ("http", "https") \
                and urlsplit(pdf).hostname == urlsplit(site_url).hostname:
            return pdf
        elif re.fullmatch(r"https?://(?:www\.|export\.)?arxiv\.org/pdf/\S+", pdf):
            return pdf
    if arxiv is False:  # not given
        arxiv = arxiv_id(paper)
    return f"https://arxiv.org/pdf/{arxiv}" if arxiv else None


_HIGHWIRE_FIELDS = (("volume", "citation_volume"), ("number", "citation_issue"), ("publisher", "citation_publisher"),
                    ("isbn", "citation_isbn"), ("issn", "citation_issn"))


def highwire_tags(paper, site_url: str | None = None) -> list[tuple[str, str]]:
    """Google Scholar's ``citation_*`` meta tags as (name, content) pairs, in its documented order: title,
    one ``citation_author`` per author in order, the date at its precision, the venue under its type's tag,
    volume, issue, pages, identifiers, the page and the PDF. No empty tag."""
    record = paper.record
    values = _values(paper)
    facts = ids(paper)
    kind = facts.kind
    tags = [("citation_title", title_text(record.title))]
    tags += [("citation_author", _text(a)) for a in authors(paper)]
    date = highwire_date(record.date)
    tags += [("citation_publication_date", date), ("citation_date", date)]
    venue = values.get("venue")
    if venue:
        tag = {"journal-article": "citation_journal_title", "conference-paper": "citation_conference_title",
               "chapter": "citation_inbook_title", "book": "citation_series_title"}.get(kind)
        if tag:
            tags.append((tag, _text(venue)))
        if kind == "journal-article" and values.get("venue_short"):
            tags.append(("citation_journal_abbrev", _text(values.get("venue_short"))))
    for key, name in _HIGHWIRE_FIELDS:
        value = values.get(key)
        if value is not None:
            tags.append((name, _text(value)))
    pages = _pages(values.get("pages"))
    if pages:
        tags.append(("citation_firstpage", pages[0]))
        if pages[1]:
            tags.append(("citation_lastpage", pages[1]))
    if kind == "thesis" and values.get("school"):
        tags.append(("citation_dissertation_institution", _text(values.get("school"))))
    if kind == "report":
        if values.get("institution"):
            tags.append(("citation_technical_report_institution", _text(values.get("institution"))))
        if values.get("number"):
            tags.append(("citation_technical_report_number", _text(values.get("number"))))
    if facts.doi:
        tags.append(("citation_doi", facts.doi))
    if facts.arxiv:
        tags.append(("citation_arxiv_id", facts.arxiv))
    if site_url:
        tags.append(("citation_abstract_html_url", public_url(site_url, paper.url)))
    pdf = pdf_url(paper, site_url, facts.arxiv)
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    return [(name, content) for name, content in tags if content and content.strip()]


# ---------------------------------------------------------------- CSL-JSON

def csl_item(paper, page_url: str | None = None) -> dict:
    """The paper as a CSL-JSON item (valid against the CSL-JSON schema: tests/data/csl-data.json).

    A new item each call (the caller may change it, names and dates included); ``_csl_item`` is the one a
    page shares."""
    return _csl_item.__wrapped__(paper)


@recent
def _csl_item(paper) -> dict:
    """The CSL-JSON item of the paper being rendered: its page's CSL-JSON and its formatted reference are made
    from one (never changed: see ``csl_item``)."""
    record = paper.record
    values = _values(paper)
    facts = ids(paper)
    kind = facts.kind
    item: dict[str, Any] = {"id": bibtex_key(paper), "type": TYPES[kind].csl, "title": title_text(record.title)}
    names = authors(paper)
    if names:
        item["author"] = [csl_name(split_name(a)) for a in names]
    editors = _names(values.get("editors"))
    if editors:
        item["editor"] = [csl_name(split_name(e)) for e in editors]
    item["issued"] = {"date-parts": [date_parts(record.date)]}
    venue = values.get("venue")
    if venue:
        item["container-title"] = _text(venue)
    short = values.get("venue_short")
    if short:
        item["container-title-short"] = _text(short)
    volume = values.get("volume")
    if volume is not None:
        item["volume"] = _text(volume)
    number = values.get("number")
    if number is not None:
        item["issue" if kind == "journal-article" else "number"] = _text(number)
    if facts.arxiv and "number" not in item:
        item["number"] = f"arXiv:{facts.arxiv}"
    pages = _pages(values.get("pages"))
    if pages:
        item["page"] = pages[0] + ("-" + pages[1] if pages[1] else "")
    publisher = values.get("publisher") or values.get("school") or values.get("institution")
    if publisher is not None:
        item["publisher"] = _text(publisher)
    address = values.get("address")
    if address is not None:
        item["publisher-place"] = _text(address)
    for key, name in (("isbn", "ISBN"), ("issn", "ISSN"), ("edition", "edition"), ("series", "collection-title")):
        value = values.get(key)
        if value is not None:
            item[name] = _text(value)
    if facts.doi:
        item["DOI"] = facts.doi
    if facts.url:
        item["URL"] = facts.url
    note = values.get("note")
    if note is not None:
        item["note"] = _text(note)
    return item


def csl_json(paper, page_url: str | None = None) -> str:
    return pretty_json([_csl_item(paper)])


def formatted_reference(paper, style: str, root, page_url: str | None = None, cache_dir=None):
    """The paper as one entry of a bibliography in the CSL style ``style`` (``citation_style:``; a path is
    from the site folder ``root``): sanitized HTML, exactly what citeproc-py makes of it (see csl.py; the
    references citeproc-py writes are kept in ``cache_dir``). Made from the CSL-JSON item the page exports, so
    it shows exactly what the record has."""
    return reference_html(_csl_item(paper), style, root, cache_dir)


def pretty_json(value: object, indent: str = "  ", level: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, several times faster (strings, numbers,
    booleans, None, lists and dicts with text keys: what citations hold). Text and whole numbers, most of
    a CSL-JSON item, are written where they stand; only other values take another call."""
    if isinstance(value, (dict, list, tuple)):
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        inner = level + indent
        if isinstance(value, dict):
            items = [inner + encode_basestring(str(k)) + ": "
                     + (encode_basestring(v) if type(v) is str else str(v) if type(v) is int
                        else pretty_json(v, indent, inner)) for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + level + "}"
        items = [inner + (encode_basestring(v) if type(v) is str else str(v) if type(v) is int
                          else pretty_json(v, indent, inner)) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + level + "]"
    if isinstance(value, str):
        return encode_basestring(value)
    if type(value) is int:  # what json.dumps writes for an int, without its encoder's set-up
        return str(value)
    return json.dumps(value, ensure_ascii=False)
