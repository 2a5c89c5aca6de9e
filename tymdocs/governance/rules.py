"""The agreement's rules, each in one place: pure functions of the register so far
(:class:`Past`), one :class:`Step` (a record a command is about to make, or a commit under
audit) and the rules in force on the record's date, yielding each :class:`Breach`.

The record commands refuse with the first breach; ``check --governance`` reports them all.
Neither has a rule of its own: what differs between them is only how each finds the step (the
working tree against HEAD, or a commit against its parent) and which day is "now" (today, or
the day of the commit).

The rules in force on a date are ``tymdocs.yaml`` as the version in force on that date has it:
a signed amendment counts from the day it takes effect, a pending one not at all, and neither
HEAD nor the working tree says anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import assert_never

from tymdocs.governance.history import End, Entry, add_months, changes_main, in_force_from
from tymdocs.governance.records import (
    MAIN_TEXT,
    VERSIONED,
    Record,
    annex_part,
    body_key,
    hidden_fields,
    is_main_part,
    same_body,
)
from tymdocs.locale import annex_ref, format_date, speaking, spoken
from tymdocs.model import (
    Agreement,
    ChangeRule,
    CompositionAnnex,
    Extension,
    Metadata,
    Policy,
)
from tymdocs.paths import is_main_text

FAR_FUTURE_YEARS = 5
"""An effective date further than this after the decision is taken for a typing error unless
the command is told otherwise (``--far-future``)."""

MetaAt = Callable[[str], Metadata | None]
"""``tymdocs.yaml`` as a version's commit has it (None where it does not read)."""


@dataclass(frozen=True)
class Breach:
    """One rule a step breaks: the rule's name, the same whichever command found it."""

    rule: str
    message: str


# -- dates the agreement states -----------------------------------------------------------------


def term_end(start: dt.date, months: int) -> dt.date:
    """The last day of a term of ``months`` from ``start``: the day before the same day
    ``months`` later (five years from 1.2.2025 end on 31.1.2030), or that month's last day
    where it has no such day (a month from 31.1.2025 ends on 28.2.2025)."""
    anniversary = add_months(start, months)
    if anniversary == dt.date.max or anniversary.day != start.day:
        return anniversary
    return anniversary - dt.timedelta(days=1)


def extended(valid_until: dt.date, extension: Extension, times: int) -> dt.date:
    """``valid_until`` after ``times`` extensions: each runs from the day after the last."""
    last = valid_until
    for _ in range(times):
        if last == dt.date.max:
            break
        last = term_end(last + dt.timedelta(days=1), extension.months)
    return last


def objection_deadlines(extension: Extension) -> tuple[dt.date, ...]:
    """The last day to object to each extension, the first as the text gives it."""
    return tuple(
        add_months(extension.objection_by, extension.months * k) for k in range(extension.times)
    )


def extensions_granted(extension: Extension, objections: list[Record]) -> int:
    """How many extensions run: all of them, unless a party objected before one began."""
    deadlines = objection_deadlines(extension)
    for objection in sorted(objections, key=lambda r: r.date):
        for k, last in enumerate(deadlines):
            if objection.date <= last:
                return k
    return extension.times


def termination_end(notice: dt.date, meta: Metadata) -> dt.date:
    """The last day after a notice of termination given on ``notice``, by the notice period
    in force that day."""
    return add_months(notice, meta.policy.termination_notice_months)


def agreement_end(
    meta: Metadata | None, termination: Record | None, objections: list[Record]
) -> End | None:
    """When the agreement ends, by its term (with the extensions no party objected to) or
    a termination notice, whichever comes first; None while it is in force until further
    notice."""
    ends = []
    if termination is not None and termination.ends is not None:
        ends.append(End(termination.ends, "after a termination notice"))
    if meta is not None and meta.valid_until is not None:
        extension = meta.extension
        if extension is None:
            ends.append(End(meta.valid_until, "by its own term"))
        else:
            granted = extensions_granted(extension, objections)
            if granted == extension.times:
                why = "by its term, extended"
            elif granted == 0:
                why = "by its own term, after an objection to its extension"
            else:
                why = "by its term, extended until an objection to a further extension"
            ends.append(End(extended(meta.valid_until, extension, granted), why))
    return min(ends, key=lambda e: e.day, default=None)


