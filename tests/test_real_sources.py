"""Real .bib and CSL-JSON files other people and tools wrote (tests/data/real/, see SOURCES.md): every entry
is counted, every rejection named with its line, and the fields agree with an independent reading (pybtex with
pylatexenc for BibTeX, the JSON itself for CSL)."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from site_builder.sources import read_source

REAL = Path(__file__).resolve().parent / "data" / "real"
FILES = sorted(p for p in REAL.iterdir() if p.suffix in (".bib", ".json"))
BIB = [p for p in FILES if p.suffix == ".bib"]
CSL = [p for p in FILES if p.suffix == ".json"]
WHEN = dt.date(2026, 1, 1)
SUMMARY_RE = re.compile(r"imported (\d+) entries: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) kept-edited, "
                        r"(\d+) rejected(?:, (\d+) merged duplicates)?")

# What each file gives: (entries in the file, records created, merged, rejected).
EXPECTED = {
    "alfolio-0010ss-papers.bib": (2, 2, 0, 0),
    "alfolio-0x404-papers.bib": (6, 6, 0, 0),
    "alfolio-1zeryu-papers.bib": (4, 4, 0, 0),
    "alfolio-42shawn-papers.bib": (20, 20, 0, 0),
    "bbt-date-export-360-811.csl.json": (7, 4, 0, 3),  # no issued date (t2); years -334 and -100 (BC)
    "bbt-season-ranges-860.csl.json": (2, 2, 0, 0),
    # the same paper as a CoRR preprint, an ECCC report and in proceedings: one record each, 8 versions merged
    "dblp-nutanlimaye-excerpt.bib": (25, 17, 8, 0),
    "hugo-kareem1925-cite.bib": (2, 2, 0, 0),
    "hugo-nickseewald-cite.bib": (1, 1, 0, 0),
    "manubot-test-manual-references.json": (1, 1, 0, 0),
    "mendeley-kenathompson-excerpt.bib": (15, 15, 0, 0),
    "gousios-book.bib": (1, 1, 0, 0),
    "gousios-incollection.bib": (2, 2, 0, 0),
    "gousios-thesis.bib": (2, 2, 0, 0),
    "bitcoin-whitepaper-references.json": (4, 4, 0, 0),
    "bbt-pandoc-citation.csl.json": (4, 4, 0, 0),
    "gbt7714-holography-excerpt.csl.json": (1, 1, 0, 0),
}


# Where our reading and pybtex's differ on purpose: (file, key) -> why ours is right.
KNOWN_DIFFERENCES = {
    ("alfolio-42shawn-papers.bib", "Shang_2022_CVPR_PTQDM"):
        "'Yuan*, Zhihang, and Xie, Bin': a stray comma before 'and' (warned); pybtex keeps it in the name",
}


def entries_in(path: Path) -> int:
    """The entries a file holds, counted without our reader."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return len(json.loads(text))
    return len(re.findall(r"^\s*@(?!string|comment|preamble)\w+\s*[{(]", text, re.MULTILINE | re.IGNORECASE))


