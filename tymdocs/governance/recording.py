"""Recording governance: version 1, decisions, reviews, notices, terminations, objections,
amendments, their signatures and withdrawals, each as one commit whose trailers say which rule
allowed it.

Each ``plan_*`` function reads the repository, makes the record the command asks for, and
either returns the :class:`Plan` of one commit or refuses with :class:`RefusedError`, having
changed nothing. What a record may be is decided by :mod:`~tymdocs.governance.rules` alone, as
``check --governance`` decides it; beyond the rules a command refuses only what it cannot record
(sources with errors, an earlier commit without its record, a repository mid-merge).
:func:`carry_out` makes the commit. Only the files a record covers are committed; any other
work in the tree, staged or not, stays exactly as it was.

While an amendment awaits signatures, nothing else that makes a version is recorded: a
decision on top of it would carry text no party has signed into a version, under rules no
party has agreed to. Sign it (``amend --signed``) or withdraw it (``amend --withdraw``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tymdocs import git, governance, placeholders
from tymdocs.characters import hidden_character, printable
from tymdocs.errors import Problem, RefusedError
from tymdocs.governance import (
    MAIN_TEXT,
    VERSIONED,
    Attachment,
    History,
    Record,
    annex_part,
    parse_record,
)
from tymdocs.governance.rules import (
    MetaAt,
    Past,
    Step,
    breaches,
    composition_rows,
    composition_text,
    restored_from,
    termination_end,
)
from tymdocs.locale import (
    DEFAULT_LANGUAGE,
    format_date,
    label,
    local_date,
    parse_date,
    speaking,
    today,
)
from tymdocs.model import Agreement, Metadata
from tymdocs.paths import RECORDS_DIR, is_main_text
from tymdocs.revision import meta_reader, read_config
from tymdocs.sources import (
    GitTree,
    WorkTree,
    annex_numbers,
    changed_annexes,
    changed_sources,
    working_blobs,
)

if TYPE_CHECKING:
    from tymdocs.signing.signatures import Trust

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
    agreement_id: str
    history: History
    meta_at: MetaAt
    current: dict[str, str]
    """The blob id of every source file in the working tree."""
    changed: tuple[str, ...]
    """Source paths whose working-tree content differs from HEAD."""
    language: str = DEFAULT_LANGUAGE
    """The agreement's, as HEAD has it: of the messages tymdocs writes for a record."""

    @property
    def past(self) -> Past:
        """What the register so far establishes, for the rules."""
        return self.history.past

    @cached_property
    def annexes(self) -> dict[int, list[str]]:
        """The annexes the changed sources hold in HEAD or in the working tree: number ->
        paths (read once: each file is parsed for its number)."""
        return changed_annexes(self.committed, WorkTree(self.root), self.changed)

    @property
    def annex_parts(self) -> tuple[str, ...]:
        return tuple(annex_part(n) for n in sorted(self.annexes))

    def rules_on(self, day: dt.date) -> Metadata:
        """``tymdocs.yaml`` as the version in force on ``day`` has it."""
        meta = self.past.rules_on(day, self.meta_at)
        if meta is not None:
            return meta
        main = self.past.main_on(day)
        if main is None:
            raise RefusedError(
                "no version 1 is recorded: record the agreement as adopted first (tymdocs adopt)"
            )
        raise RefusedError(
            f"tymdocs.yaml of version {main.record.version}, in force on {format_date(day)}, "
            f"does not read: see tymdocs check --ref {main.commit[:12]}"
        )

    def no_unrecorded_commits(self) -> None:
        """A record covers the working tree's changes; an earlier commit without its record
        would slip into the new version unrecorded."""
        unrecorded = self.history.unrecorded()
        if unrecorded:
            first = unrecorded[-1]
            if self.history.undone_by_reset(first.commit):
                advice = (
                    f"undo it and keep its changes (git reset --soft {first.parents[0][:12]}), "
                    "then record them"
                )
            else:  # a reset would take records or a merge back with it
                advice = (
                    "records or merges came after it, so it cannot be undone without "
                    "rewriting the history since: ask whoever keeps the register "
                    "(tymdocs check --governance lists every commit that lacks its record)"
                )
            raise RefusedError(
                f"commit {first.commit[:12]} ({printable(first.subject)}) changed the "
                f"agreement without a record: {advice}"
            )

    def judge(self, step: Step, hint: str = "") -> None:
        """Refuse ``step`` when it breaks a rule of the agreement (the first one found),
        exactly as ``check --governance`` would report it committed by hand."""
        found = breaches(step, self.past, self.meta_at)
        if found:
            extra = f": {hint}" if hint and found[0].rule == "no-change" else ""
            raise RefusedError(found[0].message + extra)

    def step(self, record: Record, **what: Any) -> Step:
        """The step of ``record``, with the problems git would find in its trailers and, for
        a record that makes a version of the working tree's sources, their placeholders."""
        _, problems = parse_record(record.trailers())
        found = placeholders.find(WorkTree(self.root)) if record.kind in VERSIONED else ()
        return Step(
            record,
            today(),
            problems=tuple(problems),
            placeholders=tuple(f"{p.path}:{p.line} {p.text}" for p in found),
            **what,
        )

    def plan(
        self,
        record: Record,
        text: str,
        paths: tuple[str, ...] = (),
        files: tuple[tuple[str, bytes], ...] = (),
        tag: tuple[str, str] | None = None,
        sign: bool | None = None,
    ) -> Plan:
        """The plan of ``record``, once its message, new files and tag are known to be safe;
        signed when the rules in force on its date require signed records."""
        message = _message(self.root, record, text)
        for path, _ in files:
            _new_file(self.root, path)
        if tag is not None and git.tag_exists(self.root, tag[0]):
            raise RefusedError(f"the tag {tag[0]} already exists: a tag is never moved")
        if sign is None:
            sign = self.rules_on(record.date).policy.require_signed_records
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
    recovered = git.recover(root, state)
    if recovered is not None:  # what was made stands; nothing new before the user has seen it
        raise RefusedError(f"{recovered}: see tymdocs log, then run the command again if needed")
    return state


