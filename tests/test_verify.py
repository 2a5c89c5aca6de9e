"""`tymdocs verify` on copies signed with a test PKI, and on every published way to tamper."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from tests.helpers import git, make_repo, run
from tests.pki import Identity, Pki, make_pki, sign

PACKAGE = "lansi-pirkanmaa-tym-allekirjoitus-{}.pdf"
SIGNATORIES = {
    "sig-hyvinvointialue-1": "Mika Kontio",
    "sig-kela-1": "Tommi Hallikainen",
    "sig-kela-2": "Heikki Heilä",
    "sig-tyollisyysalue-1": "Sastamalan allekirjoittaja",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tymdocs.build import build
    from tymdocs.revision import open_source

    root = make_repo(tmp_path_factory.mktemp("verify") / "agreement")
    build(open_source(root), root / "build")
    return root


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def people(pki: Pki) -> dict[str, Identity]:
    return {field: pki.issue(name) for field, name in SIGNATORIES.items()}


@pytest.fixture(scope="module")
def signed_once(repo: Path, pki: Pki, people: dict[str, Identity]) -> bytes:
    """Kela's package signed by Tommi Hallikainen in sig-kela-1: what most tampering starts from."""
    return sign(package(repo), "sig-kela-1", people["sig-kela-1"], pki)


def package(repo: Path, party: str = "kela") -> bytes:
    return (repo / "build" / PACKAGE.format(party)).read_bytes()


def signed_by_all(repo: Path, party: str, people: dict[str, Identity], pki: Pki) -> bytes:
    data = package(repo, party)
    for field, identity in people.items():
        data = sign(data, field, identity, pki)
    return data


def verify(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    tmp_path: Path,
    copies: dict[str, bytes],
    *options: str,
):  # type: ignore[no-untyped-def]
    paths = []
    for name, data in copies.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    result = run(capsys, "-C", str(repo), "verify", *paths, *options, "--json")
    return result.code, json.loads(result.out)


