"""Records: YAML for people that reads back the same, and errors that name the line."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from site_builder import yamlio
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
    assert record.date == dt.date(2024, 3, 9)
    assert record.links == (("code", "https://github.com/a/b"),)
    assert record.has_code is True
    assert record.body == "The abstract."
    assert record.body_line == 14
    assert record.slug == "sparse"


def test_user_keys_are_kept_for_templates():
    text = "---\ntitle: T\nauthors: [A B]\ndate: 2024-01-01\nvenue: NeurIPS\nextra_info: {x: 1}\n---\n"
    record, problems = record_from_text(text, Path("t.md"), "t.md")
    assert problems == ()
    assert record.extra == {"venue": "NeurIPS", "extra_info": {"x": 1}}


@pytest.mark.parametrize("text, line, message", [
    ("title: T\n", 1, "a record must start with a '---' line"),
    ("---\ntitle: T\n", 1, "the front matter is not closed"),
    ("---\ntitle: [oops\nauthors: [A]\n---\n", 3, "invalid YAML"),
    ("---\nauthors: [A B]\ndate: 2024-01-01\n---\n", 1, "missing required field 'title'"),
    ("---\ntitle: yes\nauthors: [A B]\ndate: 2024-01-01\n---\n", 2, "title must be text, not True (put it in quotes)"),
    ("---\ntitle: T\nauthors: []\ndate: 2024-01-01\n---\n", 3, "authors is empty"),
    ("---\ntitle: T\nauthors: [A B]\ndate: March\n---\n", 4, "date must be written YYYY-MM-DD"),
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
