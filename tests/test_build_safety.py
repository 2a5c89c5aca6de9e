"""Builds never lose or invent data: only tymdocs's own files are replaced, a swap killed at
any step leaves complete files, and a clean build reads exactly the committed sources."""

from __future__ import annotations

import errno
import hashlib
import json
import os
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


OLD = {"a.pdf": b"old a", "b.docx": b"old b", "c.pdf": b"old c only", "x.pdf": b"old x only"}
NEW = {"a.pdf": b"new a", "b.docx": b"new b", "d.pdf": b"new d only", "y.pdf": b"new y only"}
"""Two sets, with names that sort before the manifest's and after it."""


def _killed_at_every_step(
    tmp_path: Path, steps: list[tuple[Any, str]], check: Callable[[int, Path], None]
) -> int:
    """Swap ``OLD`` for ``NEW`` in a build folder that also holds the user's own files, dying
    at step 0, 1, 2, ... (each a call of one of ``steps``, (module, function name)) until a
    swap finishes. ``check`` sees the folder as each kill left it; then the next swap must
    finish the job. Returns the number of steps."""
    real = {(module, name): getattr(module, name) for module, name in steps}
    step = 0
    while True:
        out = tmp_path / f"run-{step}" / "build"
        replace_directory(out, _set(OLD))
        (out / "kommentit.txt").write_text("oma\n")
        (out / "diff-v1-v2").mkdir()
        (out / "diff-v1-v2" / "raportti.html").write_text("<p>raportti</p>")
        (out / "uusin").symlink_to("diff-v1-v2")
        budget = [step]
        with pytest.MonkeyPatch.context() as patch:
            for (module, name), function in real.items():
                patch.setattr(module, name, _dying(function, budget))
            try:
                replace_directory(out, _set(NEW))
                finished = True
            except Killed:
                finished = False
        assert (out / "kommentit.txt").read_text() == "oma\n", step
        assert (out / "diff-v1-v2" / "raportti.html").read_text() == "<p>raportti</p>", step
        assert os.readlink(out / "uusin") == "diff-v1-v2", step
        if not finished:
            check(step, out)
        # The next swap finishes the job and leaves nothing behind, beside the folder or in it.
        replace_directory(out, _set(NEW))
        assert sorted(p.name for p in out.parent.iterdir()) == ["build"], step
        assert sorted(p.name for p in out.iterdir()) == sorted(
            [*NEW, MANIFEST, "kommentit.txt", "diff-v1-v2", "uusin"]
        ), step
        assert _matches_manifest(out)
        if finished:
            return step
        step += 1


def _listed(out: Path) -> set[str]:
    return {entry["path"] for entry in _manifest(out)["outputs"]}


def test_a_swap_killed_at_any_instant_leaves_the_old_set_or_the_new_one(tmp_path: Path) -> None:
    """Where directories can be exchanged (this machine), ``build/`` holds a complete set at
    every instant: its manifest, and exactly the files it lists with their hashes."""
    steps = [
        (output, "write_new"),
        (output.os, "link"),
        (output.os, "symlink"),
        (output, "_rename"),
        (output.os, "unlink"),
        (output.os, "rmdir"),
    ]
    seen = []

    def complete(step: int, out: Path) -> None:
        assert _matches_manifest(out), step
        expected = OLD if _listed(out) == set(OLD) else NEW
        ours = {p.name for p in out.iterdir()} - {"kommentit.txt", "diff-v1-v2", "uusin"}
        assert ours == {*expected, MANIFEST}, step
        seen.append(expected is NEW)

    # 5 files written, 2 hard links and a symbolic link, the exchange; then the old set's 5
    # files, the user's 2 files and a link (linked in the new set), and 2 folders removed
    assert _killed_at_every_step(tmp_path, steps, complete) == 19
    assert seen == [False] * 9 + [True] * 10


