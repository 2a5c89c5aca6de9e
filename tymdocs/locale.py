"""Every word tymdocs adds to a document, one table per language, and the formats for dates
and numbers (Finnish and Finland-Swedish documents write them alike: ``1.5.2025``, ``0,75``).

The Finnish table is here, the Swedish one in ``locale_sv.py``; both have the same keys with
the same placeholders (tests/test_swedish.py). A document is written in its agreement's
``language``: the code that reads an agreement and writes its documents runs inside
``speaking(meta.language)``, and every :func:`label` within takes that table. The language is
a context variable, so it stays with the thread (or task) that set it and ends with its block:
agreements built one after another, or side by side in threads, never take each other's.

Adding a label: put it in the Finnish table below (or a group of its own, merged with
``_add``) and in ``SWEDISH`` in ``locale_sv.py`` under the same key, with the same
``{placeholders}``; then ``label("key", ...)`` wherever it is written.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import TypeVar

from tymdocs.locale_sv import SWEDISH

_FINNISH_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FINNISH: dict[str, str] = {
    "annex_heading": "LIITE {number} {title}",
    "page": "Sivu {page}/{total}",
    "draft": "LUONNOS",
    "version_number": "Versio {number}",
    "in_force_from": "voimassa {date} alkaen",
    "in_force_on": "Voimassa {date}",
    "proposal": "Ehdotus {commit}, {date}",
    "draft_proposal": "LUONNOS {commit}, {date}",
    "draft_of": "LUONNOS versiosta {commit}",
    "draft_on": "LUONNOS (pohjana versio {number})",
    "draft_commit": "{draft}, {commit}",
    "notice_citation": "Ilmoitus {date} ({party})",
    "amendment_citation": "Sopimusmuutos {date}",
    "withdrawal_citation": "Sopimusmuutoksen peruutus {date}",
    "signatures_citation": "Allekirjoitukset {date}",
    "in_force_when_signed": "voimaan {date}, kun kaikki osapuolet ovat allekirjoittaneet",
    "adoption_citation": "Sopimus {date}",
    "change_citation": "{record}, voimassa {date} alkaen",
    "part_changed": "{part} muutettu: {changes}.",
    "record_signed": "Versio {number}: kaikkien osapuolten allekirjoitukset",
    "annex_ref": "Liite {number}",
    "section_ref": "{number} §",
    "main_text_ref": "pääteksti",
    "metadata_ref": "sopimuksen tiedot",
    "fingerprint": "Tunniste {fingerprint}",
    "deputy": "varajäsen",
    "steering_group": "Johtoryhmä",
    "all_parties": "Sopijaosapuolet",
    "unrecorded_author": "Kirjaamaton muutos",
    "redline_unrecorded": "Ei kirjausta: muutos on tallennettu ilman kirjausta",
    "decision": "{organisation}, {body} {date} § {section}",
    "member": "Jäsen",
    "role": "Tehtävä",
    "deputy_column": "Varajäsen",
    "organisation": "Organisaatio",
    "party": "Osapuoli",
    "contact_person": "Yhteyshenkilö",
    "email": "Sähköposti",
    "phone": "Puhelin",
    "staffing_item": "Osapuoli, alue tai tehtävä",
    "htv": "htv",
    "total": "Yhteensä",
    "goals_year": "Tavoitteet vuodelle {year}",
    "subject": "{area} – {version}",
    "package_subject": "Allekirjoituspaketti: {party} – {version}",
    "package_file": "{id}-allekirjoitus-{party}.{extension}",
    "package": "ALLEKIRJOITUSPAKETTI",
    "package_title": "{title} – allekirjoituspaketti: {party}",
    "common_copy_file": "{id}-allekirjoitettava.{extension}",
    "common_copy": "ALLEKIRJOITETTAVA KAPPALE",
    "round_counterparts": (
        "Allekirjoituksia tarvitaan {count}: kukin allekirjoittaa kerran, omaan pakettiinsa tai "
        "yhteiseen kappaleeseen (allekirjoitettava); kappaleet ovat yhdessä sopimus."
    ),
    "round_every_copy": (
        "Allekirjoituksia tarvitaan {all}: kukin {count} allekirjoittajasta jokaiseen {parties} "
        "paketista, tai kaikki yhteiseen kappaleeseen (allekirjoitettava), jonka kukin saa."
    ),
    "common_copy_title": "{title} – allekirjoitettava kappale kaikille osapuolille",
    "package_version": "Asiakirja",
    "effective": "Voimaantulo",
    "commit": "Lähdeversio",
    "fingerprint_full": "Sisällön tunniste",
    "expected": "Allekirjoittajat",
    "unnamed_signatory": "allekirjoittaja nimetään myöhemmin",
    "instructions_title": "Näin allekirjoitat",
    "contents": "Sisällys",
    "signatures": "Allekirjoitukset",
    "signing_statement": (
        "Osapuolet hyväksyvät tämän sopimuksen ({version}, tunniste {fingerprint}) "
        "allekirjoittamalla sen sähköisesti."
    ),
    "name_line": "Nimi ja asema",
    "expected_on_page": "{expected} (allekirjoitussivu {page})",
    "on_page": "allekirjoitussivulla {page}",
    "on_pages": "allekirjoitussivuilla {pages}",
    "signature_page_ref": "allekirjoitussivu {page}",
    "cover_page": "Kansilehti {page}/{total}",
    "signature_page": "Allekirjoitussivu {page}/{total}",
    "cover_page_prefix": "Kansilehti ",
    "signature_page_prefix": "Allekirjoitussivu ",
    "list_and": " ja ",
    "party_continued": "{party} (jatkuu)",
    "amendment": "Sopimusmuutos",
    "amendment_of": "Versio {number}, muuttaa versiota {previous}",
    "amendment_record": "Kirjaus",
    "changed_parts": "Muutettavat osat",
}

# What a redline says of a change: sentences about data, and the record a change needs.
CHANGE_LABELS: dict[str, str] = {
    "needs_amendment": "kaikkien osapuolten allekirjoittama kirjallinen sopimusmuutos",
    "needs_decision": "päätös ({body})",
    "needs_notice": "osapuolen ilmoitus",
    "htv_changed": "{name}: {before} → {after} htv",
    "htv_added": "{name}: lisätty, {after} htv",
    "htv_removed": "{name}: poistettu (oli {before} htv)",
    "htv_total": "yhteensä {before} → {after} htv",
    "member_replaced": "jäsen {before} → {after}",
    "member_added": "uusi jäsen {name}",
    "member_removed": "jäsen {name} poistettu",
    "member_field": "{name}, {field}: {before} → {after}",
    "contact_changed": "yhteyshenkilö ({party}): {before} → {after}",
    "goals_changed": "tavoitteet vuodelle {year} muutettu",
    "field_changed": "{field}: {before} → {after}",
    "party_added": "uusi sopijaosapuoli: {name}",
    "party_removed": "sopijaosapuoli poistettu: {name}",
    "signatory_changed": "{party}, allekirjoittajat: {before} → {after}",
    "none": "ei mitään",
    "open_ended": "toistaiseksi",
    "field_title": "nimi",
    "field_area": "alue",
    "field_municipalities": "kunnat",
    "field_effective_date": "voimaantulopäivä",
    "field_valid_until": "voimassa",
    "field_extension": "jatkaminen",
    "extension_terms": "{times} × {months} kk, ellei sitä vastusteta viimeistään {date}",
    "field_court": "tuomioistuin",
    "field_steering_group": "johtoryhmä",
    "field_policy_changed": "muutossääntöjä (change_rules) muutettu",
    "field_termination_notice": "irtisanomisaika",
    "field_signing": "allekirjoitustapa",
    "signing_counterparts": "kukin allekirjoittaja kerran, mihin tahansa kappaleeseen",
    "signing_every-copy": "jokainen allekirjoittaja jokaiseen kappaleeseen",
    "renumbered_text_unchanged": "{before} → {after}, teksti ennallaan",
    "retitled_text_unchanged": "otsikko muutettu, teksti ennallaan",
    "redline_text_unchanged": "Teksti ennallaan",
    "months": "{months} kk",
    "field_main_text_rule": "pääteksti muuttuu",
    "field_annex_rule": "Liite {number} muuttuu",
    "field_default_rule": "muut liitteet muuttuvat",
    "field_signed_records": "kirjaukset allekirjoitettava",
    "rule_yearly_review": "{rule}, tarkistetaan vuosittain",
    "yes": "kyllä",
    "no": "ei",
    "metadata_other_changed": "muita sopimuksen tietoja (tymdocs.yaml) muutettu",
    "party_field_changed": "{party}, {field}: {before} → {after}",
    "field_party_name": "nimi",
    "field_party_short_name": "lyhyt nimi",
    "field_party_role": "rooli",
    "field_party_responsible_municipality": "vastuukunta",
    "field_party_represented_by": "edustaja",
    "placeholder_date": "PVM",
    "placeholder_party": "OSAPUOLI",
    "placeholder_section": "N",
    "working_tree_name": "tyopuu",
    "redline_file": "muutokset-{a}-{b}.{extension}",
    "field_role": "tehtävä",
    "field_deputy": "varajäsen",
    "field_organisation": "organisaatio",
    "report_title": "Muutokset: {a} → {b}",
    "working_tree": "työkopio (ei tallennettu)",
}


def _add(table: dict[str, str]) -> None:
    """Another group of labels; a key given twice would silently replace the first."""
    twice = FINNISH.keys() & table.keys()
    if twice:
        raise AssertionError(f"labels defined twice: {', '.join(sorted(twice))}")
    FINNISH.update(table)


_add(CHANGE_LABELS)

# What the HTML and Markdown redlines add around the text.
REDLINE_LABELS: dict[str, str] = {
    "redline_summary": "Muutosten yhteenveto",
    "redline_summary_id": "yhteenveto",
    "redline_changed_parts_id": "muuttuneet-osat",
    "redline_changed_parts": "Muuttuneet osat",
    "redline_needs": "Muutos vaatii",
    "redline_older": "Vanhempi versio",
    "redline_newer": "Uudempi versio",
    "redline_none": "Ei muutoksia",
    "redline_counts": "Muuttuneita osia: {changed}, muuttumattomia osia: {unchanged}.",
    "redline_unchanged": "muuttumattomia osia: {count}",
    "redline_part": "Osa",
    "redline_change": "Muutos",
    "redline_record": "Kirjaus",
    "redline_recorded": "Kirjattu",
    "redline_command": "Kirjataan komennolla",
    "redline_legend": "Merkinnät:",
    "redline_inserted": "lisätty",
    "redline_deleted": "poistettu",
    "redline_part_inserted": "lisätty osa",
    "redline_part_deleted": "poistettu osa",
    "redline_line_break": "rivinvaihto",
    "redline_status_added": "lisätty",
    "redline_status_removed": "poistettu",
    "redline_status_changed": "muutettu",
    "redline_status_renumbered": "numero muutettu",
    "redline_status_retitled": "otsikko muutettu",
}
_add(REDLINE_LABELS)

# What the PDF redline adds to those.
PDF_REDLINE_LABELS: dict[str, str] = {
    "redline_title": "Muutokset",
    "redline_bars": (
        "Reunaviiva: kokonaan lisätty (yhtenäinen viiva) tai poistettu (katkoviiva) otsikko, "
        "kappale, kohta, taulukon rivi tai osa."
    ),
    "redline_folded": "Muuttumattomat osat ({count}): {parts}",
    "redline_folded_sections": "{numbers} §",
    "redline_folded_annex": "Liite {numbers}",
    "redline_folded_annexes": "Liitteet {numbers}",
}
_add(PDF_REDLINE_LABELS)

# What a redline says of a block moved: in the summary's sentences, and beside the block.
MOVE_LABELS: dict[str, str] = {
    "moved_heading": "otsikko",
    "moved_paragraph": "kappale",
    "moved_item": "kohta",
    "moved_table": "taulukko",
    "moved_headings": "{count} otsikkoa",
    "moved_paragraphs": "{count} kappaletta",
    "moved_items": "{count} kohtaa",
    "moved_tables": "{count} taulukkoa",
    "moved_between": "{what} siirretty: {before} → {after}",
    "moved_edited_between": "{what} siirretty ja muutettu: {before} → {after}",
    "moved_within": "{what} siirretty {part} sisällä",
    "moved_edited_within": "{what} siirretty ja muutettu {part} sisällä",
    "section_elative": "{number} §:stä",
    "section_illative": "{number} §:ään",
    "section_genitive": "{number} §:n",
    "annex_elative": "liitteestä {number}",
    "annex_illative": "liitteeseen {number}",
    "annex_genitive": "liitteen {number}",
    "redline_moved": "siirretty",
    "redline_moved_to": "siirretty {part}",
    "redline_moved_here": "siirretty tänne {part}",
    "redline_moved_up": "siirretty ylemmäs",
    "redline_moved_down": "siirretty alemmas",
    "redline_moved_from_above": "siirretty tänne ylempää",
    "redline_moved_from_below": "siirretty tänne alempaa",
    "redline_move_bar": (
        "Kaksoisviiva: siirretty otsikko, kappale, kohta tai taulukko; merkintä sen alussa "
        "kertoo, mihin tai mistä se siirrettiin."
    ),
}
_add(MOVE_LABELS)

# The steps a signature package's cover lists: the PDF's, then where the DOCX's differ. Raw
# templates: ``{pages}`` is filled in by package.typ, where the fields are laid out.
INSTRUCTION_LABELS: dict[str, str] = {
    "instruction_check": (
        "Tarkista, että jokaisen sivun alareunassa on sama tunniste kuin tällä sivulla."
    ),
    "instruction_sign": (
        "Allekirjoita sähköisesti (PAdES) omaan allekirjoituskenttääsi {pages}; "
        "kentän nimi on sivulla laatikon kulmassa."
    ),
    "instruction_keep": (
        "Älä muokkaa tai tallenna asiakirjaa muuten: jokainen muutos näkyy tarkistuksessa."
    ),
    "instruction_return": (
        "Palauta allekirjoitettu tiedosto sellaisenaan sopimuksen koordinaattorille."
    ),
    "docx_instruction_sign": (
        "Allekirjoita asiakirja organisaatiosi sähköisessä allekirjoitus- tai "
        "asianhallintajärjestelmässä omalle allekirjoitusviivallesi allekirjoitussivulla, "
        "ja merkitse paikka ja aika."
    ),
    "docx_instruction_keep": (
        "Älä muuta sopimuksen tekstiä: allekirjoitus koskee tätä versiota, jonka tunniste on "
        "jokaisen sivun alareunassa."
    ),
    "docx_instruction_return": "Palauta allekirjoitettu asiakirja sopimuksen koordinaattorille.",
}
_add(INSTRUCTION_LABELS)

_INSTRUCTIONS = ("instruction_check", "instruction_sign", "instruction_keep", "instruction_return")
_DOCX_INSTRUCTIONS = (
    "instruction_check",
    "docx_instruction_sign",
    "docx_instruction_keep",
    "docx_instruction_return",
)

# What the DOCX signature package says where it differs from the PDF one: it is signed in a
# party's own e-signing or case-management system, or on paper, on lines instead of fields.
DOCX_PACKAGE_LABELS: dict[str, str] = {
    "docx_signing_statement": (
        "Osapuolet hyväksyvät tämän sopimuksen ({version}, tunniste {fingerprint}) "
        "allekirjoittamalla sen."
    ),
    "place_and_date": "Paikka ja aika",
    "paper_signing": "Vaihtoehtoisesti: tulosta, allekirjoita käsin, skannaa ja palauta",
    "paper_instructions": (
        "Tulosta koko asiakirja, allekirjoita se käsin omalle allekirjoitusviivallesi "
        "allekirjoitussivulla ja merkitse paikka ja aika. Skannaa allekirjoitettu asiakirja "
        "kokonaisuudessaan ja palauta skannaus sopimuksen koordinaattorille."
    ),
}
_add(DOCX_PACKAGE_LABELS)

# What ``tymdocs site`` adds around the agreement: the pages' navigation, the list of
# versions, the register and the deadlines.
SITE_LABELS: dict[str, str] = {
    "site_skip": "Siirry sisältöön",
    "site_navigation": "Sivuston osat",
    "site_in_force": "Voimassa oleva sopimus",
    "site_versions": "Versiot",
    "site_register": "Rekisteri",
    "site_deadlines": "Määräajat",
    "site_in_force_on": "Sopimus sellaisena kuin se on voimassa {date}.",
    "site_in_force_last": "Sopimus sellaisena kuin se oli voimassa viimeisenä päivänään {date}.",
    "site_not_yet": "Sopimus tulee voimaan {date}.",
    "site_in_force_first": "Sopimus sellaisena kuin se tulee voimaan {date}.",
    "site_text_of_version": "Teksti versiosta {number}.",
    "site_parts_in_force": "Pääteksti versiosta {main}; liitteet versioista {annexes}.",
    "site_parts_in_force_one": "Pääteksti versiosta {main}; liitteet versiosta {annexes}.",
    "site_public": (
        "Julkaistava versio: johtoryhmän jäsenten ja varajäsenten sekä yhteyshenkilöiden "
        "nimet on korvattu merkinnöillä [henkilö 1], [henkilö 2] ja niin edelleen (sama "
        "henkilö samalla numerolla kaikissa versioissa), ja yhteyshenkilöiden yhteystiedot "
        "on poistettu."
    ),
    "site_withheld": "[henkilö {number}]",
    "site_withheld_contact": "[yhteystieto poistettu]",
    "site_files_withheld": "ei julkaista: sisältää henkilötietoja",
    "site_version": "Versio",
    "site_record": "Kirjaus",
    "site_in_force_from": "Voimassa alkaen",
    "site_files": "Tiedostot",
    "site_changes": "Muutokset edelliseen versioon",
    "site_redline_link": "Muutokset {a} → {b}",
    "site_pdf": "PDF",
    "site_docx": "DOCX",
    "site_file_of": "{kind}, versio {number}",
    "site_awaiting": "odottaa allekirjoituksia",
    "site_withdrawn": "peruttu",
    "site_none": "–",
    "site_date": "Päivämäärä",
    "site_kind": "Kirjaus",
    "site_by": "Tekijä",
    "site_case": "Asianumero",
    "site_parts": "Osat",
    "site_commit": "Muutos",
    "site_text": "Teksti",
    "site_kind_adoption": "sopimus",
    "site_kind_decision": "päätös",
    "site_kind_review": "tarkistus",
    "site_kind_notice": "ilmoitus",
    "site_kind_termination": "irtisanominen",
    "site_kind_amendment": "sopimusmuutos",
    "site_kind_signatures": "allekirjoitukset",
    "site_kind_withdrawal": "peruutus",
    "site_kind_objection": "vastustus",
    "site_status_on": "Tilanne {date}.",
    "site_due": "Määräpäivä",
    "site_what": "Mitä",
    "site_basis": "Peruste",
    "site_state": "Tila",
    "site_state_ok": "ajallaan",
    "site_state_soon": "lähestyy",
    "site_state_overdue": "myöhässä",
    "site_state_passed": "päättynyt",
    "site_no_deadlines": "Ei määräaikoja.",
    "site_ended": "Sopimus on päättynyt {date}.",
    "site_awaiting_signatures": "Versio {number} ({date}) odottaa allekirjoituksia: {missing}.",
    "site_source": "Koottu sopimuksen rekisteristä. Uusin kirjattu versio: {version}.",
    "site_redline_file": "muutokset.html",
    "site_annex_id": "liite-{number}",
    "site_signatures_id": "allekirjoittajat",
    "site_main_id": "sisalto",
    "site_contents_id": "sisallys",
}
_add(SITE_LABELS)
# The deadlines status computes, and the overview of many agreements (build --all ROOT).
OVERVIEW_LABELS: dict[str, str] = {
    "deadline_review": "Liitteen {number} ({title}) vuosittainen tarkistus",
    "deadline_term": "Johtoryhmän {years} vuoden toimikausi päättyy",
    "deadline_notice": "Sopimus päättyy irtisanomisen vuoksi",
    "deadline_first_term": "Sopimuksen ensimmäinen sopimuskausi päättyy",
    "deadline_objection": (
        "Viimeinen päivä vastustaa {number}. jatkokautta (muuten sopimus on voimassa {until} asti)"
    ),
    "deadline_from_start": "versio 1, {date}",
    "deadline_from_appointment": "asetettu {date}",
    "deadline_from_register": "rekisteri",
    "deadline_end": "Sopimus päättyy",
    "overview_title": "Sopimusten tilanne",
    "overview_build": "Koonti",
    "overview_check": "Tarkistus",
    "overview_status": "Tilanne",
    "overview_intro": "{what} {date}: {count} sopimusta kansiossa {root}.",
    "overview_counts": "Onnistui {ok}, epäonnistui {failed}.",
    "overview_failed_heading": "Epäonnistuneet",
    "overview_not_searched": "Kansiot, joita ei käyty läpi",
    "overview_caption": "Sopimukset alueittain",
    "overview_area": "Alue",
    "overview_in_force": "Voimassa oleva versio",
    "overview_pending": "Kirjaamattomat muutokset",
    "overview_awaiting": "Allekirjoituksia odottavat muutokset",
    "overview_next_deadline": "Seuraava määräaika",
    "overview_overdue": "Myöhässä",
    "overview_result": "Tulos",
    "overview_none": "ei",
    "overview_no_version": "ei voimassa olevaa versiota",
    "overview_version": "Versio {number}: {record}, voimassa {date} alkaen",
    "overview_latest": "uusin kirjattu versio {number}",
    "overview_unrecorded": "{count} muutosta tallennettu ilman kirjausta",
    "overview_unrecorded_one": "{count} muutos tallennettu ilman kirjausta",
    "overview_awaiting_item": "Versio {number} ({date}), puuttuu: {missing}",
    "overview_deadline": "{date}: {what}",
    "overview_ended": "Sopimus päättyi {date}",
    "overview_ok": "onnistui",
    "overview_failed": "EPÄONNISTUI",
    "overview_built": "koottu, {files} tiedostoa",
    "overview_up_to_date": "ajan tasalla, {files} tiedostoa",
    "overview_checked": "{errors}, {warnings}",
    "overview_errors": "{count} virhettä",
    "overview_errors_one": "{count} virhe",
    "overview_warnings": "{count} varoitusta",
    "overview_warnings_one": "{count} varoitus",
    "overview_placeholders": "luonnos: {count} kohtaa täydentämättä, ei kirjattavissa",
    "overview_placeholders_one": "luonnos: {count} kohta täydentämättä, ei kirjattavissa",
    "overview_status_read": "tilanne luettu",
    "overview_no_status": "tilannetta ei voitu lukea: {message}",
    "overview_pdf": "PDF",
    "overview_unknown_area": "(alue ei tiedossa)",
}
_add(OVERVIEW_LABELS)

LABELS: dict[str, dict[str, str]] = {"fi": FINNISH, "sv": SWEDISH}
"""Every label by language; ``config.py`` accepts these languages in ``tymdocs.yaml``."""

LANGUAGES: tuple[str, ...] = tuple(LABELS)
DEFAULT_LANGUAGE = "fi"

_SPOKEN: contextvars.ContextVar[str] = contextvars.ContextVar(
    "tymdocs_language", default=DEFAULT_LANGUAGE
)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Labels in ``language`` within the block, in this thread or task only; the language
    before it comes back when it ends, however it ends."""
    if language not in LABELS:
        raise ValueError(f"no labels for language {language!r}")
    token = _SPOKEN.set(language)
    try:
        yield
    finally:
        _SPOKEN.reset(token)


