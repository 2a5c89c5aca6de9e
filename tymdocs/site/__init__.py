"""``tymdocs site``: a static site of the agreement for reviewers and the public, made from
the register in git.

:func:`make_site` gathers every file in memory (pure but for reading git): the agreement in
force on a day as a page with an anchor per section (``#5``) and annex (``#liite-1``), every
recorded version with its PDF and DOCX (what ``tymdocs build --ref <commit> --no-packages``
writes, byte for byte) and the redline from the version before it, the register and the
deadlines, every label in the agreement's language. :func:`write_site` puts them into the
output folder in place, replacing only the files of the site it held before. With
``public``, the personal data the sources mark (:mod:`tymdocs.site.personal`) is left out of
every page, and so are the files of a version that holds any.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tymdocs.errors import BuildError, SourceError, UsageError
from tymdocs.locale import format_date, label, labels, speaking
from tymdocs.model import Agreement, Metadata
from tymdocs.output import (
    MANIFEST,
    NEW,
    OLD_MANIFEST,
    dump_json,
    read_manifest,
    refuse_unowned,
    write_new,
)
from tymdocs.revision import Source, agreement_end, open_history, open_source
from tymdocs.site.personal import Redaction, marked_details, marked_names, signatory_names

if TYPE_CHECKING:
    from tymdocs.governance import History
    from tymdocs.governance.history import End

SITE_MANIFEST = MANIFEST


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
    """The site of the agreement at ``root`` with the text in force on ``day`` (after the
    agreement has ended: the text of its last day, with a note of the end), every label in
    the agreement's language."""
    from tymdocs import git

    if not git.is_repository(root):
        raise UsageError(
            f"{root} is not in a git repository: the site is made from the register in git"
        )
    meta, history = open_history(root)
    with speaking(meta.language):
        return _make_site(root, meta, history, day, public)


