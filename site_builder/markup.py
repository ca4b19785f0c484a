"""Abstracts to HTML: markdown plus the TeX that abstracts carry, no JavaScript needed.

* ``$...$`` and ``\\(...\\)`` become MathML at build time (latex2mathml);
* ``\\emph{x}``, ``\\textit``, ``\\textbf``, ``\\texttt``; ``\\href{url}{text}``,
  ``\\href{url}`` and ``\\url{url}`` become links; bare URLs too, without the
  sentence's final punctuation;
* TeX quotes ``''x''`` / ````x''`` become “x”, ```x'`` becomes ‘x’;
* ``\\%``, ``\\&``, ``\\_``, ``\\#``, ``\\$`` become the character;
* any other macro outside math is a warning, unless ``macros:`` maps it to text.

Raw HTML in the source is shown as text: every character from the record is
escaped, and only the HTML made here (MathML, links, emphasis) is markup.
Math and URLs are swapped for placeholders before markdown runs, so their
underscores and asterisks never turn into emphasis.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from typing import Any, Callable

import lz4.block
import nh3
from markupsafe import Markup

from .recent import recent
from .textsafe import strip_invalid_characters
from .urls import find_urls, is_safe_link

_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"
_PH_RE = re.compile(f"{_PH_OPEN}(\\d+){_PH_CLOSE}")
_ESCAPED_CHARS = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " "}
_STYLE_MACROS = {"emph": "em", "textit": "em", "textbf": "strong", "texttt": "code"}
_MACRO_RE = re.compile(r"\\([A-Za-z]+)\*?((?:\{[^{}]*\})*)")
_ARGUMENT_RE = re.compile(r"\{([^{}]*)\}")
_STYLED_RE = re.compile(r"\\(emph|textit|textbf|texttt)\{([^{}]*)\}")
_HREF_RE = re.compile(r"\\href\{([^{}]*)\}(?:\{([^{}]*)\})?")
_URL_MACRO_RE = re.compile(r"\\url\{([^{}]*)\}")
_EM_DASH_RE = re.compile(r"(?<=[^\s-])---(?=[^-])|(?<= )---(?= )")
_EN_DASH_RE = re.compile(r"(?<=[^\s-])--(?=[^-])|(?<= )--(?= )")
_DOUBLE_QUOTES_RE = re.compile(r"``(.+?)''")
_TWO_QUOTES_RE = re.compile(r"''(.+?)''")
_SINGLE_QUOTES_RE = re.compile(r"`([^`'\n]+)'")
_ESCAPED_RE = re.compile(r"\\([%&_#${} ])")


def _text(value: str) -> str:
    """Text escaped as the sanitizer writes it (html5ever's serializer), so a shortcut needs no sanitizing."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\u00a0", "&nbsp;")


def _attribute(value: str) -> str:
    """An attribute value escaped as the sanitizer writes it."""
    return _text(value).replace('"', "&quot;")


@dataclass(frozen=True, slots=True)
class RenderedText:
    """A rendered body: its HTML, kept as compressed UTF-8, and the warnings rendering it raised.

    A site holds every abstract at once: at 10,000 papers their HTML (MathML is long) is about 30 MB as
    text, and every forked worker of the build holds what the parent holds. Compressed with LZ4 they take
    under half of that (a synthetic abstract of 2,200 characters: 6 µs to compress, once, and 2 µs to read
    back; zlib's fastest level packed them into a third, but took 95 and 15 µs; a cold 10,000-paper build
    took 10% less CPU, paired). The visible text is made when asked (issue 17: peak memory)."""

    packed: bytes  # LZ4-compressed UTF-8 of the HTML (a block with its size)
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(cls, html: str, warnings: tuple[str, ...] = ()) -> "RenderedText":
        return cls(lz4.block.compress(html.encode("utf-8", "surrogatepass")), warnings)

    @property
    def html(self) -> Markup:
        return Markup(_unpacked(self))

    @property
    def text(self) -> str:
        """The visible text, on one line (for descriptions and search)."""
        return plain_text(_unpacked(self))


@recent  # a paper page asks for its abstract's HTML and its text: one decompression
def _unpacked(rendered: RenderedText) -> str:
    return lz4.block.decompress(rendered.packed).decode("utf-8", "surrogatepass")


class _Stash:
    """HTML fragments kept out of markdown's way behind private-use placeholders."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def put(self, fragment: str) -> str:
        self.items.append(fragment)
        return f"{_PH_OPEN}{len(self.items) - 1}{_PH_CLOSE}"

    def restore(self, text: str) -> str:
        # Fragments may hold placeholders of their own (a link's text with math in it).
        for _ in range(3):
            if _PH_OPEN not in text:
                break
            text = _PH_RE.sub(lambda m: self.items[int(m.group(1))], text)
        return text


_MATH_START_RE = re.compile(r"[\\$]")


def _find_math(text: str) -> list[tuple[int, int, str]]:
    """(start, end, tex) spans of inline math, by pandoc's rule for ``$``:
    the opening ``$`` has a non-space right after it, the closing one a non-space
    right before it and no digit right after it; ``\\$`` is a dollar sign.

    Linear time: a search for a closing ``$`` that fails remembers every ``$`` it passed, and a later
    opening ``$`` among them fails at once (its search would pass a subset of the same ones); likewise
    a ``\\(`` without ``\\)`` after it."""
    spans = []
    n = len(text)
    unclosed: dict[bool, set[int]] = {False: set(), True: set()}  # display? -> dollars with no closing after
    no_paren_close = False
    match = _MATH_START_RE.search(text)
    while match:
        i = match.start()
        nxt = i + 1
        if text[i] == "\\":
            if text.startswith("\\(", i) and not no_paren_close:
                end = text.find("\\)", i + 2)
                if end != -1:
                    spans.append((i, end + 2, text[i + 2:end]))
                    nxt = end + 2
                else:
                    no_paren_close = True  # none after this one, so none after any later one
                    nxt = i + 2
            else:
                nxt = i + 2
        else:
            display = text.startswith("$$", i)
            start = i + (2 if display else 1)
            if start < n and not text[start].isspace() and i not in unclosed[display]:
                closing = _closing_dollar(text, start, display, unclosed[display])
                if closing is not None:
                    after = closing + (2 if display else 1)
                    spans.append((i, after, text[start:closing]))
                    nxt = after
        match = _MATH_START_RE.search(text, nxt)
    return spans


def _closing_dollar(text: str, start: int, display: bool, unclosed: set[int]) -> int | None:
    """Where the formula opened before ``start`` closes, or None; a failed search adds every ``$`` it
    passed to ``unclosed``."""
    n = len(text)
    j = start
    passed = []
    while True:
        match = _MATH_START_RE.search(text, j)
        if match is None:
            unclosed.update(passed)
            return None
        j = match.start()
        if text[j] == "\\":
            j += 2
            continue
        if j in unclosed:  # searched from here before, in step with this search: nothing closes after it
            unclosed.update(passed)
            return None
        after = j + (2 if display else 1)
        if not text[j - 1].isspace() and (not display or text.startswith("$$", j)) \
                and (display or after >= n or not text[after].isdigit()):
            return j
        passed.append(j)
        j += 1


def math_to_mathml(tex: str, display: bool = False) -> str:
    """MathML for a TeX formula (``display``: a formula on its own line, ``$$...$$``); ``%`` is an operator,
    not an identifier."""
    from latex2mathml.converter import convert  # imported when first needed: 45 ms at start-up otherwise

    mathml = convert(tex.strip(), display="block" if display else "inline")
    return mathml.replace("<mi>&#x00025;</mi>", "<mo>&#x00025;</mo>")


def _render_inline_tex(text: str, stash: _Stash, macros: dict[str, str], warnings: list[str]) -> str:
    """Replace TeX constructs outside math with placeholders or plain characters."""

    def link(url: str, label_html: str) -> str:
        url = url.strip()
        if not is_safe_link(url):
            warnings.append(f"link {url!r} is not http(s) or mailto: shown as text")
            return label_html
        return stash.put(f'<a href="{_attribute(url)}">') + label_html + stash.put("</a>")

    def href(match: re.Match) -> str:
        url, label = match.group(1), match.group(2)
        return link(url, stash.put(_text(url)) if label is None else label)

    def styled(match: re.Match) -> str:
        tag = _STYLE_MACROS[match.group(1)]
        return stash.put(f"<{tag}>") + match.group(2) + stash.put(f"</{tag}>")

    if "\\" in text:
        # Innermost first, until nothing changes: \href{u}{the \emph{site}} and \emph{\href{u}{x}} both work.
        for _ in range(8):
            before = text
            if "\\emph{" in text or "\\text" in text:
                text = _STYLED_RE.sub(styled, text)
            if "\\href{" in text:
                text = _HREF_RE.sub(href, text)
            if "\\url{" in text:
                text = _URL_MACRO_RE.sub(lambda m: link(m.group(1), stash.put(_text(m.group(1)))), text)
            if text == before:
                break

    # Bare URLs (the ones inside \href were stashed already).
    if "://" in text:
        pieces = []
        last = 0
        for start, end, url in find_urls(text):
            if text.endswith("](", 0, start) or text.endswith("]: ", 0, start):
                continue  # a markdown link's own address: markdown makes that link
            pieces.append(text[last:start])
            pieces.append(stash.put(f'<a href="{_attribute(url)}">{_text(url)}</a>'))
            last = end
        pieces.append(text[last:])
        text = "".join(pieces)

    if "--" in text:  # TeX dashes (URLs are stashed already; a markdown rule is a line of its own and stays)
        text = _EM_DASH_RE.sub("\u2014", text)
        text = _EN_DASH_RE.sub("\u2013", text)

    if "`" in text or "''" in text:  # TeX quotes
        text = _DOUBLE_QUOTES_RE.sub("\u201c\\1\u201d", text)
        text = _TWO_QUOTES_RE.sub("\u201c\\1\u201d", text)
        text = _SINGLE_QUOTES_RE.sub("\u2018\\1\u2019", text)

    if "\\" not in text:
        return text
    # Escaped characters: \% \& \_ ...
    text = _ESCAPED_RE.sub(lambda m: stash.put(_text(_ESCAPED_CHARS[m.group(1)])), text)

    def macro(match: re.Match) -> str:
        name, args = match.group(1), match.group(2)
        if name in macros:
            inner = "".join(_ARGUMENT_RE.findall(args))
            return stash.put(_text(macros[name])) + inner
        warnings.append(f"unknown macro \\{name}: map it to text under macros: in site.yaml "
                        f"(e.g. {name}: Text)")
        return stash.put(_text(match.group(0)))

    return _MACRO_RE.sub(macro, text)


# One line with nothing markdown would act on: no emphasis, code, links, breaks, lists or headings.
_PLAIN_PARAGRAPH_RE = re.compile(r"(?!\s)(?!(?:-[ \t]*){3,}$)(?!(?:[-+*>#=]|\d+[.)])(?:\s|$))[^\n\t*_`\[\]!<>#\\]*[^\s*_`\[\]!<>#\\]")


# The inline markdown abstracts use most, in a paragraph that is otherwise plain: **strong**, *emphasis* and
# [text](https://address), each with plain text inside, standing between spaces or before punctuation.
# Anything else (nesting, underscores, code, titles, odd spacing) goes to markdown.
_SEGMENT = r"[^\s*_`\[\]!<>#\\](?:[^\n\t*_`\[\]!<>#\\]*[^\s*_`\[\]!<>#\\])?"
_INLINE_RE = re.compile(rf"(?<!\S)(?:\*\*({_SEGMENT})\*\*|\*({_SEGMENT})\*|\[({_SEGMENT})\]\((https?://[A-Za-z0-9/:._~?=+-]+)\))"
                        r"(?=[\s.,;:]|$)")


def _inline_paragraph(text: str, stash: _Stash) -> str | None:
    """``text`` (escaped) as one paragraph of HTML when its only markdown is simple strong, emphasis and
    links; None when markdown must decide. Property-tested to agree with markdown and the sanitizer."""
    if "*" not in text and "[" not in text:
        return None

    def replace(match: re.Match) -> str:
        strong, emphasis, label, url = match.groups()
        if strong is not None:
            return stash.put("<strong>") + strong + stash.put("</strong>")
        if emphasis is not None:
            return stash.put("<em>") + emphasis + stash.put("</em>")
        if _PH_OPEN in label:  # math or a link inside a link's text: markdown decides
            return match.group(0)
        return stash.put(f'<a href="{url}">') + label + stash.put("</a>")

    inline = _INLINE_RE.sub(replace, text)
    return inline if _PLAIN_PARAGRAPH_RE.fullmatch(inline) else None


def _markdown() -> Any:
    import markdown  # imported when first needed: most abstracts take the one-paragraph shortcut

    return markdown.Markdown(extensions=[], output_format="html")


class MarkupRenderer:
    """Renders record bodies; holds one markdown converter, reset between documents."""

    def __init__(self, macros: dict[str, str] | None = None) -> None:
        self.macros = dict(macros or {})
        self._markdown: Any = None  # made when a body first needs more than the one-paragraph shortcut
        self._math: dict[str, str] = {}  # formulas repeat across abstracts ($\varepsilon$)

    def render(self, source: str) -> RenderedText:
        return render_markup(source, self.macros, self._converter, self._math)

    def _converter(self) -> Any:
        if self._markdown is None:
            self._markdown = _markdown()
        return self._markdown


def render_markup(source: str, macros: dict[str, str] | None = None,
                  converter: Callable[[], Any] | None = None,
                  math_cache: dict[str, str] | None = None) -> RenderedText:
    """HTML for an abstract or any record body, with the warnings it raised."""
    macros = macros or {}
    warnings: list[str] = []
    stash = _Stash()
    text = source.replace(_PH_OPEN, "\ufffd").replace(_PH_CLOSE, "\ufffd")

    pieces = []
    last = 0
    math_cache = {} if math_cache is None else math_cache
    for start, end, tex in _find_math(text):
        pieces.append(text[last:start])
        display = text.startswith("$$", start)
        key = "$$" + tex if display else tex
        try:
            if key not in math_cache:
                math_cache[key] = sanitize(math_to_mathml(tex, display))
            pieces.append(stash.put(math_cache[key]))
        except Exception as exc:  # latex2mathml raises many kinds on bad TeX
            warnings.append(f"cannot render math ${tex}$ ({type(exc).__name__}): shown as TeX")
            pieces.append(stash.put(f"<code>{_text(tex)}</code>"))
        last = end
    pieces.append(text[last:])
    text = "".join(pieces)

    text = _render_inline_tex(text, stash, macros, warnings)
    # Everything left is the user's text: escape it so no raw HTML survives.
    text = _text(text)
    inline = text if _PLAIN_PARAGRAPH_RE.fullmatch(text) else _inline_paragraph(text, stash)
    if inline is not None:
        # What markdown makes of one plain paragraph, 20x faster. Its only markup is made here: escaped
        # text, links checked by is_safe_link or made from http(s) addresses, emphasis, and MathML that
        # was sanitized formula by formula; so the paragraph is already what sanitize() would return
        # (property tests hold it to that, and to what markdown would make).
        safe = strip_invalid_characters(stash.restore(f"<p>{inline}</p>"))
    else:
        markdown = (converter or _markdown)()  # converter: a function that makes (and may keep) a Markdown
        markdown.reset()
        safe = strip_invalid_characters(sanitize(stash.restore(markdown.convert(text))))
    return RenderedText.of(safe, tuple(dict.fromkeys(warnings)))


_MATHML_TAGS = frozenset("""math mrow mi mo mn ms mtext mspace msub msup msubsup mfrac msqrt mroot mstyle
    mover munder munderover mtable mtr mtd menclose mpadded mphantom merror semantics annotation""".split())
_ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote",
                           "h3", "h4", "h5", "h6", "hr", "sub", "sup", "del"}) | _MATHML_TAGS
_MATHML_ATTRIBUTES = {"display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "width",
                      "height", "depth", "notation", "columnalign", "rowspacing", "columnspacing", "accent",
                      "accentunder", "movablelimits", "minsize", "maxsize", "symmetric", "largeop", "linethickness"}
_ALLOWED_ATTRIBUTES = {tag: set(_MATHML_ATTRIBUTES) for tag in _MATHML_TAGS}
_ALLOWED_ATTRIBUTES["math"] = _MATHML_ATTRIBUTES | {"xmlns"}
_ALLOWED_ATTRIBUTES["a"] = {"href", "title"}


def sanitize(fragment: str) -> str:
    """The last line of defence: only known tags and attributes, only http(s)/mailto links."""
    return nh3.clean(fragment, tags=set(_ALLOWED_TAGS), attributes=_ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None, strip_comments=True)


_TAG_RE = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """The visible text of an HTML fragment made by render_markup (MathML included), on one line."""
    text = _TAG_RE.sub("", fragment)
    if "&" in text:
        text = html.unescape(text)
    return one_line(text)


def one_line(text: str) -> str:
    """``" ".join(text.split())``: runs of whitespace as one space, none at either end. Most abstracts are one
    line already (printable text has no whitespace but the space): they are given back without splitting them
    into words (~20 µs an abstract)."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())
