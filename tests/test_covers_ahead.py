"""The packages' covers laid out from what they say of their own layout, and ahead of the
agreement with what the last build into the same folder found (tymdocs/signing/covers.py,
tymdocs/hints.py): the same bytes with a right hint, a wrong one, a broken one or none, and
the hint kept right."""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.helpers import make_repo
from tymdocs.build import build, stamp_of
from tymdocs.checks import validate
from tymdocs.document import compose
from tymdocs.errors import RenderError
from tymdocs.hints import hint_file, read_hint, write_hint
from tymdocs.render import typst
from tymdocs.revision import open_source
from tymdocs.signing.covers import CoversAhead, lay_out_covers
from tymdocs.signing.packages import covers_data
from tymdocs.sources import fingerprint

PDF = "lansi-pirkanmaa-tym.pdf"
PACKAGES = [
    "lansi-pirkanmaa-tym-allekirjoitus-tyollisyysalue.pdf",
    "lansi-pirkanmaa-tym-allekirjoitus-hyvinvointialue.pdf",
    "lansi-pirkanmaa-tym-allekirjoitus-kela.pdf",
    "lansi-pirkanmaa-tym-allekirjoitettava.pdf",
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("ahead") / "agreement")


@pytest.fixture(scope="module")
def reference(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every file of a build that lays nothing out ahead (one thread), and keeps no hint."""
    out = tmp_path_factory.mktemp("reference") / "build"
    build(open_source(repo), out, threads=False)
    assert read_hint(hint_file(out, "covers")) is None
    return files(out)


@pytest.fixture(scope="module")
def found(reference: dict[str, bytes]) -> dict[str, Any]:
    """What the reference's covers say, read back by pypdf: each part's page of the agreement,
    each field's page of the signature page, each cover's length."""
    agreement = pypdf.PdfReader(io.BytesIO(reference[PDF]))
    contents = [
        agreement.get_destination_page_number(item) + 1
        for item in agreement.outline
        if not isinstance(item, list)
    ]
    covers, boxes = [], {}
    for name in PACKAGES:
        reader = pypdf.PdfReader(io.BytesIO(reference[name]))
        labels = reader.page_labels
        covers.append(sum(label.startswith("Kansilehti") for label in labels))
        for page, label in zip(reader.pages, labels, strict=True):
            for annotation in page.get("/Annots", []):
                field = annotation.get_object()
                if "/T" in field and label.startswith("Allekirjoitussivu "):
                    boxes[str(field["/T"])] = int(label.split()[1])
    return {"contents": contents, "boxes": boxes, "covers": covers}


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[int], dict[str, Any]]]:
    """Every layout of the covers: on which thread, at which pages of the parts, from what
    they were to say of their own layout."""
    made: list[tuple[str, list[int], dict[str, Any]]] = []
    lay_out = typst.render_package_pages

    def recorded(*args: Any) -> Any:
        data = args[2]
        pages = [part["page"] for part in data["contents"]]
        made.append((threading.current_thread().name, pages, data["settled"]))
        return lay_out(*args)

    monkeypatch.setattr(typst, "render_package_pages", recorded)
    return made


def files(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


@dataclass
class Case:
    """The seed built into a folder of its own, its hint in a cache of its own."""

    repo: Path
    reference: dict[str, bytes]
    found: dict[str, Any]
    """What the reference's covers say, the hint a build should keep."""
    out: Path
    hint: Path
    layouts: list[tuple[str, list[int], dict[str, Any]]]

    def build(self, force: bool = False) -> None:
        """A build, whose every file is the reference's."""
        build(open_source(self.repo), self.out, force=force)
        assert files(self.out) == self.reference

    def on_the_packages_thread_once(self) -> bool:
        return len(self.layouts) == 1 and self.layouts[0][0] != "MainThread"


@pytest.fixture
def case(
    repo: Path,
    reference: dict[str, bytes],
    found: dict[str, Any],
    layouts: list[tuple[str, list[int], dict[str, Any]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Case:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    hint = hint_file(tmp_path / "build", "covers")
    assert hint is not None and hint.parent == tmp_path / "cache" / "tymdocs" / "hints"
    return Case(repo, reference, found, tmp_path / "build", hint, layouts)


def first(monkeypatch: pytest.MonkeyPatch, which: str) -> None:
    """Make the race of each build's two threads come out one way: the covers begun ahead
    before the packages' thread asks for them (``"ahead"``), or asked for before
    (``"packages"``)."""
    made, lay_out, covers = CoversAhead.__init__, CoversAhead.lay_out, CoversAhead.covers
    begun: dict[int, threading.Event] = {}
    asked: dict[int, threading.Event] = {}

    def making(self: CoversAhead, *args: Any) -> None:
        begun[id(self)], asked[id(self)] = threading.Event(), threading.Event()
        made(self, *args)

    def laying_out(self: CoversAhead) -> None:
        if which == "packages":
            assert asked[id(self)].wait(60)
        begun[id(self)].set()
        lay_out(self)

    def asking(self: CoversAhead, data: dict[str, Any]) -> Any:
        if which == "ahead" and self.hint is not None:
            assert begun[id(self)].wait(60)
        asked[id(self)].set()
        return covers(self, data)

    monkeypatch.setattr(CoversAhead, "__init__", making)
    monkeypatch.setattr(CoversAhead, "lay_out", laying_out)
    monkeypatch.setattr(CoversAhead, "covers", asking)


def test_a_first_build_keeps_what_its_covers_say_and_the_next_lays_them_out_ahead(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    first(monkeypatch, "ahead")
    case.build()
    assert read_hint(case.hint) == case.found
    # Without a hint the covers wait for the agreement, on the thread that laid it out.
    assert case.on_the_packages_thread_once()

    case.layouts.clear()
    case.build(force=True)
    settled = {"boxes": case.found["boxes"], "covers": case.found["covers"]}
    assert case.layouts == [("MainThread", case.found["contents"], settled)]  # ahead, taken


def test_covers_asked_for_before_they_are_begun_ahead_are_laid_out_once(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_hint(case.hint, case.found)
    first(monkeypatch, "packages")
    case.build()
    assert case.on_the_packages_thread_once()


def test_a_wrong_hint_costs_a_layout_never_a_byte_and_is_put_right(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    first(monkeypatch, "ahead")
    right = case.found["contents"]
    wrong = [page + 1 for page in right]
    write_hint(case.hint, case.found | {"contents": wrong})
    case.build()
    ahead, packages = case.layouts
    assert ahead[:2] == ("MainThread", wrong)
    assert packages[0] != "MainThread" and packages[1] == right
    assert read_hint(case.hint) == case.found


@pytest.mark.parametrize(
    "kept",
    [
        b"not json",
        b"{}",
        b'{"contents": [1, 2]}',  # another number of parts
        b"[" * 100_000,
        b"null",
        b"[1, 1, 1]",
    ],
)
def test_a_broken_hint_is_no_hint(case: Case, kept: bytes) -> None:
    case.hint.parent.mkdir(parents=True)
    case.hint.write_bytes(kept)
    case.build()
    assert case.on_the_packages_thread_once()
    assert read_hint(case.hint) == case.found


@pytest.mark.parametrize("spoil", [str, lambda page: page - 1, lambda page: page == 1, float])
def test_pages_that_are_no_whole_numbers_from_one_are_no_hint(
    case: Case, spoil: Callable[[int], object]
) -> None:
    write_hint(case.hint, case.found | {"contents": list(map(spoil, case.found["contents"]))})
    case.build()
    assert case.on_the_packages_thread_once()


def test_a_cache_that_cannot_be_written_leaves_the_build_as_it_is(
    repo: Path,
    reference: dict[str, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache would be\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    out = tmp_path / "build"
    build(open_source(repo), out)
    assert files(out) == reference
    assert read_hint(hint_file(out, "covers")) is None
    assert sorted(os.listdir(tmp_path)) == ["build", "not-a-folder"]


def test_each_output_folder_has_a_hint_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert hint_file(Path("build"), "covers") == hint_file(tmp_path / "build", "covers")
    assert hint_file(tmp_path / "a", "covers") != hint_file(tmp_path / "b", "covers")
    # The XDG rule: a relative XDG_CACHE_HOME is ignored for ~/.cache.
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    hint = hint_file(tmp_path / "a", "covers")
    assert hint is not None and hint.parent == tmp_path / "home" / ".cache" / "tymdocs" / "hints"
    write_hint(hint, {"contents": [1, 2]})
    assert read_hint(hint) == {"contents": [1, 2]}
    assert [path.name for path in hint.parent.iterdir()] == [hint.name]  # nothing left beside


@pytest.fixture(scope="module")
def seed(built_seed: Path) -> tuple[Any, Any, dict[str, Any]]:
    """The seed's document and stamp, and its covers' data at the reference's pages."""
    source = open_source(built_seed)
    agreement = validate(source.tree).agreement
    assert agreement is not None
    document = compose(agreement, source.notes)
    stamp = stamp_of(source, fingerprint(source.tree), agreement)
    pages = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 5, 6, 7, 8, 9, 10]
    return document, stamp, covers_data(agreement, document, stamp, pages)


@pytest.mark.parametrize(
    "settled",
    [
        {"boxes": {"sig-kela-1": 2}, "covers": [3, 3, 3, 3]},  # not every field
        "no",
        {"boxes": {}, "covers": []},
    ],
)
def test_covers_settle_on_what_their_layout_gives_whatever_they_start_from(
    seed: tuple[Any, Any, dict[str, Any]],
    layouts: list[tuple[str, list[int], dict[str, Any]]],
    settled: object,
) -> None:
    document, stamp, data = seed
    right = lay_out_covers(document, stamp, data)
    assert len(layouts) == 1  # every field on the first signature page, every cover a page
    fields = [slot["field"] for slot in data["shared"]["expected"]]
    wrong = {"boxes": dict.fromkeys(fields, 2), "covers": [2, 1, 3, 1]}
    layouts.clear()
    assert lay_out_covers(document, stamp, data, wrong) == right
    passes = [said for _, _, said in layouts]
    assert passes[0] == wrong and passes[-1] == {
        "boxes": dict.fromkeys(fields, 1),
        "covers": [1, 1, 1, 1],
    }
    assert 2 <= len(passes) <= 3
    # A guess that does not fit the covers is not laid out at all.
    layouts.clear()
    assert lay_out_covers(document, stamp, data, settled) == right
    assert len(layouts) == 1
    text = pypdf.PdfReader(io.BytesIO(right[0])).pages[0].extract_text()
    assert re.search(r"Kansilehti 1/1\s*$", text), text[-200:]


def test_covers_asked_for_before_any_thread_began_them_are_never_laid_out_ahead(
    seed: tuple[Any, Any, dict[str, Any]],
    layouts: list[tuple[str, list[int], dict[str, Any]]],
) -> None:
    document, stamp, data = seed
    hint = {"contents": [part["page"] for part in data["contents"]]}
    ahead = CoversAhead(document, stamp, hint, lambda pages: data)
    ahead.covers(data)
    ahead.lay_out()
    assert len(layouts) == 1 and layouts[0][0] == "MainThread"
    assert ahead.found is not None and ahead.found["contents"] == hint["contents"]
    CoversAhead(document, stamp, None, lambda pages: data).lay_out()
    assert len(layouts) == 1


def test_a_failed_layout_ahead_fails_the_packages_only_where_they_would_have_used_it(
    seed: tuple[Any, Any, dict[str, Any]],
) -> None:
    document, stamp, data = seed
    broken = data | {"contents": [{"heading": "1"}]}  # no page: package.typ fails
    hint = {"contents": [part["page"] for part in data["contents"]]}
    ahead = CoversAhead(document, stamp, hint, lambda pages: broken)
    ahead.lay_out()  # the failure is kept, not raised here
    assert ahead.covers(data)[0].startswith(b"%PDF")  # other data: laid out anew
    again = CoversAhead(document, stamp, hint, lambda pages: broken)
    again.lay_out()
    with pytest.raises(RenderError):
        again.covers(broken)


@pytest.mark.parametrize("where", ["boxes", "covers"])
@pytest.mark.parametrize("moved", [False, True])
def test_a_number_past_what_typst_reads_is_no_hint(case: Case, where: str, moved: bool) -> None:
    """Typst's JSON reader refuses a number of 309 digits: the layout from the hint fails,
    and the covers are laid out as without one (on whichever thread), every build after."""
    found, huge = case.found, 10**309
    write_hint(
        case.hint,
        {
            "contents": [page + moved for page in found["contents"]],
            "boxes": dict.fromkeys(found["boxes"], huge) if where == "boxes" else found["boxes"],
            "covers": [huge] * len(found["covers"]) if where == "covers" else found["covers"],
        },
    )
    case.build()
    assert read_hint(case.hint) == found


def test_a_hint_that_is_no_file_is_read_without_waiting(tmp_path: Path) -> None:
    pipe = tmp_path / "hint.json"
    os.mkfifo(pipe)
    read: list[object] = []
    reader = threading.Thread(target=lambda: read.append(read_hint(pipe)), daemon=True)
    reader.start()
    reader.join(10)
    assert read == [None]
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert read_hint(folder) is None


def test_an_interrupted_layout_ahead_is_never_waited_for(
    seed: tuple[Any, Any, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the covers are laid out ahead: the interruption goes on up this thread,
    and the packages' thread, asking for the same covers, meets it rather than waiting."""
    document, stamp, data = seed

    def interrupted(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(typst, "render_package_pages", interrupted)
    hint = {"contents": [part["page"] for part in data["contents"]]}
    ahead = CoversAhead(document, stamp, hint, lambda pages: data)
    with pytest.raises(KeyboardInterrupt):
        ahead.lay_out()
    met: list[BaseException] = []

    def packages() -> None:
        try:
            ahead.covers(data)
        except BaseException as exc:
            met.append(exc)

    thread = threading.Thread(target=packages, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and isinstance(met[0], KeyboardInterrupt)


def test_hints_no_build_wrote_for_three_months_are_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    hint = hint_file(tmp_path / "build", "covers")
    assert hint is not None
    write_hint(hint, {"contents": [1]})
    folder, day = hint.parent, 24 * 3600
    kept, gone, half = folder / "kept.json", folder / "gone.json", folder / ".gone.json.123"
    for path, age in ((kept, 89), (gone, 91), (half, 91)):
        path.write_text("{}")
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime - age * day))
    write_hint(hint, {"contents": [2]})
    assert sorted(path.name for path in folder.iterdir()) == sorted([hint.name, "kept.json"])
    assert read_hint(hint) == {"contents": [2]}
