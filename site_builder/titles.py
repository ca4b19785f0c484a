"""A title's three faces: HTML (math as MathML), plain text, and TeX for BibTeX.

A record's title is text that may carry TeX, as BibTeX files and arXiv listings write it:
``$\\ell_1$`` math, ``{\\LaTeX}``, accents (``\\'e``, ``{\\"u}``), ``\\textsuperscript{2}``,
``\\emph{...}``, case-protecting braces, TeX dashes and quotes. Anything else is plain text
(``C++``, ``100%``, ``A & B``, ``node_modules``) and is kept exactly.

* ``title_html``: for every place a title is shown as HTML (paper page, lists, embed widget,
  fragment). Math is MathML; commands become their characters or ``<em>``, ``<strong>``,
  ``<code>``, ``<sup>``, ``<sub>``; braces go; the rest is escaped.
* ``title_text``: for ``<title>``, meta tags, JSON-LD, feeds, search, ``papers.json``, RIS and
  CSL-JSON. The same conversion as plain text; math becomes readable Unicode: ``$\\ell_1$`` ->
  ``ℓ₁``, ``$\\mathcal{O}(\\sqrt{n})$`` -> ``𝒪(√(n))``, ``$x^2$`` -> ``x²``.
* ``title_tex``: for BibTeX. The record's own TeX (math, commands, braces) kept; characters that
  TeX would read as commands but the title means as text (``%``, ``&``, ``#``, ``_`` and ``$``
  outside math) escaped; braces escaped when they do not balance; ``@`` as ``{@}``.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata

from markupsafe import Markup

# Only a title holding one of these needs more than escaping.
_TEX_HINT_RE = re.compile(r"[\\${}]|--|``|''|</?(?:i|b|em|strong|sup|sub|sc)>", re.IGNORECASE)

_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_SYMBOLS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
            "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2ε", "TeX": "TeX",
            "BibTeX": "BibTeX", "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX",
            "ldots": "…", "dots": "…", "textendash": "–", "textemdash": "—", "textquoteleft": "‘",
            "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”", "copyright": "©",
            "textregistered": "®", "texttrademark": "™", "textdegree": "°", "S": "§", "P": "¶", "dag": "†",
            "ddag": "‡", "pounds": "£", "euro": "€", "textbackslash": "\\", "textasciitilde": "~",
            "textasciicircum": "^", "textbar": "|", "textless": "<", "textgreater": ">", "textunderscore": "_"}
_ESCAPES = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ", ",": "\u2009",
            "\\": "\u00a0"}  # \\ (a line break) reads as a space in a title
_STYLES = {"emph": "em", "textit": "em", "textsl": "em", "textbf": "strong", "texttt": "code",
           "textsuperscript": "sup", "textsubscript": "sub", "textsc": "", "textrm": "", "textsf": "",
           "textup": "", "textnormal": "", "mbox": "", "text": "", "textmd": ""}

# One TeX token of a title's text: an accent command with its letter, a command, an escaped character, a brace.
_TOKEN_RE = re.compile(
    r"""\\(?P<accent>['`^"~=.])\s*(?:\{\s*(?P<a1>\\?[A-Za-z])\s*\}|(?P<a2>\\?[A-Za-z]))"""
    r"""|\\(?P<letter_accent>[uvHckrdb])(?:\s*\{\s*(?P<b1>\\?[A-Za-z]?)\s*\}|\s+(?P<b2>[A-Za-z]))"""
    r"""|\\(?P<name>[A-Za-z]+)\*?\s*"""
    r"""|\\(?P<escaped>[%&_#${} ,\\])"""
    r"""|(?P<brace>[{}])"""
    r"""|(?P<emdash>(?<=\S)---(?=\S)|(?<= )---(?= ))|(?P<endash>(?<=\S)--(?=\S)|(?<= )--(?= ))"""
    r"""|(?P<lq>``)|(?P<rq>'')"""
    r"""|(?P<rich></?(?:i|b|em|strong|sup|sub|sc)>)""", re.IGNORECASE)
# The rich text CSL-JSON and some BibTeX exports put in titles (<i>Lygus hesperus</i>): kept as formatting.
_RICH_TAGS = {"i": "em", "em": "em", "b": "strong", "strong": "strong", "sup": "sup", "sub": "sub", "sc": ""}
_RICH_TEX = {"i": "textit", "em": "emph", "b": "textbf", "strong": "textbf", "sup": "textsuperscript",
             "sub": "textsubscript", "sc": "textsc"}
_RICH_PAIR_RE = re.compile(r"<(i|b|em|strong|sup|sub|sc)>(.*?)</\1>", re.IGNORECASE | re.S)

_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"))
_SCRIPT_RE = re.compile(r"([_^])(?:\{([^{}]*)\}|(\\?[A-Za-z0-9+\-=()]))")


def _balanced(text: str) -> bool:
    if "{" not in text and "}" not in text:
        return True  # most titles: no walk needed
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def _segments(title: str) -> list[tuple[str, bool]]:
    """(text, is_math) runs of a title, by the abstracts' rule for ``$`` (markup._find_math)."""
    from .markup import _find_math

    segments: list[tuple[str, bool]] = []
    last = 0
    for start, end, tex in _find_math(title):
        if start > last:
            segments.append((title[last:start], False))
        segments.append((tex, True))
        last = end
    if last < len(title):
        segments.append((title[last:], False))
    return segments


def _accented(base: str, accent: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + _ACCENTS[accent])


def _convert_text(text: str, as_html: bool) -> str:
    """A title's text run without math: TeX tokens to characters (and tags when ``as_html``)."""
    braces_balanced = _balanced(text)
    out: list[str] = []
    closers: list[str] = []  # what each open brace closes: "" or a tag's end
    pending: str | None = None  # a style command waiting for its "{"
    last = 0

    def emit(chunk: str) -> None:
        out.append(html.escape(chunk, quote=False) if as_html else chunk)

    for match in _TOKEN_RE.finditer(text):
        emit(text[last:match.start()])
        last = match.end()
        kind = match.lastgroup
        if pending is not None and not (kind == "brace" and match.group("brace") == "{"):
            pending = None  # \textbf without a group: the command is dropped
        if match.group("accent"):
            emit(_accented(match.group("a1") or match.group("a2"), match.group("accent")))
        elif match.group("letter_accent"):
            base = match.group("b1") if match.group("b1") is not None else match.group("b2")
            emit(_accented(base, match.group("letter_accent")) if base else "")
        elif match.group("name") is not None:
            name = match.group("name")
            if name in _STYLES:
                pending = _STYLES[name]
            elif name in _SYMBOLS:
                emit(_SYMBOLS[name])
            else:
                emit(match.group(0))  # an unknown command stays as written
        elif match.group("escaped") is not None:
            emit(_ESCAPES[match.group("escaped")])
        elif match.group("brace"):
            if not braces_balanced:
                emit(match.group("brace"))
            elif match.group("brace") == "{":
                tag = pending or ""
                pending = None
                if tag and as_html:
                    out.append(f"<{tag}>")
                    closers.append(f"</{tag}>")
                else:
                    closers.append("")
            else:
                out.append(closers.pop() if closers else "")
        elif kind == "emdash":
            emit("\u2014")
        elif kind == "endash":
            emit("\u2013")
        elif kind == "rich":
            tag = _RICH_TAGS[match.group("rich").strip("</>").lower()]
            if as_html and tag:
                out.append(f"</{tag}>" if match.group("rich").startswith("</") else f"<{tag}>")
        elif kind == "lq":
            emit("\u201c")
        elif kind == "rq":
            emit("\u201d")
    emit(text[last:])
    while closers:
        out.append(closers.pop())
    return "".join(out)


def _script(match: re.Match, table: dict[str, str]) -> str | None:
    body = match.group(2) if match.group(2) is not None else match.group(3)
    body = body.strip()
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return None


def math_text(tex: str) -> str:
    """Readable Unicode for a formula: ``\\ell_1`` -> ``ℓ₁``, ``x^{2}`` -> ``x²``, ``\\alpha`` -> ``α``."""
    from pylatexenc.latex2text import LatexNodes2Text

    def scripts(match: re.Match) -> str:
        converted = _script(match, _SUB if match.group(1) == "_" else _SUP)
        return converted if converted is not None else match.group(0)

    tex = _SCRIPT_RE.sub(scripts, tex)
    try:
        text = LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(tex)
    except Exception:  # pylatexenc raises several kinds on odd TeX: the source reads better than nothing
        text = tex
    return " ".join(text.split())


@functools.lru_cache(maxsize=65536)
def title_html(title: str) -> Markup:
    """The title as HTML: MathML for math, TeX commands as characters or tags, the rest escaped."""
    if not _TEX_HINT_RE.search(title):
        return Markup(html.escape(title, quote=False))
    from .markup import math_to_mathml, sanitize

    pieces = []
    for text, is_math in _segments(title):
        if is_math:
            try:
                pieces.append(sanitize(math_to_mathml(text)))
            except Exception:  # latex2mathml raises many kinds on bad TeX: the readable text instead
                pieces.append(html.escape(math_text(text), quote=False))
        else:
            pieces.append(_convert_text(text, as_html=True))
    return Markup(sanitize("".join(pieces)))


_TEXT_SCRIPT_RE = re.compile(r"\\text(super|sub)script\s*\{([^{}\\]*)\}")


def _text_script(match: re.Match) -> str:
    """``\\textsuperscript{2}`` as ``²`` in plain text when Unicode has every character, else the text."""
    table = _SUP if match.group(1) == "super" else _SUB
    body = match.group(2)
    return "".join(table[ch] for ch in body) if body and all(ch in table for ch in body) else body


@functools.lru_cache(maxsize=65536)
def title_text(title: str) -> str:
    """The title as plain text: TeX commands as characters, math as readable Unicode, one line."""
    if not _TEX_HINT_RE.search(title):
        return " ".join(title.split())
    text = "".join(math_text(run) if is_math else _convert_text(_TEXT_SCRIPT_RE.sub(_text_script, run), as_html=False)
                   for run, is_math in _segments(title))
    return " ".join(text.split())


def title_words(title: str) -> list[str]:
    """The words of ``title_text(title)``; a title without TeX is split as it is (most titles: no memo lookup)."""
    return title_text(title).split() if _TEX_HINT_RE.search(title) else title.split()


_TEXT_SPECIALS_RE = re.compile(r"(?<!\\)([%&#_])")
_DOLLAR_RE = re.compile(r"(?<!\\)\$")
# A title without any of these (no math, no command, nothing to escape, no tag, no brace) is its own TeX.
_TEX_WORK_RE = re.compile(r"[$\\%&#_^<{}@]")


def title_tex(title: str) -> str:
    """The title as TeX for BibTeX: the record's own TeX kept, text characters TeX would misread escaped."""
    title = " ".join(title.split())
    if not _TEX_WORK_RE.search(title):
        return title  # most titles: the loop below would give them back unchanged
    pieces = []
    for run, is_math in _segments(title):
        if is_math:
            pieces.append(f"${run}$")
            continue
        rich: list[str] = []
        if "<" in run:  # <i>x</i> -> \textit{x}, by placeholders that no escaping touches
            def keep(match: re.Match) -> str:
                rich.append(_RICH_TEX[match.group(1).lower()])
                return f"\ue010{len(rich) - 1}\ue011" + match.group(2) + "\ue012"
            for _ in range(3):
                run = _RICH_PAIR_RE.sub(keep, run)
        run = _DOLLAR_RE.sub(r"\\$", _TEXT_SPECIALS_RE.sub(r"\\\1", run))
        run = run.replace("^", r"\^{}") if "^" in run and "\\^" not in run else run
        if rich:
            run = re.sub("\ue010(\\d+)\ue011", lambda m: "\\" + rich[int(m.group(1))] + "{", run).replace("\ue012", "}")
        pieces.append(run)
    text = "".join(pieces)
    if not _balanced(text):
        text = re.sub(r"(?<!\\)([{}])", r"\\\1", text)
    return text.replace("@", "{@}")  # "@misc{" inside a value must not look like the start of an entry
