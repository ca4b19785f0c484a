"""YAML read and written for people: block style, unicode as is, risky strings quoted.

PyYAML reads YAML 1.1, where ``yes``, ``no``, ``on``, ``~`` and ``2024-01-05``
are not strings, and other tools read YAML 1.2, where ``1e3`` is a number.
Whatever either would misread is written in double quotes, so a value written
here reads back as the same string everywhere.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

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
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`="


def needs_quotes(text: str) -> bool:
    """True when a plain (unquoted) YAML scalar would not read back as this string."""
    if text == "" or text != text.strip():
        return True
    if text.lower() in _SPECIAL_WORDS or _DATE_RE.fullmatch(text):
        return True
    if any(ch.isdigit() for ch in text) and _NUMBER_RE.fullmatch(text):
        return True
    if text[0] in _INDICATORS:
        return True
    if ": " in text or " #" in text or text.endswith(":"):
        return True
    return any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029\ufeff" for ch in text)


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them.
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if needs_quotes(text) or "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_date(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dt.date, _represent_date)


def dump(data: dict[str, Any]) -> str:
    """YAML text for a mapping, keys in the given order."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100_000,
    )


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: 6x faster


class Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loading; a duplicate key is an error rather than a silent overwrite."""


def _construct_mapping(loader: Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
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


def _construct_timestamp(loader: Loader, node: yaml.ScalarNode) -> Any:
    """A date, or the text as written when it is no real date (2024-13-45)."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class YamlError(Exception):
    """Bad YAML: ``line`` is 1-based within the parsed text."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlError(line, f"invalid YAML: {what}") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise YamlError(None, f"invalid YAML: {exc}") from None


def key_lines(text: str) -> dict[str, int]:
    """1-based line of each top-level key of a YAML mapping (for error messages)."""
    try:
        node = yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _v in node.value}
