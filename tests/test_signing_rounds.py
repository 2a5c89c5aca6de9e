"""One signing round, four commands, one answer (issue 19): a four-party agreement with seven
signatories, its packages signed with the test PKI in each way a round is run, under both
``change_rules.signing`` policies; ``verify``, ``status``, ``adopt`` and ``amend --signed``
say the same of each: fully signed or not, and who is missing.

The ways: each party's signatories in their own party's package ("own"); everyone in the one
copy for everyone ("everyone"); every signatory in every party's package ("every copy"); and
"own" with one signatory missing ("one missing"). Real repositories, real PDFs, real
signatures: one long test per policy, since each round builds on the last."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import docx
import pypdf
import pytest

from tests.helpers import FIXTURES, at, copy_agreement, edit, fixed_git, git, init_repo, run
from tests.pki import Identity, Pki, make_pki, sign

SEVEN = {
    "sig-jarvila-1": "Aino Ahonen",
    "sig-kallio-1": "Eero Ek",
    "sig-kallio-2": "Fanni Forss",
    "sig-hyvinvointialue-1": "Bertta Blom",
    "sig-hyvinvointialue-2": "Cecilia Carlsson",
    "sig-kela-1": "Daniel Dahl",
    "sig-kela-2": "Gustav Grön",
}
LATE = "sig-kela-2"
"""The signatory who has not signed in the "one missing" way."""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def people(pki: Pki) -> dict[str, Identity]:
    return {field: pki.issue(name) for field, name in SEVEN.items()}


def _agreement(target: Path, signing: str) -> Path:
    """The made-up four-party agreement with seven signatories, signed as ``signing`` says."""
    root = copy_agreement(target, FIXTURES / "kuvitteellinen")
    yaml = "tymdocs.yaml"
    edit(
        root,
        yaml,
        "    signatories: []",
        "    signatories:\n      - {name: Eero Ek, title: kaupunginjohtaja}\n"
        "      - {name: Fanni Forss, title: elinvoimajohtaja}",
    )
    edit(
        root,
        yaml,
        "      - {name: Daniel Dahl, title: vakuutuspiirin johtaja}",
        "      - {name: Daniel Dahl, title: vakuutuspiirin johtaja}\n"
        "      - {name: Gustav Grön, title: palvelupäällikkö}",
    )
    edit(
        root,
        yaml,
        "  termination_notice_months: 3",
        f"  termination_notice_months: 3\n  signing: {signing}",
    )
    return init_repo(root, "Sopimus")


def _packages(build: Path) -> tuple[dict[str, Path], Path]:
    """Each party's PDF package, and the copy for everyone, as the manifest lists them."""
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    own = {
        entry["party"]: build / entry["path"]
        for entry in manifest["outputs"]
        if entry["kind"] == "signature-package"
    }
    (everyone,) = (build / e["path"] for e in manifest["outputs"] if e["kind"] == "signature-copy")
    return own, everyone


def _signed(
    source: Path, fields: list[str], people: dict[str, Identity], pki: Pki, out: Path
) -> Path:
    data = source.read_bytes()
    for field in fields:
        data = sign(data, field, people[field], pki)
    out.write_bytes(data)
    return out


def _ways(
    build: Path, people: dict[str, Identity], pki: Pki, folder: Path, *wanted: str
) -> dict[str, list[Path]]:
    """The copies of one version signed in each ``wanted`` way of a round."""
    folder.mkdir()
    own, everyone = _packages(build)
    fields = list(SEVEN)
    ways: dict[str, list[Path]] = {}
    for party, path in own.items():
        theirs = [f for f in fields if f.startswith(f"sig-{party}-") and f != LATE]
        ways.setdefault("one missing", []).append(
            _signed(path, theirs, people, pki, folder / f"m-{party}.pdf")
        )
    kela = folder / "m-kela.pdf"
    ways["own"] = [
        _signed(kela, [LATE], people, pki, folder / "o-kela.pdf") if path == kela else path
        for path in ways["one missing"]
    ]
    if "everyone" in wanted:
        ways["everyone"] = [_signed(everyone, fields, people, pki, folder / "kaikki.pdf")]
    if "every copy" in wanted:
        ways["every copy"] = [
            _signed(path, fields, people, pki, folder / f"e-{party}.pdf")
            for party, path in own.items()
        ]
    return ways


