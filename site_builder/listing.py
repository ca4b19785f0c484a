"""The listing parser: listing text in, entries and problems out. Pure: no I/O.

A listing entry is three lines:

    LGApr 10, 2025Code
    LoRI: Reducing Cross-Task Interference ...AdaptationJuzheng Zhang, Jiacheng You et al. · umd
    Low-Rank Adaptation (LoRA) has emerged as ...

Line 1 is an arXiv category code glued to a date (``Mon D, YYYY`` or ``Mon D``)
and optionally ``Code``. Line 2 is the title glued to the first author, the
other authors, `` et al.`` when the list is cut and `` · affiliation``. Line 3
is the abstract. Blank lines, Windows line ends, a byte-order mark and a
missing final newline are accepted; anything else that does not fit is a
problem naming its line, and the other entries are still parsed.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from . import names
from .dates import month_number
from .problems import Problem, error, warning
from .urls import first_repository_url


HEADER_RE = re.compile(
    r"(?P<category>[A-Z]{2})\s*"
    r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?\s+"
    r"(?P<day>\d{1,2})"
    r"(?:\s*,\s*(?P<year>\d{4}))?"
    r"\s*(?P<code>Code)?"
)
# Looks like an attempt at a header (short, starts with two capitals): reported as a broken header.
HEADERISH_RE = re.compile(r"[A-Z]{2}(\S|$)")
# Only these end a line. str.splitlines() also splits at U+2028, U+2029, NEL, form feed and \x1c-\x1e,
# which may stand inside an abstract; splitting there would make a stray line and shift every later number.
LINE_END_RE = re.compile(r"\r\n|\r|\n")
AFFILIATION_SEP_RE = re.compile(r"\s+\u00b7\s+")
ET_AL_RE = re.compile(r",?\s+et\s+al\.?$")


@dataclass(frozen=True)
class Entry:
    """One parsed listing entry. ``line`` is the 1-based line of its header."""

    title: str
    authors: tuple[str, ...]
    et_al: bool
    affiliation: str | None
    category: str
    date: dt.date
    has_code: bool
    code_url: str | None
    abstract: str
    line: int

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "authors": list(self.authors),
            "et_al": self.et_al,
            "affiliation": self.affiliation,
            "category": self.category,
            "date": self.date.isoformat(),
            "has_code": self.has_code,
            "code_url": self.code_url,
            "abstract": self.abstract,
            "line": self.line,
        }


@dataclass(frozen=True)
class ListingResult:
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    rejected: int = 0  # entries that were found but could not be read (each has an error in problems)


@dataclass(frozen=True)
class Header:
    category: str
    month: int
    day: int
    year: int | None
    has_code: bool


@dataclass(frozen=True)
class Byline:
    """Line 2 split into its parts; ``alternatives`` lists other plausible titles."""

    title: str
    authors: tuple[str, ...]
    et_al: bool
    affiliation: str | None
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class _RawEntry:
    header: Header
    header_line: int
    byline: str
    byline_line: int
    abstract: str


def parse_header(text: str) -> Header | None:
    match = HEADER_RE.fullmatch(text)
    if not match:
        return None
    return Header(
        category=match["category"],
        month=month_number(match["month"]),
        day=int(match["day"]),
        year=int(match["year"]) if match["year"] else None,
        has_code=bool(match["code"]),
    )


def resolve_date(header: Header, as_of: dt.date) -> dt.date:
    """The entry's date; a year-less date is the latest such day not after ``as_of``.

    Raises ValueError for a day that does not exist (``Feb 30``).
    """
    if header.year is not None:
        return dt.date(header.year, header.month, header.day)
    for year in range(as_of.year, as_of.year - 8, -1):
        try:
            candidate = dt.date(year, header.month, header.day)
        except ValueError:
            continue  # Feb 29 in a non-leap year: try the year before
        if candidate <= as_of:
            return candidate
    raise ValueError(f"day {header.day} does not exist in month {header.month}")


def _split_authors(text: str) -> tuple[str, bool, str | None]:
    """Strip `` · affiliation`` and `` et al.`` from a byline: (rest, et_al, affiliation)."""
    affiliation = None
    parts = AFFILIATION_SEP_RE.split(text)
    if len(parts) > 1:
        affiliation = parts[-1].strip() or None
        text = " \u00b7 ".join(parts[:-1])
    et_al = False
    match = ET_AL_RE.search(text)
    if match:
        et_al = True
        text = text[: match.start()]
    return text.strip(), et_al, affiliation


OPENING = "([{\u201c\u2018\u00ab`"  # a title never ends in one of these (nor in an opening quote)
APOSTROPHES = "'\u2019"
# Where a first author can begin: a capital (or a letter of a script without case) after a character
# that can end a title, which is anything but a space or a hyphen; the case of non-ASCII letters is
# checked in code.
SPLIT_POINT_RE = re.compile(r"(?<=[^\s-])(?:[A-Z]|[^\x00-\x7f])")
CUT_WORD_START_RE = re.compile(r"[A-Z](s[A-Z]|[A-Z][a-z])")  # LL|MsOpenAI, MoE|sMoE, Mo|EOpenAI
ODD_TITLE_END_RE = re.compile(r"[a-z][A-Z][a-z]*$")  # TransformersMo, ReportOpen: a word cut in two


@dataclass(frozen=True)
class _Candidate:
    first: str  # the first author
    segment: int  # index of the ", "-separated piece of the byline in which the first author begins
    position: int  # character offset of the split (the title's end): earlier means a longer first name
    bad_authors: int  # co-authors that read as neither a person nor a named organisation
    tier: int  # 4 a person of two or more words, 3 a named organisation, 2 a one-word person, 1 a capitalised word
    doubtful: int  # 0, or 1 when the split cuts a run of capitals or leaves a lone apostrophe on the title
    odd_title_end: bool  # the title would end in a word cut in two (TransformersMo)
    known_organisation: bool  # the first author is an organisation that writes papers (OpenAI, Gemma-Team)


def _closes_a_quote(title: str) -> bool:
    """``... the ``Long Tail''``, ``... of 'Fairness'``: the title's final quote closes one it opened."""
    if title.endswith("''"):
        return "``" in title or "\u201c" in title
    if title.endswith("\u2019"):
        return "\u2018" in title or _opens_straight_quote(title[:-1])
    return _opens_straight_quote(title[:-1])


