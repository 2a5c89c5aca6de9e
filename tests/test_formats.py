"""``tymdocs.yaml``'s formats (issue 15, item 4): the forms released before ``format: 2`` read
with one warning, ``tymdocs upgrade`` rewrites them keeping every comment, and a file and its
upgrade are the same version: one fingerprint, the same bytes in every document.

The old forms are kept as files under ``tests/fixtures/formats`` and put into a copy of the
agreement they belong to: the seed as its first commit wrote it (``change_rules: {main_text,
annexes: decision, composition: notice}``, format 1a), and the made-up agreement as every
fixture was written before formats (the mapping by annex number without ``format:``, 1b) and,
once more, in the oldest shape as a flow mapping with a comment on each line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from itertools import takewhile
from pathlib import Path

import pytest
import yaml

from tests.helpers import FIXTURES, SEED, Run, copy_agreement, git, init_repo, run
from tymdocs import __version__
from tymdocs.cli import main
from tymdocs.config import AnnexRoles
from tymdocs.formats import APPOINTMENT_COMMENT, FORMAT_COMMENT, read_rules, upgrade_config
from tymdocs.sources import WorkTree, fingerprint, tree_roles

FORMATS = FIXTURES / "formats"
KUVITTEELLINEN = FIXTURES / "kuvitteellinen"
CONFIG = "tymdocs.yaml"
DECLARATION = f"format: 2  {FORMAT_COMMENT}\n"
WARNING = (
    "tymdocs.yaml is written in format 1 (no 'format:' key); the current format is 2: "
    "run 'tymdocs upgrade'"
)


def _seed_1b() -> str:
    """The seed as it was written before formats: today's file without its declaration."""
    text = (SEED / CONFIG).read_text(encoding="utf-8")
    assert DECLARATION in text
    return text.replace(DECLARATION, "")


OLD_FORMS: dict[str, tuple[Path, str]] = {
    "seed-1a": (SEED, (FORMATS / "seed-format-1a.yaml").read_text(encoding="utf-8")),
    "seed-1b": (SEED, _seed_1b()),
    "kuvitteellinen-1b": (
        KUVITTEELLINEN,
        (FORMATS / "kuvitteellinen-format-1b.yaml").read_text(encoding="utf-8"),
    ),
    "kuvitteellinen-1a-flow": (
        KUVITTEELLINEN,
        (FORMATS / "kuvitteellinen-format-1a-flow.yaml").read_text(encoding="utf-8"),
    ),
}


def agreement(target: Path, form: str) -> Path:
    """The agreement of ``form`` with its old ``tymdocs.yaml``, outside git."""
    source, text = OLD_FORMS[form]
    copy_agreement(target, source)
    (target / CONFIG).write_text(text, encoding="utf-8")
    return target


