"""One rule, two commands (issue 16, item 6): over random histories, a record command refuses
a step exactly when ``check --governance`` flags the same step committed by hand, and for the
same reason.

Each example copies the adopted seed (version 1 on 1.5.2025) into a folder of its own and
takes 4-8 random steps on it: decisions (``approve``, with or without ``--effective``, any §,
the right body or a wrong one, over the right annexes or the wrong ones, or none), yearly
reviews (``approve --review N``), notices (of a party or of no party; rows of Liite 2 of the
notifying party, of another party or of none), amendments (the main text in docs_src/, with
or without annexes, or none), withdrawals of the pending amendment (the sources restored
first with ``git checkout <amendment>~1 -- .``, not restored, or restored and then changed),
terminations and objections (the seed has no extension, so every objection is refused by
both). Record dates fall between 1.4.2025 and 31.12.2026 (some before the adoption, some after
"today", 1.10.2026), effective dates on the date or up to three years after it, now and then
a few days before it.

Per step: the record command (in process, on the working tree) plans the record or refuses
it; then the same step is committed by hand, the files the command would commit with the
message of the record it would make (built here independently; equal to the plan's record
when the command accepts), on the same day; then the audit judges that commit alone.
Refused exactly when the audit has findings, and the refusal (without the hint after a
"no-change" refusal) is one of them. An accepted step is then made again by
:func:`carry_out` from the snapshot, which must give the hand-made commit's tree and message;
a refused one is reset away. The whole history audits clean at the end.

Two kinds of step are made only by hand, and judged against :func:`breaches` directly:

* signatures records (``amend --signed`` needs really signed PDFs, too slow here): one
  ``Tymdocs-Signed-Copy: <party> sha256:<hex>`` per party, or none, for the pending
  amendment or another version; the audit's findings are exactly the trailers' problems
  and the breaches of that step.
* commits without a record: the audit flags that commit, and the next record command
  refuses because of it (``no_unrecorded_commits``); then it is reset away.

Left out, being refusals of the record commands that are not rules of the agreement and so
have no counterpart in the audit:

* sources with ``check`` errors (``_valid``): every edit here keeps the sources valid (a
  counter in a YAML comment, a word of a sentence, a contact's or deputy's name);
* an earlier commit without a record (``no_unrecorded_commits``): the audit flags that
  commit itself, not the next record, so it is asserted apart (above);
* option errors (dates that do not parse, § <= 0, an empty or hiding ``-m``): never made;
* far-future effective dates (``--far-future``): effective dates stay within three years;
* ``amend --withdraw`` with no amendment awaiting signatures ("nothing to withdraw"): the
  audit flags such a hand-made withdrawal too, with its own message, so only refused ⇔
  flagged is asserted for it, not the message;
* the states of the repository (a detached HEAD, a merge in progress, HEAD moved) and
  ``adopt``, recorded once by the fixture.

``TYMDOCS_PROPERTY_EXAMPLES`` sets the number of examples (15 by default; 100 when
``HYPOTHESIS_PROFILE=long``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.helpers import RECORDED, fixed_git, git
from tymdocs.errors import RefusedError
from tymdocs.governance import recording, same_body
from tymdocs.governance.audit import audit
from tymdocs.governance.history import add_months, read_history
from tymdocs.governance.records import Attachment, Record, annex_part, parse_record
from tymdocs.governance.rules import Past, Step, breaches, restored_from
from tymdocs.revision import meta_reader

AGREEMENT = "lansi-pirkanmaa-tym"
TODAY = dt.date(2026, 10, 1)
"""The day the record commands take for today, and the day every commit is made (RECORDED)."""
ADOPTED = dt.date(2025, 5, 1)
FIRST_DAY, LAST_DAY = dt.date(2025, 4, 1), dt.date(2026, 12, 31)
PARTIES = ("tyollisyysalue", "hyvinvointialue", "kela")
NOTICE_MONTHS = 6
"""The seed's termination_notice_months."""
RULE_BODIES = {1: "Työllisyyslautakunta", 2: None, 3: "Johtoryhmä", 4: "Johtoryhmä"}
RULE_BODIES |= {5: "Johtoryhmä", 6: "Johtoryhmä", 7: "Johtoryhmä"}
"""The body each annex's rule names in the seed's change_rules (Liite 2: notices; an annex
the agreement has not, 7, falls to the default)."""
HINTS = (
    ": edit an annex first, or record a yearly review with --review N",
    ": edit the composition annex first",
)
UNRECORDED = re.compile(r"^commit ([0-9a-f]{12}) \(.*\) changed the agreement without a record")

_LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
EXAMPLES = int(os.environ.get("TYMDOCS_PROPERTY_EXAMPLES", "100" if _LONG else "15"))


# -- edits that keep the sources valid ----------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One change of one source file: ``anchor`` gets a counter after it, a new one each time."""

    path: str
    anchor: str
    annex: int | None
    section: int | None = None

    def apply(self, root: Path, counter: int) -> None:
        file = root / self.path
        text = file.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(self.anchor) + r"(?: \(\d+\))?")
        assert pattern.search(text), f"{self.anchor!r} not in {self.path}"
        file.write_text(
            pattern.sub(lambda _: f"{self.anchor} ({counter})", text, count=1), encoding="utf-8"
        )


LIITE_2 = "annexes/liite-2-kokoonpano.yaml"
CONTACTS = {
    "tyollisyysalue": "Tiina Leppäniemi",
    "hyvinvointialue": "Elina Anttila",
    "kela": "Annukka Eloranta",
}
EDITS: dict[str, Edit] = {
    "liite-1": Edit("annexes/liite-1-asettamispaatos.yaml", "# Liite 1: the decision", 1),
    "liite-2": Edit(LIITE_2, "# Liite 2: the steering group's composition", 2),
    "liite-2-member": Edit(LIITE_2, "deputy: Virpi Heikkinen", 2),
    **{
        f"liite-2-{party}": Edit(LIITE_2, f"party: {party}\n      name: {name}", 2)
        for party, name in CONTACTS.items()
    },
    "liite-3": Edit("annexes/liite-3-tavoitteet.yaml", "# Liite 3: goals", 3),
    "liite-4": Edit("annexes/liite-4-palvelut.md", "Kansaneläkelaitoksen kesken", 4),
    "liite-5": Edit("annexes/liite-5-henkilostoresurssi.yaml", "# Liite 5: staffing", 5),
    "section-4": Edit(
        "docs_src/04-johtoryhma.md", "on työllisyysalueen vastuukunta Sastamala", None, 4
    ),
    "section-12": Edit(
        "docs_src/12-voimassaolo-ja-muuttaminen.md", "muuttaa kirjallisesti sopimalla", None, 12
    ),
}


# -- the register as the test keeps it ---------------------------------------------------------


@dataclass
class Register:
    """What the kept records establish, tracked here apart from tymdocs."""

    root: Path
    version: int = 1
    pending: tuple[int, str, tuple[str, ...]] | None = None
    """The amendment awaiting signatures: version, commit, parts."""
    withdrawn: list[int] = field(default_factory=list)
    last_day: dt.date = ADOPTED
    counter: int = 0
    kept: list[str] = field(default_factory=list)

    def edit(self, names: list[str]) -> None:
        for name in names:
            self.counter += 1
            EDITS[name].apply(self.root, self.counter)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


def changed(root: Path) -> list[str]:
    return git(root, "diff", "--name-only", "HEAD").splitlines()


def commit_by_hand(root: Path, message: str, paths: list[str]) -> str:
    """The step as someone would commit it without tymdocs: these files, this message."""
    only = ["--", *paths] if paths else []
    git(root, "commit", "-q", "--allow-empty", "-m", message, *only, date=RECORDED)
    return head(root)


def message_of(root: Path, commit: str) -> str:
    return git(root, "log", "-1", "--format=%B", commit)


def iso(day: dt.date) -> str:
    return day.isoformat()


def annex_parts(names: list[str]) -> tuple[str, ...]:
    numbers = {EDITS[n].annex for n in names} - {None}
    return tuple(annex_part(n) for n in sorted(n for n in numbers if n is not None))


