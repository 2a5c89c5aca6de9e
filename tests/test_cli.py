"""The command surface: help for every command, documented in the README, fast to start."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import ROOT, run
from tymdocs.cli import cli

COMMANDS = sorted(cli.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    result = run(capsys, name, "--help")
    assert result.code == 0
    assert "Example:" in result.out
    assert f"tymdocs {name}" in result.out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"`tymdocs {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_quick_start_is_the_two_make_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "```\nmake build\nmake test\n```" in quick_start
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_help_does_not_import_the_renderers() -> None:
    code = (
        "import sys; from tymdocs.cli import main\n"
        "try: main(['--help'])\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('docx', 'docxtpl', 'typst', 'yaml') if m in sys.modules]\n"
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from tymdocs import __version__

    result = run(capsys, "--version")
    assert result.code == 0
    assert result.out.strip() == f"tymdocs, version {__version__}"


def test_only_other_packages_warnings_are_kept_quiet() -> None:
    """A warning attributed to another package is dropped; one of tymdocs's own code goes on to
    the interpreter's filters (here: shown), and so does everything once the command ends."""
    import warnings

    from tymdocs.console import quiet_other_packages

    def raise_each() -> list[str]:
        for text, module in [
            ("ours", "tymdocs.build"),
            ("the package itself", "tymdocs"),
            ("theirs", "pyhanko.sign.signers.pdf_cms"),
            ("a look-alike", "tymdocs_extra"),
        ]:
            warnings.warn_explicit(text, UserWarning, f"{module}.py", 1, module=module)
        return [str(warning.message) for warning in seen]

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with warnings.catch_warnings():
            quiet_other_packages()
            assert raise_each() == ["ours", "the package itself"]
        seen.clear()
        assert raise_each() == ["ours", "the package itself", "theirs", "a look-alike"]


def test_missing_directory_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "-C", "/no/such/directory", "check")
    assert result.code == 2
    assert "Error:" in result.err