_T = TypeVar("_T")


def speaking_through(language: str, steps: Iterator[_T]) -> Iterator[_T]:
    """The items of the generator ``steps``, each made in ``language``: the language is set
    around every step and never held across a ``yield``, where it would leak into the caller."""
    while True:
        with speaking(language):
            try:
                item = next(steps)
            except StopIteration:
                return
        yield item


def spoken() -> str:
    """The language labels are written in here: the agreement's, Finnish outside any."""
    return _SPOKEN.get()


def labels() -> Mapping[str, str]:
    """The table of the language spoken here, for templates that fill in values themselves."""
    return LABELS[_SPOKEN.get()]


def label(key: str, **values: object) -> str:
    """The label ``key`` in the language spoken here, with ``values`` filled in."""
    return LABELS[_SPOKEN.get()][key].format(**values)


def annex_ref(number: int | str) -> str:
    """An annex as the agreement in the language spoken names it: ``Liite 2``, ``Bilaga 2``."""
    return label("annex_ref", number=number)


def counted(key: str, count: int) -> str:
    """The label ``key`` for ``count`` things: ``key_one`` for one (``1 virhe``, ``2 virhettä``)."""
    return label(f"{key}_one" if count == 1 else key, count=count)


def label_around(key: str, slot: str, **values: object) -> tuple[str, str]:
    """The label ``key`` cut where ``{slot}`` goes, its other values filled in: the text
    before and after a value only the renderer knows (a page number), so that nothing in the
    filled-in text is ever taken for a placeholder."""
    before, after = LABELS[_SPOKEN.get()][key].split("{" + slot + "}", 1)
    return before.format(**values), after.format(**values)


