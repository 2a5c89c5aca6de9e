"""Report -> Markdown: the summary and the changed parts, for terminals and merge-request
comments.

Insertions and deletions are GitLab's inline diff, ``{+lisätty+}`` and ``[-poistettu-]``;
elsewhere they read as plain brackets. Text from the sources is escaped so that it stays text:
Markdown and HTML punctuation and GitLab's reference characters (``@`` would notify a user,
``#`` and ``!`` link issues) are backslash-escaped, autolinks are broken, and the bracket pairs
of the inline diff are split by an invisible word joiner, because GitLab finds them in the
text after Markdown has dropped the backslashes: a source cannot make unchanged words look
inserted or deleted. Unchanged parts are only counted. A moved block opens with where it went
or where it came from, in italics; at its new place only the move's own edits are marked,
the moved words plain (the inline diff has no mark for moved text, and none nests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, assert_never

from tymdocs.changes import Change, Report, move_badge
from tymdocs.characters import visible
from tymdocs.document import Part
from tymdocs.locale import capitalise, label, speaking
from tymdocs.model import (
    Block,
    Heading,
    Inlines,
    LineBreak,
    ListBlock,
    ListItem,
    Mark,
    Moved,
    Paragraph,
    Span,
    Table,
)
from tymdocs.redline import as_shown

_OPEN: dict[Mark, str] = {"ins": "{+", "del": "[-"}
_CLOSE: dict[Mark, str] = {"ins": "+}", "del": "-]"}
_BREAK = "\u21b5"
"""A line break that was added or removed, shown where it was."""

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~@!$%&])")
_DIFF_PAIR = re.compile(r"(?<=[\[{])(?=[+\-])|(?<=[+\-])(?=[\]}])")
_WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i):(?=//)|(?<=www)\.")


def render_markdown(report: Report) -> str:
    """The report as Markdown, the same text for the same report."""
    with speaking(report.redline.language):
        return "\n".join(_document(report)).rstrip("\n") + "\n"


def escape_text(text: str) -> str:
    """Source text made literal in Markdown, GitLab's included (see the module docstring);
    a newline becomes a space, since a line of its own could start a block."""
    text = " ".join(text.splitlines()) if "\n" in text or "\r" in text else text
    text = visible(text)  # an escape sequence is shown as its code, never run by a terminal
    text = _DIFF_PAIR.sub(_WORD_JOINER, text)
    text = _SPECIAL.sub(r"\\\1", text)
    return _AUTOLINK.sub(lambda match: "\\" + match.group(0), text)


def _guard(line: str) -> str:
    """A line of source text that cannot start a block: no list marker, heading underline or
    indented code at its start."""
    line = line.lstrip(" \t")
    number = re.match(r"(\d{1,9})([.)])(?=\s|$)", line)
    if number:
        return f"{number.group(1)}\\{number.group(2)}{line[number.end() :]}"
    return "\\" + line if line[:1] in ("+", "-", "=") else line


def _document(report: Report) -> Iterator[str]:
    yield f"# {_guard(escape_text(report.title))}"
    yield ""
    yield f"{escape_text(report.redline.title)}"
    yield ""
    yield f"## {escape_text(label('redline_summary'))}"
    yield ""
    yield f"- {escape_text(label('redline_older'))}: {escape_text(report.a_label)}"
    yield f"- {escape_text(label('redline_newer'))}: {escape_text(report.b_label)}"
    yield ""
    if report.empty:
        yield f"**{escape_text(label('redline_none'))}**"
        yield ""
    yield escape_text(report.counts)
    yield ""
    if report.empty:
        return
    for change in report.changes:
        yield from _summary(change)
    yield ""
    yield f"## {escape_text(label('redline_changed_parts'))}"
    yield ""
    unchanged_text = {c.key for c in report.changes if c.text_unchanged}
    for shown, run in report.runs:
        for part in run if shown else ():
            yield from _part(part, part.key in unchanged_text)


def _summary(change: Change) -> Iterator[str]:
    """One change: the part, its status, the record it needs and the record that made it or
    the command that will, then what changed in sentences."""
    status = label(f"redline_status_{change.status}")
    needs = f"{label('redline_needs')}: {change.needs_text}"
    line = f"- **{escape_text(capitalise(change.part))}** ({escape_text(status)}). "
    line += escape_text(needs) + "."
    cell = change.record_cell
    if cell.command is not None:
        line += f" {escape_text(cell.words)} {_code(cell.command)}"
    elif change.record is not None or change.unrecorded:
        line += f" {escape_text(cell.words)}."
    yield line
    for sentence in change.sentences:
        yield f"  - {_guard(escape_text(sentence))}"


def _code(text: str) -> str:
    """A code span that holds ``text`` whatever backticks it has (GitLab leaves code alone)."""
    text = " ".join(text.splitlines())
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _part(part: Part, text_unchanged: bool = False) -> Iterator[str]:
    """A changed part: its heading, and its text unless only the heading changed."""
    if part.mark is not None:
        heading = _marked(part.mark, escape_text(part.heading))
        badge = label("redline_part_inserted" if part.mark == "ins" else "redline_part_deleted")
        heading += f" ({escape_text(badge)})"
    elif part.former_heading is not None:
        heading = f"{_marked('del', escape_text(part.former_heading))} "
        heading += _marked("ins", escape_text(part.heading))
    else:
        heading = escape_text(part.heading)
    yield f"### {heading}"
    yield ""
    if text_unchanged:
        yield f"*{escape_text(label('redline_text_unchanged'))}.*"
        yield ""
        return
    for block in part.blocks:
        yield from _block(block)


def _marked(mark: Mark, text: str) -> str:
    return f"{_OPEN[mark]}{text}{_CLOSE[mark]}"


# -- blocks -----------------------------------------------------------------------------------


def _block(block: Block, indent: str = "") -> Iterator[str]:
    match block:
        case Heading():
            level = "#" * min(block.level + 2, 6)
            content = as_shown(block).content
            yield f"{indent}{level} {_moved(block.moved)}{_inlines(content, ' ')}"
            yield ""
        case Paragraph():
            content = as_shown(block).content
            yield indent + _moved(block.moved) + _inlines(content, "\\\n" + indent)
            yield ""
        case ListBlock():
            for item in block.items:
                yield from _item(item, indent)
            yield ""
        case Table():
            if block.moved is not None:
                yield indent + _moved(block.moved).rstrip()
                yield ""
            yield from (indent + line for line in _table(as_shown(block)))
            yield ""
        case _:
            assert_never(block)


def _moved(end: Moved[Any] | None) -> str:
    """Where a moved block went or came from, before it: ``*(siirretty 9 §:ään)* ``."""
    return "" if end is None else f"*({escape_text(move_badge(end))})* "


def _item(item: ListItem, indent: str) -> Iterator[str]:
    """A list item as a bullet; an ordered item's own number is text after it, as written."""
    inner = indent + "  "
    moved, item = item.moved, as_shown(item)
    text = _moved(moved) + _inlines(item.content, "\\\n" + inner)
    if item.marker is not None:
        marker = _number(item.marker)
        if item.former_marker is not None:  # renumbered: A's number struck before B's
            marker = _marked("del", _number(item.former_marker)) + _marked("ins", marker)
        elif item.mark:
            marker = _marked(item.mark, marker)
        text = f"{marker} {text}"
    yield f"{indent}- {text}"
    for child in item.children:
        lines = list(_block(child, inner))
        if isinstance(child, ListBlock):  # a nested list follows the item's text directly
            while lines and not lines[-1]:
                lines.pop()
        else:  # a paragraph or table in an item stands apart
            yield ""
        yield from lines


