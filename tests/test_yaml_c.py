"""libyaml and the pure-Python parser read every source alike (issue 20, item 3): the same node
trees and marks, the same models, the same problems at the same lines, for every YAML file of
the fixtures and the repository and for hostile and erroneous input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from tests.helpers import FIXTURES, ROOT, SEED, copy_agreement
from tests.test_hostile_input import CONFIG, LIITE_1, LIITE_5, TITLE, billion_laughs
from tymdocs import yamlsrc
from tymdocs.checks import validate
from tymdocs.errors import TymdocsError
from tymdocs.formats import upgrade_config
from tymdocs.sources import WorkTree, tree_roles

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")

T = TypeVar("T")
AGREEMENTS = [ROOT, *sorted(p.parent for p in FIXTURES.glob("*/tymdocs.yaml"))]
YAML_FILES = sorted(
    {*FIXTURES.glob("**/*.yaml"), *ROOT.glob("*.yaml"), *ROOT.glob("annexes/*.yaml")}
)


def both(read: Callable[[], T], monkeypatch: pytest.MonkeyPatch) -> tuple[T, T]:
    """What ``read`` gives with the pure-Python parser alone, and with libyaml first."""
    results = []
    for libyaml in (False, True):
        monkeypatch.setattr(yamlsrc, "LIBYAML", libyaml)
        yamlsrc._composed.cache_clear()
        results.append(read())
    yamlsrc._composed.cache_clear()
    return results[0], results[1]


def tree(text: str) -> Any:
    """``text``'s nodes with their marks, styles read as true or false as their readers do."""
    node = yamlsrc._composed(text)
    if not isinstance(node, yaml.Node):
        return node

    def flat(node: yaml.Node) -> Iterator[tuple[Any, ...]]:
        start, end = node.start_mark, node.end_mark
        marks = (start.line, start.column, start.index, end.line, end.column, end.index)
        if isinstance(node, yaml.ScalarNode):
            yield ("scalar", node.tag, node.value, node.style or None, marks)
        elif isinstance(node, yaml.SequenceNode):
            yield ("sequence", node.tag, bool(node.flow_style), marks)
            for item in node.value:
                yield from flat(item)
        else:
            yield ("mapping", node.tag, bool(node.flow_style), marks)
            for key, value in node.value:
                yield from flat(key)
                yield from flat(value)

    return list(flat(node))


def read(text: str) -> tuple[Any, ...]:
    """All that :func:`yamlsrc.load_yaml` makes of ``text``."""
    problems: list[yamlsrc.Problem] = []
    source = yamlsrc.load_yaml(text, "a.yaml", problems)
    found = None if source is None else (source.data, source.lines, source.key_lines)
    return found, problems


def checked(root: Path) -> tuple[Any, tuple[str, ...]]:
    """The model and the problems (``path:line: message``) of the agreement at ``root``."""
    loaded = validate(WorkTree(root))
    return loaded.agreement, tuple(map(str, loaded.problems))


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_composes_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    pure, c = both(lambda: (tree(text), read(text)), monkeypatch)
    assert c == pure
    monkeypatch.setattr(yamlsrc, "_Loader", None)  # libyaml alone reads the files in use
    yamlsrc._composed.cache_clear()
    assert tree(text) == pure[0]
    yamlsrc._composed.cache_clear()


