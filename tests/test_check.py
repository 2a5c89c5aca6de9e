"""`tymdocs check`: every bad input named with path:line, exit 1, and build/ left untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import copy_agreement, edit, run, tree_digest

LIITE_2 = "annexes/liite-2-kokoonpano.yaml"
LIITE_5 = "annexes/liite-5-henkilostoresurssi.yaml"


@pytest.fixture
def agreement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seed's sources, as the current directory, with a previous build/ that a failed
    build must not touch."""
    root = copy_agreement(tmp_path / "agreement")
    monkeypatch.chdir(root)
    build = root / "build"
    build.mkdir()
    (build / "manifest.json").write_text('{"previous": true}\n')
    (build / "lansi-pirkanmaa-tym.pdf").write_bytes(b"%PDF previous")
    return root


def assert_reported(
    capsys: pytest.CaptureFixture[str], root: Path, where: str, message: str
) -> None:
    """check and build both fail with the message at ``where``; build/ stays as it was."""
    before = tree_digest(root / "build")
    checked = run(capsys, "-C", str(root), "check")
    assert checked.code == 1
    assert f"{where}: error: {message}" in checked.err, checked.err
    assert "check failed" in checked.out
    built = run(capsys, "-C", str(root), "build")
    assert built.code == 1
    assert f"{where}: error: {message}" in built.err
    assert "Traceback" not in built.err
    assert tree_digest(root / "build") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".build-")]


