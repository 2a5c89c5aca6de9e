"""The overview of many agreements (``build --all ROOT``) as one HTML file.

Plain HTML and CSS, no script and no external resource, so it opens offline and prints.
Every text from an agreement (its area, paths, error messages) is data: it passes through
:func:`_esc`, the only markup being what this module writes. One table, a row per agreement
headed by its area, columns headed with ``scope``; state is said in words, never by colour
alone.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tymdocs.characters import printable
from tymdocs.locale import counted, format_date, label

_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.45;
  color: #1b1b1b; background: #fff; margin: 2rem auto; padding: 0 1rem; max-width: 90rem; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
.scroll { overflow-x: auto; }
.scroll:focus { outline: 2px solid #0b57d0; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .35rem .5rem; vertical-align: top; text-align: left; }
thead th { background: #e8e8e8; }
tbody th { font-weight: 600; }
ul { margin: 0; padding-left: 1.1rem; }
code { font-family: ui-monospace, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
.path { display: block; font-weight: normal; color: #3d3d3d; }
.failed { color: #8b0000; font-weight: bold; }
.draft { font-style: italic; }
.overdue { color: #8b0000; font-weight: bold; }
a { color: #0b4fb3; }
a:focus { outline: 2px solid #0b57d0; outline-offset: 1px; }
@page { size: A4 landscape; margin: 1.5cm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h1, h2 { break-after: avoid; }
}
"""

_COLUMNS = (
    "overview_area",
    "overview_in_force",
    "overview_pending",
    "overview_awaiting",
    "overview_next_deadline",
    "overview_overdue",
    "overview_result",
)


def render_overview(data: dict[str, Any], out: Path) -> bytes:
    """The overview (:func:`tymdocs.many.overview`'s data) as a UTF-8 HTML5 file written into
    ``out``: links to each agreement's PDF are relative to it."""
    return "".join(_document(data, out)).encode("utf-8")


def _esc(text: object) -> str:
    """Text from an agreement as HTML: control characters shown as their codes, every
    character HTML gives a meaning escaped (quotes too, for attributes)."""
    return escape(printable(str(text)), quote=True)


def _date(iso: str) -> str:
    return format_date(dt.date.fromisoformat(iso))


def _document(data: dict[str, Any], out: Path) -> Iterator[str]:
    title = label("overview_title")
    what = label(f"overview_{data['command']}")
    yield '<!DOCTYPE html>\n<html lang="fi">\n<head>\n<meta charset="utf-8">\n'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    yield f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
    yield f"<header>\n<h1>{_esc(title)}</h1>\n"
    intro = label(
        "overview_intro",
        what=what,
        count=data["agreements"],
        root=data["root"],
        date=_date(data["today"]),
    )
    yield f"<p>{_esc(intro)}</p>\n"
    ok = data["agreements"] - data["failed"]
    yield f"<p>{_esc(label('overview_counts', ok=ok, failed=data['failed']))}</p>\n</header>\n"
    yield "<main>\n"
    results = data["results"]
    failed = [r for r in results if not r["ok"]]
    if failed:
        yield f"<h2>{_esc(label('overview_failed_heading'))}</h2>\n<ul>\n"
        for result in failed:
            message = result["error"]["message"]
            yield f"<li><code>{_esc(result['path'])}</code>: {_esc(message)}</li>\n"
        yield "</ul>\n"
    passed = data["not_searched"]
    if passed:
        yield f"<h2>{_esc(label('overview_not_searched'))}</h2>\n<ul>\n"
        for folder in passed:
            yield f"<li><code>{_esc(folder['path'])}</code>: {_esc(folder['why'])}</li>\n"
        yield "</ul>\n"
    caption = label("overview_caption")
    yield f'<h2 id="sopimukset">{_esc(caption)}</h2>\n'
    yield '<div class="scroll" tabindex="0" role="region" aria-labelledby="sopimukset">\n'
    yield '<table aria-labelledby="sopimukset">\n<thead>\n<tr>'
    for column in _COLUMNS:
        yield f'<th scope="col">{_esc(label(column))}</th>'
    yield "</tr>\n</thead>\n<tbody>\n"
    root = Path(data["root"])
    for result in results:
        yield from _row(result, root, out)
    yield "</tbody>\n</table>\n</div>\n</main>\n</body>\n</html>\n"


