"""The HTML and Markdown redlines: escaped, marked, folded, self-contained, reproducible.

Reports are built from real models: the seed against a copy revised as issue 8's fixture
revision (§ 8, Liite 2, Liite 5), with hostile text added to § 3.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.helpers import FIXTURES, agreement_of, copy_agreement, edit
from tests.test_diff import revise
from tymdocs.changes import Change, Report, compare
from tymdocs.document import Part, compose
from tymdocs.model import Agreement, Table
from tymdocs.redline import changed, redline_document, redline_parts
from tymdocs.render.html import render_html
from tymdocs.render.markdown import render_markdown

HOSTILE = (
    'Testi <script>alert("x")</script> & \'y\' #read("/etc/passwd") '
    "<img src=x onerror=alert(1)> [linkki](http://example.com) {+väärennetty+} "
    "[-poistettu-] @kaikki ~~yli~~ $x$ | `koodi`"
)
"""Markup of HTML, Markdown, GitLab and Typst, as a party could type it into a paragraph."""


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Agreement, Agreement, Agreement]:
    """The seed; the fixture revision; the fixture revision with hostile text in § 3."""
    base = tmp_path_factory.mktemp("redline")
    seed = copy_agreement(base / "a")
    revised = copy_agreement(base / "b")
    revise(revised)
    hostile = copy_agreement(base / "c")
    revise(hostile)
    edit(hostile, "docs_src/03-toimialue.md", "# 3 Toimialue\n", f"# 3 Toimialue\n\n{HOSTILE}\n")
    return agreement_of(seed), agreement_of(revised), agreement_of(hostile)


def _report(a: Agreement, b: Agreement) -> Report:
    return compare(
        a, b, a_label="Versio 1", b_label="Versio 2", author="Johtoryhmä", date=dt.date(2025, 9, 15)
    )


@pytest.fixture(scope="module")
def report(versions: tuple[Agreement, Agreement, Agreement]) -> Report:
    return _report(versions[0], versions[1])


@pytest.fixture(scope="module")
def hostile(versions: tuple[Agreement, Agreement, Agreement]) -> Report:
    return _report(versions[0], versions[2])


class _Tree(HTMLParser):
    """Every element's tag and attributes, the text inside each ``ins``/``del``, all text."""

    def __init__(self, html: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.marked: dict[str, list[str]] = {"ins": [], "del": []}
        self.text: list[str] = []
        self.feed(html.decode("utf-8"))
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("ins", "del"):
            self.marked[tag].append("")
        if tag not in ("br", "meta"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for tag in ("ins", "del"):
            if tag in self.open:
                self.marked[tag][-1] += data

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}  # type: ignore[misc]

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for tag, a in self.tags if "href" in a]


def _section(html: str, part_id: str) -> str:
    start = html.rindex("<section", 0, html.index(f'id="{part_id}"'))
    return html[start : html.index("</section>", start)]


# -- HTML -------------------------------------------------------------------------------------


def test_source_text_is_escaped_and_never_becomes_markup(hostile: Report) -> None:
    html = render_html(hostile)
    tree = _Tree(html)
    tags = {tag for tag, _ in tree.tags}
    assert "script" not in tags
    assert "img" not in tags
    assert all(href.startswith("#") for href in tree.hrefs())
    assert HOSTILE in "".join(tree.text)  # shown exactly as typed
    text = html.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;y&#x27;" in text
    assert "#read(&quot;/etc/passwd&quot;)" in text
    assert "<script" not in text and "<img" not in text
    assert tree.open == [], "every element is closed"


def test_attributes_are_escaped_too(report: Report) -> None:
    """A change's key lands in ``href`` and ``id``: quotes in it stay inside the value."""
    key = 'x" onmouseover="alert(1)'
    odd = Change(key, "<b>osa</b>", "changed", ("<i>lause</i>",), "decision", "päätös (J)")
    html = render_html(replace(report, changes=(*report.changes, odd)))
    tree = _Tree(html)
    assert all("onmouseover" not in attrs for _, attrs in tree.tags)
    assert f"#{key}" in tree.hrefs()
    assert key in tree.ids()
    assert not {"b", "i"} & {tag for tag, _ in tree.tags}


