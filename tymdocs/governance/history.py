"""The history: an agreement's records as one ``git log`` reads them, its versions, the version
a commit is, and what is in force on a date. Pure but for the reading."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tymdocs import git
from tymdocs.errors import ShallowError, UsageError
from tymdocs.governance.merges import own_changes
from tymdocs.governance.records import (
    MAIN_TEXT,
    PREFIX,
    VERSIONED,
    Record,
    is_main_part,
    parse_record,
    part_number,
)
from tymdocs.locale import format_date
from tymdocs.paths import CONFIG_FILE, is_source_path

if TYPE_CHECKING:
    from tymdocs.governance.rules import Past


@dataclass(frozen=True)
class Entry:
    """A record as the history holds it: the record and the commit that carries it."""

    record: Record
    commit: str
    time: int
    subject: str
    touches: tuple[str, ...]
    """The agreement's source files the commit changed."""
    signature: str = ""
    text: str = ""
    """The commit message without its trailers: the coordinator's own text."""


@dataclass(frozen=True)
class End:
    """The last day of the agreement, and why it is that day."""

    day: dt.date
    why: str


def changes_main(record: Record) -> bool:
    """Whether a version makes or changes the main text (and ``tymdocs.yaml``)."""
    return record.kind == "adoption" or any(is_main_part(p) for p in record.parts)


def changes_part(record: Record, part: str) -> bool:
    """Whether ``record`` changes ``part`` (``annex-5``, ``section-8``, ``main-text``):
    version 1 made every part, and a record naming the main text as a whole changes each of
    its sections. The one answer every command gives."""
    if record.kind == "adoption" or part in record.parts:
        return True
    if part == MAIN_TEXT:
        return changes_main(record)
    return is_main_part(part) and MAIN_TEXT in record.parts


def in_force_from(record: Record, signed: Record | None) -> dt.date | None:
    """When a version takes effect: its effective date; an amendment's only once it is
    fully signed (``signed``, its signatures record), and never before the last signature."""
    effective = record.effective or record.date
    if record.kind != "amendment":
        return effective
    if signed is None:
        return None
    return max(effective, signed.date)


@dataclass(frozen=True)
class Version:
    """A numbered version: the record that made it and, for an amendment, its signatures."""

    number: int
    entry: Entry
    signed: Entry | None = None

    @property
    def record(self) -> Record:
        return self.entry.record

    @property
    def commit(self) -> str:
        return self.entry.commit

    @property
    def in_force_from(self) -> dt.date | None:
        """When the version took effect; an amendment only once it is fully signed."""
        return in_force_from(self.record, self.signed.record if self.signed else None)

    def changes(self, part: str) -> bool:
        """Whether this version changed ``part`` (version 1 made every part)."""
        return changes_part(self.record, part)


