"""Whole-process timings of tymdocs on the seed, against pandoc + LibreOffice when installed.

Each command runs in a fresh process, as a coordinator runs it; the figure is the median of
several runs. Targets are from the issues; a miss is printed, not hidden. The governance rows
run on a repository of 1,000 records after version 1, made in one ``git fast-import``.
Run with ``make bench``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import FIXTURES, GIT_ENV, copy_agreement, init_repo, make_repo  # noqa: E402
from tests.test_governance import LIITE_5, kela_to_one  # noqa: E402
from tymdocs.checks import validate  # noqa: E402
from tymdocs.document import Document, compose  # noqa: E402
from tymdocs.governance import Record  # noqa: E402
from tymdocs.model import Block, Heading, ListBlock, Paragraph, Table, inline_text  # noqa: E402
from tymdocs.sources import WorkTree  # noqa: E402

RUNS = 7
TYMDOCS = [sys.executable, "-m", "tymdocs"]
SCRIPT = Path(sys.executable).with_name("tymdocs")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else TYMDOCS
"""tymdocs as a coordinator runs it, the installed script, for the start-up rows."""
PASS = [sys.executable, "-c", "pass"]
"""An empty interpreter: the floor that start-up is measured against (issue 20)."""
ENV = {**os.environ, **GIT_ENV}
"""The fixed author, clock and git configuration of the tests, for the governance rows."""
RECORDS = 1000
PACKAGES = 1.15
"""How much longer the build may take with its signature packages than without (issue 20)."""
ALTERNATIVE = 0.2
"""The build without packages against pandoc + LibreOffice (issue 20)."""
LARGE = 5000
"""Paragraphs (with lists and tables) of the large agreement's full build (issue 20: 15 s and
1 GiB at most)."""
DOCX_PACKAGES = 0.15
"""How much the DOCX signature packages may add to the full build, in seconds (issue 10)."""
APPROVE_DATE = "2026-02-01"
"""After every generated record (the last is dated 7.1.2026), and long past on any clock."""


def median_seconds(
    command: list[str],
    cwd: Path,
    runs: int = RUNS,
    env: dict[str, str] | None = None,
    expect: int = 0,
) -> float:
    """The median time of ``command``, which must exit with ``expect`` every time."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode != expect:
            raise SystemExit(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr!r}")
    return statistics.median(times)


def quiet() -> None:
    """Before a ratio is measured: what the rows before wrote (three virtual environments
    for the first build's row, 45 agreements for ``build --all``'s) written out to disk, so
    that the kernel does not write it back meanwhile, and throttle the command that writes
    more (the full build writes ten files, the build without packages three). Measured: the
    packages' ratio 1,16 right after the first build's row, 1,14 with this, 1,14 without
    that row."""
    os.sync()
    time.sleep(1)


def paired_medians(
    first: list[str], second: list[str], cwd: Path, runs: int = RUNS
) -> tuple[float, float]:
    """The medians of two commands run in turns, so that a ratio of them is not skewed by
    whatever else the machine does meanwhile."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for command, taken in zip((first, second), times, strict=True):
            start = time.perf_counter()
            subprocess.run(command, cwd=cwd, check=True, capture_output=True)
            taken.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


WITH_OR_WITHOUT_DOCX_PACKAGES = """
import sys
if sys.argv.pop(1) == "without":  # the build as it was before the DOCX packages
    import tymdocs.build
    tymdocs.build._docx_packages = lambda *args: iter(())
from tymdocs.cli import main
main(sys.argv[1:])
"""


def docx_package_rows(repo: Path, out: Path) -> list[tuple[str, float, float | None]]:
    """What the DOCX signature packages add: the full build with and without them, whole
    process, in turns; and rendering all parties' packages in-process, the call build makes."""
    from tymdocs.build import stamp_of
    from tymdocs.revision import open_source
    from tymdocs.signing.packages import build_docx_packages
    from tymdocs.sources import fingerprint

    script = [sys.executable, "-c", WITH_OR_WITHOUT_DOCX_PACKAGES]
    build = ["build", "-q", "--force", "-o", str(out)]
    without, with_them = paired_medians(
        [*script, "without", *build], [*script, "with", *build], repo
    )
    source = open_source(repo)
    agreement = validate(source.tree).agreement
    assert agreement is not None
    stamp = stamp_of(source, fingerprint(source.tree), agreement)
    document = compose(agreement, source.notes)
    times = []
    for _ in range(RUNS + 1):  # the first reads the template
        start = time.perf_counter()
        packages = list(build_docx_packages(agreement, document, stamp))
        times.append(time.perf_counter() - start)
    return [
        ("  DOCX packages added to the full build", with_them - without, DOCX_PACKAGES),
        (
            f"  {len(packages)} DOCX packages rendered, in-process",
            statistics.median(times[1:]),
            DOCX_PACKAGES,
        ),
    ]