def test_a_changed_word_is_deleted_and_inserted(report: Report) -> None:
    tree = _Tree(render_html(report))
    inserted, deleted = " ".join(tree.marked["ins"]), " ".join(tree.marked["del"])
    assert "ja palvelujen saavutettavuus" in inserted  # § 8
    assert "Eeva Esimerkki" in inserted and "Elina Anttila" in deleted  # Liite 2
    assert "4,755" in inserted and "4,555" in deleted  # Liite 5 total
    liite_5 = _section(render_html(report).decode(), "annex-5")
    assert "<del>0,8</del><ins>1,0</ins> htv" in liite_5


def test_insertions_and_deletions_are_marked_by_colour_and_by_line(report: Report) -> None:
    css = re.search(r"<style>(.*)</style>", render_html(report).decode(), re.S)
    assert css is not None
    rules = dict(re.findall(r"^(ins|del) \{([^}]*)\}", css.group(1), re.M))
    assert "text-decoration: underline" in rules["ins"] and "background:" in rules["ins"]
    assert "text-decoration: line-through" in rules["del"] and "background:" in rules["del"]
    assert "@media print" in css.group(1)
    assert "print-color-adjust: exact" in css.group(1)


def test_whole_rows_and_parts_are_marked(
    versions: tuple[Agreement, Agreement, Agreement], report: Report
) -> None:
    # A member replaced: the row stands once, marked in the member's cell alone (issue 18).
    liite_2 = _section(render_html(report).decode(), "annex-2")
    assert (
        "<tr><td><del>Elina Anttila</del><ins>Eeva Esimerkki</ins></td>"
        "<td>varapuheenjohtaja</td><td>Maria Päivänen</td></tr>"
    ) in liite_2
    # A member left out: the whole row deleted.
    old_2 = next(part for part in compose(versions[0]).parts if part.key == "annex-2")
    fewer = replace(
        old_2,
        blocks=tuple(
            replace(block, rows=block.rows[:-1]) if isinstance(block, Table) else block
            for block in old_2.blocks
        ),
    )
    parts = tuple(
        redline_parts(old_2, fewer) if part.key == "annex-2" else part
        for part in report.redline.parts
    )
    html = render_html(replace(report, redline=replace(report.redline, parts=parts))).decode()
    assert '<tr class="whole-del"><td><del>Kristiina Mäkelä</del></td>' in _section(html, "annex-2")

    # Liite 6 removed, § 12 added: whole parts, their headings marked and labelled in words
    a, b = compose(versions[0]), compose(versions[1])
    pairs: list[tuple[Part | None, Part | None]] = [
        (None if new.heading.startswith("12 ") else old, new)
        for old, new in zip(a.parts, b.parts, strict=True)
    ]
    pairs = [
        (old, None if old and old.heading.startswith("LIITE 6") else new) for old, new in pairs
    ]
    redline = redline_document(b, pairs)
    html = render_html(replace(report, redline=redline)).decode()
    removed, added = _section(html, "annex-6-removed"), _section(html, "section-12")
    assert 'class="part changed whole-del"' in removed
    assert re.search(r"<h2><del>LIITE 6 [^<]*</del><span class=\"badge del\">", removed)
    assert 'class="part changed whole-ins"' in added
    assert '<p class="whole-ins"><ins>' in added


def test_the_summary_links_every_change_to_its_part(report: Report) -> None:
    tree = _Tree(render_html(report))
    hrefs = tree.hrefs()
    assert {f"#{c.key}" for c in report.changes} <= set(hrefs)
    assert {h[1:] for h in hrefs} <= tree.ids()
    html = render_html(report).decode()
    summary = html[: html.index('<section class="part')]
    assert summary.index("Muutosten yhteenveto") < summary.index("Muuttuneet osat")
    assert "Päätös (Johtoryhmä)" in summary and "Osapuolen ilmoitus" in summary
    assert "Kansaneläkelaitos, työkykyneuvoja: 0,8 → 1,0 htv" in summary


def test_the_record_or_the_command_is_named(report: Report) -> None:
    first, second, *rest = report.changes
    changes = (
        replace(first, record="Johtoryhmä 15.9.2025 § 4"),
        replace(second, command='tymdocs notice --party "<kela>" -m "x"'),
        *rest,
    )
    html = render_html(replace(report, changes=changes)).decode()
    assert "Kirjattu: Johtoryhmä 15.9.2025 § 4" in html
    assert "<code>tymdocs notice --party &quot;&lt;kela&gt;&quot; -m &quot;x&quot;</code>" in html


