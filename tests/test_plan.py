"""Unit tests of the model, the page plan and its keys, and rendering: no files written."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import lz4.block
import pytest

from site_builder.abstracts import render_abstracts
from site_builder.config import SiteConfig
from site_builder.dates import PartialDate
from site_builder.plan import Page, data_key, plan_pages
from site_builder.records import Record
from site_builder.render import ITEM_TEMPLATE, make_environment, render_input, render_page
from site_builder.site import build_site


def _record(slug: str, title: str, date: PartialDate, authors=("Ada Lovelace",), **more) -> Record:
    return Record(src_path=Path(f"content/papers/{slug}.md"), slug=slug, title=title, authors=tuple(authors),
                  date=date, body=more.pop("body", f"About {title}."), digest=f"d-{slug}-{title}", **more)


def _site(records, **config):
    cfg = SiteConfig(root=Path("/nonexistent-site"), owner="Ada Lovelace", **config)
    site, problems = build_site(cfg, records, render_abstracts(records, cfg.macros))
    return site, problems


RECORDS = [
    _record("engine", "The Engine", PartialDate(1843, 9), tags=("computing",), category="LG"),
    _record("numbers", "Bernoulli Numbers", PartialDate(1843), authors=("Ada Lovelace", "Charles Babbage")),
    _record("loom", "A Loom", PartialDate(1843, 9, 2), tags=("computing",)),
    _record("later", "Later Work", PartialDate(1850, 1, 1), selected=True),
]


def test_model_orders_newest_first_with_year_only_last_in_its_year():
    site, problems = _site(RECORDS)
    assert problems == []
    assert [p.slug for p in site.papers] == ["later", "loom", "engine", "numbers"]
    assert [(g.year, [p.slug for p in g.papers]) for g in site.years] == [
        (1850, ["later"]), (1843, ["loom", "engine", "numbers"])]
    assert [(t.slug, t.kind, len(t.papers)) for t in site.tags] == [("computing", "topic", 2), ("lg", "category", 1)]
    owner = next(a for a in site.authors if a.is_owner)
    assert (owner.name, len(owner.papers)) == ("Ada Lovelace", 4)
    assert next(a for a in site.authors if a.name == "Charles Babbage").coauthors == (
        ("Ada Lovelace", owner.slug, 1),)


def test_model_takes_rendered_abstracts_and_does_not_render():
    record = RECORDS[0]
    with pytest.raises(KeyError):  # the model only looks abstracts up: rendering is the build's job
        build_site(SiteConfig(root=Path("/x")), [record], {})


def test_plan_has_every_page_once_and_selected_papers_on_the_first_index_page():
    site, _ = _site(RECORDS, paginate=2, url="https://example.org/lab/")
    pages = plan_pages(site)
    urls = [p.url for p in pages]
    assert len(urls) == len(set(urls))
    assert {"index.html", "page/2/index.html", "papers/engine/index.html", "tags/computing/index.html",
            "feed.xml", "sitemap.xml", "papers.bib", "search.json", "404.html"} <= set(urls)
    index = {p.url: p for p in pages}
    assert [p.slug for p in index["index.html"].context["selected"]] == ["later"]
    assert index["page/2/index.html"].context["selected"] == ()


def _keys(records, **config):
    site, _ = _site(records, **config)
    return {p.url: data_key(p) for p in plan_pages(site)}


def test_page_keys_follow_exactly_what_a_page_shows():
    before = _keys(RECORDS)
    edited = [dataclasses.replace(RECORDS[1], title="Bernoulli Numbers, Revised", digest="changed"), *RECORDS[2:],
              RECORDS[0]]
    after = _keys(edited)
    changed = {url for url in before if before[url] != after.get(url)}
    # the paper itself, its neighbour (newer/older links), the lists that show it, the whole-site exports
    assert "papers/numbers/index.html" in changed
    assert "papers/engine/index.html" in changed  # its "older" neighbour changed
    assert {"index.html", "search.json", "papers.bib", "papers.json"} <= changed
    assert "papers/later/index.html" not in changed  # shows neither the paper nor a neighbour of it
    assert "tags/computing/index.html" not in changed  # the paper has no tag


def test_a_context_value_of_an_unknown_kind_is_refused():
    with pytest.raises(TypeError, match="say in plan.data_key"):
        data_key(Page("x.html", "x.html", {"thing": object()}))


def test_list_items_take_root_and_abstract_as_template_variables_and_record_templates():
    site, _ = _site(RECORDS)
    env = make_environment(site.config)
    items = env.globals["render_item"]
    paper = site.papers[0]
    env.loaded = set()
    full, compact = items(paper, "../../", 3, True), items(paper, "", 3, False)
    assert 'href="../../papers/later/index.html"' in full
    assert 'href="papers/later/index.html"' in compact
    assert "abstract" in full and full != compact
    assert ITEM_TEMPLATE in env.loaded and "partials/macros.html" in env.loaded
    env.loaded = set()
    again = items(paper, "../../", 3, True)  # from the cache: the templates it depends on are still recorded
    assert {ITEM_TEMPLATE, "partials/macros.html"} <= env.loaded
    assert again == full and type(again) is type(full)  # the cache gives back the same HTML, still Markup
    assert all(isinstance(v, bytes) for v in items.texts.memory.values())  # kept as UTF-8


def test_a_papers_bibtex_is_made_once_per_environment():
    site, _ = _site(RECORDS)
    env = make_environment(site.config)
    made = []
    bibtex = env.globals["bibtex"]
    bibtex.func = lambda paper, real=bibtex.func: made.append(paper.slug) or real(paper)
    first = bibtex(site.papers[0])
    assert bibtex(site.papers[0]) == first and "@" in first and made == ["later"]
    bibtex(site.papers[1])
    assert made == ["later", "loom"]


def test_abstracts_are_kept_compressed_and_give_html_and_text():
    (rendered,) = render_abstracts([_record("e", "E", PartialDate(2020), body="Bounds $\\varepsilon$ <b>x</b> & *y*.")],
                                   {}).values()
    assert isinstance(rendered.packed, bytes)
    assert lz4.block.decompress(rendered.packed).decode() == rendered.html
    assert rendered.html.startswith("<p>Bounds <math") and "&lt;b&gt;x&lt;/b&gt; &amp; <em>y</em>" in rendered.html
    assert rendered.text == "Bounds ε <b>x</b> & y."
    # an abstract's MathML repeats itself: kept, it takes a fraction of its size
    (long,) = render_abstracts([_record("f", "F", PartialDate(2020), body=" ".join(
        f"Bound {i}: $\\varepsilon_{i} \\leq \\frac{{1}}{{n}}$." for i in range(20)))], {}).values()
    assert "<math" in long.html and len(long.packed) * 3 < len(long.html.encode())


def test_render_page_records_every_template_a_page_loads():
    site, _ = _site(RECORDS)
    env = make_environment(site.config)
    page = next(p for p in plan_pages(site) if p.url == "tags/computing/index.html")
    env.loaded = set()
    html = render_page(env, page, render_input(site))
    assert "The Engine" in html and "A Loom" in html
    assert {"tag.html", "base.html", ITEM_TEMPLATE} <= env.loaded


def test_list_items_a_forked_worker_renders_go_to_a_file_of_its_own():
    """In the process that made it, the store keeps texts in memory (the dev server reuses them from one
    build to the next); in a forked worker, in an unnamed temporary file: the worker's size does not grow
    with every item it renders, and what it reads back is the same bytes."""
    import json
    import os

    from site_builder.render import PaperTexts

    store = PaperTexts()
    store.put("parent", "item", b"<li>kept in memory</li>")
    assert store.memory == {("parent", "item"): b"<li>kept in memory</li>"} and store.own is None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            items = {f"k{n}": f"<li>item {n} \u03b5</li>".encode() * (n + 1) for n in range(50)}
            for key, item in items.items():
                store.put(key, "item", item)
            answer = {"same": all(store.get(key, "item") == item for key, item in items.items()),
                      "parent": store.get("parent", "item").decode(), "in_memory": len(store.memory),
                      "in_file": len(store.own[2]), "file_size": os.fstat(store.own[1].fileno()).st_size,
                      "named": os.fstat(store.own[1].fileno()).st_nlink, "missing": store.get("none", "item"),
                      "other_variant": store.get("k1", "bib:")}
            os.write(write, json.dumps(answer).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = json.loads(pipe.read())
    os.waitpid(pid, 0)
    size = sum(len(f"<li>item {n} \u03b5</li>".encode()) * (n + 1) for n in range(50))
    assert answer == {"same": True, "parent": "<li>kept in memory</li>", "in_memory": 1, "in_file": 50,
                      "file_size": size, "named": 0, "missing": None, "other_variant": None}
    assert store.own is None and store.get("k1", "item") is None  # the parent saw none of it


def test_texts_collected_in_first_stage_workers_are_read_by_later_workers():
    """What workers of a build's first stage make (a paper's list items, BibTeX, export pieces) goes to the
    store's shared file, and only its place comes back; the builder adopts the places, and the workers it
    forks next read the texts from the file (each text made once per build, however many workers show it).
    Two first-stage workers write at once: each text is read back whole and right."""
    import json
    import os

    from site_builder.render import PaperTexts

    store = PaperTexts()
    store.start_collecting()
    pipes = []
    for worker in range(2):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                places = []
                for n in range(200):
                    key = f"w{worker}-{n}"
                    store.put(key, ("item", "../../", 3, False, None), f"<li>{key} \u03b5</li>".encode() * (n % 7 + 1))
                    store.put(key, "bib:", f"@misc{{{key}}}".encode())
                    assert store.get(key, "bib:") == f"@misc{{{key}}}".encode()  # before it is collected
                    places.extend(store.collect())
                os.write(write, json.dumps(places).encode())
            finally:
                os._exit(0)
        os.close(write)
        pipes.append((pid, read))
    for pid, read in pipes:
        with os.fdopen(read) as pipe:
            store.adopt([(key, tuple(variant) if isinstance(variant, list) else variant, place)
                         for key, variant, place in json.loads(pipe.read())])
        os.waitpid(pid, 0)
    store.collecting = False
    assert store.memory == {} and len(store.rows) == 400
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a second-stage worker
        try:
            right = all(store.get(f"w{w}-{n}", ("item", "../../", 3, False, None))
                        == f"<li>w{w}-{n} \u03b5</li>".encode() * (n % 7 + 1)
                        and store.get(f"w{w}-{n}", "bib:") == f"@misc{{w{w}-{n}}}".encode()
                        for w in range(2) for n in range(200))
            os.write(write, json.dumps([right, store.get("w0-1", ("item", "", 3, True, None))]).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        assert json.loads(pipe.read()) == [True, None]
    os.waitpid(pid, 0)
    assert store.get("w1-5", "bib:") == b"@misc{w1-5}"  # the builder reads them too