"""Machine-readable exports of the whole site: papers.json (read by the embed widget)."""
from __future__ import annotations

import html
import json
import re
from typing import Iterator

from .citations import bibtex, entry_type, field, ids, split_name, TYPES
from .presentation import abstract_text, code_released, href, ink, link_buttons, venue_of
from .recent import recent
from .urls import public_url
from .dates import PartialDate
from .textsafe import strip_invalid_characters
from .site import Site

SCHEMA_VERSION = 1
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def paper_record(site: Site, paper, abstract: bool = True) -> dict:
    """A paper as papers.json gives it: what the embed widget and the fragment show, as the site shows it.
    ``abstract=False``: without ``abstract_html`` (the fragment does not show it; it is kept compressed).
    A new dict each call (the caller may change it)."""
    record = dict(_shown(paper, site))
    if abstract:
        record["abstract_html"] = str(paper.abstract_html)  # in its place: the key is there, None
    return record


@recent  # a paper's papers.json entry and its fragment item, made one after the other (export_pieces), share it
def _shown(paper, site: Site) -> dict:
    """``paper_record`` without the abstract; never changed (``paper_record`` gives copies)."""
    url = site.config.url
    venue = venue_of(paper, site.config.option("venue_colors", ()))
    return {
        "title": paper.title_text,
        "title_html": str(paper.title_html),
        "authors": list(paper.author_names),
        "et_al": paper.et_al,
        "date": paper.date.iso,
        "date_display": paper.date.display(),
        "year": paper.year,
        "type": entry_type(paper),
        "venue": {"badge": venue.badge, "line": venue.line, "note": venue.note, "color": venue.color or None,
                  "ink": ink(venue.color) or None if venue.color else None}
        if (venue.badge or venue.line) else None,
        "category": {"code": paper.category, "name": paper.category_name or paper.category}
        if paper.category else None,
        "tags": [ref.name for ref in paper.tags],
        "affiliation": paper.affiliation,
        "links": dict(paper.links),
        # the row of buttons in the site's order; a relative link is from the site root, as ``url`` is
        "buttons": [{"kind": b.kind, "label": b.label, "url": href(b.url, url or "")} for b in link_buttons(paper)],
        "code_released": code_released(paper),
        "abstract_html": None,
        "url": public_url(url, paper.url) or paper.url,
        "owner": [author.is_owner for author in paper.authors],
    }


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # json.dumps would make one per call


def _compact(data: object) -> str:
    return _escape(_COMPACT.encode(data))


def _escape(text: str) -> str:
    """``<``, ``>``, ``&``, U+2028 and U+2029 of JSON text as escapes: safe inside ``<script>`` and HTML.

    Each replacement is made only when its character is there: ``str.replace`` counts a character one code
    point at a time, while ``in`` finds it with ``memchr``; most texts (plain abstracts, search entries) have
    none of the three, and many are two-byte strings (Greek letters, math), where the count is the slower."""
    if "<" in text:
        text = text.replace("<", "\\u003c")
    if ">" in text:
        text = text.replace(">", "\\u003e")
    if "&" in text:
        text = text.replace("&", "\\u0026")
    if "\u2028" in text or "\u2029" in text:  # rare: no copies made for them
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text


# Each whole-site export is written as a stream of chunks (a large site's papers.json is hundreds of
# megabytes: it is never one string), joined when wanted whole.

def papers_json(site: Site, texts=None, keep: bool = False) -> Iterator[bytes]:
    """Every paper, newest first, keys in a fixed order (the schema is in the README); one paper a line.

    ``texts`` (``render.PaperTexts``) holds the pieces made already: each paper's is made once per build (by the
    worker that rendered its page), and, with ``keep``, kept for a rebuild, which makes only the pieces of the
    papers that changed."""
    generated = max((p.updated for p in site.papers), default=None)
    head = _compact({"version": SCHEMA_VERSION, "generated": generated, "title": site.config.title,
                     "url": site.config.url})
    yield (head[:-1] + ',"papers":[\n').encode("utf-8")
    yield from _joined(_pieces(site, "json:", texts, keep), b",\n")
    yield b"\n]}\n"


def fragment_html(site: Site, texts=None, keep: bool = False) -> Iterator[bytes]:
    """The list as a plain HTML fragment for server-side includes: no <html> or <head>, every class pub-.

    Links are absolute when ``url:`` is set, else relative to the fragment's own place (embed/)."""
    yield b'<ul class="pub-list">\n'
    yield from _pieces(site, "fragment:", texts, keep)
    yield b"</ul>\n"


def _fragment_item(site: Site, paper) -> str:
    return fragment_item(_shown(paper, site), "" if site.config.url else "../")


