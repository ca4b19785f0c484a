"""Live preview in a real browser: every edit reaches the page, errors show in it, nothing is lost."""
from __future__ import annotations

import re
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser import ServerProcess, copy_theme, free_port
from conftest import SMALL_LISTING, make_site, snapshot
from site_builder.build import Builder
from site_builder.config import load_config

PAPER = "papers/seeing-things/index.html"
RECORD = Path("content") / "papers" / "seeing-things.md"


@pytest.fixture
def served(tmp_path):
    site = make_site(tmp_path / "site")
    copy_theme(site)
    server = ServerProcess(site, "--port", str(free_port()))
    yield site, server
    code = server.stop()
    assert code == 0, server.output()
    assert "Traceback" not in server.output()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new))


def wait_text(page, text: str, timeout: float = 3000) -> None:
    page.wait_for_function("t => document.body && document.body.innerText.includes(t)", arg=text, timeout=timeout)


def test_title_edit_reaches_open_paper_page_and_index(served, browser):
    site, server = served
    context = browser.new_context()
    paper, index = context.new_page(), context.new_page()
    paper.goto(server.url + PAPER)
    index.goto(server.url)
    wait_text(paper, "Seeing Things")
    time.sleep(0.3)  # the pages' livereload sockets connect
    edit(site / RECORD, "title: Seeing Things", "title: Seeing Things Anew")
    wait_text(paper, "Seeing Things Anew")
    wait_text(index, "Seeing Things Anew")
    line = server.wait_for_line("content/papers/seeing-things.md")
    assert re.search(r"content/papers/seeing-things\.md: \d+ pages rendered, \d+ files written, \d+ ms", line)
    context.close()


def test_tag_added_then_removed(served, page):
    site, server = served
    edit(site / RECORD, "tags: []", "tags:\n  - perception")
    other = site / "content" / "papers" / "private-learning-at-scale.md"
    edit(other, "tags: []", "tags:\n  - perception")
    server.wait_for_line("private-learning-at-scale.md")
    page.goto(server.url + "tags/perception/index.html")
    wait_text(page, "Seeing Things")
    wait_text(page, "Private Learning at Scale")
    time.sleep(0.3)
    edit(site / RECORD, "tags:\n  - perception", "tags: []")
    # the reload replaces the document: between the two, there is no body (the predicate must not throw then)
    page.wait_for_function("() => document.body && document.body.innerText.includes('Private Learning at Scale')"
                           " && !document.body.innerText.includes('Seeing Things')", timeout=5000)
    assert "Private Learning at Scale" in page.inner_text("body")


def test_broken_yaml_shows_the_error_then_the_fix_brings_the_page_back(served, page):
    site, server = served
    page.goto(server.url + PAPER)
    wait_text(page, "Seeing Things")
    time.sleep(0.3)
    good = (site / RECORD).read_text()
    (site / RECORD).write_text(good.replace("title: Seeing Things", "title: [Seeing Things"))
    page.wait_for_selector("#site-builder-error", timeout=3000)
    message = page.inner_text("#site-builder-error")
    assert "content/papers/seeing-things.md:" in message and "invalid YAML" in message
    line = server.wait_for_line("build failed")
    assert "serving the last good pages" in line
    assert "content/papers/seeing-things.md:" in server.output()
    assert (site / "output" / PAPER).exists()  # the last good page is still there
    (site / RECORD).write_text(good.replace("title: Seeing Things", "title: Seeing Things Fixed"))
    wait_text(page, "Seeing Things Fixed")
    assert page.query_selector("#site-builder-error") is None


def test_theme_css_edit_applies_without_a_full_reload(served, page):
    site, server = served
    page.goto(server.url)
    wait_text(page, "Seeing Things")
    page.evaluate("window.__marker = 'still here'")
    time.sleep(0.3)
    css = site / "themes" / "default" / "static" / "style.css"
    css.write_text(css.read_text() + "\nbody { background-color: rgb(1, 2, 3) !important; }\n")
    page.wait_for_function("getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'", timeout=3000)
    assert page.evaluate("window.__marker") == "still here"  # the stylesheet was swapped in place


def test_two_edits_one_second_apart_both_reach_the_browser(served, page):
    site, server = served
    loads = []
    page.on("load", lambda: loads.append(time.monotonic()))
    page.goto(server.url + PAPER)
    wait_text(page, "Seeing Things")
    time.sleep(0.3)
    edit(site / RECORD, "title: Seeing Things", "title: First Edit")
    wait_text(page, "First Edit")
    time.sleep(1.0 - 0.2)
    edit(site / RECORD, "title: First Edit", "title: Second Edit")
    wait_text(page, "Second Edit")
    assert len(loads) >= 3  # the first visit and one reload per edit


def test_new_listing_entry_becomes_a_page(served, page):
    site, server = served
    page.goto(server.url)
    wait_text(page, "Seeing Things")
    time.sleep(0.3)
    with open(site / "seeds" / "papers.txt", "a") as listing:
        listing.write("ROFeb 2, 2024\nWalking RobotsMarie Curie, Alan Turing\nRobots walk.\n")
    wait_text(page, "Walking Robots")
    status, body = get(server.url + "papers/walking-robots/index.html")
    assert status == 200 and "Robots walk." in body


