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


def test_utf8_chunks_joins_small_pieces_and_slices_long_ones():
    """fileio.utf8_chunks: the one way pieces of text are written (build output, the import state): the same
    bytes as encoding the whole, small pieces joined, no chunk longer than asked."""
    from site_builder.fileio import utf8_chunks

    pieces = ["ab", "ε" * 5, "c", "x" * 25, "", "é", "y" * 7]
    chunks = list(utf8_chunks(pieces, size=10))
    assert b"".join(chunks) == "".join(pieces).encode("utf-8")
    assert chunks[0] == ("ab" + "ε" * 5 + "c").encode("utf-8")  # 8 characters: still gathering
    assert [c.decode("utf-8") for c in chunks[1:4]] == ["x" * 10, "x" * 10, "x" * 5]  # the long one, sliced
    assert chunks[4:] == [("é" + "y" * 7).encode("utf-8")]
    assert list(utf8_chunks([], size=10)) == []
