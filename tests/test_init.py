"""``tymdocs init``: a new agreement repository that checks and builds at once, with a warning
per placeholder, as a draft that no record makes a version of; hostile answers stay data; a
folder with anything in it is refused untouched; the questions asked on a terminal."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
import yaml
from click.testing import CliRunner

from tests.helpers import (
    GIT_ENV,
    ROOT,
    agreement_of,
    git,
    pdf_pages,
    run,
    tree_digest,
)
from tests.test_seed import SECTION_TITLES
from tymdocs import __version__
from tymdocs.cli import cli
from tymdocs.model import inline_text, text_lines

PLACEHOLDER = re.compile(r"\[(TÄYDENNÄ|KOMPLETTERA): [^\]\n]*\]")
"""The tests' own reading of a placeholder, to count what check must report."""
SECTIONS = tuple(SECTION_TITLES)
"""What law 381/2023 and decree 388/2024 require every agreement to say, in the seed's words."""


def _placeholders(root: Path) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or not re.match(r"(tymdocs\.yaml|docs_src/|annexes/)", relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [(relative, number, m.group(0)) for m in PLACEHOLDER.finditer(line)]
    return found


@pytest.fixture(scope="session")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``init --yes`` once, and its build (the expensive part), for tests that only read."""
    root = tmp_path_factory.mktemp("init") / "uusi-alue"
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        result = CliRunner().invoke(cli, ["init", str(root), "--yes"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        built = CliRunner().invoke(cli, ["-C", str(root), "build"], catch_exceptions=False)
        assert built.exit_code == 0, built.output
    yield root


def test_init_yes_checks_with_a_warning_per_placeholder_and_builds_a_draft(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = initialised
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""  # build/ ignored
    assert git(root, "log", "--format=%s") == (
        f"tymdocs init: the agreement's skeleton (tymdocs {__version__})"
    )
    tracked = set(git(root, "ls-files").splitlines())
    assert {
        "tymdocs.yaml",
        "README.md",
        ".gitignore",
        "Makefile",
        ".github/workflows/tymdocs.yml",
        ".gitlab-ci.yml",
    } <= tracked
    assert len([p for p in tracked if p.startswith("docs_src/")]) == 12
    assert len([p for p in tracked if p.startswith("annexes/")]) == 6
    assert "build/" in (root / ".gitignore").read_text().splitlines()

    checked = run(capsys, "-C", str(root), "check", "--json")
    assert checked.code == 0
    report = json.loads(checked.out)
    assert report["errors"] == 0
    expected = _placeholders(root)
    assert len(expected) > 20
    warned = [
        (os.path.relpath(os.path.abspath(p["path"]), root), p["line"], p["message"])
        for p in report["problems"]
    ]
    assert all(p["severity"] == "warning" for p in report["problems"])
    # Liite 5 gives each party htv: 0 to fill in: a warning each, until the figures are given
    staffing = [w for w in warned if "allocates no staff" in w[2]]
    assert [path for path, _, _ in staffing] == ["annexes/liite-5-henkilostoresurssi.yaml"] * 3
    assert {m.split("'")[1] for _, _, m in staffing} == {p.id for p in agreement_of(root).parties}
    warned = [w for w in warned if w not in staffing]
    assert sorted((path, line) for path, line, _ in warned) == sorted(
        (path, line) for path, line, _ in expected
    )
    for (_, _, message), (_, _, text) in zip(sorted(warned), sorted(expected), strict=True):
        assert text in message

    agreement = agreement_of(root)
    assert [s.title for s in agreement.sections] == list(SECTIONS)
    assert [a.number for a in agreement.annexes] == [1, 2, 3, 4, 5, 6]

    manifest = json.loads((root / "build" / "manifest.json").read_text())
    assert manifest["source"]["draft"] is True
    pdf = (root / "build" / f"{agreement.meta.id}.pdf").read_bytes()
    assert all("LUONNOS" in page for page in pdf_pages(pdf))


def test_a_build_with_placeholders_is_labelled_a_draft_packages_too(initialised: Path) -> None:
    """Committed, but with text still to write: not a proposal to sign ("Ehdotus") but a
    draft, in the label every page carries; its signature packages are built to preview the
    round, each marked a draft on every page, in its header and its properties."""
    manifest = json.loads((initialised / "build" / "manifest.json").read_text())
    head = git(initialised, "rev-parse", "HEAD")
    assert manifest["version"] == f"LUONNOS {head[:7]}, 30.4.2025"
    packages = [o for o in manifest["outputs"] if o["kind"] == "signature-package"]
    assert len(packages) == 3
    for output in manifest["outputs"]:
        data = (initialised / "build" / output["path"]).read_bytes()
        if output["path"].endswith(".pdf"):
            pages = pdf_pages(data)
            assert all("LUONNOS" in page for page in pages), output["path"]
            assert not any("Ehdotus" in page for page in pages), output["path"]
            keywords = str(pypdf.PdfReader(io.BytesIO(data)).metadata.get("/Keywords"))
            if output["kind"] == "signature-package":
                assert "draft" in keywords.split(), output["path"]
        else:  # the label in the header, the cover and the properties
            with zipfile.ZipFile(io.BytesIO(data)) as docx:
                text = "".join(docx.read(n).decode() for n in docx.namelist() if n.endswith(".xml"))
            assert manifest["version"] in text and "Ehdotus" not in text, output["path"]


def test_the_ci_it_writes_passes_on_the_first_push(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CI files run ``check`` and ``check --governance`` on every push to main: both pass
    on the skeleton, before anything is recorded (the placeholders are warnings)."""
    workflow = (initialised / ".github/workflows/tymdocs.yml").read_text(encoding="utf-8")
    gitlab = (initialised / ".gitlab-ci.yml").read_text(encoding="utf-8")
    for steps in (workflow, gitlab):
        assert re.search(r"^ +(run: |- )tymdocs check$", steps, re.MULTILINE)
        assert re.search(r"^ +(run: |- )tymdocs check --governance$", steps, re.MULTILINE)
    assert run(capsys, "-C", str(initialised), "check").code == 0
    governance = run(capsys, "-C", str(initialised), "check", "--governance")
    assert (governance.code, governance.err) == (0, "")
    assert "no version recorded yet" in governance.out


def test_the_seeds_common_ground_is_kept_word_for_word(initialised: Path) -> None:
    """Legal boilerplate that names no area comes over as the seed has it."""
    seed = ROOT / "tests" / "fixtures" / "seed"
    for name in ("10-kustannukset.md", "11-asiakastietoaineisto.md", "05-tavoitteet.md"):
        assert (initialised / "docs_src" / name).read_bytes() == (
            seed / "docs_src" / name
        ).read_bytes()
    privacy = "annexes/liite-6-tietosuojaseloste.md"
    assert (initialised / privacy).read_bytes() == (seed / privacy).read_bytes()


def test_the_ci_files_are_the_examples_with_the_version_pinned(initialised: Path) -> None:
    for example, placed in (
        ("github-actions.yml", ".github/workflows/tymdocs.yml"),
        ("gitlab-ci.yml", ".gitlab-ci.yml"),
    ):
        original = (ROOT / "ci" / example).read_text(encoding="utf-8")
        written = (initialised / placed).read_text(encoding="utf-8")
        assert written == re.sub(
            r'TYMDOCS_VERSION: "[^"]*"', f'TYMDOCS_VERSION: "{__version__}"', original
        )
    makefile = (initialised / "Makefile").read_text()
    assert f"TYMDOCS_VERSION := {__version__}\n" in makefile
    assert re.search(r"^test: .*\n\t\$\(BIN\)/tymdocs check\n", makefile, re.MULTILINE)
    # build alone: it reports every problem of the sources, read once
    assert re.search(r"^build: .*\n\t\$\(BIN\)/tymdocs build\n\n", makefile, re.MULTILINE)


def _init(tmp_path: Path, *args: str, name: str = "alue") -> tuple[Path, str]:
    root = tmp_path / name
    result = CliRunner().invoke(cli, ["init", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root, result.output


def test_init_with_options_lands_in_tymdocs_yaml_and_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    root, _ = _init(
        tmp_path,
        "--yes",
        "--area",
        "Järviseudun työllisyysalue",
        "--municipality",
        "Järvilä",
        "--municipality",
        "Kallio",
        "--party",
        "employment_authority=Järvilän kaupunki",
        "--party",
        "wellbeing_services_county=Järviseudun hyvinvointialue",
        "--party",
        "kela=Kansaneläkelaitos",
        "--signatory",
        "kela=Daniel Dahl, vakuutuspiirin johtaja",
        "--signatory",
        "employment_authority=Aino Ahonen, työllisyysjohtaja",
        "--appointing-body",
        "Työllisyyslautakunta",
        "--effective",
        "1.9.2025",
        "--valid-until",
        "2027-12-31",
        "--court",
        "Vaasan hallinto-oikeus",
        "--no-commit",
    )
    data = yaml.safe_load((root / "tymdocs.yaml").read_text(encoding="utf-8"))
    assert data["format"] == 2
    assert data["id"] == "jarviseudun-tyollisyysalue"
    assert data["area"] == "Järviseudun työllisyysalue"
    assert data["municipalities"] == ["Järvilä", "Kallio"]
    assert [(p["role"], p["name"]) for p in data["parties"]] == [
        ("employment_authority", "Järvilän kaupunki"),
        ("wellbeing_services_county", "Järviseudun hyvinvointialue"),
        ("kela", "Kansaneläkelaitos"),
    ]
    assert data["parties"][2]["signatories"] == [
        {"name": "Daniel Dahl", "title": "vakuutuspiirin johtaja"}
    ]
    assert str(data["effective_date"]) == "2025-09-01"
    assert str(data["valid_until"]) == "2027-12-31"
    assert data["court"] == "Vaasan hallinto-oikeus"
    assert data["change_rules"]["annexes"][1]["body"] == "Työllisyyslautakunta"
    assert git(root, "rev-parse", "--is-inside-work-tree") == "true"
    assert git(root, "log", "--oneline", "--all") == ""  # --no-commit: nothing committed

    checked = run(capsys, "-C", str(root), "check", "--json")
    report = json.loads(checked.out)
    assert checked.code == 0 and report["errors"] == 0
    agreement = agreement_of(root)
    # no warning but the placeholders and Liite 5's htv: 0 of each party, to fill in
    assert report["warnings"] == len(_placeholders(root)) + len(agreement.parties)
    text = " ".join(line for s in agreement.sections for _, line in text_lines(s.blocks))
    for said in (
        "Järvilä ja Kallio",
        "voimaan 1.9.2025 ja on voimassa 31.12.2027 asti",
        "hallintoriita-asiana Vaasan hallinto-oikeudessa",
        "Aino Ahonen, työllisyysjohtaja",
    ):
        assert said in text
    assert "[TÄYDENNÄ: hallinto-oikeus" not in text


HOSTILE = (
    "Ala: \"lainaus\" 'heitto' # ei kommentti",
    "- [lista]: {avain: arvo} &ankkuri *viite !!python/object",
    "*korostus* __lihava__ | a | b | <b>html</b> \\ ` `koodi`",
    "# Otsikko",
    "1. numero",
    "yes",
)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_answers_stay_data(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    for key, setting in GIT_ENV.items():
        monkeypatch.setenv(key, setting)
    area = value + "\nrivi: kaksi"
    root, _ = _init(
        tmp_path,
        "--yes",
        "--area",
        area,
        "--court",
        value,
        "--municipality",
        value,
        "--party",
        f"employment_authority={value}",
        "--signatory",
        f"employment_authority={value.replace(',', ';')}, {value}",
        "--no-git",
    )
    single = " ".join(area.split())  # every value is one line
    data = yaml.safe_load((root / "tymdocs.yaml").read_text(encoding="utf-8"))
    assert data["area"] == single
    assert data["court"] == value
    assert data["municipalities"] == [value]
    assert data["parties"][0]["name"] == value
    assert set(data) == {
        "format",
        "id",
        "title",
        "language",
        "area",
        "municipalities",
        "parties",
        "effective_date",
        "valid_until",
        "court",
        "steering_group",
        "change_rules",
    }
    checked = run(capsys, "-C", str(root), "check", "--json")
    report = json.loads(checked.out)
    assert report["errors"] == 0, report["problems"]
    agreement = agreement_of(root)
    assert agreement.meta.area == single
    assert agreement.parties[0].name == value
    area_section = agreement.sections[2]
    paragraph = " ".join(inline_text(b.content) for b in area_section.blocks)  # type: ignore[attr-defined]
    assert single in paragraph
    assert value in paragraph  # the municipality, as typed
    assert [s.number for s in agreement.sections] == list(range(1, 13))


def test_a_folder_with_anything_in_it_is_refused_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "varattu"
    (target / ".git").mkdir(parents=True)
    (target / ".git" / "HEAD").write_bytes(b"ref: refs/heads/main\n")
    (target / "muistio.txt").write_bytes(b"jo olemassa\n")
    before = tree_digest(tmp_path)
    listing = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = run(capsys, "init", str(target), "--yes")
    assert result.code == 2
    assert "is not empty" in result.err and "varattu" in result.err
    assert "Traceback" not in result.err
    assert tree_digest(tmp_path) == before
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == listing

    a_file = tmp_path / "tiedosto"
    a_file.write_bytes(b"x")
    result = run(capsys, "init", str(a_file), "--yes")
    assert result.code == 2 and "tiedosto" in result.err and "is a file" in result.err
    assert a_file.read_bytes() == b"x"

    under_a_file = run(capsys, "init", str(a_file / "alue"), "--yes")
    assert under_a_file.code == 2, under_a_file.err
    assert f"{a_file} is not a folder, so init cannot make {a_file / 'alue'}" in under_a_file.err
    assert "Traceback" not in under_a_file.err and "internal error" not in under_a_file.err
    assert a_file.read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiedosto", "varattu"]


def test_init_in_the_empty_folder_it_runs_in_keeps_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``mkdir n && cd n && tymdocs init . --yes``: the folder is filled, not replaced, so the
    shell stays in it, and it keeps its owner, group and mode (a set-group-ID folder prepared
    for a team: what init puts in it takes its group)."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    target = tmp_path / "n"
    target.mkdir()
    os.chmod(target, 0o2750)
    group = None
    if os.geteuid() == 0:  # only root can give the folder a group it is not in
        group = 65534
        os.chown(target, -1, group)  # (another owner would make git call the folder dubious)
    before = target.stat()
    monkeypatch.chdir(target)
    result = run(capsys, "init", ".", "--yes")
    assert result.code == 0, result.err
    assert result.out.startswith("created .: 24 files, a git repository")
    assert Path.cwd() == target  # the shell's folder is still there, and the same
    after = target.stat()
    assert (after.st_ino, after.st_uid, after.st_gid, after.st_mode) == (
        before.st_ino,
        before.st_uid,
        before.st_gid,
        before.st_mode,
    )
    assert git(target, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(target, "rev-parse", "--show-toplevel") == str(target)
    top = {".git", ".github", ".gitignore", ".gitlab-ci.yml", "Makefile", "README.md"}
    assert {p.name for p in target.iterdir()} == top | {"annexes", "docs_src", "tymdocs.yaml"}
    if group is not None:
        assert {p.stat().st_gid for p in target.rglob("*")} == {group}
    assert run(capsys, "check").code == 0


def test_an_empty_folder_is_filled_and_a_missing_one_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    empty = tmp_path / "tyhja"
    empty.mkdir()
    _init(tmp_path, "--yes", "--no-git", name="tyhja")
    assert (empty / "tymdocs.yaml").is_file() and not (empty / ".git").exists()
    deep, _ = _init(tmp_path, "--yes", name="uusi/syvalla")
    assert (deep / ".git").is_dir()
    assert not [p for p in tmp_path.rglob(".*-init-*")]  # no temporary folder left


def test_an_id_too_long_for_a_file_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "init", str(tmp_path / "alue"), "--yes", "--id", "a" * 65)
    assert result.code == 2
    assert "--id is 65 characters long, at most 64: the id names the output files" in result.err
    assert list(tmp_path.iterdir()) == []
    root, _ = _init(tmp_path, "--yes", "--no-git", "--id", "a" * 64)
    assert yaml.safe_load((root / "tymdocs.yaml").read_text(encoding="utf-8"))["id"] == "a" * 64


def test_without_a_terminal_or_yes_it_asks_for_yes(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--yes" in result.output
    assert not (tmp_path / "x").exists()


def test_adopt_is_refused_while_placeholders_are_left(
    initialised: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "alue"
    shutil.copytree(initialised, root, ignore=shutil.ignore_patterns("build"))
    head = git(root, "rev-parse", "HEAD")
    refused = run(capsys, "-C", str(root), "adopt", "-m", "Sopimus", "--date", "2025-01-02")
    assert refused.code == 1
    assert "placeholder" in refused.err
    first = _placeholders(root)[0]
    assert f"{first[0]}:{first[1]} {first[2]}" in refused.err
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""

    # Written in, each placeholder by a text of its own: the same record is made.
    words: dict[str, str] = {}
    for path in {p for p, _, _ in _placeholders(root)}:
        file = root / path
        file.write_text(
            PLACEHOLDER.sub(
                lambda m: words.setdefault(m.group(0), f"Teksti {len(words) + 1}"),
                file.read_text(encoding="utf-8"),
            ),
            encoding="utf-8",
        )
    assert _placeholders(root) == []
    adopted = run(capsys, "-C", str(root), "adopt", "-m", "Sopimus", "--date", "2025-01-02")
    assert adopted.code == 0, adopted.err
    assert git(root, "rev-parse", "HEAD") != head


def test_the_questions_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    answers = [
        "fi",  # language
        "Kuvitteellinen työllisyysalue",
        "Aava, Bova",
        "Aavan kaupunki",  # employment authority
        "Anna Aho, työllisyysjohtaja",
        "Kuvitteellinen hyvinvointialue",
        "",  # its signatories: a placeholder
        "",  # Kela: the default name
        "Kalle Kela, johtaja; Kaisa Kela, päällikkö",
        "Työllisyysjaosto",
        "1.3.2025",
        "",  # until further notice
        "Turun hallinto-oikeus",
    ]
    root = tmp_path / "kysytty"
    result = CliRunner().invoke(
        cli, ["init", str(root), "--ask"], input="\n".join(answers) + "\n", catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((root / "tymdocs.yaml").read_text(encoding="utf-8"))
    assert data["area"] == "Kuvitteellinen työllisyysalue"
    assert data["municipalities"] == ["Aava", "Bova"]
    assert [p["name"] for p in data["parties"]] == [
        "Aavan kaupunki",
        "Kuvitteellinen hyvinvointialue",
        "Kansaneläkelaitos",
    ]
    assert data["parties"][2]["signatories"] == [
        {"name": "Kalle Kela", "title": "johtaja"},
        {"name": "Kaisa Kela", "title": "päällikkö"},
    ]
    assert PLACEHOLDER.fullmatch(data["parties"][1]["signatories"][0]["name"])
    assert str(data["effective_date"]) == "2025-03-01" and data["valid_until"] is None
    assert data["court"] == "Turun hallinto-oikeus"
    assert data["change_rules"]["annexes"][1]["body"] == "Työllisyysjaosto"
    assert "(e.g. Työllisyyslautakunta)" in result.output


def test_the_questions_on_a_terminal_give_swedish_examples_for_a_swedish_agreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    answers = ["sv", "", "", "", "", "", "", "", "", "Nämnden", "1.3.2025", "", ""]
    root = tmp_path / "svensk"
    result = CliRunner().invoke(
        cli, ["init", str(root), "--ask"], input="\n".join(answers) + "\n", catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "(e.g. Sysselsättningsnämnden)" in result.output
    assert "Työllisyyslautakunta" not in result.output
    assert "Folkpensionsanstalten" in result.output  # Kela's default name, as before


def test_a_party_given_leaves_the_other_roles_their_default_parties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--party`` for one role replaces that role's default party only: every TYM agreement
    has the three, so the others stay, with a placeholder for a name (Kela its own); a party
    of another kind comes after them."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)

    def parties(root: Path) -> list[tuple[str, str, str]]:
        data = yaml.safe_load((root / "tymdocs.yaml").read_text(encoding="utf-8"))
        return [(p["id"], p["role"], p["name"]) for p in data["parties"]]

    one, _ = _init(
        tmp_path, "--yes", "--no-git", "--party", "employment_authority=Aavan kaupunki", name="a"
    )
    assert parties(one) == [
        ("tyollisyysalue", "employment_authority", "Aavan kaupunki"),
        ("hyvinvointialue", "wellbeing_services_county", "[TÄYDENNÄ: hyvinvointialueen nimi]"),
        ("kela", "kela", "Kansaneläkelaitos"),
    ]
    other, _ = _init(
        tmp_path,
        "--yes",
        "--no-git",
        "--party",
        "other=Järjestö ry",
        "--party",
        "kela=Kela",
        "--signatory",
        "osapuoli=Olli Osa, puheenjohtaja",
        name="b",
    )
    assert [(i, r) for i, r, _ in parties(other)] == [
        ("tyollisyysalue", "employment_authority"),
        ("hyvinvointialue", "wellbeing_services_county"),
        ("kela", "kela"),
        ("osapuoli", "other"),
    ]
    assert parties(other)[2:] == [("kela", "kela", "Kela"), ("osapuoli", "other", "Järjestö ry")]
    checked = json.loads(run(capsys, "-C", str(other), "check", "--json").out)
    assert checked["errors"] == 0

    # On a terminal, the name of each party --party did not give is asked.
    answers = ["fi", "", "", "", "Beetan hyvinvointialue", "", "", "", "", "", "", ""]
    root = tmp_path / "c"
    result = CliRunner().invoke(
        cli,
        ["init", str(root), "--ask", "--no-git", "--party", "employment_authority=Aava"],
        input="\n".join(answers) + "\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Party: employment authority, its name" not in result.output
    assert [name for _, _, name in parties(root)] == [
        "Aava",
        "Beetan hyvinvointialue",
        "Kansaneläkelaitos",
    ]


def test_swedish_skeleton(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = _init(
        tmp_path,
        "--yes",
        "--language",
        "sv",
        "--no-git",
        "--area",
        "Åboland",
        "--signatory",
        "fpa=Fia Fors, direktör",
    )
    data = yaml.safe_load((root / "tymdocs.yaml").read_text(encoding="utf-8"))
    assert data["language"] == "sv"
    assert data["parties"][2]["name"] == "Folkpensionsanstalten"
    # The parties' ids name their packages' files: Swedish, as the rest of the names are.
    assert [p["id"] for p in data["parties"]] == ["sysselsattningsomrade", "valfardsomrade", "fpa"]
    assert data["parties"][2]["signatories"] == [{"name": "Fia Fors", "title": "direktör"}]
    assert data["steering_group"]["appointed_by"] == "sysselsattningsomrade"
    found = _placeholders(root)
    assert found
    assert all(text.startswith("[KOMPLETTERA: ") for _, _, text in found)
    sources = [p for p in root.rglob("*") if p.is_file() and p.suffix in (".md", ".yaml")]
    assert not any("TÄYDENNÄ" in p.read_text(encoding="utf-8") for p in sources)
    assert len(list((root / "docs_src").iterdir())) == 12
    assert "Åboland" in (root / "docs_src" / "03-verksamhetsomrade.md").read_text()
    checked = run(capsys, "-C", str(root), "check", "--json")
    report = json.loads(checked.out)
    assert report["errors"] == 0
    assert report["warnings"] == len(found) + len(data["parties"])  # and Bilaga 5's htv: 0
    staffing = [p["message"] for p in report["problems"] if "allocates no staff" in p["message"]]
    assert all(m.startswith("Bilaga 5 ") for m in staffing) and len(staffing) == 3


def test_no_git_identity_leaves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """git refusing the first commit leaves no folder and no temporary one behind."""
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}
    env |= {"GIT_AUTHOR_NAME": "Koordinaattori", "GIT_COMMITTER_NAME": "Koordinaattori"}
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith("GIT_") or key == "EMAIL":
                patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        patch.setenv("GIT_CONFIG_COUNT", "1")
        patch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
        patch.setenv("GIT_CONFIG_VALUE_0", "true")
        result = run(capsys, "init", str(tmp_path / "alue"), "--yes")
        empty = tmp_path / "tyhja"
        empty.mkdir()
        into_empty = run(capsys, "init", str(empty), "--yes")
    assert result.code == 1
    assert "--no-commit" in result.err and "nothing was created" in result.err
    assert into_empty.code == 1 and "nothing was created" in into_empty.err
    assert list(tmp_path.iterdir()) == [empty]
    assert list(empty.iterdir()) == []  # not even the folder it was prepared in


def test_a_skeleton_for_every_language_tymdocs_speaks() -> None:
    from importlib import resources
    from typing import get_args

    from tymdocs.init import Language
    from tymdocs.locale import LANGUAGES

    assert get_args(Language) == LANGUAGES
    skeletons = resources.files("tymdocs") / "skeleton"
    for language in LANGUAGES:
        assert (skeletons / language / "texts.yaml").is_file(), language
