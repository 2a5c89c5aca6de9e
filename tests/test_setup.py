"""Set-up on any day: the lock files agree with pyproject.toml, and the version is one."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tymdocs import __version__

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "tymdocs (pyproject.toml)"
BUILD_INPUT = "-r build-system.requires"


@dataclass(frozen=True)
class Pin:
    version: Version
    hashes: int
    via: frozenset[str]


_PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")


def read_lock(text: str) -> dict[str, Pin]:
    """A lock in pip's requirements format as uv writes it: pins, their hashes, ``# via``."""
    pins: dict[str, Pin] = {}
    name: str | None = None
    version = Version("0")
    hashes = 0
    via: set[str] = set()

    def close() -> None:
        if name is not None:
            pins[name] = Pin(version, hashes, frozenset(via))

    for line in text.splitlines():
        pinned = _PIN.match(line)
        stripped = line.strip()
        if pinned:
            close()
            name, version, hashes, via = canonicalize_name(pinned[1]), Version(pinned[2]), 0, set()
        elif stripped.startswith("--hash=sha256:"):
            hashes += 1
        elif stripped.startswith("# via ") and name is not None:
            via.add(stripped.removeprefix("# via ").strip())
        elif stripped.startswith("#   ") and name is not None:
            via.add(stripped.removeprefix("#   ").strip())
        elif stripped and not stripped.startswith("#"):
            raise AssertionError(f"unexpected line in a lock: {line!r}")
    close()
    return pins


def wanted(pyproject: str) -> dict[str, list[Requirement]]:
    """What each lock file must pin for ``pyproject.toml``: the runtime set with the build
    backend, and the development set on top of it."""
    project = tomllib.loads(pyproject)
    runtime = [Requirement(text) for text in project["project"]["dependencies"]]
    runtime += [Requirement(text) for text in project["build-system"]["requires"]]
    dev = [Requirement(text) for text in project["project"]["optional-dependencies"]["dev"]]
    return {"requirements.lock": runtime, "requirements-dev.lock": runtime + dev}


def disagreements(pyproject: str, lock: str, dev_lock: str) -> list[str]:
    """Where the lock files do not pin what ``pyproject.toml`` asks for, or pin what it no
    longer asks for; empty when they agree."""
    found: list[str] = []
    locks = {"requirements.lock": read_lock(lock), "requirements-dev.lock": read_lock(dev_lock)}
    wanted_by = wanted(pyproject)
    for file, pins in locks.items():
        named = {canonicalize_name(requirement.name) for requirement in wanted_by[file]}
        for requirement in wanted_by[file]:
            pin = pins.get(canonicalize_name(requirement.name))
            if pin is None:
                found.append(f"{file}: {requirement} is not pinned")
            elif not requirement.specifier.contains(pin.version, prereleases=True):
                found.append(f"{file}: {requirement.name}=={pin.version} is outside {requirement}")
        for name, pin in pins.items():
            if pin.hashes == 0:
                found.append(f"{file}: {name} has no hash")
            direct = {PROJECT, BUILD_INPUT} & pin.via
            if direct and name not in named:
                found.append(f"{file}: {name} is pinned for pyproject.toml, which dropped it")
            if not pin.via - {"-c requirements.lock"}:
                found.append(f"{file}: nothing needs {name}")
    runtime_pins, dev_pins = locks["requirements.lock"], locks["requirements-dev.lock"]
    for name, pin in runtime_pins.items():
        if name not in dev_pins:
            found.append(f"requirements-dev.lock: {name} of the runtime set is missing")
        elif dev_pins[name].version != pin.version:
            found.append(
                f"requirements-dev.lock: {name}=={dev_pins[name].version}, "
                f"requirements.lock {pin.version}"
            )
    return found


def unpinned_needs(pins: dict[str, Pin], roots: list[Requirement]) -> list[str]:
    """What the installed packages' own metadata says ``roots`` need on this machine (extras
    and markers followed), that ``pins`` leave out: a lock that is not closed fails
    ``pip check`` on a fresh machine. The installed versions must be the locked ones."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.markers import default_environment

    environment: dict[str, str] = dict(default_environment())
    queue = [(canonicalize_name(r.name), frozenset(r.extras), r.marker) for r in roots]
    seen: set[tuple[str, frozenset[str]]] = set()
    found: list[str] = []
    while queue:
        name, extras, marker = queue.pop()
        wanted = extras or frozenset({""})
        if marker is not None and not any(
            marker.evaluate({**environment, "extra": extra}) for extra in wanted
        ):
            continue
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        if name not in pins:
            found.append(f"{name} is needed but not pinned")
            continue
        try:
            installed = distribution(name)
        except PackageNotFoundError:
            found.append(f"{name} is pinned but not installed")
            continue
        assert Version(installed.version) == pins[name].version, f"{name}: not the lock's"
        for text in installed.requires or []:
            need = Requirement(text)
            if need.marker is None or any(
                need.marker.evaluate({**environment, "extra": extra}) for extra in wanted
            ):
                queue.append((canonicalize_name(need.name), frozenset(need.extras), None))
    return found


def _files() -> tuple[str, str, str]:
    return tuple(  # type: ignore[return-value]
        (ROOT / name).read_text(encoding="utf-8")
        for name in ("pyproject.toml", "requirements.lock", "requirements-dev.lock")
    )


def test_the_lock_files_agree_with_pyproject() -> None:
    assert disagreements(*_files()) == []


def test_each_lock_holds_everything_its_packages_need() -> None:
    """Closed under dependencies, by the metadata of what is installed from the lock: a pin
    left out of either file is caught here, not by a fresh machine's ``pip check``."""
    from importlib.metadata import PackageNotFoundError, version

    pyproject, lock, dev_lock = _files()
    for name, pin in read_lock(dev_lock).items():
        try:
            if Version(version(name)) != pin.version:
                pytest.skip("the installed packages are not the lock's (make test-latest)")
        except PackageNotFoundError:
            continue  # for another platform (its marker says so)
    needed = wanted(pyproject)
    runtime = needed["requirements.lock"]
    assert unpinned_needs(read_lock(lock), runtime) == []
    assert unpinned_needs(read_lock(dev_lock), needed["requirements-dev.lock"]) == []
    pins = read_lock(lock)
    leaf = next(n for n in ("lxml", "asn1crypto", "cffi") if n in pins)
    del pins[leaf]
    assert any(leaf in line for line in unpinned_needs(pins, runtime))
    with_extra = [Requirement("pyHanko[qr]==0.38.0")]  # an extra asks for more: qrcode
    assert any("qrcode" in line for line in unpinned_needs(read_lock(lock), with_extra))


