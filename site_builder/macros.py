"""The HTML of the default theme's macros (``partials/macros.html``), written in Python.

A list item calls six macros and a paper page seven; written in Jinja their bodies cost more than the
rest of the page (a loop, a filter and a dozen escapes each, every call through Jinja's runtime). The
macros stay in ``partials/macros.html`` under the same names and parameters, each a call to its function
here (the template globals ``author_list_html``, ``legend_html``, ``badge_html``, ``meta_html``,
``tag_list_html``, ``link_list_html`` and ``abstract_toggle_html``), so a theme still overrides one by writing
its own macro.

Every value from a record is escaped here as ``{{ }}`` escapes it (``markupsafe.escape``: a ``Markup``
value as it is, anything else as text); the functions return ``Markup``. tests/test_golden.py and
tests/test_themes.py hold the output to what the Jinja macros wrote.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .presentation import byline, code_released, href, ink, link_buttons, mark_legend, tag_label, venue_of

_CATEGORY_OR_AFFILIATION = ("category", "affiliation")


def escape(value: Any) -> str:
    """What ``{{ value }}`` writes: ``Markup`` as it is, anything else as text with ``& < > ' "`` escaped as
    markupsafe.escape escapes them (the same entities), as a plain ``str`` (no ``Markup`` made per value).

    The compiled templates escape their ``{{ }}`` with it too (``render._CodeGenerator``): markupsafe's
    ``escape`` is a Python function that makes a ``Markup`` per value (~0.7-1.3 µs; this, ~0.2-0.3 µs), and
    what a ``{{ }}`` writes is only ever joined into the page (or into a macro's or block's text, made
    ``Markup`` whole). A plain ``str``, by far the most common value, is tested first."""
    if type(value) is str:
        text = value
    elif hasattr(value, "__html__"):
        return value.__html__()
    else:
        text = str(value)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "'" in text:
        text = text.replace("'", "&#39;")
    if '"' in text:
        text = text.replace('"', "&#34;")
    return text


def author_list_html(paper: Any, root: str, focus: str | None = None, full: bool = True,
                     owner: dict | None = None) -> Markup:
    """``author_list(paper, root, focus=none, full=true)``: each name kept whole, linked to its page, marks after
    it, the owner in bold; ``full=false`` (list items): a long byline's names as ``presentation.byline`` picks
    them, then "and N more". ``owner``: the site's owner (``name``, ``url``) for "et al. (incl. ...)"."""
    root = escape(root)
    shown = byline(paper, focus) if not full else None
    parts = []
    for author in (shown.names if shown else paper.authors):
        if author is None:
            parts.append('<span class="gap">…</span>')
            continue
        link = f'href="{root}authors/{escape(author.slug)}/index.html">{escape(author.name)}</a>'
        if author.is_owner:
            name = f'<strong class="owner"><a class="author owner" {link}</strong>'
        else:
            name = f'<a class="{"author member" if author.is_member else "author"}" {link}'
        marks = author.marks
        if marks:
            meanings = ", ".join(meaning for mark, meaning in mark_legend(paper) if mark in marks)
            name += f'<sup class="marks" title="{escape(meanings)}">{escape(marks)}</sup>'
        parts.append(f'<span class="name">{name}</span>')
    text = '<span class="authors">' + ", ".join(parts)
    if shown and shown.more:
        text += f' <a class="more-authors" href="{root}{escape(paper.url)}">and {shown.more:,} more</a>'
    if paper.et_al:
        text += ' <span class="et-al">et al.</span>'
        if paper.owner_implied and owner and owner["name"]:
            text += (f' <span class="incl">(incl. <span class="name"><strong class="owner"><a class="author owner" '
                     f'href="{root}{escape(owner["url"])}">{escape(owner["name"])}</a></strong></span>)</span>')
    return Markup(text + "</span>")


def legend_html(paper: Any) -> Markup:
    """``legend(paper)``: the marks the byline uses and what each means."""
    marks = mark_legend(paper)
    if not marks:
        return Markup("")
    return Markup('<p class="legend">'
                  + " · ".join(f"<span><sup>{escape(mark)}</sup> {escape(meaning)}</span>" for mark, meaning in marks)
                  + "</p>")


