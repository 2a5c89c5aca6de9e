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
from collections.abc import Iterable
from dataclasses import dataclass

from tymdocs.governance import (
    Entry,
    History,
    RecordKind,
    annex_part,
    part_name,
    printable,
    record_dict,
)
from tymdocs.locale import format_date


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
            concerns = (
                record.kind == "adoption"
                or annex_part(self.annex) in record.parts
                or record.review == self.annex
            )
            return concerns
        return True


def entries(history: History, filters: Filters) -> list[Entry]:
    """The register, oldest first, as ``filters`` selects it."""
    return [entry for entry in history.entries if filters.keep(entry)]


def as_json(history: History, shown: Iterable[Entry]) -> str:
    """The register as one JSON document with a record per line: easy to read and to diff,
    and written by the C encoder (an indented dump of a long register costs more than
    reading it from git)."""
    records = [
        json.dumps(
            {"commit": e.commit, "subject": e.subject} | record_dict(e.record),
            ensure_ascii=False,
        )
        for e in shown
    ]
    agreement = json.dumps(history.agreement, ensure_ascii=False)
    body = "[\n    " + ",\n    ".join(records) + "\n  ]" if records else "[]"
    return "{\n" + f'  "agreement": {agreement},\n  "records": {body}\n' + "}"


COLUMNS = ("version", "date", "kind", "by", "§", "case", "effective", "parts", "commit")


def rows(shown: Iterable[Entry], iso: bool = False) -> list[tuple[str, ...]]:
    """One row of :data:`COLUMNS` per record; Finnish dates unless ``iso``."""

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
            )
        )
    return table


def table(shown: Iterable[Entry]) -> str:
    """A fixed-width table for a terminal."""
    body = [tuple(printable(cell) for cell in row) for row in rows(shown)]
    widths = [max(len(row[i]) for row in [COLUMNS, *body]) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [COLUMNS, *body]
    ]
    return "\n".join(lines)


def markdown(shown: Iterable[Entry]) -> str:
    """A Markdown table for a merge-request comment: record text is text, never markup."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(map(_markdown_text, row)) + " |" for row in rows(shown)]
    return "\n".join(lines)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")


def _markdown_text(cell: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", printable(cell))


def comma_separated(shown: Iterable[Entry]) -> str:
    """CSV for a spreadsheet, which must not take a cell for a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(shown, iso=True):
        writer.writerow(
            [
                "'" + cell if cell.startswith(("=", "+", "-", "@", "\t", "\r")) else cell
                for cell in row
            ]
        )
    return buffer.getvalue().rstrip("\n")
