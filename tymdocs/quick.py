"""The ``tymdocs`` command's entry: what it can answer before the rest of tymdocs loads.

``tymdocs --help`` and a ``tymdocs build`` that finds nothing changed are answered here, with
little more than a bare interpreter has loaded; a ``tymdocs build`` with a plain command line
runs here without click (:func:`plain_build`, in :mod:`tymdocs.console`'s words and rules,
which the normal path prints too). Every other command, and these wherever anything is in
doubt, go to :func:`tymdocs.cli.main`, which stays the authority. A coordinator who builds
after every edit starts the command often: a start that loads click, YAML and the model costs
several times what deciding "nothing changed" does, and click with every command's
definition is 10 ms of a build.

A build is answered here only where the normal path would find its outputs up to date too,
decided from the manifest, one ``git cat-file --batch`` (HEAD, its trees and blob ids) and
one ``git hash-object`` (the sources' blob ids as they are on disk):

- plain ``build`` arguments (``-C``, ``--verbose``, ``-o``, ``-q``, ``--json``), no
  SOURCE_DATE_EPOCH, an output folder ``cli`` surely accepts;
- the manifest's version commit is HEAD, and the agreement it names by its folder is this one;
- every source on disk has HEAD's blob id, and no other source is there (what ``dirty``
  compares), no source is a link and every name is plain ASCII;
- the history is whole (no ``shallow`` file), as the normal path requires;
- the identity and outputs match by :func:`matches`, the rule the normal path uses.

What the manifest says of its commit (the fingerprint, label, draft) is taken as written: the
normal path derives it from the commit alone. The blob ids on disk are git's, through the
filters and line-end conversion in force (``.gitattributes``, ``core.autocrlf``), as the normal
path hashes them. Otherwise (a commit elsewhere moved HEAD past the version commit, say) the
normal path decides.

The two git processes are started here, not in :mod:`tymdocs.git`, the door to git for the
rest of tymdocs: that module loads tempfile, shutil and dataclasses, more than this whole
decision costs. They run with the environment :mod:`tymdocs.git` gives every git process, so
that replace refs and grafts cannot change what a commit holds (its ``-c`` settings concern
what ``git log`` prints, which neither reads).
"""

from __future__ import annotations

import gc
import os
import sys

from tymdocs import __version__
from tymdocs.paths import ANNEX_DIR, CONFIG_FILE, RECORDS_DIR, TEXT_DIR, is_source_path

TYPE_CHECKING = False  # mypy reads it as true; importing typing would cost 2 ms at start
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from tymdocs.build import Selection

MANIFEST = "manifest.json"
"""The manifest's name in an output folder (:data:`tymdocs.output.MANIFEST`)."""
MANIFEST_VERSION = 1
RENDERERS = ("typst",)
"""The renderers whose versions the manifest records; the DOCX is written by tymdocs itself."""

GIT_ENVIRONMENT = {
    "GIT_OPTIONAL_LOCKS": "0",  # reading never writes: no index refresh behind the user's back
    "GIT_NO_REPLACE_OBJECTS": "1",  # the history as committed: replace refs cannot rewrite it
    "GIT_GRAFT_FILE": os.devnull,  # nor can .git/info/grafts hide a commit
}
"""What every git process tymdocs starts runs with, here and in :mod:`tymdocs.git`."""

