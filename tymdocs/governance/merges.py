"""What each commit changes of its own, merges included, and the agreement's files each commit
holds: a merge judged by what it brings into its first parent.

``git log`` gives each merge's changes against its first parent, which holds what the merged
commits made as well as what the merge did itself. The merged commits are judged on their own;
the merge answers only for a path it leaves otherwise than merging would: set to a text no
parent has, or kept as one parent holds it while another changed it since they parted
(``git merge -s ours``, a conflict resolved one way). Such a path is a change of the merge,
which needs its record like any other change: without it, a decision recorded on a branch and
dropped by its merge would stand in the register with a text the agreement does not hold.
Pure: it reads nothing but the log.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from tymdocs import git
from tymdocs.paths import is_source_path

Tree = Mapping[str, str]
"""The agreement's source files a commit holds: path -> blob."""


@dataclass(frozen=True)
class Walked:
    """One commit, oldest first: its own changes, and the source files before and after it
    (before: its first parent's; none for a root, or a shallow clone's first commit)."""

    commit: git.LogEntry
    before: Tree
    after: Tree


_EMPTY: Tree = MappingProxyType({})


def own_changes(commits: Sequence[git.LogEntry]) -> list[git.LogEntry]:
    """``commits`` (newest first, each merge's changes against its first parent) with each
    merge's changes cut to those it makes of its own."""
    if all(len(c.parents) < 2 for c in commits):
        return list(commits)
    return [w.commit for w in reversed(list(walk(commits)))]


def walk(commits: Sequence[git.LogEntry]) -> Iterator[Walked]:
    """Every commit of ``commits`` (newest first, as ``git log`` gives them; parents after
    children), oldest first, with its own changes and the source files around it."""
    trees: dict[str, tuple[_Tree, Tree]] = {}  # per commit: with origins, and as files
    index: dict[str, int] = {}
    ancestors: list[int] = []  # per commit, a bit for itself and each of its ancestors
    merges = any(len(c.parents) > 1 for c in commits)
    for i, commit in enumerate(reversed(commits)):
        parents = [p for p in commit.parents if p in trees]
        index[commit.commit] = i
        if merges:
            bits = 1 << i
            for parent in parents:
                bits |= ancestors[index[parent]]
            ancestors.append(bits)
        tree, before = trees[parents[0]] if parents else ({}, _EMPTY)
        sources = [c for c in commit.changes if is_source_path(c.path)]
        if len(parents) > 1:
            tree = dict(tree)
            sides = [(trees[p][0], ancestors[index[p]]) for p in parents]
            commit = _merged(commit, tree, sides, i)
            after = _files(tree)
        elif sources:
            tree = dict(tree)
            for change in sources:
                tree[change.path] = (change.new, i)
            after = _files(tree)
        else:  # nothing of the agreement changed: the same files, shared
            after = before
        trees[commit.commit] = (tree, after)
        yield Walked(commit, before, after)


_Tree = dict[str, tuple[str, int]]
"""Source path -> (blob, or ZERO once deleted; the index of the commit that set it)."""


def _files(tree: _Tree) -> Tree:
    return MappingProxyType({path: blob for path, (blob, _) in tree.items() if blob != git.ZERO})


def _merged(
    commit: git.LogEntry, tree: _Tree, sides: list[tuple[_Tree, int]], me: int
) -> git.LogEntry:
    """The merge ``commit`` with only its own changes; ``tree`` (its first parent's) becomes
    its own. ``sides``: each parent's tree and ancestors, the first parent first."""
    result = {c.path: c.new for c in commit.changes if is_source_path(c.path)}
    paths = set(result) | {
        path for other, _ in sides[1:] for path in other if other[path][0] != _blob(tree, path)
    }
    own = [c for c in commit.changes if not is_source_path(c.path)]
    for path in sorted(paths):
        blob = result.get(path, _blob(tree, path))
        expected = _expected(path, sides)
        if expected is not None and expected[0] == blob:
            tree[path] = expected
            continue
        old = expected[0] if expected is not None else _discarded(path, sides, blob)
        own.append(git.Change(path, old, blob))
        tree[path] = (blob, me)
    return replace(commit, changes=tuple(own))


def _blob(tree: _Tree, path: str) -> str:
    return tree[path][0] if path in tree else git.ZERO


def _expected(path: str, sides: list[tuple[_Tree, int]]) -> tuple[str, int] | None:
    """What merging gives ``path``: the text of the parents whose history already holds every
    other parent's text of it (the side that changed it since they parted); None when the
    sides changed it each their own way."""
    found = {
        tree.get(path, (git.ZERO, -1))
        for tree, bits in sides
        if all(
            (origin := other.get(path, (git.ZERO, -1))[1]) < 0 or bits >> origin & 1
            for other, _ in sides
        )
    }
    blobs = {blob for blob, _ in found}
    return min(found) if len(blobs) == 1 else None


def _discarded(path: str, sides: list[tuple[_Tree, int]], blob: str) -> str:
    """A parent's text of ``path`` the merge does not keep (its first parent's if it can)."""
    return next(
        (b for tree, _ in sides if (b := _blob(tree, path)) != blob), _blob(sides[0][0], path)
    )
