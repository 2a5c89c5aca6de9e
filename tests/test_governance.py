"""The register in git: version 1, decisions, reviews, notices, amendments and their signatures
recorded as commits, refused when the agreement's rules do not allow them, read back exactly,
audited, and the agreement built as in force on any date.

Every test works on a real repository in tmp_path with a fixed author and clock.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from tests.helpers import (
    FIXTURES,
    GIT_ENV,
    RECORDED,
    at,
    copy_agreement,
    edit,
    fixed_git,
    git,
    init_repo,
    normalise,
    pdf_pages,
    run,
)

LIITE_1 = "annexes/liite-1-asettamispaatos.yaml"
LIITE_2 = "annexes/liite-2-kokoonpano.yaml"
LIITE_4 = "annexes/liite-4-palvelut.md"
LIITE_5 = "annexes/liite-5-henkilostoresurssi.yaml"
SECTION_12 = "docs_src/12-voimassaolo-ja-muuttaminen.md"
KELA_HTV = ("malliin on 0,8 htv", "malliin on 1,0 htv")


def kela_to_one(root: Path) -> None:
    """Kela's työkykyneuvoja from 0,8 to 1,0 htv, figures and text alike (Liite 5)."""
    edit(root, LIITE_5, "  - party: kela\n    htv: 0.8", "  - party: kela\n    htv: 1.0")
    edit(root, LIITE_5, "malliin on 0,8 htv", "malliin on 1,0 htv")
    edit(
        root,
        LIITE_5,
        "      - role: työkykyneuvoja\n        htv: 0.8",
        "      - role: työkykyneuvoja\n        htv: 1.0",
    )


