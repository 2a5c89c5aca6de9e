"""What keeps builds fast, checked on real processes: a rebuild with nothing changed loads no
more of tymdocs than deciding so needs, and the renderer versions it compares come out as
``importlib.metadata`` says."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from tests.helpers import make_repo
from tymdocs.build import RENDERERS, installed_versions

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
