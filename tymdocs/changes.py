"""Two agreement versions -> what changed, in words, and the record each change needs.

Pure: :func:`compare` takes two models and the policy and gives a :class:`Report` that every
redline renderer (HTML, DOCX, Markdown, PDF) walks. Text is compared word by word through
:mod:`tymdocs.redline`; data annexes and metadata by key, stated as Finnish sentences.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal, assert_never

from tymdocs.document import Document, Part, compose
from tymdocs.governance.rules import composition_text, rule_for
from tymdocs.locale import capitalise, format_date, format_htv, label, speaking
from tymdocs.model import (
    Agreement,
    AppointmentAnnex,
    ChangeRule,
    CompositionAnnex,
    ContactPerson,
    Extension,
    GoalsAnnex,
    Member,
    Metadata,
    Moved,
    Party,
    Policy,
    RecordNeeded,
    StaffingAnnex,
    StaffingItem,
)
from tymdocs.redline import (
    UnitKind,
    changed,
    longest_chain,
    moves,
    redline_document,
    redline_parts,
)

Status = Literal["added", "removed", "changed", "renumbered", "retitled"]


@dataclass(frozen=True)
class Change:
    """One part that changed: a section, an annex, or the agreement's metadata."""

    key: str
    """``section-8``, ``annex-5`` or ``metadata``: the anchor renderers link to."""
    part: str
    """The part as a reader names it: ``8 Henkilöstöresurssit``, ``Liite 5 …``."""
    status: Status
    sentences: tuple[str, ...]
    """What changed, in Finnish: ``Kansaneläkelaitos, työkykyneuvoja: 0,8 → 1,0 htv``."""
    needs: RecordNeeded
    """The record the agreement's rules want for this change."""
    needs_text: str
    """The same in Finnish, with the deciding body: ``Johtoryhmän päätös``."""
    text_unchanged: bool = False
    """Renumbered or retitled only: its text is as it was, and reports need not reprint it."""
    record: str | None = None
    """The register's record that made the change, where it names one."""
    command: str | None = None
    """For a change not yet recorded: the tymdocs command that records it."""
    effective: dt.date | None = None
    """When the record that made the change took effect (None: not recorded, or an
    amendment awaiting signatures)."""
    unrecorded: bool = False
    """Committed without the record the agreement's rules want."""

    @property
    def status_text(self) -> str:
        """The status as the reports name it: ``Muutettu``, ``Otsikko muutettu``."""
        return capitalise(label(f"redline_status_{self.status}"))

    @property
    def record_cell(self) -> RecordCell:
        """What every report says of the record behind the change."""
        if self.record is not None:
            return RecordCell(f"{label('redline_recorded')}: {self.record}")
        if self.command is not None:
            return RecordCell(f"{label('redline_command')}:", self.command)
        if self.unrecorded:
            return RecordCell(label("redline_unrecorded"))
        return RecordCell("\u2013")


@dataclass(frozen=True)
class RecordCell:
    """The record that made a change, the command that will record it, or that there is
    none, in words (``Kirjattu: Johtoryhmä 15.9.2025 § 4, voimassa 1.10.2025 alkaen``)."""

    words: str
    command: str | None = None
    """A command to show after the words, as code."""


