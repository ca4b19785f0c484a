"""Citation formats for a paper: BibTeX for now."""
from __future__ import annotations

import re
import unicodedata

from .site import Paper

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_STOP_WORDS = frozenset("a an the on of for in to and with via from by at is are".split())


def tex_escape(text: str) -> str:
    """Escape TeX's special characters; drop control characters; keep unicode as is."""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == " ")
    return "".join(_TEX_SPECIALS.get(ch, ch) for ch in text).replace("@", "{@}")


def _ascii_word(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text.lower())


def last_name(author: str) -> str:
    return author.split(" ")[-1] if author else ""


def bibtex_key(paper: Paper) -> str:
    """``panda2024lottery``: first author's last name, year, first significant title word."""
    surname = _ascii_word(last_name(paper.record.authors[0])) or "anon"
    words = [_ascii_word(w) for w in paper.title.split()]
    first = next((w for w in words if w and w not in _STOP_WORDS), "paper")
    return f"{surname}{paper.year}{first}"


def bibtex(paper: Paper) -> str:
    record = paper.record
    authors = " and ".join(tex_escape(a) for a in record.authors)
    if record.et_al:
        authors += " and others"
    fields = [
        ("title", "{" + tex_escape(record.title) + "}"),
        ("author", authors),
        ("year", str(paper.year)),
        ("month", record.date.strftime("%b").lower()),
    ]
    for name, url in record.links:
        if name == "code":
            fields.append(("howpublished", r"\url{" + re.sub(r"[{}\\%#\s]", "", url) + "}"))
            break
    if paper.category_name:
        fields.append(("note", tex_escape(paper.category_name)))
    body = ",\n".join(f"  {name} = {{{value}}}" if name != "month" else f"  {name} = {value}"
                      for name, value in fields)
    return f"@misc{{{bibtex_key(paper)},\n{body}\n}}\n"
