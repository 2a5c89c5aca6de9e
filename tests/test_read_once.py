"""Each history read once and each source parsed once per process (issue 20, item 3).

A command that looks at several versions reads the register in one ``git log`` and takes each
version's history from it; a text that several versions hold is parsed once. Counted on real
processes: ``git log`` by GIT_TRACE, YAML parses by a profile hook on ``yamlsrc.load_yaml``.
And a history taken from a later one is what ``git log`` reads there, commit for commit, on
random graphs of merges.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import at, edit, git, run
from tests.test_governance import SECTION_12, kela_to_one
from tymdocs.governance import Record, history_of, read_log

SOURCES = ("annexes/liite-5-tuki.yaml", "docs_src/01-osapuolet.md")


def random_graph(root: Path, seed: int, size: int) -> str:
    """A repository of ``size`` commits on a random graph, dates out of order, merges of two
    and three parents, and at HEAD one of every branch; each holds one of four trees of two
    sources. About a third carry a review record of agreement ``a``, some one of ``b``, some a
    malformed one. HEAD's commit."""
    rng = random.Random(seed)
    git(root, "init", "-q", "-b", "main")
    trees = []
    for number in range(4):
        for path in SOURCES:
            (root / path).parent.mkdir(exist_ok=True)
        (root / SOURCES[0]).write_text(f"annex: 5\ntitle: Tuki {number % 2}\n")
        (root / SOURCES[1]).write_text(f"# 1 Osapuolet\n\nTeksti {number // 2}.\n")
        git(root, "add", "-A")
        trees.append(git(root, "write-tree"))
    commits: list[str] = []
    merged: set[str] = set()  # commits with a child
    for number in range(size):
        parents = []
        if commits:
            count = rng.choice((1, 1, 1, 2, 2, 3))
            pool = commits[-6:] if rng.random() < 0.7 else commits
            parents = list(dict.fromkeys(rng.choice(pool) for _ in range(count)))
            merged.update(parents)
        kind = rng.random()
        if kind < 0.35:
            fields = {"date": dt.date(2025, 5, 2), "body": "Johtoryhmä", "section": number}
            message = Record("review", agreement="a", review=5, **fields).message(f"{number}")
        elif kind < 0.45:
            message = f"{number}\n\nTymdocs-Agreement: b\nTymdocs-Record: review\n"
        elif kind < 0.55:
            message = f"{number}\n\nTymdocs-Agreement: a\nTymdocs-Record: review\n"
        else:
            message = f"{number}\n"
        when = f"{1_750_000_000 + rng.randint(0, 10**6)} +0300"
        args = [arg for parent in parents for arg in ("-p", parent)]
        tree = rng.choice(trees)
        commits.append(git(root, "commit-tree", tree, *args, "-m", message, date=when))
    tips = [arg for commit in commits if commit not in merged for arg in ("-p", commit)]
    head = git(root, "commit-tree", trees[0], *tips, "-m", "Kaikki yhteen")
    git(root, "update-ref", "refs/heads/main", head)
    return head


@pytest.mark.parametrize("commit_graph", [False, True], ids=["plain", "commit-graph"])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_history_up_to_any_commit_is_what_git_log_reads_there(
    tmp_path: Path, seed: int, commit_graph: bool
) -> None:
    """``History.until`` against ``git log --topo-order`` at every commit: the same commits in
    the same order, the same records and problems, each merge with the same own changes. With
    a commit-graph file git walks the graph another way, to the same order."""
    head = random_graph(tmp_path, seed, 90)
    if commit_graph:
        git(tmp_path, "commit-graph", "write", "--reachable")
    history = history_of("a", read_log(tmp_path, head))
    assert any(len(c.parents) > 2 for c in history.commits)  # what the test is about
    assert history.entries and history.problems
    for commit in history.commits:
        assert history.until(commit.commit) == history_of("a", read_log(tmp_path, commit.commit))
    assert history.until("0" * 40) is None