@dataclass(frozen=True)
class Report:
    """Everything a redline shows: the summary, then B's document with A's text marked."""

    title: str
    a_label: str
    """The older version as the report names it (``Versio 1 · voimassa 1.5.2025 alkaen``)."""
    b_label: str
    changes: tuple[Change, ...]
    redline: Document
    """B's document with every part; deletions and insertions marked, unchanged parts as they
    are (HTML folds them)."""
    author: str
    """Who made the changes, for tracked changes: the deciding body, else ``tymdocs``."""
    date: dt.date
    """When: the decision's date, else the commit's."""

    @property
    def empty(self) -> bool:
        return not self.changes

    @cached_property
    def runs(self) -> tuple[tuple[bool, tuple[Part, ...]], ...]:
        """The redline's parts in order, in runs of parts shown in full (True: a part with a
        mark, or one a change names, since a summary never links to a folded part) and of
        parts folded away (False); worked out once, for the counts and every renderer."""
        keys = {change.key for change in self.changes}
        return tuple(
            (shown, tuple(run))
            for shown, run in itertools.groupby(
                self.redline.parts, key=lambda part: changed(part) or part.key in keys
            )
        )

    @property
    def counts(self) -> str:
        """``Muuttuneita osia: 2, muuttumattomia osia: 10.``"""
        unchanged = sum(len(run) for shown, run in self.runs if not shown)
        return label("redline_counts", changed=len(self.changes), unchanged=unchanged)

    def needs(self) -> tuple[tuple[str, tuple[Change, ...]], ...]:
        """The records the changes need, each with the changes that need it, in the order
        first needed: ``Johtoryhmän päätös`` with 7 § and Liite 5."""
        groups: dict[str, list[Change]] = {}
        for change in self.changes:
            groups.setdefault(capitalise(change.needs_text), []).append(change)
        return tuple((needs, tuple(changes)) for needs, changes in groups.items())


# -- comparing two versions -------------------------------------------------------------------

Pair = tuple[Part | None, Part | None]


def compare(
    a: Agreement,
    b: Agreement,
    *,
    a_label: str,
    b_label: str,
    author: str,
    date: dt.date,
    notes_a: Mapping[str, tuple[str, ...]] | None = None,
    notes_b: Mapping[str, tuple[str, ...]] | None = None,
) -> Report:
    """What changed from ``a`` to ``b``, each change with the record ``a``'s rules want.

    ``notes_a`` and ``notes_b`` are the "muutettu" notes each version's documents close its
    parts with: part of each text, so that accepting every change gives B's document and
    rejecting gives A's; a part whose notes alone differ is no change of its own. In ``b``'s
    language, as its documents are."""
    with speaking(b.meta.language):
        return _compare(a, b, a_label, b_label, author, date, notes_a, notes_b)


def _compare(
    a: Agreement,
    b: Agreement,
    a_label: str,
    b_label: str,
    author: str,
    date: dt.date,
    notes_a: Mapping[str, tuple[str, ...]] | None,
    notes_b: Mapping[str, tuple[str, ...]] | None,
) -> Report:
    doc_a, doc_b = compose(a, notes_a), compose(b, notes_b)
    pairs = pair_parts(doc_a, doc_b, _titles(a), _titles(b))
    redline = redline_document(doc_b, pairs, a_title=doc_a.title)
    notes_a, notes_b = notes_a or {}, notes_b or {}
    own_text = composition_text(a, b)  # a composition annex's own text: not by notice
    changes: list[Change] = []
    metadata = _metadata_sentences(a.meta, b.meta)
    if metadata:
        needs = a.meta.policy.main_text
        changes.append(
            Change(
                "metadata",
                label("metadata_ref"),
                "changed",
                metadata,
                needs.record,
                _needs_text(needs),
            )
        )
    for (old, new), part in zip(pairs, redline.parts, strict=True):
        if not changed(part) or not _changed_beyond_notes(old, new, notes_a, notes_b):
            continue
        ruled = old or new  # the older version's rules, by its number
        assert ruled is not None
        rule = (
            a.meta.policy.main_text
            if ruled.kind == "section"
            else rule_for(a.meta.policy, ruled.number, ruled.number in own_text)
        )
        sentences: tuple[str, ...] = ()
        if old is not None and new is not None and ruled.kind == "annex":
            sentences = _annex_sentences(a, b, old.number, new.number)
        same_text = (
            old is not None and new is not None and not changed(replace(part, former_heading=None))
        )
        if same_text and old is not None and new is not None:
            sentences = (_same_text(old, new), *sentences)
        sentences = (*sentences, *_move_sentences(part))
        changes.append(
            Change(
                key=part.key,
                part=part.heading,  # as the document prints it: one spelling a part
                status=_status(old, new),
                sentences=sentences,
                needs=rule.record,
                needs_text=_needs_text(rule),
                text_unchanged=same_text,
            )
        )
    return Report(
        title=label("report_title", a=a_label, b=b_label),
        a_label=a_label,
        b_label=b_label,
        changes=tuple(changes),
        redline=redline,
        author=author,
        date=date,
    )


