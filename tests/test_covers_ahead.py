"""The packages' covers laid out ahead of the agreement, with the pages where its parts started
in the last build into the same folder (tymdocs/signing/covers.py, tymdocs/hints.py): the
same bytes with a right hint, a wrong one, a broken one or none, and the hint kept right."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest

from tests.helpers import make_repo
from tymdocs.build import build
from tymdocs.errors import RenderError
from tymdocs.hints import hint_file, read_hint, write_hint
from tymdocs.render import typst
from tymdocs.revision import open_source
from tymdocs.signing.covers import CoversAhead

PDF = "lansi-pirkanmaa-tym.pdf"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("ahead") / "agreement")


@pytest.fixture(scope="module")
def reference(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every file of a build that lays nothing out ahead (one thread), and keeps no hint."""
    out = tmp_path_factory.mktemp("reference") / "build"
    build(open_source(repo), out, threads=False)
    assert read_hint(hint_file(out, "pages")) is None
    return files(out)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[int]]]:
    """Every layout of the covers: on which thread, and at which pages of the parts."""
    made: list[tuple[str, list[int]]] = []
    lay_out = typst.render_package_pages

    def recorded(*args: object) -> object:
        data = args[2]
        assert isinstance(data, dict)
        made.append((threading.current_thread().name, [p["page"] for p in data["contents"]]))
        return lay_out(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(typst, "render_package_pages", recorded)
    return made


def files(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def part_pages(pdf: bytes) -> list[int]:
    """The page (from 1) of each top-level bookmark of the agreement PDF, read by pypdf."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [
        reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    ]


def first(monkeypatch: pytest.MonkeyPatch, which: str) -> None:
    """Make the race of each build's two threads come out one way: the covers begun ahead
    before the packages' thread asks for them (``"ahead"``), or asked for before
    (``"packages"``)."""
    made, lay_out, take = CoversAhead.__init__, CoversAhead.lay_out, CoversAhead.take
    begun: dict[int, threading.Event] = {}
    asked: dict[int, threading.Event] = {}

    def making(self: CoversAhead, *args: object) -> None:
        begun[id(self)], asked[id(self)] = threading.Event(), threading.Event()
        made(self, *args)  # type: ignore[arg-type]

    def laying_out(self: CoversAhead) -> None:
        if which == "packages":
            assert asked[id(self)].wait(60)
        begun[id(self)].set()
        lay_out(self)

    def taking(self: CoversAhead, data: dict[str, object]) -> object:
        if which == "ahead" and self.guess is not None:
            assert begun[id(self)].wait(60)
        try:
            return take(self, data)
        finally:
            asked[id(self)].set()

    monkeypatch.setattr(CoversAhead, "__init__", making)
    monkeypatch.setattr(CoversAhead, "lay_out", laying_out)
    monkeypatch.setattr(CoversAhead, "take", taking)


def test_a_first_build_keeps_the_pages_it_found_and_the_next_lays_the_covers_out_ahead(
    repo: Path,
    reference: dict[str, bytes],
    cache: Path,
    layouts: list[tuple[str, list[int]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first(monkeypatch, "ahead")
    out = tmp_path / "build"
    build(open_source(repo), out)
    assert files(out) == reference
    pages = part_pages(reference[PDF])
    assert read_hint(hint_file(out, "pages")) == pages
    assert hint_file(out, "pages").parent == cache / "tymdocs" / "hints"  # type: ignore[union-attr]
    # Without a hint the covers wait for the agreement, on the thread that laid it out.
    assert len(layouts) == 1 and layouts[0][0] != "MainThread"

    layouts.clear()
    build(open_source(repo), out, force=True)
    assert files(out) == reference
    assert layouts == [("MainThread", pages)]  # once, ahead, and taken


def test_covers_asked_for_before_they_are_begun_ahead_are_laid_out_once(
    repo: Path,
    reference: dict[str, bytes],
    cache: Path,
    layouts: list[tuple[str, list[int]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "build"
    pages = part_pages(reference[PDF])
    write_hint(hint_file(out, "pages"), pages)
    first(monkeypatch, "packages")
    build(open_source(repo), out)
    assert files(out) == reference
    assert len(layouts) == 1 and layouts[0][0] != "MainThread"


def test_a_wrong_hint_costs_a_layout_never_a_byte_and_is_put_right(
    repo: Path,
    reference: dict[str, bytes],
    cache: Path,
    layouts: list[tuple[str, list[int]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first(monkeypatch, "ahead")
    out = tmp_path / "build"
    pages = part_pages(reference[PDF])
    wrong = [page + 1 for page in pages]
    write_hint(hint_file(out, "pages"), wrong)
    build(open_source(repo), out)
    assert files(out) == reference
    assert layouts[0] == ("MainThread", wrong) and len(layouts) == 2
    assert layouts[1][0] != "MainThread" and layouts[1][1] == pages
    assert read_hint(hint_file(out, "pages")) == pages


@pytest.mark.parametrize(
    "kept",
    [
        b"not json",
        b"{}",
        b"[1, 2]",  # another number of parts
        b"[" * 100_000,
        b"null",
    ],
)
def test_a_broken_hint_is_no_hint(
    repo: Path,
    reference: dict[str, bytes],
    cache: Path,
    layouts: list[tuple[str, list[int]]],
    tmp_path: Path,
    kept: bytes,
) -> None:
    out = tmp_path / "build"
    hint = hint_file(out, "pages")
    assert hint is not None
    hint.parent.mkdir(parents=True)
    hint.write_bytes(kept)
    build(open_source(repo), out)
    assert files(out) == reference
    assert len(layouts) == 1 and layouts[0][0] != "MainThread"
    assert read_hint(hint) == part_pages(reference[PDF])


@pytest.mark.parametrize("spoil", [str, lambda page: page - 1, lambda page: page == 1, float])
def test_pages_that_are_no_whole_numbers_from_one_are_no_hint(
    repo: Path,
    reference: dict[str, bytes],
    cache: Path,
    layouts: list[tuple[str, list[int]]],
    tmp_path: Path,
    spoil: Callable[[int], object],
) -> None:
    out = tmp_path / "build"
    pages = part_pages(reference[PDF])
    write_hint(hint_file(out, "pages"), [spoil(page) for page in pages])
    build(open_source(repo), out)
    assert files(out) == reference
    assert len(layouts) == 1 and layouts[0][0] != "MainThread"


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
    assert read_hint(hint_file(out, "pages")) is None
    assert sorted(os.listdir(tmp_path)) == ["build", "not-a-folder"]


def test_each_output_folder_has_a_hint_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert hint_file(Path("build"), "pages") == hint_file(tmp_path / "build", "pages")
    assert hint_file(tmp_path / "a", "pages") != hint_file(tmp_path / "b", "pages")
    # The XDG rule: a relative XDG_CACHE_HOME is ignored for ~/.cache.
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    hint = hint_file(tmp_path / "a", "pages")
    assert hint is not None and hint.parent == tmp_path / "home" / ".cache" / "tymdocs" / "hints"
    write_hint(hint, [1, 2])
    assert read_hint(hint) == [1, 2]
    assert [path.name for path in hint.parent.iterdir()] == [hint.name]  # nothing left beside


def test_covers_asked_for_before_any_thread_began_them_are_never_laid_out_ahead() -> None:
    made: list[list[int]] = []

    def prepare(pages: list[int]) -> dict[str, object]:
        made.append(pages)
        return {"contents": [{"heading": "1", "page": page} for page in pages]}

    ahead = CoversAhead(None, None, [1], prepare)  # type: ignore[arg-type]
    assert ahead.take({"contents": [{"heading": "1", "page": 1}]}) is None
    ahead.lay_out()
    assert made == [] and ahead.found == [1]
    CoversAhead(None, None, None, prepare).lay_out()  # type: ignore[arg-type]
    assert made == []


def test_a_failed_layout_ahead_fails_the_packages_only_where_they_would_have_used_it(
    built_seed: Path,
) -> None:
    from tymdocs.build import stamp_of
    from tymdocs.checks import validate
    from tymdocs.document import compose
    from tymdocs.sources import fingerprint

    source = open_source(built_seed)
    agreement = validate(source.tree).agreement
    assert agreement is not None
    document = compose(agreement, source.notes)
    stamp = stamp_of(source, fingerprint(source.tree), agreement)
    broken = {"contents": [{"heading": "1", "page": 1}]}  # package.typ needs more than this

    ahead = CoversAhead(document, stamp, [1], lambda pages: broken)
    ahead.lay_out()  # the failure is kept, not raised here
    assert ahead.take({"contents": [{"heading": "1", "page": 2}]}) is None
    again = CoversAhead(document, stamp, [1], lambda pages: broken)
    again.lay_out()
    with pytest.raises(RenderError):
        again.take(broken)
