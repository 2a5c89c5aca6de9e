"""Verify the signed copies that come back: untouched, signed by whom it should be, complete.

pyHanko checks each signature and the modifications made after it. On top of that tymdocs
holds every copy to its own rules: the file starts byte for byte with the package as built for
its commit (or as the manifest recorded it); only signature fields change, package fields keep
their rectangles, no unsigned field appears; the last signature covers the whole file; one
signature object counts once; no byte of a signature value goes unchecked (its CMS is DER
and every certificate it carries is used: tymdocs/signing/bytes.py); encryption,
JavaScript and launch actions are refused; and any exception while reading is a failure,
never a pass.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tymdocs.errors import UsageError
from tymdocs.signing.bytes import der_length, loose_bytes, loose_contents
from tymdocs.signing.originals import Expected, Lookup, claims
from tymdocs.signing.revisions import check_revisions

MAX_BYTES = 100 * 1024 * 1024
"""A returned copy larger than this is refused before it is parsed."""

MAX_REVISIONS = 200
"""A copy with more revisions than this is refused: every revision is checked (pyHanko's
analysis after a signature grows with the square of their number), and no real
signing round needs more than a handful."""

_STREAM_START = re.compile(rb"stream\r?\n")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_FORBIDDEN = {
    b"/Encrypt": "it is encrypted",
    b"/JavaScript": "it contains JavaScript",
    b"/JS": "it contains JavaScript",
    b"/Launch": "it contains a launch action",
}
_OK_AFTER_SIGNATURE = ("NONE", "LTA_UPDATES", "FORM_FILLING")


@dataclass(frozen=True)
class Trust:
    """Whom a run trusts: root certificates (PEM or DER bytes), whether an untrusted signer
    fails the copy, and the certificate names signatories sign with (name -> subject)."""

    roots: tuple[bytes, ...] = ()
    required: bool = False
    signer_names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Policy:
    """How strictly every copy of one run is judged; the roots are parsed once."""

    roots: tuple[Any, ...]
    require_trust: bool
    signer_names: dict[str, str]


@dataclass
class Signature:
    field: str
    signer: str
    common_name: str
    signing_time: str | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification_level: str
    expected: str | None
    in_package_field: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


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


def verify_files(
    paths: Iterable[Path],
    lookup: Lookup,
    *,
    current_fingerprint: str | None = None,
    trust_roots: tuple[bytes, ...] = (),
    require_trust: bool = False,
    signer_names: dict[str, str] | None = None,
) -> Report:
    """Verify every file; a copy that cannot be read is a failure, never an exception."""
    policy = _Policy(_load_roots(trust_roots), require_trust, signer_names or {})
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


def _read(path: Path, report: CopyReport) -> bytes | None:
    """The file's bytes, if it is a regular file of at most ``MAX_BYTES``.

    Devices, FIFOs and sockets are refused unread: ``/dev/zero`` never ends and a FIFO can
    block forever. The read itself is bounded too, in case the file grows meanwhile."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        report.failures.append("not a regular file: refused unread")
        return None
    if info.st_size > MAX_BYTES:
        report.failures.append(f"larger than {MAX_BYTES // 2**20} MiB: refused unread")
        return None
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        report.failures.append(f"larger than {MAX_BYTES // 2**20} MiB: refused")
        return None
    return data


def outside_streams(data: bytes) -> bytes:
    """``data`` without the bodies of its streams, in one linear pass.

    A ``stream`` keyword without a later ``endstream`` leaves the rest in place: what cannot be
    a stream is scanned like any other bytes."""
    parts = []
    at = 0
    while True:
        start = _STREAM_START.search(data, at)
        if start is None:
            break
        end = data.find(b"endstream", start.end())
        if end < 0:
            break
        parts.append(data[at : start.start()])
        at = end + len(b"endstream")
    parts.append(data[at:])
    return b"".join(parts)


def _forbidden(data: bytes) -> str | None:
    """Why the copy is refused before parsing, if it carries encryption or actions.

    Names are read with their ``#xx`` escapes decoded: ``/J#61vaScript`` is ``/JavaScript``."""
    plain = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), outside_streams(data))
    for marker, reason in _FORBIDDEN.items():
        if re.search(re.escape(marker) + rb"(?![A-Za-z])", plain):
            return reason
    return None


def _verify_copy(
    path: Path, report: CopyReport, lookup: Lookup, policy: _Policy
) -> Expected | None:
    data = _read(path, report)
    if data is None:
        return None
    if data.startswith(b"PK\x03\x04"):
        report.failures.append(
            "a Word or zip file, not a PDF: verify checks the signatures of PDF packages; a "
            "DOCX package signed elsewhere is checked against the version and fingerprint on "
            "its pages"
        )
        return None
    if not data.startswith(b"%PDF-"):
        report.failures.append("not a PDF")
        return None
    reason = _forbidden(data)
    if reason is not None:
        report.failures.append(f"refused: {reason}")
        return None
    if data.count(b"%%EOF") > MAX_REVISIONS:
        report.failures.append(
            f"more than {MAX_REVISIONS:,} revisions: refused (a signing round needs a handful)"
        )
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
    _check_signatures(data, original, expected, report, policy)
    return expected


def _load_roots(trust_roots: tuple[bytes, ...]) -> tuple[Any, ...]:
    """Trusted root certificates from PEM or DER bytes."""
    if not trust_roots:
        return ()
    from asn1crypto import pem, x509

    try:
        return tuple(
            x509.Certificate.load(pem.unarmor(r)[2] if pem.detect(r) else r) for r in trust_roots
        )
    except ValueError as exc:
        raise UsageError(f"--trust: not a certificate ({exc})") from exc


