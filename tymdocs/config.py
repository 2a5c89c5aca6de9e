"""``tymdocs.yaml``: the agreement's metadata as frozen dataclasses; unknown keys rejected."""

from __future__ import annotations

import re
from typing import cast

from tymdocs.errors import Problem
from tymdocs.model import (
    CHANGE_RULES,
    PARTY_ROLES,
    ChangeRule,
    ChangeRules,
    Metadata,
    Origin,
    Party,
    PartyRole,
    Signatory,
    SteeringGroup,
)
from tymdocs.yamlsrc import Node, YamlSource

CONFIG_FILE = "tymdocs.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def read_metadata(source: YamlSource, problems: list[Problem]) -> Metadata | None:
    """Read the whole file, recording every problem; None when something required is unusable."""
    root = Node.root(source, problems)
    fields = root.mapping(
        required=("id", "title", "area", "parties", "effective_date", "court"),
        optional=(
            "language",
            "municipalities",
            "valid_until",
            "steering_group",
            "change_rules",
        ),
    )
    if fields is None:
        return None
    agreement_id = _identifier(fields.get("id"))
    title = fields["title"].text() if "title" in fields else None
    area = fields["area"].text() if "area" in fields else None
    language = fields["language"].choice(("fi",)) if "language" in fields else "fi"
    municipalities = (
        tuple(text for node in fields["municipalities"].items() if (text := node.text()))
        if "municipalities" in fields
        else ()
    )
    parties = _parties(fields["parties"]) if "parties" in fields else ()
    effective = fields["effective_date"].date() if "effective_date" in fields else None
    valid_until = fields["valid_until"].optional_date() if "valid_until" in fields else None
    if effective and valid_until and valid_until <= effective:
        fields["valid_until"].problem(
            f"valid_until {valid_until} is not after effective_date {effective}"
        )
    court = fields["court"].text() if "court" in fields else None
    steering = _steering_group(fields["steering_group"]) if "steering_group" in fields else None
    rules = (
        _change_rules(fields["change_rules"])
        if "change_rules" in fields
        else ChangeRules("amendment", "decision", "notice")
    )
    if None in (agreement_id, title, area, effective, court, rules):
        return None
    assert agreement_id and title and area and effective and court and rules and language
    return Metadata(
        id=agreement_id,
        title=title.strip(),
        language=language,
        area=area.strip(),
        municipalities=municipalities,
        parties=parties,
        effective_date=effective,
        valid_until=valid_until,
        court=court.strip(),
        steering_group=steering,
        change_rules=rules,
    )


def _identifier(node: Node | None) -> str | None:
    if node is None:
        return None
    text = node.text()
    if text is not None and not _ID.match(text):
        node.problem(f"{node.name}: {text!r} must be lower-case letters, digits, '-' or '_'")
        return None
    return text


def _parties(node: Node) -> tuple[Party, ...]:
    parties: list[Party] = []
    seen: set[str] = set()
    for item in node.items():
        fields = item.mapping(
            required=("id", "name", "role"),
            optional=("short_name", "responsible_municipality", "represented_by", "signatories"),
        )
        if fields is None:
            continue
        party_id = _identifier(fields.get("id"))
        if party_id in seen:
            fields["id"].problem(f"duplicate party id '{party_id}'")
            continue
        name = fields["name"].text() if "name" in fields else None
        role = fields["role"].choice(PARTY_ROLES) if "role" in fields else None
        signatories = tuple(
            signatory
            for entry in (fields["signatories"].items() if "signatories" in fields else ())
            if (signatory := _signatory(entry)) is not None
        )
        if party_id is None or name is None or role is None:
            continue
        seen.add(party_id)
        parties.append(
            Party(
                id=party_id,
                name=name.strip(),
                role=cast(PartyRole, role),
                short_name=_optional(fields, "short_name"),
                responsible_municipality=_optional(fields, "responsible_municipality"),
                represented_by=_optional(fields, "represented_by"),
                signatories=signatories,
                origin=Origin(item.source.path, item.line),
            )
        )
    if not parties and node.value is not None:
        node.problem("the agreement needs at least one party")
    return tuple(parties)


def _signatory(node: Node) -> Signatory | None:
    fields = node.mapping(required=("name", "title"))
    if fields is None or "name" not in fields or "title" not in fields:
        return None
    name, title = fields["name"].text(), fields["title"].text()
    if name is None or title is None:
        return None
    return Signatory(name.strip(), title.strip(), Origin(node.source.path, node.line))


def _steering_group(node: Node) -> SteeringGroup | None:
    fields = node.mapping(required=("appointed_by", "appointed_on", "term_years"))
    if fields is None or len(fields) < 3:
        return None
    appointed_by = _identifier(fields["appointed_by"])
    appointed_on = fields["appointed_on"].date()
    term = fields["term_years"].integer()
    if term is not None and term <= 0:
        fields["term_years"].problem("term_years must be positive")
        return None
    if appointed_by is None or appointed_on is None or term is None:
        return None
    return SteeringGroup(appointed_by, appointed_on, term, Origin(node.source.path, node.line))


def _change_rules(node: Node) -> ChangeRules | None:
    names = ("main_text", "annexes", "composition")
    fields = node.mapping(required=names)
    if fields is None or len(fields) < len(names):
        return None
    values = [fields[name].choice(CHANGE_RULES) for name in names]
    if None in values:
        return None
    main_text, annexes, composition = (cast(ChangeRule, value) for value in values)
    return ChangeRules(main_text, annexes, composition)


def _optional(fields: dict[str, Node], key: str) -> str | None:
    if key not in fields:
        return None
    text = fields[key].optional_text()
    return text.strip() if text else None
