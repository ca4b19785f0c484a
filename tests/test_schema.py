"""The record schema table drives the Record type, validation and key suggestions; dates keep their precision."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from site_builder import schema
from site_builder.dates import PartialDate
from site_builder.records import Record, record_from_text, unknown_key_warnings

INTERNAL = {"src_path", "body", "body_line", "extra", "digest"}


def _record(front_matter: str, body: str = "Abstract.") -> tuple[Record | None, tuple]:
    return record_from_text(f"---\n{front_matter}---\n\n{body}\n", Path("content/papers/p.md"), "content/papers/p.md")


def test_every_schema_key_is_a_record_attribute_and_nothing_else():
    fields = {f.name for f in dataclasses.fields(Record)} - INTERNAL
    assert fields == set(schema.KEY_ORDER)
    assert len(schema.KEY_ORDER) == len(set(schema.KEY_ORDER))
    assert set(schema.REQUIRED) == {"title", "authors", "date"}
    assert all(key.kind in schema.KINDS for key in schema.KEYS)


@pytest.mark.parametrize("text, parts, shown", [
    ("2024", (2024, None, None), "2024"),
    ("'2024'", (2024, None, None), "2024"),
    ("2024-05", (2024, 5, None), "May 2024"),
    ("2024-05-03", (2024, 5, 3), "May 3, 2024"),
])
def test_dates_keep_the_precision_written(text, parts, shown):
    record, problems = _record(f"title: T\nauthors: [Ada Lovelace]\ndate: {text}\n")
    assert problems == ()
    assert (record.date.year, record.date.month, record.date.day) == parts
    assert record.date.display() == shown
    assert record.date.iso == text.strip("'")


@pytest.mark.parametrize("text, message", [
    ("2024-13", "month 13 is not between 1 and 12"),
    ("2023-02-30", "day is out of range for month"),
    ("May 2024", "date must be written YYYY, YYYY-MM or YYYY-MM-DD, not 'May 2024'"),
    ("0", "year 0 is out of range"),
])
def test_bad_dates_name_their_line(text, message):
    record, problems = _record(f"title: T\nauthors: [Ada Lovelace]\n\ndate: {text}\n")
    assert record is None
    assert [(p.line, p.is_error) for p in problems] == [(5, True)]
    assert message in problems[0].message


def test_partial_date_order_puts_year_only_after_dated_papers_of_its_year():
    dates = [PartialDate(2024), PartialDate(2024, 5), PartialDate(2024, 5, 3), PartialDate(2023, 12, 31),
             PartialDate(2024, 1, 1)]
    newest_first = sorted(dates, key=lambda d: d.sort_key, reverse=True)
    assert [d.iso for d in newest_first] == ["2024-05-03", "2024-05", "2024-01-01", "2024", "2023-12-31"]
    assert PartialDate(2024).first_day() == dt.date(2024, 1, 1)
    assert PartialDate(2024, 5).parts() == [2024, 5]
    assert PartialDate(2024, 5).highwire() == "2024/05"


def test_typed_keys_are_validated_and_normalised():
    record, problems = _record(
        "title: T\nauthors: [Ada Lovelace]\ndate: 2020\ntype: conference-paper\nvenue: ICML\nvolume: 12\n"
        "doi: https://doi.org/10.1000/ABC_1\narxiv: arXiv:2401.01234v2\nselected: true\nequal: [Ada Lovelace]\n")
    assert problems == ()
    assert (record.type, record.venue, record.volume, record.doi, record.arxiv, record.selected, record.equal) == (
        "conference-paper", "ICML", "12", "10.1000/ABC_1", "2401.01234", True, ("Ada Lovelace",))
    assert record.extra == {}


def test_a_misspelt_type_suggests_the_word():
    record, problems = _record("title: T\nauthors: [A B]\ndate: 2020\ntype: conference_paper\n")
    assert record is None
    assert problems[0].line == 5
    assert "did you mean 'conference-paper'?" in problems[0].message


def test_unknown_record_key_suggests_the_closest_declared_key():
    text = "---\ntitle: T\nauthors: [A B]\ndate: 2020\nvenu: ICML\nmy_own: 1\n---\n"
    warnings = unknown_key_warnings(text, "p.md")
    assert [(w.line, w.message) for w in warnings] == [
        (5, "unknown key 'venu'; did you mean 'venue'?"),
        (6, "unknown key 'my_own' (kept, and passed to templates as is)"),
    ]
    record, problems = record_from_text(text, Path("p.md"), "p.md")
    assert record.extra == {"venu": "ICML", "my_own": 1}


def test_schema_ordered_puts_declared_keys_first_in_table_order():
    fm = {"mine": 1, "links": {}, "date": "2020", "title": "T", "doi": "10.1/x", "authors": ["A"]}
    assert list(schema.ordered(fm)) == ["title", "authors", "date", "doi", "links", "mine"]


def test_a_field_is_a_record_key_one_link_or_the_body_and_nothing_else():
    from site_builder.schema import BODY, Field, fields_of, names_of

    assert Field.named("link:pdf") == Field("links", "pdf") and Field("links", "pdf").name == "link:pdf"
    assert Field.named("title").kind == "text" and Field("links", "code").kind == "url"
    assert Field.named(BODY).owner == "source" and Field("selected").owner == "user"
    for wrong in ("links", "link:", "tittle", "code"):
        with pytest.raises(ValueError):
            Field.named(wrong)
    with pytest.raises(ValueError):
        Field("title", "pdf")
    state = {"title": "T", "link:code": "https://github.com/a/b", "abstract": "sha256:00", "code": "old"}
    assert names_of(fields_of(state)) == {k: v for k, v in state.items() if k != "code"}  # no field: left out
