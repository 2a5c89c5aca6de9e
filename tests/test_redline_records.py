"""Each change of a redline under its own record (issue 18): the author and date of a part's
marks are the record's (its body, the party, or the parties together), the summary says when
the record took effect, a change committed without a record says so, and the consolidated
text's "muutettu" notes are part of each version. Real repositories in tmp_path, a fixed
author and clock.
"""

from __future__ import annotations

import io
from html import escape as html_escape
from pathlib import Path

import docx
import pypdf
import pytest

from tests.helpers import (
    FIXTURES,
    RECORDED,
    agreement_of,
    compare_roots,
    copy_agreement,
    edit,
    git,
    run,
)
from tests.test_diff import SECTION_8, SENTENCE, change_set
from tests.test_governance import LIITE_2, kela_to_one
from tymdocs.diff import diff
from tymdocs.document import Part, Stamp
from tymdocs.model import Paragraph, Span
from tymdocs.redline import accept, reject
from tymdocs.render.docx import render_redline_docx
from tymdocs.render.html import render_html
from tymdocs.render.markdown import render_markdown
from tymdocs.render.typst import render_redline_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DECISION = ["approve", "--body", "Johtoryhmä", "--section", "4", "-m", "Kelan resurssi"]


def _parts(report_parts: tuple[Part, ...]) -> dict[str, Part]:
    return {part.key: part for part in report_parts}


def _text(part: Part, keep: str) -> list[str]:
    """The part's paragraphs as accepting (``keep`` "ins") or rejecting ("del") gives them."""
    found = []
    for block in part.blocks:
        if isinstance(block, Paragraph) and block.mark != ("del" if keep == "ins" else "ins"):
            content = accept(block.content) if keep == "ins" else reject(block.content)
            found.append("".join(s.text for s in content if isinstance(s, Span)))
    return found


