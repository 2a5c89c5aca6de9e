"""Every byte of a signature value accounted for: the part of a signed revision no signature
covers holds the value and zero padding only, and every byte of the value's CMS is bound by a
signature, or fixed by DER and CMS rules.

A signature's byte range leaves out one gap, its /Contents: there the value must be one hex
string in one case, followed only by zeros, so that no byte of the file can change without
breaking a signature (:func:`loose_contents`).

pyHanko checks what a signer signs: the signed attributes (the document's digest, the signer's
certificate by hash) under the signer's key. The rest of the CMS SignedData around them is
signed by nobody, and pyHanko reads it leniently: a certificate carried beside the signer's and
unused, the version numbers, the list of digest algorithms, the signer identifier (matched to
the certificate case-insensitively), algorithm parameters, unsigned attributes, the lengths
and tags. Changed, the signature still validates, so a hostile editor could alter those bytes
of a signed copy unseen. Here each of them is held to what the signed parts imply:

- the value is DER (ISO 32000 asks for a DER-encoded PKCS#7 object): definite, shortest
  lengths, no end-of-contents, canonical booleans, integers and bit strings;
- the versions are those RFC 5652 prescribes, the digest algorithms are the signer's alone,
  the signer identifier names the signer's certificate byte for byte, digest and signature
  algorithms carry no parameters but NULL (RSASSA-PSS's in DER);
- every certificate carried is used: on the signer's chain (each one's signature verifying
  under the next one's key) or on a timestamp authority's, or verified by one that is (an
  OCSP responder's, say); a damaged or unused certificate fails the signature. The top of a
  chain is bound when it is a root whose own signature verifies, when a trusted root
  verifies it, or when it is the signer's own certificate, whose hash the signed attributes
  hold. When its issuer is neither carried nor trusted (eID signatures often leave the root
  out), nothing can check the rest of it: verify then reports that the signer does not
  chain to a trusted root, and --trust with that root checks it;
- a revocation list verifies under a certificate of that chain or a trusted root;
- the only unsigned attribute is a signature timestamp, whose token is held to the same rules.
"""

from __future__ import annotations

import functools
import re
from typing import Any

MAX_CERTIFICATES = 32
"""A signature carrying more certificates than this fails: a chain needs a handful, and each
one carried costs a signature check or more."""

_SEQUENCE, _SET = 16, 17


def loose_contents(data: bytes, byte_range: Any) -> str | None:
    """What is wrong with the one part of a signed revision no signature covers: its /Contents.

    It must be the signature as a hex string in one case, followed only by zero padding, so
    that no byte of the file can change without breaking a signature."""
    try:
        _, first, second, _ = (int(v) for v in byte_range)
    except (TypeError, ValueError):
        return "its byte range is malformed"
    gap = data[first:second]
    if not re.fullmatch(rb"<(?:(?:[0-9a-f]{2})*|(?:[0-9A-F]{2})*)>", gap):
        return "the signature value is not one plain hex string"
    value = bytes.fromhex(gap[1:-1].decode("ascii"))
    length = der_length(value)
    if length is None or value[length:].strip(b"\0"):
        return "bytes other than zero padding follow the signature value"
    return None


def der_length(value: bytes) -> int | None:
    """The length of the DER element at the start of ``value`` (header included)."""
    if len(value) < 2:
        return None
    size = value[1]
    if size < 0x80:
        return 2 + size
    count = size & 0x7F
    if not 1 <= count <= 4 or len(value) < 2 + count:
        return None
    return 2 + count + int.from_bytes(value[2 : 2 + count], "big")


