"""Metadata against the text: what ``tymdocs.yaml`` and the computed figures say, held to what
the parties wrote.

The court, the effective date, the validity, the notice period and the staffing figures are
stated twice: by ``tymdocs.yaml`` or the figures (package covers, tables) and in the parties'
own sentences. When the two disagree the signed document contradicts itself, so ``check`` warns,
naming both places. The reading is deliberately conservative: a fact counts only where a
sentence states it in one of the usual Finnish phrasings, and a text that says nothing, or
also states the configured value, gives no warning.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tymdocs.errors import Problem
from tymdocs.locale import (
    COUNT_WORD,
    DATE,
    NUMBER,
    annex_ref,
    capitalise,
    format_date,
    format_decimal,
    numbers_in,
    parse_count,
    parse_decimal,
    parse_text_date,
)
from tymdocs.model import (
    Agreement,
    Blocks,
    Metadata,
    Origin,
    PartyStaffing,
    StaffingAnnex,
    StaffingItem,
    every_item,
    text_lines,
)
from tymdocs.paths import CONFIG_FILE


@dataclass(frozen=True)
class Sentence:
    """One sentence of the text, located at its paragraph (or list item) in the source."""

    text: str
    origin: Origin
    heading: str = ""
    """The title of the section it stands in."""


def check_consistency(agreement: Agreement) -> list[Problem]:
    """Warnings wherever ``tymdocs.yaml`` or a computed figure disagrees with the text."""
    text = [
        sentence
        for section in agreement.sections
        for sentence in sentences(section.blocks, section.origin, section.title)
    ]
    problems = _court(agreement.meta, text)
    problems += _validity(agreement.meta, text)
    problems += _notice_period(agreement.meta, text)
    for annex in agreement.annexes:
        if isinstance(annex, StaffingAnnex):
            texts = _party_texts(agreement, annex)
            problems += _staffing_totals(annex, texts)
            problems += _staffing_figures(annex, texts)
    return problems


PartyText = tuple[PartyStaffing, str, list[Sentence]]
"""A party's staffing, the party's name, and its text's sentences."""


def _party_texts(agreement: Agreement, annex: StaffingAnnex) -> list[PartyText]:
    """Each party's staffing in ``annex`` with the party's name and its text, read once for
    every check of the annex's figures."""
    texts = []
    for staffing in annex.parties:
        party = agreement.party(staffing.party)
        name = party.name if party else staffing.party
        texts.append((staffing, name, list(sentences(staffing.blocks, staffing.origin))))
    return texts


# -- reading the text -------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")


def sentences(blocks: Blocks, origin: Origin, heading: str = "") -> Iterator[Sentence]:
    """Every sentence of ``blocks``; ``origin`` gives the path, and the line where a block has
    none (a generated table row)."""
    for line, text in text_lines(blocks):
        where = Origin(origin.path, line or origin.line)
        for part in _SENTENCE_END.split(" ".join(text.split())):
            if part:
                yield Sentence(part, where, heading)


def _warning(origin: Origin, message: str) -> Problem:
    return Problem(origin.path, origin.line, message, "warning")


def _configured(meta: Metadata, key: str, value: str) -> str:
    """What ``tymdocs.yaml`` says and where: ``tymdocs.yaml:36 has court: …``."""
    origin = meta.origins.get(key)
    if origin is None:
        return f"{CONFIG_FILE} has no {key} (default: {value})"
    return f"{origin} has {key}: {value}"


# -- the court ----------------------------------------------------------------------------------

_COURT = re.compile(
    # The place starts a word: tried at every capital inside a long word, the match would cost
    # time quadratic in the word's length.
    r"(?<![\w-])(?P<place>(?:[A-ZÅÄÖ]\w*-\s+ja\s+)?[A-ZÅÄÖ][\w-]*n)\s+"
    r"(?P<kind>hallinto-oikeu|käräjäoikeu|hovioikeu|markkinaoikeu|vakuutusoikeu)\w*"
)
# Capitalised genitives that name no place: "Toimivaltaisen hallinto-oikeuden" opening a sentence.
_NOT_PLACES = frozenset(
    ("toimivaltaisen", "asianomaisen", "korkeimman", "kyseisen", "alueellisen", "paikallisen")
)


def courts_named(text: str) -> list[tuple[str, str]]:
    """The courts ``text`` names with their place, as (comparable key, nominative name):
    ``Itä-Suomen hallinto-oikeudessa`` is ``("itä-suomen hallinto-oikeus", "Itä-Suomen
    hallinto-oikeus")``, whatever case Finnish puts it in."""
    found = []
    for match in _COURT.finditer(text):
        place = " ".join(match.group("place").split())
        if place.casefold() in _NOT_PLACES:
            continue
        name = f"{place} {match.group('kind')}s"
        found.append((name.casefold(), name))
    return found


