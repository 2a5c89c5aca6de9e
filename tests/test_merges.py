"""Merges judged by what they bring into the first parent (issue 17): a decision recorded on
a branch and merged stands; a merge that drops it, or sets a text no side made, is a change
without its record; a change left unrecorded on one branch still waits after a version on the
other. Real repositories in tmp_path, a fixed author and clock.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

from tests.helpers import GIT_ENV, RECORDED, edit, git, run
from tests.test_governance import LIITE_4, LIITE_5, kela_to_one
from tymdocs import git as tymdocs_git
from tymdocs.governance import merges

DECISION = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
LIITE_4_LINE = ("Nuorten palvelut järjestetään", "Nuorten palvelut tuotetaan")


def decided_on_a_branch(capsys: pytest.CaptureFixture[str], root: Path) -> str:
    """Version 2 (Liite 5) recorded on branch ``side``; back on main, which has not moved."""
    git(root, "checkout", "-qb", "side")
    kela_to_one(root)
    assert run(capsys, "-C", str(root), *DECISION, "-m", "Päätös").code == 0
    decided = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "main")
    return decided


def merge(root: Path, *options: str) -> str:
    git(root, "merge", "--no-ff", "-q", *options, "-m", "Yhdistetty", "side", date=RECORDED)
    return git(root, "rev-parse", "HEAD").strip()


def audit(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, str]:
    result = run(capsys, "-C", str(root), "check", "--governance")
    return result.code, result.out + result.err


def test_a_recorded_branch_merged_stands(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    decided_on_a_branch(capsys, repo)
    merge(repo)
    code, out = audit(capsys, repo)
    assert code == 0, out
    assert "governance ok" in out
    status = run(capsys, "-C", str(repo), "status")
    assert "nothing waits to be recorded" in status.out
    assert "latest recorded version: 2" in status.out


@pytest.mark.parametrize(
    "how", [("-s", "ours"), ("--no-commit",)], ids=["strategy-ours", "resolved-by-hand"]
)
def test_a_merge_that_drops_a_recorded_decision_is_a_change_without_a_record(
    capsys: pytest.CaptureFixture[str], repo: Path, how: tuple[str, ...]
) -> None:
    """The register would hold version 2's text of Liite 5 while main keeps version 1's."""
    decided_on_a_branch(capsys, repo)
    if how == ("--no-commit",):
        git(repo, "merge", "--no-ff", "-q", "--no-commit", "side")
        git(repo, "checkout", "HEAD", "--", LIITE_5)  # keep main's text
        git(repo, "commit", "-qm", "Yhdistetty", date=RECORDED)
    else:
        merge(repo, *how)
    merged = git(repo, "rev-parse", "HEAD").strip()
    code, out = audit(capsys, repo)
    assert code == 1
    assert f"{merged[:12]} Yhdistetty: changes {LIITE_5} without a record" in out
    status = run(capsys, "-C", str(repo), "status")
    assert f"committed without a record: {merged[:12]} Yhdistetty" in status.out
    kela_to_one(repo)  # a record command sees it too, and refuses
    refused = run(capsys, "-C", str(repo), *DECISION, "-m", "Uusi")
    assert refused.code == 1
    assert f"commit {merged[:12]} (Yhdistetty) changed the agreement without a record" in (
        refused.err
    )


def test_a_merge_that_sets_a_text_no_side_made_is_a_change_without_a_record(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    git(repo, "checkout", "-qb", "side")
    (repo / "muistio.txt").write_text("ei sopimusta\n")
    git(repo, "add", "muistio.txt")
    git(repo, "commit", "-qm", "Muistio", date=RECORDED)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "--no-ff", "-q", "--no-commit", "side")
    edit(repo, LIITE_4, *LIITE_4_LINE)
    git(repo, "commit", "-qam", "Yhdistetty", date=RECORDED)
    code, out = audit(capsys, repo)
    assert code == 1
    assert f"Yhdistetty: changes {LIITE_4} without a record" in out
    assert "Muistio" not in out  # a file outside the agreement needs no record


def test_a_change_unrecorded_on_main_still_waits_after_a_version_on_a_branch(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Newest first, git lists the branch's version before main's unrecorded commit: the
    commit is not behind that version, so it still waits."""
    decided_on_a_branch(capsys, repo)
    edit(repo, LIITE_4, *LIITE_4_LINE)
    git(repo, "commit", "-qam", "Ohi rekisterin", date=RECORDED)
    unrecorded = git(repo, "rev-parse", "HEAD").strip()
    merge(repo)
    code, out = audit(capsys, repo)
    assert code == 1
    assert f"{unrecorded[:12]} Ohi rekisterin: changes {LIITE_4} without a record" in out
    assert "Yhdistetty" not in out  # the merge itself brings only what the two sides made
    status = run(capsys, "-C", str(repo), "status")
    assert f"committed without a record: {unrecorded[:12]} Ohi rekisterin" in status.out
    assert "nothing waits" not in status.out