def test_unchanged_parts_are_folded_with_their_count(report: Report) -> None:
    html = render_html(report).decode()
    unchanged = [p for p in report.redline.parts if not changed(p)]
    assert len(unchanged) == len(report.redline.parts) - 3  # § 8, Liite 2, Liite 5
    folds = re.findall(
        r'<details class="unchanged" data-count="(\d+)">\n<summary>Muuttumattomia osia: (\d+) ',
        html,
    )
    assert all(a == b for a, b in folds)
    assert sum(int(a) for a, _ in folds) == len(unchanged)
    assert f"muuttumattomia osia: {len(unchanged)}." in html
    folded = "".join(re.findall(r"<details.*?</details>", html, re.S))
    for part in report.redline.parts:
        assert (f'id="{part.kind}-{part.number}"' in folded) is (part in unchanged)


def test_a_version_against_itself_has_no_changes(
    versions: tuple[Agreement, Agreement, Agreement],
) -> None:
    same = _report(versions[1], versions[1])
    html = render_html(same).decode()
    assert "Ei muutoksia" in html
    tree = _Tree(html.encode())
    assert tree.marked == {"ins": [], "del": []}
    assert html.count('class="part unchanged"') == len(same.redline.parts)
    markdown = render_markdown(same)
    assert "Ei muutoksia" in markdown
    assert "{+" not in markdown and "[-" not in markdown


def test_no_external_resources(report: Report) -> None:
    html = render_html(report).decode()
    assert html.startswith('<!DOCTYPE html>\n<html lang="fi">')
    assert '<meta charset="utf-8">' in html
    for needle in ("http", "src=", "<script", "<link", "url(", "@import", "//"):
        assert needle not in html, needle
    assert all(href.startswith("#") for href in _Tree(html.encode()).hrefs())


def test_the_same_report_gives_the_same_bytes(
    versions: tuple[Agreement, Agreement, Agreement],
) -> None:
    first, second = _report(versions[0], versions[2]), _report(versions[0], versions[2])
    assert render_html(first) == render_html(second)
    assert render_markdown(first) == render_markdown(second)


# -- Markdown ---------------------------------------------------------------------------------

_GITLAB_INSERTION = re.compile(r"\[\+(.*?)\+\]|\{\+(.*?)\+\}")
_GITLAB_DELETION = re.compile(r"\[\-(.*?)\-\]|\{\-(.*?)\-\}")


def _markdown_tokens(text: str) -> list[str]:
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    types = []
    for token in parser.parse(text):
        types.append(token.type)
        types += [child.type for child in token.children or ()]
    return types


def _rendered_text(text: str) -> str:
    """The text a Markdown renderer shows: what GitLab's inline-diff filter then reads."""
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return re.sub(r"<[^>]+>", "", parser.render(text))


def test_markdown_shows_changes_as_gitlab_inline_diff(report: Report) -> None:
    markdown = render_markdown(report)
    assert "{+ ja palvelujen saavutettavuus+}" in markdown
    assert "[-0,8-]{+1,0+} htv" in markdown
    assert (
        "| [-Elina Anttila-]{+Eeva Esimerkki+} | varapuheenjohtaja | Maria Päivänen |" in markdown
    )
    assert "| **Yhteensä** | **[-4,555-]{+4,755+}** |" in markdown
    assert "- Kansaneläkelaitos, työkykyneuvoja: 0,8 → 1,0 htv" in markdown


def test_markdown_shows_only_changed_parts(report: Report) -> None:
    markdown = render_markdown(report)
    headings = re.findall(r"^### (.*)$", markdown, re.M)
    assert headings == [p.heading for p in report.redline.parts if changed(p)], (
        "one heading per changed part"
    )
    unchanged = sum(not changed(p) for p in report.redline.parts)
    assert f"muuttumattomia osia: {unchanged}." in markdown
    assert "Sopimuksen tarkoitus" not in markdown


def test_markdown_escapes_hostile_text(hostile: Report) -> None:
    markdown = render_markdown(hostile)
    line = next(line for line in markdown.splitlines() if "Testi" in line)
    assert line.startswith("{+") and line.endswith("+}")
    inner = line[2:-2]
    assert not re.search(r"(?<!\\)[<>`@~$#\[\]{}|&]", inner), "every special sign escaped"
    assert "\\<script\\>" in inner and "\\#read" in inner and "http\\://" in inner
    types = _markdown_tokens(markdown)
    for kind in ("html_inline", "html_block", "link_open", "s_open", "code_inline", "image"):
        assert kind not in types, kind

    shown = _rendered_text(markdown)
    assert "Testi &lt;script&gt;" in shown and "@kaikki" in shown
    # GitLab finds inline diff in the rendered text: only the real change is found there
    insertions = [m.group(1) or m.group(2) for m in _GITLAB_INSERTION.finditer(shown)]
    assert all("väärennetty" not in text or text.startswith("Testi") for text in insertions)
    assert not any(
        "poistettu" in (m.group(1) or m.group(2)) for m in _GITLAB_DELETION.finditer(shown)
    )