def _check_signatures(
    data: bytes, original: bytes, expected: Expected, report: CopyReport, policy: _Policy
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    if reader.xrefs.total_revisions > MAX_REVISIONS:
        report.failures.append(f"more than {MAX_REVISIONS:,} revisions: refused")
        return
    original_reader = PdfFileReader(io.BytesIO(original), strict=False)
    package_fields = {name: _rect(ref) for name, _, ref in enumerate_sig_fields(original_reader)}
    base = original_reader.xrefs.total_revisions - 1
    failures, added = check_revisions(reader, base)
    report.failures += failures
    if added:
        report.warnings.append(
            f"{added} added after the package (an e-signing service's?): what they say is "
            "not the agreement"
        )
    expected_by_field = {f: name for f, _, name in expected.slots}

    for name, value, ref in enumerate_sig_fields(reader):
        if name in package_fields and _rect(ref) != package_fields[name]:
            report.failures.append(f"the rectangle of field {name} was moved after the package")
        if name not in package_fields and value is None:
            report.failures.append(f"field {name} was added after the package and is unsigned")

    seen: dict[tuple[int, int], str] = {}
    signatures = reader.embedded_signatures
    if not signatures:
        report.warnings.append("carries no signatures: this is the package as sent")
    for index, embedded in enumerate(signatures):
        reference = embedded.sig_field.raw_get("/V").reference
        key = (reference.idnum, reference.generation)
        if key in seen:
            report.failures.append(
                f"one signature object is referenced from two fields ({seen[key]} and "
                f"{embedded.field_name}): counted once"
            )
            continue
        seen[key] = embedded.field_name
        loose = loose_contents(data, embedded.sig_object.get("/ByteRange"))
        if loose:
            report.failures.append(f"signature in {embedded.field_name}: {loose}")
        else:
            content = bytes(embedded.pkcs7_content)
            unbound = loose_bytes(content[: der_length(content)], policy.roots)
            if unbound:
                report.failures.append(f"signature in {embedded.field_name} {unbound}")
        context = ValidationContext(trust_roots=list(policy.roots), allow_fetching=False)
        status = validate_pdf_signature(embedded, context)
        subject = embedded.signer_cert.subject
        common_name = str(subject.native.get("common_name", ""))
        level = status.modification_level.name if status.modification_level else "UNKNOWN"
        coverage = status.coverage.name if status.coverage else "UNCLEAR"
        timestamp = embedded.self_reported_timestamp
        signature = Signature(
            field=embedded.field_name,
            signer=subject.human_friendly,
            common_name=common_name,
            signing_time=timestamp.isoformat() if timestamp else None,
            intact=bool(status.intact),
            valid=bool(status.valid),
            trusted=bool(status.trusted),
            coverage=coverage,
            modification_level=level,
            expected=expected_by_field.get(embedded.field_name),
            in_package_field=embedded.field_name in package_fields,
        )
        report.signatures.append(signature)
        where = f"signature in {signature.field}"
        if not (signature.intact and signature.valid):
            report.failures.append(f"{where} is broken: the signed bytes were changed")
        stamp = status.timestamp_validity
        if stamp is not None and not (stamp.intact and stamp.valid):
            report.failures.append(f"{where} carries a timestamp that is broken")
        if level not in _OK_AFTER_SIGNATURE:
            report.failures.append(f"{where}: the document was changed after it ({level})")
        if coverage not in ("ENTIRE_REVISION", "ENTIRE_FILE"):
            report.failures.append(
                f"{where} does not cover its own revision ({coverage}): signature wrapping"
            )
        elif index == len(signatures) - 1 and coverage != "ENTIRE_FILE":
            report.failures.append(
                f"{where} is the last one but does not cover the whole file: "
                "something was appended after it"
            )
        if not signature.trusted:
            message = f"{where}: the signer's certificate does not chain to a trusted root"
            (report.failures if policy.require_trust else report.warnings).append(message)
        if not signature.in_package_field:
            report.warnings.append(
                f"{where} is outside the package's fields (an e-signing service's own page)"
            )
    _match_signatories(report, expected, policy.signer_names)


def _match_signatories(
    report: CopyReport, expected: Expected, signer_names: dict[str, str]
) -> None:
    """Which fields count as signed by the person they are for.

    A field counts when its signer's certificate names the expected signatory (or the name
    ``signer_names`` maps them to), when its party names nobody yet and anyone signed it, or
    when the expected signatory signed outside the fields, as e-signing services do.
    """

    def person(name: str) -> str:
        return " ".join(signer_names.get(name, name).casefold().split())

    good = [s for s in report.signatures if s.intact and s.valid]
    for field_name, _party, name in expected.slots:
        in_field = next((s for s in good if s.field == field_name), None)
        if in_field is not None:
            if name is None or person(name) == person(in_field.common_name):
                report.satisfied.append(field_name)
                continue
            report.warnings.append(
                f"{field_name} is for {name} but was signed by {in_field.signer}"
            )
        elsewhere = name is not None and any(
            not s.in_package_field and person(s.common_name) == person(name) for s in good
        )
        (report.satisfied if elsewhere else report.missing).append(field_name)


def _rect(ref: Any) -> tuple[float, ...]:
    widget = ref.get_object()
    return tuple(round(float(v), 2) for v in widget.get("/Rect", ()))
