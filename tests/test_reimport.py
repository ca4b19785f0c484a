"""Issue 14, speed: a re-import with nothing changed answers from the state without parsing, and says exactly
what a whole import would say; any change (a source, a hand edit, a deleted record, the state) imports."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SMALL_LISTING, snapshot
from site_builder import importer

PAPERS = Path("content") / "papers"
REAL = Path(__file__).resolve().parent / "data" / "real"


@pytest.fixture
def parses(monkeypatch):
    """Counts the source files an import parses."""
    calls = []
    real = importer.read_source

    def counting(path, label, as_of):
        calls.append(label)
        return real(path, label, as_of)

    monkeypatch.setattr(importer, "read_source", counting)
    return calls


def test_an_unchanged_reimport_does_not_parse_and_changes_no_byte(small_site, run, parses):
    first = run(small_site, "import")
    assert first.out.startswith("imported 3 entries: 3 created") and parses == ["seeds/papers.txt"]
    before = snapshot(small_site)
    mtimes = {p: p.stat().st_mtime_ns for p in (small_site / "content").rglob("*")}
    again = run(small_site, "import")
    assert again.code == 0
    assert again.out == "imported 3 entries: 0 created, 0 updated, 3 unchanged, 0 kept-edited, 0 rejected\n"
    assert parses == ["seeds/papers.txt"]  # not parsed a second time
    assert snapshot(small_site) == before
    assert {p: p.stat().st_mtime_ns for p in (small_site / "content").rglob("*")} == mtimes


def test_a_hand_edit_after_an_import_is_seen_and_kept(small_site, run, parses):
    run(small_site, "import")
    record = small_site / PAPERS / "seeing-things.md"
    record.write_text(record.read_text().replace("title: Seeing Things", "title: Seeing Things Clearly"))
    result = run(small_site, "import")
    assert len(parses) == 2  # the edit made the import read everything
    assert result.out == "imported 3 entries: 0 created, 0 updated, 2 unchanged, 1 kept-edited, 0 rejected\n"
    assert "title: Seeing Things Clearly" in record.read_text()
    # and the next import, with the edit still there, answers from the state with the same counts
    assert run(small_site, "import").out == result.out and len(parses) == 2


def test_a_deleted_record_is_seen_and_made_again(small_site, run, parses):
    run(small_site, "import")
    record = small_site / PAPERS / "seeing-things.md"
    text = record.read_text()
    record.unlink()
    result = run(small_site, "import")
    assert len(parses) == 2
    assert "3 entries" in result.out and "1 created, 0 updated, 2 unchanged" in result.out
    assert record.read_text() == text


def test_an_entry_deleted_from_the_source_is_seen(small_site, run, parses):
    run(small_site, "import")
    listing = small_site / "seeds" / "papers.txt"
    listing.write_text(SMALL_LISTING.split("CVJan 5, 2023")[0])
    result = run(small_site, "import")
    assert len(parses) == 2
    assert result.out == "imported 2 entries: 0 created, 0 updated, 2 unchanged, 0 kept-edited, 0 rejected\n"
    assert "seeing-things.md: warning: no longer in seeds/papers.txt: kept" in result.err
    assert (small_site / PAPERS / "seeing-things.md").exists()
    again = run(small_site, "import")  # unchanged since: the same report, warning included, without parsing
    assert (again.out, again.err) == (result.out, result.err) and len(parses) == 2


def test_a_changed_state_or_a_listing_date_imports_again(small_site, run, parses):
    run(small_site, "import")
    state = small_site / "content" / importer.STATE_NAME
    data = json.loads(state.read_text())
    data["records"]["seeing-things"]["fields"]["title"] = "Seeing Things (old)"
    state.write_text(json.dumps(data))
    run(small_site, "import")
    assert len(parses) == 2
    # year-less dates resolve against --as-of: another date is another input
    run(small_site, "import", "--as-of", "2031-01-01")
    assert len(parses) == 3


def _reports(site: Path, run, monkeypatch) -> tuple[tuple[str, str], tuple[str, str]]:
    """(the answer from the state, what a whole import says) for a site imported once already."""
    copy = site.parent / (site.name + "-whole")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy)
    fast = run(site, "import")
    with monkeypatch.context() as patched:
        patched.setattr(importer, "_unchanged_import", lambda *args: None)
        whole = run(copy, "import")
    assert snapshot(site / "content") == snapshot(copy / "content")
    return (fast.out, fast.err), (whole.out, whole.err)


@pytest.mark.parametrize("name", ["dblp-nutanlimaye-excerpt.bib", "bbt-date-export-360-811.csl.json",
                                  "alfolio-42shawn-papers.bib", "mendeley-kenathompson-excerpt.bib"])
def test_the_answer_from_the_state_is_what_a_whole_import_says_for_real_files(name, tmp_path, run, monkeypatch,
                                                                             parses):
    """Merged duplicates, rejected items and warnings are counted and said again, exactly."""
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\n")
    shutil.copy(REAL / name, site / "seeds" / name)
    run(site, "import")
    fast, whole = _reports(site, run, monkeypatch)
    assert fast == whole
    assert len(parses) == 2  # the first import and the whole one; the answer from the state parsed nothing


def test_the_answer_from_the_state_matches_after_kept_edits_comments_and_a_broken_record(small_site, run,
                                                                                          monkeypatch, parses):
    run(small_site, "import")
    papers = small_site / PAPERS
    edited = papers / "seeing-things.md"
    edited.write_text(edited.read_text().replace("  - Alan Turing", "  - Alan M. Turing"))
    commented = papers / "private-learning-at-scale.md"
    commented.write_text(commented.read_text().replace("tags: []", "# my own tags later\ntags: []"))
    broken = papers / "sparse-models-are-fast-a-study.md"
    broken.write_text(broken.read_text().replace("tags: []", "tags: [unclosed"))
    # the listing changes every paper: an edit kept is warned once, a commented record each time
    (small_site / "seeds" / "papers.txt").write_text(SMALL_LISTING.replace("Mar 9", "Mar 10").replace(
        "Jun 12", "Jun 13").replace("An \\emph{important}", "A \\emph{notable}").replace("Seeing ThingsAlan Turing", "Seeing ThingsAlan Turing, Grace Hopper"))
    first = run(small_site, "import")
    assert "kept your edit of 'authors'" in first.err
    fast, whole = _reports(small_site, run, monkeypatch)
    assert fast == whole
    assert "kept your edit" not in fast[1]
    assert "has comments" in fast[1] and "not updated from" in fast[1]
    assert "0 created, 0 updated, 0 unchanged, 3 kept-edited" in fast[0]


def test_what_the_last_import_found_is_kept_in_the_cache_not_in_the_committed_state(small_site, run, parses,
                                                                                   monkeypatch):
    """The state file is committed with the records; what lets a re-import answer at once includes a digest of
    site-builder's own code, so it lives in .cache/site-builder/: an upgrade changes no committed byte."""
    run(small_site, "import")
    state = small_site / "content" / importer.STATE_NAME
    assert set(json.loads(state.read_text())) == {"version", "records", "files"}
    last = json.loads((small_site / ".cache" / "site-builder" / importer.LAST_IMPORT).read_text())
    assert set(last["digests"]) == {"seeing-things", "private-learning-at-scale", "sparse-models-are-fast-a-study"}
    before = snapshot(small_site / "content")
    # another site-builder (an upgrade): the whole import runs, and the content it leaves is the same, byte for byte
    monkeypatch.setattr(importer, "_code_digest", lambda: "another version")
    result = run(small_site, "import")
    assert result.out == "imported 3 entries: 0 created, 0 updated, 3 unchanged, 0 kept-edited, 0 rejected\n"
    assert len(parses) == 2 and snapshot(small_site / "content") == before
    assert run(small_site, "import").out == result.out and len(parses) == 2  # remembered for this version
    # a deleted cache costs the shortcut, nothing else
    shutil.rmtree(small_site / ".cache")
    assert run(small_site, "import").out == result.out and len(parses) == 3
    assert snapshot(small_site / "content") == before


def test_a_state_written_by_an_earlier_version_loses_its_last_import_entry(small_site, run, parses):
    run(small_site, "import")
    state = small_site / "content" / importer.STATE_NAME
    data = json.loads(state.read_text())
    data["last_import"] = {"code": "old", "digests": {}}
    state.write_text(json.dumps(data))
    run(small_site, "import")
    assert "last_import" not in json.loads(state.read_text())
    assert json.loads(state.read_text())["records"] == data["records"]
