"""The ``tymdocs`` command: a thin click layer over the library.

This is the one place that turns :class:`~tymdocs.errors.TymdocsError` into ``Error: ...``
messages and exit codes: 0 success, 1 a problem in the sources or history, 2 usage.
Heavy modules are imported inside the commands, so ``tymdocs --help`` starts fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from tymdocs import __version__
from tymdocs.errors import Problem, SourceError, TymdocsError

if TYPE_CHECKING:
    from tymdocs.verify import CopyReport


@dataclass(frozen=True)
class Settings:
    root: Path
    verbose: bool

    def shown(self, path: str) -> str:
        """A source path as the user can open it from where they ran the command."""
        return os.path.relpath(self.root / path) if self.root != Path.cwd() else path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="Run as if started in DIRECTORY (the agreement repository).",
)
@click.option("--verbose", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(__version__, prog_name="tymdocs")
@click.pass_context
def cli(ctx: click.Context, directory: Path, verbose: bool) -> None:
    """Keep a TYM cooperation agreement as versioned sources and build its documents.

    \b
    Example:
        tymdocs check
        tymdocs build
    """
    if not directory.is_dir():
        raise click.BadParameter(f"{directory} is not a directory", param_hint="-C")
    # Libraries (pyHanko) log tracebacks for expected findings; they are for --verbose only.
    logging.disable(logging.NOTSET if verbose else logging.CRITICAL)
    ctx.obj = Settings(directory.resolve(), verbose)


@cli.command()
@click.option("--ref", metavar="REV", help="Check the sources of a commit, branch or tag.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Report as JSON on standard output.")
@click.pass_obj
def check(settings: Settings, ref: str | None, strict: bool, as_json: bool) -> None:
    """Validate the agreement and report every problem as path:line.

    Exits 1 when there are errors (or warnings, with --strict).

    \b
    Example:
        tymdocs check --strict
    """
    from tymdocs.checks import validate
    from tymdocs.revision import open_source

    source = open_source(settings.root, ref)
    problems = validate(source.tree).problems
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    failed = bool(errors) or (strict and bool(warnings))
    if as_json:
        report = {
            "ok": not failed,
            "source": source.tree.description,
            "errors": len(errors),
            "warnings": len(warnings),
            "problems": [_shown(settings, p).as_dict() for p in problems],
        }
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(str(_shown(settings, problem)), err=True)
        verdict = "failed" if failed else "ok"
        click.echo(
            f"check {verdict}: {len(errors)} error(s), {len(warnings)} warning(s) "
            f"in {source.tree.description}"
        )
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--ref", metavar="REV", help="Build a commit, branch or tag, read from git.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write into this directory instead of build/ in the agreement repository.",
)
@click.option(
    "--packages/--no-packages",
    default=None,
    help="Build only the signature packages, or everything but them.",
)
@click.option("--force", is_flag=True, help="Rebuild even when the outputs are up to date.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@click.pass_obj
def build(
    settings: Settings,
    ref: str | None,
    output: Path | None,
    packages: bool | None,
    force: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Build the agreement DOCX and PDF/A, a signature package per party, and manifest.json.

    From the working tree by default: uncommitted changes make a draft, marked LUONNOS on
    every page and dirty in the manifest. Previous outputs are replaced only when every
    output succeeded.

    \b
    Example:
        tymdocs build
        tymdocs build --ref v2025-05-01 -o /tmp/signed-version
    """
    from tymdocs import build as builder
    from tymdocs.revision import open_source

    source = open_source(settings.root, ref)
    out = (output or settings.root / "build").resolve()
    terminal = not quiet and not as_json and sys.stderr.isatty()

    def progress(name: str, kind: str) -> None:
        if terminal:
            click.echo(f"  wrote {os.path.relpath(out / name)} ({kind})", err=True)

    selection: builder.Selection = (
        "all" if packages is None else "packages" if packages else "agreement"
    )
    result = builder.build(source, out, force=force, selection=selection, progress=progress)
    warnings = [p for p in result.problems if p.severity == "warning"]
    if as_json:
        click.echo(json.dumps(result.manifest, indent=2, ensure_ascii=False))
    elif not quiet:
        where = os.path.relpath(out)
        if result.up_to_date:
            click.echo(f"{where} is up to date ({result.manifest.get('version')})")
        else:
            count = len(result.manifest["outputs"]) + 1
            click.echo(f"built {count} files into {where}: {result.manifest['version']}")
        if warnings:
            click.echo(f"{len(warnings)} warning(s): see tymdocs check", err=True)