def is_steering_group(body: str | None, policy: Policy) -> bool:
    """Whether ``body`` is the steering group: a deciding body of the agreement that belongs
    to no single party (a party's own body, as the appointing one, names its party)."""
    rules = [policy.default, *(rule for _, rule in policy.annexes)]
    return any(r.party is None and same_body(r.body, body) for r in rules)


# -- the register so far ----------------------------------------------------------------------


class Past:
    """What the records before a step establish, folded one record at a time (:meth:`add`)
    in the order they were committed."""

    def __init__(self) -> None:
        self.last_version = 0
        self.adoption: Entry | None = None
        self.pending: dict[int, Entry] = {}
        """Amendments awaiting signatures."""
        self.signed: dict[int, Entry] = {}
        self.withdrawn: set[int] = set()
        self.mains: list[Entry] = []
        """Versions that made or changed the main text, oldest first."""
        self.changes: dict[str, list[tuple[int, dt.date]]] = {}
        """Per part, (version, effective date) of each change recorded."""
        self.decisions: dict[str, Record] = {}
        """The latest-dated decision or review of each body."""
        self.cited: dict[tuple[str, dt.date, int | None], str] = {}
        self.termination: Entry | None = None
        self.objections: list[Record] = []
        self.reviews: dict[int, Record] = {}
        """The last yearly review of each annex, or change in force of it."""

    @classmethod
    def of(cls, entries: list[Entry] | tuple[Entry, ...]) -> Past:
        past = cls()
        for entry in entries:
            past.add(entry)
        return past

    def add(self, entry: Entry) -> None:
        """What ``entry`` establishes for the records after it."""
        record = entry.record
        if record.kind in VERSIONED and record.version:
            self.last_version = max(self.last_version, record.version)
            if changes_main(record) and (record.kind != "adoption" or self.adoption is None):
                self.mains.append(entry)
        match record.kind:
            case "adoption":
                if self.adoption is None:
                    self.adoption = entry
            case "decision" | "notice":
                self._changed(record)
                self._cite(record, entry.commit)
            case "review":
                self._cite(record, entry.commit)
                if record.review is not None:
                    self._reviewed(record.review, record)
            case "amendment":
                if record.version:
                    self.pending[record.version] = entry
                self._changed(record, review=False)
            case "signatures":
                amendment = self.pending.pop(record.version or 0, None)
                if amendment is not None:
                    number = amendment.record.version or 0
                    self.signed[number] = entry
                    self._annexes_reviewed(amendment.record, record.date)
                    for part, changes in self.changes.items():  # in force once signed
                        self.changes[part] = [
                            (v, max(day, record.date) if v == number else day) for v, day in changes
                        ]
            case "withdrawal":
                if record.withdraws in self.pending:
                    self.pending.pop(record.withdraws)
                    self.withdrawn.add(record.withdraws)
                    for part, changes in self.changes.items():
                        self.changes[part] = [c for c in changes if c[0] != record.withdraws]
                    self._changed(record, review=False)
            case "termination":
                if self.termination is None and record.ends is not None:
                    self.termination = entry
            case "objection":
                self.objections.append(record)
            case _:
                assert_never(record.kind)

    def _changed(self, record: Record, review: bool = True) -> None:
        for part in {_ordered_as(p) for p in record.parts}:
            self.changes.setdefault(part, []).append(
                (record.version or 0, record.effective or record.date)
            )
        if review:
            self._annexes_reviewed(record, record.date)

    def _annexes_reviewed(self, record: Record, day: dt.date) -> None:
        """A change in force of an annex is a review of it, on the day it was decided."""
        for part in record.parts:
            if part.startswith("annex-") and part[6:].isdigit():
                self._reviewed(
                    int(part[6:]), record if record.date == day else replace(record, date=day)
                )

    def _reviewed(self, annex: int, record: Record) -> None:
        last = self.reviews.get(annex)
        if last is None or record.date >= last.date:
            self.reviews[annex] = record

    def _cite(self, record: Record, commit: str) -> None:
        if record.body:
            key = body_key(record.body)
            self.cited.setdefault((key, record.date, record.section), commit)
            latest = self.decisions.get(key)
            if latest is None or record.date >= latest.date:
                self.decisions[key] = record

    # -- what is in force ---------------------------------------------------------------------

    def in_force_from(self, entry: Entry) -> dt.date | None:
        signed = self.signed.get(entry.record.version or 0)
        return in_force_from(entry.record, signed.record if signed else None)

    def main_on(self, day: dt.date) -> Entry | None:
        """The version whose main text (and ``tymdocs.yaml``) is in force on ``day``;
        version 1 before it takes effect."""
        for entry in reversed(self.mains):
            start = self.in_force_from(entry)
            if start is not None and start <= day:
                return entry
        return self.adoption

    def latest_main(self) -> Entry | None:
        """The newest version of the main text in force on any day: the term as agreed."""
        return next((e for e in reversed(self.mains) if self.in_force_from(e)), None)

    def rules_on(self, day: dt.date, meta_at: MetaAt) -> Metadata | None:
        main = self.main_on(day)
        return meta_at(main.commit) if main is not None else None

    def terminated(self) -> Record | None:
        return self.termination.record if self.termination else None

    def validity(self, meta_at: MetaAt) -> Metadata | None:
        """The term as last agreed: ``tymdocs.yaml`` of the newest version of the main text
        in force on any day."""
        latest = self.latest_main()
        return meta_at(latest.commit) if latest is not None else None

    def objections_against(self, meta: Metadata, meta_at: MetaAt) -> list[Record]:
        """The objections to the term ``meta`` states (``valid_until`` and ``extension``):
        those made since the version that agreed on that term; none to a term not agreed on
        yet (an amendment's). An objection to an earlier term says nothing of a new one."""
        if not self.objections:
            return []
        since, agreed = dt.date.min, None
        for entry in self.mains:
            if self.in_force_from(entry) is not None:
                term = _term_of(meta_at(entry.commit))
                if term != agreed:
                    signed = self.signed.get(entry.record.version or 0)
                    since, agreed = (signed or entry).record.date, term
        if _term_of(meta) != agreed:
            return []
        return [o for o in self.objections if o.date >= since]

    def end(self, meta_at: MetaAt) -> End | None:
        meta = self.validity(meta_at)
        objections = self.objections_against(meta, meta_at) if meta is not None else []
        return agreement_end(meta, self.terminated(), objections)

    def starts(self) -> dt.date | None:
        """The day version 1 takes effect."""
        return self.in_force_from(self.adoption) if self.adoption else None


