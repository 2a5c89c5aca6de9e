"""Model -> document: the one sequence of headings, paragraphs, lists and tables that every
renderer walks, with the Finnish labels and tables tymdocs adds to the parties' text.

Renderers never look at the model or the sources; what they print is exactly
:func:`plain_text` of this document, which the tests hold them to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, assert_never

from tymdocs.locale import format_date, format_htv, label, speaking
from tymdocs.model import (
    Agreement,
    Annex,
    AppointmentAnnex,
    Block,
    Blocks,
    CompositionAnnex,
    Decision,
    GoalsAnnex,
    Heading,
    Inlines,
    ListBlock,
    ListItem,
    Mark,
    Member,
    Paragraph,
    Row,
    SigningMode,
    Span,
    StaffingAnnex,
    StaffingItem,
    Table,
    TextAnnex,
    plain,
    text_lines,
)


@dataclass(frozen=True)
class Part:
    """A top-level unit with its own bookmark: a numbered section or an annex."""

    kind: Literal["section", "annex"]
    number: int
    heading: str
    blocks: Blocks
    mark: Mark | None = None
    """In a redline: the whole part is inserted or deleted."""
    former_heading: str | None = None
    """In a redline: the heading in the older version, where it differs (renumbered or
    retitled); renderers show it deleted before ``heading`` inserted."""
    author: str | None = None
    """In a redline: who made this part's changes (the record's body, party or parties), for
    its tracked changes; None: the report's author."""
    date: dt.date | None = None
    """In a redline: when (the record's date), with ``author``."""

    @property
    def key(self) -> str:
        """``section-8``, ``annex-5``: how records and changes name the part. In a redline,
        a removed part whose number a new part took is ``section-8-removed``."""
        return f"{self.kind}-{self.number}" + ("-removed" if self.mark == "del" else "")


@dataclass(frozen=True)
class Document:
    title: str
    language: str
    parts: tuple[Part, ...]
    former_title: str | None = None
    """In a redline: the title in the older version, where it differs; the DOCX shows it
    deleted before ``title`` inserted."""


@dataclass(frozen=True)
class Amendment:
    """What an amendment's signature packages say of it on their cover: which version it is
    and which it changes, the record it rests on, the day it takes effect once every party
    has signed, and the parts it changes (the change set against the version before)."""

    number: int
    previous: int
    record: str
    """As documents cite it: ``Sopimusmuutos 1.3.2026``."""
    effective: dt.date
    parts: tuple[str, ...]
    """The changed parts as the document prints them: ``8 Henkilöstöresurssit``."""
    signing: SigningMode = "counterparts"
    """How it is signed: :func:`tymdocs.signing.round.signing_mode` of its own rule and the
    rule of the version it changes."""


@dataclass(frozen=True)
class Stamp:
    """What identifies one build on every page: the version, the commit, draft or not, and
    the fingerprint of the sources."""

    commit: str | None
    draft: bool
    fingerprint: str
    timestamp: int
    """Seconds since the epoch, from the commit or SOURCE_DATE_EPOCH; never the clock."""
    version_label: str
    """``Versio 2 · Johtoryhmä 15.9.2025 § 4 · voimassa 1.10.2025 alkaen``, or a draft's."""
    amendment: Amendment | None = None
    """Where the version is an amendment: what its packages' cover says of it."""

    @property
    def keyword(self) -> str:
        """``sha256:<fingerprint>``: how a document's properties name its sources (what
        ``verify`` reads a package's claim from)."""
        return f"sha256:{self.fingerprint}"

    @property
    def footer(self) -> str:
        fingerprint = label("fingerprint", fingerprint=self.fingerprint[:16])
        return f"{self.version_label} · {fingerprint}"


def compose(agreement: Agreement, notes: Mapping[str, tuple[str, ...]] | None = None) -> Document:
    """Lay the agreement out as a document: main text in order, then every annex.

    ``notes`` (by ``section-8``, ``annex-5``) close the part they concern, in the style of
    Finnish consolidated legislation: ``Liite 5 muutettu: Johtoryhmä 15.9.2025 § 4, ...``.
    """
    notes = notes or {}

    def closing(key: str) -> tuple[Block, ...]:
        return tuple(Paragraph((Span(note, emphasis=True),)) for note in notes.get(key, ()))

    parts = [
        Part(
            "section",
            section.number,
            f"{section.number} {section.title}",
            section.blocks + closing(f"section-{section.number}"),
        )
        for section in agreement.sections
    ]
    with speaking(agreement.meta.language):
        for annex in agreement.annexes:
            heading = label("annex_heading", number=annex.number, title=annex.title)
            blocks = (*_annex_blocks(agreement, annex), *closing(f"annex-{annex.number}"))
            parts.append(Part("annex", annex.number, heading, blocks))
    return Document(agreement.meta.title, agreement.meta.language, tuple(parts))


