"""The one decision of a signing round: whether the copies that came back make a version fully
signed, who signed where, who is missing, and which copies are the originals to keep.

:func:`decide` is the only place that says so. ``verify``, ``status``, ``adopt`` and ``amend
--signed`` all take its answer, so they never disagree. What it decides by is the version's
own ``change_rules.signing``:

- ``counterparts`` (the default): every signatory signs once, in any untouched copy of the
  version (a party's package or the one copy for everyone); the copies together are the
  agreement, and every copy that carries a signature is an original to keep.
- ``every-copy``: every party's copy carries every signature, as paper copies do. A copy for
  everyone that carries every signature stands for every party (its copies are the same
  bytes); each party keeps its most signed copy.

Pure: it takes verified copies (:class:`Copy`) and gives a :class:`Round`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from tymdocs.document import Stamp
from tymdocs.model import Agreement, SigningMode


def signing_mode(proposed: SigningMode, in_force: SigningMode | None) -> SigningMode:
    """How a version is signed: by its own ``change_rules.signing``, but an amendment never
    by a looser rule than the one in force when it was proposed (``in_force``; None for
    version 1): an amendment cannot relax the signing of itself."""
    return "every-copy" if "every-copy" in (proposed, in_force) else "counterparts"


def version_signing(agreement: Agreement, stamp: Stamp) -> SigningMode:
    """How the version ``stamp`` names is signed (:func:`signing_mode`)."""
    amendment = stamp.amendment
    return amendment.signing if amendment is not None else agreement.meta.policy.signing


@dataclass(frozen=True)
class Seat:
    """One signature a version needs: its field, the party, and whom it is for."""

    field: str
    party: str
    """The party's id."""
    name: str | None
    """The signatory's name; None while the party names nobody (anyone of it may sign)."""
    expected: str
    """Whom the field is for, as the package's cover names them."""

    @property
    def who(self) -> str:
        """``sig-kela-1 (Jukka Tarkastaja)``: the field and its signatory, for messages."""
        return f"{self.field} ({self.name})" if self.name else self.field


def seats(agreement: Agreement) -> tuple[Seat, ...]:
    """Every signature a version of ``agreement`` needs, in the order of its packages."""
    from tymdocs.signing.packages import signature_slots

    return tuple(
        Seat(
            slot.field,
            slot.party.id,
            slot.signatory.name if slot.signatory else None,
            slot.expected,
        )
        for slot in signature_slots(agreement)
    )


@dataclass(frozen=True)
class Signed:
    """A field signed by the person it is for, in one copy."""

    path: str
    signer: str
    when: dt.datetime | None
    """The signing time the signature states, if any."""


@dataclass(frozen=True)
class Copy:
    """A verified copy of the version, as the decision sees it."""

    path: str
    party: str | None
    """Whose package it is; None: the one copy for everyone."""
    signed: tuple[tuple[str, Signed], ...]
    """Each field signed by the person it is for, with where and by whom."""


@dataclass(frozen=True)
class SeatState:
    """One signature of the round: where it was made, and, where it is missing, in whose
    copies (every party's for ``counterparts``)."""

    seat: Seat
    signed: tuple[Signed, ...]
    missing_in: tuple[str, ...]
    """The parties whose copy lacks it (``every-copy``); every party's when signed nowhere."""

    @property
    def done(self) -> bool:
        return not self.missing_in

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.seat.field,
            "party": self.seat.party,
            "name": self.seat.name,
            "signed": [
                {"copy": s.path, "by": s.signer, "when": s.when.isoformat() if s.when else None}
                for s in self.signed
            ],
            "missing_in": list(self.missing_in),
        }


