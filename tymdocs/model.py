"""The agreement as immutable values: complete before anything renders, equal by content.

Text is kept as blocks of inline spans, never as markup: nothing in a source can become code
in a renderer. ``origin``/``line`` fields locate a value in its source for messages and are left
out of equality, so two versions with the same content compare equal wherever the text sits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, Literal, TypeVar, assert_never

# -- text -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where a value came from: a source path relative to the agreement root and a 1-based line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


NO_ORIGIN = Origin("<generated>")


Mark = Literal["ins", "del"]
"""In a redline: inserted by the newer version, or deleted from the older one. Every other
value carries None, so an agreement's own text is never marked."""


@dataclass(frozen=True)
class Span:
    """A run of text with one set of emphasis flags."""

    text: str
    strong: bool = False
    emphasis: bool = False
    mark: Mark | None = None


@dataclass(frozen=True)
class LineBreak:
    """A forced line break inside a paragraph (an address, a signature line)."""

    mark: Mark | None = None


Inline = Span | LineBreak
Inlines = tuple[Inline, ...]


_Shown = TypeVar("_Shown", "Heading", "Paragraph", "ListItem", "Table")


@dataclass(frozen=True)
class Moved(Generic[_Shown]):
    """In a redline: this block, deleted whole here, was inserted elsewhere (``side`` "from"),
    or, inserted whole here, was deleted elsewhere (``side`` "to"), the same or edited.

    An annotation beside the marks, never a mark: the block's marks stay its whole deletion
    or insertion, so accepting every mark still gives B and rejecting every mark A, and a
    renderer that knows no moves would show a deletion and an insertion. The edit inside a
    moved text is ``shown`` at its new place, word by word against its source."""

    side: Literal["from", "to"]
    number: int
    """The move's number in the report, the same at both ends, in B's reading order."""
    kind: Literal["section", "annex"]
    part: int
    """The part at the other end, by kind and number as the redline shows it."""
    within: bool
    """Both ends in the same part."""
    earlier: bool
    """The other end stands before this one in the report."""
    edited: bool
    """The text at the new place differs from the text at the old."""
    shown: _Shown | None = None
    """At the "to" end: the block as B has it, marked against its source word by word (words
    left as they were unmarked, the move's edits inserted and deleted), for reading only;
    None at the "from" end, and where the two differ in what marks cannot show (a table's
    columns): the block is then shown inserted whole."""

    @property
    def other(self) -> Literal["from", "to"]:
        """The side of the move's other end."""
        return "to" if self.side == "from" else "from"


@dataclass(frozen=True)
class Heading:
    level: int
    content: Inlines
    line: int = field(default=0, compare=False)
    mark: Mark | None = None
    """In a redline: the whole block is inserted or deleted (its spans carry the mark too)."""
    moved: Moved[Heading] | None = field(default=None, compare=False)
    """In a redline, on a block marked whole: one end of a move. Left out of equality, as a
    moved block is its deletion or insertion to accept and reject."""


@dataclass(frozen=True)
class Paragraph:
    content: Inlines
    line: int = field(default=0, compare=False)
    mark: Mark | None = None
    """In a redline: the whole block is inserted or deleted (its spans carry the mark too)."""
    moved: Moved[Paragraph] | None = field(default=None, compare=False)
    """In a redline, on a block marked whole: one end of a move. Left out of equality, as a
    moved block is its deletion or insertion to accept and reject."""


@dataclass(frozen=True)
class ListItem:
    """One item; ``marker`` is the source's own label (``1.``, ``2)``) or None for a bullet.

    ``content`` is the item's first paragraph; ``children`` what follows inside the item:
    further paragraphs and nested lists, to any depth.
    """

    marker: str | None
    content: Inlines
    children: Blocks = ()
    line: int = field(default=0, compare=False)
    mark: Mark | None = None
    """In a redline: the item is inserted or deleted (its spans and children carry it too)."""
    moved: Moved[ListItem] | None = field(default=None, compare=False)
    """In a redline, on a block marked whole: one end of a move. Left out of equality, as a
    moved block is its deletion or insertion to accept and reject."""
    former_marker: str | None = None
    """In a redline: the item's number in A, where B numbers it otherwise (an item inserted
    above it): ``3)`` of ``3)`` → ``4)``."""


