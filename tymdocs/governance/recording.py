"""Recording governance: version 1, decisions, reviews, notices, terminations, amendments, their
signatures and withdrawals, each as one commit whose trailers say which rule allowed it.

Each ``plan_*`` function reads the repository and the agreement's rules and either returns
the :class:`Plan` of one commit or refuses with :class:`RefusedError`, having changed nothing.
:func:`carry_out` makes the commit. Only the files a record covers are committed; any other
work in the tree, staged or not, stays exactly as it was.

While an amendment awaits signatures, nothing else that makes a version is recorded: a
decision on top of it would carry text no party has signed into a version, under rules no
party has agreed to. Sign it (``amend --signed``) or withdraw it (``amend --withdraw``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tymdocs import git, governance
from tymdocs.errors import Problem, RefusedError
from tymdocs.governance import MAIN_TEXT, Attachment, History, Record, Version, annex_part
from tymdocs.locale import format_date, label, local_date, parse_date, today
from tymdocs.model import Agreement, Metadata, RecordNeeded
from tymdocs.paths import is_main_text
from tymdocs.revision import read_config
from tymdocs.sources import (
    GitTree,
    WorkTree,
    annex_numbers,
    changed_annexes,
    changed_sources,
    working_blobs,
)

if TYPE_CHECKING:
    from tymdocs.verify import Trust

RECORDS_DIR = "records"
"""Where minutes extracts and kept signed copies are stored, beside the sources."""
_PATCH_SEPARATOR = re.compile(r"^---", re.MULTILINE)


@dataclass(frozen=True)
class Plan:
    """One record, ready to be committed on top of ``head``: what it says, which files it
    takes, and the tag it sets."""

    record: Record
    message: str
    head: str
    paths: tuple[str, ...] = ()
    """Working-tree files the commit takes, relative to the agreement root."""
    new_files: tuple[tuple[str, bytes], ...] = ()
    """Files the commit adds beside the sources (a minutes extract, kept signed copies)."""
    sign: bool = False
    tag: tuple[str, str] | None = None
    """(name, commit) of the tag that marks a fully signed version."""

    def describe(self) -> str:
        """The commit this plan would make, as ``--dry-run`` shows it."""
        lines = [self.message.rstrip("\n"), ""]
        lines += [f"  commits {path}" for path in self.paths]
        lines += [f"  adds    {path} ({len(data)} bytes)" for path, data in self.new_files]
        if not self.paths and not self.new_files:
            lines.append("  an empty commit: the record is the change")
        if self.tag:
            lines.append(f"  tags    {self.tag[0]} on {self.tag[1][:12]}")
        return "\n".join(lines)


def carry_out(root: Path, plan: Plan) -> str:
    """Make the commit of ``plan`` and its tag, in one step; refused if HEAD has moved since
    the plan was made."""
    state = _state(root)
    if state.head != plan.head:
        raise RefusedError("HEAD has moved since the record was planned: run the command again")
    return git.commit_paths(
        state,
        root,
        plan.message,
        plan.paths,
        new_files=dict(plan.new_files),
        sign=plan.sign,
        tag=plan.tag,
    )


# -- what every record needs ------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """The repository and the agreement as a record finds them."""

    root: Path
    head: str
    committed: GitTree
    """The sources as HEAD has them."""
    meta: Metadata
    """``tymdocs.yaml`` as committed: the rules in force, never a proposed change of them."""
    history: History
    current: dict[str, str]
    """The blob id of every source file in the working tree."""
    changed: tuple[str, ...]
    """Source paths whose working-tree content differs from HEAD."""

    def annexes(self, paths: Iterable[str]) -> dict[int, list[str]]:
        """The annexes ``paths`` hold in HEAD or in the working tree: number -> paths."""
        return changed_annexes(self.committed, WorkTree(self.root), paths)

    def latest(self) -> Version:
        """The newest version; refused before version 1 is recorded."""
        versions = self.history.versions()
        if not versions:
            raise RefusedError(
                "no version 1 is recorded: record the agreement as adopted first (tymdocs adopt)"
            )
        return max(versions, key=lambda v: v.number)

    def nothing_pending(self) -> None:
        """Refuse a new version while an amendment awaits signatures."""
        for pending in self.history.pending_amendments():
            raise RefusedError(
                f"version {pending.number} (the amendment of "
                f"{format_date(pending.record.date)}) awaits signatures: record them first "
                "(tymdocs amend --signed), or withdraw it (tymdocs amend --withdraw)"
            )

    def no_unrecorded_commits(self) -> None:
        """A record covers the working tree's changes; an earlier commit without its record
        would slip into the new version unrecorded."""
        unrecorded = self.history.unrecorded()
        if unrecorded:
            first = unrecorded[-1]
            parent = first.parents[0][:12] if first.parents else first.commit[:12]
            raise RefusedError(
                f"commit {first.commit[:12]} ({first.subject}) changed the agreement without a "
                f"record: undo it and keep its changes (git reset --soft {parent}), then "
                "record them"
            )

    def plan(
        self,
        record: Record,
        text: str,
        paths: tuple[str, ...] = (),
        files: tuple[tuple[str, bytes], ...] = (),
        tag: tuple[str, str] | None = None,
    ) -> Plan:
        """The plan of ``record``, once its message, new files and tag are known to be safe."""
        message = _message(self.root, record, text)
        for path, _ in files:
            _new_file(self.root, path)
        if tag is not None and git.tag_exists(self.root, tag[0]):
            raise RefusedError(f"the tag {tag[0]} already exists: a tag is never moved")
        sign = self.meta.policy.require_signed_records
        return Plan(record, message, self.head, paths, files, sign, tag)


def _state(root: Path) -> git.RepoState:
    state = git.repo_state(root)
    if state is None:
        raise RefusedError(f"{root} is not in a git repository: records are git commits")
    if state.operation is not None:
        raise RefusedError(f"{state.operation} is in progress: finish or abort it first")
    if state.head is None:
        raise RefusedError("the repository has no commit yet: commit the agreement first")
    if state.branch is None:
        raise RefusedError("HEAD is detached: check out the branch the register is kept on")
    return state


def _context(root: Path) -> _Context:
    state = _state(root)
    assert state.head is not None
    committed = GitTree(root, state.head)
    meta = read_config(committed)
    if meta is None:
        raise RefusedError("tymdocs.yaml as committed does not read cleanly: run tymdocs check")
    history = governance.read_history(root, meta.id, state.head)
    pending = history.pending_amendments()
    before = history.parent(pending[0].commit) if pending else None
    if before is not None:  # the rules in force are those before the amendment proposes new
        meta = read_config(GitTree(root, before)) or meta
    current = working_blobs(root)
    changed = tuple(changed_sources(root, committed, current))
    return _Context(root, state.head, committed, meta, history, current, changed)


def _message(root: Path, record: Record, text: str) -> str:
    """The commit message, proven to carry exactly the record's trailers as git reads them."""
    if not text.strip():
        raise RefusedError("-m is empty: say in a few words what was decided")
    if _PATCH_SEPARATOR.search(text):
        raise RefusedError("-m has a line starting with '---', which would hide the record")
    message = record.message(text)
    if git.parse_trailers(root, message) != tuple(record.trailers()):
        raise RefusedError("-m keeps git from reading the record's trailers: reword its end")
    return message


