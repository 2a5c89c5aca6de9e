"""The original a returned copy claims to be: the package as built for its commit.

A copy claims its party, commit and fingerprint in its /Keywords (:func:`claims`). Its original
is found in one of three ways, each for the commits of a run read once (:class:`Versions`):

- :func:`built_lookup`: the package a clean build of that commit left beside its
  ``manifest.json``, when the manifest records the copy's commit and fingerprint, this
  tymdocs and Typst made it, and the file still hashes to the SHA-256 it records. Nothing is
  laid out: the bytes on disk stand in for a rebuild that would give the same bytes.
- :func:`package_lookup`: the package rebuilt from the repository, laid out again.
- :func:`manifest_lookup`: the SHA-256 a ``manifest.json`` records, for a commit the
  repository lacks, or a package an earlier tymdocs built otherwise.

What the copy claims is only a claim: ``verify`` holds the copy to the original it finds.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tymdocs.errors import UsageError
from tymdocs.model import SIGNING_MODES, SigningMode
from tymdocs.signing.round import Seat

if TYPE_CHECKING:
    from tymdocs.document import Stamp
    from tymdocs.model import Agreement
    from tymdocs.revision import Source
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


@dataclass(frozen=True)
class Version:
    """One commit's sources as a run reads them once: for the seats, and for a rebuild."""

    source: Source
    agreement: Agreement
    fingerprint: str
    seats: tuple[Seat, ...]

    @cached_property
    def stamp(self) -> Stamp:
        """What the version's documents carry; for an amendment, what it changes."""
        from tymdocs.build import stamp_of

        return stamp_of(self.source, self.fingerprint, self.agreement)

    @cached_property
    def signing(self) -> SigningMode:
        """How the version is signed: an amendment by the stricter of its rule and the
        rule in force (:func:`~tymdocs.signing.round.version_signing`)."""
        from tymdocs.signing.round import version_signing

        return version_signing(self.agreement, self.stamp)

    @cached_property
    def packages(self) -> dict[str | None, Package]:
        """Every package of the version laid out again, once, by party (None: the copy for
        everyone)."""
        from tymdocs.document import compose
        from tymdocs.signing.packages import build_packages

        document = compose(self.agreement, self.source.notes)
        built = build_packages(self.agreement, document, self.stamp)
        return {package.party.id if package.party else None: package for package in built}


@dataclass
class Versions:
    """The commits the copies of one run name, each read from the repository at ``root`` once,
    and its packages laid out at most once, when the first copy that needs them asks."""

    root: Path
    _read: dict[str, Version | None] = field(default_factory=dict)

    def read(self, commit: str) -> Version | None:
        """The version at ``commit``; None when the repository lacks it or it does not
        validate."""
        if commit not in self._read:
            self._read[commit] = None
            from tymdocs.checks import validate
            from tymdocs.revision import open_source
            from tymdocs.signing.round import seats
            from tymdocs.sources import fingerprint

            try:
                source = open_source(self.root, commit)
            except UsageError:
                return None
            agreement = validate(source.tree).agreement
            if agreement is not None:
                self._read[commit] = Version(
                    source, agreement, fingerprint(source.tree), seats(agreement)
                )
        return self._read[commit]


def package_lookup(
    root: Path, fallback: Lookup | None = None, *, versions: Versions | None = None
) -> Lookup:
    """Find the package a returned copy claims to be: rebuilt from its commit when the
    repository has it, else as ``fallback`` finds it (a manifest's record:
    :func:`manifest_lookup`). A commit's packages are built together, once, when the first
    copy of that commit asks for one (``versions`` shares what was read with the other
    lookups of a run)."""
    known = versions or Versions(root)

    def lookup(commit: str, claimed: str, party_id: str | None) -> Expected | None:
        version = known.read(commit)
        if version is None:
            return fallback(commit, claimed, party_id) if fallback else None
        if party_id is not None and version.agreement.party(party_id) is None:
            return None
        return Expected(
            party=party_id,
            fingerprint=version.fingerprint,
            data=version.packages[party_id].data,
            sha256=None,
            size=None,
            seats=version.seats,
            signing=version.signing,
            origin=f"the package built from commit {commit[:12]}",
        )

    return lookup


