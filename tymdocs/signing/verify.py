"""Verify the signed copies that come back: untouched, signed by whom it should be, complete.

:func:`verify_copies` is the one entry point: ``tymdocs verify``, ``status``, ``adopt`` and
``amend --signed`` all call it. Each copy is screened before it is parsed
(:mod:`~tymdocs.signing.screening`), found as the original it claims to be
(:mod:`~tymdocs.signing.originals`), must start byte for byte with that original, and has its
signatures and later revisions checked (:mod:`~tymdocs.signing.signatures`); any exception
while reading is a failure, never a pass. The copies together then make the version fully
signed, or not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tymdocs.signing.originals import Expected, Lookup, claims, package_lookup
from tymdocs.signing.round import Copy, Round, SeatState, Signed, decide
from tymdocs.signing.screening import screen
from tymdocs.signing.signatures import Policy, Signature, Trust, check_signatures


@dataclass
class CopyReport:
    """The verdict on one returned file."""

    path: str
    party: str | None = None
    commit: str | None = None
    fingerprint: str | None = None
    original: str | None = None
    signatures: list[Signature] = field(default_factory=list)
    signed_by: dict[str, Signature] = field(default_factory=dict)
    """Each field signed by the person it is for, with the signature that counts."""
    missing: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    common: bool = False
    """The one copy for everyone, not a party's package."""

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def satisfied(self) -> list[str]:
        return list(self.signed_by)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("signatures", "signed_by")}
        return data | {
            "ok": self.ok,
            "satisfied": self.satisfied,
            "signatures": [s.as_dict() for s in self.signatures],
        }

    def as_copy(self) -> Copy:
        """The copy as the round's decision sees it."""
        return Copy(
            self.path,
            None if self.common else self.party,
            tuple(
                (name, Signed(self.path, signature.common_name, _time(signature.signing_time)))
                for name, signature in self.signed_by.items()
            ),
        )


@dataclass
class Report:
    copies: list[CopyReport]
    rounds: dict[str, Round]
    """Per commit of the copies that verified, where its signing round stands."""

    @property
    def ok(self) -> bool:
        return all(copy.ok for copy in self.copies)

    @property
    def round(self) -> Round | None:
        """The round, when every copy verified and all are of one version."""
        if not self.ok or len(self.rounds) != 1:
            return None
        return next(iter(self.rounds.values()))

    @property
    def fully_signed(self) -> bool | None:
        return self.round.fully_signed if self.round is not None else None

    @property
    def summary(self) -> str:
        if not self.copies:
            return "no copies"
        if not self.ok:
            return "not all copies verified"
        if len(self.rounds) > 1:
            return "the copies are of different versions"
        assert self.round is not None
        return self.round.summary

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "fully_signed": self.fully_signed,
            "summary": self.summary,
            "copies": [copy.as_dict() for copy in self.copies],
            "signatories": [_state_dict(state) for state in self.round.seats]
            if self.round is not None
            else [],
            "keep": [copy.path for copy in self.round.keep] if self.round is not None else [],
        }


def _time(signing_time: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(signing_time) if signing_time else None


def _state_dict(state: SeatState) -> dict[str, Any]:
    return {
        "field": state.seat.field,
        "party": state.seat.party,
        "name": state.seat.name,
        "signed": [
            {"copy": s.path, "by": s.signer, "when": s.when.isoformat() if s.when else None}
            for s in state.signed
        ],
        "missing_in": list(state.missing_in),
    }


def verify_copies(
    root: Path,
    copies: Iterable[Path],
    trust: Trust | None = None,
    *,
    manifest: Path | None = None,
    current_fingerprint: str | None = None,
) -> Report:
    """Verify returned copies against the packages their commits build in the repository at
    ``root`` (or, for a commit it lacks, that ``manifest`` lists); with
    ``current_fingerprint``, a copy of another version fails."""
    return verify_files(
        copies,
        package_lookup(root, manifest),
        trust,
        current_fingerprint=current_fingerprint,
    )


def verify_files(
    paths: Iterable[Path],
    lookup: Lookup,
    trust: Trust | None = None,
    *,
    current_fingerprint: str | None = None,
) -> Report:
    """Verify every file against the original ``lookup`` finds; a copy that cannot be read is
    a failure, never an exception."""
    policy = Policy.of(trust or Trust())
    copies = []
    versions: dict[str, tuple[Expected, list[CopyReport]]] = {}
    for path in paths:
        report = CopyReport(str(path))
        try:
            package = _verify_copy(path, report, lookup, policy)
        except Exception as exc:  # a hostile file may break any parser: that is a failure
            report.failures.append(f"could not be verified: {type(exc).__name__}: {exc}")
            package = None
        if package is not None:
            if current_fingerprint and package.fingerprint != current_fingerprint:
                report.failures.append(
                    "this copy is of another version (fingerprint "
                    f"{package.fingerprint[:16]}), not of the current one "
                    f"({current_fingerprint[:16]})"
                )
            versions.setdefault(report.commit or "", (package, []))[1].append(report)
        copies.append(report)
    rounds = {
        commit: decide(package.signing, package.seats, [c.as_copy() for c in verified if c.ok])
        for commit, (package, verified) in versions.items()
    }
    return Report(copies, rounds)


def _verify_copy(path: Path, report: CopyReport, lookup: Lookup, policy: Policy) -> Expected | None:
    """One copy checked into ``report``; the original it was held to, once one was found."""
    data = screen(path)
    if isinstance(data, str):
        report.failures.append(data)
        return None
    claimed = claims(data)
    if claimed is None:
        report.failures.append("not a tymdocs signature package: no party, commit or fingerprint")
        return None
    report.party, report.commit, report.fingerprint = claimed
    report.common = report.party is None
    if report.commit == "":
        report.failures.append("a draft package (built from uncommitted sources) proves nothing")
        return None
    expected = lookup(report.commit, report.fingerprint, report.party)
    if expected is None:
        report.failures.append(
            f"cannot establish the original: commit {report.commit[:12]} is not in this "
            "repository and no manifest lists this package"
        )
        return None
    size = len(expected.data) if expected.data is not None else expected.size or 0
    original = data[:size]
    if expected.data is not None:
        same = original == expected.data
    else:
        same = hashlib.sha256(original).hexdigest() == expected.sha256
    report.original = ("identical to " if same else "differs from ") + expected.origin
    if not same:
        report.failures.append(f"the original revision differs from {expected.origin}")
        return expected
    check_signatures(data, original, expected, report, policy)
    return expected
