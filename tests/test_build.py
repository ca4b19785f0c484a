"""The builder: the pages of the real site, links that resolve, deterministic and atomic output."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import make_seed_site, run_process, snapshot
from crawl import broken_links_on_disk, crawl_http, serve


@pytest.fixture(scope="module")
def built_seed_once(tmp_path_factory) -> Path:
    """This repository's site imported and built once (by the CLI, in a process of its own) for the module."""
    site = make_seed_site(tmp_path_factory.mktemp("built") / "seedsite")
    assert run_process(site, "import").code == 0
    result = run_process(site, "build")
    assert result.code == 0, result.err
    # one warning, for the missing url:; none else: \algoname is mapped in site.yaml, every category is known
    assert result.err == ("site.yaml: warning: no url: set, so sitemap.xml and the Atom feeds are skipped, "
                          "404.html links from the domain root and embed/fragment.html links relative to embed/ "
                          "(the builder page's fragment is absolute); set url: to where the site is published\n")
    return site


@pytest.fixture
def built_seed(built_seed_once, tmp_path) -> Path:
    """A copy of the built site of its own for each test (tests edit records and build again)."""
    return Path(shutil.copytree(built_seed_once, tmp_path / "seedsite", symlinks=True))


def read(site: Path, url: str) -> str:
    return (site / "output" / url).read_text(encoding="utf-8")


def titles_in(html: str) -> list[str]:
    return re.findall(r'<h[23] class="paper-title"><a href="[^"]+">([^<]+)</a>', html)


def test_seed_site_has_index_33_papers_and_tag_pages(built_seed):
    out = built_seed / "output"
    assert (out / "index.html").is_file()
    assert len(list((out / "papers").glob("*/index.html"))) == 33
    tag_pages = sorted(p.parent.name for p in (out / "tags").glob("*/index.html"))
    assert tag_pages == ["ai", "berkeley", "cl", "cr", "cv", "deepmind", "lg", "princeton"]
    assert (out / "tags" / "index.html").is_file()
    assert (out / "static" / "style.css").is_file()


def test_index_lists_every_paper_newest_first_grouped_by_year(built_seed):
    html = read(built_seed, "index.html")
    titles = titles_in(html)
    assert len(titles) == 33
    assert titles[0] == "From Refusal Tokens to Refusal Control: Discovering and Steering Category-Specific Refusal Directions"
    assert titles[-1] == "FetchSGD: Communication-Efficient Federated Learning with Sketching"
    years = re.findall(r'<h2 id="h-y(\d{4})">', html)
    assert years == ["2026", "2025", "2024", "2023", "2022", "2021", "2020"]
    dates = re.findall(r'<time datetime="([\d-]+)">', html)
    assert dates == sorted(dates, reverse=True)


def test_index_entry_shows_authors_owner_category_links_tags_and_abstract(built_seed):
    html = read(built_seed, "index.html")
    item = html[html.index("Lottery Ticket Adaptation"):]
    item = item[: item.index("</li>\n", item.index("</details>"))]
    assert ('<span class="name"><strong class="owner"><a class="author owner" href="authors/ashwinee-panda/index.html">'
            'Ashwinee Panda</a></strong></span>, <span class="name"><a class="author" href="authors/berivan-isik/index.html">'
            'Berivan Isik</a></span>, <span class="name"><a class="author" href="authors/xiangyu-qi/index.html">Xiangyu Qi'
            '</a></span> <span class="et-al">et al.</span>') in item
    assert ('<a class="link link-code" href="https://github.com/kiddyboots216/lottery-ticket-adaptation" '
            'rel="noopener">Code</a>') in item
    assert '<a class="meta-tag" href="tags/cl/index.html">Computation and Language</a>' in item  # the category tag
    assert "<details class=\"abstract\">" in item and "<summary>Abstract</summary>" in item
    assert html.count('<strong class="owner"><a class="author owner"') == 15  # her papers in the seed