def cli(*args: str) -> int:
    """The CLI in-process, for module-scoped fixtures (no capsys there): its exit code."""
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def run_in(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Run:
    """The CLI run from ``root``, so that the paths it names are the agreement's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        return run(capsys, *args)


def check(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, list[dict[str, object]]]:
    result = run_in(capsys, root, "check", "--json")
    return result.code, json.loads(result.out)["problems"]


def located(root: Path, problem: dict[str, object]) -> tuple[object, ...]:
    """A problem with the line it names read from the file instead of its number: the
    upgrade inserts a line, and rewrites a rule's line keeping its comment, so a problem
    must point at the line with the same comment (or text) after it."""
    line = problem["line"]
    text = None
    if isinstance(line, int):
        text = (root / str(problem["path"])).read_text(encoding="utf-8").splitlines()[line - 1]
        text = text[text.index("#") :] if "#" in text else text
    return problem["path"], text, problem["severity"], problem["message"]


def comments(text: str) -> list[str]:
    """Every comment of a YAML file (the fixtures have no '#' inside a value)."""
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


# -- reading the old forms ------------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(OLD_FORMS))
def test_an_old_form_reads_with_one_warning_more_than_its_upgrade(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, form: str
) -> None:
    old = agreement(tmp_path / "old", form)
    new = agreement(tmp_path / "new", form)
    assert run(capsys, "-C", str(new), "upgrade", "--force").code == 0
    code, problems = check(capsys, old)
    warning = [p for p in problems if p["message"] == WARNING]
    assert len(warning) == 1
    first_key = next(
        i for i, line in enumerate(OLD_FORMS[form][1].splitlines(), 1) if line[:1].isalpha()
    )
    assert warning[0] == {
        "path": CONFIG,
        "line": first_key,
        "severity": "warning",
        "message": WARNING,
    }
    new_code, upgraded = check(capsys, new)
    assert not any("format" in str(p["message"]) for p in upgraded)
    rest = [located(old, p) for p in problems if p is not warning[0]]
    assert rest == [located(new, p) for p in upgraded]
    errors = [p["message"] for p in problems if p["severity"] == "error"]
    assert code == new_code == 0
    assert errors == []


def test_the_oldest_form_gives_the_composition_and_the_appointment_their_own_rules() -> None:
    """'composition: notice' is the composition annex's rule; 'annexes: decision' gives the
    appointment (Liite 1) to a decision of the body that made it, for the appointing party,
    as § 4 and the policy check have it; every other annex is the steering group's."""
    text = OLD_FORMS["seed-1a"][1]
    roles = tree_roles(WorkTree(SEED))
    assert roles == AnnexRoles(frozenset({2}), ((1, "Työllisyyslautakunta"),))
    policy = read_rules(text, roles).policy
    assert policy is not None
    assert policy.main_text.record == "amendment"
    assert (policy.default.record, policy.default.body) == ("decision", "Johtoryhmä")
    assert [(n, rule.record, rule.body, rule.party) for n, rule in policy.annexes] == [
        (1, "decision", "Työllisyyslautakunta", "tyollisyysalue"),
        (2, "notice", None, None),
    ]
    assert policy.rule(5) == policy.default
    # no composition or appointment annex in the tree: every annex by the annexes' rule
    alone = read_rules(text, AnnexRoles()).policy
    assert alone == type(policy)(policy.main_text, (), policy.default)
    # annexes by notice: the appointment is left to the policy check, which refuses it
    by_notice = read_rules(text.replace("annexes: decision", "annexes: notice"), roles).policy
    assert by_notice is not None and by_notice.rule(1).record == "notice"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3", f"format 3 is newer than this tymdocs ({__version__}) reads: upgrade tymdocs"),
        ("0", "format: expected the number of a format of tymdocs.yaml (1 to 2), got 0"),
        ("x", "format: expected the number of a format of tymdocs.yaml (1 to 2), got 'x'"),
        ("1.5", "format: expected the number of a format of tymdocs.yaml (1 to 2), got 1.5"),
    ],
)
def test_an_unknown_format_is_one_error_at_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str, message: str
) -> None:
    root = copy_agreement(tmp_path / "agreement")
    text = (root / CONFIG).read_text(encoding="utf-8")
    (root / CONFIG).write_text(text.replace("format: 2", f"format: {value}"), encoding="utf-8")
    line = text.splitlines().index(DECLARATION.rstrip("\n")) + 1
    result = run_in(capsys, root, "check")
    assert result.code == 1
    assert f"tymdocs.yaml:{line}: error: {message}" in result.err.splitlines()
    assert "check failed: 1 error(s)" in result.out  # nothing else is read
    refused = run(capsys, "-C", str(root), "upgrade", "--force")
    assert refused.code == 1
    assert message in refused.err
    assert (root / CONFIG).read_text(encoding="utf-8") == text.replace(
        "format: 2", f"format: {value}"
    )


