"""Text that any HTML, XML or JSON file may hold.

XML 1.0 forbids C0 control characters (but tab, newline and return), lone
surrogates, U+FFFE and U+FFFF; HTML treats them as errors. YAML can carry them
(``"\\x01"``, ``"\\ud800"``), so every string read from a record or from
site.yaml is cleaned once, when it is read: templates and exports then only
ever see clean text and need no per-expression filter.
"""
from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

_INVALID_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_invalid_characters(value: object) -> object:
    """Text without the characters no HTML or XML file may hold; anything else as it is."""
    if isinstance(value, str) and _INVALID_CHARS_RE.search(value):
        cleaned = _INVALID_CHARS_RE.sub("", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def clean_tree(value: Any) -> Any:
    """``value`` with every string in it (mapping keys too) cleaned; a clean value is returned as it is."""
    if isinstance(value, str):
        return strip_invalid_characters(value)
    if isinstance(value, dict):
        return {clean_tree(k): clean_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_tree(v) for v in value)
    return value
