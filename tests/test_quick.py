"""The answers ``tymdocs`` gives before the rest of it loads (``tymdocs/quick.py``): the help
is click's, byte for byte, and a build is "up to date" there only where the normal path,
the authority, finds it up to date too; then both print the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import copy_agreement, edit, git, init_repo, make_repo, tree_digest
from tymdocs import output, quick
from tymdocs.build import build
from tymdocs.errors import TymdocsError
from tymdocs.revision import open_source

NORMAL = "import sys\nfrom tymdocs.cli import main\nmain(sys.argv[1:])"
"""The normal path: click and the library, as before the quick entry existed."""


def _run(cwd: Path, *args: str, normal: bool = False, columns: str = "") -> str:
    """What ``tymdocs args`` prints, in a process of its own, through the real entry (the
    quick one) or through the normal path alone; it must succeed."""
    command = ["-c", NORMAL] if normal else ["-m", "tymdocs"]
    env = {**os.environ, "COLUMNS": columns} if columns else os.environ.copy()
    if not columns:
        env.pop("COLUMNS", None)
    done = subprocess.run(
        [sys.executable, *command, *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_help_is_what_click_prints(tmp_path: Path) -> None:
    """At any width: from :data:`quick.HELP` where click would wrap at 78 columns, from click
    itself where the terminal is narrower."""
    clicks = _run(tmp_path, "--help", normal=True, columns="80")
    assert clicks == quick.HELP, (
        "tymdocs/quick.py's HELP differs from what click prints for tymdocs --help (cli.py "
        f"changed?): set it to\n{clicks}"
    )
    for columns in ("80", "200", "60", ""):
        for option in ("--help", "-h"):
            wanted = _run(tmp_path, option, normal=True, columns=columns)
            assert _run(tmp_path, option, columns=columns) == wanted, (columns, option)


def test_the_help_is_answered_quickly_only_at_clicks_own_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for columns, answered in (("80", True), ("132", True), ("79", False), ("0", False)):
        monkeypatch.setenv("COLUMNS", columns)
        assert (quick.quick_help(["--help"]) is not None) is answered, columns
    monkeypatch.setenv("COLUMNS", "100")
    assert quick.quick_help(["--help", "build"]) is None
    assert quick.quick_help(["build", "--help"]) is None


def test_the_manifest_has_the_name_the_writer_gives_it() -> None:
    assert quick.MANIFEST == output.MANIFEST


def _verdicts(
    root: Path, *args: str, out: Path | None = None, own_process: bool = False
) -> tuple[bool, bool]:
    """Whether the quick path, then the normal one, finds ``tymdocs -C root build args`` up
    to date; the normal one builds where it does not (a refusal counts as not up to date).
    The quick path may leave a build to the normal one, never the other way round.

    The normal path runs in this process, or in one of its own where what this process read
    before (a history, read once per process) must not count."""
    quick_says = quick.unchanged_build(["-C", str(root), "build", *args]) is not None
    if own_process:
        done = subprocess.run(
            [sys.executable, "-c", NORMAL, "-C", str(root), "build", *args],
            capture_output=True,
            text=True,
        )
        normal_says = done.returncode == 0 and " is up to date " in done.stdout
    else:
        try:
            source = open_source(root)
            target = (out or root / "build").resolve()
            normal_says = build(source, target, force="--force" in args).up_to_date
        except TymdocsError:
            normal_says = False
    assert normal_says or not quick_says, "up to date for the quick path alone"
    return quick_says, normal_says


def _edit_manifest(out: Path, change: dict[str, object]) -> None:
    path = out / "manifest.json"
    data = json.loads(path.read_bytes())
    data.update(change)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def test_up_to_date_only_where_the_normal_path_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scenario by scenario, each state built at most once by the normal path."""
    repo = make_repo(tmp_path / "agreement")
    out = repo / "build"
    assert _verdicts(repo) == (False, False)  # nothing built yet: built now
    for args in ((), ("-q",), ("--json",)):
        assert _verdicts(repo, *args) == (True, True), args
    assert quick.unchanged_build(["--verbose", "-C", str(repo), "build"]) is not None
    assert _verdicts(repo, "--force") == (False, False)

    notes = repo / "annexes" / "muistiinpanot.txt"  # no source: neither path looks at it
    notes.write_text("luonnos\n", encoding="utf-8")
    (repo / "docs_src" / "01-tarkoitus.md").touch()  # touched, not changed
    assert _verdicts(repo) == (True, True)
    notes.unlink()

    commit_time = git(repo, "log", "-1", "--format=%ct")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", commit_time)  # the same time: left to the normal path
    assert _verdicts(repo) == (False, True)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")

    shallow = repo / ".git" / "shallow"  # as git fetch --depth leaves it: history cut at HEAD
    shallow.write_text(git(repo, "rev-parse", "HEAD") + "\n", encoding="ascii")
    assert _verdicts(repo, own_process=True) == (False, False)  # refused: history cut short
    shallow.unlink()

    extra = repo / "annexes" / "liite-9-lisa.md"  # an untracked source: a draft, or refused
    extra.write_text("# Liite 9 Lisä\n\nTeksti.\n", encoding="utf-8")
    assert _verdicts(repo)[0] is False
    extra.unlink()

    text = repo / "docs_src" / "01-tarkoitus.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nLisäys.\n", encoding="utf-8")
    assert _verdicts(repo) == (False, False)  # edited, not committed: a draft
    git(repo, "commit", "-q", "-am", "Lisäys")
    assert _verdicts(repo) == (False, False)  # a new commit that changes a source
    assert _verdicts(repo) == (True, True)

    pdf = next(out.glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    assert _verdicts(repo) == (False, False)  # an output changed by hand
    assert _verdicts(repo) == (True, True)

    tool = json.loads((out / "manifest.json").read_bytes())["tool"]
    _edit_manifest(out, {"tool": {**tool, "tymdocs": "0.0.1"}})
    assert _verdicts(repo) == (False, False)  # built by another tymdocs
    assert _verdicts(repo) == (True, True)

    elsewhere = tmp_path / "elsewhere"
    assert _verdicts(repo, "-o", str(elsewhere), out=elsewhere) == (False, False)
    assert _verdicts(repo, "-o", str(elsewhere), out=elsewhere) == (True, True)
    assert _verdicts(repo, "--output", str(out), out=out) == (True, True)

    # A source committed with CRLF line ends, then git told to convert them (core.autocrlf):
    # git now reads the unchanged file as other content, and so must the quick path.
    crlf = repo / "docs_src" / "01-tarkoitus.md"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    git(repo, "commit", "-q", "-am", "CRLF")
    assert _verdicts(repo) == (False, False)
    assert _verdicts(repo) == (True, True)
    git(repo, "config", "core.autocrlf", "input")
    assert _verdicts(repo) == (False, False)  # a draft now, to both
    git(repo, "config", "--unset", "core.autocrlf")
    assert _verdicts(repo) == (False, False)  # the draft's outputs replaced by the version's

    (repo / "LUEMINUT.txt").write_text("Muistiinpanoja.\n", encoding="utf-8")
    git(repo, "add", "LUEMINUT.txt")
    git(repo, "commit", "-q", "-m", "Muistiinpanot")
    assert _verdicts(repo) == (False, True)  # a commit elsewhere: the normal path decides


def test_an_agreement_in_a_folder_and_another_ones_outputs(tmp_path: Path) -> None:
    """Two agreements in one repository, committed together: HEAD is the version commit of
    both, but one's outputs are not the other's."""
    top = tmp_path / "repo"
    first = copy_agreement(top / "a")
    second = copy_agreement(top / "b")
    text = second / "docs_src" / "01-tarkoitus.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nToinen.\n", encoding="utf-8")
    init_repo(top)
    out = tmp_path / "out"
    assert _verdicts(first, "-o", str(out), out=out) == (False, False)
    assert _verdicts(first, "-o", str(out), out=out) == (True, True)
    assert _verdicts(first) == (False, False)
    assert _verdicts(first) == (True, True)
    assert _verdicts(second, "-o", str(out), out=out) == (False, False)


