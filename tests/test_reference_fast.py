"""The Cite box's formatted reference without citeproc-py's cost (issues 16 and 17).

The default style's references are written by ``site_builder/apa.py``; these tests hold its output equal,
byte for byte, to citeproc-py's with the packaged apa.csl on the repository's own papers, every record of
the real corpus (tests/data/real/) and generated items of every type and field combination ``csl_item``
makes. Items it does not cover, and every other style, go to citeproc-py, whose references are kept on
disk between builds."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nh3
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from site_builder import apa, csl
from site_builder.build import load_site
from site_builder.citations import TYPES, csl_item, csl_name, split_name
from site_builder.config import load_config
from test_real_sources import EXPECTED

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real"


@pytest.fixture(scope="module")
def apa_style():
    return csl.load_style("apa", ROOT)


def citeproc(item: dict, style) -> str:
    return str(csl.format_reference(item, style))


def fast(item: dict) -> str:
    return str(csl.reference_html(item, "apa", ROOT))


def test_the_fast_path_is_on_for_the_installed_apa_csl_and_citeproc_py():
    """apa.py was checked against these versions; another apa.csl or citeproc-py turns it off (so the
    references stay right but cost citeproc-py's 20-30 ms again): this test says so, to check it again."""
    path = csl.style_path("apa", ROOT)
    assert csl._style_key(str(path), path.stat().st_mtime).fast


def _papers(root: Path):
    site, problems = load_site(load_config(root))
    return site.papers


def test_every_paper_of_this_repository_is_on_the_fast_path_and_equal_to_citeproc(apa_style):
    papers = _papers(ROOT)
    assert len(papers) >= 33
    for paper in papers:
        item = csl_item(paper)
        assert apa.apa_reference(item) is not None, item
        assert fast(item) == citeproc(item, apa_style), item


@pytest.mark.slow  # 15 imports: ~4 s of CPU
def test_every_record_of_the_real_corpus_equals_citeproc(tmp_path, run, apa_style):
    """Each real file imported into a site of its own (as tests/test_real_sources.py does)."""
    files = sorted(p for p in REAL.iterdir() if p.suffix in (".bib", ".json"))
    assert {p.name for p in files} == set(EXPECTED)
    total = covered = 0
    for path in files:
        site = tmp_path / path.name
        (site / "seeds").mkdir(parents=True)
        (site / "site.yaml").write_text("title: T\n")
        shutil.copy(path, site / "seeds" / path.name)
        assert "Traceback" not in run(site, "import", "--quiet").err
        papers = _papers(site)
        assert len(papers) == EXPECTED[path.name][1]  # every record the file gives
        for paper in papers:
            item = csl_item(paper)
            total += 1
            covered += apa.apa_reference(item) is not None
            assert fast(item) == citeproc(item, apa_style), (path.name, item)
    assert total >= 80
    assert covered >= total // 2  # the fast path is taken, not only the fallback (68 of 88 when written)


# ---------------------------------------------------------------- generated items

NAME_WORDS = ["van", "der", "de", "la", "von", "Jr.", "III", "García", "Márquez", "O'Brien", "Zoë", "Ñúñez", "李",
              "小林", "Müller", "Sandoval-Segura", "Klaas-Jan", "hung-chung", "J.", "A.B.", "CL", "Consortium", "Team",
              "OpenAI", "Ada", "Lovelace", "Smith", "d'Alembert", "Åsa", "Lee^", "Ibn", "al", "İlker", "ß", "Ǆemal"]
names = st.one_of(
    st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=4).map(" ".join),
    st.sampled_from(["{The ENCODE Project Consortium}", "Barnes and Noble", "Smith, John", "van der Berg, Jan",
                     "King, Jr., Martin Luther", "Gemma-Team", "The LIGO Scientific Collaboration"]),
    st.text(st.characters(codec="utf-8", categories=("L", "Zs")), min_size=1, max_size=12))
# a name as csl_item writes it (split_name, then csl_name); names that split to nothing are never written
people = names.map(lambda text: csl_name(split_name(text))).filter(lambda n: n.get("family", "x") and n.get("literal", "x"))
TITLE_WORDS = ["Lottery Tickets", "on", "ℓ₁", "Sparsity", ":", "a", "Study", "?", "!", ".", '"Quoted"', "'single'",
               "<i>x</i>", "a < b", "AT&T", "of", "the", "α-β", "LLMs", "(+/-)-Catechin", "e.g.", "...", "—",
               '<span class="nocase">iPhone</span>', "x²", "über", "naïve", "Ω(n log n)", "via", "and", "i.e.,",
               "\u00a0", "tab\there"]
