"""Which sources to read, and what identifies them: the working tree, a commit, or the
agreement as in force on a date.

Every command that reads a version (``check``, ``build``, ``verify``, the records) opens it here.
A version belongs to its agreement, not to the repository: its commit and time are those of the
last commit that changed the agreement's own files or recorded one of its versions, so a commit
elsewhere in the repository changes neither its label nor a byte of its outputs.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tymdocs import git, governance, placeholders
from tymdocs.config import parse_metadata
from tymdocs.errors import Problem, SourceError, UsageError
from tymdocs.governance import History, InForce, Version
from tymdocs.governance.history import End
from tymdocs.locale import DEFAULT_LANGUAGE, format_date, label, speaking
from tymdocs.model import Metadata
from tymdocs.paths import CONFIG_FILE, is_main_text
from tymdocs.sources import (
    BlobTree,
    GitTree,
    SourceTree,
    WorkTree,
    annex_numbers,
    changed_sources,
    is_rewrite,
    tree_roles,
)

if TYPE_CHECKING:
    from tymdocs.governance.rules import MetaAt


@dataclass(frozen=True)
class Source:
    """One version of the sources, and everything that identifies it in its documents."""

    tree: SourceTree
    commit: str | None
    """The version commit: the last commit that changed or recorded this agreement."""
    dirty: bool
    """The working tree differs from the commit."""
    draft: bool
    """Not a recorded version: uncommitted, or a change committed without its record; or
    sources that still hold a placeholder (:mod:`tymdocs.placeholders`)."""
    timestamp: int
    label: str
    ref: str | None = None
    location: str = ""
    """The agreement's folder relative to the repository's top ('' at the top)."""
    version: Version | None = None
    """The recorded version these sources are, if they are one."""
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per changed part, the note the document closes it with."""
    at: dt.date | None = None
    in_force: InForce | None = None
    history: History | None = field(default=None, compare=False, repr=False)
    """The register up to the version, as it was read to name it: for commands that need
    more of it (a redline's records) without reading it again."""
    language: str = DEFAULT_LANGUAGE
    """The language of ``tymdocs.yaml`` (Finnish when it does not read cleanly): the
    language of ``label`` and ``notes``, and of the documents built from these sources."""


def read_config(tree: SourceTree) -> Metadata | None:
    """``tymdocs.yaml`` of ``tree`` when it reads cleanly; its problems are for ``check``."""
    if CONFIG_FILE not in tree.paths():
        return None
    return parse_metadata(tree.read(CONFIG_FILE), lambda: tree_roles(tree))


def open_source(root: Path, ref: str | None = None, at: dt.date | None = None) -> Source:
    """The sources at ``ref`` read from git, or the working tree when ``ref`` is None; with
    ``at``, the agreement as in force on that date, by the register up to ``ref`` (or HEAD)."""
    if not (root / CONFIG_FILE).is_file() and ref is None:
        raise UsageError(f"{root} has no {CONFIG_FILE}: not an agreement directory")
    state = git.repo_state(root)
    if (ref is not None or at is not None) and state is None:
        what = "--ref" if ref is not None else "--at"
        raise UsageError(f"{what} needs a git repository, and {root} is not in one")
    if state is None or (ref is None and state.head is None):
        if at is not None:
            raise UsageError("--at needs a recorded history, and there is no commit yet")
        language = _language(read_config(WorkTree(root)))
        with speaking(language):
            return Source(
                WorkTree(root), None, True, True, epoch(0), label("draft"), language=language
            )
    tip = commit_of(root, ref, changes=True) if ref is not None else state.head
    assert tip is not None
    location = state.prefix.rstrip("/")
    if at is not None:
        return _in_force(root, tip, at, location)
    committed = GitTree(root, tip)
    dirty = ref is None and bool(changed_sources(root, committed))
    # Unchanged by git's reckoning is not proof that the bytes on disk are the commit's (a
    # clean filter, say, hides a line): a clean build reads the commit itself.
    tree: SourceTree = WorkTree(root) if dirty else committed
    meta = read_config(tree)
    history = governance.read_history(root, meta.id if meta else "", tip, shallow=state.shallow)
    located = governance.locate(history)
    if located.commit not in (None, tip) and not _same_sources(
        GitTree(root, located.commit), committed
    ):
        # A merge can bring two recorded changes together without changing a path against
        # every parent: what the tip holds is then a combination no record made.
        located = governance.Located(tip, history.commits[0].time, None, located.base)
    names = _names(meta)
    draft = dirty or located.commit is None or (not located.recorded and located.base is not None)
    unfinished = bool(placeholders.find(tree))  # text still to be written: never final
    draft = draft or unfinished
    language = _language(meta)
    with speaking(language):
        return Source(
            tree=tree,
            commit=located.commit,
            dirty=dirty,
            draft=draft,
            timestamp=epoch(located.time),
            label=governance.version_label(located, dirty, names, unfinished),
            ref=ref,
            location=location,
            version=None if dirty else located.version,
            notes=governance.notes(history.versions(), names, history.withdrawn()),
            history=history,
            language=language,
        )