def test_format_2_does_not_read_the_oldest_shape(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = agreement(tmp_path / "agreement", "seed-1a")
    text = (root / CONFIG).read_text(encoding="utf-8")
    (root / CONFIG).write_text("format: 2\n" + text, encoding="utf-8")
    result = run_in(capsys, root, "check")
    assert result.code == 1
    line = text.splitlines().index("change_rules:") + 2
    assert (
        f"tymdocs.yaml:{line}: error: change_rules: 'annexes: <record>' and 'composition:' are "
        "the oldest form, read only in format 1"
    ) in result.err


def test_format_1_declared_reads_as_format_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = agreement(tmp_path / "agreement", "kuvitteellinen-1a-flow")
    text = (root / CONFIG).read_text(encoding="utf-8")
    (root / CONFIG).write_text(text.replace("id:", "format: 1  # declared\nid:", 1), "utf-8")
    code, problems = check(capsys, root)
    assert code == 0
    assert [p["message"] for p in problems if "format" in str(p["message"])] == [
        "tymdocs.yaml is written in format 1; the current format is 2: run 'tymdocs upgrade'"
    ]
    assert run(capsys, "-C", str(root), "upgrade", "--force").code == 0
    upgraded = (root / CONFIG).read_text(encoding="utf-8")
    assert "format: 2  # declared\nid:" in upgraded
    assert FORMAT_COMMENT not in upgraded


# -- upgrade ----------------------------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(OLD_FORMS))
def test_upgrade_keeps_every_comment_the_key_order_and_the_rules(form: str) -> None:
    source, old = OLD_FORMS[form]
    numbers = tree_roles(WorkTree(source))
    new = upgrade_config(old, numbers)
    expected = comments(old)
    expected.insert(
        len(list(takewhile(lambda x: x.startswith("#"), old.splitlines()))), FORMAT_COMMENT
    )
    # the one comment added: beside the appointment's rule, which the oldest shape left unsaid
    added = len(numbers.appointments) if not form.endswith("1b") else 0
    assert comments(new).count(APPOINTMENT_COMMENT) == added
    assert [line for line in comments(new) if line != APPOINTMENT_COMMENT] == expected
    old_keys, new_keys = (list(yaml.safe_load(t)) for t in (old, new))
    assert new_keys == ["format", *old_keys]
    assert new.startswith(old[: old.index(old_keys[0] + ":")] + DECLARATION)
    before, after = read_rules(old, numbers), read_rules(new, numbers)
    assert (before.format, after.format) == (1, 2)
    assert after.policy == before.policy is not None
    assert after.meta == before.meta
    if form.endswith("1b"):
        assert new == old.replace(f"{old_keys[0]}:", DECLARATION + f"{old_keys[0]}:", 1)
    else:  # only the change_rules lines are rewritten: every other line kept, in order
        kept = [line for line in old.splitlines() if not _old_rule_line(line)]
        assert _subsequence(kept, new.splitlines())
    assert upgrade_config(new, numbers) == new


def _old_rule_line(line: str) -> bool:
    return bool(re.match(r"\s*(annexes|composition): \w+|change_rules: \{", line))


def _subsequence(kept: list[str], lines: list[str]) -> bool:
    found = iter(lines)
    return all(any(line == candidate for candidate in found) for line in kept)


def test_the_oldest_shape_becomes_the_mapping_with_each_comment_on_its_line() -> None:
    source, old = OLD_FORMS["seed-1a"]
    new = upgrade_config(old, tree_roles(WorkTree(source)))
    assert new.endswith(
        "change_rules:\n"
        "  main_text: amendment  # written amendment signed by every party\n"
        "  annexes:\n"
        "    default: {record: decision, body: Johtoryhmä}  # approved by the steering group\n"
        "    1: {record: decision, body: Työllisyyslautakunta, party: tyollisyysalue}  "
        "# the appointing body (§ 4)\n"
        "    2: {record: notice}  # an organisation's notice, outside the agreement\n"
    )
    source, old = OLD_FORMS["kuvitteellinen-1a-flow"]
    new = upgrade_config(old, tree_roles(WorkTree(source)))
    assert new.endswith(
        "# The oldest form of change_rules, written as a flow mapping.\n"
        "change_rules:\n"
        "  main_text: amendment  # § 9: by a written amendment\n"
        "  annexes:\n"
        "    default: {record: decision, body: Johtoryhmä}  # by the steering group\n"
        "    1: {record: notice}  # Liite 1 by an organisation's notice\n"
    )


@pytest.fixture
def old_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seed in the oldest form, committed once with the fixed author and clock."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    return init_repo(agreement(tmp_path / "agreement", "seed-1a"), "Sopimus")


def test_upgrade_rewrites_a_committed_file_once(
    capsys: pytest.CaptureFixture[str], old_repo: Path
) -> None:
    before = (old_repo / CONFIG).read_bytes()
    os.chmod(old_repo / CONFIG, 0o640)
    result = run(capsys, "-C", str(old_repo), "upgrade")
    assert result.code == 0, result.err
    assert "in format 2: review it with git diff" in result.out
    after = (old_repo / CONFIG).read_bytes()
    assert after == upgrade_config(before.decode(), tree_roles(WorkTree(old_repo))).encode()
    assert (old_repo / CONFIG).stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in old_repo.iterdir()) == [".git", "annexes", "docs_src", CONFIG]
    # a second run, before or after the commit, changes nothing
    again = run(capsys, "-C", str(old_repo), "upgrade")
    assert (again.code, again.out) == (0, "tymdocs.yaml is already in format 2\n")
    git(old_repo, "commit", "-q", "-am", "tymdocs.yaml in format 2")
    again = run(capsys, "-C", str(old_repo), "upgrade")
    assert (again.code, again.out) == (0, "tymdocs.yaml is already in format 2\n")
    assert (old_repo / CONFIG).read_bytes() == after


