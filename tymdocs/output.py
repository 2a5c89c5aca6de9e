"""Writing a set of outputs into a directory atomically: all of them, or nothing changes.

Used by every command that writes files for people to read (``build``, and later reports):
everything is rendered in memory first, written into a fresh directory beside the target,
and swapped in only when every file was written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tymdocs.errors import BuildError, UsageError

MANIFEST = "manifest.json"


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


def replace_directory(out: Path, outputs: list[Output], kind: str = "build") -> None:
    """Write ``outputs`` into a new directory, then swap it in for ``out`` in one rename.

    A directory that holds files but no ``manifest.json`` is not ours, and one whose manifest
    is of another ``kind`` (a build, a redline report) holds other outputs: both are refused.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"{out} is not empty and holds no {MANIFEST}: refusing to replace it")
    found = _manifest_kind(out / MANIFEST)
    if found is not None and found != kind:
        raise UsageError(f"{out} holds the outputs of a {found}: refusing to replace them")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=parent))
    except OSError as exc:
        raise BuildError(f"cannot write to {parent}: {exc.strerror}") from exc
    retired: Path | None = None
    try:
        for output in outputs:
            (staging / output.name).write_bytes(output.data)
        staging.chmod(0o755)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=parent))
            os.replace(out, retired / out.name)
        os.replace(staging, out)
    except OSError as exc:
        if retired is not None and not out.exists():
            os.replace(retired / out.name, out)
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"cannot write {out}: {exc.strerror}") from exc
    finally:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)


def _manifest_kind(path: Path) -> str | None:
    """What wrote the outputs a manifest lists: ``kind`` (a build's manifest has none)."""
    import json

    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    kind = data.get("kind", "build") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None
