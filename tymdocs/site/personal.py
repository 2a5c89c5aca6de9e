"""Personal data the sources mark as such, and taking it out of what ``tymdocs site --public``
publishes.

The data annexes' person fields are personal by their kind: the steering group's members and
their deputies (Liite 1's appointment, with any member named later, and Liite 2's
composition) and the contact persons, with their email addresses and phone numbers, which
are withheld always. Their names are withheld wherever they appear, the
parties' own text included (Liite 1 names Kihniö's member in a sentence); a signatory's name
is public, as it stands on every signed copy, and is kept even where the same person is a
member. A name written only in running text, in no person field, is not known to be one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

from tymdocs.model import (
    Agreement,
    AppointmentAnnex,
    CompositionAnnex,
    Member,
)

_ALIAS = re.compile(r"\s*\([^)]*\)\s*")
"""``Annukka (Martikainen) Eloranta``: a former name in brackets, also written without it."""


def marked_names(agreement: Agreement) -> list[str]:
    """Every name in the agreement's person fields, as written and without a bracketed part,
    once each, in the order the annexes give them (which :class:`Redaction` numbers by)."""
    names: list[str] = []

    def member(person: Member) -> None:
        names.extend(n for n in (person.name, person.deputy) if n)

    for annex in agreement.annexes:
        match annex:
            case AppointmentAnnex():
                for person in annex.members:
                    member(person)
                for extra in annex.additional:
                    member(extra.member)
            case CompositionAnnex():
                for person in annex.members:
                    member(person)
                names.extend(contact.name for contact in annex.contacts)
            case _:
                pass  # text, goals and staffing annexes hold no person fields
    names += [canonical(name) for name in names]
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def marked_details(agreement: Agreement) -> set[str]:
    """Every contact person's email address and phone number: withheld whoever it is."""
    return {
        detail
        for annex in agreement.annexes
        if isinstance(annex, CompositionAnnex)
        for contact in annex.contacts
        for detail in (contact.email, contact.phone)
        if detail
    }


def _detail(detail: str) -> str:
    """A pattern of an email address (in any case, ``@`` also written ``(at)``) or a phone
    number: its digits with any spaces, hyphens, dots or brackets between them, a bracket
    before it, and its national part after ``0``, ``+358``, ``358`` or ``00358`` with or
    without the trunk ``(0)`` (``+358 (0)40 123 4567``, ``040-1234567``, ``(040) 123 4567``)."""
    if "@" in detail:
        local, _, domain = detail.partition("@")
        at = r"(?:@|\s*[(\[]at[)\]]\s*)"
        return rf"(?<![\w.+-])(?i:{re.escape(local)}{at}{re.escape(domain)})(?![\w@-]|\.\w)"
    written = re.sub(r"^\s*\(0\)", "0", detail).replace("(0)", "")  # (0)40 …: 040 …
    digits = re.sub(r"[^0-9+]", "", written)
    national = (
        digits[4:] if digits.startswith("+358") else digits[1:] if digits.startswith("0") else ""
    )
    between = r"[\s\-–./()]*"

    def spelled(prefix: str) -> str:
        """``prefix`` and the national part, a country code's trunk ``(0)`` between them:
        one optional group in one place, so a failed match never backtracks far."""
        trunk = r"(?:\(0\))?" if prefix.endswith("358") else ""
        digits_of = [*map(re.escape, prefix)]
        return between.join(digits_of) + between + trunk + between + between.join(national)

    if national:
        forms = [spelled(prefix) for prefix in ("0", "+358", "358", "00358")]
    else:
        forms = [between.join(map(re.escape, digits))]
    return rf"(?<![\d+(])\(?(?:{'|'.join(forms)})(?!\d)"


def signatory_names(agreement: Agreement) -> set[str]:
    return {s.name for party in agreement.parties for s in party.signatories}