def snapshot(root: Path) -> tuple[str, bytes, dict[str, str], list[str]]:
    """HEAD, the index file's bytes, every working-tree file's hash, and every ref."""
    files = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    refs = git(root, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
    index = (root / ".git" / "index").read_bytes()
    return git(root, "rev-parse", "HEAD"), index, files, refs


def approve(capsys: pytest.CaptureFixture[str], root: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run(
        capsys,
        "-C",
        str(root),
        "approve",
        "--body",
        "Johtoryhmä",
        "--date",
        "15.9.2025",
        "--section",
        "4",
        "--effective",
        "1.10.2025",
        "-m",
        "Liite 5: Kelan resurssi 1,0 htv",
        *extra,
    )


def manifest(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def pdf_text(path: Path) -> str:
    return normalise(" ".join(pdf_pages(path.read_bytes())))


# -- approve ------------------------------------------------------------------------------------


def test_approve_commits_only_the_annex_and_leaves_other_work_as_it_was(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    (repo / "muistio.txt").write_text("keskeneräinen\n")
    (repo / "README.md").write_text("staged work\n")
    git(repo, "add", "README.md")
    edit(repo, SECTION_12, "toistaiseksi", "toistaiseksi.")
    git(repo, "stash", "push", "-q", "--", SECTION_12)  # main-text work set aside, not lost
    result = approve(capsys, repo, "--case", "HOLDno-2025-198")
    assert result.code == 0, result.err
    assert "recorded version 2" in result.out
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [LIITE_5]
    assert git(repo, "status", "--porcelain").splitlines() == ["A  README.md", "?? muistio.txt"]
    trailers = git(repo, "log", "-1", "--format=%(trailers:only,unfold)")
    assert trailers.splitlines() == [
        "Tymdocs-Agreement: lansi-pirkanmaa-tym",
        "Tymdocs-Record: decision",
        "Tymdocs-Version: 2",
        "Tymdocs-Date: 2025-09-15",
        "Tymdocs-Effective: 2025-10-01",
        "Tymdocs-Body: Johtoryhmä",
        "Tymdocs-Section: 4",
        "Tymdocs-Case: HOLDno-2025-198",
        "Tymdocs-Parts: annex-5",
    ]
    parsed = subprocess.run(
        ["git", "interpret-trailers", "--parse"],
        input=git(repo, "log", "-1", "--format=%B"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Tymdocs-Body: Johtoryhmä" in parsed
    assert git(repo, "log", "-1", "--format=%s") == "Liite 5: Kelan resurssi 1,0 htv"


def test_approve_stores_the_minutes_extract_with_its_hash(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    kela_to_one(repo)
    minutes = tmp_path / "Pöytäkirjaote 15.9.2025.pdf"
    minutes.write_bytes(b"%PDF-1.7 minutes")
    result = approve(capsys, repo, "--attach", str(minutes))
    assert result.code == 0, result.err
    stored = "records/2025-09-15-johtoryhma-4/poytakirjaote-15-9-2025.pdf"
    assert (repo / stored).read_bytes() == b"%PDF-1.7 minutes"
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()) == [
        LIITE_5,
        stored,
    ]
    digest = hashlib.sha256(b"%PDF-1.7 minutes").hexdigest()
    assert f"Tymdocs-Attachment: {stored} sha256:{digest}" in git(repo, "log", "-1", "--format=%B")
    assert git(repo, "status", "--porcelain") == ""


def test_dry_run_prints_the_commit_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    before = snapshot(repo)
    result = approve(capsys, repo, "--dry-run")
    assert result.code == 0
    assert "Tymdocs-Record: decision" in result.out
    assert f"commits {LIITE_5}" in result.out
    assert snapshot(repo) == before


def assert_refused(
    capsys: pytest.CaptureFixture[str], root: Path, args: list[str], why: str
) -> None:
    """The command exits 1 saying why, and HEAD, index, refs and every file are unchanged."""
    before = snapshot(root)
    result = run(capsys, "-C", str(root), *args)
    assert result.code == 1, result.out + result.err
    assert why in result.err, result.err
    assert "Traceback" not in result.err
    assert snapshot(root) == before


DECISION = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4", "-m", "x"]


def test_refused_when_the_change_touches_the_main_text(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    edit(repo, SECTION_12, "toistaiseksi", "toistaiseksi, kuitenkin")
    assert_refused(
        capsys,
        repo,
        DECISION,
        f"a decision changes the main text ({SECTION_12}), which only an amendment signed by "
        "every party may change (tymdocs amend)",
    )


def test_refused_when_nothing_governed_has_changed(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    (repo / "muistio.txt").write_text("not a source\n")
    assert_refused(
        capsys,
        repo,
        DECISION,
        "a decision record without a change of the agreement's files: edit an annex first, "
        "or record a yearly review with --review N",
    )


@pytest.mark.parametrize(
    ("dates", "why"),
    [
        (
            ["--date", "15.13.2025"],
            "--date: '15.13.2025' is not a date (write 2025-09-15 or 15.9.2025)",
        ),
        (["--date", "2099-01-01"], "dated 1.1.2099, after the day it is recorded ("),
        (
            ["--date", "15.9.2025", "--effective", "2025-09-01"],
            "takes effect 1.9.2025, before its own date 15.9.2025",
        ),
        (
            ["--date", "15.9.2025", "--effective", "syksyllä"],
            "--effective: 'syksyllä' is not a date",
        ),
    ],
)
def test_refused_dates(
    capsys: pytest.CaptureFixture[str], repo: Path, dates: list[str], why: str
) -> None:
    kela_to_one(repo)
    args = ["approve", "--body", "Johtoryhmä", "--section", "4", "-m", "x", *dates]
    assert_refused(capsys, repo, args, why)


def test_refused_when_an_annex_changes_by_notice(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    assert_refused(
        capsys,
        repo,
        DECISION,
        "Liite 2 changes by an organisation's notice (tymdocs notice), not by a decision",
    )


def test_refused_when_liite_1_is_not_decided_by_the_appointing_body(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    edit(repo, LIITE_1, "deputy: Jari Kaijankoski", "deputy: Jari Kaijankoski-Uusi")
    assert_refused(
        capsys,
        repo,
        DECISION,
        "Liite 1 changes only by a decision of Työllisyyslautakunta (tyollisyysalue), "
        "not of Johtoryhmä",
    )
    args = [
        "approve",
        "--body",
        "Työllisyyslautakunta",
        "--date",
        "1.10.2025",
        "--section",
        "9",
        "-m",
        "Varajäsen vaihtuu",
    ]
    assert run(capsys, "-C", str(repo), *args).code == 0


def test_refused_when_check_finds_an_error(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    edit(repo, LIITE_5, "  - party: kela\n    htv: 0.8", "  - party: kela\n    htv: 0.9")
    before = snapshot(repo)
    result = run(capsys, "-C", str(repo), *DECISION)
    assert result.code == 1
    assert f"{LIITE_5}:55: error: htv of Kansaneläkelaitos does not add up" in result.err
    assert "check finds 1 error(s) in the sources: fix them, then record" in result.err
    assert snapshot(repo) == before


def _conflict(root: Path, operation: str) -> None:
    """Leave ``operation`` stopped on a conflict in a file that is not a source."""
    (root / "muistio.txt").write_text("alku\n")
    git(root, "add", "muistio.txt")
    git(root, "commit", "-qm", "Muistio")
    git(root, "checkout", "-q", "-b", "sivu")
    (root / "muistio.txt").write_text("sivuhaara\n")
    git(root, "commit", "-qam", "Sivu")
    git(root, "checkout", "-q", "main")
    (root / "muistio.txt").write_text("päähaara\n")
    git(root, "commit", "-qam", "Pää")
    command = {
        "merge": ["merge", "sivu"],
        "rebase": ["rebase", "sivu"],
        "cherry-pick": ["cherry-pick", "sivu"],
    }[operation]
    done = subprocess.run(
        ["git", *command], cwd=root, env={**os.environ, **GIT_ENV}, capture_output=True
    )
    assert done.returncode != 0


@pytest.mark.parametrize("operation", ["merge", "rebase", "cherry-pick"])
def test_refused_mid_merge_rebase_or_cherry_pick(
    capsys: pytest.CaptureFixture[str], repo: Path, operation: str
) -> None:
    _conflict(repo, operation)
    kela_to_one(repo)
    assert_refused(capsys, repo, DECISION, f"a {operation} is in progress: finish or abort it")


def test_refused_on_a_detached_head(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    kela_to_one(repo)
    assert_refused(capsys, repo, DECISION, "HEAD is detached: check out the branch")


def test_refused_before_version_1_and_when_a_decision_is_older_than_the_last(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    fresh = copy_agreement(tmp_path / "fresh")
    init_repo(fresh, "Sopimus")
    kela_to_one(fresh)
    assert_refused(
        capsys,
        fresh,
        DECISION,
        "no version 1 is recorded: record the agreement as adopted first (tymdocs adopt)",
    )
    kela_to_one(repo)
    assert approve(capsys, repo).code == 0
    (repo / LIITE_4).write_text((repo / LIITE_4).read_text() + "\nUusi kappale.\n")
    older = ["approve", "--body", "Johtoryhmä", "--date", "1.9.2025", "--section", "2", "-m", "x"]
    assert_refused(
        capsys, repo, older, "one body's decisions are recorded in the order they were made"
    )
    again = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4", "-m", "x"]
    assert_refused(capsys, repo, again, "Johtoryhmä 15.9.2025 § 4 is already recorded")


def test_refused_when_an_earlier_commit_changed_the_agreement_without_a_record(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    (repo / LIITE_4).write_text((repo / LIITE_4).read_text() + "\nLisäys.\n")
    git(repo, "commit", "-qam", "Liitteen 4 luonnos")
    kela_to_one(repo)
    assert_refused(
        capsys,
        repo,
        DECISION,
        "(Liitteen 4 luonnos) changed the agreement without "
        "a record: undo it and keep its changes (git reset --soft",
    )


# -- versions in the documents ------------------------------------------------------------------


def test_a_recorded_version_says_so_in_header_footer_cover_and_manifest(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    assert approve(capsys, repo, "--case", "HOLDno-2025-198").code == 0
    head = git(repo, "rev-parse", "HEAD")
    assert run(capsys, "-C", str(repo), "build").code == 0
    out = repo / "build"
    data = manifest(out)
    label = "Versio 2 · Johtoryhmä 15.9.2025 § 4 · voimassa 1.10.2025 alkaen"
    assert data["version"] == label
    assert data["source"]["commit"] == head and data["source"]["draft"] is False
    assert data["record"] == {
        "commit": head,
        "agreement": "lansi-pirkanmaa-tym",
        "kind": "decision",
        "version": 2,
        "date": "2025-09-15",
        "effective": "2025-10-01",
        "body": "Johtoryhmä",
        "section": 4,
        "case": "HOLDno-2025-198",
        "party": None,
        "parts": ["annex-5"],
        "review": None,
        "ends": None,
        "withdraws": None,
        "attachments": [],
        "copies": [],
    }
    pages = pdf_pages((out / "lansi-pirkanmaa-tym.pdf").read_bytes())
    assert all(label in normalise(page) for page in pages)
    text = normalise(" ".join(pages))
    assert "Liite 5 muutettu: Johtoryhmä 15.9.2025 § 4, voimassa 1.10.2025 alkaen." in text
    document = docx.Document(io.BytesIO((out / "lansi-pirkanmaa-tym.docx").read_bytes()))
    assert label in document.sections[0].header.tables[0].rows[0].cells[1].text
    assert label in document.sections[0].footer.paragraphs[0].text
    cover = normalise(
        pdf_pages((out / "lansi-pirkanmaa-tym-allekirjoitus-kela.pdf").read_bytes())[0]
    )
    assert f"Asiakirja {label}" in cover
    assert f"Lähdeversio {head}" in cover


def test_a_change_committed_without_its_record_builds_as_a_draft(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    git(repo, "commit", "-qam", "Ohi rekisterin")
    assert run(capsys, "-C", str(repo), "build", "--no-packages").code == 0
    data = manifest(repo / "build")
    assert data["version"] == "LUONNOS (pohjana versio 1)"
    assert data["source"]["draft"] is True and data["record"] is None
    first = normalise(pdf_pages((repo / "build" / "lansi-pirkanmaa-tym.pdf").read_bytes())[0])
    assert first.startswith("LUONNOS ")


# -- the register -------------------------------------------------------------------------------


def test_a_history_reads_back_exactly(
    capsys: pytest.CaptureFixture[str], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 1, two decisions, a review, a notice and an amendment, as log --json reads them."""
    at(monkeypatch, "2025-09-16T10:00:00+03:00")
    kela_to_one(repo)
    assert approve(capsys, repo).code == 0
    at(monkeypatch, "2025-09-21T10:00:00+03:00")
    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    notice = ["notice", "--party", "kela", "--date", "20.9.2025", "-m", "Kelan jäsen"]
    assert run(capsys, "-C", str(repo), *notice).code == 0
    at(monkeypatch, "2026-01-11T10:00:00+03:00")
    review = [
        "approve",
        "--review",
        "3",
        "--body",
        "Johtoryhmä",
        "--date",
        "10.1.2026",
        "--section",
        "2",
        "-m",
        "Tavoitteet tarkistettu",
    ]
    assert run(capsys, "-C", str(repo), *review).code == 0
    at(monkeypatch, "2026-01-12T10:00:00+03:00")
    (repo / LIITE_4).write_text((repo / LIITE_4).read_text() + "\nUusi palvelu.\n")
    second = [
        "approve",
        "--body",
        "Johtoryhmä",
        "--date",
        "10.1.2026",
        "--section",
        "3",
        "--case",
        "HOLDno-2026-7",
        "-m",
        "Liite 4: uusi palvelu",
    ]
    assert run(capsys, "-C", str(repo), *second).code == 0
    at(monkeypatch, "2026-02-02T10:00:00+03:00")
    edit(repo, SECTION_12, "on voimassa toistaiseksi", "on voimassa toistaiseksi ja sitä")
    amend = ["amend", "--date", "1.2.2026", "--effective", "1.3.2026", "-m", "12 §"]
    assert run(capsys, "-C", str(repo), *amend).code == 0

    commits = git(repo, "log", "--format=%H %s").splitlines()
    ids = {subject: commit for commit, subject in (line.split(" ", 1) for line in commits)}
    result = run(capsys, "-C", str(repo), "log", "--json")
    assert result.code == 0
    empty = {
        "body": None,
        "section": None,
        "case": None,
        "party": None,
        "parts": [],
        "review": None,
        "ends": None,
        "withdraws": None,
        "attachments": [],
        "copies": [],
        "agreement": "lansi-pirkanmaa-tym",
        "version": None,
        "effective": None,
    }
    assert json.loads(result.out) == {
        "agreement": "lansi-pirkanmaa-tym",
        "records": [
            empty
            | {
                "commit": ids["Sopimus allekirjoitettu"],
                "subject": "Sopimus allekirjoitettu",
                "text": "Sopimus allekirjoitettu",
                "kind": "adoption",
                "version": 1,
                "date": "2025-05-01",
                "effective": "2025-05-01",
            },
            empty
            | {
                "commit": ids["Liite 5: Kelan resurssi 1,0 htv"],
                "subject": "Liite 5: Kelan resurssi 1,0 htv",
                "text": "Liite 5: Kelan resurssi 1,0 htv",
                "kind": "decision",
                "version": 2,
                "date": "2025-09-15",
                "effective": "2025-10-01",
                "body": "Johtoryhmä",
                "section": 4,
                "parts": ["annex-5"],
            },
            empty
            | {
                "commit": ids["Kelan jäsen"],
                "subject": "Kelan jäsen",
                "text": "Kelan jäsen",
                "kind": "notice",
                "version": 3,
                "date": "2025-09-20",
                "effective": "2025-09-20",
                "party": "kela",
                "parts": ["annex-2"],
            },
            empty
            | {
                "commit": ids["Tavoitteet tarkistettu"],
                "subject": "Tavoitteet tarkistettu",
                "text": "Tavoitteet tarkistettu",
                "kind": "review",
                "date": "2026-01-10",
                "body": "Johtoryhmä",
                "section": 2,
                "review": 3,
            },
            empty
            | {
                "commit": ids["Liite 4: uusi palvelu"],
                "subject": "Liite 4: uusi palvelu",
                "text": "Liite 4: uusi palvelu",
                "kind": "decision",
                "version": 4,
                "date": "2026-01-10",
                "effective": "2026-01-10",
                "body": "Johtoryhmä",
                "section": 3,
                "case": "HOLDno-2026-7",
                "parts": ["annex-4"],
            },
            empty
            | {
                "commit": ids["12 §"],
                "subject": "12 §",
                "text": "12 §",
                "kind": "amendment",
                "version": 5,
                "date": "2026-02-01",
                "effective": "2026-03-01",
                "parts": ["section-12"],
            },
        ],
    }
    annex_5 = json.loads(run(capsys, "-C", str(repo), "log", "--annex", "5", "--json").out)
    assert [r["kind"] for r in annex_5["records"]] == ["adoption", "decision"]
    kinds = run(capsys, "-C", str(repo), "log", "--kind", "review", "--kind", "notice", "--json")
    assert [r["kind"] for r in json.loads(kinds.out)["records"]] == ["notice", "review"]
    window = run(
        capsys,
        "-C",
        str(repo),
        "log",
        "--since",
        "1.1.2026",
        "--until",
        "2026-01-31",
        "--format",
        "csv",
    )
    assert window.out.splitlines()[0] == "version,date,kind,by,§,case,effective,parts,commit,text"
    assert [line.split(",")[2] for line in window.out.splitlines()[1:]] == ["review", "decision"]
    table = run(capsys, "-C", str(repo), "log").out.splitlines()
    assert table[0].split() == [
        "version",
        "date",
        "kind",
        "by",
        "§",
        "case",
        "effective",
        "parts",
        "commit",
        "text",
    ]
    assert table[2].split()[:6] == ["2", "15.9.2025", "decision", "Johtoryhmä", "4", "1.10.2025"]
    markdown = run(capsys, "-C", str(repo), "log", "--format", "md").out
    assert "| 5 | 1.2.2026 | amendment |  |  |  | 1.3.2026 | 12 § |" in markdown

    audited = run(capsys, "-C", str(repo), "check", "--governance")
    assert audited.code == 0, audited.err
    assert "governance ok: 0 problem(s) in 5 governed commit(s)" in audited.out


# -- check --governance -------------------------------------------------------------------------


def test_check_governance_names_each_commit_and_what_it_lacks(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    git(repo, "commit", "-qam", "Kelan htv ilman päätöstä")
    annex = git(repo, "rev-parse", "HEAD")
    edit(repo, SECTION_12, "toistaiseksi", "toistaiseksi, kuitenkin")
    git(repo, "commit", "-qam", "Pääteksti ilman muutosta")
    main = git(repo, "rev-parse", "HEAD")
    (repo / "muistio.txt").write_text("ei lähde\n")
    git(repo, "add", "muistio.txt")
    git(repo, "commit", "-qm", "Muistio")
    result = run(capsys, "-C", str(repo), "check", "--governance")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{annex[:12]} Kelan htv ilman päätöstä: changes {LIITE_5} without a record: Liite 5 "
        "needs a decision of Johtoryhmä (tymdocs approve)",
        f"{main[:12]} Pääteksti ilman muutosta: changes the main text ({SECTION_12}) without a "
        "record: it needs an amendment signed by every party (tymdocs amend)",
    ]
    assert "governance failed: 2 problem(s) in 2 governed commit(s)" in result.out
    report = json.loads(run(capsys, "-C", str(repo), "check", "--governance", "--json").out)
    assert [f["commit"] for f in report["findings"]] == [annex, main]
    only_last = run(capsys, "-C", str(repo), "check", "--governance", "HEAD~2..HEAD")
    assert only_last.code == 1
    assert only_last.err.splitlines() == [result.err.splitlines()[1]]


def test_check_governance_rejects_a_forged_record(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """A commit whose trailers claim a decision the rules do not allow, written by hand."""
    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    message = (
        "Kokoonpano\n\nTymdocs-Agreement: lansi-pirkanmaa-tym\nTymdocs-Record: decision\n"
        "Tymdocs-Version: 3\nTymdocs-Date: 2025-09-15\nTymdocs-Effective: 2025-09-01\n"
        "Tymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\nTymdocs-Parts: annex-5\n"
    )
    git(repo, "commit", "-qam", message, date=RECORDED)
    result = run(capsys, "-C", str(repo), "check", "--governance")
    assert result.code == 1
    lines = [line.split(": ", 1)[1] for line in result.err.splitlines()]
    assert lines == [
        "takes effect 1.9.2025, before its own date 15.9.2025",
        "records version 3, but the previous version is 1: expected 2",
        "changes Liite 2, which the record does not name in Tymdocs-Parts",
        "names Liite 5 in Tymdocs-Parts but does not change it",
        "Liite 2 changes by an organisation's notice (tymdocs notice), not by a decision",
    ]


def test_check_governance_before_version_1_finds_drafting_needs_no_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CI ``init`` writes runs ``check --governance`` on every push, and on a pull
    request's range: until version 1 is recorded the agreement is being drafted, so a change
    without a record passes (it was exit 2, a fresh repository red until adoption), before and
    after the adoption that ends the drafting; a record made by hand is judged all the same,
    and after version 1 a change without its record fails as before."""
    fixed_git(monkeypatch)
    root = copy_agreement(tmp_path / "unadopted")
    init_repo(root, "Sopimus")
    first = git(root, "rev-parse", "HEAD")
    edit(root, SECTION_12, "toistaiseksi", "toistaiseksi, kuitenkin")
    git(root, "commit", "-qam", "Luonnos: § 12")
    for args in ((), ("HEAD~1..HEAD",), ("--json",)):
        result = run(capsys, "-C", str(root), "check", "--governance", *args)
        assert (result.code, result.err) == (0, ""), result.err
    assert json.loads(result.out) == {
        "ok": True,
        "range": "before version 1 (no version recorded yet: until tymdocs adopt records it, "
        "a change needs no record)",
        "checked": 0,
        "findings": [],
    }
    said = run(capsys, "-C", str(root), "check", "--governance").out
    assert said.startswith("governance ok: 0 problem(s) in 0 governed commit(s) before version 1")

    adopted = run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu")
    assert adopted.code == 0, adopted.err
    pull_request = run(capsys, "-C", str(root), "check", "--governance", f"{first}..HEAD")
    assert pull_request.code == 0, pull_request.err  # the drafting, then version 1
    assert "problem(s) in 1 governed commit(s)" in pull_request.out  # the adoption, judged

    kela_to_one(root)
    git(root, "commit", "-qam", "Kelan htv ilman päätöstä")
    for args in ((), (f"{first}..HEAD",)):
        result = run(capsys, "-C", str(root), "check", "--governance", *args)
        assert result.code == 1
        assert result.err.splitlines() == [
            f"{git(root, 'rev-parse', 'HEAD')[:12]} Kelan htv ilman päätöstä: changes "
            f"{LIITE_5} without a record: Liite 5 needs a decision of Johtoryhmä (tymdocs approve)"
        ]


def test_check_governance_judges_a_record_made_before_version_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = copy_agreement(tmp_path / "unadopted")
    init_repo(root, "Sopimus")
    kela_to_one(root)
    message = (
        "Kelan htv\n\nTymdocs-Agreement: lansi-pirkanmaa-tym\nTymdocs-Record: decision\n"
        "Tymdocs-Version: 2\nTymdocs-Date: 2025-09-15\nTymdocs-Effective: 2025-09-15\n"
        "Tymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\nTymdocs-Parts: annex-5\n"
    )
    git(root, "commit", "-qam", message)
    result = run(capsys, "-C", str(root), "check", "--governance", "HEAD~1..HEAD")
    assert result.code == 1
    assert "Kelan htv: no version 1 is recorded" in result.err
    assert "governance failed: " in result.out and "in 1 governed commit(s)" in result.out


def test_signed_records_when_the_policy_requires_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    fixed_git(monkeypatch)
    root = copy_agreement(tmp_path / "signed")
    edit(root, "tymdocs.yaml", "require_signed_records: false", "require_signed_records: true")
    git(root, "init", "-q", "-b", "main")
    key = tmp_path / "avain"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"koordinaattori@example.fi {(tmp_path / 'avain.pub').read_text()}")
    for name, value in (
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("gpg.ssh.allowedSignersFile", str(allowed)),
    ):
        git(root, "config", name, value)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Sopimus")
    assert run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu").code == 0
    kela_to_one(root)
    assert approve(capsys, root).code == 0
    git(root, "verify-commit", "HEAD")  # approve signed it, and git accepts the signature
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0

    (root / LIITE_4).write_text((root / LIITE_4).read_text() + "\nLisäys.\n")
    forged = (
        "Käsin\n\nTymdocs-Agreement: lansi-pirkanmaa-tym\nTymdocs-Record: decision\n"
        "Tymdocs-Version: 3\nTymdocs-Date: 2025-09-16\nTymdocs-Effective: 2025-09-16\n"
        "Tymdocs-Body: Johtoryhmä\nTymdocs-Section: 5\nTymdocs-Parts: annex-4\n"
    )
    git(root, "-c", "commit.gpgsign=false", "commit", "-qam", forged, date=RECORDED)
    result = run(capsys, "-C", str(root), "check", "--governance")
    assert result.code == 1
    assert result.err.strip().endswith(
        "Käsin: the record is unsigned, and the policy requires signed records"
    )
    # the rules in force say so, not the working tree: a local edit switches nothing off
    edit(root, "tymdocs.yaml", "require_signed_records: true", "require_signed_records: false")
    again = run(capsys, "-C", str(root), "check", "--governance")
    assert again.code == 1 and again.err == result.err


# -- in force on a date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "htv", "note"),
    [("30.9.2025", "0,8", False), ("2025-10-01", "1,0", True), ("2.10.2025", "1,0", True)],
)
def test_build_at_the_day_before_on_and_after_an_effective_date(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path, day: str, htv: str, note: bool
) -> None:
    kela_to_one(repo)
    assert approve(capsys, repo).code == 0
    out = tmp_path / "voimassa"
    result = run(capsys, "-C", str(repo), "build", "--at", day, "-o", str(out))
    assert result.code == 0, result.err
    text = pdf_text(out / "lansi-pirkanmaa-tym.pdf")
    assert f"malliin on {htv} htv" in text
    written = "Liite 5 muutettu: Johtoryhmä 15.9.2025 § 4, voimassa 1.10.2025 alkaen."
    assert (written in text) is note
    data = manifest(out)
    assert data["version"].startswith("Voimassa ")
    assert data["record"]["parts"] == ({"main-text": 1, "annex-5": 2} if note else {"main-text": 1})
    assert sorted(p.name for p in out.iterdir()) == [
        "lansi-pirkanmaa-tym.docx",
        "lansi-pirkanmaa-tym.pdf",
        "manifest.json",
    ]
    again = run(
        capsys, "-C", str(repo), *data["regenerate"].split()[1:], "-o", str(tmp_path / "re")
    )
    assert again.code == 0
    assert (tmp_path / "re" / "lansi-pirkanmaa-tym.pdf").read_bytes() == (
        out / "lansi-pirkanmaa-tym.pdf"
    ).read_bytes()
    checked = run(capsys, "-C", str(repo), "check", "--at", day)
    assert checked.code == 0
    assert "in the agreement in force on" in checked.out


def test_a_date_outside_the_agreement_is_an_error(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    before = run(capsys, "-C", str(repo), "build", "--at", "30.4.2025")
    assert before.code == 2
    assert "30.4.2025 is before version 1, in force from 1.5.2025" in before.err
    notice = ["notice", "--termination", "--party", "kela", "--date", "31.3.2026", "-m", "Irti"]
    assert run(capsys, "-C", str(repo), *notice).code == 0
    assert "Tymdocs-Ends: 2026-09-30" in git(repo, "log", "-1", "--format=%B")
    assert run(capsys, "-C", str(repo), "check", "--at", "30.9.2026").code == 0
    after = run(capsys, "-C", str(repo), "build", "--at", "1.10.2026")
    assert after.code == 2
    assert "it ended on 30.9.2026 after a termination notice" in after.err
    bad = run(capsys, "-C", str(repo), "build", "--at", "31.2.2026")
    assert bad.code == 2 and "'31.2.2026' is not a date" in bad.err


# -- amendments ---------------------------------------------------------------------------------


def test_an_amendment_is_in_force_only_once_fully_signed(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.pki import make_pki, sign

    at(monkeypatch, "2026-02-02T10:00:00+03:00")
    edit(repo, SECTION_12, "on voimassa toistaiseksi", "on voimassa toistaiseksi, ja sitä")
    amend = ["amend", "--date", "1.2.2026", "--effective", "1.3.2026", "-m", "12 §: voimassaolo"]
    assert run(capsys, "-C", str(repo), *amend).code == 0
    proposal = git(repo, "rev-parse", "HEAD")
    assert run(capsys, "-C", str(repo), "build").code == 0
    label = manifest(repo / "build")["version"]
    # The label says the same before and after signing: the signed package stays as it was.
    assert label == (
        "Versio 2 · Sopimusmuutos 1.2.2026 · voimaan 1.3.2026, kun kaikki osapuolet ovat "
        "allekirjoittaneet"
    )

    later = tmp_path / "later"
    assert run(capsys, "-C", str(repo), "build", "--at", "1.6.2026", "-o", str(later)).code == 0
    assert "ja sitä" not in pdf_text(later / "lansi-pirkanmaa-tym.pdf")
    status = json.loads(run(capsys, "-C", str(repo), "status", "--json").out)
    assert status["awaiting_signatures"] == [
        {
            "version": 2,
            "date": "2026-02-01",
            "commit": proposal,
            "missing": [
                "Läntisen Pirkanmaan työllisyysalue: allekirjoittaja nimetään myöhemmin",
                "Pirkanmaan hyvinvointialue: Mika Kontio, konsernijohtaja",
                "Kansaneläkelaitos: Tommi Hallikainen, palveluyksikön johtaja",
                "Kansaneläkelaitos: Heikki Heilä, ratkaisukeskuksen päällikkö",
            ],
            "fully_signed": False,
            "signatories": [],  # no copies given: no round to show signatory by signatory
            "keep": [],
        }
    ]

    pki = make_pki(tmp_path / "pki")
    data = manifest(repo / "build")
    people = {field: pki.issue(name) for field, name in data["outputs"][2]["signatories"].items()}
    people["sig-tyollisyysalue-1"] = pki.issue("Sastamalan allekirjoittaja")
    copies = []
    for entry in data["outputs"]:
        if entry["kind"] != "signature-package":
            continue
        signed = (repo / "build" / entry["path"]).read_bytes()
        for field in entry["fields"]:
            if field == "sig-kela-2":
                continue  # Heikki Heilä has not signed yet
            signed = sign(signed, field, people[field], pki)
        path = tmp_path / f"signed-{entry['party']}.pdf"
        path.write_bytes(signed)
        copies.append(path)
    record = ["amend", "--signed", "--date", "20.2.2026", *map(str, copies), "--keep"]
    assert_refused(capsys, repo, record, "version 2 is not fully signed")
    so_far = run(capsys, "-C", str(repo), "status", "--json", *map(str, copies))
    assert json.loads(so_far.out)["awaiting_signatures"][0]["missing"] == [
        "Kansaneläkelaitos: Heikki Heilä, ratkaisukeskuksen päällikkö"
    ]
    refused = run(capsys, "-C", str(repo), *DECISION)
    assert refused.code == 1
    assert "version 2 (the amendment of 1.2.2026) awaits signatures" in refused.err

    kela = tmp_path / "signed-kela.pdf"
    kela.write_bytes(sign(kela.read_bytes(), "sig-kela-2", people["sig-kela-2"], pki))
    at(monkeypatch, "2026-02-21T10:00:00+03:00")
    git(repo, "tag", "lansi-pirkanmaa-tym-versio-2", "HEAD~1")  # someone was there first
    assert_refused(capsys, repo, record, "the tag lansi-pirkanmaa-tym-versio-2 already exists")
    git(repo, "tag", "-d", "lansi-pirkanmaa-tym-versio-2")
    result = run(capsys, "-C", str(repo), *record, "--trust", str(pki.root))
    assert result.code == 0, result.err
    assert "tagged lansi-pirkanmaa-tym-versio-2" in result.out
    assert git(repo, "rev-parse", "lansi-pirkanmaa-tym-versio-2") == proposal
    message = git(repo, "log", "-1", "--format=%B")
    for path in copies:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        party = path.stem.removeprefix("signed-")
        kept = f"records/versio-2/{party}.pdf"
        assert f"Tymdocs-Signed-Copy: {party} sha256:{digest} {kept}" in message
        assert (repo / kept).read_bytes() == path.read_bytes()
    assert "Tymdocs-Date: 2026-02-20" in message

    in_force = tmp_path / "in-force"
    assert run(capsys, "-C", str(repo), "build", "--at", "1.6.2026", "-o", str(in_force)).code == 0
    text = pdf_text(in_force / "lansi-pirkanmaa-tym.pdf")
    assert "ja sitä" in text
    assert "12 § muutettu: Sopimusmuutos 1.2.2026, voimassa 1.3.2026 alkaen." in text
    before_effective = tmp_path / "before"
    assert (
        run(capsys, "-C", str(repo), "build", "--at", "28.2.2026", "-o", str(before_effective)).code
        == 0
    )
    assert "ja sitä" not in pdf_text(before_effective / "lansi-pirkanmaa-tym.pdf")
    assert (
        json.loads(run(capsys, "-C", str(repo), "status", "--json").out)["awaiting_signatures"]
        == []
    )
    rebuilt = tmp_path / "rebuilt"
    assert run(capsys, "-C", str(repo), "build", "-o", str(rebuilt)).code == 0
    assert manifest(rebuilt)["version"] == label  # the signed version's label does not move
    assert run(capsys, "-C", str(repo), "check", "--governance").code == 0


def test_an_amendment_needs_a_change_of_the_main_text(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    args = ["amend", "--date", "1.2.2026", "-m", "x"]
    assert_refused(capsys, repo, args, "an amendment that does not change the main text")


# -- status -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state", "code"),
    [("2026-03-01", "ok", 0), ("30.4.2026", "soon", 0), ("2026-05-02", "OVERDUE", 1)],
)
def test_status_deadlines_on_fixed_dates(
    capsys: pytest.CaptureFixture[str], repo: Path, today: str, state: str, code: int
) -> None:
    result = run(capsys, "-C", str(repo), "status", "--today", today, "--json", "--fail-on-overdue")
    assert result.code == code
    deadlines = {d["what"][:29]: d for d in json.loads(result.out)["deadlines"]}
    assert deadlines["yearly review of Liite 5 (HEN"]["due"] == "2026-05-01"
    assert deadlines["yearly review of Liite 5 (HEN"]["state"] == state
    assert deadlines["yearly review of Liite 3 (TAV"]["due"] == "2026-05-01"
    # appointed 20.1.2025 for five years: the term's last day is the day before the anniversary
    assert deadlines["the steering group's 5-year t"]["due"] == "2030-01-19"


def test_yearly_reviews_fall_due_only_once_version_1_is_recorded(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A draft (never adopted) has no review duty, however late; once adopted the duty
    counts from version 1's effective date (1.5.2025): due 1.5.2026, overdue the day after."""

    def reviews(today: str) -> tuple[int, dict[str, tuple[str, str]]]:
        args = ("status", "--today", today, "--json", "--fail-on-overdue")
        result = run(capsys, "-C", str(seed_repo), *args)
        found = json.loads(result.out)["deadlines"]
        due = {d["what"][:29]: (d["due"], d["state"]) for d in found if "review" in d["what"]}
        return result.code, due

    for today in ("2026-05-02", "2026-12-07", "2029-12-31", "2030-06-01"):
        assert reviews(today) == (0, {}), today  # 2030: after the steering group's term too
    text = run(capsys, "-C", str(seed_repo), "status", "--today", "2026-12-07").out
    assert "yearly review" not in text
    assert "OVERDUE" not in text

    fixed_git(monkeypatch)
    at(monkeypatch, "2025-05-01T12:00:00+03:00")
    assert run(capsys, "-C", str(seed_repo), "adopt", "-m", "Sopimus allekirjoitettu").code == 0
    for today, state, code in [
        ("2026-04-30", "soon", 0),
        ("2026-05-01", "soon", 0),
        ("2026-05-02", "OVERDUE", 1),
    ]:
        assert reviews(today) == (
            code,
            {
                "yearly review of Liite 3 (TAV": ("2026-05-01", state),
                "yearly review of Liite 5 (HEN": ("2026-05-01", state),
            },
        ), today


def test_status_counts_from_the_last_review_and_lists_what_waits(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    review = [
        "approve",
        "--review",
        "5",
        "--body",
        "Johtoryhmä",
        "--date",
        "28.4.2026",
        "--section",
        "7",
        "-m",
        "Liite 5 tarkistettu",
    ]
    assert run(capsys, "-C", str(repo), *review).code == 0
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == ""  # an empty commit
    notice = [
        "notice",
        "--termination",
        "--party",
        "hyvinvointialue",
        "--date",
        "31.8.2026",
        "-m",
        "Irtisanominen",
    ]
    assert run(capsys, "-C", str(repo), *notice).code == 0
    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    edit(repo, SECTION_12, "toistaiseksi", "toistaiseksi, kuitenkin")
    result = run(capsys, "-C", str(repo), "status", "--today", "2026-09-01", "--json")
    report = json.loads(result.out)
    assert report["pending"] == [
        {
            "part": "main text",
            "paths": [SECTION_12],
            "needs": "an amendment signed by every party (tymdocs amend)",
        },
        {
            "part": "Liite 2",
            "paths": [LIITE_2],
            "needs": "an organisation's notice (tymdocs notice)",
        },
    ]
    due = {d["what"][:29]: (d["due"], d["state"]) for d in report["deadlines"]}
    assert due["yearly review of Liite 5 (HEN"] == ("2027-04-28", "ok")
    assert due["yearly review of Liite 3 (TAV"] == ("2026-05-01", "OVERDUE")
    assert due["the agreement ends after a te"] == ("2027-02-28", "ok")
    text = run(capsys, "-C", str(repo), "status", "--today", "2026-09-01").out
    assert "Liite 2 (annexes/liite-2-kokoonpano.yaml): needs an organisation's notice" in text


# -- two agreements -----------------------------------------------------------------------------


def test_two_agreements_in_one_repository_do_not_move_each_other(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed_git(monkeypatch)
    top = tmp_path / "sopimukset"
    west = copy_agreement(top / "lansi")
    lakes = copy_agreement(top / "jarviseutu", FIXTURES / "kuvitteellinen")
    init_repo(top, "Kaksi sopimusta")
    assert run(capsys, "-C", str(west), "adopt", "-m", "Länsi").code == 0
    assert run(capsys, "-C", str(lakes), "adopt", "-m", "Järviseutu").code == 0
    assert run(capsys, "-C", str(lakes), "build", "-o", str(tmp_path / "before")).code == 0

    kela_to_one(west)
    assert approve(capsys, west).code == 0
    assert run(capsys, "-C", str(lakes), "build", "-o", str(tmp_path / "after")).code == 0
    for name in ("jarviseutu-tym-2026.pdf", "jarviseutu-tym-2026.docx", "manifest.json"):
        assert (tmp_path / "before" / name).read_bytes() == (tmp_path / "after" / name).read_bytes()
    assert manifest(tmp_path / "after")["version"] == "Versio 1 · voimassa 1.1.2026 alkaen"
    assert manifest(tmp_path / "after")["regenerate"].startswith("tymdocs -C jarviseutu build")
    west_log = json.loads(run(capsys, "-C", str(west), "log", "--json").out)["records"]
    lakes_log = json.loads(run(capsys, "-C", str(lakes), "log", "--json").out)["records"]
    assert [(r["kind"], r["version"]) for r in west_log] == [("adoption", 1), ("decision", 2)]
    assert [(r["kind"], r["version"]) for r in lakes_log] == [("adoption", 1)]
    assert run(capsys, "-C", str(lakes), "check", "--governance").code == 0
    assert run(capsys, "-C", str(west), "check", "--governance").code == 0
    # the other agreement's annex changes by notice; the same decision is refused there
    edit(lakes, "annexes/kokoonpano.yaml", "Jussi Jokela}", "Jussi Järvi}")
    refused = run(
        capsys,
        "-C",
        str(lakes),
        "approve",
        "--body",
        "Ohjausryhmä",
        "--date",
        "15.9.2026",
        "--section",
        "1",
        "-m",
        "x",
    )
    assert refused.code == 1 and "Liite 1 changes by an organisation's notice" in refused.err


def test_ci_examples_call_commands_that_exist(capsys: pytest.CaptureFixture[str]) -> None:
    import shlex

    from tests.helpers import ROOT

    examples = sorted((ROOT / "ci").glob("*.yml"))
    assert [p.name for p in examples] == ["github-actions.yml", "gitlab-ci.yml"]
    for example in examples:
        commands = [
            line[line.index("tymdocs ") :]
            for line in example.read_text().splitlines()
            if "tymdocs " in line and not line.strip().startswith("#") and "pip " not in line
        ]
        assert any("check --governance" in c for c in commands), example.name
        assert any("status --fail-on-overdue" in c for c in commands), example.name
        for command in commands:
            # a range from CI variables is a value the real command gets; --help checks the rest
            words = [w for w in shlex.split(command)[1:] if "$" not in w]
            result = run(capsys, *words, "--help")
            assert result.code == 0, f"{example.name}: {command}: {result.err}"


# -- what a review found: each as a regression test ---------------------------------------------


@pytest.mark.parametrize(
    ("message", "why"),
    [
        ("   ", "-m is empty"),
        ("Päätös\n---\nloput", "-m has a line starting with '---', which would hide the record"),
    ],
)
def test_refused_messages_that_would_hide_the_record(
    capsys: pytest.CaptureFixture[str], repo: Path, message: str, why: str
) -> None:
    kela_to_one(repo)
    args = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4", "-m"]
    assert_refused(capsys, repo, [*args, message], why)


def test_refused_when_a_change_would_take_effect_before_an_earlier_one(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    assert approve(capsys, repo, "--effective", "1.11.2025").code == 0
    edit(repo, LIITE_5, "(työkykyneuvoja)", "(työkykyneuvoja, Kela)")
    early = [
        "approve",
        "--body",
        "Johtoryhmä",
        "--date",
        "20.9.2025",
        "--section",
        "5",
        "--effective",
        "1.10.2025",
        "-m",
        "Tarkennus",
    ]
    assert_refused(
        capsys,
        repo,
        early,
        "Liite 5 changes from 1.11.2025 by version 2: a later "
        "record cannot take effect before it (1.10.2025)",
    )


def test_a_pending_amendment_blocks_other_versions_until_withdrawn(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    edit(repo, SECTION_12, "on voimassa toistaiseksi", "on voimassa toistaiseksi, ja sitä")
    amend = ["amend", "--date", "1.2.2026", "--effective", "1.3.2026", "-m", "12 §"]
    assert run(capsys, "-C", str(repo), *amend).code == 0
    proposal = git(repo, "rev-parse", "HEAD")
    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    notice = ["notice", "--party", "kela", "--date", "2.2.2026", "-m", "Jäsen"]
    assert_refused(
        capsys,
        repo,
        notice,
        "version 2 (the amendment of 1.2.2026) awaits "
        "signatures: record them first (tymdocs amend --signed), or withdraw it",
    )
    git(repo, "checkout", "--", LIITE_2)
    withdraw = ["amend", "--withdraw", "--date", "5.3.2026", "-m", "Muutos peruttu"]
    assert_refused(capsys, repo, withdraw, "the sources are not as they were before version 2")

    git(repo, "checkout", f"{proposal}~1", "--", SECTION_12)
    result = run(capsys, "-C", str(repo), *withdraw)
    assert result.code == 0, result.err
    assert "Tymdocs-Withdraws: 2" in git(repo, "log", "-1", "--format=%B")
    assert (
        json.loads(run(capsys, "-C", str(repo), "status", "--json").out)["awaiting_signatures"]
        == []
    )
    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    assert run(capsys, "-C", str(repo), *notice).code == 0
    assert "Tymdocs-Version: 4" in git(repo, "log", "-1", "--format=%B")
    kinds = json.loads(run(capsys, "-C", str(repo), "log", "--json").out)["records"]
    assert [(r["kind"], r["version"]) for r in kinds] == [
        ("adoption", 1),
        ("amendment", 2),
        ("withdrawal", 3),
        ("notice", 4),
    ]
    out = tmp_path / "later"
    assert run(capsys, "-C", str(repo), "build", "--at", "1.6.2026", "-o", str(out)).code == 0
    text = pdf_text(out / "lansi-pirkanmaa-tym.pdf")
    assert "ja sitä" not in text and "12 § muutettu" not in text
    assert "Liite 2 muutettu: Ilmoitus 2.2.2026 (Kansaneläkelaitos)" in text
    assert run(capsys, "-C", str(repo), "check", "--governance").code == 0


def test_a_merge_of_two_recorded_branches_builds_as_a_draft(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    git(repo, "checkout", "-q", "-b", "ilmoitus")
    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    notice = ["notice", "--party", "kela", "--date", "20.9.2025", "-m", "Jäsen"]
    assert run(capsys, "-C", str(repo), *notice).code == 0
    git(repo, "checkout", "-q", "main")
    kela_to_one(repo)
    assert approve(capsys, repo).code == 0
    git(repo, "merge", "-q", "--no-edit", "ilmoitus", date=RECORDED)
    assert run(capsys, "-C", str(repo), "build", "--no-packages").code == 0
    assert manifest(repo / "build")["version"] == "LUONNOS (pohjana versio 2)"
    audited = run(capsys, "-C", str(repo), "check", "--governance")
    assert audited.code == 1
    assert "records version 2, but the previous version is 2: expected 3" in audited.err


def test_hostile_commit_text_is_a_finding_not_a_crash(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    (repo / LIITE_4).write_text((repo / LIITE_4).read_text() + "\nLisäys.\n")
    subject = "Päätös \x1e\x1f \x1b[2J"
    trailers = (
        "Tymdocs-Agreement: lansi-pirkanmaa-tym\nTymdocs-Record: decision\n"
        "Tymdocs-Version: 2\nTymdocs-Date: 20250915\nTymdocs-Effective: 2025-09-15\n"
        "Tymdocs-Body: Johtoryhmä\nTymdocs-Section: ²\nTymdocs-Parts: annex-4\n"
    )
    git(repo, "commit", "-qam", f"{subject}\n\n{trailers}", date=RECORDED)
    logged = run(capsys, "-C", str(repo), "log", "--json")
    assert logged.code == 0 and len(json.loads(logged.out)["records"]) == 1
    assert run(capsys, "-C", str(repo), "status", "--json").code == 0
    result = run(capsys, "-C", str(repo), "check", "--governance")
    assert result.code == 1
    assert "Tymdocs-Date: '20250915' is not a date (YYYY-MM-DD)" in result.err
    assert "Tymdocs-Section: '²' is not a positive whole number" in result.err
    assert "\x1b" not in result.err and "\\x1b[2J" in result.err


def test_check_governance_holds_every_record_to_its_rule(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Hand-written records that look right but break a rule, one commit each."""
    head = "Tymdocs-Agreement: lansi-pirkanmaa-tym\n"

    def commit(subject: str, trailers: str, allow_empty: bool = False) -> None:
        extra = ["--allow-empty"] if allow_empty else []
        git(repo, "commit", "-qa", *extra, "-m", f"{subject}\n\n{head}{trailers}", date=RECORDED)

    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    commit(
        "Ilmoitus",
        "Tymdocs-Record: notice\nTymdocs-Version: 2\nTymdocs-Date: 2025-09-20\n"
        "Tymdocs-Effective: 2025-09-20\nTymdocs-Party: nobody\nTymdocs-Parts: annex-2",
    )
    commit(
        "Irtisanominen",
        "Tymdocs-Record: termination\nTymdocs-Date: 2026-03-31\n"
        "Tymdocs-Party: kela\nTymdocs-Ends: 2026-04-01",
        allow_empty=True,
    )
    kela_to_one(repo)
    decision = (
        "Tymdocs-Record: decision\nTymdocs-Version: {v}\nTymdocs-Date: 2025-09-15\n"
        "Tymdocs-Effective: 2025-09-15\nTymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\n"
        "Tymdocs-Parts: annex-{n}"
    )
    commit("Päätös", decision.format(v=3, n=5))
    (repo / LIITE_4).write_text((repo / LIITE_4).read_text() + "\nLisäys.\n")
    commit("Sama päätös", decision.format(v=4, n=4))
    edit(repo, SECTION_12, "toistaiseksi", "toistaiseksi, kuitenkin")
    commit(
        "Muutos",
        "Tymdocs-Record: amendment\nTymdocs-Version: 5\nTymdocs-Date: 2026-02-01\n"
        "Tymdocs-Effective: 2026-02-01\nTymdocs-Parts: section-1",
    )
    result = run(capsys, "-C", str(repo), "check", "--governance")
    assert result.code == 1
    first = git(repo, "rev-parse", "HEAD~2")[:12]
    assert [line.split(": ", 1)[1] for line in result.err.splitlines()] == [
        "party 'nobody' is not a party of the agreement (tyollisyysalue, hyvinvointialue, kela)",
        "ends 1.4.2026, but 6 months after the notice of 31.3.2026 is 30.9.2026 (the notice "
        "period in force that day)",
        f"Johtoryhmä 15.9.2025 § 4 is already recorded (commit {first})",
        "changes 12 § of the main text, but the record names 1 §",
    ]


def test_a_body_typed_in_decomposed_unicode_is_the_same_body(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    import unicodedata

    kela_to_one(repo)
    decomposed = unicodedata.normalize("NFD", "johtoryhmä")
    assert decomposed != "johtoryhmä"
    args = ["approve", "--body", decomposed, "--date", "15.9.2025", "--section", "4", "-m", "x"]
    assert run(capsys, "-C", str(repo), *args).code == 0
    assert "Tymdocs-Body: Johtoryhmä\n" in git(repo, "log", "-1", "--format=%B")


def test_notice_and_termination_refusals(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    kela_to_one(repo)
    notice = ["notice", "--party", "kela", "--date", "20.9.2025", "-m", "x"]
    assert_refused(
        capsys,
        repo,
        notice,
        "Liite 5 changes by a decision of Johtoryhmä (tymdocs approve), not by a notice",
    )
    git(repo, "checkout", "--", LIITE_5)
    edit(repo, SECTION_12, "toistaiseksi", "toistaiseksi, kuitenkin")
    assert_refused(capsys, repo, notice, "a notice changes the main text")
    git(repo, "checkout", "--", SECTION_12)
    edit(repo, LIITE_2, "Sari Mäkinen", "Sari Mäkinen-Koski")
    unknown = ["notice", "--party", "sastamala", "--date", "20.9.2025", "-m", "x"]
    assert_refused(
        capsys,
        repo,
        unknown,
        "party 'sastamala' is not a party of the agreement (tyollisyysalue, hyvinvointialue, kela)",
    )
    terminate = ["notice", "--termination", "--party", "kela", "--date", "31.3.2026", "-m", "x"]
    assert run(capsys, "-C", str(repo), *terminate).code == 0
    assert_refused(capsys, repo, terminate, "the agreement is already terminated")
    review = [
        "approve",
        "--review",
        "9",
        "--body",
        "Johtoryhmä",
        "--date",
        "1.4.2026",
        "--section",
        "1",
        "-m",
        "x",
    ]
    assert_refused(capsys, repo, review, "there is no Liite 9 to review")


def test_a_record_never_writes_through_a_symbolic_link(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "records").symlink_to(outside)
    minutes = tmp_path / "ote.pdf"
    minutes.write_bytes(b"%PDF minutes")
    kela_to_one(repo)
    assert_refused(
        capsys,
        repo,
        [*DECISION, "--attach", str(minutes)],
        "records is not a folder tymdocs writes into",
    )
    assert list(outside.iterdir()) == []


def test_adopt_before_the_effective_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tymdocs.locale import today

    fixed_git(monkeypatch)
    root = copy_agreement(tmp_path / "future")
    edit(root, "tymdocs.yaml", "effective_date: 2025-05-01", "effective_date: 2099-01-01")
    edit(root, SECTION_12, "tulee voimaan 1.5.2025", "tulee voimaan 1.1.2099")
    init_repo(root, "Sopimus")
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{today().isoformat()}T23:00:00+02:00")
    result = run(capsys, "-C", str(root), "adopt", "-m", "Allekirjoitettu")
    assert result.code == 0, result.err
    message = git(root, "log", "-1", "--format=%B")
    assert f"Tymdocs-Date: {today().isoformat()}" in message
    assert "Tymdocs-Effective: 2099-01-01" in message


def test_an_agreement_at_the_top_and_another_in_a_subfolder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed_git(monkeypatch)
    top = copy_agreement(tmp_path / "repo")
    nested = copy_agreement(top / "toinen", FIXTURES / "kuvitteellinen")
    init_repo(top, "Kaksi sopimusta")
    assert run(capsys, "-C", str(top), "adopt", "-m", "Ylin").code == 0
    assert run(capsys, "-C", str(nested), "adopt", "-m", "Sisempi").code == 0
    assert run(capsys, "-C", str(nested), "build", "-o", str(tmp_path / "a")).code == 0
    kela_to_one(top)
    assert approve(capsys, top).code == 0
    assert run(capsys, "-C", str(nested), "build", "-o", str(tmp_path / "b")).code == 0
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (
        tmp_path / "b" / "manifest.json"
    ).read_bytes()
    assert run(capsys, "-C", str(top), "check", "--governance").code == 0
    assert run(capsys, "-C", str(nested), "check", "--governance").code == 0


def test_dates_are_finnish_dates_whatever_the_machine_s_time_zone() -> None:
    import datetime as dt

    from tymdocs.locale import local_date

    late = dt.datetime(2025, 12, 31, 22, 30, tzinfo=dt.UTC)  # 0.30 on New Year's Day in Helsinki
    assert local_date(late) == dt.date(2026, 1, 1)
    assert local_date(late.replace(tzinfo=None)) == dt.date(2026, 1, 1)  # naive: taken as UTC
    summer = dt.datetime(2026, 6, 30, 21, 0, tzinfo=dt.UTC)  # EEST, UTC+3
    assert local_date(summer) == dt.date(2026, 7, 1)