def test_the_lock_serves_the_pythons_pyproject_allows() -> None:
    """uv resolves from the oldest Python ``requires-python`` admits, and for every newer one."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    locked = re.search(r'PYTHON_VERSION = "([\d.]+)"', (ROOT / "tools" / "lock.py").read_text())
    assert locked is not None
    assert project["project"]["requires-python"] == f">={locked[1]}"


def test_a_lock_that_no_longer_fits_pyproject_is_caught() -> None:
    """The check above can fail: a range that excludes the pin, a dependency the lock lacks,
    one the lock still pins after pyproject.toml dropped it, and a development pin that
    differs from the runtime one."""
    pyproject, lock, dev_lock = _files()
    narrowed = re.sub(r'"click>=[^"]*"', '"click>=99"', pyproject)
    found = disagreements(narrowed, lock, dev_lock)
    assert any("click" in line and "outside" in line for line in found)
    added = pyproject.replace('"click>=', '"nothing-of-ours>=1",\n    "click>=', 1)
    assert any("nothing-of-ours" in line for line in disagreements(added, lock, dev_lock))
    dropped = re.sub(r'\s*"markdown-it-py[^"]*",', "", pyproject)
    assert any("markdown-it-py" in line for line in disagreements(dropped, lock, dev_lock))
    pin = re.search(r"^click==(\S+)", dev_lock, re.MULTILINE)
    assert pin is not None
    moved = dev_lock.replace(f"click=={pin[1]}", "click==0.0.1")
    assert disagreements(pyproject, lock, moved)


def test_the_version_is_one_and_semantic() -> None:
    """The installed package's metadata and the changelog say the version ``tymdocs
    --version`` prints (test_cli) and the manifest records."""
    from importlib.metadata import version

    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)

    assert version("tymdocs") == __version__
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{__version__}]" in changelog


def test_the_wheel_installs_alone_and_builds_an_agreement_elsewhere(tmp_path: Path) -> None:
    """The wheel carries everything a build needs (templates included): installed into an empty
    environment, run from another folder with ``-C``, it builds the same files as this
    checkout. Offline: the wheel is built with the locked backend, and the environment borrows
    this one's dependencies through a path file instead of downloading them."""
    import shutil
    import sysconfig

    from tests.helpers import SEED, make_repo

    # setuptools builds in the source folder (its build/ would be ours): build from a copy
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "tymdocs", source / "tymdocs", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob(f"tymdocs-{__version__}-py3-none-any.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    agreement = make_repo(tmp_path / "agreement", SEED)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [python, "-c", "import tymdocs; print(tymdocs.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=elsewhere,
    ).stdout
    assert where.startswith(purelib), where
    built = subprocess.run(
        [venv / "bin" / "tymdocs", "-C", str(agreement), "build", "-o", str(tmp_path / "wheel")],
        capture_output=True,
        text=True,
        cwd=elsewhere,
    )
    assert built.returncode == 0, built.stderr
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tymdocs",
            "-C",
            str(agreement),
            "build",
            "-o",
            str(tmp_path / "checkout"),
        ],
        check=True,
        capture_output=True,
    )
    names = sorted(path.name for path in (tmp_path / "wheel").iterdir())
    assert names == sorted(path.name for path in (tmp_path / "checkout").iterdir())
    assert len(names) == 10
    for name in names:
        if name != "manifest.json":  # it names the command that made it
            assert (tmp_path / "wheel" / name).read_bytes() == (
                tmp_path / "checkout" / name
            ).read_bytes(), name
    shutil.rmtree(venv)


def test_the_ci_examples_install_this_release_from_its_lock() -> None:
    """An agreement's CI installs a named release with the packages its lock pins, never a
    floating branch; the examples name the release this checkout is."""
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        text = (ROOT / "ci" / name).read_text(encoding="utf-8")
        assert f'TYMDOCS_VERSION: "{__version__}"' in text, name
        assert '--branch "v$TYMDOCS_VERSION"' in text, name
        assert "--require-hashes --no-deps" in text and "requirements.lock" in text, name
        assert "@main" not in text, name
