"""Incremental builds: only what changed is rendered, and the result equals a clean build."""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
from pathlib import Path

import pytest

from conftest import snapshot
from site_builder.build import Builder
from site_builder.config import load_config
from site_builder.problems import UserError

PAPERS = Path("content") / "papers"


# The clean builds made so far, by the bytes of their inputs: the builder modes make the same edits, and each
# set of inputs is built from nothing once (builds are deterministic: same inputs, same bytes).
_CLEAN_BUILDS: dict[str, Path] = {}


def _inputs_digest(site: Path) -> str:
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(site):
        if Path(folder) == site:
            dirs[:] = [d for d in dirs if d not in ("output", ".cache") and not d.startswith(".output")]
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            digest.update(path.relative_to(site).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def clean_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """Build a copy of ``site`` from nothing (no output, no cache) and return its files."""
    key = _inputs_digest(site)
    if key not in _CLEAN_BUILDS:
        copy = tmp_path / f"clean-{random.random():.8f}"
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".cache", ".output*"))
        Builder(load_config(copy)).build()
        _CLEAN_BUILDS[key] = copy / "output"
    return snapshot(_CLEAN_BUILDS[key])


# The forked-workers variant is left out of make test-fast (slow): each of its tests forks a pool for every build.
@pytest.fixture(params=["swap", "in-place", pytest.param("workers", marks=pytest.mark.slow)])
def seed_builder(seed_site, run, request, monkeypatch):
    """A builder that swaps in a new folder each time (the CLI), changes files in place (the dev server), or
    swaps in a folder written by forked workers (the CLI on a large site; forced here, with small chunks so
    that both workers share the pages)."""
    assert run(seed_site, "import", "--quiet").code == 0
    builder = Builder(load_config(seed_site), in_place=request.param == "in-place", jobs=2)
    if request.param == "workers":
        import site_builder.parallel
        monkeypatch.setattr(site_builder.parallel, "MIN_ITEMS", 1)
        monkeypatch.setattr(site_builder.parallel, "CHUNK", 3)
    first = builder.build()
    # 43 pages, 72 author pages and the authors index, 404.html, .nojekyll, robots.txt, papers.json, papers.bib,
    # search.json, embed.js and the 3 embed pages
    assert first.rendered == first.pages == 126
    return seed_site, builder


def record(site: Path, prefix: str) -> Path:
    (path,) = (site / PAPERS).glob(prefix + "*.md")
    return path


