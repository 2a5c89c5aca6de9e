"""Signature packages cut out of one laid-out document (issue 20): each is its own cover and
the agreement's pages, numbered, bookmarked and described as a PDF of its own; a cover of
another length is laid out on its own; a package's bytes never depend on which others are
built with it. (That a signed package verifies against its rebuilt original is
tests/test_verify.py's.)"""

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
from tymdocs.revision import open_source
from tymdocs.signing import packages
from tymdocs.sources import fingerprint

HEADING = "3 Toimialue (ks. (a) kohta (140 0 R))"
"""A heading that reads like a PDF reference inside a bookmark's string, in parentheses two deep
(PDF allows them unescaped where balanced): renumbering the
objects must leave it as it is."""


@dataclass(frozen=True)
class Version:
    agreement: Agreement
    document: Document
    stamp: Stamp


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory) -> Version:
    repo = copy_agreement(tmp_path_factory.mktemp("cut") / "agreement")
    edit(repo, "docs_src/03-toimialue.md", "# 3 Toimialue\n", f"# {HEADING}\n")
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


def test_each_package_is_its_own_cover_and_the_same_agreement_pages(
    built: dict[str, bytes],
) -> None:
    readers = {name: pypdf.PdfReader(io.BytesIO(data)) for name, data in built.items()}
    assert len(readers) == 4  # three parties and the copy for everyone
    counts = {len(reader.pages) for reader in readers.values()}
    assert len(counts) == 1
    (count,) = counts
    agreement_pages = set()
    for name, reader in readers.items():
        texts = [normalise(page.extract_text()) for page in reader.pages]
        assert reader.page_labels == [str(n) for n in range(1, count + 1)], name
        for number, text in enumerate(texts, start=1):
            assert text.endswith(f"Sivu {number}/{count}"), (name, number, text[-80:])
        covers = [n for n, text in enumerate(texts) if "Näin allekirjoitat" in text]
        assert covers == [0], name  # its own cover, first, and no other's
        agreement_pages.add(tuple(texts[1:]))
        outline = [item.title for item in reader.outline]
        assert outline[2] == HEADING and outline[-1] == "Allekirjoitukset", outline
    assert len(agreement_pages) == 1  # the same agreement and signature page in every package


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
def test_a_cover_of_another_length_is_laid_out_again(version: Version, longer: int) -> None:
    agreement, stamp = version.agreement, version.stamp
    data = packages._packages_data(
        agreement, stamp, agreement.parties, packages.signature_slots(agreement)
    )
    long = "Kansaneläkelaitos," + " vakuutuspiiri" * 200
    data["parties"][longer]["party"] = long  # that cover's heading only: a page more
    every = tuple(range(len(data["parties"])))
    laid_out = packages._laid_out(version.document, stamp, data, every)
    readers = {i: pypdf.PdfReader(io.BytesIO(pdf)) for i, (pdf, _) in laid_out.items()}
    lengths = {i: len(reader.pages) for i, reader in readers.items()}
    assert sorted(lengths) == list(every)
    assert len({n for i, n in lengths.items() if i != longer}) == 1
    assert lengths[longer] > lengths[0 if longer else 1], lengths
    for index, (_, boxes) in laid_out.items():
        reader = readers[index]
        texts = [normalise(page.extract_text()) for page in reader.pages]
        assert reader.page_labels == [str(n) for n in range(1, len(texts) + 1)]
        for number, text in enumerate(texts, start=1):
            assert text.endswith(f"Sivu {number}/{len(texts)}"), (index, number)
        for box in boxes:  # each field's box, by page of its own package
            assert box["field"] in texts[box["page"] - 1], (index, box)
    assert "Kansaneläkelaitos, vakuutuspiiri" in normalise(readers[longer].pages[0].extract_text())
