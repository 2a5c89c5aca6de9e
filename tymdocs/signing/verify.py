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

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tymdocs.signing.originals import Expected, Lookup, claims, package_lookup
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
    satisfied: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "signatures"}
        return data | {"ok": self.ok, "signatures": [s.as_dict() for s in self.signatures]}


@dataclass
class Report:
    copies: list[CopyReport]
    fully_signed: bool | None
    summary: str

    @property
    def ok(self) -> bool:
        return all(copy.ok for copy in self.copies)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "fully_signed": self.fully_signed,
            "summary": self.summary,
            "copies": [copy.as_dict() for copy in self.copies],
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
    expected: dict[str, Expected] = {}
    for path in paths:
        report = CopyReport(str(path))
        try:
            package = _verify_copy(path, report, lookup, policy)
        except Exception as exc:  # a hostile file may break any parser: that is a failure
            report.failures.append(f"could not be verified: {type(exc).__name__}: {exc}")
            package = None
        if package is not None:
            expected[package.party] = package
            if current_fingerprint and package.fingerprint != current_fingerprint:
                report.failures.append(
                    "this copy is of another version (fingerprint "
                    f"{package.fingerprint[:16]}), not of the current one "
                    f"({current_fingerprint[:16]})"
                )
        copies.append(report)
    return Report(copies, *_completeness(copies, expected))


def _completeness(
    copies: list[CopyReport], expected: dict[str, Expected]
) -> tuple[bool | None, str]:
    """Whether the copies, together, make the version fully signed."""
    if not expected or any(not c.ok for c in copies):
        return None, "not all copies verified"
    if len({e.fingerprint for e in expected.values()}) > 1:
        return None, "the copies are of different versions"
    slots = next(iter(expected.values())).slots
    parties = list(dict.fromkeys(party for _, party, _ in slots))
    absent = [p for p in parties if p not in expected]
    incomplete = [c.party for c in copies if c.missing]
    if absent:
        return False, "no copy of party " + ", ".join(absent)
    if incomplete:
        return False, "unsigned fields in the copy of " + ", ".join(map(str, incomplete))
    return True, f"fully signed: every party's copy carries every signature ({len(copies)} copies)"


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
