"""The original a returned copy claims to be: the package as built for its commit.

A copy claims its party, commit and fingerprint in its /Keywords (:func:`claims`); the original
is that commit's package rebuilt from the repository (:func:`package_lookup`), or, when the
repository lacks the commit, the package a ``manifest.json`` lists by hash
(:func:`manifest_lookup`). What the copy claims is only a claim: ``verify`` holds the copy to
the original it finds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tymdocs.errors import UsageError
from tymdocs.model import SIGNING_MODES, SigningMode
from tymdocs.signing.round import Seat

if TYPE_CHECKING:
    from tymdocs.document import Document, Stamp
    from tymdocs.model import Agreement
    from tymdocs.signing.packages import Package

_KEYWORD = re.compile(rb"/Keywords\s*\(([^)]{0,2000})\)")


@dataclass(frozen=True)
class Expected:
    """What one package of one version must be: its bytes (or hash) and who signs where."""

    party: str | None
    """Whose package; None: the one copy for everyone."""
    fingerprint: str
    data: bytes | None
    sha256: str | None
    size: int | None
    seats: tuple[Seat, ...]
    """Every signature the version needs."""
    signing: SigningMode
    """How the version is signed (its ``change_rules.signing``)."""
    origin: str
    """How the original was established, for the report."""


Lookup = Callable[[str, str, str | None], Expected | None]
"""(commit, fingerprint, party or None for the copy for everyone) -> the package as it was
built, if it can be found."""


def claims(data: bytes) -> tuple[str | None, str, str] | None:
    """(party, commit, fingerprint) from the first /Keywords in the file: the package's own;
    the party None for the copy for everyone.

    A claim only: what the copy says it is, to be checked against the rebuilt package."""
    from tymdocs.signing.packages import EVERYONE_KEYWORD

    match = _KEYWORD.search(data)
    if match is None:
        return None
    words = match.group(1).decode("latin-1")
    party = re.search(r"party:([a-z0-9_-]+)", words)
    commit = re.search(r"commit:([0-9a-f]{40})?", words)
    fingerprint = re.search(r"sha256:([0-9a-f]{64})", words)
    everyone = EVERYONE_KEYWORD in words.split(", ")
    if not ((party or everyone) and commit and fingerprint) or (party and everyone):
        return None
    claimed = party.group(1) if party else None
    if "draft" in words.split(", "):
        return claimed, "", fingerprint.group(1)
    return claimed, commit.group(1) or "", fingerprint.group(1)


def package_lookup(root: Path, manifest: Path | None = None) -> Lookup:
    """Find the package a returned copy claims to be: rebuilt from its commit when the
    repository has it, else as recorded in ``manifest``. A commit's packages are built
    together, once, when the first copy of that commit asks for one."""
    from tymdocs.build import stamp_of
    from tymdocs.checks import validate
    from tymdocs.document import compose
    from tymdocs.revision import open_source
    from tymdocs.signing.packages import build_packages
    from tymdocs.signing.round import seats, version_signing
    from tymdocs.sources import fingerprint

    fallback = manifest_lookup(manifest) if manifest is not None else None
    agreements: dict[str, tuple[Agreement, Document, Stamp] | None] = {}
    packages: dict[str, dict[str | None, Package]] = {}

    def version(commit: str) -> tuple[Agreement, Document, Stamp] | None:
        if commit not in agreements:
            agreements[commit] = None
            try:
                source = open_source(root, commit)
            except UsageError:
                return None
            agreement = validate(source.tree).agreement
            if agreement is not None:
                stamp = stamp_of(source, fingerprint(source.tree), agreement)
                agreements[commit] = (agreement, compose(agreement, source.notes), stamp)
        return agreements[commit]

    def lookup(commit: str, claimed: str, party_id: str | None) -> Expected | None:
        built = version(commit)
        if built is None:
            return fallback(commit, claimed, party_id) if fallback else None
        agreement, document, stamp = built
        if party_id is not None and agreement.party(party_id) is None:
            return None
        if commit not in packages:
            packages[commit] = {
                package.party.id if package.party else None: package
                for package in build_packages(agreement, document, stamp)
            }
        package = packages[commit][party_id]
        return Expected(
            party=party_id,
            fingerprint=stamp.fingerprint,
            data=package.data,
            sha256=None,
            size=None,
            seats=seats(agreement),
            signing=version_signing(agreement, stamp),
            origin=f"the package built from commit {commit[:12]}",
        )

    return lookup


def manifest_lookup(manifest: Path) -> Lookup:
    """Find packages in a ``manifest.json``: by party and fingerprint, checked by hash."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except RecursionError:
        raise UsageError(f"cannot read {manifest}: nested too deep for a manifest") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {manifest}: {exc}") from exc

    signing = data.get("signing", "counterparts") if isinstance(data, dict) else None
    if signing not in SIGNING_MODES:  # none written (an older manifest): the default
        raise UsageError(f"{manifest}: 'signing' is {signing!r}, not counterparts or every-copy")

    def lookup(commit: str, fingerprint: str, party: str | None) -> Expected | None:
        # A draft manifest (or one of another commit) may share the fingerprint, but its
        # packages are other bytes: it is not the original of a committed copy.
        source = data.get("source", {}) if isinstance(data, dict) else {}
        if (
            not isinstance(source, dict)
            or source.get("fingerprint") != fingerprint
            or source.get("commit") != commit
            or source.get("draft") is not False
            or source.get("dirty") is not False
        ):
            return None
        for entry in data.get("outputs", []):
            kind = "signature-package" if party is not None else "signature-copy"
            if entry.get("kind") == kind and entry.get("party") == party:
                signatories = entry.get("signatories", {})
                needed = tuple(
                    Seat(
                        name,
                        name[len("sig-") :].rsplit("-", 1)[0],
                        signatories.get(name),
                        signatories.get(name) or name,
                    )
                    for name in entry.get("fields", [])
                )
                return Expected(
                    party=party,
                    fingerprint=fingerprint,
                    data=None,
                    sha256=entry["sha256"],
                    size=entry["bytes"],
                    seats=needed,
                    signing=signing,
                    origin=f"the package in {manifest.name}",
                )
        return None

    return lookup
