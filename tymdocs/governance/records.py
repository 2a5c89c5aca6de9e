"""One record: the ``Tymdocs-*`` trailers a governance commit ends in, written and parsed, and
the parts of the agreement a record names.

The trailers (``git interpret-trailers --parse`` reads them):

===================  =================================================================
``Tymdocs-Agreement``  the agreement's id: a record belongs to exactly one agreement
``Tymdocs-Record``     adoption, decision, review, notice, termination, amendment, signatures,
                       withdrawal (of an amendment never signed), objection (a party's
                       objection to the extension of a fixed term)
``Tymdocs-Version``    the version the record makes, or (signatures) puts in force
``Tymdocs-Date``       the date of the decision, notice or amendment; of the last signature
``Tymdocs-Effective``  the date the change takes effect
``Tymdocs-Body``       the deciding body (decision, review)
``Tymdocs-Section``    the § of the body's minutes
``Tymdocs-Case``       the body's case or record number
``Tymdocs-Party``      the party giving a notice or an objection
``Tymdocs-Parts``      what changed: main-text, section-N, metadata, annex-N
``Tymdocs-Review``     the annex a yearly review covers
``Tymdocs-Ends``       the last day of the agreement after a termination notice
``Tymdocs-Withdraws``  the version of the amendment a withdrawal takes back
``Tymdocs-Attachment`` ``<path> sha256:<hex>`` of a stored minutes extract
``Tymdocs-Signed-Copy`` ``<party> sha256:<hex> [<path>]`` of a signed copy
===================  =================================================================

Dates are ISO (``2025-09-15``) in trailers, Finnish (``15.9.2025``) in documents.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import TYPE_CHECKING, Literal, get_args

from tymdocs.characters import hidden_character

if TYPE_CHECKING:
    from tymdocs.model import Agreement

RecordKind = Literal[
    "adoption",
    "decision",
    "review",
    "notice",
    "termination",
    "amendment",
    "signatures",
    "withdrawal",
    "objection",
]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
VERSIONED: tuple[RecordKind, ...] = ("adoption", "decision", "notice", "amendment", "withdrawal")
"""The records that make a new version of the agreement."""

PREFIX = "Tymdocs-"
MAIN_TEXT = "main-text"
METADATA = "metadata"
_PART = re.compile(r"^(main-text|metadata|section-[1-9]\d{0,3}|annex-[1-9]\d{0,3})$")
_SHA = re.compile(r"^sha256:([0-9a-f]{64})$")
_NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")
_ISO_DATE = re.compile(r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")
"""A date between 1900 and 2999, as the trailers write it."""


def annex_part(number: int) -> str:
    return f"annex-{number}"


def section_part(number: int) -> str:
    return f"section-{number}"


def is_main_part(part: str) -> bool:
    return part in (MAIN_TEXT, METADATA) or part.startswith("section-")


def part_number(part: str) -> int | None:
    """The number in ``annex-5`` or ``section-8``."""
    _, _, number = part.partition("-")
    return int(number) if number.isdigit() else None


def main_parts(old: Agreement, new: Agreement) -> list[str]:
    """Which sections (and the metadata) a change of the main text makes, compared as models."""
    before = {s.number: s for s in old.sections}
    after = {s.number: s for s in new.sections}
    parts = [
        section_part(n)
        for n in sorted(before.keys() | after.keys())
        if before.get(n) != after.get(n)
    ]
    if old.meta != new.meta:
        parts.append(METADATA)
    return parts or [MAIN_TEXT]


# -- one record -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A file stored with a record (a minutes extract, a signed copy), by its SHA-256."""

    path: str | None
    sha256: str
    party: str | None = None
    """Whose signed copy it is; None for an attachment, and for the one copy for everyone."""


EVERYONE = "*"
"""What a ``Signed-Copy`` trailer names as the party of the one copy for everyone: no party's
id can be it."""