def der_problem(data: bytes) -> str | None:
    """Where ``data`` breaks DER's rules for tags, lengths and simple values, if it does.

    One linear pass without recursion: nested elements are walked from a stack."""
    stack = [(0, len(data))]
    while stack:
        at, end = stack.pop()
        while at < end:
            if end - at < 2:
                return f"a truncated element at byte {at}"
            tag = data[at]
            number, constructed = tag & 0x1F, bool(tag & 0x20)
            if number == 0x1F:
                return f"a tag in high-number form at byte {at}"
            size, head = data[at + 1], 2
            if size == 0x80:
                return f"an indefinite length at byte {at}"
            if size > 0x80:
                count = size & 0x7F
                if count > 4 or end - at < 2 + count:
                    return f"a length that does not fit at byte {at}"
                size = int.from_bytes(data[at + 2 : at + 2 + count], "big")
                if size < 0x80 or size >> (8 * (count - 1)) == 0:
                    return f"a length not in its shortest form at byte {at}"
                head += count
            start, stop = at + head, at + head + size
            if stop > end:
                return f"an element longer than what holds it at byte {at}"
            if tag & 0xC0 == 0:  # universal
                if number == 0:
                    return f"an end-of-contents marker at byte {at}"
                if constructed != (number in (_SEQUENCE, _SET)):
                    form = "constructed" if constructed else "primitive"
                    return f"a {form} type {number} at byte {at}"
                if not constructed and not _canonical(number, data[start:stop]):
                    return f"a type {number} value not in its DER form at byte {at}"
            if constructed:
                stack.append((start, stop))
            at = stop
    return None


def _canonical(number: int, value: bytes) -> bool:
    """Whether a universal primitive's contents are in their one DER form."""
    if number == 1:  # BOOLEAN
        return value in (b"\x00", b"\xff")
    if number in (2, 10):  # INTEGER, ENUMERATED
        if not value:
            return False
        return len(value) == 1 or not (
            (value[0] == 0 and value[1] < 0x80) or (value[0] == 0xFF and value[1] >= 0x80)
        )
    if number == 3:  # BIT STRING
        if not value or value[0] > 7 or (len(value) == 1 and value[0]):
            return False
        return len(value) == 1 or value[-1] & ((1 << value[0]) - 1) == 0
    if number == 5:  # NULL
        return not value
    if number == 6:  # OBJECT IDENTIFIER
        return (
            bool(value)
            and value[-1] < 0x80
            and all(value[i] != 0x80 for i in range(len(value)) if i == 0 or value[i - 1] < 0x80)
        )
    return True


def loose_bytes(der: bytes, roots: tuple[Any, ...]) -> str | None:
    """What in a signature's CMS value (``der``, its padding removed) nothing binds, if
    anything: a predicate for the report ("carries a certificate that is damaged or unused").
    ``roots`` are the trusted roots, as asn1crypto certificates."""
    from asn1crypto import cms

    problem = der_problem(der)
    if problem is not None:
        return f"is not DER: {problem}"
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            return "is not CMS signed data"
        return _loose_signed_data(info["content"], roots, timestamp=False)
    except Exception as exc:  # a hostile value may break the parser: that is a failure
        return f"does not read as CMS signed data ({type(exc).__name__}: {exc})"


def _loose_signed_data(signed_data: Any, roots: tuple[Any, ...], *, timestamp: bool) -> str | None:
    """What in one SignedData nothing binds, if anything; ``timestamp`` for a token inside."""
    (signer_info,) = signed_data["signer_infos"]
    sid = signer_info["sid"]
    certificates = _items(signed_data["certificates"])
    if len(certificates) > MAX_CERTIFICATES:
        return f"carries {len(certificates)} certificates, more than a chain needs"
    if any(choice.name != "certificate" for choice in certificates):
        return "carries a certificate that is damaged or unused (not an X.509 certificate)"
    certs = [choice.chosen for choice in certificates]
    signer = _signer(signed_data)
    if signer is None:
        return "has a signer identifier that names no certificate it carries byte for byte"

    version = 1 if sid.name == "issuer_and_serial_number" else 3
    if signer_info["version"].native != f"v{version}":
        return "has a SignerInfo version other than the one CMS prescribes"
    content_type = signed_data["encap_content_info"]["content_type"].native
    outer = 3 if version == 3 or content_type != "data" else 1
    if signed_data["version"].native != f"v{outer}":
        return "has a SignedData version other than the one CMS prescribes"
    digest = signer_info["digest_algorithm"]
    listed = list(signed_data["digest_algorithms"])
    if [a["algorithm"].dotted for a in listed] != [digest["algorithm"].dotted]:
        return "lists digest algorithms other than its signer's"
    for algorithm in (*listed, digest, signer_info["signature_algorithm"]):
        if not _plain_parameters(algorithm):
            return "has an algorithm with parameters other than NULL"

    tokens = []
    for attribute in _items(signer_info["unsigned_attrs"]):
        kind = attribute["type"].native
        if timestamp or kind != "signature_time_stamp_token":
            return f"carries an unsigned attribute verify does not check ({kind})"
        for token in attribute["values"]:
            if token["content_type"].native != "signed_data":
                return "has a timestamp token that is not CMS signed data"
            tokens.append(token["content"])

    stampers = [cert for cert in map(_signer, tokens) if cert is not None]
    bound, loose = _bind(signer, stampers, certs, signer_info, roots)
    if loose is not None:
        return f"carries a certificate that is damaged or unused ({_subject(loose)})"
    for choice in _items(signed_data["crls"]):
        if choice.name != "crl" or not any(_signed_by(choice.chosen, c) for c in (*bound, *roots)):
            return "carries a revocation list that is damaged or unused"
    for token in tokens:
        reason = _loose_signed_data(token, roots, timestamp=True)
        if reason is not None:
            return f"has a timestamp token that {reason}"
    return None


