"""Recording governance: version 1, decisions, reviews, notices, terminations, amendments and
their signatures, each as one commit whose trailers say which rule allowed it.

Each ``plan_*`` function reads the repository and the agreement's rules and either returns
the :class:`Plan` of one commit or refuses with :class:`RefusedError`, having changed nothing.
:func:`carry_out` makes the commit. Only the files a record covers are committed; any other
work in the tree, staged or not, stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tymdocs import git, governance
from tymdocs.errors import Problem, RefusedError
from tymdocs.governance import MAIN_TEXT, Attachment, History, Record, Version, annex_part
from tymdocs.locale import format_date, label, local_date, parse_date
from tymdocs.model import Agreement, Metadata
from tymdocs.paths import is_main_text
from tymdocs.revision import read_config
from tymdocs.sources import GitTree, WorkTree, changed_annexes, changed_sources

RECORDS_DIR = "records"
"""Where minutes extracts and kept signed copies are stored, beside the sources."""


@dataclass(frozen=True)
class Trust:
    """How signed copies are verified before a record relies on them (``tymdocs verify``'s
    options)."""

    roots: tuple[bytes, ...] = ()
    required: bool = False
    signer_names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    """One record, ready to be committed: what it says and which files it takes."""

    record: Record
    message: str
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
    """Make the commit of ``plan`` (and its tag); the new commit's id."""
    state = _state(root)
    commit = git.commit_paths(
        state, root, plan.message, plan.paths, new_files=dict(plan.new_files), sign=plan.sign
    )
    if plan.tag:
        git.write_tag(root, *plan.tag)
    return commit


# -- what every record needs ------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """The repository and the agreement as a record finds them."""

    root: Path
    head: str
    meta: Metadata
    """``tymdocs.yaml`` as committed: the rules in force, not a proposed change of them."""
    history: History
    changed: tuple[str, ...]
    """Source paths whose working-tree content differs from HEAD."""

    def need_version_one(self) -> Version:
        versions = self.history.versions()
        if not versions:
            raise RefusedError(
                "no version 1 is recorded: record the agreement as adopted first (tymdocs adopt)"
            )
        return max(versions, key=lambda v: v.number)

    def no_unrecorded_commits(self) -> None:
        """A record covers the working tree's changes; an earlier commit without its record
        would slip into the new version unrecorded."""
        unrecorded = self.history.unrecorded()
        if unrecorded:
            first = unrecorded[-1]
            raise RefusedError(
                f"commit {first.commit[:12]} ({first.subject}) changed the agreement without a "
                f"record: undo it and keep its changes (git reset --soft "
                f"{first.parents[0][:12] if first.parents else first.commit[:12]}), then "
                "record them"
            )


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
    meta = read_config(GitTree(root, state.head))
    if meta is None:
        raise RefusedError("tymdocs.yaml as committed does not read cleanly: run tymdocs check")
    history = governance.read_history(root, meta.id, state.head)
    changed = tuple(changed_sources(root, state.head))
    return _Context(root, state.head, meta, history, changed)


def _date(text: str, what: str) -> dt.date:
    day = parse_date(text)
    if day is None:
        raise RefusedError(f"{what}: {text!r} is not a date (write 2025-09-15 or 15.9.2025)")
    return day


def _dates(
    date: str, effective: str | None, today: dt.date, what: str = "--date"
) -> tuple[dt.date, dt.date]:
    """The record's date and its effective date, which defaults to it."""
    day = _date(date, what)
    if day > today:
        raise RefusedError(
            f"{what} {format_date(day)} is in the future (today is {format_date(today)})"
        )
    start = _date(effective, "--effective") if effective is not None else day
    if start < day:
        raise RefusedError(f"--effective {format_date(start)} precedes the date {format_date(day)}")
    return day, start


def _single_line(text: str | None, what: str) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    if not cleaned:
        raise RefusedError(f"{what} is empty")
    return cleaned