@dataclass(frozen=True)
class Record:
    """What one governance commit records; which fields are used depends on ``kind``."""

    kind: RecordKind
    agreement: str
    date: dt.date
    version: int | None = None
    effective: dt.date | None = None
    body: str | None = None
    section: int | None = None
    case: str | None = None
    party: str | None = None
    parts: tuple[str, ...] = ()
    review: int | None = None
    ends: dt.date | None = None
    withdraws: int | None = None
    attachments: tuple[Attachment, ...] = ()
    copies: tuple[Attachment, ...] = ()

    def trailers(self) -> list[tuple[str, str]]:
        """The trailers that carry this record, in a fixed order."""
        pairs: list[tuple[str, object]] = [
            ("Agreement", self.agreement),
            ("Record", self.kind),
            ("Version", self.version),
            ("Date", self.date.isoformat()),
            ("Effective", self.effective.isoformat() if self.effective else None),
            ("Body", self.body),
            ("Section", self.section),
            ("Case", self.case),
            ("Party", self.party),
            ("Parts", ", ".join(self.parts) or None),
            ("Review", self.review),
            ("Ends", self.ends.isoformat() if self.ends else None),
            ("Withdraws", self.withdraws),
        ]
        pairs += [("Attachment", f"{a.path} sha256:{a.sha256}") for a in self.attachments]
        pairs += [
            (
                "Signed-Copy",
                " ".join(filter(None, (c.party or EVERYONE, f"sha256:{c.sha256}", c.path))),
            )
            for c in self.copies
        ]
        return [(PREFIX + key, str(value)) for key, value in pairs if value is not None]

    def message(self, text: str) -> str:
        """A commit message: the coordinator's own text, then the trailers."""
        body = text.strip()
        trailers = "\n".join(f"{key}: {value}" for key, value in self.trailers())
        return f"{body}\n\n{trailers}\n"


def parse_record(trailers: Iterable[tuple[str, str]]) -> tuple[Record | None, list[str]]:
    """The record the ``Tymdocs-*`` trailers of a commit carry, and what is wrong with them.

    None and no problems: the commit carries no record. None with problems: it tries to.
    """
    fields: dict[str, list[str]] = {}
    for key, value in trailers:
        if key.startswith(PREFIX):
            fields.setdefault(key[len(PREFIX) :], []).append(value)
    if not fields:
        return None, []
    problems = [
        hidden_in(PREFIX + key, value)
        for key, values in fields.items()
        for value in values
        if hidden_character(value) is not None
    ]

    def one(key: str) -> str | None:
        values = fields.get(key, [])
        if len(values) > 1:
            problems.append(f"{PREFIX}{key} is given {len(values)} times")
        return values[0] if values else None

    def need(key: str) -> str | None:
        value = one(key)
        if value is None:
            problems.append(f"no {PREFIX}{key}")
        return value

    def day(key: str, required: bool = False) -> dt.date | None:
        value = need(key) if required else one(key)
        if value is None:
            return None
        try:
            if _ISO_DATE.match(value):
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        problems.append(f"{PREFIX}{key}: {value!r} is not a date (YYYY-MM-DD)")
        return None

    def number(key: str) -> int | None:
        value = one(key)
        if value is None:
            return None
        if not _NUMBER.match(value):
            problems.append(f"{PREFIX}{key}: {value!r} is not a positive whole number")
            return None
        return int(value)

    agreement = need("Agreement")
    kind = need("Record")
    if kind is not None and kind not in RECORD_KINDS:
        problems.append(f"{PREFIX}Record: unknown kind {kind!r} ({', '.join(RECORD_KINDS)})")
        kind = None
    date = day("Date", required=True)
    parts = tuple(p.strip() for p in (one("Parts") or "").split(",") if p.strip())
    for part in parts:
        if not _PART.match(part):
            problems.append(f"{PREFIX}Parts: {part!r} is not a part (main-text, annex-5, ...)")
    record = Record(
        kind=kind or "decision",
        agreement=agreement or "",
        date=date or dt.date.min,
        version=number("Version"),
        effective=day("Effective"),
        body=one("Body"),
        section=number("Section"),
        case=one("Case"),
        party=one("Party"),
        parts=parts,
        review=number("Review"),
        ends=day("Ends"),
        withdraws=number("Withdraws"),
        attachments=tuple(_attachments(fields.get("Attachment", []), problems, False)),
        copies=tuple(_attachments(fields.get("Signed-Copy", []), problems, True)),
    )
    if kind is not None:
        problems += _required_fields(record)
    if agreement is None or kind is None or date is None:
        return None, problems
    return record, problems