def canonical(body: str, annexes: list[int]) -> str:
    """The body a record names: the rule's spelling when it is that rule's body."""
    typed = " ".join(unicodedata.normalize("NFC", body).split())
    for number in sorted(annexes):
        rule = RULE_BODIES[number]
        if rule is not None and same_body(typed, rule):
            return rule
    return typed


# -- the strategies -----------------------------------------------------------------------------


BODIES = st.sampled_from(
    [
        "Johtoryhmä",
        "Johtoryhmä",
        "Johtoryhmä",
        "johtoryhmä",
        unicodedata.normalize("NFD", "Johtoryhmä"),
        "Työllisyyslautakunta",
        "Hallitus",
    ]
)
OFFSETS = st.one_of(st.sampled_from([0, None, None]), st.integers(1, 3 * 365), st.integers(-20, -1))
"""Days from the record's date to its effective date (None: --effective not given)."""


def a_day(data: st.DataObject, register: Register) -> dt.date:
    """Mostly after the last kept record, so that histories grow; sometimes anywhere."""
    if data.draw(st.integers(0, 3)) == 0:
        return data.draw(st.dates(FIRST_DAY, LAST_DAY))
    start = min(register.last_day, LAST_DAY)
    return data.draw(st.dates(start, min(start + dt.timedelta(days=90), LAST_DAY)))


def effective_of(data: st.DataObject, day: dt.date) -> tuple[dt.date, str | None]:
    offset = data.draw(OFFSETS)
    if offset is not None and offset < 0 and data.draw(st.booleans()):
        offset = -offset  # before the date: less often than after it
    if offset is None:
        return day, None
    start = day + dt.timedelta(days=offset)
    return start, iso(start)


def edits_from(
    data: st.DataObject,
    likely: list[str],
    others: list[str],
    sizes: tuple[int, ...] = (0, 1, 1, 1, 2),
) -> list[str]:
    """None, one edit (mostly a ``likely`` one), or two distinct ones."""
    size = data.draw(st.sampled_from(sizes))
    if size == 0:
        return []
    chosen = [data.draw(st.sampled_from(likely if size == 1 else likely + others))]
    if size == 2:
        chosen.append(data.draw(st.sampled_from(likely + others)))
    return list(dict.fromkeys(chosen))


# -- one step -----------------------------------------------------------------------------------


Planner = Callable[[], recording.Plan]


@dataclass
class Outcome:
    refused: str | None
    plan: recording.Plan | None


def attempt(planner: Planner) -> Outcome:
    try:
        return Outcome(None, planner())
    except RefusedError as refused:
        return Outcome(str(refused), None)


def judge(
    register: Register,
    outcome: Outcome,
    record: Record,
    text: str,
    paths: list[str],
    compare_message: bool = True,
) -> bool:
    """The step committed by hand and audited; the command and the audit agree. Kept when
    accepted (made again by carry_out), reset away when refused. Whether it was kept."""
    root = register.root
    snapshot = head(root)
    if outcome.plan is not None:
        assert outcome.plan.record == record
        assert outcome.plan.message == record.message(text)
        assert sorted(outcome.plan.paths) == sorted(paths)
    made = commit_by_hand(root, record.message(text), paths)
    findings = audit(root, f"{snapshot}..HEAD").findings
    assert {f.commit for f in findings} <= {made}
    messages = [f.message for f in findings]
    step = f"{record.kind} step {record}"
    event(f"{record.kind}: " + ("refused" if outcome.refused else "accepted"))
    if outcome.refused is not None:
        reason = outcome.refused
        for hint in HINTS:
            reason = reason.removesuffix(hint)
        assert messages, f"refused ({outcome.refused}), but the audit accepts the {step}"
        if compare_message:
            assert reason in messages, (reason, messages, step)
        git(root, "reset", "-q", "--hard", snapshot)
        return False
    assert not messages, f"accepted, but the audit flags the {step}: {messages}"
    assert outcome.plan is not None
    tree, message = git(root, "rev-parse", "HEAD^{tree}"), message_of(root, made)
    git(root, "reset", "-q", "--soft", snapshot)
    again = recording.carry_out(root, outcome.plan)
    assert git(root, "rev-parse", f"{again}^{{tree}}") == tree
    assert message_of(root, again) == message
    git(root, "reset", "-q", "--hard", "HEAD")
    register.kept.append(again)
    register.last_day = max(register.last_day, record.date)
    return True