@cli.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A trusted root certificate (PEM or DER); may be repeated.",
)
@click.option("--require-trust", is_flag=True, help="Fail on signers that do not chain to --trust.")
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The manifest.json of the version, for when its commit is not in this repository.",
)
@click.option(
    "--version",
    "version_ref",
    metavar="REV",
    default="HEAD",
    show_default=True,
    help="The version the copies must be of.",
)
@click.option(
    "--any-version", is_flag=True, help="Accept copies of any version, not only --version."
)
@click.option(
    "--signer",
    multiple=True,
    metavar="NAME=SUBJECT",
    help="The certificate name a signatory signs with, when it differs from their name.",
)
@click.option("--json", "as_json", is_flag=True, help="Report as JSON on standard output.")
@click.pass_obj
def verify(
    settings: Settings,
    files: tuple[Path, ...],
    trust: tuple[Path, ...],
    require_trust: bool,
    manifest: Path | None,
    version_ref: str,
    any_version: bool,
    signer: tuple[str, ...],
    as_json: bool,
) -> None:
    """Verify signed signature packages: untouched, signed by the right people, complete.

    Exits 0 only when no copy was altered; given every party's copy, says whether the
    version is fully signed.

    \b
    Example:
        tymdocs verify palautetut/*.pdf --trust juuri.pem
    """
    from tymdocs import build as builder
    from tymdocs.verify import verify_files

    names = {}
    for entry in signer:
        name, sep, subject = entry.partition("=")
        if not sep or not name.strip() or not subject.strip():
            raise click.BadParameter(f"{entry!r} is not NAME=SUBJECT", param_hint="--signer")
        names[name.strip()] = subject.strip()
    default_manifest = settings.root / "build" / "manifest.json"
    if manifest is None and default_manifest.is_file():
        manifest = default_manifest
    current = None if any_version else builder.current_fingerprint(settings.root, version_ref)
    report = verify_files(
        files,
        builder.package_lookup(settings.root, manifest),
        current_fingerprint=current,
        trust_roots=tuple(path.read_bytes() for path in trust),
        require_trust=require_trust,
        signer_names=names,
    )
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for copy in report.copies:
            click.echo(_copy_text(copy))
        click.echo(report.summary)
    if not report.ok:
        sys.exit(1)


def _copy_text(copy: CopyReport) -> str:
    """One copy's report as lines a coordinator can read."""
    verdict = "OK" if copy.ok else "FAILED"
    lines = [f"{copy.path}: {verdict}"]
    if copy.party:
        lines.append(f"  party {copy.party}, commit {copy.commit}, fingerprint {copy.fingerprint}")
    if copy.original:
        lines.append(f"  original revision: {copy.original}")
    for s in copy.signatures:
        state = "intact" if s.intact and s.valid else "BROKEN"
        trust = "trusted" if s.trusted else "untrusted"
        lines.append(
            f"  {s.field}: {s.signer}, {s.signing_time or 'no time'}: {state}, {trust}, "
            f"covers {s.coverage.lower().replace('_', ' ')}, "
            f"changes after: {s.modification_level.lower().replace('_', ' ')}"
        )
    if copy.satisfied or copy.missing:
        lines.append(f"  signed: {', '.join(copy.satisfied) or 'none'}")
        lines.append(f"  not signed: {', '.join(copy.missing) or 'none'}")
    lines += [f"  error: {failure}" for failure in copy.failures]
    lines += [f"  warning: {warning}" for warning in copy.warnings]
    return "\n".join(lines)


def _shown(settings: Settings, problem: Problem) -> Problem:
    return Problem(settings.shown(problem.path), problem.line, problem.message, problem.severity)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI; the single place where errors become messages and exit codes."""
    args = sys.argv[1:] if argv is None else argv
    ctx: click.Context | None = None
    try:
        with cli.make_context("tymdocs", list(args)) as ctx:
            cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except TymdocsError as exc:
        settings = _settings(ctx)
        if isinstance(exc, SourceError):
            for problem in exc.problems:
                click.echo(str(_shown(settings, problem)), err=True)
        elif settings.verbose:
            traceback.print_exc()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug in tymdocs: say so, and keep the traceback for --verbose
        if _settings(ctx).verbose:
            traceback.print_exc()
        click.echo(f"Error: internal error: {exc!r} (run with --verbose for details)", err=True)
        sys.exit(1)
    sys.exit(0)


def _settings(ctx: click.Context | None) -> Settings:
    return (
        ctx.obj
        if ctx is not None and isinstance(ctx.obj, Settings)
        else Settings(Path.cwd(), False)
    )
