"""Many agreements at once (``build --all ROOT``, ``check --all``, ``status --all``).

A coordinator of several employment areas keeps an agreement repository per area. This
module finds every agreement under a folder, does one command's work on each in a process of
its own (all cores busy; one that fails stops nothing), and gathers what each result says into
an overview: plain data, written as JSON and HTML by :mod:`tymdocs.render.overview`.

Each agreement's work is what the single command does in that folder: the same library
calls, the same ``build/``, so the bytes are those a single ``tymdocs build`` writes. What
goes back from a worker is plain data (dicts, strings, numbers), never an object of the model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import multiprocessing.context
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, assert_never

from tymdocs import __version__
from tymdocs.errors import Problem, TymdocsError, UsageError
from tymdocs.locale import format_date
from tymdocs.paths import CONFIG_FILE

if TYPE_CHECKING:
    from tymdocs.build import Selection

Command = Literal["build", "check", "status"]

SKIPPED = frozenset({"build", ".git", ".venv", "node_modules"})
"""Folders never searched for agreements: outputs, git's own, environments, packages."""

OVERVIEW_DIR = Path("build") / "overview"
"""Where the overview goes under ROOT by default: under ``build/``, which agreement
repositories ignore and the search skips, so writing it changes no repository's sources."""

OVERVIEW_VERSION = 1
"""The layout of ``overview.json``; raised when a key changes meaning or goes away."""


@dataclass(frozen=True)
class Search:
    """What :func:`find_agreements` found under ROOT."""

    agreements: tuple[Path, ...]
    """Every folder that holds a ``tymdocs.yaml``, sorted."""
    passed: tuple[tuple[Path, str], ...] = ()
    """Folders that may hold an agreement and were not searched, each with why: one this
    user may not read, a link to an agreement's folder."""


def find_agreements(root: Path) -> Search:
    """Every folder under ``root`` (itself included) that holds a ``tymdocs.yaml``.

    An agreement's own subfolders are not searched, nor are :data:`SKIPPED` folders, hidden
    folders and links to folders (a link could lead in a circle or out of ``root``); a folder
    that cannot be read and a link to an agreement are named in :attr:`Search.passed`."""
    found: list[Path] = []
    passed: list[tuple[Path, str]] = []

    def walk(folder: Path) -> None:
        try:
            if (folder / CONFIG_FILE).is_file():
                found.append(folder)
                return
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            passed.append((folder, f"cannot be read: {exc.strerror or exc}"))
            return
        for entry in entries:
            if entry.name in SKIPPED or entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    walk(Path(entry.path))
                elif entry.is_symlink() and (Path(entry.path) / CONFIG_FILE).is_file():
                    passed.append((Path(entry.path), "a link: not followed"))
            except OSError as exc:
                passed.append((Path(entry.path), f"cannot be read: {exc.strerror or exc}"))

    walk(root)
    return Search(tuple(found), tuple(passed))


OVERVIEW_FILES = ("overview.html", "overview.json")


def overview_target(out: Path, agreements: tuple[Path, ...]) -> Path:
    """Where the overview may go, checked before any work: never into a git folder, nor into
    an agreement's folder but for its ``build/`` (anywhere else it would be a stray file in
    that repository), nor over files tymdocs did not write there as an overview."""
    from tymdocs.output import MANIFEST, check_replaceable

    resolved = out.resolve()
    if ".git" in resolved.parts:
        raise UsageError(f"--overview {out}: outputs never go into a git folder")
    for agreement in agreements:
        folder = agreement.resolve()
        if resolved == folder or (
            folder in resolved.parents and folder / "build" not in (resolved, *resolved.parents)
        ):
            raise UsageError(
                f"--overview {out}: inside the agreement in {agreement}, only its build/ "
                "takes outputs"
            )
    check_replaceable(resolved, [*OVERVIEW_FILES, MANIFEST], "overview")
    return resolved