def _attachments(values: list[str], problems: list[str], by_party: bool) -> Iterable[Attachment]:
    for value in values:
        words = value.split(" ")
        party = words.pop(0) if by_party and words else None
        party = None if party == EVERYONE else party
        digest = _SHA.match(words[0 if by_party else 1] if len(words) > int(not by_party) else "")
        if digest is None:
            key = "Signed-Copy" if by_party else "Attachment"
            problems.append(f"{PREFIX}{key}: {value!r} is not '<path> sha256:<hex>'")
            continue
        path = (words[1] if len(words) > 1 else None) if by_party else words[0]
        yield Attachment(path, digest.group(1), party)


_FIELDS: dict[RecordKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "adoption": (("version", "effective"), ("copies",)),
    "decision": (("version", "effective", "body", "section", "parts"), ("case", "attachments")),
    "review": (("body", "section", "review"), ("case", "attachments")),
    "notice": (("version", "effective", "party", "parts"), ("attachments",)),
    "termination": (("party", "ends"), ("attachments",)),
    "amendment": (("version", "effective", "parts"), ("attachments",)),
    "signatures": (("version",), ("copies",)),
    "withdrawal": (("version", "effective", "parts", "withdraws"), ()),
    "objection": (("party",), ("attachments",)),
}
"""Per kind, the fields a record must carry beyond its kind, agreement and date, and those it
may; any other field says something the record cannot mean."""

_TRAILER = {"copies": "Signed-Copy", "attachments": "Attachment"}


def _required_fields(record: Record) -> list[str]:
    """The fields each kind of record must carry, and those it must not."""
    needed, allowed = _FIELDS[record.kind]
    kind = f"{'an' if record.kind[0] in 'aeiou' else 'a'} {record.kind} record"
    problems = [
        f"{kind} needs {PREFIX}{_TRAILER.get(name, name.capitalize())}"
        for name in needed
        if not getattr(record, name)
    ]
    problems += [
        f"{kind} has no {PREFIX}{_TRAILER.get(name, name.capitalize())}"
        for name in (f.name for f in dataclass_fields(Record)[3:])  # past kind, agreement, date
        if name not in needed and name not in allowed and getattr(record, name)
    ]
    return problems


def hidden_in(key: str, value: str) -> str:
    """What is wrong with a field that holds a character no register shows as itself."""
    return f"{key} holds {hidden_character(value)}: a field is one line of text"


def hidden_fields(record: Record) -> list[str]:
    """The fields of ``record`` that hold such a character: judged before anything else, as
    every other message would show the field."""
    return [hidden_in(k, v) for k, v in record.trailers() if hidden_character(v) is not None]


def body_key(name: str) -> str:
    """A deciding body's name as people mean it: case, and NFC or NFD (as some keyboards
    type ä), do not matter."""
    return unicodedata.normalize("NFC", name).casefold().strip()


def same_body(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and body_key(a) == body_key(b)


def record_dict(record: Record) -> dict[str, object]:
    """A record as JSON: ISO dates, every field present (None where unused)."""
    data: dict[str, object] = {f.name: getattr(record, f.name) for f in dataclass_fields(record)}
    for key in ("date", "effective", "ends"):
        value = getattr(record, key)
        data[key] = value.isoformat() if value else None
    data["parts"] = list(record.parts)
    data["attachments"] = [vars(a).copy() for a in record.attachments]
    data["copies"] = [vars(c).copy() for c in record.copies]
    return data
