"""The Site model: every record read and checked, then papers, tags, authors and years.

Nothing here reads files, renders or writes: ``build_site`` takes the records and their rendered bodies
(``reading``: by record digest), and returns the model with every problem it found (the warnings of
rendering a body are the reader's).
"""
from __future__ import annotations

import functools
import heapq
import itertools
import operator
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence

from markupsafe import Markup

from .categories import category_name
from .citations import citation_keys
from .config import SiteConfig
from .digest import digest
from .presentation import MARKS, split_marks
from .problems import Problem, error, warning
from .records import Record
from .schema import BY_NAME
from .slugs import SlugClash, assign_slugs, slugify
from .titles import title_html, title_text


class Abstract(Protocol):
    """A paper's rendered body: a markup.RenderedText, or a stand-in that renders or reads it when asked."""

    html: Markup
    text: str
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagRef:
    slug: str
    name: str
    kind: str = "topic"  # category, affiliation or topic (as Tag.kind)


@dataclass(frozen=True, slots=True)
class AuthorRef:
    name: str
    is_owner: bool
    slug: str = ""  # authors/<slug>/index.html
    is_member: bool = False
    marks: str = ""  # "*" equal contribution, "†" corresponding, "‡": after the name in the record or from its lists


def _from_record(name: str) -> property:
    """``paper.<name>``: the record's key of that name, as the record has it (schema.KEYS says what it holds)."""
    def read(self: "Paper"):
        return getattr(self.record, name)
    return property(read, doc=BY_NAME[name].doc)


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as templates see it: every value a template uses is an attribute of the paper (documented in
    docs/themes.md, "The paper object"); templates never read ``paper.record``.

    Every record key of the schema table is an attribute (``paper.venue``, ``paper.doi``, ``paper.note``, ...).
    A few are given here in the form pages show them: ``authors`` (AuthorRef: the name without its marks, the
    marks, owner and member, the author page), ``tags`` (TagRef: the category, the affiliation and the topic
    tags, each under its one spelling), ``citekey`` (unique across the site), ``updated`` (YYYY-MM-DD)."""

    record: Record
    slug: str
    url: str  # from the site root, e.g. papers/<slug>/index.html
    year: int
    category_name: str | None
    authors: tuple[AuthorRef, ...]
    tags: tuple[TagRef, ...]
    abstract: "Abstract"  # its rendered body: .html (Markup), .text, .warnings
    fingerprint: str = ""  # changes whenever anything a page shows about this paper changes
    updated_on: str = ""  # ``updated:`` from the record, when it is a date
    citekey: str = ""  # unique across the site (citations.citation_keys)
    owner_implied: bool = False  # owner_on_every_paper: true and the owner is not among the names listed

    @property
    def title(self) -> str:
        return self.record.title

    @property
    def title_html(self) -> Markup:
        """The title as HTML: math as MathML, TeX accents and commands as characters (titles.py)."""
        return title_html(self.record.title)

    @property
    def title_text(self) -> str:
        """The title as plain text, for <title>, meta tags, JSON-LD, feeds and search (titles.py)."""
        return title_text(self.record.title)

    @property
    def author_names(self) -> tuple[str, ...]:
        """The authors' names without marks (``Ada Lovelace*`` -> ``Ada Lovelace``): what exports write."""
        return tuple(a.name for a in self.authors)

    @property
    def abstract_html(self) -> Markup:
        return self.abstract.html

    @property
    def abstract_text(self) -> str:
        return self.abstract.text

    @property
    def date(self):
        return self.record.date

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        return self.record.links

    @property
    def extra(self) -> dict:
        return self.record.extra

    @property
    def updated(self) -> str:
        """YYYY-MM-DD of the last change a reader should know of: ``updated:`` in the record, else its date."""
        return self.updated_on

    # The other record keys, read through (title, slug, authors, date, tags, links, citekey, updated: above).
    et_al = _from_record("et_al")
    editors = _from_record("editors")
    type = _from_record("type")
    venue = _from_record("venue")
    venue_short = _from_record("venue_short")
    category = _from_record("category")
    affiliation = _from_record("affiliation")
    volume = _from_record("volume")
    number = _from_record("number")
    pages = _from_record("pages")
    publisher = _from_record("publisher")
    address = _from_record("address")
    edition = _from_record("edition")
    series = _from_record("series")
    school = _from_record("school")
    institution = _from_record("institution")
    isbn = _from_record("isbn")
    issn = _from_record("issn")
    doi = _from_record("doi")
    arxiv = _from_record("arxiv")
    has_code = _from_record("has_code")
    orcids = _from_record("orcids")
    citations = _from_record("citations")
    selected = _from_record("selected")
    note = _from_record("note")
    image = _from_record("image")
    equal = _from_record("equal")
    corresponding = _from_record("corresponding")


