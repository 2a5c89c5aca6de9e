"""Builds never lose or invent data: only tymdocs's own files are replaced, a swap killed at
any step leaves complete files, and a clean build reads exactly the committed sources."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run, tree_digest
from tymdocs import output
from tymdocs.output import MANIFEST, Output, replace_directory

PDF = "lansi-pirkanmaa-tym.pdf"
DOCX = "lansi-pirkanmaa-tym.docx"
PACKAGE = "lansi-pirkanmaa-tym-allekirjoitus-kela.pdf"


def _manifest(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / MANIFEST).read_text(encoding="utf-8"))


def _matches_manifest(out: Path) -> bool:
    """Every file the manifest in ``out`` lists is there with the SHA-256 it records."""
    for entry in _manifest(out)["outputs"]:
        path = out / entry["path"]
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            return False
    return True


def test_a_rebuild_keeps_the_users_files_and_the_redline_reports(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    out = seed_repo / "build"
    assert run(capsys, "-C", str(seed_repo), "build").code == 0
    (out / "kommentit.txt").write_text("Tarkista 8 §\n", encoding="utf-8")
    (out / "diff-v1-v2").mkdir()
    (out / "diff-v1-v2" / MANIFEST).write_text('{"kind": "redline", "outputs": []}\n')
    mine = {**tree_digest(out / "diff-v1-v2"), "kommentit": (out / "kommentit.txt").read_text()}
    forced = run(capsys, "-C", str(seed_repo), "build", "--force")
    assert forced.code == 0, forced.err
    # Without the packages, the old packages (listed in the old manifest) go; nothing else does.
    fewer = run(capsys, "-C", str(seed_repo), "build", "--no-packages")
    assert fewer.code == 0, fewer.err
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [DOCX, PDF, MANIFEST, "kommentit.txt", "diff-v1-v2"]
    )
    assert {
        **tree_digest(out / "diff-v1-v2"),
        "kommentit": (out / "kommentit.txt").read_text(),
    } == (mine)
    assert _matches_manifest(out)


def test_a_folder_of_another_agreement_or_with_foreign_files_in_the_way_is_refused(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, tmp_path: Path
) -> None:
    other = tmp_path / "toinen"
    other.mkdir()
    (other / MANIFEST).write_text(
        json.dumps({"agreement": {"id": "toinen-tym"}, "outputs": [{"path": "toinen.pdf"}]})
    )
    (other / "toinen.pdf").write_bytes(b"%PDF toinen")
    before = tree_digest(other)
    refused = run(capsys, "-C", str(seed_repo), "build", "-o", str(other))
    assert refused.code == 2
    assert "holds the outputs of agreement 'toinen-tym': refusing to replace them" in refused.err
    assert tree_digest(other) == before

    report = tmp_path / "raportti"
    report.mkdir()
    (report / MANIFEST).write_text('{"kind": "redline", "outputs": []}\n')
    refused = run(capsys, "-C", str(seed_repo), "build", "-o", str(report))
    assert refused.code == 2 and "holds the outputs of a redline" in refused.err

    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / PDF).write_bytes(b"my own pdf")
    (documents / "thesis.docx").write_bytes(b"precious")
    before = tree_digest(documents)
    refused = run(capsys, "-C", str(seed_repo), "build", "-o", str(documents))
    assert refused.code == 2
    assert f"{documents / PDF} was not written by tymdocs" in refused.err
    assert tree_digest(documents) == before

    (documents / PDF).unlink()
    built = run(capsys, "-C", str(seed_repo), "build", "-o", str(documents))
    assert built.code == 0, built.err
    assert (documents / "thesis.docx").read_bytes() == b"precious"
    assert _matches_manifest(documents)
    assert "thesis.docx" not in json.dumps(_manifest(documents))


def test_an_unreadable_manifest_is_not_taken_for_ours(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "sekava"
    folder.mkdir()
    (folder / MANIFEST).write_text("not json")
    result = run(capsys, "-C", str(seed_repo), "build", "-o", str(folder))
    assert result.code == 2
    assert "cannot be read as a tymdocs manifest" in result.err
    assert (folder / MANIFEST).read_text() == "not json"


def _set(contents: dict[str, bytes]) -> list[Output]:
    """A build's outputs and its manifest, as ``build`` hands them to the swap."""
    outputs = [Output(name, "file", data) for name, data in contents.items()]
    manifest = {"agreement": {"id": "sopimus"}, "outputs": [o.entry() for o in outputs]}
    return [*outputs, Output(MANIFEST, "manifest", json.dumps(manifest).encode())]


class Killed(BaseException):
    """The process dying at one step of the swap."""


