"""The record reader (reading.read_records): each file read, checked and its body rendered in one step, on
forked workers or in this process, with the same records and the same problems either way."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from site_builder import parallel
from site_builder.config import SiteConfig
from site_builder.reading import RecordCache, read_records, scan_records
from site_builder.records import record_from_text

GOOD = "---\ntitle: Paper {n}\nauthors:\n  - Ada Lovelace\n  - Alan Turing\ndate: 2020-0{m}\ntags: [x]\n" \
       "links:\n  code: https://example.org/{n}\n---\n\nBound {n} is $\\frac{{1}}{{n}}$ and \\algoname.\n"
HOSTILE = {
    "bad-yaml.md": "---\ntitle: \"unclosed\nauthors: [A]\ndate: 2020\n---\nx\n",
    "no-fence.md": "title: x\n---\nbody\n",
    "unclosed.md": "---\ntitle: x\nauthors: [A]\n",
    "bad-many.md": "---\ntitle: 12\nauthors: []\ndate: 1\ndoi: nope\ntype: artcle\n---\n",
    "escape.md": "---\ntitle: \"A\\x01B \\u00e9\"\nauthors: [\"C\\x02D\"]\ndate: 2020-05\nnote: n\n---\nbody\n",
    "crlf.md": "---\r\ntitle: CRLF\r\nauthors: [A B]\r\ndate: 2021\r\n---\r\n\r\n\r\nline 1\r\nline 2\r\n",
    "bom.md": "\ufeff--- \ntitle: BOM\nauthors: [A B]\ndate: 2021\nupdated: 2022-02\n  ---\t\n \n\t\nafter blanks\n\n",
    "math-bad.md": "---\ntitle: M\nauthors: [A B]\ndate: 2021\n---\n\n\nBroken $\\left( x$ and \\foo.\n",
    "Upper Case.md": "---\ntitle: U\nauthors: [A B]\ndate: 2021\n---\nbody\n",
    "extra.md": "---\ntitle: E\nauthors: [A B]\ndate: 2021\ncolour: red\nnested:\n  a: [1, 2]\nslug: own-slug\n---",
    "empty.md": "",
}


def _site(root: Path, good: int) -> SiteConfig:
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    for n in range(good):
        (papers / f"p{n:03d}.md").write_text(GOOD.format(n=n, m=n % 9 + 1), encoding="utf-8")
    for name, text in HOSTILE.items():
        (papers / name).write_text(text, encoding="utf-8", newline="")
    (papers / "latin1.md").write_bytes(b"---\ntitle: caf\xe9\nauthors: [A]\ndate: 2020\n---\n")
    os.mkfifo(papers / "pipe.md")
    (papers / "folder.md").mkdir()
    (papers / "link-in.md").symlink_to(papers / "p000.md")
    outside = root.parent / f"{root.name}-secret.md"
    outside.write_text(GOOD.format(n=999, m=1), encoding="utf-8")
    (papers / "link-out.md").symlink_to(outside)
    (papers / "link-broken.md").symlink_to(papers / "nowhere.md")
    return SiteConfig(root=root, macros={"algoname": "SparseFed"})


def _fields(record) -> dict:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def test_workers_read_what_this_process_reads(tmp_path, monkeypatch):
    """Every field of every record, every rendered body and every problem (in file order) is the same whether
    the files are read here (one job, or a few files) or on forked workers; and each record is what the
    one-file reader (record_from_text) makes of its file, without its body."""
    config = _site(tmp_path / "site", good=12)
    here = read_records(config, None, RecordCache(), jobs=1)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # a few files, read on two forked workers
    forked = read_records(config, None, RecordCache(), jobs=2)

    assert [_fields(r) for r in forked.records] == [_fields(r) for r in here.records]
    assert [type(r.src_path) for r in forked.records] == [type(r.src_path) for r in here.records]
    assert forked.abstracts == here.abstracts
    assert forked.problems == here.problems
    assert len(here.records) == 12 + 6  # the good ones, link-in, crlf, bom, escape, math-bad, extra

    papers = config.papers_dir
    for record in here.records:
        path = papers / record.src_path.name
        alone, problems = record_from_text(path.read_bytes().decode("utf-8"), path, f"content/papers/{path.name}",
                                           for_display=True)
        assert record.src_path == path and str(record.src_path) == str(path)
        assert _fields(record) == {**_fields(alone), "body": ""}

    by_name = {r.src_path.name: r for r in here.records}
    assert by_name["escape.md"].title == "AB é" and by_name["escape.md"].authors == ("CD",)
    assert by_name["bom.md"].body_line == 9 and by_name["crlf.md"].body_line == 8
    assert by_name["extra.md"].slug == "own-slug" and by_name["extra.md"].extra == {"colour": "red", "nested": {"a": [1, 2]}}
    assert by_name["p000.md"].has_code and str(by_name["p000.md"].date) == str(by_name["link-in.md"].date)
    messages = [str(p) for p in here.problems]
    assert messages == sorted(messages, key=lambda m: m.split(":")[0])  # by file name
    expected = [
        "content/papers/Upper Case.md:1: the file name 'Upper Case.md' is not a usable slug",
        "content/papers/bad-many.md:2: title must be text, not the number 12",
        "content/papers/bad-yaml.md:5: invalid YAML",
        "content/papers/empty.md:1: a record must start with a '---' line",
        "content/papers/folder.md: not a regular file",
        "content/papers/latin1.md: not UTF-8 text (invalid continuation byte at byte 14)",
        "content/papers/link-broken.md: cannot read: No such file or directory",
        "content/papers/link-out.md: is a symbolic link to a file outside the site: not followed",
        "content/papers/math-bad.md:8: warning: cannot render math",
        "content/papers/math-bad.md:8: warning: unknown macro \\foo",
        "content/papers/no-fence.md:1: a record must start",
        "content/papers/pipe.md: not a regular file",
        "content/papers/unclosed.md:1: the front matter is not closed",
    ]
    for start in expected:
        assert any(m.startswith(start) for m in messages), start


def test_a_record_made_a_symbolic_link_after_the_scan_is_still_refused(tmp_path):
    """The scan notes which files are symbolic links, and a file it saw as a plain one is opened without
    following a link: one put in its place since (pointing outside the site) is refused all the same."""
    config = _site(tmp_path / "site", good=2)
    files = scan_records(config)
    target = config.papers_dir / "p001.md"
    target.unlink()
    target.symlink_to(tmp_path / "site-secret.md")
    reading = read_records(config, files)
    assert "content/papers/p001.md: is a symbolic link to a file outside the site: not followed" in \
        [str(p) for p in reading.problems]
    assert "p001.md" not in [r.src_path.name for r in reading.records]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rebuild_reads_only_the_files_that_changed(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    config = _site(tmp_path / "site", good=4)
    cache = RecordCache()
    first = read_records(config, None, cache, jobs)
    changed = config.papers_dir / "p002.md"
    changed.write_text(GOOD.format(n=2, m=1).replace("Paper 2", "Paper two"), encoding="utf-8")
    (config.papers_dir / "p003.md").unlink()
    again = read_records(config, None, cache, jobs)
    old = {r.src_path.name: r for r in first.records}
    new = {r.src_path.name: r for r in again.records}
    assert set(old) - set(new) == {"p003.md"} and new["p002.md"].title == "Paper two"
    assert all(new[name] is old[name] for name in new if name != "p002.md")  # not read again
    assert again.problems == [p for p in first.problems]  # every problem again, in the same order
    assert set(cache.entries) == {str(config.papers_dir / n) for n in os.listdir(config.papers_dir)
                                  if (config.papers_dir / n).is_file() or (config.papers_dir / n).is_symlink()} \
        - {str(config.papers_dir / n) for n in ("pipe.md", "folder.md", "link-broken.md")}
