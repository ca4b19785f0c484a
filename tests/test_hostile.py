"""Hostile input: property tests, injection-proof outputs, safe paths, crash-safe builds and imports."""
from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT, make_site, snapshot
from site_builder import yamlio
from site_builder.listing import parse_listing
from site_builder.records import record_from_text, render_record

AS_OF = dt.date(2025, 6, 30)

# ---------------------------------------------------------------- property tests of the parser


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_parser_on_arbitrary_text_only_returns_entries_and_problems(text):
    result = parse_listing(text, "x.txt", AS_OF)
    assert all(p.line is not None and p.line >= 1 for p in result.problems)
    assert all(e.line >= 1 for e in result.entries)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["LGMar 9, 2024", "CRJun 12Code", "Title TextAda Lovelace, Alan Turing et al.",
                                 "An abstract.", "", " ", "\r", "XX", "· x", "LGFeb 30, 2024", "a title only",
                                 "CVJan 5, 2023 Code", "\ufeff"]), max_size=12).map("\n".join))
def test_parser_on_shuffled_listing_lines_never_raises(text):
    result = parse_listing(text, "x.txt", AS_OF)
    assert all(p.line is not None for p in result.problems)


TITLE_WORDS = st.sampled_from(["Sparse", "Private", "learning", "of", "Models", "Attention", "via", "Robust",
                               "Über", "Ψ-Nets", "Self-Supervised", "Graph", "at", "Scale:", "A", "Study"])
TITLE_ENDINGS = st.sampled_from(["", " LLMs", " GPT", " MoE", " BERT", " 2", " 1000", "?", " (Extended)", " (RL)",
                                 " via RLHF", " in 3D"])
FIRST = st.sampled_from(["Ada", "Alan", "Zoë", "Charles-Étienne", "Jiří", "J.", "A. B.", "Mary-Jane", "Ngozi",
                         "Søren", "Émile", "Yuki", "D'Arcy", "Kofi"])
LAST = st.sampled_from(["Lovelace", "Turing", "van der Berg", "de la Cruz", "O'Brien", "McLeish", "MacDonald",
                        "Sandoval-Segura", "Choquette-Choo", "Müller", "Nakamura", "Ó Súilleabháin", "DeVries",
                        "von Neumann", "Smith Jr."])


@st.composite
def valid_entries(draw):
    title = " ".join(draw(st.lists(TITLE_WORDS, min_size=1, max_size=6))) + draw(TITLE_ENDINGS)
    title = title.strip()
    assume(title and title[-1] != ":" and title[0] != " ")
    authors = draw(st.lists(st.builds(lambda f, l: f"{f} {l}", FIRST, LAST), min_size=1, max_size=3, unique=True))
    et_al = draw(st.booleans())
    affiliation = draw(st.sampled_from([None, "berkeley", "eth zurich", "université paris"]))
    category = draw(st.sampled_from(["LG", "CR", "CV", "CL", "AI", "GT", "IR", "RO"]))
    date = draw(st.dates(min_value=AS_OF - dt.timedelta(days=364), max_value=AS_OF))
    with_year = draw(st.booleans())
    code = draw(st.booleans())
    url = draw(st.sampled_from([None, "https://github.com/lab/repo_1", "https://gitlab.com/a/b"])) if code else None
    return title, authors, et_al, affiliation, category, date, with_year, code, url


def render_entry(title, authors, et_al, affiliation, category, date, with_year, code, url) -> str:
    month = date.strftime("%b")
    header = f"{category}{month} {date.day}" + (f", {date.year}" if with_year else "") + ("Code" if code else "")
    byline = title + ", ".join(authors) + (" et al." if et_al else "") + (f" · {affiliation}" if affiliation else "")
    abstract = "We study $x_i$ things." + (f" Code: {url}." if url else "")
    return f"{header}\n{byline}\n{abstract}\n"


@settings(max_examples=400, deadline=None)
@given(st.lists(valid_entries(), min_size=1, max_size=4))
def test_generated_entries_parse_back_to_the_same_fields(entries):
    text = "\n".join(render_entry(*e) for e in entries)
    result = parse_listing(text, "x.txt", AS_OF)
    assert [p for p in result.problems if p.is_error] == []
    assert len(result.entries) == len(entries)
    for parsed, (title, authors, et_al, affiliation, category, date, _with_year, code, url) in zip(result.entries, entries):
        assert parsed.title == title
        assert list(parsed.authors) == authors
        assert parsed.et_al is et_al
        assert parsed.affiliation == affiliation
        assert parsed.category == category
        assert parsed.date == date
        assert parsed.has_code is code
        assert parsed.code_url == url


