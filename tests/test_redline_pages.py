"""Pages that read well, read back from real PDFs with pypdf: the running header stays on its
lines inside the top margin whatever the titles' length, with no text over another, and "§"
never parts from its number at a line end.

Where text lies is measured from the PDF itself: each text-showing operator's start from the
text and transformation matrices, its end from the font's glyph widths (``/W``) and the
operator's kerning, so that the boxes of two texts can be checked for overlap.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.helpers import SEED, copy_agreement, edit, normalise, render_pdf, run
from tests.test_governance import SECTION_12, approve, kela_to_one
from tests.test_redline_pdf import CHANGES, STAMP, TITLE, _document, _pairs
from tymdocs.changes import Report
from tymdocs.document import Document, Part
from tymdocs.model import Inline, Paragraph, Span
from tymdocs.redline import redline_document
from tymdocs.render.typst import render_redline_pdf

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 595.28, 841.89  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 25 * MM, 28 * MM, 25 * MM  # common.typ's page margins
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

VERSION_2 = "Versio 2 · Johtoryhmä 15.9.2025 § 4 · voimassa 1.10.2025 alkaen"
AMENDMENT = "Versio 3 · Sopimusosapuolet 4.12.2026 · voimassa 1.1.2027 alkaen"
"""The issue's amendment-like label."""
SIGNED_LATER = (
    "Versio 3 · Sopimusmuutos 4.12.2026 · voimaan 1.1.2027, kun kaikki osapuolet ovat "
    "allekirjoittaneet"
)
"""An amendment's label as tymdocs writes it, the longest a recorded version has."""
LONG_BODY = (
    "Versio 4 · Läntisen Pirkanmaan työllisyysalueen johtoryhmä 15.9.2025 § 4 · voimaan "
    "1.1.2027, kun kaikki osapuolet ovat allekirjoittaneet"
)
"""Long enough that, beside the title on one line, the old header printed one over the other."""


@dataclass(frozen=True)
class Shown:
    """One text-showing operator's text, where its baseline starts and ends (points from the
    page's bottom left corner) and its font size."""

    text: str
    x0: float
    x1: float
    y: float
    size: float


def _widths(font: Any) -> tuple[dict[int, float], float]:
    """A Type0 font's glyph widths by CID, in thousandths of the font size, and its default."""
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H", font
    descendant = font["/DescendantFonts"][0].get_object()
    table = [item.get_object() for item in descendant.get("/W", [])]
    widths: dict[int, float] = {}
    at = 0
    while at < len(table):
        first, following = int(table[at]), table[at + 1]
        if isinstance(following, list):  # c [w1 w2 ...]
            widths.update((first + i, float(w)) for i, w in enumerate(following))
            at += 2
        else:  # c_first c_last w
            widths.update((cid, float(table[at + 2])) for cid in range(first, int(following) + 1))
            at += 3
    return widths, float(descendant.get("/DW", 1000))