def decision(data: st.DataObject, register: Register) -> None:
    names = edits_from(
        data, ["liite-4", "liite-5", "liite-5", "liite-3", "liite-1"], ["liite-2", "section-12"]
    )
    body, section = data.draw(BODIES), data.draw(st.integers(1, 6))
    day = a_day(data, register)
    start, effective = effective_of(data, day)
    register.edit(names)
    text = f"Päätös {register.counter}"
    outcome = attempt(
        lambda: recording.plan_decision(
            register.root,
            body=body,
            date=iso(day),
            section=section,
            message=text,
            effective=effective,
        )
    )
    annexes = [n for n in (EDITS[name].annex for name in names) if n is not None]
    record = Record(
        kind="decision",
        agreement=AGREEMENT,
        date=day,
        version=register.version + 1,
        effective=start,
        body=canonical(body, annexes),
        section=section,
        parts=annex_parts(names),
    )
    if judge(register, outcome, record, text, changed(register.root)):
        register.version += 1


def review(data: st.DataObject, register: Register) -> None:
    """A yearly review commits nothing: a change of the reviewed annex waiting in the working
    tree is part of the step (and refused), a change of another annex is not (and stays)."""
    annex = data.draw(st.sampled_from([3, 3, 5, 5, 4, 2, 1, 7]))
    names = edits_from(data, ["liite-3", "liite-5", "liite-4"], [], (0, 0, 0, 1, 2))
    body, section = data.draw(BODIES), data.draw(st.integers(1, 6))
    day = a_day(data, register)
    register.edit(names)
    text = f"Liite {annex} tarkistettu"
    outcome = attempt(
        lambda: recording.plan_decision(
            register.root, body=body, date=iso(day), section=section, message=text, review=annex
        )
    )
    record = Record(
        kind="review",
        agreement=AGREEMENT,
        date=day,
        body=canonical(body, [annex]),
        section=section,
        review=annex,
    )
    reviewed = sorted({EDITS[n].path for n in names if EDITS[n].annex == annex})
    if outcome.plan is not None:
        assert outcome.plan.paths == ()
    judge(register, outcome, record, text, reviewed)


def notice(data: st.DataObject, register: Register) -> None:
    party = data.draw(st.sampled_from([*PARTIES, *PARTIES, "nobody"]))
    own = f"liite-2-{party}" if party in PARTIES else "liite-2-kela"
    others = [f"liite-2-{p}" for p in PARTIES if p != party]
    names = edits_from(
        data, [own, own, own, "liite-2-member", "liite-2"], [*others, "liite-5", "section-12"]
    )
    day = a_day(data, register)
    start, effective = effective_of(data, day)
    register.edit(names)
    text = f"Ilmoitus {register.counter}"
    outcome = attempt(
        lambda: recording.plan_notice(
            register.root, party=party, date=iso(day), message=text, effective=effective
        )
    )
    record = Record(
        kind="notice",
        agreement=AGREEMENT,
        date=day,
        version=register.version + 1,
        effective=start,
        party=party,
        parts=annex_parts(names),
    )
    if judge(register, outcome, record, text, changed(register.root)):
        register.version += 1


def amendment(data: st.DataObject, register: Register) -> None:
    names = edits_from(
        data,
        ["section-12", "section-12", "section-4"],
        ["liite-4", "liite-5", "liite-2"],
        (0, 1, 1, 1, 1, 2),
    )
    day = a_day(data, register)
    start, effective = effective_of(data, day)
    register.edit(names)
    text = f"Sopimusmuutos {register.counter}"
    outcome = attempt(
        lambda: recording.plan_amendment(
            register.root, date=iso(day), message=text, effective=effective
        )
    )
    sections = sorted(s for s in (EDITS[n].section for n in names) if s is not None)
    parts = tuple(f"section-{s}" for s in sections) + annex_parts(names)
    record = Record(
        kind="amendment",
        agreement=AGREEMENT,
        date=day,
        version=register.version + 1,
        effective=start,
        parts=parts,
    )
    if judge(register, outcome, record, text, changed(register.root)):
        register.version += 1
        register.pending = (register.version, register.kept[-1], parts)


