"""What a build remembers between runs to be faster, never what it writes.

A hint is what the last build into the same output folder found out (the pages where the
agreement's parts started, which the packages' covers list), so that the next build can start
work that would otherwise wait for it. Every hint is checked against what the build finds
before anything made with it is kept: the outputs are the same bytes with a hint, a wrong one
or none. A hint that cannot be read or written is no hint, and a build never fails over one.

Kept in the user's cache, ``$XDG_CACHE_HOME/tymdocs/hints`` (``~/.cache/tymdocs/hints``), one
small JSON file per output folder, deleted once no build has written it for three months:
never in the output folder, which holds what an archivist keeps, nor in the sources.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any


def hint_file(out: Path, name: str) -> Path | None:
    """Where the hint ``name`` of the output folder ``out`` is kept; None without a cache
    folder (no ``$XDG_CACHE_HOME``, no home)."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG rule: a relative path is to be ignored
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):
            return None
    folder = hashlib.sha256(os.fsencode(out.absolute())).hexdigest()[:32]
    return Path(base, "tymdocs", "hints", f"{folder}-{name}.json")


def read_hint(path: Path | None) -> Any:
    """The hint kept in ``path``; None where there is none or it cannot be read."""
    if path is None:
        return None
    try:
        with open(path, "rb", opener=_without_waiting) as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return None
            return json.loads(file.read())
    except (OSError, ValueError, RecursionError):
        return None


def _without_waiting(name: str, flags: int) -> int:
    """Open ``name`` without waiting where it is no file (a pipe under its name, say)."""
    return os.open(name, flags | os.O_NONBLOCK)


def write_hint(path: Path | None, value: Any) -> None:
    """Keep ``value`` in ``path`` for the next build, whole or not at all (written beside it,
    then renamed); nothing where the cache cannot be written."""
    if path is None:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(value, ensure_ascii=False, sort_keys=True))
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return
    _forget_old(path.parent)


_KEPT_FOR = 90 * 24 * 3600
"""Seconds a hint is kept unwritten: the hint of a folder no build has written to for three
months (a temporary one, say) is deleted, as is what a killed build left half-written."""


def _forget_old(folder: Path) -> None:
    """Delete what ``folder`` holds that was last written more than :data:`_KEPT_FOR` ago:
    each output folder leaves a hint, and many are long gone."""
    import time

    oldest = time.time() - _KEPT_FOR
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < oldest:
                    os.unlink(entry.path)