HELP = """\
Usage: tymdocs [OPTIONS] COMMAND [ARGS]...

  Keep a TYM cooperation agreement as versioned sources and build its
  documents.

  Example:
      tymdocs check
      tymdocs build

Options:
  -C DIRECTORY  Run as if started in DIRECTORY (the agreement repository).
  --verbose     Show tracebacks of unexpected errors.
  --version     Show the version and exit.
  -h, --help    Show this message and exit.

Commands:
  adopt    Record the agreement as adopted and signed: version 1, in...
  amend    Record a written amendment of the main text, then the...
  approve  Record a decision over the current changes to the annexes, as...
  build    Build the agreement DOCX and PDF/A, a signature package per...
  check    Validate the agreement and report every problem as path:line.
  diff     What changed from version A to version B, for legal reviewers:...
  init     Start another area's agreement in FOLDER (new or empty):...
  log      The register: every version, decision, review, notice,...
  notice   Record an organisation's notice: a change of its own rows of...
  site     A static site of the agreement for reviewers and the public:...
  status   What waits: changes not yet recorded and the record each...
  upgrade  Rewrite tymdocs.yaml in the current format (format: 2), in place.
  verify   Verify signed signature packages: untouched, signed by the...
"""
"""What click prints for ``tymdocs --help`` on a terminal 80 columns wide or wider (it wraps
at 78): tests/test_quick.py fails when ``cli.py`` says otherwise, with the text to put here."""


def main(argv: list[str] | None = None) -> NoReturn:
    """Run ``tymdocs``: answered here where that is certain, else by :func:`tymdocs.cli.main`."""
    args = sys.argv[1:] if argv is None else list(argv)
    text = quick_help(args)
    if text is None:
        text = unchanged_build(args)
    if text is not None and _writable(text):
        sys.stdout.write(text)
        sys.exit(0)
    plain_build(args)
    from tymdocs.cli import main as run

    run(args)


