"""Hostile and careless input: every one ends in ``path:line`` and exit 1 (or a usage message
and exit 2) within seconds, never in an internal error, a hang or a memory blow-up."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.helpers import copy_agreement, edit, run

CONFIG = "tymdocs.yaml"
LIITE_1 = "annexes/liite-1-asettamispaatos.yaml"
LIITE_4 = "annexes/liite-4-palvelut.md"
LIITE_5 = "annexes/liite-5-henkilostoresurssi.yaml"
LAST_SECTION = "docs_src/12-voimassaolo-ja-muuttaminen.md"
TITLE = "title: SOPIMUS TYÖLLISTYMISTÄ EDISTÄVÄN MONIALAISEN TUEN YHTEISTOIMINTAMALLISTA"


@pytest.fixture
def agreement(tmp_path: Path) -> Path:
    return copy_agreement(tmp_path / "agreement")


def append(root: Path, path: str, text: str) -> int:
    """``text`` added at the end of one source; the 1-based line where it starts."""
    file = root / path
    before = file.read_text(encoding="utf-8")
    file.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1 + (text[:1] == "\n")


def assert_refused(
    capsys: pytest.CaptureFixture[str], root: Path, where: str, message: str, seconds: float = 5
) -> None:
    """check fails in time with ``message`` at ``where``, and without an internal error."""
    started = time.monotonic()
    checked = run(capsys, "-C", str(root), "check")
    assert time.monotonic() - started < seconds
    assert checked.code == 1, checked.err
    assert f"{where}: error: {message}" in checked.err, checked.err
    assert "internal error" not in checked.err


def billion_laughs(key: str) -> str:
    """Nine levels of nine aliases each: 387 million strings when expanded."""
    lines = [f"{key}:", "  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        alias = f"*a{level - 1}"
        lines.append(f"  a{level}: &a{level} [{', '.join([alias] * 9)}]")
    return "\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", [CONFIG, LIITE_1])
def test_billion_laughs(capsys: pytest.CaptureFixture[str], agreement: Path, path: str) -> None:
    line = append(agreement, path, billion_laughs("laughs")) + 2
    assert_refused(capsys, agreement, f"{path}:{line}", "YAML aliases (*name) are not allowed")


def test_recursive_alias(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = append(agreement, CONFIG, "\nloop: &loop [*loop]\n")
    assert_refused(capsys, agreement, f"{CONFIG}:{line}", "YAML aliases (*name) are not allowed")


def test_deep_flow_nesting(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = append(agreement, LIITE_1, "\nnest: " + "[" * 500 + "]" * 500 + "\n")
    assert_refused(capsys, agreement, f"{LIITE_1}:{line}", "YAML nested deeper than 50 levels")


@pytest.mark.parametrize(
    ("escape", "code"),
    [
        ("\\0", "U+0000"),
        ("\\e", "U+001B"),
        ("\\u0007", "U+0007"),
        ("\\ud800", "U+D800"),
        ("\\x85", "U+0085"),
        ("\\r", "U+000D"),
        ("\\u202e", "U+202E"),
    ],
)
def test_escaped_control_character(
    capsys: pytest.CaptureFixture[str], agreement: Path, escape: str, code: str
) -> None:
    line = edit(agreement, CONFIG, TITLE, f'title: "SOPIMUS {escape} X"')
    kind = "bidirectional control" if code == "U+202E" else "control"
    assert_refused(
        capsys, agreement, f"{CONFIG}:{line}", f"{kind} character {code} is not allowed in text"
    )


@pytest.mark.parametrize("char", ["\u202a", "\u202e", "\u2066", "\u2069"])
def test_bidi_in_a_name(capsys: pytest.CaptureFixture[str], agreement: Path, char: str) -> None:
    line = edit(agreement, CONFIG, "name: Mika Kontio", f"name: Mika {char}oitnoK")
    message = f"bidirectional control character U+{ord(char):04X} is not allowed in text"
    assert_refused(capsys, agreement, f"{CONFIG}:{line}", message)
    assert run(capsys, "-C", str(agreement), "check").err.count(message) == 1


def test_bidi_in_text(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = append(agreement, LAST_SECTION, "\nSopijat \u2067ovat\u2069 samaa mieltä.\n")
    message = "bidirectional control character U+2067 is not allowed in text"
    assert_refused(capsys, agreement, f"{LAST_SECTION}:{line}", message)


def test_superscript_section_number(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = append(agreement, LAST_SECTION, "\n# ² Otsikko\n\nTeksti.\n")
    assert_refused(
        capsys, agreement, f"{LAST_SECTION}:{line}", "a section heading is '# <number> <title>'"
    )


def test_superscript_annex_number(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    edit(agreement, LIITE_4, "# Liite 4", "# Liite ³")
    assert_refused(
        capsys, agreement, f"{LIITE_4}:1", "an annex starts with '# Liite <number> <title>'"
    )


def test_reference_with_5000_digits(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = append(agreement, LAST_SECTION, "\nKatso liitteessä " + "9" * 5000 + ".\n")
    message = "999999999… (5000 digits) is no annex number"
    assert_refused(capsys, agreement, f"{LAST_SECTION}:{line}", message)


@pytest.mark.parametrize("htv", ["1.0e+30", "9" * 30, "0.0000000001"])
def test_htv_out_of_range(capsys: pytest.CaptureFixture[str], agreement: Path, htv: str) -> None:
    line = edit(agreement, LIITE_5, "htv: 1.5", f"htv: {htv}")
    assert_refused(capsys, agreement, f"{LIITE_5}:{line}", "parties[0].htv: ")
    checked = run(capsys, "-C", str(agreement), "check")
    assert "is out of range" in checked.err


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        ("id: lansi-pirkanmaa-tym", 'id: "lansi-pirkanmaa-tym\\n"', "id"),
        ("- id: kela", '- id: "kela\\n"', "parties[2].id"),
    ],
)
def test_id_with_trailing_newline(
    capsys: pytest.CaptureFixture[str], agreement: Path, old: str, new: str, name: str
) -> None:
    line = edit(agreement, CONFIG, old, new)
    value = new.split(": ", 1)[1].strip('"').replace("\\n", "\n")
    message = f"{name}: {value!r} must be lower-case letters, digits, '-' or '_'"
    assert_refused(capsys, agreement, f"{CONFIG}:{line}", message)


@pytest.mark.parametrize("value", ["99999999999999999", "4354819200", "1e9", "٣"])
def test_source_date_epoch_out_of_range(
    capsys: pytest.CaptureFixture[str],
    agreement: Path,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    built = run(capsys, "-C", str(agreement), "build")
    assert built.code == 2, built.err
    assert "Error: SOURCE_DATE_EPOCH " in built.err
    assert "internal error" not in built.err
    assert not (agreement / "build").exists()
