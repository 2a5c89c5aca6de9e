"""DOCX signature packages, read back from real builds with python-docx and lxml.

The seed (built once per session) and the made-up agreement (built twice, with a hostile
signatory added) are held to what the sources say: the parties and signatories of their
``tymdocs.yaml``, the headings of their text, the version and fingerprint of the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
import yaml
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from tests.helpers import (
    FIXTURES,
    SEED,
    assert_schema_order,
    copy_agreement,
    init_repo,
    normalise,
    soffice_convert,
)
from tests.test_any_agreement import HEADINGS as KUVITTEELLINEN_HEADINGS
from tests.test_render import HEADINGS as SEED_HEADINGS
from tests.test_signature_pages import UNNAMED

KUVITTEELLINEN = FIXTURES / "kuvitteellinen"
KIND = "signature-package-docx"
SIGNATURES = "Allekirjoitukset"
PLACE_AND_DATE = "Paikka ja aika"
NAME_LINE = "Nimi ja asema"
HOSTILE_NAME = '<w:p>&amp;"]]> {{ title }} {{p body }} #set page(width: 1cm) $x$'
HOSTILE_TITLE = "</w:t></w:r><w:r><w:t>johtaja & {% if x %}"
HOSTILE_PARTY = "Kallion kaupunki {{ title }} <w:t>&lt;"


@dataclass(frozen=True)
class Built:
    """A build's manifest, its ``tymdocs.yaml`` as data, its headings and its DOCX packages."""

    out: Path
    manifest: dict[str, Any]
    meta: dict[str, Any]
    headings: list[str]

    def packages(self) -> dict[str, bytes]:
        """Every DOCX package by party, as the manifest lists them."""
        return {
            entry["party"]: (self.out / entry["path"]).read_bytes()
            for entry in self.manifest["outputs"]
            if entry["kind"] == KIND
        }


def _read(out: Path, source: Path, headings: list[str]) -> Built:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    meta = yaml.safe_load((source / "tymdocs.yaml").read_text(encoding="utf-8"))
    return Built(out, manifest, meta, headings)


@pytest.fixture(scope="module")
def seed(built_seed: Path) -> Built:
    return _read(built_seed / "build", SEED, SEED_HEADINGS)


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Built]:
    """The made-up agreement, built twice, with a hostile second signatory for Kela and a
    hostile name for Kallio (the party without a signatory)."""
    root = copy_agreement(tmp_path_factory.mktemp("kuvitteellinen") / "agreement", KUVITTEELLINEN)
    config = root / "tymdocs.yaml"
    meta = yaml.safe_load(config.read_text(encoding="utf-8"))
    kela = next(party for party in meta["parties"] if party["id"] == "kela")
    kela["signatories"].append({"name": HOSTILE_NAME, "title": HOSTILE_TITLE})
    next(party for party in meta["parties"] if party["id"] == "kallio")["name"] = HOSTILE_PARTY
    config.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    init_repo(root)

    from tymdocs.build import build
    from tymdocs.revision import open_source

    builds = []
    for out in ("once", "again"):
        build(open_source(root), root / out, selection="packages")
        builds.append(_read(root / out, root, KUVITTEELLINEN_HEADINGS))
    return builds[0], builds[1]


@pytest.fixture(params=["seed", "made_up"])
def agreement(request: pytest.FixtureRequest) -> Built:
    built = request.getfixturevalue(request.param)
    return built if isinstance(built, Built) else built[0]


