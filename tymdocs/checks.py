"""Cross-checks over a loaded agreement: what no single source can see wrong on its own.

Errors make the sources unusable (a reference to a missing annex, htv that does not add up, an
undefined party); warnings are facts worth a look that may well be true of the signed agreement
(a party without a named signatory, composition annexes that disagree).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise
from typing import Protocol

from tymdocs.consistency import check_consistency
from tymdocs.errors import Problem, Severity
from tymdocs.locale import annex_ref, format_decimal, speaking
from tymdocs.model import (
    NO_ORIGIN,
    Agreement,
    AppointmentAnnex,
    Blocks,
    CompositionAnnex,
    Origin,
    Paragraph,
    Party,
    StaffingAnnex,
    StaffingItem,
    every_item,
    inline_text,
    text_lines,
)
from tymdocs.paths import CONFIG_FILE
from tymdocs.sources import Loaded, SourceTree, load_agreement

HTV_PRECISION = Decimal("0.001")


class Report(Protocol):
    """How every check reports what it finds."""

    def __call__(self, origin: Origin, message: str, severity: Severity = "error") -> None: ...


def check_agreement(agreement: Agreement) -> list[Problem]:
    """Every cross-check problem of ``agreement``, in source order; its annexes named as the
    agreement's language names them (Liite 2, Bilaga 2), as status and the documents do."""
    with speaking(agreement.meta.language):
        return _check_agreement(agreement)


def _check_agreement(agreement: Agreement) -> list[Problem]:
    problems: list[Problem] = []

    def report(origin: Origin, message: str, severity: Severity = "error") -> None:
        problems.append(Problem(origin.path, origin.line, message, severity))

    _references(agreement, report)
    _parties(agreement, report)
    _policy(agreement, report)
    for annex in agreement.annexes:
        if isinstance(annex, StaffingAnnex):
            _staffing(agreement, annex, report)
    _composition_against_appointment(agreement, report)
    _deputy_naming(agreement, report)
    problems += check_consistency(agreement)
    return sorted(problems, key=lambda p: (p.path, p.line or 0))


def _references(agreement: Agreement, report: Report) -> None:
    """Every annex the text mentions exists; one that did not read has its own error."""
    numbers = {annex.number for annex in agreement.annexes}
    for reference in agreement.references:
        if reference.number not in numbers | agreement.unread.annexes:
            known = ", ".join(str(n) for n in sorted(numbers)) or "none"
            report(
                reference.origin,
                f"the text refers to annex {reference.number}, which does not exist "
                f"(annexes: {known})",
            )


def _parties(agreement: Agreement, report: Report) -> None:
    known = {party.id for party in agreement.parties}
    unread = agreement.unread

    def need(party_id: str | None, origin: Origin, what: str) -> None:
        if party_id is not None and party_id not in known and not unread.party(party_id):
            report(
                origin,
                f"{what} names party '{party_id}', which tymdocs.yaml does not define "
                f"(parties: {', '.join(sorted(known))})",
            )

    group = agreement.meta.steering_group
    if group is not None:
        need(group.appointed_by, group.origin, "steering_group.appointed_by")
    main_text = " ".join(_texts(tuple(b for s in agreement.sections for b in s.blocks)))
    for party in agreement.parties:
        if not party.signatories:
            report(
                party.origin,
                f"party '{party.id}' ({party.name}) has no named signatory yet; its signature "
                "block will carry an empty name line",
                "warning",
            )
        for signatory in () if unread.main_text else party.signatories:
            if signatory.name not in main_text:
                report(
                    signatory.origin,
                    f"signatory {signatory.name} of '{party.id}' is not named in the main text",
                    "warning",
                )
    for annex in agreement.annexes:
        if isinstance(annex, CompositionAnnex):
            for member in annex.members:
                need(member.party, member.origin, f"member {member.name}")
            for contact in annex.contacts:
                need(contact.party, contact.origin, f"contact person {contact.name}")
            missing = known - {contact.party for contact in annex.contacts}
            for party_id in sorted(missing) if annex.contacts else ():
                report(
                    annex.origin,
                    f"{annex_ref(annex.number)} names no contact person for party '{party_id}'",
                    "warning",
                )
        if isinstance(annex, StaffingAnnex):
            for staffing in annex.parties:
                need(staffing.party, staffing.origin, "staffing")
            for party_id in sorted(known - {s.party for s in annex.parties}):
                report(
                    annex.origin,
                    f"{annex_ref(annex.number)} allocates no staff for party '{party_id}'",
                    "warning",
                )
            # A party's rows that add up to nothing allocate no staff either (init's
            # skeleton writes htv: 0 for every party, to be filled in).
            totals: dict[str, Decimal] = {}
            for staffing in annex.parties:
                totals[staffing.party] = totals.get(staffing.party, Decimal(0)) + staffing.htv
            for staffing in annex.parties:
                if totals.pop(staffing.party, None) == 0 and staffing.party in known:
                    report(
                        staffing.origin,
                        f"{annex_ref(annex.number)} allocates no staff for party "
                        f"'{staffing.party}' (its htv add up to 0)",
                        "warning",
                    )


