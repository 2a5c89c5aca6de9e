"""``tymdocs diff``: two versions named as a coordinator names them -> a redline report in
every format, written atomically like a build.

A version is a commit, branch or tag, a version number from the register (``2`` or ``v2``),
a date (the agreement as in force that day), or the working tree. What each change needs comes
from the older version's rules; which record made it, from the register between the two.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, assert_never

from tymdocs import git, governance
from tymdocs.changes import Change, Report, compare
from tymdocs.document import Stamp
from tymdocs.errors import SourceError, TymdocsError, UsageError
from tymdocs.governance.history import changes_part, in_force_from
from tymdocs.locale import commit_date, format_date, label, parse_date, speaking
from tymdocs.model import Agreement
from tymdocs.output import MANIFEST, Output, dump_json, replace_directory
from tymdocs.revision import VERSION_NUMBER, Source, open_history, open_source
from tymdocs.sources import fingerprint

Format = Literal["html", "docx", "md", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "docx", "md", "pdf")


@dataclass(frozen=True)
class Side:
    """One of the two versions: its sources, how the report names it, and in file names."""

    source: Source
    agreement: Agreement
    name: str
    """For file names: ``v2``, ``3f2a1bc``, ``2025-09-20``, ``tyopuu``."""


def open_side(root: Path, spec: str | None) -> Side:
    """The version ``spec`` names; None is the working tree."""
    if spec is None:
        source = open_source(root)
        with speaking(source.language):
            return _side(source, label("working_tree_name"))
    day = parse_date(spec)
    if day is not None:
        return _side(open_source(root, None, day), day.isoformat())
    try:
        source = open_source(root, spec)  # a recorded version is named by its number below
    except UsageError:
        if VERSION_NUMBER.match(spec) and not git.is_repository(root):
            raise UsageError(f"version {spec} needs a git repository with a register") from None
        raise
    return _side(source, (source.commit or spec)[:7])


def _side(source: Source, name: str) -> Side:
    """A version read and checked; a recorded version is named by its number."""
    from tymdocs.checks import validate

    if source.version is not None and source.at is None:
        name = f"v{source.version.number}"
    loaded = validate(source.tree)
    if loaded.agreement is None:
        raise SourceError(loaded.problems)
    return Side(source, loaded.agreement, name)


def _label(side: Side) -> str:
    """How the report names a version: a draft committed without its record by its commit
    too, so that two drafts never read the same."""
    source = side.source
    if source.dirty:
        return label("working_tree")
    if source.draft and source.commit and source.commit[:7] not in source.label:
        return label("draft_commit", draft=source.label, commit=source.commit[:7])
    return source.label


def diff(root: Path, a_spec: str | None, b_spec: str | None) -> tuple[Report, Side, Side]:
    """The report of what changed from version A to version B (None: the working tree).

    With one version, it is compared with the working tree; with none, the last committed
    version is."""
    if a_spec is None and b_spec is None:
        if not git.is_repository(root):
            raise UsageError("diff with no versions compares HEAD with the working tree: no git")
        a_spec = "HEAD"
    if any(_revision(spec) for spec in (a_spec, b_spec)):
        _read_register(root)
    a = open_side(root, a_spec)
    b = open_side(root, b_spec)
    return compare_sides(a, b), a, b


def compare_sides(a: Side, b: Side) -> Report:
    """The report of what changed from side A to side B, each change with the record that
    made it: ``tymdocs diff`` once the sides are open, and ``tymdocs site`` for sides it
    opened itself (without personal data, for publishing). Written in B's language."""
    with speaking(b.agreement.meta.language):
        return _compare(a, b)


