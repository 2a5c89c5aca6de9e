"""`tymdocs build`: from the working tree or any commit, reproducible, atomic, with a manifest."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pypdf
import pytest

from tests.helpers import git, normalise, pdf_body_text, pdf_pages, run, tree_digest

PDF = "lansi-pirkanmaa-tym.pdf"
DOCX = "lansi-pirkanmaa-tym.docx"
PACKAGE = "lansi-pirkanmaa-tym-allekirjoitus-{}.pdf"
WORD_PACKAGE = "lansi-pirkanmaa-tym-allekirjoitus-{}.docx"
COMMON = "lansi-pirkanmaa-tym-allekirjoitettava.pdf"
PARTIES = ["tyollisyysalue", "hyvinvointialue", "kela"]
FIELDS = ["sig-tyollisyysalue-1", "sig-hyvinvointialue-1", "sig-kela-1", "sig-kela-2"]
TITLE = "SOPIMUS TYÖLLISTYMISTÄ EDISTÄVÄN MONIALAISEN TUEN YHTEISTOIMINTAMALLISTA"


def manifest(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def hashes(out: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(out.iterdir())
    }


def test_manifest_names_commit_outputs_and_how_to_rebuild(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    result = run(capsys, "-C", str(seed_repo), "build")
    assert result.code == 0, result.err
    out = seed_repo / "build"
    data = manifest(out)
    head = git(seed_repo, "rev-parse", "HEAD")
    assert data["source"]["commit"] == head
    assert data["source"]["dirty"] is False
    assert data["source"]["timestamp"] == "2025-04-30T09:00:00+00:00"
    assert len(data["source"]["fingerprint"]) == 64
    # Before version 1 is recorded, a commit is the proposal the parties are asked to sign.
    assert data["version"] == f"Ehdotus {head[:7]}, 30.4.2025"
    assert data["record"] is None and data["source"]["draft"] is False
    assert data["tool"]["tymdocs"] and data["tool"]["typst"] == "0.15.2"
    assert data["regenerate"] == f"tymdocs build --ref {head}"
    kinds = [o["kind"] for o in data["outputs"]]
    assert (
        kinds
        == ["agreement-docx", "agreement-pdf"]
        + ["signature-package"] * 3
        + ["signature-copy"]
        + ["signature-package-docx"] * 3
    )
    packages = [o for o in data["outputs"] if o["kind"] == "signature-package"]
    assert [(o["party"], o["fields"]) for o in packages] == [(p, FIELDS) for p in PARTIES]
    (everyone,) = [o for o in data["outputs"] if o["kind"] == "signature-copy"]
    assert (everyone["path"], everyone["party"], everyone["fields"]) == (COMMON, None, FIELDS)
    assert data["signing"] == "counterparts"
    word = [o for o in data["outputs"] if o["kind"] == "signature-package-docx"]
    assert [(o["party"], o["path"]) for o in word] == [(p, WORD_PACKAGE.format(p)) for p in PARTIES]
    for entry in data["outputs"]:
        content = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert len(content) == entry["bytes"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            DOCX,
            PDF,
            "manifest.json",
            *(PACKAGE.format(p) for p in PARTIES),
            COMMON,
            *(WORD_PACKAGE.format(p) for p in PARTIES),
        ]
    )


def test_same_commit_gives_identical_bytes_anywhere(seed_repo: Path, tmp_path: Path) -> None:
    """Two clones in different places, another time zone, locale and hash seed: the same
    bytes."""
    first = subprocess.run(
        [sys.executable, "-m", "tymdocs", "-C", str(seed_repo), "build", "-q"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert first.stdout == ""
    clone = tmp_path / "elsewhere" / "clone"
    subprocess.run(["git", "clone", "-q", str(seed_repo), str(clone)], check=True)
    env = {**os.environ, "TZ": "Pacific/Auckland", "LC_ALL": "C", "PYTHONHASHSEED": "4711"}
    subprocess.run(
        [sys.executable, "-m", "tymdocs", "build", "-q", "-o", str(tmp_path / "other")],
        cwd=clone,
        env=env,
        check=True,
    )
    assert hashes(seed_repo / "build") == hashes(tmp_path / "other")


def test_rebuild_with_ref_matches_the_regenerate_command(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, tmp_path: Path
) -> None:
    assert run(capsys, "-C", str(seed_repo), "build").code == 0
    command = manifest(seed_repo / "build")["regenerate"].split()[1:]
    again = run(capsys, "-C", str(seed_repo), *command, "-o", str(tmp_path / "again"))
    assert again.code == 0
    assert hashes(seed_repo / "build") == hashes(tmp_path / "again")


def test_ref_reads_the_commit_without_touching_the_working_tree(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, tmp_path: Path
) -> None:
    section = seed_repo / "docs_src" / "05-tavoitteet.md"
    section.write_text(section.read_text().replace("vuosittain", "kerran kuukaudessa"))
    git(seed_repo, "commit", "-qam", "Muutos", date="2025-09-15T10:00:00+03:00")
    section.write_text(section.read_text().replace("kerran kuukaudessa", "KESKENERÄINEN"))
    status_before = git(seed_repo, "status", "--porcelain")
    content_before = section.read_bytes()

    older = run(
        capsys, "-C", str(seed_repo), "build", "--ref", "HEAD~1", "-o", str(tmp_path / "v1")
    )
    newer = run(capsys, "-C", str(seed_repo), "build", "--ref", "HEAD", "-o", str(tmp_path / "v2"))
    assert older.code == newer.code == 0
    old_text = normalise(" ".join(pdf_pages((tmp_path / "v1" / PDF).read_bytes())))
    new_text = normalise(" ".join(pdf_pages((tmp_path / "v2" / PDF).read_bytes())))
    assert "asettaa tavoitteet toimialueelleen vuosittain" in old_text
    assert "asettaa tavoitteet toimialueelleen kerran kuukaudessa" in new_text
    assert "KESKENERÄINEN" not in old_text + new_text
    assert manifest(tmp_path / "v2")["source"]["timestamp"] == "2025-09-15T07:00:00+00:00"
    assert (
        manifest(tmp_path / "v1")["source"]["fingerprint"]
        != manifest(tmp_path / "v2")["source"]["fingerprint"]
    )
    assert git(seed_repo, "status", "--porcelain") == status_before
    assert section.read_bytes() == content_before


def test_uncommitted_changes_build_a_draft(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    section = seed_repo / "docs_src" / "05-tavoitteet.md"
    section.write_text(section.read_text() + "\nUusi kappale.\n")
    result = run(capsys, "-C", str(seed_repo), "build")
    assert result.code == 0
    out = seed_repo / "build"
    data = manifest(out)
    head = git(seed_repo, "rev-parse", "HEAD")
    assert data["source"]["dirty"] is True
    assert data["version"] == f"LUONNOS versiosta {head[:7]}"
    assert "uncommitted" in data["regenerate"]
    footer = f"{data['version']} · Tunniste {data['source']['fingerprint'][:16]}"
    text = pdf_body_text((out / PDF).read_bytes(), f"{TITLE} {data['version']}", footer, "LUONNOS")
    assert "Uusi kappale." in text
    header = docx.Document(io.BytesIO((out / DOCX).read_bytes())).sections[0].header
    assert header.paragraphs[0].text == "LUONNOS"


def test_an_untracked_annex_makes_a_draft(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    (seed_repo / "annexes" / "liite-7-uusi.md").write_text("# Liite 7 UUSI\n\nTeksti.\n")
    assert run(capsys, "-C", str(seed_repo), "build").code == 0
    assert manifest(seed_repo / "build")["source"]["dirty"] is True


def test_unchanged_sources_are_not_rebuilt(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    assert run(capsys, "-C", str(seed_repo), "build").code == 0
    pdf = seed_repo / "build" / PDF
    stat = pdf.stat()
    again = run(capsys, "-C", str(seed_repo), "build")
    assert again.code == 0
    assert "is up to date" in again.out
    assert pdf.stat().st_ino == stat.st_ino and pdf.stat().st_mtime_ns == stat.st_mtime_ns
    forced = run(capsys, "-C", str(seed_repo), "build", "--force")
    assert "built 10 files" in forced.out
    assert pdf.stat().st_ino != stat.st_ino


def test_a_build_reports_each_warning_as_check_does(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    """``make build`` runs ``build`` alone: it prints every warning of the sources it read,
    path:line as ``check`` prints them, the same lines; ``-q`` and an up-to-date build print
    none (the build that read the sources did)."""
    checked = run(capsys, "-C", str(seed_repo), "check")
    assert checked.code == 0 and "3 warning(s)" in checked.out
    built = run(capsys, "-C", str(seed_repo), "build")
    assert built.code == 0 and "built 10 files" in built.out
    assert built.err.splitlines() == checked.err.splitlines()
    assert len(built.err.splitlines()) == 3
    assert all(": warning: " in line for line in built.err.splitlines())
    again = run(capsys, "-C", str(seed_repo), "build")
    assert "is up to date" in again.out and again.err == ""
    quiet = run(capsys, "-C", str(seed_repo), "build", "-q", "--force")
    assert quiet.code == 0 and quiet.out == quiet.err == ""


def test_a_damaged_output_is_rebuilt(capsys: pytest.CaptureFixture[str], seed_repo: Path) -> None:
    assert run(capsys, "-C", str(seed_repo), "build").code == 0
    good = hashes(seed_repo / "build")
    (seed_repo / "build" / PDF).write_bytes(b"damaged")
    assert "built 10 files" in run(capsys, "-C", str(seed_repo), "build").out
    assert hashes(seed_repo / "build") == good


def test_output_elsewhere_and_refusal_to_replace_a_foreign_directory(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "julkaisu"
    assert run(capsys, "-C", str(seed_repo), "build", "-o", str(elsewhere)).code == 0
    assert (elsewhere / PDF).is_file()
    assert not (seed_repo / "build").exists()
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_bytes(b"precious")
    (foreign / PDF).write_bytes(b"a PDF of the user's own")
    before = tree_digest(foreign)
    result = run(capsys, "-C", str(seed_repo), "build", "-o", str(foreign))
    assert result.code == 2
    assert f"{foreign / PDF} was not written by tymdocs" in result.err
    assert tree_digest(foreign) == before


def test_source_date_epoch_sets_the_time(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 1.1.2026
    assert run(capsys, "-C", str(seed_repo), "build").code == 0
    data = manifest(seed_repo / "build")
    assert data["source"]["timestamp"] == "2026-01-01T00:00:00+00:00"
    reader = pypdf.PdfReader(seed_repo / "build" / PDF)
    assert reader.metadata is not None and reader.metadata.creation_date is not None
    assert reader.metadata.creation_date.year == 2026
    core = docx.Document(seed_repo / "build" / DOCX).core_properties
    assert core.created is not None and core.created.year == 2026


def test_unknown_ref_is_a_usage_error(capsys: pytest.CaptureFixture[str], seed_repo: Path) -> None:
    result = run(capsys, "-C", str(seed_repo), "build", "--ref", "v9.9")
    assert result.code == 2
    assert "unknown revision 'v9.9'" in result.err
    assert not (seed_repo / "build").exists()


def test_packages_alone_and_everything_but_packages(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, tmp_path: Path
) -> None:
    only = run(capsys, "-C", str(seed_repo), "build", "--packages", "-o", str(tmp_path / "p"))
    assert only.code == 0
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == sorted(
        [
            "manifest.json",
            *(PACKAGE.format(p) for p in PARTIES),
            COMMON,
            *(WORD_PACKAGE.format(p) for p in PARTIES),
        ]
    )
    assert manifest(tmp_path / "p")["regenerate"].endswith(" --packages")
    rest = run(capsys, "-C", str(seed_repo), "build", "--no-packages", "-o", str(tmp_path / "a"))
    assert rest.code == 0
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [DOCX, PDF, "manifest.json"]
    full = run(capsys, "-C", str(seed_repo), "build", "-o", str(tmp_path / "all"))
    assert full.code == 0
    both = hashes(tmp_path / "all")
    assert hashes(tmp_path / "p")[PACKAGE.format("kela")] == both[PACKAGE.format("kela")]
    assert hashes(tmp_path / "p")[WORD_PACKAGE.format("kela")] == both[WORD_PACKAGE.format("kela")]
    assert hashes(tmp_path / "a")[PDF] == both[PDF]


def test_json_prints_the_manifest(capsys: pytest.CaptureFixture[str], seed_repo: Path) -> None:
    result = run(capsys, "-C", str(seed_repo), "build", "--json")
    assert result.code == 0
    assert json.loads(result.out) == manifest(seed_repo / "build")


def test_a_commit_elsewhere_in_the_repository_changes_no_byte(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version is the agreement's: a commit outside its folder is not a new version."""
    from tests.helpers import copy_agreement

    top = tmp_path / "repo"
    root = copy_agreement(top / "sopimukset" / "lansi")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "Sopimus")
    first = git(top, "rev-parse", "HEAD")
    assert run(capsys, "-C", str(root), "build", "-o", str(tmp_path / "before")).code == 0
    (top / "README.md").write_text("Muistiinpanoja\n")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "Muuta", date="2025-06-01T10:00:00+03:00")
    assert run(capsys, "-C", str(root), "build", "-o", str(tmp_path / "after")).code == 0
    assert hashes(tmp_path / "before") == hashes(tmp_path / "after")
    data = manifest(tmp_path / "after")
    assert data["source"]["commit"] == first
    assert data["regenerate"] == f"tymdocs -C sopimukset/lansi build --ref {first}"
    monkeypatch.chdir(top)  # the command is run from the repository's top folder
    again = run(capsys, *data["regenerate"].split()[1:], "-o", str(tmp_path / "re"))
    assert again.code == 0, again.err
    assert hashes(tmp_path / "re") == hashes(tmp_path / "after")
