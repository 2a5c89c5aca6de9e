"""Auditing the history (``tymdocs check --governance``): every commit that changes the
agreement's files carries the record its rule requires, with valid fields, in order.

One ``git log`` gives every commit with its trailers and the blobs it changed; one
``git cat-file --batch`` gives the annex files, policies and kept copies those blobs hold.
Each commit is judged by the rules in force before it: ``tymdocs.yaml`` as the last signed
version had it (an amendment's new rules count only once it is signed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tymdocs import git, governance
from tymdocs.config import AnnexRoles, parse_metadata
from tymdocs.errors import GitError, UsageError
from tymdocs.formats import needs_annex_roles
from tymdocs.governance import VERSIONED, Entry, History, Record, annex_part, history_of
from tymdocs.locale import commit_date
from tymdocs.model import Metadata
from tymdocs.paths import CONFIG_FILE, is_annex, is_main_text, is_source_path
from tymdocs.revision import read_config
from tymdocs.sources import WorkTree, annex_number, annex_roles

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
    try:
        logged = git.log(root, "HEAD", signatures=signed)
    except GitError:
        raise UsageError("there is no history to check: the repository has no commit") from None
    rewrites = governance.config_rewrites(root, logged)
    commits = governance.without_rewrites(logged, rewrites)
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
    judge = _Judge(root, history, oldest_first, rewrites, require_signed=signed)
    findings = list(judge.run(selected))
    return Audit(shown, judge.checked, tuple(findings))


@dataclass
class _State:
    """What the history up to a commit has established."""

    config: str | None = None
    """The blob of ``tymdocs.yaml`` in force."""
    annexes: dict[str, str] = field(default_factory=dict)
    """The annex files of the tree so far: path -> blob."""
    proposed: dict[int, str] = field(default_factory=dict)
    """``tymdocs.yaml`` as pending amendments propose it, by version."""
    pending: set[int] = field(default_factory=set)
    last_version: int = 0
    decisions: dict[str, Record] = field(default_factory=dict)
    """The last decision or review of each body."""
    cited: set[tuple[str, dt.date, int | None]] = field(default_factory=set)
    effective: dict[str, dt.date] = field(default_factory=dict)
    """When the last recorded change of each part takes effect."""


@dataclass(frozen=True)
class _Case:
    """One record under judgement, and what it is judged against."""

    commit: git.LogEntry
    record: Record
    touched: tuple[git.Change, ...]
    """The agreement's sources the commit changes."""
    state: _State
    meta: Metadata | None
    """``tymdocs.yaml`` in force before the commit."""


