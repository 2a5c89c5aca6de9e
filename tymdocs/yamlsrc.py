"""YAML read with line numbers, and a typed reader that collects every problem it meets.

PyYAML's composer gives nodes with positions; values are built here so that numbers become
``Decimal`` (htv figures add up exactly), dates are checked, duplicate keys are errors, and
every value can say which line it came from.

Where PyYAML has libyaml, its C parser reads the text under PyYAML's Python composer with the
refusals below: the seed's five files compose in 1.2 ms instead of 11 ms. libyaml's own
composer (0.6 ms) could not refuse an alias where it is met, nor bound nesting before C
recursion does. Both parsers give the same nodes and marks, except that libyaml's plain
scalars have the style '' and its indentless sequences the flow_style False where PyYAML's
have None (read alike as false). Whatever libyaml does not compose (a syntax error, a
refusal, a character it cannot encode) is read again by the pure-Python parser, whose
messages are reported as before: libyaml words its own differently. So is a text with what
the two read differently, found by comparing them on 230,000 mutated sources: tabs, '?' and
'!' anywhere, a directive, a byte order mark, an empty value in a flow collection, a comment
right after a block scalar's indicator, no final newline.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from tymdocs.characters import forbidden, replace_forbidden, unprintable, unprintable_message
from tymdocs.errors import Problem, Severity

Path = tuple[str | int, ...]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DIGITS = re.compile(r"^[+-]?\d+$")
_LARGEST = 10**9
"""Numbers in sources are smaller: beyond, a value is a typo (or an attack on the arithmetic)."""
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NUMBER_CHARS = 40
"""A number in a source is written shorter; longer ones are refused before they are built."""
_EXCERPT = 60
_COMMA = "a decimal comma"
"""The reason of an :class:`_Invalid` that a flow mapping split at a decimal comma."""


@dataclass(frozen=True)
class _Invalid:
    """A scalar YAML could resolve but not construct, such as the date 2025-02-30."""

    raw: str
    reason: str


@dataclass
class YamlSource:
    """A parsed YAML file: its data and the line of every value in it."""

    path: str
    data: Any
    lines: dict[Path, int]
    key_lines: dict[Path, int]


MAX_DEPTH = 50
"""How deep collections may nest; the schemas need five levels, and the composer recurses."""


class _Refused(yaml.YAMLError):
    """YAML that parses but that sources may not use: aliases, or nesting past MAX_DEPTH."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Composer(yaml.composer.Composer, yaml.resolver.Resolver):
    """PyYAML's composer without aliases and with bounded nesting, over either parser.

    An alias is refused where it is met, before anything is built from it: expanding
    ``&a [*b, *b, ...]`` chains ("billion laughs") would take exponential time and memory, and
    a recursive alias has no finite value. Sources have no use for either.
    """

    _depth = 0

    def _mark(self) -> yaml.Mark:
        return self.peek_event().start_mark  # type: ignore[attr-defined,no-any-return]

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            raise _Refused(
                "YAML aliases (*name) are not allowed in sources; write the value out in full",
                self._mark(),
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(f"YAML nested deeper than {MAX_DEPTH} levels", self._mark())
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(_Composer, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """The pure-Python parser: its messages are the ones reported."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)


LIBYAML: bool = yaml.__with_libyaml__
"""Whether texts are parsed by libyaml first; tests turn it off to run the pure parser alone."""
_LIBYAML_DIFFERS = re.compile(r"[\t\ufeff?!]|^%|:\s*[,\]}]|[|>][-+0-9]*#", re.MULTILINE)
"""Where libyaml and PyYAML read a text differently, or may: such a text is read by PyYAML."""

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CLoader(_Composer, CParser):
        """libyaml's parser under the composer above."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)


class Unparsed(Exception):
    """``text`` is not YAML that sources may use; the problem says where and why."""


def compose(text: str, path: str, problems: list[Problem]) -> yaml.Node | None:
    """``text``'s node tree, with each node's position (None for an empty file); on a syntax
    error, a problem at its line is recorded and :class:`Unparsed` raised. The tree is
    shared with the next caller of the same text (a build reads ``tymdocs.yaml`` for its
    rules and again for its fingerprint): nothing may change it."""
    composed = _composed(text)
    if isinstance(composed, tuple):
        problems.append(Problem(path, *composed))
        raise Unparsed
    return composed


@functools.lru_cache(maxsize=8)
def _composed(text: str) -> yaml.Node | tuple[int | None, str] | None:
    """The node tree of ``text``, or the line and message of why it is none."""
    if LIBYAML and text.endswith("\n") and not _LIBYAML_DIFFERS.search(text):
        try:
            return _CLoader(text).get_single_node()
        except (yaml.YAMLError, UnicodeEncodeError):
            pass  # read again below, for the pure parser's message
    try:
        return _Loader(text).get_single_node()
    except _Refused as exc:
        return (exc.mark.line + 1, exc.message)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = str(getattr(exc, "problem", None) or exc)
        context = getattr(exc, "context_mark", None)
        if context is not None and mark is not None and context.line != mark.line:
            reason += f" ({getattr(exc, 'context', 'started')} at line {context.line + 1})"
        return (line, f"YAML syntax error: {reason}")


def load_yaml(text: str, path: str, problems: list[Problem]) -> YamlSource | None:
    """Parse ``text``; on a syntax error record a problem at its line and return None."""
    try:
        root = compose(text, path, problems)
    except Unparsed:
        return None
    lines: dict[Path, int] = {}
    key_lines: dict[Path, int] = {}
    if root is None:
        return YamlSource(path, None, {(): 1}, {})
    data = _build(root, (), text, lines, key_lines, path, problems)
    return YamlSource(path, data, lines, key_lines)


def _build(
    node: yaml.Node,
    at: Path,
    text: str,
    lines: dict[Path, int],
    key_lines: dict[Path, int],
    path: str,
    problems: list[Problem],
) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        line += 1  # a block scalar's text starts on the line after its indicator
    lines[at] = line
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        previous: tuple[Any, yaml.Node] | None = None
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(path, key_node.start_mark.line + 1, "a key must be plain"))
                continue
            if previous is not None and _split_at_comma(text, previous[1], key_node, value_node):
                # {htv: 0,5} is {htv: 0, 5: null} to YAML: keep what was written, for the message
                result[previous[0]] = _Invalid(f"{previous[1].value},{key_node.value}", _COMMA)
                previous = None
                continue
            key = _checked(text, key_node, _scalar(key_node), path, problems)
            if key in result:
                problems.append(
                    Problem(path, key_node.start_mark.line + 1, f"duplicate key '{key}'")
                )
                continue
            key_lines[(*at, key)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, (*at, key), text, lines, key_lines, path, problems)
            previous = (key, value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*at, index), text, lines, key_lines, path, problems)
            for index, item in enumerate(node.value)
        ]
    return _checked(text, node, _scalar(node), path, problems, printed=True)