def _same_text(old: Part, new: Part) -> str:
    """``§ 8 → § 9, teksti ennallaan``: a part renumbered or retitled, its text as it was."""
    if old.number == new.number:
        return label("retitled_text_unchanged")
    ref = "section_ref" if new.kind == "section" else "annex_ref"
    return label(
        "renumbered_text_unchanged",
        before=label(ref, number=old.number),
        after=label(ref, number=new.number),
    )


def _move_sentences(part: Part) -> list[str]:
    """The moves to and from a redline part, in words: ``kappale siirretty: 8 § → 9 §``,
    ``kohta siirretty ja muutettu 11 §:n sisällä``; a move within the part is said once, at
    its new place, and moves said alike are counted (``3 kappaletta siirretty: …``)."""
    said: Counter[tuple[UnitKind, str, str, str]] = Counter()  # in the order first said
    here = _reference(part.kind, part.number)
    for kind, end in moves(part):
        other = _reference(end.kind, end.part)
        if end.within and end.side == "to":
            key = "moved_edited_within" if end.edited else "moved_within"
            said[kind, key, _reference(part.kind, part.number, "genitive"), ""] += 1
        elif not end.within:
            key = "moved_edited_between" if end.edited else "moved_between"
            before, after = (here, other) if end.side == "from" else (other, here)
            said[kind, key, before, after] += 1
    sentences = []
    for (kind, key, before, after), count in said.items():
        what = label(f"moved_{kind}") if count == 1 else label(f"moved_{kind}s", count=count)
        sentences.append(label(key, what=what, before=before, after=after, part=before))
    return sentences


def move_badge(end: Moved[Any]) -> str:
    """What stands beside a moved block: where it went (``siirretty 9 §:ään``) or where it
    came from (``siirretty tänne 8 §:stä``); within its part, up or down."""
    if end.within:
        match end.side:
            case "from":
                return label("redline_moved_up" if end.earlier else "redline_moved_down")
            case "to":
                return label(
                    "redline_moved_from_above" if end.earlier else "redline_moved_from_below"
                )
            case _:
                assert_never(end.side)
    if end.side == "from":
        return label("redline_moved_to", part=_reference(end.kind, end.part, "illative"))
    return label("redline_moved_here", part=_reference(end.kind, end.part, "elative"))


def _reference(
    kind: Literal["section", "annex"],
    number: int,
    case: Literal["nominative", "genitive", "elative", "illative"] = "nominative",
) -> str:
    """A part named in running text: ``8 §``, ``Liite 5``; ``8 §:n``, ``liitteestä 5``."""
    if case == "nominative":
        return label(f"{kind}_ref", number=number)
    return label(f"{kind}_{case}", number=number)


def _changed_beyond_notes(
    old: Part | None,
    new: Part | None,
    notes_a: Mapping[str, tuple[str, ...]],
    notes_b: Mapping[str, tuple[str, ...]],
) -> bool:
    """Whether a pair of parts differs in more than the notes that close each."""
    if old is None or new is None or not (notes_a.get(old.key) or notes_b.get(new.key)):
        return True
    without = [
        replace(part, blocks=part.blocks[: len(part.blocks) - len(notes.get(part.key, ()))])
        for part, notes in ((old, notes_a), (new, notes_b))
    ]
    return changed(redline_parts(*without))


def _titles(agreement: Agreement) -> dict[tuple[str, int], str]:
    titles = {("section", s.number): s.title for s in agreement.sections}
    return titles | {("annex", x.number): x.title for x in agreement.annexes}


