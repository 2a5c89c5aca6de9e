"""A register no one can forge (issue 17, first part): record fields that cannot smuggle a
field past git or tymdocs, one definition of a field for the writer and the reader, and git
read with tymdocs's own settings whatever the user's configuration.

Real repositories in tmp_path, a fixed author and clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.helpers import GIT_ENV, RECORDED, edit, git, run
from tests.test_governance import kela_to_one, snapshot
from tymdocs import git as tymdocs_git
from tymdocs.governance import Record, parse_record

AGREEMENT = "lansi-pirkanmaa-tym"
LIITE_5_PATH = "annexes/liite-5-henkilostoresurssi.yaml"


def hand_made(root: Path, trailers: str) -> None:
    message = f"Käsin\n\nTymdocs-Agreement: {AGREEMENT}\n{trailers}"
    git(root, "commit", "-qa", "--cleanup=verbatim", "-m", message, date=RECORDED)


@pytest.mark.parametrize(
    "separator", ["\f", "\v", "\r", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_a_field_cannot_hide_another_behind_a_separator(
    capsys: pytest.CaptureFixture[str], repo: Path, separator: str
) -> None:
    """git reads ``Case: HOLD-1<FF>Tymdocs-Parts: annex-5`` as a case and no parts; so does
    tymdocs, and the audit says the field holds a character it cannot show."""
    kela_to_one(repo)
    hand_made(
        repo,
        "Tymdocs-Record: decision\nTymdocs-Version: 2\nTymdocs-Date: 2025-09-15\n"
        "Tymdocs-Effective: 2025-09-15\nTymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\n"
        f"Tymdocs-Case: HOLD-1{separator}Tymdocs-Parts: annex-5",
    )
    trailers = tymdocs_git.log(repo, "HEAD", changes=False)[0].trailers
    record, problems = parse_record(trailers)
    assert record is not None and record.parts == ()
    assert f"Tymdocs-Case holds the character U+{ord(separator):04X}" in problems[0]
    result = run(capsys, "-C", str(repo), "check", "--governance")
    assert result.code == 1
    assert f"Tymdocs-Case holds the character U+{ord(separator):04X}" in result.err
    assert "a decision record needs Tymdocs-Parts" in result.err


@pytest.mark.parametrize(
    ("option", "value", "why"),
    [
        ("--case", "HOLD\x1b[2J", "Tymdocs-Case holds the character U+001B"),
        ("--body", "Johtoryhmä\u202e", "Tymdocs-Body holds the character U+202E"),
        ("-m", "Päätös\x1b[2J", "-m holds the character U+001B"),
        ("-m", "Päätös\x07", "-m holds the character U+0007"),
        ("--case", "HOLD\u200b-1", "Tymdocs-Case holds the character U+200B"),
        ("-m", "\ufeffPäätös", "-m holds the character U+FEFF"),
    ],
)
def test_a_record_command_refuses_hidden_characters(
    capsys: pytest.CaptureFixture[str], repo: Path, option: str, value: str, why: str
) -> None:
    kela_to_one(repo)
    args = {"--body": "Johtoryhmä", "-m": "Päätös", option: value}
    before = snapshot(repo)
    command = ["approve", "--date", "15.9.2025", "--section", "4"]
    result = run(capsys, "-C", str(repo), *command, *(x for kv in args.items() for x in kv))
    assert result.code == 1
    assert why in result.err, result.err
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        (["--effective", "9999-12-31", "--far-future"], "Tymdocs-Effective: '9999-12-31'"),
        (["--effective", "3000-01-01", "--far-future"], "Tymdocs-Effective: '3000-01-01'"),
        (["--section", "1000000000"], "Tymdocs-Section: '1000000000'"),
    ],
)
def test_a_record_command_writes_only_what_the_audit_reads(
    capsys: pytest.CaptureFixture[str], repo: Path, extra: list[str], why: str
) -> None:
    """The writer and the reader of a field are one definition: what ``check --governance``
    would reject is never recorded."""
    kela_to_one(repo)
    args = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "-m", "x"]
    if "--section" not in extra:
        args += ["--section", "4"]
    before = snapshot(repo)
    result = run(capsys, "-C", str(repo), *args, *extra)
    assert result.code == 1
    assert why in result.err, result.err
    assert snapshot(repo) == before


def test_the_user_s_git_configuration_does_not_change_what_tymdocs_reads(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    for key, value in (
        ("log.showRoot", "false"),
        ("log.showSignature", "true"),
        ("color.ui", "always"),
        ("trailer.separators", ":="),
        ("i18n.commitEncoding", "ISO-8859-1"),
        ("core.commentChar", "T"),
    ):
        git(repo, "config", key, value)
    kela_to_one(repo)
    result = run(
        capsys,
        "-C",
        str(repo),
        "approve",
        "--body",
        "Johtoryhmä",
        "--date",
        "15.9.2025",
        "--section",
        "4",
        "-m",
        "Kelan resurssi",
    )
    assert result.code == 0, result.err
    audited = run(capsys, "-C", str(repo), "check", "--governance")
    assert audited.code == 0, audited.err
    logged = run(capsys, "-C", str(repo), "log", "--json")
    assert '"kind": "decision"' in logged.out


# -- any text in a field: refused, or read back as written ------------------------------------

_ANY = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_TEXT = st.one_of(
    st.text(st.characters(whitelist_categories=("L", "N", "P", "S", "Zs")), min_size=1),
    st.text(_ANY, min_size=1, max_size=30),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(max_size=8),
        st.sampled_from(["\n", "\r", "\f", "\u2028", "\x85", ": ", "Tymdocs-Parts: annex-6"]),
        st.text(max_size=8),
    ),
)
"""Ordinary text, any text, and text around a separator or a field of its own."""


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=_TEXT, body=_TEXT)
def test_any_text_in_a_field_is_refused_or_reads_back_identically(
    seed_repo: Path, case: str, body: str
) -> None:
    """What the writer's definition accepts, git and tymdocs both read back as written."""
    record = Record(
        "decision",
        AGREEMENT,
        dt.date(2025, 9, 15),
        version=2,
        effective=dt.date(2025, 9, 15),
        body=body,
        section=4,
        case=case,
        parts=("annex-5",),
    )
    _, problems = parse_record(record.trailers())
    if problems:
        return  # refused by the one definition: a record command writes nothing
    read_by_git = tymdocs_git.parse_trailers(seed_repo, record.message("Päätös"))
    if read_by_git != tuple(record.trailers()):
        return  # refused by the record commands' check that git reads what they wrote
    again, found = parse_record(read_by_git)
    assert found == [] and again == record
    event("read back")


