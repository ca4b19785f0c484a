"""Records: YAML for people that reads back the same, and errors that name the line."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder import yamlio
from site_builder.dates import PartialDate
from site_builder.records import record_from_text, render_record

AWKWARD = ["yes", "no", "Yes", "NO", "on", "off", "y", "n", "true", "False", "null", "Null", "~", "none",
           "1e3", "1E-5", "0x1F", "0o17", "012", "1_000", "3.14", ".5", "-7", "+1", ".inf", "-.Inf", ".nan",
           "12:30", "2024-01-05", "2024-01-05 10:00", ": leading colon", "# hash", "- dash", "!tag", "&anchor",
           "*alias", "|pipe", ">fold", "%percent", "@at", "`tick", "'single'", '"double"', "{brace}", "[bracket]",
           "a: b", "a #b", "ends with colon:", " leading space", "trailing space ", "", "tab\tinside",
           "line\nbreak", "ünïcödé · 東京 · עברית", "\u202eRTL override", "back\\slash", "=", "?"]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_strings_round_trip(text):
    dumped = yamlio.dump({"title": text, "authors": [text, "Ann Lee"]})
    assert yamlio.load(dumped) == {"title": text, "authors": [text, "Ann Lee"]}
    # and a YAML 1.1 reader with the default resolvers agrees
    assert yaml.safe_load(dumped)["title"] == text


@pytest.mark.parametrize("text", ["yes", "null", "1e3", ": x", "# x", "2024-01-05", "0x1F"])
def test_misreadable_strings_are_quoted(text):
    line = yamlio.dump({"title": text}).strip()
    assert line.startswith('title: "'), line


def test_plain_strings_stay_plain_and_unicode_is_kept():
    text = yamlio.dump({"title": "Charles-Étienne's Model", "tags": ["privacy", "LLMs"]})
    assert text == "title: Charles-Étienne's Model\ntags:\n  - privacy\n  - LLMs\n"


def test_record_file_layout_and_round_trip(tmp_path):
    fm = {"title": "Sparse: yes", "authors": ["Ada Lovelace"], "et_al": False, "date": dt.date(2024, 3, 9),
          "category": "LG", "affiliation": None, "tags": [], "links": {"code": "https://github.com/a/b"}}
    text = render_record(fm, "The abstract.")
    assert text == (
        '---\ntitle: "Sparse: yes"\nauthors:\n  - Ada Lovelace\net_al: false\ndate: 2024-03-09\n'
        "category: LG\naffiliation: null\ntags: []\nlinks:\n  code: https://github.com/a/b\n---\n\nThe abstract.\n")
    record, problems = record_from_text(text, Path("content/papers/sparse.md"), "sparse.md")
    assert problems == ()
    assert record.title == "Sparse: yes"
    assert record.date == PartialDate(2024, 3, 9)
    assert record.links == (("code", "https://github.com/a/b"),)
    assert record.has_code is True
    assert record.body == "The abstract."
    assert record.body_line == 14
    assert record.slug == "sparse"


def test_user_keys_are_kept_for_templates():
    text = "---\ntitle: T\nauthors: [A B]\ndate: 2024-01-01\nvenue: NeurIPS\nextra_info: {x: 1}\n---\n"
    record, problems = record_from_text(text, Path("t.md"), "t.md")
    assert problems == ()
    assert record.venue == "NeurIPS"
    assert record.extra == {"extra_info": {"x": 1}}


@pytest.mark.parametrize("text, line, message", [
    ("title: T\n", 1, "a record must start with a '---' line"),
    ("---\ntitle: T\n", 1, "the front matter is not closed"),
    ("---\ntitle: [oops\nauthors: [A]\n---\n", 3, "invalid YAML"),
    ("---\nauthors: [A B]\ndate: 2024-01-01\n---\n", 1, "missing required field 'title'"),
    ("---\ntitle: yes\nauthors: [A B]\ndate: 2024-01-01\n---\n", 2, "title must be text, not True (put it in quotes)"),
    ("---\ntitle: T\nauthors: []\ndate: 2024-01-01\n---\n", 3, "authors is empty"),
    ("---\ntitle: T\nauthors: [A B]\ndate: March\n---\n", 4, "date must be written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("---\ntitle: T\nauthors: [A B]\ndate: 2024-01-01\nlinks: {pdf: 'javascript:alert(1)'}\n---\n", 5,
     "link 'pdf' must be an http(s) or mailto URL"),
    ("---\ntitle: T\nauthors: [A B]\ndate: 2024-01-01\nslug: ../../etc/passwd\n---\n", 5, "slug '../../etc/passwd' must be"),
    ("---\ntitle: T\ntitle: U\nauthors: [A B]\ndate: 2024-01-01\n---\n", 3, "duplicate key 'title'"),
])
def test_record_errors_name_the_line(text, line, message):
    record, problems = record_from_text(text, Path("content/papers/x.md"), "content/papers/x.md")
    assert record is None
    assert problems[0].line == line, problems
    assert message in problems[0].message
    assert str(problems[0]).startswith(f"content/papers/x.md:{line}: ")


def test_all_field_errors_reported_together():
    text = "---\ntitle: 1984\nauthors: A B\ndate: never\ntags: 5\n---\n"
    _record, problems = record_from_text(text, Path("x.md"), "x.md")
    assert [p.line for p in problems] == [2, 4, 5]


# ------------------------------------------------------------ the fast reader agrees with libyaml

_TRICKY = ["a", "Z", "é", " ", "  ", ":", ": ", "#", " #", "-", "- ", "'", '"', "\\", "[", "]", "{", "}", ",", "&",
           "*", "!", "|", ">", "%", "@", "`", "?", "~", "=", "<<", "0", "1", "9", ".", "e", "x", "_", "+", "yes", "no",
           "on", "null", "true", "False", "2024-01-05", "2024-13-45", "1e3", "0x1f", "12:30", ".inf", "\t", "\u00a0",
           "\u2028", "\ufeff", "\x85", "http://a.b/#c"]
_TRICKY_TEXT = st.lists(st.sampled_from(_TRICKY), min_size=0, max_size=6).map("".join)


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _libyaml(text):
    try:
        return yamlio.yaml.load(text, Loader=yamlio.Loader)
    except Exception:  # noqa: BLE001 - any refusal: the fast reader must have refused too
        return "refused"


@pytest.mark.slow
def test_fast_reader_reads_what_dump_writes_as_libyaml_does():
    read = []

    @settings(max_examples=600, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["title", "authors", "date", "links", "tags", "note", "y", "on", "k_2"]),
                              st.one_of(_TRICKY_TEXT, st.lists(_TRICKY_TEXT, max_size=3),
                                        st.dictionaries(_TRICKY_TEXT, _TRICKY_TEXT, max_size=2),
                                        st.none(), st.booleans(), st.dates())), max_size=5))
    def check(items):
        data = dict(items)
        text = yamlio.dump(data) if data else ""
        fast = yamlio._load_simple(text)
        if fast is not yamlio._NO_VALUE:
            read.append(text)
            assert _same(fast, _libyaml(text)), text

    check()
    # the property holds for what the fast reader reads: it must have read many of the texts, not declined them all
    assert len(read) >= 100, len(read)


_VALUE = st.one_of(st.sampled_from(["Ann Lee", "2024-01-05", "true", "null", "[]", "{}", '"q: #x"', "x y"]),
                   st.from_regex(r"[A-Za-z(][A-Za-z0-9 .,:#'()\[\]{}é-]{0,10}", fullmatch=True), _TRICKY_TEXT)
_KEYS = st.sampled_from(["title", "date", "authors", "links", "on", "x", "no"])
_BLOCK = st.one_of(
    st.builds(lambda k, v: [f"{k}: {v}"], _KEYS, _VALUE),
    st.builds(lambda k, i, vs: [f"{k}:"] + [f"{i}- {v}" for v in vs], _KEYS, st.sampled_from(["", "  ", "    "]),
              st.lists(_VALUE, max_size=3)),
    st.builds(lambda k, i, kvs: [f"{k}:"] + [f"{i}{n}: {v}" for n, v in kvs], _KEYS, st.sampled_from([" ", "  "]),
              st.lists(st.tuples(st.sampled_from(["code", "pdf", "1", "y", "a.b", "code"]), _VALUE), max_size=3)),
)
_STRAY = st.builds(lambda t: [t], _TRICKY_TEXT)  # a stray line: continuation, comment, garbage
_COMMENT = st.builds(lambda i, t: [f"{i}#{t}"], st.sampled_from(["", " ", "  ", "    ", "\t"]), _TRICKY_TEXT)
_LINES = st.lists(st.one_of(_BLOCK, _BLOCK, _BLOCK, _STRAY, _COMMENT), min_size=1, max_size=5).map(
    lambda blocks: "\n".join(line for block in blocks for line in block))


def _key_lines_of_libyaml(text):
    try:
        node = yamlio.yaml.compose(text, Loader=yamlio._pyyaml().BaseLoader)
    except yamlio.yaml.YAMLError:
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _v in node.value} if isinstance(node, yamlio.yaml.MappingNode) else {}


@settings(max_examples=200, deadline=None)
@given(_LINES)
def test_key_lines_of_text_the_fast_reader_takes_are_libyamls(text):
    """key_lines counts the lines itself when the fast reader takes the text (no PyYAML loaded for a plain
    site.yaml); what it says is what libyaml says."""
    assert yamlio.key_lines(text) == _key_lines_of_libyaml(text)


@pytest.mark.slow
def test_fast_reader_never_disagrees_with_libyaml_on_hand_written_text():
    read = []

    @settings(max_examples=1500, deadline=None)
    @given(_LINES)
    def check(text):
        fast = yamlio._load_simple(text)
        if fast is not yamlio._NO_VALUE:
            read.append(text)
            assert _same(fast, _libyaml(text)), text

    check()
    assert len(read) >= 40, len(read)  # texts the fast reader took, not only ones it left to libyaml


def test_fast_reader_takes_every_record_import_writes():
    from conftest import ROOT
    for path in sorted((ROOT / "content" / "papers").glob("*.md")):
        front = path.read_text(encoding="utf-8").split("---\n")[1]
        assert _same(yamlio._load_simple(front), _libyaml(front)), path


def test_the_build_reader_renders_each_body_and_keeps_no_body(tmp_path):
    """read_records: records without their bodies (the build never holds every abstract twice), each body
    rendered (by record digest), a bad formula a warning at the body's line, on one worker or two."""
    from site_builder.config import SiteConfig
    from site_builder.reading import RecordCache, read_records

    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    for n in range(300):  # enough for the bodies to be rendered on forked workers
        body = f"Bound {n} is $\\frac{{1}}{{n}}$." if n != 7 else "Broken $\\left( x$ here and \\foo."
        (papers / f"p{n:03d}.md").write_text(f"---\ntitle: Paper {n}\nauthors:\n  - Ada Lovelace\ndate: 2020-01-01\n"
                                             f"---\n\n{body}\n", encoding="utf-8")
    config = SiteConfig(root=tmp_path)
    for jobs in (1, 2):
        cache = RecordCache()
        reading = read_records(config, None, cache, jobs)
        assert len(reading.records) == 300 and all(r.body == "" for r in reading.records)
        assert set(reading.abstracts) == {r.digest for r in reading.records}
        first = reading.abstracts[reading.records[0].digest]
        assert first.html.startswith("<p>Bound 0 is <math") and first.text.startswith("Bound 0 is")
        assert [(p.path, p.line, p.is_error) for p in reading.problems] == [("content/papers/p007.md", 8, False)] * 2
        # read again with nothing changed: the same objects, nothing parsed or rendered again
        again = read_records(config, None, cache, jobs)
        assert all(a is b for a, b in zip(again.records, reading.records))
        assert [p.line for p in again.problems] == [8, 8]


