"""``tymdocs.yaml``: the agreement's metadata as frozen dataclasses; unknown keys rejected."""

from __future__ import annotations

import re
from typing import cast

from tymdocs.errors import Problem, has_errors
from tymdocs.locale import label
from tymdocs.model import (
    PARTY_ROLES,
    RECORDS_NEEDED,
    ChangeRule,
    Metadata,
    Origin,
    Party,
    PartyRole,
    Policy,
    RecordNeeded,
    Signatory,
    SteeringGroup,
    Unread,
)
from tymdocs.paths import CONFIG_FILE
from tymdocs.yamlsrc import Node, YamlSource, load_yaml

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


def parse_metadata(data: bytes) -> Metadata | None:
    """``tymdocs.yaml`` from its bytes when it reads cleanly, None otherwise: for commands
    that need the agreement's id or rules; its problems are ``check``'s to report."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    problems: list[Problem] = []
    source = load_yaml(text, CONFIG_FILE, problems)
    return read_metadata(source, problems) if source is not None else None


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
    parties, unread = (
        _parties(fields["parties"]) if "parties" in fields else ((), Unread(any_party=True))
    )
    effective = fields["effective_date"].date() if "effective_date" in fields else None
    valid_until = fields["valid_until"].optional_date() if "valid_until" in fields else None
    if effective and valid_until and valid_until <= effective:
        fields["valid_until"].problem(
            f"valid_until {valid_until} is not after effective_date {effective}"
        )
    court = fields["court"].text() if "court" in fields else None
    steering = _steering_group(fields["steering_group"]) if "steering_group" in fields else None
    policy = _policy(fields["change_rules"]) if "change_rules" in fields else default_policy()
    if None in (agreement_id, title, area, language, effective, court, policy):
        return None
    assert agreement_id and title and area and effective and court and policy and language
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
        policy=policy,
        origins={
            Node(source, at, None, problems).name: Origin(source.path, line)
            for at, line in source.key_lines.items()
        },
        unread=unread,
    )


def _identifier(node: Node | None) -> str | None:
    if node is None:
        return None
    text = node.text()
    if text is not None and not _ID.fullmatch(text):
        node.problem(f"{node.name}: {text!r} must be lower-case letters, digits, '-' or '_'")
        return None
    return text


def _parties(node: Node) -> tuple[tuple[Party, ...], Unread]:
    """Every party that reads in full, and what is known of the entries that do not."""
    parties: list[Party] = []
    seen: set[str] = set()
    unread: set[str] = set()
    any_party = node.value is not None and not isinstance(node.value, list)
    for item in node.items():
        before = len(item.problems)
        party = _party(item, seen)
        if party is not None and not has_errors(item.problems[before:]):
            seen.add(party.id)
            parties.append(party)
            continue
        raw = item.value.get("id") if isinstance(item.value, dict) else None
        if not isinstance(raw, str):
            any_party = True
        elif raw not in seen:  # a duplicate's id is defined by the first entry
            unread.add(raw.casefold())
    if not parties and node.value is not None and not unread and not any_party:
        node.problem("the agreement needs at least one party")
    return tuple(parties), Unread(parties=frozenset(unread), any_party=any_party)


def _party(node: Node, seen: set[str]) -> Party | None:
    fields = node.mapping(
        required=("id", "name", "role"),
        optional=("short_name", "responsible_municipality", "represented_by", "signatories"),
    )
    if fields is None:
        return None
    party_id = _identifier(fields.get("id"))
    if party_id in seen:
        fields["id"].problem(f"duplicate party id '{party_id}'")
        return None
    name = fields["name"].text() if "name" in fields else None
    role = fields["role"].choice(PARTY_ROLES) if "role" in fields else None
    signatories = tuple(
        signatory
        for entry in (fields["signatories"].items() if "signatories" in fields else ())
        if (signatory := _signatory(entry)) is not None
    )
    if party_id is None or name is None or role is None:
        return None
    return Party(
        id=party_id,
        name=name.strip(),
        role=cast(PartyRole, role),
        short_name=_optional(fields, "short_name"),
        responsible_municipality=_optional(fields, "responsible_municipality"),
        represented_by=_optional(fields, "represented_by"),
        signatories=signatories,
        origin=Origin(node.source.path, node.line),
    )


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


def default_policy() -> Policy:
    """The seed's rules (§ 12): the main text by amendment, every annex by the steering group."""
    return Policy(
        main_text=ChangeRule("amendment"),
        annexes=(),
        default=ChangeRule("decision", body=label("steering_group")),
    )


def _policy(node: Node) -> Policy | None:
    """``change_rules``: the record each part's change needs; every problem reported."""
    fields = node.mapping(
        required=("main_text",),
        optional=("annexes", "termination_notice_months", "require_signed_records"),
    )
    if fields is None:
        return None
    default = default_policy()
    usable = "main_text" in fields and fields["main_text"].choice(("amendment",)) is not None
    annexes: list[tuple[int, ChangeRule]] = []
    fallback = default.default
    for key, entry in fields["annexes"].pairs() if "annexes" in fields else ():
        if key != "default" and (not isinstance(key, int) or isinstance(key, bool) or key <= 0):
            entry.problem(
                f"change_rules.annexes: an annex is given by its number or 'default', not {key!r}",
                at_key=True,
            )
            usable = False
            continue
        rule = _rule(entry)
        if rule is None:
            usable = False
        elif key == "default":
            fallback = rule
        else:
            annexes.append((key, rule))
    months: int | None = default.termination_notice_months
    if "termination_notice_months" in fields:
        months = fields["termination_notice_months"].integer()
        if months is not None and months < 0:
            fields["termination_notice_months"].problem("termination_notice_months is negative")
            months = None
    signed: bool | None = default.require_signed_records
    if "require_signed_records" in fields:
        signed = fields["require_signed_records"].boolean()
    if not usable or months is None or signed is None:
        return None
    return Policy(default.main_text, tuple(sorted(annexes)), fallback, months, signed)


def _rule(node: Node) -> ChangeRule | None:
    """One annex's rule: ``{record: decision, body: Johtoryhmä, review: yearly}``."""
    fields = node.mapping(required=("record",), optional=("body", "party", "review"))
    if fields is None or "record" not in fields:
        return None
    record = fields["record"].choice(RECORDS_NEEDED)
    if record is None:
        return None
    body = fields["body"].text() if "body" in fields else None
    party = _identifier(fields.get("party"))
    review = fields["review"].choice(("yearly",)) if "review" in fields else None
    if record == "decision" and body is None:
        if "body" not in fields:
            node.problem(f"{node.name}: a decision needs the body that decides ('body: …')")
        return None
    if record != "decision" and ("body" in fields or "party" in fields):
        node.problem(f"{node.name}: only a decision names a body and its party")
        return None
    if ("review" in fields and review is None) or ("party" in fields and party is None):
        return None  # reported: a rule read without it would be judged as another rule
    return ChangeRule(
        cast(RecordNeeded, record),
        body=body.strip() if body else None,
        party=party,
        yearly_review=review == "yearly",
        origin=Origin(node.source.path, node.line),
    )


def _optional(fields: dict[str, Node], key: str) -> str | None:
    if key not in fields:
        return None
    text = fields[key].optional_text()
    return text.strip() if text else None