@pytest.mark.parametrize("how", ["changed", "staged", "untracked"])
def test_upgrade_refuses_a_file_git_does_not_hold_as_it_is(
    capsys: pytest.CaptureFixture[str], old_repo: Path, how: str
) -> None:
    config = old_repo / CONFIG
    if how == "untracked":
        git(old_repo, "rm", "-q", "--cached", CONFIG)
        git(old_repo, "commit", "-q", "-m", "ilman")
    else:
        config.write_text(config.read_text(encoding="utf-8") + "# muutos\n", encoding="utf-8")
    if how == "staged":
        git(old_repo, "add", CONFIG)
    before = config.read_bytes()
    result = run(capsys, "-C", str(old_repo), "upgrade")
    assert result.code == 1
    expected = "is not tracked by git" if how == "untracked" else "has uncommitted changes"
    assert result.err.startswith(f"Error: tymdocs.yaml {expected}"), result.err
    assert config.read_bytes() == before
    dry = run(capsys, "-C", str(old_repo), "upgrade", "--dry-run")  # shows, never refuses
    assert dry.code == 0 and dry.out.startswith("--- a/tymdocs.yaml"), dry.err
    assert config.read_bytes() == before


def test_upgrade_outside_git_needs_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = agreement(tmp_path / "agreement", "kuvitteellinen-1b")
    before = (root / CONFIG).read_bytes()
    result = run(capsys, "-C", str(root), "upgrade")
    assert result.code == 1
    assert "is not in a git repository" in result.err
    assert "tymdocs upgrade --force" in result.err
    assert (root / CONFIG).read_bytes() == before
    forced = run(capsys, "-C", str(root), "upgrade", "--force")
    assert forced.code == 0
    assert forced.out.startswith("rewrote ")
    assert forced.out.endswith("tymdocs.yaml in format 2\n")  # no git diff to review it with
    assert (root / CONFIG).read_text(encoding="utf-8").count(DECLARATION) == 1


def test_dry_run_prints_the_diff_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], old_repo: Path
) -> None:
    before = (old_repo / CONFIG).read_bytes()
    result = run(capsys, "-C", str(old_repo), "upgrade", "--dry-run")
    assert result.code == 0
    assert (old_repo / CONFIG).read_bytes() == before
    assert result.out.startswith("--- a/tymdocs.yaml\n+++ b/tymdocs.yaml\n@@ ")
    added = [
        line[1:] for line in result.out.splitlines() if line.startswith("+") and line[1:2] != "+"
    ]
    removed = [
        line[1:] for line in result.out.splitlines() if line.startswith("-") and line[1:2] != "-"
    ]
    assert added[0] == DECLARATION.rstrip("\n")
    assert removed == [
        "  annexes: decision     # approved by the steering group",
        "  composition: notice   # an organisation's notice, outside the agreement",
    ]
    assert git(old_repo, "status", "--porcelain") == ""


# -- the same version -----------------------------------------------------------------------