def _opens_straight_quote(text: str) -> bool:
    return any(ch in "'`" and (k == 0 or text[k - 1].isspace() or text[k - 1] in OPENING)
               for k, ch in enumerate(text))


def _title_end_problem(text: str, end: int) -> int | None:
    """None when the title cannot end at ``text[end]``, 1 when it can but doubtfully, 0 when it can."""
    last = text[end - 1]
    if last in OPENING and last != "`":
        return None  # "Sparse Models (" + "Extended)..."
    if last in APOSTROPHES or last in "`\"":
        before = text[end - 2] if end > 1 else " "
        if before.isspace() or before in OPENING:
            return None  # an opening quote: "outside of '" + "Fairness'..."
        if last in APOSTROPHES and not _closes_a_quote(text[:end]):
            return 1  # "Claire O'" + "Brien", or a possessive "Teachers'": possible, not likely
    return 0


QUOTES = "'\u2018\u2019`\"\u201c\u201d"


def _is_opener(text: str, k: int) -> bool:
    return text[k] in "'\u2018`\"\u201c" and (k == 0 or text[k - 1].isspace() or text[k - 1] in OPENING)


def _quote_depths(text: str) -> list[int]:
    """``depths[k]``: quotes opened and not yet closed in ``text[:k]`` (a quote inside a word, as in
    O'Brien or don't, neither opens nor closes)."""
    depths = [0] * (len(text) + 1)
    depth = 0
    for k, ch in enumerate(text):
        if ch in QUOTES:
            if _is_opener(text, k):
                depth += 1
            elif depth and not (k + 1 < len(text) and text[k + 1].isalpha()):
                depth -= 1
        depths[k + 1] = depth
    return depths


def _ends_inside_quotes(text: str, end: int, depths: list[int]) -> bool:
    """Would a title ending at ``end`` leave a quote open (``'340`` + ``B'Ada Lovelace``)?"""
    depth = depths[end - 1]
    if text[end - 1] in QUOTES:
        depth += 1 if _is_opener(text, end - 1) else -1 if depth else 0
    return depth > 0


@functools.lru_cache(maxsize=65536)
def _tier(first: str) -> int:
    person = names.is_person_name(first)
    if person and " " in first:
        return 4
    if names.is_organisation_name(first) and (
            " " in first or names.is_known_organisation(first)
            or any(part in names.ORGANISATION_WORDS for part in first.split("-"))):
        return 3
    if person:
        return 2
    return 1 if names.is_organisation_name(first) else 0


