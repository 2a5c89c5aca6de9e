"""Where an agreement's files live, relative to its root: the layout every module agrees on.

Kept apart and free of imports, so that what only needs to know which path is a source
(reading the register, auditing the history) starts without loading the source reader.
"""

from __future__ import annotations

CONFIG_FILE = "tymdocs.yaml"
TEXT_DIR = "docs_src"
ANNEX_DIR = "annexes"
SOURCE_PATHSPECS = (CONFIG_FILE, TEXT_DIR, ANNEX_DIR)
RECORDS_DIR = "records"
"""Where the register keeps minutes extracts and signed copies, beside the sources."""


def is_source_path(path: str) -> bool:
    """Whether ``path`` (relative, POSIX) is one of the files an agreement is made of."""
    if path == CONFIG_FILE:
        return True
    folder, _, name = path.partition("/")
    if "/" in name or name.startswith("."):
        return False
    if folder == TEXT_DIR:
        return name.endswith(".md")
    if folder == ANNEX_DIR:
        return name.endswith((".md", ".yaml", ".yml"))
    return False


def is_main_text(path: str) -> bool:
    """Whether a source path belongs to the main text (which changes only by amendment)."""
    return path == CONFIG_FILE or path.startswith(TEXT_DIR + "/")


def is_annex(path: str) -> bool:
    return path.startswith(ANNEX_DIR + "/")