def signatories(meta: dict[str, Any]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Every party as ``tymdocs.yaml`` has it: id, name, and its signatories' names and titles."""
    return [
        (p["id"], p["name"], [(s["name"], s["title"]) for s in p.get("signatories") or []])
        for p in meta["parties"]
    ]


def body(data: bytes) -> list[DocxParagraph]:
    return list(docx.Document(io.BytesIO(data)).paragraphs)


def ruled(paragraph: DocxParagraph) -> bool:
    """An empty paragraph ruled underneath: a line to sign or write on."""
    properties = paragraph._p.pPr
    bottom = properties.find(f"{qn('w:pBdr')}/{qn('w:bottom')}") if properties is not None else None
    return paragraph.text == "" and bottom is not None and bottom.get(qn("w:val")) == "single"


def signature_page(paragraphs: list[DocxParagraph]) -> list[DocxParagraph]:
    """The paragraphs from the signature page's heading on (the cover's contents name it too)."""
    (start,) = [
        n for n, p in enumerate(paragraphs) if p.style.name == "Heading 1" and p.text == SIGNATURES
    ]
    return paragraphs[start:]


def page_breaks(paragraphs: list[DocxParagraph]) -> list[int]:
    return [n for n, p in enumerate(paragraphs) if p.paragraph_format.page_break_before]


# -- what the manifest says -----------------------------------------------------------------


def test_manifest_lists_a_docx_package_per_party_with_its_hash(agreement: Built) -> None:
    entries = [e for e in agreement.manifest["outputs"] if e["kind"] == KIND]
    ids = [party["id"] for party in agreement.meta["parties"]]
    prefix = agreement.meta["id"]
    assert [e["party"] for e in entries] == ids
    assert [e["path"] for e in entries] == [f"{prefix}-allekirjoitus-{p}.docx" for p in ids]
    pdfs = [e["path"] for e in agreement.manifest["outputs"] if e["kind"] == "signature-package"]
    assert pdfs == [f"{prefix}-allekirjoitus-{p}.pdf" for p in ids]
    for entry in entries:
        data = (agreement.out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]


def test_a_rebuild_gives_the_same_bytes(made_up: tuple[Built, Built]) -> None:
    once, again = made_up
    assert once.packages() == again.packages()
    assert len(once.packages()) == 4


# -- the package's pages --------------------------------------------------------------------


def test_cover_names_the_party_version_fingerprint_and_every_signatory(agreement: Built) -> None:
    manifest = agreement.manifest
    expected = []
    for _, name, people in signatories(agreement.meta):
        who = [f"{person}, {title}" for person, title in people] or [UNNAMED]
        expected += [f"{name}: {line}" for line in who]
    parties = {p["id"]: p["name"] for p in agreement.meta["parties"]}
    for party, data in agreement.packages().items():
        document = docx.Document(io.BytesIO(data))
        paragraphs = document.paragraphs
        cover = paragraphs[: page_breaks(paragraphs)[0]]
        texts = [p.text for p in cover]
        assert texts[:3] == ["ALLEKIRJOITUSPAKETTI", parties[party], agreement.meta["title"]]
        facts = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
        assert facts == {
            "Asiakirja": manifest["version"],
            "Voimaantulo": _finnish_date(agreement.meta["effective_date"]),
            "Lähdeversio": manifest["source"]["commit"],
            "Sisällön tunniste": manifest["source"]["fingerprint"],
        }
        listed = texts.index("Allekirjoittajat")
        assert texts[listed + 1 : listed + 1 + len(expected)] == expected
        assert "Näin allekirjoitat" in texts
        assert "Vaihtoehtoisesti: tulosta, allekirjoita käsin, skannaa ja palauta" in texts
        contents = texts.index("Sisällys")
        # each heading, then a tab to its page number (a field, which python-docx skips)
        assert texts[contents + 1 :] == [f"{h}\t" for h in (*agreement.headings, SIGNATURES)]
        properties = document.core_properties
        assert properties.title.endswith(f"allekirjoituspaketti: {parties[party]}")
        assert f"sha256:{manifest['source']['fingerprint']}" in properties.keywords
        assert f"party:{party}" in properties.keywords


def _finnish_date(day: Any) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def test_every_heading_in_order_with_page_breaks_where_the_pdf_has_them(agreement: Built) -> None:
    """A page for the cover, one before every annex and one before the signature page."""
    for data in agreement.packages().values():
        paragraphs = body(data)
        headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
        assert headings == [*agreement.headings, SIGNATURES]
        breaks = [paragraphs[n].text for n in page_breaks(paragraphs)]
        annexes = [h for h in agreement.headings if h.startswith("LIITE ")]
        assert breaks == [agreement.headings[0], *annexes, SIGNATURES]


def test_every_page_carries_the_version_and_the_fingerprint(agreement: Built) -> None:
    manifest = agreement.manifest
    footer = f"{manifest['version']} · Tunniste {manifest['source']['fingerprint'][:16]}"
    for data in agreement.packages().values():
        sections = docx.Document(io.BytesIO(data)).sections
        assert len(sections) == 1  # one header and footer for every page
        (row,) = sections[0].header.tables[0].rows
        assert row.cells[1].text == manifest["version"]
        assert sections[0].footer.paragraphs[0].text.startswith(footer + "\tSivu ")


def test_every_signatory_has_a_line_to_sign_with_the_name_under_it(agreement: Built) -> None:
    """Per party: its heading, then per signatory a line to sign, the name and title under
    it (an unnamed one: an empty line over "Nimi ja asema"), a line for place and date."""
    for data in agreement.packages().values():
        rest = signature_page(body(data))[2:]  # after the heading and the statement
        for _, name, people in signatories(agreement.meta):
            start = next(n for n, p in enumerate(rest) if p.text == name)
            assert all(run.bold for run in rest[start].runs)
            block = rest[start + 1 :]
            if block and not ruled(block[0]):
                block = block[1:]  # the party's representative, where it has one
            for person, title in people or [("", "")]:
                assert ruled(block[0]), name
                if person:
                    assert block[1].text == f"{person}, {title}"
                    block = block[2:]
                else:
                    assert ruled(block[1]) and block[2].text == NAME_LINE
                    block = block[3:]
                assert ruled(block[0]) and block[1].text == PLACE_AND_DATE
                block = block[2:]
            rest = block


def test_a_partys_heading_and_lines_are_kept_on_one_page(agreement: Built) -> None:
    names = {party["name"] for party in agreement.meta["parties"]}
    for data in agreement.packages().values():
        page = signature_page(body(data))
        ends = [n - 1 for n, p in enumerate(page) if p.text in names][1:]
        ends.append(len(page) - 1)
        for n, paragraph in enumerate(page):
            kept = paragraph.paragraph_format.keep_with_next
            assert kept is (None if n in ends else True), (n, paragraph.text)


def test_hostile_text_in_a_signatory_is_printed_as_typed(made_up: tuple[Built, Built]) -> None:
    for data in made_up[0].packages().values():
        paragraphs = body(data)
        texts = [p.text for p in paragraphs]
        assert f"{HOSTILE_NAME}, {HOSTILE_TITLE}" in texts
        assert f"Kansaneläkelaitos: {HOSTILE_NAME}, {HOSTILE_TITLE}" in texts
        assert f"{HOSTILE_PARTY}: {UNNAMED}" in texts
        assert [p.text for p in signature_page(paragraphs)].count(HOSTILE_PARTY) == 1
        assert texts.count(made_up[0].meta["title"]) == 1  # {{ title }} was not filled in
    kallio = docx.Document(io.BytesIO(made_up[0].packages()["kallio"]))
    assert kallio.paragraphs[1].text == HOSTILE_PARTY  # on its own cover, above the title
    assert kallio.core_properties.title.endswith(HOSTILE_PARTY)


# -- a DOCX that Word and LibreOffice open without repairs ------------------------------------


def test_every_property_is_in_the_schemas_order(agreement: Built) -> None:
    agreement_docx = [
        e["path"] for e in agreement.manifest["outputs"] if e["kind"] == "agreement-docx"
    ]
    for data in [
        *agreement.packages().values(),
        *((agreement.out / p).read_bytes() for p in agreement_docx),
    ]:
        assert_schema_order(data)


def test_every_part_is_well_formed_typed_and_every_relationship_resolves(agreement: Built) -> None:
    for data in agreement.packages().values():
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            assert len(names) == len(set(names))
            assert {info.date_time for info in package.infolist()} == {
                package.infolist()[0].date_time
            }
            parts = {name: package.read(name) for name in names}
        xml = {n: etree.fromstring(d) for n, d in parts.items() if n.endswith((".xml", ".rels"))}
        types = xml["[Content_Types].xml"]
        ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
        defaults = {e.get("Extension") for e in types.iter(f"{ns}Default")}
        overrides = {e.get("PartName").lstrip("/") for e in types.iter(f"{ns}Override")}
        assert overrides <= set(names)
        for name in names:
            if name != "[Content_Types].xml":
                assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
        for name, root in xml.items():
            if not name.endswith(".rels"):
                continue
            folder = posixpath.dirname(posixpath.dirname(name))
            for relation in root:
                if relation.get("TargetMode") == "External":
                    continue
                target = posixpath.normpath(posixpath.join(folder, relation.get("Target")))
                assert target.lstrip("/") in names, (name, relation.get("Target"))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_a_package_and_keeps_each_party_on_one_page(
    seed: Built, tmp_path: Path
) -> None:
    source = tmp_path / "kela.docx"
    source.write_bytes(seed.packages()["kela"])
    pdf = pypdf.PdfReader(soffice_convert(source, "pdf", tmp_path))
    pages = [normalise(page.extract_text()) for page in pdf.pages]
    assert "ALLEKIRJOITUSPAKETTI Kansaneläkelaitos" in pages[0]
    first = next(n for n, text in enumerate(pages) if "Osapuolet hyväksyvät tämän" in text)
    signature_pages = pages[first:]
    for _, name, people in signatories(seed.meta):
        lines = [name, *(f"{person}, {title}" for person, title in people)]
        on = {n for n, text in enumerate(signature_pages) for line in lines if line in text}
        assert len(on) == 1, (name, on)
        assert signature_pages[min(on)].count(PLACE_AND_DATE) >= max(1, len(people))
