"""Reading real artefacts back: DOCX through python-docx, PDF through pypdf; git in tmp_path."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pypdf
import pytest
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from tymdocs.cli import main
from tymdocs.model import Agreement

if TYPE_CHECKING:
    from tymdocs.changes import Report
    from tymdocs.document import Document, Stamp

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "seed"
"""A copy of the seed agreement the tests own, so they pass whatever agreement the root holds."""
SEED_FILES = ("tymdocs.yaml", "docs_src", "annexes")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Koordinaattori",
    "GIT_AUTHOR_EMAIL": "koordinaattori@example.fi",
    "GIT_COMMITTER_NAME": "Koordinaattori",
    "GIT_COMMITTER_EMAIL": "koordinaattori@example.fi",
    "GIT_AUTHOR_DATE": "2025-04-30T12:00:00+03:00",
    "GIT_COMMITTER_DATE": "2025-04-30T12:00:00+03:00",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_SYSTEM": "/dev/null",
}


def normalise(text: str) -> str:
    """Whitespace folded to single spaces: how rendered text is compared with the source."""
    return " ".join(text.split())


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def copy_agreement(target: Path, source: Path = SEED, files: tuple[str, ...] = SEED_FILES) -> Path:
    """An agreement's sources copied into ``target``, without git."""
    target.mkdir(parents=True, exist_ok=True)
    for name in files:
        origin = source / name
        if origin.is_dir():
            shutil.copytree(origin, target / name)
        else:
            shutil.copy2(origin, target / name)
    return target


def edit(root: Path, path: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in one source; the 1-based line where ``new``'s text starts."""
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    text = text.replace(old, new, 1)
    file.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1 + (new[:1] == "\n")


def make_repo(target: Path, source: Path = SEED) -> Path:
    """A git repository in ``target`` holding an agreement's sources, committed once."""
    return init_repo(copy_agreement(target, source), "Sopimus 1.5.2025")


def agreement_of(root: Path) -> Agreement:
    """The agreement in the sources at ``root``, which must be valid."""
    from tymdocs.checks import validate
    from tymdocs.sources import WorkTree

    agreement = validate(WorkTree(root)).agreement
    assert agreement is not None
    return agreement


def compare_roots(a: Path, b: Path) -> Report:
    """The redline report from the sources at ``a`` to those at ``b``."""
    from tymdocs.changes import compare

    x, y = agreement_of(a), agreement_of(b)
    return compare(x, y, a_label="A", b_label="B", author="t", date=x.meta.effective_date)


@contextlib.contextmanager
def redline_bounds(paired: int, exact: int) -> Iterator[None]:
    """The bounds set for the block of a ``with``: every pair weighed, or only the likely
    ones (``redline.PAIRED``); words aligned exactly, or cut first (``redline.EXACT``)."""
    from tymdocs import redline

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(redline, "PAIRED", paired)
        patch.setattr(redline, "EXACT", exact)
        yield


def init_repo(root: Path, message: str = "Sopimus") -> Path:
    """``root`` made a git repository, everything in it committed once."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(capsys: object, *args: str) -> Run:
    """Run the CLI in-process through its real error boundary."""
    capsys.readouterr()  # type: ignore[attr-defined]
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()  # type: ignore[attr-defined]
    return Run(code, captured.out, captured.err)


@dataclass(frozen=True)
class Measured:
    code: int
    out: str
    err: str
    seconds: float
    peak_mib: float


_PEAK = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
open(sys.argv[1], "w").write(f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""
"""Runs a command and writes its peak resident memory (KiB) and exit code to a file. The
kernel carries a process's peak across fork and exec, so measured from the test process it
would be at least the test process's own size: a small process in between starts afresh."""


def measured(cwd: Path, *args: str) -> Measured:
    """``tymdocs args`` in a process of its own: its exit code, output, wall time and peak
    resident memory, for loose bounds on the worst inputs."""
    with tempfile.TemporaryDirectory() as temp:
        report = Path(temp) / "peak"
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, str(report), sys.executable, "-m", "tymdocs", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
        )
        seconds = time.monotonic() - started
        peak, code = report.read_text().split()
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KiB
    return Measured(int(code), done.stdout, done.stderr, seconds, int(peak) * unit / 2**20)