def _valid(root: Path) -> None:
    """``check`` of the working tree: a record of sources with errors is refused."""
    from tymdocs.checks import validate

    problems = validate(WorkTree(root)).problems
    errors = tuple(p for p in problems if p.severity == "error")
    if errors:
        raise RefusedError(
            f"check finds {len(errors)} error(s) in the sources: fix them, then record",
            errors,
        )


def _annex_parts(ctx: _Context, paths: Iterable[str]) -> dict[int, list[str]]:
    return changed_annexes(ctx.root, ctx.head, paths)


def _main_text(paths: Iterable[str]) -> list[str]:
    return [path for path in paths if is_main_text(path)]


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
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "record"


def _safe_name(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    return _slug(stem) + (f".{_slug(suffix)}" if suffix else "")


def _new_paths(ctx: _Context, files: tuple[tuple[str, bytes], ...]) -> None:
    for path, _ in files:
        if (ctx.root / path).exists():
            raise RefusedError(f"{path} already exists: a record never overwrites a file")


# -- the records ------------------------------------------------------------------------------


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
    today: dt.date | None = None,
) -> Plan:
    """A decision over the current changes to the annexes it governs, or (``review``) a yearly
    review that changes nothing."""
    ctx = _context(root)
    latest = ctx.need_version_one()
    day, start = _dates(date, effective, today or dt.date.today())
    body_name = _single_line(body, "--body") or ""
    case = _single_line(case, "--case")
    if section <= 0:
        raise RefusedError(f"--section {section}: a § number is positive")
    _in_order(ctx.history, body_name, day, section)
    if review is not None:
        return _review(ctx, body_name, day, section, case, message, attach, review)
    ctx.no_unrecorded_commits()
    if not ctx.changed:
        raise RefusedError(
            "nothing governed has changed: edit an annex first, or record a "
            "yearly review with --review N"
        )
    main = _main_text(ctx.changed)
    if main:
        raise RefusedError(
            f"the change touches the main text ({', '.join(main)}): the main text changes "
            "only by a written amendment every party signs (tymdocs amend)"
        )
    _valid(root)
    annexes = _annex_parts(ctx, ctx.changed)
    canonical = None
    for number in sorted(annexes):
        rule = ctx.meta.policy.rule(number)
        if rule.record != "decision":
            raise RefusedError(_wrong_record(number, rule.record, "a decision"))
        if (rule.body or "").casefold() != body_name.casefold():
            owner = f" ({rule.party})" if rule.party else ""
            raise RefusedError(
                f"Liite {number} changes only by a decision of {rule.body}{owner}, "
                f"not of {body_name}"
            )
        canonical = rule.body
    attachments, files = _attachment(attach, day, f"{body_name}-{section}")
    _new_paths(ctx, files)
    record = Record(
        kind="decision",
        agreement=ctx.meta.id,
        date=day,
        version=latest.number + 1,
        effective=start,
        body=canonical or body_name,
        section=section,
        case=case,
        parts=tuple(annex_part(n) for n in sorted(annexes)),
        attachments=attachments,
    )
    return Plan(record, record.message(message), ctx.changed, files, _sign(ctx))


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
    rule = ctx.meta.policy.rule(annex)
    if rule.record != "decision" or (rule.body or "").casefold() != body.casefold():
        who = f"a decision of {rule.body}" if rule.record == "decision" else f"a {rule.record}"
        raise RefusedError(f"Liite {annex} is reviewed by {who}, not by {body}")
    touched = _annex_parts(ctx, ctx.changed)
    if annex in touched:
        raise RefusedError(
            f"Liite {annex} has changes ({', '.join(touched[annex])}): a review that changes "
            "it is a decision; record it without --review"
        )
    attachments, files = _attachment(attach, day, f"{body}-{section}")
    _new_paths(ctx, files)
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
    return Plan(record, record.message(message), (), files, _sign(ctx))


def _in_order(history: History, body: str, day: dt.date, section: int) -> None:
    """One body's decisions are recorded in the order they were made, each once."""
    for entry in history.entries:
        record = entry.record
        if record.kind not in ("decision", "review") or (record.body or "").casefold() != (
            body.casefold()
        ):
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