def pair_parts(
    a: Document,
    b: Document,
    a_titles: dict[tuple[str, int], str],
    b_titles: dict[tuple[str, int], str],
) -> list[Pair]:
    """A's parts matched to B's, in B's order with removed parts where they stood: first by
    title (a part that kept its title but not its number was renumbered), then by number
    (one that kept its number but not its title was retitled)."""
    olds: dict[tuple[str, int], Part] = {(p.kind, p.number): p for p in a.parts}
    news: dict[tuple[str, int], Part] = {(p.kind, p.number): p for p in b.parts}
    match: dict[tuple[str, int], tuple[str, int]] = {}  # B's key -> A's key
    by_title: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for key in olds:
        by_title.setdefault((key[0], _fold(a_titles.get(key, ""))), []).append(key)
    for key in news:
        if key in olds and _fold(a_titles.get(key, "")) == _fold(b_titles.get(key, "")):
            match[key] = key
    taken = set(match.values())
    for key in news:
        if key in match:
            continue
        candidates = [
            k for k in by_title.get((key[0], _fold(b_titles.get(key, ""))), []) if k not in taken
        ]
        if candidates:
            match[key] = candidates[0]
            taken.add(candidates[0])
    for key in news:
        if key not in match and key in olds and key not in taken:
            match[key] = key
            taken.add(key)
    position = {key: index for index, key in enumerate(olds)}
    # Matches that cross (a part renumbered to before one that kept its number) cannot all
    # stand in both versions' order: the longest run that does is kept, and the others are
    # removed where they stood and added where they stand, so rejecting gives A's order.
    order = [(position[match[key]], index) for index, key in enumerate(news) if key in match]
    kept = {index for _, index in longest_chain(order)}
    match = {key: match[key] for index, key in enumerate(news) if index in kept}
    taken = set(match.values())
    pairs: list[Pair] = []
    removed = [key for key in olds if key not in taken]
    for part in b.parts:
        key = (part.kind, part.number)
        old_key = match.get(key)
        while removed and (
            position[removed[0]] < position[old_key] if old_key else _precedes(removed[0], key)
        ):
            pairs.append((olds[removed.pop(0)], None))
        pairs.append((olds[old_key] if old_key else None, part))
    pairs += [(olds[key], None) for key in removed]
    return pairs


def _precedes(key: tuple[str, int], other: tuple[str, int]) -> bool:
    """Document order of two parts that have no counterpart to go by: sections first."""
    return (key[0] != "section", key[1]) < (other[0] != "section", other[1])


def _fold(title: str) -> str:
    return " ".join(title.casefold().split())


def _status(old: Part | None, new: Part | None) -> Status:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old.number != new.number:
        return "renumbered"
    if old.heading != new.heading:
        return "retitled"
    return "changed"


def _needs_text(rule: ChangeRule) -> str:
    if rule.record == "decision":
        return label("needs_decision", body=rule.body or label("steering_group"))
    return label(f"needs_{rule.record}")


# -- data, by key -----------------------------------------------------------------------------


def _annex_sentences(a: Agreement, b: Agreement, old: int, new: int) -> tuple[str, ...]:
    x, y = a.annex(old), b.annex(new)
    match x, y:
        case StaffingAnnex(), StaffingAnnex():
            return tuple(_staffing_sentences(a, b, x, y))
        case CompositionAnnex(), CompositionAnnex():
            members = _member_sentences(x.members, y.members)
            return (*members, *_contact_sentences(a, b, x, y))
        case AppointmentAnnex(), AppointmentAnnex():
            return tuple(_member_sentences(x.members, y.members))
        case GoalsAnnex(), GoalsAnnex():
            before, after = dict(x.goals), dict(y.goals)
            return tuple(
                label("goals_changed", year=year)
                for year in sorted(before.keys() | after.keys())
                if before.get(year) != after.get(year)
            )
        case _:
            return ()