# -- what a record command takes, and where ---------------------------------------------------


def test_attach_takes_regular_files_only(repo: Path, tmp_path: Path) -> None:
    """A FIFO with no writer is refused at once, not waited on (in a child process, so a
    hang fails the test instead of stopping the suite)."""
    fifo = tmp_path / "ote.pdf"
    os.mkfifo(fifo)
    kela_to_one(repo)
    command = [sys.executable, "-m", "tymdocs", "-C", str(repo), "approve"]
    command += ["--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4", "-m", "x"]
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        [*command, "--attach", str(fifo)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "is not a regular file" in done.stderr
    assert git(repo, "log", "-1", "--format=%s") == "Sopimus allekirjoitettu"


def test_a_shallow_clone_is_refused(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    """Every command that reads the register refuses a history it sees only in part, with
    the advice to fetch the rest; checking the sources alone needs no history."""
    kela_to_one(repo)
    git(repo, "commit", "-qam", "Liite 5 ilman kirjausta", date=RECORDED)
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    before = snapshot(clone)
    notice = ["notice", "--termination", "--party", "kela", "--date", "1.10.2025", "-m", "x"]
    for command in (
        ["check", "--governance"],
        ["log"],
        ["status"],
        ["build", "-o", str(tmp_path / "out")],
        ["build", "--at", "1.10.2025", "-o", str(tmp_path / "out")],
        ["diff", "HEAD", "-o", str(tmp_path / "diff")],
        notice,
    ):
        refused = run(capsys, "-C", str(clone), *command)
        assert refused.code == 1, (command, refused.err)
        assert "holds only part of the history" in refused.err, command
        assert "git fetch --unshallow" in refused.err
    assert snapshot(clone) == before
    assert not (tmp_path / "out").exists() and not (tmp_path / "diff").exists()
    assert run(capsys, "-C", str(clone), "check").code == 0


def test_allow_shallow_judges_what_the_clone_shows(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    """From where the clone starts: version 3 is judged on its own (not as a gap after an
    unseen version 2), and a change without a record is still found."""
    approve = ["approve", "--body", "Johtoryhmä", "--section", "4", "-m", "x"]
    kela_to_one(repo)
    assert run(capsys, "-C", str(repo), *approve, "--date", "15.9.2025").code == 0
    edit(repo, "annexes/liite-4-palvelut.md", "järjestetään samoilla", "tuotetaan samoilla")
    assert run(capsys, "-C", str(repo), *approve, "--date", "16.9.2025").code == 0
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo}", str(clone))
    starts = git(clone, "rev-parse", "HEAD~1").strip()
    judged = run(capsys, "-C", str(clone), "check", "--governance", "--allow-shallow")
    assert judged.code == 0, judged.err
    assert f"in 1 governed commit(s) seen in this shallow clone (from {starts[:12]}:" in judged.out
    assert "neither that nor any rule that looks back at them was judged" in judged.out
    edit(clone, LIITE_5_PATH, "malliin on 1,0 htv", "malliin on 0,9 htv")
    git(clone, "commit", "-qam", "Ilman kirjausta", date=RECORDED)
    judged = run(capsys, "-C", str(clone), "check", "--governance", "--allow-shallow")
    assert judged.code == 1
    assert f"Ilman kirjausta: changes {LIITE_5_PATH} without a record" in judged.err
    assert "version" not in judged.err
    usage = run(capsys, "-C", str(clone), "check", "--allow-shallow")
    assert usage.code == 2


def test_commit_gpgsign_is_honoured(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    """The repository asks for signed commits and has no usable key: the record is refused,
    not committed unsigned."""
    git(repo, "config", "commit.gpgsign", "true")
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "user.signingkey", str(tmp_path / "no-such-key"))
    kela_to_one(repo)
    before = snapshot(repo)
    args = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    result = run(capsys, "-C", str(repo), *args, "-m", "x")
    assert result.code == 1
    assert "sign" in result.err
    assert snapshot(repo) == before


# -- left from the earlier suite ----------------------------------------------------------------


def test_verify_against_a_version_git_does_not_know_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], built_seed: Path
) -> None:
    copy = next((built_seed / "build").glob("*-allekirjoitus-kela.pdf"))
    result = run(capsys, "-C", str(built_seed), "verify", "--version", "no-such-rev", str(copy))
    assert result.code == 2
    assert "no-such-rev" in result.err


