"""DOIs and arXiv identifiers: finding them in addresses and text, and writing them one way."""
from __future__ import annotations

import re

# A bare arXiv identifier: new style (2401.01234, optional version) or old style (hep-th/9901001, math.GT/0309136).
ARXIV_ID = r"(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})"
_ARXIV_BARE = re.compile(rf"({ARXIV_ID})(?:v\d+)?")
# An arXiv identifier inside an address or text: arxiv.org/abs/..., arxiv.org/pdf/..., arXiv:...
ARXIV_IN_TEXT = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:\s/]*(?:abs/)?)\s*({ARXIV_ID})(?:v\d+)?(?:\.pdf)?", re.IGNORECASE)
# An arXiv identifier in an arxiv.org address (abs or pdf page).
_ARXIV_IN_URL = re.compile(rf"arxiv\.org/(?:abs|pdf)/({ARXIV_ID})", re.IGNORECASE)
_DOI_BARE = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:doi\s*:\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/)", re.IGNORECASE)


def normalize_doi(text: str) -> str | None:
    """``10.1000/x`` from ``10.1000/x``, ``DOI: 10.1000/x``, ``https://doi.org/10.1000/x``; None if not a DOI."""
    value = text.strip()
    while True:
        stripped = _DOI_PREFIX.sub("", value, count=1).strip()
        if stripped == value:
            break
        value = stripped
    return value if _DOI_BARE.fullmatch(value) else None


def normalize_arxiv(text: str) -> str | None:
    """``2401.01234`` from a bare id (version dropped), ``arXiv:2401.01234v2`` or an arxiv.org address."""
    value = text.strip()
    match = _ARXIV_BARE.fullmatch(value)
    if match:
        return match.group(1)
    match = ARXIV_IN_TEXT.search(value)
    return match.group(1) if match else None


def arxiv_of(given: object, links) -> str | None:
    """A paper's bare arXiv id: its ``arxiv`` key when that is one, else the first in an arxiv.org link
    (``links``: (name, URL) pairs)."""
    if given:
        found = normalize_arxiv(str(given))
        if found:
            return found
    for _name, url in links:
        match = _ARXIV_IN_URL.search(url)
        if match:
            return match.group(1)
    return None


def doi_url(doi: str) -> str:
    return "https://doi.org/" + doi


def arxiv_url(arxiv_id: str) -> str:
    return "https://arxiv.org/abs/" + arxiv_id


def arxiv_pdf_url(arxiv_id: str) -> str:
    return "https://arxiv.org/pdf/" + arxiv_id
