"""``tymdocs.yaml``: the agreement's metadata as frozen dataclasses; unknown keys rejected."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

from tymdocs import __version__, yamlsrc
from tymdocs.errors import Problem, has_errors
from tymdocs.locale import DEFAULT_LANGUAGE, LANGUAGES, label, speaking
from tymdocs.model import (
    PARTY_ROLES,
    RECORDS_NEEDED,
    SIGNING_MODES,
    ChangeRule,
    Extension,
    Metadata,
    Origin,
    Party,
    PartyRole,
    Policy,
    RecordNeeded,
    Signatory,
    SigningMode,
    SteeringGroup,
    Unread,
)
from tymdocs.paths import CONFIG_FILE
from tymdocs.yamlsrc import Node, YamlSource, load_yaml

ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
"""An agreement's or a party's id: lower-case letters, digits, '-' and '_'."""

ID_LIMIT = 64
"""The most characters an agreement's or a party's id may have: ids name the output files
(``<id>-allekirjoitus-<party>.pdf`` holds both, and build writes it under a temporary name
first), and a file name has at most 255 bytes on the usual file systems."""

CURRENT_FORMAT = 2
"""The form ``tymdocs.yaml`` is written in today, declared as ``format: 2``. Format 1 (no
``format:`` key) is every form released before: ``change_rules`` as the mapping of today, or
the oldest shape ``{main_text: R, annexes: R, composition: R}``. Both are still read."""
OLD_RECORDS = ("amendment", "decision", "notice")
"""What the oldest ``change_rules`` shape names for a part: the record its change needs."""


@dataclass(frozen=True)
class AnnexRoles:
    """What the oldest ``change_rules`` shape needs to know of the annexes of the tree the file
    belongs to: which are the composition (its ``composition:`` rule is theirs), and which the
    steering group's appointment, with the body that decided it (§ 4: the appointment changes
    only by a decision of the appointing party, which that shape could not say)."""

    compositions: frozenset[int] = frozenset()
    appointments: tuple[tuple[int, str], ...] = ()
    """(number, the body whose decision the annex is)"""

    def __or__(self, other: AnnexRoles) -> AnnexRoles:
        return AnnexRoles(
            self.compositions | other.compositions,
            tuple(sorted({*self.appointments, *other.appointments})),
        )


RolesOf = Callable[[], AnnexRoles]
"""The tree's :class:`AnnexRoles`, asked for only when the oldest shape needs them."""


def load_source(text: str, path: str) -> tuple[YamlSource | None, tuple[Problem, ...]]:
    """:func:`load_yaml` of ``text``, the source ``path``, and its problems: once per process
    for each text, as a command reads a version's file for its id, its rules and its model,
    and the versions it compares share most files. The source is shared: nothing may change
    it."""
    return _loaded(text, path, yamlsrc.LIBYAML)


@functools.lru_cache(maxsize=32)
def _loaded(text: str, path: str, _libyaml: bool) -> tuple[YamlSource | None, tuple[Problem, ...]]:
    """:func:`load_source`'s, by all it depends on: the parser in use too, which tests set."""
    problems: list[Problem] = []
    return load_yaml(text, path, problems), tuple(problems)


class _RolesAsked(Exception):
    """The oldest ``change_rules`` shape asked for the annex roles of its tree."""


def _roles_asked() -> AnnexRoles:
    raise _RolesAsked


@functools.lru_cache(maxsize=16)
def _metadata(text: str, _libyaml: bool) -> Metadata | None:
    """``tymdocs.yaml``'s metadata, once per process for each text (and parser);
    :class:`_RolesAsked` where its meaning depends on the tree's annexes (the oldest shape),
    not on the text alone."""
    source, problems = load_source(text, CONFIG_FILE)
    return read_metadata(source, [*problems], _roles_asked) if source is not None else None