def _term_of(meta: Metadata | None) -> tuple[dt.date | None, Extension | None] | None:
    return (meta.valid_until, meta.extension) if meta is not None else None


# -- one step ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A record about to be made, or a commit under audit, as the rules see it."""

    record: Record
    now: dt.date
    """The last day the record can be dated: today, or the day it was committed."""
    paths: tuple[str, ...] = ()
    """The agreement's source files the step changes."""
    annexes: Mapping[int, str] = field(default_factory=dict)
    """The annexes the step changes (before or after): number -> one of its paths."""
    existing: frozenset[int] | None = None
    """The annexes of the agreement as the step finds it."""
    main_parts: tuple[str, ...] | None = None
    """The parts of the main text the step changes, compared as models (None: unknown)."""
    rows: frozenset[str] = frozenset()
    """The parties whose rows (members, deputies, contacts) of a composition annex change."""
    composition_text: frozenset[int] = frozenset()
    """The composition annexes whose own text (title, paragraphs), not their rows, changes."""
    restores: bool | None = None
    """A withdrawal: whether the sources are as they were before the amendment."""
    meta: Metadata | None = None
    """An amendment: ``tymdocs.yaml`` as it proposes it."""
    far_future: bool = True
    """Whether an effective date far after the decision is meant."""
    problems: tuple[str, ...] = ()
    """What is wrong with the record's fields as git reads them."""
    placeholders: tuple[str, ...] = ()
    """The placeholders (``path:line [TÄYDENNÄ: …]``) the sources the step makes a version of
    still hold."""