def _annex_blocks(agreement: Agreement, annex: Annex) -> Iterator[Block]:
    match annex:
        case TextAnnex():
            yield from annex.blocks
        case AppointmentAnnex():
            yield from _appointment_blocks(annex)
        case CompositionAnnex():
            yield from _composition_blocks(agreement, annex)
        case GoalsAnnex():
            yield from annex.blocks
            for year, goals in annex.goals:
                yield Heading(2, (Span(label("goals_year", year=year)),))
                yield ListBlock(tuple(ListItem(None, (Span(goal),)) for goal in goals))
        case StaffingAnnex():
            yield from _staffing_blocks(agreement, annex)
        case _:
            assert_never(annex)


def _appointment_blocks(annex: AppointmentAnnex) -> Iterator[Block]:
    yield _paragraph(cite_decision(annex.decision))
    yield from annex.blocks
    for member in annex.members:
        yield _paragraph(_member_line(member))
    for extra in annex.additional:
        yield from extra.blocks


def _composition_blocks(agreement: Agreement, annex: CompositionAnnex) -> Iterator[Block]:
    yield from annex.blocks
    if annex.members:
        yield _members_table(annex.members)
    yield from annex.contacts_blocks
    if annex.contacts:
        details = [
            key for key in ("email", "phone") if any(getattr(c, key) for c in annex.contacts)
        ]
        contacts = []
        for contact in annex.contacts:
            party = agreement.party(contact.party)
            cells = [party.name if party else contact.party, contact.name]
            cells += [getattr(contact, key) or "" for key in details]
            contacts.append(_row(*cells))
        header = _cells(label("party"), label("contact_person"), *map(label, details))
        yield Table(header, tuple(contacts))


def _staffing_blocks(agreement: Agreement, annex: StaffingAnnex) -> Iterator[Block]:
    yield from annex.blocks
    rows: list[Row] = []
    for staffing in annex.parties:
        yield from staffing.blocks
        party = agreement.party(staffing.party)
        name = party.name if party else staffing.party
        rows.append(_row(name, format_htv(staffing.htv), strong=True))
        rows.extend(_staffing_rows(staffing.parts, 1))
    rows.append(_row(label("total"), format_htv(annex.total), strong=True))
    header = _cells(label("staffing_item"), label("htv"))
    yield Table(header, tuple(rows), align=(None, "right"))


def cite_decision(decision: Decision) -> str:
    """``Sastamalan kaupunki, Työllisyyslautakunta 20.1.2025 § 6``."""
    text = f"{decision.body} {format_date(decision.date)} § {decision.section}"
    if decision.organisation:
        text = f"{decision.organisation}, {text}"
    if decision.case_number:
        text += f" ({decision.case_number})"
    return text


def _member_line(member: Member) -> str:
    """``Tiina Leppäniemi, puheenjohtaja, varajäsen Jari Kaijankoski``, as the seed writes it."""
    parts = [member.name]
    if member.role:
        parts.append(member.role)
    if member.deputy:
        parts.append(f"{label('deputy')} {member.deputy}")
    return ", ".join(parts)


def _members_table(members: tuple[Member, ...]) -> Table:
    header = [label("member"), label("role"), label("deputy_column")]
    with_organisation = any(member.organisation for member in members)
    if with_organisation:
        header.append(label("organisation"))
    rows = []
    for member in members:
        cells = [member.name, member.role or "", member.deputy or ""]
        if with_organisation:
            cells.append(member.organisation or "")
        rows.append(_row(*cells))
    return Table(_cells(*header), tuple(rows))


def _staffing_rows(items: tuple[StaffingItem, ...], level: int) -> Iterator[Row]:
    for item in items:
        yield _row(item.name, format_htv(item.htv), level=level)
        yield from _staffing_rows(item.parts, level + 1)


def _paragraph(text: str) -> Paragraph:
    return Paragraph((Span(text),))


def _cells(*texts: str) -> tuple[Inlines, ...]:
    return tuple(plain(text) for text in texts)


def _row(*texts: str, level: int = 0, strong: bool = False) -> Row:
    return Row(_cells(*texts), level=level, strong=strong)


def plain_text(document: Document) -> str:
    """The document's text, one block per line: what DOCX and PDF must both show."""
    return "\n".join(_plain_lines(document))


def _plain_lines(document: Document) -> Iterator[str]:
    yield document.title
    for part in document.parts:
        yield part.heading
        for block in part.blocks:
            yield from block_text(block)


def block_text(block: Block) -> Iterator[str]:
    """The lines of one block: a line per paragraph, heading, list item and table row. The
    markers of ordered lists are text, bullets are not; a row's cells are joined by spaces."""
    return (text for _, text in text_lines((block,), markers=True))