def parse_metadata(data: bytes, roles: RolesOf) -> Metadata | None:
    """``tymdocs.yaml`` from its bytes when it reads cleanly, None otherwise: for commands
    that need the agreement's id or rules; its problems are ``check``'s to report."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    try:
        return _metadata(text, yamlsrc.LIBYAML)
    except _RolesAsked:
        source, problems = load_source(text, CONFIG_FILE)
        assert source is not None
        return read_metadata(source, [*problems], roles)


def read_format(root: Node) -> int | None:
    """The format the file declares, 1 when it declares none; None (reported) when it is
    not one this version reads."""
    if not isinstance(root.value, dict) or "format" not in root.value:
        return 1
    node = Node(root.source, ("format",), root.value["format"], root.problems)
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool) and value > CURRENT_FORMAT:
        shown = str(value) if value < 10**9 else f"{str(value)[:9]}…"
        node.problem(
            f"format {shown} is newer than this tymdocs ({__version__}) reads: upgrade tymdocs"
        )
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    shown = repr(value) if isinstance(value, str | bool | None) else str(value)
    node.problem(
        f"format: expected the number of a format of {CONFIG_FILE} (1 to {CURRENT_FORMAT}), "
        f"got {shown[:40]}"
    )
    return None


def read_metadata(source: YamlSource, problems: list[Problem], roles: RolesOf) -> Metadata | None:
    """Read the whole file, recording every problem; None when something required is unusable.

    A file in an older format reads with one warning that says how to upgrade it; one in a
    format this version does not know is that one error, and nothing else is read.
    """
    root = Node.root(source, problems)
    form = read_format(root)
    if form is None:
        return None
    if form < CURRENT_FORMAT and isinstance(root.value, dict):
        declared = "" if "format" in root.value else " (no 'format:' key)"
        root.problem(
            f"{CONFIG_FILE} is written in format {form}{declared}; the current format is "
            f"{CURRENT_FORMAT}: run 'tymdocs upgrade'",
            severity="warning",
        )
    fields = root.mapping(
        required=("id", "title", "area", "parties", "effective_date", "court"),
        optional=(
            "format",
            "language",
            "municipalities",
            "valid_until",
            "extension",
            "steering_group",
            "change_rules",
        ),
    )
    if fields is None:
        return None
    agreement_id = _identifier(fields.get("id"))
    title = fields["title"].text() if "title" in fields else None
    area = fields["area"].text() if "area" in fields else None
    language = fields["language"].choice(LANGUAGES) if "language" in fields else DEFAULT_LANGUAGE
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
    extension = _extension(fields["extension"], valid_until) if "extension" in fields else None
    court = fields["court"].text() if "court" in fields else None
    steering = _steering_group(fields["steering_group"]) if "steering_group" in fields else None
    with speaking(language or DEFAULT_LANGUAGE):  # the steering group's name by default
        policy = (
            read_policy(
                fields["change_rules"], form, roles, steering.appointed_by if steering else None
            )
            if "change_rules" in fields
            else default_policy()
        )
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
        extension=extension,
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
    if text is not None and not ID.fullmatch(text):
        node.problem(f"{node.name}: {text!r} must be lower-case letters, digits, '-' or '_'")
        return None
    if text is not None and len(text) > ID_LIMIT:
        node.problem(
            f"{node.name}: {text[:20]!r}… is {len(text)} characters long, at most {ID_LIMIT}: "
            "the id names the output files, and a file name has at most 255 bytes"
        )
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


def _extension(node: Node, valid_until: dt.date | None) -> Extension | None:
    """``extension: {months: 12, times: 1, objection_by: 2026-09-30}``: only beside a
    ``valid_until``, with the objection deadline on or before it."""
    fields = node.mapping(required=("months", "times", "objection_by"))
    if fields is None or len(fields) < 3:
        return None
    months, times = fields["months"].integer(), fields["times"].integer()
    objection_by = fields["objection_by"].date()
    for key, value, most in (("months", months, 120), ("times", times, 99)):
        if value is not None and not 0 < value <= most:
            fields[key].problem(f"extension.{key} must be a whole number from 1 to {most}")
            return None
    if months is None or times is None or objection_by is None:
        return None
    if valid_until is None:
        node.problem("an extension needs valid_until: the fixed term it extends")
        return None
    if objection_by > valid_until:
        fields["objection_by"].problem(
            f"extension.objection_by {objection_by} is after valid_until {valid_until}: "
            "an objection comes before the term it would end"
        )
        return None
    return Extension(months, times, objection_by, Origin(node.source.path, node.line))


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
    """The seed's rules (§ 12): the main text by amendment, every annex by the steering group
    (``Johtoryhmä``; ``Ledningsgruppen`` in a Swedish agreement)."""
    return Policy(
        main_text=ChangeRule("amendment"),
        annexes=(),
        default=ChangeRule("decision", body=label("steering_group")),
    )


def read_policy(node: Node, form: int, roles: RolesOf, appointed_by: str | None) -> Policy | None:
    """``change_rules`` as a complete policy by annex number, in either shape format 1 knew;
    ``appointed_by`` is the party that appoints the steering group (``steering_group``)."""
    if is_old_shape(node.value):
        if form == 1:
            return _old_policy(node, roles(), appointed_by)
        node.problem(
            f"{node.name}: 'annexes: <record>' and 'composition:' are the oldest form, read only "
            f"in format 1; in format {form} annexes is a mapping: "
            "annexes: {default: {record: decision, body: Johtoryhmä}, 2: {record: notice}}",
            at_key=True,
        )
        return None
    return _policy(node)


def is_old_shape(value: Any) -> bool:
    """Whether ``change_rules`` is written the oldest way: ``{main_text: R, annexes: R,
    composition: R}``, each R the record that part's change needs."""
    return isinstance(value, dict) and (
        "composition" in value or isinstance(value.get("annexes"), str)
    )