@dataclass(frozen=True)
class Task:
    """One agreement's work, as plain data a worker process receives."""

    command: Command
    root: str
    """The agreement's folder, absolute."""
    shown: str
    """The agreement's folder as the overview names it: relative to ROOT, with ``/``."""
    today: dt.date | None = None
    force: bool = False
    selection: Selection = "all"
    strict: bool = False
    verbose: bool = False
    threads: bool = False
    """A second thread for Typst: only where no other agreement is being built meanwhile."""


def tasks(command: Command, root: Path, agreements: tuple[Path, ...], **options: Any) -> list[Task]:
    """A task per agreement, named by its folder relative to ``root``."""
    alone = len(agreements) == 1 or workers() == 1
    return [
        Task(command, str(found), _relative(found, root), threads=alone, **options)
        for found in agreements
    ]


def _relative(folder: Path, root: Path) -> str:
    shown = folder.relative_to(root).as_posix()
    return "." if shown in ("", ".") else shown


def work(task: Task) -> dict[str, Any]:
    """Do ``task`` on its agreement; what happened, as plain data. Runs in a worker process:
    every error becomes the result's ``error``, so that one agreement never stops the rest."""
    root = Path(task.root)
    result = _result(task)
    try:
        result |= _identity(root)
        result["placeholders"] = _placeholders(root)
        match task.command:
            case "build":
                result["result"] = _build(root, task)
                result["ok"] = True
            case "check":
                problems = _check(root)
                result["result"] = {
                    "errors": sum(1 for p in problems if p.severity == "error"),
                    "warnings": sum(1 for p in problems if p.severity == "warning"),
                    "problems": [p.as_dict() for p in problems],
                }
                failing = [
                    p
                    for p in problems
                    if p.severity == "error" or (task.strict and p.severity == "warning")
                ]
                result["ok"] = not failing
                if failing:
                    result["error"] = _failure(str(failing[0]), [p.as_dict() for p in failing])
            case "status":
                pass
            case _:
                assert_never(task.command)
    except TymdocsError as exc:
        result["error"] = _failure(_first(exc), [p.as_dict() for p in exc.problems])
    except Exception as exc:  # a bug in tymdocs: this agreement's, reported with the others
        detail = traceback.format_exc() if task.verbose else None
        result["error"] = _failure(f"internal error: {exc!r}", [], detail)
    try:  # where it stands, even when its build failed: what waits is still worth knowing
        result["status"] = _status(root, task.today)
        if task.command == "status":
            result["ok"] = True
    except TymdocsError as exc:
        result["status_error"] = _first(exc)
        if task.command == "status":
            result["error"] = _failure(_first(exc), [p.as_dict() for p in exc.problems])
    except Exception as exc:
        result["status_error"] = f"internal error: {exc!r}"
        if task.command == "status":
            result["error"] = _failure(result["status_error"], [])
    return result


def _identity(root: Path) -> dict[str, Any]:
    """The agreement's id, area and title as its ``tymdocs.yaml`` says, where it reads."""
    from tymdocs.revision import read_config
    from tymdocs.sources import WorkTree

    meta = read_config(WorkTree(root))
    if meta is None:
        return {}
    return {"id": meta.id, "area": meta.area, "title": meta.title}


def _placeholders(root: Path) -> int:
    """How many placeholders the working tree's sources still hold: text the area has yet
    to write, so no version of them can be recorded (:mod:`tymdocs.placeholders`)."""
    from tymdocs import placeholders
    from tymdocs.sources import WorkTree

    return len(placeholders.find(WorkTree(root)))


def _build(root: Path, task: Task) -> dict[str, Any]:
    """``tymdocs build`` in ``root``: into its own ``build/``, as the single command builds."""
    from tymdocs import build as builder
    from tymdocs.revision import open_source

    built = builder.build(
        open_source(root),
        root / "build",
        force=task.force,
        selection=task.selection,
        threads=task.threads,
    )
    outputs = built.manifest.get("outputs", [])
    pdf = next((o["path"] for o in outputs if o.get("kind") == "agreement-pdf"), None)
    return {
        "version": built.manifest.get("version"),
        "up_to_date": built.up_to_date,
        "files": len(outputs) + 1,
        "warnings": sum(1 for p in built.problems if p.severity == "warning"),
        "out": "build",
        "pdf": f"build/{pdf}" if pdf else None,
    }


