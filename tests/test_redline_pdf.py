"""The redline report as PDF, read back with pypdf: the summary, the marked words by their
colour, unchanged parts folded, PDF/A, hostile text printed as typed, byte-identical builds.

Reports are built by hand from two real documents (the seed and an edited copy), aligned by
:func:`tymdocs.redline.redline_document`, with hand-made :class:`Change` values.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.helpers import (
    SEED,
    copy_agreement,
    edit,
    normalise,
    pdf_body_text,
    pdf_pages,
    render_pdf,
    run,
)
from tests.test_render import HOSTILE
from tymdocs.changes import Change, Report
from tymdocs.checks import validate
from tymdocs.document import Document, Part, Stamp, compose
from tymdocs.model import Paragraph, Span
from tymdocs.redline import redline_document
from tymdocs.render.typst import document_data, render_redline_pdf
from tymdocs.sources import WorkTree

STAMP = Stamp("0123456789abcdef", False, "e" * 64, 1758000000, "Muutokset versiosta 1")
TITLE = "SOPIMUS TYÖLLISTYMISTÄ EDISTÄVÄN MONIALAISEN TUEN YHTEISTOIMINTAMALLISTA"
A_LABEL = "Versio 1 · voimassa 1.5.2025 alkaen"
B_LABEL = "Versio 2 · Johtoryhmä 15.9.2025 § 4 · voimassa 1.10.2025 alkaen"
REPORT_TITLE = f"Muutokset: {A_LABEL} → {B_LABEL}"

# The marks' colours in common.typ (ins-colour, del-colour), as pypdf reads them: 0..1.
INS = (0x1A / 255, 0x7F / 255, 0x37 / 255)
DEL = (0xB3 / 255, 0x26 / 255, 0x1E / 255)

CHANGES = (
    Change(
        "metadata",
        "Sopimuksen tiedot",
        "changed",
        ("Tuomioistuin: Hämeenlinnan hallinto-oikeus → Itä-Suomen hallinto-oikeus",),
        "amendment",
        "Kaikkien osapuolten allekirjoittama sopimusmuutos",
        command='tymdocs amend --date 1.3.2026 -m "Tuomioistuin"',
    ),
    Change(
        "section-8",
        "8 Henkilöstö",
        "changed",
        ("Ensimmäisen kappaleen ensimmäinen virke muuttui.",),
        "amendment",
        "Kaikkien osapuolten allekirjoittama sopimusmuutos",
        command='tymdocs amend --date 1.3.2026 -m "8 §: henkilöstö"',
    ),
    Change(
        "annex-2",
        "Liite 2 JOHTORYHMÄN KOKOONPANO",
        "changed",
        ("Jäsen Kaija Rönni → Kalle Uusitalo.",),
        "notice",
        "Organisaation ilmoitus",
        record="Ilmoitus 20.9.2025 (kela)",
    ),
    Change(
        "annex-5",
        "Liite 5 HENKILÖSTÖRESURSSI",
        "changed",
        ("Kansaneläkelaitos, työkykyneuvoja: 0,8 → 1,0 htv; yhteensä 4,555 → 4,755 htv",),
        "decision",
        "Johtoryhmän päätös",
        record="Johtoryhmä 15.9.2025 § 4",
    ),
)


def _document(root: Path) -> Document:
    agreement = validate(WorkTree(root)).agreement
    assert agreement is not None
    return compose(agreement)


def _pairs(a: Document, b: Document) -> list[tuple[Part | None, Part | None]]:
    """Parts paired by kind and number, in A's order and then B's new ones."""
    old = {(p.kind, p.number): p for p in a.parts}
    new = {(p.kind, p.number): p for p in b.parts}
    return [(old.get(key), new.get(key)) for key in dict.fromkeys([*old, *new])]


def _report(a: Document, b: Document, changes: tuple[Change, ...] = CHANGES) -> Report:
    redline = redline_document(b, _pairs(a, b))
    return Report(
        REPORT_TITLE, A_LABEL, B_LABEL, changes, redline, "Johtoryhmä", dt.date(2025, 9, 15)
    )


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Document, Document]:
    """The seed and a revision: one sentence of § 8, Kela's htv (and the total) in Liite 5
    and one member of Liite 2; hostile text in § 8, where Markdown prints it as typed."""
    root = copy_agreement(tmp_path_factory.mktemp("redline") / "b")
    edit(
        root,
        "docs_src/08-henkilosto.md",
        "riittävän määrän henkilöstöä.",
        "riittävästi henkilöstöä. <script>alert(1)</script> #set page(width: 1cm) $x^2$ @viite",
    )
    staffing = "annexes/liite-5-henkilostoresurssi.yaml"
    edit(root, staffing, "  - party: kela\n    htv: 0.8", "  - party: kela\n    htv: 1.0")
    edit(root, staffing, "on 0,8 htv.tä", "on 1,0 htv.tä")
    edit(root, staffing, "työkykyneuvoja\n        htv: 0.8", "työkykyneuvoja\n        htv: 1.0")
    edit(root, "annexes/liite-2-kokoonpano.yaml", "Kaija Rönni", "Kalle Uusitalo")
    return _document(SEED), _document(root)


@pytest.fixture(scope="module")
def report(versions: tuple[Document, Document]) -> Report:
    return _report(*versions)


@pytest.fixture(scope="module")
def pdf(report: Report) -> bytes:
    return render_redline_pdf(report, STAMP)


def _text(pdf: bytes) -> str:
    """The report's text without the running header and footer, which every page must carry."""
    return pdf_body_text(pdf, f"{TITLE} {STAMP.version_label}", STAMP.footer)


