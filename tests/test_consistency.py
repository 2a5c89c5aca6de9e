"""`tymdocs check` holds tymdocs.yaml and the computed htv to what the parties' text states.

Every warning names both places as path:line: where the text says it (the warning's own
location, at the paragraph that says it) and the tymdocs.yaml key or staffing entry it
contradicts (in the message). Texts that say nothing, or say the same in another Finnish form,
give no warning.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, edit, make_repo, run
from tymdocs.locale import numbers_in, parse_count, parse_decimal, parse_text_date

SEED_VALIDITY = "docs_src/12-voimassaolo-ja-muuttaminen.md"
SEED_STAFFING = "annexes/liite-5-henkilostoresurssi.yaml"
OTHER = FIXTURES / "kuvitteellinen"
CONTRADICTORY = FIXTURES / "ristiriita"

# What each check's message says, to tell its warnings from the others'.
COURT = "as the court, but"
EFFECTIVE = "says the agreement takes effect on"
UNTIL = "says the agreement is in force until"
NOTICE = "gives a notice period of"
TOTAL = "states a total of"
MISSING_FIGURE = "does not appear in the party's text"
ROW_FIGURE = "but its row ("
ALL_OF_THEM = (COURT, EFFECTIVE, UNTIL, NOTICE, TOTAL, MISSING_FIGURE, ROW_FIGURE)


@pytest.fixture
def seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seed in a git repository, as the current directory: paths print as in the sources."""
    root = make_repo(tmp_path / "seed")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The made-up four-party agreement, likewise."""
    root = make_repo(tmp_path / "jarviseutu", OTHER)
    monkeypatch.chdir(root)
    return root


def line_of(root: Path, path: str, needle: str) -> str:
    """``path:line`` of the first line of ``path`` that contains ``needle``."""
    lines = (root / path).read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, start=1) if needle in line)
    return f"{path}:{number}"


def warnings(capsys: pytest.CaptureFixture[str], root: Path, *about: str) -> list[str]:
    """The warnings ``check`` prints (as ``path:line: warning: …``) whose message says one of
    ``about``; check itself passes, since these are warnings."""
    result = run(capsys, "-C", str(root), "check")
    assert result.code == 0, result.err
    found = [line for line in result.err.splitlines() if ": warning: " in line]
    return [line for line in found if any(phrase in line for phrase in about or ALL_OF_THEM)]


def only(capsys: pytest.CaptureFixture[str], root: Path, about: str) -> str:
    found = warnings(capsys, root, about)
    assert len(found) == 1, found
    return found[0]


def names_both(warning: str, text: str, config: str) -> None:
    """The warning stands at the text's place and names the other place in its message."""
    assert warning.startswith(f"{text}: warning: "), warning
    assert re.search(rf"\b{re.escape(config)}(?!\d)", warning.split(": warning: ", 1)[1]), warning


# -- the court ----------------------------------------------------------------------------------