@dataclass(frozen=True)
class History:
    """An agreement's history up to one commit, as one ``git log`` read it (newest first)."""

    agreement: str
    commits: tuple[git.LogEntry, ...]
    entries: tuple[Entry, ...]
    """The agreement's records, oldest first."""
    problems: tuple[tuple[git.LogEntry, tuple[str, ...]], ...] = ()
    """Commits whose ``Tymdocs-*`` trailers for this agreement are malformed."""

    @cached_property
    def _versions(self) -> tuple[Version, ...]:
        signed = self.past.signed  # the signatures that closed a pending amendment
        return tuple(
            Version(e.record.version, e, signed.get(e.record.version))
            for e in self.entries
            if e.record.kind in VERSIONED and e.record.version is not None
        )

    @cached_property
    def _records(self) -> dict[str, Record]:
        return {e.commit: e.record for e in self.entries}

    def versions(self) -> list[Version]:
        """Every version, oldest first, an amendment with its signature record if any."""
        return list(self._versions)

    def version(self, number: int) -> Version | None:
        return next((v for v in self._versions if v.number == number), None)

    @cached_property
    def past(self) -> Past:
        """The register as the rules fold it (read it; never add to it)."""
        from tymdocs.governance.rules import Past

        return Past.of(self.entries)

    def withdrawn(self) -> set[int]:
        """The amendments taken back before they were signed."""
        return set(self.past.withdrawn)

    def pending_amendments(self) -> list[Version]:
        """Amendments that await signatures: neither signed nor withdrawn, as the rules
        count them (:class:`~tymdocs.governance.rules.Past`)."""
        return [v for v in self.versions() if v.number in self.past.pending]

    def unrecorded(self) -> list[git.LogEntry]:
        """Commits that changed the agreement's files without a record and that no version
        came after (is a descendant of), newest first: a branch's, merged after a version on
        another branch, included."""
        found = []
        covered: set[str] = set()
        for commit in self.commits:  # children before their parents
            record = self._records.get(commit.commit)
            if commit.commit in covered or (record is not None and record.kind in VERSIONED):
                covered.update(commit.parents)
            elif record is None and _touched(commit):
                found.append(commit)
        return found

    def undone_by_reset(self, commit: str) -> bool:
        """Whether ``git reset --soft`` to the parent of ``commit`` takes back only commits
        without records: it is on HEAD's first-parent line, with no record and no merge
        from HEAD down to it."""
        by_id = {c.commit: c for c in self.commits}
        current = self.commits[0] if self.commits else None
        while current is not None:
            if current.commit in self._records or len(current.parents) > 1:
                return False
            if current.commit == commit:
                return bool(current.parents)
            current = by_id.get(current.parents[0]) if current.parents else None
        return False

    def parent(self, commit: str) -> str | None:
        """The first parent of ``commit``, one of this history's commits."""
        found = next(c for c in self.commits if c.commit == commit)
        return found.parents[0] if found.parents else None

    @cached_property
    def _by_commit(self) -> dict[str, git.LogEntry]:
        return {c.commit: c for c in self.commits}

    def until(self, commit: str) -> History | None:
        """The history up to ``commit``, as ``git log`` reads it there (the same commits in
        the same order), taken from this one without git; None when ``commit`` is not one of
        its commits. Each commit's record, changes and problems are its own, whatever the tip:
        a merge's own changes are judged by its ancestors alone."""
        by_commit = self._by_commit
        if commit not in by_commit:
            return None
        if commit == self.commits[0].commit:
            return self
        ordered = _topo_order(commit, by_commit)
        entries = {e.commit: e for e in self.entries}
        problems = {p[0].commit: p for p in self.problems}
        oldest_first = [c.commit for c in reversed(ordered)]
        return History(
            self.agreement,
            ordered,
            tuple(entries[c] for c in oldest_first if c in entries),
            tuple(problems[c] for c in oldest_first if c in problems),
        )


def _topo_order(tip: str, by_commit: dict[str, git.LogEntry]) -> tuple[git.LogEntry, ...]:
    """``tip`` and every commit it descends from, in the order ``git log --topo-order tip``
    gives them: a commit once all its children are shown, from a stack of such commits, a
    merge's last parent taken first (git's ``sort_in_topological_order`` in graph order). Each
    parent must be in ``by_commit``: a whole history, never a shallow one."""
    waiting = {tip: 1}  # 1 + the children not shown yet, as git counts them
    stack = [tip]
    while stack:
        for parent in by_commit[stack.pop()].parents:
            if parent in waiting:
                waiting[parent] += 1
            else:
                waiting[parent] = 2
                stack.append(parent)
    ordered = []
    stack = [tip]
    while stack:
        commit = by_commit[stack.pop()]
        for parent in commit.parents:
            waiting[parent] -= 1
            if waiting[parent] == 1:
                stack.append(parent)
        ordered.append(commit)
    return tuple(ordered)


def _touched(commit: git.LogEntry) -> tuple[str, ...]:
    return tuple(c.path for c in commit.changes if is_source_path(c.path))