def test_paper_page_has_everything_in_its_record(built_seed):
    html = read(built_seed, "papers/lottery-ticket-adaptation-mitigating-destructive/index.html")
    assert "<h1>Lottery Ticket Adaptation: Mitigating Destructive Interference in LLMs</h1>" in html
    assert '<link rel="stylesheet" href="../../static/style.css">' in html
    assert '<time datetime="2024-06-24">June 24, 2024</time>' in html
    assert '<a class="meta-tag" href="../../tags/cl/index.html">Computation and Language</a>' in html
    assert "@misc{panda2024lottery," in html
    assert "  author = {Panda, Ashwinee and Isik, Berivan and Qi, Xiangyu and others}," in html
    assert '<a rel="prev" href="../../papers/' in html and '<a rel="next" href="../../papers/' in html


def test_abstract_math_links_and_macros_on_paper_pages(built_seed):
    dp_zo = read(built_seed, "papers/private-fine-tuning-of-large-language-models-with-zeroth/index.html")
    assert '<mo stretchy="false">(</mo><mi>ε</mi><mo>,</mo><mi>δ</mi><mo stretchy="false">)</mo>' in dp_zo
    frit = read(built_seed, "papers/frit-using-causal-importance-to-improve-chain-of-thought/index.html")
    assert '<a href="https://github.com/Anut-py/frit">https://github.com/Anut-py/frit</a>.' in frit
    sparsefed = read(built_seed, "papers/sparsefed-mitigating-model-poisoning-attacks-in-federated/index.html")
    assert "we introduce SparseFed, a novel defense" in sparsefed
    assert '<span class="code-released">Code released</span>' in sparsefed  # Code in the header, no URL
    em = read(built_seed, "papers/emergent-misalignment-via-in-context-learning-narrow-in/index.html")
    assert "\u201cpersona\u201d" in em


def test_prev_next_chain_covers_every_paper_in_index_order(built_seed):
    index_titles = titles_in(read(built_seed, "index.html"))
    first = re.search(r'<h3 class="paper-title"><a href="([^"]+)">', read(built_seed, "index.html")).group(1)
    url, seen = first, []
    while url:
        html = read(built_seed, url)
        seen.append(re.search(r"<h1>([^<]+)</h1>", html).group(1))
        nxt = re.search(r'<a rel="next" href="\.\./\.\./([^"]+)">', html)
        url = nxt.group(1) if nxt else None
    assert seen == index_titles


def test_tag_pages_and_tag_index(built_seed):
    lg = read(built_seed, "tags/lg/index.html")
    assert "<h1>Machine Learning <span class=\"tag-desc\">arXiv LG</span></h1>" in lg
    assert len(titles_in(lg)) == 17
    assert '<p class="count">17 papers</p>' in lg
    princeton = read(built_seed, "tags/princeton/index.html")
    assert sorted(titles_in(princeton)) == [
        "A New Linear Scaling Rule for Private Adaptive Hyperparameter Optimization",
        "Differentially Private Image Classification by Learning Priors from Random Processes"]
    index = read(built_seed, "tags/index.html")
    assert re.search(r'<a class="tag" href="\.\./tags/lg/index.html">Machine Learning</a> <span class="tag-desc">LG'
                     r'</span> <span class="tag-count">17</span>', index)


def test_user_tags_and_keys_reach_the_pages(built_seed, run):
    record = built_seed / "content" / "papers" / "fetchsgd-communication-efficient-federated-learning-with.md"
    record.write_text(record.read_text().replace("tags: []", "tags:\n  - federated learning\n  - LG")
                      .replace("links: {}", "links:\n  pdf: https://arxiv.org/pdf/2007.07682\nvenue: ICML 2020"))
    assert run(built_seed, "build").code == 0
    page = read(built_seed, "papers/fetchsgd-communication-efficient-federated-learning-with/index.html")
    assert '<a class="tag" href="../../tags/federated-learning/index.html">federated learning</a>' in page
    assert page.count('href="../../tags/lg/index.html"') == 1  # LG is its category too: one tag
    assert '<a class="link link-pdf" href="https://arxiv.org/pdf/2007.07682" rel="noopener">PDF</a>' in page
    assert '<span class="venue"><cite>ICML 2020</cite></span>' in page
    assert "FetchSGD" in read(built_seed, "tags/federated-learning/index.html")


