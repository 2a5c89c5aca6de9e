"""What tymdocs knows of the repository before it reads or records (``git.repo_state``), asked
of real repositories in each state: one ``git rev-parse`` where HEAD has a commit, more before
the first."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import GIT_ENV, git
from tymdocs.git import RepoState, repo_state


def _repo(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "sub").mkdir()
    (root / "sub" / "a.txt").write_text("a\n", encoding="utf-8")
    return root


def test_outside_any_repository(tmp_path: Path) -> None:
    assert repo_state(tmp_path) is None


def test_before_the_first_commit(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    shallow = root.resolve() / ".git" / "shallow"
    assert repo_state(root) == RepoState(
        "", None, "refs/heads/main", None, root / ".git/index", shallow
    )
    state = repo_state(root / "sub")
    assert state is not None and (state.prefix, state.head) == ("sub/", None)


def test_on_a_branch_in_a_subfolder(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    commit = git(root, "rev-parse", "HEAD")
    state = repo_state(root / "sub")
    assert state == RepoState(
        "sub/",
        commit,
        "refs/heads/main",
        None,
        root / "sub" / "../.git/index",
        root.resolve() / ".git" / "shallow",
    )


def test_detached_and_a_file_named_head(tmp_path: Path) -> None:
    """A detached HEAD is on no branch; a file called HEAD beside the sources changes nothing."""
    root = _repo(tmp_path / "repo")
    (root / "HEAD").write_text("not a revision\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    commit = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "--detach")
    state = repo_state(root)
    assert state is not None
    assert (state.head, state.branch, state.operation) == (commit, None, None)


def test_a_merge_under_way(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    git(root, "checkout", "-q", "-b", "other")
    (root / "sub" / "a.txt").write_text("other\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "other")
    git(root, "checkout", "-q", "main")
    (root / "sub" / "a.txt").write_text("main\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "main")
    head = git(root, "rev-parse", "HEAD")
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", "merge", "-q", "other"], cwd=root, env=env, capture_output=True)
    assert done.returncode != 0  # a conflict: the merge waits
    state = repo_state(root)
    assert state is not None
    assert (state.head, state.branch, state.operation) == (head, "refs/heads/main", "a merge")


def test_beside_a_ref_named_head(tmp_path: Path) -> None:
    """A tag called HEAD makes git's one answer leave the branch out: asked apart, the same."""
    root = _repo(tmp_path / "repo")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    commit = git(root, "rev-parse", "HEAD")
    git(root, "tag", "HEAD")
    state = repo_state(root)
    assert state is not None
    assert (state.head, state.branch) == (commit, "refs/heads/main")


def test_a_branch_named_with_a_line_separator(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    git(root, "checkout", "-q", "-b", "sopimus\u2028luonnos")
    state = repo_state(root)
    assert state is not None and state.branch == "refs/heads/sopimus\u2028luonnos"