def test_markdown_escapes_punctuation_references_autolinks_and_diff_brackets() -> None:
    from tymdocs.render.markdown import escape_text

    assert escape_text("# otsikko") == "\\# otsikko"
    assert escape_text("a | b") == "a \\| b"
    assert escape_text("www.example.com https://x") == "www\\.example.com https\\://x"
    assert escape_text("{+a+}") == "\\{\u2060+a+\u2060\\}"


def test_lists_nest_and_keep_their_own_numbers(tmp_path: Path) -> None:
    """The made-up structures: a numbered list with bullets and a list nested two deep; an
    item added three levels down, an item added at the end, a word changed in a nested item."""
    source = FIXTURES / "rakenteet"
    a, b = copy_agreement(tmp_path / "a", source), copy_agreement(tmp_path / "b", source)
    text = "docs_src/sopimus.md"
    edit(b, text, "      - vuosittain;", "      - neljännesvuosittain ja\n      - vuosittain;")
    edit(b, text, "   - asiakastilat;", "   - asiakas- ja ryhmätilat;")
    edit(b, text, "3) koulutus.", "3) koulutus ja\n4) perehdytys.")
    report = _report(agreement_of(a), agreement_of(b))

    html = render_html(report).decode()
    assert (
        '<li><span class="marker">2.</span> raportointi\n<ul>\n<li>kuukausittain ja</li>\n'
        '<li class="whole-ins"><ins>neljännesvuosittain ja</ins></li>\n'
    ) in html
    assert "<li><del>asiakastilat</del><ins>asiakas- ja ryhmätilat</ins>;</li>" in html
    assert '<li class="whole-ins"><span class="marker"><ins>4)</ins></span> ' in html

    markdown = render_markdown(report)
    assert (
        "- 2\\) tietojärjestelmät, joista\n"
        "  - 1\\. asiakastietojärjestelmä,\n"
        "  - 2\\. raportointi\n"
        "    - kuukausittain ja\n"
        "    - {+neljännesvuosittain ja+}\n"
        "    - vuosittain;\n"
        "- 3\\) koulutus[-.-]{+ ja+}\n"
        "- {+4\\)+} {+perehdytys.+}\n"
    ) in markdown
    nested = MarkdownIt("commonmark").parse(markdown)
    depths = [t.level for t in nested if t.type == "bullet_list_open"]
    assert max(depths) >= 4, "three lists inside each other"


def test_a_renumbered_part_shows_its_old_heading_deleted_then_the_new_inserted(
    versions: tuple[Agreement, Agreement, Agreement], report: Report
) -> None:
    a, b = compose(versions[0]), compose(versions[1])
    old = a.parts[8].heading
    assert old == "9 Organisointia johtava henkilö ja tehtävät"
    new = replace(b.parts[8], number=13, heading="13 Johtava henkilö <b>")
    parts = (*b.parts[:8], new, *b.parts[9:])
    pairs = list(zip(a.parts, parts, strict=True))
    redline = redline_document(replace(b, parts=parts), pairs)
    renumbered = replace(report, redline=redline)

    section = _section(render_html(renumbered).decode(), "section-13")
    assert f"<h2><del>{old}</del> <ins>13 Johtava henkilö &lt;b&gt;</ins></h2>" in section
    markdown = render_markdown(renumbered)
    assert f"### [-{old}-] {{+13 Johtava henkilö \\<b\\>+}}" in markdown


def test_ids_stay_unique_when_a_removed_part_left_its_number_to_another(
    versions: tuple[Agreement, Agreement, Agreement], report: Report
) -> None:
    a, b = compose(versions[0]), compose(versions[1])
    moved = replace(b.parts[8], number=10, heading="10 Johtava henkilö")
    pairs = [*zip(a.parts[:8], b.parts[:8], strict=True), (a.parts[9], None), (None, moved)]
    redline = redline_document(replace(b, parts=b.parts[:8]), pairs)
    tree = _Tree(render_html(replace(report, redline=redline)))
    ids = [attrs["id"] for _, attrs in tree.tags if attrs.get("id")]
    assert len(ids) == len(set(ids))
    assert {"section-10", "section-10-removed"} <= set(ids)
