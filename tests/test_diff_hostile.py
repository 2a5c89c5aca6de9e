"""``tymdocs diff`` under the worst inputs and failures: a fully rewritten 1 MiB section
finishes, and a refused diff leaves nothing of itself behind."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from tests.helpers import copy_agreement, git, init_repo, measured, tree_digest

SECTION = "docs_src/13-muutettava.md"
_VOCABULARY = (
    *("sopimus", "osapuoli", "kunta", "hyvinvointialue", "henkilöstö", "palvelu", "asiakas"),
    *("työllisyys", "alue", "tehtävä", "päätös", "muutos", "voimassa", "kustannus", "resurssi"),
    *("yhteistyö", "johtoryhmä", "ja", "sekä", "on", "tai", "kun", "että", "0,75", "1.5.2025"),
)


def _two_commits(target: Path, a: str, b: str) -> Path:
    """The seed with a section 13 of text ``a``, committed, then of text ``b``, committed."""
    root = copy_agreement(target)
    (root / SECTION).write_text(f"# 13 Muutettava\n\n{a}", encoding="utf-8")
    init_repo(root)
    (root / SECTION).write_text(f"# 13 Muutettava\n\n{b}", encoding="utf-8")
    git(root, "commit", "-q", "-am", "Kaikki sanat muutettu")
    return root


def _rewritten_mib() -> tuple[str, str]:
    """Just under 1 MiB of text, twice, every word of it changed: paragraphs from a line to
    nearly the longest a source may hold, words from one vocabulary, so that the two texts
    share words but not their places."""
    rng = random.Random(17)
    old: list[str] = []
    new: list[str] = []
    size = 0
    while size < 1_000_000:
        count = rng.choice([3, 40, 150, 600, 8_000])
        words = [rng.choice(_VOCABULARY) for _ in range(count)]
        changed = [rng.choice([w for w in _VOCABULARY if w != word]) for word in words]
        longest = max(len(" ".join(words).encode()), len(" ".join(changed).encode())) + 3
        if size + longest > 1_040_000:
            continue  # a shorter one fits
        old.append(" ".join(words) + ".")
        new.append(" ".join(changed) + ".")
        size += longest
    return "\n\n".join(old) + "\n", "\n\n".join(new) + "\n"


def test_a_fully_rewritten_1_mib_section_finishes(tmp_path: Path) -> None:
    """Every word of a section of about 1 MiB changed: the report is written in seconds, in a
    process of its own, with a loose bound (``make bench`` times 600 and 6,000 words)."""
    a, b = _rewritten_mib()
    repo = _two_commits(tmp_path / "agreement", a, b)
    assert min(len(a.encode()), len(b.encode())) > 990_000
    out = tmp_path / "report"
    result = measured(repo, "diff", "HEAD~1", "HEAD", "-q", "-o", str(out))
    assert result.code == 0, result.err
    assert result.seconds < 60
    names = sorted(path.suffix for path in out.iterdir())
    assert names == [".docx", ".html", ".json", ".md", ".pdf"]
    markdown = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "13 Muutettava" in markdown


_LIMITED = """
import os, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
os.execv(sys.executable, [sys.executable, "-m", "tymdocs", *sys.argv[2:]])
"""
"""tymdocs in a process that may write no file larger than ``limit`` bytes: a full disk after
the first file, as the operating system refuses it (Python ignores SIGXFSZ, so the write
fails with EFBIG)."""


def _diff_on_a_full_disk(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _LIMITED, "8192", "diff", "HEAD~1", "HEAD", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_a_refused_first_diff_leaves_nothing_behind(tmp_path: Path) -> None:
    """The report's folder is being prepared beside ``build/diff-A-B`` when the disk fills:
    the files written, the folder being prepared and ``build/`` itself (made for it) go."""
    repo = _two_commits(
        tmp_path / "agreement", "Kela osoittaa 0,75 htv.\n", "Kela osoittaa 1,0 htv.\n"
    )
    before = _listing(repo)
    done = _diff_on_a_full_disk(repo)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: cannot write") and "File too large" in done.stderr
    assert _listing(repo) == before
    nested = tmp_path / "reports" / "v1-v2"
    done = _diff_on_a_full_disk(repo, "-o", str(nested))
    assert done.returncode == 1, done.stderr
    assert _listing(tmp_path) == ["agreement"]


def test_a_refused_diff_leaves_the_previous_report_as_it_was(tmp_path: Path) -> None:
    """A report written before, with a note of the user's beside it: the exchange of the two
    folders and then the file-by-file swap both fail on the full disk, and every file stays
    as it was, with nothing added beside the report or in it."""
    repo = _two_commits(
        tmp_path / "agreement", "Kela osoittaa 0,75 htv.\n", "Kela osoittaa 1,0 htv.\n"
    )
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "tymdocs", "diff", "HEAD~1", "HEAD", "--format", "md", "-o", out],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (out / "muistiinpano.txt").write_text("oma muistiinpano\n", encoding="utf-8")
    listing, files = _listing(tmp_path), tree_digest(out)
    done = _diff_on_a_full_disk(repo, "-o", str(out))
    assert done.returncode == 1, done.stderr
    assert "File too large" in done.stderr
    assert _listing(tmp_path) == listing
    assert tree_digest(out) == files
    assert _listing(out) == sorted(files)