PROBE = """
import hashlib, json, sys
from tymdocs import yamlsrc
from tymdocs.cli import main

parsed = []
code = yamlsrc.load_yaml.__code__

def watch(frame, event, arg):
    if event == "call" and frame.f_code is code:
        text = frame.f_locals["text"].encode()
        parsed.append((frame.f_locals["path"], hashlib.sha256(text).hexdigest()))

sys.setprofile(watch)
try:
    main(sys.argv[2:])
except SystemExit as exit:
    assert not exit.code, exit.code
finally:
    sys.setprofile(None)
    with open(sys.argv[1], "w") as out:
        json.dump(parsed, out)
"""
"""A tymdocs command run with every YAML parse noted: (path, SHA-256 of the text)."""


def counted(repo: Path, *args: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The git commands (``GIT_TRACE``) and the YAML parses of ``tymdocs args`` in a process
    of its own, as a coordinator runs it."""
    trace, parses = repo.parent / "trace.txt", repo.parent / "parses.json"
    trace.unlink(missing_ok=True)
    env = {**os.environ, "GIT_TRACE": str(trace)}
    subprocess.run([sys.executable, "-c", PROBE, str(parses), *args], cwd=repo, env=env, check=True)
    commands = [
        line.split("trace: built-in: git ", 1)[1]
        for line in trace.read_text().splitlines()
        if "trace: built-in: git " in line
    ]
    return commands, [tuple(p) for p in json.loads(parses.read_text())]


@pytest.fixture
def three_versions(
    capsys: pytest.CaptureFixture[str], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The adopted seed (version 1), Johtoryhmä's decision on Liite 5 (version 2), and an
    amendment of § 12 and ``tymdocs.yaml`` (version 3): three versions, two texts of
    ``tymdocs.yaml``."""
    at(monkeypatch, "2025-09-16T10:00:00+03:00")
    kela_to_one(repo)
    decision = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    assert run(capsys, "-C", str(repo), *decision, "-m", "Kela").code == 0
    shutil.copy(repo / "tymdocs.yaml", repo.parent / "v1.yaml")
    at(monkeypatch, "2026-02-02T10:00:00+03:00")
    edit(repo, "tymdocs.yaml", "court: Hämeenlinnan", "court: Turun")
    edit(repo, SECTION_12, "on voimassa toistaiseksi", "on voimassa toistaiseksi ja sitä")
    amend = ["amend", "--date", "1.2.2026", "--effective", "1.3.2026", "-m", "12 §"]
    assert run(capsys, "-C", str(repo), *amend).code == 0
    shutil.copy(repo / "tymdocs.yaml", repo.parent / "v3.yaml")
    return repo


COMMANDS = {
    "diff by numbers": ("diff", "v1", "v3", "--json"),
    "diff by revisions": ("diff", "HEAD~2", "HEAD", "--json"),
    "diff by dates": ("diff", "1.6.2025", "20.9.2025", "--json"),
    "diff with the working tree": ("diff", "--json"),
    "build of an amendment": ("build", "--ref", "v3", "--no-packages", "-q", "-o", "../out"),
    "status": ("status", "--json"),
    "log": ("log", "--json"),
}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_command_reads_the_history_once_and_parses_each_text_once(
    three_versions: Path, command: tuple[str, ...]
) -> None:
    """Before, ``diff v1 v3`` ran ``git log`` four times and parsed ``tymdocs.yaml`` six
    times; a build of an amendment read the history three times."""
    commands, parses = counted(three_versions, *command)
    logs = [c for c in commands if c.startswith("log ")]
    assert len(logs) == 1, logs
    twice = [parse for parse, count in Counter(parses).items() if count > 1]
    assert not twice, twice
    listed = [c for c in commands if c.startswith("ls-tree ")]
    assert len(listed) == len(set(listed)), listed  # each commit's tree listed once


def test_a_diff_parses_tymdocs_yaml_once_per_version(three_versions: Path) -> None:
    """Versions 1 and 3 hold two texts of ``tymdocs.yaml`` (the working tree, read for the
    agreement's id, holds version 3's): each parsed once, and nothing else of it."""
    texts = {
        hashlib.sha256((three_versions / ".." / rev).read_bytes()).hexdigest()
        for rev in ("v1.yaml", "v3.yaml")
    }
    assert len(texts) == 2
    _, parses = counted(three_versions, "diff", "v1", "v3", "--json")
    assert sorted(digest for path, digest in parses if path == "tymdocs.yaml") == sorted(texts)