@pytest.mark.parametrize("root", AGREEMENTS, ids=lambda p: p.name)
def test_every_agreement_checks_alike(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pure, c = both(lambda: checked(root), monkeypatch)
    assert c == pure


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "formats").glob("*.yaml")), ids=lambda p: p.name
)
def test_every_old_format_upgrades_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The upgrade edits the text at the marks of its nodes, end marks included."""
    agreement = FIXTURES / path.name.split("-format")[0]
    roles = tree_roles(WorkTree(agreement if agreement.is_dir() else SEED))
    text = path.read_text(encoding="utf-8")

    def upgraded() -> str:
        try:
            return upgrade_config(text, roles)
        except TymdocsError as error:
            return repr(error)

    pure, c = both(upgraded, monkeypatch)
    assert c == pure


HOSTILE: dict[str, tuple[str, str, str]] = {
    "billion laughs": (CONFIG, "", billion_laughs("laughs")),
    "billion laughs in an annex": (LIITE_1, "", billion_laughs("laughs")),
    "a recursive alias": (CONFIG, "", "\nloop: &loop [*loop]\n"),
    "an undefined alias": (CONFIG, "", "\nloop: *nowhere\n"),
    "an anchor": (CONFIG, "court: ", "court: &c "),
    "deep nesting": (LIITE_1, "", "\nnest: " + "[" * 500 + "]" * 500 + "\n"),
    "deep block nesting": (LIITE_1, "", "".join(f"\n{' ' * n}k{n}:" for n in range(60)) + " x\n"),
    "a syntax error": (CONFIG, "court: Hämeenlinnan", "court: [Hämeenlinnan"),
    "a duplicate key": (CONFIG, "court:", "court: x\ncourt:"),
    "a tab after a colon": (CONFIG, "court: ", "court:\t"),
    "a tab in a value": (CONFIG, "court: Hämeenlinnan ", "court: Hämeenlinnan\t"),
    "a tab indenting": (CONFIG, "court:", "\tcolour: blue\ncourt:"),
    "bad indentation": (CONFIG, "  - id: kela", "   - id: kela"),
    "a key that is a list": (CONFIG, "court:", "[a, b]: c\ncourt:"),
    "an explicit key": (CONFIG, "court:", "? colour\n: blue\ncourt:"),
    "a tag": (CONFIG, "court: ", "court: !!str "),
    "a directive": (CONFIG, "", "%YAML 1.1\n---\n"),
    "two documents": (CONFIG, "", "\n---\nx: 1\n"),
    "an escaped bell": (CONFIG, TITLE, 'title: "SOPIMUS \\u0007 X"'),
    "an escaped surrogate": (CONFIG, TITLE, 'title: "SOPIMUS \\ud800 X"'),
    "an escaped next line": (CONFIG, TITLE, 'title: "SOPIMUS \\x85 X"'),
    "an escaped bidi control": (CONFIG, TITLE, 'title: "SOPIMUS \\u202e X"'),
    "a raw bell": (CONFIG, TITLE, "title: SOPIMUS \x07 X"),
    "a raw next line": (CONFIG, TITLE, "title: SOPIMUS \x85 X"),
    "a raw line separator": (CONFIG, TITLE, "title: SOPIMUS\u2028X"),
    "a byte order mark inside": (CONFIG, "court:", "\ufeffcourt:"),
    "an emoji": (CONFIG, "name: Mika Kontio", 'name: "Mika \\U0001F600 Kontio"'),
    "an emoji in a block scalar": (LIITE_1, "  monialaisen tuen", "  monialaisen 🙂 tuen"),
    "a comment after a block indicator": (LIITE_1, ": |", ": |#"),
    "an invalid date": (CONFIG, "effective_date: 2025-05-01", "effective_date: 2025-02-30"),
    "a Finnish date": (CONFIG, "effective_date: 2025-05-01", "effective_date: 1.5.2025"),
    "a long number": (LIITE_5, "htv: 1.5", "htv: 0x" + "f" * 5_000),
    "a sexagesimal number": (LIITE_5, "htv: 1.5", "htv: 1" + ":59" * 3_000),
    "a decimal comma": (LIITE_5, "htv: 1.5", "htv: 1,5"),
    "a decimal comma in a flow mapping": (LIITE_5, "htv: 1.5", "htv: {x: 0,5}"),
    "an empty value in a flow mapping": (LIITE_5, "htv: 1.5", "htv: {x: }"),
    "an empty value on the next line": (LIITE_5, "htv: 1.5", "htv: {x:\n  }"),
    "a question mark in a flow mapping": (CONFIG, "court: ", "court: {x: Mitä? Miksi} "),
    "a question mark in text": (CONFIG, "court: ", "court: Mitä? "),
    "an exclamation mark in text": (CONFIG, "court: ", "court: Huom! "),
    "a percent sign in text": (CONFIG, "court: ", "court: 50 % "),
    "CRLF line ends": (CONFIG, "\n", "\r\n"),
    "no final newline": (LIITE_5, "", "x: 1"),
    "an indentless sequence": (CONFIG, "court:", "colours:\n- blue\ncourt:"),
    "an empty file": (LIITE_5, "", ""),
}
"""Where, what to replace (nothing: append; the whole file: emptied) and by what."""


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_input_is_reported_alike(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, old, new = HOSTILE[case]
    root = copy_agreement(tmp_path / "agreement")
    file = root / path
    text = file.read_text(encoding="utf-8")
    if case == "CRLF line ends":
        text = text.replace(old, new)
    elif case == "an empty file":
        text = ""
    else:
        text = text.replace(old, new, 1) if old else text + new
    file.write_text(text, encoding="utf-8")
    pure, c = both(lambda: checked(root), monkeypatch)
    assert c == pure


@pytest.mark.parametrize(
    "text",
    [
        "a: '\ud800'\n",  # libyaml cannot take a lone surrogate
        "a: \x00\n",
        "{x: 0,5}\n",
        "a: [b,\nc]\n",
        "- a\n-\n  - b\n",
        "a: b\n...\n",
        "---\na: 1\n",
        "\ufeffa: 1\n",
        "a: |\n  x\n  y\nb: >-\n  z\n\n",
        "a: x\x85b: 2\n",
        "a: b\u2028c: d\n",
        "a: b\rc: d\r",
        "a: 'x\n  y'\n",
        "k: " + "x" * 2_000 + "\n",
        "x" * 2_000 + ": v\n",
    ],
)
def test_texts_read_alike(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pure, c = both(lambda: (tree(text), read(text)), monkeypatch)
    assert c == pure