def _during_the_exchange(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """``action`` runs just before the two folders are exchanged: a user at work meanwhile."""
    rename = output._rename

    def meanwhile(source: Path, target: Path, exchange: bool) -> None:
        if exchange:
            action()
        rename(source, target, exchange)

    monkeypatch.setattr(output, "_rename", meanwhile)


def test_files_the_user_writes_during_a_swap_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new file is moved into the new set; a file saved anew (another inode) is kept beside
    it, never deleted."""
    out = tmp_path / "build"
    replace_directory(out, _set(OLD))
    (out / "kommentit.txt").write_text("ennen\n")

    def work() -> None:
        (out / "juuri-nyt.txt").write_text("kirjoitettu kesken\n")
        (out / "kommentit.txt").unlink()
        (out / "kommentit.txt").write_text("tallennettu kesken\n")

    _during_the_exchange(monkeypatch, work)
    replace_directory(out, _set(NEW))
    assert (out / "juuri-nyt.txt").read_text() == "kirjoitettu kesken\n"
    assert (out / "kommentit.txt").read_text() == "ennen\n"
    kept = tmp_path / "build.tymdocs-kept-1"
    assert sorted(p.name for p in kept.iterdir()) == ["kommentit.txt"]
    assert (kept / "kommentit.txt").read_text() == "tallennettu kesken\n"
    assert _listed(out) == set(NEW) and _matches_manifest(out)
    monkeypatch.undo()
    replace_directory(out, _set(OLD))  # the kept folder is the user's: left alone
    assert kept.is_dir()


def test_a_file_system_that_cannot_exchange_gets_the_file_by_file_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "build"
    replace_directory(out, _set(OLD))
    (out / "kommentit.txt").write_text("oma\n")
    rename = output._rename

    def unsupported(source: Path, target: Path, exchange: bool) -> None:
        if exchange:
            raise OSError(errno.EINVAL, "Invalid argument")
        rename(source, target, exchange)

    monkeypatch.setattr(output, "_rename", unsupported)
    replace_directory(out, _set(NEW))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*NEW, MANIFEST, "kommentit.txt"])
    assert _matches_manifest(out) and _listed(out) == set(NEW)


@pytest.mark.parametrize("case", ["read-only folder", "repository", "folder under a set name"])
def test_the_users_folders_survive_every_swap(tmp_path: Path, case: str) -> None:
    """A folder tymdocs could not empty again (to all but root), a repository (``-o .``), a
    folder under the name of an old output: each stays with its files. The first two are not
    even recreated: the files around them are swapped one by one."""
    out = tmp_path / "build"
    replace_directory(out, _set(OLD))
    name = {"read-only folder": "lukittu", "repository": ".git", "folder under a set name": "c.pdf"}
    mine = out / name[case]
    if case == "folder under a set name":
        (out / "c.pdf").unlink()
    mine.mkdir()
    (mine / "tieto.txt").write_text("oma\n")
    if case == "read-only folder":
        mine.chmod(0o555)
    before = mine.stat().st_ino
    replace_directory(out, _set(NEW))
    mine.chmod(0o755)
    assert (mine / "tieto.txt").read_text() == "oma\n"
    if case == "repository" or (case == "read-only folder" and os.geteuid() != 0):
        assert mine.stat().st_ino == before
    assert _listed(out) == set(NEW) and _matches_manifest(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_file_by_file_swap_killed_at_every_step_leaves_complete_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where directories cannot be exchanged, each file under its own name is complete, and
    a manifest in place matches what it lists."""
    monkeypatch.setattr(output, "_exchange_function", lambda: None)
    versions = {name: {OLD.get(name), NEW.get(name)} - {None} for name in {*OLD, *NEW}}

    def complete_files(step: int, out: Path) -> None:
        for name, allowed in versions.items():
            if (out / name).exists():
                assert (out / name).read_bytes() in allowed, (step, name)
        if (out / MANIFEST).exists():
            assert _matches_manifest(out), step
            assert _listed(out) in (set(OLD), set(NEW))

    steps = [(output.os, "replace"), (output.os, "unlink")]
    count = _killed_at_every_step(tmp_path, steps, complete_files)
    assert count == 9  # old manifest aside, 4 files and the manifest renamed, 3 deletions


def test_what_an_interrupted_swap_left_is_tidied_and_nothing_else_is_touched(
    tmp_path: Path,
) -> None:
    out = tmp_path / "build"
    replace_directory(out, _set({"a.pdf": b"a"}))
    (tmp_path / ".build-old-2024").mkdir()  # the user's own backup, named like anything
    (tmp_path / ".build-old-2024" / "a.pdf").write_bytes(b"varmuuskopio")
    staging = tmp_path / ".build.tymdocs-swap"  # a set being prepared when the build died
    staging.mkdir()
    (staging / MANIFEST).write_text(json.dumps({"outputs": [{"path": "a.pdf"}]}))
    (staging / "a.pdf").write_bytes(b"half")
    outside = tmp_path / "gradu.txt"
    outside.write_text("oma\n")
    (out / f"{output.NEW}a.pdf").symlink_to(outside)  # a file-by-file swap's name, as a link
    replace_directory(out, _set({"a.pdf": b"a2"}))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build-old-2024", "build", "gradu.txt"]
    assert (tmp_path / ".build-old-2024" / "a.pdf").read_bytes() == b"varmuuskopio"
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", MANIFEST]
    assert (out / "a.pdf").read_bytes() == b"a2"
    for exchange in (False, True):  # the file-by-file swap writes nothing through a link
        (out / f"{output.NEW}a.pdf").symlink_to(outside)
        with pytest.MonkeyPatch.context() as patch:
            if not exchange:
                patch.setattr(output, "_exchange_function", lambda: None)
            replace_directory(out, _set({"a.pdf": b"a3"}))
        assert outside.read_text() == "oma\n" and (out / "a.pdf").read_bytes() == b"a3"


def test_a_link_named_like_the_swap_folder_is_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "build"
    replace_directory(out, _set(OLD))
    release = tmp_path / "julkaisu"
    replace_directory(release, _set({"z.pdf": b"julkaistu"}))
    (tmp_path / ".build.tymdocs-swap").symlink_to(release)
    replace_directory(out, _set(NEW))
    assert _listed(out) == set(NEW) and _matches_manifest(out)
    assert sorted(p.name for p in release.iterdir()) == ["manifest.json", "z.pdf"]
    assert _matches_manifest(release)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the folders to another user")
def test_folders_of_another_owner_are_never_made_anew(tmp_path: Path) -> None:
    """Made anew, a folder would belong to whoever runs the build: files one by one instead."""
    out = tmp_path / "build"
    replace_directory(out, _set(OLD))
    (out / "oma").mkdir()
    for folder in (out, out / "oma"):
        os.chown(folder, 65534, 65534)
    replace_directory(out, _set(NEW))
    assert (out.stat().st_uid, (out / "oma").stat().st_uid) == (65534, 65534)
    assert _listed(out) == set(NEW) and _matches_manifest(out)


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


def test_a_report_inside_build_waits_for_a_build_to_finish_its_swap(tmp_path: Path) -> None:
    """A build holds the lock on the folder that holds ``build/``; a report being written
    anywhere inside ``build/`` takes that lock too, so it never lands in a ``build/`` being
    exchanged."""
    import fcntl
    import threading

    out = tmp_path / "build"
    replace_directory(out, _set(OLD))
    report = out / "raportit" / "diff-v1-v2"
    report.parent.mkdir()
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a build in the middle of its swap
        writer = threading.Thread(
            target=replace_directory,
            args=(report, [Output(MANIFEST, "manifest", b"{}")]),
            kwargs={"kind": "redline"},
        )
        writer.start()
        writer.join(timeout=1)
        assert writer.is_alive() and not report.exists()
    finally:
        os.close(fd)
    writer.join(timeout=10)
    assert not writer.is_alive() and (report / MANIFEST).read_bytes() == b"{}"


def test_a_first_build_beside_a_link_named_like_the_swap_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "muualla"
    elsewhere.mkdir()
    (tmp_path / ".build.tymdocs-swap").symlink_to(elsewhere)
    replace_directory(tmp_path / "build", _set(NEW))
    assert _matches_manifest(tmp_path / "build") and list(elsewhere.iterdir()) == []