def _policy(agreement: Agreement, report: Report) -> None:
    """The change rules name annexes and parties that exist, and Liite 1 changes only by a
    decision of the party that appointed the steering group."""
    policy = agreement.meta.policy
    known = {party.id for party in agreement.parties}
    unread = agreement.unread
    for number, rule in policy.annexes:
        if agreement.annex(number) is None and number not in unread.annexes:
            message = f"change_rules names {annex_ref(number)}, which does not exist"
            report(rule.origin, message, "warning")
    for rule in (policy.default, *(rule for _, rule in policy.annexes)):
        if rule.party is not None and rule.party not in known and not unread.party(rule.party):
            report(
                rule.origin,
                f"change_rules names party '{rule.party}', which tymdocs.yaml does not define "
                f"(parties: {', '.join(sorted(known))})",
            )
    group = agreement.meta.steering_group
    for annex in agreement.annexes:
        if not isinstance(annex, AppointmentAnnex):
            continue
        rule = policy.rule(annex.number)
        appointing = group.appointed_by if group else None
        if rule.record != "decision" or (appointing and rule.party != appointing):
            report(
                rule.origin if rule.origin != NO_ORIGIN else Origin(CONFIG_FILE),
                f"{annex_ref(annex.number)} is the steering group's appointment: it changes "
                f"only by a decision of the appointing party '{appointing or '?'}' "
                f"(steering_group.appointed_by), not by the steering group; under "
                f"change_rules.annexes write {annex.number}: {{record: decision, "
                f"body: {annex.decision.body}, party: {appointing or '?'}}}",
            )
        elif rule.body and rule.body.casefold() != annex.decision.body.casefold():
            report(
                rule.origin,
                f"change_rules gives {annex_ref(annex.number)} to {rule.body}, but the appointment "
                f"was decided by {annex.decision.body}",
                "warning",
            )


def _staffing(agreement: Agreement, annex: StaffingAnnex, report: Report) -> None:
    """Every htv adds up; whether the parties' text states the same figures is
    ``consistency``'s to check."""
    for staffing in annex.parties:
        party = agreement.party(staffing.party)
        label = party.name if party else staffing.party
        _sum(label, staffing.htv, staffing.parts, staffing.origin, report)
        for item in every_item(staffing.parts):
            _sum(item.name, item.htv, item.parts, item.origin, report)


def _sum(
    name: str, stated: Decimal, parts: tuple[StaffingItem, ...], origin: Origin, report: Report
) -> None:
    if stated < 0:
        report(origin, f"htv of {name} is negative: {format_decimal(stated)}")
    if stated.quantize(HTV_PRECISION) != stated:
        report(origin, f"htv of {name} has more than 3 decimals: {stated}", "warning")
    if not parts:
        return
    total = sum((part.htv for part in parts), Decimal(0))
    if total.quantize(HTV_PRECISION) != stated.quantize(HTV_PRECISION):
        shown = " + ".join(format_decimal(part.htv) for part in parts)
        report(
            origin,
            f"htv of {name} does not add up: {shown} = {format_decimal(total)}, "
            f"stated {format_decimal(stated)}",
        )