def test_a_court_in_the_text_that_differs_from_the_configured_one(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(seed, SEED_VALIDITY, "Hämeenlinnan hallinto-oikeudessa", "Itä-Suomen hallinto-oikeudessa")
    warning = only(capsys, seed, COURT)
    names_both(
        warning,
        line_of(seed, SEED_VALIDITY, "Sopimukseen liittyvät erimielisyydet"),
        line_of(seed, "tymdocs.yaml", "court:"),
    )
    assert "the text names Itä-Suomen hallinto-oikeus as the court" in warning
    assert "has court: Hämeenlinnan hallinto-oikeus" in warning
    assert run(capsys, "-C", str(seed), "check", "--strict").code == 1


def test_a_district_court_counts_in_any_case_form(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(
        seed,
        "tymdocs.yaml",
        "court: Hämeenlinnan hallinto-oikeus",
        "court: Pirkanmaan käräjäoikeus",
    )
    edit(
        seed,
        SEED_VALIDITY,
        "ratkaistaan hallintoriita-asiana Hämeenlinnan hallinto-oikeudessa.",
        "saatetaan Pirkanmaan käräjäoikeuteen.",
    )
    assert warnings(capsys, seed, COURT) == []
    edit(seed, SEED_VALIDITY, "Pirkanmaan käräjäoikeuteen", "Kanta-Hämeen käräjäoikeuteen")
    assert "the text names Kanta-Hämeen käräjäoikeus as the court" in only(capsys, seed, COURT)


def test_a_court_without_a_place_is_no_statement_of_the_court(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(
        seed,
        SEED_VALIDITY,
        "Hämeenlinnan hallinto-oikeudessa",
        "toimivaltaisessa hallinto-oikeudessa. Toimivaltaisen hallinto-oikeuden päätökseen "
        "haetaan muutosta korkeimmalta hallinto-oikeudelta",
    )
    assert warnings(capsys, seed, COURT) == []


# -- the effective date -------------------------------------------------------------------------


def test_an_effective_date_in_the_text_that_differs_from_the_configured_one(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(seed, SEED_VALIDITY, "tulee voimaan 1.5.2025", "tulee voimaan 1.6.2025")
    warning = only(capsys, seed, EFFECTIVE)
    names_both(
        warning,
        line_of(seed, SEED_VALIDITY, "tulee voimaan"),
        line_of(seed, "tymdocs.yaml", "effective_date:"),
    )
    assert "takes effect on 1.6.2025, but" in warning
    assert "has effective_date: 2025-05-01" in warning


def test_the_configured_effective_date_changed_instead(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(seed, "tymdocs.yaml", "effective_date: 2025-05-01", "effective_date: 2025-04-01")
    warning = only(capsys, seed, EFFECTIVE)
    names_both(
        warning,
        line_of(seed, SEED_VALIDITY, "tulee voimaan"),
        line_of(seed, "tymdocs.yaml", "effective_date:"),
    )


@pytest.mark.parametrize(
    "written",
    [
        "Tämä sopimus tulee voimaan 01.05.2025",
        "Tämä sopimus tulee voimaan 1. toukokuuta 2025",
        "Tämä sopimus on voimassa 1.5.2025 alkaen",
        "Sopimus on voimassa alkaen 01.05.2025",
    ],
)
def test_the_same_effective_date_in_another_finnish_form(
    capsys: pytest.CaptureFixture[str], seed: Path, written: str
) -> None:
    edit(seed, SEED_VALIDITY, "Tämä sopimus tulee voimaan 1.5.2025", written)
    assert warnings(capsys, seed) == []


def test_dates_that_are_not_the_agreements_own_give_no_warning(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(
        seed,
        SEED_VALIDITY,
        "Tämä sopimus tulee voimaan 1.5.2025 ja on voimassa toistaiseksi.",
        "Sopimus perustuu lakiin 381/2023, joka tuli voimaan 1.1.2025. Sopimuksen muutokset "
        "tulevat voimaan 1.10.2025 alkaen. Henkilöstöresurssi 1.6.2025 alkaen on liitteessä 5.",
    )
    assert warnings(capsys, seed) == []


# -- validity: open-ended or an end date -------------------------------------------------------


def test_valid_until_against_a_text_that_says_toistaiseksi(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(seed, "tymdocs.yaml", "valid_until: null", "valid_until: 2027-12-31")
    warning = only(capsys, seed, UNTIL)
    names_both(
        warning,
        line_of(seed, SEED_VALIDITY, "voimassa toistaiseksi"),
        line_of(seed, "tymdocs.yaml", "valid_until:"),
    )
    assert "in force until further notice (toistaiseksi)" in warning
    assert "has valid_until: 2027-12-31" in warning


def test_toistaiseksi_beside_the_notice_period_in_one_sentence(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(
        seed,
        SEED_VALIDITY,
        "ja on voimassa toistaiseksi.",
        "ja on voimassa toistaiseksi, ja sen irtisanomisaika on kuusi (6) kuukautta.",
    )
    assert warnings(capsys, seed) == []
    edit(seed, "tymdocs.yaml", "valid_until: null", "valid_until: 2027-12-31")
    assert "(toistaiseksi)" in only(capsys, seed, UNTIL)


def test_the_end_of_a_notice_is_no_end_date_of_the_agreement(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(seed, SEED_VALIDITY, "1.5.2025 ja on voimassa toistaiseksi.", "1.5.2025.")
    edit(
        seed,
        SEED_VALIDITY,
        "ennen aiottua irtisanomista.",
        "ennen aiottua irtisanomista. Irtisanottu sopimus päättyy viimeistään 31.12.2026.",
    )
    assert warnings(capsys, seed) == []
    edit(seed, SEED_VALIDITY, "Irtisanottu sopimus päättyy", "Sopimus päättyy")
    assert "in force until 31.12.2026, but" in only(capsys, seed, UNTIL)


def test_an_end_date_in_the_text_that_differs_from_valid_until(
    capsys: pytest.CaptureFixture[str], other: Path
) -> None:
    assert warnings(capsys, other) == []
    edit(other, "tymdocs.yaml", "valid_until: 2027-12-31", "valid_until: 2028-12-31")
    warning = only(capsys, other, UNTIL)
    names_both(
        warning,
        line_of(other, "docs_src/sopimus.md", "1.1.2026–31.12.2027"),
        line_of(other, "tymdocs.yaml", "valid_until:"),
    )
    assert "in force until 31.12.2027, but" in warning
    assert "has valid_until: 2028-12-31" in warning


def test_an_end_date_in_the_text_when_valid_until_is_not_set(
    capsys: pytest.CaptureFixture[str], other: Path
) -> None:
    edit(other, "tymdocs.yaml", "valid_until: 2027-12-31", "valid_until: null")
    warning = only(capsys, other, UNTIL)
    names_both(
        warning,
        line_of(other, "docs_src/sopimus.md", "1.1.2026–31.12.2027"),
        line_of(other, "tymdocs.yaml", "valid_until:"),
    )
    assert "has valid_until: null, in force until further notice" in warning


def test_an_end_date_in_the_text_when_tymdocs_yaml_has_no_valid_until(
    capsys: pytest.CaptureFixture[str], other: Path
) -> None:
    edit(other, "tymdocs.yaml", "valid_until: 2027-12-31\n", "")
    warning = only(capsys, other, UNTIL)
    assert warning.startswith(f"{line_of(other, 'docs_src/sopimus.md', '31.12.2027')}: warning: ")
    assert warning.endswith(
        "tymdocs.yaml has no valid_until (default: null, in force until further notice)"
    )


@pytest.mark.parametrize(
    "written",
    [
        "Sopimus on voimassa 1.1.2026 alkaen 31.12.2027 saakka.",
        "Sopimus tulee voimaan 1.1.2026 ja päättyy 31.12.2027.",
        "Sopimus on voimassa 01.01.2026 - 31.12.2027.",
        "Sopimuskausi on 1.1.2026–31.12.2027, minkä jälkeen sopimusta voidaan jatkaa "
        "31.12.2028 saakka.",
    ],
)
def test_the_same_term_in_other_finnish_words(
    capsys: pytest.CaptureFixture[str], other: Path, written: str
) -> None:
    edit(other, "docs_src/sopimus.md", "Sopimus on voimassa 1.1.2026–31.12.2027.", written)
    assert warnings(capsys, other) == []
    edit(other, "tymdocs.yaml", "valid_until: 2027-12-31", "valid_until: 2029-06-30")
    assert len(warnings(capsys, other, UNTIL)) == 1


def test_a_text_that_says_nothing_of_the_term_gives_no_warning(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(
        seed, SEED_VALIDITY, "Tämä sopimus tulee voimaan 1.5.2025 ja on voimassa toistaiseksi.", ""
    )
    edit(seed, "tymdocs.yaml", "valid_until: null", "valid_until: 2027-12-31")
    assert warnings(capsys, seed) == []


# -- the notice period --------------------------------------------------------------------------


def test_a_notice_period_in_the_text_that_differs_from_the_rules(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(seed, "tymdocs.yaml", "termination_notice_months: 6", "termination_notice_months: 3")
    warning = only(capsys, seed, NOTICE)
    names_both(
        warning,
        line_of(seed, SEED_VALIDITY, "voi irtisanoa"),
        line_of(seed, "tymdocs.yaml", "termination_notice_months:"),
    )
    assert "a notice period of 6 months, but" in warning
    assert "has change_rules.termination_notice_months: 3" in warning


@pytest.mark.parametrize(
    ("written", "months", "warns"),
    [
        ("Irtisanomisaika on kuusi (6) kuukautta.", 6, False),
        ("Irtisanomisaika on kuusi (6) kuukautta.", 3, True),
        ("Sopimuksen irtisanomisaika on kolmen kuukauden mittainen.", 3, False),
        ("Sopimuksen irtisanomisaika on kolmen kuukauden mittainen.", 6, True),
        ("Sopimuksella on puolen vuoden irtisanomisaika.", 6, False),
        ("Sopimuksella on 12 kk:n irtisanomisaika.", 6, True),
    ],
)
def test_a_notice_period_written_in_words_or_digits(
    capsys: pytest.CaptureFixture[str], other: Path, written: str, months: int, warns: bool
) -> None:
    edit(other, "docs_src/sopimus.md", "## Allekirjoittajat", f"{written}\n\n## Allekirjoittajat")
    edit(
        other,
        "tymdocs.yaml",
        "termination_notice_months: 3",
        f"termination_notice_months: {months}",
    )
    found = warnings(capsys, other, NOTICE)
    assert len(found) == int(warns), found
    if warns:
        names_both(
            found[0],
            line_of(other, "docs_src/sopimus.md", written[:20]),
            line_of(other, "tymdocs.yaml", "termination_notice_months:"),
        )


def test_the_default_notice_period_is_named_as_such(
    capsys: pytest.CaptureFixture[str], other: Path
) -> None:
    edit(
        other,
        "docs_src/sopimus.md",
        "## Allekirjoittajat",
        "Irtisanomisaika on 3 kuukautta.\n\n## Allekirjoittajat",
    )
    edit(other, "tymdocs.yaml", "  termination_notice_months: 3\n", "")
    warning = only(capsys, other, NOTICE)
    assert "tymdocs.yaml has no change_rules.termination_notice_months (default: 6)" in warning


# -- stated htv totals --------------------------------------------------------------------------


def test_a_total_in_an_annex_text_that_differs_from_the_computed_one(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(
        seed,
        SEED_STAFFING,
        "  Sovituista resursseista huolimatta",
        "  Osapuolet osoittavat yhteistoimintamalliin yhteensä 4,655 htv.\n\n"
        "  Sovituista resursseista huolimatta",
    )
    warning = only(capsys, seed, "the text of Liite 5 states a total")
    names_both(
        warning,
        line_of(seed, SEED_STAFFING, "yhteensä 4,655 htv"),
        line_of(seed, SEED_STAFFING, "- party: tyollisyysalue"),
    )
    assert "a total of 4,655 htv, but" in warning
    assert "add up to 1,5 + 2,255 + 0,8 = 4,555" in warning


def test_a_total_in_a_table_of_an_annex_text(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(
        seed,
        SEED_STAFFING,
        "  Sovituista resursseista huolimatta",
        "  | Osapuoli | Resurssi |\n  |---|---:|\n  | Kaikki osapuolet | 4,555 htv |\n"
        "  | Yhteensä | 4,65 htv |\n\n  Sovituista resursseista huolimatta",
    )
    warning = only(capsys, seed, TOTAL)
    names_both(
        warning,
        line_of(seed, SEED_STAFFING, "| Yhteensä | 4,65 htv |"),
        line_of(seed, SEED_STAFFING, "- party: tyollisyysalue"),
    )


def test_a_party_text_that_states_another_total_than_its_htv(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(seed, SEED_STAFFING, "yhteensä 2,255 htv.tä", "yhteensä 2,355 htv.tä")
    warning = only(capsys, seed, TOTAL)
    names_both(
        warning,
        line_of(seed, SEED_STAFFING, "Hyvinvointialue osoittaa"),
        line_of(seed, SEED_STAFFING, "- party: hyvinvointialue"),
    )
    assert (
        "the text of Pirkanmaan hyvinvointialue in Liite 5 states a total of 2,355 htv" in warning
    )
    assert "is 2,255" in warning


def test_a_total_for_a_part_is_no_total_of_the_party(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(
        seed, SEED_STAFFING, "Sosiaalityön resurssia 1,5", "Sosiaalityön resurssia yhteensä 1,5 htv"
    )
    assert warnings(capsys, seed) == []


# -- figures written with a decimal: 2,0 htv is 2 htv ---------------------------------------------


def test_a_party_text_writing_1_0_htv_states_1(
    capsys: pytest.CaptureFixture[str], seed: Path
) -> None:
    edit(seed, SEED_STAFFING, "  - party: kela\n    htv: 0.8", "  - party: kela\n    htv: 1")
    edit(
        seed,
        SEED_STAFFING,
        "      - role: työkykyneuvoja\n        htv: 0.8",
        "      - role: työkykyneuvoja\n        htv: 1.0",
    )
    edit(seed, SEED_STAFFING, "malliin on 0,8 htv.tä", "malliin on 1,0 htv.tä")
    assert warnings(capsys, seed) == []
    assert "0 error(s), 3 warning(s)" in run(capsys, "-C", str(seed), "check").out  # the seed's own
    edit(seed, SEED_STAFFING, "malliin on 1,0 htv.tä", "malliin on 1,5 htv.tä")
    found = warnings(capsys, seed, MISSING_FIGURE, ROW_FIGURE)
    role = line_of(seed, SEED_STAFFING, "- role: työkykyneuvoja")
    assert [w.split(": warning: ")[1] for w in found] == [
        "1 htv (Kansaneläkelaitos) does not appear in the party's text",
        "the text of Kansaneläkelaitos in Liite 5 gives 1,5 htv for työkykyneuvoja "
        f'("1,5 htv.tä (työkykyneuvoja)"), but its row ({role}) has 1 htv',
    ]


def test_a_party_text_writing_2_0_htv_states_2_and_strict_passes(
    capsys: pytest.CaptureFixture[str], other: Path
) -> None:
    edit(
        other,
        "annexes/henkilosto.yaml",
        "  - party: jarvila\n    htv: 2\n",
        "  - party: jarvila\n    htv: 2\n    text: |\n"
        "      Järvilä osoittaa 2,0 htv: työvalmentaja 1,25 ja työllisyysasiantuntija 0,75.\n",
    )
    edit(
        other, "tymdocs.yaml", "signatories: []", "signatories: [{name: Eemil Esa, title: johtaja}]"
    )
    edit(other, "docs_src/sopimus.md", "- Aino Ahonen", "- Eemil Esa, johtaja\n- Aino Ahonen")
    result = run(capsys, "-C", str(other), "check", "--strict")
    assert result.code == 0, result.err
    assert "0 warning(s)" in result.out


# -- whole agreements -----------------------------------------------------------------------------


def test_the_seed_and_the_made_up_agreement_agree_with_their_text(
    capsys: pytest.CaptureFixture[str], seed: Path, other: Path
) -> None:
    assert warnings(capsys, seed) == []
    assert warnings(capsys, other) == []


def test_an_agreement_that_contradicts_its_text_everywhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "ristiriita", CONTRADICTORY)
    monkeypatch.chdir(root)
    text = "docs_src/sopimus.md"
    staffing = "annexes/liite-1-henkilosto.yaml"
    found = warnings(capsys, root)
    expected = {
        COURT: (line_of(root, text, "Sopimusta koskevat"), line_of(root, "tymdocs.yaml", "court:")),
        EFFECTIVE: (
            line_of(root, text, "tulee voimaan"),
            line_of(root, "tymdocs.yaml", "effective_date:"),
        ),
        UNTIL: (line_of(root, text, "toistaiseksi"), line_of(root, "tymdocs.yaml", "valid_until:")),
        NOTICE: (
            line_of(root, text, "voi irtisanoa"),
            line_of(root, "tymdocs.yaml", "termination_notice_months:"),
        ),
        "the text of Liite 1 states a total of 7,45 htv": (
            line_of(root, staffing, "yhteensä 7,45 htv"),
            line_of(root, staffing, "- party: ristijoki"),
        ),
        "states a total of 4,45 htv": (
            line_of(root, staffing, "Hyvinvointialue osoittaa"),
            line_of(root, staffing, "- party: hyvinvointialue"),
        ),
        "4,35 htv (Itärannan hyvinvointialue) does not appear": (
            line_of(root, staffing, "- party: hyvinvointialue"),
            None,
        ),
    }
    assert len(found) == len(expected), found
    for phrase, (place, other_place) in expected.items():
        warning = next(w for w in found if phrase in w)
        if other_place is None:
            assert warning.startswith(f"{place}: warning: ")
        else:
            names_both(warning, place, other_place)
    assert "add up to 2 + 4,35 + 1 = 7,35" in next(w for w in found if "7,45" in w)
    strict = run(capsys, "-C", str(root), "check", "--strict")
    assert strict.code == 1


def test_the_contradictory_agreement_with_an_end_date_instead(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "ristiriita", CONTRADICTORY)
    monkeypatch.chdir(root)
    edit(root, "docs_src/sopimus.md", "on voimassa toistaiseksi", "on voimassa 31.12.2027 saakka")
    warning = only(capsys, root, UNTIL)
    names_both(
        warning,
        line_of(root, "docs_src/sopimus.md", "31.12.2027 saakka"),
        line_of(root, "tymdocs.yaml", "valid_until:"),
    )
    assert "in force until 31.12.2027, but" in warning and "valid_until: 2028-12-31" in warning


# -- reading Finnish numbers and dates ------------------------------------------------------------


def test_finnish_numbers_are_read_as_numbers() -> None:
    assert numbers_in("yhteensä 2,0 htv.tä (1,0 ja 0,75), 1.5.2025 alkaen; 3 henkilöä.") == [
        parse_decimal("2"),
        parse_decimal("1"),
        parse_decimal("0,75"),
        parse_decimal("3"),
    ]
    assert parse_decimal("2,0") == parse_decimal("2") and parse_decimal("1.5") is None
    assert [parse_count(w) for w in ("kuusi", "kuuden", "Kolme", "12", "puolen", "monta")] == [
        parse_decimal("6"),
        parse_decimal("6"),
        parse_decimal("3"),
        parse_decimal("12"),
        parse_decimal("0,5"),
        None,
    ]


def test_finnish_dates_are_read_in_every_form() -> None:
    same = {parse_text_date(d) for d in ("1.5.2025", "01.05.2025", "1. toukokuuta 2025")}
    assert same == {dt.date(2025, 5, 1)}
    assert parse_text_date("31.2.2025") is None
    assert parse_text_date("1. toukokuu 2025") is None