def _wrong_record(number: int, needed: str, given: str) -> str:
    command = {
        "decision": "tymdocs approve",
        "notice": "tymdocs notice",
        "amendment": "tymdocs amend",
    }[needed]
    return (
        f"Liite {number} changes by {'an' if needed[0] in 'aeiou' else 'a'} {needed}, not by "
        f"{given}: record it with {command}"
    )


def plan_notice(
    root: Path,
    *,
    party: str,
    date: str,
    message: str,
    effective: str | None = None,
    attach: Path | None = None,
    today: dt.date | None = None,
) -> Plan:
    """An organisation's notice over the current changes to the annexes notices govern."""
    ctx = _context(root)
    latest = ctx.need_version_one()
    _party(ctx.meta, party)
    day, start = _dates(date, effective, today or dt.date.today())
    ctx.no_unrecorded_commits()
    if not ctx.changed:
        raise RefusedError("nothing governed has changed: edit the composition annex first")
    main = _main_text(ctx.changed)
    if main:
        raise RefusedError(
            f"the change touches the main text ({', '.join(main)}): the main text changes "
            "only by a written amendment every party signs (tymdocs amend)"
        )
    _valid(root)
    annexes = _annex_parts(ctx, ctx.changed)
    for number in sorted(annexes):
        rule = ctx.meta.policy.rule(number)
        if rule.record != "notice":
            raise RefusedError(_wrong_record(number, rule.record, "a notice"))
    attachments, files = _attachment(attach, day, f"ilmoitus-{party}")
    _new_paths(ctx, files)
    record = Record(
        kind="notice",
        agreement=ctx.meta.id,
        date=day,
        version=latest.number + 1,
        effective=start,
        party=party,
        parts=tuple(annex_part(n) for n in sorted(annexes)),
        attachments=attachments,
    )
    return Plan(record, record.message(message), ctx.changed, files, _sign(ctx))


def _party(meta: Metadata, party: str) -> None:
    if all(p.id != party for p in meta.parties):
        known = ", ".join(p.id for p in meta.parties)
        raise RefusedError(f"--party {party!r} is not a party of the agreement ({known})")


def plan_termination(
    root: Path, *, party: str, date: str, message: str, today: dt.date | None = None
) -> Plan:
    """A party's written notice of termination; the agreement ends the policy's months later."""
    ctx = _context(root)
    ctx.need_version_one()
    _party(ctx.meta, party)
    day, _ = _dates(date, None, today or dt.date.today())
    earlier = ctx.history.termination()
    if earlier is not None and earlier.record.ends is not None:
        raise RefusedError(
            f"the agreement is already terminated (commit {earlier.commit[:12]}): it ends "
            f"on {format_date(earlier.record.ends)}"
        )
    months = ctx.meta.policy.termination_notice_months
    record = Record(
        kind="termination",
        agreement=ctx.meta.id,
        date=day,
        party=party,
        ends=governance.add_months(day, months),
    )
    return Plan(record, record.message(message), (), (), _sign(ctx))


def plan_amendment(
    root: Path,
    *,
    date: str,
    message: str,
    effective: str | None = None,
    today: dt.date | None = None,
) -> Plan:
    """A proposed amendment of the main text (and any annexes changed with it): a version
    that awaits every party's signature before it takes effect."""
    from tymdocs.checks import validate

    ctx = _context(root)
    latest = ctx.need_version_one()
    day, start = _dates(date, effective, today or dt.date.today())
    pending = ctx.history.pending_amendments()
    if pending:
        raise RefusedError(
            f"version {pending[0].number} (an amendment of "
            f"{format_date(pending[0].record.date)}) still awaits signatures: record them "
            "first (tymdocs amend --signed)"
        )
    ctx.no_unrecorded_commits()
    if not _main_text(ctx.changed):
        raise RefusedError(
            "nothing in the main text has changed: an amendment changes docs_src/ or "
            "tymdocs.yaml (annexes alone are recorded with tymdocs approve or notice)"
        )
    _valid(root)
    old = validate(GitTree(root, ctx.head)).agreement
    new = validate(WorkTree(root)).agreement
    assert new is not None
    parts = _main_parts(old, new) if old is not None else [MAIN_TEXT]
    parts += [annex_part(n) for n in sorted(_annex_parts(ctx, ctx.changed))]
    record = Record(
        kind="amendment",
        agreement=ctx.meta.id,
        date=day,
        version=latest.number + 1,
        effective=start,
        parts=tuple(parts),
    )
    return Plan(record, record.message(message), ctx.changed, (), _sign(ctx))