def tree_digest(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` with its SHA-256: to prove nothing was touched."""
    if not directory.exists():
        return {}
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def docx_body_text(data: bytes) -> list[str]:
    """Paragraph texts and table rows of a DOCX body, in document order."""
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            lines.append(item.text)
        elif isinstance(item, DocxTable):
            lines.extend(" ".join(cell.text for cell in row.cells) for row in item.rows)
    return lines


def docx_headings(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs if p.style.name == "Heading 1"]


def render_pdf(document: Document, stamp: Stamp, authors: tuple[str, ...] = ()) -> bytes:
    """The agreement PDF's bytes (:func:`~tymdocs.render.typst.render_agreement`'s)."""
    from tymdocs.render.typst import render_agreement

    return render_agreement(document, stamp, authors).pdf


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def pdf_body_text(data: bytes, header: str, footer: str, draft: str | None = None) -> str:
    """The text of every page without the running header and footer (and draft watermark).

    Asserts on the way that every page carries them, with ``Sivu N/M`` in the footer.
    """
    pages = pdf_pages(data)
    body = []
    for number, page in enumerate(pages, start=1):
        text = normalise(page)
        if draft is not None:
            assert text.startswith(draft + " "), f"page {number} has no {draft}"
            text = text[len(draft) + 1 :]
        top = normalise(header)
        bottom = normalise(f"{footer} Sivu {number}/{len(pages)}")
        assert text.startswith(top), f"page {number} header: {text[:120]!r}"
        assert text.endswith(bottom), f"page {number} footer: {text[-120:]!r}"
        body.append(text[len(top) : len(text) - len(bottom)])
    return re.sub("[•◦▪] ", "", normalise(" ".join(body)))  # bullets are not text


RECORDED = "2026-10-01T12:00:00+03:00"
"""When the tests' records are committed unless a test sets another clock: after the dates
they record, since a record dated after its own commit is a finding."""


def fixed_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixed author and configuration; commits made in-process are dated RECORDED."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    at(monkeypatch, RECORDED)


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """The clock git stamps the next commits with."""
    monkeypatch.setenv("GIT_AUTHOR_DATE", when)
    monkeypatch.setenv("GIT_COMMITTER_DATE", when)


def soffice_convert(source: Path, to: str, folder: Path) -> Path:
    """``source`` converted by LibreOffice, headless, with a profile of its own in ``folder``
    (so that tests never share or touch a user's); the converted file, beside it in ``folder``."""
    (converted,) = soffice_convert_many([source], to, folder)
    return converted


def soffice_convert_many(sources: list[Path], to: str, folder: Path) -> list[Path]:
    """Every file of ``sources`` converted by one LibreOffice (:func:`soffice_convert`); the
    converted files, in ``folder``, in the order of ``sources``."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(folder),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return [folder / f"{source.stem}.{to}" for source in sources]


@functools.cache
def uno_python() -> str | None:
    """A Python that can drive LibreOffice (``import uno``): the system's, where the
    distribution's python3-uno is installed, or LibreOffice's own; None where there is none."""
    for python in ("/usr/bin/python3", "/usr/lib/libreoffice/program/python", "python3"):
        found = shutil.which(python)
        if (
            found
            and subprocess.run([found, "-c", "import uno"], capture_output=True).returncode == 0
        ):
            return found
    return None


def soffice_accept_and_reject(source: Path, folder: Path) -> tuple[Path, Path]:
    """The DOCX ``source`` with every tracked change accepted, and with every one rejected, by
    LibreOffice itself, with a profile of its own in ``folder``; both saved as DOCX beside it."""
    return soffice_accept_and_reject_many([source], folder)[0]


# The order ECMA-376 Part 1 gives the children of the property elements tymdocs writes; Word
# asks to repair a file whose properties are out of this order, LibreOffice and python-docx
# do not notice.
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SCHEMA_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "ins del moveFrom moveTo rStyle rFonts b bCs i iCs caps smallCaps strike dstrike "
    "outline shadow emboss imprint noProof snapToGrid vanish webHidden color spacing w kern "
    "position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang "
    "eastAsianLayout specVanish oMath rPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize "
    "tblW jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
    "tblDescription tblPrChange",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
    "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange",
}


def assert_schema_order(data: bytes) -> None:
    """Every paragraph, run, table and cell property of a DOCX's body, header and footer is
    one the schema knows, in the schema's order."""
    from lxml import etree

    order = {f"{_W}{name}": names.split() for name, names in SCHEMA_ORDER.items()}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [
            n
            for n in package.namelist()
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)
        ]
        for name in parts:
            root = etree.fromstring(package.read(name))
            for tag, names in order.items():
                for element in root.iter(tag):
                    children = [etree.QName(child).localname for child in element]
                    unknown = [child for child in children if child not in names]
                    assert not unknown, (name, tag, unknown)
                    positions = [names.index(child) for child in children]
                    assert positions == sorted(positions), (name, tag, children)


_RESOLVE_MANY = """
import os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

folder, sources = sys.argv[1], sys.argv[2:]
pipe = f"tymdocs-{os.getpid()}"
office = subprocess.Popen(
    ["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--invisible",
     "--norestore", f"--accept=pipe,name={pipe};urp;"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
local = uno.getComponentContext()
make = local.ServiceManager.createInstanceWithContext
resolver = make("com.sun.star.bridge.UnoUrlResolver", local)
for attempt in range(600):
    try:
        context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except Exception:
        if attempt == 599:
            raise
        time.sleep(0.1)
make = context.ServiceManager.createInstanceWithContext
desktop = make("com.sun.star.frame.Desktop", context)
dispatcher = make("com.sun.star.frame.DispatchHelper", context)

def option(name, value):
    found = PropertyValue()
    found.Name, found.Value = name, value
    return found

try:
    for source in sources:
        stem = os.path.splitext(source)[0]
        for keep, command in (("accepted", "AcceptAll"), ("rejected", "RejectAll")):
            document = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(source), "_blank", 0, (option("Hidden", True),)
            )
            frame = document.getCurrentController().getFrame()
            dispatcher.executeDispatch(frame, f".uno:{command}TrackedChanges", "", 0, ())
            document.storeToURL(
                uno.systemPathToFileUrl(f"{stem}.{keep}.docx"),
                (option("FilterName", "MS Word 2007 XML"),),
            )
            document.close(True)
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(timeout=60)
"""
"""Opens each DOCX in one LibreOffice (through its UNO bridge), runs "Accept All" and then, on a
fresh copy, "Reject All" as a reviewer would from the Edit menu: each ``name.docx`` saved beside
itself as ``name.accepted.docx`` and ``name.rejected.docx``."""


def soffice_accept_and_reject_many(sources: list[Path], folder: Path) -> list[tuple[Path, Path]]:
    """Every DOCX of ``sources`` with every tracked change accepted, and with every one
    rejected, by one LibreOffice (started once: it takes a second or two), with a profile of
    its own in ``folder``; saved as DOCX beside each source."""
    python = uno_python()
    assert python is not None, "no Python with LibreOffice's uno module"
    subprocess.run(
        [python, "-c", _RESOLVE_MANY, str(folder), *map(str, sources)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return [
        (source.with_suffix(".accepted.docx"), source.with_suffix(".rejected.docx"))
        for source in sources
    ]
