"""`tymdocs check` holds each figure a party's staffing text gives beside a row's name to that
row of the table: "sosiaaliohjaaja 1,2 htv" above a row of 1,0 is a warning naming both places,
even where 1,0 stands elsewhere in the text (for another role)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, copy_agreement, edit, run
from tymdocs.consistency import Sentence, named_figures
from tymdocs.model import Origin

STAFFING = "annexes/henkilosto.yaml"
COUNTY = "  - party: hyvinvointialue\n    htv: 1.125\n    parts:\n"
COUNTY_AREAS = "      - {area: Järvilä, htv: 0.625}\n      - {area: Kallio ja Niemelä, htv: 0.5}\n"
ROLES = {"sosiaaliohjaaja": "1.0", "terveydenhoitaja": "1.0", "lääkäri": "1.0"}
ROW_FIGURE = "but its row ("
MISSING_FIGURE = "does not appear in the party's text"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The made-up four-party agreement, as the current directory: paths print as written."""
    root = copy_agreement(tmp_path / "jarviseutu", FIXTURES / "kuvitteellinen")
    monkeypatch.chdir(root)
    return root


def county(root: Path, text: str, roles: dict[str, str] = ROLES) -> None:
    """The county's staffing: ``text`` above a row per role, its htv their sum."""
    total = sum(Decimal(htv) for htv in roles.values())
    rows = "".join(f"      - {{role: {role}, htv: {htv}}}\n" for role, htv in roles.items())
    entry = f"  - party: hyvinvointialue\n    htv: {total}\n    text: |\n      {text}\n    parts:\n"
    edit(root, STAFFING, COUNTY + COUNTY_AREAS, entry + rows)


def line_of(root: Path, needle: str) -> str:
    """``path:line`` of the first line of the staffing annex that contains ``needle``."""
    lines = (root / STAFFING).read_text(encoding="utf-8").split("\n")
    return f"{STAFFING}:{next(i for i, line in enumerate(lines, 1) if needle in line)}"


def figure_warnings(capsys: pytest.CaptureFixture[str], root: Path) -> list[str]:
    """The warnings about staffing figures that ``check`` prints; check itself passes."""
    result = run(capsys, "check")
    assert result.code == 0, result.err
    found = [line for line in result.err.splitlines() if ": warning: " in line]
    return [line for line in found if ROW_FIGURE in line or MISSING_FIGURE in line]


