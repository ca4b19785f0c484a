"""Issue 18 item 11: a paper with 2,000 authors. Each of its authors has a page listing it, and so do the index,
tag and year lists: with the whole byline in every list item, and every co-author on every author page, one
such paper wrote about 860 MB. A list item now shows a shortened byline (the first names, the owner, the
members and the author whose page it is, then "and N more", a link to the paper page), an author page its
first co-authors and how many more; the paper page and the exports keep every name.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from site_builder.presentation import BYLINE_FIRST, BYLINE_LIMIT, byline
from site_builder.site import COAUTHORS_SHOWN

AUTHORS = 2000
FIRST = "Ada Alan Grace Mary Emmy Kurt Sofia Niels Lise Paul Marie Carl Hedy John Rosalind Max Ida Otto Rita Hans".split()
NAMES = [f"{FIRST[i % 20]} Member{i // 20:03d}" for i in range(AUTHORS)]
OWNER_AT, MEMBER_AT, FOCUS_AT = 1200, 700, 1499  # the 1,500th author's page is checked
NAMES[OWNER_AT] = "Ada Lovelace"
# The bound. Each of the 2,000 author pages holds a page frame (~5 KB), COAUTHORS_SHOWN co-authors (~100 bytes
# each) and one list item with a shortened byline (~2 KB): under 16 KB. The paper page, the exports (BibTeX,
# RIS, CSL-JSON, papers.json), search.json, the feeds, the sitemap and the authors index hold each name a fixed
# number of times, about 4 MB together. So 2,000 x 16 KB + 8 MB = 40 MB; the site measured 18.7 MB (2,031
# files), against about 860 MB before.
PAGE_BOUND = 16_000
TOTAL_BOUND = AUTHORS * PAGE_BOUND + 8_000_000


def author(name: str, slug: str, owner: bool = False, member: bool = False) -> SimpleNamespace:
    return SimpleNamespace(name=name, slug=slug, is_owner=owner, is_member=member)


def test_a_short_byline_is_shown_whole_and_a_long_one_keeps_the_owner_members_and_the_pages_author():
    short = SimpleNamespace(authors=tuple(author(f"A{i}", f"a{i}") for i in range(BYLINE_LIMIT)))
    assert byline(short, "a3").names == short.authors and byline(short).more == 0
    people = [author(f"A{i}", f"a{i}") for i in range(40)]
    people[20] = author("Owner", "owner", owner=True)
    people[21] = author("Member", "member", member=True)
    paper = SimpleNamespace(authors=tuple(people))
    shown = byline(paper, "a30")
    assert shown.names == (*people[:BYLINE_FIRST], None, people[20], people[21], None, people[30])
    assert shown.more == 40 - BYLINE_FIRST - 3
    last = byline(paper, "a39")  # the last one: a gap before it, none after
    assert last.names[-2:] == (None, people[39]) and last.more == 40 - BYLINE_FIRST - 3
    assert byline(paper, "a5").names == (*people[:BYLINE_FIRST], None, people[20], people[21])  # already shown


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("bylines") / "site"
    (site / "content" / "papers").mkdir(parents=True)
    (site / "site.yaml").write_text("title: Big Lab\nurl: https://lab.example.org/pubs/\nowner: Ada Lovelace\n"
                                    f"members: [{NAMES[MEMBER_AT]}]\n")
    (site / "content" / "papers" / "big.md").write_text(
        "---\ntitle: A Measurement by a Large Collaboration\nauthors:\n" + "".join(f"  - {n}\n" for n in NAMES)
        + "date: 2024-05\ntype: journal-article\nvenue: Physical Review Letters\ntags: [physics, detectors]\n---\n\n"
        "We measured a thing.\n")
    for i in range(3):
        (site / "content" / "papers" / f"small-{i}.md").write_text(
            f"---\ntitle: Small paper {i}\nauthors:\n  - Ada Lovelace\n  - {NAMES[i * 300]}\ndate: 2023-0{i + 1}\n"
            "tags: [physics]\n---\n\nSmall.\n")
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet"], cwd=site, capture_output=True,
                          text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr
    return site / "output"


def byline_of(html: str) -> str:
    return re.search(r'<p class="byline">(.*?)</p>', html, re.S).group(1)


def linked_names(fragment: str) -> list[str]:
    return re.findall(r'<a class="author[^"]*" href="[^"]*authors/[^"/]+/index.html">([^<]+)</a>', fragment)


@pytest.mark.slow
def test_one_paper_with_2000_authors_makes_a_site_of_proportionate_size(big_site):
    sizes = {p.relative_to(big_site).as_posix(): p.stat().st_size for p in big_site.rglob("*") if p.is_file()}
    author_pages = {url: size for url, size in sizes.items() if re.fullmatch(r"authors/[^/]+/index\.html", url)}
    assert len(author_pages) == AUTHORS
    assert max(author_pages.values()) < PAGE_BOUND, max(author_pages.items(), key=lambda item: item[1])
    assert sum(sizes.values()) < TOTAL_BOUND, sum(sizes.values())
    # search data and feeds name each author once per paper (per feed), not once per page
    assert sizes["search.json"] < 200_000 and json.loads((big_site / "search.json").read_text())
    for feed in ("feed.xml", "tags/physics/feed.xml", "tags/detectors/feed.xml"):
        assert sizes[feed] < 200_000, feed


@pytest.mark.slow
def test_the_paper_page_and_the_exports_keep_every_name(big_site):
    page = (big_site / "papers" / "big" / "index.html").read_text()
    assert linked_names(re.search(r'<span class="authors">(.*?)</span>\s*</p>', page, re.S).group(1)) == NAMES
    assert "more-authors" not in page
    bib = (big_site / "papers.bib").read_text()
    field = re.search(r"author = \{(Member000, Ada and .*?)\},?\n", bib).group(1)
    assert field.split(" and ") == [f"{n.split()[1]}, {n.split()[0]}" for n in NAMES]
    data = json.loads((big_site / "papers.json").read_text())
    big = next(p for p in (data["papers"] if isinstance(data, dict) else data) if "Large" in str(p))
    assert len(big["authors"]) == AUTHORS


@pytest.mark.slow
def test_list_items_show_a_short_byline_with_the_owner_the_member_and_the_pages_author(big_site):
    focus = NAMES[FOCUS_AT]
    slug = re.sub(r"[^a-z0-9]+", "-", focus.lower()).strip("-")
    page = (big_site / "authors" / slug / "index.html").read_text()
    assert f"<h1>{focus}</h1>" in page
    item = byline_of(page)
    names = linked_names(item)
    assert names == [*NAMES[:BYLINE_FIRST], NAMES[MEMBER_AT], "Ada Lovelace", focus]
    assert f"and {AUTHORS - len(names):,} more" in item and 'href="../../papers/big/index.html"' in item
    # the co-authors: the first COAUTHORS_SHOWN by name, then how many more
    assert len(re.findall(r'<li><a href="../../authors/', page)) == COAUTHORS_SHOWN
    assert f"and {AUTHORS - 1 - COAUTHORS_SHOWN:,} more" in page
    index_item = byline_of((big_site / "index.html").read_text())  # no page author: first names, owner, member
    assert linked_names(index_item) == [*NAMES[:BYLINE_FIRST], NAMES[MEMBER_AT], "Ada Lovelace"]
    assert f"and {AUTHORS - BYLINE_FIRST - 2:,} more" in index_item
