"""The record schema: one table of the keys a record's front matter may have.

Everything that needs to know the record keys reads this table: the order keys are written in
(``records.render_record`` via ``KEY_ORDER``), validation (``records.record_from_text`` converts each
key by its ``kind``), which keys an import owns and merges three ways (``owner == "source"``), the
reference documentation's table and the JSON Schema for editors. A key not in the table is the
user's own: it is kept, warned about by ``check``, and reaches templates in ``paper.extra``.
"""
from __future__ import annotations

from dataclasses import dataclass

# Publication types, as records spell them (exports map them: see citations.py).
PUBLICATION_TYPES = ("journal-article", "conference-paper", "preprint", "book", "chapter", "thesis", "report",
                     "dataset", "software", "talk", "other")

# kind -> what the value must be
KINDS = {
    "text": "text",
    "count": "text or a number (volume, pages)",
    "text-list": "a list of text items",
    "date": "a date: YYYY, YYYY-MM or YYYY-MM-DD",
    "bool": "true or false",
    "links": "a mapping of link name to URL",
    "choice": "one of a fixed set of words",
    "slug": "lower-case letters, digits and hyphens",
    "doi": "a DOI such as 10.1000/xyz123",
    "arxiv": "an arXiv identifier such as 2401.01234 or hep-th/9901001",
    "url": "an http(s) URL or a path relative to the site root",
    "orcids": "a mapping of author name to ORCID iD (0000-0002-1825-0097)",
    "citations": "a mapping: count (a number), source (where it was counted), fetched (YYYY-MM-DD)",
}


@dataclass(frozen=True, slots=True)
class Key:
    """One record key."""

    name: str
    kind: str  # a key of KINDS
    owner: str  # "source": written by import (and enrich), merged three ways; "user": only people write it
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    example: str = ""


KEYS: tuple[Key, ...] = (
    Key("title", "text", "source", "The paper's title. `$...$` is TeX math.", required=True,
        example="Sparse Models Are Fast"),
    Key("authors", "text-list", "source", "Authors in order, one name each (`Ada Lovelace`; marks such as "
        "`Ada Lovelace*` for equal contribution and `†` for corresponding author).", required=True,
        example="[Ada Lovelace, Alan Turing]"),
    Key("et_al", "bool", "source", "The source cut the author list (\"et al.\"): more authors exist."),
    Key("editors", "text-list", "source", "Editors of an edited book or proceedings, in order."),
    Key("date", "date", "source", "Publication date at the precision known: `2024`, `2024-05` or `2024-05-03`.",
        required=True, example="2024-05"),
    Key("type", "choice", "source", "Publication type.", choices=PUBLICATION_TYPES, example="conference-paper"),
    Key("venue", "text", "source", "Journal, proceedings or book the paper appeared in.",
        example="Advances in Neural Information Processing Systems"),
    Key("venue_short", "text", "source", "The venue's abbreviation, shown as a badge.", example="NeurIPS"),
    Key("category", "text", "source", "arXiv category code (`cs.LG` or the listing's `LG`).", example="cs.LG"),
    Key("affiliation", "text", "source", "Affiliation given by the listing (shown as a tag)."),
    Key("volume", "count", "source", "Volume."),
    Key("number", "count", "source", "Issue or report number."),
    Key("pages", "count", "source", "Pages, e.g. `112--119`."),
    Key("publisher", "text", "source", "Publisher."),
    Key("address", "text", "source", "Publisher's or conference's place."),
    Key("edition", "count", "source", "Edition of a book."),
    Key("series", "text", "source", "Series of a book or proceedings."),
    Key("school", "text", "source", "School of a thesis."),
    Key("institution", "text", "source", "Institution of a report."),
    Key("isbn", "text", "source", "ISBN."),
    Key("issn", "text", "source", "ISSN."),
    Key("doi", "doi", "source", "DOI without a resolver prefix: `10.1000/xyz123`.", example="10.1000/xyz123"),
    Key("arxiv", "arxiv", "source", "arXiv identifier without version or prefix.", example="2401.01234"),
    Key("citekey", "text", "source", "The citation key the source BibTeX gave; kept in exports when unique."),
    Key("tags", "text-list", "source", "Topic tags (keywords of a source, or your own)."),
    Key("links", "links", "source", "Links by name: pdf, arxiv, code, slides, video, poster, website, doi, data, "
        "... Relative paths are from the site root.", example="{code: https://github.com/ada/sparse}"),
    Key("has_code", "bool", "source", "Code is released, but no address is known."),
    Key("orcids", "orcids", "source", "ORCID iDs by author name, as `enrich` found them.",
        example="{Ada Lovelace: 0000-0002-1825-0097}"),
    Key("citations", "citations", "source", "A citation count with where and when `enrich --with-citations` "
        "fetched it; shown only where a theme asks for it.", example='{count: 12, source: openalex, fetched: "2026-11-30"}'),
    Key("selected", "bool", "user", "Show the paper under \"Selected publications\"."),
    Key("note", "text", "user", "A short note shown with the paper (e.g. `Spotlight`)."),
    Key("image", "url", "user", "A thumbnail image (URL or path from the site root)."),
    Key("updated", "date", "user", "Date of the last change a reader should know of."),
    Key("slug", "slug", "user", "The paper's address: `papers/<slug>/`. Defaults to the file name."),
    Key("equal", "text-list", "user", "Authors who contributed equally (marked `*`)."),
    Key("corresponding", "text-list", "user", "Corresponding authors (marked `†`)."),
)

