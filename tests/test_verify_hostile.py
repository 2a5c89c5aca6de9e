"""`tymdocs verify` against hostile copies: revisions before the first signature, sneaky
signatures, drafts posing as originals, and inputs meant to hang it or exhaust its memory.

Every attack starts from a real package built in the test and signed with the test PKI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.helpers import measured, run
from tests.pki import (
    Identity,
    Pki,
    incremental_update,
    intermediate,
    make_pki,
    many_revisions,
    sign,
    timestamper,
)
from tests.test_verify import (
    _add_note,
    _append_page,
    _failure,
    _save,
    _writer,
    package,
    people,  # noqa: F401  (a fixture)
    pki,  # noqa: F401  (a fixture)
    repo,  # noqa: F401  (a fixture)
    signed_by_all,
    signed_once,  # noqa: F401  (a fixture)
    verify,
)
from tymdocs.signing.screening import MAX_REVISIONS


def _catalog(data: bytes) -> tuple[int, bytes]:
    """The catalog's object number and its dictionary as bytes, to rewrite by hand."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    buffer = io.BytesIO()
    reader.root.write_to_stream(buffer)
    return reader.root_ref.idnum, buffer.getvalue()


# -- the exit code ----------------------------------------------------------------------------


def test_require_complete_fails_until_every_copy_carries_every_signature(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    signed_once: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Unsigned or partly signed copies are not altered (exit 0) but not complete either."""
    for copies in ({"kela.pdf": package(repo)}, {"kela.pdf": signed_once}):
        assert verify(capsys, repo, tmp_path, copies)[0] == 0
        code, report = verify(capsys, repo, tmp_path, copies, "--require-complete")
        assert code == 1 and report["ok"] and report["fully_signed"] is False
    complete = {
        f"{party}.pdf": signed_by_all(repo, party, people, pki)
        for party in ("tyollisyysalue", "hyvinvointialue", "kela")
    }
    code, report = verify(capsys, repo, tmp_path, complete, "--require-complete")
    assert code == 0 and report["fully_signed"] is True
    text = run(capsys, "-C", str(repo), "verify", "--help")
    assert "--require-complete" in text.out
    assert "a package as sent, with no signatures yet, included" in " ".join(text.out.split())


# -- revisions between the package and the first signature ------------------------------------


def test_page_content_replaced_before_the_first_signature(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    from pyhanko.pdf_utils import generic

    writer = _writer(package(repo))
    page_ref, _ = writer.find_page_for_modification(2)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 700 Td (Muutettu ehto) Tj ET")
    )
    writer.update_container(page)
    signed = sign(_save(writer), "sig-kela-1", people["sig-kela-1"], pki)
    failure = _failure(capsys, repo, tmp_path, signed)  # the agreement's page 2, after the cover
    assert 'revision 3 changes page 3 (labelled "2") of the package' in failure


def test_a_content_stream_rewritten_in_place_before_the_first_signature(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The page keeps its dictionary; the stream it points at gets a new body."""
    from pyhanko.pdf_utils import generic

    writer = _writer(package(repo))
    page_ref, _ = writer.find_page_for_modification(2)
    contents = page_ref.get_object().raw_get("/Contents")
    stream = generic.StreamObject(stream_data=b"BT ET")
    writer.mark_update(contents)
    writer.objects[(contents.reference.generation, contents.reference.idnum)] = stream
    signed = sign(_save(writer), "sig-kela-1", people["sig-kela-1"], pki)
    assert f"changes object {contents.reference.idnum} of the package" in _failure(
        capsys, repo, tmp_path, signed
    )


def test_a_white_overlay_annotation_before_the_first_signature(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:

    writer = _writer(package(repo))
    _add_note(writer, 1, (60, 500, 540, 720), "Uusi ehto", white=True)
    signed = sign(_save(writer), "sig-kela-1", people["sig-kela-1"], pki)
    assert 'revision 3 adds an annotation on page 2 (labelled "1") of the package' in _failure(
        capsys, repo, tmp_path, signed
    )


def test_an_open_action_with_escaped_names_before_the_first_signature(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    """``/J#61vaScript`` is ``/JavaScript``; an action that is not JavaScript still fails."""
    number, catalog = _catalog(package(repo))
    script = catalog[:-2] + b"/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>"
    tampered = sign(
        incremental_update(package(repo), {number: script}), "sig-kela-1", people["sig-kela-1"], pki
    )
    assert "refused: it contains JavaScript" in _failure(capsys, repo, tmp_path, tampered)
    named = catalog[:-2] + b"/Open#41ction<</S/Named/N/Print>>>>"
    tampered = sign(
        incremental_update(package(repo), {number: named}), "sig-kela-1", people["sig-kela-1"], pki
    )
    assert "revision 3 changes the document catalog (/OpenAction)" in _failure(
        capsys, repo, tmp_path, tampered
    )


def test_harmless_revisions_pass_and_too_many_are_refused(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    few = sign(many_revisions(package(repo), 20), "sig-kela-1", people["sig-kela-1"], pki)
    assert verify(capsys, repo, tmp_path, {"few.pdf": few})[0] == 0
    many = sign(
        many_revisions(package(repo), MAX_REVISIONS), "sig-kela-1", people["sig-kela-1"], pki
    )
    started = time.monotonic()
    assert f"more than {MAX_REVISIONS} revisions" in _failure(capsys, repo, tmp_path, many)
    assert time.monotonic() - started < 10


# -- signatures outside the package's fields ----------------------------------------------------


def _signed_in_new_field(
    data: bytes, page: int, box: tuple[int, int, int, int], who: Identity, issuer: Pki
) -> bytes:
    from pyhanko.sign import fields

    writer = _writer(data)
    fields.append_signature_field(writer, fields.SigFieldSpec("Palvelu", on_page=page, box=box))
    return sign(_save(writer), "Palvelu", who, issuer)


def test_a_sneaky_visible_signature_on_a_page_of_the_package(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    signed_once: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    stranger_pki = make_pki(tmp_path / "stranger", "Vieras juuri")
    stranger = stranger_pki.issue("Mallory Meikäläinen")
    before = _signed_in_new_field(package(repo), 0, (60, 500, 540, 720), stranger, stranger_pki)
    said = 'a visible signature field Palvelu on page 1 (labelled "Kansilehti 1") of the package'
    assert said in _failure(capsys, repo, tmp_path, before)
    after = _signed_in_new_field(signed_once, 0, (60, 500, 540, 720), stranger, stranger_pki)
    assert said in _failure(capsys, repo, tmp_path, after)


def test_invisible_signatures_and_signatures_on_added_pages_still_pass(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    invisible = _signed_in_new_field(package(repo), 0, (0, 0, 0, 0), people["sig-kela-1"], pki)
    code, report = verify(capsys, repo, tmp_path, {"invisible.pdf": invisible})
    assert code == 0, report
    assert "sig-kela-1" in report["copies"][0]["satisfied"]
    writer = _writer(package(repo))
    _append_page(writer, b"BT ET")
    data = _save(writer)
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    added = _signed_in_new_field(data, pages - 1, (60, 500, 540, 720), people["sig-kela-1"], pki)
    assert verify(capsys, repo, tmp_path, {"added.pdf": added})[0] == 0


# -- the original, when only a manifest can tell ------------------------------------------------


def test_a_draft_manifest_with_the_same_fingerprint_is_no_original(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    signed_once: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Run from a folder whose build/ holds a draft: a genuine copy is not called altered."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "build").mkdir(parents=True)
    manifest = json.loads((repo / "build" / "manifest.json").read_text())
    manifest["source"] |= {"draft": True, "dirty": True}
    for entry in manifest["outputs"]:
        entry["sha256"] = "0" * 64
    (elsewhere / "build" / "manifest.json").write_text(json.dumps(manifest))
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(signed_once)
    result = run(capsys, "-C", str(elsewhere), "verify", str(copy))
    assert result.code == 1
    assert "cannot establish the original" in result.out
    assert "differs from" not in result.out
    shutil.copy(repo / "build" / "manifest.json", elsewhere / "build" / "manifest.json")
    assert run(capsys, "-C", str(elsewhere), "verify", str(copy)).code == 0


# -- the /ID of the fields update ---------------------------------------------------------------


def test_the_fields_update_changes_the_second_id_deterministically(
    repo: Path,  # noqa: F811
) -> None:
    from tymdocs.signing.fields import SignatureField, add_signature_fields

    plain = (repo / "build" / "lansi-pirkanmaa-tym.pdf").read_bytes()
    fields = (SignatureField("sig-a-1", 1, (50, 50, 250, 110), "A"),)
    updated = add_signature_fields(plain, fields)
    assert updated == add_signature_fields(plain, fields)
    before = pypdf.PdfReader(io.BytesIO(plain)).trailer["/ID"]
    after = pypdf.PdfReader(io.BytesIO(updated)).trailer["/ID"]
    assert after[0] == before[0]
    assert after[1] != before[1]
    packaged = pypdf.PdfReader(io.BytesIO(package(repo))).trailer["/ID"]
    assert packaged[0] != packaged[1]


# -- bounded in time and memory -----------------------------------------------------------------


def test_the_stream_pre_scan_is_linear(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    from tymdocs.signing.screening import outside_streams

    tokens = b"stream\n" * (2**20 // 7)
    started = time.monotonic()
    assert outside_streams(tokens) == tokens
    assert outside_streams(b"a stream\nx endstream b") == b"a  b"
    assert time.monotonic() - started < 1
    started = time.monotonic()
    assert _failure(capsys, repo, tmp_path, b"%PDF-1.7\n" + tokens)
    assert time.monotonic() - started < 5


def test_devices_and_fifos_are_refused_unread(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "fifo.pdf"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        result = run(capsys, "-C", str(repo), "verify", path, "--json")
        assert result.code == 1
        (copy,) = json.loads(result.out)["copies"]
        assert copy["failures"] == ["not a regular file: refused unread"]


def test_ten_thousand_updates_are_refused_quickly(
    repo: Path,  # noqa: F811
    signed_once: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Once 90 s without an answer; now refused in a process of its own within seconds and a
    few hundred MiB."""
    copy = tmp_path / "updates.pdf"
    copy.write_bytes(many_revisions(signed_once, 10_000))
    result = measured(repo, "verify", str(copy))
    assert result.code == 1
    assert f"more than {MAX_REVISIONS} revisions" in result.out + result.err
    assert result.seconds < 10
    assert result.peak_mib < 400, result.peak_mib


# -- any change to a signed copy ----------------------------------------------------------------


@pytest.fixture(scope="module")
def judge(repo: Path) -> Callable[[bytes], bool]:  # noqa: F811
    """Whether bytes verify as an unaltered copy, with one lookup (one rebuild) for all."""
    from tymdocs.signing.originals import package_lookup
    from tymdocs.signing.verify import verify_files

    lookup = package_lookup(repo)
    directory = repo.parent / "judged"
    directory.mkdir(exist_ok=True)

    def ok(data: bytes) -> bool:
        path = directory / "copy.pdf"
        path.write_bytes(data)
        return verify_files([path], lookup).ok

    return ok


class _Copy(bytes):
    """A signed copy that prints as its length: hypothesis prints every argument of a failing
    example, and 200 kB of PDF would hide the one that matters (a HypothesisWarning instead)."""

    def __repr__(self) -> str:
        return f"<a signed copy of {len(self):,} bytes>"


@pytest.fixture(scope="module")
def signed_copy(signed_once: bytes) -> _Copy:  # noqa: F811
    return _Copy(signed_once)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tail=st.binary(min_size=1, max_size=64))
def test_bytes_appended_to_a_signed_copy_never_verify(
    judge: Callable[[bytes], bool], signed_copy: _Copy, tail: bytes
) -> None:
    assert not judge(signed_copy + tail)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(where=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
@example(where=0.97265625, mask=1)  # in the root certificate the signature carries
def test_a_byte_flipped_in_a_signed_copy_never_verifies(
    judge: Callable[[bytes], bool], signed_copy: _Copy, where: float, mask: int
) -> None:
    """Anywhere: in the package, the signed revision, or the signature value (whose CMS
    carries parts no signature covers, the root certificate among them)."""
    data = bytearray(signed_copy)
    at = int(where * len(data))
    data[at] ^= mask
    assert not judge(bytes(data))


def test_the_unsigned_signature_value_cannot_change_either(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    signed_once: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    """/Contents is outside every byte range: one letter's case, or the padding, changed."""
    start = signed_once.rindex(b"/Contents <") + len(b"/Contents <")
    end = signed_once.index(b">", start)
    letter = re.search(rb"[a-fA-F]", signed_once[start:end])
    assert letter is not None
    mixed = bytearray(signed_once)
    mixed[start + letter.start()] ^= 0x20  # the other case
    padded = bytearray(signed_once)
    padded[end - 2 : end] = b"01"
    for data in (bytes(mixed), bytes(padded)):
        assert "signature in sig-kela-1:" in _failure(capsys, repo, tmp_path, data)


# -- the parts of the signature value no signature covers ----------------------------------------


def _with_cms(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """``data`` with its last signature value's CMS replaced by ``edit(der)``, padded with
    zeros as before: what an editor can do to the one part of a revision no byte range
    covers."""
    from asn1crypto import cms

    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    value = bytes.fromhex(data[start:end].decode())
    der = value[: len(cms.ContentInfo.load(value).dump())]  # without the zero padding
    edited = edit(der)
    assert edited != der and len(edited) <= len(value)
    return data[:start] + (edited + bytes(len(value) - len(edited))).hex().encode() + data[end:]


def _signed_data_edit(change: Callable[[Any], None]) -> Callable[[bytes], bytes]:
    """An edit that changes the parsed SignedData (asn1crypto) and writes it back."""
    from asn1crypto import cms

    def edit(der: bytes) -> bytes:
        info = cms.ContentInfo.load(der)
        change(info["content"])
        return bytes(info.dump())

    return edit


def _flip_in(part: bytes, at: int) -> Callable[[bytes], bytes]:
    """An edit that flips the lowest bit of byte ``at`` of ``part`` where the CMS holds it
    last."""

    def edit(der: bytes) -> bytes:
        where = der.rindex(part) + at
        return der[:where] + bytes([der[where] ^ 1]) + der[where + 1 :]

    return edit


def _der(cert: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return bytes(cert.public_bytes(Encoding.DER))


def test_a_bit_flipped_in_the_carried_root_certificate(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    signed_once: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The example hypothesis found: the root certificate the signature carries beside the
    signer's, its public key damaged, is used by no check and signed by nothing, and pyHanko
    calls the signature valid. Its validity dates damaged, it still verifies the signer's
    certificate but no longer its own signature; its issuer's name damaged, it no longer
    names itself either, and looks like an intermediate whose root is not carried."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    root = _der(pki.root_cert)
    key = pki.root_cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    dates, issuer = root.index(b"240101000000Z"), root.index(b"Testijuuri")
    for edit in (_flip_in(key, len(key) - 1), _flip_in(root, dates + 1), _flip_in(root, issuer)):
        assert (
            "signature in sig-kela-1 carries a certificate that is damaged or unused "
            "(Common Name: Testijuuri)"
            in _failure(capsys, repo, tmp_path, _with_cms(signed_once, edit))
        )
    code, report = verify(capsys, repo, tmp_path, {"genuine.pdf": signed_once})
    assert code == 0, report


def _versions(signed_data: Any) -> None:
    signed_data["version"] = "v3"


def _digests(signed_data: Any) -> None:
    signed_data["digest_algorithms"] = [{"algorithm": "sha384"}]


def _with_certificate(directory: Path) -> Callable[[Any], None]:
    """A change that adds the root of another PKI to the certificates: used by nothing."""

    def change(signed_data: Any) -> None:
        from asn1crypto import cms, x509

        root = x509.Certificate.load(_der(make_pki(directory, "Vieras juuri").root_cert))
        signed_data["certificates"] = [
            *signed_data["certificates"],
            cms.CertificateChoices(name="certificate", value=root),
        ]

    return change


def _unsigned(signed_data: Any) -> None:
    from asn1crypto import cms, core

    time = cms.Time({"utc_time": core.UTCTime(dt.datetime(2025, 5, 1, tzinfo=dt.UTC))})
    signed_data["signer_infos"][0]["unsigned_attrs"] = [{"type": "signing_time", "values": [time]}]


def _named_in_lower_case(der: bytes) -> bytes:
    from asn1crypto import cms

    signer_info = cms.ContentInfo.load(der)["content"]["signer_infos"][0]
    sid = signer_info["sid"].dump()
    return der.replace(sid, sid.replace(b"Testijuuri", b"testijuuri"))


def _longer(der: bytes) -> bytes:
    """The outer length two bytes longer: it takes in two zeros of the padding."""
    return der[:2] + (int.from_bytes(der[2:4], "big") + 2).to_bytes(2, "big") + der[4:]


def _edits(directory: Path) -> dict[str, tuple[Callable[[bytes], bytes], str]]:
    """Edits of the CMS pyHanko validates as it does the genuine signature, each with the
    reason verify gives."""
    return {
        "version": (
            _signed_data_edit(_versions),
            "has a SignedData version other than the one CMS prescribes",
        ),
        "digest-algorithms": (
            _signed_data_edit(_digests),
            "lists digest algorithms other than its signer's",
        ),
        "extra-certificate": (
            _signed_data_edit(_with_certificate(directory)),
            "carries a certificate that is damaged or unused (Common Name: Vieras juuri)",
        ),
        "unsigned-attribute": (
            _signed_data_edit(_unsigned),
            "carries an unsigned attribute verify does not check (signing_time)",
        ),
        "signer-identifier": (
            _named_in_lower_case,
            "has a signer identifier that names no certificate it carries byte for byte",
        ),
        "length": (_longer, "is not DER: an end-of-contents marker at byte"),
    }


@pytest.mark.parametrize("name", list(_edits(Path())))
def test_what_no_signature_covers_in_the_cms_cannot_change(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    signed_once: bytes,  # noqa: F811
    tmp_path: Path,
    name: str,
) -> None:
    edit, reason = _edits(tmp_path / "stranger")[name]
    data = _with_cms(signed_once, edit)
    assert f"signature in sig-kela-1 {reason}" in _failure(capsys, repo, tmp_path, data)


def test_a_chain_without_its_root(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The signer's and an intermediate certificate, not the root, as many eID signatures
    carry them, verify. Only the root can check the intermediate's own signature: with
    --trust a damaged intermediate fails; without, verify cannot tell, and says the signer
    does not chain to a trusted root. The signer's certificate alone is bound by its hash."""
    own = dataclasses.replace(pki, directory=tmp_path)  # the module's people keep their files
    path, cert, key = intermediate(own, "Testivarmentaja")
    signer = own.issue("Tommi Hallikainen", issuer=(cert, key))
    data = sign(package(repo), "sig-kela-1", signer, pki, chain=(path,))
    trusted = ("--trust", str(pki.root), "--require-trust")
    untrusted = "signature in sig-kela-1: the signer's certificate does not chain to a trusted root"
    code, report = verify(capsys, repo, tmp_path, {"kela.pdf": data})
    assert code == 0 and untrusted in report["copies"][0]["warnings"], report
    assert verify(capsys, repo, tmp_path, {"kela.pdf": data}, *trusted)[0] == 0

    carried = _der(cert)
    damaged = _with_cms(data, _flip_in(carried, carried.index(b"240101000000Z") + 1))
    assert (
        "signature in sig-kela-1 carries a certificate that is damaged or unused "
        "(Common Name: Testivarmentaja)" in _failure(capsys, repo, tmp_path, damaged, *trusted)
    )
    code, report = verify(capsys, repo, tmp_path, {"kela.pdf": damaged})
    assert code == 0 and untrusted in report["copies"][0]["warnings"], report

    only_signer = sign(package(repo), "sig-kela-1", signer, pki, chain=())
    assert verify(capsys, repo, tmp_path, {"kela.pdf": only_signer})[0] == 0


def test_a_timestamped_signature_and_its_token(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    """A PAdES B-T signature verifies; the token is a CMS value of its own, held to the same
    rules, and a token whose signature is broken fails the signature it stamps."""
    from asn1crypto import cms

    data = sign(
        package(repo), "sig-kela-1", people["sig-kela-1"], pki, timestamper=timestamper(pki)
    )
    code, report = verify(capsys, repo, tmp_path, {"kela.pdf": data}, "--trust", str(pki.root))
    assert code == 0, report["copies"][0]["failures"]

    def token(der: bytes) -> Any:
        attrs = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["unsigned_attrs"]
        return attrs[0]["values"][0]["content"]

    stamped = bytes.fromhex(data[data.rindex(b"/Contents <") + 11 :].split(b">")[0].decode())
    root_in_token = token(stamped)["certificates"][0].chosen.dump()
    tsa_signature = token(stamped)["signer_infos"][0]["signature"].native
    damaged = _with_cms(data, _flip_in(root_in_token, len(root_in_token) - 3))
    assert "signature in sig-kela-1 has a timestamp token that carries a certificate" in (
        _failure(capsys, repo, tmp_path, damaged)
    )
    broken = _with_cms(data, _flip_in(tsa_signature, 10))
    assert "signature in sig-kela-1 carries a timestamp that is broken" in _failure(
        capsys, repo, tmp_path, broken
    )


def test_the_most_revisions_allowed_verify_in_seconds(
    capsys: pytest.CaptureFixture[str],
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    signed_once: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Revisions between two signatures: each is analysed after the first one."""
    data = many_revisions(signed_once, MAX_REVISIONS - 4)
    data = sign(data, "sig-kela-2", people["sig-kela-2"], pki)
    started = time.monotonic()
    assert verify(capsys, repo, tmp_path, {"many.pdf": data})[0] == 0
    assert time.monotonic() - started < 15
