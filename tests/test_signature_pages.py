"""Signature pages for any number of signatories, read back from the built packages.

Each case rewrites the signatories in a fixture's ``tymdocs.yaml``, commits it and builds the
packages once. For every package the properties hold: each field (its ``/Rect`` and ``/P`` in
the AcroForm) sits on a drawn box, inside the page's margins, overlapping no other field, below
its own party's heading (or the heading repeated as "… (jatkuu)") with no other party's heading
in between; and the cover names the very pages the fields are on.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml

from tests.helpers import FIXTURES, SEED, copy_agreement, init_repo, normalise
from tests.test_package import drawn_boxes

KUVITTEELLINEN = FIXTURES / "kuvitteellinen"
MM = 72 / 25.4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 25 * MM, 28 * MM, 25 * MM
"""The page margins that templates/common.typ sets."""
UNNAMED = "allekirjoittaja nimetään myöhemmin"
CONTINUED = "{} (jatkuu)"
LONG_TITLE = "palvelualueen johtaja, työllisyyspalvelut ja elinvoima"
HOSTILE = " {page} #pagebreak() $x$ <l>"
"""Placeholders and Typst markup in a name, which the cover prints as typed."""


def spread(total: int, parties: tuple[str, ...]) -> dict[str, int]:
    """``total`` signatories dealt round the parties: 7 over four parties is 2, 2, 2, 1."""
    return {
        party: total // len(parties) + (n < total % len(parties)) for n, party in enumerate(parties)
    }


SEED_PARTIES = ("tyollisyysalue", "hyvinvointialue", "kela")
OTHER_PARTIES = ("jarvila", "kallio", "hyvinvointialue", "kela")
CASES: dict[str, tuple[Path, dict[str, int]]] = {
    **{f"one-party-{n}": (SEED, {"kela": n}) for n in (1, 4, 7, 20)},
    **{f"four-parties-{n}": (KUVITTEELLINEN, spread(n, OTHER_PARTIES)) for n in (1, 4, 7, 20)},
    "kela-three-last-of-seven": (SEED, dict(zip(SEED_PARTIES, (2, 2, 3), strict=True))),
    "first-party-20": (SEED, {"tyollisyysalue": 20}),
}


@dataclass(frozen=True)
class Field:
    name: str
    page: int
    rect: tuple[float, float, float, float]


@dataclass(frozen=True)
class Built:
    """A case built: its parties (id -> name, in order), the covers' expected lines (field ->
    text before the page number) and every package's bytes by party."""

    parties: dict[str, str]
    expected: dict[str, str]
    packages: dict[str, bytes]


def with_signatories(meta: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    """``tymdocs.yaml`` with ``counts[party]`` made-up signatories for the parties named."""
    for party in meta["parties"]:
        if party["id"] in counts:
            party["signatories"] = [
                {
                    "name": f"Henkilö {party['id']} {n}" + (HOSTILE if n == 2 else ""),
                    "title": LONG_TITLE if n % 3 == 0 else "johtaja",
                }
                for n in range(1, counts[party["id"]] + 1)
            ]
    return meta


def build_case(target: Path, fixture: Path, counts: dict[str, int]) -> Built:
    from tymdocs.build import build
    from tymdocs.revision import open_source

    root = copy_agreement(target, fixture)
    config = root / "tymdocs.yaml"
    meta = with_signatories(yaml.safe_load(config.read_text(encoding="utf-8")), counts)
    config.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    init_repo(root)
    result = build(open_source(root), root / "build", selection="packages")
    expected = {}
    for party in meta["parties"]:
        for n, signatory in enumerate(party.get("signatories") or [None], start=1):
            who = f"{signatory['name']}, {signatory['title']}" if signatory else UNNAMED
            expected[f"sig-{party['id']}-{n}"] = f"{party['name']}: {who}"
    packages = {
        entry["party"]: (root / "build" / entry["path"]).read_bytes()
        for entry in result.manifest["outputs"]
        if entry["kind"] == "signature-package"
    }
    return Built({p["id"]: p["name"] for p in meta["parties"]}, expected, packages)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Every case built once, for all the tests of this module."""
    base = tmp_path_factory.mktemp("signatures")
    return {name: build_case(base / name, *case) for name, case in CASES.items()}


def form_fields(reader: pypdf.PdfReader) -> list[Field]:
    """The AcroForm's fields with the page their ``/P`` points at (1-based)."""
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, 1)}  # type: ignore[union-attr]
    fields = []
    for reference in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        widget = reference.get_object()
        rect = tuple(float(v) for v in widget["/Rect"])
        assert len(rect) == 4
        fields.append(Field(str(widget["/T"]), pages[widget.raw_get("/P").idnum], rect))  # type: ignore[arg-type]
    return fields