def _context(root: Path) -> _Context:
    state = _state(root)
    assert state.head is not None
    committed = GitTree(root, state.head)
    meta = read_config(committed)
    if meta is None:
        raise RefusedError("tymdocs.yaml as committed does not read cleanly: run tymdocs check")
    history = governance.read_history(root, meta.id, state.head, shallow=state.shallow)
    current = working_blobs(root)
    changed = tuple(changed_sources(root, committed, current))
    return _Context(
        root,
        state.head,
        committed,
        meta.id,
        history,
        meta_reader(root),
        current,
        changed,
        meta.language,
    )


def _message(root: Path, record: Record, text: str) -> str:
    """The commit message, proven to carry exactly the record's trailers as git reads them."""
    text = text.replace("\r\n", "\n")  # as a Windows editor saves it
    if not text.strip():
        raise RefusedError("-m is empty: say in a few words what was decided")
    hidden = hidden_character(text, allowed="\n\t")
    if hidden is not None:
        raise RefusedError(f"-m holds {hidden}, which a register shows as nothing: remove it")
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


def _dates(date: str, effective: str | None = None) -> tuple[dt.date, dt.date]:
    """``--date`` and ``--effective``, which defaults to it."""
    day = _date(date, "--date")
    return day, _date(effective, "--effective") if effective is not None else day


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


def _attachment(
    source: Path | None, day: dt.date, name: str
) -> tuple[tuple[Attachment, ...], tuple[tuple[str, bytes], ...]]:
    """A minutes extract stored under ``records/`` with its SHA-256."""
    if source is None:
        return (), ()
    data = _regular_file(source)
    path = f"{RECORDS_DIR}/{day.isoformat()}-{_slug(name)}/{_safe_name(source.name)}"
    return (Attachment(path, hashlib.sha256(data).hexdigest()),), ((path, data),)


MAX_ATTACHMENT = 64 * 1024 * 1024
"""The largest file a record stores: a minutes extract or a signed copy is far smaller."""