def hand_fingerprint(root: Path) -> str:
    """The fingerprint as its definition reads: SHA-256 over each source's path, its length
    and its text (NFC, LF line ends, no trailing blanks, one final line end), paths sorted."""
    digest = hashlib.sha256()
    paths = [CONFIG] + [
        f"{folder}/{p.name}"
        for folder in ("docs_src", "annexes")
        for p in (root / folder).iterdir()
        if p.suffix in (".md", ".yaml")
    ]
    for path in sorted(paths):
        text = unicodedata.normalize("NFC", (root / path).read_bytes().decode("utf-8"))
        lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
        data = ("\n".join(lines).strip("\n") + "\n").encode()
        digest.update(f"{path}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


@pytest.mark.parametrize("form", ["seed-1b", "kuvitteellinen-1b"])
def test_the_fingerprint_of_a_file_before_formats_is_kept_by_format_2(
    tmp_path: Path, form: str
) -> None:
    old = agreement(tmp_path / "old", form)
    expected = hand_fingerprint(old)
    new = agreement(tmp_path / "new", form)
    (new / CONFIG).write_text(upgrade_config(OLD_FORMS[form][1], ()), encoding="utf-8")
    assert DECLARATION in (new / CONFIG).read_text(encoding="utf-8")
    assert fingerprint(WorkTree(old)) == expected
    assert fingerprint(WorkTree(new)) == expected
    assert hand_fingerprint(new) != expected  # the file did change


def test_the_oldest_form_and_its_upgrade_have_one_fingerprint(tmp_path: Path) -> None:
    for form in ("seed-1a", "kuvitteellinen-1a-flow"):
        old = agreement(tmp_path / form / "old", form)
        new = agreement(tmp_path / form / "new", form)
        text = upgrade_config(OLD_FORMS[form][1], tree_roles(WorkTree(old)))
        (new / CONFIG).write_text(text, encoding="utf-8")
        assert fingerprint(WorkTree(old)) == fingerprint(WorkTree(new))
        # ... which is the upgrade's without its declaration, by the definition
        (new / CONFIG).write_text(text.replace(DECLARATION, ""), encoding="utf-8")
        assert fingerprint(WorkTree(old)) == hand_fingerprint(new)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, Path]]]:
    """Each old form and its upgrade, built once through the CLI outside git (a
    build in git names its commit, which differs with the file)."""
    found: dict[str, tuple[Path, Path]] = {}
    for form in OLD_FORMS:
        base = tmp_path_factory.mktemp(form)
        old, new = agreement(base / "old", form), agreement(base / "new", form)
        assert cli("-C", str(new), "upgrade", "--force") == 0
        for root in (old, new):
            assert cli("-C", str(root), "build", "-q") == 0
        found[form] = (old / "build", new / "build")
    yield found


@pytest.mark.parametrize("form", sorted(OLD_FORMS))
def test_an_old_form_builds_the_bytes_of_its_upgrade(
    builds: dict[str, tuple[Path, Path]], form: str
) -> None:
    old, new = builds[form]
    names = sorted(p.name for p in old.iterdir())
    assert names == sorted(p.name for p in new.iterdir())
    kinds = {name.rsplit(".", 1)[1] for name in names}
    assert kinds == {"docx", "pdf", "json"}
    assert sum("-allekirjoitus-" in name for name in names) >= 6  # packages of 3+ parties
    for name in names:
        if name != "manifest.json":
            assert (old / name).read_bytes() == (new / name).read_bytes(), name
    manifests = [json.loads((side / "manifest.json").read_text()) for side in (old, new)]
    assert manifests[0]["source"]["fingerprint"] == manifests[1]["source"]["fingerprint"]


# -- the history --------------------------------------------------------------------------------