BY_NAME: dict[str, Key] = {key.name: key for key in KEYS}
KEY_ORDER: tuple[str, ...] = tuple(key.name for key in KEYS)
SOURCE_KEYS: tuple[str, ...] = tuple(key.name for key in KEYS if key.owner == "source")
REQUIRED: tuple[str, ...] = tuple(key.name for key in KEYS if key.required)


BODY = "abstract"  # the record's body, merged by an import as one more field


@dataclass(frozen=True, slots=True, order=True)
class Field:
    """One unit of an import's three-way merge (and of what ``enrich`` proposes): a record key of the table
    above, one link of ``links`` (each link is merged on its own: a link the user added beside the source's
    is theirs), or the body (the abstract)."""

    key: str  # a key of the table, or BODY
    link: str | None = None  # the link's name, for key == "links"

    def __post_init__(self) -> None:
        if (self.key != BODY and self.key not in BY_NAME) or (self.link is not None) != (self.key == "links"):
            raise ValueError(f"not a field of a record: {self.key!r}, link {self.link!r}")  # a bug, not a user's

    @classmethod
    def named(cls, name: str) -> "Field":
        """The field a name spells (the import state's spelling: ``title``, ``link:pdf``, ``abstract``).
        ValueError for a name that is none."""
        key, sep, link = name.partition(":")
        return cls("links", link) if sep and key == "link" and link else cls(name)

    @property
    def name(self) -> str:
        """How the import state and messages spell it: ``title``, ``link:pdf``, ``abstract``."""
        return self.key if self.link is None else f"link:{self.link}"

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str:
        """A kind of KINDS: a link is a "url", the body "text"."""
        return "text" if self.key == BODY else "url" if self.link is not None else BY_NAME[self.key].kind

    @property
    def owner(self) -> str:
        """"source" (an import compares it three ways) or "user" (only people write it)."""
        return "source" if self.key == BODY else BY_NAME[self.key].owner


def fields_of(mapping: dict) -> dict["Field", object]:
    """A mapping by field name (the import state's JSON) as one by Field; names that are no field are left out."""
    out = {}
    for name, value in mapping.items():
        try:
            out[Field.named(name)] = value
        except ValueError:
            continue
    return out


def names_of(mapping: dict) -> dict[str, object]:
    """A mapping by Field as one by field name, for JSON."""
    return {field.name: value for field, value in mapping.items()}


def ordered(front_matter: dict) -> dict:
    """The same mapping with declared keys first, in table order, then the user's own keys as they came."""
    out = {name: front_matter[name] for name in KEY_ORDER if name in front_matter}
    out.update((k, v) for k, v in front_matter.items() if k not in out)
    return out
