"""The site's own pages as HTML: the agreement in force, the versions, the register and the
deadlines. Pure: bytes from values, the same bytes for the same values.

Every text from the sources or the register goes through :func:`html.escape`; the only markup
is what this module and :mod:`tymdocs.render.html` write. No script, no external resource:
the styles are in each page, so a page reads offline, printed, and without CSS too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from tymdocs.document import Document, Part
from tymdocs.locale import format_date, label
from tymdocs.render.html import BLOCK_CSS, SITE_CSS, blocks_html, site_head

INDEX = "index.html"
VERSIONS = "versions.html"
REGISTER = "register.html"
DEADLINES = "deadlines.html"
_PAGES = (
    (INDEX, "site_in_force"),
    (VERSIONS, "site_versions"),
    (REGISTER, "site_register"),
    (DEADLINES, "site_deadlines"),
)
PAGES = tuple(name for name, _ in _PAGES)
"""The site's pages, at its top level."""
VERSIONS_FOLDER = "versions"
"""The folder of the versions' files and redlines."""

_CSS = (
    """
:root { color-scheme: light; }
body { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5;
  color: #1b1b1b; background: #fff; max-width: 56rem; margin: 0 auto; padding: 0 1rem 2rem; }
.skip { position: absolute; left: -999rem; top: .5rem; padding: .4rem .8rem;
  background: #fff3b0; color: #1b1b1b; border: 2px solid #1b1b1b; }
.skip:focus { left: .5rem; }
h1 { font-size: 1.5rem; margin: 1.2rem 0 .4rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.1rem; }
.lead { color: #333; }
.public { background: #f5f5f5; border-left: 4px solid #555; padding: .4rem .8rem; }
nav.toc ol { list-style: none; padding-left: 0; }
"""
    + SITE_CSS
    + BLOCK_CSS
    + """.text { white-space: pre-line; }
.wide { overflow-x: auto; max-width: 100%; }
.wide > table { margin: 0; }
td.text { min-width: 16rem; }
.state-overdue { font-weight: bold; color: #8a1c12; }
footer.site { margin-top: 3rem; border-top: 1px solid #999; color: #333; font-size: .9rem; }
@page { size: A4; margin: 2cm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  .skip { display: none; }
  h1, h2, h3 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
)


def _esc(text: str) -> str:
    return escape(text, quote=True)


def href(path: str) -> str:
    """A relative link to a file of the site, safe in an attribute."""
    return _esc(quote(path))


@dataclass(frozen=True)
class Frame:
    """What every page shares: the language, the agreement's area, and the note of a public
    site."""

    language: str
    area: str
    public: bool
    source: str
    """Which version the site was made from, for the footer."""


def page(frame: Frame, current: str, heading: str, body: Iterable[str]) -> bytes:
    """One page with the site's header, navigation and footer around ``body``."""
    out = [
        f'<!DOCTYPE html>\n<html lang="{_esc(frame.language)}">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{_esc(heading)} – {_esc(frame.area)}</title>\n<style>{_CSS}</style>\n",
        "</head>\n<body>\n",
        f'<a class="skip" href="#{_esc(label("site_main_id"))}">{_esc(label("site_skip"))}</a>\n',
        "<header>\n",
        site_head(frame.area, [(label(key), quote(name), name == current) for name, key in _PAGES]),
        "</header>\n",
    ]
    main = _esc(label("site_main_id"))
    out.append(f'<main id="{main}" tabindex="-1">\n<h1>{_esc(heading)}</h1>\n')
    if frame.public:
        out.append(f'<p class="public">{_esc(label("site_public"))}</p>\n')
    out.extend(body)
    out.append("</main>\n")
    out.append(f'<footer class="site">\n<p>{_esc(frame.source)}</p>\n</footer>\n')
    out.append("</body>\n</html>\n")
    return "".join(out).encode("utf-8")


def _table(name: str) -> str:
    """The start of a table that may be wider than the page: in a region of its own that
    scrolls sideways (named ``name``, reachable by keyboard), so the page itself never
    does. Closed by :data:`_TABLE_END`."""
    return f'<div class="wide" role="region" aria-label="{_esc(name)}" tabindex="0">\n<table>\n'


_TABLE_END = "</table>\n</div>\n"


def part_id(part: Part) -> str:
    """A part's anchor: ``5`` for § 5, ``liite-1`` for Liite 1 (``bilaga-1`` in Swedish).
    Its heading has the anchor the redlines give it too (``section-5``, ``annex-1``:
    :attr:`Part.key`), so a link into a redline leads to the same part of the text in
    force with the page changed."""
    return (
        str(part.number) if part.kind == "section" else label("site_annex_id", number=part.number)
    )


def back_links(prefix: str) -> list[tuple[str, str]]:
    """(text, link) of the site's pages from a page ``prefix`` (``../../``) below them: the
    way back from a redline."""
    return [(label(key), prefix + quote(name)) for name, key in _PAGES]


def index_page(
    frame: Frame,
    document: Document,
    lead: Sequence[str],
    signatories: Sequence[tuple[str, Sequence[str]]],
) -> bytes:
    """The agreement in force: a table of contents, then every section and annex with an
    anchor of its own, then each party with its signatories (``name, title``)."""

    def body() -> Iterator[str]:
        for line in lead:
            yield f'<p class="lead">{_esc(line)}</p>\n'
        contents, signatures = _esc(label("site_contents_id")), _esc(label("site_signatures_id"))
        yield f'<nav class="toc" aria-labelledby="{contents}">\n<h2 id="{contents}">'
        yield f"{_esc(label('contents'))}</h2>\n<ol>\n"
        for part in document.parts:
            yield f'<li><a href="#{_esc(part_id(part))}">{_esc(part.heading)}</a></li>\n'
        yield f'<li><a href="#{signatures}">{_esc(label("signatures"))}</a></li>\n'
        yield "</ol>\n</nav>\n"
        for part in document.parts:
            yield f'<section id="{_esc(part_id(part))}">\n'
            yield f'<h2 id="{_esc(part.key)}">{_esc(part.heading)}</h2>\n'
            yield blocks_html(part.blocks)
            yield "</section>\n"
        yield f'<section id="{signatures}">\n<h2>{_esc(label("signatures"))}</h2>\n<dl>\n'
        for party, names in signatories:
            yield f"<dt>{_esc(party)}</dt>\n"
            shown = names or [label("unnamed_signatory")]
            yield "".join(f"<dd>{_esc(name)}</dd>\n" for name in shown)
        yield "</dl>\n</section>\n"

    return page(frame, INDEX, document.title, body())


@dataclass(frozen=True)
class VersionRow:
    """One recorded version as the list of versions shows it."""

    number: int
    record: str
    in_force_from: dt.date | None
    state: str | None
    """``site_awaiting`` or ``site_withdrawn``: a label key, or None."""
    files: tuple[tuple[str, str], ...]
    """(kind as shown, path in the site) of its PDF and DOCX."""
    withheld: bool
    """Its files hold personal data and are left out of a public site."""
    redline: str | None
    """The path of the redline from the version before it."""


def versions_page(frame: Frame, rows: Sequence[VersionRow]) -> bytes:
    def body() -> Iterator[str]:
        yield _table(label("site_versions")) + "<thead><tr>"
        for key in ("site_version", "site_record", "site_in_force_from", "site_files"):
            yield f'<th scope="col">{_esc(label(key))}</th>'
        yield f'<th scope="col">{_esc(label("site_changes"))}</th></tr></thead>\n<tbody>\n'
        for row in rows:
            state = f" ({_esc(label(row.state))})" if row.state else ""
            start = format_date(row.in_force_from) if row.in_force_from else label("site_none")
            yield f'<tr id="v{row.number}"><td class="r">{row.number}</td>'
            yield f"<td>{_esc(row.record)}{state}</td><td>{_esc(start)}</td><td>"
            if row.withheld:
                yield _esc(label("site_files_withheld"))
            else:
                links = []
                for kind, path in row.files:
                    name = label("site_file_of", kind=kind, number=row.number)
                    links.append(f'<a href="{href(path)}">{_esc(name)}</a>')
                yield "<br>".join(links) or _esc(label("site_none"))
            yield "</td><td>"
            if row.redline:
                text = label("site_redline_link", a=row.number - 1, b=row.number)
                yield f'<a href="{href(row.redline)}">{_esc(text)}</a>'
            else:
                yield _esc(label("site_none"))
            yield "</td></tr>\n"
        yield "</tbody>\n" + _TABLE_END

    return page(frame, VERSIONS, label("site_versions"), body())


_REGISTER_COLUMNS = (
    "site_version",
    "site_date",
    "site_kind",
    "site_by",
    "section_mark",
    "site_case",
    "site_in_force_from",
    "site_parts",
    "site_commit",
    "site_text",
)


def register_page(frame: Frame, rows: Sequence[tuple[str, ...]]) -> bytes:
    """The register, a record a row, each cell as :func:`tymdocs.site.register_rows` gives
    it; the text last, its line breaks kept."""

    def body() -> Iterator[str]:
        yield _table(label("site_register")) + "<thead><tr>"
        for key in _REGISTER_COLUMNS:
            name = "§" if key == "section_mark" else label(key)
            yield f'<th scope="col">{_esc(name)}</th>'
        yield "</tr></thead>\n<tbody>\n"
        for row in rows:
            cells = [f"<td>{_esc(cell)}</td>" for cell in row[:-2]]
            cells.append(f"<td><code>{_esc(row[-2])}</code></td>")
            cells.append(f'<td class="text">{_esc(row[-1])}</td>')
            yield f"<tr>{''.join(cells)}</tr>\n"
        yield "</tbody>\n" + _TABLE_END

    return page(frame, REGISTER, label("site_register"), body())


@dataclass(frozen=True)
class DeadlineRow:
    due: dt.date
    state: str
    """``ok``, ``soon``, ``overdue`` or ``passed``."""
    what: str
    """In the agreement's language."""
    basis: str
    """What the date is counted from: the record as the register cites it."""


def deadlines_page(
    frame: Frame,
    day: dt.date,
    rows: Sequence[DeadlineRow],
    notes: Sequence[str],
) -> bytes:
    """The deadlines on ``day``, and ``notes`` (an end, amendments awaiting signatures)."""

    def body() -> Iterator[str]:
        yield f'<p class="lead">{_esc(label("site_status_on", date=format_date(day)))}</p>\n'
        for note in notes:
            yield f"<p>{_esc(note)}</p>\n"
        if not rows:
            yield f"<p>{_esc(label('site_no_deadlines'))}</p>\n"
            return
        yield _table(label("site_deadlines")) + "<thead><tr>"
        for key in ("site_due", "site_state", "site_what", "site_basis"):
            yield f'<th scope="col">{_esc(label(key))}</th>'
        yield "</tr></thead>\n<tbody>\n"
        for row in rows:
            state = label(f"site_state_{row.state}")
            yield f"<tr><td>{_esc(format_date(row.due))}</td>"
            yield f'<td class="state-{_esc(row.state)}">{_esc(state)}</td>'
            yield f"<td>{_esc(row.what)}</td><td>{_esc(row.basis)}</td></tr>\n"
        yield "</tbody>\n" + _TABLE_END

    return page(frame, DEADLINES, label("site_deadlines"), body())
