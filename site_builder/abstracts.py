"""Abstracts: a record's markdown body rendered to HTML (with MathML), with the warnings rendering raised.

The build renders each body as its file is read (``reading.read_records``, in the same worker); the model
gets the renderings by record digest.
"""
from __future__ import annotations

import functools
from typing import Mapping, Sequence

from .markup import MarkupRenderer, RenderedText
from .records import Record

Macros = tuple[tuple[str, str], ...]  # TeX macro name -> definition, sorted


@functools.lru_cache(maxsize=4)
def _renderer(macros: Macros) -> MarkupRenderer:
    """One renderer per macro set and process: its markdown converter and formula cache are reused."""
    return MarkupRenderer(dict(macros))


def render_abstract(macros: Macros | Mapping[str, str], body: str) -> RenderedText:
    frozen = macros if isinstance(macros, tuple) else tuple(sorted(macros.items()))
    return _renderer(frozen).render(body)


def render_abstracts(records: Sequence[Record], macros: Mapping[str, str]) -> dict[str, RenderedText]:
    """Record digest -> its body rendered, for records made in memory with their bodies (the build reads and
    renders files in one step: ``reading.read_records``)."""
    frozen = tuple(sorted(macros.items()))
    return {record.digest: render_abstract(frozen, record.body) for record in records}
