"""The data annexes' YAML schemas (appointment, composition, goals, staffing) as small readers.

Each reader takes a :class:`~tymdocs.yamlsrc.Node` and returns a model value, or None when the
value is unusable; every problem is reported through the Node, as in ``config.py``. Text fields
become blocks through the ``blocks`` callback the caller passes: the one place where agreement
text is parsed and its mentions of annexes noted. ``read_decision`` reads a decision's fields
wherever one is written down (an appointment annex, a record).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tymdocs.errors import has_errors
from tymdocs.model import (
    AdditionalAppointment,
    Annex,
    AppointmentAnnex,
    Blocks,
    CompositionAnnex,
    ContactPerson,
    Decision,
    GoalsAnnex,
    Member,
    Origin,
    PartyStaffing,
    StaffingAnnex,
    StaffingItem,
    StaffingKind,
)
from tymdocs.yamlsrc import Node

KINDS = ("appointment", "composition", "goals", "staffing")

TextReader = Callable[[Node], Blocks]
"""Turns a text field into blocks (and notes the annexes it mentions)."""

_Body = Callable[[dict[str, Node], int, str, Origin, TextReader], Annex | None]

_COMMON = ("annex", "kind", "title")


def read_annex(root: Node, blocks: TextReader) -> Annex | None:
    """A whole data annex file; None when anything in it is wrong, so nothing half-read is
    rendered."""
    if not isinstance(root.value, dict):
        root.mapping()  # reports what the file holds instead
        return None
    if "kind" not in root.value:
        root.problem("missing key 'kind' (one of " + ", ".join(KINDS) + ")")
        return None
    kind = Node(root.source, ("kind",), root.value["kind"], root.problems).choice(KINDS)
    if kind is None:
        return None
    required, optional, read = _SCHEMAS[kind]
    fields = root.mapping(required=(*_COMMON, *required), optional=optional)
    if fields is None or not all(key in fields for key in _COMMON):
        return None
    number = fields["annex"].integer()
    title = fields["title"].text()
    if number is not None and number <= 0:
        fields["annex"].problem("annex: the number must be positive")
        number = None
    before = len(root.problems)
    origin = Origin(root.source.path, root.line)
    annex = read(fields, number or 0, (title or "").strip(), origin, blocks)
    if number is None or title is None or has_errors(root.problems[before:]):
        return None
    return annex


def read_decision(node: Node) -> Decision | None:
    """``{body, date, section}`` and optionally ``organisation`` and ``case_number``."""
    fields = node.mapping(
        required=("body", "date", "section"), optional=("organisation", "case_number")
    )
    if fields is None or not all(key in fields for key in ("body", "date", "section")):
        return None
    body, date, section = (
        fields["body"].text(),
        fields["date"].date(),
        fields["section"].integer(),
    )
    organisation = fields["organisation"].text() if "organisation" in fields else None
    case_number = fields["case_number"].text() if "case_number" in fields else None
    if body is None or date is None or section is None:
        return None
    return Decision(organisation, body, date, section, case_number)


def _appointment(
    fields: dict[str, Node], number: int, title: str, origin: Origin, blocks: TextReader
) -> AppointmentAnnex | None:
    if not all(key in fields for key in ("decision", "text", "members")):
        return None
    decision = read_decision(fields["decision"])
    text = blocks(fields["text"])
    members = _members(fields["members"])
    additional = tuple(
        extra
        for node in (fields["additional"].items() if "additional" in fields else ())
        if (extra := _additional(node, blocks)) is not None
    )
    if decision is None:
        return None
    return AppointmentAnnex(number, title, decision, text, members, additional, origin)


def _members(node: Node) -> tuple[Member, ...]:
    return tuple(member for item in node.items() if (member := _member(item)) is not None)


def _member(node: Node) -> Member | None:
    fields = node.mapping(required=("name",), optional=("role", "deputy", "party", "organisation"))
    if fields is None or "name" not in fields:
        return None
    name = fields["name"].text()
    values = {
        key: fields[key].text() if key in fields else None
        for key in ("role", "deputy", "party", "organisation")
    }
    if name is None:
        return None
    return Member(name.strip(), **values, origin=Origin(node.source.path, node.line))


def _additional(node: Node, blocks: TextReader) -> AdditionalAppointment | None:
    """A member another organisation names later, with the text that says so."""
    fields = node.mapping(required=("appointed_by", "date", "member", "text"))
    if fields is None or len(fields) < 4:
        return None
    appointed_by, date = fields["appointed_by"].text(), fields["date"].date()
    member = _member(fields["member"])
    text = blocks(fields["text"])
    if appointed_by is None or date is None or member is None:
        return None
    return AdditionalAppointment(
        appointed_by, date, member, text, Origin(node.source.path, node.line)
    )


def _composition(
    fields: dict[str, Node], number: int, title: str, origin: Origin, blocks: TextReader
) -> CompositionAnnex | None:
    valid_from = fields["valid_from"].date() if "valid_from" in fields else None
    text = blocks(fields["text"]) if "text" in fields else ()
    members = _members(fields["members"]) if "members" in fields else ()
    contacts_text: Blocks = ()
    contacts: tuple[ContactPerson, ...] = ()
    if "contact_persons" in fields:
        entries = fields["contact_persons"].mapping(required=("persons",), optional=("text",))
        if entries is not None and "text" in entries:
            contacts_text = blocks(entries["text"])
        if entries is not None and "persons" in entries:
            contacts = _contacts(entries["persons"])
    return CompositionAnnex(
        number, title, valid_from, text, members, contacts_text, contacts, origin
    )


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?(?:[0-9]|\([0-9]+\))(?:[ -]?[0-9]|[ -]?\([0-9]+\)){4,}")
"""Digits, a space or hyphen between any two, any group of them in brackets: a landline's
area code as Finns write it, "(09) 123 4567", and the trunk zero of "+358 (0)40 123 4567"."""


def _contacts(node: Node) -> tuple[ContactPerson, ...]:
    """Each row's party and name, and optionally its ``email`` and ``phone`` (both added in
    0.4: a row without them reads as before)."""
    contacts: list[ContactPerson] = []
    for item in node.items():
        person = item.mapping(required=("party", "name"), optional=("email", "phone"))
        if person is None or "party" not in person or "name" not in person:
            continue
        party, name = person["party"].text(), person["name"].text()
        email = _detail(person, "email", _EMAIL, "an email address like etunimi.sukunimi@kunta.fi")
        phone = _detail(person, "phone", _PHONE, 'a phone number like "040 123 4567"')
        if party and name:
            origin = Origin(item.source.path, item.line)
            contacts.append(
                ContactPerson(party.strip(), name.strip(), origin, email=email, phone=phone)
            )
    return tuple(contacts)


def _detail(person: dict[str, Node], key: str, form: re.Pattern[str], like: str) -> str | None:
    """An optional contact detail, checked for its form: a mistyped one is an error."""
    if key not in person:
        return None
    node = person[key]
    if isinstance(node.value, int | float) and not isinstance(node.value, bool):
        node.problem(f"{key}: write it in quotes, as text: unquoted it reads as a number")
        return None
    value = node.text()
    if value is None:
        return None
    value = " ".join(value.split())
    if not form.fullmatch(value):
        node.problem(f"{key}: {value!r} is not {like}")
        return None
    return value


def _goals(
    fields: dict[str, Node], number: int, title: str, origin: Origin, blocks: TextReader
) -> GoalsAnnex | None:
    text = blocks(fields["text"]) if "text" in fields else ()
    years: list[tuple[int, tuple[str, ...]]] = []
    for year, node in fields["goals"].pairs() if "goals" in fields else ():
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            node.problem(f"goals: {year!r} is not a year", at_key=True)
            continue
        goals = tuple(line.strip() for item in node.items() if (line := item.text()))
        years.append((year, goals))
    return GoalsAnnex(number, title, text, tuple(sorted(years)), origin)


def _staffing(
    fields: dict[str, Node], number: int, title: str, origin: Origin, blocks: TextReader
) -> StaffingAnnex | None:
    valid_from = fields["valid_from"].date() if "valid_from" in fields else None
    text = blocks(fields["text"]) if "text" in fields else ()
    parties = tuple(
        party
        for item in (fields["parties"].items() if "parties" in fields else ())
        if (party := _party_staffing(item, blocks)) is not None
    )
    return StaffingAnnex(number, title, valid_from, text, parties, origin)


def _party_staffing(node: Node, blocks: TextReader) -> PartyStaffing | None:
    """One party's htv, its own wording, and its parts."""
    entry = node.mapping(required=("party", "htv"), optional=("text", "parts"))
    if entry is None or "party" not in entry or "htv" not in entry:
        return None
    party, htv = entry["party"].text(), entry["htv"].decimal()
    text = blocks(entry["text"]) if "text" in entry else ()
    parts = _staffing_items(entry["parts"]) if "parts" in entry else ()
    if party is None or htv is None:
        return None
    return PartyStaffing(party.strip(), htv, text, parts, Origin(node.source.path, node.line))


