"""``tymdocs init``: a new agreement repository, from a coordinator's answers.

:func:`skeleton` is pure: the answers in, every file of the new repository out (path -> bytes).
It fills the package's skeleton (``tymdocs/skeleton/<language>/``: the twelve sections every
agreement has by law 381/2023 and decree 388/2024, the annexes, the words of ``tymdocs.yaml``)
with the answers, and leaves a placeholder (:mod:`tymdocs.placeholders`) wherever nothing was
given or the area must write its own text. Values go into YAML only through ``yaml.safe_dump``
and into Markdown only escaped, so no answer can become structure. :func:`create` writes the
files into a temporary folder, makes the repository there (through :mod:`tymdocs.git`) and
only then moves it into place: a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from tymdocs import __version__
from tymdocs.characters import hidden_character
from tymdocs.errors import GitError, UsageError
from tymdocs.model import PARTY_ROLES, PartyRole
from tymdocs.placeholders import WORDS, placeholder

Language = Literal["fi", "sv"]
"""The languages of :data:`tymdocs.locale.LANGUAGES`, for which a skeleton exists (a test
holds the two together)."""

DEFAULT_ROLES: tuple[PartyRole, ...] = ("employment_authority", "wellbeing_services_county", "kela")
"""The parties of every TYM agreement, in the order the seed names them."""

_TOKEN = re.compile(r"\{\{([a-z_]+)\}\}")
_REPOSITORY = re.compile(r"[A-Za-z0-9._~:/@%+=,-]+")
"""A tymdocs repository address as the Makefile may hold it: nothing make or a shell reads."""
_MARKDOWN_SPECIAL = re.compile(r"([\\*_|\[\]<>`])")


@dataclass(frozen=True)
class PartyAnswer:
    """One party as the coordinator names it; None where nothing was given."""

    role: PartyRole
    name: str | None = None
    signatories: tuple[tuple[str, str], ...] = ()
    """(name, title) of each person who signs for the party."""


@dataclass(frozen=True)
class Answers:
    """Everything ``init`` asks; None or empty where the skeleton leaves a placeholder."""

    language: Language = "fi"
    area: str | None = None
    agreement_id: str | None = None
    municipalities: tuple[str, ...] = ()
    parties: tuple[PartyAnswer, ...] = field(
        default_factory=lambda: tuple(PartyAnswer(role) for role in DEFAULT_ROLES)
    )
    appointing_body: str | None = None
    effective_date: dt.date | None = None
    valid_until: dt.date | None = None
    court: str | None = None
    repository: str | None = None
    """Where ``make build`` clones the pinned tymdocs from."""


# -- reading what the coordinator typed ---------------------------------------------------------


def clean(value: str | None, what: str) -> str | None:
    """A typed value as one line (newlines and tabs are spaces: every value is a name or a
    phrase); a character no listing shows as itself is refused; empty is None."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", value).split())
    hidden = hidden_character(text)
    if hidden is not None:
        raise UsageError(f"{what} holds {hidden}, which a document would show as nothing")
    return text or None


def party_option(text: str) -> PartyAnswer:
    """``ROLE=NAME``: a party, as ``--party`` gives it."""
    role, sep, name = text.partition("=")
    role = role.strip()
    if not sep or role not in PARTY_ROLES:
        raise UsageError(f"--party {text!r}: write ROLE=NAME, ROLE one of {', '.join(PARTY_ROLES)}")
    return PartyAnswer(role, clean(name, "--party"))


def signatory_option(text: str) -> tuple[str, tuple[str, str]]:
    """``ROLE=NAME, TITLE``: a signatory of the (first) party of that role, or of the party
    with that id."""
    whose, sep, rest = text.partition("=")
    name, comma, title = rest.partition(",")
    person, position = clean(name, "--signatory"), clean(title, "--signatory")
    if not sep or not comma or person is None or position is None:
        raise UsageError(f"--signatory {text!r}: write ROLE=NAME, TITLE")
    return whose.strip(), (person, position)