def _covers_say_the_round(build: Path, count: str) -> None:
    """Every cover, PDF and DOCX, says how many signatures the round needs."""
    said = f"Allekirjoituksia tarvitaan {count}:"
    own, everyone = _packages(build)
    for pdf in (*own.values(), everyone):
        cover = pypdf.PdfReader(pdf).pages[0].extract_text()
        assert said in " ".join(cover.split()), pdf.name
    for word in build.glob("*-allekirjoitus-*.docx"):
        assert any(said in p.text for p in docx.Document(str(word)).paragraphs), word.name


EXPECTED = {  # way -> fully signed under (counterparts, every-copy)
    "one missing": (False, False),
    "own": (True, False),
    "everyone": (True, True),
    "every copy": (True, True),
}


def _verify(capsys: pytest.CaptureFixture[str], repo: Path, copies: list[Path]) -> dict:  # type: ignore[type-arg]
    result = run(capsys, "-C", str(repo), "verify", "--json", *map(str, copies))
    assert result.code == 0, result.out + result.err
    return json.loads(result.out)


def _missing_names(report: dict) -> list[str]:  # type: ignore[type-arg]
    return [s["name"] for s in report["signatories"] if s["missing_in"]]


@pytest.mark.parametrize("signing", ["counterparts", "every-copy"])
def test_verify_status_adopt_and_amend_agree_on_every_way_of_signing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    pki: Pki,
    people: dict[str, Identity],
    signing: str,
) -> None:
    fixed_git(monkeypatch)
    expected = {way: pair[signing == "every-copy"] for way, pair in EXPECTED.items()}
    repo = _agreement(tmp_path / "agreement", signing)

    # Version 1: adopt with the copies of its packages, each party signing its own.
    assert run(capsys, "-C", str(repo), "build", "-q", "-o", str(tmp_path / "b1")).code == 0
    _covers_say_the_round(tmp_path / "b1", "7" if signing == "counterparts" else "28")
    first = _ways(tmp_path / "b1", people, pki, tmp_path / "v1", "everyone")
    for way in ("one missing", "own"):
        report = _verify(capsys, repo, first[way])
        assert report["fully_signed"] is expected[way], way
        adopt = ["adopt", "-m", "Sopimus", "--date", "20.12.2025", "--dry-run"]
        adopt += map(str, first[way])
        adopted = run(capsys, "-C", str(repo), *adopt)
        assert (adopted.code == 0) is expected[way], (way, adopted.err)
        if not expected[way]:
            assert "version 1 is not fully signed" in adopted.err
            assert all(name in adopted.err for name in _missing_names(report)), adopted.err
    at(monkeypatch, "2025-12-20T12:00:00+02:00")
    adopt = ["adopt", "-m", "Sopimus", "--date", "20.12.2025", *map(str, first["everyone"])]
    adopted = run(capsys, "-C", str(repo), *adopt)
    assert adopted.code == 0, adopted.err

    # Version 2: an amendment, signed each way; the four commands agree on each.
    edit(repo, "docs_src/sopimus.md", "\n\n", "\n\nMuutettu kappale.\n\n")
    at(monkeypatch, "2026-03-01T12:00:00+02:00")
    amend = run(capsys, "-C", str(repo), "amend", "--date", "1.3.2026", "-m", "Muutos")
    assert amend.code == 0, amend.err
    assert run(capsys, "-C", str(repo), "build", "-q", "-o", str(tmp_path / "b2")).code == 0
    second = _ways(tmp_path / "b2", people, pki, tmp_path / "v2", "everyone", "every copy")
    for way, copies in second.items():
        report = _verify(capsys, repo, copies)
        assert report["fully_signed"] is expected[way], way
        status = json.loads(run(capsys, "-C", str(repo), "status", "--json", *map(str, copies)).out)
        (awaiting,) = status["awaiting_signatures"]
        names = _missing_names(report)
        assert [m.split(": ")[1].split(",")[0] for m in awaiting["missing"]] == names, way
        assert (names == []) is expected[way] is awaiting["fully_signed"]
        assert awaiting["signatories"] == report["signatories"], way  # where, when, by whom
        assert awaiting["keep"] == report["keep"], way
        said = run(capsys, "-C", str(repo), "status", *map(str, copies)).out
        assert (f"is {report['summary']} by the copies given" in said) is expected[way], said
        assert f"  signatories ({signing}):\n" in said
        signed = ["amend", "--signed", "--date", "2.3.2026", "--dry-run", *map(str, copies)]
        recorded = run(capsys, "-C", str(repo), *signed)
        assert (recorded.code == 0) is expected[way], (way, recorded.err)
        if way == "one missing":
            # counterparts: Gustav Grön alone; every-copy: each party's copy lacks the others'
            alone = signing == "counterparts"
            assert names == (["Gustav Grön"] if alone else list(SEVEN.values()))
            count = "1 of 7" if alone else "22 of 28"  # every-copy counts copy by copy
            assert report["summary"].startswith(f"not fully signed ({signing}): {count} ")
            assert "sig-kela-2 (Gustav Grön)" in recorded.err

    # Recorded with the one copy for everyone, kept: the register says whose it is.
    at(monkeypatch, "2026-03-02T12:00:00+02:00")
    keep = ["amend", "--signed", "--date", "2.3.2026", "--keep", *map(str, second["everyone"])]
    assert run(capsys, "-C", str(repo), *keep).code == 0
    assert (repo / "records" / "versio-2" / "_kaikki.pdf").is_file()
    assert "Tymdocs-Signed-Copy: * sha256:" in git(repo, "log", "-1", "--format=%B")
    audit = run(capsys, "-C", str(repo), "check", "--governance")
    assert audit.code == 0, audit.err


