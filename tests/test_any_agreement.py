"""Nothing is hard-wired to the seed: a made-up agreement with four parties builds too."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pypdf
import pytest

from tests.helpers import FIXTURES, docx_body_text, make_repo, normalise, pdf_body_text, run
from tymdocs.checks import validate
from tymdocs.document import compose, plain_text
from tymdocs.sources import WorkTree

FIXTURE = FIXTURES / "kuvitteellinen"
HEADINGS = [
    "1 Tarkoitus",
    "2 Henkilöstö",
    "3 Voimassaolo",
    "LIITE 1 JOHTORYHMÄ JA YHTEYSHENKILÖT",
    "LIITE 2 HENKILÖSTÖ",
    "LIITE 3 TIETOSUOJA",
]
"""Its sections and annexes, as its files head them."""


@pytest.fixture
def other_repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "jarviseutu", FIXTURE)


def test_model_takes_four_parties_a_fixed_term_and_another_court() -> None:
    agreement = validate(WorkTree(FIXTURE)).agreement
    assert agreement is not None
    meta = agreement.meta
    assert [p.role for p in meta.parties] == [
        "employment_authority",
        "employment_authority",
        "wellbeing_services_county",
        "kela",
    ]
    assert agreement.party("kallio") is not None and agreement.party("kallio").signatories == ()  # type: ignore[union-attr]
    assert meta.valid_until is not None and meta.valid_until.isoformat() == "2027-12-31"
    assert meta.court == "Helsingin hallinto-oikeus"
    assert [(a.number, type(a).__name__) for a in agreement.annexes] == [
        (1, "CompositionAnnex"),
        (2, "StaffingAnnex"),
        (3, "TextAnnex"),
    ]


def test_check_warns_only_of_the_unnamed_signatory(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "-C", str(FIXTURE), "check", "--json")
    assert result.code == 0
    report = json.loads(result.out)
    assert [p["message"][:26] for p in report["problems"]] == ["party 'kallio' (Kallion ka"]


def test_builds_docx_and_pdf_with_its_own_tables(
    capsys: pytest.CaptureFixture[str], other_repo: Path
) -> None:
    result = run(capsys, "-C", str(other_repo), "build")
    assert result.code == 0, result.err
    out = other_repo / "build"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["agreement"]["id"] == "jarviseutu-tym-2026"
    docx_data = (out / "jarviseutu-tym-2026.docx").read_bytes()
    pdf = (out / "jarviseutu-tym-2026.pdf").read_bytes()

    tables = docx.Document(io.BytesIO(docx_data)).tables
    members = [[c.text for c in row.cells] for row in tables[0].rows]
    assert members[0] == ["Jäsen", "Tehtävä", "Varajäsen", "Organisaatio"]
    assert members[3] == ["Iida Isola", "", "", "Järviseudun hyvinvointialue"]
    staffing = [[c.text for c in row.cells] for row in tables[2].rows]
    assert ["Kallion kaupunki", "0,5"] in staffing
    assert staffing[-1] == ["Yhteensä", "4,025"]

    agreement = validate(WorkTree(other_repo)).agreement
    assert agreement is not None
    expected = normalise(plain_text(compose(agreement)))
    assert normalise(" ".join(docx_body_text(docx_data))) == expected
    footer = f"{manifest['version']} · Tunniste {manifest['source']['fingerprint'][:16]}"
    header = f"{agreement.meta.title} {manifest['version']}"
    assert pdf_body_text(pdf, header, footer) == expected
    assert '#read("/etc/passwd")' in expected
    outline = [item.title for item in pypdf.PdfReader(io.BytesIO(pdf)).outline]
    assert outline == HEADINGS


def test_the_suite_reads_its_own_fixtures_not_the_agreement_at_the_root(tmp_path: Path) -> None:
    """``make test`` in another area's repository: the root holds the made-up agreement, and
    the suites that once read the root's seed still pass."""
    import shutil
    import subprocess
    import sys

    from tests.helpers import ROOT

    copy = tmp_path / "another-area"
    for name in ("tests", "README.md", "pyproject.toml", ".ci", "ci"):
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif origin.exists():
            shutil.copy2(origin, copy / name)
    for name in ("tymdocs.yaml", "docs_src", "annexes"):
        source = FIXTURE / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        else:
            shutil.copy2(source, copy / name)
    suites = ("tests/test_seed.py", "tests/test_render.py", "tests/test_check.py")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *suites],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]
