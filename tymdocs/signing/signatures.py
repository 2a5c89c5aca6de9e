"""The signatures of a copy: each checked by pyHanko, held to tymdocs's rules, and matched
to the signatory its field is for.

pyHanko checks each signature and the modifications made after it. On top of that every copy
is held to tymdocs's own rules: only signature fields change (:mod:`~tymdocs.signing.revisions`),
package fields keep their rectangles, no unsigned field appears; the last signature covers the
whole file; one signature object counts once; no byte of a signature value goes unchecked
(:mod:`~tymdocs.signing.bytes`). A signer chains to the roots a run trusts (:class:`Trust`),
and a field counts as signed when its signer is the person it is for.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tymdocs.errors import UsageError
from tymdocs.signing.bytes import der_length, loose_bytes, loose_contents
from tymdocs.signing.revisions import check_revisions
from tymdocs.signing.screening import MAX_REVISIONS

if TYPE_CHECKING:
    from tymdocs.signing.originals import Expected
    from tymdocs.signing.verify import CopyReport

_OK_AFTER_SIGNATURE = ("NONE", "LTA_UPDATES", "FORM_FILLING")


@dataclass(frozen=True)
class Trust:
    """Whom a run trusts: root certificates (PEM or DER bytes), whether an untrusted signer
    fails the copy, and the certificate names signatories sign with (name -> subject)."""

    roots: tuple[bytes, ...] = ()
    required: bool = False
    signer_names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Policy:
    """How strictly every copy of one run is judged: its :class:`Trust`, the roots parsed once."""

    roots: tuple[Any, ...]
    require_trust: bool
    signer_names: dict[str, str]

    @classmethod
    def of(cls, trust: Trust) -> Policy:
        """``trust`` ready to judge copies; a root that is not a certificate is a usage error."""
        return cls(_load_roots(trust.roots), trust.required, dict(trust.signer_names))


@dataclass
class Signature:
    """One signature of a copy: who signed which field, when, and what pyHanko found."""

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


def _defer_pyhanko_signers() -> None:
    """Make ``pyhanko.sign`` importable without running its ``__init__`` yet, so that checking
    signatures loads pyHanko's validation alone.

    That ``__init__`` only re-exports the signers (``PdfSigner``, ``sign_pdf``, ...), which
    import the HTTP timestamp client and, with it, aiohttp: 0.15 s of every ``verify`` for
    code an offline check never runs. The package is set up as the import system would
    (its path, spec and place on ``pyhanko``); its ``__init__`` runs, once and unchanged,
    the first time anything asks the package for a name it does not yet hold, so
    ``from pyhanko.sign import signers`` and ``pyhanko.sign.PdfSigner`` work as ever. Every
    module that validates is pyHanko's own, loaded as it is; only when the signers load
    differs. A no-op when ``pyhanko.sign`` is already loaded."""
    if "pyhanko.sign" in sys.modules:
        return
    spec = importlib.util.find_spec("pyhanko.sign")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def __getattr__(name: str) -> Any:
        if vars(package).pop("__getattr__", None) is not None:  # runs once
            loader.exec_module(package)
        return getattr(package, name)

    vars(package)["__getattr__"] = __getattr__
    sys.modules["pyhanko.sign"] = package
    import pyhanko

    vars(pyhanko)["sign"] = package


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


def check_signatures(
    data: bytes, original: bytes, expected: Expected, report: CopyReport, policy: Policy
) -> None:
    """Every signature of ``data`` checked, and every revision after ``original`` (the
    package's bytes), into ``report``: its signatures, failures, warnings, and the fields
    signed by the person they are for (``satisfied``) or not (``missing``)."""
    _defer_pyhanko_signers()
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
    expected_by_field = {seat.field: seat.name for seat in expected.seats}

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
        # One context per signature, never shared across signatures or copies: pyHanko adds
        # the certificates a signature carries to its context, which would let one copy's
        # certificates complete another's chain.
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
    """Which fields count as signed by the person they are for, and by which signature.

    A field counts when its signer's certificate names the expected signatory (or the name
    ``signer_names`` maps them to), when its party names nobody yet and anyone signed it (a
    warning where that is another party's signatory), or when the expected signatory signed
    outside the fields, as e-signing services do; one signature outside the fields counts for
    one field only. A field signed by someone else fails the copy, naming both.
    """

    def person(name: str) -> str:
        return " ".join(signer_names.get(name, name).casefold().split())

    good = [s for s in report.signatures if s.intact and s.valid]
    named = {person(seat.name): seat for seat in expected.seats if seat.name is not None}
    outside = [s for s in good if not s.in_package_field]
    for seat in expected.seats:
        in_field = next((s for s in good if s.field == seat.field), None)
        if in_field is not None:
            signer = person(in_field.common_name)
            if seat.name is None or person(seat.name) == signer:
                report.signed_by[seat.field] = in_field
                other = named.get(signer)
                if seat.name is None and other is not None and other.party != seat.party:
                    report.warnings.append(
                        f"{seat.field}, which names nobody yet, was signed by {other.name}, "
                        f"who signs for {other.party} in {other.field}"
                    )
                continue
            report.failures.append(
                f"{seat.field} is for {seat.name} but was signed by "
                f"{in_field.common_name or in_field.signer}"
            )
        name = seat.name
        elsewhere = next(
            (s for s in outside if name is not None and person(s.common_name) == person(name)),
            None,
        )
        if elsewhere is not None:
            outside.remove(elsewhere)  # it counts once
            report.signed_by[seat.field] = elsewhere
        else:
            report.missing.append(seat.field)


def _rect(ref: Any) -> tuple[float, ...]:
    widget = ref.get_object()
    return tuple(round(float(v), 2) for v in widget.get("/Rect", ()))