def _staffing_items(node: Node) -> tuple[StaffingItem, ...]:
    return tuple(item for entry in node.items() if (item := _staffing_item(entry)) is not None)


def _staffing_item(node: Node) -> StaffingItem | None:
    """Exactly one of ``area``, ``role`` or ``unit``, its htv, and parts nested to any depth."""
    entry = node.mapping(required=("htv",), optional=("area", "role", "unit", "parts"))
    if entry is None:
        return None
    kinds: list[StaffingKind] = [k for k in ("area", "role", "unit") if k in entry]
    if len(kinds) != 1:
        node.problem(f"{node.name}: give exactly one of area, role or unit")
        return None
    kind = kinds[0]
    name = entry[kind].text()
    htv = entry["htv"].decimal() if "htv" in entry else None
    parts = _staffing_items(entry["parts"]) if "parts" in entry else ()
    if name is None or htv is None:
        return None
    return StaffingItem(kind, name.strip(), htv, parts, Origin(node.source.path, node.line))


_SCHEMAS: dict[str, tuple[tuple[str, ...], tuple[str, ...], _Body]] = {
    "appointment": (("decision", "text", "members"), ("additional",), _appointment),
    "composition": (("members",), ("text", "valid_from", "contact_persons"), _composition),
    "goals": (("text",), ("goals",), _goals),
    "staffing": (("parties",), ("text", "valid_from"), _staffing),
}
"""Per kind: the keys it requires and allows besides ``annex``, ``kind``, ``title``, and its
reader."""
