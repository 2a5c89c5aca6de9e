"""Many agreements at once: ``build --all``, ``check --all`` and ``status --all`` over a folder
of five agreement repositories, one of them broken, and the overview they write."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FIXTURES, GIT_ENV, SEED, copy_agreement, edit, init_repo, run
from tests.test_governance import kela_to_one

HOSTILE = '<script>alert("x")</script> & <b>Alue</b>'
"""An area name as someone might write it; the overview must show it as text."""
GOOD = ("adopted", "hostile", "kunnat/kuvitteellinen", "svenska")
BROKEN = "rikki"
TODAY = "2025-09-01"
AMENDED = "2025-06-01T12:00:00+03:00"
Built = tuple[Path, subprocess.CompletedProcess[str]]


def _tymdocs(cwd: Path, *args: str, date: str | None = None) -> subprocess.CompletedProcess[str]:
    """``tymdocs args`` as a process of its own, with the tests' fixed author and clock."""
    env = {**os.environ, **GIT_ENV}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(
        [sys.executable, "-m", "tymdocs", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory, adopted_template: Path) -> Path:
    """Five agreements under one folder, each a git repository of its own:

    - ``adopted``: the seed, version 1 in force from 1.5.2025, Liite 5 changed and not recorded;
    - ``hostile``: the same with an area name full of markup, an amendment awaiting signatures;
    - ``kunnat/kuvitteellinen``: another agreement, one folder deeper, never adopted;
    - ``svenska``: an agreement in Swedish, never adopted;
    - ``rikki``: the seed with a ``tymdocs.yaml`` that is not YAML.

    And folders no search may enter: a ``tymdocs.yaml`` under each is no agreement."""
    root = tmp_path_factory.mktemp("fleet")
    adopted = root / "adopted"
    shutil.copytree(adopted_template, adopted, symlinks=True)
    kela_to_one(adopted)
    hostile = root / "hostile"
    shutil.copytree(adopted_template, hostile, symlinks=True)
    edit(hostile, "tymdocs.yaml", "area: Läntisen Pirkanmaan työllisyysalue", f"area: '{HOSTILE}'")
    amended = _tymdocs(hostile, "amend", "--date", "1.6.2025", "-m", "Alue", date=AMENDED)
    assert amended.returncode == 0, amended.stderr
    init_repo(copy_agreement(root / "kunnat" / "kuvitteellinen", FIXTURES / "kuvitteellinen"))
    init_repo(copy_agreement(root / "svenska", FIXTURES / "svenska"))
    broken = copy_agreement(root / BROKEN)
    with (broken / "tymdocs.yaml").open("a", encoding="utf-8") as file:
        file.write("municipalities: [Sastamala\n")
    init_repo(broken)
    for skipped in ("node_modules/paketti", ".venv", "build/vanha", "adopted/docs_src/sisalla"):
        (root / skipped).mkdir(parents=True, exist_ok=True)
        (root / skipped / "tymdocs.yaml").write_text("id: [ei sopimus\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def built_fleet(fleet: Path) -> Built:
    """``tymdocs build --all`` over the fleet, once, as a process of its own."""
    return fleet, _tymdocs(fleet, "build", "--all", ".")


def _overview(folder: Path) -> dict[str, Any]:
    data = json.loads((folder / "overview.json").read_text(encoding="utf-8"))
    return {result["path"]: result for result in data["results"]}


def test_build_all_builds_every_good_agreement_as_a_single_build_would(
    built_fleet: Built,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    root, done = built_fleet
    assert done.returncode == 1, done.stderr
    assert f"Error: {BROKEN}: tymdocs.yaml:" in done.stderr
    assert "YAML syntax error" in done.stderr
    assert "4 of 5 agreement(s) ok, 1 failed" in done.stdout
    assert not (root / BROKEN / "build").exists()
    for name in GOOD:
        repo = root / name
        single = tmp_path / name.replace("/", "-")
        assert run(capsys, "-C", str(repo), "build", "-q", "-o", str(single)).code == 0
        manifest = (repo / "build" / "manifest.json").read_bytes()
        assert manifest == (single / "manifest.json").read_bytes(), name
        for entry in json.loads(manifest)["outputs"]:
            path = entry["path"]
            assert (repo / "build" / path).read_bytes() == (single / path).read_bytes(), path
    for skipped in ("node_modules/paketti", ".venv", "adopted/docs_src/sisalla"):
        assert not (root / skipped / "build").exists()


def test_build_all_overview_json(built_fleet: Built) -> None:
    root, _done = built_fleet
    data = json.loads((root / "build" / "overview" / "overview.json").read_text("utf-8"))
    assert (data["command"], data["agreements"], data["failed"]) == ("build", 5, 1)
    results = _overview(root / "build" / "overview")
    assert sorted(results) == sorted([*GOOD, BROKEN])
    broken = results[BROKEN]
    assert broken["ok"] is False and broken["result"] is None
    assert broken["error"]["message"].startswith("tymdocs.yaml:")
    assert broken["status"] is None and broken["status_error"]
    adopted = results["adopted"]
    assert adopted["ok"] is True and adopted["id"] == "lansi-pirkanmaa-tym"
    built = adopted["result"]
    assert built["files"] == 10 and built["pdf"] == "build/lansi-pirkanmaa-tym.pdf"
    summary = adopted["summary"]
    assert summary["in_force"]["version"] == 1
    assert summary["pending"] == [
        {"part": "Liite 5", "needs": adopted["status"]["pending"][0]["needs"]}
    ]
    assert results["hostile"]["area"] == HOSTILE
    assert results["kunnat/kuvitteellinen"]["summary"]["in_force"] is None


def test_check_all_names_the_broken_one(
    fleet: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "overview"
    result = run(capsys, "check", "--all", str(fleet), "--overview", str(out), "--json")
    assert result.code == 1
    assert json.loads(result.out) == json.loads((out / "overview.json").read_text("utf-8"))
    (error,) = [line for line in result.err.splitlines() if line.startswith("Error:")]
    assert error.startswith(f"Error: {os.path.relpath(fleet / BROKEN)}: tymdocs.yaml:")
    results = _overview(out)
    assert [p for p, r in results.items() if not r["ok"]] == [BROKEN]
    assert results[BROKEN]["result"]["errors"] >= 1
    for name in GOOD:
        checked = results[name]["result"]
        assert checked["errors"] == 0 and checked["warnings"] >= 1, name
    strict = run(capsys, "check", "--all", str(fleet), "--strict", "--overview", str(out))
    assert strict.code == 1
    assert all(not r["ok"] for r in _overview(out).values())  # the seed's warnings count


def test_status_all_says_where_each_stands(
    fleet: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "overview"
    result = run(capsys, "status", "--all", str(fleet), "--today", TODAY, "--overview", str(out))
    assert result.code == 1
    assert f"{os.path.relpath(fleet / BROKEN)}: " in result.err
    results = _overview(out)
    assert [p for p, r in results.items() if not r["ok"]] == [BROKEN]
    adopted = results["adopted"]["summary"]
    assert adopted["in_force"] == {
        "version": 1,
        "since": "2025-05-01",
        "commit": adopted["in_force"]["commit"],
        "kind": "adoption",
        "record": "Sopimus 1.5.2025",
    }
    review = adopted["next_deadline"]
    assert (review["due"], review["state"]) == ("2026-05-01", "ok")
    assert review["label"].startswith("Liitteen 3 ")
    assert adopted["overdue"] == []
    hostile = results["hostile"]["summary"]
    assert hostile["in_force"]["version"] == 1 and hostile["latest_version"] == 2
    (awaiting,) = hostile["awaiting_signatures"]
    assert awaiting["version"] == 2 and awaiting["date"] == "2025-06-01"
    assert any("Mika Kontio" in missing for missing in awaiting["missing"])
    late = run(
        capsys, "status", "--all", str(fleet), "--today", "2027-01-01", "--overview", str(out)
    )
    late_ones = _overview(out)
    overdue = late_ones["adopted"]["summary"]["overdue"]
    assert late.code == 1 and [d["due"] for d in overdue] == ["2026-05-01", "2026-05-01"]
    assert "Overdue:" not in late.err  # said only where asked to fail on it
    failing = run(
        capsys,
        "status",
        "--all",
        str(fleet),
        "--today",
        "2027-01-01",
        "--fail-on-overdue",
        "--overview",
        str(out),
    )
    said = [line for line in failing.err.splitlines() if line.startswith("Overdue:")]
    assert failing.code == 1
    assert f"Overdue: {os.path.relpath(fleet / 'adopted')}: yearly review of Liite 3" in said[0]
    assert said[0].endswith(", due 1.5.2026")
    # in the agreement's language; never adopted, so no yearly review falls due
    swedish = late_ones["svenska"]["summary"]["next_deadline"]
    assert swedish["label"] == "Ledningsgruppens mandatperiod på 5 år upphör"


class _Page(HTMLParser):
    """The parts of the overview a reader and a checker look at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3"):
            self.headings.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_overview_html_is_plain_accessible_and_escaped(
    built_fleet: Built,
) -> None:
    root, _done = built_fleet
    raw = (root / "build" / "overview" / "overview.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(raw)
    tags = [tag for tag, _attrs in page.tags]
    assert ("html", {"lang": "fi"}) in page.tags
    assert "script" not in tags and "b" not in tags  # the hostile area stayed text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in raw
    assert page.headings == ["h1", "h2", "h2"]  # the failed ones, then the table
    for tag, attrs in page.tags:
        assert not (attrs.get("src") or "").strip(), tag
        assert not (attrs.get("href") or "").startswith(("http:", "https:", "//")), tag
        if tag == "th":
            assert attrs.get("scope") in ("col", "row")
    header, *rows = page.rows
    assert header[0] == "Alue" and header[-1] == "Tulos"
    by_path = {
        next(p for p in [*GOOD, BROKEN] if row[0].removesuffix(" PDF").endswith(p)): row
        for row in rows
    }
    assert len(by_path) == 5
    assert by_path["hostile"][0].startswith(HOSTILE)
    assert "EPÄONNISTUI" in by_path[BROKEN][-1] and "tymdocs.yaml:" in by_path[BROKEN][-1]
    assert by_path["adopted"][-1].startswith("onnistui")
    assert "Versio 1: Sopimus 1.5.2025" in by_path["adopted"][1]
    assert by_path["adopted"][2] == "Liite 5"
    assert "Mika Kontio" in by_path["hostile"][3]
    links = [a["href"] for tag, a in page.tags if tag == "a"]
    assert "../../adopted/build/lansi-pirkanmaa-tym.pdf" in links
    for href in links:  # every link leads to a file the build wrote
        assert (root / "build" / "overview" / str(href)).is_file(), href


def test_all_refuses_what_names_one_agreement(
    fleet: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for args in (
        ("build", "--all", str(fleet), "--ref", "v1"),
        ("build", "--all", str(fleet), "-o", str(tmp_path)),
        ("check", "--all", str(fleet), "--governance"),
        ("status", "--all", str(fleet), str(SEED / "tymdocs.yaml")),
        ("build", "--all", str(fleet), "--overview", str(fleet / "svenska" / "docs_src")),
        ("build", "--all", str(fleet), "--overview", str(fleet / "svenska")),  # a stray file
        ("build", "--all", str(fleet), "--force", "--overview", str(fleet / "adopted" / "build")),
        ("build", "--all", str(tmp_path)),  # no agreement there
        ("build", "--overview", str(tmp_path)),  # without --all
    ):
        built = {path: path.stat().st_mtime_ns for path in fleet.glob("*/build/manifest.json")}
        result = run(capsys, *args)
        assert result.code == 2, (args, result.err)
        assert "Traceback" not in result.err
        assert "Error: " + os.path.relpath(fleet / BROKEN) not in result.err  # refused first:
        after = {path: path.stat().st_mtime_ns for path in fleet.glob("*/build/manifest.json")}
        assert after == built, args  # no agreement was worked on
    assert not (fleet / "svenska" / "docs_src" / "overview.html").exists()
    assert not (fleet / "svenska" / "overview.html").exists()


def test_a_folder_not_searched_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that cannot be read, and a link to an agreement, are passed by with a warning
    and listed in the overview; the agreements around them are worked on."""
    root = tmp_path / "alueet"
    init_repo(copy_agreement(root / "a", FIXTURES / "kuvitteellinen"))
    locked = copy_agreement(root / "lukittu" / "b", FIXTURES / "kuvitteellinen")
    (root / "linkki").symlink_to(root / "a")
    (root / "lukittu").chmod(0)
    command = [sys.executable, "-m", "tymdocs", "check", "--all", str(root)]
    if os.geteuid() == 0:  # root reads any folder: run it without that power
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv to drop the power to read anything")
        caps = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", *command]
    try:
        done = subprocess.run(
            command, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, cwd=tmp_path
        )
    finally:
        (root / "lukittu").chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert "Warning: alueet/lukittu: cannot be read: Permission denied" in done.stderr
    assert "Warning: alueet/linkki: a link: not followed" in done.stderr
    data = json.loads((root / "build" / "overview" / "overview.json").read_text("utf-8"))
    assert [r["path"] for r in data["results"]] == ["a"]
    assert data["not_searched"] == [
        {"path": "linkki", "why": "a link: not followed"},
        {"path": "lukittu", "why": "cannot be read: Permission denied"},
    ]
    assert locked.is_dir()


def test_a_terminated_run_leaves_no_process(tmp_path: Path) -> None:
    """SIGTERM (a CI timeout, a kill) stops the workers with the run: nothing outlives it."""
    if not Path("/proc/self/environ").exists():
        pytest.skip("no /proc to find the processes by")
    root = tmp_path / "alueet"
    for number in range(40):
        copy_agreement(root / f"a{number:02}", FIXTURES / "kuvitteellinen")
    mark = f"TYMDOCS_TEST_MARK={tmp_path.name}"
    env = {**os.environ, **GIT_ENV, "TYMDOCS_TEST_MARK": tmp_path.name}
    with subprocess.Popen(
        [sys.executable, "-m", "tymdocs", "build", "--all", str(root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as process:
        deadline = time.monotonic() + 60
        while not list(root.glob("*/build/manifest.json")):  # the workers are at work
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        process.terminate()
        assert process.wait(timeout=30) == 128 + signal.SIGTERM
    left = _marked(mark)
    for _ in range(50):  # a worker killed takes a moment to go
        if not left:
            break
        time.sleep(0.1)
        left = _marked(mark)
    assert left == [], left
    assert len(list(root.glob("*/build/manifest.json"))) < 40  # it was stopped mid-way


def _marked(mark: str) -> list[str]:
    """The processes whose environment holds ``mark``."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if mark.encode() in environ.read_bytes().split(b"\0"):
                found.append((environ.parent / "cmdline").read_bytes().decode(errors="replace"))
        except OSError:
            continue  # gone, or not ours to read
    return found


def test_progress_bar_on_a_terminal_only(
    fleet: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pty

    command = [sys.executable, "-m", "tymdocs", "status", "--all", str(fleet), "--today", TODAY]
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [*command, "--overview", str(tmp_path / "tty")],
        env={**os.environ, **GIT_ENV},
        stdout=subprocess.PIPE,
        stderr=follower,
    ) as process:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=120) == 1
    os.close(leader)
    assert "status: 5 agreement(s)" in shown.decode()
    assert "100%" in shown.decode()
    piped = run(capsys, "status", "--all", str(fleet), "--overview", str(tmp_path / "pipe"))
    assert "agreement(s)" not in piped.err and "%" not in piped.err


def test_the_overview_says_which_agreement_is_still_a_draft(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An agreement whose sources still hold placeholders (as ``init`` writes them) is marked a
    draft no record can make a version of, with how many are left; the others are not."""
    from tests.test_init import PLACEHOLDER

    root = tmp_path / "alueet"
    assert run(capsys, "init", str(root / "uusi"), "--yes", "--no-git").code == 0
    init_repo(copy_agreement(root / "vanha", FIXTURES / "kuvitteellinen"))
    new = root / "uusi"
    sources = [new / "tymdocs.yaml", *(new / "docs_src").iterdir(), *(new / "annexes").iterdir()]
    left = sum(len(PLACEHOLDER.findall(path.read_text(encoding="utf-8"))) for path in sources)
    assert left > 1
    result = run(capsys, "check", "--all", str(root))
    assert result.code == 0, result.err
    out = root / "build" / "overview"
    results = _overview(out)
    assert (results["uusi"]["placeholders"], results["vanha"]["placeholders"]) == (left, 0)
    page = (out / "overview.html").read_text(encoding="utf-8")
    assert page.count("täydentämättä") == 1
    assert f"luonnos: {left} kohtaa täydentämättä, ei kirjattavissa" in page
    warnings = results["uusi"]["result"]["warnings"]
    assert f"onnistui: 0 virhettä, {warnings} varoitusta" in page


def test_counts_are_worded_for_one_and_for_many() -> None:
    from tymdocs.locale import counted, speaking

    assert [counted("overview_errors", n) for n in (0, 1, 2)] == [
        "0 virhettä",
        "1 virhe",
        "2 virhettä",
    ]
    with speaking("sv"):
        assert counted("overview_warnings", 1) == "1 varning"
        assert counted("overview_warnings", 3) == "3 varningar"
