"""The site and the overview of many agreements in headless Chromium (Debian's, driven by
Playwright; no browser is downloaded): every page loads without console errors, every link
resolves, the redline's marks show, axe-core finds no violation, and screenshots are kept under
test-artifacts/site/.

Skipped, with the reason, where Chromium, Playwright or axe-core (``npm ci`` in
tests/browser, which ``make test`` runs where npm exists) is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.helpers import FIXTURES, GIT_ENV, ROOT, copy_agreement, init_repo

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "tests/browser/node_modules/axe-core/axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "site"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Playwright's sync API keeps an asyncio loop running in this thread while it is open, and
# pyHanko's asyncio.run() then fails in any test after it: the browser lives for this module
# only, whose tests one pytest-xdist worker runs together (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, launched once for this module's tests."""
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("no Playwright: make test installs it from requirements-dev.lock")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    """A fresh page that records console errors, uncaught exceptions and failed loads."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    opened.problems = problems  # type: ignore[attr-defined]
    yield opened
    context.close()


@pytest.fixture(scope="module")
def overview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The overview ``build --all`` writes of three agreements: one in Finnish, one in
    Swedish, and one whose ``tymdocs.yaml`` does not read (its row says why)."""
    root = tmp_path_factory.mktemp("areas")
    init_repo(copy_agreement(root / "kuvitteellinen", FIXTURES / "kuvitteellinen"))
    init_repo(copy_agreement(root / "svenska", FIXTURES / "svenska"))
    broken = copy_agreement(root / "rikki", FIXTURES / "kuvitteellinen")
    (broken / "tymdocs.yaml").write_text("id: [rikki\n", encoding="utf-8")
    init_repo(broken)
    done = subprocess.run(
        [sys.executable, "-m", "tymdocs", "build", "--all", "."],
        cwd=root,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "rikki" in done.stderr, done.stderr
    return root / "build" / "overview" / "overview.html"


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _open(tab: Page, path: Path, anchor: str = "") -> None:
    tab.goto(path.as_uri() + anchor)
    tab.wait_for_load_state("load")


def test_every_page_loads_without_errors_and_every_link_resolves(
    tab: Page, site: Path, public_site: Path
) -> None:
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            _open(tab, path)
            ids[path] = set(tab.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        return ids[path]

    pages = _pages(site) + _pages(public_site)
    assert len(pages) == 2 * (4 + 2), [p.name for p in pages]  # 4 pages, 2 redlines each
    checked = 0
    for path in pages:
        _open(tab, path)
        assert tab.problems == [], (path, tab.problems)  # type: ignore[attr-defined]
        links = tab.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        for link in links:
            parts = urlsplit(link)
            assert parts.scheme == "file", (path, link)  # nothing outside the site
            target = Path(unquote(parts.path))
            assert target.is_file(), (path, link)
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in ids_of(target), (path, link)
            checked += 1
    assert checked > 50


def test_no_page_scrolls_sideways(tab: Page, site: Path) -> None:
    """A wide table (the register's) scrolls inside its own region, never the page: on a
    narrow screen (600 px), where the fixture's register is wider, as a longer one is at
    1100 px."""
    tab.set_viewport_size({"width": 600, "height": 900})
    for path in sorted(site.glob("*.html")):  # the site's own pages (not the redlines)
        _open(tab, path)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= tab.evaluate("document.documentElement.clientWidth"), (path, width)


def test_the_overview_loads_and_its_links_resolve(tab: Page, overview: Path) -> None:
    _open(tab, overview)
    assert tab.problems == [], tab.problems  # type: ignore[attr-defined]
    links = tab.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    assert len(links) == 2, links  # the PDFs of the two that built
    for link in links:
        parts = urlsplit(link)
        assert parts.scheme == "file" and Path(unquote(parts.path)).is_file(), link
    text = tab.inner_text("main") if tab.query_selector("main") else tab.inner_text("body")
    assert "rikki" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)


def test_the_redline_marks_show_and_differ(tab: Page, site: Path) -> None:
    _open(tab, site / "versions/3/muutokset.html")
    styles = {}
    for tag in ("ins", "del"):
        marks = tab.query_selector_all(f"main {tag}")
        assert marks, tag
        for mark in marks:
            box = mark.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, tag
        styles[tag] = marks[0].evaluate(
            "e => { const s = getComputedStyle(e); "
            "return [s.backgroundColor, s.color, s.textDecorationLine]; }"
        )
    assert styles["ins"][2] == "underline" and styles["del"][2] == "line-through"
    assert styles["ins"][0] != styles["del"][0] and styles["ins"][1] != styles["del"][1]


def test_the_skip_link_comes_first_and_shows_on_focus(tab: Page, site: Path) -> None:
    _open(tab, site / "index.html")
    tab.keyboard.press("Tab")
    focused = tab.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#sisalto"
    box = tab.evaluate("JSON.stringify(document.activeElement.getBoundingClientRect())")
    assert '"left":8' in box or '"x":8' in box, box  # moved into view (left: .5rem)
    outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    background = tab.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert outline != "none" or background != "rgba(0, 0, 0, 0)"


def test_screenshots_are_kept(tab: Page, site: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "index.png": ("index.html", ""),
        "section-9.png": ("index.html", "#9"),
        "redline-v2-v3.png": ("versions/3/muutokset.html", ""),
    }
    for name, (path, anchor) in shots.items():
        _open(tab, site / path, anchor)
        tab.screenshot(path=str(ARTIFACTS / name), full_page=not anchor)
        assert (ARTIFACTS / name).stat().st_size > 10_000, name
    print(f"screenshots in {ARTIFACTS}")


def _axe(tab: Page) -> list[dict[str, Any]]:
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def test_axe_finds_no_violation(tab: Page, site: Path, public_site: Path, overview: Path) -> None:
    if not AXE.is_file():
        pytest.skip("no axe-core: npm ci in tests/browser (make test does, where npm exists)")
    # every page of the site; of the public one, the pages where it differs; the overview
    pages = [*_pages(site), public_site / "index.html", public_site / "versions.html", overview]
    for path in pages:
        _open(tab, path)
        assert _axe(tab) == [], path