def _regular_file(source: Path) -> bytes:
    """The bytes of a regular file, read with a bound: never a FIFO, a device or a folder."""
    try:
        with open(source, "rb", opener=_no_block) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise RefusedError(f"{source} is not a regular file: attach a file")
            data = handle.read(MAX_ATTACHMENT + 1)
    except OSError as exc:
        raise RefusedError(f"cannot read {source}: {exc.strerror}") from None
    if len(data) > MAX_ATTACHMENT:
        raise RefusedError(f"{source} is larger than {MAX_ATTACHMENT // 2**20} MiB")
    return data


def _no_block(path: str, flags: int) -> int:
    """Open without waiting for a writer: a FIFO is refused, not waited on."""
    return os.open(path, flags | os.O_NONBLOCK)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "record"


def _safe_name(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    return _slug(stem) + (f".{_slug(suffix)}" if suffix else "")


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
    far_future: bool = False,
) -> Plan:
    """A decision over the current changes to the annexes it governs, or (``review``) a yearly
    review that changes nothing."""
    ctx = _context(root)
    day, start = _dates(date, effective)
    body_name = _single_line(body, "--body") or ""
    case = _single_line(case, "--case")
    if section <= 0:
        raise RefusedError(f"--section {section}: a § number is positive")
    meta = ctx.rules_on(day)
    if review is not None:
        rule = meta.policy.rule(review)
        canonical = rule.body if governance.same_body(body_name, rule.body) else body_name
        attachments, files = _attachment(attach, day, f"{canonical}-{section}")
        record = Record(
            kind="review",
            agreement=ctx.agreement_id,
            date=day,
            body=canonical,
            section=section,
            case=case,
            review=review,
            attachments=attachments,
        )
        # An empty commit; a change of the annex waiting in the working tree would make the
        # review one of a text nobody has decided on.
        changes = _changes(ctx) | {"paths": ()}
        ctx.judge(ctx.step(record, **changes))
        return ctx.plan(record, message, (), files)
    ctx.no_unrecorded_commits()
    if ctx.changed and not any(is_main_text(path) for path in ctx.changed):
        _valid(root)
    canonical = next(
        (
            rule.body
            for rule in map(meta.policy.rule, sorted(ctx.annexes))
            if rule.body and governance.same_body(body_name, rule.body)
        ),
        body_name,
    )
    attachments, files = _attachment(attach, day, f"{canonical}-{section}")
    record = Record(
        kind="decision",
        agreement=ctx.agreement_id,
        date=day,
        version=ctx.past.last_version + 1,
        effective=start,
        body=canonical,
        section=section,
        case=case,
        parts=ctx.annex_parts,
        attachments=attachments,
    )
    rows, own_text = _composition(ctx, root, "decision", meta)
    step = ctx.step(
        record, far_future=far_future, rows=rows, composition_text=own_text, **_changes(ctx)
    )
    ctx.judge(step, "edit an annex first, or record a yearly review with --review N")
    return ctx.plan(record, message, ctx.changed, files)


def _composition(
    ctx: _Context, root: Path, kind: str, meta: Metadata
) -> tuple[frozenset[str], frozenset[int]]:
    """The parties whose composition rows the working tree changes, and the composition
    annexes whose own text it changes, as the audit reads them: for a notice, or a decision
    over an annex that changes by notice."""
    from tymdocs.checks import validate

    if not ctx.changed or any(is_main_text(path) for path in ctx.changed):
        return frozenset(), frozenset()
    by_notice = any(meta.policy.rule(number).record == "notice" for number in ctx.annexes)
    if kind != "notice" and not by_notice:
        return frozenset(), frozenset()
    old, new = validate(ctx.committed).agreement, _valid(root)
    return composition_rows(old, new), composition_text(old, new)


def _changes(ctx: _Context) -> dict[str, Any]:
    """What the working tree changes against HEAD, as a step names it."""
    return {
        "paths": ctx.changed,
        "annexes": {number: paths[0] for number, paths in ctx.annexes.items()},
        "existing": frozenset(annex_numbers(ctx.committed)),
    }


