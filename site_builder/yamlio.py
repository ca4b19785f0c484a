"""YAML read and written for people: block style, unicode as is, risky strings quoted.

PyYAML reads YAML 1.1, where ``yes``, ``no``, ``on``, ``~`` and ``2024-01-05``
are not strings, and other tools read YAML 1.2, where ``1e3`` is a number.
Whatever either would misread is written in double quotes, so a value written
here reads back as the same string everywhere.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from types import SimpleNamespace
from typing import Any

from .problems import ParseError

# PyYAML (and its compiled patterns: 20 ms of a command's start) is loaded when first needed: a text in the
# forms ``dump`` writes is read without it (a site.yaml, a record), and a re-import with nothing changed reads
# nothing else. ``_pyyaml()`` gives its objects; ``yamlio.yaml`` and ``yamlio.Loader`` still name them.

_SPECIAL_WORDS = frozenset(
    "y yes n no on off true false null none ~ .nan .inf -.inf +.inf nan inf".split()
)
_NUMBER_RE = re.compile(
    r"""[-+]?(
        0[xob][0-9a-f_]+            # hex, octal, binary
      | [0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?   # sexagesimal
      | ([0-9][0-9_]*)?\.?[0-9_]*([e][-+]?[0-9]+)?  # ints, floats, 1e3
      | \.(inf|nan)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_DATE_RE = re.compile(r"\d{4}-\d\d?-\d\d?([Tt ].*)?")
_LONGEST_SPECIAL = max(map(len, _SPECIAL_WORDS))
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`="
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def needs_quotes(text: str) -> bool:
    """True when a plain (unquoted) YAML scalar would not read back as this string."""
    if text == "" or text != text.strip():
        return True
    if (len(text) <= _LONGEST_SPECIAL and text.lower() in _SPECIAL_WORDS) or _DATE_RE.fullmatch(text):
        return True
    if _NUMBER_RE.fullmatch(text) and any(map(str.isdigit, text)):
        return True
    if text[0] in _INDICATORS:
        return True
    if ": " in text or " #" in text or text.endswith(":"):
        return True
    return not text.isprintable() and _CONTROL_RE.search(text) is not None  # (each of them is unprintable)


def dump(data: dict[str, Any]) -> str:
    """YAML text for a mapping, keys in the given order."""
    fast = _dump_simple(data)
    return fast if fast is not None else _dump_pyyaml(data)


def _dump_pyyaml(data: dict[str, Any]) -> str:
    pyyaml = _pyyaml()
    return pyyaml.yaml.dump(
        data,
        Dumper=pyyaml.Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100_000,
    )


# Writing a record's front matter with PyYAML's emitter was a third of a first import's time (911 BibTeX
# entries). Front matter has one shape: a mapping of keys to strings, numbers, booleans, dates, lists of
# those and one level of mappings (links). ``_dump_simple`` writes that shape itself, asking PyYAML's own
# scalar analysis and resolver what style each string gets, so the text is byte for byte what yaml.dump
# writes (tests/test_yamlio.py holds it to that on generated data); anything else returns None, and
# yaml.dump writes it.
_STR_TAG = "tag:yaml.org,2002:str"
_LONG = 10_000  # longer strings may be folded by the emitter: left to it
_ASCII_WORDS = re.compile(r"[A-Za-z0-9][\x20-\x7e]*")


def _plain_is_str(text: str) -> bool:
    pyyaml = _pyyaml()
    if not pyyaml.always_ask and (text[:1] not in pyyaml.implicit_first
                                  or (len(text) > 5 and text[:1] in pyyaml.words_only)):
        return True
    return pyyaml.resolver.resolve(pyyaml.yaml.ScalarNode, text, (True, False)) == _STR_TAG


def _scalar(text: str, key: bool) -> str | None:
    """``text`` as the emitter writes it as a mapping key or block value, or None when it would need a style
    written here (single quotes, or folding)."""
    if len(text) > _LONG or (key and len(text) >= 128):  # a key of 128+ characters is written "? key"
        return None
    quoted = needs_quotes(text) or "\n" in text
    if quoted and not key:
        return _double_quoted(text)
    if not quoted and _ASCII_WORDS.fullmatch(text):
        # printable ASCII from a letter or digit on, and none of what needs_quotes looks for: no line break,
        # no special character, no indicator, so PyYAML's analysis would allow it plain (and not multiline)
        plain = True
    else:
        analysis = _pyyaml().analyzer.analyze_scalar(text)
        if key and (analysis.empty or analysis.multiline):  # written as a complex key ("? ...")
            return None
        if quoted:
            return _double_quoted(text)
        plain = analysis.allow_block_plain
    if plain and _plain_is_str(text):
        return text
    return None  # single-quoted: rare, left to yaml.dump


# Keys and values repeat from record to record (the keys themselves, names, venues, tags): a first import of
# 911 entries asked for 30,000 scalars, most of them seen before.
@functools.lru_cache(maxsize=1024)
def _key_text(text: str) -> str | None:
    return _scalar(text, True)


@functools.lru_cache(maxsize=4096)
def _value_text(text: str) -> str | None:
    return _scalar(text, False)


def _double_quoted(text: str) -> str:
    escapes = _pyyaml().escapes
    out = ['"']
    for ch in text:
        if ch in '"\\\x85\u2028\u2029\ufeff' or not ("\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff"
                                                      or "\ue000" <= ch <= "\ufffd"):
            if ch in escapes:
                out.append("\\" + escapes[ch])
            elif ch <= "\xff":
                out.append("\\x%02X" % ord(ch))
            elif ch <= "\uffff":
                out.append("\\u%04X" % ord(ch))
            else:
                out.append("\\U%08X" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _value(value: Any) -> str | None:
    """A scalar value as written after ``key: ``, or None."""
    kind = type(value)
    if kind is str:
        return _value_text(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return str(value)
    if kind is dt.date:
        return value.isoformat()
    return None


def _dump_simple(data: Any) -> str | None:
    if type(data) is not dict or not data:
        return None
    lines: list[str] = []
    add = lines.append
    for key, value in data.items():
        name = _key_text(key) if type(key) is str else None
        if name is None:
            return None
        kind = type(value)
        if kind is list:
            if not value:
                add(f"{name}: []")
                continue
            add(f"{name}:")
            for item in value:
                text = _value_text(item) if type(item) is str else _value(item)
                if text is None:
                    return None
                add(f"  - {text}")
        elif kind is dict:
            if not value:
                add(f"{name}: {{}}")
                continue
            add(f"{name}:")
            for inner, item in value.items():
                inner_name = _key_text(inner) if type(inner) is str else None
                text = _value_text(item) if type(item) is str else _value(item)
                if inner_name is None or text is None:
                    return None
                add(f"  {inner_name}: {text}")
        else:
            text = _value_text(value) if kind is str else _value(value)
            if text is None:
                return None
            add(f"{name}: {text}")
    return "\n".join(lines) + "\n"


@functools.cache
def _pyyaml() -> SimpleNamespace:
    """PyYAML, loaded, and what this module makes of it: the dumper and loader, and the emitter's scalar analysis
    and the resolver ``_dump_simple`` asks (see there)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            # Indent list items under their key, as people write them.
            super().increase_indent(flow, False)

    def represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
        style = '"' if needs_quotes(text) or "\n" in text else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    def represent_date(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())

    Dumper.add_representer(str, represent_str)
    Dumper.add_representer(dt.date, represent_date)

    base_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: 6x faster

    class Loader(base_loader):  # type: ignore[misc, valid-type]
        """Safe loading; a duplicate key is an error rather than a silent overwrite."""

    def construct_mapping(loader: Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, Any] = {}
        for key_node, _value_node in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if isinstance(key, (list, dict)):
                raise yaml.constructor.ConstructorError(None, None, "a key must be text", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen[key] = True
        return loader.construct_mapping(node, deep=deep)

    def construct_timestamp(loader: Loader, node: yaml.ScalarNode) -> Any:
        """A date, or the text as written when it is no real date (2024-13-45)."""
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)

    resolver = yaml.resolver.Resolver()
    implicit_first = frozenset(resolver.yaml_implicit_resolvers)
    return SimpleNamespace(
        yaml=yaml, Dumper=Dumper, BaseLoader=base_loader, Loader=Loader,
        analyzer=yaml.emitter.Emitter(None, allow_unicode=True), resolver=resolver,
        escapes=yaml.emitter.Emitter.ESCAPE_REPLACEMENTS,
        # The first characters for which the resolver tries an implicit type (a number, a date, a boolean ...):
        # a plain scalar starting with any other character is a string, without asking it.
        implicit_first=implicit_first,
        always_ask=None in implicit_first or bool(resolver.yaml_path_resolvers),
        # YAML 1.1's booleans and null are words of at most five characters (yes, no, true, false, on, off,
        # null, ~): a longer scalar starting with a character only they start with (T, n ...) is a string too.
        words_only=frozenset(first for first, rules in resolver.yaml_implicit_resolvers.items()
                             if all(tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null") for tag, _ in rules)),
    )


def __getattr__(name: str) -> Any:
    """``yamlio.yaml`` and ``yamlio.Loader``, loaded when first asked for."""
    if name in ("yaml", "Loader"):
        return getattr(_pyyaml(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_KEY_RE = re.compile(r"([a-z_][a-z0-9_]*):(?: (.*))?")
_ITEM_RE = re.compile(r"( *)- (.*)")
_ENTRY_RE = re.compile(r"( +)([A-Za-z0-9_][A-Za-z0-9_.-]*): (.*)")
_ISO_DATE_RE = re.compile(r"\d{4}-\d\d-\d\d")
_NO_VALUE = object()
_PLAIN_NEVER_FIRST = frozenset(_INDICATORS + " <~")
_NUMBER_FIRST = frozenset("0123456789+-.")


def _simple_scalar(text: str) -> Any:
    """The value of a one-line scalar in the forms ``dump`` writes, or _NO_VALUE for anything else."""
    if not text:
        return _NO_VALUE
    if text[0] == '"':
        inner = text[1:-1]
        if len(text) >= 2 and text.endswith('"') and '"' not in inner and "\\" not in inner \
                and inner.isprintable():
            return inner
        return _NO_VALUE
    if text == "null":
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    if text == "[]":
        return []
    if text == "{}":
        return {}
    if _ISO_DATE_RE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return _NO_VALUE
    if not text.isprintable() or text[0] in _PLAIN_NEVER_FIRST or text[-1] in " :" or ": " in text \
            or " #" in text or "\t" in text:
        return _NO_VALUE
    if (len(text) <= 5 and text.lower() in _SPECIAL_WORDS) or (text[0] in _NUMBER_FIRST and needs_quotes(text)):
        return _NO_VALUE
    return text


# What a line is to ``_load_simple`` (``_line_kind``): a comment, a list item (its indent, its value), an entry of
# a mapping under a key (its indent, name, value), a top-level key (its name, its value, or _OPENS when its
# list or mapping follows), or anything else (_NOT_SIMPLE: the full reader decides).
_COMMENT = ("#",)
_NOT_SIMPLE = ("?",)
_OPENS = object()
_LONGEST_CACHED_LINE = 200


@functools.lru_cache(maxsize=2048)
def _cached_line_kind(line: str) -> tuple:
    return _line_kind(line)


def _line_kind(line: str) -> tuple:
    """What one non-empty line is, in the forms ``dump`` writes (see ``_load_simple``). The same lines come
    back record after record (``tags: []``, ``type: preprint``, an author's name): they are looked at once
    (``_cached_line_kind``). A value is never a list or a mapping but for ``[]`` and ``{}`` of a top-level key."""
    if line.lstrip(" ")[:1] == "#":
        # another line break (\u2028), a control character: libyaml's to judge
        return _COMMENT if line.isprintable() else _NOT_SIMPLE
    if line[0] == " " or line[0] == "-":
        item = _ITEM_RE.fullmatch(line)
        if item is not None:
            value = _simple_scalar(item.group(2))
            if value is _NO_VALUE or isinstance(value, (list, dict)):
                return _NOT_SIMPLE
            return "-", item.group(1), value
        entry = _ENTRY_RE.fullmatch(line)
        if entry is None or needs_quotes(entry.group(2)):
            return _NOT_SIMPLE
        value = _simple_scalar(entry.group(3))
        if value is _NO_VALUE or isinstance(value, (list, dict)):
            return _NOT_SIMPLE
        return ":", entry.group(1), entry.group(2), value
    match = _KEY_RE.fullmatch(line)
    if match is None or match.group(1) in _SPECIAL_WORDS:
        return _NOT_SIMPLE
    if match.group(2) is None:
        return "k", match.group(1), _OPENS
    value = _simple_scalar(match.group(2))
    if value is _NO_VALUE:
        return _NOT_SIMPLE
    return "k", match.group(1), value


def _load_simple(text: str) -> Any:
    """A mapping in the block style ``dump`` writes (one-line scalars, lists and mappings of them, and whole
    lines of comment, as in a site.yaml) read without libyaml, several times faster; _NO_VALUE whenever
    anything else appears, so that the full YAML reader decides (a property test holds the two to the same
    result)."""
    data: dict[str, Any] = {}
    open_key: str | None = None  # a key written as "key:" whose list or mapping follows
    container: Any = None
    indent = ""
    for line in text.split("\n"):
        if not line:
            continue
        kind = _cached_line_kind(line) if len(line) <= _LONGEST_CACHED_LINE else _line_kind(line)
        what = kind[0]
        if what == "k":
            if open_key is not None:
                if container is None:
                    return _NO_VALUE  # "key:" with nothing under it: null, left to libyaml
                data[open_key] = container
                open_key, container = None, None
            _what, name, value = kind
            if name in data:
                return _NO_VALUE
            if value is _OPENS:
                open_key = name
                continue
            if type(value) is list or type(value) is dict:  # [] or {}: each record its own
                value = type(value)()
            data[name] = value
        elif what == "-":
            if open_key is None:
                return _NO_VALUE
            if container is None:
                container, indent = [], kind[1]
            elif type(container) is not list or kind[1] != indent:
                return _NO_VALUE  # a deeper line continues the item before it: libyaml's business
            container.append(kind[2])
        elif what == ":":
            _what, entry_indent, name, value = kind
            if open_key is None:
                return _NO_VALUE
            if container is None:
                container, indent = {}, entry_indent
            elif type(container) is not dict or entry_indent != indent or name in container:
                return _NO_VALUE
            container[name] = value
        elif kind is _NOT_SIMPLE:
            return _NO_VALUE
    if open_key is not None:
        if container is None:
            return _NO_VALUE
        data[open_key] = container
    return data if data else _NO_VALUE  # an empty document is None to libyaml


MAX_ALIAS_EXPANSION = 10_000  # values aliases may add beyond those written; far more than any record needs


def _check_aliases(node: Any) -> None:
    """ParseError when aliases make ``node`` refer to itself (a value holding itself never ends) or expand it
    far beyond what is written (a few bytes of ``&a [*a, *a]`` repeated grow into millions of values).
    Linear in the number of nodes written: each is counted once, its size remembered."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        if done:
            on_path.discard(key)
            children = _children(current)
            size[key] = 1 + sum(size[id(c)] for c in children)
            continue
        if key in size:
            continue
        if key in on_path:
            raise ParseError(current.start_mark.line + 1,
                            "invalid YAML: this value holds itself through an alias (&name ... *name)")
        on_path.add(key)
        stack.append((current, True))
        for child in _children(current):
            if id(child) in on_path:
                raise ParseError(child.start_mark.line + 1,
                                "invalid YAML: this value holds itself through an alias (&name ... *name)")
            if id(child) not in size:
                stack.append((child, False))
    total = size[id(node)]
    if total > len(size) + MAX_ALIAS_EXPANSION:
        raise ParseError(node.start_mark.line + 1, f"invalid YAML: aliases (*name) expand {len(size)} values "
                        f"into {total}; write the values out instead")


def _children(node: Any) -> list[Any]:
    yaml = _pyyaml().yaml
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _load_full(text: str) -> Any:
    pyyaml = _pyyaml()
    if "*" not in text:  # no alias: nothing to expand
        return pyyaml.yaml.load(text, Loader=pyyaml.Loader)
    loader = pyyaml.Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load(text: str) -> Any:
    fast = _load_simple(text)
    if fast is not _NO_VALUE:
        return fast
    yaml = _pyyaml().yaml
    try:
        return _load_full(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise ParseError(line, f"invalid YAML: {what}") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise ParseError(None, f"invalid YAML: {exc}") from None


def key_lines(text: str) -> dict[str, int]:
    """1-based line of each top-level key of a YAML mapping (for error messages)."""
    if _load_simple(text) is not _NO_VALUE:  # the form dump writes: each top-level key starts its line
        return {match.group(1): number for number, line in enumerate(text.split("\n"), start=1)
                if (match := _KEY_RE.fullmatch(line)) is not None}
    pyyaml = _pyyaml()
    yaml = pyyaml.yaml
    try:
        node = yaml.compose(text, Loader=pyyaml.BaseLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _v in node.value}
