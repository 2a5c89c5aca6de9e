"""The one decision of a signing round (issue 19): :func:`tymdocs.signing.round.decide`, on
its own, against the two policies' definitions; the commands that call it are tested with
real signed copies in test_signing_rounds.py."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tymdocs.model import SIGNING_MODES
from tymdocs.signing.round import Copy, Seat, Signed, decide

PARTIES = ("tyollisyysalue", "hyvinvointialue", "kela", "kunta")
SEATS = tuple(
    Seat(f"sig-{party}-{n}", party, f"{party} {n}", f"{party}: {n}")
    for party, count in zip(PARTIES, (1, 2, 3, 1), strict=True)
    for n in range(1, count + 1)
)
"""Four parties, seven signatories, as in the issue's fixture."""
AT = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _copy(path: str, party: str | None, fields: set[str], hours: int = 0) -> Copy:
    when = AT + dt.timedelta(hours=hours)
    signed = tuple((f, Signed(path, f"signer of {f}", when)) for f in sorted(fields))
    return Copy(path, party, signed)


ALL = {seat.field for seat in SEATS}


def _own(party: str) -> set[str]:
    return {seat.field for seat in SEATS if seat.party == party}


def test_counterparts_each_party_in_its_own_copy_is_fully_signed() -> None:
    copies = [_copy(f"{p}.pdf", p, _own(p), hours=i) for i, p in enumerate(PARTIES)]
    found = decide("counterparts", SEATS, copies)
    assert found.fully_signed and not found.missing
    assert [c.path for c in found.keep] == [f"{p}.pdf" for p in PARTIES]
    assert found.last_signed == AT + dt.timedelta(hours=3)
    assert found.summary == "fully signed (counterparts): all 7 signatures, in 4 copies"
    every = decide("every-copy", SEATS, copies)
    assert not every.fully_signed
    # copy by copy: each of the 7 is in 1 of the 4 copies
    assert every.summary.startswith("not fully signed (every-copy): 21 of 28 signatures missing:")
    (kela_1,) = [s for s in every.seats if s.seat.field == "sig-kela-1"]
    assert kela_1.missing_in == ("tyollisyysalue", "hyvinvointialue", "kunta")
    assert [s.path for s in kela_1.signed] == ["kela.pdf"]


def test_one_copy_for_everyone_signed_by_all_is_fully_signed_under_both() -> None:
    copies = [_copy("kaikki.pdf", None, ALL)]
    for mode in SIGNING_MODES:
        found = decide(mode, SEATS, copies)
        assert found.fully_signed, mode
        assert [c.path for c in found.keep] == ["kaikki.pdf"]


def test_a_signatory_missing_is_named_and_the_copies_so_far_are_kept() -> None:
    copies = [_copy("kaikki.pdf", None, ALL - {"sig-kela-3"}), _copy("tyhja.pdf", "kela", set())]
    found = decide("counterparts", SEATS, copies)
    assert [seat.field for seat in found.missing] == ["sig-kela-3"]
    assert found.summary == (
        "not fully signed (counterparts): 1 of 7 signatures missing: sig-kela-3 (kela 3)"
    )
    assert [c.path for c in found.keep] == ["kaikki.pdf"]  # the unsigned copy adds nothing


def test_every_copy_keeps_each_party_s_most_signed_copy() -> None:
    copies = [
        _copy("kela-a.pdf", "kela", ALL - {"sig-kunta-1"}),
        _copy("kela-b.pdf", "kela", ALL),
        *(_copy(f"{p}.pdf", p, ALL) for p in PARTIES if p != "kela"),
    ]
    found = decide("every-copy", SEATS, copies)
    assert found.fully_signed
    assert "kela-a.pdf" not in [c.path for c in found.keep]
    assert len(found.keep) == 4


def test_a_signing_time_without_a_zone_is_utc_and_compares() -> None:
    """PDF allows a signing time without a time zone: read as UTC, beside zoned ones."""
    from tymdocs.signing.signatures import Signature
    from tymdocs.signing.verify import CopyReport

    def signed_at(when: str) -> Signature:
        return Signature(
            "sig-kela-1", "", "Kela 1", when, True, True, True, "ENTIRE_FILE", "NONE", None, True
        )

    naive, zoned = CopyReport("a.pdf", "kela"), CopyReport("b.pdf", "kela")
    naive.signed_by["sig-kela-1"] = signed_at("2026-03-01T23:30:00")
    zoned.signed_by["sig-kela-2"] = signed_at("2026-03-02T01:00:00+02:00")
    found = decide("counterparts", SEATS, [naive.as_copy(), zoned.as_copy()])
    assert found.last_signed == dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)


def test_nothing_came_back() -> None:
    for mode in SIGNING_MODES:
        found = decide(mode, SEATS, ())
        assert found.missing == SEATS and found.keep == () and found.last_signed is None


copies_strategy = st.lists(
    st.tuples(st.sampled_from((None, *PARTIES)), st.sets(st.sampled_from(sorted(ALL)))),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(copies_strategy)
def test_the_decision_is_each_policy_s_definition(
    drawn: list[tuple[str | None, set[str]]],
) -> None:
    """counterparts: every field signed in some copy; every-copy: every party has a copy (its
    own or one for everyone) with every field. A fully signed round under every-copy is one
    under counterparts; another copy never takes a signature away (nor, under every-copy,
    which judges each party by its most signed copy, a fully signed round)."""
    copies = [_copy(f"{i}.pdf", party, fields) for i, (party, fields) in enumerate(drawn)]
    signed_somewhere = set().union(*(fields for _, fields in drawn))
    counterparts = decide("counterparts", SEATS, copies)
    assert counterparts.fully_signed == (signed_somewhere >= ALL)
    every_party = all(
        any(fields >= ALL for party, fields in drawn if party in (p, None)) for p in PARTIES
    )
    every = decide("every-copy", SEATS, copies)
    assert every.fully_signed == every_party
    assert not every.fully_signed or counterparts.fully_signed
    if copies:
        before = decide("counterparts", SEATS, copies[:-1])
        assert set(counterparts.missing) <= set(before.missing)
        assert every.fully_signed or not decide("every-copy", SEATS, copies[:-1]).fully_signed