def _checked(
    text: str,
    node: yaml.Node,
    value: Any,
    path: str,
    problems: list[Problem],
    printed: bool = False,
) -> Any:
    """``value``, its bad characters reported and replaced by U+FFFD: no source may hold them,
    and one written as an escape (``"\\u0007"``) is not seen by the check of the file's lines.
    A ``printed`` value (not a key) is also checked for characters the PDF's fonts lack.
    ``node``'s marks index ``text`` (libyaml's hold no copy of it)."""
    if not isinstance(value, str):
        return value
    start, end = node.start_mark.index, node.end_mark.index
    for char in unprintable(value) if printed else ():
        found = text.find(char, start, end)  # the line it is written on; an escape's is start's
        line = node.start_mark.line + 1 + (text.count("\n", start, found) if found >= 0 else 0)
        problems.append(Problem(path, line, unprintable_message(char)))
    bad = forbidden(value, value=True)
    if bad is not None:
        if forbidden(text[start:end]) is None:  # a raw character is reported with its file's line
            problems.append(Problem(path, node.start_mark.line + 1, bad))
        return replace_forbidden(value)
    return value


def _split_at_comma(
    text: str, value: yaml.Node, key: yaml.ScalarNode, next_value: yaml.Node
) -> bool:
    """Whether a flow mapping's entry ``value`` and the next key, with nothing but a comma
    between them, are one number written with a decimal comma (``htv: 0,5``). A plain
    scalar's style is None from the pure parser and '' from libyaml."""
    return (
        isinstance(value, yaml.ScalarNode)
        and not value.style
        and bool(_DIGITS.match(value.value))
        and not key.style
        and key.value.isascii()
        and key.value.isdigit()
        and isinstance(next_value, yaml.ScalarNode)
        and next_value.tag == "tag:yaml.org,2002:null"
        and next_value.value == ""
        and key.start_mark.index == value.end_mark.index + 1
        and text[value.end_mark.index] == ","
    )