def breaches(step: Step, past: Past | None, meta_at: MetaAt) -> list[Breach]:
    """Every rule ``step`` breaks, given the register before it; with ``past`` None (a
    history seen only in part, whose earlier records are not known), only those a record
    breaks on its own: its fields and its dates. Messages are English; the parts they name
    are named as the agreement names them (Liite 2, Bilaga 2), in the language of the
    ``tymdocs.yaml`` in force on the record's day."""
    meta = past.rules_on(step.record.date, meta_at) if past is not None else None
    with speaking(meta.language if meta is not None else spoken()):
        return list(_breaches(step, past, meta_at))


def _breaches(step: Step, past: Past | None, meta_at: MetaAt) -> Iterator[Breach]:
    hidden = hidden_fields(step.record)
    for message in hidden:  # before the rules, whose messages would show the field
        yield Breach("hidden-character", message)
    yield from _complete(step)
    yield from _dated(step) if past is None else _rules(step, past, meta_at)
    for problem in step.problems:  # after the rules: they say what a missing field means
        if problem not in hidden:
            yield Breach("fields", problem)


def _complete(step: Step) -> Iterator[Breach]:
    """No version is made of sources that still hold a placeholder: the text ``init`` left
    for the area to write is written before anyone adopts, decides or signs it."""
    record = step.record
    if record.kind in VERSIONED and step.placeholders:
        what = "version 1" if record.kind == "adoption" else f"a {record.kind}"
        shown = ", ".join(step.placeholders[:5])
        more = len(step.placeholders) - 5
        shown += f" and {more} more" if more > 0 else ""
        yield Breach(
            "placeholders",
            f"{what} cannot be recorded while the sources hold {len(step.placeholders)} "
            f"placeholder(s): {shown}; write the agreement's own text in their place "
            "(tymdocs check lists them all)",
        )


def _rules(step: Step, past: Past, meta_at: MetaAt) -> Iterator[Breach]:
    record = step.record
    if record.kind == "adoption":
        if past.adoption is not None:
            yield Breach(
                "adopted", f"version 1 is already recorded (commit {past.adoption.commit[:12]})"
            )
        yield from _dated(step)
        return
    if past.adoption is None:
        yield Breach(
            "no-version-1",
            "no version 1 is recorded: record the agreement as adopted first (tymdocs adopt)",
        )
        return
    meta = past.rules_on(record.date, meta_at)
    yield from _dated(step)
    yield from _within_agreement(step, past, meta_at)
    if record.kind in VERSIONED and record.version != past.last_version + 1:
        yield Breach(
            "version",
            f"records version {record.version}, but the previous version is "
            f"{past.last_version}: expected {past.last_version + 1}",
        )
    if record.kind in ("decision", "notice", "amendment") and past.pending:
        pending = past.pending[min(past.pending)]
        yield Breach(
            "pending",
            f"version {pending.record.version} (the amendment of "
            f"{format_date(pending.record.date)}) awaits signatures: record them first "
            "(tymdocs amend --signed), or withdraw it (tymdocs amend --withdraw)",
        )
    match record.kind:
        case "decision" | "notice":
            yield from _annex_change(step, past, meta)
        case "review":
            yield from _review(step, past, meta)
        case "amendment":
            yield from _amendment(step, past)
        case "withdrawal":
            yield from _withdrawal(step, past)
        case "signatures":
            yield from _signatures(step, past, meta_at)
        case "termination":
            yield from _termination(step, past, meta)
        case "objection":
            yield from _objection(step, past, meta, meta_at)
        case "adoption":
            pass  # judged above, before anything is recorded
        case _:
            assert_never(record.kind)


def _dated(step: Step) -> Iterator[Breach]:
    record = step.record
    late = record.kind == "adoption"  # an agreement may be signed after the day it takes effect
    if not late and record.effective is not None and record.effective < record.date:
        yield Breach(
            "effective-before-date",
            f"takes effect {format_date(record.effective)}, before its own date "
            f"{format_date(record.date)}",
        )
    if record.date > step.now:
        yield Breach(
            "future",
            f"dated {format_date(record.date)}, after the day it is recorded "
            f"({format_date(step.now)}): a record is made once what it records is done",
        )


