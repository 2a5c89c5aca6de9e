"""Signature packages: one PDF per party with the agreement, every annex and a signature page
carrying one empty PAdES field per signatory of every party.

:func:`signature_slots` is the plan (which field belongs to whom, named ``sig-<party>-<n>``);
:func:`build_packages` renders it with Typst, asks Typst where each drawn box ended up, and
puts the fields exactly there. The signature page keeps each party's heading with its fields
(repeated as "… (jatkuu)" on a further page when a party needs more than one), and the cover
names the page of every field, as Typst placed it.

:func:`build_docx_packages` makes the same package as a DOCX for a party that signs in Word,
in its own e-signing or case-management system, or on paper: the same cover, agreement and page
breaks, and a signature page with a line to sign, the name and title, and a line for place and
date per signatory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, assert_never

from tymdocs.document import Document, Stamp
from tymdocs.locale import (
    capitalise,
    format_date,
    instructions,
    label,
    label_around,
    labels,
    speaking,
    speaking_through,
)
from tymdocs.model import Agreement, Party, Signatory

if TYPE_CHECKING:  # the PDF packages' modules, which the DOCX packages do without
    from tymdocs.render.typst import AgreementPdf
    from tymdocs.signing.covers import CoversAhead
    from tymdocs.signing.fields import SignatureField


@dataclass(frozen=True)
class Slot:
    """One signature field and whom it is for; ``signatory`` is None while a party names none."""

    field: str
    party: Party
    signatory: Signatory | None

    @property
    def expected(self) -> str:
        """Who should sign here, as the cover and the report name them."""
        if self.signatory is None:
            return f"{self.party.name}: {label('unnamed_signatory')}"
        return f"{self.party.name}: {self.signatory.name}, {self.signatory.title}"


@dataclass(frozen=True)
class Package:
    """A built package: its file name, bytes and the fields it carries."""

    party: Party | None
    """Whose package it is; None: the one copy for everyone (``<id>-allekirjoitettava.pdf``)."""
    name: str
    data: bytes
    fields: tuple[SignatureField, ...]


def signature_slots(agreement: Agreement) -> tuple[Slot, ...]:
    """Every signature field of a version, party by party, in the order of ``tymdocs.yaml``."""
    slots: list[Slot] = []
    for party in agreement.parties:
        signatories: tuple[Signatory | None, ...] = party.signatories or (None,)
        for number, signatory in enumerate(signatories, start=1):
            slots.append(Slot(f"sig-{party.id}-{number}", party, signatory))
    return tuple(slots)


def package_name(agreement: Agreement, party: Party | None, extension: str = "pdf") -> str:
    """``lansi-pirkanmaa-tym-allekirjoitus-kela.pdf``: the agreement's id, then the party's;
    the copy for everyone ``lansi-pirkanmaa-tym-allekirjoitettava.pdf``."""
    if party is None:
        return label("common_copy_file", id=agreement.meta.id, extension=extension)
    return label("package_file", id=agreement.meta.id, party=party.id, extension=extension)


def build_packages(
    agreement: Agreement,
    document: Document,
    stamp: Stamp,
    parties: tuple[Party, ...] | None = None,
    *,
    everyone: bool = True,
    laid_out: AgreementPdf | None = None,
    ahead: CoversAhead | None = None,
) -> Iterator[Package]:
    """The signature packages of ``parties`` (default: every party), then, with ``everyone``,
    the one copy for everyone, carrying the same fields, for a round in an e-signing service
    or from signatory to signatory.

    A package is its cover, the agreement PDF's pages (``laid_out``, the build's, or laid
    out here) and the signature page (:func:`_assembled`), whichever are asked for, so that a
    package's bytes never depend on which others were built with it; the covers laid out
    ``ahead`` where they were laid out with the right pages. In the agreement's language."""
    steps = _build_packages(agreement, document, stamp, parties, everyone, laid_out, ahead)
    return speaking_through(agreement.meta.language, steps)


