"""The agreement's rules on every date: the term, its extension and an objection, nothing
before the agreement or after it, the rules in force on a record's date, a party's own rows,
and what ``status`` says of the past.

Each test works on a real repository in tmp_path, with a fixed author, commit clock and
"today" (the record commands' clock). Refusals are checked twice: by the record command, and
by ``check --governance`` on the same step committed by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, GIT_ENV, copy_agreement, edit, git, init_repo, run
from tests.test_governance import LIITE_2, SECTION_12, kela_to_one
from tymdocs.errors import UsageError
from tymdocs.governance import add_months
from tymdocs.governance.rules import (
    agreement_end,
    extended,
    extensions_granted,
    objection_deadlines,
    term_end,
)
from tymdocs.model import Extension
from tymdocs.revision import open_source

CONFIG = "tymdocs.yaml"
OPTION_YEAR_TEXT = (
    "Tämä sopimus tulee voimaan 1.5.2025 ja on voimassa 31.12.2026 saakka. Sopimusta jatketaan "
    "yhdellä optiovuodella 31.12.2027 saakka, jollei mikään sopijaosapuoli ilmoita kirjallisesti "
    "vastustavansa jatkamista viimeistään 30.9.2026."
)
OPTION_YEAR_CONFIG = (
    "valid_until: 2026-12-31\nextension: {months: 12, times: 1, objection_by: 2026-09-30}"
)


def commit_date(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """Commits made in-process from now on are dated ``day`` at noon in Finland."""
    stamp = f"{dt.date.fromisoformat(day).isoformat()}T12:00:00+02:00"
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)


def today(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """The record commands' today, and the commits' day with it."""
    fixed = dt.date.fromisoformat(day)
    monkeypatch.setattr("tymdocs.governance.recording.today", lambda: fixed)
    commit_date(monkeypatch, day)


def agreement(
    root: Path,
    *,
    text: str | None = None,
    config: tuple[str, str] | None = None,
    adopted: str = "2025-04-28",
    appointed: str | None = None,
) -> Path:
    """The seed with its validity text and ``tymdocs.yaml`` changed, committed and adopted
    (version 1, signed on ``adopted``)."""
    copy_agreement(root)
    if text is not None:
        edit(
            root,
            SECTION_12,
            "Tämä sopimus tulee voimaan 1.5.2025 ja on voimassa toistaiseksi.",
            text,
        )
    if config is not None:
        edit(root, CONFIG, *config)
    if appointed is not None:
        edit(root, CONFIG, "appointed_on: 2025-01-20", f"appointed_on: {appointed}")
    init_repo(root, "Sopimus")
    env = {**os.environ, **GIT_ENV, "GIT_COMMITTER_DATE": f"{adopted}T12:00:00+03:00"}
    done = subprocess.run(
        [sys.executable, "-m", "tymdocs", "adopt", "--date", adopted, "-m", "Allekirjoitettu"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return root


def option_year(root: Path) -> Path:
    return agreement(
        root,
        text=OPTION_YEAR_TEXT,
        config=('valid_until: null  # "on voimassa toistaiseksi"', OPTION_YEAR_CONFIG),
    )


def fixed_term(root: Path) -> Path:
    """The seed in force until 31.12.2026, with no extension."""
    return agreement(
        root,
        text="Tämä sopimus tulee voimaan 1.5.2025 ja on voimassa 31.12.2026 saakka.",
        config=('valid_until: null  # "on voimassa toistaiseksi"', "valid_until: 2026-12-31"),
    )


def refused(capsys: pytest.CaptureFixture[str], root: Path, args: list[str], why: str) -> None:
    """The record command refuses, changing nothing."""
    head = git(root, "rev-parse", "HEAD")
    result = run(capsys, "-C", str(root), *args)
    assert result.code == 1, result.out
    assert why in result.err, result.err
    assert git(root, "rev-parse", "HEAD") == head


def hand_made(root: Path, trailers: str, *, empty: bool = False) -> None:
    """The same step committed by hand, every change in the tree with it."""
    message = f"Käsin\n\nTymdocs-Agreement: lansi-pirkanmaa-tym\n{trailers}"
    git(root, "add", "-A")
    empty_ok = ["--allow-empty"] if empty else []
    git(root, "commit", "-q", *empty_ok, "-m", message, date=os.environ["GIT_COMMITTER_DATE"])


def flagged(capsys: pytest.CaptureFixture[str], root: Path, why: str) -> None:
    """``check --governance`` flags the last commit for ``why``."""
    result = run(capsys, "-C", str(root), "check", "--governance", "HEAD~1..HEAD")
    assert result.code == 1, result.out
    assert why in result.err, result.err


def approve(*extra: str, date: str = "15.9.2025", section: str = "4") -> list[str]:
    return [
        "approve",
        "--body",
        "Johtoryhmä",
        "--date",
        date,
        "--section",
        section,
        "-m",
        "x",
        *extra,
    ]


# -- dates the agreement states ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        ("2025-02-01", 60, "2030-01-31"),  # five years from 1.2.2025: the day before
        ("2025-01-20", 60, "2030-01-19"),
        ("2024-02-29", 12, "2025-02-28"),  # no 29.2.2025: the month's last day
        ("2025-01-31", 1, "2025-02-28"),
        ("2026-07-01", 6, "2026-12-31"),
        ("2025-08-31", 6, "2026-02-28"),
    ],
)
def test_a_term_ends_the_day_before_its_anniversary(start: str, months: int, last: str) -> None:
    assert term_end(dt.date.fromisoformat(start), months) == dt.date.fromisoformat(last)


def test_extensions_and_their_objection_deadlines() -> None:
    from tymdocs.governance.records import Record

    until = dt.date(2026, 12, 31)
    extension = Extension(12, 2, dt.date(2026, 9, 30))
    assert objection_deadlines(extension) == (dt.date(2026, 9, 30), dt.date(2027, 9, 30))
    assert extended(until, extension, 1) == dt.date(2027, 12, 31)
    assert extended(dt.date(2026, 6, 30), Extension(6, 1, until), 1) == dt.date(2026, 12, 31)
    assert extended(dt.date(2026, 8, 30), Extension(6, 1, until), 1) == dt.date(2027, 2, 28)
    assert extended(dt.date.max, extension, 2) == dt.date.max

    def objection(day: dt.date) -> Record:
        return Record("objection", "a", day, party="kela")

    assert extensions_granted(extension, []) == 2
    assert extensions_granted(extension, [objection(dt.date(2026, 9, 30))]) == 0  # on the day
    assert extensions_granted(extension, [objection(dt.date(2026, 10, 1))]) == 1  # the day after
    assert extensions_granted(extension, [objection(dt.date(2027, 10, 1))]) == 2  # too late
    assert agreement_end(None, None, []) is None


# -- validity as the text states it ------------------------------------------------------------


def test_the_option_year_runs_without_an_objection(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = option_year(tmp_path / "a")
    checked = run(capsys, "-C", str(root), "check")
    assert checked.code == 0 and "extension" not in checked.err, checked.err
    today(monkeypatch, "2026-12-06")
    kela_to_one(root)
    result = run(capsys, "-C", str(root), *approve("--effective", "1.1.2027", date="1.12.2026"))
    assert result.code == 0, result.err
    for day in (dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 12, 31)):
        assert open_source(root, at=day).in_force is not None
    out = tmp_path / "b"
    built = run(
        capsys, "-C", str(root), "build", "--at", "1.1.2027", "--no-packages", "-o", str(out)
    )
    assert built.code == 0, built.err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "Voimassa 1.1.2027"
    with pytest.raises(UsageError, match=r"ended on 31\.12\.2027 by its term, extended"):
        open_source(root, at=dt.date(2028, 1, 1))
    changes = run(capsys, "-C", str(root), "diff", "31.12.2026", "1.1.2027", "--json")
    assert changes.code == 0, changes.err
    # the decision in force from the option year's first day
    assert [c["key"] for c in json.loads(changes.out)["changes"]] == ["annex-5"]
    status = json.loads(
        run(capsys, "-C", str(root), "status", "--today", "2026-09-01", "--json").out
    )
    deadlines = {d["what"]: d for d in status["deadlines"]}
    objection = next(d for w, d in deadlines.items() if w.startswith("last day to object"))
    assert objection["due"] == "2026-09-30" and objection["state"] == "soon"
    assert "runs until 31.12.2027" in objection["what"]
    assert deadlines["the agreement ends by its term, extended"]["due"] == "2027-12-31"
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0


def test_an_objection_ends_the_agreement_with_its_term(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = option_year(tmp_path / "a")
    today(monkeypatch, "2026-10-01")
    late = ["notice", "--objection", "--party", "kela", "--date", "1.10.2026", "-m", "Ei jatketa"]
    refused(capsys, root, late, "after the last day to object (30.9.2026)")
    objection = [*late[:5], "30.9.2026", "-m", "Ei jatketa"]
    assert run(capsys, "-C", str(root), *objection).code == 0
    trailers = git(root, "log", "-1", "--format=%(trailers:only,unfold)")
    assert "Tymdocs-Record: objection" in trailers and "Tymdocs-Party: kela" in trailers
    refused(capsys, root, objection, "an objection is already recorded")
    assert open_source(root, at=dt.date(2026, 12, 31)).in_force is not None
    with pytest.raises(
        UsageError, match=r"ended on 31\.12\.2026 by its own term, after an objection"
    ):
        open_source(root, at=dt.date(2027, 1, 1))
    kela_to_one(root)
    refused(
        capsys,
        root,
        approve("--effective", "1.1.2027", date="1.10.2026"),
        "takes effect 1.1.2027, after the agreement's last day, 31.12.2026 (by its own term, ",
    )
    status = run(capsys, "-C", str(root), "status", "--today", "2027-01-01", "--fail-on-overdue")
    assert status.code == 1
    assert "ended on 31.12.2026 by its own term, after an objection" in status.out
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0


def test_an_extension_the_text_does_not_give_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = copy_agreement(tmp_path / "a")
    edit(
        root,
        SECTION_12,
        "Tämä sopimus tulee voimaan 1.5.2025 ja on voimassa toistaiseksi.",
        OPTION_YEAR_TEXT,
    )
    edit(root, CONFIG, 'valid_until: null  # "on voimassa toistaiseksi"', "valid_until: 2026-12-31")
    result = run(capsys, "-C", str(root), "check")
    assert "the text extends the agreement's term" in result.err
    edit(
        root,
        CONFIG,
        "valid_until: 2026-12-31",
        OPTION_YEAR_CONFIG.replace("2026-09-30", "2026-08-31"),
    )
    result = run(capsys, "-C", str(root), "check")
    assert "does not state the last day to object, 31.8.2026" in result.err
    edit(root, CONFIG, "objection_by: 2026-08-31", "objection_by: 2027-01-31")
    result = run(capsys, "-C", str(root), "check")
    assert result.code == 1
    assert "extension.objection_by 2027-01-31 is after valid_until 2026-12-31" in result.err


# -- nothing before the agreement, nothing after it --------------------------------------------


def test_records_dated_before_the_agreement_are_refused_and_flagged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a", adopted="2024-12-16")
    today(monkeypatch, "2026-10-01")
    kela_to_one(root)
    early = approve(date="1.12.2024")
    why = "dated 1.12.2024, before the agreement was adopted (16.12.2024)"
    refused(capsys, root, early, why)
    hand_made(
        root,
        "Tymdocs-Record: decision\nTymdocs-Version: 2\nTymdocs-Date: 2024-12-01\n"
        "Tymdocs-Effective: 2025-05-01\nTymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\n"
        "Tymdocs-Parts: annex-5",
    )
    flagged(capsys, root, why)
    git(root, "reset", "-q", "--hard", "HEAD~1")
    termination = ["notice", "--termination", "--party", "kela", "--date", "1.6.2024", "-m", "x"]
    refused(capsys, root, termination, "dated 1.6.2024, before the agreement was adopted")


def test_a_decision_before_the_steering_group_s_term_is_refused_and_flagged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a", appointed="2025-06-01")
    today(monkeypatch, "2026-10-01")
    kela_to_one(root)
    why = "Johtoryhmä 31.5.2025 § 4 is dated before the steering group's term began (1.6.2025)"
    refused(capsys, root, approve(date="31.5.2025"), why)
    hand_made(
        root,
        "Tymdocs-Record: decision\nTymdocs-Version: 2\nTymdocs-Date: 2025-05-31\n"
        "Tymdocs-Effective: 2025-05-31\nTymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\n"
        "Tymdocs-Parts: annex-5",
    )
    flagged(capsys, root, why)
    git(root, "reset", "-q", "--hard", "HEAD~1")
    kela_to_one(root)
    assert run(capsys, "-C", str(root), *approve(date="1.6.2025")).code == 0


def test_effective_dates_after_the_end_or_far_in_the_future(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-12-06")
    kela_to_one(root)
    refused(
        capsys,
        root,
        approve("--effective", "1.1.2099"),
        "takes effect 1.1.2099, more than 5 years after 15.9.2025",
    )
    termination = ["notice", "--termination", "--party", "kela", "--date", "6.12.2026", "-m", "x"]
    git(root, "stash", "-q")
    assert run(capsys, "-C", str(root), *termination).code == 0
    git(root, "stash", "pop", "-q")
    why = "takes effect 7.6.2027, after the agreement's last day, 6.6.2027 (after a termination"
    refused(capsys, root, approve("--effective", "7.6.2027", date="6.12.2026"), why)
    assert (
        run(capsys, "-C", str(root), *approve("--effective", "6.6.2027", date="6.12.2026")).code
        == 0
    )


def test_a_far_future_date_is_accepted_when_said(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-12-06")
    kela_to_one(root)
    result = run(capsys, "-C", str(root), *approve("--effective", "1.1.2031", "--far-future"))
    assert result.code == 0, result.err
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0


# -- the rules in force on the record's date ---------------------------------------------------


def _amend_notice_period(root: Path, capsys: pytest.CaptureFixture[str], months: int) -> None:
    """An amendment of the notice period, effective 1.1.2027, recorded and signed by hand."""
    edit(root, SECTION_12, "päättymään 6 kuukauden", f"päättymään {months} kuukauden")
    edit(root, SECTION_12, "vähintään 6 kuukautta", f"vähintään {months} kuukautta")
    edit(root, CONFIG, "termination_notice_months: 6", f"termination_notice_months: {months}")
    args = ["amend", "--date", "1.11.2026", "--effective", "1.1.2027", "-m", "Irtisanomisaika"]
    result = run(capsys, "-C", str(root), *args)
    assert result.code == 0, result.err
    copies = "".join(
        f"Tymdocs-Signed-Copy: {party} sha256:{'a' * 64}\n"
        for party in ("tyollisyysalue", "hyvinvointialue", "kela")
    )
    hand_made(
        root,
        f"Tymdocs-Record: signatures\nTymdocs-Version: 2\nTymdocs-Date: 2026-11-20\n{copies}",
        empty=True,
    )


def test_a_termination_counts_the_period_in_force_on_the_day_of_the_notice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-12-06")
    _amend_notice_period(root, capsys, 3)  # signed, but in force only from 1.1.2027
    # an unrecorded commit that changes the period moves nothing either
    edit(root, CONFIG, "termination_notice_months: 3", "termination_notice_months: 1")
    git(root, "commit", "-qam", "ilman kirjausta", date=os.environ["GIT_COMMITTER_DATE"])
    notice = ["notice", "--termination", "--party", "kela", "--date", "6.12.2026", "-m", "x"]
    assert run(capsys, "-C", str(root), *notice).code == 0
    assert "Tymdocs-Ends: 2027-06-06" in git(root, "log", "-1", "--format=%B")
    git(root, "reset", "-q", "--hard", "HEAD~2")
    later = [*notice[:5], "1.1.2027", "-m", "x"]
    today(monkeypatch, "2027-01-02")
    assert run(capsys, "-C", str(root), *later).code == 0
    assert "Tymdocs-Ends: 2027-04-01" in git(root, "log", "-1", "--format=%B")
    audited = run(capsys, "-C", str(root), "check", "--governance")
    assert audited.code == 0, audited.err


def test_a_hand_made_termination_is_held_to_the_period_in_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-12-06")
    _amend_notice_period(root, capsys, 3)
    hand_made(
        root,
        "Tymdocs-Record: termination\nTymdocs-Date: 2026-12-06\nTymdocs-Party: kela\n"
        "Tymdocs-Ends: 2027-03-06",
        empty=True,
    )
    flagged(capsys, root, "ends 6.3.2027, but 6 months after the notice of 6.12.2026 is 6.6.2027")


# -- a party's notice changes only its own rows ------------------------------------------------


def test_a_party_s_notice_changes_only_its_own_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-10-01")
    edit(root, LIITE_2, "name: Annukka Eloranta", "name: Iida Ahtiainen")  # Kela's contact
    notice = ["notice", "--party", "hyvinvointialue", "--date", "20.9.2025", "-m", "x"]
    why = "a notice of hyvinvointialue changes rows of kela in the composition"
    refused(capsys, root, notice, why)
    hand_made(
        root,
        "Tymdocs-Record: notice\nTymdocs-Version: 2\nTymdocs-Date: 2025-09-20\n"
        "Tymdocs-Effective: 2025-09-20\nTymdocs-Party: hyvinvointialue\nTymdocs-Parts: annex-2",
    )
    flagged(capsys, root, why)
    git(root, "reset", "-q", "--soft", "HEAD~1")
    own = ["notice", "--party", "kela", "--date", "20.9.2025", "-m", "x"]
    assert run(capsys, "-C", str(root), *own).code == 0


# -- status tells the truth about the past -----------------------------------------------------


def test_status_overdue_and_ended(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-10-01")
    termination = ["notice", "--termination", "--party", "kela", "--date", "1.10.2026", "-m", "x"]
    assert run(capsys, "-C", str(root), *termination).code == 0
    for day, code, ended in (("2027-04-01", 1, False), ("2027-04-02", 1, True)):
        result = run(
            capsys, "-C", str(root), "status", "--today", day, "--json", "--fail-on-overdue"
        )
        assert result.code == code
        status = json.loads(result.out)
        assert (status["ended"] is not None) is ended
        states = {d["what"][:29]: d["state"] for d in status["deadlines"]}
        assert states["yearly review of Liite 5 (HEN"] == "OVERDUE"  # due 1.5.2026
    text = run(capsys, "-C", str(root), "status", "--today", "2027-04-02").out
    assert "ended on 1.4.2027 after a termination notice" in text
    assert "passed" in text


def test_only_changes_in_force_move_the_yearly_review(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-03-05")
    edit(root, SECTION_12, "toistaiseksi.", "toistaiseksi. Muutettu.")
    kela_to_one(root)
    amend = ["amend", "--date", "1.3.2026", "-m", "Muutos ja liite 5"]
    assert run(capsys, "-C", str(root), *amend).code == 0

    def due() -> str:
        status = json.loads(
            run(capsys, "-C", str(root), "status", "--today", "2026-03-02", "--json").out
        )
        return next(d["due"] for d in status["deadlines"] if "Liite 5" in d["what"])

    assert due() == "2026-05-01"  # an amendment awaiting signatures moves nothing
    git(root, "checkout", "-q", "HEAD~1", "--", ".")
    withdraw = ["amend", "--withdraw", "--date", "2.3.2026", "-m", "Peruttu"]
    assert run(capsys, "-C", str(root), *withdraw).code == 0
    assert due() == "2026-05-01"  # nor a withdrawal, nor the change it took back


def test_add_months_keeps_the_last_day_of_a_shorter_month() -> None:
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)


# -- one copy of each rule: where two copies used to disagree ----------------------------------


def test_a_withdrawn_amendment_does_not_hold_back_a_later_change(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A withdrawn amendment of Liite 5 effective 1.6.2026 changed nothing: a decision on
    Liite 5 effective 1.4.2026 is in order for the record command and for the audit alike."""
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-03-10")
    edit(root, SECTION_12, "toistaiseksi.", "toistaiseksi. Muutettu.")
    kela_to_one(root)
    amend = ["amend", "--date", "1.3.2026", "--effective", "1.6.2026", "-m", "Muutos"]
    assert run(capsys, "-C", str(root), *amend).code == 0
    git(root, "checkout", "-q", "HEAD~1", "--", ".")
    withdraw = ["amend", "--withdraw", "--date", "2.3.2026", "-m", "Peruttu"]
    assert run(capsys, "-C", str(root), *withdraw).code == 0
    kela_to_one(root)
    decided = run(capsys, "-C", str(root), *approve("--effective", "1.4.2026", date="9.3.2026"))
    assert decided.code == 0, decided.err
    audited = run(capsys, "-C", str(root), "check", "--governance")
    assert audited.code == 0, audited.err


