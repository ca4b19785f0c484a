"""Abstracts: math to MathML, TeX macros, links and quotes, and no raw HTML."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.markup import plain_text, render_markup

MATH = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow>'


@pytest.mark.parametrize("tex, mathml", [
    (r"$<5\%$", "<mo>&lt;</mo><mn>5</mn><mo>%</mo>"),
    (r"$(\varepsilon,δ)$", '<mo stretchy="false">(</mo><mi>ε</mi><mo>,</mo><mi>δ</mi>'
                           '<mo stretchy="false">)</mo>'),
    (r"$10-100\times$", "<mn>10</mn><mo>−</mo><mn>100</mn><mo>×</mo>"),
    (r"$\varepsilon \in [1, 8]$", '<mi>ε</mi><mo>∈</mo><mo stretchy="false">[</mo><mn>1</mn>'
                                  '<mo>,</mo><mn>8</mn><mo stretchy="false">]</mo>'),
    (r"$\varepsilon \approx 1$", "<mi>ε</mi><mo>≈</mo><mn>1</mn>"),
    (r"$60.6 \%$", "<mn>60.6</mn><mo>%</mo>"),
])
def test_seed_formulas_render_to_mathml(tex, mathml):
    html = render_markup(f"at {tex} here").html
    assert html == f"<p>at {MATH}{mathml}</mrow></math> here</p>"


def test_every_formula_in_the_seed_renders_without_warnings():
    from conftest import SEED
    for line in SEED.read_text(encoding="utf-8").split("\n")[2::3]:
        rendered = render_markup(line, {"algoname": "SparseFed"})
        assert rendered.warnings == ()
        assert "$" not in plain_text(rendered.html) or "\\$" in line


def test_dollar_amounts_are_not_math():
    assert render_markup("costs $5 and $10 today").html == "<p>costs $5 and $10 today</p>"


def test_underscores_in_math_and_urls_are_not_emphasis():
    html = render_markup("see $x_i + y_j$ and https://github.com/a_b/c_d_e and _real emphasis_").html
    assert '<a href="https://github.com/a_b/c_d_e">https://github.com/a_b/c_d_e</a>' in html
    assert "<msub><mi>x</mi><mi>i</mi></msub>" in html
    assert html.count("<em>") == 1 and "<em>real emphasis</em>" in html


def test_bare_url_loses_trailing_period():
    html = render_markup("Code: https://github.com/vatsal0/default-moe.").html
    assert html == '<p>Code: <a href="https://github.com/vatsal0/default-moe">https://github.com/vatsal0/default-moe</a>.</p>'


def test_href_with_one_and_two_arguments():
    assert render_markup(r"at \href{https://github.com/Anut-py/frit}.").html == \
        '<p>at <a href="https://github.com/Anut-py/frit">https://github.com/Anut-py/frit</a>.</p>'
    assert render_markup(r"\href{https://x.org/a_b}{the \emph{site}}").html == \
        '<p><a href="https://x.org/a_b">the <em>site</em></a></p>'


def test_emph_and_tex_quotes():
    html = render_markup(r"a ''persona'', a `few-shot' corpus, ``quoted'' and \emph{evaluation awareness}").html
    assert html == ("<p>a \u201cpersona\u201d, a \u2018few-shot\u2019 corpus, \u201cquoted\u201d and "
                    "<em>evaluation awareness</em></p>")


def test_escaped_characters():
    assert render_markup(r"50\% of A\&B use snake\_case").html == "<p>50% of A&amp;B use snake_case</p>"


def test_unknown_macro_warns_and_macros_map_it():
    rendered = render_markup(r"we introduce \algoname{}, a defense")
    assert rendered.warnings == (
        "unknown macro \\algoname: map it to text under macros: in site.yaml (e.g. algoname: Text)",)
    assert rendered.html == "<p>we introduce \\algoname{}, a defense</p>"
    mapped = render_markup(r"we introduce \algoname{}, a defense", {"algoname": "SparseFed"})
    assert mapped.warnings == ()
    assert mapped.html == "<p>we introduce SparseFed, a defense</p>"


def test_raw_html_is_text_and_unsafe_links_are_not_links():
    rendered = render_markup('<script>alert(1)</script> <img src=x onerror=alert(1)> '
                             r'\href{javascript:alert(1)}{click} [x](javascript:alert(2))')
    assert "<script" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert 'href="javascript' not in rendered.html
    assert any("javascript:alert(1)" in w for w in rendered.warnings)


def test_bad_math_is_shown_as_tex_with_a_warning():
    rendered = render_markup(r"bad $\left( x$ math")
    assert rendered.html == "<p>bad <code>\\left( x</code> math</p>"
    assert rendered.warnings == ("cannot render math $\\left( x$ (ExtraLeftOrMissingRightError): shown as TeX",)


def test_markdown_paragraphs_in_hand_written_bodies():
    assert render_markup("First.\n\nSecond with *stars*.").html == "<p>First.</p>\n<p>Second with <em>stars</em>.</p>"


def test_plain_text_of_rendered_abstract():
    assert plain_text(render_markup(r"at $<5\%$ drop, see \emph{this}").html) == "at <5% drop, see this"


def test_tex_dashes():
    assert render_markup("weights -- causing pages 10--20 and a---b").html == \
        "<p>weights \u2013 causing pages 10\u201320 and a\u2014b</p>"
    assert render_markup("a\n\n---\n\nb").html == "<p>a</p>\n<hr>\n<p>b</p>"


def test_plain_paragraph_shortcut_agrees_with_markdown():
    import html as html_lib

    import markdown

    from site_builder.markup import _PLAIN_PARAGRAPH_RE
    taken = []

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.sampled_from(list("ab1. -+*#>=_`[]()!<&\\:\t\né") + ["  ", "1.", "&amp;", "    "]),
                    min_size=1, max_size=20).map("".join))
    def check(text):
        escaped = html_lib.escape(text, quote=False)
        if _PLAIN_PARAGRAPH_RE.fullmatch(escaped):
            taken.append(escaped)
            assert f"<p>{escaped}</p>" == markdown.markdown(escaped)

    check()
    # the property says something only about texts the shortcut takes: enough of them must have been tried
    assert len(taken) >= 20, len(taken)


def _render_counting(text: str, shortcut: list) -> str:
    """render_markup(text), noting in ``shortcut`` each text that skipped markdown."""
    import site_builder.markup as markup
    used = []

    def converter():
        used.append(True)
        return markup._markdown()

    html = str(render_markup(text, converter=converter).html)
    if not used:
        shortcut.append(text)
    return html


def _markdown_only(text: str, macros: dict | None = None) -> str:
    """render_markup with both shortcuts off: every body goes through markdown and the sanitizer."""
    from unittest import mock

    import site_builder.markup as markup
    with mock.patch.object(markup, "_PLAIN_PARAGRAPH_RE", re.compile(r"(?!)")), \
            mock.patch.object(markup, "_inline_paragraph", lambda text, stash: None):
        return str(render_markup(text, macros).html)


_INLINE_PIECES = ["**", "*", "[", "]", "(", ")", "](", "https://ex.org/a_b/", "http://x.y/p?q=1&r=2", "mailto:a@b.c",
                  "javascript:x", "word", "w", " ", "  ", ".", ",", ":", ";", "!", "$x$", "$a*b$", "_", "`", "#",
                  "-", "1.", "&", "<", r"\emph{e}", "https://bare.org/x", "\t", "\n", "é", "\u00a0", '"', "'"]
_INLINE_FORMS = ["word ", "**bold** ", "*em* ", "[the page](https://e.org/p_1/q-2/) ", "$x^2$ ", "**a b**", "*a c*.",
                 "[t $x$ u](http://a.b/c?d=e)", "**x**, ", "*y*: ", "(see *z*) ", "a**b** ", "**c**d ", "* ", "** ",
                 "***s*** ", "*a **b** c* ", "[x](https://y.org/a(b)) ", "[](https://e.org) ", r"**\emph{t}** ",
                 "https://bare.org/p ", "-- ", "`c` ", "_u_ ", "__v__ ", "1. ", "# ", "> ", "& ", "< "]


_WORDS = st.lists(st.sampled_from(["a", "Bc", "é", "x1", "$x$", "$a_b$", "&", "'", '"', "(p)", "a-b", "--", "\u00a0",
                                   "*", "_", "[", "]", "\\emph{e}", "https://b.org/u"]),
                  min_size=1, max_size=3).map(" ".join)
_URLS = st.sampled_from(["https://e.org/p_1/", "http://a.b/c?d=e", "https://x.y/a(b)", "https://e.org/~u/x.y-z+1",
                         "https://e.org/a&b", "mailto:a@b.c", "javascript:x", "https://e.org/a b", "p/q", ""])
_TOKENS = st.one_of(_WORDS, _WORDS.map("**{}**".format), _WORDS.map("*{}*".format),
                    st.tuples(_WORDS, _URLS).map(lambda t: f"[{t[0]}]({t[1]})"),
                    st.sampled_from(["**", "*", "***", "[", "](", "."]))
_SEPARATORS = st.sampled_from([" ", " ", " ", "", ". ", ", ", ": ", "; ", "! ", ") (", "  ", "\n", "\t"])
_INLINE_TEXTS = st.lists(st.tuples(_TOKENS, _SEPARATORS), min_size=1, max_size=6).map(
    lambda parts: "".join(token + separator for token, separator in parts).strip())


@pytest.mark.slow
def test_inline_shortcut_agrees_with_markdown():
    """Strong, emphasis and links in one paragraph skip markdown: the HTML must be what markdown and the
    sanitizer make of the same text, and a fixed point of the sanitizer."""
    from site_builder.markup import sanitize
    shortcut = []

    @settings(max_examples=1500, deadline=None)
    @given(st.one_of(st.lists(st.sampled_from(_INLINE_PIECES), min_size=1, max_size=16).map("".join),
                     st.lists(st.sampled_from(_INLINE_FORMS), min_size=1, max_size=8).map("".join),
                     _INLINE_TEXTS))
    def check(text):
        html = _render_counting(text, shortcut)
        assert html == _markdown_only(text)
        assert sanitize(html) == html

    check()
    # a comparison of markdown with itself proves nothing: the shortcut must have been taken, often
    assert len(shortcut) >= 100, len(shortcut)


def test_inline_shortcut_is_taken_for_typical_abstracts():
    import site_builder.markup as markup
    texts = ["A **bold** claim with *emphasis*, math $O(\\varepsilon^{-2})$ and "
             "[the project page](https://example.org/papers/00000/).",
             "**Strong** start; *end*"]
    def no_markdown():
        raise AssertionError("markdown was used")

    for text in texts:
        assert str(render_markup(text, converter=no_markdown).html) == _markdown_only(text)
    assert str(render_markup(texts[1]).html) == "<p><strong>Strong</strong> start; <em>end</em></p>"
    for declined in ["a * b * c", "***x***", "*a **b** c*", "[x](javascript:y)", "_u_", "**x**y"]:
        assert markup._inline_paragraph(markup._text(declined), markup._Stash()) is None


def test_seed_abstracts_agree_with_markdown_alone():
    import markdown

    from conftest import SEED
    from site_builder.markup import _PLAIN_PARAGRAPH_RE
    lines = SEED.read_text(encoding="utf-8").split("\n")[2::3]
    plain = [line for line in lines if _PLAIN_PARAGRAPH_RE.fullmatch(line)]
    assert len(plain) > 10  # the shortcut is used on real abstracts
    for line in plain:
        assert markdown.markdown(line) == f"<p>{line}</p>"


_PIECES = ["a", "b ", "é", " ", "<", ">", "&", "'", '"', "$x_i$", r"$\frac{1}{2} < 3$", r"$\text{<b>}$", "$5",
           r"\emph{e}", r"\textbf{b}", r"\texttt{t}", r"\href{https://x.org/a'b\"c<d>}{l}", r"\href{javascript:x}{j}",
           r"\url{mailto:a@b.c}", "https://e.org/p?q=1&r=<2>.", "--", "---", "``q''", "`s'", r"\%", r"\&",
           r"\_", r"\unknown{x}", "\ue000", "\x01", "\u00a0", "-", "*", "_", "[", "]", "#", "1."]


@pytest.mark.slow
def test_shortcut_output_is_what_sanitize_returns():
    """A one-paragraph abstract skips the whole-document sanitizer: its HTML must already be a fixed point."""
    from site_builder.markup import sanitize
    shortcut = []

    @settings(max_examples=500, deadline=None)
    @given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14).map("".join))
    def check(text):
        html = _render_counting(text, shortcut)
        assert sanitize(html) == html
        assert "javascript:" not in html.replace("javascript:x", "") and "<b>" not in html

    check()
    assert len(shortcut) >= 50, len(shortcut)  # the unsanitized path was tried, not only markdown's


def test_seed_abstracts_are_fixed_points_of_sanitize():
    from conftest import SEED
    from site_builder.markup import sanitize
    for line in SEED.read_text(encoding="utf-8").split("\n")[2::3]:
        html = render_markup(line, {"algoname": "SparseFed"}).html
        assert sanitize(html) == html


def test_markdown_links_keep_their_address_and_unsafe_ones_lose_it():
    html = render_markup("See **bold** and [the project page](https://example.org/p_1/q_2/). "
                         "Bare https://x.org/a_b too.").html
    assert html == ('<p>See <strong>bold</strong> and <a href="https://example.org/p_1/q_2/">the project page</a>. '
                    'Bare <a href="https://x.org/a_b">https://x.org/a_b</a> too.</p>')
    assert render_markup("[x](javascript:alert(1))").html == "<p><a>x</a></p>"
    assert render_markup("[ref]\n\n[ref]: https://example.org/r_1").html == \
        '<p><a href="https://example.org/r_1">ref</a></p>'


def test_bare_url_ends_before_a_formula():
    # Found by the inline-shortcut property test: the URL ran into the formula's placeholder and the
    # MathML ended up inside the href attribute.
    html = str(render_markup("see https://ex.org/a_b/$x$ now").html)
    assert html == ('<p>see <a href="https://ex.org/a_b/">https://ex.org/a_b/</a>'
                    f'{MATH}<mi>x</mi></mrow></math> now</p>')