def fragment_item(p: dict, prefix: str = "") -> str:
    """One paper of the fragment, from its papers.json entry ``p``: title and venue badge, authors (the owner in
    <strong>), the meta line (venue, the date as lists show it, category, affiliation) and the row of link
    buttons. ``prefix`` leads from the fragment to the site root for links that are not absolute.

    The builder page makes the same markup from the same entries in the browser (embed.js,
    ``PublicationList.fragment``); a test holds the two equal."""
    esc = html.escape

    def link(url: str) -> str:
        return esc(url if _SCHEME_RE.match(url) else prefix + url)

    venue = p["venue"] or {}
    title = f'<a class="pub-title" href="{link(p["url"])}">{p["title_html"]}</a>'
    if venue.get("badge"):
        title += f' <span class="pub-badge">{esc(venue["badge"])}</span>'
    authors = ", ".join(f'<strong class="pub-owner">{esc(name)}</strong>' if owner else esc(name)
                        for name, owner in zip(p["authors"], p["owner"]))
    if p["et_al"]:
        authors += " et al."
    meta = []
    if venue.get("line"):
        note = f' ({venue["note"]})' if venue["note"] else ""
        meta.append(f'<span class="pub-venue">{esc(venue["line"] + note)}</span>')
    meta.append(f'<time datetime="{esc(p["date"])}">{esc(short_date(p["date"]))}</time>')
    if p["category"]:
        meta.append(esc(p["category"]["name"]))
    if p["affiliation"]:
        meta.append(esc(p["affiliation"]))
    buttons = [f'<a class="pub-link pub-link-{esc(b["kind"].lower().replace(" ", "-"))}" href="{link(b["url"])}">'
               f'{esc(b["label"])}</a>' for b in p["buttons"]]
    if p["code_released"]:
        buttons.append('<span class="pub-code-released">Code released</span>')
    row = f'\n    <div class="pub-links">{" ".join(buttons)}</div>' if buttons else ""
    return strip_invalid_characters(
        f'  <li class="pub-item">\n    {title}\n    <div class="pub-authors">{authors}</div>\n'
        f'    <div class="pub-meta">{" · ".join(meta)}</div>{row}\n  </li>\n')


def short_date(iso: str) -> str:
    """``2024-06-24`` as lists show it: ``Jun 24, 2024`` (``Jun 2024``, ``2024``: as precise as the record)."""
    return PartialDate.parse(iso).display(short=True)


def jsonld(paper, site_url: str | None) -> str:
    """schema.org ScholarlyArticle for a paper page, safe to put inside <script type="application/ld+json">."""
    facts = ids(paper)
    page = public_url(site_url, paper.url) or None
    title = paper.title_text
    data = {
        "@context": "https://schema.org",
        "@type": TYPES[facts.kind].schema_org,
        "name": title,
        "headline": title if len(title) <= 110 else title[:109] + "…",
        "author": [{"@type": "Organization" if split_name(a.name).is_literal else "Person", "name": a.name}
                   for a in paper.authors],
        "datePublished": paper.date.iso,
        "abstract": abstract_text(paper),
        "keywords": [ref.name for ref in paper.tags],
    }
    if page:
        data["url"] = page
    same_as = [url for _name, url in paper.record.links if url.startswith(("http://", "https://"))]
    if same_as:
        data["sameAs"] = same_as
    venue = field(paper.record, "venue")
    if venue:
        data["isPartOf"] = {"@type": "Periodical" if facts.kind == "journal-article" else "CreativeWork",
                            "name": " ".join(str(venue).split())}
    publisher = field(paper.record, "publisher")
    if publisher:
        data["publisher"] = {"@type": "Organization", "name": " ".join(str(publisher).split())}
    if facts.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": facts.doi}
    return _compact(data)


def papers_bib(site: Site, texts=None, keep: bool = False) -> Iterator[bytes]:
    """Every paper as BibTeX, newest first."""
    return _joined(_pieces(site, "bib:", texts, keep), b"\n")


def search_index(site: Site, texts=None, keep: bool = False) -> Iterator[bytes]:
    """A compact index of every paper for the search box of a paginated site: title, authors, year,
    tag slugs, page URL and the text searched (title, authors, tags, abstract)."""
    yield b'{"papers":[\n'
    yield from _joined(_pieces(site, "search:", texts, keep), b",\n")
    yield b"\n]}\n"


def _joined(pieces: Iterator[bytes], separator: bytes) -> Iterator[bytes]:
    """``separator.join(pieces)``, in chunks."""
    for n, piece in enumerate(pieces):
        yield separator + piece if n else piece


def _search_entry(site: Site, paper) -> str:
    """The paper's entry in the search index. Its abstract's text is ``presentation.abstract_text``: made once for
    the paper whose page was just rendered (the build makes a paper's pieces right after its page), where
    ``paper.abstract_text`` would unpack and strip the HTML again (~25 µs)."""
    authors = ", ".join(a.name for a in paper.authors) + (" et al." if paper.record.et_al else "")
    tags = " ".join(ref.slug for ref in paper.tags)
    title = paper.title_text
    return _compact({"title": title, "authors": authors, "year": paper.year, "tags": tags, "url": paper.url,
                     "text": " ".join((title, authors, " ".join(r.name for r in paper.tags), abstract_text(paper)))})


def _bib_entry(site: Site, paper) -> str:
    return bibtex(paper)


def _json_entry(site: Site, paper) -> str:
    return _compact(paper_record(site, paper))


# Each whole-site export is made of one piece per paper, kept (UTF-8) in ``render.PaperTexts`` by the paper's
# fingerprint and the kind of piece. A paper's "bib:" piece is its BibTeX, the same text list items and the Cite
# box show (``render.BIBTEX``).
PIECES = {"json:": _json_entry, "search:": _search_entry, "bib:": _bib_entry, "fragment:": _fragment_item}


def _pieces(site: Site, kind: str, texts=None, keep: bool = False) -> Iterator[bytes]:
    """Each paper's piece of kind ``kind``, UTF-8."""
    make = PIECES[kind]
    get = texts.get if texts is not None else None
    for paper in site.papers:
        key = paper.fingerprint
        kept = get(key, kind) if get is not None and key else None
        if kept is not None:
            yield kept
            continue
        text = make(site, paper).encode("utf-8", "surrogatepass")
        if keep and texts is not None and key:
            texts.put(key, kind, text)
        yield text


# The whole-site exports by the name a page of the plan gives (``Page.context["export"]``).
EXPORTS = {"search_index": search_index, "papers_bib": papers_bib, "papers_json": papers_json,
           "fragment_html": fragment_html}
EXPORT_PIECES = {"search_index": "search:", "papers_bib": "bib:", "papers_json": "json:", "fragment_html": "fragment:"}