def shown(page: pypdf.PageObject, with_text: bool = True) -> list[Shown]:
    """Every text a page shows, with its box; Typst writes one TJ per run of text, with no
    character or word spacing (asserted), so the widths and the kerning give each run's end.
    Without ``with_text``, the boxes alone (pypdf reports an untagged PDF's text one line at a
    time, not run by run)."""
    fonts = {name: _widths(font.get_object()) for name, font in page["/Resources"]["/Font"].items()}
    boxes: list[list[Any]] = []
    state: dict[str, Any] = {"font": None, "size": 0.0}

    def operator(op: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        if op == b"Tf":
            state["font"], state["size"] = fonts[args[0]], float(args[1])
        elif op in (b"Tc", b"Tw", b"Tz"):
            assert float(args[0]) == (100 if op == b"Tz" else 0), (op, args)
        elif op in (b"TJ", b"Tj"):
            widths, default = state["font"]
            advance = 0.0  # in thousandths of the font size
            for item in args[0] if op == b"TJ" else args:
                if isinstance(item, int | float):
                    advance -= float(item)
                    continue
                data = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
                for i in range(0, len(data), 2):
                    advance += widths.get(int.from_bytes(data[i : i + 2], "big"), default)
            # The run's origin and scale in user space: the text matrix, then the CTM.
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale_x = tm[0] * cm[0] + tm[1] * cm[2]
            scale_y = tm[2] * cm[1] + tm[3] * cm[3]
            width = advance / 1000 * state["size"] * scale_x
            boxes.append(["", x, x + width, y, state["size"] * abs(scale_y)])

    def text(content: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if content.strip() and boxes:
            boxes[-1][0] += content  # pypdf reports a TJ's text right after it

    page.extract_text(visitor_operand_before=operator, visitor_text=text if with_text else None)
    assert not with_text or all(box[0].strip() for box in boxes), boxes  # each run got its text
    return [Shown(t, x0, x1, y, size) for t, x0, x1, y, size in boxes]


def lines(runs: list[Shown]) -> list[tuple[float, list[Shown]]]:
    """Runs grouped by baseline, top line first, each line's runs left to right."""
    by_y: dict[float, list[Shown]] = {}
    for r in runs:
        by_y.setdefault(round(r.y, 1), []).append(r)
    return [(y, sorted(by_y[y], key=lambda r: r.x0)) for y in sorted(by_y, reverse=True)]


def line_text(runs: list[Shown]) -> str:
    """A line's text as read: runs that touch are one text (a show rule cuts a run where it
    matches), runs apart are separate texts; a non-breaking space reads as a space."""
    text = runs[0].text
    for left, right in itertools.pairwise(runs):
        text += ("" if right.x0 - left.x1 < 0.5 else " ") + right.text
    return normalise(text)


def assert_running_lines(pdf: bytes, title: str, version: str) -> list[list[str]]:
    """Every page's header holds ``title`` and ``version`` each whole or cut with "…", on one
    line or two, inside the top margin, none over another; the footer inside the page. The
    header lines of each page, as read."""
    headers = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, start=1):
        runs = shown(page)
        header = [r for r in runs if r.y > PAGE_HEIGHT - MARGIN_TOP]
        footer = [r for r in runs if r.y < MARGIN_BOTTOM]
        assert header and footer, f"page {number}"
        for r in header + footer:
            where = f"page {number}: {r}"
            assert MARGIN_X - 0.01 <= r.x0 < r.x1 <= PAGE_WIDTH - MARGIN_X + 0.01, where
            assert r.size * 0.3 <= r.y <= PAGE_HEIGHT - r.size, where  # inside the page
        for r in header:  # its descenders above the body's first line
            assert r.y - 0.3 * r.size > PAGE_HEIGHT - MARGIN_TOP, f"page {number}: {r}"
        header_lines = lines(header)
        assert len(header_lines) <= 2, f"page {number}: {header_lines}"
        for (upper, _), (lower, _) in itertools.pairwise(header_lines):
            assert upper - lower >= 8, f"page {number}: header lines over each other"
        for _, line in header_lines + lines(footer):
            for left, right in itertools.pairwise(line):
                assert right.x0 >= left.x1 - 0.01, f"page {number}: {left} under {right}"
        # The title from the left margin, the version to the right one, on one line or two.
        assert abs(header_lines[0][1][0].x0 - MARGIN_X) < 0.1, f"page {number}"
        assert abs(header_lines[-1][1][-1].x1 - (PAGE_WIDTH - MARGIN_X)) < 0.1, f"page {number}"
        texts = [line_text(line) for _, line in header_lines]
        headers.append(texts)
        expected = [normalise(title), normalise(version)]
        squeezed = [text.replace(" ", "") for text in expected]
        if len(texts) == 1:
            assert texts[0].replace(" ", "") == "".join(squeezed), f"page {number}"
            continue
        for text, (_, line), whole in zip(texts, header_lines, squeezed, strict=True):
            text = text.replace(" ", "")
            if text != whole:  # cut at a word, with "…", and only where the line is full
                assert text.endswith("…") and whole.startswith(text[:-1]), f"page {number}"
                assert line[-1].x1 - line[0].x0 > 0.85 * TEXT_WIDTH, f"page {number}"
    return headers


# -- the running header ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, Document]:
    """The seed and a revision changing § 8, Liite 2 and Liite 5: a report of three pages."""
    root = copy_agreement(tmp_path_factory.mktemp("pages") / "b")
    edit(root, "docs_src/08-henkilosto.md", "riittävän määrän", "riittävästi")
    kela_to_one(root)
    edit(root, "annexes/liite-2-kokoonpano.yaml", "Kaija Rönni", "Kalle Uusitalo")
    return _document(SEED), _document(root)


def _redline(versions: tuple[Document, Document], a_label: str, b_label: str) -> bytes:
    """The report as ``tymdocs diff`` renders it: its title is the stamp's label too."""
    a, b = versions
    title = f"Muutokset: {a_label} → {b_label}"
    redline = redline_document(b, _pairs(a, b))
    report = Report(title, a_label, b_label, CHANGES, redline, "tymdocs", dt.date(2026, 12, 4))
    return render_redline_pdf(report, replace(STAMP, version_label=title))


@pytest.mark.parametrize("b_label", [AMENDMENT, SIGNED_LATER, LONG_BODY])
def test_a_long_version_label_keeps_the_header_on_its_lines(
    versions: tuple[Document, Document], b_label: str
) -> None:
    title = f"Muutokset: {VERSION_2} → {b_label}"
    pdf = _redline(versions, VERSION_2, b_label)
    headers = assert_running_lines(pdf, TITLE, title)
    assert len(headers) >= 2
    for header in headers:  # the title on a line of its own, whole; the version cut
        assert header[0] == TITLE
        assert header[1].endswith("…")
        assert header[1].startswith("Muutokset: Versio 2 · Johtoryhmä 15.9.2025 §")


def test_short_labels_keep_title_and_version_on_one_line(
    versions: tuple[Document, Document],
) -> None:
    pdf = _redline(versions, "Versio 1", "Versio 2")
    for header in assert_running_lines(pdf, TITLE, "Muutokset: Versio 1 → Versio 2"):
        assert header == [f"{TITLE} Muutokset: Versio 1 → Versio 2"]


def test_a_title_and_version_each_longer_than_a_line_are_both_cut(
    versions: tuple[Document, Document],
) -> None:
    a, b = versions
    long_title = " ".join(["YHTEISTOIMINTAMALLI"] * 12)
    b = replace(b, title=long_title)
    label = f"Muutokset: {SIGNED_LATER} → {LONG_BODY}"
    report = Report(
        label,
        SIGNED_LATER,
        LONG_BODY,
        CHANGES,
        redline_document(b, _pairs(a, b)),
        "x",
        dt.date(2026, 1, 1),
    )
    pdf = render_redline_pdf(report, replace(STAMP, version_label=label))
    for header in assert_running_lines(pdf, long_title, label):
        assert header[0].endswith("YHTEISTOIMINTAMALLI…") and header[1].endswith("…")


def test_one_word_wider_than_the_line_is_cut_inside_it(
    versions: tuple[Document, Document],
) -> None:
    a, _ = versions
    word = "X" * 200
    pdf = render_pdf(replace(a, title=word), replace(STAMP, version_label="Versio 1"))
    for header in assert_running_lines(pdf, word, "Versio 1"):
        assert header[0].startswith("XXXXXXXXXX") and header[0].endswith("X…")
        assert header[1] == "Versio 1"


def test_the_agreement_pdf_header_fits_too(versions: tuple[Document, Document]) -> None:
    """The agreement shares the header: one line where title and version fit, as before; an
    amendment's label or a long body's name on a line below the title, not beside it."""
    a, _ = versions
    short = "Versio 1 · voimassa 1.5.2025 alkaen"
    headers = assert_running_lines(render_pdf(a, replace(STAMP, version_label=short)), TITLE, short)
    assert all(header == [f"{TITLE} {short}"] for header in headers)
    for label in (VERSION_2, SIGNED_LATER, LONG_BODY):
        pdf = render_pdf(a, replace(STAMP, version_label=label))
        headers = assert_running_lines(pdf, TITLE, label)
        assert all(len(header) == 2 and header[0] == TITLE for header in headers)
        if label != LONG_BODY:  # which alone is wider than the line
            assert all(header[1] == label for header in headers)


def test_tymdocs_diff_against_a_recorded_amendment(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """The whole way: version 2 a steering group's decision, version 3 an amendment; the
    report's header on every page keeps to its two lines."""
    kela_to_one(repo)
    assert approve(capsys, repo).code == 0
    edit(repo, SECTION_12, "on voimassa toistaiseksi", "on voimassa toistaiseksi, ja sitä")
    amend = ["amend", "--date", "4.12.2025", "--effective", "1.1.2026", "-m", "12 §: voimassaolo"]
    assert run(capsys, "-C", str(repo), *amend).code == 0
    result = run(
        capsys, "-C", str(repo), "diff", "v2", "v3", "--format", "pdf", "-o", str(repo / "out")
    )
    assert result.code == 0, result.err
    (path,) = (repo / "out").glob("*.pdf")
    pdf = path.read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title is not None
    title = reader.metadata.title
    assert title.endswith(
        "Sopimusmuutos 4.12.2025 · voimaan 1.1.2026, kun kaikki osapuolet ovat allekirjoittaneet"
    )
    for header in assert_running_lines(pdf, TITLE, title):
        assert header[0] == TITLE and header[1].endswith("…")


# -- "§" and its number ------------------------------------------------------------------------

PARTED = re.compile(r"(?<!\d\xa0)§\n\d|\d\n§(?!\xa0\d)")
"""A line that ends in "§" before one that starts with a number, or the other way round;
unless the "§" is bound to a number on its own line ("7 §" before the heading "8 Henkilöstö",
"15.9.2025" before "§ 4")."""


def parted(pdf: bytes, sign: str = "§") -> list[str]:
    """Where ``sign`` and a number part at a line end, with the lines' ends around it."""
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"[ \xa0]*\n[ \xa0]*", "\n", text)
    pattern = re.compile(PARTED.pattern.replace("§", sign))
    return [text[max(0, m.start() - 20) : m.end() + 10] for m in pattern.finditer(text)]


def _at_every_line_end(sign: str) -> tuple[Paragraph, ...]:
    """Paragraphs in which "<sign> 8", "8 <sign>", and "<sign> " or " <sign>" beside a changed
    number (two runs: struck and underlined), come to every place around a line's end, the
    text before them growing by a narrow letter at a time."""
    filler = "Tämä sopimus tulee voimaan ja sitä sovelletaan siten kuin tässä sovitaan,"
    paragraphs: list[Paragraph] = []
    for n in range(1, 40):
        before = f"{filler} {'i' * n}"
        runs: tuple[tuple[Inline, ...], ...] = (
            (Span(f"{before} {sign} 8 ja sen mukaan"),),
            (Span(f"{before} 8 {sign} ja sen mukaan"),),
            (Span(f"{before} {sign} "), Span("8", mark="del"), Span("9", mark="ins"), Span(" ja")),
            (
                Span(f"{before} "),
                Span("9", mark="del"),
                Span("10", mark="ins"),
                Span(f" {sign}:ssä"),
            ),
        )
        paragraphs += (Paragraph(content) for content in runs)
    return tuple(paragraphs)


def test_the_section_sign_never_parts_from_its_number() -> None:
    """Each form at every place near a line's end: "§" and its number stay on one line, in one
    run or across a changed number's runs; "¶" in the same places does part, so the test bites."""
    parts = tuple(
        Part("section", number, f"{number} Osio", _at_every_line_end(sign))
        for number, sign in ((1, "§"), (2, "¶"))
    )
    document = Document("Otsikko", "fi", parts)
    report = Report("Muutokset", "A", "B", (), document, "tymdocs", dt.date(2026, 1, 1))
    pdf = render_redline_pdf(report, STAMP)
    assert parted(pdf) == []
    apart = parted(pdf, "¶")
    assert any(re.search(r"¶\n8 ja sen", at) for at in apart), apart
    assert any(re.search(r"8\n¶ ja sen", at) for at in apart), apart
    assert any(re.search(r"¶\n8 ?9 ja", at) for at in apart), apart
    assert any(re.search(r"9 ?10\n¶:ssä", at) for at in apart), apart


def test_the_agreement_and_the_summary_keep_the_section_sign_with_its_number(
    versions: tuple[Document, Document],
) -> None:
    """Typst's show rule reaches every text: the agreement's, a record in the summary's narrow
    column ("Johtoryhmä 15.9.2025 § 4", which used to end a line in "§"), header and footer."""
    a, _ = versions
    agreement = render_pdf(a, replace(STAMP, version_label=VERSION_2))
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(agreement)).pages)
    assert "lain (381/2023) 9\xa0§:ssä" in text
    assert "15.9.2025 §\xa04 · voimassa" in text  # the header: the 4's sign, not the date's
    assert parted(agreement) == []
    redline = _redline(versions, VERSION_2, AMENDMENT)
    assert parted(redline) == []
    first = pypdf.PdfReader(io.BytesIO(redline)).pages[0].extract_text()
    assert re.search(r"Kirjattu: Johtoryhmä 15\.9\.2025\s+§\xa04", first)  # never "§\n4"
