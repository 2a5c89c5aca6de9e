"""Placeholders: ``[TÄYDENNÄ: what to write]`` (Swedish ``[KOMPLETTERA: …]``), the marks
``tymdocs init`` leaves where an area must write its own text.

One reader for every command: ``check`` warns of each one (path:line), a build of sources that
hold one is a draft, and no record makes a version of them (the ``placeholders`` rule in
:mod:`tymdocs.governance.rules`). Kept free of heavy imports: it reads bytes, not the model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tymdocs.errors import Problem

if TYPE_CHECKING:
    from tymdocs.sources import SourceTree

MARKERS = {"fi": "TÄYDENNÄ", "sv": "KOMPLETTERA"}
"""The word that opens a placeholder, per document language; both are found in any agreement."""

WORDS = "|".join(MARKERS.values())
"""The marker words as a regular-expression alternation."""

_PLACEHOLDER = re.compile(
    rf"\[\s*(?:{WORDS})\s*:(?:[^\]\n]|\n(?![ \t]*(?:\n|$)))*\]", re.IGNORECASE
)
"""A placeholder, also one an editor wrapped over several lines (reflowing a paragraph): it may
span line breaks, but not a blank line, so a ``[`` left unclosed does not run on to a ``]``
paragraphs away."""


@dataclass(frozen=True, order=True)
class Placeholder:
    """One placeholder, where it stands and what it says."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def placeholder(what: str, language: str = "fi") -> str:
    """``[TÄYDENNÄ: what]``: the mark ``init`` writes, in the agreement's language."""
    return f"[{MARKERS.get(language, MARKERS['fi'])}: {what}]"


def in_text(text: str, path: str) -> list[Placeholder]:
    """Every placeholder of one source's text, in order, at the line it starts on and as one
    line. The text is read NFC-normalised, so ``TÄYDENNÄ`` typed with a combining diaeresis
    (decomposed, as some editors and file systems write it) is found too."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [
        Placeholder(path, text.count("\n", 0, match.start()) + 1, " ".join(match.group(0).split()))
        for match in _PLACEHOLDER.finditer(text)
    ]


def find(tree: SourceTree) -> tuple[Placeholder, ...]:
    """Every placeholder in the sources of ``tree``; a file that does not decode is
    ``check``'s to report, not this function's."""
    found: list[Placeholder] = []
    for path in tree.paths():
        data = tree.read(path)
        if b"[" not in data:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        found += in_text(text, path)
    return tuple(found)


def warnings(found: tuple[Placeholder, ...]) -> list[Problem]:
    """``check``'s warning for each placeholder."""
    return [
        Problem(p.path, p.line, f"placeholder {p.text}: write the agreement's own text", "warning")
        for p in found
    ]