def _new_file(root: Path, path: str) -> None:
    """A record adds files only where nothing is, and never through a symbolic link."""
    target = root / path
    for folder in [root / part for part in Path(path).parents if str(part) != "."]:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise RefusedError(f"{folder.relative_to(root)} is not a folder tymdocs writes into")
    if target.exists() or target.is_symlink():
        raise RefusedError(f"{path} already exists: a record never overwrites a file")


def _date(text: str, what: str) -> dt.date:
    day = parse_date(text)
    if day is None:
        raise RefusedError(f"{what}: {text!r} is not a date (write 2025-09-15 or 15.9.2025)")
    return day


def _past(date: str) -> dt.date:
    """``--date``, which cannot be after today: a decision or notice is recorded once made."""
    day, now = _date(date, "--date"), today()
    if day > now:
        raise RefusedError(
            f"--date {format_date(day)} is in the future (today is {format_date(now)})"
        )
    return day


def _dates(date: str, effective: str | None) -> tuple[dt.date, dt.date]:
    """The record's date (not in the future) and its effective date, which defaults to it."""
    day = _past(date)
    start = _date(effective, "--effective") if effective is not None else day
    if start < day:
        raise RefusedError(f"--effective {format_date(start)} precedes the date {format_date(day)}")
    return day, start