def _check(root: Path) -> tuple[Problem, ...]:
    """``tymdocs check`` in ``root``: every problem of the working tree's sources."""
    from tymdocs.checks import validate
    from tymdocs.revision import source_tree

    return validate(source_tree(root)).problems


def _status(root: Path, today: dt.date | None) -> dict[str, Any]:
    """``tymdocs status --json`` in ``root``."""
    from tymdocs.governance.status import read_status

    return read_status(root, today).as_dict()


def _first(exc: TymdocsError) -> str:
    """What an error says first: its first error problem (``path:line: error: ...``), else
    its own message."""
    errors = [p for p in exc.problems if p.severity == "error"]
    return str(errors[0]) if errors else str(exc)


def _failure(
    message: str, problems: list[dict[str, Any]], detail: str | None = None
) -> dict[str, Any]:
    """A failed agreement's error: the first message, and every problem behind it."""
    return {"message": message, "problems": problems, "traceback": detail}


# -- running them all ---------------------------------------------------------------------------


def workers() -> int:
    """The processes to run: one per core this process may use."""
    counted = getattr(os, "process_cpu_count", os.cpu_count)()
    return max(1, counted or 1)


def run_all(
    jobs: list[Task], done: Callable[[dict[str, Any]], None] | None = None
) -> list[dict[str, Any]]:
    """Every task's result, in the order of ``jobs``; each on a worker process, as many at
    once as there are cores. ``done`` is told of each result as it comes back."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    results: dict[int, dict[str, Any]] = {}
    if len(jobs) == 1 or workers() == 1:  # no process to start: the work here, in turn
        for number, job in enumerate(jobs):
            results[number] = work(job)
            if done:
                done(results[number])
        return [results[n] for n in range(len(jobs))]
    pool = ProcessPoolExecutor(max_workers=min(workers(), len(jobs)), mp_context=_context())
    try:
        with _terminate_as_exit():
            futures = {pool.submit(work, job): number for number, job in enumerate(jobs)}
            for future in as_completed(futures):
                number = futures[future]
                try:
                    results[number] = future.result()
                except BrokenProcessPool as exc:  # a worker killed (out of memory, a signal)
                    results[number] = _lost(jobs[number], exc)
                if done:
                    done(results[number])
    except BaseException:  # Ctrl-C, a kill, a CI timeout: no worker outlives this process
        _stop(pool)
        raise
    pool.shutdown()
    return [results[n] for n in range(len(jobs))]


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP raised as ``SystemExit`` (exit 128 + the signal) within the block,
    so that :func:`run_all` stops its workers before this process ends; only in the main
    thread, where Python lets a handler be set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(number: int, _frame: object) -> None:
        raise SystemExit(128 + number)

    signals = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    before = {number: signal.signal(number, leave) for number in signals}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _stop(pool: Any) -> None:
    """The pool's workers stopped now: queued work dropped, running work killed (its
    agreement's ``build/`` is as it was: outputs are swapped in whole or not at all)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public API
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(timeout=5)


PRELOADED = (
    "tymdocs.many",
    "tymdocs.build",
    "tymdocs.checks",
    "tymdocs.document",
    "tymdocs.governance.status",
    "tymdocs.render.docx",
    "tymdocs.render.typst",
    "tymdocs.signing.packages",
)
"""What each worker needs, imported once in the fork server that starts the workers."""


