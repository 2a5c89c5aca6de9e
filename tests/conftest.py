from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import make_repo


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