def _in_effect_order(history: History, parts: tuple[str, ...], start: dt.date) -> None:
    """A part's changes take effect in the order they are recorded: otherwise the text in
    force between the two dates would hold a change that is not yet in force."""
    withdrawn = history.withdrawn()
    for version in history.versions():
        record = version.record
        if record.kind == "adoption" or version.number in withdrawn:
            continue
        shared = [p for p in parts if version.changes(p)]
        begins = record.effective or record.date
        if shared and begins > start:
            raise RefusedError(
                f"{governance.part_name(shared[0])} changes from {format_date(begins)} by "
                f"version {version.number}: a later record cannot take effect before it "
                f"({format_date(start)})"
            )


def _single_line(text: str | None, what: str) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    if not cleaned:
        raise RefusedError(f"{what} is empty")
    return cleaned


def _valid(root: Path) -> Agreement:
    """``check`` of the working tree: a record of sources with errors is refused."""
    from tymdocs.checks import validate

    loaded = validate(WorkTree(root))
    errors = tuple(p for p in loaded.problems if p.severity == "error")
    if loaded.agreement is None or errors:
        raise RefusedError(
            f"check finds {len(errors)} error(s) in the sources: fix them, then record", errors
        )
    return loaded.agreement


def _no_main_text(changed: tuple[str, ...]) -> None:
    main = [path for path in changed if is_main_text(path)]
    if main:
        raise RefusedError(
            f"the change touches the main text ({', '.join(main)}): the main text changes "
            "only by a written amendment every party signs (tymdocs amend)"
        )


def _attachment(
    source: Path | None, day: dt.date, name: str
) -> tuple[tuple[Attachment, ...], tuple[tuple[str, bytes], ...]]:
    """A minutes extract stored under ``records/`` with its SHA-256."""
    if source is None:
        return (), ()
    data = source.read_bytes()
    path = f"{RECORDS_DIR}/{day.isoformat()}-{_slug(name)}/{_safe_name(source.name)}"
    return (Attachment(path, hashlib.sha256(data).hexdigest()),), ((path, data),)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "record"