@functools.lru_cache(maxsize=65536)
def _reads_as_coauthor(text: str) -> bool:
    """A person, or a named organisation that is not a title's last word glued to one (LearningGemma-Team)."""
    tier = _tier(text)
    if tier == 4 or (tier >= 2 and (names.is_person_name(text) or names.is_known_organisation(text))):
        return True
    if tier < 2:
        return False
    word = text.split(" ")[0]
    return not any(word[i].isupper() and (word[i - 1].islower() or (word[i - 1].isupper() and word[i + 1:i + 2].islower()))
                   and _tier(text[i:]) >= 2 for i in range(1, len(word)))


def _candidates(text: str) -> list[_Candidate]:
    """Every plausible split of ``text`` (a byline without et al. and affiliation); linear in its length."""
    segments = text.split(", ")
    readable = [_reads_as_coauthor(s.strip()) for s in segments]
    bad_after = [0] * (len(segments) + 1)  # co-authors after segment j that do not read as names
    for j in range(len(segments) - 1, -1, -1):
        bad_after[j] = bad_after[j + 1] + (not readable[j])
    found = []
    offset = 0
    depths = _quote_depths(text) if any(q in text for q in QUOTES) else None
    for j, segment in enumerate(segments):
        for match in SPLIT_POINT_RE.finditer(segment, 1):
            i = match.start()
            ch = segment[i]
            if not (ch.isupper() or (ch.isalpha() and not ch.islower())):
                continue
            first = segment[i:].strip()
            tier = _tier(first)
            if not tier:
                continue
            end = offset + i
            doubt = _title_end_problem(text, end)
            if doubt is None:
                continue
            # a run of capitals cut (NVID|IA), an acronym cut from its plural s (LL|MsOpenAI), or a lone
            # capital glued to a capitalised word (Mo|EOpenAI)
            caps_cut = (text[end - 1].isupper() and len(first) > 1 and first[1].isupper()) or bool(
                CUT_WORD_START_RE.match(first)) or (depths is not None and _ends_inside_quotes(text, end, depths))
            last_word = segment[:i].rsplit(" ", 1)[-1].rstrip(".,:;!?)]}'\"\u2019\u201d")
            found.append(_Candidate(first, j, end, bad_after[j + 1], tier, int(doubt or caps_cut),
                                    bool(ODD_TITLE_END_RE.search(last_word)),
                                    tier == 3 and names.is_known_organisation(first)))
        offset += len(segment) + 2
    return found


def split_byline(text: str, known_names: frozenset[str] = frozenset()) -> Byline | None:
    """Split line 2 into title, authors, et al. and affiliation.

    Every place where a capital follows a character that can end a title is a
    candidate when what follows reads as a list of names. Between candidates,
    in order: co-authors that read as names; a first author known from
    elsewhere in the listing; what the first author is (a person of two or more
    words, then a named organisation such as ``Gemma-Team`` or ``OpenAI``, then
    a one-word name); a split that does not cut a run of capitals or a word, nor
    leave a lone apostrophe on the title; an organisation known to write
    papers (``Training LLMsOpenAI``: OpenAI, not MsOpenAI); for anything but a
    person's full name, a title that does not end in half a word
    (``TransformersMo``); and last the longest first author. Candidates still
    tied with the chosen one are returned as alternatives (for an organisation
    or a one-word name not known to write papers: every other reading of the
    same kind).
    Returns None when no split gives a title and a name.
    """
    rest, et_al, affiliation = _split_authors(text)
    candidates = _candidates(rest)
    if not candidates:
        return None
    fewest_bad = min(c.bad_authors for c in candidates)
    pool = [c for c in candidates if c.bad_authors == fewest_bad]
    known = [c for c in pool if c.first in known_names]
    if known:
        pool = known
    best_tier = max(c.tier for c in pool)
    pool = same_tier = [c for c in pool if c.tier == best_tier]
    least_doubt = min(c.doubtful for c in pool)
    pool = [c for c in pool if c.doubtful == least_doubt]
    if any(c.known_organisation for c in pool):
        pool = [c for c in pool if c.known_organisation]
    if best_tier < 4 and not all(c.odd_title_end for c in pool):
        pool = [c for c in pool if not c.odd_title_end]
    pool.sort(key=lambda c: c.position)
    chosen = pool[0]
    rivals = pool[1:]
    if best_tier < 4 and not chosen.known_organisation:
        # An organisation or a one-word name decided by shape alone: every other reading is worth a word.
        rivals = sorted((c for c in same_tier if c is not chosen and c.doubtful == least_doubt),
                        key=lambda c: c.position)
    return Byline(
        title=rest[:chosen.position].strip(),
        authors=(chosen.first, *(s.strip() for s in rest.split(", ")[chosen.segment + 1:])),
        et_al=et_al,
        affiliation=affiliation,
        alternatives=tuple(rest[:c.position].strip() for c in rivals),
    )


