"""Embedding on another site: papers.json, the widget in a real browser on another origin, the iframe."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from browser import free_port
from conftest import make_site
from crawl import serve

LISTING = """\
LGMar 9, 2024Code
Sparse Models Are Fast: A StudyAda Lovelace, Alan Turing et al. · cambridge
We show $\\varepsilon \\le 1$ and release code at https://github.com/ada/sparse_models.
CRJun 12, 2023
Private Learning at ScaleGrace Hopper, Ada Lovelace
Differential privacy with $<5\\%$ overhead.
CVJan 5, 2023
Seeing ThingsAlan Turing
An \\emph{important} result.
CRFeb 2, 2022
<img src=x onerror=alert(1)>Mallory Hacker
<script>alert(2)</script> in an abstract.
"""
ALL = ["Sparse Models Are Fast: A Study", "Private Learning at Scale", "Seeing Things", "<img src=x onerror=alert(1)>"]


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """The site under /repo/ on one port; a folder for host pages served on another port."""
    from site_builder.build import Builder
    from site_builder.cli import main
    from site_builder.config import load_config

    tmp = tmp_path_factory.mktemp("embed")
    port = free_port()
    base = f"http://127.0.0.1:{port}/repo/"
    site = make_site(tmp / "site", LISTING, f"title: Test Lab\nowner: Ada Lovelace\nurl: {base}\nlisting_date: 2025-01-01\n")
    assert main(["import", "--quiet", "--site", str(site)]) == 0
    Builder(load_config(site)).build()
    host_dir = tmp / "host"
    host_dir.mkdir()
    with serve(site / "output", "/repo/", port), serve(host_dir) as host:
        yield base, host, host_dir, site


def host_page(hosted, name: str, body: str, head: str = "") -> str:
    base, host, host_dir, _site = hosted
    (host_dir / name).write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}'
        f'<script src="{base}embed.js" defer></script></head><body>{body}</body></html>')
    return host + name


def rendered_titles(page, selector: str) -> list[str]:
    page.wait_for_function(f"() => document.querySelector('{selector}').shadowRoot && "
                           f"document.querySelector('{selector}').shadowRoot.querySelector('ul, .st:not(:empty)') "
                           f"&& !document.querySelector('{selector}').shadowRoot.textContent.includes('Loading')",
                           timeout=5000)
    return page.locator(f"{selector} .t").all_inner_texts()


@pytest.mark.parametrize("attributes, expected", [
    ("", ALL),
    ('tag="CR"', ["Private Learning at Scale", "<img src=x onerror=alert(1)>"]),
    ('tag="cambridge"', ["Sparse Models Are Fast: A Study"]),
    ('year="2023"', ["Private Learning at Scale", "Seeing Things"]),
    ('author="turing"', ["Sparse Models Are Fast: A Study", "Seeing Things"]),
    ('limit="2"', ALL[:2]),
    ('sort="oldest" limit="3"', ["<img src=x onerror=alert(1)>", "Seeing Things", "Private Learning at Scale"]),
    ('sort="title" author="Ada"', ["Private Learning at Scale", "Sparse Models Are Fast: A Study"]),
    ('tag="CR" year="2022"', ["<img src=x onerror=alert(1)>"]),
])
def test_widget_shows_exactly_the_chosen_papers_on_another_origin(hosted, page, attributes, expected):
    url = host_page(hosted, "list.html", f'<publication-list id="x" {attributes}></publication-list>')
    page.goto(url)
    assert rendered_titles(page, "#x") == expected


def test_grouping_highlight_abstracts_and_links(hosted, page):
    base = hosted[0]
    url = host_page(hosted, "group.html",
                    '<publication-list id="g" year="2023"></publication-list>'
                    '<publication-list id="n" group-by="none" highlight="Alan Turing" show-abstracts></publication-list>')
    page.goto(url)
    rendered_titles(page, "#g")
    rendered_titles(page, "#n")
    assert page.locator("#g h3").all_inner_texts() == ["2023"]
    assert page.locator("#n h3").count() == 0
    assert page.locator("#g strong").all_inner_texts() == ["Ada Lovelace"]  # the owner, by default
    assert page.locator("#n strong").all_inner_texts() == ["Alan Turing", "Alan Turing"]  # the highlighted name
    assert page.locator("#n .ab math").count() == 2  # abstracts with their MathML
    href = page.locator("#g .t").first.get_attribute("href")
    assert href == base + "papers/private-learning-at-scale/"
    assert page.locator("#n .lk a").first.get_attribute("href") == "https://github.com/ada/sparse_models"


def test_host_css_does_not_leak_in(hosted, page):
    url = host_page(hosted, "css.html", '<ul><li id="hostli">host item</li></ul><publication-list id="c"></publication-list>',
                    "<style>li { color: red } * { font-size: 40px }</style>")
    page.goto(url)
    rendered_titles(page, "#c")
    assert page.evaluate("getComputedStyle(document.getElementById('hostli')).color") == "rgb(255, 0, 0)"
    style = page.evaluate("""() => { const li = document.querySelector('#c').shadowRoot.querySelector('li');
        const s = getComputedStyle(li); return [s.color, s.fontSize]; }""")
    # the host's rules for its own elements stay out; what the widget inherits (text colour, font) is the host's
    # choice for the element, by design (theme="auto": readable wherever the host's text is)
    assert style[0] != "rgb(255, 0, 0)" and style[1] == "40px"


def test_hostile_title_is_text_and_nothing_runs(hosted, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    url = host_page(hosted, "xss.html", '<publication-list id="h" tag="CR" show-abstracts></publication-list>')
    page.goto(url)
    titles = rendered_titles(page, "#h")
    assert "<img src=x onerror=alert(1)>" in titles
    assert page.evaluate("document.querySelector('#h').shadowRoot.querySelectorAll('img, script').length") == 0
    page.wait_for_timeout(500)
    assert dialogs == []


def test_fallback_children_and_a_visible_error(hosted, page):
    url = host_page(hosted, "broken.html",
                    '<publication-list id="b" src="http://127.0.0.1:9/nothing.json"><a href="https://lab.example">Our papers</a>'
                    "</publication-list>")
    page.goto(url)
    page.wait_for_function("() => document.querySelector('#b').shadowRoot.textContent.includes('Could not load')",
                           timeout=5000)
    assert page.locator("#b a").inner_text() == "Our papers"  # the light-DOM link still shows
    assert page.locator("#b a").is_visible()


def test_iframe_snippet_grows_to_its_content(hosted, page):
    base = hosted[0]
    snippet = (f'<iframe id="pubs" src="{base}embed/?tag=CR&limit=5&show-abstracts=true" title="Publications" '
               'style="width:100%;border:0"></iframe>\n'
               '<script>addEventListener("message", function (e) { var f = document.getElementById("pubs");\n'
               '  if (e.source === f.contentWindow && e.data && e.data.type === "publication-list:height") '
               'f.style.height = e.data.height + "px"; });</script>')
    page.goto(host_page(hosted, "iframe.html", snippet))
    frame = page.frame_locator("#pubs")
    frame.locator("publication-list .t").first.wait_for(timeout=5000)
    page.wait_for_function("() => document.getElementById('pubs').getBoundingClientRect().height > 160", timeout=5000)
    inner = page.frames[1].evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    outer = page.evaluate("document.getElementById('pubs').getBoundingClientRect().height")
    assert abs(outer - inner) <= 2
    assert frame.locator("publication-list .t").all_inner_texts() == ["Private Learning at Scale", "<img src=x onerror=alert(1)>"]


def test_builder_page_makes_snippets_and_previews(hosted, page):
    base = hosted[0]
    page.goto(base + "embed/builder.html")
    page.select_option("select[name=tag]", "CR")
    page.fill("input[name=limit]", "1")
    snippet = page.inner_text("#snippet-script")
    assert snippet == (f'<script src="{base}embed.js" defer></script>\n'
                       f'<publication-list tag="CR" limit="1"><a href="{base}">Publications</a></publication-list>')
    assert f'{base}embed/?tag=CR&limit=1' in page.inner_text("#snippet-iframe")
    page.wait_for_function("() => document.querySelector('#preview').shadowRoot.querySelectorAll('.t').length === 1",
                           timeout=5000)
    assert page.locator("#preview .t").all_inner_texts() == ["Private Learning at Scale"]


def test_papers_json_schema(hosted):
    base, _host, _dir, site = hosted
    data = json.loads((site / "output" / "papers.json").read_text())
    assert list(data) == ["version", "generated", "title", "url", "papers"]
    assert data["version"] == 1 and data["generated"] == "2024-03-09" and data["url"] == base
    first = data["papers"][0]
    assert list(first) == ["title", "title_html", "authors", "et_al", "date", "date_display", "year", "type", "venue",
                           "category", "tags", "affiliation", "links", "buttons", "code_released", "abstract_html",
                           "url", "owner"]
    assert first["venue"] == {"badge": "arXiv", "line": "Preprint", "note": "", "color": None, "ink": None}
    assert first["buttons"] == [{"kind": "code", "label": "Code", "url": "https://github.com/ada/sparse_models"}]
    assert first["code_released"] is False
    assert first["date"] == "2024-03-09" and first["date_display"] == "March 9, 2024" and first["type"] == "preprint"
    assert first["authors"] == ["Ada Lovelace", "Alan Turing"] and first["owner"] == [True, False]
    assert first["category"] == {"code": "LG", "name": "Machine Learning"}
    assert first["tags"] == ["LG", "cambridge"] and first["links"] == {"code": "https://github.com/ada/sparse_models"}
    assert first["url"] == base + "papers/sparse-models-are-fast-a-study/"
    assert "<math" in first["abstract_html"]
    raw = (site / "output" / "papers.json").read_text()
    assert "<" not in raw and ">" not in raw  # escaped as \\u003c: safe even inline in a <script>
    hostile = data["papers"][3]
    assert hostile["title"] == "<img src=x onerror=alert(1)>"
    assert hostile["title_html"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<script" not in hostile["abstract_html"]


def test_fragment_is_plain_html_with_prefixed_classes(hosted):
    base, _host, _dir, site = hosted
    fragment = (site / "output" / "embed" / "fragment.html").read_text()
    assert "<html" not in fragment and "<head" not in fragment
    classes = {c for group in __import__("re").findall(r'class="([^"]+)"', fragment) for c in group.split()}
    assert classes and all(c.startswith("pub-") for c in classes)
    assert f'<a class="pub-title" href="{base}papers/seeing-things/">Seeing Things</a>' in fragment
    assert "&lt;img src=x onerror=alert(1)&gt;" in fragment


def test_embed_js_is_small_and_has_no_dependencies():
    source = (Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / "embed.js").read_bytes()
    assert len(gzip.compress(source)) <= 8 * 1024
    assert b"innerHTML" not in source and b"import " not in source


def test_builder_fragment_follows_the_filters_with_absolute_links_and_copy_holds_only_the_snippet(hosted, page):
    base = hosted[0]
    page.goto(base + "embed/builder.html")
    page.select_option("select[name=tag]", "CR")
    page.fill("input[name=limit]", "1")
    assert page.inner_text("#snippet-include") == '<!--#include virtual="publications.html" -->'
    page.wait_for_function("document.getElementById('fragment-download').href.startsWith('blob:')", timeout=5000)
    fragment = page.evaluate("fetch(document.getElementById('fragment-download').href).then(r => r.text())")
    assert fragment.count('<li class="pub-item">') == 1
    assert f'<a class="pub-title" href="{base}papers/private-learning-at-scale/">Private Learning at Scale</a>' in fragment
    assert '<time datetime="2023-06-12">Jun 12, 2023</time>' in fragment
    # with no filter it is the build's embed/fragment.html (url: set: links absolute in both)
    page.fill("input[name=limit]", "")
    page.select_option("select[name=tag]", "")  # each input remakes the fragment at once
    whole = page.evaluate("fetch(document.getElementById('fragment-download').href).then(r => r.text())")
    assert whole == (hosted[3] / "output" / "embed" / "fragment.html").read_text()
