"""The ``tymdocs`` command: a thin click layer over the library.

This is the one place that turns :class:`~tymdocs.errors.TymdocsError` into ``Error: ...``
messages and exit codes: 0 success, 1 a problem in the sources or history, 2 usage.
Heavy modules are imported inside the commands, so ``tymdocs --help`` starts fast.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import click

from tymdocs import __version__
from tymdocs.characters import printable
from tymdocs.console import (
    Settings,
    failed,
    output_refusal,
    problem_line,
    quiet_libraries,
    shown,
)
from tymdocs.console import build as build_command
from tymdocs.locale import LANGUAGES

if TYPE_CHECKING:
    from tymdocs.governance import RecordKind
    from tymdocs.governance.recording import Plan
    from tymdocs.init import Answers
    from tymdocs.many import Command
    from tymdocs.signing.signatures import Trust
    from tymdocs.signing.verify import CopyReport


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
    quiet_libraries(verbose)
    ctx.obj = Settings(directory.resolve(), verbose)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """A date option as a coordinator writes it: 2025-09-15 or 15.9.2025."""
    from tymdocs.locale import parse_date

    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"{value!r} is not a date: write 2025-09-15 or 15.9.2025")
    return day


_ALL_AFTER_VERSION_1 = "after-version-1"

_ALL = click.option(
    "--all",
    "all_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="ROOT",
    help="Instead, every agreement under ROOT (a folder holding tymdocs.yaml), in parallel; "
    "writes an overview (HTML and JSON) and exits 1 if any failed.",
)
_OVERVIEW = click.option(
    "--overview",
    "overview_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="With --all, write the overview into DIR (default: ROOT/build/overview).",
)


def _alone(all_root: Path | None, overview_dir: Path | None, **options: object) -> None:
    """Options that name one agreement's version or output have no meaning with --all, and
    --overview none without it."""
    if all_root is None:
        if overview_dir is not None:
            raise click.UsageError("--overview goes with --all")
        return
    given = [name for name, value in options.items() if value not in (None, False, ())]
    if given:
        raise click.UsageError(f"--all works on each agreement as it is: not with {given[0]}")


@cli.command()
@click.option(
    "--ref",
    metavar="REV",
    help="Check the sources of a version of the register (v2), a commit, branch or tag.",
)
@click.option(
    "--at", callback=_date, metavar="DATE", help="Check the agreement as in force on this date."
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--governance",
    "governance_range",
    is_flag=False,
    flag_value=_ALL_AFTER_VERSION_1,
    default=None,
    metavar="[RANGE]",
    help="Instead, check that every commit in RANGE (default: all after version 1) that "
    "changes the agreement carries the record its rule requires.",
)
@click.option(
    "--allow-shallow",
    is_flag=True,
    help="With --governance in a shallow clone, judge the commits it holds on what they show "
    "alone, instead of refusing: the records before it are unseen.",
)
@click.option("--json", "as_json", is_flag=True, help="Report as JSON on standard output.")
@_ALL
@_OVERVIEW
@click.pass_obj
def check(
    settings: Settings,
    ref: str | None,
    at: dt.date | None,
    strict: bool,
    governance_range: str | None,
    allow_shallow: bool,
    as_json: bool,
    all_root: Path | None,
    overview_dir: Path | None,
) -> None:
    """Validate the agreement and report every problem as path:line.

    Exits 1 when there are errors (or warnings, with --strict). With --governance, checks
    the history instead: each offending commit is listed with what it lacks.

    \b
    Example:
        tymdocs check --strict
        tymdocs check --governance origin/main..HEAD
        tymdocs check --all ~/sopimukset
    """
    _alone(all_root, overview_dir, **{"--ref": ref, "--at": at, "--governance": governance_range})
    if all_root is not None:
        _run_all(settings, "check", all_root, overview_dir, as_json, strict=strict)
        return
    if governance_range is not None:
        _check_governance(settings, governance_range, allow_shallow, as_json)
        return
    if allow_shallow:
        raise click.UsageError("--allow-shallow goes with --governance")
    from tymdocs.checks import validate
    from tymdocs.revision import open_source, source_tree

    tree = open_source(settings.root, ref, at).tree if at else source_tree(settings.root, ref)
    problems = validate(tree).problems
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    failed = bool(errors) or (strict and bool(warnings))
    if as_json:
        report = {
            "ok": not failed,
            "source": tree.description,
            "errors": len(errors),
            "warnings": len(warnings),
            "problems": [shown(settings, p).as_dict() for p in problems],
        }
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(problem_line(settings, problem), err=True)
        verdict = "failed" if failed else "ok"
        click.echo(
            f"check {verdict}: {len(errors)} error(s), {len(warnings)} warning(s) "
            f"in {tree.description}"
        )
    if failed:
        sys.exit(1)


def _check_governance(
    settings: Settings, revision_range: str, allow_shallow: bool, as_json: bool
) -> None:
    from tymdocs.governance.audit import audit

    chosen = None if revision_range == _ALL_AFTER_VERSION_1 else revision_range
    result = audit(settings.root, chosen, allow_shallow)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        for finding in result.findings:
            click.echo(str(finding), err=True)
        verdict = "ok" if result.ok else "failed"
        click.echo(
            f"governance {verdict}: {len(result.findings)} problem(s) in {result.checked} "
            f"governed commit(s) {result.range}"
        )
    if not result.ok:
        sys.exit(1)


@cli.command()
@click.option(
    "--ref",
    metavar="REV",
    help="Build a version of the register (v2), a commit, branch or tag, read from git.",
)
@click.option(
    "--at",
    callback=_date,
    metavar="DATE",
    help="Build the agreement as in force on this date (by the register up to --ref or HEAD).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write into this directory instead of build/ in the agreement repository.",
)
@click.option(
    "--packages/--no-packages",
    default=None,
    help="Build only the signature packages (PDF and DOCX), or everything but them.",
)
@click.option("--force", is_flag=True, help="Rebuild even when the outputs are up to date.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@_ALL
@_OVERVIEW
@click.pass_obj
def build(
    settings: Settings,
    ref: str | None,
    at: dt.date | None,
    output: Path | None,
    packages: bool | None,
    force: bool,
    quiet: bool,
    as_json: bool,
    all_root: Path | None,
    overview_dir: Path | None,
) -> None:
    """Build the agreement DOCX and PDF/A, a signature package per party as PDF and as DOCX,
    and manifest.json.

    From the working tree by default: uncommitted changes make a draft, marked LUONNOS on
    every page and dirty in the manifest. Previous outputs are replaced only when every
    output succeeded.

    With --at, the agreement as in force on a date: each part from the newest recorded version
    in force that day, closed by a note of every change; no signature packages.

    \b
    Example:
        tymdocs build
        tymdocs build --ref v2025-05-01 -o /tmp/signed-version
        tymdocs build --at 20.9.2025 -o /tmp/voimassa
        tymdocs build --all ~/sopimukset
    """
    from tymdocs import build as builder
    from tymdocs.revision import open_source

    selection: builder.Selection = (
        "all" if packages is None else "packages" if packages else "agreement"
    )
    _alone(all_root, overview_dir, **{"--ref": ref, "--at": at, "-o": output})
    if all_root is not None:
        _run_all(
            settings,
            "build",
            all_root,
            overview_dir,
            as_json,
            quiet=quiet,
            force=force,
            selection=selection,
        )
        return
    if at is not None and packages:
        raise click.UsageError("--at builds a consolidated text for reading: no packages")
    source = open_source(settings.root, ref, at)
    out = _output(settings, output or settings.root / "build")
    build_command(
        settings, source, out, selection, force=force, quiet=quiet, as_json=as_json, echo=_echo
    )


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    from tymdocs.diff import FORMATS

    chosen = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)}, comma-separated")
    return chosen


@cli.command()
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write into this directory (default: build/diff-A-B/).",
)
@click.option(
    "--format",
    "formats",
    default="html,docx,md,pdf",
    callback=_formats,
    metavar="LIST",
    help="Formats to write, comma-separated: html, docx, md, pdf (default: all).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the change set as JSON; write nothing."
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.pass_obj
def diff(
    settings: Settings,
    a: str | None,
    b: str | None,
    output: Path | None,
    formats: tuple[str, ...],
    as_json: bool,
    quiet: bool,
) -> None:
    """What changed from version A to version B, for legal reviewers: a redline in HTML, DOCX
    with tracked changes, Markdown and PDF, each change with the record it needs.

    A and B are commits, branches or tags, version numbers from the register (2 or v2), or
    dates (the agreement in force that day). With one version, it is compared with the working
    tree; with none, the last commit is.

    \b
    Example:
        tymdocs diff v1 v2
        tymdocs diff 1.5.2025 20.9.2025 --format html,md
        tymdocs diff --json
    """
    from tymdocs import diff as differ

    report, side_a, side_b = differ.diff(settings.root, a, b)
    if as_json:
        click.echo(json.dumps(differ.change_set(report), indent=2, ensure_ascii=False))
        return
    out = _output(settings, output or settings.root / "build" / f"diff-{side_a.name}-{side_b.name}")
    outputs = differ.render(report, side_a, side_b, cast("tuple[differ.Format, ...]", formats))
    differ.write(out, outputs, report)
    if not quiet:
        summary = f"{len(report.changes)} changed part(s)" if report.changes else "no changes"
        click.echo(
            f"{report.title}: {summary}; wrote {len(outputs)} file(s) into {os.path.relpath(out)}"
        )
        for change in report.changes:
            click.echo(f"  {change.part}: {change.needs_text}")


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
    "--rebuild",
    is_flag=True,
    help="Lay every original out again from git; trust no build/ on disk (a manifest only if "
    "given).",
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
@click.option(
    "--require-complete",
    is_flag=True,
    help="Exit 1 unless the copies together are fully signed, as change_rules.signing says.",
)
@click.option("--json", "as_json", is_flag=True, help="Report as JSON on standard output.")
@click.pass_obj
def verify(
    settings: Settings,
    files: tuple[Path, ...],
    trust: tuple[Path, ...],
    require_trust: bool,
    manifest: Path | None,
    rebuild: bool,
    version_ref: str,
    any_version: bool,
    signer: tuple[str, ...],
    require_complete: bool,
    as_json: bool,
) -> None:
    """Verify signed signature packages: untouched, signed by the right people, complete.

    Exits 0 when no copy was altered (a package as sent, with no signatures yet, included),
    1 when any copy fails. Says who signed where and who is missing, the copies to keep, and
    whether the version is fully signed as its change_rules.signing says (counterparts: each
    signatory once, in any copy; every-copy: every signature in every party's copy). With
    --require-complete it also exits 1 unless it is, as CI wants.

    \b
    Example:
        tymdocs verify palautetut/*.pdf --trust juuri.pem
        tymdocs verify palautetut/*.pdf --require-complete
    """
    from tymdocs.build import current_fingerprint
    from tymdocs.signing.verify import verify_copies

    trusted = _trust(trust, require_trust, signer)
    current = None if any_version else current_fingerprint(settings.root, version_ref)
    report = verify_copies(
        settings.root,
        files,
        trusted,
        manifest=manifest,
        current_fingerprint=current,
        rebuild=rebuild,
    )
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for copy in report.copies:
            click.echo(_copy_text(copy))
        if report.round is not None:
            click.echo("\n".join(report.round.lines()))
        click.echo(report.summary)
    if not report.ok or (require_complete and report.fully_signed is not True):
        sys.exit(1)


# -- the register ------------------------------------------------------------------------------

_MESSAGE = click.option(
    "-m", "--message", required=True, help="What was decided or notified, in your words."
)
_DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Print the commit it would make; change nothing."
)
_ATTACH = click.option(
    "--attach",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A minutes extract (or the notice itself) to store under records/ with its SHA-256.",
)
_FAR_FUTURE = click.option(
    "--far-future",
    is_flag=True,
    help="Allow an effective date more than five years after --date (otherwise a typing error).",
)
_COPIES = click.argument(
    "copies", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)


def _commit(settings: Settings, plan: Plan, dry_run: bool) -> None:
    """Carry out a record's plan (or show it), then say what was recorded."""
    from tymdocs.governance.recording import carry_out

    if dry_run:
        click.echo(plan.describe())
        return
    commit = carry_out(settings.root, plan)
    record = plan.record
    if record.kind == "signatures":
        what = f"the signatures of version {record.version}, now in force"
    else:
        what = f"version {record.version}" if record.version else record.kind
    click.echo(f"recorded {what} as commit {commit[:12]}: {plan.message.splitlines()[0]}")
    if plan.tag:
        click.echo(f"tagged {plan.tag[0]}")


def _trust(trust: tuple[Path, ...], require_trust: bool, signer: tuple[str, ...]) -> Trust:
    from tymdocs.signing.signatures import Trust

    return Trust(
        tuple(path.read_bytes() for path in trust), require_trust, tuple(_signers(signer).items())
    )


_TRUST_OPTIONS = (
    click.option(
        "--trust",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A trusted root certificate (PEM or DER); may be repeated.",
    ),
    click.option(
        "--require-trust", is_flag=True, help="Fail on signers that do not chain to --trust."
    ),
    click.option(
        "--signer",
        multiple=True,
        metavar="NAME=SUBJECT",
        help="The certificate name a signatory signs with, when it differs from their name.",
    ),
)


def _trust_options(function: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_TRUST_OPTIONS):
        function = option(function)
    return function


@cli.command()
@click.option(
    "--date",
    metavar="DATE",
    help="When the parties signed (default: effective_date in tymdocs.yaml, or the last "
    "signature of the copies).",
)
@click.option("--keep", is_flag=True, help="Store the signed copies under records/.")
@_trust_options
@_MESSAGE
@_DRY_RUN
@_COPIES
@click.pass_obj
def adopt(
    settings: Settings,
    date: str | None,
    keep: bool,
    trust: tuple[Path, ...],
    require_trust: bool,
    signer: tuple[str, ...],
    message: str,
    dry_run: bool,
    copies: tuple[Path, ...],
) -> None:
    """Record the agreement as adopted and signed: version 1, in force from effective_date.

    Recorded once. Given the signed copies, verifies first that they make the version fully
    signed (as change_rules.signing says) and keeps their SHA-256 in the record.

    \b
    Example:
        tymdocs adopt -m "Sopimus allekirjoitettu" --date 2025-04-28
        tymdocs adopt -m "Sopimus allekirjoitettu" palautetut/*.pdf --keep
    """
    from tymdocs.governance.recording import plan_adoption

    plan = plan_adoption(
        settings.root,
        message=message,
        date=date,
        copies=copies,
        keep=keep,
        trust=_trust(trust, require_trust, signer),
    )
    _commit(settings, plan, dry_run)


@cli.command()
@click.option("--body", required=True, help="The deciding body, as decisions cite it: Johtoryhmä.")
@click.option(
    "--date", required=True, metavar="DATE", help="The decision's date: 2025-09-15 or 15.9.2025."
)
@click.option("--section", type=int, required=True, help="The decision's § in the minutes.")
@click.option("--case", metavar="ID", help="The case or record number, such as HOLDno-2025-198.")
@click.option("--effective", metavar="DATE", help="When the change takes effect (default: --date).")
@_ATTACH
@click.option(
    "--review",
    type=int,
    metavar="N",
    help="Record the yearly review of Liite N, which changes nothing (an empty commit).",
)
@_FAR_FUTURE
@_MESSAGE
@_DRY_RUN
@click.pass_obj
def approve(
    settings: Settings,
    body: str,
    date: str,
    section: int,
    case: str | None,
    effective: str | None,
    attach: Path | None,
    review: int | None,
    far_future: bool,
    message: str,
    dry_run: bool,
) -> None:
    """Record a decision over the current changes to the annexes, as one commit.

    Commits only the annex files the decision covers; any other work stays as it was.
    Refuses, changing nothing, what the agreement's rules do not allow: the main text, an
    annex that changes by notice or by another body, sources with errors, a date in the
    future, a repository mid-merge or on a detached HEAD.

    \b
    Example:
        tymdocs approve --body Johtoryhmä --date 15.9.2025 --section 4 \\
            --effective 1.10.2025 -m "Liite 5: henkilöstöresurssin tarkistus"
        tymdocs approve --review 5 --body Johtoryhmä --date 2.2.2026 --section 3 \\
            -m "Liite 5 tarkistettu, ei muutoksia"
    """
    from tymdocs.governance.recording import plan_decision

    if review is not None and effective is not None:
        raise click.UsageError("a review changes nothing, so it has no --effective date")
    plan = plan_decision(
        settings.root,
        body=body,
        date=date,
        section=section,
        case=case,
        effective=effective,
        attach=attach,
        review=review,
        message=message,
        far_future=far_future,
    )
    _commit(settings, plan, dry_run)


@cli.command()
@click.option("--party", required=True, metavar="ID", help="The party giving notice (its id).")
@click.option("--date", required=True, metavar="DATE", help="The notice's date.")
@click.option("--effective", metavar="DATE", help="When the change takes effect (default: --date).")
@click.option(
    "--termination",
    is_flag=True,
    help="A written notice of termination: the agreement ends after the notice period in force.",
)
@click.option(
    "--objection",
    is_flag=True,
    help="A written objection to the extension of a fixed term: it then ends with its term.",
)
@_ATTACH
@_FAR_FUTURE
@_MESSAGE
@_DRY_RUN
@click.pass_obj
def notice(
    settings: Settings,
    party: str,
    date: str,
    effective: str | None,
    termination: bool,
    objection: bool,
    attach: Path | None,
    far_future: bool,
    message: str,
    dry_run: bool,
) -> None:
    """Record an organisation's notice: a change of its own rows of the composition annex
    (members, deputies, contact persons) made outside the agreement, a notice of termination
    (--termination), or an objection to the extension of a fixed term (--objection).

    \b
    Example:
        tymdocs notice --party kela --date 20.9.2025 -m "Kelan jäsen vaihtuu"
        tymdocs notice --termination --party kela --date 31.3.2026 -m "Irtisanominen"
        tymdocs notice --objection --party kela --date 1.9.2026 -m "Emme jatka"
    """
    from tymdocs.governance.recording import plan_notice, plan_objection, plan_termination

    if termination and objection:
        raise click.UsageError("--termination and --objection exclude each other")
    if termination or objection:
        if effective or attach or far_future:
            which = "--termination" if termination else "--objection"
            raise click.UsageError(f"{which} takes only --party, --date and -m")
        planner = plan_termination if termination else plan_objection
        plan = planner(settings.root, party=party, date=date, message=message)
    else:
        plan = plan_notice(
            settings.root,
            party=party,
            date=date,
            effective=effective,
            attach=attach,
            message=message,
            far_future=far_future,
        )
    _commit(settings, plan, dry_run)


@cli.command()
@click.option("--date", metavar="DATE", help="The amendment's date (its proposal).")
@click.option(
    "--effective", metavar="DATE", help="When it takes effect once fully signed (default: --date)."
)
@click.option("-m", "--message", help="What the amendment changes, in your words.")
@click.option(
    "--signed",
    "signed",
    is_flag=True,
    help="Record the COPIES, signed by every signatory, that put the pending amendment in force.",
)
@click.option("--keep", is_flag=True, help="With --signed: store the copies under records/.")
@click.option(
    "--withdraw",
    is_flag=True,
    help="Take back the amendment that awaits signatures, once the sources are restored.",
)
@_trust_options
@_FAR_FUTURE
@_DRY_RUN
@_COPIES
@click.pass_obj
def amend(
    settings: Settings,
    date: str | None,
    effective: str | None,
    message: str | None,
    signed: bool,
    keep: bool,
    withdraw: bool,
    far_future: bool,
    trust: tuple[Path, ...],
    require_trust: bool,
    signer: tuple[str, ...],
    dry_run: bool,
    copies: tuple[Path, ...],
) -> None:
    """Record a written amendment of the main text, then the signatures that put it in force.

    First the proposal: the changed main text (and any annexes changed with it) becomes a
    version that awaits signatures; build its packages as usual. It is in force only when
    the signed copies verify as fully signed: record them with --signed, which keeps their
    SHA-256 (--keep: the copies too) and tags the version. While it awaits signatures no other
    version is recorded; an amendment that will not be signed is withdrawn (--withdraw) once
    the sources are restored to what they were before it.

    \b
    Example:
        tymdocs amend --date 1.3.2026 --effective 1.4.2026 -m "8 §: henkilöstö"
        tymdocs amend --signed palautetut/*.pdf --keep
        git checkout HEAD~1 -- docs_src && tymdocs amend --withdraw --date 5.3.2026 -m "Peruttu"
    """
    from tymdocs.governance.recording import plan_amendment, plan_signatures, plan_withdrawal

    if signed and withdraw:
        raise click.UsageError("--signed and --withdraw exclude each other")
    if withdraw:
        if copies or keep or effective:
            raise click.UsageError("--withdraw takes only --date and -m")
        if date is None or message is None:
            raise click.UsageError("a withdrawal needs --date and -m")
        plan = plan_withdrawal(settings.root, date=date, message=message)
    elif signed:
        if not copies:
            raise click.UsageError("--signed needs the signed copies")
        if effective:
            raise click.UsageError("--effective belongs to the amendment, not to its signatures")
        plan = plan_signatures(
            settings.root,
            copies=copies,
            keep=keep,
            date=date,
            message=message,
            trust=_trust(trust, require_trust, signer),
        )
    else:
        if copies or keep:
            raise click.UsageError("signed copies are recorded with --signed")
        if date is None or message is None:
            raise click.UsageError("an amendment needs --date and -m")
        plan = plan_amendment(
            settings.root, date=date, effective=effective, message=message, far_future=far_future
        )
    _commit(settings, plan, dry_run)


@cli.command()
@click.option("--annex", type=int, metavar="N", help="Only records that concern Liite N.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Only records of this kind (decision, notice, amendment, ...); may be repeated.",
)
@click.option("--since", callback=_date, metavar="DATE", help="Only records dated on or after.")
@click.option("--until", callback=_date, metavar="DATE", help="Only records dated on or before.")
@click.option(
    "--ref",
    metavar="REV",
    default="HEAD",
    show_default=True,
    help="The register up to this commit.",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["table", "md", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the register.",
)
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.pass_obj
def log(
    settings: Settings,
    annex: int | None,
    kinds: tuple[str, ...],
    since: dt.date | None,
    until: dt.date | None,
    ref: str,
    form: str,
    as_json: bool,
) -> None:
    """The register: every version, decision, review, notice, amendment and signature record,
    with the text its commit message gives it.

    \b
    Example:
        tymdocs log --annex 5
        tymdocs log --kind decision --since 1.1.2026 --format csv > rekisteri.csv
    """
    from tymdocs.governance import RECORD_KINDS, register
    from tymdocs.locale import speaking
    from tymdocs.revision import open_history

    for kind in kinds:
        if kind not in RECORD_KINDS:
            raise click.BadParameter(
                f"{kind!r} is not one of {', '.join(RECORD_KINDS)}", param_hint="--kind"
            )
    meta, history = open_history(settings.root, ref, changes=False)
    with speaking(meta.language):  # parts named as the agreement's documents name them
        if annex is not None:
            from tymdocs.sources import GitTree, annex_numbers

            tip = GitTree(settings.root, history.commits[0].commit)  # ref, as committed
            unknown = register.unknown_annex(history, annex, annex_numbers(tip))
            if unknown:
                raise click.BadParameter(unknown, param_hint="--annex")
        filters = register.Filters(annex, cast("tuple[RecordKind, ...]", kinds), since, until)
        shown = register.entries(history, filters)
        if as_json or form == "json":
            click.echo(register.as_json(history, shown))
        elif form == "md":
            click.echo(register.markdown(shown))
        elif form == "csv":
            click.echo(register.comma_separated(shown))
        else:
            click.echo(register.table(shown))


@cli.command()
@click.option(
    "--today",
    callback=_date,
    metavar="DATE",
    help="Judge deadlines as of this date instead of today.",
)
@click.option("--fail-on-overdue", is_flag=True, help="Exit 1 when a deadline has passed (for CI).")
@click.option("--json", "as_json", is_flag=True, help="Report as JSON on standard output.")
@_trust_options
@_ALL
@_OVERVIEW
@click.argument("signed", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def status(
    settings: Settings,
    today: dt.date | None,
    fail_on_overdue: bool,
    as_json: bool,
    trust: tuple[Path, ...],
    require_trust: bool,
    signer: tuple[str, ...],
    all_root: Path | None,
    overview_dir: Path | None,
    signed: tuple[Path, ...],
) -> None:
    """What waits: changes not yet recorded and the record each needs, amendments awaiting
    signatures, and the deadlines (yearly reviews, the steering group's term, the end date).

    Given the signed copies that have come back so far, says which signatories of a pending
    amendment are still missing.

    \b
    Example:
        tymdocs status
        tymdocs status --fail-on-overdue --json
        tymdocs status palautetut/*.pdf
        tymdocs status --all ~/sopimukset --fail-on-overdue
    """
    from tymdocs.governance.status import read_status

    _alone(
        all_root, overview_dir, **{"signed copies": signed, "--trust": trust, "--signer": signer}
    )
    if all_root is not None:
        _run_all(
            settings,
            "status",
            all_root,
            overview_dir,
            as_json,
            today=today,
            fail_on_overdue=fail_on_overdue,
        )
        return

    result = read_status(settings.root, today, signed, _trust(trust, require_trust, signer))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.text())
    if fail_on_overdue and result.overdue:
        sys.exit(1)


@cli.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the site into this directory (empty, or holding a site tymdocs wrote before: "
    "only its files are replaced, anything else there stays).",
)
@click.option(
    "--date",
    "day",
    callback=_date,
    metavar="DATE",
    help="Show the agreement as in force on this date (default: today).",
)
@click.option(
    "--public",
    is_flag=True,
    help="Leave out personal data: the names of members, deputies and contact persons, "
    "also with an inflected last name (signatories stay), the contact persons' email and "
    "phone, and the files of every version that holds them.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.pass_obj
def site(settings: Settings, output: Path, day: dt.date | None, public: bool, quiet: bool) -> None:
    """A static site of the agreement for reviewers and the public: the text in force with
    an anchor per section (#5) and annex (#liite-1), every recorded version with its PDF,
    DOCX and redline, the register and the deadlines. Plain HTML, no script. After the
    agreement has ended: the text of its last day.

    \b
    Example:
        tymdocs site -o sivusto
        tymdocs site -o julkinen --public --date 1.1.2026
    """
    from tymdocs.locale import today
    from tymdocs.site import check_target, make_site, write_site

    out = _output(settings, output)
    check_target(out)
    made = make_site(settings.root, day or today(), public)
    write_site(out, made)
    if not quiet:
        click.echo(f"wrote {len(made.files)} files into {os.path.relpath(out)}")


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print the rewrite as a diff; write nothing.")
@click.option(
    "--force", is_flag=True, help="Rewrite even outside a git repository (no copy is kept)."
)
@click.pass_obj
def upgrade(settings: Settings, dry_run: bool, force: bool) -> None:
    """Rewrite tymdocs.yaml in the current format (format: 2), in place.

    Only what must change is rewritten: the format is declared, and the oldest change_rules
    (annexes: decision, composition: notice) become today's mapping by annex number. Every
    comment, blank line and key order is kept, and the documents built from the file stay
    byte for byte the same. Refused while git holds uncommitted changes of tymdocs.yaml.

    \b
    Example:
        tymdocs upgrade --dry-run
        tymdocs upgrade && git commit -m "tymdocs.yaml in format 2" tymdocs.yaml
    """
    from tymdocs.config import CURRENT_FORMAT
    from tymdocs.upgrade import plan_upgrade, write_upgrade

    plan = plan_upgrade(settings.root, force=force, dry_run=dry_run)
    if not plan.changed:
        click.echo(f"{plan.path.name} is already in format {CURRENT_FORMAT}")
    elif dry_run:
        click.echo(plan.diff(), nl=False)
    else:
        write_upgrade(plan)
        shown = settings.shown(plan.path.name)
        review = ": review it with git diff, then commit it on its own" if plan.in_git else ""
        click.echo(f"rewrote {shown} in format {CURRENT_FORMAT}{review}")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--language", type=click.Choice(LANGUAGES), help="The agreement's language (default fi)."
)
@click.option("--area", help="The employment area's name, as the agreement gives it.")
@click.option(
    "--id", "agreement_id", metavar="ID", help="The agreement's id (default: from --area)."
)
@click.option("--municipality", multiple=True, help="A municipality of the area; may be repeated.")
@click.option(
    "--party",
    multiple=True,
    metavar="ROLE=NAME",
    help="A party: employment_authority, wellbeing_services_county, kela or other, and its "
    "name; may be repeated. A role of the three that no --party gives keeps its default party.",
)
@click.option(
    "--signatory",
    multiple=True,
    metavar="ROLE=NAME, TITLE",
    help="A person who signs for the party of that role (or id); may be repeated.",
)
@click.option("--appointing-body", help="The body that appoints the steering group.")
@click.option(
    "--effective", callback=_date, metavar="DATE", help="When the agreement takes effect."
)
@click.option(
    "--valid-until",
    callback=_date,
    metavar="DATE",
    help="Its last day (default: until further notice).",
)
@click.option("--court", help="The administrative court for disputes.")
@click.option(
    "--tymdocs-repository", metavar="URL", help="Where make build clones the pinned tymdocs from."
)
@click.option("-y", "--yes", is_flag=True, help="Ask nothing: a placeholder for what is not given.")
@click.option(
    "--ask", is_flag=True, help="Ask even when standard input is not a terminal (read answers)."
)
@click.option("--git/--no-git", "use_git", default=True, help="Make a git repository (default).")
@click.option(
    "--commit/--no-commit", default=True, help="Commit the skeleton as its first commit (default)."
)
@click.pass_obj
def init(
    settings: Settings,
    folder: Path,
    language: str | None,
    area: str | None,
    agreement_id: str | None,
    municipality: tuple[str, ...],
    party: tuple[str, ...],
    signatory: tuple[str, ...],
    appointing_body: str | None,
    effective: dt.date | None,
    valid_until: dt.date | None,
    court: str | None,
    tymdocs_repository: str | None,
    yes: bool,
    ask: bool,
    use_git: bool,
    commit: bool,
) -> None:
    """Start another area's agreement in FOLDER (new or empty): tymdocs.yaml, the twelve
    sections every TYM agreement has, the annexes, a README, a Makefile that installs this
    tymdocs release, CI, and a git repository with the skeleton as its first commit.

    On a terminal it asks for what the options do not give; with --yes it asks nothing. Where
    nothing is given, and where the area writes its own text, it leaves a placeholder
    [TÄYDENNÄ: …] ([KOMPLETTERA: …] in Swedish): check lists them, a build is a draft while
    one is left, and no version is recorded.

    \b
    Example:
        tymdocs init ../lansi-pirkanmaa
        tymdocs init uusi-alue --yes --area "Uusi työllisyysalue" --court "Vaasan hallinto-oikeus"
    """
    from tymdocs import init as skeleton
    from tymdocs.locale import today

    if yes and ask:
        raise click.UsageError("--yes and --ask exclude each other")
    target = settings.root / folder  # an absolute folder stays as it is
    skeleton.refuse_unless_empty(target)
    asking = ask or (not yes and sys.stdin.isatty())
    if not asking and not yes:
        raise click.UsageError(
            "standard input is not a terminal: give --yes to take the defaults (placeholders "
            "where nothing is given), or --ask to read the answers from it"
        )
    answers = skeleton.Answers(
        language=cast("skeleton.Language", language or "fi"),
        area=skeleton.clean(area, "--area"),
        agreement_id=skeleton.checked_id(agreement_id) if agreement_id else None,
        municipalities=tuple(
            m for text in municipality if (m := skeleton.clean(text, "--municipality"))
        ),
        parties=skeleton.with_default_parties(tuple(map(skeleton.party_option, party))),
        appointing_body=skeleton.clean(appointing_body, "--appointing-body"),
        effective_date=effective,
        valid_until=valid_until,
        court=skeleton.clean(court, "--court"),
        repository=skeleton.checked_repository(tymdocs_repository),
    )
    if asking:
        answers = _asked(answers, language is None, today())
    answers = replace(
        answers,
        parties=skeleton.with_signatories(
            answers.parties,
            [skeleton.signatory_option(text) for text in signatory],
            answers.language,
        ),
    )
    if (
        answers.valid_until
        and answers.effective_date
        and (answers.valid_until <= answers.effective_date)
    ):
        raise click.UsageError("--valid-until must come after --effective")
    files = skeleton.skeleton(answers, today(), target.name)
    created = skeleton.create(target, files, git=use_git, commit=use_git and commit)
    from tymdocs import placeholders
    from tymdocs.sources import WorkTree

    left = len(placeholders.find(WorkTree(created.root)))
    where = os.path.relpath(created.root)
    made = f"created {where}: {len(created.files)} files"
    if created.commit:
        made += f", a git repository with the skeleton as commit {created.commit[:12]}"
    elif created.repository:
        made += ", a git repository (nothing committed)"
    click.echo(made)
    click.echo(f"{left} placeholder(s) to fill in: tymdocs -C {where} check lists them (path:line)")


def _asked(answers: Answers, ask_language: bool, day: dt.date) -> Answers:
    """``answers`` completed by asking, on the terminal, for what the options left open (a
    party's name where ``--party`` gave none); a blank answer keeps the placeholder."""
    from tymdocs import init as skeleton
    from tymdocs.locale import format_date, parse_date

    def text(question: str, default: str = "") -> str | None:
        answer = click.prompt(question, default=default, show_default=bool(default))
        return skeleton.clean(answer, question)

    def date(question: str, default: dt.date | None) -> dt.date | None:
        while True:
            shown = format_date(default) if default else ""
            answer = click.prompt(question, default=shown, show_default=bool(shown)).strip()
            if not answer:
                return None
            day = parse_date(answer)
            if day is not None:
                return day
            click.echo(f"{answer!r} is not a date: write 15.9.2025 or 2025-09-15", err=True)

    def people(question: str) -> tuple[tuple[str, str], ...]:
        found = []
        for entry in (text(question) or "").split(";"):
            name, _, title = entry.partition(",")
            person, position = skeleton.clean(name, question), skeleton.clean(title, question)
            if person and position:
                found.append((person, position))
            elif person:
                raise click.UsageError(f"{entry.strip()!r}: write NAME, TITLE")
        return tuple(found)

    language = answers.language
    if ask_language:
        chosen = click.prompt(
            "Language of the agreement", type=click.Choice(LANGUAGES), default="fi"
        )
        language = cast("skeleton.Language", chosen)
    area = answers.area or text("Employment area (blank: a placeholder)")
    municipalities = answers.municipalities or tuple(
        m
        for part in (text("Municipalities, comma-separated") or "").split(",")
        if (m := skeleton.clean(part, "municipality"))
    )
    # an example in the agreement's language: the name goes into its text as written
    body_example = skeleton.example("appointing_body", language)
    parties = []
    for party in answers.parties:
        role = party.role.replace("_", " ")
        name = party.name
        if name is None:
            default = skeleton.default_name(party.role, language) or ""
            name = text(f"Party: {role}, its name", default)
        signatories = party.signatories or people(
            f"Signatories of {name or role} (NAME, TITLE; NAME, TITLE)"
        )
        parties.append(skeleton.PartyAnswer(party.role, name, signatories))
    return replace(
        answers,
        language=language,
        area=area,
        municipalities=municipalities,
        parties=tuple(parties),
        appointing_body=answers.appointing_body
        or text(f"Body that appoints the steering group (e.g. {body_example})"),
        effective_date=answers.effective_date
        or date("Effective date", skeleton.first_of_next_month(day)),
        valid_until=answers.valid_until or date("Last day (blank: until further notice)", None),
        court=answers.court or text("Administrative court for disputes"),
    )


def _run_all(
    settings: Settings,
    command: Command,
    root: Path,
    overview_dir: Path | None,
    as_json: bool,
    *,
    quiet: bool = False,
    today: dt.date | None = None,
    fail_on_overdue: bool = False,
    **options: Any,
) -> None:
    """``command`` on every agreement under ``root``, each in a worker process; the overview
    written; each failed agreement named with its first message, and exit 1 if any failed."""
    from tymdocs import many
    from tymdocs.locale import today as local_today

    root = root.resolve()
    search = many.find_agreements(root)
    for folder, why in search.passed:
        click.echo(f"Warning: {os.path.relpath(folder)}: {why}", err=True)
    found = search.agreements
    if not found:
        raise click.UsageError(f"no agreement under {root}: no folder there holds tymdocs.yaml")
    out = many.overview_target(overview_dir or root / many.OVERVIEW_DIR, found)
    day = today or local_today()
    jobs = many.tasks(command, root, found, today=day, verbose=settings.verbose, **options)
    if sys.stderr.isatty() and not (quiet or as_json):
        with click.progressbar(
            length=len(jobs), label=f"{command}: {len(jobs)} agreement(s)", file=sys.stderr
        ) as bar:
            results = many.run_all(jobs, lambda _result: bar.update(1))
    else:
        results = many.run_all(jobs)
    data = many.overview(command, root, day, results, search.passed)
    page, _ = many.write_overview(out, data)
    for result in results:
        detail = result["error"]["traceback"] if result["error"] else None
        if detail:
            click.echo(detail, err=True, nl=False)

    def shown(path: str) -> str:
        return os.path.relpath(root / path)

    for failure in many.failures(results, shown):
        click.echo(f"Error: {printable(failure)}", err=True)
    late = list(many.overdue(results, shown)) if fail_on_overdue else []
    for deadline in late:
        click.echo(f"Overdue: {printable(deadline)}", err=True)
    failed = data["failed"]
    if as_json:
        from tymdocs.output import dump_json

        click.echo(dump_json(data).decode(), nl=False)
    elif not quiet:
        done = len(results) - failed
        click.echo(
            f"{command}: {done} of {len(results)} agreement(s) ok, {failed} failed; "
            f"overview in {os.path.relpath(page)}"
        )
    if failed or late:
        sys.exit(1)


def _copy_text(copy: CopyReport) -> str:
    """One copy's report as lines a coordinator can read."""
    verdict = "OK" if copy.ok else "FAILED"
    lines = [f"{copy.path}: {verdict}"]
    whose = f"party {copy.party}" if copy.party else "the copy for everyone"
    if copy.commit is not None:
        lines.append(f"  {whose}, commit {copy.commit}, fingerprint {copy.fingerprint}")
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


def _signers(entries: tuple[str, ...]) -> dict[str, str]:
    """``--signer NAME=SUBJECT`` options as a mapping."""
    names = {}
    for entry in entries:
        name, sep, subject = entry.partition("=")
        if not sep or not name.strip() or not subject.strip():
            raise click.BadParameter(f"{entry!r} is not NAME=SUBJECT", param_hint="--signer")
        names[name.strip()] = subject.strip()
    return names


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI: click's own errors as click reports them, every other as
    :func:`tymdocs.console.failed` words it (for a plain build without click too)."""
    args = sys.argv[1:] if argv is None else argv
    ctx: click.Context | None = None
    try:
        with warnings.catch_warnings(), cli.make_context("tymdocs", list(args)) as ctx:
            cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except Exception as exc:  # tymdocs's own errors by their message; anything else a bug
        sys.exit(failed(exc, _settings(ctx), _echo))
    sys.exit(0)


def _echo(text: str, err: bool) -> None:
    click.echo(text, err=err)


def _output(settings: Settings, output: Path) -> Path:
    """Where outputs go: never into the sources or a git folder (:func:`output_refusal`)."""
    refusal = output_refusal(settings, output)
    if refusal is not None:
        raise click.UsageError(refusal)
    return output.resolve()


def _settings(ctx: click.Context | None) -> Settings:
    return (
        ctx.obj
        if ctx is not None and isinstance(ctx.obj, Settings)
        else Settings(Path.cwd(), False)
    )
