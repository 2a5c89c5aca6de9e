"""Errors stay where they are: one mistake is reported once, at its own path:line, and never
echoed as false errors about other files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import copy_agreement, run

LIITE_2 = "annexes/liite-2-kokoonpano.yaml"
LIITE_5 = "annexes/liite-5-henkilostoresurssi.yaml"


@pytest.fixture
def agreement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed's sources the test may break, as the current directory."""
    root = copy_agreement(tmp_path / "agreement")
    monkeypatch.chdir(root)
    return root


def edit(root: Path, path: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in one source; the 1-based line where ``new`` now starts."""
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    text = text.replace(old, new, 1)
    file.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def errors(capsys: pytest.CaptureFixture[str], root: Path) -> list[str]:
    """The error lines ``tymdocs check`` prints, after asserting that it failed."""
    result = run(capsys, "-C", str(root), "check")
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    return [line for line in result.err.splitlines() if ": error: " in line]


def test_a_staffing_annex_without_parties_is_reported_not_a_crash(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    file = agreement / LIITE_5
    text = file.read_text(encoding="utf-8")
    file.write_text(text[: text.index("parties:")], encoding="utf-8")
    assert errors(capsys, agreement) == [f"{LIITE_5}:3: error: missing key 'parties' in the file"]
