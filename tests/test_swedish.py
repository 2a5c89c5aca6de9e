"""Swedish agreements (issue 21, item 4): ``language: sv`` puts every label tymdocs adds in
Swedish, from a table with the same keys and placeholders as the Finnish one.

One Swedish agreement (tests/fixtures/svenska/) gets a history of three versions once per
session: adopted, an annex changed by decision, the main text changed by amendment. Its
documents, packages, redlines and register are read back, and no fixed word of a Finnish label
may appear in them.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import string
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from tests.conftest import SVENSKA
from tests.helpers import (
    GIT_ENV,
    at,
    copy_agreement,
    edit,
    fixed_git,
    git,
    init_repo,
    normalise,
    run,
)
from tymdocs.locale import FINNISH, LABELS, SWEDISH, label, speaking, speaking_through, spoken

_FORMATTER = string.Formatter()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in _FORMATTER.parse(text) if name is not None}


def _fixed(text: str) -> list[str]:
    """The fixed words of a label: its text with every ``{placeholder}`` cut out."""
    return [literal for literal, _, _, _ in _FORMATTER.parse(text)]


# -- the tables ---------------------------------------------------------------------------------


def test_every_label_in_both_languages_with_the_same_placeholders() -> None:
    assert set(LABELS) == {"fi", "sv"}
    assert sorted(FINNISH.keys() - SWEDISH.keys()) == [], "Finnish labels without Swedish"
    assert sorted(SWEDISH.keys() - FINNISH.keys()) == [], "Swedish labels without Finnish"
    differ = {
        key: (_placeholders(FINNISH[key]), _placeholders(SWEDISH[key]))
        for key in FINNISH
        if _placeholders(FINNISH[key]) != _placeholders(SWEDISH[key])
    }
    assert differ == {}


def test_the_language_stays_in_its_block_and_its_thread() -> None:
    seen: dict[str, str] = {}

    def other() -> None:  # a thread of its own starts in Finnish, whatever its starter speaks
        seen["thread"] = label("draft")

    with speaking("sv"):
        worker = threading.Thread(target=other)
        worker.start()
        worker.join()
        seen["block"] = label("draft")
    assert seen == {"thread": "LUONNOS", "block": "UTKAST"}
    assert spoken() == "fi"

    def steps() -> Iterator[str]:
        yield label("draft")
        yield label("draft")

    made = speaking_through("sv", steps())
    first = next(made)
    between = label("draft")  # the caller, between two steps of a Swedish generator
    assert (first, between, next(made)) == ("UTKAST", "LUONNOS", "UTKAST")
    with pytest.raises(ValueError, match="no labels for language 'en'"), speaking("en"):
        pass


def test_another_language_is_refused_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_agreement(tmp_path / "a", SVENSKA, ("tymdocs.yaml", "docs_src", "annexes"))
    line = edit(root, "tymdocs.yaml", "\nlanguage: sv", "\nlanguage: english")
    result = run(capsys, "-C", str(root), "check")
    assert result.code == 1
    assert f"tymdocs.yaml:{line}:" in result.out + result.err
    assert "fi, sv" in result.out + result.err


def test_check_names_a_swedish_agreements_annexes_as_it_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check's messages name an annex as the agreement and status do: Bilaga, not Liite."""
    root = copy_agreement(tmp_path / "a", SVENSKA, ("tymdocs.yaml", "docs_src", "annexes"))
    staffing = edit(
        root, "annexes/personal.yaml", "party: bergby\n    htv: 0.5", "party: bergby\n    htv: 0"
    )
    edit(root, "annexes/sammansattning.yaml", "    - {party: fpa, name: Johan Lund}\n", "")
    result = run(capsys, "-C", str(root), "check")
    assert result.code == 0, result.err
    warned = result.err.splitlines()
    assert any(
        line.endswith(
            f"annexes/personal.yaml:{staffing}: warning: Bilaga 2 allocates no staff for party "
            "'bergby' (its htv add up to 0)"
        )
        for line in warned
    ), warned
    assert any(
        line.endswith("warning: Bilaga 1 names no contact person for party 'fpa'")
        for line in warned
    ), warned
    assert "Liite" not in result.err


