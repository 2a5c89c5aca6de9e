"""tymdocs.render.spacing: "§" bound to its number, the rule every renderer shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tymdocs.render.spacing import NBSP, keep_section_numbers, section_spaces


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("§ 8", f"§{NBSP}8"),
        ("8 §", f"8{NBSP}§"),
        ("lain (381/2023) 9 §:ssä", f"lain (381/2023) 9{NBSP}§:ssä"),
        ("§ 8 → § 9", f"§{NBSP}8 → §{NBSP}9"),
        (
            "Muuttumattomat osat: 1, 2, 3 §, Liite 1",
            f"Muuttumattomat osat: 1, 2, 3{NBSP}§, Liite 1",
        ),
        ("Johtoryhmä 15.9.2025 § 4", f"Johtoryhmä 15.9.2025 §{NBSP}4"),  # the 4's "§"
        ("lisäys § ennallaan", "lisäys § ennallaan"),
        ("§8 ja 8§", "§8 ja 8§"),
        (f"15.9.2025 §{NBSP}4", f"15.9.2025 §{NBSP}4"),  # typed non-breaking: the same
        ("ei pykälää", "ei pykälää"),
    ],
)
def test_a_section_sign_is_bound_to_its_number(text: str, kept: str) -> None:
    assert keep_section_numbers([text]) == [kept]


def test_the_rule_applies_across_runs() -> None:
    """``§ `` and a struck ``8`` are two runs that the rule sees as one text."""
    assert keep_section_numbers(["Päätös § ", "8", "9", " ja 8", " §"]) == [
        f"Päätös §{NBSP}",
        "8",
        "9",
        " ja 8",
        f"{NBSP}§",
    ]
    assert keep_section_numbers(["§", "\n", "8"]) == ["§", "\n", "8"]  # a line break stays


@given(st.lists(st.text(alphabet=f"§ {NBSP}81x\n.", max_size=8), max_size=6))
def test_only_binding_spaces_change_and_each_run_keeps_its_length(pieces: list[str]) -> None:
    kept = keep_section_numbers(pieces)
    assert [len(piece) for piece in kept] == [len(piece) for piece in pieces]
    text, new = "".join(pieces), "".join(kept)
    changed = {i for i, (a, b) in enumerate(zip(text, new, strict=True)) if a != b}
    assert changed == {i for i in section_spaces(text) if text[i] == " "}
    assert all(new[i] == NBSP for i in section_spaces(text))
    assert keep_section_numbers(kept) == kept  # applied twice, the same


def test_a_note_citing_hundreds_of_records_renders_with_every_section_sign_bound(
    tmp_path: Path,
) -> None:
    """A part changed by hundreds of decisions closes with a note citing each: every "§" is
    bound to its number in the data Typst is given, so no Typst rule fires per "§" (one did,
    and past some 550 citations Typst refused the page: "maximum grouping depth exceeded")."""
    from tests.helpers import agreement_of, copy_agreement, pdf_pages, render_pdf
    from tymdocs.document import Stamp, compose

    agreement = agreement_of(copy_agreement(tmp_path / "agreement"))
    cited = "; ".join(f"Johtoryhmä 2.5.2025 § {n}, voimassa 2.5.2025 alkaen" for n in range(900))
    document = compose(agreement, {"annex-5": (f"Liite 5 muutettu: {cited}.",)})
    stamp = Stamp(None, True, "0" * 64, 0, "Luonnos", None)
    text = "".join(pdf_pages(render_pdf(document, stamp)))
    assert "Johtoryhmä 2.5.2025 § 899, voimassa" in " ".join(text.replace(NBSP, " ").split())