def _build_packages(
    agreement: Agreement,
    document: Document,
    stamp: Stamp,
    parties: tuple[Party, ...] | None,
    everyone: bool,
    laid_out: AgreementPdf | None,
    ahead: CoversAhead | None,
) -> Iterator[Package]:
    from tymdocs.render.typst import render_agreement
    from tymdocs.signing.fields import add_signature_fields

    slots = signature_slots(agreement)
    chosen: list[Party | None] = list(agreement.parties if parties is None else parties)
    if everyone:
        chosen.append(None)
    data = _packages_data(agreement, stamp, agreement.parties, slots)
    if laid_out is None:
        laid_out = render_agreement(document, stamp, agreement.authors)
    assembled = _assembled(document, stamp, data, laid_out, ahead)
    for party in chosen:
        index = agreement.parties.index(party) if party else len(agreement.parties)
        pdf, boxes = assembled(index)
        fields = place_fields(slots, boxes)
        yield Package(
            party, package_name(agreement, party), add_signature_fields(pdf, fields), fields
        )


def _assembled(
    document: Document,
    stamp: Stamp,
    data: dict[str, Any],
    laid_out: AgreementPdf,
    ahead: CoversAhead | None = None,
) -> Callable[[int], tuple[bytes, list[dict[str, Any]]]]:
    """The package of each cover (by index), with its signature boxes by page of the package.

    The agreement's pages are the agreement PDF's own (laid out again, untagged, with the
    running header on one line, only where the agreement PDF's took two lines); Typst lays
    every cover and the signature page out once, the covers' contents at the agreement's
    pages, as its bookmarks give them (or takes those laid out ``ahead`` with the same
    pages); a package is its cover's pages, the agreement's and the signature page's."""
    from tymdocs.render.pages import LaidOut, Metadata
    from tymdocs.render.typst import render_agreement
    from tymdocs.signing.covers import lay_out_covers

    if laid_out.two_line_header:
        laid_out = render_agreement(document, stamp, for_packages=True)
    body = LaidOut(laid_out.pdf)
    pages = body.outline_pages()  # where each part starts, its bookmark's page
    if len(pages) != len(document.parts):
        raise AssertionError("every part of the agreement must have one bookmark")
    data = data | {"contents": _contents(document, [page + 1 for page in pages])}
    if ahead is not None:
        pdf, boxes, marks = ahead.covers(data)
    else:
        pdf, boxes, marks = lay_out_covers(document, stamp, data)
    covers = LaidOut(pdf)
    signatures = range(marks[-1]["page"] - 1, covers.page_count)
    prefixes = (label("cover_page_prefix"), label("signature_page_prefix"))

    def package(index: int) -> tuple[bytes, list[dict[str, Any]]]:
        start, after = marks[index], marks[index + 1]
        cover = range(start["page"] - 1, after["page"] - 1)
        party = data["parties"][index]
        metadata = Metadata(party["title"], party["subject"], tuple(party["keywords"]))
        before = len(cover) + body.page_count - signatures.start
        own = [box | {"page": box["page"] + before} for box in boxes]
        return covers.package(cover, body, signatures, prefixes, metadata), own

    return package


def covers_data(
    agreement: Agreement, document: Document, stamp: Stamp, pages: list[int]
) -> dict[str, Any]:
    """What package.typ lays the covers and the signature page out from, the parts at
    ``pages`` (from 1): as the packages make it, for laying the covers out ahead of them
    (:mod:`tymdocs.signing.covers`)."""
    with speaking(agreement.meta.language):
        data = _packages_data(agreement, stamp, agreement.parties, signature_slots(agreement))
    return data | {"contents": _contents(document, pages)}


def _contents(document: Document, pages: list[int]) -> list[dict[str, Any]]:
    """What a cover's contents list: each part of the agreement at its page (from 1)."""
    return [
        {"heading": part.heading, "page": page}
        for part, page in zip(document.parts, pages, strict=True)
    ]