def _segment(lines: list[str], path: str) -> tuple[list[_RawEntry], list[Problem], int]:
    """Group the listing's lines into raw entries; report lines that fit nowhere.

    Returns the entries, the problems and how many broken entries were found.
    """
    entries: list[_RawEntry] = []
    problems: list[Problem] = []
    broken = 0
    numbered = [(n, line.strip()) for n, line in enumerate(lines, start=1)]
    content = [(n, line) for n, line in numbered if line]
    i = 0
    while i < len(content):
        number, line = content[i]
        header = parse_header(line)
        if header is None:
            if HEADERISH_RE.match(line) and len(line) <= 40:
                problems.append(error(path, number, f"cannot read the entry header {line!r}: expected a "
                                      "category and a date such as 'LGMar 9, 2025' or 'CRJun 12, 2022Code'"))
                broken += 1
                # Skip the broken entry's own lines so they are not reported again.
                i += 1
                skipped = 0
                while i < len(content) and skipped < 2 and parse_header(content[i][1]) is None:
                    i += 1
                    skipped += 1
            else:
                problems.append(error(path, number, f"stray line outside any entry: {_preview(line)}"))
                i += 1
            continue
        body = []
        j = i + 1
        while j < len(content) and len(body) < 2 and parse_header(content[j][1]) is None:
            body.append(content[j])
            j += 1
        if len(body) < 2:
            missing = "title and authors line and abstract line" if not body else "abstract line"
            problems.append(error(path, number, f"entry is missing its {missing}"))
            broken += 1
        else:
            (byline_line, byline), (_n, abstract) = body
            entries.append(_RawEntry(header, number, byline, byline_line, abstract))
        i = j
    return entries, problems, broken


def split_lines(text: str) -> list[str]:
    """The listing's lines: only ``\\n``, ``\\r\\n`` and ``\\r`` end one (a final line end adds no line)."""
    lines = LINE_END_RE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _preview(line: str, width: int = 60) -> str:
    return repr(line if len(line) <= width else line[:width] + "...")


def parse_listing(text: str, path: str, as_of: dt.date) -> ListingResult:
    """Parse a whole listing. Every problem names ``path`` and a 1-based line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    raw_entries, problems, rejected = _segment(split_lines(text), path)

    # Evidence from the whole listing: co-authors after the first are unambiguous names.
    known: set[str] = set()
    for raw in raw_entries:
        rest, _et_al, _aff = _split_authors(raw.byline)
        for name in rest.split(", ")[1:]:
            if names.is_person_name(name.strip()):
                known.add(name.strip())
    known_names = frozenset(known)

    entries = []
    for raw in raw_entries:
        try:
            date = resolve_date(raw.header, as_of)
        except ValueError:
            problems.append(error(path, raw.header_line, "the date does not exist in the calendar"))
            rejected += 1
            continue
        byline = split_byline(raw.byline, known_names)
        if byline is None:
            problems.append(error(path, raw.byline_line,
                                  "cannot tell where the title ends and the first author begins "
                                  "(expected the title glued to a name, e.g. 'My TitleAda Lovelace, Alan Turing')"))
            rejected += 1
            continue
        if byline.alternatives:
            others = "; ".join(repr(t) for t in byline.alternatives)
            problems.append(warning(path, raw.byline_line,
                                    f"ambiguous title/author split: chose title {byline.title!r} "
                                    f"(other readings: {others}); correct the record by hand if wrong"))
        code_url = first_repository_url(raw.abstract) if raw.header.has_code else None
        entries.append(Entry(
            title=byline.title,
            authors=byline.authors,
            et_al=byline.et_al,
            affiliation=byline.affiliation,
            category=raw.header.category,
            date=date,
            has_code=raw.header.has_code,
            code_url=code_url,
            abstract=raw.abstract,
            line=raw.header_line,
        ))
    problems.sort(key=lambda p: (p.line or 0, p.message))
    return ListingResult(tuple(entries), tuple(problems), rejected)
