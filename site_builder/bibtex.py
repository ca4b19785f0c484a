"""BibTeX files read as BibTeX reads them, and its TeX field values turned into text.

``parse_bibtex`` splits a file into entries: ``@type{key, name = value, ...}`` (or with parentheses), with
``@string`` macros and ``#`` concatenation resolved, ``@comment`` and ``@preamble`` skipped, and every
problem placed at its line. As in BibTeX, text between entries is a comment, ``%`` inside a value is text,
field names and entry types are case-insensitive, and one broken entry does not stop the others: the
reader starts again at the next line that begins with ``@``.

Values are kept raw (TeX as written); ``tex_to_text`` and ``tex_to_markup`` decode the few fields a record
uses, so the cost of decoding is paid only for them.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from .dates import MONTH_NAMES
from .problems import Problem, error, warning

# BibTeX's standard month macros.
MONTH_MACROS = {m[:3].lower(): m for m in MONTH_NAMES}
_NAME_RE = re.compile(r"[^\s\"#%'(),={}@]+")
_TYPE_RE = re.compile(r"@\s*([A-Za-z][\w-]*)\s*([{(])")
_ENTRY_START_RE = re.compile(r"^[ \t]*@\s*[A-Za-z][\w-]*\s*[{(]", re.MULTILINE)
_KEY_RE = re.compile(r"[^\s,{}()]*")
_BRACES_RE = re.compile(r"[{}]")
_QUOTED_RE = re.compile(r'[{}"]')
_SPACE_RE = re.compile(r"\s*")
_SPACE_COMMENTS_RE = re.compile(r"(?:\s+|%[^\n]*(?:\n|$))*")
# The usual field, ``name = {value}`` with braces at most three deep inside the value, in one match (spaces and
# comment lines where skip_space allows them): what entry() and value() would read from it, field by field, at
# a third of the cost. (Spaces as \s*, then each comment with the spaces after it, and the value's runs matched
# possessively: nothing is ever matched two ways, so a near miss costs no more than a match.)
_GAP = r"\s*(?:%[^\n]*(?:\n|$)\s*)*"
_BRACED = r"[^{}]*+"
for _depth in range(3):
    _BRACED = rf"(?:[^{{}}]++|\{{{_BRACED}\}})*+"
_SIMPLE_FIELD_RE = re.compile(rf"{_GAP}([^\s\"#%'(),={{}}@]+){_GAP}={_GAP}\{{({_BRACED})\}}{_GAP}")
del _depth
_SPECIAL_TEXT_RE = re.compile(r"[\\{}$~`'-]")
_SPECIAL_MARKUP_RE = re.compile(r"[\\{}$~]")


@dataclass(frozen=True, slots=True)
class BibEntry:
    entry_type: str  # lower-case
    key: str
    fields: dict[str, str]  # lower-case name -> value (macros resolved, outer braces or quotes removed)
    line: int  # 1-based line of the @


@dataclass(frozen=True, slots=True)
class BibFile:
    entries: tuple[BibEntry, ...]
    problems: tuple[Problem, ...]
    rejected: int  # entries that could not be read at all


class _Syntax(Exception):
    def __init__(self, pos: int, message: str):
        super().__init__(message)
        self.pos = pos
        self.message = message


def _entry_lines(text: str) -> list[int]:
    """Where each line that begins with ``@type{`` (or ``(``) begins: what ``_ENTRY_START_RE`` finds, found from
    each ``@`` (the pattern itself, tried at every character of a 2 MB file, took longer than the entries)."""
    starts = []
    at = text.find("@")
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        if (line_start == at or not text[line_start:at].strip(" \t")) and _TYPE_RE.match(text, at):
            starts.append(line_start)
        at = text.find("@", at + 1)
    return starts


class _Reader:
    def __init__(self, text: str, label: str):
        self.text = text
        self.label = label
        self.counted = (0, 1)  # (a position, its line): lines are counted on from the last one asked for
        self.strings: dict[str, str] = {}
        self.problems: list[Problem] = []
        # Where entries may start again after a broken one: each line that begins with @type{.
        self.restarts = _entry_lines(text)

    def line(self, pos: int) -> int:
        start, line = self.counted if pos >= self.counted[0] else (0, 1)
        line += self.text.count("\n", start, pos)
        self.counted = (pos, line)
        return line

    def next_restart(self, after: int) -> int:
        i = bisect.bisect_right(self.restarts, after)
        return self.restarts[i] if i < len(self.restarts) else len(self.text)

    def skip_space(self, pos: int, comments: bool = True) -> int:
        """Past spaces (and, where a field name is expected, ``%`` comment lines, as biber and most tools allow)."""
        return (_SPACE_COMMENTS_RE if comments else _SPACE_RE).match(self.text, pos).end()

    def braced(self, pos: int, limit: int) -> tuple[str, int]:
        """The text inside balanced braces starting at ``pos`` (a ``{``); end position after the ``}``."""
        depth, i = 0, pos
        while True:
            match = _BRACES_RE.search(self.text, i, limit)
            if match is None:
                raise _Syntax(pos, "a { is never closed")
            depth += 1 if match.group() == "{" else -1
            i = match.end()
            if depth == 0:
                return self.text[pos + 1:i - 1], i

    def quoted(self, pos: int, limit: int) -> tuple[str, int]:
        depth, i = 0, pos + 1
        while True:
            match = _QUOTED_RE.search(self.text, i, limit)
            if match is None:
                raise _Syntax(pos, 'a " is never closed')
            ch = match.group()
            i = match.end()
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth < 0:
                    raise _Syntax(match.start(), 'a } closes nothing inside a "..." value')
            elif depth == 0:
                return self.text[pos + 1:i - 1], i

    def value(self, pos: int, limit: int, field: str) -> tuple[str | None, int]:
        """A value: parts joined by ``#``; None when a part is an undefined macro (warned)."""
        parts: list[str] = []
        undefined = None
        while True:
            pos = self.skip_space(pos)
            if pos >= limit:
                raise _Syntax(pos, f"the value of {field!r} is missing")
            ch = self.text[pos]
            if ch == "{":
                part, pos = self.braced(pos, limit)
            elif ch == '"':
                part, pos = self.quoted(pos, limit)
            else:
                match = _NAME_RE.match(self.text, pos)
                if not match:
                    raise _Syntax(pos, f"the value of {field!r} must be {{...}}, \"...\", a number or a @string name")
                name, pos = match.group(), match.end()
                if name.isdigit():
                    part = name
                elif name.lower() in self.strings:
                    part = self.strings[name.lower()]
                elif name.lower() in MONTH_MACROS:
                    part = MONTH_MACROS[name.lower()]
                else:
                    undefined = undefined or (name, match.start())
                    part = ""
            parts.append(part)
            pos = self.skip_space(pos)
            if pos < limit and self.text[pos] == "#":
                pos += 1
                continue
            break
        if undefined:
            name, at = undefined
            self.problems.append(warning(self.label, self.line(at), f"{field} uses {name!r}, which no @string "
                                         "defines: the field is left out"))
            return None, pos
        return "".join(parts), pos

    def read(self) -> tuple[list[BibEntry], int]:
        entries: list[BibEntry] = []
        rejected = 0
        text = self.text
        pos = 0
        while True:
            at = text.find("@", pos)
            if at == -1:
                return entries, rejected
            match = _TYPE_RE.match(text, at)
            if not match:
                pos = at + 1  # an @ in the text between entries (an e-mail address): a comment, as in BibTeX
                continue
            kind = match.group(1).lower()
            close = "}" if match.group(2) == "{" else ")"
            limit = self.next_restart(at)
            try:
                if kind == "comment":
                    pos = self.braced(match.end() - 1, limit)[1] if close == "}" else match.end()
                    continue
                if kind == "preamble":
                    pos = self.skip_space(self.value(match.end(), limit, "@preamble")[1])
                    pos = self.expect(pos, close, limit)
                    continue
                if kind == "string":
                    pos = self.string(match.end(), close, limit)
                    continue
                entry, pos = self.entry(kind, at, match.end(), close, limit)
                entries.append(entry)
            except _Syntax as exc:
                rejected += 1
                key = re.match(r"\s*([^\s,{}()]*)", text[match.end():match.end() + 200]).group(1)
                where = f"the @{kind} entry {key!r}" if key else f"this @{kind} entry"
                at_line, problem_line = self.line(at), self.line(exc.pos)
                on = f" (line {problem_line})" if problem_line != at_line else ""
                self.problems.append(error(self.label, at_line, f"cannot read {where}: {exc.message}{on}; "
                                           "not imported, the other entries are"))
                pos = max(limit, at + 1)

    def expect(self, pos: int, close: str, limit: int) -> int:
        if pos >= limit or self.text[pos] != close:
            raise _Syntax(min(pos, len(self.text) - 1), f"expected {close!r} to close the entry")
        return pos + 1

    def string(self, pos: int, close: str, limit: int) -> int:
        pos = self.skip_space(pos)
        match = _NAME_RE.match(self.text, pos)
        if not match:
            raise _Syntax(pos, "a @string needs a name = value")
        pos = self.skip_space(match.end())
        if pos >= limit or self.text[pos] != "=":
            raise _Syntax(pos, "a @string needs a name = value")
        value, pos = self.value(pos + 1, limit, match.group())
        if value is not None:
            self.strings[match.group().lower()] = value
        return self.expect(self.skip_space(pos), close, limit)

    def entry(self, kind: str, at: int, pos: int, close: str, limit: int) -> tuple[BibEntry, int]:
        text = self.text
        pos = self.skip_space(pos, comments=False)
        key_match = _KEY_RE.match(text, pos)
        key = key_match.group()
        pos = self.skip_space(key_match.end(), comments=False)
        fields: dict[str, str] = {}
        line = self.line(at)
        if pos < limit and text[pos] == close:
            return BibEntry(kind, key, fields, line), pos + 1
        if pos >= limit or text[pos] != ",":
            raise _Syntax(pos, "expected a , after the entry's key")
        pos += 1
        while True:
            simple = _SIMPLE_FIELD_RE.match(text, pos, limit)
            if simple is not None:
                after = simple.end()
                if after >= limit or text[after] != "#":  # name = {value}, the value alone: as value() reads it
                    name = simple.group(1).lower()
                    if name in fields:
                        self.problems.append(warning(self.label, self.line(simple.start(1)),
                                                     f"{name} is given twice: the first one is used, as BibTeX does"))
                    else:
                        fields[name] = simple.group(2)
                    pos = after
                    if pos < limit and text[pos] == ",":
                        pos += 1
                        continue
                    if pos < limit and text[pos] == close:
                        return BibEntry(kind, key, fields, line), pos + 1
                    raise _Syntax(min(pos, len(text) - 1), f"expected , or {close} after the value of {name!r}")
            pos = self.skip_space(pos)
            if pos < limit and text[pos] == close:
                return BibEntry(kind, key, fields, line), pos + 1
            name_match = _NAME_RE.match(text, pos)
            if not name_match or pos >= limit:
                raise _Syntax(pos, "expected a field name = value, or the entry's closing " + close)
            name = name_match.group().lower()
            pos = self.skip_space(name_match.end())
            if pos >= limit or text[pos] != "=":
                raise _Syntax(pos, f"expected = after the field name {name_match.group()!r}")
            value, pos = self.value(pos + 1, limit, name)
            if name in fields:
                self.problems.append(warning(self.label, self.line(name_match.start()),
                                             f"{name} is given twice: the first one is used, as BibTeX does"))
            elif value is not None:
                fields[name] = value
            pos = self.skip_space(pos)
            if pos < limit and text[pos] == ",":
                pos += 1
            elif pos < limit and text[pos] == close:
                return BibEntry(kind, key, fields, line), pos + 1
            else:
                raise _Syntax(min(pos, len(text) - 1), f"expected , or {close} after the value of {name!r}")


def parse_bibtex(text: str, label: str) -> BibFile:
    reader = _Reader(text, label)
    entries, rejected = reader.read()
    return BibFile(tuple(entries), tuple(reader.problems), rejected)


# ---------------------------------------------------------------- TeX in field values

_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_SYMBOLS = {"ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
            "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ",
            "NG": "Ŋ", "dj": "đ", "DJ": "Đ", "S": "§", "P": "¶", "copyright": "©", "textregistered": "®",
            "texttrademark": "™", "pounds": "£", "euro": "€", "textendash": "–", "textemdash": "—",
            "ldots": "…", "dots": "…", "textellipsis": "…", "dag": "†", "ddag": "‡", "textdagger": "†",
            "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
            "guillemotleft": "«", "guillemotright": "»", "textbullet": "•", "textasciitilde": "~",
            "textbackslash": "\\", "textunderscore": "_", "textasciicircum": "^", "textbar": "|",
            "textless": "<", "textgreater": ">", "textdollar": "$", "textdegree": "°", "textperiodcentered": "·", "LaTeX": "LaTeX",
            "TeX": "TeX", "BibTeX": "BibTeX", "LaTeXe": "LaTeX2e", "today": "", "relax": "", "protect": "",
            "noopsort": "", "nocite": "", "newblock": " ", "par": "\n\n", "quad": " ", "qquad": " ",
            "ensuremath": ""}
# Macros whose argument is the text (styling kept by tex_to_markup where markup knows it).
_MARKUP_MACROS = {"emph", "textit", "textbf", "texttt", "href", "url"}
_TEXT_ARG_MACROS = {"emph", "textit", "textbf", "texttt", "textsc", "textrm", "textsf", "textsl", "textup",
                    "textmd", "textnormal", "mbox", "hbox", "text", "uppercase", "lowercase", "MakeUppercase",
                    "MakeLowercase", "underline", "uline", "textsuperscript", "textsubscript", "bm", "boldsymbol",
                    "mathrm", "NoCaseChange", "nocase", "foreignlanguage", "textup", "emph", "sc", "it", "bf",
                    "em", "rm", "tt", "sf", "sl", "small", "large", "Large", "footnotesize", "scriptsize"}
_MACRO_RE = re.compile(r"\\([A-Za-z]+|.)")
_ESCAPES = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ", "\\": "\n",
            ",": "\u2009", ";": " ", "!": "", "-": "", "/": "", "@": ""}


def _math_end(text: str, i: int) -> int:
    """Given ``$`` at ``i`` (or ``$$``, ``\\(``, ``\\[``), the index just after its closing delimiter, or -1."""
    for opener, closer in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(opener, i):
            j = i + len(opener)
            while True:
                k = text.find(closer, j)
                if k == -1:
                    return -1
                if text[k - 1] == "\\" and closer == "$":
                    j = k + 1
                    continue
                return k + len(closer)
    return -1


def _group(text: str, i: int) -> tuple[str, int] | None:
    """``{...}`` at ``i`` (after spaces): (inside, index after), or None."""
    j = i
    while j < len(text) and text[j] in " \t\n":
        j += 1
    if j >= len(text) or text[j] != "{":
        return None
    depth = 0
    for k in range(j, len(text)):
        if text[k] == "{" and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif text[k] == "}" and text[k - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[j + 1:k], k + 1
    return None


def _decode(text: str, markup: bool) -> str:
    """TeX to text. Math is kept verbatim, braces and all. ``markup``: keep what the abstract renderer
    understands (``\\emph``, ``\\href``, ``\\url``, ``\\textbf``, escapes, quotes, dashes) as written."""
    if not _SPECIAL_MARKUP_RE.search(text) and (markup or ("--" not in text and "``" not in text and "''" not in text)):
        return text  # (as text, a lone - ` or ' is itself: only doubled do they mean a dash or a quote)
    special = _SPECIAL_MARKUP_RE if markup else _SPECIAL_TEXT_RE
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        found = special.search(text, i)
        if found is None:
            out.append(text[i:])
            break
        if found.start() > i:
            out.append(text[i:found.start()])
            i = found.start()
        ch = text[i]
        if ch == "$" or (ch == "\\" and i + 1 < n and text[i + 1] in "(["):
            end = _math_end(text, i)
            if end != -1:
                out.append(text[i:end])
                i = end
                continue
            if ch == "$":
                out.append("\\$" if markup else "$")
                i += 1
                continue
        if ch == "\\":
            match = _MACRO_RE.match(text, i)
            if not match:
                out.append("\\")
                i += 1
                continue
            name = match.group(1)
            j = match.end()
            if name in _ACCENTS and (len(name) == 1 and not name.isalpha() or j < n and text[j] in " {"
                                     or name.isalpha() and j < n and not text[j].isalpha()):
                group = _group(text, j)
                if group is not None:
                    base, j = group
                    base = _decode(base, False)
                else:
                    while j < n and text[j] == " " and name.isalpha():
                        j += 1
                    base, j = (text[j], j + 1) if j < n else ("", j)
                    if base == "\\":
                        sub = _MACRO_RE.match(text, j - 1)
                        if sub is None:  # \'\ at the very end: the accent has nothing to sit on, the \ stays
                            out.append("\\")
                            i = j
                            continue
                        base, j = _SYMBOLS.get(sub.group(1), sub.group(1)), sub.end()
                out.append(unicodedata.normalize("NFC", (base[:1] + _ACCENTS[name] + base[1:]) if base else ""))
                i = j
                continue
            if name in _SYMBOLS:
                out.append(_SYMBOLS[name])
                i = j
                if name.isalpha():
                    group = _group(text, i)  # \ss{} and \LaTeX{}: the empty group ends the macro
                    if group is not None and group[0] == "":
                        i = group[1]
                    elif i < n and text[i] == " ":
                        i += 1
                continue
            if not name.isalpha():  # \%, \&, \_, \\ ...
                if markup and name in "%&_#${} ":
                    out.append(match.group())
                else:
                    out.append(_ESCAPES.get(name, name))
                i = j
                continue
            if markup and name in _MARKUP_MACROS:
                out.append(match.group())
                i = j
                # the arguments: decoded (accents) but kept in their braces; a URL is kept exactly
                for arg_index in range(2 if name == "href" else 1):
                    group = _group(text, i)
                    if group is None:
                        break
                    inside, i = group
                    verbatim = name in ("url", "href") and arg_index == 0
                    out.append("{" + (inside if verbatim else _decode(inside, True)) + "}")
                continue
            if name == "href":  # text: the link's text, else its address
                first = _group(text, j)
                second = _group(text, first[1]) if first else None
                if second:
                    out.append(_decode(second[0], False))
                    i = second[1]
                elif first:
                    out.append(first[0])
                    i = first[1]
                else:
                    i = j
                continue
            if name == "url":
                group = _group(text, j)
                out.append(group[0] if group else "")
                i = group[1] if group else j
                continue
            # Any other macro: its argument's text (\textsc{Word} -> Word), or nothing.
            group = _group(text, j)
            if group is not None:
                out.append(_decode(group[0], markup))
                i = group[1]
            else:
                i = j
                if i < n and text[i] == " " and name.isalpha():
                    i += 1
            continue
        if ch in "{}":
            i += 1  # protective braces: {SparseFed}, {DNA}
            continue
        if ch == "~":
            out.append("\u00a0")
            i += 1
            continue
        if not markup:
            if text.startswith("---", i):
                out.append("—")
                i += 3
                continue
            if text.startswith("--", i):
                out.append("–")
                i += 2
                continue
            if text.startswith("``", i):
                out.append("“")
                i += 2
                continue
            if text.startswith("''", i):
                out.append("”")
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNCLEAN_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # what clean_control changes (\r too)


def clean_control(text: str) -> str:
    """No control characters but newline and tab (a NUL or ESC in a record is a terminal escape or a binary
    file to git); line and paragraph separators become spaces."""
    if text.isprintable() or _UNCLEAN_RE.search(text) is None:  # (all it changes is unprintable)
        return text
    return _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")
                           .replace("\u2028", " ").replace("\u2029", "\n\n"))


def tex_to_text(value: str) -> str:
    """A field as plain text on one line: accents decoded, braces dropped, math kept verbatim."""
    return one_line(clean_control(_decode(value, False)))


_ASCII_SPACES = tuple(chr(c) for c in range(128) if chr(c).isspace() and c != 32)  # \t \n \r ...


def one_line(text: str) -> str:
    """``" ".join(text.split())``: white space runs as one space, none at the ends; the text itself when that is
    what it is already, as in most fields (every white space character but the space is unprintable; in ASCII,
    one of _ASCII_SPACES, looked for one by one: faster than a character class or isprintable)."""
    if text[:1] == " " or text[-1:] == " " or "  " in text:
        return " ".join(text.split())
    if text.isascii():
        for space in _ASCII_SPACES:
            if space in text:
                return " ".join(text.split())
        return text
    return text if text.isprintable() else " ".join(text.split())


_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n|\\par\b")


def tex_to_markup(value: str) -> str:
    """An abstract for a record's body: accents decoded and protective braces dropped, while math, ``\\emph``,
    ``\\href``, ``\\url``, escapes, dashes and quotes stay as written for the abstract renderer. Paragraph
    breaks (a blank line) are kept; other line breaks become spaces."""
    value = clean_control(value)
    paragraphs = _PARAGRAPH_RE.split(value) if "\n" in value or "\\par" in value else [value]
    decoded = (one_line(_decode(p, True)) for p in paragraphs)
    return "\n\n".join(p for p in decoded if p)


def verbatim(value: str) -> str:
    """An address or identifier as written: braces and outer spaces removed, nothing decoded (``~``, ``&``,
    ``%``, ``_``, ``--`` stay); a backslash before one of ``_%&#~$`` is dropped, since no address has one."""
    if not value:
        return ""
    value = clean_control(value)
    if "\\" in value:
        value = _ADDRESS_ESCAPE_RE.sub(r"\1", value)
    return one_line(value.replace("{", "").replace("}", "") if "{" in value or "}" in value else value)


_ADDRESS_ESCAPE_RE = re.compile(r"\\([_%&#~$])")


__all__ = ["BibEntry", "BibFile", "parse_bibtex", "tex_to_text", "tex_to_markup", "verbatim", "clean_control"]
