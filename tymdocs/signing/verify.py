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

from tymdocs.output import MANIFEST
from tymdocs.signing.originals import (
    Expected,
    Lookup,
    Manifest,
    Versions,
    built_lookup,
    claims,
    manifest_lookup,
    package_lookup,
)
from tymdocs.signing.round import Copy, Round, Signed, decide
from tymdocs.signing.screening import screen
from tymdocs.signing.signatures import Policy, Signature, Trust, check_signatures


@dataclass
class CopyReport:
    """The verdict on one returned file."""

    path: str
    party: str | None = None
    """The party whose package it claims to be; None also for the one copy for everyone."""
    commit: str | None = None
    fingerprint: str | None = None
    original: str | None = None
    signatures: list[Signature] = field(default_factory=list)
    signed_by: dict[str, Signature] = field(default_factory=dict)
    """Each field signed by the person it is for, with the signature that counts."""
    missing: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: str | None = None
    duplicate_of: str | None = None
    """The file given before with the same bytes: this one is not counted."""

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
            self.party,
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
            "signatories": [state.as_dict() for state in self.round.seats]
            if self.round is not None
            else [],
            "keep": [copy.path for copy in self.round.keep] if self.round is not None else [],
        }


def _time(signing_time: str | None) -> dt.datetime | None:
    """A signature's signing time; one without a time zone (PDF allows it) taken as UTC, as
    :func:`tymdocs.locale.local_date` takes it, so that times compare."""
    if not signing_time:
        return None
    moment = dt.datetime.fromisoformat(signing_time)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def verify_copies(
    root: Path,
    copies: Iterable[Path],
    trust: Trust | None = None,
    *,
    manifest: Path | None = None,
    current_fingerprint: str | None = None,
    rebuild: bool = False,
) -> Report:
    """Verify returned copies against the packages their commits build in the repository at
    ``root``.

    ``manifest`` (default: ``build/manifest.json``, when there is one) stands in for laying
    a package out again where it records a clean build of the copy's commit by this tymdocs
    and Typst, and the package it lists is beside it, unchanged (:func:`built_lookup`).
    Otherwise the package is rebuilt; where the repository lacks the commit, or the package
    this tymdocs builds differs from the one an earlier tymdocs built, the hash the manifest
    records stands in. ``rebuild`` trusts nothing on disk: every original is laid out again,
    and a manifest is read only when given. With ``current_fingerprint``, a copy of another
    version fails. What all copies share (the manifest, each commit's sources and packages,
    the trust roots) is read or built once."""
    if manifest is None and not rebuild and (root / "build" / MANIFEST).is_file():
        manifest = root / "build" / MANIFEST
    recorded = Manifest.read(manifest) if manifest is not None else None
    versions = Versions(root)
    as_recorded = manifest_lookup(recorded) if recorded is not None else None
    return verify_files(
        copies,
        package_lookup(root, as_recorded, versions=versions),
        trust,
        current_fingerprint=current_fingerprint,
        recorded=as_recorded,
        built=built_lookup(recorded, versions) if recorded is not None and not rebuild else None,
    )


def verify_files(
    paths: Iterable[Path],
    lookup: Lookup,
    trust: Trust | None = None,
    *,
    current_fingerprint: str | None = None,
    recorded: Lookup | None = None,
    built: Lookup | None = None,
) -> Report:
    """Verify every file against the original ``built`` finds on disk, else the one
    ``lookup`` finds (or, where its bytes differ, the one ``recorded`` lists); a copy that
    cannot be read is a failure, never an exception. A file given twice (the same bytes)
    counts once."""
    policy = Policy.of(trust or Trust())
    copies = []
    versions: dict[str, tuple[Expected, list[CopyReport]]] = {}
    seen: dict[str, str] = {}  # SHA-256 -> the first file with those bytes
    for path in paths:
        report = CopyReport(str(path))
        try:
            package = _verify_copy(path, report, lookup, policy, recorded, built)
        except Exception as exc:  # a hostile file may break any parser: that is a failure
            report.failures.append(f"could not be verified: {type(exc).__name__}: {exc}")
            package = None
        first = seen.setdefault(report.sha256, report.path) if report.sha256 else report.path
        if first != report.path:
            report.duplicate_of = first
            report.warnings.append(f"the same file as {first}: counted once")
        elif package is not None:
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


def _verify_copy(
    path: Path,
    report: CopyReport,
    lookup: Lookup,
    policy: Policy,
    recorded: Lookup | None,
    built: Lookup | None,
) -> Expected | None:
    """One copy checked into ``report``; the original it was held to, once one was found."""
    data = screen(path)
    if isinstance(data, str):
        report.failures.append(data)
        return None
    report.sha256 = hashlib.sha256(data).hexdigest()
    claimed = claims(data)
    if claimed is None:
        report.failures.append("not a tymdocs signature package: no party, commit or fingerprint")
        return None
    report.party, report.commit, report.fingerprint = claimed
    if report.commit == "":
        report.failures.append("a draft package (built from uncommitted sources) proves nothing")
        return None
    on_disk = built(report.commit, report.fingerprint, report.party) if built else None
    if on_disk is not None and (original := _original(data, on_disk)) is not None:
        report.original = f"identical to {on_disk.origin}"
        check_signatures(data, original, on_disk, report, policy)
        return on_disk
    # Not the package the build left: held to the package laid out again, which says
    # whether it was altered or an earlier tymdocs built it otherwise.
    expected = lookup(report.commit, report.fingerprint, report.party)
    if expected is None:
        whose = f"party {report.party}" if report.party else "the copy for everyone"
        report.failures.append(
            f"cannot establish the original: no package of {whose} for commit "
            f"{report.commit[:12]}, in this repository or a manifest"
        )
        return None
    original = _original(data, expected)
    if original is None and recorded is not None and expected.data is not None:
        listed = recorded(report.commit, report.fingerprint, report.party)
        if listed is not None and (original := _original(data, listed)) is not None:
            report.warnings.append(
                f"{expected.origin} today differs (an earlier tymdocs built it otherwise): "
                f"held to {listed.origin} instead"
            )
            expected = listed
    report.original = ("identical to " if original else "differs from ") + expected.origin
    if original is None:
        report.failures.append(
            f"the original revision differs from {expected.origin} (altered, or built by "
            "another tymdocs: give that build's manifest.json with --manifest)"
        )
        return expected
    check_signatures(data, original, expected, report, policy)
    return expected


def _original(data: bytes, expected: Expected) -> bytes | None:
    """The copy's first revision, when it is byte for byte the ``expected`` package."""
    size = len(expected.data) if expected.data is not None else expected.size or 0
    original = data[:size]
    if expected.data is not None:
        return original if original == expected.data else None
    return original if hashlib.sha256(original).hexdigest() == expected.sha256 else None
