"""The governance register: every adoption, decision, review, notice, amendment and signature
record of an agreement, kept as git commits whose messages end in ``Tymdocs-*`` trailers.

Reading is one ``git log`` (:func:`read_history`); the rest is pure: which version a commit
is, what was in force on a date, the notes a consolidated text carries. Writing records lives
in ``recording.py``, auditing the history in ``audit.py``.

The trailers (``git interpret-trailers --parse`` reads them):

===================  =================================================================
``Tymdocs-Agreement``  the agreement's id: a record belongs to exactly one agreement
``Tymdocs-Record``     adoption, decision, review, notice, termination, amendment, signatures,
                       withdrawal (of an amendment never signed)
``Tymdocs-Version``    the version the record makes, or (signatures) puts in force
``Tymdocs-Date``       the date of the decision, notice or amendment; of the last signature
``Tymdocs-Effective``  the date the change takes effect
``Tymdocs-Body``       the deciding body (decision, review)
``Tymdocs-Section``    the § of the body's minutes
``Tymdocs-Case``       the body's case or record number
``Tymdocs-Party``      the party giving a notice
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

import calendar
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from tymdocs import git
from tymdocs.errors import UsageError
from tymdocs.locale import commit_date, format_date, label
from tymdocs.paths import CONFIG_FILE, is_source_path

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


def part_name(part: str) -> str:
    """A part as documents and reports name it: ``Liite 5``, ``8 §``, ``pääteksti``."""
    number = part_number(part)
    if part.startswith("annex-") and number is not None:
        return label("annex_ref", number=number)
    if part.startswith("section-") and number is not None:
        return label("section_ref", number=number)
    return label("metadata_ref") if part == METADATA else label("main_text_ref")


# -- one record -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A file stored with a record (a minutes extract, a signed copy), by its SHA-256."""

    path: str | None
    sha256: str
    party: str | None = None


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
            ("Signed-Copy", " ".join(filter(None, (c.party, f"sha256:{c.sha256}", c.path))))
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
    problems: list[str] = []

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
        digest = _SHA.match(words[0 if by_party else 1] if len(words) > int(not by_party) else "")
        if digest is None:
            key = "Signed-Copy" if by_party else "Attachment"
            problems.append(f"{PREFIX}{key}: {value!r} is not '<path> sha256:<hex>'")
            continue
        path = (words[1] if len(words) > 1 else None) if by_party else words[0]
        yield Attachment(path, digest.group(1), party)


def _required_fields(record: Record) -> list[str]:
    """What each kind of record must carry beyond its kind, agreement and date."""
    needs: dict[RecordKind, tuple[str, ...]] = {
        "adoption": ("version", "effective"),
        "decision": ("version", "effective", "body", "section", "parts"),
        "review": ("body", "section", "review"),
        "notice": ("version", "effective", "party", "parts"),
        "termination": ("party", "ends"),
        "amendment": ("version", "effective", "parts"),
        "signatures": ("version",),
        "withdrawal": ("version", "effective", "parts", "withdraws"),
    }
    problems = [
        f"a {record.kind} record needs {PREFIX}{name.capitalize()}"
        for name in needs[record.kind]
        if not getattr(record, name)
    ]
    if record.effective and record.date != dt.date.min and record.effective < record.date:
        problems.append(
            f"the effective date {record.effective} precedes the record's date {record.date}"
        )
    return problems


def body_key(name: str) -> str:
    """A deciding body's name as people mean it: case, and NFC or NFD (as some keyboards
    type ä), do not matter."""
    return unicodedata.normalize("NFC", name).casefold().strip()


