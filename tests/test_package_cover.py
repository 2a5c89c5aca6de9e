"""An amendment's signature packages are about the amendment: their cover, read back from the
PDF with pypdf and from the DOCX with python-docx, names the version and the one it changes,
the record, the day it takes effect once signed and the parts it changes (the change set
``tymdocs diff`` gives); version 1's package keeps the agreement's own cover. The running
header of a package keeps to one line whatever the label, measured from the PDF's text
positions as tests/test_redline_pages.py measures the redline's: its agreement pages are laid
out again where the agreement PDF's header takes two lines, the same bytes as verify lays out.
"""

from __future__ import annotations

import io
import itertools
import json
import shutil
from pathlib import Path

import docx
import pypdf
import pytest

from tests.helpers import edit, fixed_git, normalise
from tests.test_governance import SECTION_12, kela_to_one
from tests.test_redline_pages import MARGIN_TOP, MARGIN_X, PAGE_HEIGHT, PAGE_WIDTH, shown
from tymdocs.cli import main

KELA = "lansi-pirkanmaa-tym-allekirjoitus-kela"
TITLE = "SOPIMUS TYÖLLISTYMISTÄ EDISTÄVÄN MONIALAISEN TUEN YHTEISTOIMINTAMALLISTA"
LABEL = (
    "Versio 3 · Sopimusmuutos 4.12.2025 · voimaan 1.1.2026, kun kaikki osapuolet ovat "
    "allekirjoittaneet"
)


def _tymdocs(*args: str) -> None:
    """The CLI in-process; a non-zero exit fails the test."""
    try:
        main(list(args))
    except SystemExit as exit:
        assert not exit.code, args


