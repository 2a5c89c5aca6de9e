"""Placeholders an editor left in another shape than ``init`` wrote them: wrapped over lines by
a paragraph's reflow, or typed in decomposed Unicode. ``check`` warns of each (path:line of
where it starts), and ``adopt`` refuses to make a version of them."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from tests.helpers import edit, git, run
from tymdocs.placeholders import Placeholder, in_text

DECOMPOSED = unicodedata.normalize("NFD", "[TÄYDENNÄ: toimialueen kunnat]")


def test_in_text_reads_wrapped_decomposed_and_crlf_placeholders() -> None:
    assert DECOMPOSED != "[TÄYDENNÄ: toimialueen kunnat]"  # the test's own premise
    text = (
        "Ensimmäinen rivi [TÄYDENNÄ: työllisyysalueen\n"
        "   nimi] ja\r\n"
        f"{DECOMPOSED}\n"
        "[KOMPLETTERA:\nnamn]\n"
        "\n"
        "[TÄYDENNÄ: auki jäänyt\n"
        "\n"
        "kappale] ei ole paikkamerkki: tyhjä rivi katkaisee\n"
    )
    assert in_text(text, "a.md") == [
        Placeholder("a.md", 1, "[TÄYDENNÄ: työllisyysalueen nimi]"),
        Placeholder("a.md", 3, "[TÄYDENNÄ: toimialueen kunnat]"),
        Placeholder("a.md", 4, "[KOMPLETTERA: namn]"),
    ]


def test_check_and_adopt_see_a_wrapped_and_a_decomposed_placeholder(
    seed_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = json.loads(run(capsys, "-C", str(seed_repo), "check", "--json").out)
    assert not [p for p in before["problems"] if "placeholder" in p["message"]]
    wrapped = edit(
        seed_repo,
        "docs_src/01-tarkoitus.md",
        "Sopijaosapuolet ovat\n",
        "Sopijaosapuolet ovat [TÄYDENNÄ: osapuolten\nnimet]\n",
    )
    edit(seed_repo, "docs_src/03-toimialue.md", "\n\n", f"\n\nKunnat: {DECOMPOSED}\n\n")
    text = (seed_repo / "docs_src/03-toimialue.md").read_text(encoding="utf-8")
    decomposed = text[: text.index("Kunnat: ")].count("\n") + 1
    git(seed_repo, "commit", "-qam", "Luonnos")
    checked = run(capsys, "-C", str(seed_repo), "check", "--json")
    found = [
        (Path(p["path"]).name, p["line"], p["message"])
        for p in json.loads(checked.out)["problems"]
        if "placeholder" in p["message"]
    ]
    assert found == [
        (
            "01-tarkoitus.md",
            wrapped,
            "placeholder [TÄYDENNÄ: osapuolten nimet]: write the agreement's own text",
        ),
        (
            "03-toimialue.md",
            decomposed,
            "placeholder [TÄYDENNÄ: toimialueen kunnat]: write the agreement's own text",
        ),
    ]
    head = git(seed_repo, "rev-parse", "HEAD")
    refused = run(capsys, "-C", str(seed_repo), "adopt", "-m", "Sopimus")
    assert refused.code == 1
    assert f"01-tarkoitus.md:{wrapped} [TÄYDENNÄ: osapuolten nimet]" in refused.err
    assert f"03-toimialue.md:{decomposed} [TÄYDENNÄ: toimialueen kunnat]" in refused.err
    assert git(seed_repo, "rev-parse", "HEAD") == head
