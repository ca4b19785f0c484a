"""What a person's name looks like, for splitting a title glued to its first author.

The listing format glues the title to the first author with no separator, so the
parser needs to know which strings can be a person's name. Rules, all unicode aware:

* a name is one or more tokens separated by single spaces;
* the first and last token are capitalised words or initials; lower-case
  particles (``van``, ``der``, ``de``, ``da`` ...) may stand between them;
* a word is a capital followed by lower-case letters (``Zhengming``, ``Étienne``);
  hyphenated parts are words each (``Choquette-Choo``, ``Charles-Étienne``);
  an inner capital is allowed only after a known prefix (``McLeish``, ``MacDonald``,
  ``O'Brien``, ``DeVries``, ``LeCun``), so ``LLMsPedro`` or ``MoEs`` are not names;
* initials are ``A.`` or ``J.-P.``; ``Jr.``, ``II`` and friends may close a name.
"""
from __future__ import annotations

PARTICLES = frozenset(
    "van von der den de del della dei degli da das dos du di le la les lo "
    "ter ten zu zur y e bin ibn al el st".split()
)
SUFFIXES = frozenset("Jr. Sr. Jr Sr II III IV".split())
# Prefixes after which a second capital is normal inside a surname.
INNER_CAPITAL_PREFIXES = ("Mac", "Mc", "De", "Di", "Da", "Du", "Le", "La", "Van", "Von", "Fitz", "St")
APOSTROPHES = "'\u2019"


def _is_plain_word(word: str) -> bool:
    """A capital then at least one lower-case letter: ``Zhang``, ``Étienne``."""
    return (
        len(word) >= 2
        and word[0].isupper()
        and all(ch.islower() for ch in word[1:])
    )


def _is_uncased_word(word: str) -> bool:
    """Scripts without case (CJK, Arabic, ...): letters that are neither upper nor lower."""
    return bool(word) and all(ch.isalpha() and not ch.isupper() and not ch.islower() for ch in word)


def _is_name_part(part: str) -> bool:
    if _is_plain_word(part) or _is_uncased_word(part):
        return True
    # O'Brien, D'Angelo, N'Dri
    if len(part) > 2 and part[1] in APOSTROPHES and part[0].isupper():
        return _is_plain_word(part[2:])
    for prefix in INNER_CAPITAL_PREFIXES:
        if part.startswith(prefix) and _is_plain_word(part[len(prefix):]):
            return True
    return False


def is_initials(token: str) -> bool:
    """``A.``, ``J.-P.``, ``A.B.``."""
    if not token.endswith("."):
        return False
    pieces = token.replace("-", "").split(".")[:-1]
    return bool(pieces) and all(len(p) == 1 and p.isupper() for p in pieces)


def is_name_word(token: str) -> bool:
    """A capitalised token that can open or close a name."""
    if is_initials(token):
        return True
    parts = token.split("-")
    return all(_is_name_part(p) for p in parts)


def is_person_name(text: str) -> bool:
    """True when ``text`` reads as one person's name (see the module docstring)."""
    if not text or text != text.strip() or "  " in text:
        return False
    tokens = text.split(" ")
    if not is_name_word(tokens[0]):
        return False
    last = len(tokens) - 1
    for i, token in enumerate(tokens[1:], start=1):
        if is_name_word(token):
            continue
        if i == last and token in SUFFIXES and last >= 2:
            continue
        if 0 < i < last and token.lower() == token and token in PARTICLES:
            continue
        if 0 < i < last and len(token) == 1 and token.isupper():
            continue  # a particle or an initial without its period: Ó Súilleabháin, Jiachen T Wang
        return False
    return True


def name_token_count(text: str) -> int:
    return len(text.split(" "))