def test_a_branch_that_merged_main_in_and_then_is_merged_back_stands(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Each side changed another annex, each recorded; the branch took main in first: git's
    usual merge request, judged clean."""
    decided_on_a_branch(capsys, repo)
    edit(repo, LIITE_4, *LIITE_4_LINE)
    assert run(capsys, "-C", str(repo), *DECISION, "-m", "Palvelut").code == 0
    git(repo, "checkout", "-q", "side")
    git(repo, "merge", "-q", "--no-ff", "-m", "Päivitetty", "main", date=RECORDED)
    git(repo, "checkout", "-q", "main")
    merge(repo)
    code, out = audit(capsys, repo)
    assert code == 1
    assert "without a record" not in out, out
    assert "records version 2, but the previous version is 2: expected 3" in out  # a clash


def test_a_branch_forked_before_version_1_is_judged_after_it(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """A branch from the draft, brought up to date with main and fast-forwarded: its commit
    comes before version 1 in git's order, but is not behind it."""
    git(repo, "checkout", "-qb", "draft", "HEAD~1")
    edit(repo, LIITE_4, *LIITE_4_LINE)
    git(repo, "commit", "-qam", "Luonnoksesta", date=RECORDED)
    git(repo, "merge", "-q", "--no-ff", "-m", "Ajan tasalle", "main", date=RECORDED)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "draft")
    code, out = audit(capsys, repo)
    assert code == 1
    assert f"Luonnoksesta: changes {LIITE_4} without a record" in out


def test_a_clean_merge_after_a_cherry_pick_stands(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Both lines hold the same text (one picked it from the other); the branch then changes
    it again and git merges cleanly: the merge made nothing of its own."""
    decided_on_a_branch(capsys, repo)
    git(repo, "cherry-pick", "side", date=RECORDED)
    merge(repo)
    git(repo, "checkout", "-q", "side")
    edit(repo, LIITE_5, "malliin on 1,0 htv", "malliin on 1,0 htv (koko aika)")
    git(repo, "commit", "-qam", "Tarkennus", date=RECORDED)
    git(repo, "checkout", "-q", "main")
    merged = merge(repo)
    _code, out = audit(capsys, repo)
    assert f"Tarkennus: changes {LIITE_5} without a record" in out
    assert merged[:12] not in out


def test_the_advice_never_takes_a_record_back(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """An unrecorded commit merged in from a branch, with a version recorded after it on
    main: git reset --soft to its parent would erase that version, so it is not advised."""
    git(repo, "checkout", "-qb", "side")
    edit(repo, LIITE_4, *LIITE_4_LINE)
    git(repo, "commit", "-qam", "Ohi rekisterin", date=RECORDED)
    git(repo, "checkout", "-q", "main")
    kela_to_one(repo)
    assert run(capsys, "-C", str(repo), *DECISION, "-m", "Päätös").code == 0
    merge(repo)
    edit(repo, LIITE_5, "malliin on 1,0 htv", "malliin on 0,9 htv")
    refused = run(capsys, "-C", str(repo), *DECISION, "--section", "5", "-m", "Uusi")
    assert refused.code == 1
    assert "(Ohi rekisterin) changed the agreement without a record" in refused.err
    assert "git reset" not in refused.err
    assert "cannot be undone without rewriting the history" in refused.err


def test_the_advice_to_reset_stands_where_it_takes_back_only_the_unrecorded(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    edit(repo, LIITE_4, *LIITE_4_LINE)
    git(repo, "commit", "-qam", "Ohi rekisterin", date=RECORDED)
    kela_to_one(repo)
    refused = run(capsys, "-C", str(repo), *DECISION, "-m", "Uusi")
    adopted = git(repo, "rev-parse", "HEAD~1").strip()
    assert f"git reset --soft {adopted[:12]}" in refused.err


# -- against git's own merge -------------------------------------------------------------------

_FILES = ("annexes/f1.md", "annexes/f2.md", "annexes/f3.md")
_TEXTS = tuple(f"teksti {n}\n" for n in range(4))


class _Plumbing:
    """A repository written with git's plumbing: trees and commits from file maps."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        self.clock = 1_700_000_000

    def blob(self, text: str) -> str:
        done = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=self.root,
            input=text.encode(),
            capture_output=True,
            check=True,
        )
        return done.stdout.decode().strip()

    def commit(self, files: dict[str, str], parents: list[str]) -> str:
        listing = "".join(f"100644 blob {b}\t{p.split('/')[1]}\n" for p, b in sorted(files.items()))
        annexes = self._mktree(listing)
        tree = self._mktree(f"040000 tree {annexes}\tannexes\n" if files else "")
        self.clock += 60
        env = {**os.environ, **GIT_ENV}
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{self.clock} +0000"
        args = [x for p in parents for x in ("-p", p)]
        done = subprocess.run(
            ["git", "commit-tree", tree, *args, "-m", "x"],
            cwd=self.root,
            env=env,
            capture_output=True,
            check=True,
        )
        return done.stdout.decode().strip()

    def _mktree(self, listing: str) -> str:
        done = subprocess.run(
            ["git", "mktree"], cwd=self.root, input=listing.encode(), capture_output=True
        )
        return done.stdout.decode().strip()

    def files(self, commit: str) -> dict[str, str]:
        listing = git(self.root, "ls-tree", "-r", commit, "--", "annexes")
        return {line.split("\t")[1]: line.split()[2] for line in listing.splitlines()}

    def merged(self, a: str, b: str) -> tuple[dict[str, str], set[str]]:
        """git's merge of ``a`` and ``b``: the files, and the paths in conflict."""
        done = subprocess.run(
            ["git", "merge-tree", "--write-tree", "--no-messages", a, b],
            cwd=self.root,
            capture_output=True,
            text=True,
        )
        tree, *rest = done.stdout.splitlines()
        return self.files(tree), {line.split("\t")[1] for line in rest if "\t" in line}


