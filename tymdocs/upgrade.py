"""``tymdocs upgrade``: the working tree's ``tymdocs.yaml`` rewritten in the current format.

The rewrite itself is :func:`tymdocs.formats.upgrade_config`; this module decides whether the
file may be rewritten (git must hold it unchanged, so the rewrite is one reviewable diff) and
writes it atomically.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tymdocs import git
from tymdocs.config import AnnexRoles
from tymdocs.errors import RefusedError, SourceError, UsageError
from tymdocs.formats import needs_annex_roles, upgrade_config
from tymdocs.paths import CONFIG_FILE, is_annex
from tymdocs.sources import LINKED, GitTree, WorkTree, load_agreement, tree_roles


@dataclass(frozen=True)
class Upgrade:
    """A planned rewrite: the file's text before and after (the same when it is current)."""

    path: Path
    before: str
    after: str
    in_git: bool = True
    """Whether git holds the file as it was (outside git, with ``force``: nothing does)."""

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """The rewrite as a unified diff of ``tymdocs.yaml``."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            f"a/{CONFIG_FILE}",
            f"b/{CONFIG_FILE}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def plan_upgrade(root: Path, force: bool = False, dry_run: bool = False) -> Upgrade:
    """The rewrite of ``root``'s ``tymdocs.yaml``. One that changes the file is refused
    (:class:`RefusedError`) unless git holds the file unchanged: tracked, committed, nothing
    staged; outside a git repository, unless ``force``. A ``dry_run`` is never refused.

    The oldest ``change_rules`` shape reads its annexes' roles: from the committed annexes
    when the file is committed as it is, so the rewrite is the same version as that commit
    whatever else the working tree holds."""
    path = root / CONFIG_FILE
    if path.is_symlink():
        raise RefusedError(f"{CONFIG_FILE}: {LINKED}")
    if not path.is_file():
        raise UsageError(f"{root} has no {CONFIG_FILE}: not an agreement directory")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedError(f"{CONFIG_FILE} is not UTF-8 text: run tymdocs check") from None
    state = git.file_state(root, CONFIG_FILE)
    tree = GitTree(root, git.resolve_commit(root, "HEAD")) if state == "clean" else WorkTree(root)
    oldest = needs_annex_roles(text)
    if oldest:  # the rules it writes out come from the annexes: they must read
        broken = tuple(
            p for p in load_agreement(tree).problems if p.severity == "error" and is_annex(p.path)
        )
        if broken:
            raise SourceError(broken)
    upgraded = upgrade_config(text, tree_roles(tree) if oldest else AnnexRoles())
    if upgraded == text or dry_run:
        return Upgrade(path, text, upgraded, in_git=state is not None)
    if state is None and not force:
        raise RefusedError(
            f"{root} is not in a git repository, so the old {CONFIG_FILE} would be kept "
            "nowhere: commit it first, or run 'tymdocs upgrade --force' to rewrite it anyway"
        )
    if state == "untracked":
        raise RefusedError(
            f"{CONFIG_FILE} is not tracked by git: commit it first, so the rewrite can be "
            "reviewed and undone"
        )
    if state == "changed":
        raise RefusedError(
            f"{CONFIG_FILE} has uncommitted changes (staged or not): commit them first, so "
            "the rewrite is a change of its own"
        )
    return Upgrade(path, text, upgraded, in_git=state is not None)


def write_upgrade(upgrade: Upgrade) -> None:
    """Write the rewritten file in place of the old one, atomically, keeping its mode."""
    if not upgrade.changed:
        return
    mode = upgrade.path.stat().st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(prefix=f".{CONFIG_FILE}.", dir=upgrade.path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(upgrade.after.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, upgrade.path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
