"""What a paper shows in a list and on its page: its venue badge and line, its row of link buttons, author
marks and their legend, tag labels, and links resolved from the site root. Pure functions of the model,
used by the themes' templates (as Jinja globals)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import identifiers
from .recent import recent
from .urls import is_safe_link

# The row of buttons, in this order; any other link name follows, in the record's order, under its own name.
LINK_ORDER = ("pdf", "arxiv", "code", "slides", "video", "poster", "website", "doi", "data")
LINK_LABELS = {
    "pdf": "PDF", "arxiv": "arXiv", "code": "Code", "slides": "Slides", "video": "Video", "poster": "Poster",
    "website": "Website", "doi": "DOI", "data": "Data", "html": "HTML", "supp": "Supplement", "blog": "Blog",
    "url": "Link", "talk": "Talk", "demo": "Demo", "openreview": "OpenReview", "model": "Model",
}
MARKS = "*†‡"
MARK_MEANING = {"*": "equal contribution", "†": "corresponding author", "‡": "see the paper's note"}
_TRAILING_MARKS_RE = re.compile(r"[\s*†‡]+$")
_BADGE_YEAR_RE = re.compile(r"\s*'?(19|20)?\d\d$")
_HAS_YEAR_RE = re.compile(r"(19|20)\d\d|'\d\d$")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # a link with a scheme (https:, mailto:) is absolute


# A list item shows a byline of up to BYLINE_LIMIT names whole; of a longer one, the first BYLINE_FIRST names,
# the owner, the members and the author whose page lists it, and how many more (the paper page shows them all).
# A 2,000-author paper listed on each of its authors' pages would otherwise repeat 2,000 names 2,000 times.
BYLINE_LIMIT = 15
BYLINE_FIRST = 10


@dataclass(frozen=True)
class Byline:
    """What a list item shows of a paper's authors: ``names``, in the paper's order, with None where names
    are left out, and ``more``: how many are left out."""

    names: tuple[Any, ...]
    more: int = 0


def byline(paper: Any, focus: str | None = None) -> Byline:
    """The names a list item shows (see BYLINE_LIMIT); ``focus``: the slug of the author whose page it is."""
    authors = paper.authors
    if len(authors) <= BYLINE_LIMIT:
        return Byline(tuple(authors))
    names: list[Any] = []
    last = -1
    for i, author in enumerate(authors):
        if i < BYLINE_FIRST or author.is_owner or author.is_member or (focus and author.slug == focus):
            if i != last + 1:
                names.append(None)
            names.append(author)
            last = i
    shown = sum(1 for name in names if name is not None)
    return Byline(tuple(names), len(authors) - shown)


def split_marks(name: str) -> tuple[str, str]:
    """``"Ada Lovelace*†"`` -> ``("Ada Lovelace", "*†")``: the name without the marks after it, and the marks."""
    if name and name[-1] not in MARKS and not name[-1].isspace():  # most names: no search ends at their last letter
        return name, ""
    match = _TRAILING_MARKS_RE.search(name)
    if not match or not any(ch in MARKS for ch in match.group(0)):
        return name, ""
    marks = "".join(ch for ch in MARKS if ch in match.group(0))
    return name[:match.start()].rstrip(), marks


@recent
def abstract_text(paper: Any) -> str:
    """``paper.abstract_text`` (the abstract's plain text, made from its HTML each time it is asked for), made
    once for the paper being rendered: its page asks for it seven times."""
    return paper.abstract_text


def field(paper: Any, name: str) -> Any:
    """A record key's value by name: the paper's attribute of that name, else the record's own key of that name
    (``paper.extra``); None when it has neither."""
    value = getattr(paper, name, None)
    if value is None:
        value = (getattr(paper, "extra", None) or {}).get(name)
    return value


def arxiv_of(paper: Any) -> str | None:
    """The paper's arXiv id: the ``arxiv`` key, else one in an arxiv.org link."""
    return identifiers.arxiv_of(paper.arxiv, paper.links)


def href(url: str, root: str) -> str:
    """A link as written in a record or site.yaml, usable from a page whose way to the site root is ``root``:
    a relative path (``static/slides/l1.pdf``) is from the site root on every page."""
    url = str(url).strip()
    if not url or url.startswith("#") or _SCHEME_RE.match(url):
        return url
    return root + url.lstrip("/") if url.startswith("/") and not url.startswith("//") else root + url


@dataclass(frozen=True, slots=True)
class Button:
    kind: str  # pdf, arxiv, code, ... or the record's own name
    label: str
    url: str


@recent  # a list item asks three times
def link_buttons(paper: Any) -> tuple[Button, ...]:
    """The paper's link buttons in a fixed order: from its ``links:``, then its DOI and arXiv id."""
    links: dict[str, str] = {}
    for name, url in paper.links:
        if is_safe_link(url):
            links.setdefault(str(name).strip().lower() if str(name).lower() in LINK_LABELS else str(name), url)
    arxiv = arxiv_of(paper)
    if arxiv:
        links.setdefault("arxiv", "https://arxiv.org/abs/" + arxiv)
        links.setdefault("pdf", "https://arxiv.org/pdf/" + arxiv)
    doi = paper.doi
    if doi:
        links.setdefault("doi", "https://doi.org/" + str(doi).strip())
    known = [k for k in LINK_ORDER if k in links]
    others = [k for k in links if k not in LINK_ORDER]
    return tuple(Button(k, LINK_LABELS.get(k, k), links[k]) for k in known + others)


def code_released(paper: Any) -> bool:
    """``has_code: true`` but no code link: shown as plain text, not as a button."""
    return bool(paper.has_code) and not any(b.kind == "code" for b in link_buttons(paper))


@dataclass(frozen=True, slots=True)
class Venue:
    badge: str  # the short name in the badge ("NeurIPS"), "" for none
    line: str  # what the meta line says ("NeurIPS 2025", "arXiv preprint")
    full: str  # the full venue name for the paper page ("Advances in Neural ..."), "" when it is the line
    note: str  # "Spotlight"
    preprint: bool
    color: str = ""


@recent  # a list item asks twice (badge and meta line)
def venue_of(paper: Any, colors: Any = ()) -> Venue:
    venue = str(paper.venue or "").strip()
    short = str(paper.venue_short or "").strip()
    note = str(paper.note or "").strip()
    kind = str(paper.type or "")
    palette = dict(colors) if colors else {}
    if venue or short:
        label = short or venue
        badge = _BADGE_YEAR_RE.sub("", short or (venue if len(venue) <= 16 else "")) or short
        line = label if _HAS_YEAR_RE.search(label) else f"{label} {paper.year}"
        full = venue if short and venue and venue != short else ""
        color = palette.get(badge, "") or palette.get(short, "") or palette.get(venue, "")
        return Venue(badge, line, full, note, kind == "preprint", color)
    on_arxiv = bool(paper.category or arxiv_of(paper))  # a category says it without looking for an id
    if on_arxiv or kind in ("", "preprint"):
        return Venue("arXiv" if on_arxiv else "", "Preprint", "", note, True, palette.get("arXiv", ""))
    return Venue("", "", "", note, False)


def ink(color: str) -> str:
    """Black or white, whichever reads better on ``color`` (#rgb or #rrggbb)."""
    hexa = color.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(ch * 2 for ch in hexa)
    try:
        r, g, b = (int(hexa[i:i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return ""
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


@recent  # asked again for each marked name
def mark_legend(paper: Any) -> tuple[tuple[str, str], ...]:
    """The marks the paper's author list uses, with what they mean, in a fixed order."""
    used = "".join(a.marks for a in paper.authors if getattr(a, "marks", ""))
    return tuple((m, MARK_MEANING[m]) for m in MARKS if m in used)


def tag_label(tag: Any, category_name: str | None = None) -> str:
    """One spelling per tag everywhere: a category reads as its full name, any other tag as its canonical name.
    ``tag`` is a ``site.Tag`` (its description holds a category's full name) or a ``site.TagRef`` (pass
    the paper's ``category_name``)."""
    if getattr(tag, "kind", "") == "category":
        return category_name or getattr(tag, "description", "") or tag.name
    return tag.name


def date_text(paper: Any, short: bool = False, with_day: bool = True) -> str:
    """The paper's date as the site shows it, at the precision the record gives (a dates.PartialDate)."""
    return paper.date.display(short=short, with_day=with_day)


def date_iso(paper: Any) -> str:
    return paper.date.iso