def test_the_corpus_is_ten_files_or_more_each_with_its_source():
    sources = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    assert len(FILES) >= 10
    for path in FILES:
        assert f"| {path.name} |" in sources
    assert set(EXPECTED) == {p.name for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_real_file_imports_with_counts_that_add_up(path, tmp_path, run):
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\n")
    shutil.copy(path, site / "seeds" / path.name)
    result = run(site, "import")
    assert "Traceback" not in result.err
    match = SUMMARY_RE.fullmatch(result.out.strip())
    assert match, result.out
    total, created, updated, unchanged, kept, rejected, merged = (int(g or 0) for g in match.groups())
    assert total == entries_in(path) == created + updated + unchanged + kept + rejected + merged
    assert (total, created, merged, rejected) == EXPECTED[path.name]
    assert result.code == (1 if rejected else 0)
    errors = [line for line in result.err.splitlines() if ": warning: " not in line]
    assert len(errors) == rejected
    assert all(re.match(rf"seeds/{re.escape(path.name)}:\d+: .+: not imported$", line) for line in errors), errors
    assert len(list((site / "content" / "papers").glob("*.md"))) == created
    # every record reads back without an error, and a second import changes nothing
    assert run(site, "check").code == 0
    again = run(site, "import")
    assert f"0 created, 0 updated, {created} unchanged" in again.out


def _plain(text: str) -> str:
    """Text compared loosely: accents composed, every kind of space and dash one kind."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u2009", " ")
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return " ".join(text.split())


@pytest.mark.parametrize("path", BIB, ids=[p.name for p in BIB])
def test_bibtex_fields_agree_with_pybtex_and_pylatexenc(path):
    pybtex_database = pytest.importorskip("pybtex.database")
    from pylatexenc.latex2text import LatexNodes2Text

    decode = LatexNodes2Text(math_mode="verbatim").latex_to_text
    theirs = pybtex_database.parse_string(path.read_text(encoding="utf-8"), "bibtex").entries
    ours = {e.citekey: e for e in read_source(path, path.name, WHEN).entries}
    assert set(ours) == set(theirs)
    for key, entry in theirs.items():
        mine = ours[key]
        fields = {k.lower(): v for k, v in entry.fields.items()}
        assert _plain(mine.title) == _plain(decode(fields["title"])), key
        assert mine.date.year == int(fields["year"]), key
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = []
        for person in persons:
            name = " ".join(decode(" ".join(part)) for part in (person.first_names + person.middle_names,
                                                                 person.prelast_names, person.last_names) if part)
            if person.lineage_names:
                name += ", " + decode(" ".join(person.lineage_names))
            names.append(_plain(name))
        names = [n for n in names if n.lower() != "others"]
        if (path.name, key) not in KNOWN_DIFFERENCES:
            assert [_plain(n) for n in mine.authors] == names, key
        assert mine.et_al == any(str(p) == "others" for p in persons), key
        if "doi" in fields and re.search(r"10\.\d+/", fields["doi"]):
            assert mine.doi == re.search(r"10\.\d+/\S+", fields["doi"]).group(0), key
        for name in ("volume", "number", "pages"):
            if fields.get(name, "").strip():
                assert mine.get(name) == fields[name].replace("{", "").replace("}", ""), (key, name)


def _csl_title(title: str) -> str:
    """A CSL title as a record keeps it: the formatting tags as they are, a nocase span as TeX's {...}."""
    return re.sub(r'<span class="nocase">(.*?)</span>', r"{\1}", title)


@pytest.mark.parametrize("path", CSL, ids=[p.name for p in CSL])
def test_csl_fields_agree_with_the_json(path):
    items = json.loads(path.read_text(encoding="utf-8"))
    ours = read_source(path, path.name, WHEN).entries
    by_title = {e.title: e for e in ours}
    for item in items:
        mine = by_title.get(_csl_title(item["title"]))
        parts = (item.get("issued") or {}).get("date-parts")
        year = int(parts[0][0]) if parts else None
        if mine is None:
            assert year is None or year < 1, item["id"]  # the rejected ones: no date, or a year BC
            continue
        assert mine.date.year == year if year else str(mine.date.year) in item["issued"]["literal"], item["id"]
        people = item.get("author") or item.get("editor") or []  # an edited book: its editors stand first
        expected = [" ".join(p[k] for k in ("given", "family") if p.get(k)) or p.get("literal") for p in people]
        assert list(mine.authors) == (expected or ["Anonymous"]), item["id"]
        if item.get("container-title"):
            assert mine.get("venue") == re.sub(r"<[^>]*>", "", item["container-title"])
        for csl, key in (("volume", "volume"), ("issue", "number"), ("page", "pages"), ("DOI", "doi")):
            if item.get(csl):
                assert mine.get(key) == str(item[csl]), (item["id"], csl)