def _row(result: dict[str, Any], root: Path, out: Path) -> Iterator[str]:
    area = result["area"] or label("overview_unknown_area")
    yield f'<tr>\n<th scope="row">{_esc(area)}'
    yield f'<code class="path">{_esc(result["path"])}</code>'
    built = result["result"] if result["ok"] else None
    pdf = built.get("pdf") if isinstance(built, dict) else None
    if pdf:
        target = os.path.relpath(root / result["path"] / pdf, out)
        href = quote(Path(target).as_posix())
        yield f' <a href="{_esc(href)}">{_esc(label("overview_pdf"))}</a>'
    yield "</th>\n"
    summary = result["summary"]
    if summary is None:
        missing = label("overview_none")
        if result["status_error"]:
            missing = label("overview_no_status", message=result["status_error"])
        yield f'<td colspan="5">{_esc(missing)}</td>\n'
    else:
        yield from _status_cells(summary)
    yield f"<td>{_result(result)}</td>\n</tr>\n"


def _status_cells(summary: dict[str, Any]) -> Iterator[str]:
    in_force = summary["in_force"]
    if in_force is not None:
        text = label(
            "overview_version",
            number=in_force["version"],
            record=in_force["record"],
            date=_date(in_force["since"]),
        )
    else:
        text = label("overview_no_version")
    latest = summary["latest_version"]
    if latest is not None and (in_force is None or in_force["version"] != latest):
        text += f"; {label('overview_latest', number=latest)}"
    yield f"<td>{_esc(text)}</td>\n"

    pending = [_part(p["part"]) for p in summary["pending"]]
    if summary["unrecorded_commits"]:
        pending.append(counted("overview_unrecorded", summary["unrecorded_commits"]))
    yield f"<td>{_list(pending)}</td>\n"

    awaiting = [
        label(
            "overview_awaiting_item",
            number=a["version"],
            date=_date(a["date"]),
            missing=", ".join(a["missing"]) or label("overview_none"),
        )
        for a in summary["awaiting_signatures"]
    ]
    yield f"<td>{_list(awaiting)}</td>\n"

    coming = summary["next_deadline"]
    yield f"<td>{_list([_deadline(coming)] if coming else [])}</td>\n"

    overdue = [_deadline(d) for d in summary["overdue"]]
    if summary["ended"]:
        overdue.insert(0, label("overview_ended", date=_date(summary["ended"]["on"])))
    marked = ' class="overdue"' if overdue else ""
    yield f"<td{marked}>{_list(overdue)}</td>\n"


def _part(part: str) -> str:
    """A part as the overview names it: the main text in Finnish, annexes as status has them
    (``Liite 5``)."""
    return label("main_text_ref") if part == "main text" else part


def _deadline(deadline: dict[str, Any]) -> str:
    what = deadline["label"]
    return label("overview_deadline", date=_date(deadline["due"]), what=what)


def _list(items: list[str]) -> str:
    if not items:
        return _esc(label("overview_none"))
    if len(items) == 1:
        return _esc(items[0])
    return "<ul>" + "".join(f"<li>{_esc(item)}</li>" for item in items) + "</ul>"


def _result(result: dict[str, Any]) -> str:
    """The command's verdict in words, with the first error of a failed agreement, and
    whether its sources still hold placeholders (a draft no record can make a version of)."""
    verdict = _verdict(result)
    count = result["placeholders"]
    if count:
        verdict += f'<br><span class="draft">{_esc(counted("overview_placeholders", count))}</span>'
    return verdict


def _verdict(result: dict[str, Any]) -> str:
    if not result["ok"]:
        verdict = _esc(label("overview_failed"))
        return f'<span class="failed">{verdict}</span>: {_esc(result["error"]["message"])}'
    done = result["result"]
    if done is None:
        return _esc(label("overview_status_read"))
    if "files" in done:
        key = "overview_up_to_date" if done["up_to_date"] else "overview_built"
        text = f"{label('overview_ok')}: {label(key, files=done['files'])}"
        return _esc(f"{text} ({done['version']})")
    errors = counted("overview_errors", done["errors"])
    warnings = counted("overview_warnings", done["warnings"])
    return _esc(
        f"{label('overview_ok')}: {label('overview_checked', errors=errors, warnings=warnings)}"
    )
