"""``tymdocs diff``: the change set between two versions, classified by the agreement's rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, copy_agreement, edit, init_repo, run, tree_digest
from tests.test_governance import kela_to_one
from tymdocs.changes import compare, pair_parts
from tymdocs.checks import validate
from tymdocs.document import compose
from tymdocs.model import ListBlock, Paragraph, Table
from tymdocs.redline import accept, changed, redline_blocks, reject
from tymdocs.sources import WorkTree

SECTION_8 = "docs_src/08-henkilosto.md"
LIITE_2 = "annexes/liite-2-kokoonpano.yaml"
SENTENCE = (
    "asiakkaiden määrä ja heidän palvelutarpeensa.",
    "asiakkaiden määrä, heidän palvelutarpeensa ja palvelujen saavutettavuus.",
)


def revise(root: Path) -> None:
    """The fixture revision of issue 8: one sentence of § 8, Kela's htv and the total in
    Liite 5, and one member of Liite 2."""
    edit(root, SECTION_8, *SENTENCE)
    kela_to_one(root)
    edit(root, LIITE_2, "  - name: Elina Anttila", "  - name: Eeva Esimerkki")


def change_set(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = run(capsys, "-C", str(root), "diff", *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_the_fixture_revision_gives_its_exact_change_set(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    revise(repo)
    report = change_set(capsys, repo)
    assert report["a"] == "Versio 1 · voimassa 1.5.2025 alkaen"
    assert report["b"] == "työkopio (ei tallennettu)"
    changes = {c["key"]: c for c in report["changes"]}
    assert list(changes) == ["section-8", "annex-2", "annex-5"]

    assert changes["section-8"]["status"] == "changed"
    assert changes["section-8"]["needs"] == "amendment"
    assert changes["section-8"]["needs_text"] == (
        "kaikkien osapuolten allekirjoittama kirjallinen sopimusmuutos"
    )
    assert changes["section-8"]["command"].startswith("tymdocs amend")

    assert changes["annex-2"]["sentences"] == ["jäsen Elina Anttila → Eeva Esimerkki"]
    assert changes["annex-2"]["needs"] == "notice"
    assert changes["annex-2"]["command"].startswith("tymdocs notice")

    assert changes["annex-5"]["sentences"] == [
        "Kansaneläkelaitos: 0,8 → 1,0 htv",
        "Kansaneläkelaitos, työkykyneuvoja: 0,8 → 1,0 htv",
        "yhteensä 4,555 → 4,755 htv",
    ]
    assert changes["annex-5"]["needs"] == "decision"
    assert changes["annex-5"]["needs_text"] == "päätös (Johtoryhmä)"
    assert changes["annex-5"]["command"].startswith("tymdocs approve --body 'Johtoryhmä'")
    assert all(c["record"] is None for c in report["changes"])


def test_a_recorded_decision_is_named_as_the_record_that_made_the_change(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    result = run(
        capsys, "-C", str(repo), "approve", "--body", "Johtoryhmä", "--date", "15.9.2025",
        "--section", "4", "--effective", "1.10.2025", "-m", "Kelan resurssi",
    )  # fmt: skip
    assert result.code == 0, result.err
    report = change_set(capsys, repo, "v1", "v2")
    assert report["b"] == "Versio 2 · Johtoryhmä 15.9.2025 § 4 · voimassa 1.10.2025 alkaen"
    (change,) = report["changes"]
    assert (change["key"], change["record"], change["effective"], change["command"]) == (
        "annex-5",
        "Johtoryhmä 15.9.2025 § 4, voimassa 1.10.2025 alkaen",
        "2025-10-01",
        None,
    )
    # The same versions named by date: the agreement in force on each day, with its record.
    by_date = change_set(capsys, repo, "1.6.2025", "2025-10-01")
    assert [(c["key"], c["record"]) for c in by_date["changes"]] == [
        ("annex-5", "Johtoryhmä 15.9.2025 § 4, voimassa 1.10.2025 alkaen")
    ]
    assert change_set(capsys, repo, "1.6.2025", "30.9.2025")["changes"] == []


def test_a_version_against_itself_says_no_changes(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    assert change_set(capsys, repo, "v1", "HEAD")["changes"] == []
    result = run(capsys, "-C", str(repo), "diff", "v1", "HEAD", "--format", "md")
    assert result.code == 0, result.err
    assert "no changes" in result.out


def test_unknown_versions_and_formats_are_usage_errors(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    assert run(capsys, "-C", str(repo), "diff", "v7").code == 2
    assert "no version v7" in run(capsys, "-C", str(repo), "diff", "v7").err
    assert run(capsys, "-C", str(repo), "diff", "--format", "odt").code == 2
    assert run(capsys, "-C", str(repo), "diff", "no-such-ref").code == 2


def test_build_and_check_name_versions_by_their_number_as_diff_does(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    """``--ref v1`` (or ``1``) is version 1 of the register, as ``tymdocs log`` numbers it."""
    kela_to_one(repo)
    result = run(
        capsys, "-C", str(repo), "approve", "--body", "Johtoryhmä", "--date", "15.9.2025",
        "--section", "4", "--effective", "1.10.2025", "-m", "Kelan resurssi",
    )  # fmt: skip
    assert result.code == 0, result.err
    records = json.loads(run(capsys, "-C", str(repo), "log", "--json").out)["records"]
    first = next(record["commit"] for record in records if record["version"] == 1)
    by_number = run(
        capsys, "-C", str(repo), "build", "--ref", "v1", "--json", "-o", str(tmp_path / "a")
    )
    assert by_number.code == 0, by_number.err
    manifest = json.loads(by_number.out)
    assert manifest["source"]["commit"] == first
    assert manifest["regenerate"].endswith(f"--ref {first}")
    assert (
        run(capsys, "-C", str(repo), "build", "--ref", first, "-o", str(tmp_path / "b")).code == 0
    )
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert run(capsys, "-C", str(repo), "check", "--ref", "2").code == 0
    missing = run(capsys, "-C", str(repo), "build", "--ref", "v3")
    assert missing.code == 2 and "the register has no version v3 (versions: 1, 2)" in missing.err


# -- parts: added, removed, renumbered, retitled ----------------------------------------------


def _pair(a: Path, b: Path) -> list[tuple[str | None, str | None]]:
    x, y = validate(WorkTree(a)).agreement, validate(WorkTree(b)).agreement
    assert x is not None and y is not None
    report = compare(x, y, a_label="A", b_label="B", author="tymdocs", date=x.meta.effective_date)
    return [(c.key, c.status) for c in report.changes]  # type: ignore[misc]


def test_an_added_and_a_removed_annex(tmp_path: Path) -> None:
    a = copy_agreement(tmp_path / "a")
    b = copy_agreement(tmp_path / "b")
    (b / "annexes" / "liite-6-tietosuojaseloste.md").unlink()
    edit(b, "docs_src/11-asiakastietoaineisto.md", "Liitteenä 6 on", "Erillisenä on")
    (b / "annexes" / "liite-7-viestinta.md").write_text("# Liite 7 VIESTINTÄ\n\nTeksti.\n")
    assert _pair(a, b) == [
        ("section-11", "changed"),
        ("annex-6-removed", "removed"),
        ("annex-7", "added"),
    ]


def test_a_renumbered_section_is_matched_by_its_title(tmp_path: Path) -> None:
    a = copy_agreement(tmp_path / "a", FIXTURES / "kuvitteellinen")
    b = copy_agreement(tmp_path / "b", FIXTURES / "kuvitteellinen")
    text = (b / "docs_src" / "sopimus.md").read_text(encoding="utf-8")
    text = text.replace("# 3 Voimassaolo", "# 4 Voimassaolo").replace(
        "# 2 Henkilöstö", "# 2 Henkilöstö\n\nUusi kappale.\n\n# 3 Yhteistyö\n\nYhteistyöstä."
    )
    (b / "docs_src" / "sopimus.md").write_text(text, encoding="utf-8")
    assert _pair(a, b) == [
        ("section-2", "changed"),
        ("section-3", "added"),
        ("section-4", "renumbered"),
    ]


def test_a_retitled_annex_keeps_its_number(tmp_path: Path) -> None:
    a = copy_agreement(tmp_path / "a")
    b = copy_agreement(tmp_path / "b")
    edit(b, "annexes/liite-4-palvelut.md", "# Liite 4 ", "# Liite 4 UUDET ")
    assert _pair(a, b) == [("annex-4", "retitled")]


# -- blocks: rows, items and words -------------------------------------------------------------


def test_a_table_row_added_and_removed(tmp_path: Path) -> None:
    from tymdocs.markup import parse_blocks

    a = parse_blocks("| Osapuoli | htv |\n|---|--:|\n| Kela | 0,8 |\n| TE | 1,5 |\n| Hva | 2 |\n")
    b = parse_blocks("| Osapuoli | htv |\n|---|--:|\n| Kela | 1,0 |\n| Hva | 2 |\n| Uusi | 0,5 |\n")
    (table,) = redline_blocks(a, b)
    assert isinstance(table, Table)
    assert [(r.mark, accept(r.cells[0])) for r in table.rows][1:] == [
        ("del", ()),
        (None, b[0].rows[1].cells[0]),  # type: ignore[union-attr]
        ("ins", b[0].rows[2].cells[0]),  # type: ignore[union-attr]
    ]
    kela = table.rows[0]
    assert [(s.text, s.mark) for s in kela.cells[1]] == [("0,8", "del"), ("1,0", "ins")]  # type: ignore[union-attr]
    assert [[accept(c) for c in r.cells] for r in table.rows if r.mark != "del"] == [
        list(r.cells)
        for r in b[0].rows  # type: ignore[union-attr]
    ]
    assert [[reject(c) for c in r.cells] for r in table.rows if r.mark != "ins"] == [
        list(r.cells)
        for r in a[0].rows  # type: ignore[union-attr]
    ]


def test_words_are_tokens_so_a_figure_changes_as_one() -> None:
    from tymdocs.markup import parse_blocks

    a = parse_blocks("Kela osoittaa 0,75 htv 1.5.2025 alkaen.")
    b = parse_blocks("Kela osoittaa 0,8 htv 1.6.2025 alkaen.")
    (paragraph,) = redline_blocks(a, b)
    assert isinstance(paragraph, Paragraph)
    marked = [(s.text, s.mark) for s in paragraph.content]  # type: ignore[union-attr]
    assert ("0,75", "del") in marked and ("0,8", "ins") in marked
    assert ("1.5.2025", "del") in marked and ("1.6.2025", "ins") in marked
    assert accept(paragraph.content) == b[0].content  # type: ignore[union-attr]
    assert reject(paragraph.content) == a[0].content  # type: ignore[union-attr]


def test_a_list_item_added_and_a_nested_one_changed() -> None:
    from tymdocs.markup import parse_blocks

    a = parse_blocks("- yksi\n  - alakohta\n- kaksi\n")
    b = parse_blocks("- yksi\n  - muutettu alakohta\n- kaksi\n- kolme\n")
    (block,) = redline_blocks(a, b)
    assert isinstance(block, ListBlock)
    assert [item.mark for item in block.items] == [None, None, "ins"]
    nested = block.items[0].children[0]
    assert isinstance(nested, ListBlock)
    assert [(s.text, s.mark) for s in nested.items[0].content][:1] == [("muutettu ", "ins")]  # type: ignore[union-attr]


def test_unchanged_parts_stay_unmarked_and_pair_in_order() -> None:
    agreement = validate(WorkTree(FIXTURES / "seed")).agreement
    assert agreement is not None
    document = compose(agreement)
    titles = {(p.kind, p.number): p.heading for p in document.parts}
    pairs = pair_parts(document, document, titles, titles)
    assert [(x, y) for x, y in pairs if x != y] == []
    report = compare(
        agreement,
        agreement,
        a_label="A",
        b_label="A",
        author="t",
        date=agreement.meta.effective_date,
    )
    assert report.empty and not any(changed(part) for part in report.redline.parts)


def test_the_made_up_agreement_diffs_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = init_repo(copy_agreement(tmp_path / "jarviseutu", FIXTURES / "kuvitteellinen"))
    edit(root, "annexes/henkilosto.yaml", "htv: 0.5", "htv: 0.75")
    report = change_set(capsys, root)
    keys = [c["key"] for c in report["changes"]]
    assert keys and all(key.startswith("annex-") for key in keys)
    assert any("0,5 → 0,75 htv" in s for c in report["changes"] for s in c["sentences"])


def test_metadata_changes_are_named_in_words(tmp_path: Path) -> None:
    a = copy_agreement(tmp_path / "a")
    b = copy_agreement(tmp_path / "b")
    edit(b, "tymdocs.yaml", "court: ", "court: Helsingin hallinto-oikeus #")
    x, y = validate(WorkTree(a)).agreement, validate(WorkTree(b)).agreement
    assert x is not None and y is not None
    report = compare(x, y, a_label="A", b_label="B", author="t", date=x.meta.effective_date)
    (change,) = report.changes
    assert change.key == "metadata" and change.needs == "amendment"
    assert change.sentences[0].startswith("tuomioistuin: ")
    assert change.sentences[0].endswith("→ Helsingin hallinto-oikeus")


def test_every_format_is_written_at_once_and_twice_the_same(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    approve = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    assert run(capsys, "-C", str(repo), *approve, "-m", "Kelan resurssi").code == 0
    assert run(capsys, "-C", str(repo), "diff", "v1", "v2", "-q").code == 0
    out = repo / "build" / "diff-v1-v2"
    names = sorted(path.name for path in out.iterdir())
    assert names == [
        "manifest.json",
        "muutokset-v1-v2.docx",
        "muutokset-v1-v2.html",
        "muutokset-v1-v2.md",
        "muutokset-v1-v2.pdf",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [c["key"] for c in manifest["report"]["changes"]] == ["annex-5"]
    first = {name: (out / name).read_bytes() for name in names}
    assert run(capsys, "-C", str(repo), "diff", "v1", "v2", "-q").code == 0
    assert {name: (out / name).read_bytes() for name in names} == first
    other = repo / "elsewhere"
    result = run(capsys, "-C", str(repo), "diff", "v1", "v2", "-o", str(other), "--format", "md")
    assert result.code == 0 and sorted(p.name for p in other.iterdir()) == [
        "manifest.json",
        "muutokset-v1-v2.md",
    ]
    assert "Kansaneläkelaitos, työkykyneuvoja: 0,8 → 1,0 htv" in (
        other / "muutokset-v1-v2.md"
    ).read_text(encoding="utf-8")


def test_any_metadata_field_that_changes_is_reported(tmp_path: Path) -> None:
    a = copy_agreement(tmp_path / "a")
    b = copy_agreement(tmp_path / "b")
    edit(b, "tymdocs.yaml", "represented_by: Vastuukunta Sastamalan", "represented_by: Ikaalisten")
    x, y = validate(WorkTree(a)).agreement, validate(WorkTree(b)).agreement
    assert x is not None and y is not None
    (change,) = compare(
        x, y, a_label="A", b_label="B", author="t", date=x.meta.effective_date
    ).changes
    assert change.key == "metadata"
    assert change.sentences[0].endswith(
        "edustaja: Vastuukunta Sastamalan kaupunki → Ikaalisten kaupunki"
    )


def test_bullets_turned_numbers_are_a_new_list_not_a_changed_one() -> None:
    from tymdocs.markup import parse_blocks

    a = parse_blocks("- Tommi Hallikainen\n- Heikki Heilä\n")
    b = parse_blocks("1. Tommi Hallikainen\n2. Heikki Heilä\n")
    deleted, inserted = redline_blocks(a, b)
    assert isinstance(deleted, ListBlock) and isinstance(inserted, ListBlock)
    assert [i.marker for i in deleted.items] == [None, None]
    assert [i.marker for i in inserted.items] == ["1.", "2."]
    assert {i.mark for i in deleted.items} == {"del"} and {i.mark for i in inserted.items} == {
        "ins"
    }


def test_a_change_since_the_last_record_is_not_credited_to_it(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    edit(repo, "docs_src/03-toimialue.md", "\n", "\nLisätty virke.\n")
    assert run(capsys, "-C", str(repo), "amend", "--date", "1.6.2025", "-m", "§ 3").code == 0
    edit(repo, SECTION_8, *SENTENCE)
    changes = {c["key"]: c for c in change_set(capsys, repo, "v1")["changes"]}
    assert changes["section-3"]["record"] == (
        "Sopimusmuutos 1.6.2025, voimaan 1.6.2025, kun kaikki osapuolet ovat allekirjoittaneet"
    )
    assert changes["section-3"]["effective"] is None  # awaiting signatures
    assert changes["section-8"]["record"] is None
    assert changes["section-8"]["command"].startswith("tymdocs amend")


def test_a_report_never_replaces_a_build_nor_a_build_a_report(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    assert run(capsys, "-C", str(repo), "build", "-q", "--no-packages").code == 0
    built = sorted(p.name for p in (repo / "build").iterdir())
    result = run(capsys, "-C", str(repo), "diff", "v1", "-o", str(repo / "build"))
    assert result.code == 2 and "outputs of a build" in result.err
    assert sorted(p.name for p in (repo / "build").iterdir()) == built
    assert run(capsys, "-C", str(repo), "diff", "v1", "-o", str(repo / "report"), "-q").code == 0
    result = run(capsys, "-C", str(repo), "build", "-o", str(repo / "report"))
    assert result.code == 2 and "outputs of a redline" in result.err


def test_two_revisions_are_compared_whatever_the_working_tree_holds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A diff of two commits never reads the working tree's sources: a source there that
    cannot be read (a symbolic link) is for check and build to refuse, not for diff."""
    repo = init_repo(copy_agreement(tmp_path / "agreement"))
    edit(repo, "docs_src/03-toimialue.md", "# 3 Toimialue\n", "# 3 Toimialueet\n")
    init_repo(repo, "Toimialue")
    (repo / "docs_src" / "99-linkki.md").symlink_to(repo / "docs_src" / "01-tarkoitus.md")
    result = run(capsys, "-C", str(repo), "diff", "HEAD~1", "HEAD", "--json")
    assert result.code == 0, result.err
    assert [change["part"] for change in json.loads(result.out)["changes"]] == ["3 Toimialueet"]