@pytest.mark.parametrize("into", ["docs_src", "annexes/x", ".git/x"])
def test_outputs_never_go_into_the_sources_or_git(
    capsys: pytest.CaptureFixture[str], seed_repo: Path, into: str
) -> None:
    before = snapshot(seed_repo)
    for command in (["build", "--no-packages"], ["diff", "HEAD"]):
        result = run(capsys, "-C", str(seed_repo), *command, "-o", str(seed_repo / into))
        assert result.code == 2, result.err
        assert "outputs never go into" in result.err
    assert snapshot(seed_repo) == before


def test_a_source_whose_name_holds_a_newline_is_an_error_naming_it(
    capsys: pytest.CaptureFixture[str], seed_repo: Path
) -> None:
    (seed_repo / "annexes" / "liite-9\na.md").write_text("# Liite 9 Uusi\n\nTeksti.\n")
    for command in (["check"], ["build", "--no-packages", "-o", str(seed_repo / "out")]):
        result = run(capsys, "-C", str(seed_repo), *command)
        assert result.code == 1, result.err
        assert "liite-9\\x0aa.md: error: the file name holds the character U+000A" in result.err
    assert not (seed_repo / "out").exists()


# -- hand-made records the audit now sees through -------------------------------------------


def test_a_decision_naming_a_section_is_flagged(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    hand_made(
        repo,
        "Tymdocs-Record: decision\nTymdocs-Version: 2\nTymdocs-Date: 2025-09-15\n"
        "Tymdocs-Effective: 2025-09-15\nTymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\n"
        "Tymdocs-Parts: section-8, annex-5",
    )
    result = run(capsys, "-C", str(repo), "check", "--governance")
    assert "a decision names 8 § in Tymdocs-Parts, which only an amendment changes" in result.err


@pytest.mark.parametrize("signing", ["every-copy", "counterparts"])
def test_signatures_need_every_party_s_copy_and_kept_copies_are_pdfs(
    capsys: pytest.CaptureFixture[str], repo: Path, signing: str
) -> None:
    """With 'signing: every-copy' the register holds a signatures record to every party's
    copy; with counterparts, one signed copy may carry every signature. A kept copy is a PDF
    either way."""
    edit(repo, "docs_src/12-voimassaolo-ja-muuttaminen.md", "toistaiseksi.", "toistaiseksi. M.")
    rules = "  require_signed_records: false"
    edit(repo, "tymdocs.yaml", rules, f"{rules}\n  signing: {signing}")
    amend = ["amend", "--date", "1.9.2025", "-m", "Muutos"]
    assert run(capsys, "-C", str(repo), *amend).code == 0
    kept = repo / "records" / "versio-2" / "kela.pdf"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"not a signed copy\n")
    digest = hashlib.sha256(kept.read_bytes()).hexdigest()
    git(repo, "add", "records")
    hand_made(
        repo,
        "Tymdocs-Record: signatures\nTymdocs-Version: 2\nTymdocs-Date: 2025-09-20\n"
        f"Tymdocs-Signed-Copy: kela sha256:{digest} records/versio-2/kela.pdf",
    )
    result = run(capsys, "-C", str(repo), "check", "--governance")
    assert result.code == 1
    missing = "without the signed copy of tyollisyysalue, hyvinvointialue: with 'signing: every"
    assert (missing in result.err) == (signing == "every-copy")
    assert "records/versio-2/kela.pdf is not a PDF" in result.err