@dataclass(frozen=True, slots=True)
class Tag:
    slug: str
    name: str
    kind: str  # category, affiliation or topic
    description: str  # e.g. the full arXiv name of a category
    papers: tuple[Paper, ...]

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/index.html"


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    slug: str
    papers: tuple[Paper, ...]  # newest first
    coauthors: tuple[tuple[str, str, int], ...]  # (name, slug, papers together), most first; COAUTHORS_SHOWN at most
    is_owner: bool = False
    coauthor_count: int = 0  # every co-author, those not in ``coauthors`` too

    @property
    def url(self) -> str:
        return f"authors/{self.slug}/index.html"


@dataclass(frozen=True, slots=True)
class YearGroup:
    """A run of papers under one heading: a year, or a category when the theme groups by category."""

    year: int
    papers: tuple[Paper, ...]
    label: str = ""
    anchor: str = ""

    @property
    def heading(self) -> str:
        return self.label or str(self.year)

    @property
    def id(self) -> str:
        return self.anchor or f"y{self.year}"


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    papers: tuple[Paper, ...]  # newest first
    tags: tuple[Tag, ...]  # by name
    years: tuple[YearGroup, ...]  # newest first
    authors: tuple[Author, ...] = ()  # by name


def sort_in_paper_order(items: list, record_of: Callable[[Any], Record]) -> None:
    """Sort ``items`` (each standing for the record ``record_of`` gives) in the site's order: newest first;
    within one date, by title, then slug. A paper known only by its year comes after the dated papers of its
    year (and one known by its month after the days of that month).

    Three stable sorts with plain keys (slug, casefolded title, the date as one number): a third of the time of
    one sort by a tuple at 100,000 papers."""

    def date_number(item: Any) -> int:  # the date's sort_key as one number (a month is at most 12, a day 31)
        year, month, day = record_of(item).date.sort_key
        return -(year * 10000 + month * 100 + day)

    items.sort(key=lambda item: record_of(item).slug)
    items.sort(key=lambda item: record_of(item).title.casefold())
    items.sort(key=date_number)


def display_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _owner_names(config: SiteConfig) -> frozenset[str]:
    names = ([config.owner] if config.owner else []) + list(config.owner_aliases)
    return frozenset(n.casefold() for n in names)


@functools.lru_cache(maxsize=65536)
def author_key(name: str) -> str:
    """Names that differ only in case, accents or punctuation are one person's page (memoised: pure)."""
    return slugify(name, max_length=80, fallback="author")


