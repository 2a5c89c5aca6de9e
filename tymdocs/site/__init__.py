"""``tymdocs site``: a static site of the agreement for reviewers and the public, made from
the register in git.

:func:`make_site` gathers every file in memory (pure but for reading git): the agreement in
force on a day as a page with an anchor per section (``#5``) and annex (``#liite-1``), every
recorded version with its PDF and DOCX (what ``tymdocs build --ref <commit> --no-packages``
writes, byte for byte) and the redline from the version before it, the register and the
deadlines. :func:`write_site` puts them in place at once. With ``public``, the personal data
the sources mark (:mod:`tymdocs.site.personal`) is left out of every page, and so are the
files of a version that holds any.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tymdocs.errors import BuildError, SourceError, UsageError
from tymdocs.locale import format_date, label
from tymdocs.model import Agreement
from tymdocs.revision import Source, open_history, open_source
from tymdocs.site.personal import Redaction, marked_names, signatory_names

if TYPE_CHECKING:
    from tymdocs.governance import History

SITE_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Site:
    """Every file of the site by its path inside it, and what made it."""

    agreement: str
    files: dict[str, bytes]


def _validated(source: Source) -> Agreement:
    from tymdocs.checks import validate

    loaded = validate(source.tree)
    if loaded.agreement is None:
        raise SourceError(loaded.problems)
    return loaded.agreement


def make_site(root: Path, day: dt.date, public: bool = False) -> Site:
    """The site of the agreement at ``root`` with the text in force on ``day``."""
    from tymdocs import governance
    from tymdocs.build import build_outputs
    from tymdocs.diff import Side, compare_sides
    from tymdocs.document import compose
    from tymdocs.governance.status import read_status
    from tymdocs.render.html import render_html
    from tymdocs.site import pages

    meta, history = open_history(root)
    versions = history.versions()
    if not versions:
        raise UsageError("the register has no version yet: record version 1 with tymdocs adopt")
    sources = {v.number: open_source(root, v.commit) for v in versions}
    agreements = {number: _validated(source) for number, source in sources.items()}
    try:
        current = open_source(root, None, day)
    except UsageError as exc:
        raise UsageError(f"no text in force on {format_date(day)}: {exc}") from None
    in_force = _validated(current)

    every = [*agreements.values(), in_force]
    public_names = set().union(*map(signatory_names, every))
    personal = {n: marked_names(a) - public_names for n, a in agreements.items()}
    withheld = set().union(*personal.values(), marked_names(in_force)) - public_names
    redaction = Redaction(withheld if public else (), label("site_withheld"))
    names = {party.id: party.name for party in meta.parties}

    latest = versions[-1]
    frame = pages.Frame(
        language=meta.language,
        title=meta.title,
        area=meta.area,
        public=public,
        source=label("site_source", version=governance.describe(latest, names)),
    )
    files: dict[str, bytes] = {}

    document = compose(redaction.agreement(in_force), redaction.notes(current.notes))
    signatories = [
        (party.name, [f"{s.name}, {s.title}" for s in party.signatories])
        for party in in_force.parties
    ]
    files[pages.INDEX] = pages.index_page(frame, document, list(_lead(current, day)), signatories)

    rows = []
    withdrawn = history.withdrawn()
    awaiting = {v.number for v in history.pending_amendments()}
    sides: dict[int, Side] = {}
    for version in versions:
        number = version.number
        folder = f"versions/{number}"
        source, agreement = sources[number], agreements[number]
        hide = public and bool(personal[number])
        shown: list[tuple[str, str]] = []
        if not hide:
            for output in build_outputs(source, "agreement"):
                files[f"{folder}/{output.name}"] = output.data
                kind = {"agreement-pdf": "site_pdf", "agreement-docx": "site_docx"}
                if output.kind in kind:
                    shown.append((label(kind[output.kind]), f"{folder}/{output.name}"))
        shown.sort(key=lambda item: item[0] != label("site_pdf"))
        side_source = replace(source, notes=redaction.notes(source.notes))
        sides[number] = Side(side_source, redaction.agreement(agreement), f"v{number}")
        redline = None
        before = sides.get(number - 1)
        if before is not None:
            redline = f"{folder}/muutokset.html"
            files[redline] = render_html(compare_sides(before, sides[number]))
        state = (
            "site_withdrawn"
            if number in withdrawn
            else "site_awaiting"
            if number in awaiting
            else None
        )
        rows.append(
            pages.VersionRow(
                number=number,
                record=redaction.text(governance.describe(version, names)),
                in_force_from=version.in_force_from,
                state=state,
                files=tuple(shown),
                withheld=hide,
                redline=redline,
            )
        )
    files[pages.VERSIONS] = pages.versions_page(frame, rows)
    files[pages.REGISTER] = pages.register_page(
        frame, [tuple(map(redaction.text, row)) for row in register_rows(history, names)]
    )

    status = read_status(root, day)
    deadlines = [
        pages.DeadlineRow(
            d.due, d.state.lower(), redaction.text(d.label), redaction.text(d.grounds)
        )
        for d in status.deadlines
    ]
    notes = []
    if status.ended is not None:
        notes.append(label("site_ended", date=format_date(status.ended.day)))
    for a in status.awaiting:
        missing = "; ".join(a.signatories) or label("site_none")
        notes.append(
            label(
                "site_awaiting_signatures",
                number=a.version,
                date=format_date(a.date),
                missing=redaction.text(missing),
            )
        )
    files[pages.DEADLINES] = pages.deadlines_page(frame, day, deadlines, notes)
    files[SITE_MANIFEST] = _manifest(meta.id, day, public, files)
    return Site(meta.id, files)


def _lead(current: Source, day: dt.date) -> Iterator[str]:
    """What the index says first: the day, and which version each part is from."""
    yield label("site_in_force_on", date=format_date(day))
    in_force = current.in_force
    if in_force is not None:
        annexes = sorted({v.number for v in in_force.annexes.values()})
        if annexes:
            yield label(
                "site_parts_in_force",
                main=in_force.main.number,
                annexes=", ".join(map(str, annexes)),
            )


def register_rows(history: History, names: dict[str, str]) -> list[tuple[str, ...]]:
    """The register's records, oldest first, as the site's table shows them: version,
    date, kind, by whom, §, case, effective date, parts, commit and text."""
    from tymdocs.governance import annex_part, part_name

    table: list[tuple[str, ...]] = []
    for entry in history.entries:
        record = entry.record
        parts = [part_name(p) for p in record.parts]
        if record.review:
            parts.append(part_name(annex_part(record.review)))
        by = record.body or names.get(record.party or "", record.party or "")
        table.append(
            (
                str(record.version or ""),
                format_date(record.date),
                label(f"site_kind_{record.kind}"),
                by,
                str(record.section or ""),
                record.case or "",
                format_date(record.effective) if record.effective else "",
                ", ".join(parts),
                entry.commit[:12],
                entry.text or entry.subject,
            )
        )
    return table


def _manifest(agreement: str, day: dt.date, public: bool, files: dict[str, bytes]) -> bytes:
    """What the site holds, each file with its SHA-256: the mark that the folder is a site
    tymdocs wrote, which the next run may replace."""
    manifest = {
        "kind": "site",
        "agreement": agreement,
        "date": day.isoformat(),
        "public": public,
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for path, data in sorted(files.items())
        ],
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _site_of(out: Path) -> str | None:
    """The agreement whose site ``out`` holds, or None when it holds none."""
    try:
        data = json.loads((out / SITE_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("kind") != "site":
        return None
    agreement = data.get("agreement")
    return agreement if isinstance(agreement, str) else None


def check_target(out: Path, agreement: str | None = None) -> None:
    """Refuse ``out`` unless it is missing, empty, or a site tymdocs wrote (of
    ``agreement``, where given): checked before any work, and again before writing."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"{out} exists and is not a directory")
    if out.exists() and any(out.iterdir()):
        found = _site_of(out)
        if found is None:
            raise UsageError(f"{out} is not empty and holds no site of tymdocs: refusing to write")
        if agreement is not None and found != agreement:
            raise UsageError(f"{out} holds the site of agreement {found!r}: refusing to replace")


def write_site(out: Path, site: Site) -> None:
    """Put the site in ``out``: written in full beside it, then put in place of the site
    tymdocs wrote there before. Refused, with nothing changed, where ``out`` holds anything
    else (:func:`check_target`)."""
    check_target(out, site.agreement)
    new = out.parent / f".{out.name}.tymdocs-site-new"
    old = out.parent / f".{out.name}.tymdocs-site-old"
    try:
        for leftover in (new, old):
            if leftover.exists():
                shutil.rmtree(leftover)
        for path, data in sorted(site.files.items()):
            target = new / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if out.exists():
            os.rename(out, old)
        os.rename(new, out)
        if old.exists():
            shutil.rmtree(old)
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise BuildError(f"cannot write the site to {out}: {exc.strerror or exc}") from exc
