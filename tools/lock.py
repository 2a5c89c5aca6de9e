"""Regenerate requirements.lock and requirements-dev.lock from pyproject.toml (``make lock``).

uv resolves once for every platform and every Python that ``requires-python`` admits
(``--universal``), so the same lock holds on Linux and macOS, Python 3.11 to 3.13; it writes
pip's own requirements format with every file's hash, so installing needs nothing but pip.
The runtime set is resolved first; the development set is resolved with the runtime pins as
constraints, so the two never disagree. The build backend (``[build-system] requires``) is
locked with the runtime set: ``make`` installs tymdocs itself from it without resolving again.

Usage: python tools/lock.py UV [--upgrade]
  UV: the uv executable. Pins already in the lock are kept where they still fit; --upgrade
  moves every package to the newest version pyproject.toml allows.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = "requirements.lock"
DEV_LOCK = "requirements-dev.lock"
PYTHON_VERSION = "3.11"
"""The oldest Python the lock serves: ``requires-python``'s lower bound (a test holds them
together); uv resolves for it and every newer one."""
BUILD_INPUT = "build-system.requires"
"""The file name the lock's ``# via -r`` annotations give the build backend."""


def compile_lock(uv: str, output: str, extra: list[str], build_input: Path, upgrade: bool) -> None:
    command = [
        uv,
        "pip",
        "compile",
        "pyproject.toml",
        str(build_input),
        *extra,
        "--universal",
        "--python-version",
        PYTHON_VERSION,
        "--generate-hashes",
        *(["--upgrade"] if upgrade else []),
        "--quiet",
        "--custom-compile-command",
        "make lock",
        "--output-file",
        output,
    ]
    subprocess.run(command, cwd=ROOT, check=True)
    # uv names the build input by the path it was given; the lock names it by what it is.
    path = ROOT / output
    path.write_text(path.read_text().replace(str(build_input), BUILD_INPUT))


def main(uv: str, upgrade: bool) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    with tempfile.TemporaryDirectory() as folder:
        build_input = Path(folder) / BUILD_INPUT
        build_input.write_text("\n".join(project["build-system"]["requires"]) + "\n")
        compile_lock(uv, LOCK, [], build_input, upgrade)
        dev = ["--extra", "dev", "--constraint", LOCK]
        compile_lock(uv, DEV_LOCK, dev, build_input, upgrade)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if len(arguments) not in (1, 2) or arguments[1:] not in ([], ["--upgrade"]):
        sys.exit(__doc__.rsplit("\n\n", 1)[-1].strip())
    main(arguments[0], upgrade=arguments[1:] == ["--upgrade"])
