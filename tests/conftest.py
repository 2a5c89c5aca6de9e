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


HOSTILE_SECTION = '<script>alert("x")</script> &amp; <b onmouseover="y">lihava</b> '
"""Put before § 9's text in the site's history: source text that must print as typed."""
SITE_DAY = "1.11.2025"
"""The day the site's index shows the agreement as in force."""


@pytest.fixture(scope="session")
def site_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three recorded versions: the seed with a hostile sentence in § 9 adopted on 1.5.2025,
    Johtoryhmä's decision on Liite 5 of 15.9.2025, and the hyvinvointialue's notice of
    1.10.2025 that puts Outi Uusitalo in Sari Mäkinen's place in Liite 2."""
    from tests.helpers import edit
    from tests.test_governance import kela_to_one

    repo = copy_agreement(tmp_path_factory.mktemp("site") / "agreement")
    section = "docs_src/09-johtava-henkilo.md"
    edit(
        repo,
        section,
        "Työvoimaviranomainen asettaa",
        HOSTILE_SECTION + "Työvoimaviranomainen asettaa",
    )
    init_repo(repo, "Sopimus 1.5.2025")

    def tymdocs(day: str, *args: str) -> None:
        env = {**os.environ, **GIT_ENV, "GIT_COMMITTER_DATE": f"{day}T12:00:00+03:00"}
        command = [sys.executable, "-m", "tymdocs", *args]
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True)

    tymdocs("2025-05-01", "adopt", "-m", "Sopimus allekirjoitettu")
    kela_to_one(repo)
    approve = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    tymdocs("2025-09-15", *approve, "-m", "Kelan resurssi")
    edit(repo, "annexes/liite-2-kokoonpano.yaml", "Sari Mäkinen", "Outi Uusitalo")
    notice = ["notice", "--party", "hyvinvointialue", "--date", "1.10.2025"]
    tymdocs("2025-10-01", *notice, "-m", "Sari Mäkisen tilalle Outi Uusitalo")
    return repo


def _site(history: Path, out: Path, *options: str) -> Path:
    env = {**os.environ, **GIT_ENV}
    command = [sys.executable, "-m", "tymdocs", "site", "-q", "-o", str(out), *options]
    subprocess.run([*command, "--date", SITE_DAY], cwd=history, env=env, check=True)
    return out


@pytest.fixture(scope="session")
def site(site_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of ``site_history``, made once."""
    return _site(site_history, tmp_path_factory.mktemp("site-out") / "sivusto")


@pytest.fixture(scope="session")
def public_site(site_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same with --public, made once."""
    return _site(site_history, tmp_path_factory.mktemp("site-public") / "julkinen", "--public")
