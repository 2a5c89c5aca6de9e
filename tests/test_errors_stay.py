"""Errors stay where they are: one mistake is reported once, at its own path:line, and never
echoed as false errors about other files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import copy_agreement, edit, run
from tymdocs.errors import Problem
from tymdocs.yamlsrc import Node, load_yaml

LIITE_2 = "annexes/liite-2-kokoonpano.yaml"
LIITE_5 = "annexes/liite-5-henkilostoresurssi.yaml"


@pytest.fixture
def agreement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed's sources the test may break, as the current directory."""
    root = copy_agreement(tmp_path / "agreement")
    monkeypatch.chdir(root)
    return root


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


def problems(capsys: pytest.CaptureFixture[str], root: Path) -> list[str]:
    """Every error and warning line ``tymdocs check`` prints, after asserting that it failed."""
    result = run(capsys, "-C", str(root), "check")
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    return [
        line for line in result.err.splitlines() if ": error: " in line or ": warning: " in line
    ]


SEED_WARNINGS = 3
"""The seed's own warnings (Liite 1 against Liite 2, § 2 against § 9, an unnamed signatory)."""


def test_an_error_inside_an_annex_is_not_also_a_missing_annex(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, LIITE_2, "    deputy: Virpi Heikkinen", "    deputee: Virpi Heikkinen")
    assert errors(capsys, agreement) == [
        f"{LIITE_2}:{line}: error: unknown key 'deputee' in members[2] "
        "(allowed: name, role, deputy, party, organisation)"
    ]


