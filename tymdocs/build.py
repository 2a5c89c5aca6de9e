"""Build: sources at a revision -> documents and ``manifest.json`` in an output directory.

Everything is rendered in memory and written into the output directory only when all of it
succeeded (``output.py``: only the files the previous manifest lists are replaced); a failed
build leaves ``build/`` as it was. A build whose sources, tool and renderers match the
manifest is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tymdocs.errors import Problem, SourceError
from tymdocs.governance import MAIN_TEXT, annex_part, cite, record_dict
from tymdocs.output import MANIFEST, Output, dump_json, read_manifest, replace_directory
from tymdocs.quick import in_folder, manifest_identity, matches, rebuild_command
from tymdocs.revision import Source, commit_of
from tymdocs.sources import GitTree, fingerprint

if TYPE_CHECKING:  # imported where used: a rebuild with nothing changed needs none of them
    from tymdocs.document import Amendment, Document, Stamp
    from tymdocs.model import Agreement
    from tymdocs.render.typst import AgreementPdf
    from tymdocs.signing.covers import CoversAhead

Selection = Literal["all", "agreement", "packages"]


def _render(
    agreement: Agreement,
    document: Document,
    stamp: Stamp,
    selection: Selection,
    threads: bool = True,
    hint: Path | None = None,
) -> Iterator[Output]:
    """Every output of a version, one at a time, so progress can be shown as each finishes.

    Typst runs without Python's lock, so a second thread lays out the agreement PDF and then
    the signature packages, which are assembled from its pages, while this thread writes the
    DOCX files and then lays out the packages' covers ahead, with the pages of the ``hint``
    file (:mod:`tymdocs.signing.covers`), which it updates. The manifest lists the agreement
    PDF after its DOCX, then the PDF packages, then the DOCX ones. Without ``threads`` (every
    core already busy with another agreement: ``build --all``, where the second thread was
    measured to slow it), the same outputs in the same order, one after another.
    """
    import contextlib
    from concurrent.futures import ThreadPoolExecutor

    from tymdocs.render.typst import agreement_compile

    lay_out = agreement_compile(document, stamp, agreement.authors)
    ahead: CoversAhead | None = None
    if threads and selection != "agreement":
        from tymdocs.signing.covers import covers_ahead

        ahead = covers_ahead(agreement, document, stamp, hint)

    def pdfs() -> list[Output]:
        """The PDFs the second thread renders: the agreement's, then the packages."""
        laid_out = lay_out()
        pdf = Output(f"{agreement.meta.id}.pdf", "agreement-pdf", laid_out.pdf)
        if selection == "agreement":
            return [pdf]
        packages = list(_packages(agreement, document, stamp, laid_out, ahead))
        return packages if selection == "packages" else [pdf, *packages]

    with ThreadPoolExecutor(max_workers=1) if threads else contextlib.nullcontext() as pool:
        beside = pool.submit(pdfs).result if pool is not None else pdfs
        if selection != "packages":
            yield _agreement_docx(agreement, document, stamp)
        word = [] if selection == "agreement" else list(_docx_packages(agreement, document, stamp))
        _meanwhile()
        if ahead is not None:
            ahead.lay_out()
        yield from beside()
        yield from word
    if ahead is not None:
        ahead.keep()


def _meanwhile() -> None:
    """What the build needs once the PDFs are laid out, made ready while they are, 3 ms that
    would otherwise follow the last PDF: the rule of how a version is signed (its module
    loaded), and what the outputs are written with."""
    import tymdocs.signing.round  # noqa: F401
    from tymdocs.output import prepare

    prepare()


def _agreement_docx(agreement: Agreement, document: Document, stamp: Stamp) -> Output:
    from tymdocs.render.docx import render_docx

    docx = render_docx(document, stamp, agreement.authors)
    return Output(f"{agreement.meta.id}.docx", "agreement-docx", docx)


