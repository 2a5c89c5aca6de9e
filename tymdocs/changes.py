"""Two agreement versions -> what changed, in words, and the record each change needs.

Pure: :func:`compare` takes two models and the policy and gives a :class:`Report` that every
redline renderer (HTML, DOCX, Markdown, PDF) walks. Text is compared word by word through
:mod:`tymdocs.redline`; data annexes and metadata by key, stated as Finnish sentences.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from tymdocs.document import Document
from tymdocs.model import RecordNeeded

Status = Literal["added", "removed", "changed", "renumbered", "retitled"]


@dataclass(frozen=True)
class Change:
    """One part that changed: a section, an annex, or the agreement's metadata."""

    key: str
    """``section-8``, ``annex-5`` or ``metadata``: the anchor renderers link to."""
    part: str
    """The part as a reader names it: ``8 Henkilöstöresurssit``, ``Liite 5 …``."""
    status: Status
    sentences: tuple[str, ...]
    """What changed, in Finnish: ``Kansaneläkelaitos, työkykyneuvoja: 0,8 → 1,0 htv``."""
    needs: RecordNeeded
    """The record the agreement's rules want for this change."""
    needs_text: str
    """The same in Finnish, with the deciding body: ``Johtoryhmän päätös``."""
    record: str | None = None
    """The register's record that made the change, where it names one."""
    command: str | None = None
    """For a change not yet recorded: the tymdocs command that records it."""


@dataclass(frozen=True)
class Report:
    """Everything a redline shows: the summary, then B's document with A's text marked."""

    title: str
    a_label: str
    """The older version as the report names it (``Versio 1 · voimassa 1.5.2025 alkaen``)."""
    b_label: str
    changes: tuple[Change, ...]
    redline: Document
    """B's document with every part; deletions and insertions marked, unchanged parts as they
    are (HTML folds them)."""
    author: str
    """Who made the changes, for tracked changes: the deciding body, else ``tymdocs``."""
    date: dt.date
    """When: the decision's date, else the commit's."""

    @property
    def empty(self) -> bool:
        return not self.changes