_CONSTRUCTOR = yaml.SafeLoader.__new__(yaml.SafeLoader)
yaml.constructor.SafeConstructor.__init__(_CONSTRUCTOR)


def _excerpt(value: Any) -> str:
    """``value`` for a message, cut short: a value may be a megabyte of text. Numbers are
    short already, their source text held to _NUMBER_CHARS."""
    number = isinstance(value, int | Decimal) and not isinstance(value, bool)
    text = str(value) if number else repr(value)
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _scalar(node: yaml.Node) -> Any:
    if node.tag in (_INT, _FLOAT) and len(node.value) > _NUMBER_CHARS:
        # int("1:59:59:...") costs time quadratic in its length, and str() of a long int fails
        return _Invalid(node.value[:_NUMBER_CHARS] + "…", "too long for a number")
    if node.tag == _FLOAT:
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return _Invalid(node.value, "not a number")
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        return _Invalid(node.value, str(exc).split("\n")[0])
    finally:  # a scalar has nothing to share: keep no node (nodes are shared, see compose)
        _CONSTRUCTOR.constructed_objects.clear()
        _CONSTRUCTOR.recursive_objects.clear()


class Node:
    """One value of a YAML source, read against what the schema expects there."""

    def __init__(self, source: YamlSource, at: Path, value: Any, problems: list[Problem]) -> None:
        self.source = source
        self.at = at
        self.value = value
        self.problems = problems

    @classmethod
    def root(cls, source: YamlSource, problems: list[Problem]) -> Node:
        return cls(source, (), source.data, problems)

    @property
    def line(self) -> int | None:
        at = self.at
        while at not in self.source.lines and at:
            at = at[:-1]
        return self.source.lines.get(at)

    @property
    def name(self) -> str:
        """The dotted key path, for messages: ``parties[1].signatories``."""
        text = ""
        for part in self.at:
            text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
        return text or "the file"

    def problem(self, message: str, severity: Severity = "error", at_key: bool = False) -> None:
        line = self.source.key_lines.get(self.at) if at_key else None
        self.problems.append(Problem(self.source.path, line or self.line, message, severity))

    def _expected(self, what: str, number: bool = False, whole: bool = False) -> None:
        """Report that the value is not ``what``; a decimal comma is explained with its fix."""
        if self._decimal_comma(number, whole):
            return
        shown = self.value.raw if isinstance(self.value, _Invalid) else self.value
        reason = f" ({self.value.reason})" if isinstance(self.value, _Invalid) else ""
        self.problem(f"{self.name}: expected {what}, got {_excerpt(shown)}{reason}")

    def _decimal_comma(self, number: bool, whole: bool) -> bool:
        """Report a Finnish decimal comma with the fix, if that is what the value holds: YAML
        reads ``htv: 0,5`` as the text '0,5', and ``{htv: 0,5}`` as two entries."""
        value = self.value
        split = isinstance(value, _Invalid) and value.reason == _COMMA
        raw = value.raw if isinstance(value, _Invalid) else value
        if not isinstance(raw, str) or not _DECIMAL_COMMA.match(raw.strip()):
            return False
        if not split and not number:
            return False
        integer, _, fraction = raw.strip().partition(",")
        key = f"{self.at[-1]}: " if self.at and isinstance(self.at[-1], str) else ""
        if not whole:
            fix = f"; YAML needs a point: {key}{integer}.{fraction}"
        elif not fraction.strip("0"):
            fix = f"; a whole number needs none: {key}{integer}"
        else:
            fix = ", but a whole number is expected here"
        self.problem(f"{self.name}: {raw.strip()} uses a decimal comma{fix}")
        return True

    def mapping(
        self, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
    ) -> dict[str, Node] | None:
        """The mapping's entries; unknown and missing keys are reported, then left out."""
        if not isinstance(self.value, dict):
            self._expected("a mapping")
            return None
        entries: dict[str, Node] = {}
        for key, value in self.value.items():
            child = Node(self.source, (*self.at, key), value, self.problems)
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                child.problem(
                    f"unknown key '{key}' in {self.name} (allowed: {allowed})", at_key=True
                )
                continue
            entries[str(key)] = child
        for key in required:
            if key not in entries and key not in self.value:
                self.problem(f"missing key '{key}' in {self.name}")
        return entries

    def items(self) -> Iterator[Node]:
        """The entries of a sequence (an empty or missing one gives none)."""
        if self.value is None:
            return
        if not isinstance(self.value, list):
            self._expected("a list")
            return
        for index, value in enumerate(self.value):
            yield Node(self.source, (*self.at, index), value, self.problems)

    def pairs(self) -> Iterator[tuple[Any, Node]]:
        """The key/value entries of a mapping with free keys (years, for example)."""
        if self.value is None:
            return
        if not isinstance(self.value, dict):
            self._expected("a mapping")
            return
        for key, value in self.value.items():
            yield key, Node(self.source, (*self.at, key), value, self.problems)

    def text(self, allow_empty: bool = False) -> str | None:
        if isinstance(self.value, str) and (allow_empty or self.value.strip()):
            return self.value
        self._expected("text")
        return None

    def optional_text(self) -> str | None:
        return None if self.value is None else self.text()

    def integer(self) -> int | None:
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            if abs(self.value) >= _LARGEST:
                self.problem(f"{self.name}: {_excerpt(self.value)} is out of range")
                return None
            return self.value
        self._expected("a whole number", number=True, whole=True)
        return None

    def boolean(self) -> bool | None:
        if isinstance(self.value, bool):
            return self.value
        self._expected("true or false")
        return None

    def decimal(self) -> Decimal | None:
        value = self.value
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if isinstance(value, Decimal) and value.is_finite():
            exponent = value.as_tuple().exponent
            if abs(value) >= _LARGEST or (isinstance(exponent, int) and exponent < -9):
                self.problem(f"{self.name}: {_excerpt(value)} is out of range")
                return None
            return value
        self._expected("a number such as 0.75", number=True)
        return None

    def date(self) -> dt.date | None:
        value = self.value
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, _Invalid) and _ISO_DATE.match(value.raw):
            self.problem(f"{self.name}: invalid date {value.raw!r} ({value.reason})")
            return None
        self._expected("a date as YYYY-MM-DD")
        return None

    def optional_date(self) -> dt.date | None:
        return None if self.value is None else self.date()

    def choice(self, allowed: tuple[str, ...]) -> str | None:
        if isinstance(self.value, str) and self.value in allowed:
            return self.value
        self._expected("one of " + ", ".join(allowed))
        return None