def _main_parts(old: Agreement, new: Agreement) -> list[str]:
    """Which sections (and the metadata) an amendment changes, compared as models."""
    before = {s.number: s for s in old.sections}
    after = {s.number: s for s in new.sections}
    parts = [
        governance.section_part(n)
        for n in sorted(before.keys() | after.keys())
        if before.get(n) != after.get(n)
    ]
    if old.meta != new.meta:
        parts.append(governance.METADATA)
    return parts or [MAIN_TEXT]


def plan_adoption(
    root: Path,
    *,
    message: str,
    date: str | None = None,
    copies: tuple[Path, ...] = (),
    keep: bool = False,
    trust: Trust | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Version 1: the agreement as adopted and signed, in force from ``effective_date``.

    Uncommitted changes to the sources are committed with it. With ``copies``, the signed
    copies are verified as fully signed first and their SHA-256 kept in the record.
    """
    ctx = _context(root)
    if ctx.history.versions():
        first = ctx.history.versions()[0]
        raise RefusedError(f"version 1 is already recorded (commit {first.commit[:12]})")
    _valid(root)
    meta = read_config(WorkTree(root))
    assert meta is not None
    effective = meta.effective_date
    day = _date(date, "--date") if date is not None else effective
    if day > (today or dt.date.today()):
        raise RefusedError(f"--date {format_date(day)} is in the future")
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
        if date is None:
            day = when
        tag = (f"{meta.id}-versio-1", ctx.head)
    record = Record(
        kind="adoption",
        agreement=meta.id,
        date=day,
        version=1,
        effective=effective,
        copies=signed,
    )
    _new_paths(ctx, files)
    return Plan(record, record.message(message), ctx.changed, files, _sign(ctx), tag)


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
    day = _date(date, "--date") if date is not None else when
    if day < version.record.date:
        raise RefusedError(
            f"signed on {format_date(day)}, before the amendment of "
            f"{format_date(version.record.date)}"
        )
    _new_paths(ctx, files)
    record = Record(
        kind="signatures",
        agreement=ctx.meta.id,
        date=day,
        version=version.number,
        copies=signed,
    )
    text = message or label("record_signed", number=version.number)
    tag = (f"{ctx.meta.id}-versio-{version.number}", version.commit)
    return Plan(record, record.message(text), (), files, _sign(ctx), tag)


def _claimed_commits(copies: Iterable[Path]) -> set[str]:
    """The commits the copies say they were built from (verified later, not trusted here)."""
    from tymdocs.verify import claims

    found = set()
    for path in copies:
        claim = claims(path.read_bytes()[: 4 * 1024 * 1024])
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
    their hashes, the files to keep, and the day the last signature was made."""
    from tymdocs.build import package_lookup
    from tymdocs.verify import verify_files

    trust = trust or Trust()
    report = verify_files(
        copies,
        package_lookup(root),
        trust_roots=trust.roots,
        require_trust=trust.required,
        signer_names=dict(trust.signer_names),
    )
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
    if report.fully_signed is not True:
        missing = tuple(
            Problem(copy.path, None, f"not signed: {', '.join(copy.missing)}", "error")
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
    when = local_date(max(times)) if times else dt.date.today()
    attachments = []
    files = []
    for path, copy in zip(copies, report.copies, strict=True):
        data = path.read_bytes()
        kept = f"{RECORDS_DIR}/versio-{number}/{_safe_name(path.name)}" if keep else None
        attachments.append(Attachment(kept, hashlib.sha256(data).hexdigest(), copy.party))
        if kept:
            files.append((kept, data))
    return tuple(attachments), tuple(files), when


def _sign(ctx: _Context) -> bool:
    return ctx.meta.policy.require_signed_records
