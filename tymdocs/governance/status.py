"""Where the agreement stands (``tymdocs status``): changes not yet recorded and the record
each needs, amendments awaiting signatures, and the deadlines of the sources and the register.

:func:`compute_status` is pure over what it is given; :func:`read_status` gathers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tymdocs import governance
from tymdocs.governance import History, cite, printable
from tymdocs.governance.history import End
from tymdocs.governance.rules import (
    MetaAt,
    Past,
    composition_text,
    extended,
    extensions_granted,
    objection_deadlines,
    record_needed,
    rule_for,
    term_end,
)
from tymdocs.locale import annex_ref, format_date, label, speaking
from tymdocs.locale import today as local_today
from tymdocs.model import Agreement, AppointmentAnnex, ChangeRule
from tymdocs.paths import is_main_text
from tymdocs.sources import GitTree, WorkTree, changed_annexes, changed_sources

if TYPE_CHECKING:
    from tymdocs.signing.round import Round
    from tymdocs.signing.signatures import Trust

SOON_DAYS = 60
"""A deadline this close is shown as coming up."""


@dataclass(frozen=True)
class Pending:
    """A change in the working tree and the record it needs."""

    part: str
    paths: tuple[str, ...]
    needs: str


@dataclass(frozen=True)
class Deadline:
    what: str
    due: dt.date
    basis: str
    """What the date is counted from."""
    overdue: bool
    days_left: int
    label: str
    """What is due, in the agreement's language, for documents and the overview."""
    grounds: str
    """``basis`` in the agreement's language: the record as the register cites it."""

    @property
    def state(self) -> str:
        if self.overdue:
            return "OVERDUE"
        if self.days_left < 0:
            return "passed"
        return "soon" if self.days_left <= SOON_DAYS else "ok"


@dataclass(frozen=True)
class Awaiting:
    """An amendment that is not in force until it is fully signed."""

    version: int
    date: dt.date
    commit: str
    signatories: tuple[str, ...]
    """Whose signatures are still missing, as the covers name them."""
    signed: str | None = None
    """With copies given that make it fully signed: the round's summary."""
    round: Round | None = None
    """With copies given: where its round stands, signatory by signatory."""


@dataclass(frozen=True)
class InForceNow:
    """The newest version in force today and the record that made it."""

    version: int
    since: dt.date
    commit: str
    kind: str
    record: str
    """The record as documents cite it: ``Johtoryhmä 15.9.2025 § 4``."""


