"""Whole-process timings of tymdocs on the seed, against pandoc + LibreOffice when installed.

Each command runs in a fresh process, as a coordinator runs it; the figure is the median of
several runs. Targets are from the issues; a miss is printed, not hidden.
Run with ``make bench``.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import make_repo  # noqa: E402
from tymdocs.checks import validate  # noqa: E402
from tymdocs.document import Document, compose  # noqa: E402
from tymdocs.model import Heading, ListBlock, Paragraph, Table, inline_text  # noqa: E402
from tymdocs.sources import WorkTree  # noqa: E402

RUNS = 7
TYMDOCS = [sys.executable, "-m", "tymdocs"]


def median_seconds(command: list[str], cwd: Path, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def as_markdown(document: Document) -> str:
    """The same content as one Markdown file, for the pandoc route."""
    lines = [f"% {document.title}", ""]
    for part in document.parts:
        lines += [f"# {part.heading}", ""]
        for block in part.blocks:
            if isinstance(block, Heading):
                lines += ["#" * block.level + " " + inline_text(block.content), ""]
            elif isinstance(block, Paragraph):
                lines += [inline_text(block.content).replace("\n", "\\\n"), ""]
            elif isinstance(block, ListBlock):
                for item in block.items:
                    lines.append(f"{item.marker or '-'} {inline_text(item.content)}")
                lines.append("")
            elif isinstance(block, Table):
                lines.append("| " + " | ".join(block.header) + " |")
                lines.append("|" + "---|" * len(block.header))
                lines += ["| " + " | ".join(row.cells) + " |" for row in block.rows]
                lines.append("")
    return "\n".join(lines)


def sign_packages(out: Path, temp: Path) -> list[Path]:
    """Every package signed in every field, by certificates of a PKI made here."""
    from tests.pki import make_pki, sign

    pki = make_pki(temp / "pki")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    signed = []
    for entry in manifest["outputs"]:
        if entry["kind"] != "signature-package":
            continue
        data = (out / entry["path"]).read_bytes()
        for field in entry["fields"]:
            data = sign(data, field, pki.issue(entry["signatories"].get(field, field)), pki)
        path = temp / f"signed-{entry['path']}"
        path.write_bytes(data)
        signed.append(path)
    return signed


def main() -> int:
    rows: list[tuple[str, float, float | None]] = []
    with tempfile.TemporaryDirectory() as temp:
        repo = make_repo(Path(temp) / "seed")
        out = Path(temp) / "out"
        rows.append(("tymdocs --help", median_seconds([*TYMDOCS, "--help"], repo), 0.15))
        rows.append(("tymdocs check", median_seconds([*TYMDOCS, "check"], repo), None))
        build = [*TYMDOCS, "build", "-q", "--force", "-o", str(out)]
        full = median_seconds([*build, "--no-packages"], repo)
        rows.append(("build: DOCX + PDF + manifest", full, 0.6))
        everything = median_seconds(build, repo)
        rows.append(("build: the same and 3 signature packages", everything, full + 0.3))
        rebuild = median_seconds([*TYMDOCS, "build", "-q", "-o", str(out)], repo)
        rows.append(("rebuild, nothing changed", rebuild, 0.25))
        signed = sign_packages(out, Path(temp))
        verify = [*TYMDOCS, "verify", *map(str, signed)]
        rows.append(("verify 3 signed packages", median_seconds(verify, repo), 1.5))

        alternative = None
        pandoc, soffice = (
            shutil.which("pandoc"),
            shutil.which("soffice") or shutil.which("libreoffice"),
        )
        if pandoc and soffice:
            agreement = validate(WorkTree(repo)).agreement
            assert agreement is not None
            source = Path(temp) / "sopimus.md"
            source.write_text(as_markdown(compose(agreement)), encoding="utf-8")
            profile = f"-env:UserInstallation=file://{temp}/lo-profile"
            convert = [
                "sh",
                "-c",
                f"{pandoc} sopimus.md -o sopimus.docx && "
                f"{soffice} {profile} --headless --convert-to pdf sopimus.docx >/dev/null",
            ]
            median_seconds(convert, Path(temp), runs=1)  # LibreOffice's first start sets up
            alternative = median_seconds(convert, Path(temp), runs=3)
            rows.append(("pandoc -> DOCX, LibreOffice -> PDF", alternative, None))

    print(f"{'whole process, median of runs':44} {'seconds':>8} {'target':>8}")
    missed = False
    for name, seconds, target in rows:
        verdict = ""
        if target is not None:
            verdict = "ok" if seconds <= target else "MISSED"
            missed |= seconds > target
        shown_target = f"{target:8.2f}" if target is not None else " " * 8
        print(f"{name:44} {seconds:8.3f} {shown_target} {verdict}")
    if alternative:
        ratio = full / alternative
        verdict = "ok" if ratio <= 0.5 else "MISSED"
        print(f"{'ratio build / alternative':44} {ratio:8.2f} {0.5:8.2f} {verdict}")
    else:
        print(
            "pandoc and LibreOffice are not installed: no comparison (apt-get install pandoc "
            "libreoffice-writer)"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