@dataclass(frozen=True)
class Manifest:
    """A ``manifest.json``, read once for a run."""

    path: Path
    data: dict[str, Any]
    signing: SigningMode

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest at ``path``; one that cannot be read is a usage error."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except RecursionError:
            raise UsageError(f"cannot read {path}: nested too deep for a manifest") from None
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read {path}: {exc}") from exc
        signing = data.get("signing", "counterparts") if isinstance(data, dict) else None
        if signing not in SIGNING_MODES:  # none written (an older manifest): the default
            raise UsageError(f"{path}: 'signing' is {signing!r}, not counterparts or every-copy")
        return cls(path, data, signing)

    def entry(self, commit: str, fingerprint: str, party: str | None) -> dict[str, Any] | None:
        """What the manifest lists for the package of ``party`` (None: the copy for everyone),
        when it is of a clean build of ``commit`` with ``fingerprint``.

        A draft manifest (or one of another commit) may share the fingerprint, but its
        packages are other bytes: it is not the original of a committed copy."""
        source = self.data.get("source", {})
        if (
            not isinstance(source, dict)
            or source.get("fingerprint") != fingerprint
            or source.get("commit") != commit
            or source.get("draft") is not False
            or source.get("dirty") is not False
        ):
            return None
        kind = "signature-package" if party is not None else "signature-copy"
        outputs = self.data.get("outputs", [])
        listed = outputs if isinstance(outputs, list) else []
        return next(
            (
                entry
                for entry in listed
                if isinstance(entry, dict)
                and entry.get("kind") == kind
                and entry.get("party") == party
            ),
            None,
        )

    def seats(self, entry: dict[str, Any]) -> tuple[Seat, ...]:
        """The signatures a listed package's version needs, as far as the manifest says: the
        fields and the names of their signatories."""
        signatories = entry.get("signatories", {})
        return tuple(
            Seat(
                name,
                name[len("sig-") :].rsplit("-", 1)[0],
                signatories.get(name),
                signatories.get(name) or name,
            )
            for name in entry.get("fields", [])
        )


def manifest_lookup(recorded: Manifest) -> Lookup:
    """Find packages in a ``manifest.json``: by party and fingerprint, checked by hash."""

    def lookup(commit: str, fingerprint: str, party: str | None) -> Expected | None:
        entry = recorded.entry(commit, fingerprint, party)
        if entry is None:
            return None
        return Expected(
            party=party,
            fingerprint=fingerprint,
            data=None,
            sha256=entry["sha256"],
            size=entry["bytes"],
            seats=recorded.seats(entry),
            signing=recorded.signing,
            origin=f"the package in {recorded.path.name}",
        )

    return lookup


def built_lookup(manifest: Manifest, versions: Versions | None = None) -> Lookup:
    """Find the package a clean build of the copy's commit left beside ``manifest``, instead
    of laying it out again: only when the manifest records the copy's commit and fingerprint
    (and the repository's sources at that commit have that fingerprint), this tymdocs and
    this Typst made it, and the file it lists still hashes to the SHA-256 it records.

    The seats are the version's own, read from its sources when the repository has the
    commit (``versions``), as a rebuild takes them; how it is signed is what the build
    recorded."""
    from tymdocs.output import plain_name
    from tymdocs.quick import tool_versions
    from tymdocs.signing.screening import read_regular

    same_tools = manifest.data.get("tool") == tool_versions()

    def built(commit: str, fingerprint: str, party: str | None) -> Expected | None:
        entry = manifest.entry(commit, fingerprint, party) if same_tools else None
        name = entry.get("path") if entry is not None else None
        if entry is None or not isinstance(name, str) or not plain_name(name):
            return None
        try:
            data = read_regular(manifest.path.parent / name)
        except OSError:  # gone since the build: rebuild instead
            return None
        if isinstance(data, str) or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            return None
        version = versions.read(commit) if versions is not None else None
        if version is not None and version.fingerprint != fingerprint:
            return None
        return Expected(
            party=party,
            fingerprint=fingerprint,
            data=data,
            sha256=None,
            size=None,
            seats=version.seats if version is not None else manifest.seats(entry),
            signing=version.signing if version is not None else manifest.signing,
            origin=f"the package built from commit {commit[:12]}, as {manifest.path.name} "
            "records it",
        )

    return cache(built)  # each package read and hashed once per run
