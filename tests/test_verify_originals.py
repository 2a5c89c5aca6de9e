"""Where verify takes a copy's original from: the package a clean build left beside its
manifest, checked against it, or the package laid out again; and what a verify run loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_repo
from tests.pki import Identity, Pki, sign
from tests.test_verify import PACKAGE, package, people, pki, repo, signed_by_all  # noqa: F401
from tymdocs.signing.verify import CopyReport, verify_copies

PARTIES = ("tyollisyysalue", "hyvinvointialue", "kela")


@pytest.fixture(scope="module")
def copies(
    repo: Path,  # noqa: F811
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> list[Path]:
    """Every party's package signed in every field, and the copy for everyone signed once."""
    out = tmp_path_factory.mktemp("copies")
    paths = []
    for party in PARTIES:
        path = out / f"{party}.pdf"
        path.write_bytes(signed_by_all(repo, party, people, pki))
        paths.append(path)
    everyone = repo / "build" / "lansi-pirkanmaa-tym-allekirjoitettava.pdf"
    path = out / "everyone.pdf"
    path.write_bytes(sign(everyone.read_bytes(), "sig-kela-1", people["sig-kela-1"], pki))
    return [*paths, path]


def _without_origin(copy: CopyReport) -> dict[str, Any]:
    return {k: v for k, v in copy.as_dict().items() if k != "original"}


def test_the_build_beside_its_manifest_stands_in_for_a_rebuild_with_the_same_verdict(
    repo: Path,  # noqa: F811
    copies: list[Path],
) -> None:
    """With build/manifest.json of the copies' commit at hand nothing is laid out, and the
    report is the rebuild's, word for word, but for where the original came from: the same
    signatures, failures, warnings, seats (as the covers name them) and round."""
    held = verify_copies(repo, copies)
    rebuilt = verify_copies(repo, copies, rebuild=True)
    assert held.ok and rebuilt.ok, [c.failures for c in held.copies + rebuilt.copies]
    for fast, slow in zip(held.copies, rebuilt.copies, strict=True):
        assert fast.original is not None and slow.original is not None
        commit = slow.original.removeprefix("identical to the package built from commit ")
        assert len(commit) == 12, slow.original
        assert fast.original == (
            f"identical to the package built from commit {commit}, as manifest.json records it"
        )
        assert _without_origin(fast) == _without_origin(slow)
    assert held.round is not None and rebuilt.round is not None
    assert held.round == rebuilt.round  # the seats' cover texts included, which status shows
    assert held.as_dict()["signatories"] == rebuilt.as_dict()["signatories"]


def _origin(root: Path, copy: Path, **options: Any) -> str:
    (report,) = verify_copies(root, [copy], **options).copies
    assert report.ok, report.failures
    assert report.original is not None
    return report.original


