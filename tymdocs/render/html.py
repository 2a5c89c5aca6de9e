"""Report -> HTML: one self-contained redline file for browsers and print.

Every piece of text from the sources goes through :func:`html.escape` (quotes too, for
attributes); the only markup is what this module writes. No external resource, no script:
the file opens offline and its bytes depend on the report alone. Insertions and deletions
are ``<ins>``/``<del>`` marked by colour and by underline or strike-through, so they survive
black-and-white print and readers who do not tell red from green. A moved block is deleted at
its old place and inserted at its new in blue with double lines and a double bar, each end
with a badge that names and links the other; at the new place the move's own edits are
marked inside it as any edit is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape
from typing import Any, assert_never

from tymdocs.changes import Change, Report, move_badge
from tymdocs.document import Part
from tymdocs.locale import capitalise, label, speaking
from tymdocs.model import (
    Block,
    Heading,
    Inline,
    Inlines,
    LineBreak,
    ListBlock,
    ListItem,
    Mark,
    Moved,
    Paragraph,
    Row,
    Span,
    Table,
)
from tymdocs.redline import Moving, as_shown, moved_mark, moves

BLOCK_CSS = """\
table { border-collapse: collapse; margin: .8rem 0; }
th, td { border: 1px solid #999; padding: .2rem .5rem; vertical-align: top; text-align: left; }
th { background: #eee; }
.r { text-align: right; }
.c { text-align: center; }
tr.strong > td { font-weight: bold; }
ol.own { list-style: none; padding-left: 2.2rem; }
ol.own > li > .marker { display: inline-block; min-width: 2.2rem; margin-left: -2.2rem; }
"""
"""How the text's tables and lists look, in the redline and on the site alike."""

_CSS = (
    """
:root { color-scheme: light; }
body { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5;
  color: #1b1b1b; background: #fff; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
.subtitle { color: #444; margin-top: 0; }
ins { background: #dcf5e0; color: #064414; text-decoration: underline;
  text-decoration-thickness: 2px; text-underline-offset: 2px; }
del { background: #fde2e1; color: #7d0b0b; text-decoration: line-through;
  text-decoration-thickness: 2px; }
ins.br::after, del.br::after { content: "\\21B5"; }
.whole-ins { border-left: 4px solid #1a7f37; padding-left: .6rem; }
.whole-del { border-left: 4px dashed #b3261e; padding-left: .6rem; }
tr.whole-ins > td:first-child { border-left: 4px solid #1a7f37; }
tr.whole-del > td:first-child { border-left: 4px dashed #b3261e; }
.badge { display: inline-block; font-size: .8rem; font-weight: normal; border: 1px solid;
  border-radius: 3px; padding: 0 .3rem; margin-left: .5rem; vertical-align: middle; }
.badge.ins { color: #064414; border-style: solid; }
.badge.del { color: #7d0b0b; border-style: dashed; }
ins.moved { background: #e2ebfa; color: #0b3d91; text-decoration: underline double;
  text-decoration-thickness: 1px; text-underline-offset: 2px; }
del.moved { background: #e2ebfa; color: #0b3d91; text-decoration: line-through double;
  text-decoration-thickness: 1px; }
.moved-from, .moved-to { border-left: 5px double #0b57d0; padding-left: .6rem; }
table.moved-from, table.moved-to { border-left: 5px double #0b57d0; }
table.moved-from > caption, table.moved-to > caption { text-align: left; }
a.badge.moved { color: #0b3d91; border-style: double; border-width: 3px; margin: 0 .5rem 0 0;
  text-decoration: none; }
"""
    + BLOCK_CSS
    + """.note { background: #f5f5f5; border: 1px solid #ddd; padding: .4rem .8rem; }
.note ul { margin: .2rem 0; }
details { border: 1px solid #ccc; border-radius: 4px; padding: .3rem .8rem; margin: 1rem 0; }
summary { cursor: pointer; color: #333; }
code { font-family: ui-monospace, Consolas, monospace; background: #f2f2f2; padding: 0 .2em;
  overflow-wrap: anywhere; }
.summary td ul { margin: 0; padding-left: 1.1rem; }
@page { size: A4; margin: 2cm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  ins, del, .whole-ins, .whole-del, .moved-from, .moved-to, th, .note {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; }
  tr, li, .note { break-inside: avoid; }
  details { border: none; padding: 0; }
}
"""
)

SITE_CSS = """
a { color: #0b57d0; }
a:visited { color: #6b2fa3; }
a:focus-visible, summary:focus-visible, .wide:focus-visible { outline: 3px solid #1b1b1b;
  outline-offset: 2px; background: #fff3b0; color: #1b1b1b; }
.site-head { border-bottom: 1px solid #999; padding: .8rem 0 .4rem; }
.site-head > p { margin: 0; font-weight: bold; }
nav.site ul { list-style: none; padding: 0; margin: .4rem 0 0; display: flex; flex-wrap: wrap;
  gap: .4rem 1.4rem; }
nav.site a[aria-current="page"] { font-weight: bold; color: #1b1b1b; }
@media print { nav.site { display: none; } a { color: inherit; text-decoration: none; } }
"""
"""The head every page of a site shares (the area's name above its navigation) and its
links' colours: the site's own pages and its redlines alike."""


def site_head(area: str, links: Sequence[tuple[str, str, bool]]) -> str:
    """The area's name above the site's navigation: (text, link, is the current page)."""
    out = [
        f'<div class="site-head">\n<p>{_esc(area)}</p>\n',
        f'<nav class="site" aria-label="{_esc(label("site_navigation"))}"><ul>\n',
    ]
    for text, link, current in links:
        here = ' aria-current="page"' if current else ""
        out.append(f'<li><a href="{_esc(link)}"{here}>{_esc(text)}</a></li>\n')
    out.append("</ul></nav>\n</div>\n")
    return "".join(out)


def render_html(report: Report, back: Sequence[tuple[str, str]] = (), area: str = "") -> bytes:
    """The report as one UTF-8 HTML5 file, byte-identical for the same report; ``back``:
    (text, relative link) of the pages of a site it is part of, for a navigation above it
    under the ``area``'s name, as the site's pages have (``tymdocs site``; none for
    ``tymdocs diff``)."""
    with speaking(report.redline.language):
        return "".join(_Writer(report, back, area).document()).encode("utf-8")


def blocks_html(blocks: Sequence[Block]) -> str:
    """An agreement's own blocks as HTML, escaped as the redline's are: the site's pages."""
    return "".join(part for block in blocks for part in _block(block))


def _esc(text: str) -> str:
    return escape(text, quote=True)


class _Writer:
    """Walks the report once; every text from a source passes through :func:`_esc`."""

    def __init__(
        self, report: Report, back: Sequence[tuple[str, str]] = (), area: str = ""
    ) -> None:
        self.report = report
        self.back = back
        self.area = area
        self.by_key = {change.key: change for change in report.changes}
        part_ids = {part.key for part in report.redline.parts}
        self.orphans = [c for c in report.changes if c.key not in part_ids]
        """Changes with no part of their own (the metadata): shown in a section of their own."""

    def document(self) -> Iterator[str]:
        report = self.report
        yield f'<!DOCTYPE html>\n<html lang="{_esc(report.redline.language)}">\n<head>\n'
        yield '<meta charset="utf-8">\n'
        yield '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        yield f"<title>{_esc(report.title)}</title>\n<style>{_CSS}</style>\n"
        if self.back:
            yield f"<style>{SITE_CSS}</style>\n"
        yield "</head>\n<body>\n<header>\n"
        if self.back:
            yield site_head(self.area, [(text, link, False) for text, link in self.back])
        yield f"<h1>{_esc(report.title)}</h1>\n"
        yield f'<p class="subtitle">{_esc(report.redline.title)}</p>\n</header>\n'
        yield "<main>\n"  # the summary too: all content in landmarks, for screen readers
        yield from self.summary()
        for change in self.orphans:
            yield from self.orphan(change)
        yield from self.parts()
        yield "</main>\n</body>\n</html>\n"

    # -- summary ---------------------------------------------------------------------------

    def summary(self) -> Iterator[str]:
        report = self.report
        yield f'<section id="{_esc(label("redline_summary_id"))}">\n'
        yield f"<h2>{_esc(label('redline_summary'))}</h2>\n<dl>\n"
        yield f"<dt>{_esc(label('redline_older'))}</dt><dd>{_esc(report.a_label)}</dd>\n"
        yield f"<dt>{_esc(label('redline_newer'))}</dt><dd>{_esc(report.b_label)}</dd>\n</dl>\n"
        if report.empty:
            yield f'<p class="none"><strong>{_esc(label("redline_none"))}</strong></p>\n'
        yield f"<p>{_esc(report.counts)}</p>\n"
        if not report.empty:
            yield from self.needs()
            moved = any(moves(part) for part in report.redline.parts)
            yield (
                f'<p class="legend">{_esc(label("redline_legend"))} '
                f"<ins>{_esc(label('redline_inserted'))}</ins> · "
                f"<del>{_esc(label('redline_deleted'))}</del>"
                + (f' · <ins class="moved">{_esc(label("redline_moved"))}</ins>' if moved else "")
                + "</p>\n"
            )
        yield "</section>\n"
        if not report.empty:
            yield from self.changes_table()

    def needs(self) -> Iterator[str]:
        """The records the changes need, each with the parts that need it."""
        yield f"<h3>{_esc(label('redline_needs'))}</h3>\n<ul>\n"
        for needs, changes in self.report.needs():
            links = ", ".join(self.link(change) for change in changes)
            yield f"<li>{_esc(needs)}: {links}</li>\n"
        yield "</ul>\n"

    def link(self, change: Change) -> str:
        return f'<a href="#{_esc(change.key)}">{_esc(change.part)}</a>'

    def changes_table(self) -> Iterator[str]:
        yield f'<section id="{_esc(label("redline_changed_parts_id"))}">\n'
        yield f"<h2>{_esc(label('redline_changed_parts'))}</h2>\n"
        yield '<table class="summary">\n<thead><tr>'
        for key in ("redline_part", "redline_change", "redline_needs", "redline_record"):
            yield f'<th scope="col">{_esc(label(key))}</th>'
        yield "</tr></thead>\n<tbody>\n"
        for change in self.report.changes:
            yield f"<tr><td>{self.link(change)}</td><td>{_esc(change.status_text)}"
            if change.sentences:
                yield "<ul>" + "".join(f"<li>{_esc(s)}</li>" for s in change.sentences) + "</ul>"
            yield f"</td><td>{_esc(capitalise(change.needs_text))}</td><td>"
            yield from _record(change)
            yield "</td></tr>\n"
        yield "</tbody>\n</table>\n</section>\n"

    def orphan(self, change: Change) -> Iterator[str]:
        yield f'<section class="part changed" id="{_esc(change.key)}">\n'
        yield f"<h2>{_esc(capitalise(change.part))}</h2>\n"
        yield from self.note(change)
        yield "</section>\n"

    def note(self, change: Change) -> Iterator[str]:
        """What the summary says of a part, repeated above its text."""
        yield f'<div class="note"><p>{_esc(change.status_text)}. '
        yield f"{_esc(label('redline_needs'))}: {_esc(change.needs_text)}."
        if change.record is not None or change.command is not None or change.unrecorded:
            yield " "
            yield from _record(change)
        yield "</p>\n"
        if change.sentences:
            yield "<ul>" + "".join(f"<li>{_esc(s)}</li>" for s in change.sentences) + "</ul>\n"
        yield "</div>\n"

    # -- parts -----------------------------------------------------------------------------

    def parts(self) -> Iterator[str]:
        """Changed parts in full; each run of unchanged parts folded, with a count."""
        for shown, run in self.report.runs:
            if shown:
                for part in run:
                    yield from self.part(part, "changed")
            else:
                yield from self.fold(run)

    def fold(self, folded: Sequence[Part]) -> Iterator[str]:
        first, last = folded[0].heading, folded[-1].heading
        span = first if len(folded) == 1 else f"{first} – {last}"
        count = capitalise(label("redline_unchanged", count=len(folded)))
        yield f'<details class="unchanged" data-count="{len(folded)}">\n'
        yield f"<summary>{_esc(count)} ({_esc(span)})</summary>\n"
        for part in folded:
            yield from self.part(part, "unchanged")
        yield "</details>\n"

    def part(self, part: Part, state: str) -> Iterator[str]:
        whole = f" whole-{part.mark}" if part.mark else ""
        yield f'<section class="part {state}{whole}" id="{_esc(part.key)}">\n<h2>'
        if part.mark is not None:
            yield f"{_tag(part.mark, _esc(part.heading))}{_badge(part.mark)}"
        elif part.former_heading is not None:
            yield f"{_tag('del', _esc(part.former_heading))} {_tag('ins', _esc(part.heading))}"
        else:
            yield _esc(part.heading)
        yield "</h2>\n"
        change = self.by_key.get(part.key)
        if change is not None:
            yield from self.note(change)
        if change is not None and change.text_unchanged:  # not reprinted, only folded
            yield f'<details class="unchanged">\n<summary>{_esc(label("redline_text_unchanged"))}'
            yield "</summary>\n"
            for block in part.blocks:
                yield from _block(block)
            yield "</details>\n"
        else:
            for block in part.blocks:
                yield from _block(block)
        yield "</section>\n"


def _record(change: Change) -> Iterator[str]:
    cell = change.record_cell
    yield _esc(cell.words)
    if cell.command is not None:
        yield f" <code>{_esc(cell.command)}</code>"


def _tag(mark: Mark, html: str, moved: bool = False) -> str:
    """``html`` inserted or deleted; ``moved``: as the text of a move."""
    return f'<{mark} class="moved">{html}</{mark}>' if moved else f"<{mark}>{html}</{mark}>"


def _badge(mark: Mark) -> str:
    text = label("redline_part_inserted" if mark == "ins" else "redline_part_deleted")
    return f'<span class="badge {mark}">{_esc(text)}</span>'


def _whole(mark: Mark | None) -> str:
    return f' class="whole-{mark}"' if mark else ""


# -- blocks and inlines -------------------------------------------------------------------------


def _end(moved: Moved[Any] | None, mark: Mark | None, moving: Moving) -> tuple[str, str, Moving]:
    """A block's attributes (its whole mark's class, or its move's class and anchor), the
    badge that names and links the other end of its move, and how its text is shown: as a
    move's where it is one's end, else as the block around it shows its own (``moving``)."""
    if moved is None:
        return _whole(mark), "", moving
    attributes = f' class="moved-{moved.side}" id="moved-{moved.number}-{moved.side}"'
    badge = f'<a class="badge moved" href="#moved-{moved.number}-{moved.other}">'
    return attributes, f"{badge}{_esc(move_badge(moved))}</a> ", moved.side


def _block(block: Block, moving: Moving = None) -> Iterator[str]:
    match block:
        case Heading():
            attributes, badge, moving = _end(block.moved, block.mark, moving)
            shown = as_shown(block)
            level = min(block.level + 1, 6)
            content = _inlines(shown.content, shown.mark is not None, moving)
            yield f"<h{level}{attributes}>{badge}{content}</h{level}>\n"
        case Paragraph():
            attributes, badge, moving = _end(block.moved, block.mark, moving)
            paragraph = as_shown(block)
            content = _inlines(paragraph.content, paragraph.mark is not None, moving)
            yield f"<p{attributes}>{badge}{content}</p>\n"
        case ListBlock():
            yield from _list(block, moving)
        case Table():
            yield from _table(block, moving)
        case _:
            assert_never(block)


def _list(block: ListBlock, moving: Moving) -> Iterator[str]:
    """Bullets as ``<ul>``; ordered items keep the parties' own numbers as text."""
    tag = "ol" if block.ordered else "ul"
    yield '<ol class="own">\n' if block.ordered else "<ul>\n"
    for item in block.items:
        yield from _item(item, moving)
    yield f"</{tag}>\n"


def _item(item: ListItem, moving: Moving) -> Iterator[str]:
    attributes, badge, moving = _end(item.moved, item.mark, moving)
    shown = as_shown(item)
    whole = shown.mark is not None
    yield f"<li{attributes}>"
    if shown.marker is not None:
        yield f'<span class="marker">{_marker(shown, moving)}</span> '
    yield badge + _inlines(shown.content, whole, moving)
    if shown.children:
        yield "\n"
        for child in shown.children:
            yield from _block(child, moving)
    yield "</li>\n"


def _marker(item: ListItem, moving: Moving) -> str:
    """An ordered item's number, marked with the item: moved with it at either end; A's
    number struck before B's where the item was renumbered."""
    if item.former_marker is not None:
        return f"{_tag('del', _esc(item.former_marker))}{_tag('ins', _esc(item.marker or ''))}"
    return _marked(_esc(item.marker or ""), item.mark, moving)


def _marked(html: str, mark: Mark | None, moving: Moving) -> str:
    """``html`` with its mark; in a moved block, the moved text as moved (see
    :func:`_inlines`)."""
    shown = moved_mark(mark, moving)
    if shown is not None:
        return _tag(shown, html, moved=True)
    return _tag(mark, html) if mark else html


_ALIGN_CLASS = {"right": ' class="r"', "center": ' class="c"'}


def _table(block: Table, moving: Moving) -> Iterator[str]:
    attributes, badge, moving = _end(block.moved, block.mark, moving)
    shown = as_shown(block)
    whole = shown.mark is not None
    yield f"<table{attributes}>\n"
    if badge:
        yield f"<caption>{badge.rstrip()}</caption>\n"
    yield "<thead><tr>"
    for column, cell in enumerate(shown.header):
        align = _ALIGN_CLASS.get(shown.alignment(column) or "", "")
        yield f'<th scope="col"{align}>{_inlines(cell, whole, moving)}</th>'
    yield "</tr></thead>\n<tbody>\n"
    for row in shown.rows:
        yield _row(shown, row, moving)
    yield "</tbody>\n</table>\n"


def _row(block: Table, row: Row, moving: Moving) -> str:
    whole = row.mark if moving != "from" else None  # a moved table's bar is the table's
    classes = [name for name, on in (("strong", row.strong), (f"whole-{whole}", whole)) if on]
    attribute = f' class="{" ".join(classes)}"' if classes else ""
    cells = []
    for column, cell in enumerate(row.cells):
        align = _ALIGN_CLASS.get(block.alignment(column) or "", "")
        indent = f' style="padding-left: {0.5 + 1.2 * row.level:.1f}rem"'
        style = indent if column == 0 and row.level else ""
        cells.append(f"<td{align}{style}>{_inlines(cell, row.mark is not None, moving)}</td>")
    return f"<tr{attribute}>{''.join(cells)}</tr>\n"


def _inlines(content: Inlines, whole: bool, moving: Moving = None) -> str:
    """Inline content as HTML. ``whole``: the block is inserted or deleted as a whole, so a
    line break in it is a plain break; in a block changed inside, a break that was added or
    removed shows as a marked ↵ (a removed one does not break the line). In a moved block
    (``moving``) the moved text is ``<del class="moved">`` at its old place and
    ``<ins class="moved">`` at its new, the move's own edits ``<ins>`` and ``<del>``."""
    return "".join(_inline(part, whole, moving) for part in content)


def _inline(part: Inline, whole: bool, moving: Moving) -> str:
    match part:
        case Span():
            html = _esc(part.text)
            if part.emphasis:
                html = f"<em>{html}</em>"
            if part.strong:
                html = f"<strong>{html}</strong>"
            return _marked(html, part.mark, moving)
        case LineBreak():
            if part.mark is None or whole:
                return "<br>"
            title = _esc(label("redline_line_break"))
            sign = f'<{part.mark} class="br" title="{title}"></{part.mark}>'
            return sign + "<br>" if part.mark == "ins" else sign
        case _:
            assert_never(part)