def _make_site(root: Path, meta: Metadata, history: History, day: dt.date, public: bool) -> Site:
    from tymdocs import governance
    from tymdocs.build import build_outputs
    from tymdocs.diff import Side, compare_sides
    from tymdocs.document import compose
    from tymdocs.governance.status import read_status
    from tymdocs.render.html import render_html
    from tymdocs.site import pages

    versions = history.versions()
    if not versions:
        raise UsageError("the register has no version yet: record version 1 with tymdocs adopt")
    sources = {v.number: open_source(root, v.commit) for v in versions}
    agreements = {number: _validated(source) for number, source in sources.items()}
    end = agreement_end(root, history)
    start = versions[0].in_force_from if versions[0].record.kind == "adoption" else None
    upcoming = start if start is not None and day < start else None
    """Version 1 adopted but not yet in force: its text is shown as it takes effect."""
    ended = end if end is not None and day > end.day else None
    shown_day = ended.day if ended is not None else upcoming or day
    try:
        current = open_source(root, None, shown_day)
    except UsageError as exc:
        raise UsageError(f"no text in force on {format_date(day)}: {exc}") from None
    in_force = _validated(current)

    every = [*agreements.values(), in_force]
    public_names = set().union(*map(signatory_names, every))
    details = {n: marked_details(a) for n, a in agreements.items()}
    personal = {n: set(marked_names(a)) - public_names | details[n] for n, a in agreements.items()}
    # each withheld name once, in the order the versions first name them: their markers'
    # numbers, which then say nothing of the names and stay as later versions add people
    withheld = [
        name for agreement in every for name in marked_names(agreement) if name not in public_names
    ]
    redaction = Redaction(
        withheld if public else (),
        labels()["site_withheld"],  # numbered by the redaction: [henkilö 3]
        public_names,
        set().union(*details.values(), marked_details(in_force)) if public else (),
        label("site_withheld_contact"),
    )
    names = {party.id: party.name for party in meta.parties}

    withdrawn = history.withdrawn()
    awaiting = {v.number for v in history.pending_amendments()}

    def state(number: int) -> str | None:
        """A label key of what keeps a recorded version from taking effect, or None."""
        if number in withdrawn:
            return "site_withdrawn"
        return "site_awaiting" if number in awaiting else None

    latest = versions[-1]
    newest = redaction.text(governance.describe(latest, names))
    if (latest_state := state(latest.number)) is not None:
        newest += f" ({label(latest_state)})"
    frame = pages.Frame(
        language=meta.language,
        area=meta.area,
        public=public,
        source=label("site_source", version=newest),
    )
    files: dict[str, bytes] = {}

    document = compose(redaction.agreement(in_force), redaction.notes(current.notes))
    signatories = [
        (party.name, [f"{s.name}, {s.title}" for s in party.signatories])
        for party in in_force.parties
    ]
    shown_annexes = [annex.number for annex in in_force.annexes]
    lead = list(_lead(current, shown_annexes, day, ended, upcoming))
    files[pages.INDEX] = pages.index_page(frame, document, lead, signatories)

    rows = []
    sides: dict[int, Side] = {}
    for version in versions:
        number = version.number
        folder = f"{pages.VERSIONS_FOLDER}/{number}"
        source, agreement = sources[number], agreements[number]
        hide = public and bool(personal[number])
        shown: list[tuple[str, str]] = []
        if not hide:
            built = {output.kind: output for output in build_outputs(source, "agreement")}
            files |= {f"{folder}/{output.name}": output.data for output in built.values()}
            shown = [
                (label(key), f"{folder}/{built[kind].name}")
                for kind, key in (("agreement-pdf", "site_pdf"), ("agreement-docx", "site_docx"))
            ]
        side_source = replace(source, notes=redaction.notes(source.notes))
        sides[number] = Side(side_source, redaction.agreement(agreement), f"v{number}")
        redline = None
        before = sides.get(number - 1)
        if before is not None:
            redline = f"{folder}/{label('site_redline_file')}"
            report = compare_sides(before, sides[number])
            files[redline] = render_html(report, pages.back_links("../../"), meta.area)
        rows.append(
            pages.VersionRow(
                number=number,
                record=redaction.text(governance.describe(version, names)),
                in_force_from=version.in_force_from,
                state=state(number),
                files=tuple(shown),
                withheld=hide,
                redline=redline,
            )
        )
    files[pages.VERSIONS] = pages.versions_page(frame, rows)
    files[pages.REGISTER] = pages.register_page(
        frame,
        [tuple(map(redaction.text, row)) for row in register_rows(history, names, state)],
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
    if upcoming is not None:
        notes.append(label("site_not_yet", date=format_date(upcoming)))
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


def _lead(
    current: Source,
    annex_numbers: Iterable[int],
    day: dt.date,
    ended: End | None,
    upcoming: dt.date | None,
) -> Iterator[str]:
    """What the index says first: the day (once the agreement has ``ended``, that it has,
    and its last day; before it takes effect, the day it does), and which version each part
    shown is from (an amendment awaiting signatures is in none)."""
    if ended is not None:
        yield label("site_ended", date=format_date(ended.day))
        yield label("site_in_force_last", date=format_date(ended.day))
    elif upcoming is not None:
        yield label("site_not_yet", date=format_date(upcoming))
        yield label("site_in_force_first", date=format_date(upcoming))
    else:
        yield label("site_in_force_on", date=format_date(day))
    in_force = current.in_force
    if in_force is not None:
        main = in_force.main.number
        annexes = sorted({in_force.source(number).number for number in annex_numbers})
        if set(annexes) <= {main}:
            yield label("site_text_of_version", number=main)
        else:
            key = "site_parts_in_force_one" if len(annexes) == 1 else "site_parts_in_force"
            yield label(key, main=main, annexes=", ".join(map(str, annexes)))


def register_rows(
    history: History,
    names: dict[str, str],
    state: Callable[[int], str | None],
) -> list[tuple[str, ...]]:
    """The register's records, oldest first, as the site's table shows them: version,
    date, kind, by whom, §, case, effective date, parts, commit and text. A version's
    effective date says what keeps it from taking effect (``state``: a label key, or
    None): an amendment awaiting signatures, a withdrawn version."""
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
                _effective(record.effective, record.version, state),
                ", ".join(parts),
                entry.commit[:12],
                entry.text or entry.subject,
            )
        )
    return table


def _effective(day: dt.date | None, version: int | None, state: Callable[[int], str | None]) -> str:
    """A record's effective date as the register's table shows it, with its version's state."""
    if day is None:
        return ""
    key = state(version) if version is not None else None
    return format_date(day) + (f" ({label(key)})" if key is not None else "")


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
    return dump_json(manifest)


def _manifest_of(path: Path) -> dict[str, object] | None:
    data = read_manifest(path)
    return data if data is not None and data.get("kind") == "site" else None


def _site_of(out: Path) -> str | None:
    """The agreement whose site ``out`` holds, or None when it holds none."""
    for name in (SITE_MANIFEST, OLD_MANIFEST):
        data = _manifest_of(out / name)
        if data is not None:
            agreement = data.get("agreement")
            return agreement if isinstance(agreement, str) else None
    return None