def with_signatories(
    parties: tuple[PartyAnswer, ...],
    signatories: list[tuple[str, tuple[str, str]]],
    language: Language = "fi",
) -> tuple[PartyAnswer, ...]:
    """``parties`` with each ``--signatory`` added to the party it names (by role: the first
    of that role; or by the id ``init`` gives the party in an agreement in ``language``)."""
    listed = list(parties)
    ids = party_ids(parties, language)
    for whose, person in signatories:
        index = next((i for i, party in enumerate(listed) if whose in (party.role, ids[i])), None)
        if index is None:
            known = ", ".join(dict.fromkeys([*(p.role for p in listed), *ids]))
            raise UsageError(f"--signatory names {whose!r}, which is no party ({known})")
        party = listed[index]
        listed[index] = PartyAnswer(party.role, party.name, (*party.signatories, person))
    return tuple(listed)


def agreement_id(text: str) -> str:
    """An id from a name: ``Läntinen Pirkanmaa`` -> ``lantinen-pirkanmaa``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def checked_id(text: str) -> str:
    """``--id`` as ``check`` would accept it in ``tymdocs.yaml``."""
    from tymdocs.config import ID, ID_LIMIT

    if not ID.fullmatch(text):
        raise UsageError(f"--id {text!r}: lower-case letters, digits, '-' or '_'")
    if len(text) > ID_LIMIT:
        raise UsageError(
            f"--id is {len(text)} characters long, at most {ID_LIMIT}: the id names the output "
            "files, and a file name has at most 255 bytes"
        )
    return text


def checked_repository(text: str | None) -> str | None:
    if text is not None and not _REPOSITORY.fullmatch(text):
        raise UsageError(
            f"--tymdocs-repository {text!r}: give a git address (https://…, git@…:…) "
            "without spaces, quotes or '$'"
        )
    return text


def first_of_next_month(today: dt.date) -> dt.date:
    """The default effective date: an agreement takes effect at the start of a month."""
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


# -- the files ----------------------------------------------------------------------------------


@cache
def _texts(language: Language) -> dict[str, Any]:
    import yaml

    data = (_skeleton() / language / "texts.yaml").read_text(encoding="utf-8")
    return cast(dict[str, Any], yaml.safe_load(data))


def _skeleton() -> Any:
    return resources.files("tymdocs") / "skeleton"


def default_name(role: PartyRole, language: Language) -> str | None:
    """The name every agreement gives the party of ``role`` (Kela's), in ``language``; None
    where the area names it."""
    name = _texts(language)["roles"][role].get("name")
    return name if isinstance(name, str) else None


def example(what: str, language: Language) -> str:
    """What ``init``'s question for ``what`` gives as an example, in the agreement's language."""
    return str(_texts(language)["examples"][what])


def with_default_parties(given: tuple[PartyAnswer, ...]) -> tuple[PartyAnswer, ...]:
    """The parties ``--party`` names, and of each role every TYM agreement has that none of
    them takes, the default party (its name a placeholder, Kela's its own): in the seed's
    order of roles, then any other party, each role's parties in the order given."""
    return tuple(
        party
        for role in (*DEFAULT_ROLES, *(r for r in PARTY_ROLES if r not in DEFAULT_ROLES))
        for party in (
            [p for p in given if p.role == role]
            or ([PartyAnswer(role)] if role in DEFAULT_ROLES else [])
        )
    )


def party_ids(parties: tuple[PartyAnswer, ...], language: Language = "fi") -> list[str]:
    """The id each party gets, in the agreement's language as the names of its files are:
    its role's (``tyollisyysalue``, Swedish ``sysselsattningsomrade``), ``-2`` for a second
    one."""
    roles = _texts(language)["roles"]
    ids: list[str] = []
    for party in parties:
        base = roles[party.role]["id"]
        number = 1 + sum(1 for other in ids if other == base or other.startswith(base + "-"))
        ids.append(base if number == 1 else f"{base}-{number}")
    return ids


@dataclass(frozen=True)
class _Party:
    id: str
    role: PartyRole
    name: str
    short_name: str
    signatories: tuple[tuple[str, str], ...]


def _parties(answers: Answers) -> list[_Party]:
    texts = _texts(answers.language)
    mark = texts["placeholders"]
    parties = []
    ids = party_ids(answers.parties, answers.language)
    for party_id, party in zip(ids, answers.parties, strict=True):
        role = texts["roles"][party.role]
        short = role["short_name"]
        if party.role == "other" or len(answers.parties) > len({p.role for p in answers.parties}):
            short = party.name or f"{short} ({party_id})"
        name = party.name or role.get("name") or placeholder(mark[party.role], answers.language)
        signatories = party.signatories or (
            (
                placeholder(mark["signatory"].format(short_name=short), answers.language),
                placeholder(mark["signatory_title"], answers.language),
            ),
        )
        parties.append(_Party(party_id, party.role, name, short, signatories))
    return parties


def _markdown(text: str) -> str:
    """A value as literal Markdown text inside a paragraph or a list item: nothing in it
    becomes emphasis, a table cell, a heading or a list (a placeholder stays one)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    text = re.sub(rf"\\\[((?:{WORDS}):[^\]]*)\\\]", r"[\1]", text)
    return "\\" + text if text[:1] in "#+-=>" and text else text


def _listing(items: list[str], texts: dict[str, Any], last: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {texts[last]} {items[-1]}"


def _format_date(day: dt.date) -> str:
    from tymdocs.locale import format_date

    return format_date(day)


def _court(answers: Answers) -> str:
    texts = _texts(answers.language)
    if answers.court is None:
        return placeholder(texts["placeholders"]["court"], answers.language)
    suffix = texts["court_suffix"]
    if suffix and answers.court.endswith(" " + suffix[0]):
        return _markdown(answers.court.removesuffix(suffix[0]) + suffix[1])
    return _markdown(texts["court_other"].format(court=answers.court))


def _tokens(answers: Answers, parties: list[_Party], effective: dt.date) -> dict[str, str]:
    """What each ``{{token}}`` of the sections becomes, as Markdown."""
    texts = _texts(answers.language)
    mark = texts["placeholders"]
    language = answers.language
    area = answers.area or placeholder(mark["area"], language)
    municipalities = [_markdown(m) for m in answers.municipalities] or [
        placeholder(mark["municipalities"], language)
    ]
    names = [_markdown(p.name) for p in parties]
    items = [
        f"{number}. " + texts["party_item"].format(name=name, short_name=_markdown(p.short_name))
        for number, (name, p) in enumerate(zip(names, parties, strict=True), start=1)
    ]
    signatures = []
    for party, name in zip(parties, names, strict=True):
        signatures.append(name)
        signatures.append(
            "\n".join(f"- {_markdown(n)}, {_markdown(t)}" for n, t in party.signatories)
        )
    copies = texts["copies"]
    until = answers.valid_until
    return {
        "parties_sentence": _listing(names, texts, "also"),
        "party_list": "\n\n".join(items),
        "area": _markdown(area),
        "municipalities": _listing(municipalities, texts),
        "appointing_party": names[_appointing(parties)],
        "effective": _format_date(effective),
        "term_years": "5",
        "validity": (
            texts["until"].format(date=_format_date(until))
            if until
            else texts["until_further_notice"]
        ),
        "court": _court(answers),
        "notice_months": "6",
        "copies": copies[len(parties)] if len(parties) < len(copies) else str(len(parties)),
        "signatories": "\n\n".join(signatures),
    }


def _appointing(parties: list[_Party]) -> int:
    """The party that appoints the steering group: the first employment authority."""
    return next((i for i, p in enumerate(parties) if p.role == "employment_authority"), 0)


def _filled(template: str, tokens: dict[str, str], name: str) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in tokens:
            raise AssertionError(f"skeleton {name}: unknown token {match.group(0)}")
        return tokens[match.group(1)]

    return _TOKEN.sub(value, template)


def _yaml(data: dict[str, Any]) -> str:
    """``data`` as YAML: values by ``yaml.safe_dump`` alone, leaf collections in flow style as
    the seed writes them, texts of several lines as literal blocks."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return "".join(
        yaml.dump(
            {key: value},  # one key at a time: the top level stays a block mapping
            Dumper=Dumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=None if isinstance(value, dict | list) and value else False,
            width=1_000_000,
        )
        for key, value in data.items()
    )


def _comment(text: str) -> str:
    """``text`` as YAML comment lines of at most 96 characters."""
    import textwrap

    lines = [part for line in text.splitlines() for part in textwrap.wrap(line, 94) or [""]]
    return "".join(f"# {line}".rstrip() + "\n" for line in lines)


def _config(answers: Answers, parties: list[_Party], effective: dt.date, the_id: str) -> str:
    """``tymdocs.yaml`` in the current format, proven to read back as the data it was made
    of."""
    import yaml

    from tymdocs.config import CURRENT_FORMAT

    texts = _texts(answers.language)
    mark = texts["placeholders"]
    language = answers.language
    appointing = parties[_appointing(parties)]
    body = answers.appointing_body or placeholder(mark["appointing_body"], language)
    group = texts["steering_group"]
    chunks: list[tuple[str, dict[str, Any]]] = [
        (
            "",
            {
                "id": the_id,
                "title": texts["title"],
                "language": language,
                "area": answers.area or placeholder(mark["area"], language),
                "municipalities": list(answers.municipalities)
                or [placeholder(mark["municipalities"], language)],
            },
        ),
        (
            texts["comments"]["parties"],
            {
                "parties": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "short_name": p.short_name,
                        "role": p.role,
                        "signatories": [{"name": n, "title": t} for n, t in p.signatories],
                    }
                    for p in parties
                ]
            },
        ),
        (
            "",
            {
                "effective_date": effective,
                "valid_until": answers.valid_until,
                "court": answers.court or placeholder(mark["court"], language),
            },
        ),
        (
            "",
            {
                "steering_group": {
                    "appointed_by": appointing.id,
                    "appointed_on": effective,
                    "term_years": 5,
                }
            },
        ),
        (
            texts["comments"]["change_rules"],
            {
                "change_rules": {
                    "main_text": "amendment",
                    "annexes": {
                        "default": {"record": "decision", "body": group},
                        1: {"record": "decision", "body": body, "party": appointing.id},
                        2: {"record": "notice"},
                        3: {"record": "decision", "body": group, "review": "yearly"},
                        4: {"record": "decision", "body": group},
                        5: {"record": "decision", "body": group, "review": "yearly"},
                        6: {"record": "decision", "body": group},
                    },
                    "termination_notice_months": 6,
                    "require_signed_records": False,
                }
            },
        ),
    ]
    text = _comment(texts["comments"]["config"])
    text += f"format: {CURRENT_FORMAT}  # {FORMAT_COMMENT}\n"
    expected: dict[str, Any] = {"format": CURRENT_FORMAT}
    for comment, data in chunks:
        text += ("\n" + _comment(comment) if comment else "") + _yaml(data)
        expected |= data
    if yaml.safe_load(text) != expected:  # no value may have become structure
        raise AssertionError("tymdocs.yaml does not read back as written")
    return text