def _inflected(name: str) -> str:
    """A pattern of ``name`` as written and inflected, kept simple and on the safe side: the
    words as written, any run of spaces or a line break between them, and the last word
    with any ending (``Kristiina Mäkelän``, ``Johan Lunds``, ``Lund:n``); a Finnish ``-nen``
    name by its ``-s-`` stem too (``Sari Mäkisen``, ``Mäkiselle``). Not caught: a stem that
    changes otherwise (``Koski``, ``Kosken``), a first name inflected alone, and either
    name written without the other. A longer name that merely starts the same
    (``Lundqvist``) is withheld too."""
    *first, last = name.split()
    stems = [re.escape(last)]
    if len(last) > 3 and last.endswith("nen"):
        stems.append(re.escape(last[:-3] + "s"))
    words = [re.escape(word) for word in first]
    return r"\s+".join([*words, f"(?:{'|'.join(stems)})(?:[:'’]?\\w+)?"])


def canonical(name: str) -> str:
    """A name as one person: without a bracketed former name, its spaces single."""
    return " ".join(_ALIAS.sub(" ", name).split())


class Redaction:
    """Replaces each withheld name by ``placeholder`` in text and in whole agreements, and
    each withheld contact detail (email, phone) by ``detail_placeholder``.

    A ``placeholder`` with ``{number}`` numbers the persons (``[henkilö 3]``) in the order
    ``names`` gives them, the same in every version: versions compared after redaction still
    tell one member from another (a member replaced is a change, one left alone is not),
    where one placeholder for all made every member the same row."""

    def __init__(
        self,
        names: Iterable[str],
        placeholder: str,
        keep: Iterable[str] = (),
        details: Iterable[str] = (),
        detail_placeholder: str = "",
    ) -> None:
        self.keep = frozenset(keep)
        """Public names (the signatories'): kept where a withheld name's pattern would take
        them (``Anna Mäkinen`` signs, ``Anna Mäki`` is a member)."""
        ordered = list(dict.fromkeys(names))
        given = {*ordered, *map(canonical, ordered)} - self.keep  # a former name may go unwritten
        self.names = tuple(sorted(given, key=lambda n: (-len(n), n)))
        self.placeholder = placeholder
        self.details = tuple(sorted(set(details), key=lambda d: (-len(d), d)))
        self.detail_placeholder = detail_placeholder or placeholder.replace(" {number}", "")
        people = dict.fromkeys(canonical(name) for name in ordered)
        self.numbers = {person: number for number, person in enumerate(people, 1)}
        """Each person's number, in the order ``names`` first gives them (by the name without
        a bracketed former one): the register's order, which says nothing of the name."""

    @cached_property
    def _details(self) -> re.Pattern[str] | None:
        return re.compile("|".join(map(_detail, self.details))) if self.details else None

    def _replace(self, found: re.Match[str]) -> str:
        if " ".join(found[0].split()) in self.keep:
            return found[0]
        if "{number}" not in self.placeholder:
            return self.placeholder
        name = next(n for n, pattern in self._each if pattern.fullmatch(found[0]))
        return self.placeholder.format(number=self.numbers[canonical(name)])

    @cached_property
    def _each(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """Each withheld name with its own pattern, longest first as in :attr:`_pattern`: to
        tell whose name a match is."""
        return tuple((name, re.compile(_inflected(name))) for name in self.names)

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.names:
            return None
        alternatives = "|".join(map(_inflected, self.names))
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    def text(self, text: str) -> str:
        """``text`` with every withheld name replaced."""
        if self._details is not None:  # first: an address may hold a name's words
            text = self._details.sub(lambda _: self.detail_placeholder, text)
        pattern = self._pattern
        return text if pattern is None else pattern.sub(self._replace, text)

    def notes(self, notes: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {key: tuple(map(self.text, value)) for key, value in notes.items()}

    def agreement(self, agreement: Agreement) -> Agreement:
        """The agreement with every text in it redacted (names, deputies, contacts, the
        parties' own sentences); ids, numbers and dates are left as they are."""
        if not self.names and not self.details:  # not public: nothing to look for
            return agreement
        redacted = self._value(agreement)
        assert isinstance(redacted, Agreement)
        return redacted

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            new = self.text(value)
            return value if new == value else new
        if isinstance(value, tuple):
            items = tuple(self._value(item) for item in value)
            return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for field in dataclasses.fields(value):
                if not field.init:
                    continue
                old = getattr(value, field.name)
                new = self._value(old)
                if new is not old:
                    changes[field.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        return value  # dates, numbers, mappings of origins