def _split_by_lines(text):
    """What split_front_matter gives (front matter text, body, body line), by its definition: the text cut into
    lines, the first and the closing one a '---' line (whitespace around allowed), then blank lines skipped."""
    text = (text[1:] if text.startswith("\ufeff") else text).replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return "no opening"
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return "not closed"
    body_lines = lines[end + 1:]
    skipped = 0
    while skipped < len(body_lines) and not body_lines[skipped].strip():
        skipped += 1
    return "\n".join(lines[1:end]) + "\n", "\n".join(body_lines[skipped:]).rstrip(), end + 2 + skipped


_PIECES = ["---", "--- ", " ---", "\t---\u000b", "----", "-- -", "x ---", "\u3000---", "a: b", "", " ", "\t", "\r",
           "\x1c", "\u2028", "\x85", "\ufeff", "body"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["", "\ufeff"]), st.lists(st.sampled_from(_PIECES), max_size=7),
       st.sampled_from(["\n", "\r\n"]), st.sampled_from(["", "\n", "\r\n", " ", "\n\n"]))
def test_front_matter_is_split_as_the_lines_say(bom, pieces, newline, tail):
    """split_front_matter searches the text for its lines instead of cutting all of it into lines (a record is
    mostly body): the same front matter, body and body line as cutting it, whatever the whitespace."""
    from unittest import mock

    from site_builder.problems import ParseError
    from site_builder.records import split_front_matter

    text = bom + newline.join(pieces) + tail
    expected = _split_by_lines(text)
    try:
        with mock.patch.object(yamlio, "load", lambda text: {}):  # the lines are the question, not the YAML
            parsed = split_front_matter(text)
    except ParseError as exc:
        assert expected == ("no opening" if "must start" in exc.message else "not closed"), text
        return
    assert (parsed.front_matter_text, parsed.body, parsed.body_line) == expected, text


def test_each_record_gets_its_own_empty_list_and_mapping():
    """The fast reader keeps what it made of a line for the next record with the same line: never a list or
    mapping one record could change under another."""
    first, second = yamlio.load("tags: []\nlinks: {}\n"), yamlio.load("tags: []\nlinks: {}\n")
    assert first == second == {"tags": [], "links": {}}
    assert first["tags"] is not second["tags"] and first["links"] is not second["links"]
