"""Hostile and careless input: every one ends in ``path:line`` and exit 1 (or a usage message
and exit 2) within seconds, never in an internal error, a hang or a memory blow-up."""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import copy_agreement, edit, measured, run
from tools import glyph_table
from tymdocs.characters import unprintable
from tymdocs.glyphs import RANGES

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
    """check fails in time with ``message`` (in part) at ``where``, without an internal error."""
    started = time.monotonic()
    checked = run(capsys, "-C", str(root), "check")
    assert time.monotonic() - started < seconds
    assert checked.code == 1, checked.err
    lines = checked.err.splitlines()
    assert any(f"{where}: error: " in line and message in line for line in lines), checked.err
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
        capsys,
        agreement,
        f"{LIITE_4}:1",
        "an annex starts with '# Liite <number> <title>' or '# Bilaga <number> <title>'",
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


# -- characters the fonts cannot print ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Sopijat 😀 ovat samaa mieltä.", "U+1F600 '😀' (GRINNING FACE)"),
        ("Sopijat 漢字 ovat samaa mieltä.", "U+6F22 '漢' (CJK UNIFIED IDEOGRAPH-6F22)"),
        ("Sopijat ภาษา ovat samaa mieltä.", "U+0E20 'ภ' (THAI CHARACTER PHO SAMPHAO)"),
    ],
)
def test_unprintable_in_text(
    capsys: pytest.CaptureFixture[str], agreement: Path, text: str, shown: str
) -> None:
    line = append(agreement, LAST_SECTION, f"\n{text}\n")
    message = f"character {shown} cannot be printed with the PDF's fonts"
    assert_refused(capsys, agreement, f"{LAST_SECTION}:{line}", message)