def plan_notice(
    root: Path,
    *,
    party: str,
    date: str,
    message: str,
    effective: str | None = None,
    attach: Path | None = None,
    far_future: bool = False,
) -> Plan:
    """An organisation's notice over the current changes to the annexes notices govern: of
    the composition, only the rows of the notifying party."""

    ctx = _context(root)
    day, start = _dates(date, effective)
    meta = ctx.rules_on(day)
    ctx.no_unrecorded_commits()
    rows, own_text = _composition(ctx, root, "notice", meta)
    attachments, files = _attachment(attach, day, f"ilmoitus-{party}")
    record = Record(
        kind="notice",
        agreement=ctx.agreement_id,
        date=day,
        version=ctx.past.last_version + 1,
        effective=start,
        party=party,
        parts=ctx.annex_parts,
        attachments=attachments,
    )
    step = ctx.step(
        record, far_future=far_future, rows=rows, composition_text=own_text, **_changes(ctx)
    )
    ctx.judge(step, "edit the composition annex first")
    return ctx.plan(record, message, ctx.changed, files)


def plan_termination(root: Path, *, party: str, date: str, message: str) -> Plan:
    """A party's written notice of termination; the agreement ends after the notice period
    in force on the day of the notice."""
    ctx = _context(root)
    day, _ = _dates(date)
    record = Record(
        kind="termination",
        agreement=ctx.agreement_id,
        date=day,
        party=party,
        ends=termination_end(day, ctx.rules_on(day)),
    )
    ctx.judge(ctx.step(record))
    return ctx.plan(record, message)


def plan_objection(root: Path, *, party: str, date: str, message: str) -> Plan:
    """A party's written objection to the extension of a fixed term: the agreement then ends
    with the term (or the extension) that runs."""
    ctx = _context(root)
    day, _ = _dates(date)
    ctx.rules_on(day)
    record = Record(kind="objection", agreement=ctx.agreement_id, date=day, party=party)
    ctx.judge(ctx.step(record))
    return ctx.plan(record, message)


# -- amendments ---------------------------------------------------------------------------------


def plan_amendment(
    root: Path,
    *,
    date: str,
    message: str,
    effective: str | None = None,
    far_future: bool = False,
) -> Plan:
    """A proposed amendment of the main text (and any annexes changed with it): a version
    that awaits every party's signature before it takes effect."""
    from tymdocs.checks import validate

    ctx = _context(root)
    day, start = _dates(date, effective)
    ctx.rules_on(day)
    ctx.no_unrecorded_commits()
    parts: list[str] = []
    main_parts = None
    proposed = None
    if any(is_main_text(path) for path in ctx.changed):
        new = _valid(root)
        proposed = new.meta
        old = validate(ctx.committed).agreement
        main_parts = tuple(governance.main_parts(old, new)) if old is not None else None
        parts = list(main_parts or (MAIN_TEXT,))
    parts += ctx.annex_parts
    record = Record(
        kind="amendment",
        agreement=ctx.agreement_id,
        date=day,
        version=ctx.past.last_version + 1,
        effective=start,
        parts=tuple(parts),
    )
    step = ctx.step(
        record, far_future=far_future, main_parts=main_parts, meta=proposed, **_changes(ctx)
    )
    ctx.judge(step)
    return ctx.plan(record, message, ctx.changed)