def _within_agreement(step: Step, past: Past, meta_at: MetaAt) -> Iterator[Breach]:
    """Nothing before the agreement, nothing after it."""
    record = step.record
    assert past.adoption is not None
    adopted = past.adoption.record.date
    if record.date < adopted:
        yield Breach(
            "before-agreement",
            f"dated {format_date(record.date)}, before the agreement was adopted "
            f"({format_date(adopted)})",
        )
    starts = past.starts()
    if record.effective is not None and starts is not None and record.effective < starts:
        yield Breach(
            "before-agreement",
            f"takes effect {format_date(record.effective)}, before the agreement does "
            f"({format_date(starts)})",
        )
    end = past.end(meta_at)
    ends = {"dated": end, "takes effect": end}
    if record.kind == "amendment" and step.meta is not None:  # it may extend the term itself
        objections = past.objections_against(step.meta, meta_at)
        ends["takes effect"] = agreement_end(step.meta, past.terminated(), objections)
    if record.kind == "withdrawal":
        ends["dated"] = None  # taking back what was never signed changes nothing
    for what, day in (("dated", record.date), ("takes effect", record.effective)):
        last = ends[what]
        if day is not None and last is not None and day > last.day:
            yield Breach(
                "after-end",
                f"{what} {format_date(day)}, after the agreement's last day, "
                f"{format_date(last.day)} ({last.why})",
            )
            break
    if (
        not step.far_future
        and record.effective is not None
        and record.effective > add_months(record.date, 12 * FAR_FUTURE_YEARS)
    ):
        yield Breach(
            "far-future",
            f"takes effect {format_date(record.effective)}, more than {FAR_FUTURE_YEARS} years "
            f"after {format_date(record.date)}: check the date, or say --far-future",
        )


def _annex_change(step: Step, past: Past, meta: Metadata | None) -> Iterator[Breach]:
    """A decision or a notice: annexes only, each by the record its rule names."""
    record = step.record
    kind = record.kind
    if not step.paths:
        yield Breach("no-change", f"a {kind} record without a change of the agreement's files")
    main = [path for path in step.paths if is_main_text(path)]
    if main:
        yield Breach(
            "main-text",
            f"a {kind} changes the main text ({', '.join(main)}), which only an amendment "
            "signed by every party may change (tymdocs amend)",
        )
    yield from _declared(record, step.annexes)
    named = [p for p in record.parts if is_main_part(p)]
    if named:
        from tymdocs.governance.citation import part_name

        yield Breach(
            "parts",
            f"a {kind} names {', '.join(map(part_name, named))} in Tymdocs-Parts, which only "
            "an amendment changes",
        )
    if kind == "notice":
        yield from _party(record, meta)
        others = sorted(step.rows - {record.party or ""})
        if others:
            yield Breach(
                "own-rows",
                f"a notice of {record.party} changes rows of {', '.join(others)} in the "
                "composition: a party's notice changes only its own members, deputies and "
                "contacts",
            )
    for number in sorted(step.annexes):
        if meta is None:
            continue
        rule = rule_for(meta.policy, number, number in step.composition_text)
        if kind == "decision" and number in step.composition_text and step.rows:
            yield Breach(
                "rows-by-notice",
                f"a decision changes rows of {', '.join(sorted(step.rows))} in the composition "
                f"({annex_ref(number)}), which change by that party's notice (tymdocs notice): "
                "record the rows and the annex's own text apart",
            )
        if rule.record != kind:
            yield Breach("record-kind", _wrong_record(number, rule, kind))
        elif kind == "decision" and not same_body(rule.body, record.body):
            owner = f" ({rule.party})" if rule.party else ""
            yield Breach(
                "body",
                f"{annex_ref(number)} changes only by a decision of {rule.body}{owner}, "
                f"not of {record.body}",
            )
    if kind == "decision":
        yield from _in_order(record, past, meta)
    yield from _effect_order(record, past)


def record_needed(rule: ChangeRule | None) -> str:
    """The record a change under ``rule`` needs, with the command that makes it: the one
    wording ``status``, ``check --governance`` and the record commands use."""
    needed = rule.record if rule is not None else "decision"
    match needed:
        case "decision":
            body = rule.body if rule is not None and rule.body else "the steering group"
            return f"a decision of {body} (tymdocs approve)"
        case "notice":
            return "an organisation's notice (tymdocs notice)"
        case "amendment":
            return "an amendment signed by every party (tymdocs amend)"
        case _:
            assert_never(needed)