def test_all_internal_links_resolve_from_disk(built_seed):
    assert broken_links_on_disk(built_seed / "output") == []


@pytest.mark.parametrize("prefix", ["/", "/repo/"])
def test_all_internal_links_resolve_over_http(built_seed, prefix):
    with serve(built_seed / "output", prefix) as base:
        visited, failures = crawl_http(base)
    assert failures == []
    assert len(visited) >= 1 + 33 + 1 + 8 + 1  # pages and the stylesheet


def test_builds_are_deterministic(built_seed, run, tmp_path):
    first = snapshot(built_seed / "output")
    copy = tmp_path / "copy"
    shutil.copytree(built_seed, copy, ignore=shutil.ignore_patterns("output"))
    assert run(copy, "build").code == 0
    assert snapshot(copy / "output") == first
    assert run(built_seed, "build").code == 0
    assert snapshot(built_seed / "output") == first


def test_failed_build_leaves_the_previous_output(built_seed, run):
    before = snapshot(built_seed / "output")
    record = built_seed / "content" / "papers" / "fetchsgd-communication-efficient-federated-learning-with.md"
    record.write_text(record.read_text().replace("date: 2020-07-15", "date: someday"))
    other = built_seed / "content" / "papers" / "seeing.md"
    other.write_text("---\ntitle: [broken\n---\n")
    result = run(built_seed, "build")
    assert result.code == 1
    assert "content/papers/fetchsgd-communication-efficient-federated-learning-with.md:8: date must be written" in result.err
    assert "content/papers/seeing.md:3: invalid YAML" in result.err
    assert "Traceback" not in result.err
    assert snapshot(built_seed / "output") == before
    assert [p.name for p in built_seed.iterdir() if p.name.startswith(".output")] == []


def test_template_error_names_template_and_line_and_keeps_output(built_seed, run):
    before = snapshot(built_seed / "output")
    templates = built_seed / "templates"
    templates.mkdir()
    (templates / "tag.html").write_text('{% extends "theme/tag.html" %}\n{% block main %}\n{{ tag.no_such_field }}\n{% endblock %}\n')
    result = run(built_seed, "build")
    assert result.code == 1
    assert re.search(r"templates/tag\.html:3: UndefinedError: .*no_such_field", result.err), result.err
    assert result.err.count("templates/tag.html:3:") == 1
    assert snapshot(built_seed / "output") == before
    (templates / "tag.html").write_text('{% extends "theme/tag.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n')
    result = run(built_seed, "build")
    assert "templates/tag.html:3:" in result.err and result.code == 1


def test_site_template_overrides_and_extends_the_theme(built_seed, run):
    templates = built_seed / "templates"
    templates.mkdir()
    (templates / "paper.html").write_text(
        '{% extends "theme/paper.html" %}\n{% block title %}[{{ paper.title }}]{% endblock %}\n')
    assert run(built_seed, "build").code == 0
    page = read(built_seed, "papers/fetchsgd-communication-efficient-federated-learning-with/index.html")
    assert "<title>[FetchSGD: Communication-Efficient Federated Learning with Sketching]</title>" in page
    assert "@misc{rothchild2020fetchsgd," in page  # the rest of the theme's page is still there


def test_unknown_category_is_shown_as_is_with_a_warning(small_site, run):
    listing = small_site / "seeds" / "papers.txt"
    listing.write_text(listing.read_text().replace("CVJan 5, 2023", "ZZJan 5, 2023"))
    run(small_site, "import")
    result = run(small_site, "build")
    assert result.code == 0
    assert "content/papers/seeing-things.md: warning: unknown arXiv category 'ZZ': shown as is" in result.err
    assert '<a class="meta-tag" href="tags/zz/index.html">ZZ</a>' in read(small_site, "index.html")


