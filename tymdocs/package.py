"""Signature packages: one PDF per party with the agreement, every annex and a signature page
carrying one empty PAdES field per signatory of every party.

:func:`signature_slots` is the plan (which field belongs to whom, named ``sig-<party>-<n>``);
:func:`build_package` renders it with Typst, asks Typst where each drawn box ended up, and
puts the fields exactly there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tymdocs.document import Document, Stamp
from tymdocs.locale import INSTRUCTIONS, LABELS, format_date, label
from tymdocs.model import Agreement, Party, Signatory
from tymdocs.render.fields import SignatureField, add_signature_fields


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

    party: Party
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


def package_name(agreement: Agreement, party: Party) -> str:
    return label("package_file", id=agreement.meta.id, party=party.id)


def build_package(agreement: Agreement, document: Document, stamp: Stamp, party: Party) -> Package:
    """The signature package of ``party`` for this version."""
    from tymdocs.render.typst import render_package

    slots = signature_slots(agreement)
    pdf, boxes = render_package(document, stamp, _package_data(agreement, stamp, party, slots))
    tooltips = {slot.field: slot.expected for slot in slots}
    fields = []
    for box in boxes:
        x, top = float(box["x"]), float(box["page_height"]) - float(box["y"])
        rect = (x, top - float(box["height"]), x + float(box["width"]), top)
        fields.append(SignatureField(box["field"], int(box["page"]), rect, tooltips[box["field"]]))
    if sorted(f.name for f in fields) != sorted(tooltips):
        raise AssertionError("every slot must have exactly one box on the signature page")
    return Package(
        party,
        package_name(agreement, party),
        add_signature_fields(pdf, tuple(fields)),
        tuple(fields),
    )


def _package_data(
    agreement: Agreement, stamp: Stamp, party: Party, slots: tuple[Slot, ...]
) -> dict[str, Any]:
    """What package.typ needs beyond the agreement itself."""
    groups = []
    for each in agreement.parties:
        groups.append(
            {
                "party": each.name,
                "represented_by": each.represented_by or "",
                "slots": [
                    {
                        "field": slot.field,
                        "name": slot.signatory.name if slot.signatory else "",
                        "title": slot.signatory.title if slot.signatory else "",
                    }
                    for slot in slots
                    if slot.party == each
                ],
            }
        )
    fingerprint = stamp.fingerprint[:16]
    return {
        "title": label("package_title", title=agreement.meta.title, party=party.name),
        "party": party.name,
        "subject": label("package_subject", party=party.name, version=stamp.version_label),
        "effective": format_date(agreement.meta.effective_date),
        "commit": stamp.commit or "",
        "fingerprint": stamp.fingerprint,
        "expected": [slot.expected for slot in slots],
        "instructions": list(INSTRUCTIONS),
        "signing_statement": label(
            "signing_statement", version=stamp.version_label, fingerprint=fingerprint
        ),
        "signature_groups": groups,
        "labels": {
            key: LABELS[key]
            for key in (
                "package",
                "effective",
                "commit",
                "expected",
                "instructions_title",
                "contents",
                "signatures",
                "name_line",
            )
        }
        | {"version": LABELS["package_version"], "fingerprint": LABELS["fingerprint_full"]},
        "keywords": [f"party:{party.id}", f"commit:{stamp.commit or ''}"]
        + (["draft"] if stamp.draft else []),
    }