def _wrong_record(number: int, rule: ChangeRule, given: str) -> str:
    article = "an" if given[0] in "aeiou" else "a"
    return f"{annex_ref(number)} changes by {record_needed(rule)}, not by {article} {given}"


def _review(step: Step, past: Past, meta: Metadata | None) -> Iterator[Breach]:
    record = step.record
    annex = record.review or 0
    if step.existing is not None and annex not in step.existing:
        yield Breach("review", f"there is no {annex_ref(annex)} to review")
    elif meta is not None:
        rule = meta.policy.rule(annex)
        if rule.record != "decision" or not same_body(record.body, rule.body):
            who = f"a decision of {rule.body}" if rule.record == "decision" else f"a {rule.record}"
            yield Breach("review", f"{annex_ref(annex)} is reviewed by {who}, not by {record.body}")
    if annex in step.annexes:
        yield Breach(
            "unchanged",
            f"{annex_ref(annex)} changes in this step: a review that changes it is a decision; "
            "record it without --review",
        )
    else:
        yield from _unchanged(step)
    yield from _in_order(record, past, meta)


def _amendment(step: Step, past: Past) -> Iterator[Breach]:
    record = step.record
    if not any(is_main_text(path) for path in step.paths):
        yield Breach(
            "no-change",
            "an amendment that does not change the main text: an amendment changes docs_src/ "
            "or tymdocs.yaml (annexes alone are recorded with tymdocs approve or notice)",
        )
        return
    yield from _declared(record, step.annexes)
    declared = sorted(p for p in record.parts if is_main_part(p))
    if step.main_parts is not None and declared != sorted(step.main_parts):
        from tymdocs.governance.citation import part_name

        yield Breach(
            "parts",
            f"changes {', '.join(map(part_name, step.main_parts))} of the main text, but "
            f"the record names {', '.join(map(part_name, declared)) or 'none'}",
        )
    yield from _effect_order(record, past)


def _withdrawal(step: Step, past: Past) -> Iterator[Breach]:
    record = step.record
    amendment = past.pending.get(record.withdraws or 0)
    if amendment is None:
        yield Breach(
            "withdrawal",
            f"withdraws version {record.withdraws}, which is no amendment awaiting signatures",
        )
        return
    if sorted(amendment.record.parts) != sorted(record.parts):
        yield Breach("withdrawal", "names other parts than the amendment it withdraws")
    if record.date < amendment.record.date:
        yield Breach(
            "withdrawal",
            f"dated {format_date(record.date)}, before the amendment of "
            f"{format_date(amendment.record.date)} it withdraws",
        )
    yield from _effect_order(record, past, ignore=record.withdraws)
    if step.restores is False:
        yield Breach(
            "restores",
            f"the sources are not as they were before version {record.withdraws}: restore "
            f"them first (git checkout {amendment.commit[:12]}~1 -- .), then withdraw",
        )


def _signatures(step: Step, past: Past, meta_at: MetaAt) -> Iterator[Breach]:
    """Every party's copy of the amendment, as the amended version names the parties."""
    record = step.record
    yield from _unchanged(step)
    amendment = past.pending.get(record.version or 0)
    if amendment is None:
        yield Breach(
            "signatures",
            f"signatures for version {record.version}, which is no amendment awaiting them",
        )
    elif record.date < amendment.record.date:
        yield Breach(
            "signatures",
            f"signed on {format_date(record.date)}, before the amendment of "
            f"{format_date(amendment.record.date)}",
        )
    if not record.copies:
        yield Breach("signatures", "a signatures record without the signed copies")
    elif amendment is not None and (proposed := meta_at(amendment.commit)) is not None:
        # What the register can hold a record to without the files: with every-copy, every
        # party's copy (or the copy for everyone) is among them. Whether they were fully
        # signed, tymdocs.signing.round decided when the record was made.
        from tymdocs.signing.round import signing_mode

        before = _in_force_before(past, amendment)
        in_force = meta_at(before.commit) if before is not None else None
        signing = signing_mode(
            proposed.policy.signing, in_force.policy.signing if in_force else None
        )
        copies = {c.party for c in record.copies}
        missing = [p.id for p in proposed.parties if p.id not in copies]
        if signing == "every-copy" and None not in copies and missing:
            yield Breach(
                "signatures",
                f"a signatures record without the signed copy of {', '.join(missing)}: with "
                "'signing: every-copy', every party's copy puts an amendment in force",
            )


