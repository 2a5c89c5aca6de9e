"""The door to git: every ``git`` process tymdocs runs starts here, but the one with which
:mod:`tymdocs.quick` decides that a build has nothing to do before the rest loads.

Plain ``git`` subprocesses, batched where it matters: a tree is listed once and its blobs read
in one ``cat-file --batch``; the history is one ``git log`` carrying trailers and changed paths,
never one process per commit. Paths are given and returned relative to the directory the
caller names (the agreement root), which may be a subfolder of the repository.

This module knows git, not agreements: it imports nothing else from tymdocs but the errors and
the environment every git process runs with (:data:`tymdocs.quick.GIT_ENVIRONMENT`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tymdocs.errors import GitError, GitMissingError, UsageError
from tymdocs.quick import GIT_ENVIRONMENT

ZERO = "0" * 40


_SETTINGS = (
    "-c",
    "log.showRoot=true",
    "-c",
    "log.showSignature=false",
    "-c",
    "color.ui=never",
    "-c",
    "core.quotePath=true",
    "-c",
    "i18n.logOutputEncoding=UTF-8",
    "-c",
    "trailer.separators=:",
    "-c",
    "core.pager=cat",
    "-c",
    "i18n.commitEncoding=UTF-8",
    "-c",
    "core.commentChar=#",
)
"""What tymdocs parses is read with its own settings, whatever the user's configuration."""


def _git(
    cwd: Path,
    *args: str,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *_SETTINGS, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            env={**os.environ, **GIT_ENVIRONMENT, **(env or {})},
        )
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and exc.filename == "git":
            raise GitMissingError(
                "git is not installed or not on PATH: tymdocs needs it to read and record "
                "versions of the agreement"
            ) from None
        raise GitError(f"git could not run in {cwd}: {exc.strerror}") from exc
    if completed.returncode not in ok:
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return completed.stdout


# -- where we are -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepoState:
    """What a command must know before it reads or records: the repository around ``root``."""

    prefix: str
    """``root`` relative to the repository's top folder, '' or ending in '/'."""
    head: str | None
    """The commit HEAD points at; None in a repository without commits."""
    branch: str | None
    """The branch HEAD is on; None when HEAD is detached."""
    operation: str | None
    """A merge, rebase, cherry-pick or revert in progress, by name."""
    index: Path | None = None
    """The index file (``git rev-parse --git-path index``)."""
    shallow: Path | None = None
    """Where a shallow clone lists the commits its history starts at (:func:`shallow_boundary`),
    asked here with the rest."""


_OPERATIONS = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
)


def repo_state(root: Path) -> RepoState | None:
    """The repository ``root`` lies in, or None when it lies in none: one ``git rev-parse``
    where HEAD is on a commit (the start of nearly every command); apart, as that one cannot
    say, before the first commit or beside a ref named HEAD (a tag, say)."""
    args = ["rev-parse", "--show-prefix", "--git-path", "index"]
    for name, _ in _OPERATIONS:
        args += ["--git-path", name]
    args += ["--path-format=absolute", "--git-path", "shallow"]
    asked = 1 + args.count("--git-path")  # the lines of ``args``: the prefix, then each path
    try:
        # Then HEAD's commit and the branch it is on ("HEAD" where it is detached).
        found = _in_repository(root, *args, "HEAD^{commit}", "--symbolic-full-name", "HEAD", "--")
    except GitError:  # no commit yet
        found = b""
    if found is None:
        return None
    lines = _lines(found)
    if len(lines) != asked + 3 or lines[-1] != "--":
        found = _in_repository(root, *args)
        if found is None:
            return None
        branch = _git(root, "symbolic-ref", "--quiet", "HEAD", ok=(0, 1)).decode().strip()
        lines = [*_lines(found), _head(root) or "", branch, "--"]
    prefix, index, *paths, shallow, head, branch, _ = lines
    underway = [
        what for (_, what), path in zip(_OPERATIONS, paths, strict=True) if (root / path).exists()
    ]
    return RepoState(
        prefix,
        head or None,
        None if branch in ("", "HEAD") else branch,
        underway[0] if underway else None,
        root / index,
        Path(shallow),
    )


def _lines(output: bytes) -> list[str]:
    """git's answer a line each, split at line feeds only: a branch's name may hold U+2028."""
    return output.decode().removesuffix("\n").split("\n")