def _annexes(answers: Answers, parties: list[_Party], effective: dt.date) -> dict[str, str]:
    """The data annexes (1 appointment, 2 composition, 3 goals, 5 staffing) as YAML."""
    texts = _texts(answers.language)
    mark = texts["placeholders"]
    language = answers.language
    annex = texts["annexes"]
    appointing = parties[_appointing(parties)]
    body = answers.appointing_body or placeholder(mark["appointing_body"], language)
    date = _format_date(effective)

    def members() -> list[dict[str, Any]]:
        rows = []
        for number, p in enumerate(parties):
            row: dict[str, Any] = {
                "name": placeholder(mark["member"].format(short_name=p.short_name), language)
            }
            if number == 0:
                row["role"] = annex[1]["member_role"]
            row["deputy"] = placeholder(mark["deputy"].format(short_name=p.short_name), language)
            row["party"] = p.id
            rows.append(row)
        return rows

    documents = {
        "annex_1": {
            "annex": 1,
            "kind": "appointment",
            "title": annex[1]["title"],
            "decision": {
                "organisation": appointing.name,
                "body": body,
                "date": effective,
                "section": 1,
            },
            "text": placeholder(mark["appointment_text"], language) + "\n",
            "members": members(),
        },
        "annex_2": {
            "annex": 2,
            "kind": "composition",
            "title": annex[2]["title"].format(date=date),
            "valid_from": effective,
            "text": annex[2]["text"],
            "members": members(),
            "contact_persons": {
                "text": annex[2]["contacts"],
                "persons": [
                    {
                        "party": p.id,
                        "name": placeholder(
                            mark["contact"].format(short_name=p.short_name), language
                        ),
                    }
                    for p in parties
                ],
            },
        },
        "annex_3": {
            "annex": 3,
            "kind": "goals",
            "title": annex[3]["title"],
            "text": annex[3]["text"],
            "goals": {},
        },
        "annex_5": {
            "annex": 5,
            "kind": "staffing",
            "title": annex[5]["title"].format(date=date),
            "valid_from": effective,
            "text": f"{annex[5]['text']}\n{placeholder(mark['staffing'], language)}\n",
            "parties": [{"party": p.id, "htv": 0} for p in parties],
        },
    }
    return {
        f"annexes/{texts['files'][key]}": _comment(texts["comments"][key]) + _yaml(data)
        for key, data in documents.items()
    }


