"""Issue 18, tests and figures: structured fuzzing of the BibTeX and CSL-JSON readers (the listing parser has
its own in test_hostile.py and test_listing_split.py). Files are put together from the pieces real exports are
made of, well formed and broken, and from arbitrary JSON values where CSL-JSON expects dates, names and text.
The readers never raise: every item is an entry or a problem with its file and line, and nothing imported is
nonsense (a title of text, a date with a year in range). ``make fuzz`` sets SITE_BUILDER_FUZZ_EXAMPLES.
"""
from __future__ import annotations

import json
import os
import re
from unittest import mock

from hypothesis import HealthCheck, example, given, settings, strategies as st

from site_builder import bibtex
from site_builder.sources import read_bibtex, read_csl_json

EXAMPLES = int(os.environ.get("SITE_BUILDER_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TEX = st.sampled_from(["Ada", "Lovelace", " ", "\\emph{x}", "\\href{https://e.org}{t}", "{\\'e}", "$x_1$", "\\&",
                       "%", "#", "~", "--", "\\", "{", "}", "\"", "@", ",", "=", "\u00a0", "\u2028", "\x00",
                       "\\url{a}", "{{B}}", "and", "\n"])
# a title or name without TeX's special characters (a lone "~" is a tie: a title of one reads as empty)
WELL = st.text(st.characters(blacklist_categories=("Cs", "Cc")).filter(lambda c: c not in "{}\\@%#\"$~^_&"),
               min_size=1, max_size=20).filter(lambda t: t.strip())


def _good_entry(i: int, title: str, year: int, authors: list[str]) -> str:
    names = "{" + " and ".join(f"{{{a}}}" for a in authors) + "}"
    return f"@article{{key{i},\n  title = {{{title}}},\n  author = {names},\n  year = {{{year}}}\n}}\n"


@FUZZ
@given(st.lists(st.tuples(WELL, st.integers(1000, 2100), st.lists(WELL, min_size=1, max_size=4)),
                min_size=1, max_size=6))
def test_well_formed_bibtex_entries_are_all_imported(entries):
    text = "".join(_good_entry(i, *entry) for i, entry in enumerate(entries))
    result = read_bibtex(text, "refs.bib")
    assert result.rejected == 0, result.problems
    assert len(result.entries) == len(entries)
    for entry, (title, year, _authors) in zip(result.entries, entries):
        assert entry.title.strip() and entry.date.year == year


@FUZZ
@given(st.lists(st.one_of(
    st.builds(lambda kind, key, fields: f"@{kind}{{{key},\n" + "".join(f"  {n} = {{{v}}},\n" for n, v in fields) + "}\n",
              st.sampled_from(["article", "inproceedings", "misc", "book", "phdthesis", "unknownkind", "string",
                               "comment", "preamble", ""]),
              st.text(max_size=8),
              st.lists(st.tuples(st.sampled_from(["title", "author", "year", "date", "month", "day", "doi", "url",
                                                  "abstract", "editor", "journal", "crossref", "keywords", "eprint",
                                                  "x-odd", ""]),
                                 st.lists(TEX, max_size=8).map("".join)), max_size=6)),
    st.lists(TEX, max_size=12).map("".join)), max_size=6))
def test_the_bibtex_reader_on_broken_files_reports_and_never_raises(pieces):
    text = "".join(pieces)
    result = read_bibtex(text, "refs.bib")
    lines = text.count("\n") + 2
    for problem in result.problems:
        assert problem.path == "refs.bib" and (problem.line is None or 1 <= problem.line <= lines), problem
    for entry in result.entries:
        assert isinstance(entry.title, str) and entry.title.strip() and "\x00" not in entry.title
        assert 1 <= entry.date.year <= 9999 and all(isinstance(a, str) for a in entry.authors)


GAP = st.sampled_from(["", " ", "\n  ", "\t", " % a comment\n ", "%c\n", "\n%x\n\n"])
# value text: anything but braces, which come from the nesting (a stray one breaks the entry, which TEX tries)
PLAIN = st.sampled_from([" Ada", "Ada ", " ", "\n", "%", "#", "\\'e", "$x_1$", "@", ",", "=", "\"", "~", "and"])
BRACED = st.recursive(st.lists(PLAIN, max_size=4).map("".join),
                      lambda inner: st.lists(inner, max_size=3).map(lambda parts: "{" + "".join(parts) + "}"),
                      max_leaves=8)
FIELD = st.builds(lambda g1, name, g2, g3, value, g4, more: f"{g1}{name}{g2}={g3}{{{value}}}{g4}{more}",
                  GAP, st.sampled_from(["title", "Author", "x-y", "a.b", "title", "abstract", "%", ""]), GAP, GAP,
                  BRACED, GAP, st.sampled_from(["", "", "", "", "# jan", '# "s"', "#{t}"]))


@settings(FUZZ, max_examples=EXAMPLES * 2)  # cheap examples, not all of them reaching the one-match reading
@given(st.lists(st.builds(lambda kind, key, fields, close: f"@{kind}{{{key}," + ",".join(fields) + close,
                          st.sampled_from(["article", "misc", "string", "comment"]), st.sampled_from(["k", "k2", ""]),
                          st.lists(FIELD, max_size=5),
                          st.sampled_from(["}\n", "}\n", "}\n", ",}\n", ",}\n", "}}\n", ")\n", ""])),
                min_size=1, max_size=4))
@example(["@article{k, title = { Ada {\\'e} }, x = {a{b{c}}} # jan,\n % note\n y={%c\n{a{b{c{d}}}}},z = {}}\n",
          "@misc(k2,\n  Title = {A}\n  author = { {B} and C })\n@article{k3, a = {x}, a = {y}}\n"])
def test_a_field_read_in_one_match_is_read_as_field_by_field(entries):
    """bibtex reads ``name = {value}`` (braces at most three deep) with one regular expression, and anything else
    piece by piece: both readings agree, on what is read and on every problem and its line."""
    text = "".join(entries)
    fast = bibtex.parse_bibtex(text, "refs.bib")
    with mock.patch.object(bibtex, "_SIMPLE_FIELD_RE", re.compile(r"(?!)")):  # matches nothing: all the slow way
        slow = bibtex.parse_bibtex(text, "refs.bib")
    assert fast == slow


@FUZZ
@given(st.lists(st.sampled_from(["@article{", "  @misc(", " @ x", "@\n book {", "a@b.c", "\n", " ", "\t", "x",
                                 "@", "{", "%"]), max_size=30).map("".join))
def test_entries_start_where_the_pattern_says(text):
    assert bibtex._entry_lines(text) == [m.start() for m in bibtex._ENTRY_START_RE.finditer(text)]


JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                    max_leaves=12)
DATE = st.one_of(JSON, st.builds(lambda parts: {"date-parts": parts}, JSON),
                 st.builds(lambda y, m, d: {"date-parts": [[y, m, d]]}, st.integers(-5, 3000), st.integers(-2, 14),
                           st.integers(-2, 40)))