def instructions(docx: bool = False) -> tuple[str, ...]:
    """The steps of a signature package's cover, as raw templates (``{pages}`` left in)."""
    table = LABELS[_SPOKEN.get()]
    return tuple(table[key] for key in (_DOCX_INSTRUCTIONS if docx else _INSTRUCTIONS))


def capitalise(text: str) -> str:
    """``Päätös (Johtoryhmä)`` from ``päätös (Johtoryhmä)``: only the first letter changes."""
    return text[:1].upper() + text[1:]


def format_date(day: dt.date) -> str:
    """``1.5.2025``: day and month without leading zeros, as Finnish running text writes them."""
    return f"{day.day}.{day.month}.{day.year}"


def parse_date(text: str) -> dt.date | None:
    """A date as a coordinator types it: ``2025-09-15``, ``15.9.2025`` or ``15.09.2025``."""
    finnish = _FINNISH_DATE.match(text)
    iso = _ISO_DATE.match(text)
    try:
        if finnish:
            day, month, year = (int(group) for group in finnish.groups())
            return dt.date(year, month, day)
        if iso:
            return dt.date.fromisoformat(text)
    except ValueError:
        return None
    return None


TIME_ZONE = "Europe/Helsinki"


def commit_date(seconds: int) -> dt.date:
    """The date in Finland of a commit's time (seconds since the epoch)."""
    return local_date(dt.datetime.fromtimestamp(seconds, dt.UTC))