@dataclass(frozen=True)
class Status:
    today: dt.date
    version: int | None
    pending: tuple[Pending, ...] = ()
    unrecorded: tuple[tuple[str, str], ...] = ()
    """(commit, subject) of commits that changed the agreement without a record."""
    awaiting: tuple[Awaiting, ...] = ()
    deadlines: tuple[Deadline, ...] = field(default=())
    ended: End | None = None
    """The agreement's end, once it has passed."""
    not_counted: tuple[tuple[str, str], ...] = ()
    """(copy, problem) for each copy given that did not verify: its signatures not counted."""
    in_force: InForceNow | None = None
    """The newest version in force today; None before version 1 or after the end."""

    @property
    def overdue(self) -> bool:
        """A deadline has passed with nothing done, or the agreement has ended."""
        return self.ended is not None or any(d.overdue for d in self.deadlines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "version": self.version,
            "pending": [
                {"part": p.part, "paths": list(p.paths), "needs": p.needs} for p in self.pending
            ],
            "unrecorded_commits": [{"commit": c, "subject": s} for c, s in self.unrecorded],
            "awaiting_signatures": [
                {
                    "version": a.version,
                    "date": a.date.isoformat(),
                    "commit": a.commit,
                    "missing": list(a.signatories),
                    "fully_signed": a.signed is not None,
                    "signatories": [s.as_dict() for s in a.round.seats] if a.round else [],
                    "keep": [c.path for c in a.round.keep] if a.round else [],
                }
                for a in self.awaiting
            ],
            "copies_not_counted": [
                {"copy": path, "problem": problem} for path, problem in self.not_counted
            ],
            "deadlines": [
                {
                    "what": d.what,
                    "due": d.due.isoformat(),
                    "basis": d.basis,
                    "state": d.state,
                    "days_left": d.days_left,
                    "label": d.label,
                    "grounds": d.grounds,
                }
                for d in self.deadlines
            ],
            "ended": (
                {"on": self.ended.day.isoformat(), "why": self.ended.why} if self.ended else None
            ),
            "overdue": self.overdue,
            "in_force": (
                {
                    "version": self.in_force.version,
                    "since": self.in_force.since.isoformat(),
                    "commit": self.in_force.commit,
                    "kind": self.in_force.kind,
                    "record": self.in_force.record,
                }
                if self.in_force
                else None
            ),
        }

    def text(self) -> str:
        lines = [
            f"latest recorded version: {self.version or 'none (tymdocs adopt records version 1)'}"
        ]
        if self.ended is not None:
            lines.append(f"ended on {format_date(self.ended.day)} {self.ended.why}")
        if self.pending:
            lines.append("changes not yet recorded:")
            lines += [f"  {p.part} ({', '.join(p.paths)}): needs {p.needs}" for p in self.pending]
        for commit, subject in self.unrecorded:
            lines.append(f"committed without a record: {commit[:12]} {printable(subject)}")
        for a in self.awaiting:
            amendment = f"version {a.version} (amendment {format_date(a.date)}, {a.commit[:12]})"
            if a.signed is not None:
                lines.append(
                    f"{amendment} is {a.signed} by the copies given: record them with "
                    "tymdocs amend --signed"
                )
            else:
                lines.append(f"{amendment} awaits signatures: {'; '.join(a.signatories)}")
            if a.round is not None:
                lines += [f"  {line}" for line in a.round.lines()]
        for path, problem in self.not_counted:
            lines.append(f"not counted: {path}: {problem}")
        if self.deadlines:
            lines.append("deadlines:")
            for d in self.deadlines:
                lines.append(f"  {d.state:8} {format_date(d.due):>10}  {d.what} (from {d.basis})")
        if not (self.pending or self.unrecorded or self.awaiting):
            lines.append("nothing waits to be recorded")
        return "\n".join(lines)


def compute_status(
    today: dt.date,
    agreement: Agreement,
    history: History,
    pending: tuple[Pending, ...],
    rounds: Mapping[int, Round],
    meta_at: MetaAt | None = None,
    in_force: Agreement | None = None,
    not_counted: tuple[tuple[str, str], ...] = (),
    copies: bool = False,
) -> Status:
    """The status on ``today`` of ``agreement`` (as committed) with its ``history``;
    ``meta_at`` reads the rules each version put in force (default: the committed ones), and
    the deadlines count the annexes of ``in_force`` (default: ``agreement``). With
    ``copies`` given, each amendment's round is shown signatory by signatory."""
    versions = history.versions()
    latest = max((v.number for v in versions), default=None)
    awaiting = tuple(
        _awaiting(v.number, v.record.date, v.commit, rounds.get(v.number), copies)
        for v in history.pending_amendments()
    )
    unrecorded = tuple((c.commit, c.subject) for c in history.unrecorded()) if versions else ()
    past = history.past
    rules = meta_at or (lambda _commit: agreement.meta)
    end = past.end(rules) if past.adoption else None
    return Status(
        today,
        latest,
        pending,
        unrecorded,
        awaiting,
        tuple(_deadlines(today, in_force or agreement, past, end, rules)),
        end if end is not None and end.day < today else None,
        not_counted,
        _in_force_now(history, today, end, agreement),
    )


def _in_force_now(
    history: History, today: dt.date, end: End | None, agreement: Agreement
) -> InForceNow | None:
    """The newest version in force on ``today`` by the register's rule (effective dates; an
    amendment once fully signed); None before version 1, after the end, or without one."""
    from tymdocs.errors import UsageError

    try:
        in_force = governance.in_force_on(history, today, end)
    except UsageError:
        return None
    newest = in_force.newest
    since = newest.in_force_from
    assert since is not None  # applied: in force on or before today
    names = {party.id: party.name for party in agreement.parties}
    record = newest.record
    return InForceNow(newest.number, since, newest.commit, record.kind, cite(record, names))