def test_each_part_s_marks_carry_the_record_that_made_them(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Version 2 a steering-group decision on Liite 5, version 3 a party's notice on Liite 2,
    version 4 an amendment of § 8: in a v1 → v4 report, each part its own author and date."""
    kela_to_one(repo)
    assert run(capsys, "-C", str(repo), *DECISION, "--date", "15.9.2025").code == 0
    edit(repo, LIITE_2, "  - name: Elina Anttila", "  - name: Eeva Esimerkki")
    notice = ["notice", "--party", "hyvinvointialue", "--date", "1.10.2025", "-m", "Vaihdos"]
    assert run(capsys, "-C", str(repo), *notice).code == 0, "notice"
    edit(repo, SECTION_8, *SENTENCE)
    assert run(capsys, "-C", str(repo), "amend", "--date", "20.11.2025", "-m", "§ 8").code == 0
    report, _a, _b = diff(repo, "v1", "v4")
    parts = _parts(report.redline.parts)
    assert (parts["annex-5"].author, str(parts["annex-5"].date)) == ("Johtoryhmä", "2025-09-15")
    assert (parts["annex-2"].author, str(parts["annex-2"].date)) == (
        "Pirkanmaan hyvinvointialue",
        "2025-10-01",
    )
    assert (parts["section-8"].author, str(parts["section-8"].date)) == (
        "Sopijaosapuolet",
        "2025-11-20",
    )
    assert parts["section-1"].author is None  # unchanged
    records = {c.key: c.record for c in report.changes}
    assert records["annex-5"] == "Johtoryhmä 15.9.2025 § 4, voimassa 15.9.2025 alkaen"
    assert records["section-8"] == (
        "Sopimusmuutos 20.11.2025, voimaan 20.11.2025, kun kaikki osapuolet ovat allekirjoittaneet"
    )


def test_a_change_committed_without_a_record_says_so(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    git(repo, "commit", "-qam", "Ilman kirjausta", date=RECORDED)
    (change,) = change_set(capsys, repo, "v1", "HEAD")["changes"]
    assert (change["record"], change["command"], change["unrecorded"]) == (None, None, True)
    report, _a, _b = diff(repo, "v1", "HEAD")
    said = "Ei kirjausta: muutos on tallennettu ilman kirjausta"
    assert said in render_html(report).decode()
    assert f"{said}." in render_markdown(report)
    assert "Kirjattu: ei" not in render_markdown(report)
    stamp = Stamp(None, False, "0" * 64, 0, "B")
    body = docx.Document(io.BytesIO(render_redline_docx(report, stamp))).element.body
    table = body.findall(f"{W}sdt/{W}sdtContent/{W}tbl")[-1]  # the summary's changed parts
    rows = [["".join(t.text for t in c.iter(f"{W}t")) for c in r] for r in table.iter(f"{W}tr")]
    assert [row[-1] for row in rows] == ["Kirjaus", said]
    assert _parts(report.redline.parts)["annex-5"].author == "Kirjaamaton muutos"


def test_the_muutettu_notes_are_part_of_each_version(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Accepting every change gives B's text with B's notes, rejecting A's with A's; a part
    whose note alone changed is no change of its own."""
    kela_to_one(repo)
    assert run(capsys, "-C", str(repo), *DECISION, "--date", "15.9.2025").code == 0
    report, _a, _b = diff(repo, "v1", "v2")
    liite_5 = _parts(report.redline.parts)["annex-5"]
    note = "Liite 5 muutettu: Johtoryhmä 15.9.2025 § 4, voimassa 15.9.2025 alkaen."
    assert note in _text(liite_5, "ins")
    assert note not in _text(liite_5, "del")
    assert [c.key for c in report.changes] == ["annex-5"]


# -- classified per change --------------------------------------------------------------------

INTRO = ("Johtoryhmän on hyväksyttävä johtavat", "Johtoryhmän tulee hyväksyä johtavat")
CONTACT = ("      name: Elina Anttila", "      name: Eeva Esimerkki")


def test_the_composition_annex_s_own_text_is_the_steering_group_s(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """§ 4 lets the organisations change the composition by notice, not the annex's own
    text: diff, status and the record commands all ask a decision of Johtoryhmä for it."""
    edit(repo, LIITE_2, *INTRO)
    (change,) = change_set(capsys, repo)["changes"]
    assert (change["key"], change["needs"], change["needs_text"]) == (
        "annex-2",
        "decision",
        "päätös (Johtoryhmä)",
    )
    status = run(capsys, "-C", str(repo), "status")
    assert "Liite 2 (annexes/liite-2-kokoonpano.yaml): needs a decision of Johtoryhmä" in (
        status.out
    )
    notice = ["notice", "--party", "hyvinvointialue", "--date", "1.10.2025", "-m", "x"]
    refused = run(capsys, "-C", str(repo), *notice)
    assert refused.code == 1
    assert "Liite 2 changes by a decision of Johtoryhmä" in refused.err
    decided = ["approve", "--body", "Johtoryhmä", "--date", "1.10.2025", "--section", "7"]
    assert run(capsys, "-C", str(repo), *decided, "-m", "Teksti").code == 0
    assert run(capsys, "-C", str(repo), "check", "--governance").code == 0


def test_a_party_s_rows_stay_its_notice_and_text_and_rows_are_recorded_apart(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    edit(repo, LIITE_2, *CONTACT)
    (change,) = change_set(capsys, repo)["changes"]
    assert change["needs"] == "notice"
    edit(repo, LIITE_2, *INTRO)
    decided = ["approve", "--body", "Johtoryhmä", "--date", "1.10.2025", "--section", "7"]
    refused = run(capsys, "-C", str(repo), *decided, "-m", "Teksti")
    assert refused.code == 1
    assert "a decision changes rows of hyvinvointialue in the composition (Liite 2)" in (
        refused.err
    )
    # The same decision committed by hand: the audit says the same.
    git(repo, "commit", "-qam", "Käsin", date=RECORDED)
    git(
        repo,
        "commit",
        "-q",
        "--amend",
        "-m",
        "Käsin\n\nTymdocs-Agreement: lansi-pirkanmaa-tym\nTymdocs-Record: decision\n"
        "Tymdocs-Version: 2\nTymdocs-Date: 2025-10-01\nTymdocs-Effective: 2025-10-01\n"
        "Tymdocs-Body: Johtoryhmä\nTymdocs-Section: 7\nTymdocs-Parts: annex-2",
        date=RECORDED,
    )
    audited = run(capsys, "-C", str(repo), "check", "--governance")
    assert audited.code == 1
    assert "a decision changes rows of hyvinvointialue in the composition (Liite 2)" in (
        audited.err
    )


def test_a_change_of_the_rules_reads_in_words(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    edit(repo, "tymdocs.yaml", "termination_notice_months: 6", "termination_notice_months: 3")
    edit(repo, "tymdocs.yaml", "2: {record: notice}", "2: {record: decision, body: Johtoryhmä}")
    edit(
        repo,
        "tymdocs.yaml",
        "require_signed_records: false",
        "require_signed_records: true\n  signing: every-copy",
    )
    changes = {c["key"]: c for c in change_set(capsys, repo)["changes"]}
    assert changes["metadata"]["sentences"] == [
        "irtisanomisaika: 6 kk → 3 kk",
        "Liite 2 muuttuu: osapuolen ilmoitus → päätös (Johtoryhmä)",
        "kirjaukset allekirjoitettava: ei → kyllä",
        "allekirjoitustapa: kukin allekirjoittaja kerran, mihin tahansa kappaleeseen → "
        "jokainen allekirjoittaja jokaiseen kappaleeseen",
    ]


def test_a_section_renumbered_with_its_text_unchanged_says_so_and_is_not_reprinted(
    tmp_path: Path,
) -> None:
    a = copy_agreement(tmp_path / "a", FIXTURES / "kuvitteellinen")
    b = copy_agreement(tmp_path / "b", FIXTURES / "kuvitteellinen")
    text = (b / "docs_src" / "sopimus.md").read_text(encoding="utf-8")
    text = text.replace("# 3 Voimassaolo", "# 4 Voimassaolo").replace(
        "# 2 Henkilöstö", "# 3 Yhteistyö\n\nYhteistyöstä.\n\n# 2 Henkilöstö"
    )
    (b / "docs_src" / "sopimus.md").write_text(text, encoding="utf-8")
    report = compare_roots(a, b)
    moved = {c.key: c for c in report.changes}["section-4"]
    assert moved.text_unchanged
    assert moved.sentences == ("3 § → 4 §, teksti ennallaan",)
    markdown = render_markdown(report)
    voimassaolo = next(s for s in agreement_of(a).sections if s.number == 3)
    first_words = " ".join(
        "".join(span.text for span in voimassaolo.blocks[0].content).split()[:4]  # type: ignore[union-attr]
    )
    assert "Teksti ennallaan" in markdown
    assert first_words not in markdown
    stamp = Stamp(None, False, "0" * 64, 0, "B")
    pdf = pypdf.PdfReader(io.BytesIO(render_redline_pdf(report, stamp)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "Teksti ennallaan." in text
    assert first_words not in text
    html = render_html(report).decode()
    folded = html.index('<details class="unchanged">\n<summary>Teksti ennallaan')
    assert folded < html.index(html_escape(first_words)) < html.index("</details>", folded)


def test_two_drafts_are_named_by_their_commits(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    git(repo, "commit", "-qam", "Luonnos 1", date=RECORDED)
    first = git(repo, "rev-parse", "--short=7", "HEAD")
    edit(repo, LIITE_2, *CONTACT)
    git(repo, "commit", "-qam", "Luonnos 2", date=RECORDED)
    second = git(repo, "rev-parse", "--short=7", "HEAD")
    report = change_set(capsys, repo, "HEAD~1", "HEAD")
    assert report["a"] == f"LUONNOS (pohjana versio 1), {first}"
    assert report["b"] == f"LUONNOS (pohjana versio 1), {second}"