def test_an_amendment_cannot_relax_its_own_signing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An amendment that turns every-copy into counterparts is itself signed by the rule in
    force when it was proposed: its covers, its manifest, the audit of its signatures; and
    status names a copy it cannot count, with why."""
    fixed_git(monkeypatch)
    repo = _agreement(tmp_path / "agreement", "every-copy")
    at(monkeypatch, "2025-12-20T12:00:00+02:00")
    assert run(capsys, "-C", str(repo), "adopt", "-m", "Sopimus", "--date", "20.12.2025").code == 0
    edit(repo, "tymdocs.yaml", "  signing: every-copy", "  signing: counterparts")
    at(monkeypatch, "2026-03-01T12:00:00+02:00")
    assert run(capsys, "-C", str(repo), "amend", "--date", "1.3.2026", "-m", "Kevyemmin").code == 0
    build = tmp_path / "b"
    assert run(capsys, "-C", str(repo), "build", "-q", "-o", str(build)).code == 0
    assert json.loads((build / "manifest.json").read_text(encoding="utf-8"))["signing"] == (
        "every-copy"
    )
    _covers_say_the_round(build, "28")
    own, _everyone = _packages(build)
    digest = hashlib.sha256(own["kela"].read_bytes()).hexdigest()
    git(
        repo,
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "Käsin",
        "-m",
        "Tymdocs-Record: signatures\nTymdocs-Agreement: jarviseutu-tym-2026\n"
        "Tymdocs-Version: 2\nTymdocs-Date: 2026-03-02\n"
        f"Tymdocs-Signed-Copy: kela sha256:{digest}",
    )
    audit = run(capsys, "-C", str(repo), "check", "--governance")
    assert audit.code == 1
    assert "without the signed copy of jarvila, kallio, hyvinvointialue" in audit.err
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    stray = tmp_path / "ei-pdf.pdf"
    stray.write_bytes(b"not a PDF")
    said = run(capsys, "-C", str(repo), "status", str(stray))
    assert f"not counted: {stray}: " in said.out
    assert "awaits signatures: Järvilän työllisyysalue: Aino Ahonen" in said.out