def test_the_register_judges_an_old_history_by_its_oldest_rules(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Liite 1 of the made-up agreement is its composition: under ``composition: notice`` a
    notice records its change, and the audit of the history reads the old file the same way."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    root = init_repo(agreement(tmp_path / "agreement", "kuvitteellinen-1a-flow"), "Sopimus")
    assert run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu").code == 0
    composition = root / "annexes" / "kokoonpano.yaml"
    text = composition.read_text(encoding="utf-8")
    composition.write_text(text.replace("Eero Esimerkki", "Eeva Esimerkki"), encoding="utf-8")
    notice = ["notice", "--party", "jarvila", "--date", "2.2.2026", "-m", "Jäsen vaihtuu"]
    result = run(capsys, "-C", str(root), *notice)
    assert result.code == 0, result.err
    audit = run(capsys, "-C", str(root), "check", "--governance")
    assert audit.code == 0, audit.out + audit.err
    assert "governance ok: 0 problem(s) in 1 governed commit(s)" in audit.out


@pytest.mark.parametrize("form", ["kuvitteellinen-1b", "kuvitteellinen-1a-flow"])
def test_a_committed_upgrade_is_no_change_of_the_agreement(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    form: str,
) -> None:
    """Adopted in the old form, upgraded and committed without a record: still version 1,
    nothing waits, the history is in order, and the build is version 1's, byte for byte."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    root = init_repo(agreement(tmp_path / "agreement", form), "Sopimus")
    assert run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu").code == 0
    assert run(capsys, "-C", str(root), "build", "-q", "-o", str(tmp_path / "v1")).code == 0
    assert run(capsys, "-C", str(root), "upgrade").code == 0
    dirty = run(capsys, "-C", str(root), "build", "-q", "-o", str(tmp_path / "dirty"))
    assert dirty.code == 0
    assert "LUONNOS" in json.loads((tmp_path / "dirty" / "manifest.json").read_text())["version"]
    git(root, "commit", "-q", "-am", "tymdocs.yaml in format 2")
    status = run(capsys, "-C", str(root), "status")
    assert "nothing waits to be recorded" in status.out
    assert "without a record" not in status.out
    audit = run(capsys, "-C", str(root), "check", "--governance")
    assert audit.code == 0, audit.out + audit.err
    assert run(capsys, "-C", str(root), "build", "-q", "-o", str(tmp_path / "after")).code == 0
    names = sorted(p.name for p in (tmp_path / "v1").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "after").iterdir())
    for name in names:
        after = (tmp_path / "after" / name).read_bytes()
        assert (tmp_path / "v1" / name).read_bytes() == after, name


def test_a_changed_rule_in_the_same_commit_is_still_a_change(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upgrade is no change only while the rules stay: the composition annex's rule
    rewritten in the same commit needs its amendment."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    root = init_repo(agreement(tmp_path / "agreement", "kuvitteellinen-1a-flow"), "Sopimus")
    assert run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu").code == 0
    assert run(capsys, "-C", str(root), "upgrade").code == 0
    config = root / CONFIG
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("1: {record: notice}", "1: {record: amendment}"), "utf-8")
    git(root, "commit", "-q", "-am", "tymdocs.yaml in format 2")
    audit = run(capsys, "-C", str(root), "check", "--governance")
    assert audit.code == 1
    assert "changes the main text (tymdocs.yaml) without a record" in audit.err


def _adopted_seed_1a(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    root = init_repo(agreement(tmp_path / "agreement", "seed-1a"), "Sopimus")
    assert run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu").code == 0
    return root


def _appointed_by(
    capsys: pytest.CaptureFixture[str], root: Path, body: str, day: str, section: str
) -> None:
    """Liite 1 renamed to the next member and its decision's body changed to ``body``,
    recorded as a decision of Työllisyyslautakunta."""
    path = root / "annexes" / "liite-1-asettamispaatos.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  body: .*$", f"  body: {body}", text, count=1)
    path.write_text(text.replace("Tiina Leppäniemi", f"Tiina Leppäniemi-{section}"), "utf-8")
    approve = ["approve", "--body", "Työllisyyslautakunta", "--date", day, "--section", section]
    done = run(capsys, "-C", str(root), *approve, "-m", "Päätös")
    assert done.code == 0, done.err


def test_after_a_committed_upgrade_the_register_follows_the_upgraded_rules(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upgrade writes out the appointment's rule as Liite 1 says it on that day. A later
    decision that names another body in Liite 1 does not move that rule: the records and
    check --governance judge the next decision by the same, upgraded, file."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    root = _adopted_seed_1a(capsys, tmp_path)
    assert run(capsys, "-C", str(root), "upgrade").code == 0
    git(root, "commit", "-q", "-am", "tymdocs.yaml in format 2")
    _appointed_by(capsys, root, "Kaupunginhallitus", "1.2.2026", "7")
    _appointed_by(capsys, root, "Kaupunginhallitus", "2.2.2026", "8")
    audit = run(capsys, "-C", str(root), "check", "--governance")
    assert audit.code == 0, audit.out + audit.err


def test_a_rewrite_is_judged_by_its_own_trees(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same pair of files can be a rewrite in one commit and a change of a rule in a later
    one, when Liite 1, which the oldest shape's rule reads, has changed in between."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    root = _adopted_seed_1a(capsys, tmp_path)
    old = (root / CONFIG).read_bytes()
    assert run(capsys, "-C", str(root), "upgrade").code == 0
    upgraded = (root / CONFIG).read_bytes()
    git(root, "commit", "-q", "-am", "tymdocs.yaml in format 2")
    (root / CONFIG).write_bytes(old)
    git(root, "commit", "-q", "-am", "tymdocs.yaml back in format 1")
    assert run(capsys, "-C", str(root), "check", "--governance").code == 0
    _appointed_by(capsys, root, "Kaupunginhallitus", "1.2.2026", "7")
    (root / CONFIG).write_bytes(upgraded)  # Liite 1 by Työllisyyslautakunta, no longer its body
    git(root, "commit", "-q", "-am", "tymdocs.yaml in format 2 again")
    status = run(capsys, "-C", str(root), "status")
    assert "without a record" in status.out, status.out
    audit = run(capsys, "-C", str(root), "check", "--governance")
    assert audit.code == 1
    assert "changes the main text (tymdocs.yaml) without a record" in audit.err, audit.err


def test_an_empty_annexes_entry_is_no_oldest_shape(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``annexes:`` with nothing under it is the mapping shape with no annex rules: the
    upgrade only declares the format."""
    root = agreement(tmp_path / "agreement", "kuvitteellinen-1b")
    text = (root / CONFIG).read_text(encoding="utf-8")
    rules = text[text.index("change_rules:") :]
    empty = text.replace(rules, "change_rules:\n  main_text: amendment\n  annexes:\n")
    (root / CONFIG).write_text(empty, encoding="utf-8")
    assert run(capsys, "-C", str(root), "check").code == 0
    assert run(capsys, "-C", str(root), "upgrade", "--force").code == 0
    upgraded = (root / CONFIG).read_text(encoding="utf-8")
    assert upgraded.replace(DECLARATION, "", 1) == empty


@pytest.mark.parametrize(
    "rules",
    [
        "change_rules: {  # § 12\n  main_text: amendment,\n  annexes: decision,\n"
        "  composition: notice\n}\n",
        "change_rules: {\n  # the main text: § 12\n  main_text: amendment,\n"
        "  annexes: decision, composition: notice}\n",
        "change_rules:  # § 12\n  {main_text: amendment, annexes: decision, composition: notice}\n",
        "change_rules:\n  main_text: amendment\n  annexes:  # by the steering group\n"
        "    decision\n  composition: notice\n",
    ],
    ids=["after the brace", "inside the flow", "before the flow", "before the value"],
)
def test_a_comment_the_rewrite_cannot_place_refuses_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules: str
) -> None:
    """Every comment is kept, or nothing is rewritten: exit 1, the file as it was."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    root = agreement(tmp_path / "agreement", "seed-1a")
    text = (root / CONFIG).read_text(encoding="utf-8")
    old = text[: text.index("# § 12 and § 4")] + rules
    (root / CONFIG).write_text(old, encoding="utf-8")
    init_repo(root, "Sopimus")
    assert read_rules(old, tree_roles(WorkTree(root))).policy is not None
    result = run(capsys, "-C", str(root), "upgrade")
    assert result.code == 1
    assert "has a comment the rewrite cannot place" in result.err, result.err
    assert (root / CONFIG).read_text(encoding="utf-8") == old


def test_upgrade_reads_the_committed_annexes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An annex edited but not yet recorded does not move the rule the upgrade writes out:
    committed on its own, the rewrite is no change of the agreement."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    root = _adopted_seed_1a(capsys, tmp_path)
    path = root / "annexes" / "liite-1-asettamispaatos.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  body: Työllisyyslautakunta", "  body: Kaupunginhallitus"))
    assert run(capsys, "-C", str(root), "upgrade").code == 0
    assert "body: Työllisyyslautakunta, party: tyollisyysalue}" in (root / CONFIG).read_text()
    git(root, "commit", "-q", "-m", "tymdocs.yaml in format 2", CONFIG)
    audit = run(capsys, "-C", str(root), "check", "--governance")
    assert audit.code == 0, audit.err


@pytest.mark.parametrize("form", ["seed-1a", "kuvitteellinen-1a-flow", "kuvitteellinen-1b"])
@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_the_lines_written_take_the_breaks_of_the_lines_beside_them(
    form: str, newline: str
) -> None:
    """A file whose first line ends otherwise than the rest (or that ends its lines with a
    lone CR) gets no line ending of another kind from the rewrite."""
    source, old = OLD_FORMS[form]
    first, rest = old.split("\n", 1)
    text = first + "\n" + rest.replace("\n", newline)
    new = upgrade_config(text, tree_roles(WorkTree(source)))
    new_first, new_rest = new.split("\n", 1)
    assert new_first == first
    stripped = new_rest.replace(newline, "")
    assert "\r" not in stripped and "\n" not in stripped, repr(new_rest)
    assert (
        read_rules(new, tree_roles(WorkTree(source))).policy
        == read_rules(text, tree_roles(WorkTree(source))).policy
    )


def test_a_file_with_errors_is_not_upgraded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An error in the old file (here a key the oldest shape never had) is reported with its
    line, and the file is left as it was: the rewrite would have given it a meaning."""
    root = agreement(tmp_path / "agreement", "seed-1a")
    text = (root / CONFIG).read_text(encoding="utf-8")
    old = text.replace(
        "  composition: notice", "  composition: notice\n  termination_notice_months: 6"
    )
    (root / CONFIG).write_text(old, encoding="utf-8")
    result = run(capsys, "-C", str(root), "upgrade", "--force")
    assert result.code == 1
    assert "tymdocs.yaml:" in result.err and "termination_notice_months" in result.err, result.err
    assert (root / CONFIG).read_text(encoding="utf-8") == old