def test_unknown_macro_warning_names_the_record(small_site, run):
    listing = small_site / "seeds" / "papers.txt"
    listing.write_text(listing.read_text().replace("An \\emph{important}", "An \\algoname{} and"))
    run(small_site, "import")
    result = run(small_site, "build")
    assert "content/papers/seeing-things.md:14: warning: unknown macro \\algoname" in result.err


def test_duplicate_slugs_are_an_error_naming_both(small_site, run):
    run(small_site, "import")
    papers = small_site / "content" / "papers"
    (papers / "copy.md").write_text("---\ntitle: X\nauthors: [A B]\ndate: 2020-01-01\nslug: seeing-things\n---\n")
    result = run(small_site, "build")
    assert result.code == 1
    assert ("content/papers/seeing-things.md: slug 'seeing-things' is already used by content/papers/copy.md"
            in result.err)


@pytest.mark.parametrize("output_dir, why", [
    (".", "is the site folder or a folder holding it: refusing to replace it"),
    ("content", "is content/ or a folder holding it: refusing to replace it"),
    ("seeds", "is seeds/ or a folder holding it: refusing to replace it"),
    ("themes", "is themes/ or a folder holding it: refusing to replace it"),
    ("..", "is the site folder or a folder holding it: refusing to replace it"),
    ("content/papers/out", "is inside content/: choose a folder such as output"),
    ("templates", "is templates/ or a folder holding it: refusing to replace it"),
])
def test_dangerous_output_folders_are_refused(small_site, run, output_dir, why):
    run(small_site, "import")
    (small_site / "themes").mkdir()
    (small_site / "templates").mkdir()
    before = snapshot(small_site)
    with open(small_site / "site.yaml", "a") as handle:
        handle.write(f"output_dir: {output_dir}\n")
    result = run(small_site, "build")
    assert result.code == 1
    assert f"output_dir {output_dir!r} {why}" in result.err
    after = snapshot(small_site)
    after.pop("site.yaml")
    before.pop("site.yaml")
    assert after == before


def test_foreign_output_folder_is_not_replaced(small_site, run):
    run(small_site, "import")
    (small_site / "output").mkdir()
    (small_site / "output" / "thesis.pdf").write_bytes(b"precious")
    result = run(small_site, "build")
    assert result.code == 1
    assert "not made by site-builder" in result.err
    assert (small_site / "output" / "thesis.pdf").read_bytes() == b"precious"


def test_leftovers_of_a_killed_build_are_cleaned(small_site, run):
    run(small_site, "import")
    assert run(small_site, "build").code == 0
    good = snapshot(small_site / "output")
    # a build killed between the two renames of the swap: output/ is aside, a temp folder half written
    (small_site / "output").rename(small_site / ".output.old-x1")
    (small_site / ".output.tmp-x2").mkdir()
    (small_site / ".output.tmp-x2" / "index.html").write_text("half")
    assert run(small_site, "build").code == 0
    assert snapshot(small_site / "output") == good
    assert sorted(p.name for p in small_site.iterdir()) == [".cache", "content", "output", "seeds", "site.yaml"]


def test_empty_site_builds(tmp_path, run):
    (tmp_path / "site.yaml").write_text("title: Empty\n")
    result = run(tmp_path, "build")
    assert result.code == 0, result.err
    assert "No papers yet" in (tmp_path / "output" / "index.html").read_text()