def _staffing_sentences(
    a: Agreement, b: Agreement, x: StaffingAnnex, y: StaffingAnnex
) -> Iterator[str]:
    before, after = _figures(a, x), _figures(b, y)
    for name in [*after, *(n for n in before if n not in after)]:
        old, new = before.get(name), after.get(name)
        if old is None and new is not None:
            yield label("htv_added", name=name, after=format_htv(new))
        elif new is None and old is not None:
            yield label("htv_removed", name=name, before=format_htv(old))
        elif old != new and old is not None and new is not None:
            yield label("htv_changed", name=name, before=format_htv(old), after=format_htv(new))
    if x.total != y.total:
        yield label("htv_total", before=format_htv(x.total), after=format_htv(y.total))


def _figures(agreement: Agreement, annex: StaffingAnnex) -> dict[str, Decimal]:
    """Every figure of a staffing annex by its name: ``Kansaneläkelaitos``,
    ``Kansaneläkelaitos, työkykyneuvoja``."""
    figures: dict[str, Decimal] = {}

    def walk(prefix: str, items: tuple[StaffingItem, ...]) -> None:
        for item in items:
            name = f"{prefix}, {item.name}"
            figures[name] = item.htv
            walk(name, item.parts)

    for staffing in annex.parties:
        party = agreement.party(staffing.party)
        name = party.name if party else staffing.party
        figures[name] = staffing.htv
        walk(name, staffing.parts)
    return figures


def _member_sentences(before: tuple[Member, ...], after: tuple[Member, ...]) -> Iterator[str]:
    """Members by name; one that left and one that came with the same role or place in the
    list read as a replacement."""
    old = {m.name: m for m in before}
    new = {m.name: m for m in after}
    gone = [m for m in before if m.name not in new]
    came = [m for m in after if m.name not in old]
    for member in list(gone):
        successor = next(
            (m for m in came if m.role == member.role and m.organisation == member.organisation),
            None,
        )
        if successor is None and len(gone) == len(came):
            successor = came[gone.index(member)]
        if successor is not None:
            gone.remove(member)
            came.remove(successor)
            yield label("member_replaced", before=member.name, after=successor.name)
            if member.deputy != successor.deputy:
                yield label(
                    "member_field",
                    name=successor.name,
                    field=label("field_deputy"),
                    before=member.deputy or label("none"),
                    after=successor.deputy or label("none"),
                )
    for member in after:
        if member.name in old:
            previous = old[member.name]
            for field_name in ("role", "deputy", "organisation"):
                was, now = getattr(previous, field_name), getattr(member, field_name)
                if was != now:
                    yield label(
                        "member_field",
                        name=member.name,
                        field=label(f"field_{field_name}"),
                        before=was or label("none"),
                        after=now or label("none"),
                    )
    yield from (label("member_added", name=m.name) for m in came)
    yield from (label("member_removed", name=m.name) for m in gone)


def _contact_sentences(
    a: Agreement, b: Agreement, x: CompositionAnnex, y: CompositionAnnex
) -> list[str]:
    def said(contact: ContactPerson) -> str:
        """The name, and the email and phone where given: a change of either is told."""
        return ", ".join(v for v in (contact.name, contact.email, contact.phone) if v)

    before = {c.party: said(c) for c in x.contacts}
    after = {c.party: said(c) for c in y.contacts}
    sentences = []
    for party_id in [*after, *(p for p in before if p not in after)]:
        if before.get(party_id) != after.get(party_id):
            party = b.party(party_id) or a.party(party_id)
            sentences.append(
                label(
                    "contact_changed",
                    party=party.name if party else party_id,
                    before=before.get(party_id) or label("none"),
                    after=after.get(party_id) or label("none"),
                )
            )
    return sentences