@pytest.mark.parametrize("seed", range(12))
def test_a_merge_s_own_changes_are_where_it_differs_from_git_s_merge(
    tmp_path: Path, seed: int
) -> None:
    """Random histories of edits and merges, some merges tampered with: tymdocs blames a
    merge for every path it leaves otherwise than git's merge would (and every conflict),
    and, where the parents have one merge base, for no other."""
    rnd = random.Random(seed)
    repo = _Plumbing(tmp_path / "r")
    blobs = [repo.blob(text) for text in _TEXTS]
    root = repo.commit(dict.fromkeys(_FILES, blobs[0]), [])
    heads = [root, root, root]
    truth: dict[str, tuple[set[str], bool]] = {}
    for _ in range(30):
        mine = rnd.randrange(3)
        if rnd.random() < 0.55:
            files = repo.files(heads[mine])
            files[rnd.choice(_FILES)] = rnd.choice(blobs)
            heads[mine] = repo.commit(files, [heads[mine]])
            continue
        a, b = heads[mine], heads[rnd.choice([i for i in range(3) if i != mine])]
        if (
            subprocess.run(["git", "merge-base", "--is-ancestor", b, a], cwd=repo.root).returncode
            == 0
        ):
            continue
        result, conflicts = repo.merged(a, b)
        clean = dict(result)
        for path in conflicts:
            result[path] = rnd.choice(blobs)
        if rnd.random() < 0.3:  # a hand that sets a path to one side's text, or a new one
            path = rnd.choice(_FILES)
            result[path] = rnd.choice([repo.files(a)[path], repo.files(b)[path], *blobs])
        merge = repo.commit(result, [a, b])
        heads[mine] = merge
        own = conflicts | {p for p in _FILES if p not in conflicts and result[p] != clean[p]}
        bases = git(repo.root, "merge-base", "--all", a, b).split()
        truth[merge] = (own, len(bases) == 1)
    walked = {
        w.commit.commit: {c.path for c in w.commit.changes}
        for w in merges.walk(tymdocs_git.log(repo.root, heads[0]))
    }
    checked = [merge for merge in truth if merge in walked]
    assert checked  # the tip holds merges of the history
    for merge in checked:
        own, one_base = truth[merge]
        assert own <= walked[merge], merge
        if one_base:
            assert walked[merge] == own, merge