# ---------------------------------------------------------------- records round-trip any text

MISREAD = ["yes", "no", "null", "~", "1e3", "0x1F", "- x", ": x", "# x", "!x", "&x", "*x", "|x", ">x", "%x",
           "@x", "`x", " lead", "trail ", "true", "2024-01-05", "1_000", ".inf", "'", '"', "\\", "\t", "a\nb"]
ANY_TEXT = st.one_of(st.sampled_from(MISREAD), st.text(min_size=1, max_size=40)).filter(lambda t: t.strip())


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.lists(ANY_TEXT, min_size=1, max_size=3), ANY_TEXT, ANY_TEXT, st.lists(ANY_TEXT, max_size=3),
       ANY_TEXT)
def test_records_round_trip_arbitrary_unicode(title, authors, category, affiliation, tags, extra):
    fm = {"title": title, "authors": authors, "et_al": True, "date": dt.date(2024, 1, 5), "category": category,
          "affiliation": affiliation, "tags": tags, "links": {"code": "https://github.com/a/b"}, "note": extra, "mood": extra}
    text = render_record(fm, "Body.")
    assert yamlio.load(text.split("---\n")[1]) == fm
    record, problems = record_from_text(text, Path("x.md"), "x.md")
    assert problems == ()
    assert (record.title, list(record.authors), record.category, record.affiliation, list(record.tags)) == \
        (title, authors, category, affiliation, tags)
    assert record.note == extra
    assert record.extra == {"mood": extra}


# ---------------------------------------------------------------- injection into every output

EVIL = {
    "script": "<script>alert('t')</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "jinja": "{{ 7*7 }} {% if true %}JINJA{% endif %}",
    "close": "</script><script>alert(3)</script>",
    "xml": "]]> & <![CDATA[ x",
    "bib": "unbalanced { brace @misc{x,",
    "control": "ctrl\x01\x02\x1b[31m",
    "rtl": "\u202etxt.exe",
}
EVIL_TITLE = " ".join(EVIL.values())
# What every output shows of it: no HTML, XML or JSON output holds the control characters.
VISIBLE_TITLE = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", EVIL_TITLE)
LONG_TITLE = "Long " + "x" * 10000


def hostile_site(root: Path) -> Path:
    listing = (f"LGMar 9, 2024Code\n{EVIL['script']} Paper{EVIL['img'][2:]}Ada Lovelace, Mallory O'Hack\n"
               f"Abstract {EVIL['script']} {EVIL['jinja']} {EVIL['close']} {EVIL['xml']} "
               "\\href{javascript:alert(4)}{click} [x](javascript:alert(5)) ![i](data:text/html,x) "
               "https://github.com/a/b\".onmouseover=alert(6)\n")
    config = ("title: \"Lab <script>alert('config')</script> & {{ 7*7 }}\"\n"
              "description: '\"><img src=x onerror=alert(7)>'\n"
              "owner: \"<b>Ada</b>\"\n"
              "url: https://example.github.io/repo/\n"
              "listing_date: 2025-01-01\n"
              "macros:\n  evil: \"<script>alert(8)</script>\"\n")
    site = make_site(root, listing, config)
    papers = site / "content" / "papers"
    records = {
        "evil-title": {"title": EVIL_TITLE, "authors": [EVIL["img"], "Ann {{ 7*7 }} Lee"], "date": "2024-02-02",
                       "category": EVIL["xml"], "affiliation": EVIL["close"], "tags": [EVIL["script"], EVIL["jinja"]],
                       "links": {"pdf": "https://example.org/a.pdf?x=\"><script>", "code": "http://x/'onclick='alert(9)"}},
        "long-title": {"title": LONG_TITLE, "authors": ["Ann Lee"], "date": "2023-03-03", "tags": [EVIL["rtl"]]},
        "control": {"title": EVIL["control"] + " title", "authors": [EVIL["control"]], "date": "2022-01-01",
                    "affiliation": EVIL["bib"], "venue": EVIL["jinja"]},
    }
    for slug, fm in records.items():
        body = f"Body {EVIL['script']} \\evil{{}} {EVIL['jinja']} {EVIL['control']} <iframe src=javascript:alert(10)>"
        (papers / f"{slug}.md").write_text(render_record(fm, body), encoding="utf-8")
    return site


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.attrs: list[tuple[str, str, str]] = []
        self._in_script: dict | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
        if tag == "script":
            self._in_script, self._text = dict(attrs), ""

    def handle_data(self, data):
        if self._in_script is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, self._text))
            self._in_script = None


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory):
    from site_builder.build import Builder
    from site_builder.cli import main
    from site_builder.config import load_config

    site = hostile_site(tmp_path_factory.mktemp("hostile") / "site")
    assert main(["import", "--quiet", "--site", str(site)]) == 0
    result = Builder(load_config(site)).build()
    assert result.papers == 4
    clean = make_site(tmp_path_factory.mktemp("clean") / "site")
    assert main(["import", "--quiet", "--site", str(clean)]) == 0
    Builder(load_config(clean)).build()
    return site / "output", clean / "output"