def _metadata_sentences(a: Metadata, b: Metadata) -> tuple[str, ...]:
    """The metadata's changes in words: parties, signatories, dates, court."""
    sentences: list[str] = []

    def field_change(name: str, before: str, after: str) -> None:
        if before != after:
            sentences.append(
                label("field_changed", field=label(f"field_{name}"), before=before, after=after)
            )

    field_change("title", a.title, b.title)
    field_change("area", a.area, b.area)
    field_change("municipalities", ", ".join(a.municipalities), ", ".join(b.municipalities))
    field_change("effective_date", format_date(a.effective_date), format_date(b.effective_date))
    field_change("valid_until", _until(a.valid_until), _until(b.valid_until))
    field_change("extension", _extension(a.extension), _extension(b.extension))
    field_change("court", a.court, b.court)
    old = {p.id: p for p in a.parties}
    new = {p.id: p for p in b.parties}
    for party in b.parties:
        previous = old.get(party.id)
        if previous is None:
            sentences.append(label("party_added", name=party.name))
            continue
        for name in ("name", "short_name", "role", "responsible_municipality", "represented_by"):
            before, after = getattr(previous, name), getattr(party, name)
            if before != after:
                sentences.append(
                    label(
                        "party_field_changed",
                        party=previous.name,
                        field=label(f"field_party_{name}"),
                        before=before or label("none"),
                        after=after or label("none"),
                    )
                )
        if previous.signatories != party.signatories:
            sentences.append(
                label(
                    "signatory_changed",
                    party=party.name,
                    before=_signatories(previous) or label("none"),
                    after=_signatories(party) or label("none"),
                )
            )
    sentences += [label("party_removed", name=p.name) for p in a.parties if p.id not in new]
    if a.steering_group != b.steering_group:
        sentences.append(
            label(
                "field_changed",
                field=label("field_steering_group"),
                before=_group(a),
                after=_group(b),
            )
        )
    if a.policy != b.policy:
        sentences += _policy_sentences(a.policy, b.policy) or [label("field_policy_changed")]
    if a != b and not sentences:  # a field no sentence above names: still a change
        sentences.append(label("metadata_other_changed"))
    return tuple(sentences)


def _policy_sentences(a: Policy, b: Policy) -> list[str]:
    """How the rules for changing the agreement changed, in words: ``irtisanomisaika: 3 kk →
    6 kk``, ``Liite 2 muuttuu: osapuolen ilmoitus → päätös (Johtoryhmä)``."""
    found = []

    def field_change(name: str, before: str, after: str) -> None:
        if before != after:
            found.append(label("field_changed", field=name, before=before, after=after))

    field_change(
        label("field_termination_notice"),
        label("months", months=a.termination_notice_months),
        label("months", months=b.termination_notice_months),
    )
    field_change(label("field_main_text_rule"), _rule(a.main_text), _rule(b.main_text))
    for number in sorted(dict(a.annexes).keys() | dict(b.annexes).keys()):
        field_change(
            label("field_annex_rule", number=number), _rule(a.rule(number)), _rule(b.rule(number))
        )
    field_change(label("field_default_rule"), _rule(a.default), _rule(b.default))
    field_change(
        label("field_signed_records"),
        label("yes" if a.require_signed_records else "no"),
        label("yes" if b.require_signed_records else "no"),
    )
    field_change(
        label("field_signing"), label(f"signing_{a.signing}"), label(f"signing_{b.signing}")
    )
    return found


def _rule(rule: ChangeRule) -> str:
    text = _needs_text(rule)
    return label("rule_yearly_review", rule=text) if rule.yearly_review else text


def _until(day: dt.date | None) -> str:
    return format_date(day) if day else label("open_ended")


def _extension(extension: Extension | None) -> str:
    if extension is None:
        return label("none")
    return label(
        "extension_terms",
        months=extension.months,
        times=extension.times,
        date=format_date(extension.objection_by),
    )


def _signatories(party: Party) -> str:
    return "; ".join(f"{s.name}, {s.title}" for s in party.signatories)


def _group(meta: Metadata) -> str:
    group = meta.steering_group
    if group is None:
        return label("none")
    return f"{group.appointed_by}, {format_date(group.appointed_on)}, {group.term_years} v"