def _same_sources(a: GitTree, b: GitTree) -> bool:
    """Whether two commits hold the same sources: the same blobs, but for a ``tymdocs.yaml``
    that only ``tymdocs upgrade`` rewrote (:func:`~tymdocs.sources.is_rewrite`)."""
    blobs_a, blobs_b = a.blobs(), b.blobs()
    if blobs_a == blobs_b:
        return True
    if {p: x for p, x in blobs_a.items() if p != CONFIG_FILE} != {
        p: x for p, x in blobs_b.items() if p != CONFIG_FILE
    } or CONFIG_FILE not in blobs_a.keys() & blobs_b.keys():
        return False
    return is_rewrite(
        a.read(CONFIG_FILE), b.read(CONFIG_FILE), lambda: tree_roles(a), lambda: tree_roles(b)
    )


def source_tree(root: Path, ref: str | None = None) -> SourceTree:
    """Only the files of a version, for reading them (``check``, a fingerprint): without the
    register, which only says what the version is called."""
    if ref is None:
        if not (root / CONFIG_FILE).is_file():
            raise UsageError(f"{root} has no {CONFIG_FILE}: not an agreement directory")
        return WorkTree(root)
    if not git.is_repository(root):
        raise UsageError(f"--ref needs a git repository, and {root} is not in one")
    return GitTree(root, commit_of(root, ref))


VERSION_NUMBER = re.compile(r"^[vV]?([1-9][0-9]{0,5})$")
"""A version named by its number in the register: ``2`` or ``v2``."""


def commit_of(root: Path, ref: str, *, changes: bool = False) -> str:
    """The commit ``ref`` names: a version number of the register (``2``, ``v2``) before any
    git revision of that name, as ``tymdocs log`` numbers them. With ``changes``, the register
    is read with them, for a caller that reads the version's history next: that is then taken
    from this read (:func:`~tymdocs.governance.read_history`)."""
    number = VERSION_NUMBER.match(ref)
    if number is None:
        return git.resolve_commit(root, ref)
    _, history = open_history(root, changes=changes)
    version = history.version(int(number.group(1)))
    if version is None:
        known = ", ".join(str(v.number) for v in history.versions()) or "none"
        raise UsageError(f"the register has no version {ref} (versions: {known})")
    return version.commit


def meta_reader(root: Path) -> MetaAt:
    """``tymdocs.yaml`` as each commit has it, each read once: the rules a version put in
    force."""
    return functools.cache(lambda commit: read_config(GitTree(root, commit)))


def agreement_end(root: Path, history: History) -> End | None:
    """When the agreement of ``history`` ends (None: in force until further notice)."""
    return history.past.end(meta_reader(root))


