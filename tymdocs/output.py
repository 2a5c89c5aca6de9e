"""Writing a set of outputs into a directory: only what tymdocs wrote is ever replaced.

Used by every command that writes files for people to read (``build``, ``diff``). Everything
is rendered in memory first. The directory is shared: a user's own notes and the ``diff-*``
report folders inside ``build/`` are not ours, and survive every build.

Where the system can exchange two directories in one step (Linux ``renameat2``, macOS
``renamex_np``), the whole set changes at one instant:

1. the new set is written into ``.<out>.tymdocs-swap`` beside ``out``, its manifest first,
   and everything in ``out`` that tymdocs did not write is hard-linked into it;
2. the two directories are exchanged: ``out`` is now the new set, the other the old one;
3. the old one is taken apart: the files its manifest lists are deleted, and so is what the
   new one holds too (the same file linked); what the user wrote into it meanwhile is moved
   over, or, where the new one has it under that name, kept in ``<out>.tymdocs-kept-N``.

A kill at any instant leaves under ``out`` either the old complete set or the new one, with
the user's files; the next swap takes apart what is left beside it the same way, its
manifests last, so that a file of the old set is known as ours until it is gone. A swap
that fails before its set is in place (a full disk) takes away what it wrote and the
folders it made for ``out``, leaving ``out`` as it was.

Where the user's entries cannot be linked and unlinked safely (another device, a folder not
writable or of another owner, a repository, more than ``_MAX_LINKED``), or the system cannot
exchange, the files are replaced one by one instead, each always complete under its own
name: every new file is written as ``.tymdocs-new.<name>``, the old ``manifest.json`` is
moved aside to ``.tymdocs-old.manifest.json`` (so no manifest claims a half-replaced set),
each new file is renamed into place with the manifest last, and old outputs the new
manifest does not list are deleted before the manifests; the next swap finishes an
interrupted one. Names starting ``.tymdocs-new.`` are tymdocs's own.

Writers take turns: each holds a ``flock`` on the folder that holds its ``out``, and on the
folder that holds any enclosing folder of outputs (the one above ``build/`` for a report
written into ``build/diff-*``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tymdocs.errors import BuildError, UsageError
from tymdocs.quick import MANIFEST as MANIFEST

NEW = ".tymdocs-new."
"""The prefix of a file being written, before it is renamed into place."""
OLD_MANIFEST = ".tymdocs-old." + MANIFEST
"""The previous manifest while its files are being replaced."""
_MANIFESTS = frozenset({MANIFEST, OLD_MANIFEST, NEW + MANIFEST})
"""Every manifest a folder of outputs may hold, those of an interrupted swap included."""


@dataclass(frozen=True)
class Output:
    """One file of a build, with what the manifest says of it."""

    name: str
    kind: str
    data: bytes
    extra: tuple[tuple[str, Any], ...] = ()

    def entry(self) -> dict[str, Any]:
        digest = hashlib.sha256(self.data).hexdigest()
        return {
            "path": self.name,
            "kind": self.kind,
            "sha256": digest,
            "bytes": len(self.data),
        } | dict(self.extra)


def replace_directory(
    out: Path, outputs: list[Output], kind: str = "build", owner: str | None = None
) -> None:
    """Put ``outputs`` into ``out`` in place of the outputs tymdocs wrote there before.

    Refused, with nothing changed: a directory whose manifest is of another ``kind`` (a build,
    a redline report) or another ``owner`` (the agreement's id), a manifest that cannot be
    read, and a new file's name taken by a file tymdocs did not write.
    """
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"{out} exists and is not a directory")
    made = [folder for folder in (out, *out.parents) if not os.path.lexists(folder)]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        remove_empty(made)
        raise BuildError(f"cannot write to {out}: {exc.strerror}") from exc
    try:
        _replace_locked(out, outputs, kind, owner)
    except BaseException:
        remove_empty(made)  # a refusal leaves no folder it made
        raise


def remove_empty(folders: list[Path]) -> None:
    """Folders a refused or failed write made, innermost first, where they are still empty."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _replace_locked(out: Path, outputs: list[Output], kind: str, owner: str | None) -> None:
    """:func:`replace_directory` once ``out``'s folder exists: checks, then the swap, each
    writer in turn."""
    with _locked(_guarding(out)):
        try:
            _clean_beside(out)
        except OSError as exc:
            raise BuildError(f"cannot tidy what an earlier build left: {exc}") from exc
        names = [output.name for output in outputs]
        owned = check_replaceable(out, names, kind, owner)
        try:
            if not _exchange_sets(out, outputs, owned):
                out.mkdir(exist_ok=True)
                _remove_leftovers(out)
                _swap(out, outputs, owned - set(names) - _MANIFESTS)
        except OSError as exc:
            raise BuildError(f"cannot write {out}: {exc.strerror}") from exc


def check_replaceable(out: Path, names: list[str], kind: str, owner: str | None = None) -> set[str]:
    """The files tymdocs wrote into ``out`` (none where it is no folder yet), where files
    named ``names`` may take their place (:func:`replace_directory`'s refusals); a command
    that works long before it writes asks first, so that a refusal costs no work."""
    owned = _owned(out, kind, owner) if out.is_dir() else set()
    for name in names:
        refuse_unowned(out / name, name in owned)
    return owned


def refuse_unowned(target: Path, owned: bool) -> None:
    """Refuse to put a new file at ``target`` where a link or a folder stands, or a file
    tymdocs did not write (``owned``: a manifest of the folder lists it)."""
    if target.is_symlink() or target.is_dir():
        raise UsageError(f"{target} is not a file tymdocs wrote: refusing to replace it")
    if target.exists() and not owned:
        raise UsageError(
            f"{target} was not written by tymdocs (no {MANIFEST} of it lists it): "
            "refusing to overwrite it"
        )


def _exchange_sets(out: Path, outputs: list[Output], owned: set[str]) -> bool:
    """Steps 1 to 3 of the module's docstring; False, with nothing changed, where exchanging
    is not possible or not safe: then the caller swaps file by file."""
    staging = _staging(out)
    if not out.is_dir():  # the first set: one rename puts it in place
        try:
            staging.mkdir()
        except OSError:
            return False  # a link or a file of that name is not ours: left alone
        try:
            _write_set(staging, outputs)
            os.rename(staging, out)
        except BaseException:
            _discard(staging, [output.name for output in outputs])
            remove_empty([staging])
            raise
        return True
    theirs = [entry for entry in out.iterdir() if not _replaced(entry, owned)]
    if _exchange_function() is None or not _linkable(out, theirs):
        return False
    try:
        staging.mkdir()
    except OSError:
        return False  # a link or a file of that name is not ours: left alone
    try:
        _write_set(staging, outputs)
        for entry in theirs:
            _link(entry, staging / entry.name)
        shutil.copystat(out, staging)
        _rename(staging, out, exchange=True)
    except OSError:
        _retire(staging, out)  # nothing was changed: the new files and the links go
        return False
    with contextlib.suppress(OSError):  # the new set is in place; the next swap tidies up
        _retire(staging, out)
    return True


_MAX_LINKED = 10_000
"""More of the user's own entries than this in ``out``, and its files are swapped one by one:
linking them all again at every build would cost more than the exchange is worth."""


def _staging(out: Path) -> Path:
    return out.parent / f".{out.name}.tymdocs-swap"


def _ours(name: str) -> bool:
    """The temporary files of the file-by-file swap."""
    return name.startswith(NEW) or name == OLD_MANIFEST


def _replaced(entry: Path, owned: set[str]) -> bool:
    """A file tymdocs wrote, which the new set replaces or drops: one its manifests list, or
    a temporary file of the file-by-file swap (a link of that name too)."""
    if _ours(entry.name):
        return entry.is_symlink() or not entry.is_dir()
    return entry.name in owned and entry.is_file() and not entry.is_symlink()


def write_new(path: Path, data: bytes) -> None:
    """A new file: never through a link or over anything already there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with open(os.open(path, flags, 0o644), "wb") as file:
        file.write(data)


def _write_set(folder: Path, outputs: list[Output]) -> None:
    """The manifest first: whenever a new file is in ``folder``, a manifest there lists it."""
    for output in sorted(outputs, key=lambda output: output.name != MANIFEST):
        write_new(folder / output.name, output.data)


def _discard(folder: Path, names: list[str]) -> None:
    """The files of a set that was never put in place, as far as they were written into
    ``folder`` (one cut short by a full disk too)."""
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()


def _linkable(out: Path, theirs: list[Path]) -> bool:
    """Whether the user's entries in ``out`` can be linked into a folder beside it, and later
    unlinked from the old one, and the folders made anew are as they were: everything on the
    device of ``out`` and its parent, every folder (``out`` too) writable and owned by this
    user and group, not the repository itself (``-o .``), and not too many entries."""
    device = out.stat().st_dev
    if out.parent.stat().st_dev != device or not os.access(out.parent, os.W_OK | os.X_OK):
        return False
    pending = [out, *theirs]
    count = 0
    while pending:
        entry = pending.pop()
        count += 1
        if count > _MAX_LINKED or entry.name == ".git" or entry.lstat().st_dev != device:
            return False
        if entry.is_dir() and not entry.is_symlink():
            status = entry.stat()
            if (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
                return False
            if not os.access(entry, os.W_OK | os.X_OK):
                return False
            if entry != out:
                pending.extend(entry.iterdir())
    return True


def _link(source: Path, target: Path) -> None:
    """``source`` again under ``target``, nothing copied: files as hard links, folders
    recreated, symbolic links as links to the same place."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=os.link)
    else:
        os.link(source, target, follow_symlinks=False)


def _retire(old: Path, out: Path) -> None:
    """Take apart a folder a swap left beside ``out``: the old set after the exchange, or the
    new one prepared before it. The files its manifest lists go, and whatever ``out`` holds
    too (the same file linked, the same link); anything ``out`` does not have is moved into
    it. What is left (changed during the swap) is kept beside ``out``, never deleted."""
    listed = _listed(_manifests(old))
    out.mkdir(exist_ok=True)
    # The manifests last: until they go, a kill leaves every listed file known as ours.
    for entry in sorted(old.iterdir(), key=lambda entry: (entry.name in _MANIFESTS, entry.name)):
        if _replaced(entry, listed):
            entry.unlink()
        else:
            _settle(entry, out / entry.name)
    try:
        old.rmdir()
    except OSError:
        number = 1
        while os.path.lexists(out.parent / f"{out.name}.tymdocs-kept-{number}"):
            number += 1
        os.rename(old, out.parent / f"{out.name}.tymdocs-kept-{number}")


def _settle(entry: Path, there: Path) -> None:
    """``entry`` of an old folder, ``there`` its place in the new one: moved there when there
    is nothing there, removed when it is the same (a folder: entry by entry), else left."""
    with contextlib.suppress(OSError):
        if not os.path.lexists(there):
            _rename(entry, there, exchange=False)
        elif entry.is_dir() and not entry.is_symlink():
            if there.is_dir() and not there.is_symlink():
                for child in sorted(entry.iterdir()):
                    _settle(child, there / child.name)
                entry.rmdir()
        elif _same(entry, there):
            entry.unlink()


def _same(first: Path, second: Path) -> bool:
    """The same file (linked twice) or two links to the same place."""
    if first.is_symlink() or second.is_symlink():
        both = first.is_symlink() and second.is_symlink()
        return both and os.readlink(first) == os.readlink(second)
    one, other = first.lstat(), second.lstat()
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def _manifests(folder: Path) -> dict[str, dict[str, Any] | None]:
    """Every manifest in ``folder`` (those of an interrupted file-by-file swap too), read
    once: None for one that cannot be read."""
    return {
        name: read_manifest(folder / name)
        for name in sorted(_MANIFESTS)
        if (folder / name).exists()
    }


def _listed(manifests: dict[str, dict[str, Any] | None]) -> set[str]:
    """The manifests' own names and the plain names of the files they list."""
    names = set(_MANIFESTS)
    for data in manifests.values():
        outputs = (data or {}).get("outputs", [])
        paths = {entry.get("path") for entry in outputs if isinstance(entry, dict)}
        names |= {path for path in paths if isinstance(path, str) and plain_name(path)}
    return names


def prepare() -> None:
    """Load what :func:`replace_directory` swaps folders with (ctypes, 2 ms), for a caller
    that has time to spare before it writes."""
    _exchange_function()


@cache
def _exchange_function() -> Any:
    """Linux's ``renameat2`` or macOS's ``renamex_np``; None elsewhere."""
    if sys.platform not in ("linux", "darwin"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    function = getattr(libc, "renameat2" if sys.platform == "linux" else "renamex_np", None)
    if function is not None:
        function.restype = ctypes.c_int
        path = ctypes.c_char_p
        function.argtypes = (
            [ctypes.c_int, path, ctypes.c_int, path, ctypes.c_uint]
            if sys.platform == "linux"
            else [path, path, ctypes.c_uint]
        )
    return function


def _rename(source: Path, target: Path, exchange: bool) -> None:
    """Exchange two paths in one step (each is at every instant one or the other), or rename
    ``source`` to ``target`` only if nothing is there; both atomic. Where the system has
    neither, a plain rename after a check."""
    function = _exchange_function()
    if function is None:
        if exchange or os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists", str(target))
        os.rename(source, target)
        return
    import ctypes

    a, b = os.fsencode(source), os.fsencode(target)
    if sys.platform == "linux":
        at_fdcwd, rename_noreplace, rename_exchange = -100, 1, 2
        flag = rename_exchange if exchange else rename_noreplace
        result = function(at_fdcwd, a, at_fdcwd, b, flag)
    else:
        rename_swap, rename_excl = 2, 4
        result = function(a, b, rename_swap if exchange else rename_excl)
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number), str(target))


