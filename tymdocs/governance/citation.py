"""How documents and reports cite records: version labels, citations, and the notes a
consolidated text closes each changed part with."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import assert_never

from tymdocs.governance.history import Located, Version
from tymdocs.governance.records import METADATA, Record, part_number
from tymdocs.locale import annex_ref, commit_date, format_date, label


def part_name(part: str) -> str:
    """A part as documents and reports name it: ``Liite 5``, ``8 §``, ``pääteksti``."""
    number = part_number(part)
    if part.startswith("annex-") and number is not None:
        return annex_ref(number)
    if part.startswith("section-") and number is not None:
        return label("section_ref", number=number)
    return label("metadata_ref") if part == METADATA else label("main_text_ref")


def version_label(
    located: Located, dirty: bool, party_names: dict[str, str], unfinished: bool = False
) -> str:
    """The label documents carry: ``Versio 2 · Johtoryhmä 15.9.2025 § 4 · voimassa 1.10.2025
    alkaen``; ``LUONNOS (pohjana versio 2)``; before version 1, ``Ehdotus 3f2a1bc, 30.4.2025``,
    a proposal to sign, or ``LUONNOS 3f2a1bc, 30.4.2025`` while the sources still hold
    placeholders (``unfinished``): no record can make a version of those."""
    if not dirty and located.version is not None:
        return describe(located.version, party_names)
    if located.base is not None:
        return label("draft_on", number=located.base.number)
    short = located.commit[:7] if located.commit else None
    if dirty or short is None:
        return label("draft_of", commit=short) if short else label("draft")
    day = commit_date(located.time)
    proposal = "draft_proposal" if unfinished else "proposal"
    return label(proposal, commit=short, date=format_date(day))


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
    match record.kind:
        case "decision" | "review":
            return f"{record.body} {day} § {record.section}"
        case "notice" | "termination" | "objection":
            party = party_names.get(record.party or "", record.party or "")
            return label("notice_citation", date=day, party=party)
        case "amendment":
            return label("amendment_citation", date=day)
        case "withdrawal":
            return label("withdrawal_citation", date=day)
        case "signatures":
            return label("signatures_citation", date=day)
        case "adoption":
            return label("adoption_citation", date=day)
        case _:
            assert_never(record.kind)


def made_by(record: Record, party_names: dict[str, str]) -> str:
    """Who made what ``record`` records, as tracked changes name their author: the deciding
    body, the party that gave notice, or the parties together."""
    match record.kind:
        case "decision" | "review":
            return record.body or label("steering_group")
        case "notice" | "termination" | "objection":
            return party_names.get(record.party or "", record.party or "")
        case "amendment" | "withdrawal" | "signatures" | "adoption":
            return label("all_parties")
        case _:
            assert_never(record.kind)


def notes(
    versions: Iterable[Version],
    party_names: dict[str, str],
    withdrawn: Collection[int],
    in_force: bool = False,
) -> dict[str, tuple[str, ...]]:
    """Per part (``annex-5``, ``section-8``), the note a consolidated text carries for every
    change since version 1 but the ``withdrawn`` amendments: ``Liite 5 muutettu: Johtoryhmä
    15.9.2025 § 4, voimassa 1.10.2025 alkaen.`` With ``in_force``, dates are when each change
    actually took effect."""
    found: dict[str, list[str]] = {}
    for version in versions:
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
