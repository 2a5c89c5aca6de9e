"""Signature packages assembled from two Typst PDFs (issue 20): each is its own cover, the
agreement PDF's own pages and the signature page, numbered part by part as their footers say,
bookmarked and described as a PDF of its own, untagged; a cover of another length numbers its
own pages; a package's bytes never depend on which others are built with it. (That a signed
package verifies against its rebuilt original is tests/test_verify.py's.)"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from tests.helpers import copy_agreement, edit, init_repo, normalise
from tymdocs.build import stamp_of
from tymdocs.checks import validate
from tymdocs.document import Document, Stamp, compose
from tymdocs.model import Agreement
from tymdocs.render.typst import render_agreement
from tymdocs.revision import open_source
from tymdocs.signing import packages
from tymdocs.sources import fingerprint

HEADING = "3 Toimialue (ks. (a) kohta (140 0 R))"
"""A heading that reads like a PDF reference inside a bookmark's string, in parentheses two deep
(PDF allows them unescaped where balanced): renumbering the
objects must leave it as it is."""


KEYS = ("/Dest 5 0 R", "/Next 3 0 R")
"""What two headings end with, where a bookmark's keys stand after its title (the last one has
no /Next of its own): its title's text must never be read as one."""


@dataclass(frozen=True)
class Version:
    agreement: Agreement
    document: Document
    stamp: Stamp


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory) -> Version:
    repo = copy_agreement(tmp_path_factory.mktemp("cut") / "agreement")
    edit(repo, "docs_src/03-toimialue.md", "# 3 Toimialue\n", f"# {HEADING}\n")
    edit(repo, "docs_src/04-johtoryhma.md", "johtoryhmä\n", f"johtoryhmä {KEYS[0]}\n")
    edit(repo, "annexes/liite-6-tietosuojaseloste.md", "SELOSTE\n", f"SELOSTE {KEYS[1]}\n")
    init_repo(repo)
    source = open_source(repo)
    agreement = validate(source.tree).agreement
    assert agreement is not None
    stamp = stamp_of(source, fingerprint(source.tree), agreement)
    return Version(agreement, compose(agreement, source.notes), stamp)


@pytest.fixture(scope="module")
def built(version: Version) -> dict[str, bytes]:
    built = packages.build_packages(version.agreement, version.document, version.stamp)
    return {package.name: package.data for package in built}


def test_each_package_is_its_own_cover_and_the_agreement_pdfs_pages(
    version: Version, built: dict[str, bytes]
) -> None:
    laid_out = render_agreement(version.document, version.stamp, version.agreement.authors)
    agreement = pypdf.PdfReader(io.BytesIO(laid_out.pdf))
    assert not laid_out.two_line_header  # so its own pages are the packages'
    expected = [normalise(page.extract_text()) for page in agreement.pages]
    readers = {name: pypdf.PdfReader(io.BytesIO(data)) for name, data in built.items()}
    assert len(readers) == 4  # three parties and the copy for everyone
    for name, reader in readers.items():
        texts = [normalise(page.extract_text()) for page in reader.pages]
        numbers = [str(n) for n in range(1, len(expected) + 1)]
        assert reader.page_labels == ["Kansilehti 1", *numbers, "Allekirjoitussivu 1"], name
        assert texts[0].endswith("Kansilehti 1/1") and "Näin allekirjoitat" in texts[0], name
        assert texts[1:-1] == expected, name
        assert texts[-1].endswith("Allekirjoitussivu 1/1"), name
        assert not any("Näin allekirjoitat" in text for text in texts[1:]), name  # no other cover
        outline = [item.title for item in reader.outline]
        assert outline[2] == HEADING and outline[-1] == "Allekirjoitukset", outline
        assert outline[3].endswith(KEYS[0]) and outline[-2].endswith(KEYS[1]), outline
        cover = normalise(texts[0])
        for item, title in zip(agreement.outline, outline, strict=False):  # the cover's contents
            at = agreement.get_destination_page_number(item) + 1
            assert f"{normalise(title)} {at} " in cover, (name, title)
        for page, own in zip(reader.pages[1:-1], agreement.pages, strict=True):
            assert page.get_contents().get_data() == own.get_contents().get_data(), name
            assert "/StructParents" not in page and "/Tabs" not in page, name  # no structure
        assert "/StructTreeRoot" not in reader.trailer["/Root"], name
        assert b"/StructTreeRoot" not in built[name] and b"/StructElem" not in built[name], name


def test_a_page_added_after_the_package_is_numbered_as_it_stands(
    built: dict[str, bytes],
) -> None:
    """An e-signing service's own page after the signature page is not labelled as one."""
    name = next(iter(built))
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(built[name]))
    count = len(writer.pages)
    writer.add_blank_page()
    written = io.BytesIO()
    writer.write(written)
    labels = pypdf.PdfReader(written).page_labels
    assert labels[count - 1] == "Allekirjoitussivu 1" and labels[count] == str(count + 1)