def _swap(out: Path, outputs: list[Output], stale: set[str]) -> None:
    """The file-by-file swap of the module's docstring; the manifest is last in ``outputs``."""
    ordered = sorted(outputs, key=lambda output: output.name == MANIFEST)
    try:
        for output in ordered:
            write_new(out / f"{NEW}{output.name}", output.data)
    except BaseException:  # nothing replaced yet: the new files go, the old set stays
        _discard(out, [f"{NEW}{output.name}" for output in ordered])
        raise
    if (out / MANIFEST).exists():
        os.replace(out / MANIFEST, out / OLD_MANIFEST)
    for output in ordered:
        os.replace(out / f"{NEW}{output.name}", out / output.name)
    for name in sorted(stale):
        target = out / name
        if target.is_file() and not target.is_symlink():
            target.unlink()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(out / OLD_MANIFEST)


def _owned(out: Path, kind: str, owner: str | None) -> set[str]:
    """The names of the files tymdocs wrote into ``out``: every file its manifests list, those
    of a swap that was interrupted included, once each manifest is known to be ours."""
    manifests = _manifests(out)
    for name, data in manifests.items():
        path = out / name
        if data is None:
            if name != MANIFEST:
                continue  # an interrupted write: the next steps replace it
            raise UsageError(
                f"{path} cannot be read as a tymdocs manifest: refusing to write into {out}"
            )
        found = _kind_of(data)
        if found != kind:
            raise UsageError(f"{out} holds the outputs of a {found}: refusing to replace them")
        other = _owner_of(data)
        if owner is not None and other is not None and other != owner:
            raise UsageError(
                f"{out} holds the outputs of agreement {other!r}: refusing to replace them "
                "(remove them, or build into another folder with -o)"
            )
    return _listed(manifests)