def _composition_against_appointment(agreement: Agreement, report: Report) -> None:
    appointment = next((a for a in agreement.annexes if isinstance(a, AppointmentAnnex)), None)
    composition = next((a for a in agreement.annexes if isinstance(a, CompositionAnnex)), None)
    if appointment is None or composition is None:
        return
    appointed = list(appointment.members) + [extra.member for extra in appointment.additional]
    pairs = (
        (composition, composition.members, appointment, appointed),
        (appointment, appointed, composition, list(composition.members)),
    )
    for annex, members, other, others in pairs:
        other_names = {_person(m.name) for m in others}
        for member in members:
            if _person(member.name) not in other_names:
                deputy = f" (deputy {member.deputy})" if member.deputy else ""
                report(
                    member.origin,
                    f"{member.name}{deputy} is in {annex_ref(annex.number)} "
                    f"({len(members)} members) but not in {annex_ref(other.number)} "
                    f"({len(others)} members)",
                    "warning",
                )
    for member in composition.members:
        match = next((m for m in appointed if _person(m.name) == _person(member.name)), None)
        if match and member.deputy and match.deputy and not _same(member.deputy, match.deputy):
            report(
                member.origin,
                f"deputy of {member.name} is {member.deputy} in {annex_ref(composition.number)} "
                f"but {match.deputy} in {annex_ref(appointment.number)}",
                "warning",
            )


def _person(name: str) -> str:
    """A name for comparison: 'Annukka (Martikainen) Eloranta' is 'annukka eloranta'."""
    return " ".join(re.sub(r"\([^)]*\)", " ", name).casefold().split())


def _same(a: str, b: str) -> bool:
    return _person(a) == _person(b)


# Finnish stems of the sentence "X nimeää johtavan henkilön varahenkilön" (names the deputy).
_DEPUTY = re.compile(r"varahenkilö", re.IGNORECASE)
_NAMES = re.compile(r"\bnime", re.IGNORECASE)


def _deputy_naming(agreement: Agreement, report: Report) -> None:
    """Warn when sections disagree on which party names the leading person's deputy."""
    claims: list[tuple[int, Origin, frozenset[str]]] = []
    for section in agreement.sections:
        for block in section.blocks:
            if not isinstance(block, Paragraph):
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", inline_text(block.content)):
                if _DEPUTY.search(sentence) and _NAMES.search(sentence):
                    named = frozenset(p.id for p in agreement.parties if _mentions(sentence, p))
                    if named:
                        origin = Origin(section.origin.path, block.line)
                        claims.append((section.number, origin, named))
    for (number, origin, named), (other_number, other_origin, other_named) in pairwise(claims):
        if named != other_named:
            report(
                other_origin,
                f"§ {number} ({origin}) has {_party_list(agreement, named)} name the deputy "
                f"of the leading person, § {other_number} has "
                f"{_party_list(agreement, other_named)}",
                "warning",
            )


def _mentions(sentence: str, party: Party) -> bool:
    names = [party.name, party.short_name, party.responsible_municipality]
    for name in filter(None, names):
        stem = name if len(name) <= 5 else name[:-1]  # Finnish inflects the end of a word
        if re.search(r"\b" + re.escape(stem), sentence, re.IGNORECASE):
            return True
    return False


def _party_list(agreement: Agreement, ids: frozenset[str]) -> str:
    names = [p.short_name or p.name for p in agreement.parties if p.id in ids]
    return " and ".join(names)


def _texts(blocks: Blocks) -> Iterator[str]:
    return (text for _, text in text_lines(blocks))


def validate(tree: SourceTree) -> Loaded:
    """Load ``tree`` and cross-check it: everything ``tymdocs check`` reports, each
    placeholder ``init`` left (:mod:`tymdocs.placeholders`) a warning last."""
    from tymdocs import placeholders

    loaded = load_agreement(tree)
    problems = loaded.problems
    if loaded.agreement is not None:
        problems += tuple(check_agreement(loaded.agreement))
    problems += tuple(placeholders.warnings(placeholders.find(tree)))
    if loaded.agreement is None or any(p.severity == "error" for p in problems):
        return Loaded(None, problems)
    return Loaded(loaded.agreement, problems)
