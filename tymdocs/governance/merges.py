"""What each commit changes of its own, merges included, and the agreement's files each commit
holds: a merge judged by what it brings into its first parent.

``git log`` gives each merge's changes against its first parent, which holds what the merged
commits made as well as what the merge did itself. The merged commits are judged on their own;
the merge answers only for a path it leaves otherwise than a three-way merge against the
parents' merge base would: set to a text no parent has, or kept as one parent holds it while
another changed it since they parted (``git merge -s ours``, a conflict resolved one way).
Such a path is a change of the merge, which needs its record like any other change: without
it, a decision recorded on a branch and dropped by its merge would stand in the register with
a text the agreement does not hold.
Pure: it reads nothing but the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
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


def walk(commits: Sequence[git.LogEntry], shallow: bool = False) -> Iterator[Walked]:
    """Every commit of ``commits`` (newest first, as ``git log`` gives them; parents after
    children), oldest first, with its own changes and the source files around it.

    ``shallow``: the history starts at commits whose parents are not seen; a merge whose
    parents have no common ancestor among those seen cannot be judged, and is not blamed."""
    graph = _Graph(any(len(c.parents) > 1 for c in commits))
    for commit in reversed(commits):
        parents = [graph.index[p] for p in commit.parents if p in graph.index]
        before = graph.trees[parents[0]] if parents else _EMPTY
        after = before  # nothing of the agreement changed: the same files, shared
        if any(is_source_path(c.path) for c in commit.changes):
            after = _applied(before, commit.changes)  # against the first parent
        if len(parents) > 1:
            bases = graph.bases(parents)
            if bases or not shallow:
                commit = _merged(commit, after, parents, bases, graph)
        graph.add(commit.commit, parents, after)
        yield Walked(commit, before, after)


class _Graph:
    """The commits walked so far, by index (a descendant always has the higher one): each
    one's files and, where there are merges, its ancestors as bits."""

    def __init__(self, merges: bool) -> None:
        self.merges = merges
        self.index: dict[str, int] = {}
        self.trees: list[Tree] = []
        self.ancestors: list[int] = []  # a bit for the commit itself and each ancestor

    def add(self, commit: str, parents: list[int], tree: Tree) -> None:
        number = len(self.trees)
        self.index[commit] = number
        self.trees.append(tree)
        if self.merges:
            bits = 1 << number
            for parent in parents:
                bits |= self.ancestors[parent]
            self.ancestors.append(bits)

    def bases(self, commits: Iterable[int]) -> list[int]:
        """The merge bases of ``commits``: their common ancestors that are not ancestors of
        another common ancestor."""
        common = -1
        for commit in commits:
            common &= self.ancestors[commit]
        return self._best(common)

    def _best(self, common: int) -> list[int]:
        found = []
        while common > 0:
            best = common.bit_length() - 1
            found.append(best)
            common &= ~self.ancestors[best]
        return found

    def base_text(self, path: str, bases: list[int]) -> str:
        """The text of ``path`` a merge is judged against: its merge base's; for several
        (criss-cross merges), as git's recursive merge makes one of them, or :data:`_CONFLICT`."""
        if not bases:
            return git.ZERO  # unrelated histories: the empty tree
        text = self.trees[bases[0]].get(path, git.ZERO)
        seen = self.ancestors[bases[0]]
        for other in bases[1:]:
            inner = self._best(seen & self.ancestors[other])
            merged = _three_way(
                [text, self.trees[other].get(path, git.ZERO)], self.base_text(path, inner)
            )
            text = _CONFLICT if merged is None else merged
            seen |= self.ancestors[other]
        return text


_CONFLICT = "conflict"
"""A virtual base's text where its own merge conflicts: like no text any commit holds."""


def _applied(tree: Tree, changes: Iterable[git.Change]) -> Tree:
    files = dict(tree)
    for change in changes:
        if not is_source_path(change.path):
            continue
        if change.new == git.ZERO:
            files.pop(change.path, None)
        else:
            files[change.path] = change.new
    return MappingProxyType(files)


def _merged(
    commit: git.LogEntry, result: Tree, parents: list[int], bases: list[int], graph: _Graph
) -> git.LogEntry:
    """The merge ``commit`` (holding ``result``) with only its own changes: where it leaves a
    path otherwise than a three-way merge of its ``parents`` over their ``bases`` would."""
    trees = [graph.trees[p] for p in parents]
    own = [c for c in commit.changes if not is_source_path(c.path)]
    for path in sorted(set(result).union(*trees, *(graph.trees[b] for b in bases))):
        blob = result.get(path, git.ZERO)
        texts = [tree.get(path, git.ZERO) for tree in trees]
        if all(text == blob for text in texts):
            continue
        expected = _three_way(texts, graph.base_text(path, bases))
        if expected != blob:
            old = expected if expected is not None else next(t for t in texts if t != blob)
            own.append(git.Change(path, old, blob))
    return replace(commit, changes=tuple(own))


def _three_way(texts: list[str], base: str) -> str | None:
    """What a three-way merge gives a path: the one text the parents changed it to since the
    base, or the base's when none did; None when they changed it each their own way."""
    changed = {text for text in texts if text != base}
    if len(changed) > 1:
        return None
    return changed.pop() if changed else base