def plain_name(name: str) -> bool:
    """A file name directly inside the directory: never a path that leads elsewhere."""
    return name not in ("", ".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def _remove_leftovers(out: Path) -> None:
    """The temporary files of earlier swaps that were interrupted before their renames."""
    for entry in out.iterdir():
        if entry.name.startswith(NEW) and (entry.is_symlink() or entry.is_file()):
            entry.unlink()


def _clean_beside(out: Path) -> None:
    """Take apart the folder an interrupted exchange left beside ``out`` (the new set being
    prepared, or the old one): see :func:`_retire`. A link of that name is not ours."""
    staging = _staging(out)
    if staging.is_dir() and not staging.is_symlink():
        _retire(staging, out)


def _guarding(out: Path) -> list[Path]:
    """The folders whose locks a writer of ``out`` holds, outermost first: the one that holds
    ``out`` (which is exchanged), and the one that holds each enclosing folder of outputs
    (``build/`` for a report in ``build/diff-*`` or deeper), so a build never exchanges
    ``build/`` while a report is being written anywhere inside it."""
    held = [out.resolve().parent]
    for folder in out.resolve().parents:
        if folder.parent != folder and "outputs" in (read_manifest(folder / MANIFEST) or {}):
            held.append(folder.parent)
    return sorted(set(held), key=lambda folder: len(folder.parts))


@contextlib.contextmanager
def _locked(folders: list[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each of ``folders``, in order, so two writers never
    interleave their swaps."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock, each swap still leaves complete files
        yield
        return
    with contextlib.ExitStack() as held:
        for number, folder in enumerate(folders):
            try:
                fd = os.open(folder, os.O_RDONLY)
            except OSError:
                if number == len(folders) - 1:
                    raise  # the folder that holds ``out``: it must be ours to write in
                continue  # an enclosing folder this user may not read: nothing to guard
            held.callback(os.close, fd)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield


def dump_json(data: dict[str, Any]) -> bytes:
    """A manifest or report as tymdocs writes JSON files: indented, keys sorted, UTF-8 as
    written (``ä``, not ``\\u00e4``), a newline at the end; the same bytes for the same data."""
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def read_manifest(path: Path) -> dict[str, Any] | None:
    """A ``manifest.json`` as a mapping; None when it is missing or unreadable (a nesting
    too deep for the parser included)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _kind_of(data: dict[str, Any]) -> str:
    """What wrote the outputs a manifest lists (a build's manifest names no kind)."""
    kind = data.get("kind", "build")
    return kind if isinstance(kind, str) else "unknown"


def _owner_of(data: dict[str, Any]) -> str | None:
    """The id of the agreement a manifest's outputs are of, when it names one."""
    agreement = data.get("agreement")
    found = agreement.get("id") if isinstance(agreement, dict) else None
    return found if isinstance(found, str) else None