def _old_rule(record: str) -> ChangeRule:
    """What the oldest shape's word meant for the annexes: a decision is the steering
    group's (as :func:`default_policy` has it), a notice or an amendment is just that."""
    if record == "decision":
        return default_policy().default
    return ChangeRule(cast(RecordNeeded, record))


def _old_policy(node: Node, roles: AnnexRoles, appointed_by: str | None) -> Policy | None:
    """The oldest ``change_rules`` as a policy: every annex by ``annexes``' record, the
    composition annexes (their numbers from the tree's files) by ``composition``'s. Where the
    annexes change by decision, the appointment annex changes by a decision of the body that
    made it, for the party that appoints the group: the one reading under which such a file
    is valid (``checks`` holds every policy to it), made explicit by ``tymdocs upgrade``."""
    fields = node.mapping(required=("main_text", "annexes", "composition"))
    if fields is None or len(fields) < 3:
        return None
    main_text = fields["main_text"].choice(("amendment",))
    annexes = fields["annexes"].choice(OLD_RECORDS)
    composition = fields["composition"].choice(OLD_RECORDS)
    if main_text is None or annexes is None or composition is None:
        return None
    default = replace(_old_rule(annexes), origin=Origin(node.source.path, fields["annexes"].line))
    origin = Origin(node.source.path, fields["composition"].line)
    rule = replace(_old_rule(composition), origin=origin)
    numbered = {number: rule for number in roles.compositions if rule != default}
    if annexes == "decision" and appointed_by is not None:
        for number, body in roles.appointments:
            numbered[number] = ChangeRule(
                "decision", body=body, party=appointed_by, origin=default.origin
            )
    return Policy(default_policy().main_text, tuple(sorted(numbered.items())), default)


def _policy(node: Node) -> Policy | None:
    """``change_rules``: the record each part's change needs; every problem reported."""
    fields = node.mapping(
        required=("main_text",),
        optional=("annexes", "termination_notice_months", "require_signed_records", "signing"),
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
    signing: SigningMode | None = default.signing
    if "signing" in fields:
        signing = cast(SigningMode | None, fields["signing"].choice(SIGNING_MODES))
    if not usable or months is None or signed is None or signing is None:
        return None
    return Policy(default.main_text, tuple(sorted(annexes)), fallback, months, signed, signing)


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
