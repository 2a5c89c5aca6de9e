"""Writing a set of outputs into a directory: only what tymdocs wrote is ever replaced.

Used by every command that writes files for people to read (``build``, ``diff``). Everything
is rendered in memory first. The directory is shared: a user's own notes and the ``diff-*``
report folders inside ``build/`` are not ours, and survive every build.

Where the system can exchange two directories in one step (Linux ``renameat2``, macOS
``renamex_np``), the whole set changes at one instant:

1. the new set is written into ``.<out>.tymdocs-swap`` beside ``out``, and everything in
   ``out`` that tymdocs did not write is linked into it (hard links: nothing is copied);
2. the two directories are exchanged: ``out`` is now the new set, the other the old one;
3. what appeared in the old one meanwhile is moved over, then the old set is deleted.

A kill at any instant leaves under ``out`` either the old complete set or the new one, and
the user's files with either. Elsewhere the files are replaced one by one, each always
complete under its own name: every new file is written as ``.tymdocs-new.<name>``, the old
``manifest.json`` is moved aside to ``.tymdocs-old.manifest.json`` (so no manifest claims a
half-replaced set), each new file is renamed into place with the manifest last, and old
outputs the new manifest does not list are deleted.

An interrupted swap is finished or undone by the next one, which deletes every leftover.
Writers to one directory take turns (``flock`` on the folder that holds it).
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
from pathlib import Path
from typing import Any

from tymdocs.errors import BuildError, UsageError

MANIFEST = "manifest.json"
NEW = ".tymdocs-new."
"""The prefix of a file being written, before it is renamed into place."""
OLD_MANIFEST = ".tymdocs-old." + MANIFEST
"""The previous manifest while its files are being replaced."""


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
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot write to {out}: {exc.strerror}") from exc
    with _locked(out.parent):
        _clean_beside(out)
        owned = _owned(out, kind, owner) if out.is_dir() else set()
        names = [output.name for output in outputs]
        for name in names:
            target = out / name
            if target.is_symlink() or target.is_dir():
                raise UsageError(f"{target} is not a file tymdocs wrote: refusing to replace it")
            if target.exists() and name not in owned:
                raise UsageError(
                    f"{target} was not written by tymdocs (no {MANIFEST} of it lists it): "
                    "refusing to overwrite it"
                )
        try:
            if not _exchange_sets(out, outputs, owned):
                out.mkdir(exist_ok=True)
                _remove_leftovers(out)
                _swap(out, outputs, owned - set(names))
        except OSError as exc:
            raise BuildError(f"cannot write {out}: {exc.strerror}") from exc


def _exchange_sets(out: Path, outputs: list[Output], owned: set[str]) -> bool:
    """Steps 1 to 3 of the module's docstring; False, with nothing changed, where the system
    or the file system cannot exchange directories."""
    staging = _staging(out)
    theirs = (
        [entry for entry in out.iterdir() if entry.name not in owned and not _ours(entry.name)]
        if out.is_dir()
        else []
    )
    if out.is_dir() and not _can_exchange():
        return False
    staging.mkdir()
    for output in outputs:
        _write(staging / output.name, output.data)
    for entry in theirs:
        _link_tree(entry, staging / entry.name)
    if not out.is_dir():
        os.rename(staging, out)
        return True
    shutil.copystat(out, staging)
    try:
        _exchange(staging, out)
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
        shutil.rmtree(staging)  # this file system cannot: nothing was changed
        return False
    for entry in staging.iterdir():  # written by someone else while the set was prepared
        if entry.name not in owned and not (out / entry.name).exists() and not _ours(entry.name):
            os.replace(entry, out / entry.name)
    shutil.rmtree(staging)
    return True


_UNSUPPORTED = {
    errno.EINVAL,
    errno.ENOSYS,
    errno.ENOTSUP,
    errno.EOPNOTSUPP,
    errno.EXDEV,
    errno.EBUSY,
}
"""What ``_exchange`` fails with where the file system cannot exchange (or ``out`` is a mount
point)."""


def _staging(out: Path) -> Path:
    return out.parent / f".{out.name}.tymdocs-swap"


def _ours(name: str) -> bool:
    """The temporary files of the file-by-file swap."""
    return name.startswith(NEW) or name == OLD_MANIFEST


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    path.chmod(0o644)


def _link_tree(source: Path, target: Path) -> None:
    """``source`` again under ``target``: files as hard links (copies where the file system
    has none), folders recreated, symbolic links as links to the same place."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        target.mkdir()
        for entry in source.iterdir():
            _link_tree(entry, target / entry.name)
        shutil.copystat(source, target)
    else:
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            shutil.copy2(source, target, follow_symlinks=False)


def _can_exchange() -> bool:
    """Whether this system has an atomic exchange of two paths."""
    return sys.platform in ("linux", "darwin") and _exchange_function() is not None


def _exchange_function() -> Any:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return getattr(libc, "renameat2" if sys.platform == "linux" else "renamex_np", None)


def _exchange(first: Path, second: Path) -> None:
    """Exchange two directories in one step: each is, at every instant, one or the other."""
    import ctypes

    function = _exchange_function()
    a, b = os.fsencode(first), os.fsencode(second)
    if sys.platform == "linux":
        at_fdcwd, rename_exchange = -100, 2
        result = function(at_fdcwd, a, at_fdcwd, b, rename_exchange)
    else:
        rename_swap = 2
        result = function(a, b, rename_swap)
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number), str(second))


def _swap(out: Path, outputs: list[Output], stale: set[str]) -> None:
    """The file-by-file swap of the module's docstring; the manifest is last in ``outputs``."""
    ordered = sorted(outputs, key=lambda output: output.name == MANIFEST)
    for output in ordered:
        _write(out / f"{NEW}{output.name}", output.data)
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
    of a swap that was interrupted included."""
    owned: set[str] = set()
    for name in (MANIFEST, OLD_MANIFEST, NEW + MANIFEST):
        path = out / name
        if not path.exists():
            continue
        data = read_manifest(path)
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
        owned.add(MANIFEST)
        for entry in data.get("outputs", []):
            path_ = entry.get("path") if isinstance(entry, dict) else None
            if isinstance(path_, str) and _plain_name(path_):
                owned.add(path_)
    return owned


def _plain_name(name: str) -> bool:
    """A file name directly inside the directory: never a path that leads elsewhere."""
    return name not in ("", ".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def _remove_leftovers(out: Path) -> None:
    """The temporary files of earlier swaps that were interrupted before their renames."""
    for entry in out.iterdir():
        if entry.name.startswith(NEW) and entry.is_file() and not entry.is_symlink():
            entry.unlink()


def _clean_beside(out: Path) -> None:
    """Delete what interrupted swaps left beside ``out``.

    The folder of an interrupted exchange is incomplete, or the old set. Earlier tymdocs
    swapped whole directories through ``.<out>-new-*`` and ``.<out>-old-*``: a kill between its
    two renames left the previous set only in the latter, so that is put back when ``out`` is
    missing."""
    staging = _staging(out)
    if staging.is_dir() and not staging.is_symlink():
        shutil.rmtree(staging)
    for entry in sorted(out.parent.iterdir()):
        name = entry.name
        retired = name.startswith(f".{out.name}-old-")
        if not (retired or name.startswith(f".{out.name}-new-")) or entry.is_symlink():
            continue
        if not entry.is_dir():
            continue
        inner = entry / out.name
        if retired and inner.is_dir() and not out.exists():
            os.replace(inner, out)
        shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (the one that holds the outputs' directory, which
    is exchanged), so two writers never interleave their swaps."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock, each swap still leaves complete files
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


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