def test_governance_messages_name_a_swedish_agreements_annexes_as_it_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """approve --review, log --annex, notice and check --governance say what is wrong in
    English, naming an annex as the agreement does: Bilaga, never Liite."""
    fixed_git(monkeypatch)
    root = init_repo(
        copy_agreement(tmp_path / "avtal", SVENSKA, ("tymdocs.yaml", "docs_src", "annexes")),
        "Avtal",
    )
    at(monkeypatch, "2025-12-01T12:00:00+02:00")
    assert run(capsys, "-C", str(root), "adopt", "-m", "Avtalet undertecknat").code == 0
    at(monkeypatch, "2026-01-16T12:00:00+02:00")
    review = ["approve", "--review", "7", "--body", "Styrgruppen", "--date", "15.1.2026"]
    reviewed = run(capsys, "-C", str(root), *review, "--section", "4", "-m", "Granskad")
    logged = run(capsys, "-C", str(root), "log", "--annex", "7")
    edit(root, "annexes/personal.yaml", "fpa\n    htv: 0.4", "fpa\n    htv: 0.6")
    notice = ["notice", "--party", "fpa", "--date", "15.1.2026", "-m", "FPA:s resurs"]
    noticed = run(capsys, "-C", str(root), *notice)
    git(root, "commit", "-qam", "FPA:s resurs, för hand")
    checked = run(capsys, "-C", str(root), "check", "--governance")
    said = {
        "review": (reviewed, 1, "there is no Bilaga 7 to review"),
        "log": (logged, 2, "the agreement has no Bilaga 7; its annexes are Bilaga 1, 2, 3"),
        "notice": (noticed, 1, "Bilaga 2 changes by a decision of Styrgruppen (tymdocs approve)"),
        "check": (checked, 1, "Bilaga 2 needs a decision of Styrgruppen (tymdocs approve)"),
    }
    for name, (done, code, message) in said.items():
        assert (done.code, message in done.out + done.err) == (code, True), (name, done.err)
        assert "Liite" not in done.out + done.err, name


# -- a Swedish agreement's outputs --------------------------------------------------------------