def _safe_name(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    return _slug(stem) + (f".{_slug(suffix)}" if suffix else "")


def _wrong_record(number: int, needed: str, given: str) -> str:
    command = {
        "decision": "tymdocs approve",
        "notice": "tymdocs notice",
        "amendment": "tymdocs amend",
    }[needed]
    article = "an" if needed[0] in "aeiou" else "a"
    return f"Liite {number} changes by {article} {needed}, not by {given}: record it with {command}"


def _party(meta: Metadata, party: str) -> None:
    if all(p.id != party for p in meta.parties):
        known = ", ".join(p.id for p in meta.parties)
        raise RefusedError(f"--party {party!r} is not a party of the agreement ({known})")


# -- decisions, reviews and notices -------------------------------------------------------------


def plan_decision(
    root: Path,
    *,
    body: str,
    date: str,
    section: int,
    message: str,
    case: str | None = None,
    effective: str | None = None,
    attach: Path | None = None,
    review: int | None = None,
) -> Plan:
    """A decision over the current changes to the annexes it governs, or (``review``) a yearly
    review that changes nothing."""
    ctx = _context(root)
    latest = ctx.latest()
    day, start = _dates(date, effective)
    body_name = _single_line(body, "--body") or ""
    case = _single_line(case, "--case")
    if section <= 0:
        raise RefusedError(f"--section {section}: a § number is positive")
    _in_order(ctx.history, body_name, day, section)
    if review is not None:
        return _review(ctx, body_name, day, section, case, message, attach, review)
    hint = "edit an annex first, or record a yearly review with --review N"
    annexes, parts = _annex_change(ctx, "decision", start, hint)
    canonical = body_name
    for number in sorted(annexes):
        rule = ctx.meta.policy.rule(number)
        if not governance.same_body(body_name, rule.body):
            owner = f" ({rule.party})" if rule.party else ""
            raise RefusedError(
                f"Liite {number} changes only by a decision of {rule.body}{owner}, "
                f"not of {body_name}"
            )
        canonical = rule.body or body_name
    attachments, files = _attachment(attach, day, f"{canonical}-{section}")
    record = Record(
        kind="decision",
        agreement=ctx.meta.id,
        date=day,
        version=latest.number + 1,
        effective=start,
        body=canonical,
        section=section,
        case=case,
        parts=parts,
        attachments=attachments,
    )
    return ctx.plan(record, message, ctx.changed, files)


def _review(
    ctx: _Context,
    body: str,
    day: dt.date,
    section: int,
    case: str | None,
    message: str,
    attach: Path | None,
    annex: int,
) -> Plan:
    """A yearly review that changes nothing: an empty commit, so the register shows it."""
    if annex not in annex_numbers(ctx.committed):
        raise RefusedError(f"there is no Liite {annex} to review")
    rule = ctx.meta.policy.rule(annex)
    if rule.record != "decision" or not governance.same_body(body, rule.body):
        who = f"a decision of {rule.body}" if rule.record == "decision" else f"a {rule.record}"
        raise RefusedError(f"Liite {annex} is reviewed by {who}, not by {body}")
    touched = ctx.annexes(ctx.changed)
    if annex in touched:
        raise RefusedError(
            f"Liite {annex} has changes ({', '.join(touched[annex])}): a review that changes "
            "it is a decision; record it without --review"
        )
    attachments, files = _attachment(attach, day, f"{rule.body}-{section}")
    record = Record(
        kind="review",
        agreement=ctx.meta.id,
        date=day,
        body=rule.body,
        section=section,
        case=case,
        review=annex,
        attachments=attachments,
    )
    return ctx.plan(record, message, (), files)


def _annex_change(
    ctx: _Context, kind: RecordNeeded, start: dt.date, hint: str
) -> tuple[dict[int, list[str]], tuple[str, ...]]:
    """What a decision and a notice both refuse; the annexes the change covers (number ->
    paths) and its parts, each annex one whose rule asks for ``kind``."""
    ctx.nothing_pending()
    ctx.no_unrecorded_commits()
    if not ctx.changed:
        raise RefusedError(f"nothing governed has changed: {hint}")
    _no_main_text(ctx.changed)
    _valid(ctx.root)
    annexes = ctx.annexes(ctx.changed)
    for number in sorted(annexes):
        rule = ctx.meta.policy.rule(number)
        if rule.record != kind:
            raise RefusedError(_wrong_record(number, rule.record, f"a {kind}"))
    parts = tuple(annex_part(n) for n in sorted(annexes))
    _in_effect_order(ctx.history, parts, start)
    return annexes, parts


def _in_order(history: History, body: str, day: dt.date, section: int) -> None:
    """One body's decisions are recorded in the order they were made, each once."""
    for entry in history.entries:
        record = entry.record
        if record.kind not in ("decision", "review") or not governance.same_body(body, record.body):
            continue
        if record.date == day and record.section == section:
            raise RefusedError(
                f"{body} {format_date(day)} § {section} is already recorded "
                f"(commit {entry.commit[:12]})"
            )
        if record.date > day:
            raise RefusedError(
                f"{body} {format_date(day)} § {section} is older than its decision "
                f"{format_date(record.date)} § {record.section}, already recorded: one body's "
                "decisions are recorded in the order they were made"
            )


def plan_notice(
    root: Path,
    *,
    party: str,
    date: str,
    message: str,
    effective: str | None = None,
    attach: Path | None = None,
) -> Plan:
    """An organisation's notice over the current changes to the annexes notices govern."""
    ctx = _context(root)
    latest = ctx.latest()
    _party(ctx.meta, party)
    day, start = _dates(date, effective)
    _, parts = _annex_change(ctx, "notice", start, "edit the composition annex first")
    attachments, files = _attachment(attach, day, f"ilmoitus-{party}")
    record = Record(
        kind="notice",
        agreement=ctx.meta.id,
        date=day,
        version=latest.number + 1,
        effective=start,
        party=party,
        parts=parts,
        attachments=attachments,
    )
    return ctx.plan(record, message, ctx.changed, files)


def plan_termination(root: Path, *, party: str, date: str, message: str) -> Plan:
    """A party's written notice of termination; the agreement ends the policy's months later."""
    ctx = _context(root)
    ctx.latest()
    _party(ctx.meta, party)
    day = _past(date)
    earlier = ctx.history.termination()
    if earlier is not None and earlier.record.ends is not None:
        raise RefusedError(
            f"the agreement is already terminated (commit {earlier.commit[:12]}): it ends "
            f"on {format_date(earlier.record.ends)}"
        )
    record = Record(
        kind="termination",
        agreement=ctx.meta.id,
        date=day,
        party=party,
        ends=governance.add_months(day, ctx.meta.policy.termination_notice_months),
    )
    return ctx.plan(record, message)


# -- amendments ---------------------------------------------------------------------------------


def plan_amendment(root: Path, *, date: str, message: str, effective: str | None = None) -> Plan:
    """A proposed amendment of the main text (and any annexes changed with it): a version
    that awaits every party's signature before it takes effect."""
    from tymdocs.checks import validate

    ctx = _context(root)
    latest = ctx.latest()
    day, start = _dates(date, effective)
    ctx.nothing_pending()
    ctx.no_unrecorded_commits()
    if not any(is_main_text(path) for path in ctx.changed):
        raise RefusedError(
            "nothing in the main text has changed: an amendment changes docs_src/ or "
            "tymdocs.yaml (annexes alone are recorded with tymdocs approve or notice)"
        )
    new = _valid(root)
    old = validate(ctx.committed).agreement
    parts = governance.main_parts(old, new) if old is not None else [MAIN_TEXT]
    parts += [annex_part(n) for n in sorted(ctx.annexes(ctx.changed))]
    _in_effect_order(ctx.history, tuple(parts), start)
    record = Record(
        kind="amendment",
        agreement=ctx.meta.id,
        date=day,
        version=latest.number + 1,
        effective=start,
        parts=tuple(parts),
    )
    return ctx.plan(record, message, ctx.changed)


def plan_withdrawal(root: Path, *, date: str, message: str) -> Plan:
    """Take back the amendment that awaits signatures: the sources go back to what they were
    before it (restore them first, for example ``git checkout <commit>~1 -- docs_src``), and
    that makes the next version, in force from ``date``."""
    ctx = _context(root)
    latest = ctx.latest()
    pending = ctx.history.pending_amendments()
    if not pending:
        raise RefusedError("no amendment awaits signatures: there is nothing to withdraw")
    amendment = pending[-1]
    day = _past(date)
    if day < amendment.record.date:
        raise RefusedError(
            f"--date {format_date(day)} precedes the amendment of "
            f"{format_date(amendment.record.date)}"
        )
    before = ctx.history.parent(amendment.commit)
    if before is None:
        raise RefusedError(f"version {amendment.number} has no earlier commit to go back to")
    differ = changed_sources(root, GitTree(root, before), ctx.current)
    if differ:
        raise RefusedError(
            f"the sources are not as they were before version {amendment.number}: restore "
            f"them first (git checkout {amendment.commit[:12]}~1 -- .), then withdraw; "
            f"{differ[0]} differs"
        )
    record = Record(
        kind="withdrawal",
        agreement=ctx.meta.id,
        date=day,
        version=latest.number + 1,
        effective=day,
        parts=amendment.record.parts,
        withdraws=amendment.number,
    )
    return ctx.plan(record, message, ctx.changed)


# -- signatures ---------------------------------------------------------------------------------


def plan_adoption(
    root: Path,
    *,
    message: str,
    date: str | None = None,
    copies: tuple[Path, ...] = (),
    keep: bool = False,
    trust: Trust | None = None,
) -> Plan:
    """Version 1: the agreement as adopted and signed, in force from ``effective_date``.

    Uncommitted changes to the sources are committed with it. With ``copies``, every party's
    signed copy is verified as fully signed first and their SHA-256 kept in the record.
    """
    ctx = _context(root)
    if ctx.history.versions():
        first = ctx.history.versions()[0]
        raise RefusedError(f"version 1 is already recorded (commit {first.commit[:12]})")
    agreement = _valid(root)
    effective = agreement.meta.effective_date
    day = _past(date) if date is not None else min(effective, today())
    signed: tuple[Attachment, ...] = ()
    files: tuple[tuple[str, bytes], ...] = ()
    tag = None
    if copies:
        if ctx.changed:
            raise RefusedError(
                "the sources have uncommitted changes: signed copies prove the committed "
                "version; commit or undo the changes first"
            )
        located = governance.locate(ctx.history)
        assert located.commit is not None
        signed, files, when = _verified(root, copies, located.commit, 1, keep, trust)
        day = day if date is not None else when
        tag = (f"{agreement.meta.id}-versio-1", located.commit)
    record = Record(
        kind="adoption",
        agreement=agreement.meta.id,
        date=day,
        version=1,
        effective=effective,
        copies=signed,
    )
    return ctx.plan(record, message, ctx.changed, files, tag)


def plan_signatures(
    root: Path,
    *,
    copies: tuple[Path, ...],
    keep: bool = False,
    date: str | None = None,
    message: str | None = None,
    trust: Trust | None = None,
) -> Plan:
    """Signatures that put a pending amendment in force: every party's copy verified as
    fully signed, their SHA-256 recorded, the version tagged."""
    ctx = _context(root)
    pending = ctx.history.pending_amendments()
    if not pending:
        raise RefusedError("no amendment awaits signatures (see tymdocs status)")
    claimed = _claimed_commits(copies)
    version = next((v for v in pending if v.commit in claimed), None)
    if version is None:
        waiting = ", ".join(f"version {v.number} (commit {v.commit[:12]})" for v in pending)
        raise RefusedError(f"the copies are not of an amendment that awaits signatures: {waiting}")
    signed, files, when = _verified(root, copies, version.commit, version.number, keep, trust)
    day = _past(date) if date is not None else when
    if day < version.record.date:
        raise RefusedError(
            f"signed on {format_date(day)}, before the amendment of "
            f"{format_date(version.record.date)}"
        )
    record = Record(
        kind="signatures",
        agreement=ctx.meta.id,
        date=day,
        version=version.number,
        copies=signed,
    )
    text = message or label("record_signed", number=version.number)
    tag = (f"{ctx.meta.id}-versio-{version.number}", version.commit)
    return ctx.plan(record, text, (), files, tag)


def _claimed_commits(copies: tuple[Path, ...]) -> set[str]:
    """The commits the copies say they were built from (verified later, not trusted here)."""
    from tymdocs.verify import claims

    found = set()
    for path in copies:
        with path.open("rb") as handle:
            claim = claims(handle.read(4 * 1024 * 1024))
        if claim is not None:
            found.add(claim[1])
    return found


def _verified(
    root: Path,
    copies: tuple[Path, ...],
    commit: str,
    number: int,
    keep: bool,
    trust: Trust | None,
) -> tuple[tuple[Attachment, ...], tuple[tuple[str, bytes], ...], dt.date]:
    """Verify ``copies`` as every party's fully signed copy of the version at ``commit``:
    their hashes, the files to keep (one per party), and the day of the last signature."""
    from tymdocs.build import verify_copies

    report = verify_copies(root, copies, trust)
    problems = tuple(
        Problem(copy.path, None, failure) for copy in report.copies for failure in copy.failures
    )
    if not report.ok:
        raise RefusedError("the signed copies do not verify: nothing recorded", problems)
    others = sorted({c.commit or "" for c in report.copies} - {commit})
    if others:
        raise RefusedError(
            f"the copies are of commit {others[0][:12]}, not of version {number} "
            f"(commit {commit[:12]})"
        )
    parties = [copy.party for copy in report.copies]
    twice = sorted({p for p in parties if parties.count(p) > 1 and p})
    if twice:
        raise RefusedError(f"two copies of party {twice[0]}: give one copy per party")
    if report.fully_signed is not True:
        missing = tuple(
            Problem(copy.path, None, f"not signed: {', '.join(copy.missing)}")
            for copy in report.copies
            if copy.missing
        )
        raise RefusedError(f"version {number} is not fully signed: {report.summary}", missing)
    times = [
        dt.datetime.fromisoformat(s.signing_time)
        for copy in report.copies
        for s in copy.signatures
        if s.signing_time
    ]
    when = local_date(max(times)) if times else today()
    attachments = []
    files = []
    for path, copy in zip(copies, report.copies, strict=True):
        data = path.read_bytes()
        kept = f"{RECORDS_DIR}/versio-{number}/{copy.party}.pdf" if keep else None
        attachments.append(Attachment(kept, hashlib.sha256(data).hexdigest(), copy.party))
        if kept:
            files.append((kept, data))
    return tuple(attachments), tuple(files), when