def open_history(root: Path, rev: str = "HEAD", changes: bool = True) -> tuple[Metadata, History]:
    """The agreement's metadata at ``rev`` (the working tree's for HEAD) and its history
    (without ``changes``: only its records)."""
    try:
        tip = git.resolve_commit(root, rev)
    except UsageError:
        if rev == "HEAD" or not git.is_repository(root):
            raise UsageError(
                f"{root} is not in a git repository with commits: there is no history"
            ) from None
        raise
    tree = WorkTree(root) if rev == "HEAD" else GitTree(root, tip)
    meta = read_config(tree)
    if meta is None:
        raise unreadable_config(tree)
    return meta, governance.read_history(root, meta.id, tip, changes=changes)


def unreadable_config(tree: SourceTree) -> SourceError:
    """The error of a command that needs ``tymdocs.yaml`` of ``tree`` where it does not read:
    a problem in the sources (exit 1), with what ``check`` says of that file."""
    from tymdocs.checks import validate

    problems = tuple(
        p for p in validate(tree).problems if p.path == CONFIG_FILE and p.severity == "error"
    )
    at = f" at {tree.commit[:12]}" if isinstance(tree, GitTree) else ""
    said = f"does not read cleanly{at}: run tymdocs check"
    return SourceError(problems or (Problem(CONFIG_FILE, None, said),))


def _in_force(root: Path, tip: str, day: dt.date, location: str) -> Source:
    """The agreement as in force on ``day``: each part from the newest version in force."""
    tree = GitTree(root, tip)
    meta = read_config(tree)
    if meta is None:
        raise unreadable_config(tree)
    history = governance.read_history(root, meta.id, tip)
    in_force = governance.in_force_on(history, day, agreement_end(root, history))
    trees = {
        v.commit: GitTree(root, v.commit)
        for v in {in_force.main, in_force.first, *in_force.annexes.values()}
    }
    every = {commit: tree.blobs() for commit, tree in trees.items()}
    blobs = {p: b for p, b in every[in_force.main.commit].items() if is_main_text(p)}
    numbers = {commit: annex_numbers(tree) for commit, tree in trees.items()}
    for number in sorted(set(numbers[in_force.first.commit]) | set(in_force.annexes)):
        version = in_force.source(number)  # an annex it removed has no file: left out
        for path in numbers[version.commit].get(number, ()):
            blob = every[version.commit][path]
            if blobs.setdefault(path, blob) != blob:
                raise UsageError(
                    f"{path} holds different annexes in the versions in force on "
                    f"{format_date(day)}: build a version instead"
                )
    newest = in_force.newest
    names = _names(meta)
    with speaking(meta.language):
        return Source(
            tree=BlobTree(root, blobs, f"the agreement in force on {format_date(day)}"),
            commit=newest.commit,
            dirty=False,
            draft=False,
            timestamp=epoch(newest.entry.time),
            label=label("in_force_on", date=format_date(day)),
            ref=tip,
            location=location,
            notes=governance.notes(in_force.applied, names, history.withdrawn(), in_force=True),
            at=day,
            in_force=in_force,
            history=history,
            language=meta.language,
        )


def _names(meta: Metadata | None) -> dict[str, str]:
    return {party.id: party.name for party in meta.parties} if meta else {}


def _language(meta: Metadata | None) -> str:
    return meta.language if meta else DEFAULT_LANGUAGE


_LAST_SECOND = 4354819199
"""2107-12-31 23:59:59 UTC: the last second a ZIP entry (the DOCX's parts) can carry."""


def epoch(commit_time: int) -> int:
    """SOURCE_DATE_EPOCH when set, else the commit's time: never the clock."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        if not (value.isascii() and value.isdigit()) or len(value) > 12:
            raise UsageError(f"SOURCE_DATE_EPOCH must be whole seconds, not {value[:20]!r}")
        if int(value) > _LAST_SECOND:
            raise UsageError(f"SOURCE_DATE_EPOCH {value} is after 2107, the last year of a DOCX")
        return int(value)
    return commit_time