def test_signed_fields_verify_and_a_second_signature_keeps_the_first(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    once = signed_once
    twice = sign(once, "sig-kela-2", people["sig-kela-2"], pki)
    code, report = verify(capsys, repo, tmp_path, {"kela.pdf": twice}, "--trust", str(pki.root))
    assert code == 0, report
    (copy,) = report["copies"]
    assert copy["original"].startswith("identical to the package built from commit")
    first, second = copy["signatures"]
    assert (first["field"], first["common_name"]) == ("sig-kela-1", "Tommi Hallikainen")
    assert first["intact"] and first["valid"] and first["trusted"]
    assert first["modification_level"] in ("FORM_FILLING", "LTA_UPDATES")
    assert first["coverage"] == "ENTIRE_REVISION"
    assert second["coverage"] == "ENTIRE_FILE"
    assert copy["satisfied"] == ["sig-kela-1", "sig-kela-2"]
    assert copy["missing"] == ["sig-tyollisyysalue-1", "sig-hyvinvointialue-1"]
    assert report["fully_signed"] is False


def test_three_fully_signed_copies_make_the_version_fully_signed(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    copies = {
        f"{party}.pdf": signed_by_all(repo, party, people, pki)
        for party in ("tyollisyysalue", "hyvinvointialue", "kela")
    }
    code, report = verify(capsys, repo, tmp_path, copies, "--trust", str(pki.root))
    assert code == 0
    assert report["fully_signed"] is True
    assert all(not c["missing"] for c in report["copies"])
    text = run(capsys, "-C", str(repo), "verify", *(str(tmp_path / n) for n in copies))
    assert text.code == 0
    assert "fully signed (counterparts): all 4 signatures, in 3 copies" in text.out
    assert "  sig-kela-2 (Heikki Heilä): signed in " in text.out
    assert f"keep as the originals: {tmp_path / 'tyollisyysalue.pdf'} (tyollisyysalue)" in text.out
    assert "warning: signature in sig-kela-1: the signer's certificate does not chain" in text.out


def test_untrusted_signers_print_no_traceback_without_verbose(
    repo: Path, signed_once: bytes, tmp_path: Path
) -> None:
    """pyHanko logs a traceback for every untrusted signer; a user sees it only with --verbose."""
    path = tmp_path / "kela.pdf"
    path.write_bytes(signed_once)
    command = [sys.executable, "-m", "tymdocs", "-C", str(repo)]
    quiet = subprocess.run([*command, "verify", str(path)], capture_output=True, text=True)
    assert quiet.returncode == 0
    assert "Traceback" not in quiet.stderr
    loud = subprocess.run(
        [*command, "--verbose", "verify", str(path)], capture_output=True, text=True
    )
    assert "Traceback" in loud.stderr


def test_warnings_of_other_packages_never_reach_the_user(
    repo: Path, signed_once: bytes, tmp_path: Path
) -> None:
    """Even under ``python -W default``, which shows every warning, verify prints none that
    another package raised. cryptography deprecates DSA, which pyHanko's signers import as
    they load; verify no longer loads them, so not even --verbose shows that warning."""
    path = tmp_path / "kela.pdf"
    path.write_bytes(signed_once)
    command = [sys.executable, "-W", "default", "-m", "tymdocs", "-C", str(repo)]
    quiet = subprocess.run([*command, "verify", str(path)], capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    assert not re.search(r"Warning\b|site-packages|\.py:\d+", quiet.stderr), quiet.stderr
    loud = subprocess.run(
        [*command, "--verbose", "verify", str(path)], capture_output=True, text=True
    )
    assert loud.returncode == 0, loud.stderr
    assert "CryptographyDeprecationWarning" not in loud.stderr


def test_poppler_pdfsig_also_finds_the_signatures_valid(
    repo: Path, pki: Pki, people: dict[str, Identity], tmp_path: Path
) -> None:
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler's pdfsig is not installed")
    path = tmp_path / "kela.pdf"
    path.write_bytes(signed_by_all(repo, "kela", people, pki))
    done = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, check=False
    )
    assert done.stdout.count("Signature Validation: Signature is Valid.") == 4, done.stdout


# -- tampering ------------------------------------------------------------------------------


def _failure(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path, data: bytes, *options: str
) -> str:
    code, report = verify(capsys, repo, tmp_path, {"copy.pdf": data}, *options)
    assert code == 1, report
    (copy,) = report["copies"]
    assert not copy["ok"]
    return "\n".join(copy["failures"])


def _writer(data: bytes):  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    return IncrementalPdfFileWriter(io.BytesIO(data))


def _append_page(writer, content: bytes) -> None:  # type: ignore[no-untyped-def]
    """A new last page drawing ``content``, as an update of ``writer``."""
    from pyhanko.pdf_utils import generic

    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 595, 842)]
            ),
            generic.pdf_name("/Contents"): writer.add_object(
                generic.StreamObject(stream_data=content)
            ),
            generic.pdf_name("/Resources"): generic.DictionaryObject(),
        }
    )
    writer.insert_page(page)


def _add_note(  # type: ignore[no-untyped-def]
    writer, page: int, rect: tuple[int, ...], text: str, white: bool = False
) -> None:
    """A note saying ``text`` over ``rect`` of page ``page`` (from 0), as an update of
    ``writer``: what would cover the text a signatory read (``white``: and hide it)."""
    from pyhanko.pdf_utils import generic

    page_ref, _ = writer.find_page_for_modification(page)
    page_object = page_ref.get_object()
    entries = {
        "/Type": generic.pdf_name("/Annot"),
        "/Subtype": generic.pdf_name("/FreeText"),
        "/Rect": generic.ArrayObject([generic.NumberObject(v) for v in rect]),
        **({"/C": generic.ArrayObject([generic.NumberObject(1)] * 3)} if white else {}),
        "/Contents": generic.TextStringObject(text),
        "/DA": generic.pdf_string("/Helv 12 Tf 0 g"),
    }
    note = writer.add_object(
        generic.DictionaryObject({generic.pdf_name(k): v for k, v in entries.items()})
    )
    page_object["/Annots"] = generic.ArrayObject([note])
    writer.update_container(page_object)