def text_lines(page: pypdf.PageObject) -> list[tuple[str, float]]:
    """Every run of text on a page with the height of its baseline from the page's bottom."""
    lines: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            lines.append((text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return lines


def heading_above(lines: list[tuple[str, float]], field: Field, headings: set[str]) -> str | None:
    """The party heading nearest above ``field`` among the text ``lines`` of its page."""
    top = field.rect[3]
    above = [(y, text) for text, y in lines if text in headings and y > top]
    return min(above)[1] if above else None


def party_of(field: str) -> str:
    return field.removeprefix("sig-").rsplit("-", 1)[0]


@pytest.mark.parametrize("case", CASES)
def test_every_field_sits_under_its_own_partys_heading(built: dict[str, Built], case: str) -> None:
    one = built[case]
    headings = set(one.parties.values()) | {CONTINUED.format(n) for n in one.parties.values()}
    for party, data in one.packages.items():
        reader = pypdf.PdfReader(io.BytesIO(data))
        fields = form_fields(reader)
        assert sorted(f.name for f in fields) == sorted(one.expected), party
        first_page = {}
        lines: dict[int, list[tuple[str, float]]] = {}
        for field in sorted(fields, key=lambda f: f.page):
            first_page.setdefault(party_of(field.name), field.page)
        for field in fields:
            name = one.parties[party_of(field.name)]
            heading = (
                name if field.page == first_page[party_of(field.name)] else CONTINUED.format(name)
            )
            if field.page not in lines:
                lines[field.page] = text_lines(reader.pages[field.page - 1])
            found = heading_above(lines[field.page], field, headings)
            assert found == heading, (case, party, field)


@pytest.mark.parametrize("case", CASES)
def test_fields_lie_on_drawn_boxes_inside_the_margins_and_never_overlap(
    built: dict[str, Built], case: str
) -> None:
    data = next(iter(built[case].packages.values()))
    reader = pypdf.PdfReader(io.BytesIO(data))
    fields = form_fields(reader)
    for page in {f.page for f in fields}:
        here = [f for f in fields if f.page == page]
        media = reader.pages[page - 1].mediabox
        width, height = float(media.width), float(media.height)
        boxes = drawn_boxes(reader.pages[page - 1])
        for n, field in enumerate(here):
            x1, y1, x2, y2 = field.rect
            assert MARGIN_X - 0.5 <= x1 < x2 <= width - MARGIN_X + 0.5, field
            assert MARGIN_BOTTOM - 0.5 <= y1 < y2 <= height - MARGIN_TOP + 0.5, field
            assert any(
                abs(x1 - b[0]) < 1
                and abs(y1 - b[1]) < 1
                and abs(x2 - b[2]) < 1
                and abs(y2 - b[3]) < 1
                for b in boxes
            ), (field, boxes)
            for other in here[n + 1 :]:
                a, b = field.rect, other.rect
                overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                assert not overlap, (field, other)


@pytest.mark.parametrize("case", CASES)
def test_covers_name_the_pages_the_fields_are_on(built: dict[str, Built], case: str) -> None:
    one = built[case]
    for party, data in one.packages.items():
        reader = pypdf.PdfReader(io.BytesIO(data))
        labels = reader.page_labels  # the signature page's own: "Allekirjoitussivu 2"
        pages = {f.name: labels[f.page - 1] for f in form_fields(reader)}
        assert all(label.startswith("Allekirjoitussivu ") for label in pages.values())
        text = normalise(" ".join(page.extract_text() for page in reader.pages[:2]))  # the cover
        for field, expected in one.expected.items():
            named = re.findall(re.escape(expected) + r" \(allekirjoitussivu (\d+)\)", text)
            assert named == [pages[field].split()[1]], (case, party, field, named)
        own = sorted({int(p.split()[1]) for f, p in pages.items() if party_of(f) == party})
        instruction = re.search(
            r"allekirjoituskenttääsi allekirjoitussivu(lla|illa) ([\d, ja]+);", text
        )
        assert instruction is not None, text[:2000]
        assert [int(n) for n in re.findall(r"\d+", instruction.group(2))] == own
        assert instruction.group(1) == ("lla" if len(own) == 1 else "illa")


def test_a_party_that_fits_on_a_page_is_kept_on_one(built: dict[str, Built]) -> None:
    for case, one in built.items():
        reader = pypdf.PdfReader(io.BytesIO(next(iter(one.packages.values()))))
        pages: dict[str, set[int]] = {}
        for field in form_fields(reader):
            pages.setdefault(party_of(field.name), set()).add(field.page)
        for party, on in pages.items():
            if sum(party_of(f) == party for f in one.expected) <= 6:
                assert len(on) == 1, (case, party, on)


@pytest.mark.parametrize("case", CASES)
def test_the_signature_heading_stands_over_the_first_field(
    built: dict[str, Built], case: str
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(next(iter(built[case].packages.values()))))
    first = form_fields(reader)[0]
    assert first.name == next(iter(built[case].expected))
    lines = text_lines(reader.pages[first.page - 1])
    assert any(text == "Allekirjoitukset" and y > first.rect[3] for text, y in lines), lines[:5]


def test_seven_signatories_keep_kelas_three_with_its_heading(built: dict[str, Built]) -> None:
    """The regression of issue 7: 2 + 2 + 3 signatories, Kela's three split from its heading."""
    data = built["kela-three-last-of-seven"].packages["kela"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    kela = [f for f in form_fields(reader) if f.name.startswith("sig-kela-")]
    assert len(kela) == 3 and len({f.page for f in kela}) == 1
    page = reader.pages[kela[0].page - 1]
    lines = text_lines(page)
    assert all(heading_above(lines, f, {"Kansaneläkelaitos"}) == "Kansaneläkelaitos" for f in kela)
    assert "(jatkuu)" not in page.extract_text()


def test_twenty_signatories_of_one_party_continue_under_a_repeated_heading(
    built: dict[str, Built],
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(built["one-party-20"].packages["kela"]))
    kela = [f for f in form_fields(reader) if f.name.startswith("sig-kela-")]
    pages = sorted({f.page for f in kela})
    assert len(pages) >= 2
    for page in pages[1:]:
        assert "Kansaneläkelaitos (jatkuu)" in reader.pages[page - 1].extract_text()
    assert "(jatkuu)" not in reader.pages[pages[0] - 1].extract_text()


def test_two_columns_of_boxes_fit_across_an_a4_page(built: dict[str, Built]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(built["one-party-4"].packages["kela"]))
    kela = {f.name: f for f in form_fields(reader) if f.name.startswith("sig-kela-")}
    first, second, third = kela["sig-kela-1"], kela["sig-kela-2"], kela["sig-kela-3"]
    assert first.page == second.page and first.rect[1] == second.rect[1]  # side by side
    assert second.rect[0] > first.rect[2]
    assert third.rect[0] == first.rect[0] and third.rect[3] < first.rect[1]  # the next row