def theme_scripts(clean: Path) -> set[str]:
    """The scripts the theme itself writes (from a build of a harmless site)."""
    found = set()
    for page in clean.rglob("*.html"):
        parser = _Elements()
        parser.feed(page.read_text(encoding="utf-8"))
        found |= {json.dumps([attrs, re.sub(r'"https?://[^"]*"', '"URL"', text)]) for attrs, text in parser.scripts}
    return found


def test_html_outputs_hold_no_script_handler_or_unsafe_link_from_content(hostile_output):
    out, clean = hostile_output
    allowed = theme_scripts(clean)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = _Elements()
        parser.feed(text)
        for attrs, body in parser.scripts:
            if attrs.get("type") == "application/ld+json":  # data, not code: it must parse and stay inside
                json.loads(body)
                assert "<" not in body, page
                continue
            key = json.dumps([attrs, re.sub(r'"https?://[^"]*"', '"URL"', body)])
            assert key in allowed, (page, attrs, body[:200])
        for tag, name, value in parser.attrs:
            assert not name.startswith("on"), (page, tag, name, value)
            if name in ("href", "src", "action", "formaction"):
                assert not re.match(r"\s*(javascript|data|vbscript):", value, re.I), (page, tag, name, value)
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text), page


def test_content_cannot_open_tags_anywhere(hostile_output):
    out, _clean = hostile_output
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text and "<iframe src=javascript" not in text, page
        assert "<b>Ada</b>" not in text