def test_figures_that_contradict_their_rows_warn_at_both_places(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    county(
        root,
        "Hyvinvointialue osoittaa sosiaaliohjaaja 1,2 htv, terveydenhoitaja 0,8 htv ja "
        "lääkäri 1,0 htv, yhteensä 3,0 htv.",
    )
    text = line_of(root, "Hyvinvointialue osoittaa")
    assert figure_warnings(capsys, root) == [
        f"{text}: warning: the text of Järviseudun hyvinvointialue in Liite 2 gives 1,2 htv for "
        f'sosiaaliohjaaja ("sosiaaliohjaaja 1,2"), but its row '
        f"({line_of(root, '{role: sosiaaliohjaaja')}) has 1 htv",
        f"{text}: warning: the text of Järviseudun hyvinvointialue in Liite 2 gives 0,8 htv for "
        f'terveydenhoitaja ("terveydenhoitaja 0,8"), but its row '
        f"({line_of(root, '{role: terveydenhoitaja')}) has 1 htv",
    ]
    assert run(capsys, "check", "--strict").code == 1


def test_a_text_that_agrees_gives_no_warning(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    county(
        root,
        "Hyvinvointialue osoittaa sosiaaliohjaaja 1,0 htv, terveydenhoitaja 1 htv ja "
        "lääkäri 1,00 htv.tä, yhteensä 3,0 htv.",
    )
    assert figure_warnings(capsys, root) == []


def test_inflected_role_names_are_paired(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    county(
        root,
        "Hyvinvointialue osoittaa yhteensä 3,0 htv. Sosiaaliohjaajan resurssi on 1,0 htv, "
        "terveydenhoitajia 1,5 ja lääkärille osoitetaan 1,0 htv.",
    )
    assert [w.split(": warning: ")[1] for w in figure_warnings(capsys, root)] == [
        "the text of Järviseudun hyvinvointialue in Liite 2 gives 1,5 htv for terveydenhoitaja "
        f'("terveydenhoitajia 1,5"), but its row ({line_of(root, "{role: terveydenhoitaja")}) '
        "has 1 htv",
    ]


def test_a_role_named_twice_is_held_to_its_row_each_time(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    county(
        root,
        "Hyvinvointialue osoittaa 3,0 htv: sosiaaliohjaaja 1,0, terveydenhoitaja 1,0 ja "
        "lääkäri 1,0 htv.\n\n"
        "      Sosiaaliohjaajan tehtävät ovat ohjausta. Vuonna 2027 sosiaaliohjaajan resurssi "
        "on 1,2 htv.",
    )
    assert figure_warnings(capsys, root) == [
        f"{line_of(root, 'Sosiaaliohjaajan tehtävät')}: warning: the text of Järviseudun "
        "hyvinvointialue in Liite 2 gives 1,2 htv for sosiaaliohjaaja "
        f'("sosiaaliohjaajan resurssi on 1,2"), but its row '
        f"({line_of(root, '{role: sosiaaliohjaaja')}) has 1 htv",
    ]


def test_a_figure_without_a_role_only_has_to_appear(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    county(root, "Hyvinvointialue osoittaa 3,0 htv, kuhunkin tehtävään 1,0 htv.")
    assert figure_warnings(capsys, root) == []
    edit(root, STAFFING, "kuhunkin tehtävään 1,0 htv", "kuhunkin tehtävään puolet")
    assert figure_warnings(capsys, root) == [
        f"{line_of(root, '{role: ' + role)}: warning: 1 htv ({role}) {MISSING_FIGURE}"
        for role in ROLES
    ]


def test_what_is_not_a_role_beside_its_figure(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    """A list of roles shares its figure, a count of people is no htv, a clause ends a pairing,
    and a figure three words on is too far: none of these is held to a row."""
    county(
        root,
        "Hyvinvointialue osoittaa 3,0 htv. Sosiaaliohjaaja ja terveydenhoitaja 2,0 htv, "
        "lääkäri 1,0. Terveydenhoitajia on 3 henkilöä; sosiaaliohjaaja. 5 tiimiä. Lääkärin "
        "vastaanotto on kahdesti 7 päivän välein.",
    )
    assert figure_warnings(capsys, root) == []


def test_two_parties_with_the_same_role_are_each_held_to_their_own_row(
    capsys: pytest.CaptureFixture[str], root: Path
) -> None:
    county(root, "Hyvinvointialue osoittaa sosiaaliohjaaja 1,0 htv.", {"sosiaaliohjaaja": "1.0"})
    edit(
        root,
        STAFFING,
        "  - party: kallio\n    htv: 0.5\n",
        "  - party: kallio\n    htv: 0.5\n    text: |\n"
        "      Kallion kaupunki osoittaa sosiaaliohjaajan 0,5 htv.\n"
        "    parts:\n      - {role: sosiaaliohjaaja, htv: 0.5}\n",
    )
    assert figure_warnings(capsys, root) == []
    edit(root, STAFFING, "sosiaaliohjaajan 0,5 htv", "sosiaaliohjaajan 1,0 htv")
    kallio_row = line_of(root, "{role: sosiaaliohjaaja, htv: 0.5}")
    assert figure_warnings(capsys, root) == [
        f"{line_of(root, '- party: kallio')}: warning: 0,5 htv (Kallion kaupunki) {MISSING_FIGURE}",
        f"{line_of(root, 'Kallion kaupunki osoittaa')}: warning: the text of Kallion kaupunki "
        f'in Liite 2 gives 1 htv for sosiaaliohjaaja ("sosiaaliohjaajan 1,0"), but its row '
        f"({kallio_row}) has 0,5 htv",
    ]


@pytest.mark.parametrize("fixture", sorted(p.parent.name for p in FIXTURES.glob("*/tymdocs.yaml")))
def test_every_fixture_agrees_with_its_figures(
    capsys: pytest.CaptureFixture[str], fixture: str
) -> None:
    result = run(capsys, "-C", str(FIXTURES / fixture), "check")
    assert ROW_FIGURE not in result.err


def test_the_seed_pairs_every_row_its_text_names() -> None:
    """The seed's own forms: a unit's genitive before "resurssia", areas with slashes and
    commas, a compound role beside its unit's name, and a role in parentheses after it."""
    text = [
        Sentence(
            "Sosiaalityön resurssia 1,5 ja terveydenhuollon resurssia 0,755 htv.tä. Resurssit "
            "jakautuvat sosiaalityössä; sosiaalityöntekijä 0,6 ja sosiaaliohjaaja 0,9 sekä "
            "terveydenhuollossa terveydenhoitaja 0,665.",
            Origin("liite.yaml", 3),
        ),
        Sentence(
            "(Parkano / Kihniö, Ikaalinen ja Hämeenkyrö 0,75 htv.tä)", Origin("liite.yaml", 4)
        ),
        Sentence("resurssi on 0,8 htv.tä (työkykyneuvoja)", Origin("liite.yaml", 5)),
    ]
    names = [
        "sosiaalityö",
        "sosiaalityöntekijä",
        "sosiaaliohjaaja",
        "terveydenhuolto",
        "terveydenhoitaja",
        "Parkano / Kihniö, Ikaalinen ja Hämeenkyrö",
        "työkykyneuvoja",
    ]
    assert [(f.name, str(f.value), f.said) for f in named_figures(text, names)] == [
        ("sosiaalityö", "1.5", "Sosiaalityön resurssia 1,5"),
        ("terveydenhuolto", "0.755", "terveydenhuollon resurssia 0,755"),
        ("sosiaalityöntekijä", "0.6", "sosiaalityöntekijä 0,6"),
        ("sosiaaliohjaaja", "0.9", "sosiaaliohjaaja 0,9"),
        ("terveydenhoitaja", "0.665", "terveydenhoitaja 0,665"),
        ("Parkano / Kihniö, Ikaalinen ja Hämeenkyrö", "0.75", names[5] + " 0,75"),
        ("työkykyneuvoja", "0.8", "0,8 htv.tä (työkykyneuvoja)"),
    ]
