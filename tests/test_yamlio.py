"""Front matter written without PyYAML's emitter is byte for byte what yaml.dump writes, and reads back."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from site_builder import yamlio
from site_builder.records import split_front_matter

# Strings that stress the choice of style: YAML words and numbers, indicators, quotes, escapes, line
# separators, characters beyond the Basic Multilingual Plane, surrogates, private use, and plain prose.
_TRICKY = st.sampled_from(["", " ", "yes", "No", "~", "null", "1e3", "0x1F", "1_000", "12:30", "2024-01-05", "<<",
                           "=", "- a", "? x", ": y", "#c", "a #b", "a: b", "a:", "x:y", "https://e.org/a#b?c=1,2",
                           "---", "...", "--- x", "'q'", '"q"', "a\\b", "tab\there", "line\nbreak", "\u2028",
                           "nbsp\u00a0x", "\x85", "\ufeff", "😀 emoji", "\ue001", "\ud800", "\uffff", "é ü ß 王",
                           "Ada Lovelace", "LoTA: Mitigating Interference", "O'Brien", "x" * 130, "[a]", "{b}",
                           "a, b", "!tag", "&anchor", "*alias", "|", ">", "%", "@", "`"])
_TEXT = st.one_of(_TRICKY, st.text(max_size=40), st.text(alphabet=st.characters(max_codepoint=0x300), max_size=40))
_SCALAR = st.one_of(_TEXT, st.booleans(), st.integers(-10**6, 10**6), st.none(),
                    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
_VALUE = st.one_of(_SCALAR, st.lists(_SCALAR, max_size=4), st.dictionaries(_TEXT, _SCALAR, max_size=4),
                   st.floats(allow_nan=False), st.tuples(_TEXT))


def _pyyaml(data):
    try:
        return yamlio._dump_pyyaml(data)
    except yaml.YAMLError:
        return None


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_TEXT, _VALUE, max_size=8))
def test_the_fast_writer_writes_what_yaml_dump_writes_or_leaves_it_to_yaml_dump(data):
    fast = yamlio._dump_simple(data)
    if fast is not None:
        assert fast == _pyyaml(data)
        assert yaml.safe_load(fast) == data or any(type(v) is dt.date for v in data.values())


def test_every_record_of_the_seed_site_takes_the_fast_writer_and_matches():
    records = sorted((ROOT / "content" / "papers").glob("*.md")) or sorted(
        (ROOT / "tests" / "golden" / "site" / "content" / "papers").glob("*.md"))
    assert records
    for path in records:
        data = split_front_matter(path.read_text(encoding="utf-8")).front_matter
        fast = yamlio._dump_simple(data)
        assert fast is not None, path.name
        assert fast == yamlio._dump_pyyaml(data), path.name
