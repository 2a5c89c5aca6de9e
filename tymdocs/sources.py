"""Sources -> model: ``tymdocs.yaml``, ``docs_src/`` and ``annexes/`` from a working tree or a
git revision, read into one immutable :class:`~tymdocs.model.Agreement`.

This module owns files and text: decoding, sections, annex files by kind. The YAML schemas
are ``config.py``'s (``tymdocs.yaml``) and ``annexes.py``'s (the data annexes).

Every problem is collected before anything is given up on, so one ``tymdocs check`` shows them
all. Cross-checks between parts of the agreement live in ``checks.py``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from tymdocs import git, markup
from tymdocs.annexes import read_annex
from tymdocs.characters import (
    forbidden,
    hidden_character,
    printable,
    unprintable,
    unprintable_message,
)
from tymdocs.config import AnnexRoles, RolesOf, load_source, parse_metadata, read_metadata
from tymdocs.errors import Problem, SourceError
from tymdocs.formats import canonical_config
from tymdocs.model import (
    Agreement,
    Annex,
    AnnexReference,
    Blocks,
    Metadata,
    Origin,
    Section,
    TextAnnex,
    Unread,
)
from tymdocs.paths import (
    ANNEX_DIR,
    CONFIG_FILE,
    SOURCE_PATHSPECS,
    TEXT_DIR,
    is_annex,
    is_source_path,
)
from tymdocs.yamlsrc import Node, YamlSource

_SECTION_HEADING = re.compile(r"^#[ \t]+(\S+)[ \t]+(.+?)[ \t]*$")
_ANNEX_HEADING = re.compile(r"^#[ \t]+(?:liite|bilaga)[ \t]+(\S+)[ \t]+(.+?)[ \t]*$", re.IGNORECASE)
"""``# Liite 5 TITLE``; ``# Bilaga 5 TITLE`` in a Swedish agreement."""
_ANNEX_MENTION = re.compile(r"\b(?:liit|bilag)\w*[ \t]+([0-9]+)\b", re.IGNORECASE)
_NUMBER_DIGITS = 9
"""Section and annex numbers are shorter; longer digit runs are refused before int() sees them."""
MAX_SOURCE_BYTES = 1 << 20
"""1 MiB: a real agreement's longest source is some kilobytes; larger is a mistake or an attack."""
MAX_PARAGRAPH = 100_000
"""Characters in one paragraph (about 30 pages); a real one holds a few hundred."""
MAX_MARKS = 10_000
"""Emphasis marks ('*', '_') in one section or annex text: real ones have some tens."""
MAX_SECTIONS = 1_000
"""Sections of the main text; a real agreement has some tens."""
_UNPRINTABLE_SHOWN = 20
"""Each character the fonts lack is reported once per file, the first so many of them."""
_ANNEX_FILE = re.compile(r"^(?:liite|bilaga)[-_ ]?(\d+)\b", re.IGNORECASE)


class SourceTree(Protocol):
    """The files of one agreement version: a working tree or a git commit."""

    description: str

    def paths(self) -> list[str]:
        """Sorted POSIX paths, relative to the agreement root, of every source file."""
        ...

    def read(self, path: str) -> bytes: ...


LINKED = "a source must be a regular file, not a symbolic link"
"""Why a linked source is refused: it would print a file from elsewhere, or change with a file
that is not the agreement's, and git would commit the link, not the text."""


def _refuse_links(links: Iterable[str]) -> None:
    """Refuse the sources that are symbolic links, naming each and never reading one."""
    problems = tuple(Problem(path, None, LINKED) for path in sorted(links))
    if problems:
        raise SourceError(problems)


def _refuse_names(paths: Iterable[str]) -> None:
    """Refuse the sources whose names hold a character no listing shows as itself (a
    newline, a control character): git's line-based tools would read another name."""
    problems = tuple(
        Problem(printable(path), None, f"the file name holds {hidden}: rename the file")
        for path in sorted(paths)
        if (hidden := hidden_character(path)) is not None
    )
    if problems:
        raise SourceError(problems)