def is_repository(root: Path) -> bool:
    """Whether ``root`` lies inside a git work tree."""
    found = _in_repository(root, "rev-parse", "--is-inside-work-tree")
    return found is not None and found.strip() == b"true"


_C_LOCALE = {"LC_ALL": "C"}
"""For the one answer read from git's words: untranslated."""


def _in_repository(root: Path, *args: str) -> bytes | None:
    """What ``git rev-parse`` ``args`` says in ``root``, or None when ``root`` lies in no
    repository. Only that may mean "no history here": a broken repository or one git refuses
    to use (another owner's) is an error, as is a missing git."""
    try:
        return _git(root, *args, env=_C_LOCALE)
    except GitError as exc:
        if "not a git repository" in str(exc):
            return None
        raise


def resolve_commit(root: Path, rev: str) -> str:
    """The full id of the commit ``rev`` names (a branch, tag, or abbreviated id)."""
    if rev.startswith("-"):
        raise UsageError(f"not a revision: {rev!r}")
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", ok=(0, 1))
    if not found.strip():
        raise UsageError(f"unknown revision {rev!r}: no such commit, branch or tag")
    return found.decode().strip()


def rev_list(root: Path, revision_range: str) -> list[str]:
    """The commits of a range such as ``main..HEAD``, newest first."""
    if revision_range.startswith("-"):
        raise UsageError(f"not a revision range: {revision_range!r}")
    try:
        return _git(root, "rev-list", revision_range, "--").decode().split()
    except GitError as exc:
        raise UsageError(f"not a revision range: {revision_range!r} ({exc})") from None


# -- the working tree -------------------------------------------------------------------------


