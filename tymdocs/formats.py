"""The forms ``tymdocs.yaml`` has been written in, and its rewrite into the current one.

Pure text in, text out: the rewrite changes only the lines it must (the ``format:``
declaration, and the oldest ``change_rules`` shape), found by the YAML nodes' positions, and
keeps every other byte, comment and blank line. :func:`canonical_config` is the text a
version's fingerprint hashes, the same for a file and its upgrade, so the documents built from
either are identical.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import yaml

from tymdocs.config import (
    CURRENT_FORMAT,
    AnnexRoles,
    RolesOf,
    is_old_shape,
    read_format,
    read_metadata,
    read_policy,
)
from tymdocs.errors import Problem, RefusedError, SourceError, TymdocsError, has_errors
from tymdocs.model import ChangeRule, Metadata, Policy
from tymdocs.paths import CONFIG_FILE
from tymdocs.yamlsrc import Node, Unparsed, compose, load_yaml

FORMAT_COMMENT = "# the form of this file; 'tymdocs upgrade' rewrites an older one"
"""Written beside the ``format:`` declaration the upgrade adds."""
_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029])?")
"""One line with its break, as YAML counts lines."""
_BOM = "\ufeff"
_BREAKS = ("\r\n", "\r", "\n", "\x85", "\u2028", "\u2029")


@dataclass(frozen=True)
class _Edit:
    """Lines ``start`` to ``end`` (0-based, end excluded) replaced by ``lines``."""

    start: int
    end: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """What a ``tymdocs.yaml`` text says of its form and its rules."""

    format: int | None
    policy: Policy | None
    meta: Metadata | None
    problems: tuple[Problem, ...]


def read_rules(text: str, roles: AnnexRoles) -> Reading:
    """The format, the policy and the whole metadata of a ``tymdocs.yaml`` text."""
    problems: list[Problem] = []
    source = load_yaml(text.removeprefix(_BOM), CONFIG_FILE, problems)
    if source is None:
        return Reading(None, None, None, tuple(problems))
    found: list[Problem] = []  # read_metadata reports the format's problem with the others
    form = read_format(Node.root(source, found))
    if form is None:
        return Reading(None, None, None, (*problems, *found))
    meta = read_metadata(source, problems, lambda: roles)
    policy = meta.policy if meta is not None else None
    if policy is None and isinstance(source.data, dict) and "change_rules" in source.data:
        # the rules alone, where another part of the file does not read
        node = Node(source, ("change_rules",), source.data["change_rules"], [])
        policy = read_policy(node, form, lambda: roles, _appointed_by(source.data))
    return Reading(form, policy, meta, tuple(problems))


def upgrade_config(text: str, roles: AnnexRoles) -> str:
    """``tymdocs.yaml``'s ``text`` in the current format; ``text`` itself when it is in it.

    ``roles`` are the tree's composition and appointment annexes: the oldest
    ``change_rules`` gives their rules apart. The result is read back, and refused unless it
    reads as the current format with the same rules (:class:`RefusedError`); a file that does
    not parse, or declares a format this version does not know, is a :class:`SourceError`.
    """
    bom, body = _split_bom(text)
    problems: list[Problem] = []
    try:
        root = compose(body, CONFIG_FILE, problems)
    except Unparsed:
        raise SourceError(tuple(problems)) from None
    before = read_rules(body, roles)
    errors = tuple(p for p in before.problems if has_errors([p]))
    if before.format is None:
        raise SourceError(errors)
    if before.format == CURRENT_FORMAT:
        return text
    if errors:  # what an erroneous file means is not known: nothing to keep the same
        raise SourceError(errors)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise RefusedError(f"{CONFIG_FILE} is not a block mapping of keys: upgrade it by hand")
    lines = _lines(body)
    edits = [*_change_rules_edits(root, lines, before, roles), _declare(root, lines)]
    result = bom + _apply(lines, edits)
    after = read_rules(result.removeprefix(_BOM), roles)
    same = after.policy == before.policy and after.meta == before.meta
    if after.format != CURRENT_FORMAT or not same or after.policy is None:
        raise RefusedError(
            f"the rewritten {CONFIG_FILE} would not read as format {CURRENT_FORMAT} with the "
            "same rules: nothing changed; upgrade it by hand (see README)"
        )
    return result


def canonical_config(text: str, roles: RolesOf) -> str:
    """The text that identifies ``tymdocs.yaml``: as :func:`upgrade_config` writes it, without
    the ``format:`` declaration. A file in today's form without that line is its own
    canonical text (so a version's fingerprint from before formats is unchanged), and a file
    and its upgrade have the same one. ``roles`` are asked for only by the oldest shape.
    Never fails: what cannot be read is taken as written."""
    bom, body = _split_bom(text)
    try:
        root = compose(body, CONFIG_FILE, [])
    except Unparsed:
        return text
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return text
    lines = _lines(body)
    edits: list[_Edit] = []
    if needs_annex_roles(body):
        known = roles()
        try:
            edits += _change_rules_edits(root, lines, read_rules(body, known), known)
        except TymdocsError:
            return text
    declared = _entry(root, "format")
    span = _alone(*declared, lines) if declared is not None else None
    if span is not None:
        edits.append(_Edit(span[0], span[1] + 1, ()))
    return bom + _apply(lines, edits)


def needs_annex_roles(text: str) -> bool:
    """Whether ``text`` reads its ``change_rules`` in the oldest shape, whose meaning depends
    on the tree's composition and appointment annexes; cheap for any other text."""
    if "composition" not in text:
        return False
    source = load_yaml(text.removeprefix(_BOM), CONFIG_FILE, [])
    data = source.data if source is not None else None
    return (
        isinstance(data, dict)
        and data.get("format", 1) == 1
        and is_old_shape(data.get("change_rules"))
    )


def _appointed_by(data: object) -> str | None:
    """``steering_group.appointed_by`` as written, for the oldest shape's appointment rule."""
    group = data.get("steering_group") if isinstance(data, dict) else None
    party = group.get("appointed_by") if isinstance(group, dict) else None
    return party if isinstance(party, str) else None


# -- lines ------------------------------------------------------------------------------------


def _entry(root: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The key and value nodes of the top-level entry ``name``, if the file has one."""
    return next(
        ((k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == name),
        None,
    )


def _split_bom(text: str) -> tuple[str, str]:
    return (_BOM, text[1:]) if text.startswith(_BOM) else ("", text)


def _lines(text: str) -> list[str]:
    """``text``'s lines with their breaks, split where YAML counts a line."""
    return [line for line in _LINE.findall(text) if line]


def _break(line: str) -> str:
    """The line break ``line`` ends with, for the lines written beside it ('\\n' after the
    last line, which has none)."""
    return next((end for end in _BREAKS if line.endswith(end)), "\n")


def _apply(lines: list[str], edits: list[_Edit]) -> str:
    result = list(lines)
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        result[edit.start : edit.end] = list(edit.lines)
    return "".join(result)


def _rest(line: str, column: int) -> str:
    """What follows a value on its line: its comment, or '' (a flow's ',' and '}' dropped)."""
    rest = line[column:].strip().lstrip(",}] \t")
    return rest if rest.startswith("#") else ""


def _alone(key: yaml.Node, value: yaml.Node, lines: list[str]) -> tuple[int, int] | None:
    """The lines (first, last) a block entry fills, when nothing but it and a comment is on
    them; None for an entry that shares a line."""
    first, last = key.start_mark.line, value.end_mark.line
    if value.end_mark.column == 0 and last > first:
        last -= 1  # a block scalar ends at the start of the next line
    if lines[first][: key.start_mark.column].strip():
        return None
    tail = lines[last][value.end_mark.column :].strip() if value.end_mark.line == last else ""
    if tail and not tail.startswith("#"):
        return None
    return first, last


# -- the rewrite --------------------------------------------------------------------------------


def _declare(root: yaml.MappingNode, lines: list[str]) -> _Edit:
    """``format:`` made the current one: its value replaced where a file declares an older
    one, else a first key after the file's leading comment block."""
    declared = _entry(root, "format")
    if declared is not None:
        value = declared[1]
        line = lines[value.start_mark.line]
        if value.start_mark.line != value.end_mark.line:
            raise RefusedError(f"{CONFIG_FILE}: 'format:' spans lines: upgrade it by hand")
        start, end = value.start_mark.column, value.end_mark.column
        changed = line[:start] + str(CURRENT_FORMAT) + line[end:]
        return _Edit(value.start_mark.line, value.start_mark.line + 1, (changed,))
    first = root.value[0][0] if root.value else None
    at = first.start_mark.line if first is not None else len(lines)
    column = first.start_mark.column if first is not None else 0
    start = 0
    for index in range(at):  # a directive or '---' ends the part before the document
        if lines[index].startswith(("%", "---")):
            start = index + 1
    while start < at and lines[start].lstrip().startswith("#"):
        start += 1
    beside = lines[start] if start < len(lines) else ""
    text = f"{' ' * column}format: {CURRENT_FORMAT}  {FORMAT_COMMENT}{_break(beside)}"
    return _Edit(start, start, (text,))


def _change_rules_edits(
    root: yaml.MappingNode, lines: list[str], reading: Reading, roles: AnnexRoles
) -> list[_Edit]:
    """The oldest ``change_rules`` shape rewritten as the mapping of today, each old line's
    comment kept on the line that replaces it; no edit for any other shape."""
    entry = _entry(root, "change_rules")
    if entry is None:
        return []
    key, rules = entry
    if not isinstance(rules, yaml.MappingNode):
        return []
    values: dict[str, tuple[yaml.Node, yaml.Node]] = {
        str(k.value): (k, v) for k, v in rules.value if isinstance(k, yaml.ScalarNode)
    }
    shape = {
        name: v.value
        for name, (_, v) in values.items()
        if isinstance(v, yaml.ScalarNode) and v.tag == "tag:yaml.org,2002:str"
    }
    if not is_old_shape(shape):
        return []
    policy = reading.policy
    if policy is None:
        problems = tuple(p for p in reading.problems if p.severity == "error")
        raise (
            SourceError(problems)
            if problems
            else RefusedError(f"{CONFIG_FILE}: change_rules does not read: upgrade it by hand")
        )
    newline = _break(lines[key.start_mark.line])
    numbered = _Numbered(policy, roles, newline)
    if rules.flow_style:
        edits = [_flow_rules(key, rules, lines, policy, numbered)]
    else:
        edits = _block_rules(values, key.start_mark.column, lines, policy, numbered)
    for edit in edits:
        kept = Counter(c for line in edit.lines if (c := _comment(line)))
        lost = Counter(c for line in lines[edit.start : edit.end] if (c := _comment(line))) - kept
        if lost:
            raise RefusedError(
                f"{CONFIG_FILE}: change_rules has a comment the rewrite cannot place "
                f"({next(iter(lost))}): upgrade it by hand"
            )
    return edits


def _comment(line: str) -> str:
    """The comment a line ends with ('' for none): a '#' at its start or after a blank,
    outside quotes."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and (index == 0 or line[index - 1] in " \t{[,:"):
            quote = char  # a quoted scalar starts; a quote inside a plain one does not
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[index:].rstrip("\r\n")
    return ""


def _flow(rule: ChangeRule) -> str:
    """A rule as today's flow mapping: ``{record: decision, body: Johtoryhmä}``."""
    fields: dict[str, str] = {"record": rule.record}
    if rule.body is not None:
        fields["body"] = rule.body
    if rule.party is not None:
        fields["party"] = rule.party
    if rule.yearly_review:
        fields["review"] = "yearly"
    text = yaml.safe_dump(
        fields, default_flow_style=True, allow_unicode=True, sort_keys=False, width=math.inf
    )
    return text.strip()


def _with(text: str, comment: str, newline: str) -> str:
    return f"{text}  {comment}{newline}" if comment else f"{text}{newline}"


APPOINTMENT_COMMENT = "# the appointing body (§ 4)"
"""Beside the appointment annex's rule, which the oldest shape left unsaid."""


@dataclass(frozen=True)
class _Numbered:
    """The lines of the annexes the oldest shape gives a rule of their own."""

    policy: Policy
    roles: AnnexRoles
    newline: str

    def _lines(self, numbers: set[int], indent: str, comment: str) -> list[str]:
        return [
            _with(f"{indent}{number}: {_flow(rule)}", comment, self.newline)
            for number, rule in self.policy.annexes
            if number in numbers
        ]

    def appointments(self, indent: str) -> list[str]:
        numbers = {number for number, _ in self.roles.appointments}
        return self._lines(numbers, indent, APPOINTMENT_COMMENT)

    def compositions(self, indent: str, comment: str) -> list[str]:
        """Their lines; only the comment, when their rule is the default's."""
        lines = self._lines(set(self.roles.compositions), indent, comment)
        return lines or ([f"{indent}{comment}{self.newline}"] if comment else [])


def _block_rules(
    values: dict[str, tuple[yaml.Node, yaml.Node]],
    parent: int,
    lines: list[str],
    policy: Policy,
    numbered: _Numbered,
) -> list[_Edit]:
    """``annexes: R`` and ``composition: R`` as block lines become ``annexes:`` with its
    ``default:`` and the composition annexes' lines, where the composition line was when it
    follows ``annexes:`` (else right after ``default:``); ``main_text:`` stays as it is."""
    spans: dict[str, tuple[int, int, str]] = {}
    for name in ("annexes", "composition"):
        key, value = values[name]
        span = _alone(key, value, lines)
        if span is None or not isinstance(value, yaml.ScalarNode):
            raise RefusedError(
                f"{CONFIG_FILE}: change_rules.{name} shares a line: upgrade it by hand"
            )
        comment = _rest(lines[span[1]], value.end_mark.column)
        spans[name] = (*span, comment)
    column = values["annexes"][0].start_mark.column
    indent, inner = " " * column, " " * (column + max(column - parent, 2))
    first, last, comment = spans["annexes"]
    newline = numbered.newline
    replaced = [
        f"{indent}annexes:{newline}",
        _with(f"{inner}default: {_flow(policy.default)}", comment, newline),
        *numbered.appointments(inner),
    ]
    start, end, composition_comment = spans["composition"]
    compositions = numbered.compositions(inner, composition_comment)
    between = lines[last + 1 : start]
    follows = start > last and all(not x.strip() or x.lstrip().startswith("#") for x in between)
    if follows:
        return [
            _Edit(first, last + 1, tuple(replaced)),
            _Edit(start, end + 1, tuple(compositions)),
        ]
    return [_Edit(first, last + 1, (*replaced, *compositions)), _Edit(start, end + 1, ())]


def _flow_rules(
    key: yaml.Node, rules: yaml.MappingNode, lines: list[str], policy: Policy, numbered: _Numbered
) -> _Edit:
    """``change_rules: {main_text: …, annexes: …, composition: …}`` as a block; a comment
    after the '}' stays on the ``change_rules:`` line, one after an entry on that entry's."""
    span = _alone(key, rules, lines)
    if span is None:
        raise RefusedError(f"{CONFIG_FILE}: change_rules shares a line: upgrade it by hand")
    first, last = span
    comments: dict[str, str] = {}
    ends: dict[int, str] = {}
    for entry_key, value in rules.value:
        ends[value.end_mark.line] = str(entry_key.value)
    outer = _rest(lines[last], rules.end_mark.column)
    if first != last and last in ends:  # '}' closes the last entry's line: its comment
        comments[ends[last]], outer = outer, ""
    for line_number, name in ends.items():
        if line_number != last:
            column = max(
                v.end_mark.column for _, v in rules.value if v.end_mark.line == line_number
            )
            comments[name] = _rest(lines[line_number], column)
    column = key.start_mark.column
    indent, inner, deepest = " " * column, " " * (column + 2), " " * (column + 4)
    newline = numbered.newline
    replaced = [
        _with(f"{indent}change_rules:", outer, newline),
        _with(
            f"{inner}main_text: {policy.main_text.record}", comments.get("main_text", ""), newline
        ),
        f"{inner}annexes:{newline}",
        _with(f"{deepest}default: {_flow(policy.default)}", comments.get("annexes", ""), newline),
        *numbered.appointments(deepest),
        *numbered.compositions(deepest, comments.get("composition", "")),
    ]
    return _Edit(first, last + 1, tuple(replaced))