def test_yaml_syntax_error(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(agreement, "tymdocs.yaml", "court: Hämeenlinnan", "court: [Hämeenlinnan")
    found = edit(agreement, "tymdocs.yaml", "steering_group:", "steering_group:")
    assert_reported(
        capsys,
        agreement,
        f"tymdocs.yaml:{found}",
        "YAML syntax error: expected ',' or ']', but got ':' "
        f"(while parsing a flow sequence at line {line})",
    )


def test_unknown_key(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(agreement, "tymdocs.yaml", "court:", "colour: blue\ncourt:")
    assert_reported(capsys, agreement, f"tymdocs.yaml:{line}", "unknown key 'colour' in the file")


def test_unknown_key_in_an_annex(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(agreement, LIITE_2, "    deputy: Virpi Heikkinen", "    deputee: Virpi Heikkinen")
    assert_reported(capsys, agreement, f"{LIITE_2}:{line}", "unknown key 'deputee' in members[2]")


def test_missing_key(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    edit(agreement, "tymdocs.yaml", "court: Hämeenlinnan hallinto-oikeus\n", "")
    assert_reported(capsys, agreement, "tymdocs.yaml:3", "missing key 'court' in the file")


def test_wrong_type(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(agreement, LIITE_5, "htv: 0.665", "htv: noin puoli")
    assert_reported(
        capsys,
        agreement,
        f"{LIITE_5}:{line}",
        "parties[1].parts[1].parts[0].htv: expected a number such as 0.75, got 'noin puoli'",
    )


def test_duplicate_section_number(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    (agreement / "docs_src" / "13-lisays.md").write_text("# 3 Toinen toimialue\n\nTeksti.\n")
    assert_reported(
        capsys,
        agreement,
        "docs_src/13-lisays.md:1",
        "section 3 is already defined at docs_src/03-toimialue.md:1",
    )


def test_duplicate_annex_number(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    (agreement / "annexes" / "liite-4-toinen.md").write_text("\n# Liite 4 TOINEN\n\nTeksti.\n")
    assert_reported(
        capsys,
        agreement,
        "annexes/liite-4-toinen.md:2",
        "annex 4 is already defined at annexes/liite-4-palvelut.md:1",
    )


def test_reference_to_a_missing_annex(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(
        agreement,
        "docs_src/08-henkilosto.md",
        "on kuvattu liitteessä 5.",
        "on kuvattu liitteessä 5.\nTarkemmin liitteessä 7.",
    )
    assert_reported(
        capsys,
        agreement,
        f"docs_src/08-henkilosto.md:{line + 1}",
        "the text refers to annex 7, which does not exist (annexes: 1, 2, 3, 4, 5, 6)",
    )


def test_htv_parts_that_do_not_add_up(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    edit(agreement, LIITE_5, "htv: 0.665", "htv: 0.666")
    line = edit(agreement, LIITE_5, "  - unit: terveydenhuolto", "  - unit: terveydenhuolto")
    assert_reported(
        capsys,
        agreement,
        f"{LIITE_5}:{line}",
        "htv of terveydenhuolto does not add up: 0,666 + 0,09 = 0,756, stated 0,755",
    )


def test_party_total_that_does_not_add_up(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(
        agreement, LIITE_5, "  - party: kela\n    htv: 0.8", "  - party: kela\n    htv: 0.9"
    )
    assert_reported(
        capsys,
        agreement,
        f"{LIITE_5}:{line}",
        "htv of Kansaneläkelaitos does not add up: 0,8 = 0,8, stated 0,9",
    )


def test_a_party_whose_rows_add_up_to_no_staff_is_warned_of(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    """As init's skeleton writes it (``htv: 0``): the row exists, but allocates nothing."""
    file = agreement / LIITE_5
    text = file.read_text(encoding="utf-8")
    kela = text.index("  - party: kela\n")
    file.write_text(text[:kela] + "  - party: kela\n    htv: 0\n", encoding="utf-8")
    line = text[:kela].count("\n") + 1
    result = run(capsys, "-C", str(agreement), "check", "--json")
    assert result.code == 0  # a warning: the parties may yet fill it in
    warned = [
        (p["line"], p["message"])
        for p in json.loads(result.out)["problems"]
        if p["path"] == LIITE_5 and "allocates no staff" in p["message"]
    ]
    assert warned == [(line, "Liite 5 allocates no staff for party 'kela' (its htv add up to 0)")]


def test_undefined_party(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(agreement, LIITE_2, "    - party: kela", "    - party: kelaa")
    assert_reported(
        capsys,
        agreement,
        f"{LIITE_2}:{line}",
        "contact person Annukka Eloranta names party 'kelaa', which tymdocs.yaml does not define",
    )


def test_invalid_date(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(
        agreement, "tymdocs.yaml", "effective_date: 2025-05-01", "effective_date: 2025-02-30"
    )
    assert_reported(
        capsys,
        agreement,
        f"tymdocs.yaml:{line}",
        "effective_date: invalid date '2025-02-30' (day is out of range for month)",
    )


def test_date_in_finnish_format_is_refused(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, "tymdocs.yaml", "effective_date: 2025-05-01", "effective_date: 1.5.2025")
    assert_reported(
        capsys,
        agreement,
        f"tymdocs.yaml:{line}",
        "effective_date: expected a date as YYYY-MM-DD, got '1.5.2025'",
    )


def test_control_character(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    line = edit(agreement, "docs_src/05-tavoitteet.md", "vuosittain.", "vuosittain.\x07")
    assert_reported(
        capsys,
        agreement,
        f"docs_src/05-tavoitteet.md:{line}",
        "control character U+0007 is not allowed in text",
    )


def test_every_problem_is_reported_at_once(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    edit(agreement, "tymdocs.yaml", "court:", "colour: blue\ncourt:")
    edit(agreement, LIITE_5, "htv: 0.665", "htv: 0.666")
    edit(agreement, "docs_src/08-henkilosto.md", "liitteessä 5.", "liitteessä 9.")
    result = run(capsys, "-C", str(agreement), "check")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert len(errors) == 3, result.err


def test_seed_passes_with_warnings_and_strict_fails(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    result = run(capsys, "-C", str(agreement), "check")
    assert result.code == 0
    assert "check ok: 0 error(s), 3 warning(s)" in result.out
    assert result.err.count(": warning: ") == 3
    strict = run(capsys, "-C", str(agreement), "check", "--strict")
    assert strict.code == 1
    assert "check failed" in strict.out


def test_json_report(capsys: pytest.CaptureFixture[str], agreement: Path) -> None:
    edit(agreement, LIITE_5, "htv: 0.665", "htv: 0.666")
    line = edit(agreement, LIITE_5, "  - unit: terveydenhuolto", "  - unit: terveydenhuolto")
    result = run(capsys, "-C", str(agreement), "check", "--json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["ok"] is False
    assert report["errors"] == 1 and report["warnings"] == 4
    assert (
        "the text of Pirkanmaan hyvinvointialue in Liite 5 gives 0,665 htv for terveydenhoitaja "
        f'("terveydenhoitaja 0,665"), but its row ({LIITE_5}:51) has 0,666 htv'
    ) in [p["message"] for p in report["problems"]]
    error = next(p for p in report["problems"] if p["severity"] == "error")
    assert error["path"] == LIITE_5
    assert error["line"] == line
    assert error["message"].startswith("htv of terveydenhuolto does not add up")


def test_no_traceback_without_verbose(agreement: Path) -> None:
    edit(agreement, "tymdocs.yaml", "court: Hämeenlinnan", "court: [Hämeenlinnan")
    command = [sys.executable, "-m", "tymdocs", "-C", str(agreement), "build"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("tymdocs.yaml:")


def test_paths_are_shown_from_where_the_command_ran(
    capsys: pytest.CaptureFixture[str], agreement: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = edit(agreement, "docs_src/05-tavoitteet.md", "liitteeksi 3", "liitteeksi 8")
    monkeypatch.chdir(agreement.parent)
    for command in ("check", "build"):
        result = run(capsys, "-C", "agreement", command)
        assert result.code == 1
        assert f"agreement/docs_src/05-tavoitteet.md:{line}: error:" in result.err


def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], agreement: Path, tmp_path: Path
) -> None:
    assert run(capsys, "-C", str(agreement), "build", "--no-such-flag").code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(capsys, "-C", str(empty), "check")
    assert result.code == 2
    assert "has no tymdocs.yaml" in result.err
    ref = run(capsys, "-C", str(agreement), "build", "--ref", "HEAD")
    assert ref.code == 2
    assert "--ref needs a git repository" in ref.err


# -- the change rules ------------------------------------------------------------------------

RULE_1 = "1: {record: decision, body: Työllisyyslautakunta, party: tyollisyysalue}"


def test_liite_1_changes_only_by_the_appointing_party(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, "tymdocs.yaml", RULE_1, "1: {record: decision, body: Johtoryhmä}")
    assert_reported(
        capsys,
        agreement,
        f"tymdocs.yaml:{line}",
        "Liite 1 is the steering group's appointment: it changes only by a decision of the "
        "appointing party 'tyollisyysalue' (steering_group.appointed_by), not by the steering "
        "group; under change_rules.annexes write 1: {record: decision, "
        "body: Työllisyyslautakunta, party: tyollisyysalue}",
    )


def test_a_rule_needs_a_known_record_and_a_body_for_a_decision(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, "tymdocs.yaml", "2: {record: notice}", "2: {record: ilmoitus}")
    assert_reported(
        capsys,
        agreement,
        f"tymdocs.yaml:{line}",
        "change_rules.annexes[2].record: expected one of amendment, decision, notice, "
        "got 'ilmoitus'",
    )
    edit(agreement, "tymdocs.yaml", "2: {record: ilmoitus}", "2: {record: notice}")
    line = edit(
        agreement,
        "tymdocs.yaml",
        "4: {record: decision, body: Johtoryhmä}",
        "4: {record: decision}",
    )
    assert_reported(
        capsys,
        agreement,
        f"tymdocs.yaml:{line}",
        "change_rules.annexes[4]: a decision needs the body that decides ('body: …')",
    )


def test_a_rule_for_a_party_or_annex_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, "tymdocs.yaml", "party: tyollisyysalue}", "party: sastamala}")
    edit(agreement, "tymdocs.yaml", "6: {record", "9: {record")
    checked = run(capsys, "-C", str(agreement), "check")
    assert checked.code == 1
    assert (
        f"tymdocs.yaml:{line}: error: change_rules names party 'sastamala', which tymdocs.yaml "
        "does not define (parties: hyvinvointialue, kela, tyollisyysalue)"
    ) in checked.err
    assert "warning: change_rules names Liite 9, which does not exist" in checked.err


def test_the_main_text_changes_only_by_amendment(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    line = edit(agreement, "tymdocs.yaml", "main_text: amendment", "main_text: decision")
    assert_reported(
        capsys,
        agreement,
        f"tymdocs.yaml:{line}",
        "change_rules.main_text: expected one of amendment, got 'decision'",
    )


def test_the_policy_is_read_as_written(agreement: Path) -> None:
    from tymdocs.checks import validate
    from tymdocs.sources import WorkTree

    loaded = validate(WorkTree(agreement))
    assert loaded.agreement is not None
    policy = loaded.agreement.meta.policy
    assert policy.rule(1).record == "decision" and policy.rule(1).party == "tyollisyysalue"
    assert policy.rule(2).record == "notice" and policy.rule(2).body is None
    assert [n for n in range(1, 8) if policy.rule(n).yearly_review] == [3, 5]
    assert policy.rule(7).body == "Johtoryhmä"  # an annex added later follows the default
    assert policy.termination_notice_months == 6
    assert policy.require_signed_records is False
    assert policy.signing == "counterparts"  # the key left out: its default


def test_how_a_version_is_signed_is_read_and_checked(
    capsys: pytest.CaptureFixture[str], agreement: Path
) -> None:
    from tymdocs.checks import validate
    from tymdocs.sources import WorkTree

    edit(
        agreement,
        "tymdocs.yaml",
        "  require_signed_records: false",
        "  require_signed_records: false\n  signing: every-copy",
    )
    loaded = validate(WorkTree(agreement))
    assert loaded.agreement is not None
    assert loaded.agreement.meta.policy.signing == "every-copy"
    line = edit(agreement, "tymdocs.yaml", "signing: every-copy", "signing: paper")
    assert_reported(
        capsys,
        agreement,
        f"tymdocs.yaml:{line}",
        "change_rules.signing: expected one of counterparts, every-copy, got 'paper'",
    )