def _context() -> multiprocessing.context.BaseContext:
    """How workers start: forked from a fresh server process that has imported what they
    need, where the system has one; never forked from this process, whose threads (a
    renderer's, a test runner's) a fork would copy half-alive. Elsewhere, spawned."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOADED))
        return context
    return multiprocessing.get_context("spawn")


def _result(task: Task) -> dict[str, Any]:
    """A result before anything is known of its agreement: every key the overview reads."""
    return {
        "path": task.shown,
        "id": None,
        "area": None,
        "title": None,
        "ok": False,
        "result": None,
        "error": None,
        "status": None,
        "status_error": None,
        "placeholders": None,
    }


def _lost(task: Task, exc: BaseException) -> dict[str, Any]:
    message = f"the worker process building it stopped: {exc}"
    return _result(task) | {"error": _failure(message, [])}


# -- the overview -------------------------------------------------------------------------------


def overview(
    command: Command,
    root: Path,
    today: dt.date,
    results: list[dict[str, Any]],
    passed: tuple[tuple[Path, str], ...] = (),
) -> dict[str, Any]:
    """What ``overview.json`` holds: the run, per agreement its result and where it stands
    (:func:`summary` of its status, and the status itself), and the folders not searched."""
    failed = [r for r in results if not r["ok"]]
    return {
        "not_searched": [{"path": _relative(folder, root), "why": why} for folder, why in passed],
        "overview_version": OVERVIEW_VERSION,
        "command": command,
        "tymdocs": __version__,
        "root": str(root),
        "today": today.isoformat(),
        "agreements": len(results),
        "failed": len(failed),
        "results": [r | {"summary": summary(r["status"])} for r in results],
    }


def summary(status: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the overview shows of an agreement's status: the version in force and its record,
    the changes waiting to be recorded, the amendments awaiting signatures, the next deadline
    and every overdue one. Read from ``status --json``'s data; no rule is judged here."""
    if status is None:
        return None
    deadlines = status["deadlines"]
    coming = [d for d in deadlines if d["days_left"] >= 0]
    ended = status["ended"]
    return {
        "in_force": status["in_force"],
        "latest_version": status["version"],
        "pending": [{"part": p["part"], "needs": p["needs"]} for p in status["pending"]],
        "unrecorded_commits": len(status["unrecorded_commits"]),
        "awaiting_signatures": [
            {"version": a["version"], "date": a["date"], "missing": a["missing"]}
            for a in status["awaiting_signatures"]
        ],
        "next_deadline": coming[0] if coming else None,
        "overdue": [d for d in deadlines if d["state"] == "OVERDUE"],
        "ended": ended,
    }


def failures(results: list[dict[str, Any]], shown: Callable[[str], str] = str) -> Iterator[str]:
    """Each failed agreement named by its folder (as ``shown`` gives it), with the first thing
    its error says."""
    for result in results:
        if not result["ok"]:
            yield f"{shown(result['path'])}: {result['error']['message']}"


def overdue(results: list[dict[str, Any]], shown: Callable[[str], str] = str) -> Iterator[str]:
    """Each overdue deadline, named by its agreement's folder (as ``shown`` gives it)."""
    for result in results:
        status = result["status"]
        for deadline in status["deadlines"] if status is not None else ():
            if deadline["state"] == "OVERDUE":
                due = format_date(dt.date.fromisoformat(deadline["due"]))
                yield f"{shown(result['path'])}: {deadline['what']}, due {due}"


def write_overview(out: Path, data: dict[str, Any]) -> tuple[Path, Path]:
    """``overview.html`` and ``overview.json`` swapped into ``out`` at once, with a manifest
    of them (:func:`~tymdocs.output.replace_directory`: a failed write leaves ``out`` as it
    was, and only files tymdocs wrote there are replaced)."""
    from tymdocs.output import MANIFEST, Output, dump_json, replace_directory
    from tymdocs.render.overview import render_overview

    html, json_name = OVERVIEW_FILES
    outputs = [
        Output(html, "overview-html", render_overview(data, out)),
        Output(json_name, "overview-json", dump_json(data)),
    ]
    manifest = {"kind": "overview", "outputs": [o.entry() for o in outputs]}
    replace_directory(
        out, [*outputs, Output(MANIFEST, "manifest", dump_json(manifest))], "overview"
    )
    return out / html, out / json_name