def badge_html(paper: Any, colors: Any = ()) -> Markup:
    """``badge(paper)``: the venue badge (coloured from ``venue_colors``), or nothing."""
    v = venue_of(paper, colors)
    if not v.badge:
        return Markup("")
    cls = "badge badge-preprint" if v.preprint else "badge"
    style = ""
    if v.color:
        color = escape(v.color)
        style = f' style="background:{color};color:{escape(ink(v.color))};border-color:{color}"'
    return Markup(f'<span class="{cls}"{style}>{escape(v.badge)}</span>')


def meta_html(paper: Any, root: str, long: bool = False, tags: bool = True, badge: Any = "",
              colors: Any = ()) -> Markup:
    """``meta(paper, root, long=false, tags=true, badge="")``: the meta line: ``badge``, the venue (its full name
    too when ``long``), the date, and the category and affiliation as links to their tags."""
    v = venue_of(paper, colors)
    text = f'<p class="meta">{escape(badge)}'
    if v.line:
        if long and v.full:
            venue = f"<cite>{escape(v.full)}</cite> ({escape(v.line)})"
        elif v.preprint and not v.full and v.line == "Preprint":
            venue = escape(v.line)
        else:
            venue = f"<cite>{escape(v.line)}</cite>"
        if v.note:
            venue += f' <span class="note">({escape(v.note)})</span>'
        text += f'<span class="venue">{venue}</span> · '
    date = paper.date
    text += f'<time datetime="{escape(date.iso)}">{escape(date.display(short=not long))}</time>'
    if tags:
        root = escape(root)
        for tag in paper.tags:
            if tag.kind in _CATEGORY_OR_AFFILIATION:
                text += (f' · <a class="meta-tag" href="{root}tags/{escape(tag.slug)}/index.html">'
                         f'{escape(tag_label(tag, paper.category_name))}</a>')
    return Markup(text + "</p>")


def tag_list_html(paper: Any, root: str, all: bool = False) -> Markup:
    """``tag_list(paper, root, all=false)``: the topic tags as chips (``all``: every tag)."""
    shown = paper.tags if all else [tag for tag in paper.tags if tag.kind == "topic"]
    if not shown:
        return Markup("")
    root = escape(root)
    category_name = paper.category_name
    items = "".join(f'  <li><a class="tag" href="{root}tags/{escape(tag.slug)}/index.html">'
                    f'{escape(tag_label(tag, category_name))}</a></li>\n' for tag in shown)
    return Markup(f'<ul class="tags" aria-label="Tags">\n{items}</ul>\n')


def link_list_html(paper: Any, root: str, expanders: Any = "") -> Markup:
    """``link_list(paper, root, expanders="")``: the row of link buttons in their fixed order, "Code released",
    then ``expanders`` (the Abstract and BibTeX toggles of a list item)."""
    buttons = link_buttons(paper)
    released = code_released(paper)
    if not (buttons or released or expanders):
        return Markup("")
    text = '<div class="actions">\n'
    if buttons or released:
        text += '<ul class="links" aria-label="Links">\n'
        for b in buttons:
            text += (f'  <li><a class="link link-{escape(str(b.kind).lower().replace(" ", "-"))}" '
                     f'href="{escape(href(b.url, root))}" rel="noopener">{escape(b.label)}</a></li>\n')
        if released:
            text += '  <li><span class="code-released">Code released</span></li>\n'
        text += "</ul>\n"
    return Markup(f"{text}{escape(expanders)}\n</div>\n")


def abstract_toggle_html(paper: Any, show: Any = "index", bibtex: Any = None) -> Markup:
    """``abstract_toggle(paper)``: Abstract and BibTeX, each a ``<details>`` that opens in place (no JavaScript
    needed), unless ``show`` (``theme_options.show_abstracts``) is false; ``bibtex``: the template global that
    makes the entry (``render.PerPaper``). Compact lists leave it out (``abstract`` false in the list item)."""
    if not show:
        return Markup("")
    if bibtex is None:
        from .citations import bibtex
    text = ""
    html = paper.abstract_html  # read once: it is kept compressed
    if html:
        text = ('<details class="abstract">\n  <summary>Abstract</summary>\n'
                f'  <div class="expanded">{escape(html)}</div>\n</details>\n')
    return Markup(f'{text}<details class="bib">\n  <summary>BibTeX</summary>\n'
                  f'  <pre class="expanded" tabindex="0"><code>{escape(bibtex(paper))}</code></pre>\n</details>\n')