def _packages(
    agreement: Agreement,
    document: Document,
    stamp: Stamp,
    laid_out: AgreementPdf,
    ahead: CoversAhead | None,
) -> Iterator[Output]:
    """The signature packages, then the one copy for everyone (a kind of its own), with what
    the manifest says of each; their agreement pages ``laid_out``'s, their covers ``ahead``'s
    where those were laid out with the right pages."""
    from tymdocs.signing.packages import build_packages, signature_slots

    slots = signature_slots(agreement)
    signatories = {s.field: s.signatory.name for s in slots if s.signatory is not None}
    for package in build_packages(agreement, document, stamp, laid_out=laid_out, ahead=ahead):
        fields = [field.name for field in package.fields]
        party = package.party.id if package.party else None
        extra = (("party", party), ("fields", fields), ("signatories", signatories))
        kind = "signature-package" if party else "signature-copy"
        yield Output(package.name, kind, package.data, extra)


def _docx_packages(agreement: Agreement, document: Document, stamp: Stamp) -> Iterator[Output]:
    """The signature packages as DOCX, for parties that sign in Word or on paper: a kind of
    their own, so that ``verify`` never takes one for the PDF package of its party."""
    from tymdocs.signing.packages import build_docx_packages

    for party, name, data in build_docx_packages(agreement, document, stamp):
        yield Output(name, "signature-package-docx", data, (("party", party.id),))


@dataclass(frozen=True)
class BuildResult:
    out: Path
    manifest: dict[str, Any]
    up_to_date: bool
    problems: tuple[Problem, ...]


Progress = Callable[[str, str], None]


def build(
    source: Source,
    out: Path,
    *,
    force: bool = False,
    selection: Selection = "all",
    progress: Progress | None = None,
    threads: bool = True,
) -> BuildResult:
    """Validate, render and write every output of ``source`` into ``out``; ``threads``: with
    a second thread for Typst (:func:`_render`), the same bytes either way.

    The agreement as in force on a date is built without signature packages: it is a
    consolidated text for reading, and what parties sign are versions.
    """
    if source.at is not None:
        selection = "agreement"
    source_fingerprint = fingerprint(source.tree)
    identity = _identity(source, source_fingerprint, selection)
    previous = read_manifest(out / MANIFEST)
    if not force and previous is not None and matches(previous, identity, out):
        return BuildResult(out, previous, True, ())

    from tymdocs.hints import hint_file

    manifest, outputs, problems = render_build(
        source, source_fingerprint, identity, selection, progress, threads, hint_file(out, "covers")
    )
    replace_directory(out, outputs, owner=manifest["agreement"]["id"])
    if progress:
        progress(MANIFEST, "manifest")
    return BuildResult(out, manifest, False, problems)


def build_outputs(source: Source, selection: Selection = "all") -> list[Output]:
    """Every file ``build`` writes for ``source``, its manifest last, in memory: what
    ``tymdocs site`` puts beside each version, byte for byte what a build writes."""
    if source.at is not None:
        selection = "agreement"
    source_fingerprint = fingerprint(source.tree)
    identity = _identity(source, source_fingerprint, selection)
    return render_build(source, source_fingerprint, identity, selection)[1]


def render_build(
    source: Source,
    source_fingerprint: str,
    identity: dict[str, Any],
    selection: Selection,
    progress: Progress | None = None,
    threads: bool = True,
    hint: Path | None = None,
) -> tuple[dict[str, Any], list[Output], tuple[Problem, ...]]:
    """Validate and render ``source``: its manifest, every output with the manifest last,
    and the warnings the sources gave; ``threads`` and ``hint`` as :func:`_render` takes
    them."""
    from tymdocs.checks import validate
    from tymdocs.document import compose

    loaded = validate(source.tree)
    if loaded.agreement is None:
        raise SourceError(loaded.problems)
    agreement = loaded.agreement
    document = compose(agreement, source.notes)
    stamp = stamp_of(source, source_fingerprint, agreement)

    outputs: list[Output] = []
    for output in _render(agreement, document, stamp, selection, threads, hint):
        outputs.append(output)
        if progress:
            progress(output.name, output.kind)
    from tymdocs.signing.round import version_signing  # loaded by _meanwhile

    manifest = {
        **identity,
        "agreement": {
            "id": agreement.meta.id,
            "title": agreement.meta.title,
            "effective_date": agreement.meta.effective_date.isoformat(),
        },
        "version": stamp.version_label,
        "signing": version_signing(agreement, stamp),
        "renderer": _renderer(identity["tool"], outputs),
        "record": _record(source),
        "outputs": [output.entry() for output in outputs],
        "regenerate": _regenerate_command(source, selection),
    }
    outputs.append(Output(MANIFEST, "manifest", dump_json(manifest)))
    return manifest, outputs, loaded.problems