def test_the_manifest_stands_in_only_for_what_it_vouches_for(
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    """build/ stands in only when its package hashes to what its manifest records, sits
    beside it, and this tymdocs and Typst made it; otherwise the package is laid out again,
    and the copy, untouched, still verifies against that."""
    from tymdocs.build import build
    from tymdocs.revision import open_source

    root = make_repo(tmp_path / "agreement")
    build(open_source(root), root / "build")
    copy = tmp_path / "kela.pdf"
    copy.write_bytes(sign(package(root), "sig-kela-1", people["sig-kela-1"], pki))
    rebuilt = "identical to the package built from commit "
    assert _origin(root, copy).endswith(", as manifest.json records it")

    built = root / "build" / PACKAGE.format("kela")
    data = built.read_bytes()
    built.write_bytes(data.replace(b"Tavoitteet", b"tavoitteet", 1))  # no longer its hash
    assert _origin(root, copy).startswith(rebuilt)
    assert not _origin(root, copy).endswith("records it")
    built.unlink()
    assert not _origin(root, copy).endswith("records it")
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(data)
    manifest_path = root / "build" / "manifest.json"
    original = manifest_path.read_text(encoding="utf-8")
    manifest = json.loads(original)
    for entry in manifest["outputs"]:
        if entry.get("party") == "kela" and entry["kind"] == "signature-package":
            entry["path"] = "../../outside.pdf"  # the right bytes, but not beside it
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert not _origin(root, copy).endswith("records it")

    built.write_bytes(data)
    manifest = json.loads(original)
    manifest["tool"]["tymdocs"] = "0.0.1"  # another tymdocs may lay it out otherwise
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert not _origin(root, copy).endswith("records it")
    manifest_path.write_text(original, encoding="utf-8")
    assert _origin(root, copy).endswith(", as manifest.json records it")
    assert _origin(root, copy, rebuild=True).startswith(rebuilt)
    assert not _origin(root, copy, rebuild=True).endswith("records it")


def test_a_package_edited_with_its_manifest_is_trusted_unless_rebuilt(
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    """What the manifest path trusts, shown: whoever can write build/ can change a package
    and its recorded hash together, and a copy of that package verifies. Laid out again
    (``rebuild``), which trusts nothing on disk, the copy fails."""
    import hashlib

    from tymdocs.build import build
    from tymdocs.revision import open_source

    root = make_repo(tmp_path / "agreement")
    build(open_source(root), root / "build")
    built = root / "build" / PACKAGE.format("kela")
    edited = built.read_bytes().replace(b"Tavoitteet", b"tavoitteet", 1)
    built.write_bytes(edited)
    manifest_path = root / "build" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        if entry["path"] == built.name:
            entry["sha256"] = hashlib.sha256(edited).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    copy = tmp_path / "kela.pdf"
    copy.write_bytes(sign(edited, "sig-kela-1", people["sig-kela-1"], pki))

    assert _origin(root, copy).endswith(", as manifest.json records it")
    (audited,) = verify_copies(root, [copy], rebuild=True).copies
    assert not audited.ok
    assert audited.failures[0].startswith(
        "the original revision differs from the package built from commit"
    )
    command = [sys.executable, "-m", "tymdocs", "-C", str(root), "verify", str(copy)]
    assert subprocess.run(command, capture_output=True).returncode == 0
    audit = subprocess.run([*command, "--rebuild"], capture_output=True, text=True)
    assert audit.returncode == 1
    assert "the original revision differs from the package built from commit" in audit.stdout


PROBE = """
import json, sys
if sys.argv.pop(1) == "whole":  # pyHanko loaded whole before verify, as other programs do
    import pyhanko.sign
from tymdocs.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    assert not exit.code, exit.code
loaded = sorted(sys.modules)
import pyhanko.sign
from pyhanko.sign import PdfSigner, signers  # the package's names, as ever
assert PdfSigner is signers.PdfSigner
print("MODULES", *loaded)
"""


def _verify_in_child(root: Path, copies: list[Path], how: str) -> tuple[dict[str, Any], set[str]]:
    """A verify --json run in a process of its own: the report, and the modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, how, "-C", str(root), "verify", "--json", *map(str, copies)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    report, modules = done.stdout.split("MODULES")
    return json.loads(report), set(modules.split())


def test_an_offline_verify_loads_no_network_client_and_lays_nothing_out(
    repo: Path,  # noqa: F811
    copies: list[Path],
) -> None:
    """pyHanko's signers, its timestamp clients and aiohttp (0.15 s of every run) are not
    loaded by verify, which fetches nothing; with build/manifest.json at hand, neither is
    Typst. pyHanko's package still gives its names to whoever asks afterwards, and the report
    is the same as when pyHanko was loaded whole first."""
    report, loaded = _verify_in_child(repo, copies, "deferred")
    for module in (
        "aiohttp",
        "pyhanko.sign.signers",
        "pyhanko.sign.timestamps",
        "pyhanko_certvalidator.fetchers.aiohttp_fetchers",
        "typst",
        "tymdocs.render.typst",
    ):
        assert module not in loaded, module
    assert "pyhanko.sign.validation" in loaded  # the signatures were checked
    assert report["ok"] and report["fully_signed"] is True
    whole, loaded_whole = _verify_in_child(repo, copies, "whole")
    assert "aiohttp" in loaded_whole  # what the first run spared
    assert report == whole


def test_how_a_version_is_signed_comes_from_its_sources_not_the_manifest(
    pki: Pki,  # noqa: F811
    people: dict[str, Identity],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The manifest's "signing" is not covered by any hash: where the repository has the
    version, the rule comes from its sources, and an edited manifest changes no verdict."""
    from tymdocs.build import build
    from tymdocs.revision import open_source

    root = make_repo(tmp_path / "agreement")
    build(open_source(root), root / "build")
    manifest_path = root / "build" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["signing"] == "counterparts"
    manifest["signing"] = "every-copy"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    copies = []
    for party in ("hyvinvointialue", "kela"):
        data = (root / "build" / PACKAGE.format(party)).read_bytes()
        for field, identity in people.items():
            if field.startswith(f"sig-{party}-"):
                data = sign(data, field, identity, pki)
        copies.append(tmp_path / f"{party}.pdf")
        copies[-1].write_bytes(data)
    report = verify_copies(root, copies)
    assert all(copy.original.endswith("records it") for copy in report.copies if copy.original)
    assert report.round is not None and report.round.mode == "counterparts"