def same_body(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and body_key(a) == body_key(b)


def printable(text: str) -> str:
    """Text from a commit as a terminal may show it: anyone who can push writes subjects and
    trailers, so a control character is shown as its code, never acted on."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


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


# -- the history --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A record as the history holds it: the record and the commit that carries it."""

    record: Record
    commit: str
    time: int
    subject: str
    touches: tuple[str, ...]
    """The agreement's source files the commit changed."""
    signature: str = ""


@dataclass(frozen=True)
class Version:
    """A numbered version: the record that made it and, for an amendment, its signatures."""

    number: int
    entry: Entry
    signed: Entry | None = None

    @property
    def record(self) -> Record:
        return self.entry.record

    @property
    def commit(self) -> str:
        return self.entry.commit

    @property
    def in_force_from(self) -> dt.date | None:
        """When the version took effect; an amendment only once it is fully signed."""
        effective = self.record.effective or self.record.date
        if self.record.kind != "amendment":
            return effective
        if self.signed is None:
            return None
        return max(effective, self.signed.record.date)

    def changes(self, part: str) -> bool:
        """Whether this version changed ``part`` (version 1 made every part)."""
        if self.record.kind == "adoption":
            return True
        if part == MAIN_TEXT:
            return any(is_main_part(p) for p in self.record.parts)
        return part in self.record.parts


@dataclass(frozen=True)
class History:
    """An agreement's history up to one commit, as one ``git log`` read it (newest first)."""

    agreement: str
    commits: tuple[git.LogEntry, ...]
    entries: tuple[Entry, ...]
    """The agreement's records, oldest first."""
    problems: tuple[tuple[git.LogEntry, tuple[str, ...]], ...] = ()
    """Commits whose ``Tymdocs-*`` trailers for this agreement are malformed."""

    @cached_property
    def _versions(self) -> tuple[Version, ...]:
        signed = {
            e.record.version: e
            for e in self.entries
            if e.record.kind == "signatures" and e.record.version
        }
        return tuple(
            Version(e.record.version, e, signed.get(e.record.version))
            for e in self.entries
            if e.record.kind in VERSIONED and e.record.version is not None
        )

    @cached_property
    def _records(self) -> dict[str, Record]:
        return {e.commit: e.record for e in self.entries}

    def versions(self) -> list[Version]:
        """Every version, oldest first, an amendment with its signature record if any."""
        return list(self._versions)

    def version(self, number: int) -> Version | None:
        return next((v for v in self._versions if v.number == number), None)

    def withdrawn(self) -> set[int]:
        """The amendments taken back before they were signed."""
        return {e.record.withdraws for e in self.entries if e.record.withdraws is not None}

    def pending_amendments(self) -> list[Version]:
        """Amendments that await signatures: neither signed nor withdrawn."""
        withdrawn = self.withdrawn()
        return [
            v
            for v in self.versions()
            if v.record.kind == "amendment" and v.signed is None and v.number not in withdrawn
        ]

    def termination(self) -> Entry | None:
        return next((e for e in reversed(self.entries) if e.record.kind == "termination"), None)

    def unrecorded(self) -> list[git.LogEntry]:
        """Commits after the newest version that changed the agreement's files without one."""
        found = []
        for commit in self.commits:
            record = self._records.get(commit.commit)
            if record is not None and record.kind in VERSIONED:
                break
            if record is None and _touched(commit):
                found.append(commit)
        return found

    def parent(self, commit: str) -> str | None:
        """The first parent of ``commit``, one of this history's commits."""
        found = next(c for c in self.commits if c.commit == commit)
        return found.parents[0] if found.parents else None


def _touched(commit: git.LogEntry) -> tuple[str, ...]:
    return tuple(c.path for c in commit.changes if is_source_path(c.path))


def read_history(root: Path, agreement: str, rev: str = "HEAD", *, changes: bool = True) -> History:
    """The history of ``agreement`` (its id) up to ``rev``, in one ``git log``; without
    ``changes``, faster, but blind to which commits changed the agreement's files."""
    return history_of(agreement, read_log(root, rev, changes=changes))


def read_log(
    root: Path, rev: str = "HEAD", *, changes: bool = True, signatures: bool = False
) -> list[git.LogEntry]:
    """:func:`git.log`, without the rewrites of ``tymdocs.yaml`` (:func:`config_rewrites`)."""
    commits = git.log(root, rev, changes=changes, signatures=signatures)
    return without_rewrites(commits, config_rewrites(root, commits))


def config_rewrites(root: Path, commits: list[git.LogEntry]) -> dict[str, tuple[str, str]]:
    """The commits whose change of ``tymdocs.yaml`` keeps the text identifying it (``tymdocs
    upgrade``: the same rules in a newer format), each with the file's blobs before and after.
    Such a
    rewrite is no change of the agreement: it needs no record and makes no draft, as the
    fingerprint and every document built are the same. Each commit is judged by its own
    trees (the oldest shape's meaning depends on their annexes)."""
    changed = [
        (commit, change)
        for commit in commits
        for change in commit.changes
        if change.path == CONFIG_FILE and git.ZERO not in (change.old, change.new)
        if commit.parents
    ]
    if not changed:
        return {}
    from tymdocs import sources  # the source reader only for a history that changes the file
    from tymdocs.config import RolesOf

    contents = git.read_blobs(root, {blob for _, c in changed for blob in (c.old, c.new)})

    def roles_of(tree: str) -> RolesOf:
        """The annexes' roles in a commit: read once, and only if the oldest shape asks."""
        return functools.cache(lambda: sources.tree_roles(sources.GitTree(root, tree)))

    return {
        commit.commit: (change.old, change.new)
        for commit, change in changed
        if sources.is_rewrite(
            contents[change.old],
            contents[change.new],
            roles_of(commit.parents[0]),
            roles_of(commit.commit),
        )
    }


def without_rewrites(
    commits: list[git.LogEntry], rewrites: dict[str, tuple[str, str]]
) -> list[git.LogEntry]:
    """``commits`` with the ``tymdocs.yaml`` change of each rewrite left out."""
    if not rewrites:
        return commits
    return [
        replace(
            commit,
            changes=tuple(c for c in commit.changes if c.path != CONFIG_FILE),
        )
        if commit.commit in rewrites
        else commit
        for commit in commits
    ]


def history_of(agreement: str, commits: Iterable[git.LogEntry]) -> History:
    """The history of ``agreement`` among ``commits`` (newest first): pure."""
    ordered = tuple(commits)
    entries: list[Entry] = []
    problems: list[tuple[git.LogEntry, tuple[str, ...]]] = []
    for commit in reversed(ordered):
        ids = [v for k, v in commit.trailers if k == PREFIX + "Agreement"]
        if ids and agreement not in ids:
            continue  # another agreement's record
        record, found = parse_record(commit.trailers)
        if found:
            problems.append((commit, tuple(found)))
        if record is not None:
            touched = _touched(commit)
            entries.append(
                Entry(record, commit.commit, commit.time, commit.subject, touched, commit.signature)
            )
    return History(agreement, ordered, tuple(entries), tuple(problems))


# -- which version a commit is --------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """Where the tip of a history stands: the commit that identifies its sources, and the
    version it is, the draft it is (on top of ``base``), or the proposal before version 1."""

    commit: str | None
    time: int
    version: Version | None
    base: Version | None
    """The newest version in the history; the one a draft builds on."""

    @property
    def recorded(self) -> bool:
        return self.version is not None


def locate(history: History) -> Located:
    """The version commit of the tip: the last commit that changed the agreement's files or
    recorded one of its versions. A commit elsewhere in the repository changes nothing."""
    versions = {v.commit: v for v in history.versions()}
    base = max(versions.values(), key=lambda v: v.number, default=None)
    for commit in history.commits:
        version = versions.get(commit.commit)
        if version is not None or _touched(commit):
            return Located(commit.commit, commit.time, version, base)
    return Located(None, 0, None, base)


def version_label(located: Located, dirty: bool, party_names: dict[str, str]) -> str:
    """The label documents carry: ``Versio 2 · Johtoryhmä 15.9.2025 § 4 · voimassa 1.10.2025
    alkaen``; ``LUONNOS (pohjana versio 2)``; before version 1, ``Ehdotus 3f2a1bc, 30.4.2025``."""
    if not dirty and located.version is not None:
        return describe(located.version, party_names)
    if located.base is not None:
        return label("draft_on", number=located.base.number)
    short = located.commit[:7] if located.commit else None
    if dirty or short is None:
        return label("draft_of", commit=short) if short else label("draft")
    day = commit_date(located.time)
    return label("proposal", commit=short, date=format_date(day))


def describe(version: Version, party_names: dict[str, str]) -> str:
    """``Versio 2 · Johtoryhmä 15.9.2025 § 4 · voimassa 1.10.2025 alkaen``."""
    record = version.record
    parts = [label("version_number", number=version.number)]
    if record.kind != "adoption":
        parts.append(cite(record, party_names))
    effective = format_date(record.effective or record.date)
    if record.kind == "amendment":  # true before and after signing: the package stays the same
        parts.append(label("in_force_when_signed", date=effective))
    else:
        parts.append(label("in_force_from", date=effective))
    return " · ".join(parts)


def cite(record: Record, party_names: dict[str, str]) -> str:
    """A record as documents cite it: ``Johtoryhmä 15.9.2025 § 4``, ``Sopimusmuutos 1.3.2026``."""
    day = format_date(record.date)
    if record.kind in ("decision", "review"):
        return f"{record.body} {day} § {record.section}"
    if record.kind in ("notice", "termination"):
        party = party_names.get(record.party or "", record.party or "")
        return label("notice_citation", date=day, party=party)
    if record.kind == "amendment":
        return label("amendment_citation", date=day)
    if record.kind == "withdrawal":
        return label("withdrawal_citation", date=day)
    return label("adoption_citation", date=day)


def notes(
    versions: Iterable[Version], party_names: dict[str, str], in_force: bool = False
) -> dict[str, tuple[str, ...]]:
    """Per part (``annex-5``, ``section-8``), the note a consolidated text carries for every
    change since version 1: ``Liite 5 muutettu: Johtoryhmä 15.9.2025 § 4, voimassa 1.10.2025
    alkaen.`` With ``in_force``, dates are when each change actually took effect."""
    found: dict[str, list[str]] = {}
    listed = list(versions)
    withdrawn = {v.record.withdraws for v in listed if v.record.withdraws is not None}
    for version in listed:
        record = version.record
        if record.kind in ("adoption", "withdrawal") or version.number in withdrawn:
            continue  # a withdrawn amendment changed nothing that ever took effect
        start = (version.in_force_from if in_force else None) or record.effective or record.date
        citation = label(
            "change_citation", record=cite(record, party_names), date=format_date(start)
        )
        for part in record.parts:
            if part.startswith(("annex-", "section-")):
                found.setdefault(part, []).append(citation)
    return {
        part: (label("part_changed", part=part_name(part), changes="; ".join(citations)),)
        for part, citations in found.items()
    }


# -- in force on a date -------------------------------------------------------------------------


@dataclass(frozen=True)
class InForce:
    """Which version each part of the agreement comes from on ``day``."""

    day: dt.date
    main: Version
    annexes: dict[int, Version]
    """Annexes changed since version 1 by a version in force on ``day``; others: version 1."""
    first: Version
    applied: tuple[Version, ...]
    """Every version in force on ``day``, oldest first."""

    def source(self, annex: int) -> Version:
        return self.annexes.get(annex, self.first)


def in_force_on(history: History, day: dt.date, valid_until: dt.date | None = None) -> InForce:
    """The versions in force on ``day``, judged by effective dates, not commit dates; an
    amendment counts only once fully signed. A day outside the agreement's life is an error."""
    versions = history.versions()
    if not versions or versions[0].record.kind != "adoption":
        raise UsageError(
            "no version 1 is recorded: record the agreement as adopted with tymdocs adopt"
        )
    first = versions[0]
    start = first.in_force_from
    assert start is not None
    if day < start:
        raise UsageError(
            f"{format_date(day)} is before version 1, in force from {format_date(start)}"
        )
    termination = history.termination()
    ends = termination.record.ends if termination else None
    for last, why in ((ends, "after a termination notice"), (valid_until, "by its own term")):
        if last is not None and day > last:
            raise UsageError(
                f"on {format_date(day)} the agreement is no longer in force: it "
                f"ended on {format_date(last)} {why}"
            )
    applied = tuple(v for v in versions if (f := v.in_force_from) is not None and f <= day)
    main = first
    annexes: dict[int, Version] = {}
    for version in applied[1:]:
        if version.changes(MAIN_TEXT):
            main = version
        for part in version.record.parts:
            number = part_number(part)
            if part.startswith("annex-") and number is not None:
                annexes[number] = version
    return InForce(day, main, annexes, first, applied)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, the last day of a shorter month where needed (31.8 + 6);
    ``date.max`` past the calendar's end."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))