def local_date(moment: dt.datetime) -> dt.date:
    """The date in Finland of a moment (a signing time, a commit), for records and documents;
    a moment without a time zone is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo(TIME_ZONE)).date()
    except (ImportError, KeyError, ValueError, OSError):
        return moment.astimezone(dt.UTC).date()


def today() -> dt.date:
    """Today in Finland, whatever the machine's time zone (CI runners keep UTC)."""
    return local_date(dt.datetime.now(dt.UTC))


def format_decimal(value: Decimal) -> str:
    """``0,75``: decimal comma, no trailing zeros, no exponent."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_htv(value: Decimal) -> str:
    """A staffing figure as agreements write them: ``1,0``, ``0,75``, ``4,555``."""
    text = format_decimal(value)
    return text if "," in text else f"{text},0"


# -- reading figures and dates back out of Finnish running text ---------------------------------

NUMBER = r"\d+(?:,\d+)?"
"""A number as Finnish text writes it: ``2``, ``2,0``, ``0,755`` (decimal comma)."""

_NUMBER_IN_TEXT = re.compile(rf"(?<![\d.,])({NUMBER})(?![\d]|[.,]\d)")

_MONTHS = (
    "tammikuuta",
    "helmikuuta",
    "maaliskuuta",
    "huhtikuuta",
    "toukokuuta",
    "kesäkuuta",
    "heinäkuuta",
    "elokuuta",
    "syyskuuta",
    "lokakuuta",
    "marraskuuta",
    "joulukuuta",
)

DATE = (
    r"(?<![\d.])(?:\d{1,2}\.\d{1,2}\.\d{4}"
    rf"|\d{{1,2}}\.?\s+(?:{'|'.join(_MONTHS)})\s+\d{{4}})(?![\d])"
)
"""A date as Finnish text writes it: ``1.5.2025``, ``01.05.2025``, ``1. toukokuuta 2025``."""

_WRITTEN_DATE = re.compile(r"^(\d{1,2})\.?\s+(\w+)\s+(\d{4})$")

# Finnish numerals in the forms counts take in running text: nominative, genitive, partitive
# ("kuusi kuukautta", "kuuden kuukauden", "kuutta"), and "puoli" (half a year).
_COUNT_WORDS: dict[str, Decimal] = {
    word: Decimal(value)
    for value, words in (
        ("0.5", ("puoli", "puolen", "puolta")),
        ("1", ("yksi", "yhden", "yhtä")),
        ("2", ("kaksi", "kahden", "kahta")),
        ("3", ("kolme", "kolmen", "kolmea")),
        ("4", ("neljä", "neljän", "neljää")),
        ("5", ("viisi", "viiden", "viittä")),
        ("6", ("kuusi", "kuuden", "kuutta")),
        ("7", ("seitsemän", "seitsemää")),
        ("8", ("kahdeksan", "kahdeksaa")),
        ("9", ("yhdeksän", "yhdeksää")),
        ("10", ("kymmenen", "kymmentä")),
        ("11", ("yksitoista", "yhdentoista", "yhtätoista")),
        ("12", ("kaksitoista", "kahdentoista", "kahtatoista")),
    )
    for word in words
}
COUNT_WORD = r"\b(?:" + "|".join(sorted(_COUNT_WORDS, key=len, reverse=True)) + r")\b"
"""A count written in words (``kuusi``, ``kuuden``, ``puoli``), for regular expressions."""


def parse_decimal(text: str) -> Decimal | None:
    """``2,0`` -> 2.0: a number written with a Finnish decimal comma; None if it is not one."""
    if not re.fullmatch(NUMBER, text):
        return None
    return Decimal(text.replace(",", "."))


def parse_count(text: str) -> Decimal | None:
    """A count in digits or Finnish words: ``6``, ``kuusi``, ``kuuden``, ``puoli`` (0.5)."""
    return parse_decimal(text) if text[:1].isdigit() else _COUNT_WORDS.get(text.casefold())


def numbers_in(text: str) -> list[Decimal]:
    """Every number in running text as a value (``2,0`` and ``2`` alike); the parts of a
    date such as 1.5.2025 are not numbers."""
    return [Decimal(match.replace(",", ".")) for match in _NUMBER_IN_TEXT.findall(text)]


def parse_text_date(text: str) -> dt.date | None:
    """A date of running text: ``1.5.2025``, ``01.05.2025`` or ``1. toukokuuta 2025``."""
    written = _WRITTEN_DATE.match(" ".join(text.split()))
    if written is None:
        return parse_date(text) if _FINNISH_DATE.match(text) else None
    day, month, year = written.groups()
    if month.casefold() not in _MONTHS:
        return None
    try:
        return dt.date(int(year), _MONTHS.index(month.casefold()) + 1, int(day))
    except ValueError:
        return None