def test_a_mention_of_an_annex_that_really_is_missing_is_still_reported(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    edit(agreement, LIITE_2, "    deputy: Virpi Heikkinen", "    deputee: Virpi Heikkinen")
    line = edit(agreement, "docs_src/08-henkilosto.md", "liitteessä 5.", "liitteessä 7.")
    found = errors(capsys, agreement)
    assert len(found) == 2, found
    assert found[1] == (
        f"docs_src/08-henkilosto.md:{line}: error: the text refers to annex 7, which does not "
        "exist (annexes: 1, 3, 4, 5, 6)"
    )


def test_a_yaml_syntax_error_in_an_annex_stays_in_the_annex(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    edit(agreement, LIITE_5, "  - party: kela\n", "  - party: [kela\n")
    found = errors(capsys, agreement)
    assert len(found) == 1 and found[0].startswith(f"{LIITE_5}:"), found
    assert "YAML syntax error" in found[0]


def test_a_text_annex_with_a_bad_heading_is_known_by_its_file_name(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    edit(agreement, "annexes/liite-4-palvelut.md", "# Liite 4 ", "# Liite IV ")
    assert errors(capsys, agreement) == [
        "annexes/liite-4-palvelut.md:1: error: an annex starts with '# Liite <number> <title>' "
        "or '# Bilaga <number> <title>'"
    ]


def test_a_party_that_does_not_read_is_not_also_undefined_elsewhere(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, "tymdocs.yaml", "  - id: kela", "  - id: Kela")
    assert errors(capsys, agreement) == [
        f"tymdocs.yaml:{line}: error: parties[2].id: 'Kela' must be lower-case letters, digits, "
        "'-' or '_'"
    ]


def test_a_party_whose_signatory_does_not_read_gets_no_false_warnings(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(
        agreement, "tymdocs.yaml", "      - name: Mika Kontio\n", "      - name: Mika Kontio\n"
    )
    edit(agreement, "tymdocs.yaml", "        title: konsernijohtaja\n", "")
    found = problems(capsys, agreement)
    assert found[0] == (
        f"tymdocs.yaml:{line}: error: missing key 'title' in parties[1].signatories[0]"
    )
    assert not [p for p in found[1:] if ": error: " in p or "'hyvinvointialue'" in p], found


def test_section_files_that_are_not_utf8_leave_the_other_checks_quiet(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    expected = []
    for name in ("03-toimialue.md", "12-voimassaolo-ja-muuttaminen.md"):
        file = agreement / "docs_src" / name
        file.write_bytes(file.read_bytes() + b"\xff\n")
        line = file.read_bytes().count(b"\n")
        expected.append(f"docs_src/{name}:{line}: error: not UTF-8 text; save the file as UTF-8")
    found = problems(capsys, agreement)
    assert found[:2] == expected
    # Neither "section 4 follows section 2" nor "signatory ... is not named in the main text"
    assert not [p for p in found if "follows section" in p or "not named in the main" in p]
    assert len(found) <= 2 + SEED_WARNINGS, found


# -- a Finnish decimal comma ------------------------------------------------------------------


def test_a_decimal_comma_in_an_annex_flow_mapping_is_explained(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(
        agreement,
        LIITE_5,
        "          - role: terveydenhoitaja\n            htv: 0.665\n",
        "          - {role: terveydenhoitaja, htv: 0,665}\n",
    )
    assert errors(capsys, agreement) == [
        f"{LIITE_5}:{line}: error: parties[1].parts[1].parts[0].htv: 0,665 uses a decimal comma; "
        "YAML needs a point: htv: 0.665"
    ]


def test_a_decimal_comma_in_an_annex_block_mapping_is_explained(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, LIITE_5, "htv: 0.665", "htv: 0,665")
    assert errors(capsys, agreement) == [
        f"{LIITE_5}:{line}: error: parties[1].parts[1].parts[0].htv: 0,665 uses a decimal comma; "
        "YAML needs a point: htv: 0.665"
    ]


def test_a_decimal_comma_in_tymdocs_yaml_is_explained_in_either_style(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    flow = edit(
        agreement,
        "tymdocs.yaml",
        "steering_group:\n  appointed_by: tyollisyysalue\n  appointed_on: 2025-01-20\n"
        "  term_years: 5\n",
        "steering_group: {appointed_by: tyollisyysalue, appointed_on: 2025-01-20, "
        "term_years: 5,0}\n",
    )
    block = edit(
        agreement, "tymdocs.yaml", "termination_notice_months: 6", "termination_notice_months: 6,5"
    )
    assert errors(capsys, agreement) == [
        f"tymdocs.yaml:{flow}: error: steering_group.term_years: 5,0 uses a decimal comma; "
        "a whole number needs none: term_years: 5",
        f"tymdocs.yaml:{block}: error: change_rules.termination_notice_months: 6,5 uses a "
        "decimal comma, but a whole number is expected here",
    ]


def read(text: str, expect: str = "number") -> list[str]:
    """The problems of reading key ``x`` of a one-line YAML mapping as ``expect``."""
    problems: list[Problem] = []
    source = load_yaml(text, "a.yaml", problems)
    assert source is not None
    fields = Node.root(source, problems).mapping(optional=("x", "y"))
    assert fields is not None
    getattr(fields["x"], {"number": "decimal", "text": "text"}[expect])()
    return [str(problem) for problem in problems]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{x: 0,5, y: a}",
            "a.yaml:1: error: x: 0,5 uses a decimal comma; YAML needs a point: x: 0.5",
        ),
        (
            "{y: a, x: -1,25}",
            "a.yaml:1: error: x: -1,25 uses a decimal comma; YAML needs a point: x: -1.25",
        ),
        ("x: '0,5'", "a.yaml:1: error: x: 0,5 uses a decimal comma; YAML needs a point: x: 0.5"),
        ("{x: 0, 5}", "a.yaml:1: error: unknown key '5' in the file (allowed: x, y)"),
    ],
)
def test_only_a_number_split_at_a_bare_comma_reads_as_a_decimal_comma(
    text: str, message: str
) -> None:
    assert read(text) == [message]


def test_a_decimal_comma_where_text_is_expected_is_text_in_block_style_only() -> None:
    assert read("x: 0,5", "text") == []
    assert read("{x: 0,5}", "text") == [
        "a.yaml:1: error: x: 0,5 uses a decimal comma; YAML needs a point: x: 0.5"
    ]


def test_a_bad_party_in_a_change_rule_is_not_also_the_wrong_party(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(
        agreement,
        "tymdocs.yaml",
        "body: Työllisyyslautakunta, party: tyollisyysalue}",
        "body: Työllisyyslautakunta, party: Tyollisyysalue}",
    )
    assert errors(capsys, agreement) == [
        f"tymdocs.yaml:{line}: error: change_rules.annexes[1].party: 'Tyollisyysalue' must be "
        "lower-case letters, digits, '-' or '_'"
    ]


def test_an_unknown_language_is_reported_not_a_crash(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, "tymdocs.yaml", "language: fi", "language: en")
    assert errors(capsys, agreement) == [
        f"tymdocs.yaml:{line}: error: language: expected one of fi, sv, got 'en'"
    ]


def test_a_tymdocs_yaml_that_does_not_read_is_a_problem_in_the_sources_for_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """status, log and check --governance need the file too: exit 1, naming its line as
    check does, never a usage error."""
    from tests.helpers import init_repo

    root = init_repo(copy_agreement(tmp_path / "agreement"))
    (root / "tymdocs.yaml").write_text("id: [rikki\n", encoding="utf-8")
    for command in (("status",), ("log",), ("check", "--governance")):
        result = run(capsys, "-C", str(root), *command)
        assert result.code == 1, (command, result.err)
        assert "tymdocs.yaml:2: error: YAML syntax error" in result.err, command
        assert "Traceback" not in result.err