@dataclass(frozen=True)
class ListBlock:
    items: tuple[ListItem, ...]
    line: int = field(default=0, compare=False)

    @property
    def ordered(self) -> bool:
        return any(item.marker is not None for item in self.items)


Align = Literal["left", "center", "right"] | None


@dataclass(frozen=True)
class Row:
    """A table row; ``level`` indents the first cell, ``strong`` marks totals and group rows."""

    cells: tuple[Inlines, ...]
    level: int = 0
    strong: bool = False
    line: int = field(default=0, compare=False)
    mark: Mark | None = None
    """In a redline: the row is inserted or deleted (its cells' spans carry it too)."""


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``align`` per column (None: the renderer's default, left)."""

    header: tuple[Inlines, ...]
    rows: tuple[Row, ...]
    align: tuple[Align, ...] = ()
    line: int = field(default=0, compare=False)
    mark: Mark | None = None
    """In a redline: the whole table is inserted or deleted (every row carries it too)."""
    moved: Moved[Table] | None = field(default=None, compare=False)
    """In a redline, on a block marked whole: one end of a move. Left out of equality, as a
    moved block is its deletion or insertion to accept and reject."""

    def alignment(self, column: int) -> Align:
        return self.align[column] if column < len(self.align) else None


Block = Heading | Paragraph | ListBlock | Table
Blocks = tuple[Block, ...]


def plain(text: str) -> Inlines:
    """Inline content of one unformatted run: the cells of the tables tymdocs composes."""
    return (Span(text),) if text else ()


def inline_text(content: Inlines) -> str:
    """The plain text of inline content; a line break reads as a newline."""
    return "".join(_inline_text(part) for part in content)


def _inline_text(part: Inline) -> str:
    match part:
        case Span():
            return part.text
        case LineBreak():
            return "\n"
        case _:
            assert_never(part)


def text_lines(blocks: Blocks, markers: bool = False) -> Iterator[tuple[int, str]]:
    """(source line, plain text) of every heading, paragraph, list item and table row in
    ``blocks``, nested ones included: the parties' text as the checks read it. A table's
    cells are joined by spaces; the line of a row tymdocs composed is 0. With ``markers``,
    an ordered list's item starts with its number, as a reader sees it."""
    for block in blocks:
        match block:
            case Heading() | Paragraph():
                yield block.line, inline_text(block.content)
            case ListBlock():
                for item in block.items:
                    text = inline_text(item.content)
                    yield item.line, f"{item.marker} {text}" if markers and item.marker else text
                    yield from text_lines(item.children, markers)
            case Table():
                yield block.line, row_text(block.header)
                for row in block.rows:
                    yield row.line, row_text(row.cells)
            case _:
                assert_never(block)


def row_text(cells: tuple[Inlines, ...]) -> str:
    """A table row's text: its non-empty cells, joined by spaces."""
    return " ".join(text for cell in cells if (text := inline_text(cell)))


# -- agreement ------------------------------------------------------------------------------

PartyRole = Literal["employment_authority", "wellbeing_services_county", "kela", "other"]
PARTY_ROLES: tuple[PartyRole, ...] = (
    "employment_authority",
    "wellbeing_services_county",
    "kela",
    "other",
)
RecordNeeded = Literal["amendment", "decision", "notice"]
SigningMode = Literal["counterparts", "every-copy"]
SIGNING_MODES: tuple[SigningMode, ...] = ("counterparts", "every-copy")
RECORDS_NEEDED: tuple[RecordNeeded, ...] = ("amendment", "decision", "notice")


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class Party:
    """A contracting party; ``signatories`` may be empty while the party has not named one."""

    id: str
    name: str
    role: PartyRole
    short_name: str | None
    responsible_municipality: str | None
    represented_by: str | None
    signatories: tuple[Signatory, ...]
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class SteeringGroup:
    """The johtoryhmä: appointed by one employment authority for a fixed term (TYM-laki 9 §)."""

    appointed_by: str
    appointed_on: dt.date
    term_years: int
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class Extension:
    """A fixed term that goes on by itself unless a party objects in writing in time:
    ``extension: {months: 12, times: 1, objection_by: 2026-09-30}`` beside ``valid_until``."""

    months: int
    """How long each extension is."""
    times: int
    """How many extensions the text allows."""
    objection_by: dt.date
    """The last day a party may object to the first extension; each later one's deadline is
    this date moved by ``months`` per extension before it."""
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class ChangeRule:
    """The record a change of one part needs (seed § 12 and § 4), and any yearly review."""

    record: RecordNeeded
    body: str | None = None
    """For a decision: the body that decides, as its decisions are cited (``Johtoryhmä``)."""
    party: str | None = None
    """For a decision: the party the body belongs to, where that matters (Liite 1)."""
    yearly_review: bool = False
    """Reviewed at least once a year, even when nothing changes (seed Liite 3 and Liite 5)."""
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class Policy:
    """How each part of the agreement may change: the agreement's own rules, as data."""

    main_text: ChangeRule
    annexes: tuple[tuple[int, ChangeRule], ...]
    """Rules by annex number; any other annex follows ``default``."""
    default: ChangeRule
    termination_notice_months: int = 6
    require_signed_records: bool = False
    """Records must be signed commits that ``git verify-commit`` accepts."""
    signing: SigningMode = "counterparts"
    """How a version is signed: each signatory once, in any copy (``counterparts``), or
    every signatory in every party's copy (``every-copy``)."""

    def rule(self, annex: int) -> ChangeRule:
        return dict(self.annexes).get(annex, self.default)


@dataclass(frozen=True)
class Section:
    """A numbered section of the main text."""

    number: int
    title: str
    blocks: Blocks
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class Decision:
    """A decision of a body, cited ``Toimielin d.m.yyyy § n``."""

    organisation: str | None
    body: str
    date: dt.date
    section: int
    case_number: str | None = None


@dataclass(frozen=True)
class Member:
    """A steering-group member with an optional role and deputy."""

    name: str
    role: str | None = None
    deputy: str | None = None
    party: str | None = None
    organisation: str | None = None
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class AdditionalAppointment:
    """A member named by another organisation after the decision (seed: Kihniö's member)."""

    appointed_by: str
    date: dt.date
    member: Member
    blocks: Blocks
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class ContactPerson:
    """A party's contact person, with an email address and a phone number where given
    (personal data: ``site --public`` leaves them out)."""

    party: str
    name: str
    origin: Origin = field(default=NO_ORIGIN, compare=False)
    email: str | None = None
    phone: str | None = None


StaffingKind = Literal["area", "role", "unit"]


@dataclass(frozen=True)
class StaffingItem:
    """Staffing in htv for an area, a role or a unit; ``parts`` must add up to ``htv``."""

    kind: StaffingKind
    name: str
    htv: Decimal
    parts: tuple[StaffingItem, ...] = ()
    origin: Origin = field(default=NO_ORIGIN, compare=False)


def every_item(items: tuple[StaffingItem, ...]) -> Iterator[StaffingItem]:
    """``items`` and all their parts, depth first."""
    for item in items:
        yield item
        yield from every_item(item.parts)


@dataclass(frozen=True)
class PartyStaffing:
    """What one party allocates to the cooperation model, with the parties' own wording."""

    party: str
    htv: Decimal
    blocks: Blocks
    parts: tuple[StaffingItem, ...]
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class TextAnnex:
    number: int
    title: str
    blocks: Blocks
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class AppointmentAnnex:
    """The steering group's appointment decision (seed Liite 1)."""

    number: int
    title: str
    decision: Decision
    blocks: Blocks
    members: tuple[Member, ...]
    additional: tuple[AdditionalAppointment, ...]
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class CompositionAnnex:
    """The steering group's composition and the contact persons (seed Liite 2)."""

    number: int
    title: str
    valid_from: dt.date | None
    blocks: Blocks
    members: tuple[Member, ...]
    contacts_blocks: Blocks
    contacts: tuple[ContactPerson, ...]
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class GoalsAnnex:
    """Goals set yearly by the steering group, one set per year (seed Liite 3)."""

    number: int
    title: str
    blocks: Blocks
    goals: tuple[tuple[int, tuple[str, ...]], ...]
    origin: Origin = field(default=NO_ORIGIN, compare=False)


@dataclass(frozen=True)
class StaffingAnnex:
    """Staffing per party, area and role in htv (seed Liite 5)."""

    number: int
    title: str
    valid_from: dt.date | None
    blocks: Blocks
    parties: tuple[PartyStaffing, ...]
    origin: Origin = field(default=NO_ORIGIN, compare=False)

    @property
    def total(self) -> Decimal:
        return sum((p.htv for p in self.parties), Decimal(0))


Annex = TextAnnex | AppointmentAnnex | CompositionAnnex | GoalsAnnex | StaffingAnnex


@dataclass(frozen=True)
class AnnexReference:
    """A mention of an annex by number in the text (``liitteessä 2``), for cross-checking."""

    number: int
    origin: Origin


@dataclass(frozen=True)
class Unread:
    """Parts the sources hold that did not read, each for an error reported where it is.

    Cross-checks stay silent about them, so that one mistake is reported once, in its own file:
    an annex with an error inside is not also "missing" wherever the text refers to it.
    """

    annexes: frozenset[int] = frozenset()
    parties: frozenset[str] = frozenset()
    """Case-folded ids of the party entries in ``tymdocs.yaml`` that did not read."""
    any_party: bool = False
    """A party entry did not read far enough to tell its id: any unknown id may be it."""
    main_text: bool = False
    """Some of the main text did not read (a file that is not UTF-8, a bad section heading)."""

    def party(self, party_id: str) -> bool:
        """Whether ``party_id`` may be the id of a party that did not read."""
        return self.any_party or party_id.casefold() in self.parties


@dataclass(frozen=True)
class Metadata:
    """What ``tymdocs.yaml`` says about the agreement as a whole."""

    id: str
    title: str
    language: str
    area: str
    municipalities: tuple[str, ...]
    parties: tuple[Party, ...]
    effective_date: dt.date
    valid_until: dt.date | None
    """None: in force until further notice (``toistaiseksi``)."""
    court: str
    steering_group: SteeringGroup | None
    policy: Policy
    extension: Extension | None = None
    """How a fixed term goes on unless a party objects; None: it ends at ``valid_until``."""
    origins: Mapping[str, Origin] = field(default_factory=dict, compare=False)
    """Where each key was written, by dotted path (``court``,
    ``change_rules.termination_notice_months``): for messages that point at a field."""
    unread: Unread = field(default=Unread(), compare=False)
    """The parties that did not read."""


@dataclass(frozen=True)
class Agreement:
    """One agreement version: metadata, main text and annexes, in document order."""

    meta: Metadata
    sections: tuple[Section, ...]
    annexes: tuple[Annex, ...]
    references: tuple[AnnexReference, ...] = field(default=(), compare=False)
    unread: Unread = field(default=Unread(), compare=False)
    """What exists in the sources but did not read: nothing to cross-check it against."""

    @property
    def parties(self) -> tuple[Party, ...]:
        return self.meta.parties

    @property
    def authors(self) -> tuple[str, ...]:
        """Whom the documents' properties name as their authors: the parties."""
        return tuple(party.name for party in self.meta.parties)

    def party(self, party_id: str) -> Party | None:
        return next((p for p in self.meta.parties if p.id == party_id), None)

    def annex(self, number: int) -> Annex | None:
        return next((a for a in self.annexes if a.number == number), None)
