"""The register as people read it (``tymdocs log``): each record with its text, wrapped in the
terminal table, whole in Markdown, CSV and JSON, and hostile text shown, never run.

One history is recorded once for the module (the adopted seed, a decision with a long text of
several lines, and reviews whose texts try what a commit message can); the tests only read it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import GIT_ENV, RECORDED, git, init_repo, run
from tests.test_governance import kela_to_one
from tymdocs import git as tymdocs_git
from tymdocs.cli import main
from tymdocs.governance import Entry, History, Record, register
from tymdocs.locale import parse_date

DECISION = (
    "Liite 5: Kelan resurssi 1,0 htv\n"
    "\n"
    "Johtoryhmä päätti nostaa Kelan työkykyneuvojan resurssin 0,8 htv:stä 1,0 htv:iin, koska "
    "asiakkaita on ohjautunut palveluun arvioitua enemmän.\n"
    "=SUM(A1:A9) ei ole kaava"
)
"""Subject, a body paragraph longer than the table's text column, and a line starting '='."""

HOSTILE = (
    "=cmd|' /C calc'!A0\x1b[2J\x07 | putki",
    "@SUM(1)",
    "-2+3",
    "+1\r=1+1",
)
"""Texts of reviews, in order: control characters, pipes, and each start a spreadsheet runs."""

REVIEWS = ((3, "10.1.2026"), (5, "11.1.2026"), (3, "12.1.2026"), (5, "13.1.2026"))
"""The annex and the date of each review, as HOSTILE orders them."""


def _tymdocs(root: Path, *args: str) -> None:
    try:
        main(["-C", str(root), *args])
    except SystemExit as exc:
        assert exc.code in (0, None), args


