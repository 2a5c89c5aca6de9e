"""A test PKI made in the tests: a root, signer certificates, and pyHanko signers for them."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FROM = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
VALID_UNTIL = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Identity:
    name: str
    cert: Path
    key: Path


@dataclass(frozen=True)
class Pki:
    root: Path
    root_cert: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey
    directory: Path

    def issue(
        self,
        common_name: str,
        issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    ) -> Identity:
        """A signing certificate for ``common_name``, issued by the root (or ``issuer``)."""
        issuer_cert, issuer_key = issuer or (self.root_cert, self.root_key)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(issuer_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(VALID_FROM)
            .not_valid_after(VALID_UNTIL)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False), True
            )
            .sign(issuer_key, hashes.SHA256())
        )
        slug = common_name.lower().replace(" ", "-")
        cert_path = self.directory / f"{slug}.pem"
        key_path = self.directory / f"{slug}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return Identity(common_name, cert_path, key_path)


def make_pki(directory: Path, name: str = "Testijuuri") -> Pki:
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), True
        )
        .sign(key, hashes.SHA256())
    )
    root = directory / f"{name.lower()}.pem"
    root.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Pki(root, cert, key, directory)


def sign(
    data: bytes,
    field: str,
    identity: Identity,
    pki: Pki,
    *,
    chain: tuple[Path, ...] | None = None,
    timestamper: Any = None,
) -> bytes:
    """``data`` signed in ``field`` as a PAdES B-B signature by ``identity``, carrying the
    certificates of ``chain`` (the root by default); B-T with a ``timestamper``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    carried = (pki.root,) if chain is None else chain
    signer = signers.SimpleSigner.load(
        str(identity.key), str(identity.cert), ca_chain_files=tuple(map(str, carried))
    )
    assert signer is not None
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    metadata = signers.PdfSignatureMetadata(
        field_name=field, subfilter=fields.SigSeedSubFilter.PADES
    )
    return signers.sign_pdf(writer, metadata, signer=signer, timestamper=timestamper).getvalue()


def intermediate(pki: Pki, name: str) -> tuple[Path, x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A CA certificate the root issues, to issue signers under: (its PEM, it, its key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(pki.root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), True
        )
        .sign(pki.root_key, hashes.SHA256())
    )
    path = pki.directory / f"{name.lower().replace(' ', '-')}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path, cert, key


def timestamper(pki: Pki) -> Any:
    """A time-stamping authority the root certifies (pyHanko's test TSA signs with RSA), its
    tokens carrying its certificate and the root."""
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Testileimaaja")]))
        .issuer_name(pki.root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)
        .sign(pki.root_key, hashes.SHA256())
    )
    der = serialization.Encoding.DER
    private = key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        tsa_key=keys.PrivateKeyInfo.load(private),
        certs_to_embed=[asn1_x509.Certificate.load(pki.root_cert.public_bytes(der))],
    )


def _append_update(out: bytearray, objects: dict[int, bytes], trailer: bytes, previous: int) -> int:
    """One incremental update appended to ``out`` by hand: ``objects`` (number -> body), an
    xref section for them, a trailer of ``trailer``'s entries and /Prev. Its xref's offset."""
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n"
    for number, offset in offsets.items():
        out += b"%d 1\n%010d 00000 n\r\n" % (number, offset)
    out += b"trailer\n<<%s/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (trailer, previous, xref)
    return xref


def _last_xref(data: bytes) -> int:
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def incremental_update(data: bytes, objects: dict[int, bytes]) -> bytes:
    """``data`` with ``objects`` (number -> body) appended by hand as one incremental update."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    size = max(int(reader.trailer_view["/Size"]), max(objects) + 1)
    trailer = b"/Size %d/Root %d 0 R" % (size, reader.root_ref.idnum)
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    _append_update(out, objects, trailer, _last_xref(data))
    return bytes(out)


def many_revisions(data: bytes, count: int) -> bytes:
    """``count`` harmless revisions appended by hand, each rewriting the document info
    unchanged: what a careless tool or an attack on verify's time would write."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    info = reader.trailer_view.raw_get("/Info").reference.idnum
    buffer = io.BytesIO()
    reader.trailer_view["/Info"].write_to_stream(buffer)
    size = int(reader.trailer_view["/Size"])
    trailer = b"/Size %d/Root %d 0 R/Info %d 0 R" % (size, reader.root_ref.idnum, info)
    out = bytearray(data)
    previous = _last_xref(data)
    for _ in range(count):
        previous = _append_update(out, {info: buffer.getvalue()}, trailer, previous)
    return bytes(out)