def withdrawal(data: st.DataObject, register: Register) -> None:
    how = data.draw(st.sampled_from(["restore", "restore", "restore", "none", "restore+edit"]))
    day = a_day(data, register)
    pending = register.pending
    if pending is not None and how != "none":
        git(register.root, "checkout", f"{pending[1]}~1", "--", ".")
        git(register.root, "reset", "-q")  # checkout stages what it restores; a record does not
    if how == "restore+edit":
        register.edit(["liite-4"])
    text = "Muutos peruttu"
    outcome = attempt(lambda: recording.plan_withdrawal(register.root, date=iso(day), message=text))
    if pending is None:
        # A precondition of the command ("nothing to withdraw"): the audit flags the
        # hand-made withdrawal too, with its own message (no amendment awaiting signatures).
        assert outcome.refused == "no amendment awaits signatures: there is nothing to withdraw"
        withdraws = register.withdrawn[-1] if register.withdrawn else register.version
        record = Record(
            kind="withdrawal",
            agreement=AGREEMENT,
            date=day,
            version=register.version + 1,
            effective=day,
            parts=("section-12",),
            withdraws=withdraws,
        )
        judge(register, outcome, record, text, changed(register.root), compare_message=False)
        return
    # A withdrawal takes effect when the text it restores does (test_rules proves the dates);
    # here the hand-made step takes the same date, so that only the verdicts are compared.
    past = Past.of(read_history(register.root, AGREEMENT).entries)
    record = Record(
        kind="withdrawal",
        agreement=AGREEMENT,
        date=day,
        version=register.version + 1,
        effective=restored_from(past, pending[2], pending[0], day),
        parts=pending[2],
        withdraws=pending[0],
    )
    if judge(register, outcome, record, text, changed(register.root)):
        register.version += 1
        register.withdrawn.append(pending[0])
        register.pending = None


def termination(data: st.DataObject, register: Register) -> None:
    party = data.draw(st.sampled_from([*PARTIES, "nobody"]))
    day = a_day(data, register)
    text = "Irtisanominen"
    outcome = attempt(
        lambda: recording.plan_termination(register.root, party=party, date=iso(day), message=text)
    )
    record = Record(
        kind="termination",
        agreement=AGREEMENT,
        date=day,
        party=party,
        ends=add_months(day, NOTICE_MONTHS),
    )
    judge(register, outcome, record, text, [])


def objection(data: st.DataObject, register: Register) -> None:
    party = data.draw(st.sampled_from([*PARTIES, "nobody"]))
    day = a_day(data, register)
    text = "Vastustamme jatkoa"
    outcome = attempt(
        lambda: recording.plan_objection(register.root, party=party, date=iso(day), message=text)
    )
    assert outcome.refused is not None  # the seed has no extension to object to
    record = Record(kind="objection", agreement=AGREEMENT, date=day, party=party)
    judge(register, outcome, record, text, [])