def test_unprintable_in_yaml(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(agreement, CONFIG, "name: Mika Kontio", 'name: "Mika \\U0001F600 Kontio"')
    message = "character U+1F600 '😀' (GRINNING FACE) cannot be printed with the PDF's fonts"
    assert_refused(capsys, agreement, f"{CONFIG}:{line}", message)
    block = edit(agreement, LIITE_1, "  monialaisen tuen", "  monialaisen 🙂 tuen")
    message = "character U+1F642 '🙂' (SLIGHTLY SMILING FACE) cannot be printed"
    assert_refused(capsys, agreement, f"{LIITE_1}:{block}", message)


def test_unprintable_in_a_yaml_comment_is_fine(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    append(agreement, CONFIG, "# 😀 a comment is not printed\n")
    assert run(capsys, "-C", str(agreement), "check").code == 0


def test_unprintable_reported_once_per_character(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    text = "".join(chr(0x4E00 + n) for n in range(100))
    append(agreement, LAST_SECTION, f"\n{text}\n\n{text}\n")
    checked = run(capsys, "-C", str(agreement), "check")
    assert checked.code == 1
    assert checked.err.count("cannot be printed with the PDF's fonts") == 20
    assert f"{LAST_SECTION}: error: 80 more characters that the PDF's fonts cannot print" in (
        checked.err
    )


def test_what_check_accepts_build_renders(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    """A sample across the glyph table, in every style, passes check and builds as PDF/A."""
    points = [point for first, last in RANGES for point in (first, (first + last) // 2, last)]
    chars = [chr(p) for p in points if not unicodedata.category(chr(p)).startswith(("M", "Z"))]
    sample = " ".join(c for c in chars if unicodedata.normalize("NFC", c) == c)  # as read
    for style in ("", "*", "**", "***"):
        append(agreement, LAST_SECTION, f"\n{style}{sample.replace('*', '')}{style}\n")
    assert run(capsys, "-C", str(agreement), "check").code == 0
    built = run(capsys, "-C", str(agreement), "build")
    assert built.code == 0, built.err


_TABLE_AS_CLASS = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in RANGES)
_NOT_IN_TABLE = re.compile(
    "[^\t\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
    f"\u202a-\u202e\u2066-\u2069{_TABLE_AS_CLASS}]"
)
"""What check refuses as unprintable, by its definition: outside the glyph table, neither tab
nor line feed, nor a forbidden character (which is reported as such)."""


@given(
    st.text(
        st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(
                [chr(c) for first, last in RANGES for c in (first - 1, first, last, last + 1)]
            ),
            st.characters(max_codepoint=0x3000),
        )
    )
)
@settings(max_examples=300)
def test_unprintable_is_the_glyph_table(text: str) -> None:
    """Each distinct character outside the table, in order, at every range's edges."""
    assert unprintable(text) == list(dict.fromkeys(_NOT_IN_TABLE.findall(text)))


def test_glyph_table_against_the_fonts() -> None:
    """Every character of the committed table renders with Typst's bundled fonts in every
    style, and is mapped by a text font: the table is what tools/glyph_table.py finds."""
    table = {point for first, last in RANGES for point in range(first, last + 1)}
    assert table <= glyph_table.mapped_by_text_fonts() | set(glyph_table.ALSO)
    marks = {p for p in table if unicodedata.category(chr(p)).startswith("M")}
    for style in glyph_table.STYLES:
        assert glyph_table.renders(glyph_table.sample(table - marks), style) is None
    assert glyph_table.renders(" ".join("a" + chr(p) for p in sorted(marks)), "") is None
    for char in "😀漢ภ":
        assert ord(char) not in table


# -- limits -------------------------------------------------------------------------------------


def test_source_over_1_mib(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    append(agreement, LAST_SECTION, ("Sopijat ovat samaa mieltä.\n\n" * 40_000))
    message = "more than 1 MiB; a source may hold at most 1 MiB: split it"
    assert_refused(capsys, agreement, LAST_SECTION, message)


def test_check_of_a_1_mib_paragraph(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    """Refused in well under a second, with the line it starts on."""
    (agreement / LAST_SECTION).write_text(
        "# 12 Otsikko\n\n" + "sana liitteessä 3 voimassa 1.5.2025 alkaen " * 23_000 + "\n"
    )
    message = "a paragraph (lines with no blank line between) of 989,000 characters"
    assert_refused(capsys, agreement, f"{LAST_SECTION}:3", message, seconds=2)


@pytest.mark.parametrize(
    "text",
    [
        "sana liitteessä 3 voimassa 1.5.2025 alkaen Hämeenlinnan hallinto-oikeus 0,5 htv. ",
        "A" * 90_000 + " ",  # once quadratic in the court's regex
        "Aa-" * 30_000 + " ",
        "[a](b) `c` &amp; \\ <d> ",  # the costlier Markdown constructs
    ],
)
def test_check_of_1_mib_in_time(
    capsys: pytest.CaptureFixture[str], agreement: Path, text: str
) -> None:
    paragraph = (text * (90_000 // len(text) + 1))[:90_000]
    (agreement / LAST_SECTION).write_text("# 12 Otsikko\n\n" + f"{paragraph}\n\n" * 11)
    started = time.monotonic()
    checked = run(capsys, "-C", str(agreement), "check")
    assert time.monotonic() - started < 5
    assert checked.code == 0, checked.err
    assert checked.err.count("\n") < 20


def test_more_than_1000_sections(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    text = "".join(f"\n# {n} Otsikko\n\nTeksti.\n" for n in range(13, 1100))
    line = append(agreement, LAST_SECTION, text) + 4 * (1001 - 13)
    assert_refused(capsys, agreement, f"{LAST_SECTION}:{line}", "more than 1,000 sections")


WORST = {
    "billion laughs": (CONFIG, billion_laughs("laughs"), "check", 1),
    "a 1 MiB paragraph": (LAST_SECTION, "\n" + "sana " * 209_716 + "\n", "check", 1),
    "1,000 sections": (
        LAST_SECTION,
        "".join(f"\n# {n} Otsikko {n}\n\nTeksti {n}.\n" for n in range(13, 1001)),
        "build",
        0,
    ),
}
"""The inputs that once took minutes or gigabytes: where they go, what, the command, its exit."""


@pytest.mark.parametrize("case", list(WORST))
def test_the_worst_inputs_stay_within_time_and_memory(agreement: Path, case: str) -> None:
    """Loose bounds, in a process of its own: seconds and hundreds of MiB (``make bench``
    measures them precisely). A 10,000-section build once took 3.2 GB."""
    path, text, command, code = WORST[case]
    append(agreement, path, text)
    result = measured(agreement, command)
    assert result.code == code, result.err
    assert "internal error" not in result.err
    assert result.seconds < 30
    assert result.peak_mib < 600, result.peak_mib


def test_too_many_emphasis_marks(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    (agreement / LAST_SECTION).write_text("# 12 Otsikko\n\n" + "2*3*\n" * 200_000)
    assert_refused(capsys, agreement, f"{LAST_SECTION}:2", "400,000 '*' and '_' in one text")


def test_asterisks_in_numbers_warned_once_per_paragraph(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    append(agreement, LAST_SECTION, "\n" + "2*3*" * 2_000 + "\n\n" + "4*5*6\n")
    checked = run(capsys, "-C", str(agreement), "check")
    assert checked.code == 0, checked.err
    assert checked.err.count("'*' inside a word or number") == 2


@pytest.mark.parametrize(
    "htv",
    ["1" + ":59" * 300_000, "0x" + "f" * 5_000, "0b" + "1" * 100_000, "1." + "5" * 500_000],
)
def test_long_numbers_refused_before_they_are_built(
    capsys: pytest.CaptureFixture[str], agreement: Path, htv: str
) -> None:
    """A YAML 1.1 sexagesimal int is built in quadratic time, and str() of a long int fails."""
    line = edit(agreement, LIITE_5, "htv: 1.5", f"htv: {htv}")
    message = f"parties[0].htv: expected a number such as 0.75, got '{htv[:40]}…' (too long"
    assert_refused(capsys, agreement, f"{LIITE_5}:{line}", message)


def test_a_long_value_is_quoted_short(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(agreement, CONFIG, TITLE, "title: [" + "a" * 500_000 + "]")
    assert_refused(capsys, agreement, f"{CONFIG}:{line}", "title: expected text, got ['aaa")
    checked = run(capsys, "-C", str(agreement), "check")
    assert max(len(line) for line in checked.err.splitlines()) < 300


def test_a_manifest_nested_too_deep_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], built_seed: Path, tmp_path: Path
) -> None:
    deep = tmp_path / "manifest.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    package = next((built_seed / "build").glob("*-allekirjoitus-kela.pdf"))
    result = run(capsys, "verify", "--manifest", str(deep), str(package))
    assert result.code == 2 and "nested too deep" in result.err
    assert "internal error" not in result.err
    result = run(capsys, "-C", str(built_seed), "build", "--force", "-o", str(tmp_path))
    assert result.code == 2 and "internal error" not in result.err


@pytest.mark.parametrize(
    ("old", "name"), [("id: lansi-pirkanmaa-tym", "id"), ("- id: kela", "parties[2].id")]
)
def test_an_id_too_long_for_a_file_name(
    capsys: pytest.CaptureFixture[str], agreement: Path, old: str, name: str
) -> None:
    """An id names output files: one of 65 characters is refused, naming the limit and why;
    one of 64 reads."""
    at_limit = old.replace(old.split(": ")[1], "k" * 64)
    edit(agreement, CONFIG, old, at_limit)
    checked = run(capsys, "-C", str(agreement), "check")
    assert "characters long" not in checked.err
    line = edit(agreement, CONFIG, at_limit, at_limit + "x")
    message = f"{name}: 'kkkkkkkkkkkkkkkkkkkk'… is 65 characters long, at most 64: the id names"
    assert_refused(capsys, agreement, f"{CONFIG}:{line}", message)
