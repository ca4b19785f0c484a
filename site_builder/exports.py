"""Machine-readable exports of the whole site: papers.json (read by the embed widget)."""
from __future__ import annotations

import html
import json
from typing import Iterator

from .citations import entry_type, field, TYPES
from .textsafe import strip_invalid_characters
from .site import Site

SCHEMA_VERSION = 1


def _iso(date) -> str:
    """``2024``, ``2024-05`` or ``2024-05-03``: only the parts the record has."""
    return date.iso if hasattr(date, "iso") else date.isoformat()


def display_date(date) -> str:
    """As pages show a date: ``2024``, ``May 2024`` or ``May 3, 2024``."""
    if hasattr(date, "display"):
        return date.display()
    return f"{date:%B} {date.day}, {date.year}"


def paper_record(site: Site, paper) -> dict:
    record = paper.record
    url = site.config.url
    return {
        "title": paper.title_text,
        "title_html": str(paper.title_html),
        "authors": list(paper.author_names),
        "et_al": record.et_al,
        "date": _iso(record.date),
        "date_display": display_date(record.date),
        "year": paper.year,
        "type": entry_type(paper),
        "category": {"code": record.category, "name": paper.category_name or record.category}
        if record.category else None,
        "tags": [ref.name for ref in paper.tags],
        "affiliation": record.affiliation,
        "links": dict(record.links),
        "abstract_html": str(paper.abstract_html),
        "url": (url + paper.url[: -len("index.html")]) if url else paper.url,
        "owner": [author.is_owner for author in paper.authors],
    }


def _compact(data: object) -> str:
    return _escape(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _escape(text: str) -> str:
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# Each whole-site export is written as a stream of chunks (a large site's papers.json is hundreds of
# megabytes: it is never one string), joined when wanted whole.

def papers_json(site: Site, cache: dict[str, str] | None = None) -> Iterator[str]:
    """Every paper, newest first, keys in a fixed order (the schema is in the README); one paper a line.

    ``cache`` maps kind + fingerprint to a piece, so a rebuild serializes only the papers that changed."""
    generated = max((p.updated for p in site.papers), default=None)
    head = _compact({"version": SCHEMA_VERSION, "generated": generated, "title": site.config.title,
                     "url": site.config.url})
    yield head[:-1] + ',"papers":[\n'
    yield from _joined(_pieces(site, "json:", cache), ",\n")
    yield "\n]}\n"


def fragment_html(site: Site, cache: dict[str, str] | None = None) -> Iterator[str]:
    """The list as a plain HTML fragment for server-side includes: no <html> or <head>, every class pub-.

    Links are absolute when ``url:`` is set, else relative to the fragment's own place (embed/)."""
    yield '<ul class="pub-list">\n'
    yield from _pieces(site, "fragment:", cache)
    yield "</ul>\n"


def _fragment_item(site: Site, paper) -> str:
    url = (site.config.url + paper.url[: -len("index.html")]) if site.config.url else "../" + paper.url
    authors = ", ".join(f'<strong class="pub-owner">{html.escape(a.name)}</strong>' if a.is_owner else html.escape(a.name)
                        for a in paper.authors)
    if paper.record.et_al:
        authors += " et al."
    meta = f'<time datetime="{_iso(paper.date)}">{display_date(paper.date)}</time>'
    category = paper.category_name or paper.record.category
    if category:
        meta += " · " + html.escape(category)
    return strip_invalid_characters(f'  <li class="pub-item">\n    <a class="pub-title" href="{html.escape(url)}">{paper.title_html}</a>\n'
            f'    <span class="pub-authors">{authors}</span>\n    <span class="pub-meta">{meta}</span>\n  </li>\n')  # type: ignore[return-value]


def jsonld(paper, site_url: str | None) -> str:
    """schema.org ScholarlyArticle for a paper page, safe to put inside <script type="application/ld+json">."""
    from .citations import doi, split_name

    page = (site_url + paper.url[: -len("index.html")]) if site_url else None
    title = paper.title_text
    data = {
        "@context": "https://schema.org",
        "@type": TYPES[entry_type(paper)].schema_org,
        "name": title,
        "headline": title if len(title) <= 110 else title[:109] + "…",
        "author": [{"@type": "Organization" if split_name(a.name).is_literal else "Person", "name": a.name}
                   for a in paper.authors],
        "datePublished": _iso(paper.date),
        "abstract": paper.abstract_text,
        "keywords": [ref.name for ref in paper.tags],
    }
    if page:
        data["url"] = page
    same_as = [url for _name, url in paper.record.links if url.startswith(("http://", "https://"))]
    if same_as:
        data["sameAs"] = same_as
    venue = field(paper.record, "venue")
    if venue:
        data["isPartOf"] = {"@type": "Periodical" if entry_type(paper) == "journal-article" else "CreativeWork",
                            "name": " ".join(str(venue).split())}
    if field(paper.record, "publisher"):
        data["publisher"] = {"@type": "Organization", "name": " ".join(str(field(paper.record, "publisher")).split())}
    if doi(paper):
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi(paper)}
    return _compact(data)


def papers_bib(site: Site, cache: dict[str, str] | None = None) -> Iterator[str]:
    """Every paper as BibTeX, newest first."""
    return _joined(_pieces(site, "bib:", cache), "\n")


def search_index(site: Site, cache: dict[str, str] | None = None) -> Iterator[str]:
    """A compact index of every paper for the search box of a paginated site: title, authors, year,
    tag slugs, page URL and the text searched (title, authors, tags, abstract)."""
    yield '{"papers":[\n'
    yield from _joined(_pieces(site, "search:", cache), ",\n")
    yield "\n]}\n"


def _joined(pieces: Iterator[str], separator: str) -> Iterator[str]:
    """``separator.join(pieces)``, in chunks."""
    for n, piece in enumerate(pieces):
        yield separator + piece if n else piece


def _search_entry(site: Site, paper) -> str:
    authors = ", ".join(a.name for a in paper.authors) + (" et al." if paper.record.et_al else "")
    tags = " ".join(ref.slug for ref in paper.tags)
    return _compact({"title": paper.title_text, "authors": authors, "year": paper.year, "tags": tags, "url": paper.url,
                     "text": " ".join((paper.title_text, authors, " ".join(r.name for r in paper.tags), paper.abstract_text))})


def _bib_entry(site: Site, paper) -> str:
    from .citations import bibtex
    return bibtex(paper)


def _json_entry(site: Site, paper) -> str:
    return _compact(paper_record(site, paper))


# Each whole-site export is made of one piece per paper; a piece is kept in the cache under
# kind + fingerprint, so a rebuild makes only the pieces of papers that changed.
PIECES = {"json:": _json_entry, "search:": _search_entry, "bib:": _bib_entry, "fragment:": _fragment_item}


def export_pieces(site: Site, paper) -> list[tuple[str, str]]:
    """(cache key, text) of every export piece of one paper."""
    return [(kind + paper.fingerprint, make(site, paper)) for kind, make in PIECES.items()]


def _pieces(site: Site, kind: str, cache: dict[str, str] | None) -> Iterator[str]:
    make = PIECES[kind]
    if cache is None:  # nothing kept: a one-time build holds one piece at a time
        for paper in site.papers:
            yield make(site, paper)
        return
    for paper in site.papers:
        key = kind + paper.fingerprint
        text = cache.get(key)
        if text is None:
            text = cache[key] = make(site, paper)
        yield text


# The whole-site exports by the name a page of the plan gives (``Page.context["export"]``).
EXPORTS = {"search_index": search_index, "papers_bib": papers_bib, "papers_json": papers_json,
           "fragment_html": fragment_html}