def _save(writer) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_one_byte_changed_in_the_original_revision(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    data = bytearray(package(repo))
    at = data.index(b"Tavoitteet")
    data[at] = ord("t")
    signed = sign(bytes(data), "sig-kela-1", people["sig-kela-1"], pki)
    assert "the original revision differs from the package built from commit" in _failure(
        capsys, repo, tmp_path, signed
    )


def test_a_page_appended_after_a_signature(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    writer = _writer(signed_once)
    _append_page(writer, b"BT /F1 24 Tf 72 700 Td (Lisays) Tj ET")
    failures = _failure(capsys, repo, tmp_path, _save(writer))
    assert "signature in sig-kela-1: the document was changed after it" in failures
    assert "is the last one but does not cover the whole file" in failures


def test_content_swapped_by_an_incremental_update(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    from pyhanko.pdf_utils import generic

    writer = _writer(signed_once)
    page_ref, _ = writer.find_page_for_modification(3)
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    writer.update_container(page)
    assert "signature in sig-kela-1: the document was changed after it (OTHER)" in _failure(
        capsys, repo, tmp_path, _save(writer)
    )


def test_junk_and_objects_after_the_final_eof(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    signed = signed_once
    tampered = signed + b"\n999 0 obj\n<</Type/Annot/Subtype/Text/Contents(hyvaksytty)>>\nendobj\n"
    assert "sig-kela-1 is the last one but does not cover the whole file" in _failure(
        capsys, repo, tmp_path, tampered
    )


def test_a_new_signature_field_added_after_signing(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    from pyhanko.sign import fields

    writer = _writer(signed_once)
    fields.append_signature_field(
        writer, fields.SigFieldSpec("sig-lisatty", on_page=0, box=(100, 100, 300, 160))
    )
    assert "field sig-lisatty was added after the package and is unsigned" in _failure(
        capsys, repo, tmp_path, _save(writer)
    )


def test_a_field_rectangle_moved(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.fields import enumerate_sig_fields

    writer = _writer(signed_once)
    _, _, ref = next(f for f in enumerate_sig_fields(writer) if f[0] == "sig-kela-2")
    widget = ref.get_object()
    widget["/Rect"] = generic.ArrayObject([generic.FloatObject(v) for v in (10, 10, 20, 20)])
    writer.update_container(widget)
    assert "the rectangle of field sig-kela-2 was moved after the package" in _failure(
        capsys, repo, tmp_path, _save(writer)
    )


def test_one_signature_referenced_from_two_fields(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    from pyhanko.sign.fields import enumerate_sig_fields

    writer = _writer(signed_once)
    found = {name: ref for name, _, ref in enumerate_sig_fields(writer)}
    first = found["sig-kela-1"].get_object()
    second = found["sig-kela-2"].get_object()
    second["/V"] = first.raw_get("/V")
    writer.update_container(second)
    assert (
        "one signature object is referenced from two fields (sig-kela-1 and sig-kela-2)"
        in _failure(capsys, repo, tmp_path, _save(writer))
    )


def test_a_certificate_outside_trust_under_require_trust(
    capsys: pytest.CaptureFixture[str], repo: Path, pki: Pki, tmp_path: Path
) -> None:
    stranger_pki = make_pki(tmp_path / "other-pki", "Muu juuri")
    stranger = stranger_pki.issue("Tommi Hallikainen")
    signed = sign(package(repo), "sig-kela-1", stranger, stranger_pki)
    failures = _failure(capsys, repo, tmp_path, signed, "--trust", str(pki.root), "--require-trust")
    assert (
        "signature in sig-kela-1: the signer's certificate does not chain to a trusted root"
        in failures
    )


def test_a_field_signed_by_someone_else_is_reported(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    signed = sign(package(repo), "sig-kela-2", people["sig-kela-1"], pki)
    code, report = verify(capsys, repo, tmp_path, {"copy.pdf": signed}, "--trust", str(pki.root))
    assert code == 1  # a signature in another's field is an error, naming both
    (copy,) = report["copies"]
    assert copy["failures"] == [
        "sig-kela-2 is for Heikki Heilä but was signed by Tommi Hallikainen"
    ]
    assert "sig-kela-2" in copy["missing"]
    text = run(capsys, "-C", str(repo), "verify", str(tmp_path / "copy.pdf"))
    assert "  error: sig-kela-2 is for Heikki Heilä but was signed by Tommi Hallikainen" in (
        text.out
    )
    mapped = verify(
        capsys, repo, tmp_path, {"copy.pdf": signed}, "--signer", "Heikki Heilä=Tommi Hallikainen"
    )
    assert "sig-kela-2" in mapped[1]["copies"][0]["satisfied"]


def test_an_older_version_presented_as_the_current_one(
    capsys: pytest.CaptureFixture[str], pki: Pki, people: dict[str, Identity], tmp_path: Path
) -> None:
    from tymdocs.build import build
    from tymdocs.revision import open_source

    root = make_repo(tmp_path / "agreement")
    build(open_source(root), root / "build")
    old = sign(package(root), "sig-kela-1", people["sig-kela-1"], pki)
    section = root / "docs_src" / "05-tavoitteet.md"
    section.write_text(section.read_text().replace("vuosittain", "kahdesti vuodessa"))
    git(root, "commit", "-qam", "Muutos", date="2025-09-15T10:00:00+03:00")
    failures = _failure(capsys, root, tmp_path, old)
    assert "this copy is of another version" in failures
    code, _ = verify(capsys, root, tmp_path, {"old.pdf": old}, "--version", "HEAD~1")
    assert code == 0


def test_a_file_truncated_back_to_its_unsigned_revision(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    """Nothing was altered, so exit 0; but it says so, and nothing counts as signed."""
    unsigned = package(repo)
    signed = sign(unsigned, "sig-kela-1", people["sig-kela-1"], pki)
    code, report = verify(capsys, repo, tmp_path, {"copy.pdf": signed[: len(unsigned)]})
    assert code == 0, report
    (copy,) = report["copies"]
    assert "carries no signatures: this is the package as sent" in copy["warnings"]
    assert copy["satisfied"] == [] and report["fully_signed"] is False


def test_an_encrypted_copy_is_refused(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(package(repo)))
    writer.encrypt("salasana", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert "refused: it is encrypted" in _failure(capsys, repo, tmp_path, out.getvalue())


def test_an_annotation_added_after_signing(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    """The evil annotation attack: a note that covers text, added after the signature."""
    writer = _writer(signed_once)
    _add_note(writer, 2, (70, 600, 500, 700), "Muutettu ehto")
    assert "signature in sig-kela-1: the document was changed after it" in _failure(
        capsys, repo, tmp_path, _save(writer)
    )


def test_a_forged_signature_value_fails(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    """Universal signature forgery: a signature value that is not a signature of anything."""
    unsigned = package(repo)
    signed = bytearray(sign(unsigned, "sig-kela-1", people["sig-kela-1"], pki))
    contents = signed.index(b"/Contents <", len(unsigned)) + len(b"/Contents <")
    signed[contents + 40 : contents + 48] = b"00000000"
    assert "could not be verified: " in _failure(capsys, repo, tmp_path, bytes(signed))


def test_a_signed_byte_changed_breaks_the_signature(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    unsigned = package(repo)
    signed = bytearray(sign(unsigned, "sig-kela-1", people["sig-kela-1"], pki))
    when = signed.index(b"/M (D\\072", len(unsigned)) + len(b"/M (D\\072")  # "D:" escaped
    signed[when] = ord("1") if signed[when] != ord("1") else ord("2")  # the year's first digit
    assert "signature in sig-kela-1 is broken: the signed bytes were changed" in _failure(
        capsys, repo, tmp_path, bytes(signed)
    )


def test_javascript_is_refused(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    signed = signed_once
    tampered = signed + b"\n998 0 obj\n<</S/JavaScript/JS(app.alert(1))>>\nendobj\n"
    assert "refused: it contains JavaScript" in _failure(capsys, repo, tmp_path, tampered)


def test_a_pdf_that_is_not_a_package(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    agreement = (repo / "build" / "lansi-pirkanmaa-tym.pdf").read_bytes()
    assert "not a tymdocs signature package" in _failure(capsys, repo, tmp_path, agreement)
    assert "not a PDF" in _failure(capsys, repo, tmp_path, b"hello")
    word = (repo / "build" / "lansi-pirkanmaa-tym-allekirjoitus-kela.docx").read_bytes()
    assert "a Word or zip file, not a PDF" in _failure(capsys, repo, tmp_path, word)


def test_garbage_after_the_header_fails_without_a_traceback(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    data = package(repo)
    keywords = data.index(b"/Keywords")
    broken = data[: keywords + 400] + b"\x00" * 2000
    failures = _failure(capsys, repo, tmp_path, broken)
    assert failures


def test_the_manifest_stands_in_when_the_commit_is_not_at_hand(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    signed_once: bytes,
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "no-repo"
    elsewhere.mkdir()
    shutil.copy(repo / "build" / "manifest.json", elsewhere / "manifest.json")
    signed = signed_once
    (tmp_path / "copy.pdf").write_bytes(signed)
    result = run(
        capsys,
        "-C",
        str(elsewhere),
        "verify",
        str(tmp_path / "copy.pdf"),
        "--manifest",
        str(elsewhere / "manifest.json"),
        "--json",
    )
    assert result.code == 0, result.out
    (copy,) = json.loads(result.out)["copies"]
    assert copy["original"] == "identical to the package in manifest.json"
    assert "sig-kela-1" in copy["satisfied"]
    bare = run(capsys, "-C", str(elsewhere), "verify", str(tmp_path / "copy.pdf"))
    assert bare.code == 1
    assert "cannot establish the original" in bare.out


def test_an_e_signing_service_page_outside_the_fields(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    """A service signs in fields of its own; the original revision stays untouched."""
    from pyhanko.sign import fields

    writer = _writer(package(repo))
    _append_page(writer, b"BT /F1 12 Tf 72 700 Td ET")
    data = _save(writer)
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    for number, field in enumerate(("sig-kela-1", "sig-kela-2")):
        writer = _writer(data)
        name = f"Palvelu-{number}"
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                name, on_page=pages - 1, box=(50, 50 + 70 * number, 250, 110 + 70 * number)
            ),
        )
        data = sign(_save(writer), name, people[field], pki)
    code, report = verify(capsys, repo, tmp_path, {"service.pdf": data}, "--trust", str(pki.root))
    assert code == 0, report
    (copy,) = report["copies"]
    assert copy["satisfied"] == ["sig-kela-1", "sig-kela-2"]
    assert any("outside the package's fields" in w for w in copy["warnings"])
    assert f"page {pages} added after the package" in " ".join(copy["warnings"])


def test_one_signature_outside_the_fields_counts_for_one_field(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    """Two seats whose names map to one certificate: one signature on a service's page fills
    one of them, never both."""
    from pyhanko.sign import fields

    writer = _writer(package(repo))
    _append_page(writer, b"BT /F1 12 Tf 72 700 Td ET")
    data = _save(writer)
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    writer = _writer(data)
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Palvelu-0", on_page=pages - 1, box=(50, 50, 250, 110))
    )
    data = sign(_save(writer), "Palvelu-0", people["sig-kela-1"], pki)
    same = ("--signer", "Heikki Heilä=Tommi Hallikainen")
    code, report = verify(capsys, repo, tmp_path, {"once.pdf": data}, *same)
    assert code == 0, report
    (copy,) = report["copies"]
    assert copy["satisfied"] == ["sig-kela-1"]
    assert "sig-kela-2" in copy["missing"]


def test_a_package_an_earlier_tymdocs_built_is_held_to_its_manifest(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    pki: Pki,
    people: dict[str, Identity],
    tmp_path: Path,
) -> None:
    """The packages of a commit as an earlier tymdocs laid them out (here: another word on
    the cover) are not the bytes this one builds; the clean build's manifest.json, in
    build/ or given, says what they were, and the copy is held to that. The build's own
    package beside its manifest stands in without a rebuild; laid out again (``rebuild``),
    the difference is found and said."""
    from tymdocs.locale import FINNISH
    from tymdocs.signing.verify import verify_copies

    root = make_repo(tmp_path / "agreement")
    with monkeypatch.context() as earlier:
        earlier.setitem(FINNISH, "package", "ALLEKIRJOITUSPAKETTI (VANHA)")
        assert run(capsys, "-C", str(root), "build", "-q").code == 0
    signed = signed_by_all(root, "kela", people, pki)
    copy = tmp_path / "kela.pdf"
    copy.write_bytes(signed)
    held = run(capsys, "-C", str(root), "verify", "--json", str(copy))
    assert held.code == 0, held.out
    (report,) = json.loads(held.out)["copies"]
    assert report["original"].startswith("identical to the package built from commit")
    assert report["original"].endswith(", as manifest.json records it")
    assert not any("an earlier tymdocs" in w for w in report["warnings"])
    (rebuilt,) = verify_copies(root, [copy], rebuild=True).copies
    assert not rebuilt.ok  # laid out again, trusting nothing on disk: the bytes differ
    assert rebuilt.original.startswith("differs from the package built from commit")
    given = root / "build" / "manifest.json"
    (rebuilt,) = verify_copies(root, [copy], manifest=given, rebuild=True).copies
    assert rebuilt.ok, rebuilt.failures
    assert rebuilt.original == "identical to the package in manifest.json"
    assert any("an earlier tymdocs built it otherwise" in w for w in rebuilt.warnings)
    (root / "build" / "manifest.json").rename(tmp_path / "manifest.json")
    bare = run(capsys, "-C", str(root), "verify", str(copy))
    assert bare.code == 1
    assert "built by another tymdocs: give that build's manifest.json with --manifest" in bare.out
    given = run(
        capsys, "-C", str(root), "verify", "--manifest", str(tmp_path / "manifest.json"), str(copy)
    )
    assert given.code == 0, given.out