@pytest.fixture(scope="module")
def recorded(adopted_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The adopted seed, a decision of 15.9.2025 on Liite 5, and the four hostile reviews."""
    root = tmp_path_factory.mktemp("register") / "agreement"
    shutil.copytree(adopted_template, root, symlinks=True)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        patch.setenv("GIT_AUTHOR_DATE", RECORDED)
        patch.setenv("GIT_COMMITTER_DATE", RECORDED)
        kela_to_one(root)
        decision = ["--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
        _tymdocs(root, "approve", *decision, "--effective", "1.10.2025", "-m", DECISION)
        for section, ((annex, day), text) in enumerate(zip(REVIEWS, HOSTILE, strict=True), 5):
            # made by hand: the record commands refuse such text, a hostile editor need not
            review = Record(
                "review",
                "lansi-pirkanmaa-tym",
                parse_date(day) or dt.date.min,
                body="Johtoryhmä",
                section=section,
                review=annex,
            )
            git(
                root,
                "commit",
                "-q",
                "--allow-empty",
                "--cleanup=verbatim",
                "-m",
                review.message(text),
            )
    return root


def log(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> str:
    result = run(capsys, "-C", str(root), "log", *args)
    assert result.code == 0, result.err
    return result.out


# -- each format --------------------------------------------------------------------------------


def test_the_table_wraps_each_text_under_its_column(
    capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    lines = log(capsys, recorded).splitlines()
    assert lines[0].split() == [
        "version",
        "date",
        "kind",
        "by",
        "§",
        "case",
        "effective",
        "parts",
        "commit",
        "text",
    ]
    column = lines[0].index("text")
    first = next(i for i, line in enumerate(lines) if "15.9.2025" in line)
    assert lines[first].split()[:3] == ["2", "15.9.2025", "decision"]
    assert lines[first][column:] == "Liite 5: Kelan resurssi 1,0 htv"
    follow = []
    for line in lines[first + 1 :]:
        if line[:column].strip():  # the next record's row
            break
        follow.append(line[column:])
    assert len(follow) >= 3, "the body is wrapped, not one line"
    assert all(0 < len(part) <= register.TEXT_WIDTH for part in follow)
    assert all(not part.startswith(" ") for part in follow), "each starts under the column"
    assert follow[-1] == "=SUM(A1:A9) ei ole kaava", "the text's own line breaks are kept"
    words = "Liite 5: Kelan resurssi 1,0 htv " + " ".join(follow)
    assert words.split() == DECISION.split(), "every word, in order, nothing else"
    # the record after it starts a row of its own
    assert lines[first + 1 + len(follow)].split()[:2] == ["10.1.2026", "review"]


def test_markdown_holds_each_text_whole_on_one_line(
    capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    lines = log(capsys, recorded, "--format", "md").splitlines()
    assert (
        lines[0] == "| version | date | kind | by | § | case | effective | parts | commit | text |"
    )
    assert len(lines) == 2 + 1 + 1 + len(HOSTILE), "a row a line: adoption, decision, reviews"
    decision = next(line for line in lines if "| decision |" in line)
    assert decision.endswith(
        " | Liite 5: Kelan resurssi 1,0 htv Johtoryhmä päätti nostaa Kelan työkykyneuvojan "
        "resurssin 0,8 htv:stä 1,0 htv:iin, koska asiakkaita on ohjautunut palveluun arvioitua "
        "enemmän. =SUM\\(A1:A9\\) ei ole kaava |"
    )
    assert lines[2].endswith(" | Sopimus allekirjoitettu |")


def test_csv_holds_each_text_whole_in_one_quoted_cell(
    capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    out = log(capsys, recorded, "--format", "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == [
        "version",
        "date",
        "kind",
        "by",
        "§",
        "case",
        "effective",
        "parts",
        "commit",
        "text",
    ]
    assert len(table) == 1 + 1 + 1 + len(HOSTILE)
    assert all(len(row) == 10 for row in table)
    assert table[1][2] == "adoption" and table[1][9] == "Sopimus allekirjoitettu"
    assert table[2][:3] == ["2", "2025-09-15", "decision"]
    assert table[2][9] == DECISION, "the whole text, its line breaks kept"
    assert f',"{DECISION}"\n' in out + "\n", "in quotes: the line starting '=' is inside the cell"


def test_json_gives_each_record_its_text(
    capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    records = json.loads(log(capsys, recorded, "--json"))["records"]
    assert [r["text"] for r in records] == ["Sopimus allekirjoitettu", DECISION, *HOSTILE]
    assert records[1]["subject"] == "Liite 5: Kelan resurssi 1,0 htv"
    assert not any("Tymdocs-" in r["text"] for r in records), "no trailers in the text"


def test_hostile_text_is_shown_in_every_format_never_run(
    capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    codes = "=cmd|' /C calc'!A0\\x1b[2J\\x07 | putki"
    shown = ["'" + codes, "'@SUM(1)", "'-2+3", "'+1\\x0d=1+1"]

    table = log(capsys, recorded)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", table)
    column = table.splitlines()[0].index("text")
    rows = table.splitlines()[-len(HOSTILE) :]
    assert [row[column:] for row in rows] == [s[1:] for s in shown]

    markdown = log(capsys, recorded, "--format", "md")
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", markdown)
    rows = markdown.splitlines()[-len(HOSTILE) :]
    assert [row.rsplit(" | ", 1)[1] for row in rows[1:]] == [
        "@SUM\\(1\\) |",
        "-2\\+3 |",
        "\\+1\\\\x0d=1\\+1 |",
    ]
    assert rows[0].endswith(" | =cmd\\|' /C calc'\\!A0\\\\x1b\\[2J\\\\x07 \\| putki |")
    cells = re.split(r"(?<!\\)\|", rows[0])
    assert len(cells) == 12, "the text's pipes are escaped: still ten cells"

    comma = log(capsys, recorded, "--format", "csv")
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", comma)
    table_rows = list(csv.reader(io.StringIO(comma)))
    assert [row[9] for row in table_rows[-len(HOSTILE) :]] == shown
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table_rows for cell in row)

    records = json.loads(log(capsys, recorded, "--json"))["records"]
    assert [r["text"] for r in records[-len(HOSTILE) :]] == list(HOSTILE), "data, as written"


# -- filtering by annex -------------------------------------------------------------------------


def test_an_annex_the_agreement_does_not_have_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    result = run(capsys, "-C", str(recorded), "log", "--annex", "99")
    assert result.code == 2
    assert result.out == ""
    assert "Error: Invalid value for --annex: the agreement has no Liite 99; its annexes are " in (
        result.err
    )
    assert result.err.rstrip().endswith("Liite 1, 2, 3, 4, 5, 6")


def test_an_annex_filter_still_selects_its_records(
    capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    annex_5 = json.loads(log(capsys, recorded, "--annex", "5", "--json"))["records"]
    assert [(r["kind"], r["text"]) for r in annex_5] == [
        ("adoption", "Sopimus allekirjoitettu"),
        ("decision", DECISION),
        ("review", HOSTILE[1]),
        ("review", HOSTILE[3]),
    ]
    annex_3 = csv.reader(io.StringIO(log(capsys, recorded, "--annex", "3", "--format", "csv")))
    assert [row[1] for row in list(annex_3)[1:]] == [
        "2025-05-01",
        "2026-01-10",
        "2026-01-12",
    ]
    assert run(capsys, "-C", str(recorded), "log", "--annex", "6").code == 0


def _entry(record: Record, text: str, subject: str = "") -> Entry:
    return Entry(record, "0" * 40, 0, subject or text.partition("\n")[0], (), text=text)


def test_an_annex_only_the_records_name_is_no_mistake() -> None:
    """Records of an annex a later version removed are still the register's."""
    day = dt.date(2026, 1, 1)
    gone = Record("decision", "a", day, version=2, parts=("annex-7", "section-3"))
    reviewed = Record("review", "a", day, review=8)
    history = History("a", (), (_entry(gone, "Liite 7 pois"), _entry(reviewed, "Liite 8")))
    assert register.unknown_annex(history, 7, [1, 2]) is None
    assert register.unknown_annex(history, 8, [1, 2]) is None
    assert register.unknown_annex(history, 1, [1, 2]) is None
    assert register.unknown_annex(history, 3, [1, 2]) == (
        "the agreement has no Liite 3; its annexes are Liite 1, 2, and its records name Liite 7, 8"
    )
    assert register.unknown_annex(History("a", (), ()), 1, []) == (
        "the agreement has no Liite 1; it has no annexes"
    )


# -- what a spreadsheet reads -------------------------------------------------------------------


def test_csv_quotes_a_line_break_and_guards_only_a_cell_start() -> None:
    """A text git keeps whole can still hold a CR, a tab, or a line starting '='."""
    day = dt.date(2026, 1, 1)
    record = Record("review", "a", day, body="=HYPERLINK(1)", review=3)
    texts = ["Päätös\n=cmd|' /C calc'!A0", "\t=1+1", "a\r=1+1", "-", ""]
    shown = [_entry(record, text, subject="Otsikko") for text in texts]
    out = register.comma_separated(shown)
    assert "\r" not in out and "\t" not in out
    table = list(csv.reader(io.StringIO(out)))
    assert len(table) == 1 + len(texts)
    assert [row[3] for row in table[1:]] == ["'=HYPERLINK(1)"] * len(texts)
    assert [row[9] for row in table[1:]] == [
        "Päätös\n=cmd|' /C calc'!A0",
        "\\x09=1+1",
        "a\\x0d=1+1",
        "'-",
        "Otsikko",
    ]


# -- reading the text from git --------------------------------------------------------------------


def test_git_log_reads_the_message_without_its_trailer_block(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    root = init_repo(tmp_path, "Ensimmäinen")
    message = (
        "Otsikko\n"
        "jatkuu\n"
        "\n"
        "Runko.\n"
        "Tymdocs-Body: keskellä tekstiä ei ole traileri\n"
        "\n"
        "Tymdocs-Agreement: x\n"
        "  jatkuu\n"
        "Signed-off-by: A <a@example.fi>\n"
    )
    git(root, "commit", "-q", "--allow-empty", "--cleanup=verbatim", "-m", message)
    newest, first = tymdocs_git.log(root, changes=False)
    assert newest.text == (
        "Otsikko\njatkuu\n\nRunko.\nTymdocs-Body: keskellä tekstiä ei ole traileri"
    )
    assert newest.trailers == (
        ("Tymdocs-Agreement", "x jatkuu"),
        ("Signed-off-by", "A <a@example.fi>"),
    )
    assert newest.subject == "Otsikko jatkuu"
    assert first.text == "Ensimmäinen" and first.trailers == ()