titles = st.one_of(st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=8).map(" ".join),
                   st.text(min_size=1, max_size=30).map(lambda s: " ".join(s.split())).filter(bool))
texts = st.one_of(st.sampled_from(["Journal of chemical ecology", "NeurIPS", "Proceedings of the 39th ICML", "arXiv",
                                   "the journal of things", "IEEE Trans. on Pattern Analysis", "AT&T Research",
                                   "Advances in neural information processing systems"]), titles)
numbers = st.one_of(st.sampled_from(["1", "22", "abs/2412.20114", "203/2006", "7", "S1", "12A", "TR-1", "II"]),
                    st.integers(1, 999).map(str), titles)
pages = st.one_of(st.sampled_from(["1-35", "100-110", "12794-7", "295", "e1234", "1-2-3", "1,3", "4 & 5", "A1-A9"]),
                  st.tuples(st.integers(1, 2000), st.integers(1, 2000)).map(lambda t: f"{t[0]}-{t[1]}"))
dates = st.one_of(st.tuples(st.integers(1000, 2030)).map(list),
                  st.tuples(st.integers(1000, 2030), st.integers(1, 12)).map(list),
                  st.tuples(st.integers(1000, 2030), st.integers(1, 12), st.integers(1, 28)).map(list),
                  st.tuples(st.integers(1, 999)).map(list))
arxiv_ids = st.sampled_from(["2406.16797", "2601.10343", "hep-th/9901001"])
CSL_TYPES = sorted({t.csl for t in TYPES.values()})
FAST_TYPES = ["article", "article-journal", "paper-conference"]


@st.composite
def csl_items(draw, kinds=CSL_TYPES, extras=True):
    """Items with the keys and value shapes csl_item writes (issue only for journal articles, an arXiv
    number when there is no other, the URL from the DOI when there is one); ``extras``: the fields the
    fast path leaves to citeproc-py (editors, publisher, ISBN, ...)."""
    kind = draw(st.sampled_from(kinds))
    item = {"id": "key", "type": kind, "title": draw(titles)}
    n = draw(st.sampled_from([0, 1, 1, 2, 2, 3, 5, 19, 20, 21, 25]))
    if n:
        item["author"] = draw(st.lists(people, min_size=n, max_size=n))
    if extras and draw(st.integers(0, 5)) == 0:
        item["editor"] = draw(st.lists(people, min_size=1, max_size=3))
    item["issued"] = {"date-parts": [draw(dates)]}
    if draw(st.booleans()):
        item["container-title"] = draw(texts)
    if draw(st.integers(0, 3)) == 0:
        item["container-title-short"] = draw(st.sampled_from(["JMLR", "ICML 2024", "arXiv 2024"]))
    if draw(st.booleans()):
        item["volume"] = draw(numbers)
    if draw(st.booleans()):
        item["issue" if kind == "article-journal" else "number"] = draw(numbers)
    arxiv = draw(st.one_of(st.none(), arxiv_ids))
    if arxiv and "number" not in item:
        item["number"] = "arXiv:" + arxiv
    if draw(st.booleans()):
        item["page"] = draw(pages)
    for key in ("publisher", "publisher-place", "ISBN", "ISSN", "edition", "collection-title", "note"):
        if extras and draw(st.integers(0, 9)) == 0:
            item[key] = draw(texts)
    doi = draw(st.one_of(st.none(), st.sampled_from(["10.5555/jmlr.2021.7", "10.1023/A:1020552932566", "10.1/x<y>&z"])))
    url = draw(st.one_of(st.none(), st.just("https://example.org/a?b=1&c=2"), arxiv_ids.map("https://arxiv.org/abs/{}".format)))
    if doi:
        item["DOI"], item["URL"] = doi, "https://doi.org/" + doi
    elif url:
        item["URL"] = url
    return item


def _person(family: str, given: str | None = None, **more) -> dict:
    return {"family": family, **({"given": given} if given else {}), **more}