def test_a_change_that_normalising_forgives_is_still_a_change(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blank at a line's end is content in a quoted YAML string: removing it changes a
    signatory's name, so the commit needs its record, though the identifying text (which
    drops such blanks) is the same."""
    from tests.helpers import fixed_git

    fixed_git(monkeypatch)
    root = copy_agreement(tmp_path / "agreement")
    text = (root / CONFIG).read_text(encoding="utf-8")
    plain = "      - name: Mika Kontio\n"
    assert plain in text
    escaped = '      - name: "Mika\\ \n          Kontio"\n'
    (root / CONFIG).write_text(text.replace(plain, escaped), encoding="utf-8")
    init_repo(root, "Sopimus")
    assert run(capsys, "-C", str(root), "adopt", "-m", "Sopimus allekirjoitettu").code == 0
    joined = '      - name: "Mika\\\n          Kontio"\n'
    (root / CONFIG).write_text(text.replace(plain, joined), encoding="utf-8")
    git(root, "commit", "-q", "-am", "siistitty")
    status = run(capsys, "-C", str(root), "status")
    assert "without a record" in status.out, status.out
    audit = run(capsys, "-C", str(root), "check", "--governance")
    assert audit.code == 1
    assert "changes the main text (tymdocs.yaml) without a record" in audit.err, audit.err


def test_a_line_of_text_that_looks_like_a_kind_is_no_kind() -> None:
    """The roles the oldest shape reads are the annexes' kinds as the annex readers read
    them: a quoted text's line that starts with 'kind:' decides nothing."""
    from tymdocs.sources import annex_roles

    goals = 'annex: 3\ntext: "Tavoitteet;\nkind: composition"\nkind: goals\ntitle: TAVOITTEET\n'
    assert yaml.safe_load(goals)["kind"] == "goals"
    assert annex_roles("annexes/liite-3-tavoitteet.yaml", goals.encode()) == AnnexRoles()
    appointment = (
        'annex: 1\ntext: "Päätös;\nkind: goals"\nkind: appointment\n'
        "decision: {body: Työllisyyslautakunta, date: 2025-01-20, section: 6}\n"
    )
    assert annex_roles("annexes/liite-1.yaml", appointment.encode()) == AnnexRoles(
        appointments=((1, "Työllisyyslautakunta"),)
    )


def test_upgrade_refuses_while_an_annex_it_reads_has_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The oldest shape's rules come from the appointment and composition annexes: with one
    that does not read, the rule written out would be another, so nothing is written."""
    root = agreement(tmp_path / "agreement", "seed-1a")
    path = root / "annexes" / "liite-1-asettamispaatos.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^decision:\n(  .*\n)+", "", text), encoding="utf-8")
    before = (root / CONFIG).read_bytes()
    result = run(capsys, "-C", str(root), "upgrade", "--force")
    assert result.code == 1
    assert "annexes/liite-1-asettamispaatos.yaml" in result.err, result.err
    assert (root / CONFIG).read_bytes() == before
