"""What keeps builds fast, checked on real processes: a rebuild with nothing changed loads no
more of tymdocs than deciding so needs (the quick entry: nothing but ``tymdocs.quick``; the
normal path, where it decides: no renderer, check or metadata), and the renderer versions it
compares come out as ``importlib.metadata`` says."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from tests.helpers import make_repo
from tymdocs.quick import RENDERERS, installed_versions

PROBE = """
import sys
from tymdocs.cli import main
try:
    main(["build", "-q", "--json"])
except SystemExit as exit:
    assert not exit.code, exit.code
print("MODULES", *sorted(sys.modules))
"""


def test_installed_versions_agree_with_importlib_metadata() -> None:
    names = (*RENDERERS, "pypdf", "PyYAML", "click")
    assert installed_versions(names) == {name: version(name) for name in names}


def test_a_rebuild_with_nothing_changed_loads_no_renderer_checks_or_metadata(
    tmp_path: Path,
) -> None:
    """The normal path, as it runs where the quick one leaves the decision to it (HEAD moved
    on by a commit elsewhere, say)."""
    from tymdocs.build import build
    from tymdocs.revision import open_source

    repo = make_repo(tmp_path / "agreement")
    first = build(open_source(repo), repo / "build")
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=repo, capture_output=True, text=True, check=True
    )
    report, modules = done.stdout.split("MODULES")
    assert json.loads(report)["outputs"] == first.manifest["outputs"]
    bare = [sys.executable, "-c", "import sys; print(*sys.modules)"]
    at_start = set(subprocess.run(bare, capture_output=True, text=True, check=True).stdout.split())
    loaded = set(modules.split()) - at_start  # what tymdocs loaded, not Python's own start-up
    for heavy in (
        "tymdocs.checks",
        "tymdocs.document",
        "tymdocs.signing",
        "tymdocs.render.typst",
        "tymdocs.render.docx",
        "typst",
        "importlib.metadata",
    ):
        assert heavy not in loaded, heavy


def _loaded(cwd: Path, *args: str) -> set[str]:
    """The modules a tymdocs command loads beyond Python's own start-up, in a process of its
    own, started as ``tymdocs`` starts (``tymdocs.quick``)."""
    probe = (
        "import sys\nfrom tymdocs.quick import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('MODULES', *sorted(sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    bare = [sys.executable, "-c", "import sys; print(*sys.modules)"]
    at_start = set(subprocess.run(bare, capture_output=True, text=True, check=True).stdout.split())
    return set(done.stdout.split("MODULES")[1].split()) - at_start


HEAVY = ("typst", "pypdf", "pyhanko", "docx", "markdown_it", "xml.sax", "ssl", "email")
"""Libraries that only rendering, verifying or parsing Markdown needs."""


QUICK = {"tymdocs", "tymdocs.quick", "tymdocs.paths"}
"""All of tymdocs that ``--help`` and a build with nothing changed load."""


def test_help_and_log_load_only_what_they_use(tmp_path: Path) -> None:
    """``--help`` loads neither click nor the commands: no YAML, no model, no renderer;
    ``log`` reads the register and the YAML sources' rules, but renders nothing and verifies
    nothing."""
    repo = make_repo(tmp_path / "agreement")
    helped = _loaded(repo, "--help")
    assert {m for m in helped if m.startswith("tymdocs")} == QUICK, helped
    assert not {m for m in helped if m.split(".")[0] in ("click", "yaml", "typing", *HEAVY)}
    logged = _loaded(repo, "log")
    assert "tymdocs.governance.register" in logged  # it did read the register
    for heavy in (*HEAVY, "tymdocs.render", "tymdocs.signing", "tymdocs.checks"):
        assert not any(m == heavy or m.startswith(f"{heavy}.") for m in logged), heavy


def test_a_build_loads_no_redline_diff_or_verification(tmp_path: Path) -> None:
    """A build renders the agreement, its packages and manifest: the change sets, redline
    renderers and verification of ``diff`` and ``verify`` stay unloaded, and a plain command
    line (``tymdocs.quick``'s) runs without click and the other commands' definitions."""
    repo = make_repo(tmp_path / "agreement")
    built = _loaded(repo, "build", "-q", "-o", str(tmp_path / "out"))
    assert "tymdocs.render.typst" in built and "tymdocs.signing.packages" in built  # it built
    assert "tymdocs.console" in built
    for unused in (
        "click",
        "tymdocs.cli",
        "tymdocs.changes",
        "tymdocs.diff",
        "tymdocs.render.html",
        "tymdocs.render.markdown",
        "tymdocs.signing.verify",
        "pyhanko",
        "pypdf",
    ):
        assert not any(m == unused or m.startswith(f"{unused}.") for m in built), unused


def test_the_docx_writer_escapes_as_xml_sax_does() -> None:
    """tymdocs writes its own escape and quoteattr, byte for byte those of the standard
    library's xml.sax.saxutils, whose imports cost every build 27 ms."""
    from xml.sax.saxutils import escape, quoteattr

    from tymdocs.characters import xml_safe
    from tymdocs.render import docx

    for text in ("", "a & b < c > d", 'say "hi"', "it's", "\"'", "x\ny\r\tz", "\x00\ufffe"):
        assert docx.escape(text) == escape(xml_safe(text)), text
        assert docx.quoteattr(text) == quoteattr(xml_safe(text)), text


def test_a_rebuild_with_nothing_changed_is_decided_before_tymdocs_loads(tmp_path: Path) -> None:
    """Where HEAD is the version commit and nothing changed, ``tymdocs build`` answers from
    ``tymdocs.quick`` alone: no click, no YAML, no model, and what it prints is the manifest."""
    from tymdocs.build import build
    from tymdocs.revision import open_source

    repo = make_repo(tmp_path / "agreement")
    first = build(open_source(repo), repo / "build")
    probe = (
        "import sys\nfrom tymdocs.quick import main\n"
        "try:\n    main(['build', '--json'])\nexcept SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print('MODULES', *sorted(sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, check=True
    )
    report, modules = done.stdout.split("MODULES")
    assert json.loads(report) == first.manifest
    bare = [sys.executable, "-c", "import sys; print(*sys.modules)"]
    at_start = set(subprocess.run(bare, capture_output=True, text=True, check=True).stdout.split())
    loaded = set(modules.split()) - at_start
    assert {m for m in loaded if m.startswith("tymdocs")} == QUICK, loaded
    for heavy in ("click", "yaml", "typing", "dataclasses", "importlib.metadata", *HEAVY):
        assert not any(m == heavy or m.startswith(f"{heavy}.") for m in loaded), heavy