# The brief's cases, written out so that each is run whatever hypothesis draws.
ADA = _person("Lovelace", "Ada")
CASES = [
    {"type": "article", "title": "Solo", "author": [ADA], "issued": {"date-parts": [[2024]]}},
    {"type": "article", "title": "Two", "author": [ADA, _person("Turing", "Alan")], "issued": {"date-parts": [[2024, 5]]},
     "number": "arXiv:2406.16797", "URL": "https://arxiv.org/abs/2406.16797"},
    {"type": "article-journal", "title": "Twenty", "author": [_person(f"N{i}", "Ann Beth") for i in range(20)],
     "issued": {"date-parts": [[2021, 3, 4]]}, "container-title": "Journal of machine learning research",
     "volume": "22", "issue": "7", "page": "1-35", "publisher": "JMLR.org", "ISSN": "1532-4435", "DOI": "10.5555/jmlr.2021.7", "URL": "https://doi.org/10.5555/jmlr.2021.7"},
    {"type": "article-journal", "title": "Twenty-one: APA's ellipsis?", "author": [_person(f"N{i}", "Bo") for i in range(21)],
     "issued": {"date-parts": [[2021]]}, "container-title": "J", "page": "5"},
    {"type": "paper-conference", "title": "Particles, “quotes” and $\\ell_1$.", "issued": {"date-parts": [[2022, 7, 1]]},
     "author": [_person("Berg", "Jan", **{"non-dropping-particle": "van der"}), {"literal": "The ENCODE Project Consortium"},
                _person("King", "Martin Luther", suffix="Jr."), _person("García Márquez", "Gabriel"), _person("李", "小林")],
     "container-title": "Proceedings of the 39th international conference on machine learning"},
    {"type": "paper-conference", "title": "With pages", "author": [ADA], "issued": {"date-parts": [[2022, 7, 1]]},
     "container-title": "ICML", "volume": "162", "page": "100-110", "URL": "https://proceedings.mlr.press/v162/x.html"},
    {"type": "paper-conference", "title": "In a series", "author": [ADA], "issued": {"date-parts": [[2019, 6]]},
     "container-title": "proceedings of the 36th ICML", "collection-title": "proceedings of machine learning research",
     "volume": "97", "page": "1-9", "publisher": "PMLR", "publisher-place": "Long Beach"},
    {"type": "article-journal", "title": "A series, no journal", "author": [ADA], "issued": {"date-parts": [[2019]]},
     "collection-title": "second series", "issue": "3"},
    {"type": "article", "title": "In a collection", "author": [ADA], "issued": {"date-parts": [[2020, 2]]},
     "container-title": "arXiv", "volume": "abs/2412.20114", "number": "7", "page": "3-9"},
    {"type": "paper-conference", "title": "With a note", "author": [ADA], "issued": {"date-parts": [[2024, 12]]},
     "container-title": "NeurIPS", "note": "Spotlight & <b>oral</b>"},
    {"type": "article-journal", "title": "A note that looks like more", "author": [ADA], "issued": {"date-parts": [[2024]]},
     "container-title": "J", "note": " ,original-date: 1900\nissued: 1901"},
    {"type": "article", "title": "A preprint's note", "author": [ADA], "issued": {"date-parts": [[2024]]}, "note": "."},
]
FALLBACK_CASES = [
    {"type": "article", "title": "No author", "issued": {"date-parts": [[2024]]}},
    {"type": "article", "title": "No date", "author": [ADA]},
    {"type": "article", "title": "Year 999", "author": [ADA], "issued": {"date-parts": [[999]]}},
    {"type": "book", "title": "A Book", "author": [ADA], "issued": {"date-parts": [[2009]]}, "publisher": "O'Reilly",
     "edition": "2", "volume": "1", "ISBN": "978-0-596-51798-4"},
    {"type": "chapter", "title": "A Chapter", "author": [ADA], "editor": [_person("Damiani", "Ernesto")],
     "issued": {"date-parts": [[2006]]}, "container-title": "IFIP", "page": "57-62", "publisher": "Springer"},
    {"type": "article", "title": "A preprint with a publisher", "author": [ADA], "issued": {"date-parts": [[2006]]},
     "container-title": "J", "publisher": "P"},
    {"type": "article", "title": '<span class="nocase">iPhone</span> apps', "author": [ADA], "issued": {"date-parts": [[2006]]}},
]


def _checked(item: dict, apa_style, taken: list) -> None:
    item = {"id": "key", **item}
    if apa.apa_reference(item) is not None:
        taken.append(item["type"])
    assert fast(item) == citeproc(item, apa_style), item


@pytest.mark.parametrize("item", CASES, ids=[c["title"] for c in CASES])
def test_the_briefs_cases_take_the_fast_path_and_equal_citeproc(item, apa_style):
    taken: list = []
    _checked(item, apa_style, taken)
    assert taken


@pytest.mark.parametrize("item", FALLBACK_CASES, ids=[c["title"] for c in FALLBACK_CASES])
def test_a_shape_the_fast_path_does_not_cover_goes_to_citeproc(item, apa_style):
    assert apa.apa_reference({"id": "key", **item}) is None
    assert fast({"id": "key", **item}) == citeproc({"id": "key", **item}, apa_style)