def _court(meta: Metadata, text: Sequence[Sentence]) -> list[Problem]:
    """The court the text names for disputes is the one ``court:`` gives."""
    configured = courts_named(capitalise(meta.court))
    if len(configured) != 1:
        return []  # a court without a place ("Markkinaoikeus") is not compared
    mentions = [(s, key, name) for s in text for key, name in courts_named(s.text)]
    if not mentions or any(key == configured[0][0] for _, key, _ in mentions):
        return []
    sentence, _, name = mentions[0]
    return [
        _warning(
            sentence.origin,
            f"the text names {name} as the court, but {_configured(meta, 'court', meta.court)}",
        )
    ]


# -- effective date and validity ------------------------------------------------------------------

_D = f"({DATE})"
_RANGE = re.compile(rf"{_D}\s*[–—-]\s*{_D}")
_STARTS = re.compile(
    rf"voimaan\s+{_D}|voimaantulo\w*\s+(?:on\s+)?{_D}|{_D}\s+(?:alkaen|lukien)"
    rf"|(?:alkaen|lukien)\s+{_D}",
    re.IGNORECASE,
)
_ENDS = re.compile(
    rf"{_D}\s+(?:saakka|asti|loppuun)|päätty(?:y|en)\s+(?:[^\d\s]+\s+){{0,3}}?{_D}",
    re.IGNORECASE,
)
_OPEN_ENDED = re.compile(
    r"voimassa\s+(?:\S+\s+){0,3}?toistaiseksi|toistaiseksi\s+voimassa", re.IGNORECASE
)
_ABOUT_VALIDITY = re.compile(r"voima|päätty|sopimuskau", re.IGNORECASE)
# A law's entry into force or an amendment's is not the agreement's own term.
_OTHER_SUBJECT = re.compile(
    r"\b(?:laki|lain|lakia|lakiin|laissa|asetu\w*)\b|\d+/\d{4}|muutos|muutokse|muutet|muuttam",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Validity:
    """What the text states about the agreement's term, each with where it says so."""

    starts: tuple[tuple[dt.date, Origin], ...] = ()
    ends: tuple[tuple[dt.date, Origin], ...] = ()
    open_ended: tuple[Origin, ...] = ()


def stated_validity(text: Sequence[Sentence]) -> Validity:
    """The effective dates, end dates and "toistaiseksi" the text states for the agreement."""
    starts: list[tuple[dt.date, Origin]] = []
    ends: list[tuple[dt.date, Origin]] = []
    open_ended: list[Origin] = []
    for sentence in text:
        if not _is_about_validity(sentence):
            continue
        for first, last in _RANGE.findall(sentence.text):
            starts += _dates([first], sentence.origin)
            ends += _dates([last], sentence.origin)
        starts += _dates(_groups(_STARTS, sentence.text), sentence.origin)
        if "irtisano" not in sentence.text.casefold():  # "irtisanoa päättymään 31.12.": a notice
            ends += _dates(_groups(_ENDS, sentence.text), sentence.origin)
        if _OPEN_ENDED.search(sentence.text):
            open_ended.append(sentence.origin)
    return Validity(tuple(starts), tuple(ends), tuple(open_ended))


def _is_about_validity(sentence: Sentence) -> bool:
    about_agreement = "sopimu" in sentence.text.casefold() or re.search(
        r"voimassaolo|voimaantulo", sentence.heading, re.IGNORECASE
    )
    return bool(
        about_agreement
        and _ABOUT_VALIDITY.search(sentence.text)
        and not _OTHER_SUBJECT.search(sentence.text)
    )


def _groups(pattern: re.Pattern[str], text: str) -> list[str]:
    return [group for match in pattern.finditer(text) for group in match.groups() if group]


def _dates(texts: list[str], origin: Origin) -> list[tuple[dt.date, Origin]]:
    return [(day, origin) for text in texts if (day := parse_text_date(text)) is not None]


def _shown(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else "null, in force until further notice"


def _validity(meta: Metadata, text: Sequence[Sentence]) -> list[Problem]:
    """``effective_date``, ``valid_until`` and ``extension`` are what the text states."""
    stated = stated_validity(text)
    return _effective_date(meta, stated) + _term(meta, stated) + _extension(meta, text)


_EXTENDS = re.compile(r"optio\w*|jatketaan|jatkami\w*|jatkuu|jatkaa", re.IGNORECASE)


def _extension(meta: Metadata, text: Sequence[Sentence]) -> list[Problem]:
    """An extension the text gives (an option year, unless a party objects) is the one
    ``extension`` gives: its end date and objection deadline both stated."""
    from tymdocs.governance.rules import extended

    mentions = [s for s in text if "sopimu" in s.text.casefold() and _EXTENDS.search(s.text)]
    extension, until = meta.extension, meta.valid_until
    if extension is None or until is None:
        if mentions and until is not None:
            return [
                _warning(
                    mentions[0].origin,
                    "the text extends the agreement's term, but "
                    + _configured(meta, "extension", "none")
                    + ": write extension: {months, times, objection_by} beside valid_until",
                )
            ]
        return []
    if not mentions:
        message = "extension is given, but the text says nothing of extending the term"
        return [_warning(extension.origin, message)]
    stated = {
        day
        for sentence in mentions
        for match in re.finditer(DATE, sentence.text)
        if (day := parse_text_date(match.group(0))) is not None
    }
    problems = []
    for what, day in (
        ("the extended term's last day", extended(until, extension, extension.times)),
        ("the last day to object", extension.objection_by),
    ):
        if day not in stated:
            problems.append(
                _warning(
                    mentions[0].origin,
                    f"the text does not state {what}, {format_date(day)}, that extension in "
                    f"{CONFIG_FILE} gives",
                )
            )
    return problems


def _effective_date(meta: Metadata, stated: Validity) -> list[Problem]:
    if not stated.starts or meta.effective_date in {day for day, _ in stated.starts}:
        return []
    day, origin = stated.starts[0]
    configured = _configured(meta, "effective_date", meta.effective_date.isoformat())
    message = f"the text says the agreement takes effect on {format_date(day)}, but {configured}"
    return [_warning(origin, message)]


def _term(meta: Metadata, stated: Validity) -> list[Problem]:
    configured = _configured(meta, "valid_until", _shown(meta.valid_until))
    if stated.ends and meta.valid_until not in {day for day, _ in stated.ends}:
        if meta.valid_until is None and stated.open_ended:
            return []  # an end date and "toistaiseksi" both: an extension, not ours to read
        day, origin = stated.ends[0]
        message = f"the text says the agreement is in force until {format_date(day)}, "
        return [_warning(origin, message + f"but {configured}")]
    if stated.open_ended and not stated.ends and meta.valid_until is not None:
        message = "the text says the agreement is in force until further notice (toistaiseksi), "
        return [_warning(stated.open_ended[0], message + f"but {configured}")]
    return []


# -- the notice period ----------------------------------------------------------------------------

_PERIOD = re.compile(
    rf"(?<![\d.,])(?P<count>{NUMBER}|{COUNT_WORD})\s*(?:\((?P<digits>\d+)\)\s*)?"
    r"(?P<unit>kuukau\w*|kk\b|vuo(?:si|den|tta|deksi)\b)",
    re.IGNORECASE,
)


def notice_periods(text: Sequence[Sentence]) -> list[tuple[Decimal, Origin]]:
    """The periods in months that sentences about termination (``irtisano…``) state:
    "kuuden (6) kuukauden", "6 kuukautta", "puolen vuoden"."""
    found = []
    for sentence in text:
        if "irtisano" not in sentence.text.casefold():
            continue
        for match in _PERIOD.finditer(sentence.text):
            count = parse_count(match.group("digits") or match.group("count"))
            if count is None:
                continue
            months = count * 12 if match.group("unit").casefold().startswith("vuo") else count
            found.append((months, sentence.origin))
    return found


def _notice_period(meta: Metadata, text: Sequence[Sentence]) -> list[Problem]:
    """``change_rules.termination_notice_months`` is the notice period the text gives."""
    stated = notice_periods(text)
    configured = meta.policy.termination_notice_months
    if not stated or configured in {months for months, _ in stated}:
        return []
    months, origin = stated[0]
    key = "change_rules.termination_notice_months"
    return [
        _warning(
            origin,
            f"the text gives a notice period of {format_decimal(months)} months, but "
            + _configured(meta, key, str(configured)),
        )
    ]


# -- stated staffing totals -----------------------------------------------------------------------

_TOTAL = re.compile(
    rf"(?:\byhteensä|\byht\.|\bkaikkiaan|\bkokonais\w*)\s+(?:[^\d\s]+\s+){{0,3}}?"
    rf"(?<![\d.,])({NUMBER})\s*(?:htv|henkilötyövuo)"
    rf"|(?<![\d.,])({NUMBER})\s*htv\S*\s+yhteensä",
    re.IGNORECASE,
)


def stated_totals(text: Sequence[Sentence]) -> list[tuple[Decimal, Origin]]:
    """The totals in htv that sentences state: "yhteensä 7,45 htv", "kokonaisresurssi on
    4,555 htv"."""
    return [
        (value, sentence.origin)
        for sentence in text
        for group in _groups(_TOTAL, sentence.text)
        if (value := parse_decimal(group)) is not None
    ]


def _staffing_totals(annex: StaffingAnnex, texts: list[PartyText]) -> list[Problem]:
    """A total an annex's text states is the computed one (or at least one of its figures);
    a total a party's text states is that party's htv (or one of its parts)."""
    owns = [
        {staffing.htv, *(item.htv for item in every_item(staffing.parts))}
        for staffing in annex.parties
    ]
    everything = {annex.total}.union(*owns)
    computed = " + ".join(format_decimal(staffing.htv) for staffing in annex.parties)
    where = annex.parties[0].origin if annex.parties else annex.origin
    problems = [
        _warning(
            origin,
            f"the text of {annex_ref(annex.number)} states a total of {format_decimal(value)} htv, "
            f"but its parties' htv ({where}) add up to {computed or 0} = "
            f"{format_decimal(annex.total)}",
        )
        for value, origin in stated_totals(list(sentences(annex.blocks, annex.origin)))
        if value not in everything
    ]
    for (staffing, label, text), own in zip(texts, owns, strict=True):
        problems += [
            _warning(
                origin,
                f"the text of {label} in {annex_ref(annex.number)} states a total of "
                f"{format_decimal(value)} htv, but its htv ({staffing.origin}) is "
                f"{format_decimal(staffing.htv)}",
            )
            for value, origin in stated_totals(text)
            if value not in own
        ]
    return problems


# -- staffing figures beside their rows' names -------------------------------------------------


@dataclass(frozen=True)
class NamedFigure:
    """A figure the text gives beside a staffing row's name: "sosiaaliohjaaja 1,2 htv"."""

    name: str
    """The row's name as the table writes it."""
    value: Decimal
    said: str
    """The text's own words, from the name to the figure (or the figure to the name)."""
    origin: Origin


_FIGURE = re.compile(rf"(?<![\d.,])({NUMBER})(?![\d]|[.,]\d)")
# A figure is one of htv when "htv" follows it or no unit does ("sosiaaliohjaaja 0,9 sekä"):
# not "3 henkilöä", "50 %" or "3 §".
_HTV_AFTER = re.compile(r"\s*(?:htv|henkilötyövuo|(?:ja|sekä|tai)\b|[,;:.()]|$)", re.IGNORECASE)
_FIGURE_BEFORE = re.compile(
    rf"(?<![\d.,])({NUMBER})\s*(?:(?:htv|henkilötyövuo)\S*\s*)?\(\s*$", re.IGNORECASE
)
_CLOSING = re.compile(r"\s*\)")
_REACH = 40
"""How far before a name in parentheses its figure may start: "0,755 htv.tä (" fits."""
_CLAUSE_END = frozenset(".;!?)")
_JOINERS = frozenset((",", "/", "&", "ja", "sekä", "tai"))
_MOST_WORDS_BETWEEN = 2


def name_pattern(name: str) -> str:
    """A regular expression for a staffing row's name in any Finnish inflection.

    Finnish inflects a word at its end, and consonant gradation may change a letter or two just
    before the ending ("terveydenhuolto", "terveydenhuollossa"). So each word of the name
    matches by its stem: a word of more than five letters loses its last two ("-nen" words
    their last three: "Ikaalinen", "Ikaalisten"), a shorter word is kept whole. The stem starts
    a word and at most six letters follow it (three after a short word): "sosiaaliohjaaja"
    matches "Sosiaaliohjaajan", "sosiaaliohjaajia" and "sosiaaliohjaajille", while "sosiaalityö"
    does not match the compound "sosiaalityöntekijä". Any spaces and punctuation may separate
    the words of a name ("Sastamala / Punkalaidun").
    """
    return r"(?<!\w)" + r"\W+".join(map(_stem, re.findall(r"\w+", name))) + r"(?!\w)"


def _stem(word: str) -> str:
    if len(word) <= 5:
        return re.escape(word) + r"\w{0,3}"
    cut = 3 if word.casefold().endswith("nen") else 2
    return re.escape(word[:-cut]) + r"\w{0,6}"


def named_figures(text: Sequence[Sentence], names: Sequence[str]) -> list[NamedFigure]:
    """The figures sentences give beside ``names``, each pairing read within one sentence.

    A name's figure is the first number after it, with at most two words between, no other
    name and no end of a clause (``.;!?)``): "sosiaaliohjaaja 0,9", "Sosiaalityön resurssia
    1,5". A name alone in parentheses after a figure is paired with it: "0,8 htv.tä
    (työkykyneuvoja)". A number followed by a unit other than htv ("3 henkilöä") is no
    staffing figure, and names joined into a list ("sosiaaliohjaaja ja terveydenhoitaja 2,0
    htv") share their figure, so none of them is paired. Where two names start at the same
    place the longer one is read ("sosiaalityöntekijä", not "sosiaalityö").
    """
    order = sorted((n for n in names if re.search(r"\w", n)), key=len, reverse=True)
    if not order:
        return []
    mention = re.compile("|".join(f"({name_pattern(n)})" for n in order), re.IGNORECASE)
    found = []
    for sentence in text:
        mentions = list(mention.finditer(sentence.text))
        figures = list(_FIGURE.finditer(sentence.text))
        starts = [figure.start() for figure in figures]
        for index, match in enumerate(mentions):
            previous = mentions[index - 1].end() if index else None
            following = mentions[index + 1].start() if index + 1 < len(mentions) else None
            if previous is not None and _joined(sentence.text[previous : match.start()]):
                continue
            if following is not None and _joined(sentence.text[match.end() : following]):
                continue
            after = bisect_left(starts, match.end())
            figure = _figure_beside(
                sentence.text, match, figures[after] if after < len(figures) else None, following
            )
            if figure is not None:
                value, start, end = figure
                name = order[(match.lastindex or 1) - 1]
                found.append(NamedFigure(name, value, sentence.text[start:end], sentence.origin))
    return found


def _joined(gap: str) -> bool:
    """Two names with only a comma, a slash or a conjunction between them form a list."""
    words = re.findall(r"\w+|[^\w\s]", gap.casefold())
    return bool(words) and set(words) <= _JOINERS


def _figure_beside(
    text: str, name: re.Match[str], after: re.Match[str] | None, following: int | None
) -> tuple[Decimal, int, int] | None:
    """The figure beside one mention of a name (``after`` is the first number after it,
    ``following`` where the next name starts), with where the words from name to figure start
    and end; None when there is none."""
    closing = _CLOSING.match(text, name.end())
    if closing:
        before = _FIGURE_BEFORE.search(text, max(0, name.start() - _REACH), name.start())
        return (_value(before), before.start(), closing.end()) if before else None
    if after is None or (following is not None and following < after.start()):
        return None
    gap = text[name.end() : after.start()]
    if _CLAUSE_END & set(gap) or len(re.findall(r"\w+", gap)) > _MOST_WORDS_BETWEEN:
        return None
    if not _HTV_AFTER.match(text, after.end()):
        return None
    return _value(after), name.start(), after.end()


def _value(figure: re.Match[str]) -> Decimal:
    return Decimal(figure.group(1).replace(",", "."))


def _staffing_figures(annex: StaffingAnnex, texts: list[PartyText]) -> list[Problem]:
    """Each row a party's text names with a figure beside it has that figure in the table;
    every other figure of the party (its total, a row the text names without a figure or
    not at all, a name two of its rows share) only has to appear somewhere in its text."""
    problems = []
    for staffing, label, text in texts:
        if not text:
            continue
        rows = _rows_by_name(staffing)
        paired: set[str] = set()
        for figure in named_figures(text, list(rows)):
            row = rows[figure.name]
            paired.add(figure.name)
            if figure.value != row.htv:
                problems.append(
                    _warning(
                        figure.origin,
                        f"the text of {label} in {annex_ref(annex.number)} gives "
                        f"{format_decimal(figure.value)} htv for {row.name} "
                        f'("{figure.said}"), but its row ({row.origin}) has '
                        f"{format_decimal(row.htv)} htv",
                    )
                )
        stated = set(numbers_in(" ".join(sentence.text for sentence in text)))
        figures = [(label, staffing.htv, staffing.origin)]
        figures += [
            (i.name, i.htv, i.origin) for i in every_item(staffing.parts) if i.name not in paired
        ]
        for name, htv, origin in figures:
            if htv not in stated:
                message = f"{format_decimal(htv)} htv ({name}) does not appear in the party's text"
                problems.append(_warning(origin, message))
    return problems


def _rows_by_name(staffing: PartyStaffing) -> dict[str, StaffingItem]:
    """The party's rows by name, without a name two of its rows share (which of them the text
    means is then unknown)."""
    items = list(every_item(staffing.parts))
    count = Counter(item.name.casefold() for item in items)
    return {item.name: item for item in items if count[item.name.casefold()] == 1}