def hash_files(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """The blob id each working-tree file would have (after git's filters), writing nothing:
    neither the object store nor the index."""
    listed = list(paths)
    if not listed:
        return {}
    stdin = "".join(f"{root / path}\n" for path in listed).encode()
    ids = _git(root, "hash-object", "--stdin-paths", stdin=stdin).decode().split()
    return dict(zip(listed, ids, strict=True))


def file_state(root: Path, path: str) -> str | None:
    """How git holds one working-tree file: 'untracked', 'changed' (against HEAD, staged or
    not) or 'clean'; None when ``root`` lies in no repository."""
    listed = _in_repository(root, "ls-files", "-z", "--", path)
    if listed is None:
        return None
    if not listed.strip(b"\0"):
        return "untracked"
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no", "--", path)
    return "changed" if status.strip(b"\0") else "clean"


# -- trees and blobs ----------------------------------------------------------------------------


SYMLINK_MODE = "120000"
"""The mode git gives a symbolic link: its blob holds the link's target, not a file's text."""


_COMMIT_ID = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


def is_commit_id(rev: str) -> bool:
    """Whether ``rev`` is a whole object id (SHA-1 or SHA-256), which names the same commit,
    tree and history for good, not a name that may move (a branch, HEAD, an abbreviation)."""
    return _COMMIT_ID.fullmatch(rev) is not None


_listings: dict[tuple[Path, str, tuple[str, ...]], dict[str, tuple[str, str]]] = {}
"""Trees listed in this process, by agreement root, commit id and pathspecs: a commit's tree
never changes."""
_contents: dict[tuple[Path, str], bytes] = {}
"""Blobs read in this process, by agreement root and blob id, oldest first: a blob's content
never changes."""
_KEPT_LISTINGS = 64
_KEPT_BYTES = 32 << 20
"""What the process keeps of what it read: the sources of some versions, whatever their
number; beyond, the oldest are read again if asked for."""


def list_entries(root: Path, commit: str, pathspecs: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Every blob under ``pathspecs`` in ``commit``: relative path -> (mode, blob id); a
    commit given by its id is listed once per process."""
    specs = tuple(pathspecs)
    key = (root.resolve(), commit, specs)
    if key in _listings:
        return dict(_listings[key])
    listing = _git(root, "ls-tree", "-r", "-z", commit, "--", *specs)
    blobs: dict[str, tuple[str, str]] = {}
    for entry in filter(None, listing.split(b"\0")):
        meta, _, path = entry.decode().partition("\t")
        mode, kind, blob = meta.split()
        if kind == "blob":
            blobs[path] = (mode, blob)
    if is_commit_id(commit):
        _listings[key] = dict(blobs)
        for old in list(_listings)[:-_KEPT_LISTINGS]:
            del _listings[old]
    return blobs


def read_blobs(root: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The content of every blob, those not read before in this process in one
    ``git cat-file --batch`` process."""
    where = root.resolve()
    order = list(dict.fromkeys(blobs))
    contents = {blob: _contents[where, blob] for blob in order if (where, blob) in _contents}
    unread = [blob for blob in order if blob not in contents]
    if not unread:
        return contents
    output = _git(root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in unread).encode())
    offset = 0
    for blob in unread:
        header_end = output.index(b"\n", offset)
        header = output[offset:header_end].split()
        if header[-1] == b"missing":
            raise GitError(f"git cat-file: blob {blob} is missing")
        size = int(header[2])
        start = header_end + 1
        contents[blob] = _contents[where, blob] = output[start : start + size]
        offset = start + size + 1
    _keep_within(_KEPT_BYTES)
    return {blob: contents[blob] for blob in order}


def _keep_within(size: int) -> None:
    """Forget the oldest blobs read until those kept hold at most ``size`` bytes."""
    total = sum(map(len, _contents.values()))
    for key in list(_contents):
        if total <= size:
            break
        total -= len(_contents.pop(key))


# -- history ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One path a commit changed: its blob before and after (``ZERO`` when absent)."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class LogEntry:
    """One commit as the history reads: id, parents, time, subject, trailers, changed paths,
    and its message without the trailers."""

    commit: str
    parents: tuple[str, ...]
    time: int
    subject: str
    trailers: tuple[tuple[str, str], ...]
    changes: tuple[Change, ...]
    signature: str = ""
    """``%G?``: G good, U good but untrusted, B bad, N none, ... ('' when not asked for)."""
    text: str = ""
    """The message without its trailer block, as written (subject and body, its lines kept)."""


def log(
    root: Path, rev: str = "HEAD", *, changes: bool = True, signatures: bool = False
) -> list[LogEntry]:
    """Every commit reachable from ``rev``, newest first (parents after children), with the
    paths each changed under ``root`` (a merge: against its first parent), unless
    ``changes`` is False; with ``signatures``, each commit's ``%G?``.

    One ``git log`` process, however long the history. Fields are NUL-separated: a commit
    message cannot hold a NUL, so no subject or trailer can break the parse.
    """
    fields = [
        "%H",
        "%P",
        "%ct",
        "%s",
        "%(trailers:only,unfold)",
        "%(trailers)",  # the trailer block verbatim: what the message is without
        "%B",
        *(["%G?"] if signatures else []),
    ]
    pretty = "--format=" + "%x00".join(fields) + "%x00"
    paths = ["--raw", "--no-abbrev", "--no-renames", "--relative", "--diff-merges=first-parent"]
    output = _git(root, "log", "-z", "--topo-order", *(paths if changes else []), pretty, rev, "--")
    tokens = output.decode("utf-8", errors="replace").split("\0")
    entries = []
    index = 0
    while index < len(tokens):
        if not tokens[index].strip():
            index += 1
            continue
        values = tokens[index : index + len(fields)]
        index += len(fields)
        found = []
        while index < len(tokens):
            token = tokens[index].lstrip("\n")
            if not token:
                index += 1
                continue
            if not token.startswith(":") or index + 1 >= len(tokens):
                break
            found.append(_raw_change(token, tokens[index + 1]))
            index += 2
        commit, parents, time, subject, trailers, block, message = values[:7]
        entries.append(
            LogEntry(
                commit=commit.strip(),
                parents=tuple(parents.split()),
                time=int(time),
                subject=subject,
                trailers=_trailers(trailers),
                changes=tuple(found),
                signature=values[7] if signatures else "",
                text=_without(message, block),
            )
        )
    return entries


def _without(message: str, block: str) -> str:
    """``message`` without its trailer ``block`` (``%(trailers)``: the block git found, as
    written, which ends the message or comes before a ``---`` line), stripped."""
    at = message.rfind(block) if block else -1
    if at >= 0:
        message = message[:at] + message[at + len(block) :]
    return message.strip()


def _trailers(text: str) -> tuple[tuple[str, str], ...]:
    """``key: value`` lines, split where git splits them: at LF only (a form feed or U+2028
    inside a value stays in the value, where the record's reader finds it)."""
    found = []
    for line in text.split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip():
            found.append((key.strip(), value.strip()))
    return tuple(found)


def _raw_change(meta: str, path: str) -> Change:
    """``:old-mode new-mode old-blob new-blob status`` and its path."""
    words = meta.lstrip(":").split()
    return Change(path, words[2], words[3])


def parse_trailers(root: Path, message: str) -> tuple[tuple[str, str], ...]:
    """The trailers git reads from ``message`` (``git interpret-trailers --parse``)."""
    parsed = _git(root, "interpret-trailers", "--parse", stdin=message.encode())
    return _trailers(parsed.decode("utf-8", errors="replace"))


# -- writing ------------------------------------------------------------------------------------


def commit_paths(
    state: RepoState,
    root: Path,
    message: str,
    paths: Iterable[str],
    *,
    new_files: Mapping[str, bytes] | None = None,
    sign: bool = False,
    tag: tuple[str, str | None] | None = None,
) -> str:
    """Commit the working-tree content of ``paths`` and the ``new_files`` given as bytes on
    top of ``state.head``, leaving every other path, staged or not, exactly as it was; with
    ``tag`` (name, commit or None for the new one), tag it in the same step.

    The commit is built in a temporary index. Then, holding git's lock on the real index, the
    index as it will be (its entries of exactly these paths set to the committed ones) is
    written into the lock, ``new_files`` (which must not exist) are written, and the branch and
    the tag move together in one ``update-ref`` transaction that fails if HEAD has moved since
    ``state`` was read; last the lock becomes the index. On any failure the new files and
    folders are removed, the lock released, and nothing has changed; a lock another process
    holds refuses the record before anything is written. Paths are relative to ``root``.
    """
    import shutil  # with tempfile, 2 ms that only recording needs
    import tempfile

    if state.head is None or state.branch is None:
        raise GitError("cannot commit: HEAD is detached or has no commit")
    listed = list(paths)
    new_files = dict(new_files or {})
    every = [*listed, *new_files]
    with tempfile.TemporaryDirectory(prefix="tymdocs-index-") as temp:
        index = {"GIT_INDEX_FILE": str(Path(temp) / "index")}
        _git(root, "read-tree", state.head, env=index)
        if listed:
            stdin = b"".join(path.encode() + b"\0" for path in listed)
            _git(root, "update-index", "--add", "--remove", "-z", "--stdin", stdin=stdin, env=index)
        entries = []
        for path, data in new_files.items():
            blob = _git(root, "hash-object", "-w", "--stdin", stdin=data).decode().strip()
            entries.append(f"100644 {blob}\t{state.prefix}{path}\0".encode())
        if entries:
            _git(root, "update-index", "-z", "--index-info", env=index, stdin=b"".join(entries))
        tree = _git(root, "write-tree", env=index).decode().strip()
        staged = _git(root, "ls-files", "-s", "-z", "--full-name", "--", *every, env=index)
        sign = sign or config_flag(root, "commit.gpgsign")  # the repository's own setting
        command = ["commit-tree", tree, "-p", state.head, *(["-S"] if sign else []), "-F", "-"]
        commit = _git(root, *command, stdin=message.encode()).decode().strip()
        # Under git's own lock on the index, the index as it will be is built from a copy of
        # it: HEAD, the index and the new files change together, or none of them.
        index_file = state.index or root / ".git" / "index"
        lock = index_file.with_name(index_file.name + ".lock")
        try:
            held = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            raise GitError(
                f"another git process holds {lock.name}: nothing was recorded; try again when "
                "it has finished"
            ) from None
        written: list[Path] = []
        moved = False
        journal: int | None = None
        try:
            future = Path(temp) / "future-index"
            if index_file.exists():
                shutil.copy2(index_file, future)  # its time tells git what is racily clean
            future_env = {"GIT_INDEX_FILE": str(future)}
            _take_into_index(root, state.prefix, every, staged, future_env)
            # the entries just set carry no file times: refresh them, as git commit would
            _git(root, "update-index", "-q", "--refresh", env=future_env, ok=(0, 1))
            content = future.read_bytes()
            with os.fdopen(held, "wb") as handle:
                handle.write(content)
            journal = _open_journal(
                index_file,
                {
                    "commit": commit,
                    "lock": hashlib.sha256(content).hexdigest(),
                    "paths": [state.prefix + path for path in every],
                    "files": {
                        state.prefix + path: hashlib.sha256(data).hexdigest()
                        for path, data in new_files.items()
                    },
                    "folders": sorted(
                        {
                            str(folder.relative_to(root).as_posix())
                            for path in new_files
                            for folder in (root / path).parents
                            if folder != root and not folder.exists()
                        },
                        key=len,
                    ),
                    "prefix": state.prefix,
                },
            )
            for path, data in new_files.items():
                written += _write_new(root, path, data)
            updates = f"update HEAD {commit} {state.head}\n"
            if tag is not None:
                updates += f"create refs/tags/{tag[0]} {tag[1] or commit}\n"
            subject = message.partition("\n")[0]
            _git(root, "update-ref", "-m", f"tymdocs: {subject}", "--stdin", stdin=updates.encode())
        except BaseException as exc:
            with contextlib.suppress(GitError, GitMissingError):
                moved = _head(root) == commit
            if moved:  # the record is made (interrupted after the refs moved)
                os.replace(lock, index_file)
                _close_journal(index_file, journal)
                raise
            for target in reversed(written):  # files, then the folders made for them
                if target.is_dir():
                    target.rmdir()
                else:
                    target.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                os.close(held)  # when it failed before the lock was written
            lock.unlink(missing_ok=True)
            _close_journal(index_file, journal)
            if isinstance(exc, OSError):
                raise GitError(f"cannot write {exc.filename}: {exc.strerror}") from exc
            raise
        os.replace(lock, index_file)
        _close_journal(index_file, journal)
    return commit


JOURNAL = "tymdocs-record.json"
"""Beside the index while a record is made: what a killed process leaves to finish or undo."""


def _open_journal(index_file: Path, data: dict[str, object]) -> int:
    """Write the journal, written once the lock holds the index to be, before anything else
    changes; held under an advisory lock for as long as the record is being made, so that
    :func:`recover` can tell a live record from a killed one."""
    import fcntl

    journal = index_file.with_name(JOURNAL)
    temporary = journal.with_name(f"{JOURNAL}.{os.getpid()}")
    handle = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        os.write(handle, json.dumps(data).encode())
        os.replace(temporary, journal)
    except BaseException:
        os.close(handle)
        temporary.unlink(missing_ok=True)
        raise
    return handle


def _close_journal(index_file: Path, handle: int | None) -> None:
    if handle is not None:
        index_file.with_name(JOURNAL).unlink(missing_ok=True)
        os.close(handle)


def recover(root: Path, state: RepoState) -> str | None:
    """Finish or undo a record whose process was killed midway, from its journal.

    The record's commit in HEAD's history: it is made; when HEAD is still that commit, the
    rest is done (the lock becomes the index, or the record's paths in the index are set to
    the commit's). Not in it: the rest is undone (its files removed where still untracked and
    unchanged, the folders made for them where empty, the lock released). Only a lock that
    holds what the record wrote is touched. What was done, or None when nothing was left."""
    import fcntl

    index_file = state.index or root / ".git" / "index"
    journal = index_file.with_name(JOURNAL)
    try:
        handle = os.open(journal, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # still at work
        data = _journal(journal, os.read(handle, 1 << 20))
        outcome = _finish(root, state, index_file, data)
        journal.unlink()
        return outcome
    finally:
        os.close(handle)


def _journal(path: Path, raw: bytes) -> dict[str, Any]:
    """The journal's fields, of the types they must have."""
    try:
        data = json.loads(raw)
        ok = (
            isinstance(data, dict)
            and all(isinstance(data.get(k), str) for k in ("commit", "lock", "prefix"))
            and isinstance(data.get("paths"), list)
            and all(isinstance(p, str) for p in data["paths"])
            and isinstance(data.get("files"), dict)
            and all(isinstance(v, str) for v in data["files"].values())
            and isinstance(data.get("folders"), list)
            and all(isinstance(f, str) for f in data["folders"])
        )
    except ValueError:
        ok = False
    if not ok:
        raise GitError(f"{path} does not read as a tymdocs journal: remove it") from None
    return data  # type: ignore[no-any-return]


def _finish(root: Path, state: RepoState, index_file: Path, data: dict[str, Any]) -> str:
    lock = index_file.with_name(index_file.name + ".lock")
    ours = lock.exists() and hashlib.sha256(lock.read_bytes()).hexdigest() == data["lock"]
    commit = data["commit"]
    top = _top(root, state.prefix)
    base = _git(top, "merge-base", commit, "HEAD", ok=(0, 1, 128)).decode().strip()
    if base == commit:  # in HEAD's history: the record is made
        if _head(root) == commit:
            if ours:
                os.replace(lock, index_file)
            elif not lock.exists():  # the lock was taken away: set the record's entries
                _git(top, "reset", "-q", commit, "--", *data["paths"], ok=(0, 1))
        return f"finished the record {commit[:12]}, which a killed tymdocs left half made"
    tracked = set(
        _git(top, "ls-files", "-z", "--full-name", "--", *data["files"]).decode().split("\0")
    )
    for name, digest in data["files"].items():
        target = top / name
        if name in tracked or not _inside(top, target):
            continue
        with contextlib.suppress(OSError):
            if hashlib.sha256(target.read_bytes()).hexdigest() == digest:
                target.unlink()
    for folder in reversed(data["folders"]):
        target = root / folder
        if _inside(top, target):
            with contextlib.suppress(OSError):
                target.rmdir()  # only when empty
    if ours:
        lock.unlink()
    return "undid a record a killed tymdocs left half made: nothing of it remains"


def _top(root: Path, prefix: str) -> Path:
    """The repository's top folder, from the agreement root and its prefix."""
    top = root.resolve()
    for _ in filter(None, prefix.split("/")):
        top = top.parent
    return top


def _inside(top: Path, target: Path) -> bool:
    return target.resolve().is_relative_to(top)
    return True


def _head(root: Path) -> str | None:
    """The commit HEAD points at; None in a repository without commits."""
    found = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", ok=(0, 1))
    return found.decode().strip() or None


def _write_new(root: Path, path: str, data: bytes) -> list[Path]:
    """Write a file that must not exist, and the folders it needs: every path made, in
    order, so that a failure can take them away again."""
    target = root / path
    made = [folder for folder in reversed(target.parents) if not folder.exists()]
    for folder in made:
        folder.mkdir()
    with target.open("xb") as handle:
        made.append(target)
        handle.write(data)
    return made


def _take_into_index(
    root: Path, prefix: str, paths: list[str], staged: bytes, env: Mapping[str, str]
) -> None:
    """Set an index's entries of ``paths`` to the committed ones (``ls-files -s``)."""
    lines = []
    present = set()
    for entry in filter(None, staged.split(b"\0")):
        meta, _, full = entry.partition(b"\t")
        mode, blob, _stage = meta.split()
        present.add(full.decode())
        lines.append(mode + b" " + blob + b"\t" + full + b"\0")
    for path in paths:
        if prefix + path not in present:
            lines.append(f"0 {ZERO}\t{prefix}{path}\0".encode())
    if lines:
        _git(root, "update-index", "-z", "--index-info", stdin=b"".join(lines), env=env)


def init_repository(root: Path, message: str | None) -> str | None:
    """A new repository in ``root`` on the branch ``main``; with ``message``, its first commit
    of every file in ``root`` (what ``tymdocs init`` wrote), whose id is returned. Author and
    committer are git's own settings, as for any commit the user makes."""
    _git(root, "init", "--quiet", "--initial-branch=main")
    if message is None:
        return None
    _git(root, "add", "--all", "--", ".")
    _git(root, "commit", "--quiet", "--no-verify", "-F", "-", stdin=message.encode())
    return _head(root)


def config_flag(root: Path, key: str) -> bool:
    """A boolean setting of git's configuration for ``root`` (false where unset)."""
    found = _git(root, "config", "--type=bool", "--get", key, ok=(0, 1))
    return found.decode().strip() == "true"


def shallow_boundary(root: Path, listed: Path | None = None) -> tuple[str, ...]:
    """The commits a shallow clone's history starts at (their parents are not in it), or
    nothing for a whole history: what the file ``listed`` (``git rev-parse --git-path
    shallow``; asked here where the caller has not, as :attr:`RepoState.shallow`) holds. git
    takes a repository as shallow exactly where that file exists and is not empty."""
    if listed is None:
        answer = _git(root, "rev-parse", "--path-format=absolute", "--git-path", "shallow")
        listed = Path(answer.decode().strip())
    try:
        return tuple(listed.read_text(encoding="ascii").split())
    except FileNotFoundError:
        return ()


def tag_exists(root: Path, name: str) -> bool:
    """Whether ``refs/tags/<name>`` exists; a name git refuses is a usage error."""
    try:
        _git(root, "check-ref-format", f"refs/tags/{name}")
    except GitError:
        raise UsageError(f"not a valid tag name: {name!r}") from None
    found = _git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{name}", ok=(0, 1))
    return bool(found.strip())