def build_site(config: SiteConfig, records: list[Record], abstracts: Mapping[str, Abstract],
               memo: dict | None = None) -> tuple[Site, list[Problem]]:
    """Papers, tags and years from records; problems for duplicates and odd values.

    ``memo`` (owned by the caller, for one configuration) keeps the papers of the last build: a record
    whose file and tag names did not change gives back the same Paper."""
    kept: dict = {}
    problems: list[Problem] = []
    owners = _owner_names(config)
    members = frozenset(n.casefold() for n in config.members)
    owner_slug = author_key(config.owner) if config.owner else ""

    by_slug: dict[str, Record] = {}
    unique: list[Record] = []
    for record in records:
        other = by_slug.get(record.slug)
        if other is not None:
            problems.append(error(display_path(record.src_path, config.root), None,
                                  f"slug {record.slug!r} is already used by {display_path(other.src_path, config.root)}: "
                                  f"both would be written to papers/{record.slug}/index.html"))
            continue
        by_slug[record.slug] = record
        unique.append(record)

    # Addresses: spellings of one name share a page, different names that land on one slug do not.
    slug_cache, clashes = assign_slugs((name for record in unique for name in (record.category, record.affiliation,
                                                                                *record.tags) if name),
                                       lambda name: slugify(name, fallback="tag"))
    problems.extend(_clash_warnings(clashes, "tags", unique, lambda r: (r.category, r.affiliation, *r.tags), config))
    bylines = [record_authors(record) for record in unique]
    author_slugs, clashes = assign_slugs(
        (name for name in {name for byline in bylines for name in byline.names} if name.casefold() not in owners),
        author_key, {owner_slug: config.owner} if owner_slug else None)
    problems.extend(_clash_warnings(clashes, "authors", unique, lambda r: tuple(split_marks(a)[0] for a in r.authors),
                                    config))

    # Pass 1: each record's tags (by slug) and the canonical name of every tag.
    tag_names: dict[str, tuple[int, str, str, str]] = {}  # slug -> (rank, name, kind, description)
    prepared = []
    for record, byline in zip(unique, bylines):
        full_name = category_name(record.category) if record.category else None
        if record.category and full_name is None:
            problems.append(warning(display_path(record.src_path, config.root), None,
                                    f"unknown arXiv category {record.category!r}: shown as is"))
        candidates = []
        if record.category:
            candidates.append((0, record.category, "category", full_name or ""))
        if record.affiliation:
            candidates.append((1, record.affiliation, "affiliation", ""))
        candidates.extend((2, tag, "topic", "") for tag in record.tags)
        slugs: list[str] = []
        for rank, name, kind, description in candidates:
            slug = slug_cache[name]
            if slug in slugs:
                continue
            slugs.append(slug)
            known = tag_names.get(slug)
            if known is None or (rank, name) < known[:2]:
                tag_names[slug] = (rank, name, kind, description)
        prepared.append((record, byline, full_name, slugs))

    # Pass 2: papers, with canonical tag names and a fingerprint of what pages show about them; made in the order
    # of the site, so that the lists and the plan, which go through them in that order, find each one next to the
    # one before in memory.
    sort_in_paper_order(prepared, operator.itemgetter(0))
    citekeys = citation_keys(unique)  # unique across the site, so each depends on the others
    tag_refs = {slug: (TagRef(slug, name, kind), f"{slug}={name}={kind}")
                for slug, (_rank, name, kind, _description) in tag_names.items()}
    author_refs: dict[tuple[str, str, str], tuple[AuthorRef, str]] = {}  # one for each name, page and marks
    papers: list[Paper] = []
    for record, byline, full_name, slugs in prepared:
        rendered = abstracts[record.digest]
        folded = [name.casefold() for name in byline.names]
        implied = bool(config.owner and config.owner_on_every_paper and not any(key in owners for key in folded))
        if implied and not record.et_al:
            problems.append(warning(display_path(record.src_path, config.root), None,
                                    f"owner_on_every_paper is true, but this complete author list does not name "
                                    f"{config.owner}: the paper is still on the owner's page"))
        pages = tuple(owner_slug if key in owners else author_slugs[name] for name, key in zip(byline.names, folded))
        citekey = citekeys[record.slug]
        if memo is not None:  # a paper of the last build when nothing it shows changed (a one-time build has none)
            key = (record.digest, record.slug, tuple(slugs), pages, citekey,
                   tuple(tag_refs[slug][1] for slug in slugs))
            known = memo.get(key)
            if known is not None and known.record is record:
                papers.append(known)
                kept[key] = known
                continue
        tags = [tag_refs[slug] for slug in slugs]
        authors = []
        for name, folded_name, slug, marks in zip(byline.names, folded, pages, byline.marks):
            made = author_refs.get((name, slug, marks))
            if made is None:
                ref = AuthorRef(name, folded_name in owners, slug, folded_name in members, marks)
                made = author_refs[name, slug, marks] = (ref, f"{ref.is_owner}{ref.is_member}{slug}{marks}")
            authors.append(made)
        papers.append(Paper(
            record=record,
            slug=record.slug,
            url=f"papers/{record.slug}/index.html",
            year=record.date.year,
            category_name=full_name,
            authors=tuple(ref for ref, _part in authors),
            tags=tuple(ref for ref, _part in tags),
            abstract=rendered,
            fingerprint=digest(record.digest, citekey, *(part for _ref, part in tags),
                               *(part for _ref, part in authors), str(implied)),
            updated_on=(record.updated or record.date).first_day().isoformat(),
            citekey=citekey,
            owner_implied=implied,
        ))
        if memo is not None:
            kept[key] = papers[-1]
    if memo is not None:
        memo.clear()
        memo.update(kept)

    members: dict[str, list[Paper]] = {slug: [] for slug in tag_names}
    for paper in papers:
        for ref in paper.tags:
            members[ref.slug].append(paper)
    tags = [Tag(slug, name, kind, description, tuple(members[slug]))
            for slug, (_rank, name, kind, description) in tag_names.items()]
    tags.sort(key=lambda t: (t.name.casefold(), t.slug))
    return Site(config, tuple(papers), tuple(tags), year_groups(papers), _authors(config, papers)), problems


def year_groups(papers: Sequence[Paper]) -> tuple[YearGroup, ...]:
    """Papers (newest first) under one heading per year, in the same order."""
    groups: dict[int, list[Paper]] = {}
    for year, run in itertools.groupby(papers, key=_YEAR):  # a run per year when newest first
        groups.setdefault(year, []).extend(run)
    return tuple(YearGroup(year, tuple(ps)) for year, ps in groups.items())


_YEAR = operator.attrgetter("year")