def _inside(path: object) -> bool:
    """A path a site manifest may list: relative, plain, never leading out of the site."""
    if not isinstance(path, str) or not path or "\\" in path or "\0" in path:
        return False
    parts = path.split("/")
    return not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _owned(out: Path) -> set[str]:
    """The files the site tymdocs wrote into ``out`` before: what its manifests list (that
    of an interrupted write too), and the manifests themselves."""
    owned = {SITE_MANIFEST, OLD_MANIFEST}
    for name in (SITE_MANIFEST, OLD_MANIFEST):
        data = _manifest_of(out / name)
        files = data.get("files") if data is not None else None
        for entry in files if isinstance(files, list) else ():
            path = entry.get("path") if isinstance(entry, dict) else None
            if _inside(path):
                assert isinstance(path, str)
                owned.add(path)
    return owned


def check_target(out: Path, agreement: str | None = None) -> None:
    """Refuse ``out`` where it is not a folder, holds the site of another agreement, or,
    holding no site of tymdocs, holds a file or folder under a name the site's top level
    writes (a page, the manifest, a file named ``versions``): checked before any work, and
    again before writing. Anything else in it (a checkout's ``.git``, a ``CNAME``, a
    ``README.md``) stays; a clash deeper down is refused before writing
    (:func:`write_site`)."""
    from tymdocs.site import pages

    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"{out} exists and is not a directory")
    if not out.exists():
        return
    found = _site_of(out)
    if found is None:
        names = (*pages.PAGES, SITE_MANIFEST, OLD_MANIFEST)
        clash = [name for name in names if (out / name).exists() or (out / name).is_symlink()]
        versions = out / pages.VERSIONS_FOLDER
        if versions.is_symlink() or (versions.exists() and not versions.is_dir()):
            clash.append(pages.VERSIONS_FOLDER)
        if clash:
            raise UsageError(
                f"{out} holds {', '.join(clash)} and no site of tymdocs: refusing to "
                "overwrite what tymdocs did not write"
            )
    elif agreement is not None and found != agreement:
        raise UsageError(f"{out} holds the site of agreement {found!r}: refusing to replace")


def _refuse_collisions(out: Path, paths: list[str], owned: set[str]) -> None:
    """Refuse, before anything is written, a new file whose place holds something tymdocs
    did not write there: a file of the user's, a folder, a link."""
    for path in paths:
        target = out / path
        for folder in list(reversed(target.relative_to(out).parents))[1:]:
            there = out / folder
            if there.is_symlink() or (there.exists() and not there.is_dir()):
                raise UsageError(f"{there} is not a folder tymdocs wrote: refusing to write")
        refuse_unowned(target, path in owned)


def _new_name(out: Path, path: str) -> Path:
    target = out / path
    return target.with_name(NEW + target.name)


def write_site(out: Path, site: Site) -> None:
    """Put the site in ``out``, file by file, each always complete under its own name:
    every new file is written beside its place first, the old manifest moved aside, each new
    file renamed into place with the manifest last, and the files of the previous site that
    the new one has no more deleted. Nothing else in ``out`` is touched (a checkout's
    ``.git``, a ``CNAME``), and ``out`` itself stays the same folder (its owner, group and
    mode; a shell inside it). Refused, with nothing changed, where ``out`` holds anything
    else (:func:`check_target`) or a new file's place holds a file tymdocs did not write."""
    check_target(out, site.agreement)
    paths = sorted(site.files, key=lambda path: (path == SITE_MANIFEST, path))
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        owned = _owned(out)
        _refuse_collisions(out, paths, owned)
        for path in sorted(owned):  # what an interrupted write left
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                leftover = _new_name(out, path)
                if leftover.is_file() or leftover.is_symlink():
                    leftover.unlink()
        for path in paths:
            new = _new_name(out, path)
            new.parent.mkdir(parents=True, exist_ok=True)
            written.append(new)
            write_new(new, site.files[path])
        if (out / SITE_MANIFEST).is_file():
            os.replace(out / SITE_MANIFEST, out / OLD_MANIFEST)
        for path in paths:
            os.replace(_new_name(out, path), out / path)
        written.clear()
        stale = sorted(owned - set(site.files) - {SITE_MANIFEST, OLD_MANIFEST})
        for path in stale:
            target = out / path
            if target.is_file() and not target.is_symlink():
                target.unlink()
            _prune(out, target.parent)
        with contextlib.suppress(FileNotFoundError):
            (out / OLD_MANIFEST).unlink()
    except OSError as exc:
        for new in written:
            with contextlib.suppress(OSError):
                new.unlink()
        raise BuildError(f"cannot write the site to {out}: {exc.strerror or exc}") from exc


def _prune(out: Path, folder: Path) -> None:
    """The folders inside ``out`` the removal of an old file left empty, innermost first."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