# -- records all or nothing --------------------------------------------------------------------


def test_a_lock_another_git_process_holds_refuses_the_record(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    kela_to_one(repo)
    (repo / ".git" / "index.lock").write_bytes(b"")  # another git process at work
    before = snapshot(repo)
    args = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    result = run(capsys, "-C", str(repo), *args, "-m", "x")
    assert result.code == 1
    assert "another git process holds index.lock: nothing was recorded" in result.err
    assert snapshot(repo) == before
    (repo / ".git" / "index.lock").unlink()
    assert run(capsys, "-C", str(repo), *args, "-m", "x").code == 0
    assert git(repo, "status", "--porcelain") == ""  # HEAD and the index moved together


def test_a_hook_that_refuses_leaves_nothing_behind(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    hook = repo / ".git" / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho refused by policy >&2\nexit 1\n")
    hook.chmod(0o755)
    extract = tmp_path / "ote.pdf"
    extract.write_bytes(b"%PDF-1.7 minutes\n")
    kela_to_one(repo)
    before = snapshot(repo)
    args = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    result = run(capsys, "-C", str(repo), *args, "--attach", str(extract), "-m", "x")
    assert result.code == 1
    assert snapshot(repo) == before
    assert not (repo / "records").exists()
    assert not (repo / ".git" / "index.lock").exists()


# -- outputs stay clean -----------------------------------------------------------------------


def test_a_hand_made_record_s_control_characters_never_break_the_docx_redline(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    import zipfile

    from lxml import etree

    kela_to_one(repo)
    hand_made(
        repo,
        "Tymdocs-Record: decision\nTymdocs-Version: 2\nTymdocs-Date: 2025-09-15\n"
        "Tymdocs-Effective: 2025-09-15\nTymdocs-Body: Johtoryhmä\x01\x08\x1b\ufffe\n"
        "Tymdocs-Section: 4\nTymdocs-Parts: annex-5",
    )
    out = tmp_path / "diff"
    result = run(capsys, "-C", str(repo), "diff", "1", "HEAD", "--format", "docx", "-o", str(out))
    assert result.code == 0, result.err
    (report,) = out.glob("*.docx")
    with zipfile.ZipFile(report) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                etree.fromstring(package.read(name))  # well-formed, every part


def test_work_staged_in_the_same_second_stays_seen_as_changed(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """A file staged, then changed within the same second, must stay "AM": the index put in
    place keeps the time git judges such racily clean entries by."""
    kela_to_one(repo)
    (repo / "muistio.txt").write_text("aaaa\n")
    git(repo, "add", "muistio.txt")
    (repo / "muistio.txt").write_text("bbbb\n")
    args = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    assert run(capsys, "-C", str(repo), *args, "-m", "x").code == 0
    assert git(repo, "status", "--porcelain", "--", "muistio.txt") == "AM muistio.txt"


def test_right_after_a_record_git_sees_a_clean_tree(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """Scripts ask ``git diff-index --quiet HEAD``: the index put in place is refreshed."""
    kela_to_one(repo)
    args = ["approve", "--body", "Johtoryhmä", "--date", "15.9.2025", "--section", "4"]
    assert run(capsys, "-C", str(repo), *args, "-m", "x").code == 0
    done = subprocess.run(["git", "diff-index", "--quiet", "HEAD", "--"], cwd=repo, check=False)
    assert done.returncode == 0


def test_an_interrupt_after_the_refs_moved_keeps_the_record_whole(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    """Interrupted once HEAD has moved (a slow hook, Ctrl-C): the record stands, with its
    index and its files, not half of it."""
    hook = repo / ".git" / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(
        '#!/bin/sh\n[ "$1" = committed ] && kill -INT $PPID $(ps -o ppid= $PPID)\nexit 0\n'
    )
    hook.chmod(0o755)
    extract = tmp_path / "ote.pdf"
    extract.write_bytes(b"%PDF-1.7 minutes\n")
    kela_to_one(repo)
    env = {**os.environ, **GIT_ENV, "TMPDIR": str(tmp_path)}  # what an interrupt leaves
    command = [sys.executable, "-m", "tymdocs", "-C", str(repo), "approve", "--body"]
    command += ["Johtoryhmä", "--date", "15.9.2025", "--section", "4", "-m", "x"]
    subprocess.run([*command, "--attach", str(extract)], env=env, capture_output=True, timeout=60)
    hook.unlink()
    assert git(repo, "log", "-1", "--format=%s") == "x"
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / ".git" / "index.lock").exists()


_KILL_TYMDOCS = "kill -KILL $(ps -o ppid= $PPID)"
"""From a program git runs for tymdocs: kill tymdocs itself (the parent of that git)."""


def _killed_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a tymdocs a test kills: the fixed author and clock, and a TMPDIR of
    the test's own for the temporary index a SIGKILL leaves behind."""
    dates = {"GIT_COMMITTER_DATE": RECORDED, "GIT_AUTHOR_DATE": RECORDED}
    return {**os.environ, **GIT_ENV, **dates, "TMPDIR": str(tmp_path)}


@pytest.mark.parametrize("point", ["before-the-lock", "before-the-refs", "after-the-refs"])
def test_a_kill_at_any_point_leaves_the_record_whole_or_undone(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path, point: str
) -> None:
    """SIGKILL cannot be caught: the journal a record leaves beside the index lets the next
    record command finish it (HEAD moved) or undo it (HEAD did not), and say so, refusing to
    record anything more until the user has looked."""
    hook = repo / ".git" / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    if point == "before-the-lock":  # while git signs the commit, before anything is written
        signer = tmp_path / "gpg"
        signer.write_text(f"#!/bin/sh\n{_KILL_TYMDOCS}\nexit 1\n")
        signer.chmod(0o755)
        git(repo, "config", "gpg.program", str(signer))
        git(repo, "config", "commit.gpgsign", "true")
    else:  # the lock and the new files written; the refs not moved, or just moved
        state = "prepared" if point == "before-the-refs" else "committed"
        hook.write_text(
            f'#!/bin/sh\n[ "$1" = {state} ] || exit 0\n{_KILL_TYMDOCS}\n'
            f"exit {1 if state == 'prepared' else 0}\n"
        )
        hook.chmod(0o755)
    extract = tmp_path / "ote.pdf"
    extract.write_bytes(b"%PDF-1.7 minutes\n")
    kela_to_one(repo)
    before = snapshot(repo)
    env = _killed_env(tmp_path)
    command = [sys.executable, "-m", "tymdocs", "-C", str(repo), "approve", "--body"]
    command += ["Johtoryhmä", "--date", "15.9.2025", "--section", "4", "-m", "x"]
    killed = subprocess.run(
        [*command, "--attach", str(extract)], env=env, capture_output=True, timeout=60
    )
    assert killed.returncode == -9, killed.stderr
    hook.unlink(missing_ok=True)
    if point == "before-the-lock":  # nothing was written: nothing to finish or undo
        assert snapshot(repo) == before
        git(repo, "config", "--unset", "commit.gpgsign")
    again = run(capsys, *command[3:])
    if point == "before-the-lock":
        assert again.code == 0, again.err
        return
    assert again.code == 1
    assert not list((repo / ".git").glob("*.lock"))
    assert not (repo / ".git" / "tymdocs-record.json").exists()
    if point == "before-the-refs":
        assert "undid a record a killed tymdocs left half made" in again.err
        assert snapshot(repo) == before
        assert not (repo / "records").exists()
    else:
        assert "which a killed tymdocs left half made" in again.err
        assert git(repo, "log", "-1", "--format=%s") == "x"
        assert git(repo, "status", "--porcelain") == ""
        assert run(capsys, "-C", str(repo), "check", "--governance").code == 0


def test_a_message_saved_by_a_windows_editor_is_taken_with_lf(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    edit(repo, "docs_src/12-voimassaolo-ja-muuttaminen.md", "toistaiseksi.", "toistaiseksi. M.")
    text = "Muutos\r\n\r\nPerustelut.\r\n"
    assert run(capsys, "-C", str(repo), "amend", "--date", "1.9.2025", "-m", text).code == 0
    assert "\r" not in git(repo, "log", "-1", "--format=%B")


def test_the_same_text_with_crlf_line_ends_keeps_its_fingerprint(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    """A Windows editor's line ends are no other text: the same fingerprint, and the same
    document body, for every kind of source."""
    for path in ("tymdocs.yaml", LIITE_5_PATH, "annexes/liite-4-palvelut.md"):
        target = repo / path
        target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    for path in (repo / "docs_src").glob("*.md"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    git(repo, "commit", "-qam", "CRLF", date=RECORDED)
    assert b"\r\n" in git_show(repo, "HEAD:annexes/liite-4-palvelut.md")
    built = {}
    for rev in ("HEAD~1", "HEAD"):
        out = tmp_path / rev.replace("~", "-")
        built_rev = run(
            capsys, "-C", str(repo), "build", "--ref", rev, "--no-packages", "-o", str(out)
        )
        assert built_rev.code == 0
        manifest = json.loads((out / "manifest.json").read_text())
        docx = out / f"{AGREEMENT}.docx"
        with zipfile.ZipFile(docx) as archive:
            built[rev] = (manifest["source"]["fingerprint"], archive.read("word/document.xml"))
    assert built["HEAD~1"] == built["HEAD"]


def git_show(root: Path, spec: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(root), "show", spec], capture_output=True, check=True
    ).stdout


_REVIEW = ("approve", "--review", "5", "--body", "Johtoryhmä", "--date", "2.10.2025")
_REVIEW += ("--section", "9", "-m", "x")


def _killed_after_the_refs_moved(repo: Path, tmp_path: Path) -> None:
    """``approve --attach`` killed once HEAD has moved, before the lock became the index."""
    hook = repo / ".git" / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f'#!/bin/sh\n[ "$1" = committed ] || exit 0\n{_KILL_TYMDOCS}\nexit 0\n')
    hook.chmod(0o755)
    extract = tmp_path / "ote.pdf"
    extract.write_bytes(b"%PDF-1.7 minutes\n")
    kela_to_one(repo)
    env = _killed_env(tmp_path)
    command = [sys.executable, "-m", "tymdocs", "-C", str(repo), "approve", "--body"]
    command += ["Johtoryhmä", "--date", "15.9.2025", "--section", "4", "-m", "Päätös"]
    killed = subprocess.run(
        [*command, "--attach", str(extract)], env=env, capture_output=True, timeout=60
    )
    assert killed.returncode == -9
    hook.unlink()
    assert git(repo, "log", "-1", "--format=%s") == "Päätös"


@pytest.mark.parametrize("then", ["lock-removed", "lock-removed-and-committed"])
def test_a_record_killed_then_tidied_by_hand_is_finished_never_undone(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path, then: str
) -> None:
    """The user follows git's advice and removes the lock (and may commit more): the record
    is in HEAD's history, so it is made; its files stay, and its paths in the index are
    the committed ones, so the next commit cannot revert it."""
    _killed_after_the_refs_moved(repo, tmp_path)
    (repo / ".git" / "index.lock").unlink()
    if then == "lock-removed-and-committed":
        git(repo, "reset", "-q")
        (repo / "muistio.txt").write_text("muistio\n")
        git(repo, "add", "muistio.txt")
        git(repo, "commit", "-qm", "Muistio", date=RECORDED)
    again = run(capsys, "-C", str(repo), *_REVIEW)
    assert "which a killed tymdocs left half made" in again.err, again.err
    assert git(repo, "status", "--porcelain") == ""
    assert list((repo / "records").rglob("ote.pdf"))


def test_a_journal_is_data_not_orders(
    capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path
) -> None:
    """A journal that names another lock, or does not read, never removes a file; one held
    by a live record is left to it."""
    journal = repo / ".git" / "tymdocs-record.json"
    journal.write_text(
        json.dumps(
            {
                "commit": "0" * 40,
                "lock": "x",
                "paths": ["tymdocs.yaml"],
                "files": {"tymdocs.yaml": "x"},
                "folders": [".."],
                "prefix": "",
            }
        )
    )
    before = snapshot(repo)
    first = run(capsys, "-C", str(repo), *_REVIEW)
    assert first.code == 1 and "undid a record" in first.err
    assert snapshot(repo) == before and not journal.exists()
    journal.write_text("{}")
    broken = run(capsys, "-C", str(repo), *_REVIEW)
    assert broken.code == 1
    assert "does not read as a tymdocs journal: remove it" in broken.err
    assert snapshot(repo) == before


def test_replace_refs_and_grafts_do_not_rewrite_the_register(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    """git replace can show another commit in an unrecorded one's place, and a grafts file
    can skip it; tymdocs reads the history as committed."""
    kela_to_one(repo)
    git(repo, "commit", "-qam", "Ilman kirjausta", date=RECORDED)
    unrecorded = git(repo, "rev-parse", "HEAD")
    forged = git(
        repo,
        "commit-tree",
        f"{unrecorded}^{{tree}}",
        "-p",
        "HEAD~1",
        "-m",
        "Päätös\n\nTymdocs-Agreement: lansi-pirkanmaa-tym\nTymdocs-Record: decision\n"
        "Tymdocs-Version: 2\nTymdocs-Date: 2025-09-15\nTymdocs-Effective: 2025-09-15\n"
        "Tymdocs-Body: Johtoryhmä\nTymdocs-Section: 4\nTymdocs-Parts: annex-5",
    )
    git(repo, "replace", unrecorded, forged)
    edit(repo, "annexes/liite-4-palvelut.md", "järjestetään samoilla", "tuotetaan samoilla")
    git(repo, "commit", "-qam", "Toinen", date=RECORDED)
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "grafts").write_text(
        f"{git(repo, 'rev-parse', 'HEAD')} {git(repo, 'rev-parse', 'HEAD~2')}\n"
    )
    audited = run(capsys, "-C", str(repo), "check", "--governance")
    assert audited.code == 1
    assert f"{unrecorded[:12]} Ilman kirjausta: changes {LIITE_5_PATH} without a record" in (
        audited.err
    )
    assert "Toinen: changes annexes/liite-4-palvelut.md without a record" in audited.err
    assert "version 2" not in run(capsys, "-C", str(repo), "log").out