class _Judge:
    """Walks the history oldest first, keeping what each commit is judged against."""

    def __init__(
        self,
        root: Path,
        history: History,
        commits: list[git.LogEntry],
        rewrites: dict[str, tuple[str, str]],
        require_signed: bool,
    ) -> None:
        self.root = root
        self.rewrites = rewrites
        """Commits that only rewrite ``tymdocs.yaml`` in a newer format: its blobs."""
        self.history = history
        self.commits = commits
        self.require_signed = require_signed
        self.records = {e.commit: e for e in history.entries}
        self.problems = {c.commit: p for c, p in history.problems}
        self.withdrawn = history.withdrawn()
        self.checked = 0
        kept = {c.path for e in history.entries for c in e.record.copies if c.path}
        blobs = {
            change.new if change.new != git.ZERO else change.old
            for commit in commits
            for change in commit.changes
            if change.path == CONFIG_FILE or is_annex(change.path) or change.path in kept
        }
        rewritten = {blob for pair in rewrites.values() for blob in pair}
        self.contents = git.read_blobs(root, blobs | rewritten)
        self.configs: dict[tuple[str, AnnexRoles], Metadata | None] = {}
        self.roles: dict[tuple[str, str], AnnexRoles] = {}
        self.oldest: dict[str, bool] = {}
        """Per ``tymdocs.yaml`` blob: whether it is the oldest shape, which reads annex roles."""

    def run(self, selected: set[str]) -> Iterator[Finding]:
        state = _State()
        for commit in self.commits:
            entry = self.records.get(commit.commit)
            touched = [c for c in commit.changes if is_source_path(c.path)]
            if commit.commit in selected and (touched or entry or commit.commit in self.problems):
                self.checked += 1
                for message in self._judge(commit, entry, touched, state):
                    yield Finding(
                        commit.commit,
                        governance.printable(commit.subject),
                        governance.printable(message),
                    )
            self._advance(state, commit, entry, touched)

    def _advance(
        self,
        state: _State,
        commit: git.LogEntry,
        entry: Entry | None,
        touched: list[git.Change],
    ) -> None:
        """What this commit establishes for the ones after it."""
        if commit.commit in self.rewrites:  # the same rules, as the file now writes them
            old, new = self.rewrites[commit.commit]
            state.config = new if state.config == old else state.config
            state.proposed = {v: new if b == old else b for v, b in state.proposed.items()}
        config = next((c.new for c in touched if c.path == CONFIG_FILE), None)
        for change in touched:
            if is_annex(change.path) and change.new == git.ZERO:
                state.annexes.pop(change.path, None)
            elif is_annex(change.path):
                state.annexes[change.path] = change.new
        record = entry.record if entry else None
        if config is not None and config != git.ZERO:
            if record is not None and record.kind == "amendment" and record.version:
                state.proposed[record.version] = config
            elif state.last_version == 0:
                state.config = config  # before version 1: the text being drafted
        if record is None:
            return
        if record.kind in VERSIONED and record.version:
            state.last_version = max(state.last_version, record.version)
            if record.version not in self.withdrawn and record.kind != "withdrawal":
                for part in record.parts:
                    state.effective[part] = record.effective or record.date
        if record.kind == "amendment" and record.version:
            state.pending.add(record.version)
        closed = record.version if record.kind == "signatures" else record.withdraws
        if record.kind in ("signatures", "withdrawal") and closed in state.pending:
            state.pending.discard(closed)
            proposed = state.proposed.pop(closed, None)
            if record.kind == "signatures" and proposed is not None:
                state.config = proposed
        if record.kind in ("decision", "review") and record.body:
            state.decisions[governance.body_key(record.body)] = record
            state.cited.add((governance.body_key(record.body), record.date, record.section))

    def _meta(self, state: _State) -> Metadata | None:
        """``tymdocs.yaml`` in force, read with the roles of the tree's annexes (the oldest
        ``change_rules`` shape gives them rules apart); every such blob is read up front."""
        blob = state.config
        if blob is None:
            return None
        if blob not in self.oldest:
            self.oldest[blob] = needs_annex_roles(self.contents[blob].decode("utf-8", "replace"))
        key = (blob, self._roles(state) if self.oldest[blob] else AnnexRoles())
        if key not in self.configs:
            self.configs[key] = parse_metadata(self.contents[blob], lambda: key[1])
        return self.configs[key]

    def _roles(self, state: _State) -> AnnexRoles:
        """The composition and appointment annexes among the tree's annex files so far."""
        roles = AnnexRoles()
        for item in state.annexes.items():
            if item not in self.roles:
                self.roles[item] = annex_roles(item[0], self.contents[item[1]])
            roles |= self.roles[item]
        return roles

    def _annexes(self, changes: Iterable[git.Change]) -> dict[int, str]:
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
        state: _State,
    ) -> Iterator[str]:
        yield from self.problems.get(commit.commit, ())
        meta = self._meta(state)
        if entry is None:
            if touched:
                yield self._lacks(touched, meta)
            return
        record = entry.record
        if self.require_signed and commit.signature not in _GOOD_SIGNATURES:
            how = {"N": "is unsigned", "B": "has a bad signature"}.get(
                commit.signature, "has a signature git cannot verify"
            )
            yield f"the record {how}, and the policy requires signed records"
        committed = commit_date(commit.time)
        if record.date > committed:
            yield f"dated {record.date.isoformat()}, after it was committed ({committed})"
        if record.kind in VERSIONED and record.version != state.last_version + 1:
            yield (
                f"records version {record.version}, but the previous version is "
                f"{state.last_version}: expected {state.last_version + 1}"
            )
        if record.kind in ("decision", "notice", "amendment") and state.pending:
            yield (f"recorded while version {min(state.pending)} (an amendment) awaits signatures")
        judge = {
            "adoption": self._adoption,
            "decision": self._change,
            "notice": self._change,
            "amendment": self._amendment,
            "withdrawal": self._withdrawal,
            "review": self._review,
            "termination": self._termination,
            "signatures": self._signatures,
        }[record.kind]
        yield from judge(_Case(commit, record, tuple(touched), state, meta))

    def _adoption(self, case: _Case) -> Iterator[str]:
        if case.state.last_version:
            yield "records version 1 again"

    def _change(self, case: _Case) -> Iterator[str]:
        """A decision or a notice: annexes only, each by the record its rule names."""
        if not case.touched:
            yield f"a {case.record.kind} record without a change of the agreement's files"
        main = [c.path for c in case.touched if is_main_text(c.path)]
        if main:
            yield (
                f"a {case.record.kind} changes the main text ({', '.join(main)}), which only an "
                "amendment signed by every party may change"
            )
        annexes = self._annexes(case.touched)
        yield from self._declared(case.record, annexes)
        if case.record.kind == "notice":
            yield from self._party(case.record, case.meta)
        for number in sorted(annexes):
            rule = case.meta.policy.rule(number) if case.meta else None
            if rule is None:
                continue
            if rule.record != case.record.kind:
                yield f"Liite {number} changes by {rule.record}, not by {case.record.kind}"
            elif rule.record == "decision" and not governance.same_body(
                rule.body, case.record.body
            ):
                yield (
                    f"Liite {number} changes by a decision of {rule.body}, "
                    f"not of {case.record.body}"
                )
        if case.record.kind == "decision":
            yield from self._in_order(case.record, case.state)
        yield from self._effective_order(case.record, case.state)

    def _amendment(self, case: _Case) -> Iterator[str]:
        if not any(is_main_text(c.path) for c in case.touched):
            yield "an amendment that does not change the main text"
            return
        yield from self._declared(case.record, self._annexes(case.touched))
        actual = self._main_parts(case.commit)
        declared = [p for p in case.record.parts if governance.is_main_part(p)]
        if actual is not None and sorted(declared) != sorted(actual):
            yield (
                f"changes {', '.join(map(governance.part_name, actual))} of the main text, but "
                f"the record names {', '.join(map(governance.part_name, declared)) or 'none'}"
            )
        yield from self._effective_order(case.record, case.state)

    def _withdrawal(self, case: _Case) -> Iterator[str]:
        if case.record.withdraws not in case.state.pending:
            yield (
                f"withdraws version {case.record.withdraws}, which is no amendment awaiting "
                "signatures"
            )
            return
        amendment = self.history.version(case.record.withdraws or 0)
        if amendment is not None and sorted(amendment.record.parts) != sorted(case.record.parts):
            yield "names other parts than the amendment it withdraws"

    def _review(self, case: _Case) -> Iterator[str]:
        yield from self._unchanged(case.record, case.touched)
        rule = case.meta.policy.rule(case.record.review or 0) if case.meta else None
        if rule is not None and (
            rule.record != "decision" or not governance.same_body(rule.body, case.record.body)
        ):
            yield f"Liite {case.record.review} is not reviewed by {case.record.body}"
        yield from self._in_order(case.record, case.state)

    def _termination(self, case: _Case) -> Iterator[str]:
        yield from self._unchanged(case.record, case.touched)
        yield from self._party(case.record, case.meta)
        if case.meta is not None and case.record.ends is not None:
            months = case.meta.policy.termination_notice_months
            ends = governance.add_months(case.record.date, months)
            if case.record.ends != ends:
                yield (
                    f"ends {case.record.ends.isoformat()}, but {months} months after the notice of "
                    f"{case.record.date.isoformat()} is {ends.isoformat()}"
                )

    def _signatures(self, case: _Case) -> Iterator[str]:
        yield from self._unchanged(case.record, case.touched)
        if case.record.version not in case.state.pending:
            yield (
                f"signatures for version {case.record.version}, which is no amendment awaiting them"
            )
        if not case.record.copies:
            yield "a signatures record without the signed copies' Tymdocs-Signed-Copy"
        stored = {c.path: c.new for c in case.commit.changes}
        for copy in case.record.copies:
            if copy.path is None:
                continue
            blob = stored.get(copy.path)
            if blob is None or blob == git.ZERO:
                yield f"names {copy.path}, which this commit does not add"
            elif hashlib.sha256(self.contents[blob]).hexdigest() != copy.sha256:
                yield f"{copy.path} does not have the SHA-256 the record names"

    # -- shared checks ------------------------------------------------------------------------

    def _unchanged(self, record: Record, touched: tuple[git.Change, ...]) -> Iterator[str]:
        if touched:
            paths = ", ".join(c.path for c in touched)
            yield f"a {record.kind} record changes no source, but this commit changes {paths}"

    def _declared(self, record: Record, annexes: dict[int, str]) -> Iterator[str]:
        declared = {p for p in record.parts if p.startswith("annex-")}
        actual = {annex_part(n) for n in annexes}
        for part in sorted(actual - declared):
            yield f"changes Liite {part[6:]}, which the record does not name in Tymdocs-Parts"
        for part in sorted(declared - actual):
            yield f"names Liite {part[6:]} in Tymdocs-Parts but does not change it"

    def _party(self, record: Record, meta: Metadata | None) -> Iterator[str]:
        if meta is not None and all(p.id != record.party for p in meta.parties):
            yield f"party {record.party!r} is not a party of the agreement"

    def _in_order(self, record: Record, state: _State) -> Iterator[str]:
        body = governance.body_key(record.body or "")
        if (body, record.date, record.section) in state.cited:
            yield f"{record.body} {record.date.isoformat()} § {record.section} is recorded twice"
        previous = state.decisions.get(body)
        if previous is not None and record.date < previous.date:
            yield (
                f"{record.body} {record.date.isoformat()} § {record.section} comes after its "
                f"decision of {previous.date.isoformat()} § {previous.section}: "
                "decision dates go backwards"
            )

    def _effective_order(self, record: Record, state: _State) -> Iterator[str]:
        start = record.effective or record.date
        for part in record.parts:
            earlier = state.effective.get(part)
            if earlier is not None and start < earlier:
                yield (
                    f"{governance.part_name(part)} takes effect {start.isoformat()}, before the "
                    f"change recorded earlier takes effect ({earlier.isoformat()})"
                )

    def _main_parts(self, commit: git.LogEntry) -> list[str] | None:
        """Which parts of the main text the commit changes, from the two models."""
        from tymdocs.checks import validate
        from tymdocs.sources import GitTree

        if not commit.parents:
            return None
        old = validate(GitTree(self.root, commit.parents[0])).agreement
        new = validate(GitTree(self.root, commit.commit)).agreement
        return governance.main_parts(old, new) if old and new else None

    def _lacks(self, touched: Iterable[git.Change], meta: Metadata | None) -> str:
        main = [c.path for c in touched if is_main_text(c.path)]
        if main:
            return (
                f"changes the main text ({', '.join(main)}) without a record: it needs an "
                "amendment signed by every party (tymdocs amend)"
            )
        needs = []
        for number in sorted(self._annexes(touched)):
            rule = meta.policy.rule(number) if meta else None
            if rule is None or rule.record == "decision":
                body = rule.body if rule else "the steering group"
                needs.append(f"Liite {number} needs a decision of {body} (tymdocs approve)")
            elif rule.record == "notice":
                needs.append(f"Liite {number} needs an organisation's notice (tymdocs notice)")
            else:
                needs.append(f"Liite {number} needs an amendment (tymdocs amend)")
        paths = ", ".join(c.path for c in touched)
        return f"changes {paths} without a record: " + ("; ".join(needs) or "it needs one")