def _awaiting(
    version: int, date: dt.date, commit: str, found: Round | None, copies: bool
) -> Awaiting:
    """An amendment's round as status shows it: who is missing, or, fully signed, so said;
    with ``copies`` given, signatory by signatory."""
    if found is None:  # its sources do not validate: no round to show
        return Awaiting(version, date, commit, ())
    missing = tuple(seat.expected for seat in found.missing)
    signed = found.summary if found.fully_signed else None
    return Awaiting(version, date, commit, missing, signed, found if copies else None)


def _deadlines(
    today: dt.date, agreement: Agreement, past: Past, end: End | None, meta_at: MetaAt
) -> list[Deadline]:
    """The duties with their due dates and the dates the agreement states, by the rules in
    force today (an amendment awaiting signatures changes none); once the agreement has
    ended, no duty falls due after its last day."""
    ended = end is not None and end.day < today

    names = {party.id: party.name for party in agreement.parties}
    Basis = tuple[str, str]  # in English for status, and as the agreement's documents say it

    def duty(what: str, due: dt.date, basis: Basis, said: str) -> Deadline | None:
        if ended and end is not None and due > end.day:
            return None
        return Deadline(what, due, basis[0], today > due, (due - today).days, said, basis[1])

    def fact(what: str, due: dt.date, basis: Basis, said: str) -> Deadline:
        return Deadline(what, due, basis[0], False, (due - today).days, said, basis[1])

    in_metadata = ("tymdocs.yaml", label("metadata_ref"))

    rules = past.rules_on(today, meta_at) or agreement.meta
    found: list[Deadline | None] = []
    # A yearly review counts from the day version 1 takes effect: before the agreement is
    # adopted nothing is in force, so nothing falls due (a draft is never overdue).
    adopted = past.adoption is not None
    start = past.starts() or agreement.meta.effective_date
    for annex in agreement.annexes:
        rule = rules.policy.rule(annex.number)
        if not (adopted and rule.yearly_review):
            continue
        last = start
        basis = (
            f"version 1, {format_date(start)}",
            label("deadline_from_start", date=format_date(last)),
        )
        reviewed = past.reviews.get(annex.number)
        if reviewed is not None and reviewed.date >= last:
            last, basis = reviewed.date, (_described(reviewed, rule), cite(reviewed, names))
        due = governance.add_months(last, 12)
        part = annex_ref(annex.number)  # as the agreement names it
        what = f"yearly review of {part} ({annex.title})"
        said = label("deadline_review", number=annex.number, title=annex.title)
        found.append(duty(what, due, basis, said))
    group = rules.steering_group
    if group is not None:  # a date to know before adoption too, but no duty of a draft's
        due_or_fact = duty if adopted else fact
        appointed = group.appointed_on
        appointment = next((a for a in agreement.annexes if isinstance(a, AppointmentAnnex)), None)
        if appointment is not None and appointment.decision.date > appointed:
            appointed = appointment.decision.date
        found.append(
            due_or_fact(
                f"the steering group's {group.term_years}-year term ends",
                term_end(appointed, 12 * group.term_years),
                (
                    f"appointed {format_date(appointed)}",
                    label("deadline_from_appointment", date=format_date(appointed)),
                ),
                label("deadline_term", years=group.term_years),
            )
        )
    notice = past.terminated()
    if notice is not None and notice.ends is not None:
        basis = f"notice {format_date(notice.date)} by {notice.party}", cite(notice, names)
        what, said = "the agreement ends after a termination notice", label("deadline_notice")
        found.append(fact(what, notice.ends, basis, said))
    meta = past.validity(meta_at) or agreement.meta
    extension = meta.extension
    if meta.valid_until is not None and extension is not None and notice is None:
        objections = past.objections_against(meta, meta_at)
        if extensions_granted(extension, objections):
            what, said = "the agreement's first term ends", label("deadline_first_term")
            found.append(fact(what, meta.valid_until, in_metadata, said))
        coming = [(k, d) for k, d in enumerate(objection_deadlines(extension), 1) if d >= today]
        if not objections and coming:  # the next one: once it passes, that extension runs
            k, last = coming[0]
            until = format_date(extended(meta.valid_until, extension, k))
            what = f"last day to object to extension {k} (without an objection the agreement "
            said = label("deadline_objection", number=k, until=until)
            basis = "tymdocs.yaml, extension", in_metadata[1]
            found.append(fact(what + f"runs until {until})", last, basis, said))
    if end is not None and (notice is None or notice.ends != end.day):
        said = label("deadline_end")
        basis = "the register", label("deadline_from_register")
        found.append(fact(f"the agreement ends {end.why}", end.day, basis, said))
    return sorted((d for d in found if d is not None), key=lambda d: d.due)