def _in_force_before(past: Past, amendment: Entry) -> Entry | None:
    """The version of the main text an amendment changes: the last one adopted or signed
    before it, withdrawn ones left out."""
    number = amendment.record.version or 0
    earlier = [
        entry
        for entry in past.mains
        if (entry.record.version or 0) < number
        and entry.record.version not in past.withdrawn
        and (entry.record.kind == "adoption" or entry.record.version in past.signed)
    ]
    return earlier[-1] if earlier else None


def _termination(step: Step, past: Past, meta: Metadata | None) -> Iterator[Breach]:
    record = step.record
    yield from _unchanged(step)
    yield from _party(record, meta)
    earlier = past.termination
    if earlier is not None:
        ends = earlier.record.ends
        yield Breach(
            "terminated",
            f"the agreement is already terminated (commit {earlier.commit[:12]})"
            + (f": it ends on {format_date(ends)}" if ends else ""),
        )
    if meta is not None and record.ends is not None:
        ends = termination_end(record.date, meta)
        if record.ends != ends:
            months = meta.policy.termination_notice_months
            yield Breach(
                "termination-end",
                f"ends {format_date(record.ends)}, but {months} months after the notice of "
                f"{format_date(record.date)} is {format_date(ends)} (the notice period in "
                "force that day)",
            )


def _objection(step: Step, past: Past, meta: Metadata | None, meta_at: MetaAt) -> Iterator[Breach]:
    """A party's written objection to the extension of a fixed term."""
    record = step.record
    yield from _unchanged(step)
    yield from _party(record, meta)
    extension = meta.extension if meta is not None else None
    if meta is None or extension is None or meta.valid_until is None:
        yield Breach(
            "objection",
            "the agreement in force on that day has no extension to object to "
            "(tymdocs.yaml: extension beside valid_until)",
        )
        return
    deadlines = objection_deadlines(extension)
    granted = extensions_granted(extension, past.objections_against(meta, meta_at))
    if granted < extension.times:
        yield Breach(
            "objection",
            f"an objection is already recorded: the agreement ends on "
            f"{format_date(extended(meta.valid_until, extension, granted))}",
        )
    elif record.date > deadlines[-1]:
        yield Breach(
            "objection",
            f"dated {format_date(record.date)}, after the last day to object "
            f"({format_date(deadlines[-1])})",
        )


def _unchanged(step: Step) -> Iterator[Breach]:
    if step.paths:
        yield Breach(
            "unchanged",
            f"a {step.record.kind} record changes no source, but this step changes "
            f"{', '.join(step.paths)}",
        )


def _declared(record: Record, annexes: Mapping[int, str]) -> Iterator[Breach]:
    declared = {p for p in record.parts if p.startswith("annex-")}
    actual = {annex_part(n) for n in annexes}
    for part in sorted(actual - declared):
        yield Breach(
            "parts",
            f"changes {annex_ref(part[6:])}, which the record does not name in Tymdocs-Parts",
        )
    for part in sorted(declared - actual):
        yield Breach(
            "parts", f"names {annex_ref(part[6:])} in Tymdocs-Parts but does not change it"
        )


def _party(record: Record, meta: Metadata | None) -> Iterator[Breach]:
    if record.party is None:
        return  # the missing field is the problem, and says so
    if meta is not None and all(p.id != record.party for p in meta.parties):
        known = ", ".join(p.id for p in meta.parties)
        yield Breach("party", f"party {record.party!r} is not a party of the agreement ({known})")