def test_one_body_s_decisions_in_the_order_they_were_made(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the latest decision of the body, whichever was recorded last."""
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-10-01")
    review = ["approve", "--review", "5", "--body", "Johtoryhmä", "-m", "x"]
    assert run(capsys, "-C", str(root), *review, "--date", "1.9.2025", "--section", "7").code == 0
    kela_to_one(root)
    why = "Johtoryhmä 15.8.2025 § 4 is older than its decision 1.9.2025 § 7"
    refused(capsys, root, approve(date="15.8.2025"), why)
    hand_made(
        root,
        "Tymdocs-Record: decision\nTymdocs-Version: 2\nTymdocs-Date: 2025-08-15\n"
        "Tymdocs-Effective: 2025-08-15\nTymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\n"
        "Tymdocs-Parts: annex-5",
    )
    flagged(capsys, root, why)


# -- found in review ------------------------------------------------------------------------------


def _signed_by_hand(root: Path, version: int, day: str) -> None:
    copies = "".join(
        f"Tymdocs-Signed-Copy: {party} sha256:{'a' * 64}\n"
        for party in ("tyollisyysalue", "hyvinvointialue", "kela")
    )
    trailers = f"Tymdocs-Record: signatures\nTymdocs-Version: {version}\nTymdocs-Date: {day}\n"
    hand_made(root, trailers + copies, empty=True)


def test_the_main_text_changes_in_effect_order_as_a_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An amendment of 4 § in force before an earlier one of 12 § would bring 12 § with it:
    each version holds the whole main text, so the main text changes in order as one."""
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-11-20")
    _amend_notice_period(root, capsys, 3)  # effective 1.1.2027, signed by hand on 20.11.2026
    today(monkeypatch, "2026-11-25")
    edit(root, "docs_src/04-johtoryhma.md", "Johtoryhmä", "Johtoryhmä (johtoryhmä)")
    amend = ["amend", "--date", "25.11.2026", "-m", "4 §"]
    refused(capsys, root, amend, "a later record cannot take effect before it (25.11.2026)")
    assert (
        run(capsys, "-C", str(root), *amend[:3], "--effective", "1.1.2027", "-m", "4 §").code == 0
    )


def test_an_agreement_signed_after_it_takes_effect_is_adopted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = agreement(tmp_path / "a", adopted="2025-05-10")  # effective_date 1.5.2025
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0


def test_an_amendment_may_extend_the_term_from_the_day_after_it_ends(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fixed_term(tmp_path / "a")
    today(monkeypatch, "2026-11-01")
    edit(root, SECTION_12, "31.12.2026 saakka", "31.12.2028 saakka")
    edit(root, CONFIG, "valid_until: 2026-12-31", "valid_until: 2028-12-31")
    amend = ["amend", "--date", "1.11.2026", "--effective", "1.1.2027", "-m", "Jatko"]
    result = run(capsys, "-C", str(root), *amend)
    assert result.code == 0, result.err
    too_late = ["amend", "--date", "1.11.2026", "--effective", "1.1.2029", "-m", "x"]
    git(root, "reset", "-q", "--soft", "HEAD~1")
    refused(capsys, root, too_late, "after the agreement's last day, 31.12.2028")


def test_an_objection_to_an_earlier_term_says_nothing_of_a_new_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = option_year(tmp_path / "a")
    today(monkeypatch, "2026-09-30")
    objection = ["notice", "--objection", "--party", "kela", "-m", "Ei jatketa"]
    assert run(capsys, "-C", str(root), *objection, "--date", "30.9.2026").code == 0
    today(monkeypatch, "2026-11-01")
    edit(root, SECTION_12, "31.12.2026 saakka", "31.12.2027 saakka")
    edit(root, SECTION_12, "31.12.2027 saakka, jollei", "31.12.2028 saakka, jollei")
    edit(root, SECTION_12, "viimeistään 30.9.2026", "viimeistään 30.9.2027")
    edit(root, CONFIG, "valid_until: 2026-12-31", "valid_until: 2027-12-31")
    edit(root, CONFIG, "objection_by: 2026-09-30", "objection_by: 2027-09-30")
    amend = ["amend", "--date", "1.11.2026", "--effective", "1.12.2026", "-m", "Uusi kausi"]
    assert run(capsys, "-C", str(root), *amend).code == 0, capsys.readouterr()
    today(monkeypatch, "2026-11-10")
    _signed_by_hand(root, 2, "2026-11-10")
    status = json.loads(
        run(capsys, "-C", str(root), "status", "--today", "2027-01-01", "--json").out
    )
    assert status["ended"] is None
    whats = [d["what"] for d in status["deadlines"]]
    assert any(w.startswith("last day to object to extension 1") for w in whats), whats
    today(monkeypatch, "2027-09-01")
    assert run(capsys, "-C", str(root), *objection, "--date", "1.9.2027").code == 0
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0


def test_extension_bounds_are_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = copy_agreement(tmp_path / "a")
    edit(root, SECTION_12, "on voimassa toistaiseksi.", "on voimassa 31.12.9999 saakka.")
    big = (
        "valid_until: 9999-12-31\n"
        "extension: {months: 12, times: 99999999, objection_by: 9999-01-01}"
    )
    edit(root, CONFIG, 'valid_until: null  # "on voimassa toistaiseksi"', big)
    result = run(capsys, "-C", str(root), "check")
    assert result.code == 1
    assert "extension.times must be a whole number from 1 to 99" in result.err
    edit(root, CONFIG, "times: 99999999", "times: 1")
    result = run(capsys, "-C", str(root), "check")
    assert "internal error" not in result.err and "Traceback" not in result.err


def test_a_hand_made_record_with_fields_its_kind_does_not_have_is_flagged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = option_year(tmp_path / "a")
    today(monkeypatch, "2026-09-01")
    hand_made(
        root,
        "Tymdocs-Record: objection\nTymdocs-Date: 2026-09-01\nTymdocs-Party: kela\n"
        "Tymdocs-Version: 2\nTymdocs-Parts: annex-5",
        empty=True,
    )
    flagged(capsys, root, "an objection record has no Tymdocs-Version")
    flagged(capsys, root, "an objection record has no Tymdocs-Parts")


def test_status_reads_the_rules_in_force_not_an_amendment_awaiting_signatures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2025-09-01")
    edit(root, CONFIG, "term_years: 5", "term_years: 3")
    edit(root, SECTION_12, "toistaiseksi.", "toistaiseksi. Muutettu.")
    assert run(capsys, "-C", str(root), "amend", "--date", "1.9.2025", "-m", "x").code == 0
    status = json.loads(
        run(capsys, "-C", str(root), "status", "--today", "2025-09-02", "--json").out
    )
    term = next(d for d in status["deadlines"] if "steering group" in d["what"])
    assert term["due"] == "2030-01-19" and "5-year" in term["what"]


def test_after_the_end_no_duty_falls_due_and_an_extended_term_is_the_first_term(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = option_year(tmp_path / "a")
    status = json.loads(
        run(capsys, "-C", str(root), "status", "--today", "2028-06-01", "--json").out
    )
    assert status["ended"] == {"on": "2027-12-31", "why": "by its term, extended"}
    whats = {d["what"]: d for d in status["deadlines"]}
    assert "the agreement's first term ends" in whats
    assert not any("steering group" in w for w in whats)  # due 19.1.2030, after the end


def test_a_party_s_notice_changes_only_its_own_members(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another agreement, whose composition names each member's party: Kela's notice may
    replace Kela's member, not Järvilä's."""
    root = copy_agreement(tmp_path / "a", FIXTURES / "kuvitteellinen")
    init_repo(root, "Sopimus")
    today(monkeypatch, "2026-03-01")
    assert run(capsys, "-C", str(root), "adopt", "--date", "2025-12-15", "-m", "x").code == 0
    composition = "annexes/kokoonpano.yaml"
    edit(root, composition, "name: Eero Esimerkki", "name: Eila Esimerkki")
    notice = ["notice", "--party", "kela", "--date", "1.3.2026", "-m", "x"]
    refused(capsys, root, notice, "a notice of kela changes rows of jarvila in the composition")
    edit(root, composition, "name: Eila Esimerkki", "name: Eero Esimerkki")
    edit(root, composition, "name: Jussi Jokela", "name: Jaana Jokela")
    assert run(capsys, "-C", str(root), *notice).code == 0
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0


def test_an_amendment_dated_after_the_end_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An amendment may extend the term from the day after it ends, but not be made after."""
    root = fixed_term(tmp_path / "a")
    today(monkeypatch, "2027-01-05")
    edit(root, SECTION_12, "31.12.2026 saakka", "31.12.2027 saakka")
    edit(root, CONFIG, "valid_until: 2026-12-31", "valid_until: 2027-12-31")
    amend = ["amend", "--date", "3.1.2027", "-m", "Jatketaan"]
    refused(capsys, root, amend, "dated 3.1.2027, after the agreement's last day, 31.12.2026")


def test_a_withdrawal_takes_effect_when_the_text_it_restores_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Withdrawing an amendment restores a decision effective 1.6.2026 with the rest: the
    withdrawal cannot put that decision in force on the day it is made."""
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-01-20")
    liite_4 = root / "annexes/liite-4-palvelut.md"
    liite_4.write_text(liite_4.read_text(encoding="utf-8") + "\nUusi palvelu.\n", "utf-8")
    decided = ["--effective", "1.6.2026"]
    assert run(capsys, "-C", str(root), *approve(*decided, date="1.1.2026", section="1")).code == 0
    edit(root, SECTION_12, "toistaiseksi.", "toistaiseksi. Muutettu.")
    liite_4.write_text(liite_4.read_text(encoding="utf-8") + "\nToinen palvelu.\n", "utf-8")
    amend = ["amend", "--date", "10.1.2026", "--effective", "1.7.2026", "-m", "Muutos"]
    assert run(capsys, "-C", str(root), *amend).code == 0
    git(root, "checkout", "-q", "HEAD~1", "--", ".")
    withdraw = ["amend", "--withdraw", "--date", "15.1.2026", "-m", "Peruttu"]
    assert run(capsys, "-C", str(root), *withdraw).code == 0
    assert "Tymdocs-Effective: 2026-06-01" in git(root, "log", "-1", "--format=%B")
    in_force = open_source(root, at=dt.date(2026, 2, 1))
    assert "Uusi palvelu." not in in_force.tree.read("annexes/liite-4-palvelut.md").decode()
    later = open_source(root, at=dt.date(2026, 6, 1))
    assert "Uusi palvelu." in later.tree.read("annexes/liite-4-palvelut.md").decode()
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0
    # the same withdrawal made by hand, in force on its own day, is out of order
    git(root, "reset", "-q", "--hard", "HEAD~1")
    git(root, "checkout", "-q", "HEAD~1", "--", ".")
    hand_made(
        root,
        "Tymdocs-Record: withdrawal\nTymdocs-Version: 4\nTymdocs-Date: 2026-01-15\n"
        "Tymdocs-Effective: 2026-01-15\nTymdocs-Parts: section-12, annex-4\n"
        "Tymdocs-Withdraws: 3",
    )
    flagged(capsys, root, "a later record cannot take effect before it (15.1.2026)")


def test_an_amendment_counts_in_effect_order_from_its_signatures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-06-01")
    edit(root, SECTION_12, "toistaiseksi.", "toistaiseksi. Muutettu.")
    amend = ["amend", "--date", "5.1.2026", "--effective", "1.2.2026", "-m", "12 §"]
    assert run(capsys, "-C", str(root), *amend).code == 0
    _signed_by_hand(root, 2, "2026-06-01")  # in force from 1.6.2026, not 1.2.2026
    edit(root, "docs_src/04-johtoryhma.md", "Johtoryhmä", "Johtoryhmä (johtoryhmä)")
    second = ["amend", "--date", "15.2.2026", "--effective", "1.3.2026", "-m", "4 §"]
    refused(capsys, root, second, "changes from 1.6.2026 by version 2")


def test_each_extension_runs_from_the_day_after_the_last() -> None:
    extension = Extension(1, 2, dt.date(2026, 1, 1))
    assert extended(dt.date(2026, 1, 30), extension, 1) == dt.date(2026, 2, 28)
    assert extended(dt.date(2026, 1, 30), extension, 2) == dt.date(2026, 3, 31)


def test_every_record_kind_is_cited_as_itself() -> None:
    from tymdocs.governance import RECORD_KINDS, Record, cite

    day = dt.date(2026, 3, 1)
    citations = {
        kind: cite(Record(kind, "a", day, body="Johtoryhmä", section=4, party="kela"), {})
        for kind in RECORD_KINDS
    }
    assert citations["signatures"] == "Allekirjoitukset 1.3.2026"  # not the agreement's
    assert citations["decision"] == citations["review"] == "Johtoryhmä 1.3.2026 § 4"
    # a decision and a review share a form, and a party's notice, termination and objection
    assert len(set(citations.values())) == len(RECORD_KINDS) - 3


def test_status_counts_the_annexes_in_force_not_those_awaiting_signatures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An amendment that would move the appointment (Liite 1) to 15.2.2026 moves the
    steering group's term only once it is in force."""
    root = agreement(tmp_path / "a")
    today(monkeypatch, "2026-03-01")
    edit(root, "annexes/liite-1-asettamispaatos.yaml", "  date: 2025-01-20", "  date: 2026-02-15")
    edit(root, SECTION_12, "toistaiseksi.", "toistaiseksi. Muutettu.")
    amend = ["amend", "--date", "1.3.2026", "-m", "Uusi asettamispäätös"]
    assert run(capsys, "-C", str(root), *amend).code == 0

    def term() -> str:
        result = run(capsys, "-C", str(root), "status", "--today", "2026-03-02", "--json")
        deadlines = json.loads(result.out)["deadlines"]
        return next(d["due"] for d in deadlines if "steering group" in d["what"])

    assert term() == "2030-01-19"
    today(monkeypatch, "2026-03-02")
    _signed_by_hand(root, 2, "2026-03-02")
    assert term() == "2031-02-14"