def test_after_a_sequence_of_edits_output_equals_a_clean_build(served, page, tmp_path):
    site, server = served
    page.goto(server.url)
    time.sleep(0.3)
    steps = [
        lambda: edit(site / RECORD, "title: Seeing Things", "title: Seen"),
        lambda: edit(site / RECORD, "tags: []", "tags:\n  - eyes"),
        lambda: edit(site / RECORD, "date: 2023-01-05", "date: 2025-01-05"),
        lambda: (site / "seeds" / "papers.txt").write_text(
            SMALL_LISTING + "LGFeb 1, 2021\nAnother PaperMarie Curie\nNew.\n"),
        lambda: edit(site / "themes" / "default" / "templates" / "tags.html", "<h1>Tags</h1>", "<h1>Topics</h1>"),
        lambda: (site / "content" / "papers" / "private-learning-at-scale.md").unlink(),
    ]
    for step in steps:
        step()
        time.sleep(0.5)
    wait_text(page, "Another Paper")
    time.sleep(0.5)
    assert server.stop() == 0
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("output", ".cache"))
    Builder(load_config(clean)).build()
    assert snapshot(site / "output") == snapshot(clean / "output")
    assert "Topics" in (site / "output" / "tags" / "index.html").read_text()


def test_serves_under_the_base_path_of_url(tmp_path):
    site = make_site(tmp_path / "site", config="title: T\nurl: https://lab.github.io/repo/\nlisting_date: 2025-01-01\n")
    server = ServerProcess(site, "--port", str(free_port()))
    try:
        assert server.url.endswith("/repo/")
        root = server.url[: -len("repo/")]
        status, body = get(server.url)
        assert status == 200 and "Seeing Things" in body
        status, body = get(server.url + PAPER)
        assert status == 200 and 'href="../../static/style.css"' in body
        assert get(server.url + "static/style.css")[0] == 200
        with urllib.request.urlopen(root, timeout=10) as response:  # / redirects to /repo/
            assert response.url == server.url
        assert get(root + "papers/seeing-things/index.html")[0] == 404  # outside the base path
    finally:
        assert server.stop() == 0


def test_port_in_use_moves_to_the_next_free_port(tmp_path):
    site = make_site(tmp_path / "site")
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    try:
        server = ServerProcess(site, "--port", str(taken))
        try:
            assert f"port {taken} is in use; using" in server.output()
            assert server.url.startswith("http://127.0.0.1:") and f":{taken}/" not in server.url
            assert get(server.url)[0] == 200
        finally:
            assert server.stop() == 0
    finally:
        blocker.close()


def test_ctrl_c_stops_cleanly_without_traceback_or_leftovers(tmp_path):
    site = make_site(tmp_path / "site")
    server = ServerProcess(site, "--port", str(free_port()))
    assert server.url.startswith("http://127.0.0.1:")  # loopback by default
    assert server.stop() == 0
    out = server.output()
    assert "Traceback" not in out and "KeyboardInterrupt" not in out
    assert out.rstrip().endswith("stopped")
    assert sorted(p.name for p in site.iterdir()) == [".cache", "content", "output", "seeds", "site.yaml"]


def test_livereload_script_is_injected_even_with_upper_case_head(tmp_path):
    site = make_site(tmp_path / "site")
    (site / "templates").mkdir()
    (site / "templates" / "tags.html").write_text("<!DOCTYPE html><HTML><HEAD><TITLE>x</TITLE></HEAD><BODY>tags</BODY></HTML>")
    server = ServerProcess(site, "--port", str(free_port()))
    try:
        status, body = get(server.url + "tags/index.html")
        assert status == 200
        assert body.index("livereload.js") < body.index("</HEAD>")
    finally:
        server.stop()


def test_config_edit_rebuilds_everything(served):
    site, server = served
    edit(site / "site.yaml", "title: Test Lab", "title: Renamed Lab")
    server.wait_for_line("site.yaml")
    status, body = get(server.url + PAPER)
    assert status == 200 and "Renamed Lab" in body


def test_template_error_shows_in_the_page_with_file_and_line(served, page):
    site, server = served
    page.goto(server.url + "tags/index.html")
    wait_text(page, "Tags")
    time.sleep(0.3)
    (site / "templates").mkdir()
    (site / "templates" / "tags.html").write_text('{% extends "theme/tags.html" %}\n{% block main %}\n{{ nope.nothing }}\n{% endblock %}\n')
    page.wait_for_selector("#site-builder-error", timeout=3000)
    assert "templates/tags.html:3" in page.inner_text("#site-builder-error")
    (site / "templates" / "tags.html").write_text('{% extends "theme/tags.html" %}\n')
    page.wait_for_function("() => !document.querySelector('#site-builder-error')", timeout=3000)
    wait_text(page, "Tags")
