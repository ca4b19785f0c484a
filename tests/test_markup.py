"""Abstracts: math to MathML, TeX macros, links and quotes, and no raw HTML."""
from __future__ import annotations

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


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab1. -+*#>=_`[]()!<&\\:\t\né") + ["  ", "1.", "&amp;", "    "]),
                min_size=1, max_size=20).map("".join))
def test_plain_paragraph_shortcut_agrees_with_markdown(text):
    import html as html_lib

    import markdown

    from site_builder.markup import _PLAIN_PARAGRAPH_RE
    escaped = html_lib.escape(text, quote=False)
    if _PLAIN_PARAGRAPH_RE.fullmatch(escaped):
        assert f"<p>{escaped}</p>" == markdown.markdown(escaped)


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


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14).map("".join))
def test_shortcut_output_is_what_sanitize_returns(text):
    """A one-paragraph abstract skips the whole-document sanitizer: its HTML must already be a fixed point."""
    from site_builder.markup import sanitize
    html = render_markup(text).html
    assert sanitize(html) == html
    assert "javascript:" not in html.replace("javascript:x", "") and "<b>" not in html


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