def _renderer(tool: dict[str, str], outputs: list[Output]) -> dict[str, Any]:
    """Which Typst made the PDFs: the Python package (``tool``'s) and the compiler it bundles,
    as the first PDF names its creator (every PDF of a build names the same)."""
    from tymdocs.render.typst import compiler_version, creator_version

    pdf = next((output.data for output in outputs if output.name.endswith(".pdf")), None)
    compiler = compiler_version() if pdf is None else creator_version(pdf)
    return {"typst": {"package": tool["typst"], "compiler": compiler}}


def stamp_of(source: Source, source_fingerprint: str, agreement: Agreement) -> Stamp:
    """What every page of this version's documents carries; an amendment's, what its
    packages' cover says of it (``agreement`` is the version's, as validated), in its
    language."""
    from tymdocs.document import Stamp
    from tymdocs.locale import speaking

    with speaking(agreement.meta.language):
        amendment = _amendment(source, agreement)
    return Stamp(
        source.commit,
        source.draft,
        source_fingerprint,
        source.timestamp,
        source.label,
        amendment,
    )


def _amendment(source: Source, b: Agreement) -> Amendment | None:
    """Where ``source`` is an amendment: its number and the version before it, the record
    cited, its effective date, and the parts it changes, by the change set ``tymdocs diff``
    gives between the two versions. Read from the register up to the amendment, so that its
    packages are the same before and after it is signed."""
    version, history, tree = source.version, source.history, source.tree
    if version is None or version.record.kind != "amendment" or history is None:
        return None
    if not isinstance(tree, GitTree):  # a recorded version is read from its commit
        return None
    before = [v for v in history.versions() if v.number < version.number]
    if not before:
        return None
    from tymdocs.changes import compare
    from tymdocs.checks import validate
    from tymdocs.document import Amendment
    from tymdocs.revision import open_source
    from tymdocs.signing.round import signing_mode

    previous = open_source(tree.root, before[-1].commit)
    a = validate(previous.tree).agreement
    if a is None:
        return None
    report = compare(
        a,
        b,
        a_label=previous.label,
        b_label=source.label,
        author="",
        date=version.record.date,
        notes_a=previous.notes,
        notes_b=source.notes,
    )
    record = version.record
    return Amendment(
        number=version.number,
        previous=before[-1].number,
        record=cite(record, {party.id: party.name for party in b.parties}),
        effective=record.effective or record.date,  # once signed, as the label has it
        parts=tuple(change.part for change in report.changes),
        signing=signing_mode(b.meta.policy.signing, a.meta.policy.signing),
    )


def _record(source: Source) -> dict[str, Any] | None:
    """The version and the record that made it; for a date, which version each part is."""
    if source.in_force is not None:
        in_force = source.in_force
        parts = {MAIN_TEXT: in_force.main.number}
        parts |= {annex_part(n): v.number for n, v in sorted(in_force.annexes.items())}
        return {"in_force_on": in_force.day.isoformat(), "parts": parts}
    if source.version is None:
        return None
    entry = source.version.entry
    return {"commit": entry.commit} | record_dict(entry.record)


def _identity(source: Source, source_fingerprint: str, selection: Selection) -> dict[str, Any]:
    """What decides the bytes of a build (:func:`~tymdocs.quick.manifest_identity`)."""
    return manifest_identity(
        source.commit,
        source.dirty,
        source.draft,
        source_fingerprint,
        source.timestamp,
        source.label,
        selection,
    )


def _regenerate_command(source: Source, selection: Selection) -> str:
    if source.dirty or source.commit is None:
        return "tymdocs build  # from uncommitted sources: commit them to make this reproducible"
    if source.at is not None:
        where = in_folder(source.location)
        return f"tymdocs{where} build --at {source.at.isoformat()} --ref {source.ref}"
    return rebuild_command(source.location, source.commit, selection)


def current_fingerprint(root: Path, rev: str) -> str | None:
    """The fingerprint of the committed sources at ``rev``, when ``root`` is in git; a
    ``rev`` git does not know is a usage error, never a check skipped."""
    from tymdocs import git

    if not git.is_repository(root):
        return None
    return fingerprint(GitTree(root, commit_of(root, rev)))