def _compare(a: Side, b: Side) -> Report:
    entries = _records_between(a, b)
    author = _author(entries)
    report = compare(
        a.agreement,
        b.agreement,
        a_label=_label(a),
        b_label=_label(b),
        author=author,
        date=_date(entries, b, author),
        notes_a=a.source.notes,
        notes_b=b.source.notes,
    )
    names = {p.id: p.name for p in b.agreement.parties}
    history = b.source.history
    withdrawn = history.withdrawn() if history is not None else set()
    standing = [e for e in entries if e.record.version not in withdrawn]
    changes = []
    made: dict[str, tuple[str, dt.date]] = {}  # part -> author and date of its marks
    for change in report.changes:
        entry = _made(change, standing)
        changes.append(_with_record(change, entry, names, a, b))
        if entry is not None:
            made[change.key] = (governance.made_by(entry.record, names), entry.record.date)
        elif change.key != "metadata":
            made[change.key] = (label("unrecorded_author"), commit_date(b.source.timestamp))
    parts = tuple(
        replace(part, author=made[part.key][0], date=made[part.key][1])
        if part.key in made
        else part
        for part in report.redline.parts
    )
    redline = replace(report.redline, parts=parts)
    return replace(report, changes=tuple(changes), redline=redline)


def _revision(spec: str | None) -> bool:
    """Whether ``spec`` names a git revision (not the working tree, a date or a number)."""
    return spec is not None and parse_date(spec) is None and not VERSION_NUMBER.match(spec)


def _read_register(root: Path) -> None:
    """Read the register up to HEAD first, where a version is named by a git revision: every
    version a diff names is, as a rule, HEAD or before it, and each side's history is then
    taken from this one read (:func:`~tymdocs.governance.read_history` keeps it). A number,
    a date and the working tree read it first anyway. Where it does not read (no repository,
    no commit, no clean ``tymdocs.yaml``), the side that needs it says why."""
    with contextlib.suppress(TymdocsError):  # a source the working tree cannot read, too
        open_history(root)


def _records_between(a: Side, b: Side) -> list[governance.Entry]:
    """The register's records after A's commit, up to B's (or HEAD for the working tree),
    from the history read when B was opened."""
    history = b.source.history
    if a.source.commit is None or history is None:
        return []
    order = [c.commit for c in history.commits]  # newest first
    if a.source.commit not in order:
        return []
    start = order.index(a.source.commit)
    end = order.index(b.source.commit) if b.source.commit in order else 0
    between = set(order[end:start])
    return [e for e in history.entries if e.commit in between]


def _made(change: Change, standing: list[governance.Entry]) -> governance.Entry | None:
    """The record that made ``change``: the newest of the range's ``standing`` ones (withdrawn
    amendments left out) that names its part."""
    key = change.key.removesuffix("-removed")
    made = [e for e in standing if e.record.kind != "adoption" and changes_part(e.record, key)]
    return made[-1] if made else None


def _with_record(
    change: Change, entry: governance.Entry | None, names: dict[str, str], a: Side, b: Side
) -> Change:
    """The change with the record that made it and when that took effect; for uncommitted
    sources, the command that will record it; for a change committed without one, so said."""
    if entry is not None:
        effective = _effective(entry, b)
        return replace(change, record=_cited(entry, names, effective), effective=effective)
    if b.source.dirty or b.source.history is None or not b.source.history.versions():
        return replace(change, command=_command(change, a.agreement))
    if b.source.at is not None:
        return change
    return replace(change, unrecorded=True)


def _effective(entry: governance.Entry, b: Side) -> dt.date | None:
    """When the change ``entry`` records took effect (an amendment: once fully signed; None
    while it awaits signatures)."""
    history = b.source.history
    signed = history.past.signed.get(entry.record.version or 0) if history else None
    return in_force_from(entry.record, signed.record if signed else None)


def _cited(entry: governance.Entry, names: dict[str, str], effective: dt.date | None) -> str:
    """``Johtoryhmä 15.9.2025 § 4, voimassa 1.10.2025 alkaen``; an amendment awaiting
    signatures (``effective`` None) says when it will be in force once signed."""
    cited = governance.cite(entry.record, names)
    if effective is not None:
        return label("change_citation", record=cited, date=format_date(effective))
    day = format_date(entry.record.effective or entry.record.date)
    return f"{cited}, {label('in_force_when_signed', date=day)}"


