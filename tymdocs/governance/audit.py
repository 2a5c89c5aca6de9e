"""Auditing the history (``tymdocs check --governance``): every commit that changes the
agreement's files carries the record its rule requires, with valid fields, in order.

One ``git log`` gives every commit with its trailers and the blobs it changed; one
``git cat-file --batch`` gives the annex files, policies and kept copies those blobs hold.
Each record is judged by :mod:`~tymdocs.governance.rules`, the functions the record commands
refuse by, against the register before it and the rules in force on the record's date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tymdocs import git, governance
from tymdocs.config import AnnexRoles, parse_metadata
from tymdocs.errors import GitError, ShallowError, UsageError
from tymdocs.formats import needs_annex_roles
from tymdocs.governance import VERSIONED, Entry, History, Record, history_of, merges
from tymdocs.governance.rules import (
    Past,
    Step,
    breaches,
    composition_rows,
    composition_text,
    record_needed,
)
from tymdocs.locale import annex_ref, commit_date, speaking, spoken
from tymdocs.model import Agreement, ChangeRule, Metadata
from tymdocs.paths import CONFIG_FILE, is_annex, is_main_text, is_source_path
from tymdocs.revision import read_config, unreadable_config
from tymdocs.sources import GitTree, WorkTree, annex_number, annex_roles

_GOOD_SIGNATURES = ("G", "U")
"""``%G?``: a good signature (U: good, from a key not marked trusted)."""


@dataclass(frozen=True)
class Finding:
    """One commit and what it lacks."""

    commit: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.commit[:12]} {self.subject}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"commit": self.commit, "subject": self.subject, "message": self.message}


@dataclass(frozen=True)
class Audit:
    """The verdict on a range of the history."""

    range: str
    checked: int
    """Commits in the range that changed the agreement or carry one of its records."""
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "range": self.range,
            "checked": self.checked,
            "findings": [f.as_dict() for f in self.findings],
        }


def audit(root: Path, revision_range: str | None = None, allow_shallow: bool = False) -> Audit:
    """Check every commit of ``revision_range`` (default: everything after version 1).

    The commits before version 1 (all of them, while none is recorded) are the agreement's
    drafting: one that changes the sources without a record is no finding, so a new
    repository's CI passes from its first push; a record among them is judged all the same.

    A shallow clone is refused (:class:`ShallowError`) unless ``allow_shallow``: then the
    commits after where it starts are judged on what they show alone (each change has its
    record, each record its fields and dates), not by the records before, which are unseen.
    """
    meta = read_config(WorkTree(root))
    if meta is None:
        raise unreadable_config(WorkTree(root))
    try:
        logged = git.log(root, "HEAD")
    except GitError:
        raise UsageError("there is no history to check: the repository has no commit") from None
    boundary = git.shallow_boundary(root)
    if boundary and not allow_shallow:
        raise ShallowError(boundary)
    walked = list(merges.walk(logged, shallow=bool(boundary)))
    own = [w.commit for w in reversed(walked)]
    commits = governance.without_rewrites(own, governance.config_rewrites(root, own))
    history = history_of(meta.id, commits)
    oldest_first = list(reversed(commits))
    versions = history.versions()
    everything = {c.commit for c in commits}
    adopted = _ancestry(commits, versions[0].commit) if versions else set()  # v1 and before
    if revision_range is not None:
        selected = set(git.rev_list(root, revision_range)) - set(boundary)
        shown = revision_range
    elif boundary:
        selected = everything - set(boundary)
        shown = "seen in this shallow clone"
    elif versions:
        selected = everything - adopted
        shown = f"after version 1 ({versions[0].commit[:12]})"
    else:
        selected = everything
        shown = NOTHING_RECORDED
    # Before version 1 the agreement is a draft: a change needs no record (none could be
    # made: every record but the adoption needs version 1), a record is still judged.
    drafts = adopted - {versions[0].commit} if versions else everything
    recorded = {e.commit for e in history.entries} | {c.commit for c, _ in history.problems}
    selected -= drafts - recorded
    if boundary:
        starts = ", ".join(commit[:12] for commit in boundary)
        shown += (
            f" (from {starts}: what the clone starts at changed, and the records before it, "
            "are unseen, so neither that nor any rule that looks back at them was judged)"
        )
    judge = _Judge(root, history, oldest_first, walked, partial=bool(boundary))
    if judge.signatures_required():  # git checks signatures only where a version asks
        logged = git.log(root, "HEAD", signatures=True)
        signatures = {c.commit: c.signature for c in logged}
        judge.signatures = signatures
    findings = list(judge.run(selected))
    return Audit(shown, judge.checked, tuple(findings))


NOTHING_RECORDED = (
    "before version 1 (no version recorded yet: until tymdocs adopt records it, a change "
    "needs no record)"
)
"""What a check of the history (by default, after version 1) covers while there is no version."""


def _ancestry(commits: list[git.LogEntry], start: str) -> set[str]:
    """``start`` and every commit it descends from."""
    parents = {c.commit: c.parents for c in commits}
    found = {start}
    waiting = [start]
    while waiting:
        for parent in parents.get(waiting.pop(), ()):
            if parent not in found:
                found.add(parent)
                waiting.append(parent)
    return found


def _annexes_in(tree: merges.Tree) -> tuple[tuple[str, str], ...]:
    return tuple((path, blob) for path, blob in tree.items() if is_annex(path))


class _Judge:
    """Walks the history oldest first: each record judged by the rules against the register
    before it, each other commit that changes the agreement found lacking its record."""

    def __init__(
        self,
        root: Path,
        history: History,
        commits: list[git.LogEntry],
        walked: list[merges.Walked],
        partial: bool = False,
    ) -> None:
        self.root = root
        self.partial = partial
        """A shallow clone's history: records judged on their own, not by the unseen ones."""
        self.history = history
        self.commits = commits
        self.records = {e.commit: e for e in history.entries}
        self.problems = {c.commit: p for c, p in history.problems}
        self.signatures: dict[str, str] = {}
        self.checked = 0
        self.trees: dict[str, tuple[str | None, tuple[tuple[str, str], ...]]] = {}
        """Per version commit, its ``tymdocs.yaml`` blob and annex files (path, blob)."""
        self.metas: dict[tuple[str, tuple[tuple[str, str], ...]], Metadata | None] = {}
        self.oldest: dict[str, bool] = {}
        """Per ``tymdocs.yaml`` blob: whether it is the oldest shape, which reads annex roles."""
        self.numbers: dict[tuple[str, str], int | None] = {}
        self.models: dict[str, tuple[Agreement | None, Agreement | None]] = {}
        self.before: dict[str, tuple[tuple[str, str], ...]] = {}
        """Per commit, the annex files (path, blob) of the tree before it."""
        for step in walked:
            commit = step.commit.commit
            self.before[commit] = _annexes_in(step.before)
            entry = self.records.get(commit)
            if entry is not None and entry.record.kind in VERSIONED:
                self.trees[commit] = (step.after.get(CONFIG_FILE), _annexes_in(step.after))
        kept = {c.path for e in history.entries for c in e.record.copies if c.path}
        blobs = {
            change.new if change.new != git.ZERO else change.old
            for commit in commits
            for change in commit.changes
            if change.path == CONFIG_FILE or is_annex(change.path) or change.path in kept
        }
        for config, annexes in self.trees.values():
            blobs.update([config] if config else [], (blob for _, blob in annexes))
        for annexes in set(self.before.values()):
            blobs.update(blob for _, blob in annexes)
        self.contents = git.read_blobs(root, blobs)

    def meta_at(self, commit: str) -> Metadata | None:
        """``tymdocs.yaml`` of a version commit, each blob read once; with the roles of the
        commit's annexes where the oldest ``change_rules`` shape gives them rules apart."""
        config, annexes = self.trees.get(commit, (None, ()))
        if config is None:
            return None
        if config not in self.oldest:
            text = self.contents[config].decode("utf-8", "replace")
            self.oldest[config] = needs_annex_roles(text)
        key = (config, annexes if self.oldest[config] else ())
        if key not in self.metas:

            def roles() -> AnnexRoles:
                found = AnnexRoles()
                for path, blob in annexes:
                    found |= annex_roles(path, self.contents[blob])
                return found

            self.metas[key] = parse_metadata(self.contents[config], roles)
        return self.metas[key]

    def signatures_required(self) -> bool:
        """Whether any version's rules require signed records."""
        return any(
            meta.policy.require_signed_records
            for commit in self.trees
            if (meta := self.meta_at(commit)) is not None
        )

    def run(self, selected: set[str]) -> Iterator[Finding]:
        past = Past()
        for commit in self.commits:
            entry = self.records.get(commit.commit)
            touched = [c for c in commit.changes if is_source_path(c.path)]
            if commit.commit in selected and (touched or entry or commit.commit in self.problems):
                self.checked += 1
                for message in self._judge(commit, entry, touched, past):
                    yield Finding(
                        commit.commit,
                        governance.printable(commit.subject),
                        governance.printable(message),
                    )
            if entry is not None:
                past.add(entry)

    def _judge(
        self,
        commit: git.LogEntry,
        entry: Entry | None,
        touched: list[git.Change],
        past: Past,
    ) -> Iterator[str]:
        yield from self.problems.get(commit.commit, ())
        committed = commit_date(commit.time)
        if entry is None:
            if touched:
                yield self._lacks(touched, past.rules_on(committed, self.meta_at))
            return
        record = entry.record
        meta = past.rules_on(record.date, self.meta_at)
        if meta is not None and meta.policy.require_signed_records:
            signature = self.signatures.get(commit.commit, "N")
            if signature not in _GOOD_SIGNATURES:
                how = {"N": "is unsigned", "B": "has a bad signature"}.get(
                    signature, "has a signature git cannot verify"
                )
                yield f"the record {how}, and the policy requires signed records"
        annexes = self._annexes(touched)
        rows, own_text = self._composition(commit, record, annexes, meta)
        step = Step(
            record,
            committed,
            paths=tuple(c.path for c in touched),
            annexes=annexes,
            existing=frozenset(
                number
                for path, blob in self.before[commit.commit]
                if is_source_path(path) and (number := self._number(path, blob)) is not None
            ),
            main_parts=self._main_parts(commit) if record.kind == "amendment" else None,
            meta=self._proposed(commit) if record.kind == "amendment" else None,
            rows=rows,
            composition_text=own_text,
            restores=self._restores(commit, record, past) if record.kind == "withdrawal" else None,
        )
        for breach in breaches(step, None if self.partial else past, self.meta_at):
            yield breach.message
        if record.kind == "signatures":
            yield from self._kept(commit, record)

    def _kept(self, commit: git.LogEntry, record: Record) -> Iterator[str]:
        """The signed copies a signatures record keeps are the files it names."""
        stored = {c.path: c.new for c in commit.changes}
        for copy in record.copies:
            if copy.path is None:
                continue
            blob = stored.get(copy.path)
            if blob is None or blob == git.ZERO:
                yield f"names {copy.path}, which this commit does not add"
            elif hashlib.sha256(self.contents[blob]).hexdigest() != copy.sha256:
                yield f"{copy.path} does not have the SHA-256 the record names"
            elif not self.contents[blob].startswith(b"%PDF-"):
                yield f"{copy.path} is not a PDF: a kept copy is the signed PDF itself"

    def _number(self, path: str, blob: str) -> int | None:
        if (path, blob) not in self.numbers:
            self.numbers[path, blob] = annex_number(path, self.contents[blob])
        return self.numbers[path, blob]

    def _annexes(self, changes: Iterable[git.Change]) -> dict[int, str]:
        """The annexes the changed files hold before or after: number -> a path."""
        found: dict[int, str] = {}
        for change in changes:
            if not is_annex(change.path):
                continue
            for blob in (change.old, change.new):
                if blob != git.ZERO:
                    number = self._number(change.path, blob)
                    if number is not None:
                        found.setdefault(number, change.path)
        return found

    def _models(self, commit: git.LogEntry) -> tuple[Agreement | None, Agreement | None]:
        """The agreement before and after ``commit``, as models, each pair read once."""
        from tymdocs.checks import validate

        if not commit.parents:
            return None, None
        if commit.commit not in self.models:
            old = validate(GitTree(self.root, commit.parents[0])).agreement
            new = validate(GitTree(self.root, commit.commit)).agreement
            self.models[commit.commit] = (old, new)
        return self.models[commit.commit]

    def _main_parts(self, commit: git.LogEntry) -> tuple[str, ...] | None:
        """Which parts of the main text the commit changes, from the two models."""
        old, new = self._models(commit)
        return tuple(governance.main_parts(old, new)) if old and new else None

    def _proposed(self, commit: git.LogEntry) -> Metadata | None:
        """``tymdocs.yaml`` as an amendment proposes it."""
        new = self._models(commit)[1]
        return new.meta if new is not None else None

    def _composition(
        self, commit: git.LogEntry, record: Record, annexes: dict[int, str], meta: Metadata | None
    ) -> tuple[frozenset[str], frozenset[int]]:
        """The parties whose composition rows a notice or decision changes, and the
        composition annexes whose own text it changes: read as models only where an annex
        that changes by notice is touched (or for a notice)."""
        by_notice = meta is not None and any(
            meta.policy.rule(number).record == "notice" for number in annexes
        )
        if record.kind == "notice" or (record.kind == "decision" and by_notice):
            old, new = self._models(commit)
            return composition_rows(old, new), composition_text(old, new)
        return frozenset(), frozenset()

    def _restores(self, commit: git.LogEntry, record: Record, past: Past) -> bool | None:
        """Whether a withdrawal's sources are those before the amendment it withdraws."""
        amendment = past.pending.get(record.withdraws or 0)
        before = self.history.parent(amendment.commit) if amendment else None
        if before is None:
            return None
        return GitTree(self.root, before).blobs() == GitTree(self.root, commit.commit).blobs()

    def _lacks(self, touched: Iterable[git.Change], meta: Metadata | None) -> str:
        main = [c.path for c in touched if is_main_text(c.path)]
        if main:
            rule = meta.policy.main_text if meta else ChangeRule("amendment")
            return (
                f"changes the main text ({', '.join(main)}) without a record: it needs "
                + record_needed(rule)
            )
        with speaking(meta.language if meta is not None else spoken()):  # Liite 2, Bilaga 2
            needs = [
                f"{annex_ref(number)} needs "
                + record_needed(meta.policy.rule(number) if meta else None)
                for number in sorted(self._annexes(touched))
            ]
        paths = ", ".join(c.path for c in touched)
        return f"changes {paths} without a record: " + ("; ".join(needs) or "it needs one")
