from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, GIT_ENV, copy_agreement, fixed_git, init_repo, make_repo


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds keep their hints (tymdocs/hints.py) in the session's own cache, in this process
    and the tymdocs processes it starts, never in the user's."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = previous


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


NOTICE = "Sari Mäkisen tilalle Outi Uusitalo; Kristiina Mäkelän toimikausi jatkuu"
"""The notice's message in the site's history: two withheld names, inflected."""


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
    tymdocs("2025-10-01", *notice, "-m", NOTICE)
    return repo


def _site(history: Path, out: Path, *options: str, day: str = SITE_DAY) -> Path:
    env = {**os.environ, **GIT_ENV}
    command = [sys.executable, "-m", "tymdocs", "site", "-q", "-o", str(out), *options]
    subprocess.run([*command, "--date", day], cwd=history, env=env, check=True)
    return out


@pytest.fixture(scope="session")
def site(site_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of ``site_history``, made once."""
    return _site(site_history, tmp_path_factory.mktemp("site-out") / "sivusto")


@pytest.fixture(scope="session")
def public_site(site_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same with --public, made once."""
    return _site(site_history, tmp_path_factory.mktemp("site-public") / "julkinen", "--public")


SVENSKA = FIXTURES / "svenska"
"""A Swedish agreement (``language: sv``), in force until 31.12.2027."""


@pytest.fixture(scope="session")
def swedish_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Swedish fixture adopted (v1), its staffing annex changed by decision (v2), its
    main text changed by amendment (v3, awaiting signatures); tests copy it before they
    change it."""
    from tests.helpers import edit

    repo = copy_agreement(
        tmp_path_factory.mktemp("svenska-history") / "avtal",
        SVENSKA,
        ("tymdocs.yaml", "docs_src", "annexes"),
    )
    init_repo(repo, "Avtal")

    def tymdocs(when: str, *args: str) -> None:
        env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        env.pop("SOURCE_DATE_EPOCH", None)
        command = [sys.executable, "-m", "tymdocs", *args]
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True)

    tymdocs("2025-12-01T12:00:00+02:00", "adopt", "-m", "Avtalet undertecknat")
    edit(
        repo,
        "annexes/personal.yaml",
        "  - party: fpa\n    htv: 0.4",
        "  - party: fpa\n    htv: 0.6",
    )
    tymdocs(
        "2026-01-16T12:00:00+02:00",
        *("approve", "--body", "Styrgruppen", "--date", "15.1.2026", "--section", "4"),
        *("--effective", "1.2.2026", "-m", "Bilaga 2: FPA:s resurs"),
    )
    edit(repo, "docs_src/avtal.md", "# 2 Personal\n\n", "# 2 Personal\n\nEn ny första mening. ")
    tymdocs(
        "2026-03-02T12:00:00+02:00",
        *("amend", "--date", "1.3.2026", "--effective", "1.4.2026", "-m", "2 §: personal"),
    )
    return repo


SWEDISH_ENDED = "1.6.2028"
"""A day after the Swedish agreement's term (31.12.2027)."""


@pytest.fixture(scope="session")
def swedish_sites(
    swedish_history: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The Swedish history's site while in force (1.5.2026), and its public site once it
    has ended, each made once."""
    out = tmp_path_factory.mktemp("svenska-site")
    return (
        _site(swedish_history, out / "webbplats", day="1.5.2026"),
        _site(swedish_history, out / "avslutad", "--public", day=SWEDISH_ENDED),
    )