def moved_pages_seconds(build: list[str], repo: Path, out: Path) -> float:
    """The full build where the covers laid out ahead are not the ones the packages need:
    before each run, the hint says every part starts a page later than the last build found
    (tymdocs/signing/covers.py), as after an edit that moves them; the full build's own row
    is a rebuild, where they did not move."""
    from tymdocs.hints import hint_file, read_hint, write_hint

    hint = hint_file(out, "covers")
    found = read_hint(hint)
    assert isinstance(found, dict), "the full build keeps what its covers say"
    times = []
    for _ in range(RUNS):
        write_hint(hint, found | {"contents": [page + 1 for page in found["contents"]]})
        start = time.perf_counter()
        subprocess.run(build, cwd=repo, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    assert read_hint(hint) == found
    return statistics.median(times)


def run(cwd: Path, *command: str, stdin: bytes | None = None) -> str:
    """A process with ENV; its output, or its output in the error when it fails."""
    done = subprocess.run(command, cwd=cwd, env=ENV, input=stdin, capture_output=True)
    if done.returncode:
        raise SystemExit(
            f"{' '.join(command)} failed:\n{done.stdout.decode()}{done.stderr.decode()}"
        )
    return done.stdout.decode()


def two_versions(target: Path) -> Path:
    """The seed adopted as version 1, then version 2: Johtoryhmä's decision on Liite 5."""
    repo = make_repo(target)
    run(repo, *TYMDOCS, "adopt", "-m", "Sopimus")
    kela_to_one(repo)
    approve = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    run(repo, *TYMDOCS, *approve, "-m", "Kelan resurssi")
    return repo


REDLINES = """
import sys, warnings
warnings.simplefilter("ignore")
from python_redlines.engines import DocxodusEngine
old, new = (open(p, "rb").read() for p in sys.argv[1:3])
open(sys.argv[3], "wb").write(DocxodusEngine().run_redline("tymdocs", old, new)[0])
"""


def redlines_rows(repo: Path, temp: Path, ours: float) -> list[tuple[str, float, float | None]]:
    """python-redlines on the two versions' DOCX, whole process, when it is installed (in the
    environment REDLINES_PYTHON names, so that tymdocs's own keeps what its lock pins)."""
    python = os.environ.get("REDLINES_PYTHON", sys.executable)
    probe = [python, "-c", "import python_redlines.engines"]
    if subprocess.run(probe, capture_output=True).returncode:
        print("python-redlines is not installed: no comparison for diff")
        return []
    files = []
    for version in ("HEAD~1", "HEAD"):  # versions 1 and 2
        out = temp / f"docx-{version}"
        run(repo, *TYMDOCS, "build", "-q", "--no-packages", "--ref", version, "-o", str(out))
        files.append(str(next(out.glob("*.docx"))))
    command = [python, "-c", REDLINES, *files, str(temp / "redline.docx")]
    theirs = median_seconds(command, repo, runs=3)
    return [
        ("python-redlines, the two DOCX", theirs, None),
        ("  ratio diff (4 formats) / python-redlines", ours / theirs, 0.5),
    ]


def governed_repo(target: Path) -> Path:
    """The seed adopted as version 1, then RECORDS commits made by one ``git fast-import``:
    decisions of Johtoryhmä that change Liite 5 (a counter on its first comment line), every
    10th a yearly review of it (an empty commit). Four records a day from 2.5.2025, § 1 to
    § RECORDS. Checked with ``check --governance``: the bench times a valid history."""
    repo = make_repo(target)
    run(repo, *TYMDOCS, "adopt", "-m", "Sopimus")
    agreement = json.loads(run(repo, *TYMDOCS, "log", "--json"))["agreement"]
    first_line, rest = (repo / LIITE_5).read_text(encoding="utf-8").split("\n", 1)
    stream = [f"reset refs/heads/main\nfrom {run(repo, 'git', 'rev-parse', 'HEAD').strip()}\n"]
    first = dt.date(2025, 5, 2)
    noon = int(dt.datetime(2025, 5, 2, 9, tzinfo=dt.UTC).timestamp())  # 12.00 in Finland
    version = 1
    for number in range(1, RECORDS + 1):
        day = first + dt.timedelta(days=number // 4)
        fields = {"agreement": agreement, "date": day, "body": "Johtoryhmä", "section": number}
        stamp = noon + (day - first).days * 86400 + number  # on the record's day
        who = f"Koordinaattori <koordinaattori@example.fi> {stamp} +0300"
        if number % 10 == 0:
            record = Record("review", review=5, **fields)
            change = ""
        else:
            version += 1
            record = Record(
                "decision", version=version, effective=day, parts=("annex-5",), **fields
            )
            content = f"{first_line} ({number})\n{rest}"
            change = f"M 100644 inline {LIITE_5}\ndata {len(content.encode())}\n{content}"
        message = record.message(f"Liite 5: {record.kind} {number}")
        stream.append(f"commit refs/heads/main\nauthor {who}\ncommitter {who}\n")
        stream.append(f"data {len(message.encode())}\n{message}{change}\n")
    run(repo, "git", "fast-import", "--quiet", stdin="".join(stream).encode())
    run(repo, "git", "reset", "-q", "--hard")
    assert not run(repo, "git", "status", "--porcelain"), "the work tree is not clean"
    run(repo, *TYMDOCS, "check", "--governance")  # exits with the problems if any
    return repo


def ten_versions(target: Path) -> Path:
    """The seed adopted as version 1, then nine decisions of Johtoryhmä on Liite 5 (a counter
    on its first comment line), one a month from 15.6.2025: ten recorded versions."""
    repo = make_repo(target)
    run(repo, *TYMDOCS, "adopt", "-m", "Sopimus")
    first_line, rest = (repo / LIITE_5).read_text(encoding="utf-8").split("\n", 1)
    for number in range(1, 10):
        (repo / LIITE_5).write_text(f"{first_line} ({number})\n{rest}", encoding="utf-8")
        day = f"15.{5 + number}.2025" if number < 8 else f"15.{number - 7}.2026"
        approve = ["approve", "--body", "Johtoryhmä", "--date", day, "--section", str(number)]
        run(repo, *TYMDOCS, *approve, "-m", f"Päätös {number}")
    return repo


def approve_seconds(repo: Path, runs: int = RUNS, dry_run: bool = False) -> float:
    """``tymdocs approve`` of Kela's 1,0 htv; each run on the same HEAD, undone after."""
    head = run(repo, "git", "rev-parse", "HEAD").strip()
    command = [*TYMDOCS, "approve", "--body", "Johtoryhmä", "--date", APPROVE_DATE]
    command += ["--section", str(RECORDS + 1), "-m", "bench", *(["--dry-run"] if dry_run else [])]
    times = []
    for _ in range(runs):
        kela_to_one(repo)
        start = time.perf_counter()
        run(repo, *command)
        times.append(time.perf_counter() - start)
        run(repo, "git", "reset", "-q", "--hard", head)
    return statistics.median(times)


def as_markdown(document: Document) -> str:
    """The same content as one Markdown file, for the pandoc route."""
    lines = [f"% {document.title}", ""]
    for part in document.parts:
        lines += [f"# {part.heading}", ""]
        for block in part.blocks:
            lines += [*_markdown(block), ""]
    return "\n".join(lines)


def _markdown(block: Block, indent: str = "") -> Iterator[str]:
    if isinstance(block, Heading):
        yield "#" * block.level + " " + inline_text(block.content)
    elif isinstance(block, Paragraph):
        yield indent + inline_text(block.content).replace("\n", "\\\n" + indent)
    elif isinstance(block, ListBlock):
        for item in block.items:
            marker = item.marker or "-"
            yield f"{indent}{marker} {inline_text(item.content)}"
            for child in item.children:
                yield from _markdown(child, indent + " " * (len(marker) + 1))
    elif isinstance(block, Table):
        yield "| " + " | ".join(inline_text(cell) for cell in block.header) + " |"
        yield "|" + "---|" * len(block.header)
        for row in block.rows:
            yield "| " + " | ".join(inline_text(cell) for cell in row.cells) + " |"


def long_agreement(target: Path, paragraphs: int) -> Path:
    """The made-up agreement with a section of ``paragraphs`` paragraphs, lists and tables."""
    repo = copy_agreement(target, FIXTURES / "kuvitteellinen")
    chunk = (
        "Osapuolet sopivat yhteistyöstä, jonka tavoitteena on *työllisyyden* edistäminen "
        "ja palvelujen **yhteensovittaminen** alueella.\n\n"
        "- ensimmäinen kohta\n  - alakohta\n\n"
        "| Osapuoli | htv |\n|---|--:|\n| Kela | 0,5 |\n\n"
    )
    text = "# 4 Pitkä osa\n\n" + chunk * (paragraphs // 3)
    (repo / "docs_src" / "pitka.md").write_text(text, encoding="utf-8")
    return init_repo(repo)


def hostile_rows(temp: Path) -> list[tuple[str, float, float | None]]:
    """Issue 9's limits: check of a 1 MiB single-paragraph source (refused: it is over the
    paragraph limit, and must say so fast) and a build of 1,000 sections."""
    one = copy_agreement(temp / "one-paragraph", FIXTURES / "seed")
    words = "sana liitteessä 3 voimassa 1.5.2025 alkaen Hämeenlinnan hallinto-oikeus "
    paragraph = (words * (1_040_000 // len(words.encode())))[:1_000_000]
    (one / "docs_src" / "99-pitka.md").write_text(f"# 99 Pitkä\n\n{paragraph}\n")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([*TYMDOCS, "check"], cwd=one, capture_output=True)  # exit 1: refused
        times.append(time.perf_counter() - start)
    many = copy_agreement(temp / "sections", FIXTURES / "seed")
    text = "".join(f"# {n} Osa {n}\n\nTeksti {n}.\n\n" for n in range(13, 1001))
    (many / "docs_src" / "99-osat.md").write_text(text, encoding="utf-8")
    build = [*TYMDOCS, "build", "-q", "--force", "--no-packages", "-o", str(many / "out")]
    return [
        ("check: a 1 MiB single-paragraph source", statistics.median(times), 1.0),
        ("build: 1,000 sections", median_seconds(build, many, runs=3), 5.0),
    ]


PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(peak if sys.platform == "darwin" else peak * 1024)
"""
"""Runs a command and prints its peak resident memory in bytes: in a process of its own, so
that no other child's peak is counted."""


def large_rows(temp: Path) -> list[tuple[str, float, float | None]]:
    """Issue 20's large agreement: the full build, packages included, of LARGE paragraphs with
    lists and tables (5,000 sections of its own would be over the 1,000-section limit): its
    time and its peak memory, in GiB."""
    repo = long_agreement(temp / "large", LARGE)
    build = [*TYMDOCS, "build", "-q", "--force", "-o", str(repo / "out")]
    seconds = median_seconds(build, repo, runs=3)
    peak = subprocess.run(
        [sys.executable, "-c", PEAK, *build], cwd=repo, capture_output=True, check=True, text=True
    )
    return [
        (f"full build: {LARGE:,} paragraphs, lists and tables", seconds, 15.0),
        ("  its peak memory, GiB", int(peak.stdout) / 2**30, 1.0),
    ]


def rewritten(target: Path, paragraphs: int, words: int = 1200) -> Path:
    """The seed with a section of ``paragraphs`` paragraphs of ``words`` words each, committed,
    then with every second word of them replaced, committed: each word is distinct, so each
    replaced one is deleted and inserted on its own, the most marks a redline can have."""
    repo = copy_agreement(target, FIXTURES / "seed")
    section = repo / "docs_src" / "13-muutettava.md"

    def text(new: bool) -> str:
        numbers = [range(p * words, (p + 1) * words) for p in range(paragraphs)]
        texts = [" ".join(f"uusi{n}" if new and n % 2 else f"sana{n}" for n in r) for r in numbers]
        return "# 13 Muutettava\n\n" + "".join(f"{paragraph}.\n\n" for paragraph in texts)

    section.write_text(text(new=False), encoding="utf-8")
    init_repo(repo)
    section.write_text(text(new=True), encoding="utf-8")
    run(repo, "git", "commit", "-q", "-am", "Joka toinen sana muutettu")
    return repo


def rewritten_rows(temp: Path) -> list[tuple[str, float, float | None]]:
    """Issue 17: diff in time linear in what changed. 600 words of one paragraph changed, and
    6,000 words (ten such paragraphs), all four formats, whole process."""
    rows: list[tuple[str, float, float | None]] = []
    for paragraphs, name, target in (
        (1, "600 words of one paragraph", 0.6),
        (10, "6,000 words", 1.5),
    ):
        repo = rewritten(temp / f"rewritten-{paragraphs}", paragraphs)
        diff = [*TYMDOCS, "diff", "HEAD~1", "HEAD", "-q", "-o", str(repo / "out")]
        rows.append((f"diff, {name} changed", median_seconds(diff, repo, env=ENV), target))
    return rows


def moved_and_changed(target: Path, paragraphs: int) -> Path:
    """The made-up agreement with a section of ``paragraphs`` paragraphs, each its own,
    committed; then with every one changed, committed: every tenth moved 35 paragraphs on,
    each other with a word replaced. Issue 18: pairing by content compares only within the
    changed stretch, with a bound, so this takes time about linear in the text."""
    repo = copy_agreement(target, FIXTURES / "kuvitteellinen")
    section = repo / "docs_src" / "pitka.md"

    def text(order: list[int], edited: bool) -> str:
        body = [
            f"Kohta {n + 1}: osapuolet sopivat yhteistyöstä, jonka tavoitteena on työllisyyden "
            f"{'tukeminen' if edited and n % 10 else 'edistäminen'} ja palvelujen "
            f"yhteensovittaminen alueella {n + 1}."
            for n in order
        ]
        return "# 4 Pitkä osa\n\n" + "".join(f"{paragraph}\n\n" for paragraph in body)

    section.write_text(text(list(range(paragraphs)), edited=False), encoding="utf-8")
    init_repo(repo)
    order = sorted(range(paragraphs), key=lambda n: n + 35.5 if n % 10 == 0 else n)
    section.write_text(text(order, edited=True), encoding="utf-8")
    run(repo, "git", "commit", "-q", "-am", "Joka kappale muutettu tai siirretty")
    return repo


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


WITH_OR_WITHOUT_COPY_FOR_EVERYONE = """
import sys
if sys.argv.pop(1) == "without":  # the build as it was before the copy for everyone
    import tymdocs.signing.packages as packages
    every = packages.build_packages
    packages.build_packages = lambda *args, **options: every(*args, **options, everyone=False)
from tymdocs.cli import main
main(sys.argv[1:])
"""


def signing_round_rows(repo: Path, out: Path, temp: Path) -> list[tuple[str, float, float | None]]:
    """Issue 19: what the copy for everyone adds to the full build (with and without it, in
    turns), and verify, whole process, of the counterpart copies (each party's signatories in
    their own party's package) and of the copy for everyone signed by all."""
    from tests.pki import make_pki, sign

    script = [sys.executable, "-c", WITH_OR_WITHOUT_COPY_FOR_EVERYONE]
    build = ["build", "-q", "--force", "-o", str(out)]
    without, with_it = paired_medians([*script, "without", *build], [*script, "with", *build], repo)
    pki = make_pki(temp / "round-pki")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counterparts, everyone = [], []
    for entry in manifest["outputs"]:
        if entry["kind"] not in ("signature-package", "signature-copy"):
            continue
        party = entry["party"]
        mine = [f for f in entry["fields"] if party is None or f.startswith(f"sig-{party}-")]
        data = (out / entry["path"]).read_bytes()
        for field in mine:
            data = sign(data, field, pki.issue(entry["signatories"].get(field, field)), pki)
        path = temp / f"round-{entry['path']}"
        path.write_bytes(data)
        (everyone if party is None else counterparts).append(str(path))
    verify = [*TYMDOCS, "verify", "--require-complete"]
    return [
        ("  the copy for everyone added to the full build", with_it - without, 0.1),
        (
            f"verify the {len(counterparts)} counterpart copies",
            median_seconds([*verify, *counterparts], repo),
            1.5,
        ),
        ("verify the copy for everyone", median_seconds([*verify, *everyone], repo), 1.5),
    ]


def revision_rows(out: Path, temp: Path, repo: Path) -> list[tuple[str, float, float | None]]:
    """verify of a signed copy with 1,000 incremental updates after its signature (refused:
    over the limit) and with the most revisions allowed between two signatures (checked)."""
    from tests.pki import make_pki, many_revisions, sign
    from tymdocs.signing.screening import MAX_REVISIONS

    pki = make_pki(temp / "revisions-pki")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["outputs"] if e["kind"] == "signature-package")
    first, second = entry["fields"][:2]
    names = entry["signatories"]  # a field signed by anyone else is an error since issue 19
    package = (out / entry["path"]).read_bytes()
    signed = sign(package, first, pki.issue(names.get(first, first)), pki)
    updated = temp / "updates-1000.pdf"
    updated.write_bytes(many_revisions(signed, 1_000))
    allowed = temp / "updates-allowed.pdf"
    most = MAX_REVISIONS - signed.count(b"%%EOF") - 1
    second_signer = pki.issue(names.get(second, second))
    allowed.write_bytes(sign(many_revisions(signed, most), second, second_signer, pki))
    verify = [*TYMDOCS, "verify"]
    refused = subprocess.run([*verify, str(updated)], cwd=repo, capture_output=True, text=True)
    assert "revisions: refused" in refused.stdout + refused.stderr, refused
    return [
        (
            "verify: 1,000 updates after a signature",
            median_seconds([*verify, str(updated)], repo, expect=1),
            3.0,
        ),
        (
            f"verify: {most} updates between 2 signatures",
            median_seconds([*verify, str(allowed)], repo, runs=3),
            3.0,
        ),
    ]


AREAS = 45
"""Employment areas, each with an agreement of this kind (issue 21)."""
MANY = 15.0
"""``build --all`` of AREAS agreements, whole process, in seconds (issue 21)."""
MANY_RATIO = 0.6
"""``build --all`` against AREAS single builds one after another (issue 21)."""


def many_agreements(target: Path, count: int = AREAS) -> Path:
    """``count`` agreements under ``target``, each the seed's sources with an id and area of
    its own, in a git repository of its own and adopted (version 1); two adopted at a time."""
    from concurrent.futures import ThreadPoolExecutor

    def one(number: int) -> None:
        repo = copy_agreement(target / f"alue-{number:02d}", FIXTURES / "seed")
        config = repo / "tymdocs.yaml"
        text = config.read_text(encoding="utf-8")
        text = text.replace("id: lansi-pirkanmaa-tym", f"id: alue-{number:02d}-tym", 1)
        text = text.replace(
            "area: Läntisen Pirkanmaan työllisyysalue", f"area: Työllisyysalue {number}", 1
        )
        config.write_text(text, encoding="utf-8")
        init_repo(repo, "Sopimus 1.5.2025")
        run(repo, *TYMDOCS, "adopt", "-m", "Sopimus allekirjoitettu")

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, range(1, count + 1)))
    return target


def many_rows(temp: Path) -> list[tuple[str, float, float | None]]:
    """Issue 21: ``build --all`` over AREAS agreements, whole process, every output built
    anew (--force), against AREAS single ``tymdocs build --force`` processes one after
    another (once: they take a while)."""
    root = many_agreements(temp / "areas")
    every = [*TYMDOCS, "build", "--all", str(root), "--force", "-q"]
    together = median_seconds(every, root, runs=3, env=ENV)
    start = time.perf_counter()
    for repo in sorted(root.glob("alue-*")):
        subprocess.run([*TYMDOCS, "build", "-q", "--force"], cwd=repo, env=ENV, check=True)
    one_by_one = time.perf_counter() - start
    return [
        (f"build --all, {AREAS} agreements", together, MANY),
        (f"  {AREAS} single builds one after another", one_by_one, None),
        ("  ratio build --all / single builds", together / one_by_one, MANY_RATIO),
    ]


def first_build_seconds(temp: Path, runs: int = 3) -> float:
    """A fresh clone's first ``make build``, set-up from the lock included (issue 15): the
    median of ``runs`` clones of this repository's HEAD. pip's download cache is left as the
    machine has it; on a machine without one, add the download time of the lock's files."""
    times = []
    for run_number in range(runs):
        clone = temp / f"clone-{run_number}"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        start = time.perf_counter()
        subprocess.run(["make", "build"], cwd=clone, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        shutil.rmtree(clone)
    return statistics.median(times)


def site_rows(temp: Path) -> list[tuple[str, float, float | None]]:
    """``tymdocs site`` for the seed with 10 recorded versions."""
    ten = ten_versions(temp / "ten-versions")
    site = [*TYMDOCS, "site", "-q", "--date", "1.6.2026", "-o", str(temp / "site")]
    return [("site, 10 recorded versions", median_seconds(site, ten, env=ENV), 5.0)]


def own_cache(temp: str) -> None:
    """The builds' hints (tymdocs/hints.py) kept in the bench's folder, not the user's cache:
    for every command the bench runs, those given ``ENV`` too."""
    os.environ["XDG_CACHE_HOME"] = ENV["XDG_CACHE_HOME"] = f"{temp}/cache"


def main() -> int:
    if sys.argv[1:] == ["many"]:  # only issue 21's rows (site, many agreements): bench.py many
        with tempfile.TemporaryDirectory() as temp:
            own_cache(temp)
            return report([*site_rows(Path(temp)), *many_rows(Path(temp))])
    rows: list[tuple[str, float, float | None]] = []
    with tempfile.TemporaryDirectory() as temp:
        own_cache(temp)
        rows.append(("fresh clone: first make build, set-up", first_build_seconds(Path(temp)), 30))
        repo = make_repo(Path(temp) / "seed")
        out = Path(temp) / "out"
        bare, helped = paired_medians(PASS, [*COMMAND, "--help"], repo)
        rows.append(("python -c pass", bare, None))
        rows.append(("tymdocs --help", helped, None))
        rows.append(("  ratio to python -c pass", helped / bare, 2.0))
        rows.append(("tymdocs check", median_seconds([*TYMDOCS, "check"], repo), None))
        build = [*TYMDOCS, "build", "-q", "--force", "-o", str(out)]
        # More runs than the other rows: a ratio of two medians 0,03 s apart, on a machine
        # whose runs of one command vary by as much.
        quiet()
        full, everything = paired_medians([*build, "--no-packages"], build, repo, runs=3 * RUNS)
        rows.append(("build: DOCX + PDF + manifest", full, 0.6))
        rows.append(("build: the same and 3 PDF + 3 DOCX packages", everything, full * PACKAGES))
        moved = moved_pages_seconds(build, repo, out)
        rows.append(("  the same, the parts' pages moved", moved, None))
        rows += docx_package_rows(repo, out)
        bare, rebuild = paired_medians(PASS, [*COMMAND, "build", "-q", "-o", str(out)], repo)
        rows.append(("rebuild, nothing changed", rebuild, None))
        rows.append(("  ratio to python -c pass", rebuild / bare, 2.5))
        sizes = {}
        for paragraphs in (250, 1000):
            long = long_agreement(Path(temp) / f"long-{paragraphs}", paragraphs)
            long_build = [*TYMDOCS, "build", "-q", "--force", "--no-packages"]
            sizes[paragraphs] = median_seconds([*long_build, "-o", str(long / "out")], long, runs=3)
        rows.append(("build: 1,000 paragraphs, lists and tables", sizes[1000], None))
        rows.append(("  the same / 250 paragraphs (linear: <= 4)", sizes[1000] / sizes[250], 4.0))
        rows += hostile_rows(Path(temp))
        rows += large_rows(Path(temp))
        signed = sign_packages(out, Path(temp))
        verify = [*TYMDOCS, "verify", "--manifest", str(out / "manifest.json"), *map(str, signed)]
        rows.append(
            ("verify 3 signed packages, manifest at hand", median_seconds(verify, repo), 1.0)
        )
        rows += revision_rows(out, Path(temp), repo)
        rows += signing_round_rows(repo, out, Path(temp))

        versions = two_versions(Path(temp) / "versions")
        diff = [*TYMDOCS, "diff", "v1", "v2", "-q", "-o", str(Path(temp) / "diff")]
        ours = median_seconds(diff, versions, env=ENV)
        rows.append(("diff v1 v2: HTML, DOCX, Markdown, PDF", ours, 0.3))
        rows += redlines_rows(versions, Path(temp), ours)
        rows += rewritten_rows(Path(temp))
        everywhere = moved_and_changed(Path(temp) / "moved-and-changed", 1000)
        diff = [*TYMDOCS, "diff", "HEAD~1", "HEAD", "-q", "-o", str(everywhere / "out")]
        name = "diff, every paragraph of a 1,000-paragraph agreement changed or moved"
        rows.append((name, median_seconds(diff, everywhere, runs=3, env=ENV), 3.0))

        rows += site_rows(Path(temp))

        governed = governed_repo(Path(temp) / "governed")
        log = median_seconds([*TYMDOCS, "log", "--json"], governed, env=ENV)
        rows.append((f"log --json, {RECORDS} records", log, 0.15))
        audit = median_seconds([*TYMDOCS, "check", "--governance"], governed, env=ENV)
        rows.append((f"check --governance, {RECORDS} records", audit, 0.5))
        status = median_seconds([*TYMDOCS, "status", "--today", APPROVE_DATE], governed, env=ENV)
        rows.append((f"status, {RECORDS} records", status, 0.3))
        rows.append((f"approve after {RECORDS} records", approve_seconds(governed), 0.5))
        dry = approve_seconds(governed, dry_run=True)
        rows.append((f"approve --dry-run after {RECORDS} records", dry, 0.3))

        rows += many_rows(Path(temp))

        alternative = alone = None
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
                f"cd {temp} && {pandoc} sopimus.md -o sopimus.docx && "
                f"{soffice} {profile} --headless --convert-to pdf sopimus.docx >/dev/null",
            ]
            median_seconds(convert, Path(temp), runs=1)  # LibreOffice's first start sets up
            # In turns with the build (into a folder of its own), as the packages' ratio is
            # measured: both sides of the ratio under the same load, not minutes apart.
            ours = [*TYMDOCS, "build", "-q", "--force", "--no-packages", "-o", f"{temp}/alone"]
            quiet()
            alone, alternative = paired_medians(ours, convert, repo, runs=5)
            rows.append(("pandoc -> DOCX, LibreOffice -> PDF", alternative, None))
            rows.append(("  build without packages, in turns with it", alone, None))

    missed = report(rows) == 1
    ratio = everything / full
    verdict = "ok" if ratio <= PACKAGES else "MISSED"
    missed |= ratio > PACKAGES
    print(f"{'ratio build with packages / without':44} {ratio:8.2f} {PACKAGES:8.2f} {verdict}")
    if alternative and alone:
        ratio = alone / alternative
        verdict = "ok" if ratio <= ALTERNATIVE else "MISSED"
        missed |= ratio > ALTERNATIVE
        print(f"{'ratio build / alternative':44} {ratio:8.2f} {ALTERNATIVE:8.2f} {verdict}")
    else:
        print(
            "pandoc and LibreOffice are not installed: no comparison (apt-get install pandoc "
            "libreoffice-writer)"
        )
    return 1 if missed else 0


def report(rows: list[tuple[str, float, float | None]]) -> int:
    """The rows printed with their targets; 1 when any target is missed."""
    print(f"{'whole process, median of runs':44} {'seconds':>8} {'target':>8}")
    missed = False
    for name, seconds, target in rows:
        verdict = ""
        if target is not None:
            verdict = "ok" if seconds <= target else "MISSED"
            missed |= seconds > target
        shown_target = f"{target:8.2f}" if target is not None else " " * 8
        print(f"{name:44} {seconds:8.3f} {shown_target} {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