def run() -> NoReturn:
    """The process's entry (the ``tymdocs`` script, ``python -m tymdocs``): :func:`main`, then
    the end of the process without the interpreter's teardown of every module and object,
    which costs a build 10 ms after its last byte is written.

    Python's cyclic garbage collector is off while the command runs: what tymdocs makes is
    freed by reference counting as it goes, and the collector only walked the loaded modules
    and the model again and again (a seed build 10 ms of 60 passes; a full build of 5,000
    paragraphs 0.37 s of 850 passes that found 58 objects to free). Peak memory is the same
    for the large build, ``log``, ``diff`` and ``verify``, 2 % more for ``site`` over 900
    versions. Where more follows the command, the collector is on again as it was.

    What the interpreter would still do at its end is done first: the functions registered
    with :mod:`atexit` run (a temporary folder's finaliser, say), and standard output and
    error are flushed. The interpreter ends the process as it always does wherever more may
    follow the command (:func:`_more_to_do`), or flushing fails (a closed pipe).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        if collecting:
            gc.enable()
        raise
    if _more_to_do() or not isinstance(code, int | None):
        if collecting:  # the program that ran tymdocs goes on as it was
            gc.enable()
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # as the interpreter would report it
        sys.exit(code)
    os._exit(code or 0)


_STARTS = (("<module>",), ("<module>", "_run_code", "_run_module_as_main"))
"""The calls below :func:`run` where the interpreter started tymdocs itself: the ``tymdocs``
script's module, or ``python -m tymdocs`` (runpy's function for ``-m`` alone)."""


def _more_to_do() -> bool:
    """Whether anything may still run after the command, which the early end would cut off: a
    program that ran tymdocs inside itself (runpy.run_module, IPython's ``%run``, pdb, coverage
    and cProfile's runners), an interactive prompt to follow (``python -i``), a thread or a
    worker process, or a tool that watches the process and reports after it."""
    calls = []
    frame: Any = sys._getframe(2)  # the caller of run()
    while frame is not None:
        calls.append(frame.f_code.co_name)
        frame = frame.f_back
    threading = sys.modules.get("threading")
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+: coverage's and pdb's hooks
    return (
        tuple(calls) not in _STARTS
        or bool(sys.flags.inspect or os.environ.get("PYTHONINSPECT"))
        or (threading is not None and threading.active_count() > 1)
        or "multiprocessing" in sys.modules
        or sys.gettrace() is not None
        or sys.getprofile() is not None
        or (monitoring is not None and any(monitoring.get_tool(i) for i in range(6)))
    )


def quick_help(args: list[str]) -> str | None:
    """:data:`HELP` for ``--help`` alone, where click would wrap it at 78 columns too."""
    return HELP if args in (["--help"], ["-h"]) and _columns() >= 80 else None


def _columns() -> int:
    """The terminal's width as click reads it (``shutil.get_terminal_size``), without loading
    shutil; 0 where the environment says something this does not read as shutil would."""
    value = os.environ.get("COLUMNS")
    if value is not None:
        return int(value) if value.isascii() and value.isdigit() else 0
    try:
        columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80
    return columns or 80


def _writable(text: str) -> bool:
    """Whether ``text`` goes to standard output as ``click.echo`` would write it: UTF-8, and
    nothing click would strip (it drops escape sequences when the output is no terminal)."""
    if not _utf8(sys.stdout) or "\x1b" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _utf8(stream: object) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


# -- a build with nothing changed -----------------------------------------------------------------


def unchanged_build(args: list[str]) -> str | None:
    """What ``tymdocs build`` prints for ``args`` when its outputs are already those of the
    sources, tool and renderers at hand; None where the normal path must decide."""
    options = _build_options(args)
    if options is None or options.force or options.selection != "all":
        return None  # the normal path builds, or decides for the packages alone
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return None
    try:
        found = _unchanged(options.directory, options.output)
    except Exception:  # anything unexpected: the normal path decides, and reports it
        return None
    if found is None:
        return None
    manifest, out = found
    if options.as_json:
        import json

        return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    if options.quiet:
        return ""
    return f"{os.path.relpath(out)} is up to date ({manifest.get('version')})\n"


class _Build:
    """A plain ``build`` command line as click reads it: ``-C`` and ``--verbose``, then
    ``-o``, ``-q``, ``--json``, ``--force`` and ``--packages`` or ``--no-packages``."""

    def __init__(self) -> None:
        self.directory = "."
        self.verbose = self.quiet = self.as_json = self.force = False
        self.output: str | None = None
        self.selection: Selection = "all"


def _build_options(args: list[str]) -> _Build | None:
    """``args`` read as a plain ``build`` command line; None for anything else (another
    command, option or spelling): the normal path reads those."""
    options = _Build()
    rest = iter(args)
    for arg in rest:
        if arg == "build":
            break
        if arg == "-C" and _value(directory := next(rest, "")):
            options.directory = directory
        elif arg == "--verbose":
            options.verbose = True
        else:
            return None
    else:
        return None
    for arg in rest:
        if arg in ("-q", "--quiet"):
            options.quiet = True
        elif arg == "--json":
            options.as_json = True
        elif arg == "--force":
            options.force = True
        elif arg in ("--packages", "--no-packages"):
            options.selection = "packages" if arg == "--packages" else "agreement"
        elif arg in ("-o", "--output") and _value(output := next(rest, "")):
            options.output = output
        elif arg.startswith("--output=") and _value(arg.removeprefix("--output=")):
            options.output = arg.removeprefix("--output=")
        else:
            return None
    return options


def plain_build(args: list[str]) -> None:
    """Run ``tymdocs build`` without click where its command line is plain (as
    :func:`_build_options` reads it), its ``-C`` and ``-o`` folders as click's option types
    take them, the output folder allowed, and both standard streams UTF-8: what the normal path
    does for it, in the same words and by the same rules (:mod:`tymdocs.console`), and the
    process ends. Returns where the normal path must run instead (and say what is wrong)."""
    options = _build_options(args)
    if options is None or not (_utf8(sys.stdout) and _utf8(sys.stderr)):
        return
    folders = (options.directory, *([options.output] if options.output else []))
    if not os.path.isdir(options.directory) or not all(map(_click_folder, folders)):
        return
    import warnings
    from pathlib import Path

    from tymdocs import console

    settings = console.Settings(Path(options.directory).resolve(), options.verbose)
    output = Path(options.output) if options.output else settings.root / "build"
    try:
        if console.output_refusal(settings, output) is not None:
            return  # the normal path says why, as a usage error
        out = output.resolve()
    except (OSError, RuntimeError):  # a link that loops, say: the normal path reports it
        return
    try:
        with warnings.catch_warnings():  # before anything else loads, as on the normal path
            console.quiet_libraries(options.verbose)
            from tymdocs.revision import open_source

            console.build(
                settings,
                open_source(settings.root),
                out,
                options.selection,
                force=options.force,
                quiet=options.quiet,
                as_json=options.as_json,
                echo=_echo,
            )
    except Exception as exc:  # as cli.main reports it
        sys.exit(console.failed(exc, settings, _echo))
    sys.exit(0)


def _click_folder(path: str) -> bool:
    """Whether ``click.Path(file_okay=False)``, the type of ``-C`` and ``-o``, takes ``path``:
    anything that does not exist, else what is no file and can be read."""
    import stat

    try:
        found = os.stat(path)
    except OSError:
        return True
    return not stat.S_ISREG(found.st_mode) and os.access(path, os.R_OK)


def _echo(text: str, err: bool) -> None:
    """A line as ``click.echo`` writes it, where :func:`plain_build` runs: by click itself
    where the line holds an escape sequence, which click strips where the output is no
    terminal (a path or a record's words can hold one)."""
    if "\x1b" in text:
        import click

        click.echo(text, err=err)
        return
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def _value(arg: str) -> bool:
    """An option's value this module reads as click does: not empty, not option-like."""
    return bool(arg) and not arg.startswith("-")


def _unchanged(directory: str, output: str | None) -> tuple[dict[str, Any], str] | None:
    """The manifest and output folder of a build that is up to date, else None."""
    if not os.path.isdir(directory):
        return None
    root = os.path.realpath(directory)
    out = os.path.realpath(output if output is not None else os.path.join(root, "build"))
    if not _output_allowed(root, out):
        return None
    manifest = _read_json(os.path.join(out, MANIFEST))
    source = manifest.get("source") if isinstance(manifest, dict) else None
    if not isinstance(manifest, dict) or not isinstance(source, dict):
        return None
    top = _whole_repository(root)
    if top is None:
        return None
    relative = os.path.relpath(root, top).replace(os.sep, "/")
    location = "" if relative == "." else relative
    paths = _source_paths(root)
    if paths is None:
        return None
    # Both git processes at once: the sources hashed while HEAD's trees are read.
    hashing = _start(root, ["hash-object", "--stdin-paths"], [os.path.join(root, p) for p in paths])
    try:
        head = _head(root, location)
    finally:
        hashed = _finish(hashing)
    if head is None:
        return None
    commit, time, committed = head
    if _blobs(paths, hashed, len(commit)) != committed or CONFIG_FILE not in committed:
        return None
    if manifest.get("regenerate") != rebuild_command(location, commit, "all"):
        return None  # the manifest of another agreement, or of an older layout
    # The manifest's own word for what its commit gives: the normal path derives it from the
    # commit alone, and the commit is HEAD.
    if not {"fingerprint", "draft", "version"} <= source.keys():
        return None
    fingerprint, draft, label = source["fingerprint"], source["draft"], source["version"]
    current = manifest_identity(commit, False, draft, fingerprint, time, label, "all")
    return (manifest, out) if matches(manifest, current, out) else None


def _output_allowed(root: str, out: str) -> bool:
    """Whether ``cli``'s check surely lets a build write into ``out`` (never into the sources,
    the register or a git folder): narrower than that check, never wider. The agreement's
    ``build/``, or a folder outside the agreement, with none of its folders a link."""
    if ".git" in out.split(os.sep):
        return False
    if any(os.path.islink(os.path.join(root, name)) for name in (TEXT_DIR, ANNEX_DIR, RECORDS_DIR)):
        return False
    inside = out == root or out.startswith(root.rstrip(os.sep) + os.sep)
    return not inside or out == os.path.join(root, "build")


def _read_json(path: str) -> object:
    import json

    with open(path, "rb") as file:
        return json.loads(file.read())


def _whole_repository(root: str) -> str | None:
    """The top folder of the repository ``root`` lies in, found as git finds it, where its
    history is whole; None where it is shallow (the normal path refuses it) or unsure."""
    if any(os.environ.get(name) for name in ("GIT_DIR", "GIT_COMMON_DIR", "GIT_WORK_TREE")):
        return None
    folder = root
    while not os.path.lexists(dotgit := os.path.join(folder, ".git")):
        if os.environ.get("GIT_CEILING_DIRECTORIES") or os.path.dirname(folder) == folder:
            return None
        folder = os.path.dirname(folder)
    if os.path.isfile(dotgit):  # a worktree's or submodule's: "gitdir: <its git folder>"
        with open(dotgit, encoding="utf-8") as file:
            named = file.read().removeprefix("gitdir:").strip()
        gitdir = os.path.join(folder, named)
        common = os.path.join(gitdir, "commondir")
        if os.path.isfile(common):
            with open(common, encoding="utf-8") as file:
                gitdir = os.path.join(gitdir, file.read().strip())
    else:
        gitdir = dotgit
    if not os.path.isfile(os.path.join(gitdir, "HEAD")):
        return None
    return None if os.path.lexists(os.path.join(gitdir, "shallow")) else folder


def _head(root: str, location: str) -> tuple[str, int, dict[str, str]] | None:
    """HEAD's commit, its committer time and the blob id of every source it holds, in one git
    process; None where HEAD's folder for ``location`` is not ``root``'s or anything is
    missing."""
    if "\n" in location:
        return None
    names = ("HEAD", "HEAD:./", f"HEAD:{location}", f"HEAD:./{TEXT_DIR}", f"HEAD:./{ANNEX_DIR}")
    output = _git(root, ["cat-file", "--batch"], list(names))
    if output is None:
        return None
    head, here, there, text, annexes = _objects(output, len(names))
    if head is None or head[1] != "commit" or here is None or here[1] != "tree" or here != there:
        return None
    commit, width = head[0], len(head[0]) // 2
    blobs: dict[str, str] = {}
    for folder, tree in (("", here), (TEXT_DIR, text), (ANNEX_DIR, annexes)):
        if tree is None or tree[1] != "tree":
            continue  # no such folder: no sources in it
        for mode, name, blob in _entries(tree[2], width):
            path = f"{folder}/{name}" if folder else name
            if not is_source_path(path):
                continue
            if mode == b"120000":
                return None  # a committed link: the normal path refuses it
            if mode in (b"100644", b"100755"):
                blobs[path] = blob
    return commit, _committer_time(head[2]), blobs


def _objects(output: bytes, count: int) -> list[tuple[str, str, bytes] | None]:
    """``git cat-file --batch``'s answer: (id, type, content) per name asked, None for one
    that names nothing."""
    found: list[tuple[str, str, bytes] | None] = []
    offset = 0
    for _ in range(count):
        end = output.index(b"\n", offset)
        header = output[offset:end].split(b" ")
        if len(header) == 3 and header[1] in (b"commit", b"tree", b"blob", b"tag"):
            start = end + 1
            stop = start + int(header[2])
            found.append((header[0].decode("ascii"), header[1].decode(), output[start:stop]))
            offset = stop + 1
        else:  # "<name> missing", "<name> ambiguous"
            found.append(None)
            offset = end + 1
    return found


def _entries(tree: bytes, width: int) -> list[tuple[bytes, str, str]]:
    """A tree object's entries: (mode, name, object id)."""
    entries = []
    offset = 0
    while offset < len(tree):
        space = tree.index(b" ", offset)
        nul = tree.index(b"\0", space)
        name = tree[space + 1 : nul].decode("utf-8", "surrogateescape")
        entries.append((tree[offset:space], name, tree[nul + 1 : nul + 1 + width].hex()))
        offset = nul + 1 + width
    return entries


def _committer_time(commit: bytes) -> int:
    """The committer's time of a commit object, as ``git log --format=%ct`` gives it."""
    for line in commit.split(b"\n"):
        if not line:
            break
        if line.startswith(b"committer "):
            return int(line[line.rindex(b">") + 1 :].split()[0])
    raise ValueError("a commit without a committer")


def _source_paths(root: str) -> list[str] | None:
    """Every source in the working tree, listed as ``WorkTree`` lists them; None where it
    would refuse one (a link, a name a listing cannot show) or might."""
    if any(os.path.islink(os.path.join(root, name)) for name in (CONFIG_FILE, TEXT_DIR, ANNEX_DIR)):
        return None
    paths = [CONFIG_FILE] if os.path.isfile(os.path.join(root, CONFIG_FILE)) else []
    for folder in (TEXT_DIR, ANNEX_DIR):
        if not os.path.isdir(os.path.join(root, folder)):
            continue
        with os.scandir(os.path.join(root, folder)) as entries:
            for entry in entries:
                path = f"{folder}/{entry.name}"
                if not is_source_path(path):
                    continue
                if entry.is_symlink():
                    return None
                if entry.is_file():
                    paths.append(path)
    if not all(path.isascii() and path.isprintable() for path in paths):
        return None
    return paths


def _blobs(paths: list[str], hashed: bytes | None, hex_length: int) -> dict[str, str] | None:
    """The blob id of each of ``paths`` from ``git hash-object``'s answer, None where it gave
    none for one. Hashed by git, as ``sources.changed_sources`` hashes them: through the
    filters and line-end conversion (.gitattributes, core.autocrlf) that git would apply on
    adding the file."""
    ids = [] if hashed is None else hashed.decode("ascii", "replace").split()
    if len(ids) != len(paths) or any(len(blob) != hex_length for blob in ids):
        return None
    return dict(zip(paths, ids, strict=True))


def _start(root: str, command: list[str], lines: list[str]) -> tuple[int, int] | None:
    """``git command`` in ``root`` started on ``lines`` as its input, for :func:`_finish` to
    read: its process id and the pipe it answers through. None where the pipe does not take
    the whole input at once (a larger input than it holds): the normal path decides then,
    never a git that waits for the rest while this waits for its answer.

    Spawned with the os module's own calls, not through subprocess, whose import costs more
    than this whole decision (4 ms, against 1 ms for each git process)."""
    if not hasattr(os, "posix_spawnp"):
        return None
    data = "".join(f"{line}\n" for line in lines).encode()
    read_in, write_in = os.pipe()
    read_out, write_out = os.pipe()
    actions = [
        (os.POSIX_SPAWN_DUP2, read_in, 0),
        (os.POSIX_SPAWN_DUP2, write_out, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    try:
        command = ["git", "-C", root, *command]
        pid = os.posix_spawnp(
            "git", command, {**os.environ, **GIT_ENVIRONMENT}, file_actions=actions
        )
    except BaseException:
        os.close(write_in)
        os.close(read_out)
        raise
    finally:
        os.close(read_in)
        os.close(write_out)
    try:
        os.set_blocking(write_in, False)
        given = os.write(write_in, data) == len(data)
    except OSError:  # full (BlockingIOError), or git has ended already (BrokenPipeError)
        given = False
    finally:
        os.close(write_in)
    if not given:
        _finish((pid, read_out))
        return None
    return pid, read_out


def _finish(started: tuple[int, int] | None) -> bytes | None:
    """What a process of :func:`_start` printed, None where it failed (or never started)."""
    if started is None:
        return None
    pid, read_out = started
    with open(read_out, "rb") as answer:
        output = answer.read()
    _, status = os.waitpid(pid, 0)
    return output if os.waitstatus_to_exitcode(status) == 0 else None


def _git(root: str, command: list[str], lines: list[str]) -> bytes | None:
    """What ``git command`` prints for ``lines`` on its input, None where it fails."""
    return _finish(_start(root, command, lines))


# -- what a manifest must say: one rule for both paths ----------------------------------------


def manifest_identity(
    commit: str | None,
    dirty: bool,
    draft: bool,
    fingerprint: str,
    timestamp: int,
    label: str,
    selection: str,
) -> dict[str, Any]:
    """What decides the bytes of a build: the sources, their version, this tool and its
    renderers."""
    return {
        "manifest_version": MANIFEST_VERSION,
        "source": {
            "commit": commit,
            "dirty": dirty,
            "draft": draft,
            "fingerprint": fingerprint,
            "timestamp": _utc_iso(timestamp),
            "version": label,
        },
        "tool": tool_versions(),
        "selection": selection,
    }


def _utc_iso(seconds: int) -> str:
    """``seconds`` since the epoch as ``datetime.fromtimestamp(seconds, UTC).isoformat()``
    writes it (``2025-04-30T09:00:00+00:00``), without loading datetime (1 ms)."""
    import time

    t = time.gmtime(seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
        f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}+00:00"
    )


def matches(
    manifest: dict[str, Any], identity: dict[str, Any], out: str | os.PathLike[str]
) -> bool:
    """Whether ``out`` already holds exactly what a build of ``identity`` would write."""
    import hashlib

    if any(manifest.get(key) != value for key, value in identity.items()):
        return False
    if identity["source"]["dirty"]:
        return False  # a draft's look depends on more than its fingerprint: always rebuild
    for entry in manifest.get("outputs", []):
        try:
            with open(os.path.join(out, entry["path"]), "rb") as file:
                data = file.read()
        except (OSError, KeyError, TypeError, ValueError):
            return False
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            return False
    return True


def rebuild_command(location: str, commit: str, selection: str) -> str:
    """A clean build's ``regenerate``: the command, run at the repository's top, that builds
    ``commit`` of the agreement in the folder ``location`` again."""
    option = {"all": "", "agreement": " --no-packages", "packages": " --packages"}[selection]
    return f"tymdocs{in_folder(location)} build --ref {commit}{option}"


def in_folder(location: str) -> str:
    """``-C`` and the agreement's folder for a command run at the repository's top; nothing
    for an agreement at the top."""
    if not location:
        return ""
    import shlex

    return f" -C {shlex.quote(location)}"


def tool_versions() -> dict[str, str]:
    """This tymdocs and the renderers that decide the bytes of its outputs, by version: what
    a manifest records as its ``tool``."""
    return {"tymdocs": __version__, **installed_versions(RENDERERS)}


def installed_versions(names: tuple[str, ...]) -> dict[str, str]:
    """The installed version of each distribution in ``names``.

    Read from the names of the ``<name>-<version>.dist-info`` folders on ``sys.path``, the
    first found winning as in ``importlib.metadata``, which alone takes longer to import than
    the rest of a rebuild that finds nothing changed; a distribution installed otherwise is
    looked up through it.
    """
    wanted = {_distribution_key(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for item in listing:
            if item.endswith(".dist-info"):
                name, _, number = item.removesuffix(".dist-info").partition("-")
                if (key := _distribution_key(name)) in wanted:
                    found.setdefault(wanted[key], number)
    if any(name not in found for name in names):
        from importlib.metadata import version

        found |= {name: version(name) for name in names if name not in found}
    return {name: found[name] for name in names}


def _distribution_key(name: str) -> str:
    """A distribution's name as PEP 503 compares them: ``python_docx`` is ``python-docx``."""
    import re

    return re.sub(r"[-_.]+", "-", name).lower()