def test_second_build_writes_nothing(seed_builder):
    site, builder = seed_builder
    out = site / "output"
    inode, mtimes = out.stat().st_ino, {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    result = builder.build()
    assert (result.rendered, result.written, result.removed) == (0, 0, 0)
    assert out.stat().st_ino == inode
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes


def test_second_cli_build_writes_nothing(small_site, run):
    run(small_site, "import")
    run(small_site, "build")
    out = small_site / "output"
    inode = out.stat().st_ino
    result = run(small_site, "build")
    assert "nothing changed" in result.out
    assert out.stat().st_ino == inode


def test_cli_build_sees_every_kind_of_input_change(small_site, run):
    """A CLI build with nothing changed stops at the stamps of its inputs; any change makes it build."""
    run(small_site, "import")
    run(small_site, "build")
    out = small_site / "output"

    def build_changes() -> bool:
        result = run(small_site, "build")
        assert result.code == 0, result.err
        return "nothing changed" not in result.out

    assert not build_changes()
    record = next((small_site / "content" / "papers").glob("seeing-things*.md"))
    record.write_text(record.read_text().replace("title: Seeing Things", "title: Seeing More Things"))
    assert build_changes() and "Seeing More Things" in (out / "index.html").read_text()
    assert not build_changes()
    (small_site / "templates").mkdir()
    (small_site / "templates" / "404.html").write_text("custom not found\n")
    assert build_changes() and (out / "404.html").read_text() == "custom not found\n"
    compiled = list((small_site / ".cache" / "site-builder").glob("templates-*/__jinja2_*"))
    assert compiled  # compiled templates are kept between runs; a damaged one is compiled again
    for path in compiled:
        path.write_bytes(path.read_bytes()[:40] + b"\x00garbage")
    before = (out / "index.html").read_bytes()
    result = run(small_site, "build", "--clean")
    assert result.code == 0, result.err
    assert (out / "index.html").read_bytes() == before
    (small_site / "templates" / "404.html").write_text("changed not found\n")  # same file, new text: compiled again
    assert build_changes() and (out / "404.html").read_text() == "changed not found\n"
    (small_site / "static").mkdir()
    (small_site / "static" / "extra.css").write_text("p { color: teal }\n")
    assert build_changes() and (out / "static" / "extra.css").is_file()
    (small_site / "site.yaml").write_text((small_site / "site.yaml").read_text().replace("Test Lab", "Other Lab"))
    assert build_changes() and "Other Lab" in (out / "index.html").read_text()
    record.unlink()
    assert build_changes() and "Seeing More Things" not in (out / "index.html").read_text()
    shutil.rmtree(out / "tags")  # the output is the builder's: after a hand change, --clean renders it all again
    result = run(small_site, "build", "--clean")
    assert result.code == 0 and "nothing changed" not in result.out and (out / "tags" / "index.html").is_file()
    assert not build_changes()


def test_title_edit_renders_only_dependent_pages(seed_builder, tmp_path):
    site, builder = seed_builder
    path = record(site, "sparsefed")
    path.write_text(path.read_text().replace('title: "SparseFed:', 'title: "SparseFed++:'))
    result = builder.build()
    # its page, its two neighbours (their prev/next links), the index, its one tag page (LG), its
    # 3 authors' pages, papers.json, papers.bib, search.json and the embed fragment
    assert result.rendered == 12
    assert "SparseFed++:" in (site / "output" / "index.html").read_text()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_tag_added_and_removed(seed_builder, tmp_path):
    site, builder = seed_builder
    path = record(site, "fetchsgd")
    original = path.read_text()
    path.write_text(original.replace("tags: []", "tags:\n  - sketching"))
    builder.build()
    page = site / "output" / "tags" / "sketching" / "index.html"
    assert "FetchSGD" in page.read_text()
    assert snapshot(site / "output") == clean_build(site, tmp_path)
    path.write_text(original)
    builder.build()
    assert not page.exists()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_date_change_moves_paper_and_fixes_prev_next(seed_builder, tmp_path):
    site, builder = seed_builder
    path = record(site, "fetchsgd")
    path.write_text(path.read_text().replace("date: 2020-07-15", "date: 2026-11-01"))
    builder.build()
    titles = re.findall(r'<h3 class="paper-title"><a href="[^"]+">([^<]+)</a>', (site / "output" / "index.html").read_text())
    assert titles[0].startswith("FetchSGD")
    assert snapshot(site / "output") == clean_build(site, tmp_path)


@pytest.mark.slow
def test_template_change_renders_pages_using_it_through_extends_and_include(seed_builder, tmp_path):
    site, builder = seed_builder
    templates = site / "templates"
    templates.mkdir()
    (templates / "tag.html").write_text('{% extends "theme/tag.html" %}{% block title %}T: {{ tag.name }}{% endblock %}')
    result = builder.build()
    assert result.rendered == 8  # only the tag pages use tag.html
    assert snapshot(site / "output") == clean_build(site, tmp_path)
    # a change in the macros every list includes re-renders the pages that include them
    theme = site / "themes" / "default"
    shutil.copytree(Path(__file__).resolve().parent.parent / "themes" / "default", theme)
    (site / "site.yaml").write_text((site / "site.yaml").read_text())  # same config
    builder = Builder(load_config(site))
    builder.build()
    item = theme / "templates" / "partials" / "paper_item.html"
    assert '<p class="byline">' in item.read_text()
    item.write_text(item.read_text().replace('<p class="byline">', '<p class="byline by">'))
    result = builder.build()
    assert result.rendered == 1 + 8 + 72  # the lists: the index, the tag pages and the author pages
    assert snapshot(site / "output") == clean_build(site, tmp_path)
    macros = theme / "templates" / "partials" / "macros.html"
    # a theme's own macro in place of one written in Python (macros.py), as docs/themes.md tells
    own = ('{% macro author_list(paper, root, focus=none, full=true) -%}<span lang="en">'
           '{{ author_list_html(paper, root, focus, full) }}</span>{%- endmacro %}')
    macros.write_text(macros.read_text().replace("{% set author_list = author_list_html %}", own))
    result = builder.build()
    assert result.rendered == 1 + 33 + 8 + 72  # every page that shows authors: all but the tag index
    assert '<span lang="en"><span class="authors">' in (site / "output" / "index.html").read_text()
    assert snapshot(site / "output") == clean_build(site, tmp_path)
    tags = theme / "templates" / "tags.html"
    tags.write_text(tags.read_text().replace("<h1>Tags</h1>", "<h1>All tags</h1>"))
    result = builder.build()
    assert result.rendered == 1
    assert "<h1>All tags</h1>" in (site / "output" / "tags" / "index.html").read_text()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_static_change_copies_that_file(seed_builder, tmp_path):
    site, builder = seed_builder
    (site / "static").mkdir()
    (site / "static" / "style.css").write_text("body { color: red }\n")
    result = builder.build()
    assert (result.rendered, result.written) == (0, 1)
    assert (site / "output" / "static" / "style.css").read_text() == "body { color: red }\n"
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_failed_incremental_build_keeps_output_and_recovers(seed_builder, tmp_path):
    site, builder = seed_builder
    before = snapshot(site / "output")
    path = record(site, "fetchsgd")
    good = path.read_text()
    path.write_text(good.replace("title:", "title: [broken"))
    with pytest.raises(UserError):
        builder.build()
    assert snapshot(site / "output") == before
    path.write_text(good.replace("FetchSGD:", "FetchSGD 2:"))
    builder.build()
    assert "FetchSGD 2:" in (site / "output" / "index.html").read_text()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


def test_output_changed_by_hand_is_rebuilt_whole(seed_builder, tmp_path):
    site, builder = seed_builder
    (site / "output" / "tags" / "lg" / "index.html").unlink()
    path = record(site, "fetchsgd")
    path.write_text(path.read_text().replace("FetchSGD:", "FetchSGD 3:"))
    builder.build()
    assert snapshot(site / "output") == clean_build(site, tmp_path)


@pytest.mark.slow
def test_random_edit_sequences_equal_a_clean_build(seed_builder, tmp_path):
    site, builder = seed_builder
    rng = random.Random(7)
    files = sorted((site / PAPERS).glob("*.md"))
    for step in range(12):
        path = rng.choice(files)
        text = path.read_text()
        action = rng.choice(["title", "tag", "date", "delete", "add", "owner"])
        if action == "title":
            text = re.sub(r"^title: (.*)$", lambda m: "title: " + json.dumps(f"{m.group(1).strip(chr(34))} v{step}"),
                          text, count=1, flags=re.M)
            path.write_text(text)
        elif action == "tag":
            path.write_text(text.replace("tags: []", f"tags:\n  - topic{step % 3}"))
        elif action == "date":
            path.write_text(re.sub(r"^date: .*$", f"date: 20{10 + step}-0{1 + step % 9}-1{step % 9}", text, count=1, flags=re.M))
        elif action == "delete" and len(files) > 5:
            path.unlink()
            files.remove(path)
        elif action == "add":
            new = site / PAPERS / f"added-{step}.md"
            new.write_text(f"---\ntitle: Added {step}\nauthors: [Ann Lee]\ndate: 2019-0{1 + step % 9}-01\ncategory: CR\n---\nBody {step}.\n")
            files.append(new)
        elif action == "owner":
            config = site / "site.yaml"
            config.write_text(re.sub(r"^owner: .*$", "owner: Xinyu Tang" if step % 2 else "owner: Ashwinee Panda",
                                     config.read_text(), flags=re.M))
            builder = Builder(load_config(site), in_place=builder.in_place)  # a new builder on a config change
        builder.build()
        assert snapshot(site / "output") == clean_build(site, tmp_path), f"step {step}: {action} {path.name}"


def test_a_cache_from_another_version_or_holding_records_is_not_trusted(small_site, run):
    """Upgrading must never break a build: records and abstracts are not taken from disk, and a cache
    written by another version of site-builder is ignored."""
    import pickle
    run(small_site, "import")
    assert run(small_site, "build").code == 0
    state = small_site / ".cache" / "site-builder" / "state.pickle"
    from site_builder.records import record_from_text
    memory = pickle.loads(state.read_bytes())
    memory.records = {}  # what an older version kept: parsed records, which are never read back
    for path in (small_site / "content" / "papers").glob("*.md"):
        stat = path.stat()
        real, _problems = record_from_text(path.read_text(), path, path.name)
        memory.records[str(path)] = ((stat.st_mtime_ns, stat.st_size, stat.st_ino), real, ())
    state.write_bytes(pickle.dumps(memory))
    record = next((small_site / "content" / "papers").glob("seeing-things*.md"))
    record.write_text(record.read_text().replace("title: Seeing Things", "title: Seeing Again"))
    result = run(small_site, "build")
    assert result.code == 0, result.err
    index = (small_site / "output" / "index.html").read_text()
    assert "Seeing Again" in index and "STALE CACHE" not in index
    memory = pickle.loads(state.read_bytes())
    memory.version = "0.0.1-3.11-1"
    state.write_bytes(pickle.dumps(memory))
    result = run(small_site, "build")
    assert result.code == 0 and "nothing changed" not in result.out  # a foreign cache: everything again


def test_a_template_that_starts_using_another_keeps_its_pages_fresh(small_site, run, tmp_path):
    """Page keys cover the templates a page actually loaded when rendered (recorded as Jinja loads them):
    a page template that starts including a new file, and then an edit of only that file, both show."""
    run(small_site, "import")
    builder = Builder(load_config(small_site), jobs=1)
    builder.build()
    templates = small_site / "templates" / "partials"
    templates.mkdir(parents=True)
    (templates / "note.html").write_text("<p class=note>first note</p>\n")
    (small_site / "templates" / "tag.html").write_text(
        '{% extends "theme/tag.html" %}{% block main %}{% include "partials/note.html" %}{{ super() }}{% endblock %}')
    builder.build()
    tag_page = small_site / "output" / "tags" / "cv" / "index.html"
    assert "first note" in tag_page.read_text()
    (templates / "note.html").write_text("<p class=note>second note</p>\n")
    result = builder.build()
    assert "second note" in tag_page.read_text()
    assert 0 < result.rendered < result.pages  # only the pages that include it
    assert snapshot(small_site / "output") == clean_build(small_site, tmp_path)
