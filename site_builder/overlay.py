"""What ``enrich`` found, laid over what a source (listing, BibTeX, CSL-JSON, ORCID) says.

The source keeps the fields it gives: a listing change still updates them. Enrichment fills the
fields the source leaves empty (DOI, venue, PDF link ...) and completes a cut author list: when the
source's authors are the first authors of the enriched list (same family names, in order), the
record gets the full list, keeping the source's spelling of the names it gave. When the source's
list does not agree, the source wins.
"""
from __future__ import annotations

from typing import Any

from .schema import Field
from .scholarly import same_person


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value is False


def extends(short: list[str], full: list[str]) -> bool:
    """``full`` starts with the people of ``short`` (spelled perhaps differently) and is not shorter."""
    return len(full) >= len(short) and all(same_person(a, b) for a, b in zip(short, full))


def complete_authors(source: list[str], full: list[str]) -> list[str]:
    """The source's names, then the rest of the full list."""
    return [*source, *full[len(source):]]


AUTHORS, ET_AL, TYPE = Field("authors"), Field("et_al"), Field("type")


def with_enrichment(fields: dict[Field, Any], enriched: dict[Field, Any]) -> dict[Field, Any]:
    """The fields to write: ``fields`` (from the source) with ``enriched`` laid over them."""
    if not enriched:
        return fields
    result = dict(fields)
    for field, value in enriched.items():
        if field == ET_AL:
            continue  # follows the authors
        if field == AUTHORS:
            source = list(fields.get(AUTHORS) or [])
            if isinstance(value, list) and extends(source, value) and (fields.get(ET_AL) or len(value) > len(source)
                                                                    or not source):
                result[AUTHORS] = complete_authors(source, value)
                result[ET_AL] = bool(enriched.get(ET_AL, False))
            continue
        if _empty(fields.get(field)) or (field == TYPE and fields.get(field) == "preprint"):
            result[field] = value  # a listing calls every paper a preprint: a published version says more
    return result