def _number(marker: str) -> str:
    """An ordered item's number as text that no reader takes for a list marker."""
    return re.sub(r"([.)])", r"\\\1", _SPECIAL.sub(r"\\\1", marker))


def _table(block: Table) -> Iterator[str]:
    """A GFM table: the header, the alignment row, then each row; a nested row's first cell
    indented by no-break spaces, totals in bold."""
    yield "| " + " | ".join(_cell(cell) for cell in block.header) + " |"
    signs = {"left": ":--", "center": ":-:", "right": "--:"}
    yield (
        "|"
        + "|".join(signs.get(block.alignment(i) or "", "---") for i in range(len(block.header)))
        + "|"
    )
    for row in block.rows:
        cells = []
        for column, cell in enumerate(row.cells):
            text = _cell(cell)
            if row.strong and text:
                text = f"**{text}**"
            if column == 0 and row.level:
                text = "\u00a0\u00a0" * row.level + text
            cells.append(text)
        yield "| " + " | ".join(cells) + " |"


def _cell(content: Inlines) -> str:
    return _inlines(content, "<br>")


# -- inlines ----------------------------------------------------------------------------------


def _inlines(content: Inlines, newline: str) -> str:
    """Inline content on one line; ``newline`` is what a kept line break becomes (a hard break
    in a paragraph, ``<br>`` in a table cell). Every line of it is guarded against starting a
    block."""
    lines = [""]
    for part in content:
        match part:
            case Span():
                lines[-1] += _span(part)
            case LineBreak():
                if part.mark is not None:
                    lines[-1] += _marked(part.mark, _BREAK)
                if part.mark != "del":
                    lines.append("")
            case _:
                assert_never(part)
    return newline.join(_guard(line) for line in lines)


def _span(span: Span) -> str:
    """A run of text with its emphasis and mark. The mark goes inside the emphasis (GitLab
    finds ``{+…+}`` only within one run of text) and spaces outside it (``**`` next to a space
    is no emphasis)."""
    text = span.text
    core = text.strip()
    if not core or not (span.strong or span.emphasis):
        escaped = escape_text(text)
        return _marked(span.mark, escaped) if span.mark and text else escaped
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    delimiter = "*" * ((2 if span.strong else 0) + (1 if span.emphasis else 0))
    inner = escape_text(core)
    if span.mark:
        inner = _marked(span.mark, inner)
        lead = _marked(span.mark, lead) if lead else ""
        trail = _marked(span.mark, trail) if trail else ""
    return f"{lead}{delimiter}{inner}{delimiter}{trail}"