_KEPT = 4
"""Histories kept for the process: a command reads one, or one per branch it looks at."""
_histories: list[tuple[Path, bool, History]] = []
"""The histories this process has read (agreement root, with changes or not), newest last.
A commit id names the same history for as long as the process runs: git's replace refs and
grafts are switched off, and a shallow clone is refused."""


def read_history(
    root: Path,
    agreement: str,
    rev: str = "HEAD",
    *,
    changes: bool = True,
    shallow: Path | None = None,
) -> History:
    """The history of ``agreement`` (its id) up to ``rev``, in one ``git log``; without
    ``changes``, faster, but blind to which commits changed the agreement's files; ``shallow``
    as :func:`read_log` takes it.

    Read once per process: up to a commit (its full id) that a history read before holds,
    up to it or to a descendant, the history is taken from that one (:meth:`History.until`),
    which serves a read without ``changes`` as well."""
    if not git.is_commit_id(rev):
        return history_of(agreement, read_log(root, rev, changes=changes, shallow=shallow))
    where = root.resolve()
    for at, with_changes, known in reversed(_histories):
        if at == where and known.agreement == agreement and (with_changes or not changes):
            found = known.until(rev)
            if found is not None:
                return found
    history = history_of(agreement, read_log(root, rev, changes=changes, shallow=shallow))
    _histories.append((where, changes, history))
    del _histories[:-_KEPT]
    return history


def read_log(
    root: Path,
    rev: str = "HEAD",
    *,
    changes: bool = True,
    signatures: bool = False,
    shallow: Path | None = None,
) -> list[git.LogEntry]:
    """:func:`git.log`, each merge with only its own changes (:func:`merges.own_changes`),
    without the rewrites of ``tymdocs.yaml`` (:func:`config_rewrites`). A shallow clone is
    refused: the register lives in the whole history (``shallow``: the file that would say
    so, where the caller knows it, :attr:`git.RepoState.shallow`)."""
    boundary = git.shallow_boundary(root, shallow)
    if boundary:  # what is in force, and whether a change was recorded, need every record
        raise ShallowError(boundary)
    commits = own_changes(git.log(root, rev, changes=changes, signatures=signatures))
    return without_rewrites(commits, config_rewrites(root, commits))


def config_rewrites(root: Path, commits: list[git.LogEntry]) -> dict[str, tuple[str, str]]:
    """The commits whose change of ``tymdocs.yaml`` keeps the text identifying it (``tymdocs
    upgrade``: the same rules in a newer format), each with the file's blobs before and after.
    Such a
    rewrite is no change of the agreement: it needs no record and makes no draft, as the
    fingerprint and every document built are the same. Each commit is judged by its own
    trees (the oldest shape's meaning depends on their annexes)."""
    changed = [
        (commit, change)
        for commit in commits
        for change in commit.changes
        if change.path == CONFIG_FILE and git.ZERO not in (change.old, change.new)
        if commit.parents
    ]
    if not changed:
        return {}
    from tymdocs import sources  # the source reader only for a history that changes the file
    from tymdocs.config import RolesOf

    contents = git.read_blobs(root, {blob for _, c in changed for blob in (c.old, c.new)})

    def roles_of(tree: str) -> RolesOf:
        """The annexes' roles in a commit: read once, and only if the oldest shape asks."""
        return functools.cache(lambda: sources.tree_roles(sources.GitTree(root, tree)))

    return {
        commit.commit: (change.old, change.new)
        for commit, change in changed
        if sources.is_rewrite(
            contents[change.old],
            contents[change.new],
            roles_of(commit.parents[0]),
            roles_of(commit.commit),
        )
    }


def without_rewrites(
    commits: list[git.LogEntry], rewrites: dict[str, tuple[str, str]]
) -> list[git.LogEntry]:
    """``commits`` with the ``tymdocs.yaml`` change of each rewrite left out."""
    if not rewrites:
        return commits
    return [
        replace(
            commit,
            changes=tuple(c for c in commit.changes if c.path != CONFIG_FILE),
        )
        if commit.commit in rewrites
        else commit
        for commit in commits
    ]


