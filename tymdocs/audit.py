"""Auditing the history (``tymdocs check --governance``): every commit that changes the
agreement's files carries the record its rule requires, with valid fields, in order.

One ``git log`` gives every commit with its trailers and the blobs it changed; one
``git cat-file --batch`` gives the annex files and policies those blobs hold. Each commit is
judged by the rules in force before it: ``tymdocs.yaml`` as its parent had it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tymdocs import git
from tymdocs.config import read_metadata
from tymdocs.errors import Problem, UsageError
from tymdocs.governance import (
    VERSIONED,
    Entry,
    History,
    Record,
    annex_part,
    history_of,
    is_main_part,
)
from tymdocs.model import Policy
from tymdocs.paths import CONFIG_FILE, is_annex, is_main_text, is_source_path
from tymdocs.revision import read_config
from tymdocs.sources import WorkTree, annex_number
from tymdocs.yamlsrc import load_yaml

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


def audit(root: Path, revision_range: str | None = None) -> Audit:
    """Check every commit of ``revision_range`` (default: everything after version 1)."""
    meta = read_config(WorkTree(root))
    if meta is None:
        raise UsageError(f"{CONFIG_FILE} does not read cleanly: run tymdocs check")
    signed = meta.policy.require_signed_records
    commits = git.log(root, "HEAD", signatures=signed)
    history = history_of(meta.id, commits)
    oldest_first = list(reversed(commits))
    if revision_range is None:
        versions = history.versions()
        if not versions:
            raise UsageError(
                "no version 1 is recorded, so there is no governed history to check: record "
                "the agreement as adopted first (tymdocs adopt)"
            )
        start = next(i for i, c in enumerate(oldest_first) if c.commit == versions[0].commit)
        selected = {c.commit for c in oldest_first[start + 1 :]}
        shown = f"after version 1 ({versions[0].commit[:12]})"
    else:
        selected = set(git.rev_list(root, revision_range))
        shown = revision_range
    judge = _Judge(root, history, oldest_first, require_signed=signed)
    findings = list(judge.run(selected))
    return Audit(shown, judge.checked, tuple(findings))


class _Judge:
    """Walks the history oldest first, keeping what each commit is judged against."""

    def __init__(
        self,
        root: Path,
        history: History,
        commits: list[git.LogEntry],
        require_signed: bool,
    ) -> None:
        self.root = root
        self.history = history
        self.commits = commits
        self.require_signed = require_signed
        self.records = {e.commit: e for e in history.entries}
        self.problems = {c.commit: p for c, p in history.problems}
        self.checked = 0
        blobs = {
            change.new if change.new != git.ZERO else change.old
            for commit in commits
            for change in commit.changes
            if change.path == CONFIG_FILE or is_annex(change.path)
        }
        self.contents = git.read_blobs(root, blobs)
        self.policies: dict[str, Policy | None] = {}

    def run(self, selected: set[str]) -> Iterator[Finding]:
        config: str | None = None
        last_version = 0
        last_decision: dict[str, Record] = {}
        for commit in self.commits:
            entry = self.records.get(commit.commit)
            touched = [c for c in commit.changes if is_source_path(c.path)]
            policy = self._policy(config)
            if commit.commit in selected and (touched or entry or commit.commit in self.problems):
                self.checked += 1
                for message in self._judge(
                    commit, entry, touched, policy, last_version, last_decision
                ):
                    yield Finding(commit.commit, commit.subject, message)
            for change in touched:
                if change.path == CONFIG_FILE:
                    config = change.new if change.new != git.ZERO else None
            if entry is not None:
                record = entry.record
                if record.kind in VERSIONED and record.version:
                    last_version = max(last_version, record.version)
                if record.kind in ("decision", "review") and record.body:
                    last_decision[record.body.casefold()] = record

    def _policy(self, blob: str | None) -> Policy | None:
        if blob is None:
            return None
        if blob not in self.policies:
            problems: list[Problem] = []
            text = self.contents[blob].decode("utf-8", errors="replace")
            source = load_yaml(text, CONFIG_FILE, problems)
            meta = read_metadata(source, problems) if source is not None else None
            self.policies[blob] = meta.policy if meta else None
        return self.policies[blob]

    def _annexes(self, changes: list[git.Change]) -> dict[int, str]:
        """The annexes the changed files hold before or after: number -> a path."""
        found: dict[int, str] = {}
        for change in changes:
            if not is_annex(change.path):
                continue
            for blob in (change.old, change.new):
                if blob != git.ZERO:
                    number = annex_number(change.path, self.contents[blob])
                    if number is not None:
                        found.setdefault(number, change.path)
        return found

    def _judge(
        self,
        commit: git.LogEntry,
        entry: Entry | None,
        touched: list[git.Change],
        policy: Policy | None,
        last_version: int,
        last_decision: dict[str, Record],
    ) -> Iterator[str]:
        yield from self.problems.get(commit.commit, ())
        if entry is None:
            if touched:
                yield self._lacks(touched, policy)
            return
        record = entry.record
        if self.require_signed and commit.signature not in _GOOD_SIGNATURES:
            state = {"N": "is unsigned", "B": "has a bad signature"}.get(
                commit.signature, "has a signature git cannot verify"
            )
            yield f"the record {state}, and the policy requires signed records"
        main = [c.path for c in touched if is_main_text(c.path)]
        annexes = self._annexes(touched)
        if record.kind in VERSIONED and record.version != last_version + 1:
            yield (
                f"records version {record.version}, but the previous version is "
                f"{last_version}: expected {last_version + 1}"
            )
        if record.kind == "adoption":
            if last_version:
                yield "records version 1 again"
            return
        if record.kind in ("review", "termination", "signatures"):
            if touched:
                yield f"a {record.kind} record changes no source, but this commit changes " + (
                    ", ".join(c.path for c in touched)
                )
            if record.kind == "signatures":
                yield from self._signatures(record)
            if record.kind == "review":
                yield from self._order(record, last_decision)
            return
        if not touched:
            yield f"a {record.kind} record without a change of the agreement's files"
        declared = {p for p in record.parts if p.startswith("annex-")}
        actual = {annex_part(n) for n in annexes}
        for part in sorted(actual - declared):
            yield f"changes Liite {part[6:]}, which the record does not name in Tymdocs-Parts"
        for part in sorted(declared - actual):
            yield f"names Liite {part[6:]} in Tymdocs-Parts but does not change it"
        if record.kind == "amendment":
            if not main:
                yield "an amendment that does not change the main text"
            elif not any(is_main_part(p) for p in record.parts):
                yield "changes the main text, which the record does not name in Tymdocs-Parts"
            return
        if main:
            yield (
                f"a {record.kind} changes the main text ({', '.join(main)}), which only an "
                "amendment signed by every party may change"
            )
        for number in sorted(annexes):
            rule = policy.rule(number) if policy else None
            if rule is None:
                continue
            if rule.record != record.kind:
                yield f"Liite {number} changes by {rule.record}, not by {record.kind}"
            elif (
                rule.record == "decision"
                and (rule.body or "").casefold() != (record.body or "").casefold()
            ):
                yield f"Liite {number} changes by a decision of {rule.body}, not of {record.body}"
        if record.kind == "decision":
            yield from self._order(record, last_decision)

    def _lacks(self, touched: list[git.Change], policy: Policy | None) -> str:
        main = [c.path for c in touched if is_main_text(c.path)]
        if main:
            return (
                f"changes the main text ({', '.join(main)}) without a record: it needs an "
                "amendment signed by every party (tymdocs amend)"
            )
        needs = []
        for number in sorted(self._annexes(touched)):
            rule = policy.rule(number) if policy else None
            if rule is None or rule.record == "decision":
                body = rule.body if rule else "the steering group"
                needs.append(f"Liite {number} needs a decision of {body} (tymdocs approve)")
            elif rule.record == "notice":
                needs.append(f"Liite {number} needs an organisation's notice (tymdocs notice)")
            else:
                needs.append(f"Liite {number} needs an amendment (tymdocs amend)")
        paths = ", ".join(c.path for c in touched)
        return f"changes {paths} without a record: " + ("; ".join(needs) or "it needs one")

    def _order(self, record: Record, last: dict[str, Record]) -> Iterator[str]:
        previous = last.get((record.body or "").casefold())
        if previous is not None and record.date < previous.date:
            yield (
                f"{record.body} {record.date.isoformat()} § {record.section} comes after its "
                f"decision of {previous.date.isoformat()} § {previous.section}: "
                "decision dates go backwards"
            )

    def _signatures(self, record: Record) -> Iterator[str]:
        version = self.history.version(record.version or 0)
        if version is None or version.record.kind not in ("amendment", "adoption"):
            yield f"signatures for version {record.version}, which is not an amendment"
        elif not record.copies:
            yield "a signatures record without the signed copies' Tymdocs-Signed-Copy"