@pytest.fixture
def forked(monkeypatch):
    """Builds whose pages are rendered and written by forked workers (as a large site's are), forced on a
    small site with small chunks; ``jobs=1`` renders everything in this process."""
    import site_builder.parallel
    monkeypatch.setattr(site_builder.parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(site_builder.parallel, "CHUNK", 2)

    def build(site: Path, jobs: int):
        from site_builder.build import Builder
        from site_builder.config import load_config
        return Builder(load_config(site), jobs=jobs).build()
    return build


def test_forked_workers_write_what_one_process_writes(small_site, run, forked, tmp_path):
    run(small_site, "import")
    record = next((small_site / "content" / "papers").glob("seeing-things*.md"))
    record.write_text(record.read_text() + "\nAnd \\newmacro{} here.\n")  # a warning from an abstract
    templates = small_site / "templates"
    templates.mkdir()  # a list page that shows abstracts itself
    (templates / "tag.html").write_text('{% extends "theme/tag.html" %}{% block main %}{{ super() }}'
                                        '{% for p in papers %}<div class="x">{{ p.abstract_html }}|'
                                        '{{ p.abstract_text }}</div>{% endfor %}{% endblock %}')
    copy = tmp_path / "copy"
    shutil.copytree(small_site, copy)
    one = forked(small_site, jobs=1)
    two = forked(copy, jobs=2)
    assert snapshot(copy / "output") == snapshot(small_site / "output")
    assert (two.pages, two.papers, two.tags, two.rendered) == (one.pages, one.papers, one.tags, one.rendered)
    assert sorted(map(str, two.problems)) == sorted(map(str, one.problems))
    assert any("unknown macro \\newmacro" in p.message and p.line for p in two.problems)
    assert '<div class="x"><p>' in (copy / "output" / "tags" / "cv" / "index.html").read_text()


def test_forked_build_makes_each_list_item_and_bibtex_once(seed_site, run, forked, monkeypatch, tmp_path):
    """A paper's list items, BibTeX and export pieces are made once per build by the worker that renders its
    page, and the list pages and exports rendered later by other workers read them (render.PaperTexts): no
    item is rendered twice however many pages and workers show it. The output is what one process writes.
    (The worker that tries the list templates on a small site beforehand renders a few more, thrown away.)"""
    import jinja2

    import site_builder.build
    import site_builder.citations
    import site_builder.render

    run(seed_site, "import")
    copy = tmp_path / "copy"
    shutil.copytree(seed_site, copy)
    forked(seed_site, jobs=1)
    log = tmp_path / "made.log"
    render, bibtex = jinja2.Template.render, site_builder.citations.bibtex

    def note(line: str) -> None:
        with open(log, "a") as f:  # appended by every worker: one line a write
            f.write(f"{os.getpid()} {line}\n")

    def counted_render(self, *args, **kwargs):
        if self.name == "partials/paper_item.html":
            note(f"item {kwargs['paper'].slug} {kwargs['root']} {kwargs['abstract']} {kwargs['focus']}")
        return render(self, *args, **kwargs)

    def counted_bibtex(paper):
        note(f"bibtex {paper.slug}")
        return bibtex(paper)
    monkeypatch.setattr(jinja2.Template, "render", counted_render)
    monkeypatch.setattr(site_builder.citations, "bibtex", counted_bibtex)
    monkeypatch.setattr(site_builder.render, "bibtex", counted_bibtex)
    probe = site_builder.build._probe_list_items

    def counted_probe(*args):
        note("probe")
        return probe(*args)
    monkeypatch.setattr(site_builder.build, "_probe_list_items", counted_probe)
    forked(copy, jobs=2)
    assert snapshot(copy / "output") == snapshot(seed_site / "output")
    lines = [line.split(" ", 1) for line in log.read_text().splitlines()]
    probes = {pid for pid, line in lines if line == "probe"}
    assert len(probes) == 1 and probes != {str(os.getpid())}
    made = [line for pid, line in lines if pid not in probes]
    papers = len(list((copy / "content" / "papers").glob("*.md")))
    assert sorted(line for line in made if line.startswith("bibtex")) == sorted({f"bibtex {p.stem}" for p in
                                                                                  (copy / "content" / "papers").glob("*.md")})
    items = [line for line in made if line.startswith("item")]
    assert len(items) == len(set(items)) and len(items) >= 2 * papers  # a full and a compact item each, once


def test_a_failed_try_of_the_list_templates_only_costs_work(seed_site, run, forked, monkeypatch, tmp_path):
    """The list templates are tried on a small site in a worker while the model is made
    (build._probe_list_items); if that fails, the pages make every list item where they ask for it, and the
    output is the same."""
    import site_builder.build

    run(seed_site, "import")
    copy = tmp_path / "copy"
    shutil.copytree(seed_site, copy)
    forked(seed_site, jobs=1)

    def broken(*args):
        raise RuntimeError("the small site could not be made")
    monkeypatch.setattr(site_builder.build, "_probe_list_items", broken)
    result = forked(copy, jobs=2)
    assert not [p for p in result.problems if p.is_error]
    assert snapshot(copy / "output") == snapshot(seed_site / "output")


@pytest.mark.parametrize("template, text", [
    ("paper.html", '{% extends "theme/paper.html" %}\n{% block title %}{{ paper.nope.deeper }}{% endblock %}'),
    ("partials/paper_item.html", '<li>\n{{ paper.nope.deeper }}</li>'),  # fails inside every list page
])
def test_forked_build_reports_a_template_error_and_keeps_the_output(small_site, run, forked, template, text):
    run(small_site, "import")
    forked(small_site, jobs=2)
    before = snapshot(small_site / "output")
    (small_site / "templates" / "partials").mkdir(parents=True)
    (small_site / "templates" / template).write_text(text)
    from site_builder.problems import UserError
    with pytest.raises(UserError) as failure:
        forked(small_site, jobs=2)
    assert [(p.path, p.line) for p in failure.value.problems if p.is_error] == [(f"templates/{template}", 2)]
    assert snapshot(small_site / "output") == before
    assert not [p for p in small_site.iterdir() if p.name.startswith(".output")]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("batched", [False, True])
def test_parallel_map_keeps_order_in_and_out_of_process(monkeypatch, jobs, batched):
    import os

    import site_builder.parallel as parallel
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    items = list(range(103))
    seen = []

    def func(x):
        return [(n * 2, os.getpid()) for n in x] if batched else (x * 2, os.getpid())
    result = parallel.parallel_map(func, items, jobs, progress=lambda done, total: seen.append((done, total)),
                                   chunk=10, batched=batched)
    assert [value for value, _pid in result] == [n * 2 for n in items]
    assert seen[-1] == (103, 103)
    assert ({pid for _value, pid in result} == {os.getpid()}) == (jobs == 1)


@pytest.fixture
def workers_started(monkeypatch) -> list[int]:
    """The number of workers of each ``parallel.Workers`` made (in order), as the test goes on."""
    import site_builder.parallel as parallel

    started: list[int] = []
    workers_init = parallel.Workers.__init__

    def counting(self, func, items, jobs, batched=False):
        started.append(jobs)
        workers_init(self, func, items, jobs, batched)

    monkeypatch.setattr(parallel.Workers, "__init__", counting)
    return started


def test_more_workers_than_two_write_what_one_process_writes(seed_site, run, forked, workers_started, monkeypatch,
                                                             tmp_path):
    """A machine with more cores gets more workers (``parallel.default_jobs``): four workers, forced on the
    seed site with small chunks, give the bytes one process gives, and four are really forked."""
    import site_builder.parallel as parallel

    monkeypatch.setattr(parallel, "usable_cpus", lambda: 4)
    run(seed_site, "import")
    copy = tmp_path / "copy"
    shutil.copytree(seed_site, copy)
    one = forked(seed_site, jobs=1)
    assert workers_started == []
    four = forked(copy, jobs=4)
    # reading the records, the list templates' try on a small site (one worker, beside the model), both render stages
    assert workers_started == [4, 1, 4, 4]
    assert snapshot(copy / "output") == snapshot(seed_site / "output")
    assert (four.pages, four.papers, four.rendered) == (one.pages, one.papers, one.rendered)


def test_workers_are_never_more_than_the_usable_cores(seed_site, run, forked, workers_started, monkeypatch):
    import site_builder.parallel as parallel

    monkeypatch.setattr(parallel, "usable_cpus", lambda: 3)
    run(seed_site, "import")
    forked(seed_site, jobs=16)
    assert workers_started == [3, 1, 3, 3]