def skeleton(answers: Answers, today: dt.date, folder_name: str) -> dict[str, bytes]:
    """Every file of a new agreement repository, by path: pure, the same answers give the
    same bytes."""
    language = answers.language
    parties = _parties(answers)
    effective = answers.effective_date or first_of_next_month(today)
    the_id = answers.agreement_id or agreement_id(answers.area or folder_name) or "sopimus"
    tokens = _tokens(answers, parties, effective)
    files: dict[str, str] = {"tymdocs.yaml": _config(answers, parties, effective, the_id)}
    base = _skeleton() / language
    for folder in ("docs_src", "annexes"):
        for entry in sorted((base / folder).iterdir(), key=lambda e: e.name):
            path = f"{folder}/{entry.name}"
            files[path] = _filled(entry.read_text(encoding="utf-8"), tokens, path)
    files |= _annexes(answers, parties, effective)
    common = _skeleton() / "common"
    readme = (base / "README.md").read_text(encoding="utf-8")
    files["README.md"] = _filled(
        readme, {"area": tokens["area"], "version": __version__, "id": the_id}, "README.md"
    )
    files[".gitignore"] = (common / "gitignore").read_text(encoding="utf-8")
    files["Makefile"] = _filled(
        (common / "Makefile").read_text(encoding="utf-8"),
        {"version": __version__, "repository": answers.repository or ""},
        "Makefile",
    )
    pin = f'TYMDOCS_VERSION: "{__version__}"'
    for name, path in (
        ("github-actions.yml", ".github/workflows/tymdocs.yml"),
        ("gitlab-ci.yml", ".gitlab-ci.yml"),
    ):
        example = (common / name).read_text(encoding="utf-8")
        files[path] = re.sub(r'TYMDOCS_VERSION: "[^"]*"', pin, example)
    return {path: text.encode("utf-8") for path, text in sorted(files.items())}