@dataclass(frozen=True)
class Round:
    """Where a signing round stands."""

    mode: SigningMode
    seats: tuple[SeatState, ...]
    keep: tuple[Copy, ...]
    """The copies to keep as the originals, in the order given."""

    @property
    def fully_signed(self) -> bool:
        return all(state.done for state in self.seats)

    @property
    def missing(self) -> tuple[Seat, ...]:
        return tuple(state.seat for state in self.seats if not state.done)

    @property
    def last_signed(self) -> dt.datetime | None:
        """The latest signing time of the signatures the round counts."""
        times = [s.when for state in self.seats for s in state.signed if s.when]
        return max(times) if times else None

    @property
    def summary(self) -> str:
        """One line: fully signed or not, and what is missing."""
        count = len(self.seats)
        if self.fully_signed:
            match self.mode:
                case "counterparts":
                    copies = len(self.keep)
                    return (
                        f"fully signed (counterparts): all {count} signatures, "
                        f"in {copies} cop{'y' if copies == 1 else 'ies'}"
                    )
                case "every-copy":
                    return f"fully signed (every copy): every party's copy carries all {count}"
                case _:
                    assert_never(self.mode)
        return f"not fully signed ({self.mode}): {self.missing_text}"

    def lines(self) -> list[str]:
        """Per signatory, where and when they signed, or where their signature is missing;
        then the copies to keep: what ``verify`` and ``status`` print of the round."""
        lines = [f"signatories ({self.mode}):"]
        for state in self.seats:
            where = [
                f"signed in {s.path} by {s.signer}, {s.when.isoformat() if s.when else 'no time'}"
                for s in state.signed
            ]
            if not state.done:
                where.append(
                    "MISSING"
                    if not state.signed
                    else f"MISSING in the copy of {', '.join(state.missing_in)}"
                )
            lines.append(f"  {state.seat.who}: {'; '.join(where)}")
        if self.keep:
            kept = (f"{c.path} ({c.party or 'everyone'})" for c in self.keep)
            lines.append(f"keep as the originals: {', '.join(kept)}")
        return lines

    @property
    def missing_text(self) -> str:
        """``1 of 7 signatures missing: sig-kela-2 (Gustav Grön)``; under every-copy counted
        copy by copy (``22 of 28``), each with the copies that lack it."""
        states = [state for state in self.seats if not state.done]
        match self.mode:
            case "counterparts":
                missing, needed = len(states), len(self.seats)
                said = [state.seat.who for state in states]
            case "every-copy":
                parties = len({state.seat.party for state in self.seats})
                missing = sum(len(state.missing_in) for state in states)
                needed = len(self.seats) * parties
                said = [
                    f"{state.seat.who} in the copy of {', '.join(state.missing_in)}"
                    for state in states
                ]
            case _:
                assert_never(self.mode)
        return f"{missing} of {needed} signatures missing: " + "; ".join(said)


def decide(mode: SigningMode, needed: Sequence[Seat], copies: Sequence[Copy]) -> Round:
    """Where the round of a version stands, given the signatures it ``needed`` and the
    verified ``copies`` of it that came back."""
    parties = list(dict.fromkeys(seat.party for seat in needed))
    found = [(copy, dict(copy.signed)) for copy in copies]
    match mode:
        case "counterparts":
            states = tuple(
                SeatState(
                    seat,
                    signed := tuple(s[seat.field] for _, s in found if seat.field in s),
                    () if signed else tuple(parties),
                )
                for seat in needed
            )
            keep = tuple(copy for copy, signed in found if signed)
        case "every-copy":
            best = {party: _best(party, found, needed) for party in parties}
            states = tuple(
                SeatState(
                    seat,
                    tuple(s[seat.field] for _, s in found if seat.field in s),
                    tuple(p for p in parties if seat.field not in best[p][1]),
                )
                for seat in needed
            )
            kept = {id(copy): copy for copy, _ in best.values() if copy is not None}
            keep = tuple(copy for copy in copies if id(copy) in kept)
        case _:
            assert_never(mode)
    return Round(mode, states, keep)


def _best(
    party: str, found: list[tuple[Copy, dict[str, Signed]]], needed: Sequence[Seat]
) -> tuple[Copy | None, dict[str, Signed]]:
    """A party's most signed copy: its own package or a copy for everyone, the first of the
    most signed (no copy: none signed)."""
    fields = {seat.field for seat in needed}
    mine = [(copy, signed) for copy, signed in found if copy.party in (party, None)]
    if not mine:
        return None, {}
    return max(mine, key=lambda pair: len(fields & pair[1].keys()))