def _close(colour: tuple[float, ...], expected: tuple[float, float, float]) -> bool:
    if len(colour) != len(expected):
        return False
    return all(abs(x - y) < 0.01 for x, y in zip(colour, expected, strict=True))


def _coloured(pdf: bytes, expected: tuple[float, float, float]) -> str:
    """The text that the PDF draws in ``expected``'s fill colour, run by run."""
    runs: list[str] = []
    fill: tuple[float, ...] = ()

    def operator(op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        nonlocal fill
        if op in (b"sc", b"scn", b"rg"):
            fill = tuple(float(a) for a in args if isinstance(a, int | float))

    def shown(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if _close(fill, expected):
            runs.append(text)

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_operand_before=operator, visitor_text=shown)
    return normalise(" ".join(runs))


def test_the_summary_comes_first_and_names_every_change(pdf: bytes) -> None:
    text = _text(pdf)
    assert text.startswith(
        f"Muutokset {TITLE} Vanhempi versio {A_LABEL} Uudempi versio {B_LABEL} "
        "Merkinnät: lisätty poistettu Reunaviiva: "
    )
    summary = text.index("Muutosten yhteenveto")
    first_part = text.index("8 Henkilöstö Lain mukaan")
    assert summary < first_part
    table = normalise(text[summary:first_part])
    assert table.startswith(
        "Muutosten yhteenveto Muuttuneita osia: 4, muuttumattomia osia: 15. "
        "Muutos Muutos vaatii Kirjaus Sopimuksen tiedot Muutettu Tuomioistuin:"
    )
    for change in CHANGES:
        assert change.part in table
        for sentence in change.sentences:
            assert normalise(sentence) in table
        assert normalise(change.needs_text) in table
    assert "Kirjattu: Johtoryhmä 15.9.2025 § 4" in table
    assert "Kirjattu: Ilmoitus 20.9.2025 (kela)" in table
    assert 'Kirjataan komennolla: tymdocs amend --date 1.3.2026 -m "8 §:' in table
    assert 'Kirjataan komennolla: tymdocs amend --date 1.3.2026 -m "Tuomioistuin"' in table
    # One row per change, in the order given: their parts appear in that order.
    positions = [table.index(change.part) for change in CHANGES]
    assert positions == sorted(positions)


def test_the_summary_links_each_change_to_its_part(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    links = [
        annotation.get_object()
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    assert len(links) == len(CHANGES) - 1  # the metadata are no part: named, not linked


def test_old_and_new_words_both_appear_marked_by_colour(pdf: bytes) -> None:
    text = _text(pdf)
    assert "osoittavat monialaisen tuen yhteistoimintamalliin riittävän määrän riittävästi" in text
    assert "Kaija Rönni Kalle Uusitalo Aleksi Saukkoriipi" in text  # the member's cell alone
    assert "malliin on 0,8 1,0 htv.tä" in text  # a little room between the old and the new
    assert "Yhteensä 4,555 4,755" in text

    deleted, inserted = _coloured(pdf, DEL), _coloured(pdf, INS)
    for old in ("riittävän määrän", "0,8", "4,555", "Kaija Rönni"):
        assert old in deleted
        assert old not in inserted
    for new in ("riittävästi", "1,0", "4,755", "Kalle Uusitalo"):
        assert new in inserted
        assert new not in deleted
    # The legend shows both marks; nothing that stayed is coloured.
    assert deleted.startswith("poistettu riittävän määrän")
    assert inserted.startswith("lisätty riittävästi")
    assert "henkilöstöä" not in deleted + inserted.replace("riittävästi henkilöstöä", "")
    assert "Aleksi Saukkoriipi" not in deleted + inserted  # the deputy of a member replaced
    assert "Tiina Leppäniemi" not in deleted + inserted


def test_unchanged_parts_are_counted_not_printed(pdf: bytes) -> None:
    text = _text(pdf)
    assert "Muuttumattomat osat (7): 1, 2, 3, 4, 5, 6, 7 §" in text
    assert "Muuttumattomat osat (5): 9, 10, 11, 12 §, Liite 1" in text
    assert "Muuttumattomat osat (2): Liitteet 3, 4" in text
    assert "Muuttumattomat osat (1): Liite 6" in text
    for unchanged in ("1 Sopimuksen tarkoitus", "12 Voimassaolo", "LIITE 6", "Tämä on työll"):
        assert unchanged not in text
    for shown in ("8 Henkilöstö", "LIITE 2 JOHTORYHMÄN", "LIITE 5 HENKILÖSTÖRESURSSI"):
        assert shown in text


def test_pdf_a_is_claimed_in_the_xmp_metadata(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in raw
    assert "<pdfaid:conformance>A</pdfaid:conformance>" in raw
    assert "<pdfuaid:part>1</pdfuaid:part>" in raw
    assert "/StructTreeRoot" in reader.root_object  # tagged
    assert reader.metadata is not None
    assert reader.metadata.title == REPORT_TITLE
    assert reader.metadata.subject == f"{TITLE} – {STAMP.version_label}"


def test_every_page_is_a4_with_the_agreements_header_and_footer(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    _text(pdf)  # asserts the header, the footer and "Sivu N/M" on every page


def test_source_text_and_report_fields_print_as_typed(versions: tuple[Document, Document]) -> None:
    a, b = versions
    hostile = " ".join(HOSTILE)
    change = Change(
        "section-8",
        f"8 {hostile}",
        "changed",
        (hostile, f"{{part}} {hostile}"),
        "amendment",
        hostile,
        command=f'tymdocs amend -m "{hostile}"',
    )
    redline = redline_document(b, _pairs(a, b))
    extra = Paragraph(
        (Span(f"alku {hostile} ", mark="del"), Span(f"{hostile} loppu", strong=True, mark="ins"))
    )
    parts = tuple(
        replace(part, blocks=(*part.blocks, extra)) if part.number == 8 else part
        for part in redline.parts
    )
    redline = replace(redline, title=hostile, parts=parts)
    report = Report(hostile, hostile, hostile, (change,), redline, hostile, dt.date(2026, 1, 1))
    pdf = render_redline_pdf(report, STAMP)
    # Without whitespace: where Typst wraps a line inside a word (after a '/'), pypdf reads a
    # space there.
    text = "".join(" ".join(pdf_pages(pdf)).split())
    solid = "".join(hostile.split())
    # The agreement's title, A and B, the part, the sentences, the record needed, the command,
    # and the paragraph's deletion and insertion.
    assert text.count(solid) >= 10
    # Every page's header: the title as typed as far as its line holds it, then "…".
    for page in pdf_pages(pdf):
        header = "".join(page.splitlines()[0].split())
        assert header.endswith("…") and solid.startswith(header[:-1]), header
    assert f"alku{solid}{solid}loppu" in text
    assert "<script>alert(1)</script>#setpage(width:1cm)$x^2$@viite" in text  # § 8's source
    assert "root:" not in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all(round(float(page.mediabox.width)) == 595 for page in reader.pages)
    assert reader.metadata is not None and reader.metadata.title == hostile
    assert solid in "".join(_coloured(pdf, DEL).split())
    assert solid in "".join(_coloured(pdf, INS).split())


def test_the_same_report_renders_byte_identical(
    versions: tuple[Document, Document], pdf: bytes
) -> None:
    again = render_redline_pdf(_report(*versions), STAMP)
    assert again == pdf
    later = replace(STAMP, timestamp=STAMP.timestamp + 86400)
    assert render_redline_pdf(_report(*versions), later) != pdf


def test_a_version_against_itself_has_no_changes(versions: tuple[Document, Document]) -> None:
    a, _ = versions
    pdf = render_redline_pdf(_report(a, a, ()), STAMP)
    text = _text(pdf)
    assert "Muutosten yhteenveto Ei muutoksia Muuttuneita osia: 0, muuttumattomia osia: 18." in text
    assert text.endswith(
        "Muuttumattomat osat (18): 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 §, "
        "Liitteet 1, 2, 3, 4, 5, 6"
    )
    assert "Muutos vaatii" not in text and "Merkinnät" not in text
    assert len(pdf_pages(pdf)) == 1
    assert _coloured(pdf, DEL) == _coloured(pdf, INS) == ""


def test_whole_parts_added_removed_and_retitled(tmp_path: Path) -> None:
    root = copy_agreement(tmp_path / "b")
    edit(root, "docs_src/03-toimialue.md", "# 3 Toimialue", "# 3 Toiminta-alue")
    edit(root, "docs_src/01-tarkoitus.md", "# 1 Sopimuksen tarkoitus\n", _NEW_OPENING)
    (root / "annexes/liite-6-tietosuojaseloste.md").unlink()
    edit(root, "docs_src/11-asiakastietoaineisto.md", "Liitteenä 6 on", "Erikseen on")
    (root / "annexes/liite-7-seuranta.md").write_text(
        "# Liite 7 SEURANTA\n\nSeurannan uusi teksti.\n", encoding="utf-8"
    )
    changes = (
        Change("section-1", "1 Sopimuksen tarkoitus", "changed", (), "amendment", "Muutos"),
        Change("section-3", "3 Toiminta-alue", "retitled", (), "amendment", "Muutos"),
        Change("annex-6", "Liite 6", "removed", (), "decision", "Johtoryhmän päätös"),
        Change("annex-7", "Liite 7 SEURANTA", "added", (), "decision", "Johtoryhmän päätös"),
    )
    pdf = render_redline_pdf(_report(_document(SEED), _document(root), changes), STAMP)
    text = _text(pdf)
    assert "Otsikko muutettu" in text and "Poistettu" in text and "Lisätty" in text
    assert "Muuttuneita osia: 4, muuttumattomia osia: 14." in text
    assert "3 Toimialue 3 Toiminta-alue" in text  # the former heading, then the new
    deleted, inserted = _coloured(pdf, DEL), _coloured(pdf, INS)
    assert "3 Toimialue" in deleted and "3 Toiminta-alue" in inserted
    assert "Uusi kappale ↵ toisella rivillä. uusi kohta sisäkkäinen kohta" in inserted
    assert "LIITE 6 MONIALAISEN YHTEISTOIMINTAMALLIN ASIAKASREKISTERIN" in deleted
    assert "Rekisterinpitäjä ja yhteystiedot" in deleted
    assert "LIITE 7 SEURANTA Seurannan uusi teksti." in inserted
    assert "Erikseen" in inserted and "Liitteenä 6" in deleted
    assert text.index("LIITE 6") < text.index("LIITE 7 SEURANTA")


_NEW_OPENING = (
    "# 1 Sopimuksen tarkoitus\n\nUusi kappale\\\ntoisella rivillä.\n\n"
    "- uusi kohta\n  - sisäkkäinen kohta\n"
)


def test_agreement_data_carries_no_marks(versions: tuple[Document, Document]) -> None:
    """An agreement's JSON holds no redline keys, so its PDF is what it was before redlines."""
    a, b = versions
    for document in (a, b):
        data = document_data(document, STAMP, ())
        assert not set(_keys(data)) & {"m", "former"}
    assert render_pdf(a, STAMP) == render_pdf(a, STAMP)


def _keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_redline_data_carries_the_marks(report: Report) -> None:
    """The marks travel to the template only where the redline has them."""
    data = json.loads(json.dumps(document_data(report.redline, STAMP, ())))
    section = next(p for p in data["parts"] if p["heading"] == "8 Henkilöstö")
    spans = section["blocks"][0]["c"]
    assert [span["s"] for span in spans if span.get("m") == "del"] == ["riittävän määrän"]
    inserted = [span["s"] for span in spans if span.get("m") == "ins"]
    assert inserted[0] == "riittävästi"
    assert "<script>alert(1)</script>" in inserted[1]
    assert all(set(span) == {"s", "b", "i"} for span in spans if "m" not in span)
    assert "m" not in section and "m" not in section["blocks"][0]
    liite_2 = next(p for p in data["parts"] if p["heading"].startswith("LIITE 2 "))
    table = next(block for block in liite_2["blocks"] if block["t"] == "table")
    assert all("m" not in row for row in table["rows"])  # a member replaced: no whole row
    cells = [cell for row in table["rows"] for cell in row["cells"]]
    assert [[span.get("m") for span in cell] for cell in cells if cell and cell[0].get("m")] == [
        ["del", "ins"]
    ]


def test_tymdocs_diff_writes_the_pdf_of_the_fixture_revision(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """The whole way: compare() of the issue's fixture revision against version 1, through
    ``tymdocs diff --format pdf``, twice to the same bytes."""
    from tests.test_diff import revise

    revise(repo)
    pdfs = []
    for out in ("out-1", "out-2"):
        result = run(capsys, "-C", str(repo), "diff", "--format", "pdf", "-o", str(repo / out))
        assert result.code == 0, result.err
        (path,) = (repo / out).glob("muutokset-*.pdf")
        pdfs.append(path.read_bytes())
    assert pdfs[0] == pdfs[1]
    reader = pypdf.PdfReader(io.BytesIO(pdfs[0]))
    assert reader.metadata is not None
    title = "Muutokset: Versio 1 · voimassa 1.5.2025 alkaen → työkopio (ei tallennettu)"
    assert reader.metadata.title == title
    text = normalise(" ".join(pdf_pages(pdfs[0])))
    assert text.startswith(f"LUONNOS {TITLE} {title} Muutokset {TITLE}")  # a draft: B is no version
    summary = text[text.index("Muutosten yh") : text.index("Muuttumattomat osat (7): 1, 2, 3")]
    for line in (
        "8 Henkilöstö Muutettu Kaikkien osapuolten allekirjoittama kirjallinen sopimusmuutos",
        "LIITE 2 JOHTORYHMÄN KOKOONPANO 1.5.2025 ALKAEN Muutettu "
        "jäsen Elina Anttila → Eeva Esimerkki Osapuolen ilmoitus",
        "Kansaneläkelaitos, työkykyneuvoja: 0,8 → 1,0 htv yhteensä 4,555 → 4,755 htv "
        "Päätös (Johtoryhmä)",
    ):
        assert line in summary
    # Commands in a narrow column wrap after a "-": compared without whitespace.
    assert "Kirjataankomennolla:tymdocsapprove--body'Johtoryhmä'" in "".join(summary.split())
    # Everything deleted and everything inserted, in order (after the legend): § 8's words,
    # Liite 2's member (the row's other cells unmarked), and Liite 5's figures in Kela's text,
    # its rows and the total.
    assert _coloured(pdfs[0], DEL) == "poistettu ja Elina Anttila 0,8 0,8 0,8 4,555"
    assert _coloured(pdfs[0], INS) == (
        "lisätty , ja palvelujen saavutettavuus Eeva Esimerkki 1,0 1,0 1,0 4,755"
    )


def _strokes(pdf: bytes) -> tuple[list[tuple[str, float, float]], list[dict[str, Any]]]:
    """The first page's text runs with where they start (x, baseline y), and every line it
    strokes: colour, start, end, and whether it is dashed. PDF y grows upwards."""
    runs: list[tuple[str, float, float]] = []
    lines: list[dict[str, Any]] = []
    state: dict[str, Any] = {"colour": (), "dashed": False, "at": (0.0, 0.0)}

    def operator(op: bytes, args: list[Any], cm: list[float], tm: Any) -> None:
        numbers = [float(a) for a in args if isinstance(a, int | float)]
        if op in (b"SC", b"SCN", b"RG"):
            state["colour"] = tuple(numbers)
        elif op == b"d":
            state["dashed"] = bool(args[0])
        elif op == b"m":
            state["at"] = (cm[4] + numbers[0], cm[5] - numbers[1])
        elif op == b"l":
            x, y = state["at"]
            end = (cm[4] + numbers[0], cm[5] - numbers[1])
            lines.append(
                {"colour": state["colour"], "dashed": state["dashed"], "from": (x, y), "to": end}
            )

    def shown(text: str, cm: list[float], tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            runs.append((text.strip(), cm[4], cm[5]))

    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    page.extract_text(visitor_operand_before=operator, visitor_text=shown)
    return runs, lines


def test_deleted_words_are_struck_through_and_inserted_ones_underlined() -> None:
    """Colour is not all: a deletion has a line through it, an insertion one under it, and a
    whole block a bar in the left margin, solid when inserted and dashed when deleted."""
    words = Paragraph((Span("alku "), Span("vanha", mark="del"), Span("uusi", mark="ins")))
    added = Paragraph((Span("lisätty kappale", mark="ins"),), mark="ins")
    removed = Paragraph((Span("poistettu kappale", mark="del"),), mark="del")
    document = Document("Otsikko", "fi", (Part("section", 1, "1 Osio", (words, added, removed)),))
    report = Report("Muutokset", "A", "B", (), document, "tymdocs", dt.date(2026, 1, 1))
    runs, lines = _strokes(render_redline_pdf(report, STAMP))

    def line_at(x: float, colour: tuple[float, float, float]) -> dict[str, Any]:
        (found,) = [
            line
            for line in lines
            if abs(line["from"][0] - x) < 0.5
            and line["from"][1] == line["to"][1]
            and _close(line["colour"], colour)
        ]
        return found

    (_, x, baseline) = next(run for run in runs if run[0] == "vanha")
    assert line_at(x, DEL)["from"][1] > baseline  # through the word
    (_, x, baseline) = next(run for run in runs if run[0] == "uusi")
    assert line_at(x, INS)["from"][1] < baseline  # under it
    bars = [line for line in lines if line["from"][0] == line["to"][0]]
    margin = (25 - 5) / 25.4 * 72  # 5 mm left of the text, which starts 25 mm in
    assert [b["dashed"] for b in bars] == [False, True]
    assert all(abs(b["from"][0] - margin) <= 1.0 for b in bars)  # within half the bar's width
    assert _close(bars[0]["colour"], INS) and _close(bars[1]["colour"], DEL)