def history_of(agreement: str, commits: Iterable[git.LogEntry]) -> History:
    """The history of ``agreement`` among ``commits`` (newest first): pure."""
    ordered = tuple(commits)
    entries: list[Entry] = []
    problems: list[tuple[git.LogEntry, tuple[str, ...]]] = []
    for commit in reversed(ordered):
        ids = [v for k, v in commit.trailers if k == PREFIX + "Agreement"]
        if ids and agreement not in ids:
            continue  # another agreement's record
        record, found = parse_record(commit.trailers)
        if found:
            problems.append((commit, tuple(found)))
        if record is not None:
            touched = _touched(commit)
            entries.append(
                Entry(
                    record,
                    commit.commit,
                    commit.time,
                    commit.subject,
                    touched,
                    commit.signature,
                    commit.text,
                )
            )
    return History(agreement, ordered, tuple(entries), tuple(problems))


# -- which version a commit is --------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """Where the tip of a history stands: the commit that identifies its sources, and the
    version it is, the draft it is (on top of ``base``), or the proposal before version 1."""

    commit: str | None
    time: int
    version: Version | None
    base: Version | None
    """The newest version in the history; the one a draft builds on."""

    @property
    def recorded(self) -> bool:
        return self.version is not None


def locate(history: History) -> Located:
    """The version commit of the tip: the last commit that changed the agreement's files or
    recorded one of its versions. A commit elsewhere in the repository changes nothing."""
    versions = {v.commit: v for v in history.versions()}
    base = max(versions.values(), key=lambda v: v.number, default=None)
    for commit in history.commits:
        version = versions.get(commit.commit)
        if version is not None or _touched(commit):
            return Located(commit.commit, commit.time, version, base)
    return Located(None, 0, None, base)


# -- in force on a date -------------------------------------------------------------------------


@dataclass(frozen=True)
class InForce:
    """Which version each part of the agreement comes from on ``day``."""

    day: dt.date
    main: Version
    annexes: dict[int, Version]
    """Annexes changed since version 1 by a version in force on ``day``; others: version 1."""
    first: Version
    applied: tuple[Version, ...]
    """Every version in force on ``day``, oldest first."""

    def source(self, annex: int) -> Version:
        return self.annexes.get(annex, self.first)

    @property
    def newest(self) -> Version:
        """The newest version in force on ``day``: the one that last changed any part."""
        return max(self.applied, key=lambda v: v.number)


def in_force_on(history: History, day: dt.date, end: End | None = None) -> InForce:
    """The versions in force on ``day``, judged by effective dates, not commit dates; an
    amendment counts only once fully signed. A day before version 1 or after the agreement's
    ``end`` (:func:`~tymdocs.governance.rules.agreement_end`) is an error."""
    versions = history.versions()
    if not versions or versions[0].record.kind != "adoption":
        raise UsageError(
            "no version 1 is recorded: record the agreement as adopted with tymdocs adopt"
        )
    first = versions[0]
    start = first.in_force_from
    assert start is not None
    if day < start:
        raise UsageError(
            f"{format_date(day)} is before version 1, in force from {format_date(start)}"
        )
    if end is not None and day > end.day:
        raise UsageError(
            f"on {format_date(day)} the agreement is no longer in force: it "
            f"ended on {format_date(end.day)} {end.why}"
        )
    applied = tuple(v for v in versions if (f := v.in_force_from) is not None and f <= day)
    main = first
    annexes: dict[int, Version] = {}
    for version in applied[1:]:
        if version.changes(MAIN_TEXT):
            main = version
        for part in version.record.parts:
            number = part_number(part)
            if part.startswith("annex-") and number is not None:
                annexes[number] = version
    return InForce(day, main, annexes, first, applied)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, the last day of a shorter month where needed (31.8 + 6);
    ``date.max`` past the calendar's end."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))