def _dying(function: Callable[..., None], budget: list[int]) -> Callable[..., None]:
    """``function`` that dies once ``budget`` (shared by every step of a swap) runs out."""

    def call(*args: Any, **kwargs: Any) -> None:
        if budget[0] == 0:
            raise Killed
        budget[0] -= 1
        function(*args, **kwargs)

    return call


def test_a_swap_killed_at_every_step_leaves_complete_files_and_the_next_one_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _set({"a.pdf": b"old a", "b.docx": b"old b", "c.pdf": b"old c only"})
    new = _set({"a.pdf": b"new a", "b.docx": b"new b", "d.pdf": b"new d only"})
    versions = {o.name: {o.data} for o in old}
    for o in new:
        versions.setdefault(o.name, set()).add(o.data)
    real_replace, real_unlink = output.os.replace, output.os.unlink
    step = 0
    while True:
        out = tmp_path / f"run-{step}" / "build"
        replace_directory(out, old)
        (out / "kommentit.txt").write_text("oma\n")
        budget = [step]
        monkeypatch.setattr(output.os, "replace", _dying(real_replace, budget))
        monkeypatch.setattr(output.os, "unlink", _dying(real_unlink, budget))
        try:
            replace_directory(out, new)
            finished = True
        except Killed:
            finished = False
        monkeypatch.undo()
        # Every file under its own name is complete: all of one version or of the other.
        for name, allowed in versions.items():
            if (out / name).exists():
                assert (out / name).read_bytes() in allowed, (step, name)
        # A manifest in place always matches what it lists: the old set or the new.
        if (out / MANIFEST).exists():
            assert _matches_manifest(out), step
            listed = {e["path"] for e in _manifest(out)["outputs"]}
            assert listed in ({"a.pdf", "b.docx", "c.pdf"}, {"a.pdf", "b.docx", "d.pdf"})
        assert (out / "kommentit.txt").read_text() == "oma\n"
        # The next build finishes the job and leaves nothing behind.
        replace_directory(out, new)
        assert sorted(p.name for p in out.iterdir()) == sorted(
            ["a.pdf", "b.docx", "d.pdf", MANIFEST, "kommentit.txt"]
        ), step
        assert _matches_manifest(out)
        if finished:
            break
        step += 1
    assert step == 7  # old manifest aside, 3 files and the manifest renamed, 2 deletions


