from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import GIT_ENV, copy_agreement, fixed_git, init_repo, make_repo


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds take their time from the commit unless a test sets SOURCE_DATE_EPOCH itself."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def seed_repo(tmp_path: Path) -> Path:
    """The seed agreement committed once in a fresh git repository."""
    return make_repo(tmp_path / "agreement")


@pytest.fixture(scope="session")
def built_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed built once from a clean commit; tests only read it."""
    from tymdocs.build import build
    from tymdocs.revision import open_source

    repo = make_repo(tmp_path_factory.mktemp("seed") / "agreement")
    build(open_source(repo), repo / "build")
    return repo


@pytest.fixture
def in_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Change into a directory for the test (restored after)."""
    previous = Path.cwd()

    def enter(path: Path) -> Path:
        os.chdir(path)
        return path

    yield enter
    os.chdir(previous)


@pytest.fixture(scope="session")
def adopted_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed committed on 30.4.2025 and recorded as adopted on 1.5.2025 (version 1)."""
    repo = copy_agreement(tmp_path_factory.mktemp("template") / "agreement")
    init_repo(repo, "Sopimus 1.5.2025")
    env = {**os.environ, **GIT_ENV, "GIT_COMMITTER_DATE": "2025-05-01T12:00:00+03:00"}
    subprocess.run(
        [sys.executable, "-m", "tymdocs", "adopt", "-m", "Sopimus allekirjoitettu"],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )
    return repo


@pytest.fixture
def repo(adopted_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the adopted seed; commits made in-process get the fixed author."""
    fixed_git(monkeypatch)
    target = tmp_path / "agreement"
    shutil.copytree(adopted_template, target, symlinks=True)
    return target