def _listed(record: Record, key: str) -> frozenset[str]:
    value = getattr(record, key, None)
    if value is None:
        value = record.extra.get(key)
    if not value:
        return frozenset()
    if isinstance(value, str):
        value = [value]
    return frozenset(split_marks(str(v))[0].casefold() for v in value if v)


@dataclass(frozen=True, slots=True)
class RecordAuthors:
    """A record's author list as pages show it: each name without the marks after it (``Ada Lovelace*``), and
    its marks, those of the name and those ``equal:`` and ``corresponding:`` give it (in MARKS order): a marked
    name is the same person, highlighted and linked like the unmarked one."""

    names: tuple[str, ...]
    marks: tuple[str, ...]


def record_authors(record: Record) -> RecordAuthors:
    """The record's ``RecordAuthors`` (a pure function of the record)."""
    equal, corresponding = _listed(record, "equal"), _listed(record, "corresponding")
    names: list[str] = []
    all_marks: list[str] = []
    for raw in record.authors:
        name, marks = split_marks(raw)
        if equal or corresponding:
            key = name.casefold()
            if key in equal and "*" not in marks:
                marks += "*"
            if key in corresponding and "†" not in marks:
                marks += "†"
            marks = "".join(m for m in MARKS if m in marks)
        names.append(name)
        all_marks.append(marks)
    return RecordAuthors(tuple(names), tuple(all_marks))


def _clash_warnings(clashes: tuple[SlugClash, ...], folder: str, records: list[Record],
                    names_of: Callable[[Record], tuple], config: SiteConfig) -> list[Problem]:
    """One warning per clash, on the first record that has the name given another address."""
    found = []
    for clash in clashes:
        record = next(r for r in records if clash.moved in names_of(r))
        found.append(warning(display_path(record.src_path, config.root), None,
                             f"{clash.moved!r} and {clash.kept!r} would share the address {folder}/{clash.slug}/: "
                             f"{clash.moved!r} gets {folder}/{clash.new_slug}/ (write both the same way if they "
                             "are one name)"))
    return found


# An author page lists this many co-authors, most papers together first, and says how many more: on a paper with
# 2,000 authors every one of them would otherwise list the 1,999 others on a page of their own.
COAUTHORS_SHOWN = 40


def _authors(config: SiteConfig, papers: list[Paper]) -> tuple[Author, ...]:
    """One page per person: their papers, and the people they wrote with, most papers first.

    Linear in the bylines' lengths: the people on a 2,000-author paper who wrote nothing else share its one
    byline sorted by name, instead of each counting the 1,999 others."""
    names: dict[str, str] = {}
    works: dict[str, list[int]] = {}  # slug -> the indices of their papers
    bylines: list[list[str]] = []  # each paper's distinct slugs, in its order
    owner_key = author_key(config.owner) if config.owner else None
    for index, paper in enumerate(papers):
        slugs: dict[str, None] = {}
        for ref in paper.authors:
            slugs.setdefault(ref.slug)
            if ref.slug == owner_key:
                names[ref.slug] = config.owner
            else:
                names.setdefault(ref.slug, ref.name)
        if paper.owner_implied and owner_key not in slugs:  # owner_on_every_paper: the owner's page counts it
            slugs.setdefault(owner_key)
            names[owner_key] = config.owner
        bylines.append(list(slugs))
        for slug in slugs:
            works.setdefault(slug, []).append(index)

    def order(coauthor: tuple[str, str, int]) -> tuple[int, str]:
        return -coauthor[2], coauthor[0].casefold()

    by_name: dict[int, list[str]] = {}  # a byline sorted by name (stable: the byline's order among equals)
    authors = []
    for slug, name in names.items():
        mine = works[slug]
        if len(mine) == 1:  # one paper: every co-author once, by name
            if mine[0] not in by_name:
                by_name[mine[0]] = sorted(bylines[mine[0]], key=lambda o: names[o].casefold())
            others = by_name[mine[0]]
            coauthors = [(names[o], o, 1) for o in itertools.islice((o for o in others if o != slug), COAUTHORS_SHOWN)]
            count = len(others) - 1
        else:
            together = Counter(itertools.chain.from_iterable(bylines[index] for index in mine))  # in first-met order
            del together[slug]
            coauthors = heapq.nsmallest(COAUTHORS_SHOWN, ((names[o], o, n) for o, n in together.items()), key=order)
            count = len(together)
        authors.append(Author(name, slug, tuple([papers[i] for i in mine]), tuple(coauthors), slug == owner_key, count))
    return tuple(sorted(authors, key=lambda a: (a.name.casefold(), a.slug)))


def relative_root(url: str) -> str:
    """The prefix that leads from a page at ``url`` back to the site root: '', '../', ..."""
    depth = url.count("/")
    return "../" * depth