def signatures(data: st.DataObject, register: Register) -> None:
    """Made by hand only: the audit's findings are the trailers' problems and the breaches."""
    root = register.root
    choices = [register.version, register.version + 1, *register.withdrawn]
    if register.pending is not None:
        choices += [register.pending[0]] * 4
    version = data.draw(st.sampled_from(choices))
    signers = data.draw(st.sampled_from([PARTIES, PARTIES, PARTIES, PARTIES[:1], ()]))
    day = a_day(data, register)
    copies = tuple(
        Attachment(None, hashlib.sha256(f"{party} {version} {day}".encode()).hexdigest(), party)
        for party in signers
    )
    record = Record(
        kind="signatures", agreement=AGREEMENT, date=day, version=version, copies=copies
    )
    past = Past.of(read_history(root, AGREEMENT).entries)
    step = Step(record, TODAY)
    expected = [b.message for b in breaches(step, past, meta_reader(root))]
    problems = parse_record(record.trailers())[1]
    snapshot = head(root)
    made = commit_by_hand(root, record.message(f"Versio {version} allekirjoitettu"), [])
    findings = audit(root, f"{snapshot}..HEAD").findings
    assert {f.commit for f in findings} <= {made}
    assert [f.message for f in findings] == problems + expected, record
    event("signatures (by hand): " + ("flagged" if findings else "accepted"))
    if findings:
        git(root, "reset", "-q", "--hard", snapshot)
        return
    register.kept.append(made)
    register.last_day = max(register.last_day, day)
    if register.pending is not None and version == register.pending[0]:
        register.pending = None


def unrecorded(data: st.DataObject, register: Register) -> None:
    """A change committed without its record: the audit flags that commit, and the next
    record that would take the working tree's changes is refused because of it."""
    root = register.root
    snapshot = head(root)
    register.edit([data.draw(st.sampled_from(["liite-4", "liite-5", "liite-2", "section-12"]))])
    made = commit_by_hand(root, "Korjauksia", changed(root))
    findings = audit(root, f"{snapshot}..HEAD").findings
    assert findings and {f.commit for f in findings} == {made}
    assert all("without a record" in f.message for f in findings), findings
    event("unrecorded: flagged")
    command = data.draw(st.sampled_from(["approve", "notice", "amend"]))
    register.edit(
        {"approve": ["liite-5"], "notice": ["liite-2-kela"], "amend": ["section-4"]}[command]
    )
    day = iso(min(register.last_day + dt.timedelta(days=1), TODAY))
    planners: dict[str, Planner] = {
        "approve": lambda: recording.plan_decision(
            root, body="Johtoryhmä", date=day, section=1, message="Päätös"
        ),
        "notice": lambda: recording.plan_notice(root, party="kela", date=day, message="Ilmoitus"),
        "amend": lambda: recording.plan_amendment(root, date=day, message="Muutos"),
    }
    refused = attempt(planners[command]).refused
    named = UNRECORDED.match(refused or "")
    assert named is not None and named.group(1) == made[:12], refused
    git(root, "reset", "-q", "--hard", snapshot)


STEPS: dict[str, Callable[[st.DataObject, Register], None]] = {
    "decision": decision,
    "review": review,
    "notice": notice,
    "amendment": amendment,
    "withdrawal": withdrawal,
    "termination": termination,
    "objection": objection,
    "signatures": signatures,
    "unrecorded": unrecorded,
}
KINDS = [*["decision"] * 4, *["review"] * 2, *["notice"] * 3, *["amendment"] * 4]
KINDS += ["withdrawal", "signatures", "termination", "objection", "unrecorded"]
PENDING = ["decision", "review", "notice", "amendment", "termination", "objection", "unrecorded"]
PENDING += [*["withdrawal"] * 5, *["signatures"] * 5]
"""The steps drawn while an amendment awaits signatures: mostly those that end the wait."""


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is TODAY for the record commands; git commits are made at RECORDED, that day."""
    fixed_git(monkeypatch)
    monkeypatch.setattr(recording, "today", lambda: TODAY)
    assert RECORDED.startswith(iso(TODAY))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_record_command_refuses_exactly_what_the_audit_flags(
    adopted_template: Path, clock: None, data: st.DataObject
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="tymdocs-property-"))
    try:
        root = folder / "agreement"
        shutil.copytree(adopted_template, root, symlinks=True)
        register = Register(root)
        for _ in range(data.draw(st.integers(4, 8), label="steps")):
            kinds = KINDS if register.pending is None else PENDING
            kind = data.draw(st.sampled_from(kinds), label="step")
            STEPS[kind](data, register)
            assert not changed(root), "a step leaves the working tree clean"
        whole = audit(root)
        assert whole.ok, whole.findings
        assert len(read_history(root, AGREEMENT).entries) == 1 + len(register.kept)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