def test_the_quick_answer_prints_what_the_normal_path_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "agreement")
    build(open_source(repo), repo / "build")
    elsewhere = tmp_path / "out"
    build(open_source(repo), elsewhere)
    for args in (
        ("build",),
        ("build", "-q"),
        ("build", "--json"),
        ("-C", "agreement", "build", "-o", "out"),
    ):
        cwd = tmp_path if "-C" in args else repo
        monkeypatch.chdir(cwd)
        assert quick.unchanged_build(list(args)) is not None, args
        assert _run(cwd, *args) == _run(cwd, *args, normal=True), args


def test_git_is_asked_as_subprocess_would_ask_it(tmp_path: Path) -> None:
    """The quick path's own process calls (``posix_spawnp`` and pipes): git's answer to the
    lines given, in the folder named; None where git fails, and where the input is longer
    than a pipe surely holds (then the normal path decides, never a half-read answer)."""
    repo = make_repo(tmp_path / "agreement")
    paths = [str(repo / "tymdocs.yaml"), str(repo / "docs_src" / "01-tarkoitus.md")]
    wanted = subprocess.run(
        ["git", "hash-object", "--stdin-paths"],
        cwd=repo,
        input="".join(f"{p}\n" for p in paths).encode(),
        capture_output=True,
        check=True,
    ).stdout
    assert quick._git(str(repo), ["hash-object", "--stdin-paths"], paths) == wanted
    assert quick._git(str(repo), ["cat-file", "--batch"], ["HEAD"]).startswith(  # type: ignore[union-attr]
        git(repo, "rev-parse", "HEAD").encode()
    )
    assert quick._git(str(tmp_path), ["cat-file", "--batch"], ["HEAD"]) is None  # no repository
    assert quick._git(str(repo), ["no-such-command"], []) is None
    many = [paths[0]] * (2**21 // len(paths[0]))  # 2 MiB: more than any pipe holds at once
    assert quick._git(str(repo), ["hash-object", "--stdin-paths"], many) is None


def test_the_manifest_time_is_what_datetime_writes() -> None:
    """The manifest's ``timestamp`` without datetime: ``isoformat()`` of the UTC time, at the
    epoch, before it, at the ends of days and years, and at 2038."""
    import datetime as dt

    for seconds in (0, -1, 1, 59, 86_399, 86_400, 951_782_400, 1_746_003_600, 2**31, 4_102_444_800):
        wanted = dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()
        assert quick._utc_iso(seconds) == wanted, seconds


TEARDOWN = (
    "import os\n"
    "class Torn:\n"
    "    def __del__(self, write=os.write):\n"
    "        write(2, b'torn down')\n"
    "torn = Torn()\n"
)
"""An object that says so when the interpreter's teardown deletes it: not at an early end."""


def _entered(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    """``script`` then ``tymdocs --version`` through the process entry, as the ``tymdocs``
    script starts it, in a process of its own whose output is buffered as on any machine."""
    entry = "sys.argv = ['tymdocs', '--version']\nfrom tymdocs.quick import run\nrun()\n"
    probe = f"import sys\n{TEARDOWN}{script}\n{entry}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "PYTHONINSPECT")}
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_the_process_ends_early_with_nothing_left_to_do(tmp_path: Path) -> None:
    """``quick.run`` ends the process without the interpreter's teardown, but what that would
    still do is done: the functions registered with atexit run, every byte is written, and
    the exit code is the command's."""
    registered = _entered(tmp_path, "import atexit\natexit.register(print, 'atexit ran')")
    assert registered.returncode == 0, registered.stderr
    assert registered.stdout.splitlines() == [f"tymdocs, version {quick.__version__}", "atexit ran"]
    assert "torn down" not in registered.stderr  # the early end
    site = tmp_path / "site"  # the same object, made at start-up, for python -m tymdocs
    site.mkdir()
    (site / "sitecustomize.py").write_text(TEARDOWN, encoding="utf-8")
    started = subprocess.run(
        [sys.executable, "-m", "tymdocs", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout == f"tymdocs, version {quick.__version__}\n"
    assert "torn down" not in started.stderr
    for args, code in ((["log", "--no-such-option"], 2), (["-C", str(tmp_path), "check"], 2)):
        done = subprocess.run(
            [sys.executable, "-m", "tymdocs", *args], cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == code, (args, done.stderr)
        assert done.stderr.strip().startswith(("Usage:", "Error:")), done.stderr


def test_the_process_ends_as_python_ends_it_where_more_may_follow(tmp_path: Path) -> None:
    """A thread still running, a worker process's module, an interactive prompt to follow:
    the interpreter's own end, teardown and all."""
    threaded = _entered(
        tmp_path,
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()",
    )
    assert "thread done" in threaded.stdout.splitlines()
    working = _entered(tmp_path, "import multiprocessing")
    inspected = subprocess.run(
        [sys.executable, "-i", "-m", "tymdocs", "--version"],
        cwd=tmp_path,
        input="print('prompt reached')\n",
        capture_output=True,
        text=True,
    )
    for done in (threaded, working):
        assert done.returncode == 0, done.stderr
        assert "torn down" in done.stderr
    assert "prompt reached" in inspected.stdout


def test_a_program_that_runs_tymdocs_inside_itself_goes_on(tmp_path: Path) -> None:
    """Run in-process (runpy, as IPython's ``%run -m`` and debuggers do), ``tymdocs`` raises
    SystemExit to its host as every command line program does, instead of ending it, and
    leaves the garbage collector as the host had it (tymdocs runs without it)."""
    for collecting in (True, False):
        host = (
            "import gc, runpy, sys\n"
            f"{'gc.enable()' if collecting else 'gc.disable()'}\n"
            "sys.argv = ['tymdocs', '--version']\n"
            "try:\n"
            "    runpy.run_module('tymdocs', run_name='__main__')\n"
            "except SystemExit as exc:\n"
            "    print('host goes on after', exc.code, 'collecting', gc.isenabled())\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", host], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == f"host goes on after 0 collecting {collecting}"


def test_a_profiled_run_ends_as_the_profiler_expects(tmp_path: Path) -> None:
    """A tool that watches the process and writes after the program (cProfile here; coverage
    and debuggers alike) gets the interpreter's own end: its findings are written."""
    written = tmp_path / "tymdocs.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(written), "-m", "tymdocs", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"tymdocs, version {quick.__version__}"
    assert written.stat().st_size > 0


# -- a plain build without click ------------------------------------------------------------------


def _ran(cwd: Path, *args: str, normal: bool = False) -> tuple[int, str, str]:
    """``tymdocs args`` in a process of its own, through the real entry (where a plain build
    runs without click) or through the normal path alone: exit code, output and errors."""
    command = ["-c", NORMAL] if normal else ["-m", "tymdocs"]
    done = subprocess.run(
        [sys.executable, *command, *args], cwd=cwd, capture_output=True, text=True
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("build", "--force"),
        ("build", "-q", "--force", "--no-packages"),
        ("--verbose", "build", "--json", "--force", "--packages"),
        ("build", "--force", "--output=elsewhere"),
        ("-C", "agreement", "build", "-o", "agreement/dist", "--force"),
        ("build", "-o", "docs_src/out"),  # refused: the normal path says why
        ("-C", "missing", "build"),  # refused likewise
    ],
)
def test_a_plain_build_without_click_does_what_the_normal_path_does(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """The same words (the seed's warnings among them), exit code and files, built or
    refused, whichever path runs it."""
    repo = make_repo(tmp_path / "agreement")
    cwd = tmp_path if args[:1] == ("-C",) else repo
    before = tree_digest(tmp_path)
    quick_run = _ran(cwd, *args)
    after_quick = tree_digest(tmp_path)
    normal_run = _ran(cwd, *args, normal=True)
    assert quick_run == normal_run
    assert tree_digest(tmp_path) == after_quick
    assert (after_quick != before) == (quick_run[0] == 0)
    if quick_run[0] == 0 and not {"-q", "--json"} & set(args):
        assert "warning:" in quick_run[2] and "built " in quick_run[1]


def test_a_plain_build_fails_and_drafts_as_the_normal_path_does(tmp_path: Path) -> None:
    """Sources that do not parse, sources outside git and uncommitted changes (a draft):
    the same through either path, each in a repository of its own."""

    def both(make: Callable[[Path], Path], *args: str) -> tuple[int, str, str]:
        ran = []
        for path, normal in (("quick", False), ("normal", True)):
            root = make(tmp_path / make.__name__ / path)
            ran.append((_ran(root, *args, normal=normal), tree_digest(root / "build")))
        assert ran[0] == ran[1]
        return ran[0][0]

    def broken(root: Path) -> Path:
        make_repo(root)
        (root / "tymdocs.yaml").write_text("parties: [\n", encoding="utf-8")
        return root

    def draft(root: Path) -> Path:
        make_repo(root)
        edit(root, "docs_src/01-tarkoitus.md", "\n\n", "\n\nLuonnos.\n\n")
        return root

    code, _, err = both(broken, "build")
    assert code == 1 and "tymdocs.yaml:" in err
    code, out, _ = both(copy_agreement, "build")
    assert code == 0 and "built " in out
    code, out, _ = both(draft, "build", "--json")
    assert code == 0 and json.loads(out)["source"]["dirty"] is True


def test_folders_click_refuses_or_strips_are_left_to_it(tmp_path: Path) -> None:
    """What click's option type refuses (an output folder that is a file), a link that loops,
    and an escape sequence in a folder's name (which click strips from what it prints where
    the output is no terminal): the same words and exit code through either path."""
    repo = make_repo(tmp_path / "agreement")
    (repo / "a-file").write_text("x\n", encoding="utf-8")
    (repo / "loop").symlink_to("loop")
    coloured = tmp_path / "\x1b[31mred"
    coloured.mkdir()
    (tmp_path / "plain").symlink_to(coloured)
    for cwd, args in (
        (repo, ("build", "-o", "a-file")),
        (repo, ("build", "-o", "out", "-o", "a-file")),
        (repo, ("build", "-o", "loop/x")),
        (repo, ("build", "-q", "-o", str(tmp_path / "plain" / "out"))),
        (repo, ("build", "-o", str(tmp_path / "plain" / "out"))),
    ):
        quick_run, normal_run = _ran(cwd, *args), _ran(cwd, *args, normal=True)
        assert quick_run == normal_run, args
        assert "\x1b" not in quick_run[1] + quick_run[2]