def _signer(signed_data: Any) -> Any:
    """The certificate a SignedData's one signer identifier names byte for byte, if carried."""
    (signer_info,) = signed_data["signer_infos"]
    certificates = _items(signed_data["certificates"])
    return next(
        (
            c.chosen
            for c in certificates
            if c.name == "certificate" and _names(signer_info["sid"], c.chosen)
        ),
        None,
    )


def _bind(
    signer: Any, stampers: list[Any], certs: list[Any], signer_info: Any, roots: tuple[Any, ...]
) -> tuple[list[Any], Any]:
    """The carried certificates a signature binds, and one it does not bind, if any.

    First the signer's chain, each certificate verified under the key of the next one up,
    and the chains of its timestamps' authorities (``stampers``, whose tokens hold their
    certificates' hashes) through what the signature carries. Then any other certificate a
    bound one or a trusted root verifies (Adobe carries the certificates of OCSP responders,
    for one). What is left is damaged or unused."""
    stamped = {stamper.dump() for stamper in stampers}
    rest = [cert for cert in certs if cert is not signer and cert.dump() not in stamped]
    bound: list[Any] = []
    for start in (signer, *stampers):
        chain = [start]
        while not _signed_by(chain[-1], chain[-1]):
            issuer = next((cert for cert in rest if _signed_by(chain[-1], cert)), None)
            if issuer is None:
                break
            rest.remove(issuer)
            chain.append(issuer)
        top = chain[-1]
        if (start is signer or len(chain) > 1) and _damaged_top(
            top, signer_info if top is signer else None, roots
        ):
            return bound, top
        bound += chain
    grown = True
    while rest and grown:
        grown = False
        for cert in list(rest):
            if any(_signed_by(cert, issuer) for issuer in (*bound, *roots)):
                rest.remove(cert)
                bound.append(cert)
                grown = True
    return bound, rest[0] if rest else None


def _damaged_top(top: Any, signer_info: Any, roots: tuple[Any, ...]) -> bool:
    """Whether the top of a chain a signature carries shows damage.

    Its bytes are bound when it is a root whose own signature verifies, when a trusted root
    verifies it, or when it is the signer's and ``signer_info``'s signed attributes hold its
    hash. Damaged is a root that fails its own signature (also with its issuer's name
    changed: put back, the signature verifies again), and a certificate that a trusted root
    of its issuer's name, or of its own key, does not verify. Otherwise its issuer is neither
    carried nor trusted, as in many eID signatures: the signature does not chain to a trusted
    root, which verify reports, and only --trust can check the rest of this certificate."""
    if (
        _signed_by(top, top)
        or any(_signed_by(top, root) for root in roots)
        or (signer_info is not None and _hash_signed(signer_info, top))
    ):
        return False
    tbs = top["tbs_certificate"]
    as_root = tbs.copy()
    as_root["issuer"] = tbs["subject"].copy()
    key = top.public_key.dump()
    return (
        _issued_by_name(top, top)
        or _verifies(top, as_root.dump(), top.public_key)
        or any(_issued_by_name(top, root) or root.public_key.dump() == key for root in roots)
    )