def test_the_bookmarks_are_one_list_linked_both_ways(
    version: Version, built: dict[str, bytes]
) -> None:
    """The agreement's bookmarks, then the signature page's, under the package's own root:
    every /Parent, /Prev, /Next, /First, /Last and /Count as a reader walking either way
    needs them, each leading to its page (pypdf follows /First and /Next alone)."""
    agreement = pypdf.PdfReader(io.BytesIO(render_agreement(version.document, version.stamp).pdf))
    expected = [agreement.get_destination_page_number(item) + 1 for item in agreement.outline]
    for name, data in built.items():
        reader = pypdf.PdfReader(io.BytesIO(data))
        root = reader.trailer["/Root"]["/Outlines"]
        items, item = [], root["/First"]
        while True:
            item = item.get_object()
            assert item["/Parent"].get_object() == root, name
            assert ("/Prev" in item) == bool(items), name
            if items:
                assert item["/Prev"].get_object() == items[-1], name
            items.append(item)
            if "/Next" not in item:
                break
            item = item["/Next"]
        assert root["/Last"].get_object() == items[-1] and root["/Count"] == len(items), name
        pages = [reader.get_destination_page_number(item) for item in reader.outline]
        assert len(pages) == len(items) == len(expected) + 1, name
        assert pages == [*expected, len(reader.pages) - 1], name  # after the one-page cover


def test_document_information_and_xmp_say_the_same_of_each_package(
    built: dict[str, bytes],
) -> None:
    identifiers = set()
    for name, data in built.items():
        reader = pypdf.PdfReader(io.BytesIO(data))
        info = reader.metadata
        xmp = reader.xmp_metadata
        assert info is not None and xmp is not None
        assert xmp.dc_title == {"x-default": info.title}, name
        assert xmp.dc_description == {"x-default": info.subject}, name
        assert xmp.pdf_keywords == info["/Keywords"], name
        raw = xmp.stream.get_data().decode()
        assert f"<xmpTPg:NPages>{len(reader.pages)}</xmpTPg:NPages>" in raw
        assert "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>" in raw
        party = "copy:everyone" if name.endswith("allekirjoitettava.pdf") else "party:"
        assert party in info["/Keywords"], name
        trailer_id = re.search(rb"/ID\[<([0-9A-F]{32})>", data)  # the cut PDF's own trailer
        assert trailer_id is not None
        identifiers.add(trailer_id.group(1))
        instance = re.search(r"<xmpMM:InstanceID>(.*?)</xmpMM:InstanceID>", raw)
        assert instance is not None and instance.group(1).upper() == trailer_id.group(1).decode()
    assert len(identifiers) == len(built)


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_finds_no_structural_error(built: dict[str, bytes], tmp_path: Path) -> None:
    for name, data in built.items():
        (tmp_path / name).write_bytes(data)
        done = subprocess.run(["qpdf", "--check", str(tmp_path / name)], capture_output=True)
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_a_package_is_the_same_bytes_whichever_others_are_built_with_it(
    version: Version, built: dict[str, bytes]
) -> None:
    kela = version.agreement.parties[-1]
    (alone,) = packages.build_packages(
        version.agreement, version.document, version.stamp, (kela,), everyone=False
    )
    assert alone.data == built[alone.name]


@pytest.mark.parametrize("longer", [1, 3], ids=["a party's", "the last, for everyone"])
def test_a_cover_of_another_length_numbers_its_own_pages(version: Version, longer: int) -> None:
    agreement, stamp = version.agreement, version.stamp
    data = packages._packages_data(
        agreement, stamp, agreement.parties, packages.signature_slots(agreement)
    )
    long = "Kansaneläkelaitos," + " vakuutuspiiri" * 200
    data["parties"][longer]["party"] = long  # that cover's heading only: a page more
    laid_out = render_agreement(version.document, stamp, agreement.authors)
    package = packages._assembled(version.document, stamp, data, laid_out)
    built = {index: package(index) for index in range(len(data["parties"]))}
    readers = {i: pypdf.PdfReader(io.BytesIO(pdf)) for i, (pdf, _) in built.items()}
    body = len(pypdf.PdfReader(io.BytesIO(laid_out.pdf)).pages)
    for index, (_, boxes) in built.items():
        reader = readers[index]
        texts = [normalise(page.extract_text()) for page in reader.pages]
        cover = len(texts) - body - 1  # before the agreement's pages and the signature page
        assert cover > 1 if index == longer else cover == 1, (index, cover)
        covers = [f"Kansilehti {n}" for n in range(1, cover + 1)]
        numbers = [str(n) for n in range(1, body + 1)]
        assert reader.page_labels == [*covers, *numbers, "Allekirjoitussivu 1"], index
        for number, text in enumerate(texts[:cover], start=1):
            assert text.endswith(f"Kansilehti {number}/{cover}"), (index, number)
        for number, text in enumerate(texts[cover:-1], start=1):
            assert text.endswith(f"Sivu {number}/{body}"), (index, number)
        for box in boxes:  # each field's box, by page of its own package
            assert box["page"] == len(texts) and box["field"] in texts[-1], (index, box)
    assert "Kansaneläkelaitos, vakuutuspiiri" in normalise(readers[longer].pages[0].extract_text())