NAME = st.one_of(JSON, st.fixed_dictionaries({"family": JSON, "given": JSON}), st.fixed_dictionaries({"literal": JSON}))
ITEM = st.fixed_dictionaries({}, optional={
    "id": JSON, "type": st.one_of(JSON, st.sampled_from(["article-journal", "paper-conference", "book"])),
    "title": st.one_of(JSON, st.text(min_size=1, max_size=20)), "author": st.one_of(JSON, st.lists(NAME, max_size=3)),
    "issued": DATE, "abstract": JSON, "DOI": JSON, "URL": JSON, "container-title": JSON})


@FUZZ
@given(st.lists(st.one_of(ITEM, JSON), max_size=6))
def test_the_csl_json_reader_takes_every_item_or_reports_it_and_never_raises(items):
    text = json.dumps(items, indent=1)
    result = read_csl_json(text, "refs.json")
    assert len(result.entries) + result.rejected == len(items), result.problems
    lines = text.count("\n") + 2
    for problem in result.problems:
        assert problem.path == "refs.json" and (problem.line is None or 1 <= problem.line <= lines), problem
    for entry in result.entries:
        assert isinstance(entry.title, str) and entry.title.strip() and "\x00" not in entry.title
        assert 1 <= entry.date.year <= 9999 and all(isinstance(a, str) and a for a in entry.authors)