def _absent(value: Any) -> bool:
    from asn1crypto import core

    return isinstance(value, core.Void)


def _items(value: Any) -> list[Any]:
    """The elements of an optional SET OF, none when it is absent."""
    return [] if _absent(value) else list(value)


def _names(sid: Any, cert: Any) -> bool:
    """Whether a signer identifier names ``cert`` with the very bytes the certificate holds."""
    if sid.name == "issuer_and_serial_number":
        tbs = cert["tbs_certificate"]
        return bool(
            sid.chosen["issuer"].dump() == tbs["issuer"].dump()
            and sid.chosen["serial_number"].dump() == tbs["serial_number"].dump()
        )
    return bool(sid.chosen.native == cert.key_identifier)


def _plain_parameters(algorithm: Any) -> bool:
    """Whether an algorithm's parameters are absent or NULL, or RSASSA-PSS's in DER."""
    raw = algorithm.dump()
    if algorithm["algorithm"].native == "rsassa_pss":
        return bool(type(algorithm).load(raw).dump(force=True) == raw)
    return algorithm["parameters"].dump() in (b"", b"\x05\x00")


def _is_certificate(signed: Any) -> bool:
    from asn1crypto import x509

    return isinstance(signed, x509.Certificate)


def _body(signed: Any) -> Any:
    """The signed part of a certificate or a revocation list."""
    return signed["tbs_certificate" if _is_certificate(signed) else "tbs_cert_list"]


def _issued_by_name(signed: Any, issuer: Any) -> bool:
    return bool(_body(signed)["issuer"] == issuer["tbs_certificate"]["subject"])


def _signed_by(signed: Any, issuer: Any) -> bool:
    """Whether ``signed`` (a certificate or a revocation list) names ``issuer`` and its
    signature verifies under the issuer's key."""
    return _issued_by_name(signed, issuer) and _verifies(
        signed, _body(signed).dump(), issuer.public_key
    )


def _verifies(signed: Any, body: bytes, key: Any) -> bool:
    """Whether the signature of ``signed`` verifies over ``body`` under ``key``, by the
    algorithm its signed part states, the signature a whole number of bytes."""
    algorithm = signed["signature_algorithm"]
    value = signed["signature_value" if _is_certificate(signed) else "signature"]
    if algorithm.dump() != _body(signed)["signature"].dump() or value.contents[:1] != b"\x00":
        return False
    return _signature_verifies(value.native, body, key.dump(), algorithm.dump())


@functools.lru_cache(maxsize=1024)
def _signature_verifies(value: bytes, body: bytes, key: bytes, algorithm: bytes) -> bool:
    """Whether ``value`` is a signature over ``body`` under the public key ``key`` by
    ``algorithm`` (both DER): a fact of these bytes alone, so checked once per process,
    where every copy of a round carries the same root and signers' certificates."""
    from asn1crypto import algos, keys
    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    try:
        DefaultSignatureValidator().validate_signature(
            value,
            body,
            keys.PublicKeyInfo.load(key),
            algos.SignedDigestAlgorithm.load(algorithm),
        )
    except Exception:  # an invalid signature, or a key or algorithm that cannot verify
        return False
    return True


def _hash_signed(signer_info: Any, cert: Any) -> bool:
    """Whether the signed attributes hold ``cert``'s hash (ESS signing-certificate)."""
    from pyhanko.sign.general import check_ess_certid
    from pyhanko.sign.validation.generic_cms import get_signing_cert_attr

    if _absent(signer_info["signed_attrs"]):
        return False
    attribute = get_signing_cert_attr(signer_info["signed_attrs"])
    return attribute is not None and bool(check_ess_certid(cert, attribute["certs"][0]))


def _subject(cert: Any) -> str:
    try:
        return str(cert.subject.human_friendly)
    except Exception:
        return "one that cannot be read"