def test_leftovers_of_interrupted_builds_are_cleaned_up_and_a_lost_build_restored(
    tmp_path: Path,
) -> None:
    out = tmp_path / "build"
    replace_directory(out, _set({"a.pdf": b"a"}))
    retired = tmp_path / ".build-old-x1y2"
    retired.mkdir()
    out.rename(retired / "build")
    (tmp_path / ".build-new-z3").mkdir()
    (tmp_path / ".build-new-z3" / "a.pdf").write_bytes(b"half")
    replace_directory(out, _set({"a.pdf": b"a2"}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
    (out / f"{output.NEW}a.pdf").write_bytes(b"half")
    replace_directory(out, _set({"a.pdf": b"a3"}))
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", MANIFEST]
    assert (out / "a.pdf").read_bytes() == b"a3"


# -- a clean build reads exactly the committed sources ------------------------------------------

SECRET = "SALAINEN LISÄYS"
"""Text that is on disk but in no commit: a clean build must never print it."""
PURPOSE = "docs_src/01-tarkoitus.md"


def _build(capsys: pytest.CaptureFixture[str], repo: Path) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    """Build the agreement without packages: exit code, its text, the manifest."""
    from tests.helpers import docx_body_text

    result = run(capsys, "-C", str(repo), "build", "--no-packages", "--force")
    if result.code != 0:
        return result.code, result.err, {}
    text = "\n".join(docx_body_text((repo / "build" / DOCX).read_bytes()))
    return 0, text, _manifest(repo / "build")


def _add_secret(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{SECRET}\n", encoding="utf-8")


def _assert_draft_or_committed(code: int, text: str, data: dict) -> None:  # type: ignore[type-arg]
    """Either the build is marked as a draft, or it holds no text that is not committed."""
    assert code == 0, text
    if SECRET in text:
        assert data["source"]["dirty"] is True and data["source"]["draft"] is True


@pytest.mark.parametrize("where", [".gitignore", ".git/info/exclude"])
def test_an_ignored_source_file_makes_a_draft(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, where: str
) -> None:
    from tests.helpers import git

    ignore = seed_repo / where
    ignore.write_text("docs_src/13-*.md\n")
    if where == ".gitignore":
        git(seed_repo, "add", ".gitignore")
        git(seed_repo, "commit", "-qm", "ignore")
    (seed_repo / "docs_src" / "13-lisays.md").write_text(f"# 13 Lisäys\n\n{SECRET}\n")
    code, text, data = _build(capsys, seed_repo)
    assert SECRET in text
    _assert_draft_or_committed(code, text, data)


def test_an_edited_skip_worktree_file_makes_a_draft(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    from tests.helpers import git

    git(seed_repo, "update-index", "--skip-worktree", PURPOSE)
    _add_secret(seed_repo / PURPOSE)
    assert git(seed_repo, "status", "--porcelain") == ""  # git itself sees no change
    code, text, data = _build(capsys, seed_repo)
    assert SECRET in text
    _assert_draft_or_committed(code, text, data)


def test_a_clean_filter_cannot_smuggle_text_into_a_clean_build(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    """A file git calls unchanged (its clean filter drops the line) is a draft, or is read as
    committed."""
    from tests.helpers import git

    (seed_repo / ".git" / "info" / "attributes").write_text("docs_src/*.md filter=siisti\n")
    git(seed_repo, "config", "filter.siisti.clean", f"grep -v '{SECRET}'")
    purpose = seed_repo / PURPOSE
    purpose.write_text(purpose.read_text(encoding="utf-8") + f"{SECRET}\n", encoding="utf-8")
    assert git(seed_repo, "diff") == ""  # git sees no change in the content
    code, text, data = _build(capsys, seed_repo)
    _assert_draft_or_committed(code, text, data)


# -- sources are regular files inside the agreement ----------------------------------------------

LINKED = "a source must be a regular file, not a symbolic link"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("docs_src/13-ulkoa.md", "outside"),
        ("annexes/liite-7-linkki.yaml", "outside"),
        ("docs_src/13-sisalta.md", "inside"),
        (PURPOSE, "inside"),
    ],
)
def test_a_symbolic_link_among_the_sources_is_refused_without_its_content(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, tmp_path: Path, path: str, target: str
) -> None:
    outside = tmp_path / "salaisuus.txt"
    outside.write_text(f"root:x:0:0:{SECRET}\n# 13 Ulkoa\n\n{SECRET}\n")
    inside = seed_repo / "notes.md"
    inside.write_text(f"# 13 Sisältä\n\n{SECRET}\n")
    link = seed_repo / path
    link.unlink(missing_ok=True)
    link.symlink_to(outside if target == "outside" else Path("..") / "notes.md")
    for command in (["check"], ["build"]):
        result = run(capsys, "-C", str(seed_repo), *command)
        assert result.code == 1, (command, result.err)
        assert f"{path}: error: {LINKED}" in result.err
        assert SECRET not in result.out + result.err
    assert not (seed_repo / "build").exists()


def test_a_committed_symbolic_link_is_refused(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, tmp_path: Path
) -> None:
    from tests.helpers import git

    shared = seed_repo / "yhteiset"
    shared.mkdir()
    (shared / "lisays.md").write_text("# 13 Lisäys\n\nSovittu.\n")
    (seed_repo / "docs_src" / "13-lisays.md").symlink_to(Path("..") / "yhteiset" / "lisays.md")
    git(seed_repo, "add", "-A")
    git(seed_repo, "commit", "-qm", "Linkki")
    head = git(seed_repo, "rev-parse", "HEAD")
    (shared / "lisays.md").write_text(f"# 13 Lisäys\n\n{SECRET}\n")
    for command in (["build"], ["build", "--ref", head, "-o", str(tmp_path / "ref")]):
        result = run(capsys, "-C", str(seed_repo), *command)
        assert result.code == 1, (command, result.err)
        assert f"docs_src/13-lisays.md: error: {LINKED}" in result.err
        assert SECRET not in result.out + result.err
    # Replaced by the regular file it pointed to, the working tree builds again, as a draft.
    (seed_repo / "docs_src" / "13-lisays.md").unlink()
    (seed_repo / "docs_src" / "13-lisays.md").write_text("# 13 Lisäys\n\nSovittu.\n")
    code, text, data = _build(capsys, seed_repo)
    assert code == 0, text
    assert data["source"]["draft"] is True


def test_sources_in_a_folder_the_repository_ignores_make_a_draft(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.helpers import copy_agreement, git, init_repo

    top = tmp_path / "repo"
    top.mkdir()
    (top / ".gitignore").write_text("sopimukset/\n")
    (top / "README.md").write_text("Muistiinpanoja\n")
    init_repo(top)
    root = copy_agreement(top / "sopimukset" / "lansi")
    _add_secret(root / PURPOSE)
    assert git(top, "status", "--porcelain") == ""
    code, text, data = _build(capsys, root)
    assert SECRET in text
    _assert_draft_or_committed(code, text, data)