def _command(change: Change, agreement: Agreement) -> str:
    """The command that records a change not recorded yet, as far as the rules tell it; the
    values only the coordinator knows as placeholders."""
    day = label("placeholder_date")
    match change.needs:
        case "amendment":
            return f'tymdocs amend --date {day} -m "…"'
        case "notice":
            return f'tymdocs notice --party {label("placeholder_party")} --date {day} -m "…"'
        case "decision":
            number = governance.part_number(change.key.removesuffix("-removed"))
            body = agreement.meta.policy.rule(number or 0).body or label("steering_group")
            section = label("placeholder_section")
            return (
                f"tymdocs approve --body {shlex.quote(body)} --date {day} --section {section} "
                '-m "…"'
            )
        case _:
            assert_never(change.needs)


def _deciding(entries: list[governance.Entry]) -> list[governance.Entry]:
    return [e for e in entries if e.record.kind == "decision" and e.record.body]


def _author(entries: list[governance.Entry]) -> str:
    """Who made the changes, as tracked changes name them: one deciding body, else tymdocs."""
    bodies = {e.record.body or "" for e in _deciding(entries)}
    return bodies.pop() if len(bodies) == 1 else "tymdocs"


def _date(entries: list[governance.Entry], b: Side, author: str) -> dt.date:
    """When, to go with the ``author`` of :func:`_author`: that body's last decision, else B's
    commit date."""
    if author != "tymdocs":
        return max(e.record.date for e in _deciding(entries))
    return commit_date(b.source.timestamp)


# -- writing ----------------------------------------------------------------------------------


def file_name(a: Side, b: Side, extension: str) -> str:
    return label("redline_file", a=a.name, b=b.name, extension=extension)


def render(report: Report, a: Side, b: Side, formats: Iterable[Format]) -> list[Output]:
    """Every asked-for format of the report, in memory, in its language."""
    with speaking(report.redline.language):
        return _render_all(report, a, b, formats)


def _render_all(report: Report, a: Side, b: Side, formats: Iterable[Format]) -> list[Output]:
    stamp = Stamp(
        commit=b.source.commit,
        draft=b.source.draft,
        fingerprint=fingerprint(b.source.tree),
        timestamp=b.source.timestamp,
        version_label=report.title,
    )
    outputs = []
    for fmt in formats:
        data = _render_one(report, stamp, fmt)
        outputs.append(Output(file_name(a, b, fmt), f"redline-{fmt}", data))
    return outputs


def _render_one(report: Report, stamp: Stamp, fmt: Format) -> bytes:
    match fmt:
        case "html":
            from tymdocs.render.html import render_html

            return render_html(report)
        case "md":
            from tymdocs.render.markdown import render_markdown

            return render_markdown(report).encode()
        case "docx":
            from tymdocs.render.docx import render_redline_docx

            return render_redline_docx(report, stamp)
        case "pdf":
            from tymdocs.render.typst import render_redline_pdf

            return render_redline_pdf(report, stamp)
        case _:
            assert_never(fmt)


def change_set(report: Report) -> dict[str, Any]:
    """The report as JSON: the two versions and every change with its record."""
    return {
        "a": report.a_label,
        "b": report.b_label,
        "changes": [
            {
                "key": c.key,
                "part": c.part,
                "status": c.status,
                "sentences": list(c.sentences),
                "needs": c.needs,
                "needs_text": c.needs_text,
                "record": c.record,
                "effective": c.effective.isoformat() if c.effective else None,
                "command": c.command,
                "unrecorded": c.unrecorded,
            }
            for c in report.changes
        ],
    }


def write(out: Path, outputs: list[Output], report: Report) -> None:
    """The outputs and a manifest of them, swapped into ``out`` at once."""
    manifest = {
        "kind": "redline",
        "report": change_set(report),
        "outputs": [o.entry() for o in outputs],
    }
    replace_directory(out, [*outputs, Output(MANIFEST, "manifest", dump_json(manifest))], "redline")