def _in_order(record: Record, past: Past, meta: Metadata | None) -> Iterator[Breach]:
    """One body's decisions are recorded once each, in the order they were made, and none of
    the steering group's before its term began."""
    body = record.body or ""
    key = body_key(body)
    cited = f"{body} {format_date(record.date)} § {record.section}"
    twice = past.cited.get((key, record.date, record.section))
    if twice is not None:
        yield Breach("order", f"{cited} is already recorded (commit {twice[:12]})")
    previous = past.decisions.get(key)
    if previous is not None and record.date < previous.date:
        yield Breach(
            "order",
            f"{cited} is older than its decision {format_date(previous.date)} § "
            f"{previous.section}, already recorded: one body's decisions are recorded in the "
            "order they were made",
        )
    group = meta.steering_group if meta else None
    if (
        meta is not None
        and group is not None
        and record.date < group.appointed_on
        and is_steering_group(body, meta.policy)
    ):
        yield Breach(
            "steering-group-term",
            f"{cited} is dated before the steering group's term began "
            f"({format_date(group.appointed_on)})",
        )


def _ordered_as(part: str) -> str:
    """The part whose changes take effect in order: an annex, or the main text as a whole
    (each version holds all of it and ``tymdocs.yaml``, so a later amendment of one section
    in force first would bring an earlier one's other sections with it)."""
    return MAIN_TEXT if is_main_part(part) else part


def restored_from(past: Past, parts: tuple[str, ...], withdraws: int, day: dt.date) -> dt.date:
    """When a withdrawal takes effect: the day it is made, or the day the text it restores
    does, if later (it restores a decision not yet in force with the rest)."""
    return max(
        [day]
        + [
            start
            for part in dict.fromkeys(map(_ordered_as, parts))
            for version, start in past.changes.get(part, ())
            if version != withdraws
        ]
    )


def _effect_order(record: Record, past: Past, ignore: int | None = None) -> Iterator[Breach]:
    """A part's changes take effect in the order they are recorded (an amendment's once it
    is signed): otherwise the text in force between the two dates would hold a change that
    is not yet in force."""
    start = record.effective or record.date
    for part in dict.fromkeys(map(_ordered_as, record.parts)):
        later = [(v, day) for v, day in past.changes.get(part, ()) if day > start and v != ignore]
        if later:
            from tymdocs.governance.citation import part_name

            version, begins = later[-1]
            yield Breach(
                "effect-order",
                f"{part_name(part)} changes from {format_date(begins)} by version {version}: "
                f"a later record cannot take effect before it ({format_date(start)})",
            )
            return


# -- what a step changes ------------------------------------------------------------------------


def rule_for(policy: Policy, number: int, own_text: bool) -> ChangeRule:
    """The rule a change of Liite ``number`` falls under: the annex's own, except that a
    notice covers only the parties' rows of a composition annex (seed § 4: the composition
    changes by the organisations' notice); the annex's ``own_text`` changes by the rule of
    any other annex."""
    rule = policy.rule(number)
    if rule.record == "notice" and own_text:
        return policy.default
    return rule


def composition_text(old: Agreement | None, new: Agreement | None) -> frozenset[int]:
    """The composition annexes, in both versions, whose own text differs: their title, dates
    and paragraphs, apart from the rows of members and contacts."""

    def texts(agreement: Agreement | None) -> dict[int, CompositionAnnex]:
        return {
            annex.number: replace(annex, members=(), contacts=())
            for annex in (agreement.annexes if agreement else ())
            if isinstance(annex, CompositionAnnex)
        }

    before, after = texts(old), texts(new)
    return frozenset(n for n in before.keys() & after.keys() if before[n] != after[n])


def composition_rows(old: Agreement | None, new: Agreement | None) -> frozenset[str]:
    """The parties whose rows of a composition annex differ between two versions: members
    and deputies by the party they name, contacts by theirs ('' for a row naming none)."""

    def rows(agreement: Agreement | None) -> dict[str, list[object]]:
        found: dict[str, list[object]] = {}
        for annex in agreement.annexes if agreement else ():
            if isinstance(annex, CompositionAnnex):
                for member in annex.members:
                    found.setdefault(member.party or "", []).append((annex.number, member))
                for contact in annex.contacts:
                    found.setdefault(contact.party, []).append((annex.number, contact))
        return found

    before, after = rows(old), rows(new)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return frozenset(changed - {""})
