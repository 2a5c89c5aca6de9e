"""Signature packages read back with pypdf and signed with pyHanko from a test PKI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest

from tests.helpers import normalise, pdf_pages
from tests.pki import make_pki, sign

PARTIES = ["tyollisyysalue", "hyvinvointialue", "kela"]
FIELDS = ["sig-tyollisyysalue-1", "sig-hyvinvointialue-1", "sig-kela-1", "sig-kela-2"]


def package(repo: Path, party: str) -> bytes:
    return (repo / "build" / f"lansi-pirkanmaa-tym-allekirjoitus-{party}.pdf").read_bytes()


def test_package_pages_bookmarks_and_metadata(built_seed: Path) -> None:
    manifest = json.loads((built_seed / "build" / "manifest.json").read_text())
    agreement = pypdf.PdfReader(built_seed / "build" / "lansi-pirkanmaa-tym.pdf")
    reader = pypdf.PdfReader(io.BytesIO(package(built_seed, "kela")))
    assert len(reader.pages) == len(agreement.pages) + 2  # cover and signature page
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    at = [(i.title, agreement.get_destination_page_number(i) + 1) for i in agreement.outline]
    assert outline == [*at, ("Allekirjoitukset", len(reader.pages) - 1)]  # after the cover
    numbers = [str(n) for n in range(1, len(agreement.pages) + 1)]
    assert reader.page_labels == ["Kansilehti 1", *numbers, "Allekirjoitussivu 1"]
    info = reader.metadata
    assert info is not None and info.title is not None
    assert info.title.endswith("allekirjoituspaketti: Kansaneläkelaitos")
    assert info.subject == f"Allekirjoituspaketti: Kansaneläkelaitos – {manifest['version']}"
    keywords = str(info.get("/Keywords"))
    assert f"sha256:{manifest['source']['fingerprint']}" in keywords
    assert f"commit:{manifest['source']['commit']}" in keywords
    assert "party:kela" in keywords


def test_cover_names_party_version_fingerprint_signatories_and_contents(built_seed: Path) -> None:
    manifest = json.loads((built_seed / "build" / "manifest.json").read_text())
    cover = normalise(pdf_pages(package(built_seed, "hyvinvointialue"))[0])
    assert "ALLEKIRJOITUSPAKETTI Pirkanmaan hyvinvointialue" in cover
    assert manifest["source"]["commit"] in cover
    assert manifest["source"]["fingerprint"] in cover
    for expected in (
        "Läntisen Pirkanmaan työllisyysalue: allekirjoittaja nimetään myöhemmin",
        "Pirkanmaan hyvinvointialue: Mika Kontio, konsernijohtaja",
        "Kansaneläkelaitos: Tommi Hallikainen, palveluyksikön johtaja",
        "Kansaneläkelaitos: Heikki Heilä, ratkaisukeskuksen päällikkö",
        "Näin allekirjoitat",
        "Sisällys",
    ):
        assert expected in cover
    assert "allekirjoituskenttääsi allekirjoitussivulla 1;" in cover
    assert "Allekirjoitukset allekirjoitussivu 1 " in cover
    agreement = pypdf.PdfReader(built_seed / "build" / "lansi-pirkanmaa-tym.pdf")
    for item in agreement.outline:  # each part at its page of the agreement PDF
        page = agreement.get_destination_page_number(item) + 1
        assert f"{normalise(item.title)} {page} " in cover, item.title


def test_every_page_of_every_package_shows_the_same_fingerprint(built_seed: Path) -> None:
    manifest = json.loads((built_seed / "build" / "manifest.json").read_text())
    footer = f"Tunniste {manifest['source']['fingerprint'][:16]}"
    agreement = pdf_pages((built_seed / "build" / "lansi-pirkanmaa-tym.pdf").read_bytes())
    for party in PARTIES:
        pages = pdf_pages(package(built_seed, party))
        assert all(footer in page for page in pages)
        assert pages[0].rstrip().endswith("Kansilehti 1/1")
        assert pages[1:-1] == agreement  # the agreement PDF's own pages, numbered as there
        assert pages[-1].rstrip().endswith("Allekirjoitussivu 1/1")


def test_pdf_a_2_is_claimed_after_the_fields_are_added(built_seed: Path) -> None:
    data = package(built_seed, "kela")
    assert data.count(b"%%EOF") == 2  # Typst's revision and the one update adding the fields
    xmp = pypdf.PdfReader(io.BytesIO(data)).xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in raw
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in raw


def test_one_field_per_signatory_on_its_drawn_box(built_seed: Path) -> None:
    reader = pypdf.PdfReader(io.BytesIO(package(built_seed, "kela")))
    fields = reader.get_fields()
    assert fields is not None
    assert sorted(fields) == sorted(FIELDS)
    last = reader.pages[-1]
    widgets = {str(a.get_object()["/T"]): a.get_object() for a in last["/Annots"]}
    assert sorted(widgets) == sorted(FIELDS)
    boxes = drawn_boxes(last)
    assert len(boxes) == len(FIELDS)
    for name, widget in widgets.items():
        assert widget["/FT"] == "/Sig" and widget["/Subtype"] == "/Widget"
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        inside = [
            b for b in boxes if b[0] - 1 <= x1 < x2 <= b[2] + 1 and b[1] - 1 <= y1 < y2 <= b[3] + 1
        ]
        assert len(inside) == 1, (name, (x1, y1, x2, y2), boxes)
        assert x2 - x1 > 200 and y2 - y1 > 60


def drawn_boxes(page: pypdf.PageObject) -> list[tuple[float, float, float, float]]:
    """The bounding boxes of large stroked paths on a page, in page coordinates."""
    content = page.get_contents()
    assert content is not None
    operations = pypdf.generic.ContentStream(content, page.pdf).operations
    matrix, stack = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []
    path: list[tuple[float, float]] = []
    boxes = []

    def point(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = matrix
        return (a * x + c * y + e, b * x + d * y + f)

    for operands, operator in operations:
        values = [float(v) for v in operands] if operator in (b"cm", b"m", b"l", b"re") else []
        if operator == b"q":
            stack.append(matrix)
        elif operator == b"Q":
            matrix = stack.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = values
            m = matrix
            matrix = (
                a * m[0] + b * m[2],
                a * m[1] + b * m[3],
                c * m[0] + d * m[2],
                c * m[1] + d * m[3],
                e * m[0] + f * m[2] + m[4],
                e * m[1] + f * m[3] + m[5],
            )
        elif operator in (b"m", b"l"):
            path.append(point(*values))
        elif operator == b"re":
            x, y, w, h = values
            path += [point(x, y), point(x + w, y + h)]
        elif operator in (b"S", b"s", b"f", b"F", b"B", b"b", b"n"):
            if operator in (b"S", b"s") and path:
                xs, ys = [p[0] for p in path], [p[1] for p in path]
                if max(xs) - min(xs) > 150 and max(ys) - min(ys) > 40:
                    boxes.append((min(xs), min(ys), max(xs), max(ys)))
            path = []
    return boxes


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_pyhanko_signs_a_field_and_a_second_signature_keeps_the_first_valid(
    built_seed: Path, pki
) -> None:  # type: ignore[no-untyped-def]
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor(pki.root.read_bytes())
    context = lambda: ValidationContext(trust_roots=[x509.Certificate.load(der)])  # noqa: E731
    hallikainen = pki.issue("Tommi Hallikainen")
    heila = pki.issue("Heikki Heilä")
    once = sign(package(built_seed, "kela"), "sig-kela-1", hallikainen, pki)
    twice = sign(once, "sig-kela-2", heila, pki)
    signatures = PdfFileReader(io.BytesIO(twice)).embedded_signatures
    assert [s.field_name for s in signatures] == ["sig-kela-1", "sig-kela-2"]
    for signature in signatures:
        status = validate_pdf_signature(signature, context())
        assert status.intact and status.valid and status.trusted
    first = validate_pdf_signature(signatures[0], context())
    assert first.modification_level is not None
    assert first.modification_level.name in ("FORM_FILLING", "LTA_UPDATES")