def build_docx_packages(
    agreement: Agreement, document: Document, stamp: Stamp
) -> Iterator[tuple[Party, str, bytes]]:
    """Every party's signature package as a DOCX, with its file name: for a party that signs
    in its own e-signing or case-management system, or on paper. The same cover, agreement
    and signature page as the PDF package, with lines to sign instead of fields; in the
    agreement's language."""
    steps = _build_docx_packages(agreement, document, stamp)
    return speaking_through(agreement.meta.language, steps)


def _build_docx_packages(
    agreement: Agreement, document: Document, stamp: Stamp
) -> Iterator[tuple[Party, str, bytes]]:
    from tymdocs.render.docx import (
        PackageCover,
        PackageSheet,
        SignatureLine,
        SigningParty,
        render_docx_packages,
    )

    slots = signature_slots(agreement)
    sheet = PackageSheet(
        facts=tuple((fact.label, "\n".join(fact.lines)) for fact in cover_facts(agreement, stamp)),
        signatories=tuple(slot.expected for slot in slots),
        round=signing_round(agreement, stamp, slots),
        instructions=instructions(docx=True),
        paper=label("paper_instructions"),
        statement=label(
            "docx_signing_statement",
            version=stamp.version_label,
            fingerprint=stamp.fingerprint[:16],
        ),
        parties=tuple(
            SigningParty(
                party.name,
                party.represented_by or "",
                tuple(
                    SignatureLine(slot.signatory.name, slot.signatory.title)
                    if slot.signatory
                    else SignatureLine("", "")
                    for slot in slots
                    if slot.party == party
                ),
            )
            for party in agreement.parties
        ),
    )
    covers = tuple(
        PackageCover(
            party=party.name,
            title=label("package_title", title=agreement.meta.title, party=party.name),
            subject=label("package_subject", party=party.name, version=stamp.version_label),
            keywords=_keywords(party, stamp),
        )
        for party in agreement.parties
    )
    rendered = render_docx_packages(document, stamp, sheet, covers, agreement.authors)
    for party, data in zip(agreement.parties, rendered, strict=True):
        yield party, package_name(agreement, party, "docx"), data


@dataclass(frozen=True)
class Fact:
    """A line of the cover's facts: a label and its value, one line or more; ``code``: an
    identifier (a commit, a fingerprint), set apart from the words."""

    label: str
    lines: tuple[str, ...]
    code: bool = False


def cover_facts(agreement: Agreement, stamp: Stamp) -> tuple[Fact, ...]:
    """What the cover says of the version, in both formats: the version as its pages name
    it and the effective date, the commit and the fingerprint; for an amendment also which
    version it changes, the record it rests on, the day it takes effect once signed and the
    parts it changes, in place of the agreement's own effective date."""
    amendment = stamp.amendment
    effective: tuple[Fact, ...]
    if amendment is None:
        effective = (Fact(label("effective"), (format_date(agreement.meta.effective_date),)),)
    else:
        when = label("in_force_when_signed", date=format_date(amendment.effective))
        of = label("amendment_of", number=amendment.number, previous=amendment.previous)
        effective = (
            Fact(label("amendment"), (of,)),
            Fact(label("amendment_record"), (amendment.record,)),
            Fact(label("effective"), (capitalise(when),)),
            Fact(label("changed_parts"), amendment.parts),
        )
    return (
        Fact(label("package_version"), (stamp.version_label,)),
        *effective,
        Fact(label("commit"), (stamp.commit or "",), code=True),
        Fact(label("fingerprint_full"), (stamp.fingerprint,), code=True),
    )


EVERYONE_KEYWORD = "copy:everyone"
"""What the copy for everyone's properties say where a party's package names its party."""


def _keywords(party: Party | None, stamp: Stamp) -> tuple[str, ...]:
    """What a package's properties say of whose and which it is, beside the fingerprint."""
    return (
        f"party:{party.id}" if party else EVERYONE_KEYWORD,
        f"commit:{stamp.commit or ''}",
        *(("draft",) if stamp.draft else ()),
    )


