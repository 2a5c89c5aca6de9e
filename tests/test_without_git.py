"""git missing is an error, not a draft: only sources outside any repository build as a draft.

No mock of git: PATH is pointed at a directory without it, and the CLI runs for real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import copy_agreement, make_repo, run

MISSING = "Error: git is not installed or not on PATH"


@pytest.fixture
def no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holds one empty directory, so no ``git`` can be found; returns that directory."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def test_build_without_git_fails_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "agreement")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run(capsys, "-C", str(repo), "build")
    assert result.code == 1
    assert result.err.startswith(MISSING), result.err
    assert "Traceback" not in result.err
    assert not (repo / "build").exists()
    assert not [p for p in repo.iterdir() if p.name.startswith(".build-")]


def test_build_without_git_outside_a_repository_is_no_draft_either(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_git: Path
) -> None:
    root = copy_agreement(tmp_path / "agreement")
    result = run(capsys, "-C", str(root), "build")
    assert result.code == 1
    assert result.err.startswith(MISSING), result.err
    assert not (root / "build").exists()


def test_the_installed_command_says_so_too(tmp_path: Path) -> None:
    """A real process, whose PATH has the Python interpreter and nothing else."""
    repo = make_repo(tmp_path / "agreement")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    done = subprocess.run(
        [sys.executable, "-m", "tymdocs", "build", "-o", str(tmp_path / "out")],
        cwd=repo,
        env={**env, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(MISSING), done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("check", "--ref", "HEAD"),
        ("check", "--governance"),
        ("check", "--governance", "HEAD~1..HEAD"),
        ("build", "--ref", "HEAD"),
        ("build", "--at", "2025-06-01"),
        ("log",),
        ("status",),
        ("adopt", "-m", "Sopimus allekirjoitettu", "--dry-run"),
        ("approve", "--body", "Johtoryhmä", "--date", "2025-09-15", "--section", "4", "-m", "x"),
        ("notice", "--party", "kela", "--date", "2025-09-20", "-m", "x", "--dry-run"),
        ("amend", "--date", "2025-09-20", "-m", "x", "--dry-run"),
    ],
    ids=" ".join,
)
def test_every_command_that_needs_git_says_it_is_missing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
) -> None:
    repo = make_repo(tmp_path / "agreement")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run(capsys, "-C", str(repo), *command)
    assert result.code == 1
    assert result.err.startswith(MISSING) and result.err.count("\n") == 1, result.err


def test_check_of_the_working_tree_needs_no_git(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_git: Path
) -> None:
    """Reading files is all it does: nothing in it asks git, so nothing fails for want of it."""
    result = run(capsys, "-C", str(copy_agreement(tmp_path / "agreement")), "check")
    assert result.code == 0, result.err


def test_only_outside_any_repository_is_the_working_tree_a_draft(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = copy_agreement(tmp_path / "agreement")
    result = run(capsys, "-C", str(root), "build", "--no-packages", "-q")
    assert result.code == 0, result.err
    manifest = json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["draft"] is True
    assert manifest["source"]["commit"] is None


def test_a_broken_repository_is_an_error_not_a_draft(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = copy_agreement(tmp_path / "agreement")
    (root / ".git").write_text("not a gitdir line\n")
    result = run(capsys, "-C", str(root), "build")
    assert result.code == 1
    assert "invalid gitfile format" in result.err, result.err
    assert not (root / "build").exists()