class WorkTree:
    """The sources as they are on disk: regular files only."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = "the working tree"

    def paths(self) -> list[str]:
        links: list[str] = []
        found: list[str] = []
        for path in (CONFIG_FILE, TEXT_DIR, ANNEX_DIR):
            if (self.root / path).is_symlink():
                links.append(path)
        if (self.root / CONFIG_FILE).is_file():
            found.append(CONFIG_FILE)
        for folder in (TEXT_DIR, ANNEX_DIR):
            directory = self.root / folder
            if folder in links or not directory.is_dir():
                continue
            for entry in directory.iterdir():
                path = f"{folder}/{entry.name}"
                if not is_source_path(path):
                    continue
                if entry.is_symlink():
                    links.append(path)
                elif entry.is_file():
                    found.append(path)
        _refuse_links(links)
        _refuse_names(found)
        return sorted(found)

    def read(self, path: str) -> bytes:
        """The file's bytes; a link put in its place since it was listed is not followed."""
        try:
            fd = os.open(self.root / path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            if (self.root / path).is_symlink():
                _refuse_links([path])
            raise exc
        with os.fdopen(fd, "rb") as file:
            # One byte past the limit is enough to refuse the file: a huge one is never
            # held in memory whole.
            return file.read(MAX_SOURCE_BYTES + 1)


class BlobTree:
    """Sources held in git as blobs, read in one process when first needed."""

    def __init__(self, root: Path, blobs: dict[str, str], description: str) -> None:
        self.root = root
        self.description = description
        self._blobs = blobs
        self._contents: dict[str, bytes] | None = None

    def paths(self) -> list[str]:
        return sorted(self._blobs)

    def read(self, path: str) -> bytes:
        if self._contents is None:
            self._contents = git.read_blobs(self.root, self._blobs.values())
        return self._contents[self._blobs[path]]

    def blobs(self) -> dict[str, str]:
        return dict(self._blobs)


class GitTree(BlobTree):
    """The sources as committed in one commit, read without a checkout: two git processes.

    A committed symbolic link is refused when the sources are listed or read: its blob is the
    link's target, and what it points to is in no commit.
    """

    def __init__(self, root: Path, commit: str) -> None:
        listing = git.list_entries(root, commit, SOURCE_PATHSPECS)
        sources = {path: entry for path, entry in listing.items() if is_source_path(path)}
        blobs = {path: blob for path, (_mode, blob) in sources.items()}
        super().__init__(root, blobs, f"commit {commit[:12]}")
        self.commit = commit
        self.links = sorted(p for p, (mode, _) in sources.items() if mode == git.SYMLINK_MODE)

    def paths(self) -> list[str]:
        _refuse_links(self.links)
        return super().paths()

    def read(self, path: str) -> bytes:
        _refuse_links(self.links)
        return super().read(path)


_YAML_ANNEX = re.compile(r"^annex:[ \t]*(\d+)[ \t]*(?:#.*)?$", re.MULTILINE)


def annex_number(path: str, data: bytes) -> int | None:
    """The number of the annex a file holds, read without parsing the whole file.

    Following annexes through a long history means reading every version of every annex
    file; a full YAML parse of each would cost seconds. None when the file names no number.
    """
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if path.endswith(".md"):
        first = next((line for line in text.splitlines() if line.strip()), "")
        heading = _ANNEX_HEADING.match(first)
        return _positive(heading.group(1)) if heading else None
    found = _YAML_ANNEX.search(text)
    if found:
        return _positive(found.group(1))
    # an unusual layout (flow style, quoted key): parse it after all, with the sources' limits
    source, _ = load_source(text, path)
    data_ = source.data if source is not None else None
    number = data_.get("annex") if isinstance(data_, dict) else None
    return _positive(str(number)) if isinstance(number, int) else None


def annex_roles(path: str, data: bytes) -> AnnexRoles:
    """What the oldest ``change_rules`` shape needs of one annex file: whether it is the
    composition or the appointment (with the body that decided it), read as the annex
    readers read it (a line of text that looks like ``kind:`` is no kind)."""
    if not is_annex(path) or path.endswith(".md"):
        return AnnexRoles()
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if "composition" not in text and "appointment" not in text:
        return AnnexRoles()  # no need to parse it
    source, _ = load_source(text, path)
    parsed = source.data if source is not None else None
    if not isinstance(parsed, dict):
        return AnnexRoles()
    number, kind = parsed.get("annex"), parsed.get("kind")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        return AnnexRoles()
    if kind == "composition":
        return AnnexRoles(compositions=frozenset({number}))
    decision = parsed.get("decision") if kind == "appointment" else None
    body = decision.get("body") if isinstance(decision, dict) else None
    if not isinstance(body, str) or not body.strip():
        return AnnexRoles()  # no appointment that reads: check reports it
    return AnnexRoles(appointments=((number, body.strip()),))


def tree_roles(tree: SourceTree) -> AnnexRoles:
    """The :class:`AnnexRoles` of every annex file of ``tree``."""
    roles = AnnexRoles()
    for path in tree.paths():
        if is_annex(path):
            roles |= annex_roles(path, tree.read(path))
    return roles


def annex_numbers(tree: SourceTree, paths: Iterable[str] | None = None) -> dict[int, list[str]]:
    """The annexes ``tree``'s files hold (only ``paths``' when given): number -> paths."""
    present = tree.paths()
    if paths is not None:
        wanted = set(present)
        present = [path for path in paths if path in wanted]
    found: dict[int, list[str]] = {}
    for path in present:
        number = annex_number(path, tree.read(path)) if is_annex(path) else None
        if number is not None:
            found.setdefault(number, []).append(path)
    return found


def changed_annexes(
    committed: SourceTree, current: SourceTree, paths: Iterable[str]
) -> dict[int, list[str]]:
    """The annexes that changed files hold, before or after the change: number -> paths. A
    file whose annex was renumbered counts for both numbers."""
    listed = list(paths)
    found: dict[int, list[str]] = {}
    for tree in (committed, current):
        for number, files in annex_numbers(tree, listed).items():
            known = found.setdefault(number, [])
            known += [path for path in files if path not in known]
    return found


def working_blobs(root: Path) -> dict[str, str]:
    """The blob id of every source file in the working tree, as git would store it."""
    return git.hash_files(root, WorkTree(root).paths())


def changed_sources(
    root: Path, committed: BlobTree, current: dict[str, str] | None = None
) -> list[str]:
    """Source paths whose working-tree content (``current``, from :func:`working_blobs`,
    hashed here when not given) differs from ``committed``: changed, new or deleted.

    Compared by content, reading only: what is merely staged, or touched without a change,
    is no change, and neither the index nor the object store is written.
    """
    blobs = committed.blobs()
    current = working_blobs(root) if current is None else current
    changed = {path for path, blob in current.items() if blobs.get(path) != blob}
    changed |= set(blobs) - set(current)
    return sorted(changed)


def normalise(data: bytes) -> str:
    """The text that identifies a source: NFC, LF line ends, no trailing blanks."""
    text = unicodedata.normalize("NFC", data.decode("utf-8", errors="replace"))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def identity_text(tree: SourceTree, path: str) -> str:
    """The text of a source that identifies it: :func:`normalise`'s, and for ``tymdocs.yaml``
    :func:`config_identity`'s."""
    if path == CONFIG_FILE:
        return config_identity(tree.read(path), lambda: tree_roles(tree))
    return normalise(tree.read(path))


def config_identity(data: bytes, roles: RolesOf) -> str:
    """The text that identifies ``tymdocs.yaml``: normalised, then canonical (without the
    ``format:`` declaration, the oldest ``change_rules`` shape as today's mapping), so that a
    file and its ``tymdocs upgrade`` are the same version. ``roles`` are the tree's annex
    roles, asked for only by the oldest shape."""
    return normalise(canonical_config(normalise(data), roles).encode())


def is_rewrite(before: bytes, after: bytes, roles_before: RolesOf, roles_after: RolesOf) -> bool:
    """Whether ``tymdocs.yaml``'s ``after`` is ``before`` only rewritten in another format
    (``tymdocs upgrade``): no change of the agreement. The same identifying text (which
    forgives what normalising forgives: blanks at line ends, Unicode forms), and the same
    agreement read from each (which does not). ``roles_*``: each tree's annex roles."""
    if b"composition" not in before + after:  # cheap: only the lines saying format may differ
        kept = (
            [x for x in normalise(d).splitlines() if "format" not in x] for d in (before, after)
        )
        if next(kept) != next(kept):
            return False
    if config_identity(before, roles_before) != config_identity(after, roles_after):
        return False
    meta = parse_metadata(before, roles_before)
    return meta is not None and meta == parse_metadata(after, roles_after)


def fingerprint(tree: SourceTree) -> str:
    """SHA-256 over every source's path and identifying text (:func:`identity_text`): the
    content identity of a version."""
    digest = hashlib.sha256()
    for path in tree.paths():
        text = identity_text(tree, path).encode()
        digest.update(f"{path}\0{len(text)}\0".encode())
        digest.update(text)
    return digest.hexdigest()


@dataclass(frozen=True)
class Loaded:
    """The outcome of reading the sources: the model, and every problem found on the way.

    From :func:`load_agreement` the model is as much as could be read (what was wrong is left
    out), so that cross-checks can still run; :func:`tymdocs.checks.validate` gives None
    whenever there is an error.
    """

    agreement: Agreement | None
    problems: tuple[Problem, ...]


def load_agreement(tree: SourceTree) -> Loaded:
    """Read every source of ``tree`` into the model, collecting all problems on the way.

    Use :func:`tymdocs.checks.validate` for a model that is safe to render.
    """
    reader = _Reader(tree)
    agreement = reader.read()
    return Loaded(agreement, tuple(reader.problems))


class _Reader:
    """Reads the files of one tree: decodes them, cuts the main text into sections and hands
    each annex file to its reader (Markdown here, YAML in ``annexes.py``).

    All agreement text, wherever it is written, becomes blocks through :meth:`blocks`.
    """

    def __init__(self, tree: SourceTree) -> None:
        self.tree = tree
        self.problems: list[Problem] = []
        self.references: list[AnnexReference] = []
        self.unread_annexes: set[int] = set()
        self.unread_text = False

    def problem(self, path: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def unread(self, meta: Metadata) -> Unread:
        """What did not read, for the cross-checks to leave alone."""
        return replace(
            meta.unread, annexes=frozenset(self.unread_annexes), main_text=self.unread_text
        )

    def read(self) -> Agreement | None:
        paths = self.tree.paths()
        if CONFIG_FILE not in paths:
            self.problem(CONFIG_FILE, None, f"no {CONFIG_FILE} in {self.tree.description}")
            return None
        meta = None
        config = self.yaml(CONFIG_FILE)
        if config is not None:
            meta = read_metadata(config, self.problems, lambda: tree_roles(self.tree))
        sections = self.sections([p for p in paths if p.startswith(TEXT_DIR + "/")])
        annexes = self.annexes([p for p in paths if is_annex(p)])
        if meta is None:
            return None
        return Agreement(meta, sections, annexes, tuple(self.references), self.unread(meta))

    # -- files --------------------------------------------------------------------------------

    def text(self, path: str) -> str | None:
        data = self.tree.read(path)
        if len(data) > MAX_SOURCE_BYTES:
            self.problem(path, None, "more than 1 MiB; a source may hold at most 1 MiB: split it")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = data[: exc.start].count(b"\n") + 1
            self.problem(path, at, "not UTF-8 text; save the file as UTF-8")
            return None
        text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        printed = path.endswith(".md")  # YAML is checked value by value: comments and keys are not
        seen: set[str] = set()
        for number, line in enumerate(text.split("\n"), start=1):
            bad = forbidden(line)
            if bad:
                self.problem(path, number, bad)
            for char in unprintable(line) if printed else ():
                if char not in seen and len(seen) < _UNPRINTABLE_SHOWN:
                    self.problem(path, number, unprintable_message(char))
                seen.add(char)
        if len(seen) > _UNPRINTABLE_SHOWN:
            more = len(seen) - _UNPRINTABLE_SHOWN
            self.problem(path, None, f"{more} more characters that the PDF's fonts cannot print")
        return text

    def yaml(self, path: str) -> YamlSource | None:
        text = self.text(path)
        if text is None:
            return None
        source, problems = load_source(text, path)
        self.problems += problems
        return source

    def blocks(self, text: str, path: str, first_line: int) -> Blocks:
        """Parse agreement text and note every annex it mentions by number.

        Text past the limits is reported and not parsed: Markdown costs tens of microseconds
        per emphasis mark, and Typst lays out a paragraph as a whole."""
        if not self.within_limits(text, path, first_line):
            return ()
        for offset, line in enumerate(text.split("\n")):
            for match in _ANNEX_MENTION.finditer(line):
                digits = match.group(1)
                if len(digits) > _NUMBER_DIGITS:
                    shown = f"{digits[:_NUMBER_DIGITS]}… ({len(digits)} digits)"
                    self.problem(path, first_line + offset, f"{shown} is no annex number")
                    continue
                origin = Origin(path, first_line + offset)
                self.references.append(AnnexReference(int(digits), origin))

        blocks, warnings = _parsed(text, first_line)
        self.problems += (Problem(path, line, message, "warning") for line, message in warnings)
        return blocks

    def within_limits(self, text: str, path: str, first_line: int) -> bool:
        """Whether ``text`` keeps to MAX_PARAGRAPH and MAX_MARKS; each excess reported."""
        within = True
        start = length = 0
        for offset, line in enumerate([*text.split("\n"), ""]):
            if line.strip():
                start, length = (start, length + len(line)) if length else (offset, len(line))
                continue
            if length > MAX_PARAGRAPH:
                self.problem(
                    path,
                    first_line + start,
                    f"a paragraph (lines with no blank line between) of {length:,} characters; "
                    f"one may hold at most {MAX_PARAGRAPH:,}: split it",
                )
                within = False
            length = 0
        marks = text.count("*") + text.count("_")
        if marks > MAX_MARKS:
            self.problem(
                path,
                first_line,
                f"{marks:,} '*' and '_' in one text; it may hold at most {MAX_MARKS:,}",
            )
            within = False
        return within

    def node_blocks(self, node: Node) -> Blocks:
        """A YAML text field as blocks, through :meth:`blocks`: the annex readers' callback."""
        text = node.text()
        if text is None:
            return ()
        return self.blocks(text, node.source.path, node.line or 1)

    # -- main text ----------------------------------------------------------------------------

    def sections(self, paths: list[str]) -> tuple[Section, ...]:
        sections: dict[int, Section] = {}
        for path in paths:
            text = self.text(path)
            if text is None:
                self.unread_text = True
                continue
            for number, title, body, line in self.split_sections(path, text):
                blocks = self.blocks(body, path, line + 1)
                section = Section(number, title, blocks, Origin(path, line))
                if len(sections) >= MAX_SECTIONS and number not in sections:
                    self.problem(path, line, f"more than {MAX_SECTIONS:,} sections")
                    self.unread_text = True
                    break
                if number in sections:
                    first = sections[number].origin
                    self.problem(path, line, f"section {number} is already defined at {first}")
                    continue
                sections[number] = section
        if not sections and not any(p.severity == "error" for p in self.problems):
            self.problem(TEXT_DIR, None, f"no sections: put the main text in {TEXT_DIR}/*.md")
        ordered = tuple(sections[n] for n in sorted(sections))
        for before, after in itertools.pairwise(() if self.unread_text else ordered):
            if after.number != before.number + 1:
                self.problems.append(
                    Problem(
                        after.origin.path,
                        after.origin.line,
                        f"section {after.number} follows section {before.number}",
                        "warning",
                    )
                )
        return ordered

    def split_sections(self, path: str, text: str) -> list[tuple[int, str, str, int]]:
        """Cut a file at its level-1 headings: (number, title, body, heading line)."""
        found: list[tuple[int, str, str, int]] = []
        lines = text.split("\n")
        starts = [i for i, line in enumerate(lines) if line.startswith("# ")]
        preamble = lines[: starts[0]] if starts else lines
        if any(line.strip() for line in preamble):
            first = next(i for i, line in enumerate(preamble) if line.strip())
            self.problem(path, first + 1, "text before the first section heading ('# 1 Title')")
            self.unread_text = True
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else len(lines)
            heading = _SECTION_HEADING.match(lines[start])
            number = _positive(heading.group(1)) if heading else None
            if heading is None or number is None:
                self.problem(
                    path, start + 1, "a section heading is '# <number> <title>', as '# 3 Toimialue'"
                )
                self.unread_text = True
                continue
            assert heading is not None
            body = "\n".join(lines[start + 1 : end])
            found.append((number, heading.group(2), body, start + 1))
        return found

    # -- annexes ------------------------------------------------------------------------------

    def annexes(self, paths: list[str]) -> tuple[Annex, ...]:
        annexes: dict[int, Annex] = {}
        for path in paths:
            annex = self.markdown_annex(path) if path.endswith(".md") else self.yaml_annex(path)
            if annex is None:
                number = self.unread_annex(path)
                if number is not None:
                    self.unread_annexes.add(number)
                continue
            if annex.number in annexes:
                first = annexes[annex.number].origin
                self.problem(
                    path, annex.origin.line, f"annex {annex.number} is already defined at {first}"
                )
                continue
            annexes[annex.number] = annex
        return tuple(annexes[n] for n in sorted(annexes))

    def unread_annex(self, path: str) -> int | None:
        """The number of an annex file that did not read: from its heading or ``annex:``,
        else from its name (``liite-5-….yaml``)."""
        number = annex_number(path, self.tree.read(path))
        named = _ANNEX_FILE.match(path.rpartition("/")[2])
        return number if number is not None or named is None else _positive(named.group(1))

    def markdown_annex(self, path: str) -> TextAnnex | None:
        text = self.text(path)
        if text is None:
            return None
        lines = text.split("\n")
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        heading = _ANNEX_HEADING.match(lines[first]) if first is not None else None
        number = _positive(heading.group(1)) if heading else None
        if first is None or heading is None or number is None:
            line = None if first is None else first + 1
            self.problem(
                path,
                line,
                "an annex starts with '# Liite <number> <title>' or '# Bilaga <number> <title>'",
            )
            return None
        body = "\n".join(lines[first + 1 :])
        blocks = self.blocks(body, path, first + 2)
        return TextAnnex(number, heading.group(2), blocks, Origin(path, first + 1))

    def yaml_annex(self, path: str) -> Annex | None:
        source = self.yaml(path)
        if source is None:
            return None
        return read_annex(Node.root(source, self.problems), self.node_blocks)


@functools.lru_cache(maxsize=2048)
def _parsed(text: str, first_line: int) -> tuple[Blocks, tuple[tuple[int, str], ...]]:
    """:func:`markup.parse_blocks` of ``text`` and its warnings (line, message): once per
    process for each text, as the versions a command reads share most of their texts."""
    warnings: list[tuple[int, str]] = []

    def warn(line: int, message: str) -> None:
        warnings.append((line, message))

    return markup.parse_blocks(text, first_line, warn), tuple(warnings)


def _positive(text: str) -> int | None:
    """A positive whole number in ASCII digits (``²`` is a digit to Python, not to us)."""
    if not (text.isascii() and text.isdigit() and len(text) <= _NUMBER_DIGITS):
        return None
    return int(text) or None
