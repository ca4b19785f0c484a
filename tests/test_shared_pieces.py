"""The small pieces several modules share, each with one home: month names, arXiv ids, public addresses."""
from __future__ import annotations

import pytest

from site_builder.dates import MONTH_MACROS, month_number
from site_builder.identifiers import arxiv_of
from site_builder.urls import public_url


@pytest.mark.parametrize("word, number", [("Jan", 1), ("jan.", 1), ("SEPT", 9), ("Sep", 9), ("september", 9),
                                          ("May", 5), ("December", 12), ("dec", 12), ("Mai", None), ("", None),
                                          ("13", None)])
def test_month_number_reads_names_and_abbreviations_in_any_case(word, number):
    assert month_number(word) == number


def test_bibtex_month_macros_are_the_twelve_three_letter_names():
    assert MONTH_MACROS == ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@pytest.mark.parametrize("given, links, expected", [
    ("2401.01234", (), "2401.01234"),
    ("2401.01234v3", (), "2401.01234"),
    ("arXiv:hep-th/9901001", (), "hep-th/9901001"),
    (None, (("pdf", "https://arxiv.org/pdf/2310.00001v2.pdf"),), "2310.00001"),
    ("", (("code", "https://github.com/a/b"), ("x", "https://arxiv.org/abs/math.GT/0309136")), "math.GT/0309136"),
    ("not an id", (("code", "https://github.com/a/arxiv.org"),), None),
    (None, (), None),
])
def test_arxiv_of_takes_the_key_else_the_first_arxiv_address(given, links, expected):
    assert arxiv_of(given, links) == expected


@pytest.mark.parametrize("site_url, path, expected", [
    ("https://lab.org/papers/", "index.html", "https://lab.org/papers/"),
    ("https://lab.org/", "papers/x/index.html", "https://lab.org/papers/x/"),
    ("https://lab.org/", "papers.bib", "https://lab.org/papers.bib"),
    ("https://lab.org/", "notindex.html", "https://lab.org/notindex.html"),
    (None, "papers/x/index.html", ""),
    ("", "index.html", ""),
])
def test_public_url_names_a_pages_folder_and_needs_url(site_url, path, expected):
    assert public_url(site_url, path) == expected