def _tymdocs(repo: Path, *args: str, when: str) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run(
        [sys.executable, "-m", "tymdocs", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def swedish(swedish_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the Swedish history of three versions (conftest.py), built, and v1 and v3
    compared in every format; with a change in the working tree left unrecorded, compared
    too."""
    repo = tmp_path_factory.mktemp("svenska") / "avtal"
    shutil.copytree(swedish_history, repo, symlinks=True)
    when = "2026-03-03T12:00:00+02:00"
    _tymdocs(repo, "build", "-q", "-o", str(repo / "out" / "v3"), when=when)
    _tymdocs(repo, "build", "-q", "--at", "15.2.2026", "-o", str(repo / "out" / "at"), when=when)
    _tymdocs(repo, "diff", "v1", "v3", "-q", "-o", str(repo / "out" / "diff"), when=when)
    (repo / "out" / "log.txt").write_text(_tymdocs(repo, "log", when=when), "utf-8")
    (repo / "out" / "log.md").write_text(_tymdocs(repo, "log", "--format", "md", when=when))
    (repo / "out" / "status.txt").write_text(_tymdocs(repo, "status", when=when), "utf-8")
    edit(repo, "annexes/personal.yaml", "fpa\n    htv: 0.6", "fpa\n    htv: 0.7")  # unrecorded
    (repo / "out" / "unrecorded.json").write_text(
        _tymdocs(repo, "diff", "HEAD", "--json", when=when)
    )
    _tymdocs(
        repo, "diff", "v3", "--format", "html,md", "-q", "-o", str(repo / "out" / "wt"), when=when
    )
    return repo / "out"


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    meta = reader.metadata or {}
    return "\n".join([*(page.extract_text() for page in reader.pages), *map(str, meta.values())])


def _docx_text(data: bytes) -> str:
    """Every text node of every XML part: the body, headers, footers and properties."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")]
    return "\n".join(" ".join(re.findall(r">([^<>]+)<", part)) for part in parts)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def texts_of(out: Path) -> dict[str, str]:
    """Every output's text by its path (its name is text too)."""
    texts = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        match path.suffix:
            case ".pdf":
                text = _pdf_text(data)
            case ".docx":
                text = _docx_text(data)
            case ".json":  # its values: the keys are English
                text = "\n".join(_strings(json.loads(data)))
            case _:
                text = data.decode("utf-8")
        texts[str(path.relative_to(out))] = f"{path.name}\n{text}"
    return texts


@pytest.fixture(scope="session")
def swedish_texts(swedish: Path) -> dict[str, str]:
    return texts_of(swedish)


def _finnish_words() -> set[str]:
    """Every word of a Finnish label that no Swedish label has (``ja``, Finnish "and", is
    Swedish "yes"): what a Finnish label left in a Swedish document shows."""
    swedish = {w.casefold() for value in SWEDISH.values() for w in re.findall(r"[^\W\d_]+", value)}
    return {
        word.casefold()
        for key, value in FINNISH.items()
        if value != SWEDISH[key]
        for literal in _fixed(value)
        for word in re.findall(r"[^\W\d_]+", literal)
    } - swedish


def test_a_swedish_agreements_outputs_have_no_finnish_label(
    swedish: Path, swedish_texts: dict[str, str]
) -> None:
    """One test, so that a worker of ``pytest -n`` builds the history once."""
    _says_it_in_swedish(swedish, swedish_texts)
    names = set(swedish_texts)
    assert {"v3/sjobygden-tym-2026.pdf", "v3/sjobygden-tym-2026.docx", "log.txt"} <= names
    assert "v3/sjobygden-tym-2026-underskrift-fpa.pdf" in names
    assert "v3/sjobygden-tym-2026-for-underskrift.pdf" in names
    assert {f"diff/andringar-v1-v3.{x}" for x in ("html", "md", "docx", "pdf")} <= names
    assert {"wt/andringar-v3-arbetskopia.html", "wt/andringar-v3-arbetskopia.md"} <= names
    assert finnish_labels_in(swedish_texts) == {}


def finnish_labels_in(texts: dict[str, str]) -> dict[str, list[str]]:
    """By the name of each text that has any: the words and phrases of Finnish labels in it
    that no Swedish label has."""
    words = _finnish_words()
    phrases = {
        normalise(literal).casefold()
        for key, value in FINNISH.items()
        if value != SWEDISH[key]
        for literal in _fixed(value)
        if re.search(r"[^\W\d_]", literal)
    }
    found = {}
    for name, text in texts.items():
        folded = normalise(text).casefold()
        seen = set(re.findall(r"[^\W\d_]+", folded)) & words
        seen |= {p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", folded)}
        if seen:
            found[name] = sorted(seen)
    return found


def _says_it_in_swedish(swedish: Path, swedish_texts: dict[str, str]) -> None:
    """The other side: the Swedish words are there, and the documents say they are Swedish."""
    pdf = normalise(swedish_texts["v3/sjobygden-tym-2026.pdf"])
    for said in (
        "Sida 1/",
        "BILAGA 2 PERSONAL",
        "Bilaga 2 ändrad: Styrgruppen 15.1.2026 § 4, i kraft från och med 1.2.2026.",
        "Totalt",
        "0,6",
        "Version 3 · Avtalsändring 1.3.2026 · träder i kraft 1.4.2026 när alla parter har "
        "undertecknat",
    ):
        assert said in pdf, said
    package = normalise(swedish_texts["v3/sjobygden-tym-2026-underskrift-fpa.pdf"])
    for said in (
        "UNDERSKRIFTSPAKET",
        "Så här undertecknar du",
        "Innehåll",
        "Underskrifter underskriftssida 1 ",
        "Försättsblad 1/",
        "Underskriftssida 1/",
    ):
        assert said in package, said
    labels = pypdf.PdfReader(swedish / "v3" / "sjobygden-tym-2026-underskrift-fpa.pdf").page_labels
    assert labels[0] == "Försättsblad 1" and labels[-1].startswith("Underskriftssida ")
    assert "Ort och datum" in swedish_texts["v3/sjobygden-tym-2026-underskrift-fpa.docx"]
    html = swedish_texts["diff/andringar-v1-v3.html"]
    assert '<html lang="sv">' in html and "Sammanfattning av ändringarna" in html
    assert "Folkpensionsanstalten: 0,4 → 0,6 årsv." in normalise(
        swedish_texts["diff/andringar-v1-v3.md"]
    )
    assert "Bilaga 2" in swedish_texts["log.txt"]
    unrecorded = json.loads((swedish / "unrecorded.json").read_text())
    assert unrecorded["b"] == "arbetskopia (inte sparad)"
    assert "--date DATUM" in unrecorded["changes"][0]["command"]
    reader = pypdf.PdfReader(swedish / "v3" / "sjobygden-tym-2026.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert "<dc:language>sv</dc:language>" in (
        zipfile.ZipFile(swedish / "v3" / "sjobygden-tym-2026.docx")
        .read("docProps/core.xml")
        .decode()
    )