def plan_withdrawal(root: Path, *, date: str, message: str) -> Plan:
    """Take back the amendment that awaits signatures: the sources go back to what they were
    before it (restore them first, for example ``git checkout <commit>~1 -- docs_src``), and
    that makes the next version, in force from ``date``."""
    ctx = _context(root)
    if not ctx.past.pending:
        raise RefusedError("no amendment awaits signatures: there is nothing to withdraw")
    amendment = ctx.past.pending[max(ctx.past.pending)]
    day, _ = _dates(date)
    before = ctx.history.parent(amendment.commit)
    if before is None:
        raise RefusedError(
            f"version {amendment.record.version} has no earlier commit to go back to"
        )
    restores = not changed_sources(root, GitTree(root, before), ctx.current)
    parts, number = amendment.record.parts, amendment.record.version or 0
    record = Record(
        kind="withdrawal",
        agreement=ctx.agreement_id,
        date=day,
        version=ctx.past.last_version + 1,
        effective=restored_from(ctx.past, parts, number, day),
        parts=parts,
        withdraws=number,
    )
    ctx.judge(ctx.step(record, restores=restores, **_changes(ctx)))
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

    Uncommitted changes to the sources are committed with it. With ``copies``, the signed
    copies are verified as making the version fully signed first (:func:`_verified`) and
    their SHA-256 kept in the record.
    """
    ctx = _context(root)
    if ctx.past.adoption is not None:
        first = ctx.past.adoption.commit
        raise RefusedError(f"version 1 is already recorded (commit {first[:12]})")
    agreement = _valid(root)
    effective = agreement.meta.effective_date
    day = _dates(date)[0] if date is not None else min(effective, today())
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
    ctx.judge(ctx.step(record, **_changes(ctx)))
    sign = agreement.meta.policy.require_signed_records
    return ctx.plan(record, message, ctx.changed, files, tag, sign)


def plan_signatures(
    root: Path,
    *,
    copies: tuple[Path, ...],
    keep: bool = False,
    date: str | None = None,
    message: str | None = None,
    trust: Trust | None = None,
) -> Plan:
    """Signatures that put a pending amendment in force: the copies verified as making it
    fully signed (:func:`_verified`), their SHA-256 recorded, the version tagged."""
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
    day = _dates(date)[0] if date is not None else when
    record = Record(
        kind="signatures",
        agreement=ctx.agreement_id,
        date=day,
        version=version.number,
        copies=signed,
    )
    ctx.judge(ctx.step(record))
    with speaking(ctx.language):
        text = message or label("record_signed", number=version.number)
    tag = (f"{ctx.agreement_id}-versio-{version.number}", version.commit)
    return ctx.plan(record, text, (), files, tag)


def _claimed_commits(copies: tuple[Path, ...]) -> set[str]:
    """The commits the copies say they were built from (verified later, not trusted here)."""
    from tymdocs.signing.originals import claims

    found = set()
    for path in copies:
        claim = claims(_regular_file(path)[: 4 * 1024 * 1024])
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
    """Verify ``copies`` as the signed copies of the version at ``commit``, fully signed as
    its ``change_rules.signing`` wants (:func:`tymdocs.signing.round.decide`): their hashes,
    the originals to keep, and the day of the last signature the round counts."""
    from tymdocs.signing.verify import verify_copies

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
    found = report.round
    assert found is not None  # every copy verified, all of one commit
    if not found.fully_signed:
        raise RefusedError(
            f"version {number} is not fully signed ({found.mode}): {found.missing_text}"
        )
    when = local_date(found.last_signed) if found.last_signed else today()
    kept = {c.path for c in found.keep} if keep else set()
    names: list[str] = []
    attachments = []
    files = []
    for copy in report.copies:
        if copy.duplicate_of is not None:  # the same bytes as a copy before it
            continue
        assert copy.sha256 is not None  # verified: its bytes were read
        stored = None
        if copy.path in kept:
            stored = f"{RECORDS_DIR}/versio-{number}/{_kept_name(copy.party, names)}"
            data = _regular_file(Path(copy.path))
            if hashlib.sha256(data).hexdigest() != copy.sha256:
                raise RefusedError(f"{copy.path} changed while it was verified: nothing recorded")
            files.append((stored, data))
        attachments.append(Attachment(stored, copy.sha256, copy.party))
    return tuple(attachments), tuple(files), when


COMMON_COPY = "_kaikki"
"""The name the register keeps the one copy for everyone under (``_kaikki.pdf``): no party's
id starts with "_", so it never takes a party's name."""


def _kept_name(party: str | None, taken: list[str]) -> str:
    """``kela.pdf``, a party's second copy ``kela-2.pdf``; the copy for everyone
    ``_kaikki.pdf``."""
    stem = party or COMMON_COPY
    name = f"{stem}.pdf"
    number = 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}.pdf"
    taken.append(name)
    return name