def _described(record: governance.Record, rule: ChangeRule) -> str:
    by = record.body or record.party or rule.body or ""
    return f"{record.kind} {by} {format_date(record.date)}".replace("  ", " ")


def pending_changes(root: Path, committed: GitTree, agreement: Agreement) -> tuple[Pending, ...]:
    """Working-tree changes of the sources, by part, with the record each needs."""
    changed = changed_sources(root, committed)
    main = tuple(p for p in changed if is_main_text(p))
    found = []
    if main:
        found.append(Pending("main text", main, record_needed(agreement.meta.policy.main_text)))
    annexes = changed_annexes(committed, WorkTree(root), changed)
    policy = agreement.meta.policy
    own_text: frozenset[int] = frozenset()
    if any(policy.rule(number).record == "notice" for number in annexes):
        from tymdocs.checks import validate

        own_text = composition_text(agreement, validate(WorkTree(root)).agreement)
    for number, paths in sorted(annexes.items()):
        rule = rule_for(policy, number, number in own_text)
        found.append(Pending(annex_ref(number), tuple(paths), record_needed(rule)))
    return tuple(found)


def read_status(
    root: Path,
    today: dt.date | None = None,
    copies: tuple[Path, ...] = (),
    trust: Trust | None = None,
) -> Status:
    """The status of the agreement at ``root``; ``copies`` are signed copies returned so far,
    verified (with ``trust``) to see who has signed."""
    from tymdocs.checks import validate
    from tymdocs.errors import SourceError
    from tymdocs.revision import meta_reader, open_history

    meta, history = open_history(root)
    with speaking(meta.language):  # who is to sign, as the packages name them
        committed = GitTree(root, history.commits[0].commit)
        loaded = validate(committed)
        if loaded.agreement is None:
            raise SourceError(loaded.problems)
        report = None
        if copies:
            from tymdocs.signing.verify import verify_copies

            report = verify_copies(root, copies, trust)
        rounds: dict[int, Round] = {}
        for version in history.pending_amendments():
            proposed = validate(GitTree(root, version.commit)).agreement
            if proposed is not None:
                found = report.rounds.get(version.commit) if report else None
                rounds[version.number] = found or unsigned(proposed)
        not_counted = tuple(
            (copy.path, problem)
            for copy in (report.copies if report else ())
            if not copy.ok
            for problem in copy.failures
        )
        day = today or local_today()
        return compute_status(
            day,
            loaded.agreement,
            history,
            pending_changes(root, committed, loaded.agreement),
            rounds,
            meta_reader(root),
            _in_force(root, history, day),
            not_counted,
            bool(copies),
        )


def _in_force(root: Path, history: History, day: dt.date) -> Agreement | None:
    """The agreement in force on ``day``, where it is not HEAD's (a version awaiting
    signatures or not yet in force): the annexes whose deadlines count are those in force."""
    from tymdocs.checks import validate
    from tymdocs.errors import UsageError
    from tymdocs.revision import open_source

    withdrawn = history.withdrawn()
    if all(
        (start := v.in_force_from) is not None and start <= day
        for v in history.versions()
        if v.number not in withdrawn
    ):
        return None
    try:
        source = open_source(root, None, day)
    except UsageError:
        return None  # before version 1 or after the end: HEAD's annexes
    return validate(source.tree).agreement


def unsigned(agreement: Agreement) -> Round:
    """The signing round of a version no copy of which has come back."""
    from tymdocs.signing.round import decide, seats

    return decide(agreement.meta.policy.signing, seats(agreement), ())