def place_fields(
    slots: tuple[Slot, ...], boxes: list[dict[str, Any]]
) -> tuple[SignatureField, ...]:
    """A field per slot on the box Typst reports for it: the box's top-left corner, measured
    from the top of the page, turned into a PDF rectangle, measured from the bottom."""
    from tymdocs.signing.fields import SignatureField

    tooltips = {slot.field: slot.expected for slot in slots}
    fields = []
    for box in boxes:
        x, top = float(box["x"]), float(box["page_height"]) - float(box["y"])
        rect = (x, top - float(box["height"]), x + float(box["width"]), top)
        fields.append(SignatureField(box["field"], int(box["page"]), rect, tooltips[box["field"]]))
    if sorted(f.name for f in fields) != sorted(tooltips):
        raise AssertionError("every slot must have exactly one box on the signature page")
    return tuple(fields)


def _packages_data(
    agreement: Agreement, stamp: Stamp, parties: tuple[Party, ...], slots: tuple[Slot, ...]
) -> dict[str, Any]:
    """What package.typ needs beyond the agreement: what every package shows (``shared``),
    and per party its cover's own facts (``parties``), the copy for everyone's last."""
    everyone = label("all_parties")
    return {
        "shared": _shared_data(agreement, stamp, slots),
        "parties": [
            {
                "title": label("package_title", title=agreement.meta.title, party=party.name),
                "heading": label("package"),
                "party": party.name,
                "subject": label("package_subject", party=party.name, version=stamp.version_label),
                "own_fields": [slot.field for slot in slots if slot.party == party],
                "keywords": [stamp.keyword, *_keywords(party, stamp)],
            }
            for party in parties
        ]
        + [
            {
                "title": label("common_copy_title", title=agreement.meta.title),
                "heading": label("common_copy"),
                "party": everyone,
                "subject": label("package_subject", party=everyone, version=stamp.version_label),
                "own_fields": [slot.field for slot in slots],
                "keywords": [stamp.keyword, *_keywords(None, stamp)],
            }
        ],
    }


def signing_round(agreement: Agreement, stamp: Stamp, slots: tuple[Slot, ...]) -> str:
    """Who signs what, where, and how many signatures the round needs, as the version is
    signed (:func:`~tymdocs.signing.round.version_signing`): what every cover says."""
    from tymdocs.signing.round import version_signing

    signing = version_signing(agreement, stamp)
    people, parties = len(slots), len(agreement.parties)
    match signing:
        case "counterparts":
            return label("round_counterparts", count=people)
        case "every-copy":
            return label("round_every_copy", count=people, parties=parties, all=people * parties)
        case _:
            assert_never(signing)


def _shared_data(agreement: Agreement, stamp: Stamp, slots: tuple[Slot, ...]) -> dict[str, Any]:
    """The facts, signatories and labels that every party's package shows alike."""
    table = labels()
    groups = [
        {
            "party": party.name,
            "continued": label("party_continued", party=party.name),
            "represented_by": party.represented_by or "",
            "slots": [
                {
                    "field": slot.field,
                    "name": slot.signatory.name if slot.signatory else "",
                    "title": slot.signatory.title if slot.signatory else "",
                }
                for slot in slots
                if slot.party == party
            ],
        }
        for party in agreement.parties
    ]
    expected = []
    for slot in slots:
        before, after = label_around("expected_on_page", "page", expected=slot.expected)
        expected.append({"field": slot.field, "before": before, "after": after})
    return {
        "facts": [
            {"label": fact.label, "lines": list(fact.lines), "code": fact.code}
            for fact in cover_facts(agreement, stamp)
        ],
        "expected": expected,
        "round": signing_round(agreement, stamp, slots),
        "instructions": list(instructions()),
        "signing_statement": label(
            "signing_statement", version=stamp.version_label, fingerprint=stamp.fingerprint[:16]
        ),
        "signature_groups": groups,
        "page_labels": {
            "cover": label("cover_page", page="{page}", total="{total}"),
            "signatures": label("signature_page", page="{page}", total="{total}"),
        },
        "labels": {
            key: table[key]
            for key in (
                "package",
                "expected",
                "instructions_title",
                "contents",
                "signatures",
                "name_line",
                "on_page",
                "on_pages",
                "signature_page_ref",
            )
        }
        | {"and": table["list_and"]},
    }
