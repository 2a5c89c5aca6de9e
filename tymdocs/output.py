"""Writing a set of outputs into a directory: only what tymdocs wrote is ever replaced.

Used by every command that writes files for people to read (``build``, ``diff``). Everything
is rendered in memory first. The directory is shared: a user's own notes and the ``diff-*``
report folders inside ``build/`` are not ours, so the directory is never swapped as a whole.
Instead the new files are written beside the old ones under temporary names and renamed into
place one by one, so that every file under its own name is always complete:

1. every new file, the manifest too, is written as ``.tymdocs-new.<name>``;
2. the old ``manifest.json`` is moved aside to ``.tymdocs-old.manifest.json``: while files are
   being replaced no manifest claims a set that is half old and half new;
3. each new file is renamed over its name, the new manifest last;
4. the old outputs the new manifest does not list are deleted, then the old manifest.

A ``manifest.json`` in place therefore always matches the files it lists. An interrupted swap
is finished by the next one: it reads which files it owns from all three manifests and
deletes the temporary files of earlier runs. Writers to one directory take turns (``flock``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
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
    _restore_retired(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot write to {out}: {exc.strerror}") from exc
    with _locked(out):
        owned = _owned(out, kind, owner)
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
        _remove_leftovers(out)
        try:
            _swap(out, outputs, owned - set(names))
        except OSError as exc:
            raise BuildError(f"cannot write {out}: {exc.strerror}") from exc


def _swap(out: Path, outputs: list[Output], stale: set[str]) -> None:
    """Steps 1 to 4 of the module's docstring; the manifest is last in ``outputs``."""
    ordered = sorted(outputs, key=lambda output: output.name == MANIFEST)
    for output in ordered:
        temporary = out / f"{NEW}{output.name}"
        with open(temporary, "wb") as file:
            file.write(output.data)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(0o644)
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


def _restore_retired(out: Path) -> None:
    """Earlier tymdocs swapped whole directories through ``.<out>-new-*`` and ``.<out>-old-*``
    beside ``out``: a kill between its two renames left the previous set only in the latter.
    Put such a set back when ``out`` is missing, and delete the rest of those folders."""
    parent = out.parent
    if not parent.is_dir():
        return
    for entry in sorted(parent.iterdir()):
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
def _locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out`` itself, so two writers never interleave their swaps."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock, each swap still leaves complete files
        yield
        return
    fd = os.open(out, os.O_RDONLY)
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