@pytest.mark.slow  # left out of make test-fast: every generated item through citeproc-py
def test_generated_items_of_the_fast_types_equal_citeproc(apa_style):
    taken: list = []

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(csl_items(kinds=FAST_TYPES, extras=False))
    def check(item):
        _checked(item, apa_style, taken)

    check()
    # the fast path is taken (about half the items when written: the others have no author, a year before
    # 1000, a nocase span, ...; hypothesis favours the simplest draws, so the share varies from run to run)
    assert len(taken) >= 10, taken  # 17 to 49 in 30 runs of 60 (every type: the cases above and the real corpus)


@pytest.mark.slow  # citeproc-py on every example: ~3 s of CPU
def test_generated_items_of_every_type_equal_citeproc_whichever_path(apa_style):
    taken: list = []

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(csl_items())
    def check(item):
        _checked(item, apa_style, taken)

    check()


def test_text_the_fast_path_calls_clean_is_left_unchanged_by_the_sanitizer():
    """apa.py skips nh3 when every string is printable and has no <, > or &: true of every such code point."""
    inert = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000 and apa._inert(chr(c))]
    assert len(inert) > 100_000 and not any(apa._inert(c) for c in "<>&\u00a0\r\n\t\x00")
    for start in range(0, len(inert), 20_000):
        text = "x" + "".join(inert[start:start + 20_000])
        assert nh3.clean(text, tags=csl._ALLOWED, attributes={}) == text


# ---------------------------------------------------------------- other styles: citeproc-py, kept on disk

def test_another_style_is_made_by_citeproc_and_read_back_from_the_cache(tmp_path, monkeypatch):
    item = {"id": "key", **CASES[2]}
    expected = str(csl.format_reference(item, csl.load_style("ieee", ROOT)))
    first = csl.reference_html(item, "ieee", ROOT, tmp_path)
    assert str(first) == expected and "Lovelace" not in expected and "N0" in expected
    files = list((tmp_path / "references").rglob("*.html"))
    assert len(files) == 1 and files[0].read_text(encoding="utf-8") == expected

    csl._cited.cache_clear()  # a new process: only the disk remembers

    def refuse(*args):
        raise AssertionError("citeproc-py asked again")

    monkeypatch.setattr(csl, "format_reference", refuse)
    assert str(csl.reference_html(item, "ieee", ROOT, tmp_path)) == expected
    with pytest.raises(AssertionError, match="asked again"):  # another item is not taken from the cache
        csl.reference_html({**item, "title": "Another"}, "ieee", ROOT, tmp_path)


def test_the_cache_key_follows_the_style_file(tmp_path):
    """A site's own .csl that changes gets new references, not the old ones from the cache."""
    site = tmp_path / "site"
    site.mkdir()
    source = csl.style_path("ieee", ROOT).read_text(encoding="utf-8")
    (site / "my.csl").write_text(source, encoding="utf-8")
    item = {"id": "key", **CASES[1]}
    before = str(csl.reference_html(item, "my.csl", site, tmp_path / "cache"))
    changed = source.replace('<layout>', '<layout prefix="CHANGED ">', 1) if '<layout>' in source else None
    assert changed and changed != source
    (site / "my.csl").write_text(changed, encoding="utf-8")
    import os
    os.utime(site / "my.csl", (1, 1))  # a new stamp, whatever the clock's resolution
    after = str(csl.reference_html(item, "my.csl", site, tmp_path / "cache"))
    assert before != after and len(list((tmp_path / "cache" / "references").rglob("*.html"))) == 2


def test_a_site_in_another_style_builds_its_references_once(tmp_path, run, monkeypatch):
    """The build hands its cache folder to the Cite box: a second build of every page asks citeproc-py nothing."""
    from conftest import SMALL_CONFIG, make_site

    site = make_site(tmp_path / "site", config=SMALL_CONFIG + "citation_style: ieee\n")
    assert run(site, "import").code == 0
    assert run(site, "build").code == 0
    cached = sorted((site / ".cache" / "site-builder" / "references").rglob("*.html"))
    assert len(cached) == 3  # one per paper
    page = sorted((site / "output" / "papers").glob("*/index.html"))[0].read_text(encoding="utf-8")
    assert any(p.read_text(encoding="utf-8") in page for p in cached)

    csl._cited.cache_clear()
    monkeypatch.setattr(csl, "format_reference", lambda *a: (_ for _ in ()).throw(AssertionError("citeproc-py asked")))
    result = run(site, "build", "--clean")  # every page rendered again
    assert result.code == 0, result.err
    assert page == sorted((site / "output" / "papers").glob("*/index.html"))[0].read_text(encoding="utf-8")
