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