def test_jinja_syntax_from_content_is_text(hostile_output):
    out, _clean = hostile_output
    paper = (out / "papers" / "evil-title" / "index.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in paper and "{% if true %}JINJA{% endif %}" in paper
    assert "Lab &lt;script&gt;alert(&#39;config&#39;)&lt;/script&gt; &amp; {{ 7*7 }}" in paper
    assert "49" not in paper.replace("&#49;", "")


def test_json_outputs_parse_and_cannot_close_a_script(hostile_output):
    out, _clean = hostile_output
    raw = (out / "papers.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    assert "</script" not in raw.lower() and "<" not in raw
    titles = [p["title"] for p in data["papers"]]
    assert VISIBLE_TITLE in titles and LONG_TITLE in titles
    for paper in data["papers"]:
        parser = _Elements()
        parser.feed(paper["abstract_html"])
        assert parser.scripts == []
        for tag, name, value in parser.attrs:
            assert tag in ("a", "math") and name in ("href", "xmlns", "display"), (tag, name)
            assert not re.match(r"\s*(javascript|data):", value, re.I)
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", paper["abstract_html"])
    builder = (out / "embed" / "builder.html").read_text(encoding="utf-8")
    for attrs, body in ((a, b) for a, b in _scripts(builder)):
        assert "</script" not in body.lower()


def _scripts(text: str):
    parser = _Elements()
    parser.feed(text)
    return parser.scripts


def test_xml_outputs_are_well_formed_and_feeds_parse(hostile_output):
    out, _clean = hostile_output
    xml_files = sorted(out.rglob("*.xml"))
    assert len(xml_files) >= 3
    for path in xml_files:
        ET.parse(path)  # raises on anything malformed
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.bozo is False, feed.bozo_exception
    assert VISIBLE_TITLE in [e.title for e in feed.entries]


def test_bibtex_on_paper_pages_keeps_the_title_and_braces_balanced(hostile_output):
    out, _clean = hostile_output
    import html as html_lib
    page = (out / "papers" / "evil-title" / "index.html").read_text(encoding="utf-8")
    bib = html_lib.unescape(re.search(r'<pre class="(?:[^"]* )?bibtex"[^>]*><code[^>]*>(.*?)</code></pre>', page, re.S).group(1))
    depth = 0
    for i, ch in enumerate(bib):
        if ch == "{" and (i == 0 or bib[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and (i == 0 or bib[i - 1] != "\\"):
            depth -= 1
        assert depth >= 0
    assert depth == 0
    assert "alert(" in bib  # the title is intact, escaped for TeX


def test_long_title_has_a_short_slug(hostile_output):
    out, _clean = hostile_output
    slugs = [p.name for p in (out / "papers").iterdir()]
    assert all(len(s) <= 60 for s in slugs)


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize("slug", ["../../x", "/etc/x", "C:\\x", "a\x00b", ".hidden", "a/b"])
def test_path_like_slugs_are_rejected_with_path_and_line(small_site, run, slug):
    run(small_site, "import")
    record = small_site / "content" / "papers" / "seeing-things.md"
    record.write_text(record.read_text().replace("tags: []", "slug: " + json.dumps(slug) + "\ntags: []"))
    result = run(small_site, "build")
    assert result.code == 1
    assert re.search(r"content/papers/seeing-things\.md:\d+: slug .* must be lower-case letters", result.err)
    assert not (small_site.parent / "x").exists() and not Path("/etc/x").exists()


def test_symlinked_record_outside_the_site_is_not_followed(small_site, run, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\nauthors: [A B]\ndate: 2020-01-01\n---\nclassified\n")
    run(small_site, "import")
    (small_site / "content" / "papers" / "link.md").symlink_to(secret)
    result = run(small_site, "build")
    assert result.code == 1
    assert "content/papers/link.md: is a symbolic link to a file outside the site: not followed" in result.err


# ---------------------------------------------------------------- faults


def _big_site(root: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from gen_listing import generate
    finally:
        sys.path.pop(0)
    root.mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "site.yaml").write_text("title: Big\nlisting_date: 2026-01-01\n")
    (root / "seeds" / "papers.txt").write_text(generate(n), encoding="utf-8")
    return root


def test_sigkill_during_builds_leaves_a_complete_output(tmp_path):
    # 300 papers: more than parallel.MIN_ITEMS pages, so the build renders in forked workers (tests/test_faults.py
    # kills builds of a smaller site, rendered in one process)
    site = _big_site(tmp_path / "big", 300)
    cli = [sys.executable, "-m", "site_builder"]
    subprocess.run([*cli, "import", "--quiet"], cwd=site, check=True)
    started = time.monotonic()
    subprocess.run([*cli, "build", "--quiet"], cwd=site, check=True)
    took = time.monotonic() - started  # the kills fall anywhere within a build's length
    good = snapshot(site / "output")
    record = sorted((site / "content" / "papers").glob("*.md"))[7]
    rng = random.Random(3)
    versions = [good]
    for attempt in range(3):
        record.write_text(record.read_text().replace("title: ", f"title: K{attempt} ", 1))
        if attempt % 2:
            shutil.rmtree(site / ".cache", ignore_errors=True)  # a cold build, too
        proc = subprocess.Popen([*cli, "build", "--quiet"], cwd=site)
        time.sleep(rng.uniform(0.05, took))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        current = snapshot(site / "output")
        assert current in versions or current == _clean_build_of(site, tmp_path / f"c{attempt}"), attempt
        assert (site / "output" / "index.html").is_file()
        versions.append(_clean_build_of(site, tmp_path / f"c{attempt}"))
    subprocess.run([*cli, "build", "--quiet"], cwd=site, check=True)
    assert snapshot(site / "output") == versions[-1]
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []


def _clean_build_of(site: Path, where: Path) -> dict[str, bytes]:
    if not where.exists():
        shutil.copytree(site, where, ignore=shutil.ignore_patterns("output", ".cache", ".output*"))
        subprocess.run([sys.executable, "-m", "site_builder", "build", "--quiet"], cwd=where, check=True)
    return snapshot(where / "output")


def test_write_error_gives_one_message_and_keeps_the_old_output(small_site, run, monkeypatch):
    from site_builder import output as output_mod

    run(small_site, "import")
    run(small_site, "build")
    before = snapshot(small_site / "output")
    record = small_site / "content" / "papers" / "seeing-things.md"
    record.write_text(record.read_text().replace("Seeing Things", "Seeing More"))
    original = output_mod.FreshFolder.write

    def full_disk(self, url, data):
        if url.startswith("papers/"):
            raise OSError(28, "No space left on device", str(self.tmp / url))
        return original(self, url, data)

    monkeypatch.setattr(output_mod.FreshFolder, "write", full_disk)
    result = run(small_site, "build")
    assert result.code == 1
    assert "No space left on device" in result.err and "Traceback" not in result.err
    assert snapshot(small_site / "output") == before
    assert [p.name for p in small_site.iterdir() if p.name.startswith(".output")] == []


def test_interrupted_import_loses_no_record_and_a_rerun_finishes(tmp_path):
    site = _big_site(tmp_path / "big", 600)
    cli = [sys.executable, "-m", "site_builder"]
    proc = subprocess.Popen([*cli, "import", "--quiet"], cwd=site)
    time.sleep(0.9)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for path in (site / "content" / "papers").glob("*.md"):
        record, problems = record_from_text(path.read_text(encoding="utf-8"), path, path.name)
        assert record is not None, problems  # every file there is whole
    done = subprocess.run([*cli, "import"], cwd=site, capture_output=True, text=True, check=True)
    assert done.stdout.endswith("0 rejected\n")
    assert len(list((site / "content" / "papers").glob("*.md"))) == 600
    again = subprocess.run([*cli, "import"], cwd=site, capture_output=True, text=True, check=True)
    assert "600 unchanged" in again.stdout
    assert not list((site / "content").rglob("*.tmp"))


def test_one_malformed_entry_among_a_thousand(tmp_path, run):
    site = _big_site(tmp_path / "big", 1000)
    listing = site / "seeds" / "papers.txt"
    lines = listing.read_text(encoding="utf-8").split("\n")
    lines[3 * 500 + 1] = "no author here at all"  # the 501st entry's title line
    listing.write_text("\n".join(lines), encoding="utf-8")
    strict = run(site, "import", "--strict")
    assert strict.code == 1 and not list((site / "content").glob("papers/*.md"))
    assert "seeds/papers.txt:1502: cannot tell where the title ends" in strict.err
    result = run(site, "import")
    assert result.code == 1  # the other 999 are imported, and the exit status says one was rejected
    assert result.out.endswith("999 created, 0 updated, 0 unchanged, 0 kept-edited, 1 rejected\n")
    assert "seeds/papers.txt:1502: cannot tell where the title ends" in result.err


def test_bib_ris_and_csl_exports_of_hostile_papers(hostile_output):
    import html as html_lib

    import bibtexparser

    out, _clean = hostile_output
    library = bibtexparser.parse_string((out / "papers.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks and len(library.entries) == 4
    titles = [e.fields_dict["title"].value for e in library.entries]
    assert any(r"\{\{ 7*7 \}\}" in t and "alert(" in t and r"\{ brace {@}misc\{x," in t for t in titles)
    assert any(t.startswith("{Long xxxx") and len(t) > 10000 for t in titles)
    page = (out / "papers" / "evil-title" / "index.html").read_text(encoding="utf-8")
    csl = json.loads(html_lib.unescape(re.search(r'<pre class="(?:[^"]* )?csl"[^>]*><code[^>]*>(.*?)</code></pre>', page, re.S).group(1)))
    assert csl[0]["title"] == VISIBLE_TITLE
    ris = html_lib.unescape(re.search(r'<pre class="(?:[^"]* )?ris"[^>]*><code[^>]*>(.*?)</code></pre>', page, re.S).group(1))
    assert all(re.match(r"[A-Z][A-Z0-9]  -( |$)", line) for line in ris.splitlines())  # no field smuggles a line break
