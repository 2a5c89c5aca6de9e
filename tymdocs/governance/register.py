"""The register as people read it (``tymdocs log``): every record of the agreement, filtered,
as a terminal table, Markdown, CSV or JSON.

Pure: rows from a :class:`~tymdocs.governance.History`, text from rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from tymdocs.governance import (
    Entry,
    History,
    RecordKind,
    annex_part,
    part_name,
    part_number,
    printable,
    record_dict,
)
from tymdocs.governance.history import changes_part
from tymdocs.locale import annex_ref, format_date


@dataclass(frozen=True)
class Filters:
    """Which records to show; None shows all."""

    annex: int | None = None
    kinds: tuple[RecordKind, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None

    def keep(self, entry: Entry) -> bool:
        record = entry.record
        if self.kinds and record.kind not in self.kinds:
            return False
        if self.since and record.date < self.since:
            return False
        if self.until and record.date > self.until:
            return False
        if self.annex is not None:
            return changes_part(record, annex_part(self.annex)) or record.review == self.annex
        return True


def entries(history: History, filters: Filters) -> list[Entry]:
    """The register, oldest first, as ``filters`` selects it."""
    return [entry for entry in history.entries if filters.keep(entry)]


def unknown_annex(history: History, annex: int, present: Iterable[int]) -> str | None:
    """Why a filter on Liite ``annex`` is a mistake: the agreement as committed (``present``:
    its annexes) has no such annex and no record names one. None when the annex exists, or
    existed (the records of an annex a later version removed are still the register's)."""
    numbers = sorted(set(present))
    named = {
        number
        for entry in history.entries
        for number in (
            *(part_number(p) for p in entry.record.parts if p.startswith("annex-")),
            entry.record.review,
        )
        if number is not None
    }
    if annex in numbers or annex in named:
        return None

    def annexes(numbers: Iterable[int]) -> str:  # named as spoken: Liite 2, Bilaga 2
        return annex_ref(_listed(numbers))

    having = f"its annexes are {annexes(numbers)}" if numbers else "it has no annexes"
    gone = sorted(named - set(numbers))
    earlier = f", and its records name {annexes(gone)}" if gone else ""
    return f"the agreement has no {annexes([annex])}; {having}{earlier}"


def _listed(numbers: Iterable[int]) -> str:
    return ", ".join(map(str, numbers))


def as_json(history: History, shown: Iterable[Entry]) -> str:
    """The register as one JSON document with a record per line: easy to read and to diff,
    and written by the C encoder (an indented dump of a long register costs more than
    reading it from git)."""
    records = [
        json.dumps(
            {"commit": e.commit, "subject": e.subject, "text": _text(e)} | record_dict(e.record),
            ensure_ascii=False,
        )
        for e in shown
    ]
    agreement = json.dumps(history.agreement, ensure_ascii=False)
    body = "[\n    " + ",\n    ".join(records) + "\n  ]" if records else "[]"
    return "{\n" + f'  "agreement": {agreement},\n  "records": {body}\n' + "}"


COLUMNS = ("version", "date", "kind", "by", "§", "case", "effective", "parts", "commit", "text")

TEXT_WIDTH = 60
"""Where the table wraps a record's text."""


def _text(entry: Entry) -> str:
    """The record's text: the commit message without its trailers (the subject for an entry
    that was not read with its message)."""
    return entry.text or entry.subject


def rows(shown: Iterable[Entry], iso: bool = False) -> list[tuple[str, ...]]:
    """One row of :data:`COLUMNS` per record, the text last and as written (its newlines
    kept); Finnish dates unless ``iso``."""

    def day(value: dt.date | None) -> str:
        if value is None:
            return ""
        return value.isoformat() if iso else format_date(value)

    table: list[tuple[str, ...]] = []
    for entry in shown:
        record = entry.record
        parts = [part_name(p) for p in record.parts]
        if record.review:
            parts.append(part_name(annex_part(record.review)))
        if record.ends:
            parts.append(f"ends {day(record.ends)}")
        table.append(
            (
                str(record.version or ""),
                day(record.date),
                record.kind,
                record.body or record.party or "",
                str(record.section or ""),
                record.case or "",
                day(record.effective),
                ", ".join(parts),
                entry.commit if iso else entry.commit[:12],
                _text(entry),
            )
        )
    return table


def _lines(text: str) -> list[str]:
    """The text's lines that hold something, without the blanks at their ends."""
    return [line.strip(" \t") for line in text.split("\n") if line.strip(" \t")]


def table(shown: Iterable[Entry], width: int = TEXT_WIDTH) -> str:
    """A fixed-width table for a terminal; each record's text wrapped to ``width``, its
    further lines under its column."""
    head = COLUMNS[:-1]
    body = [
        (
            tuple(printable(cell) for cell in row[:-1]),
            [part for line in _lines(row[-1]) for part in textwrap.wrap(printable(line), width)],
        )
        for row in rows(shown)
    ]
    widths = [
        max(len(row[i]) for row in [head, *(cells for cells, _ in body)]) for i in range(len(head))
    ]
    indent = " " * (sum(widths) + 2 * len(widths))

    def line(cells: tuple[str, ...], text: str) -> str:
        fixed = "  ".join(cell.ljust(size) for cell, size in zip(cells, widths, strict=True))
        return f"{fixed}  {text}".rstrip()

    lines = [line(head, COLUMNS[-1])]
    for cells, text in body:
        lines.append(line(cells, text[0] if text else ""))
        lines += [indent + more for more in text[1:]]
    return "\n".join(lines)


def markdown(shown: Iterable[Entry]) -> str:
    """A Markdown table for a merge-request comment: record text is text, never markup, and
    a cell is one line (the text's lines joined by spaces)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += [
        "| " + " | ".join(map(_markdown_text, (*row[:-1], " ".join(_lines(row[-1]))))) + " |"
        for row in rows(shown)
    ]
    return "\n".join(lines)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")


def _markdown_text(cell: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", printable(cell))


_FORMULA = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take a cell for a formula by, at the cell's start."""


def _cell(text: str) -> str:
    """A CSV cell: control characters shown as codes but for the text's line breaks, and
    ``'`` before a start a spreadsheet would run."""
    cell = "\n".join(map(printable, text.split("\n")))
    return "'" + cell if cell.startswith(_FORMULA) else cell


def comma_separated(shown: Iterable[Entry]) -> str:
    """CSV for a spreadsheet, which must not take a cell for a formula. A row a line, but
    that the text is whole: its line breaks are in its cell, which is quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([_cell(cell) for cell in row] for row in rows(shown, iso=True))
    return buffer.getvalue().rstrip("\n")