# -- writing them -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    """What :func:`create` made."""

    root: Path
    files: tuple[str, ...]
    commit: str | None
    repository: bool


def refuse_unless_empty(target: Path) -> None:
    """``init`` writes only into a folder that does not exist or holds nothing at all, and
    makes a missing one only where folders, not a file, lead to it."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UsageError(f"{target} is not a folder: give a new or empty folder")
    if not target.exists():
        above = next(f for f in target.parents if f.exists() or f.is_symlink() or f == f.parent)
        if not above.is_dir():
            raise UsageError(
                f"{above} is not a folder, so init cannot make {target} in it: give a new "
                "or empty folder"
            )
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(
            f"{target} is not empty: init makes a new agreement only in a new or empty folder, "
            "and changed nothing"
        )


FORMAT_COMMENT = "the form of this file; 'tymdocs upgrade' rewrites an older one"

COMMIT_MESSAGE = "tymdocs init: the agreement's skeleton (tymdocs {version})"
"""The first commit's message: fixed, so that every area's history starts alike."""


def create(target: Path, files: dict[str, bytes], *, git: bool, commit: bool) -> Created:
    """Write ``files`` into the new or empty folder ``target`` with, as asked, a git
    repository and its first commit, all made first in a temporary folder so that nothing is
    left half-made. A new folder is that temporary one renamed into place in one step; an
    existing empty one stays itself (its owner, group and mode, and a shell inside it keeps
    its working folder): the temporary folder is made inside it, so what it holds takes the
    group a set-group-ID folder gives, and its entries are moved up, or all taken back."""
    from tymdocs import git as gitdoor
    from tymdocs.output import remove_empty

    target = Path(os.path.abspath(target))
    refuse_unless_empty(target)
    existing = target.is_dir()
    made = [folder for folder in reversed(target.parents) if not folder.exists()]
    try:
        for folder in made:
            folder.mkdir()
        temp = Path(
            tempfile.mkdtemp(prefix=_TEMPORARY, dir=target)
            if existing
            else tempfile.mkdtemp(prefix=f".{target.name}{_TEMPORARY}", dir=target.parent)
        )
    except OSError as exc:
        remove_empty(made[::-1])
        raise UsageError(f"cannot make {target}: {exc.strerror or exc}") from None
    try:
        for path, data in files.items():
            (temp / path).parent.mkdir(parents=True, exist_ok=True)
            (temp / path).write_bytes(data)
        head = None
        if git:
            message = COMMIT_MESSAGE.format(version=__version__) if commit else None
            try:
                head = gitdoor.init_repository(temp, message)
            except GitError as exc:
                hint = (
                    ": tell git who you are (git config --global user.name …, user.email …), "
                    "or run init with --no-commit"
                    if commit
                    else ""
                )
                raise GitError(f"{exc}{hint}; nothing was created") from None
        if existing:
            _move_into(temp, target)
        else:
            refuse_unless_empty(target)  # nothing may have appeared there meanwhile
            os.chmod(temp, 0o777 & ~_umask())
            os.rename(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        remove_empty(made[::-1])
        raise
    return Created(target, tuple(files), head, git)


_TEMPORARY = "-tymdocs-init-"
"""In the name of the folder ``init`` prepares the repository in (hidden: it starts with ``.``)."""


def _move_into(temp: Path, target: Path) -> None:
    """Every entry of ``temp`` (a folder inside ``target``) moved up into ``target``, which
    must hold nothing else; on a failure those moved are taken back into ``temp``. ``temp``
    is removed once empty."""
    if any(entry != temp for entry in target.iterdir()):  # something appeared meanwhile
        refuse_unless_empty(target)
    moved: list[str] = []
    try:
        for entry in sorted(temp.iterdir()):
            if os.path.lexists(target / entry.name):
                refuse_unless_empty(target)
            os.rename(entry, target / entry.name)
            moved.append(entry.name)
    except BaseException:
        for name in reversed(moved):
            with contextlib.suppress(OSError):
                os.rename(target / name, temp / name)
        raise
    temp.rmdir()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
