"""``tymdocs diff`` under the worst inputs: a fully rewritten 1 MiB section finishes."""

from __future__ import annotations

import random
from pathlib import Path

from tests.helpers import copy_agreement, git, init_repo, measured

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
