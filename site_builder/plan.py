"""The page plan: which file is written, from which template, with which context."""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from .citations import bibtex
from .site import Site


@dataclass(frozen=True)
class Page:
    url: str  # path in the output folder, e.g. papers/<slug>/index.html
    template: str
    context: Mapping[str, Any]


def _page(url: str, template: str, **context: Any) -> Page:
    return Page(url, template, MappingProxyType(context))


def plan_pages(site: Site) -> tuple[Page, ...]:
    """Every page of the site, in a fixed order."""
    pages = [_page("index.html", "index.html", years=site.years, papers=site.papers)]
    papers = site.papers
    for i, paper in enumerate(papers):
        pages.append(_page(
            paper.url, "paper.html",
            paper=paper,
            newer=papers[i - 1] if i > 0 else None,
            older=papers[i + 1] if i + 1 < len(papers) else None,
            bibtex=bibtex(paper),
        ))
    pages.append(_page("tags/index.html", "tags.html", tags=site.tags))
    for tag in site.tags:
        pages.append(_page(tag.url, "tag.html", tag=tag))
    return tuple(pages)
