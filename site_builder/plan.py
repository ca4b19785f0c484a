"""The page plan: which file is written, from which template, with which context.

A page's context holds only what it shows: papers, tags, authors, year groups, pagination and plain
values. ``data_key`` derives a digest of a context from the fingerprints of what is in it (each model
object says what of it a page can show: ``Paper.fingerprint``, a tag's name and paper count, ...). The
builder combines it with the digests of the templates the page loaded and of the site's configuration;
a page whose key did not change since the last build is not rendered again. No key is written by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from types import MappingProxyType
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit

from .digest import digest
from .site import Author, Paper, Site, Tag, YearGroup, year_groups
from .slugs import slugify

DEFAULT_PAGE_SIZE = 250


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # path in the output folder, e.g. papers/<slug>/index.html
    template: str  # a template name, or TEXT for a file whose context holds its ``text``
    context: Mapping[str, Any]
    root: str | None = None  # how links reach the site root; None: relative to this page
    lastmod: str | None = None  # for the sitemap: the newest date the page shows
    in_sitemap: bool = True


TEXT = "(text)"


@dataclass(frozen=True, slots=True)
class Pagination:
    number: int  # 1-based
    total: int
    urls: tuple[str, ...]  # every page of the list, from the site root

    @property
    def prev_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.total else None


def _page(url: str, template: str, lastmod: str | None = None, **context: Any) -> Page:
    return Page(url, template, MappingProxyType(context), lastmod=lastmod)  # never changed after this


_UPDATED_ON = attrgetter("updated_on")


def _newest(papers: Sequence[Paper]) -> str | None:
    return max(map(_UPDATED_ON, papers), default=None)


def page_size(site: Site) -> int:
    return site.config.paginate or DEFAULT_PAGE_SIZE


def _page_urls(base: str, count: int) -> tuple[str, ...]:
    """``base`` is a folder URL such as '' or 'tags/lg/'."""
    return tuple(f"{base}index.html" if n == 1 else f"{base}page/{n}/index.html" for n in range(1, count + 1))


def _chunks(papers: Sequence[Paper], size: int) -> list[Sequence[Paper]]:
    return [papers[i:i + size] for i in range(0, len(papers), size)] or [papers]


def _category_groups(papers: Sequence[Paper]) -> tuple[YearGroup, ...]:
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(paper.category_name or paper.record.category or "Other", []).append(paper)
    return tuple(YearGroup(ps[0].year, tuple(ps), label, "c-" + slugify(label, fallback="other"))
                 for label, ps in sorted(groups.items(), key=lambda kv: kv[0].casefold()))


def plan_pages(site: Site) -> tuple[Page, ...]:
    """Every page of the site, in a fixed order."""
    size = page_size(site)
    papers = site.papers
    pages: list[Page] = []

    by_category = site.config.option("group_by", "year") == "category"
    ordered = sorted(papers, key=lambda p: ((p.category_name or p.record.category or "Other").casefold(),
                                            *(-part for part in p.date.sort_key), p.title.casefold())) if by_category else papers
    chunks = _chunks(ordered, size)
    urls = _page_urls("", len(chunks))
    groups = [_category_groups(chunk) if by_category else year_groups(chunk) for chunk in chunks]
    year_links: dict[object, str] = {}
    for url, chunk_groups in zip(urls, groups):
        for group in chunk_groups:
            year_links.setdefault(group.heading, f"{url}#{group.id}")
    selected = tuple(p for p in papers if p.record.selected)
    for n, (url, chunk, chunk_groups) in enumerate(zip(urls, chunks, groups), start=1):
        pages.append(_page(url, "index.html", _newest(chunk),
                           papers=tuple(chunk), years=chunk_groups,
                           total=len(papers), selected=selected if n == 1 else (), tags=site.tags,
                           years_all=tuple(g.year for g in site.years), year_links=tuple(year_links.items()),
                           pagination=Pagination(n, len(chunks), urls)))

    for i, paper in enumerate(papers):
        pages.append(_page(paper.url, "paper.html", paper.updated, paper=paper,
                           newer=papers[i - 1] if i > 0 else None,
                           older=papers[i + 1] if i + 1 < len(papers) else None))

    pages.append(_page("tags/index.html", "tags.html", _newest(papers), tags=site.tags))
    for tag in site.tags:
        chunks = _chunks(tag.papers, size)
        urls = _page_urls(f"tags/{tag.slug}/", len(chunks))
        for n, (url, chunk) in enumerate(zip(urls, chunks), start=1):
            pages.append(_page(url, "tag.html", _newest(chunk), tag=tag, papers=tuple(chunk),
                               years=year_groups(chunk), pagination=Pagination(n, len(chunks), urls)))
    pages.append(authors_index(site))
    for author in site.authors:
        chunks = _chunks(author.papers, size)
        urls = _page_urls(f"authors/{author.slug}/", len(chunks))
        for n, (url, chunk) in enumerate(zip(urls, chunks), start=1):
            pages.append(_page(url, "author.html", _newest(chunk), author=author, papers=tuple(chunk),
                               years=year_groups(chunk), pagination=Pagination(n, len(chunks), urls)))
    pages.extend(publishing_pages(site, pages))
    return tuple(pages)


def authors_index(site: Site) -> Page:
    """authors/index.html: everyone with their paper counts; the owner and the members first."""
    members = {n.casefold() for n in site.config.members}
    first = tuple(a for a in site.authors if a.is_owner) + tuple(
        a for a in site.authors if not a.is_owner and a.name.casefold() in members)
    chosen = {a.slug for a in first}
    rest = tuple(sorted((a for a in site.authors if a.slug not in chosen),
                        key=lambda a: (-len(a.papers), a.name.casefold(), a.slug)))
    return _page("authors/index.html", "authors.html", _newest(site.papers), authors=site.authors, first=first,
                 rest=rest)


def publishing_pages(site: Site, pages: list[Page]) -> list[Page]:
    """What GitHub Pages and feed readers need: 404, feeds, sitemap, robots.txt, .nojekyll, CNAME."""
    config = site.config
    embeds = embed_pages(site)
    extra = [
        # From any depth, 404.html reaches the site by its path from the domain root ("/pubs/"): the same
        # on the published site and in the dev server, which serves under that path.
        Page("404.html", "404.html", MappingProxyType({}), root=urlsplit(config.url).path if config.url else "/",
             in_sitemap=False),
        Page(".nojekyll", TEXT, MappingProxyType({"text": ""}), in_sitemap=False),
    ]
    if config.cname:
        extra.append(Page("CNAME", TEXT, MappingProxyType({"text": config.cname + "\n"}), in_sitemap=False))
    if config.url:
        size = config.feed_size
        extra.append(Page("feed.xml", "feed.xml", MappingProxyType({"papers": site.papers[:size], "tag": None}),
                          in_sitemap=False))
        for tag in site.tags:
            extra.append(Page(f"tags/{tag.slug}/feed.xml", "feed.xml",
                              MappingProxyType({"papers": tag.papers[:size], "tag": tag}), in_sitemap=False))
        listed = tuple((p.url, p.lastmod) for p in [*pages, *embeds] if p.in_sitemap)
        extra.append(Page("sitemap.xml", "sitemap.xml", MappingProxyType({"entries": listed}), in_sitemap=False))
    extra.append(Page("robots.txt", "robots.txt", MappingProxyType({}), in_sitemap=False))
    extra.extend(embeds)
    return extra


def embed_pages(site: Site) -> list[Page]:
    """The same list for other sites: papers.json, embed.js, an iframe page, a fragment, a builder page."""
    every = MappingProxyType({"papers": site.papers})
    return [
        Page("search.json", TEXT, MappingProxyType({"export": "search_index", **every}), in_sitemap=False),
        Page("papers.bib", TEXT, MappingProxyType({"export": "papers_bib", **every}), in_sitemap=False),
        Page("papers.json", TEXT, MappingProxyType({"export": "papers_json", **every}), in_sitemap=False),
        Page("embed.js", "embed.js", MappingProxyType({}), in_sitemap=False),
        Page("embed/index.html", "embed/index.html", MappingProxyType({}), in_sitemap=False),
        Page("embed/fragment.html", TEXT, MappingProxyType({"export": "fragment_html", **every}), in_sitemap=False),
        _page("embed/builder.html", "embed/builder.html", _newest(site.papers), tags=site.tags,
              years=tuple(sorted({p.year for p in site.papers}, reverse=True))),
    ]


def data_key(page: Page) -> str:
    """A digest of everything ``page`` can show from its context (and where it links the root from)."""
    parts: list[str] = [page.url, page.template, repr(page.root)]
    context = page.context
    for name in sorted(context):
        parts.append(name)
        value = context[name]
        if type(value) is Paper:  # a paper page's paper, the newer and the older one
            parts.append(value.fingerprint)
        else:
            _key_parts(value, parts)
    return digest(*parts)


_FINGERPRINT = attrgetter("fingerprint")


def _key_parts(value: Any, parts: list[str]) -> None:
    """What a page can show of ``value``, appended to ``parts``. Unknown kinds of value are refused, so that
    a new kind of context value cannot be left out of page keys by mistake."""
    kind = type(value)
    if kind is Paper:
        parts.append(value.fingerprint)
    elif kind is tuple or kind is list or (isinstance(value, (tuple, list)) and not isinstance(value, str)):
        parts.append(f"[{len(value)}")
        for item in value:
            if type(item) is Paper:  # most items: the papers of a list (a dev server rebuild keys every page)
                parts.append(item.fingerprint)
            else:
                _key_parts(item, parts)
        parts.append("]")
    elif isinstance(value, (str, int, float, bool)) or value is None:
        parts.append(repr(value))
    elif kind is YearGroup:
        parts.append(f"group:{value.heading}={value.id}")
        parts.extend(map(_FINGERPRINT, value.papers))
    elif kind is Tag:
        parts.append(f"tag:{value.slug}={value.name}={value.kind}={value.description}={len(value.papers)}")
    elif kind is Author:
        parts.append(f"author:{value.slug}={value.name}={value.is_owner}={len(value.papers)}={value.coauthor_count}")
        parts.extend([f"{name}={slug}={count}" for name, slug, count in value.coauthors])
    elif kind is Pagination:
        parts.append(f"pages:{value.number}/{value.total}")
        parts.extend(value.urls)
    elif isinstance(value, Mapping):
        parts.append(f"{{{len(value)}")
        for k in sorted(value):
            parts.append(str(k))
            _key_parts(value[k], parts)
        parts.append("}")
    else:
        raise TypeError(f"a page context holds a {type(value).__name__}: say in plan.data_key what a page shows of it")