@pytest.fixture(scope="module")
def amended(adopted_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Version 2 a steering group's decision (Liite 5), version 3 an amendment of 12 § and
    Liite 2, awaiting signatures; version 3 built into ``build/``, version 1 into ``v1/``."""
    repo = tmp_path_factory.mktemp("amended") / "agreement"
    shutil.copytree(adopted_template, repo, symlinks=True)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fixed_git(monkeypatch)
        kela_to_one(repo)
        approve = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
        _tymdocs("-C", str(repo), *approve, "--effective", "1.10.2025", "-m", "Liite 5")
        edit(repo, SECTION_12, "on voimassa toistaiseksi", "on voimassa toistaiseksi, ja sitä")
        edit(repo, "annexes/liite-2-kokoonpano.yaml", "Kaija Rönni", "Kalle Uusitalo")
        amend = ["amend", "--date", "4.12.2025", "--effective", "1.1.2026"]
        _tymdocs("-C", str(repo), *amend, "-m", "12 §: voimassaolo")
        _tymdocs("-C", str(repo), "build")
        _tymdocs("-C", str(repo), "build", "--packages", "--ref", "v1", "-o", str(repo / "v1"))
    return repo


def _changed_parts(repo: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The parts ``tymdocs diff v2 v3`` names, as its JSON gives them."""
    capsys.readouterr()
    _tymdocs("-C", str(repo), "diff", "v2", "v3", "--json")
    return [change["part"] for change in json.loads(capsys.readouterr().out)["changes"]]


def test_the_pdf_cover_states_the_amendment(
    amended: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = _changed_parts(amended, capsys)
    assert parts == [
        "12 Sopimuksen voimassaolo ja muuttaminen",
        "LIITE 2 JOHTORYHMÄN KOKOONPANO 1.5.2025 ALKAEN",
    ]
    reader = pypdf.PdfReader(amended / "build" / f"{KELA}.pdf")
    cover = normalise(reader.pages[0].extract_text())
    for fact in (
        f"Asiakirja {LABEL}",
        "Sopimusmuutos Versio 3, muuttaa versiota 2",
        "Kirjaus Sopimusmuutos 4.12.2025",
        "Voimaantulo Voimaan 1.1.2026, kun kaikki osapuolet ovat allekirjoittaneet",
        f"Muutettavat osat {' '.join(parts)} Lähdeversio",
    ):
        assert fact in cover, fact
    assert "Voimaantulo 1.5.2025" not in cover  # the agreement's own date, not the amendment's
    assert "Allekirjoittajat" in cover and "Sisällys" in cover  # and all of it on one page


def test_the_docx_cover_states_the_amendment(
    amended: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = _changed_parts(amended, capsys)
    document = docx.Document(str(amended / "build" / f"{KELA}.docx"))
    facts = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    manifest = json.loads((amended / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert facts == {
        "Asiakirja": LABEL,
        "Sopimusmuutos": "Versio 3, muuttaa versiota 2",
        "Kirjaus": "Sopimusmuutos 4.12.2025",
        "Voimaantulo": "Voimaan 1.1.2026, kun kaikki osapuolet ovat allekirjoittaneet",
        "Muutettavat osat": "\n".join(parts),  # a line each
        "Lähdeversio": manifest["source"]["commit"],
        "Sisällön tunniste": manifest["source"]["fingerprint"],
    }
    assert manifest["version"] == LABEL


def test_version_1_keeps_the_agreements_cover(amended: Path) -> None:
    """The original agreement's package is no amendment: its effective date, no change set."""
    reader = pypdf.PdfReader(amended / "v1" / f"{KELA}.pdf")
    cover = normalise(reader.pages[0].extract_text())
    assert "Voimaantulo 1.5.2025 Lähdeversio" in cover
    assert "Muutettavat osat" not in cover and "Kirjaus" not in cover
    document = docx.Document(str(amended / "v1" / f"{KELA}.docx"))
    facts = [row.cells[0].text for row in document.tables[0].rows]
    assert facts == ["Asiakirja", "Voimaantulo", "Lähdeversio", "Sisällön tunniste"]


def _boxes(page: pypdf.PageObject) -> list[tuple[float, float, float]]:
    """Where each run of text starts and ends, and its baseline (points)."""
    return [(run.x0, run.x1, run.y) for run in shown(page, with_text=False)]


def test_the_running_header_keeps_to_one_line(amended: Path) -> None:
    """Every page of the amendment's PDF package: the title and the label on one line inside
    the margins, the label cut with "…" (the cover gives it whole), nothing over another."""
    agreement = pypdf.PdfReader(amended / "build" / "lansi-pirkanmaa-tym.pdf").pages
    lines = {round(y, 1) for _, _, y in _boxes(agreement[0]) if y > PAGE_HEIGHT - MARGIN_TOP}
    assert len(lines) == 2  # the agreement PDF's takes two: the packages' pages are laid out again
    data = (amended / "build" / f"{KELA}.pdf").read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = reader.pages
    body = [page for page, label in zip(pages, reader.page_labels, strict=True) if label.isdigit()]
    footers = [normalise(page.extract_text()).rsplit(" ", 2)[-2:] for page in body]
    assert footers == [["Sivu", f"{n}/{len(agreement)}"] for n in range(1, len(agreement) + 1)]
    for number, page in enumerate(pages, start=1):
        header = sorted(box for box in _boxes(page) if box[2] > PAGE_HEIGHT - MARGIN_TOP)
        assert len({round(y, 1) for _, _, y in header}) == 1, f"page {number}: {header}"
        for left, right in itertools.pairwise(header):
            assert right[0] >= left[1] - 0.01, f"page {number}: {left} under {right}"
        assert abs(header[0][0] - MARGIN_X) < 0.1, f"page {number}"
        assert abs(header[-1][1] - (PAGE_WIDTH - MARGIN_X)) < 0.1, f"page {number}"
        text = normalise(page.extract_text().split("\n")[0])
        title, _, version = text.partition("… ")
        assert TITLE.startswith(title), f"page {number}: {text}"
        assert version.endswith("…") and LABEL.startswith(version[:-1].rstrip()), text
        assert version.startswith("Versio 3 · Sopimusmuutos 4.12.2025"), text


def test_the_docx_header_keeps_to_one_line_each(amended: Path) -> None:
    """The DOCX package's header cells hold the title and the label cut to a line each."""
    document = docx.Document(str(amended / "build" / f"{KELA}.docx"))
    (row,) = document.sections[0].header.tables[0].rows
    title, version = (cell.text for cell in row.cells)
    assert title.endswith("…") and TITLE.startswith(title[:-1])
    assert version.endswith("…") and LABEL.startswith(version[:-1])
    agreement = docx.Document(str(amended / "build" / "lansi-pirkanmaa-tym.docx"))
    (row,) = agreement.sections[0].header.tables[0].rows
    assert [cell.text for cell in row.cells] == [TITLE, LABEL]  # the agreement's, as it was


def test_packages_laid_out_again_are_the_builds(amended: Path) -> None:
    """What ``verify`` lays out from the commit, without the build's agreement PDF at hand, is
    the build's package byte for byte, also where its agreement pages were laid out again for
    the one-line header."""
    from tymdocs.build import stamp_of
    from tymdocs.checks import validate
    from tymdocs.document import compose
    from tymdocs.revision import open_source
    from tymdocs.signing.packages import build_packages
    from tymdocs.sources import fingerprint

    source = open_source(amended, "HEAD")
    agreement = validate(source.tree).agreement
    assert agreement is not None
    stamp = stamp_of(source, fingerprint(source.tree), agreement)
    kela = agreement.parties[-1]
    (package,) = build_packages(
        agreement, compose(agreement, source.notes), stamp, (kela,), everyone=False
    )
    assert package.data == (amended / "build" / f"{KELA}.pdf").read_bytes()
