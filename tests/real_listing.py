"""Real papers in the seed listing format, made from files other people wrote (tests/data/real/listing/).

The papers are read here on their own (PyYAML for the llm-bible records, ElementTree for the
arXiv API feed), then written out as a listing exactly the way the seed and the shared bench's
``gen_corpus.py`` write one: ``<category><Mon> <d>, <yyyy>[Code]``, the title glued to the first
three authors (`` et al.`` when there are more, `` · affiliation`` when the source names one),
and the abstract on one line. ``python tests/real_listing.py`` rewrites
``tests/data/real/listing/arxiv-listing.txt``; a test checks that the file is what this writes.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import yaml

REAL = Path(__file__).resolve().parent / "data" / "real" / "listing"
LISTING = REAL / "arxiv-listing.txt"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
SHOWN = 3  # authors shown before "et al.", as in the seed


@dataclass(frozen=True)
class RealPaper:
    source: str
    title: str
    authors: tuple[str, ...]  # every author the source names
    et_al: bool  # the source itself cuts the list ("Openai et al.")
    category: str
    date: dt.date
    abstract: str
    affiliation: str | None = None

    @property
    def shown_authors(self) -> tuple[str, ...]:
        return self.authors[:SHOWN]

    @property
    def listing_et_al(self) -> bool:
        return self.et_al or len(self.authors) > SHOWN


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _category_code(term: str) -> str:
    """``cs.DB`` -> ``DB``; archives without a two-letter subject: the first two letters (``quant-ph`` -> ``QU``)."""
    subject = term.split(".")[-1]
    return subject.upper() if re.fullmatch(r"[A-Za-z]{2}", subject) else re.sub(r"[^A-Za-z]", "", subject)[:2].upper()


def read_arxiv_feed(path: Path) -> list[RealPaper]:
    papers = []
    for entry in ET.parse(path).getroot().iter(f"{ATOM}entry"):
        authors = entry.findall(f"{ATOM}author")
        affiliation = authors[0].find(f"{ARXIV}affiliation")
        papers.append(RealPaper(
            source=f"{path.name} {entry.findtext(f'{ATOM}id')}",
            title=_one_line(entry.findtext(f"{ATOM}title")),
            authors=tuple(_one_line(a.findtext(f"{ATOM}name")) for a in authors),
            et_al=False,
            category=_category_code(entry.find(f"{ARXIV}primary_category").get("term")),
            date=dt.date.fromisoformat(entry.findtext(f"{ATOM}published")[:10]),
            abstract=_one_line(entry.findtext(f"{ATOM}summary")),
            affiliation=_one_line(affiliation.text) if affiliation is not None else None,
        ))
    return papers


def read_llm_bible(path: Path) -> RealPaper:
    """One ``_publications/*.markdown`` record: YAML front matter, the abstract as the body.

    It gives a year and an arXiv id but no day and no category: the date is the first day of
    the id's month (``2403.08295`` -> 2024-03-01) and the category CL (both stated in SOURCES.md).
    """
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(front)
    names = [n.strip() for n in meta["authors"].split(", ")]
    et_al = names[-1].endswith(" et al.")
    if et_al:
        names[-1] = names[-1][: -len(" et al.")]
    arxiv_id = re.search(r"(\d{2})(\d{2})\.\d{4,5}", meta["additional_links"][0]["url"])
    year, month = 2000 + int(arxiv_id[1]), int(arxiv_id[2])
    assert year == meta["year"], path
    return RealPaper(source=f"llm-bible/{path.name}", title=_one_line(meta["title"]), authors=tuple(names),
                     et_al=et_al, category="CL", date=dt.date(year, month, 1), abstract=_one_line(body))


def real_papers() -> list[RealPaper]:
    papers = read_arxiv_feed(REAL / "arxiv-api-science.xml")
    papers += [read_llm_bible(p) for p in sorted((REAL / "llm-bible").glob("*.markdown"))]
    papers += read_arxiv_feed(REAL / "arxiv-api-testing-excerpt.xml")
    return papers


def listing_entry(paper: RealPaper) -> str:
    code = "Code" if re.search(r"https?://(github\.com|gitlab\.com)/", paper.abstract) else ""
    byline = paper.title + ", ".join(paper.shown_authors) + (" et al." if paper.listing_et_al else "")
    if paper.affiliation:
        byline += f" \u00b7 {paper.affiliation}"
    date = paper.date
    return f"{paper.category}{MONTHS[date.month - 1]} {date.day}, {date.year}{code}\n{byline}\n{paper.abstract}\n"


def listing_text(papers: list[RealPaper]) -> str:
    return "".join(listing_entry(p) for p in papers)


if __name__ == "__main__":
    LISTING.write_text(listing_text(real_papers()), encoding="utf-8", newline="\n")
    print(f"{len(real_papers())} papers -> {LISTING}", file=sys.stderr)
