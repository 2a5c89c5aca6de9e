"""The seed agreement (the tests' own copy) as sources: complete, and read into the model as the
parties wrote it."""

from decimal import Decimal

import pytest

from tests.helpers import SEED
from tymdocs.checks import validate
from tymdocs.document import compose, plain_text
from tymdocs.model import (
    Agreement,
    AppointmentAnnex,
    CompositionAnnex,
    GoalsAnnex,
    ListBlock,
    StaffingAnnex,
    TextAnnex,
)
from tymdocs.sources import WorkTree

SECTION_TITLES = [
    "Sopimuksen tarkoitus",
    "Sopijaosapuolet",
    "Toimialue",
    "Yhteistoimintamallin johtoryhmä",
    "Tavoitteet",
    "Palvelun järjestämisen tavat",
    "Yhteistoimintamallilla tarjottavat palvelut",
    "Henkilöstö",
    "Organisointia johtava henkilö ja tehtävät",
    "Yhteistoimintamallin kustannukset",
    "Monialaisen yhteistoimintamallin asiakastietoaineisto ja -järjestelmä",
    "Sopimuksen voimassaolo ja muuttaminen",
]
ANNEX_TITLES = [
    "JOHTORYHMÄN ASETTAMISPÄÄTÖS",
    "JOHTORYHMÄN KOKOONPANO 1.5.2025 ALKAEN",
    "TAVOITTEET",
    "SOPIJAOSAPUOLTEN ASIAKKAILLE TARJOAMAT PALVELUT",
    "HENKILÖSTÖRESURSSI TEHTÄVÄRAKENTEINEEN 1.5.2025 ALKAEN",
    "MONIALAISEN YHTEISTOIMINTAMALLIN ASIAKASREKISTERIN TIETOSUOJASELOSTE",
]


@pytest.fixture(scope="module")
def seed() -> Agreement:
    loaded = validate(WorkTree(SEED))
    assert loaded.agreement is not None, loaded.problems
    return loaded.agreement


def test_every_section_and_annex_in_order(seed: Agreement) -> None:
    assert [s.number for s in seed.sections] == list(range(1, 13))
    assert [s.title for s in seed.sections] == SECTION_TITLES
    assert [a.number for a in seed.annexes] == [1, 2, 3, 4, 5, 6]
    assert [a.title for a in seed.annexes] == ANNEX_TITLES


def test_parties_and_signatories(seed: Agreement) -> None:
    meta = seed.meta
    assert [p.name for p in meta.parties] == [
        "Läntisen Pirkanmaan työllisyysalue",
        "Pirkanmaan hyvinvointialue",
        "Kansaneläkelaitos",
    ]
    signatories = {p.id: [(s.name, s.title) for s in p.signatories] for p in meta.parties}
    assert signatories == {
        "tyollisyysalue": [],
        "hyvinvointialue": [("Mika Kontio", "konsernijohtaja")],
        "kela": [
            ("Tommi Hallikainen", "palveluyksikön johtaja"),
            ("Heikki Heilä", "ratkaisukeskuksen päällikkö"),
        ],
    }
    assert meta.effective_date.isoformat() == "2025-05-01"
    assert meta.valid_until is None
    assert meta.court == "Hämeenlinnan hallinto-oikeus"
    assert meta.municipalities == (
        "Sastamala",
        "Punkalaidun",
        "Hämeenkyrö",
        "Ikaalinen",
        "Parkano",
        "Kihniö",
    )
    assert meta.steering_group is not None
    assert (meta.steering_group.appointed_on.isoformat(), meta.steering_group.term_years) == (
        "2025-01-20",
        5,
    )


def test_liite_1_decision_members_and_kihnio(seed: Agreement) -> None:
    annex = seed.annex(1)
    assert isinstance(annex, AppointmentAnnex)
    decision = annex.decision
    assert (decision.organisation, decision.body, decision.section) == (
        "Sastamalan kaupunki",
        "Työllisyyslautakunta",
        6,
    )
    assert decision.date.isoformat() == "2025-01-20"
    assert [(m.name, m.role, m.deputy) for m in annex.members[:2]] == [
        ("Tiina Leppäniemi", "puheenjohtaja", "Jari Kaijankoski"),
        ("Elina Anttila", "varapuheenjohtaja", "Maria Päivänen"),
    ]
    assert len(annex.members) == 7
    (kihnio,) = annex.additional
    assert (kihnio.appointed_by, kihnio.member.name, kihnio.member.deputy) == (
        "Kihniön kunta",
        "Kristiina Mäkelä",
        "Vilja Lankinen",
    )


def test_liite_2_members_and_contact_persons(seed: Agreement) -> None:
    annex = seed.annex(2)
    assert isinstance(annex, CompositionAnnex)
    assert len(annex.members) == 9
    assert ("Sari Mäkinen", "Virpi Heikkinen") in [(m.name, m.deputy) for m in annex.members]
    assert [(c.party, c.name) for c in annex.contacts] == [
        ("tyollisyysalue", "Tiina Leppäniemi"),
        ("hyvinvointialue", "Elina Anttila"),
        ("kela", "Annukka Eloranta"),
    ]


def test_liite_3_has_no_goals_yet(seed: Agreement) -> None:
    annex = seed.annex(3)
    assert isinstance(annex, GoalsAnnex)
    assert annex.goals == ()
    text = plain_text(compose(seed))
    assert "Tähän liitteeseen kootaan valtakunnalliset ja johtoryhmän asettamat tavoitteet." in text


def test_liite_5_staffing_adds_up(seed: Agreement) -> None:
    annex = seed.annex(5)
    assert isinstance(annex, StaffingAnnex)
    by_party = {p.party: p for p in annex.parties}
    assert by_party["tyollisyysalue"].htv == Decimal("1.5")
    assert [i.htv for i in by_party["tyollisyysalue"].parts] == [Decimal("0.75")] * 2
    social, health = by_party["hyvinvointialue"].parts
    assert (social.htv, [r.htv for r in social.parts]) == (
        Decimal("1.5"),
        [Decimal("0.6"), Decimal("0.9")],
    )
    assert (health.htv, [r.htv for r in health.parts]) == (
        Decimal("0.755"),
        [Decimal("0.665"), Decimal("0.09")],
    )
    assert by_party["kela"].htv == Decimal("0.8")
    assert annex.total == Decimal("4.555")


def test_liite_6_lists_are_real_lists(seed: Agreement) -> None:
    annex = seed.annex(6)
    assert isinstance(annex, TextAnnex)
    lists = [b for b in annex.blocks if isinstance(b, ListBlock)]
    assert [len(b.items) for b in lists] == [7, 15]
    assert not any(b.ordered for b in lists)


def test_the_seed_warns_of_its_known_oddities_and_has_no_errors() -> None:
    problems = validate(WorkTree(SEED)).problems
    assert [p.severity for p in problems] == ["warning"] * 3
    messages = "\n".join(str(p) for p in problems)
    assert (
        "Sari Mäkinen (deputy Virpi Heikkinen) is in Liite 2 (9 members) but not in Liite 1"
        in messages
    )
    assert (
        "docs_src/09-johtava-henkilo.md:8: warning: § 2 (docs_src/02-sopijaosapuolet.md:11)"
        in messages
    )
    assert "tymdocs.yaml:11: warning: party 'tyollisyysalue'" in messages
    assert "no named signatory" in messages


def test_seed_text_is_transcribed_verbatim(seed: Agreement) -> None:
    """Sentences a paraphrase would lose, including the seed's own slips."""
    text = plain_text(compose(seed))
    for sentence in (
        "Sopijaosapuolet ovat Läntisen Pirkanmaan työllisyysalue, Pirkanmaan hyvinvointialuetta "
        "sekä Kansaneläkelaitos.",
        "Pirkanmaan hyvinvointialue nimeää johtavan henkilön varahenkilön.",
        "ratkaistaan hallintoriita-asiana Hämeenlinnan hallinto-oikeudessa.",
        "Kukin sopijaosapuoli voi irtisanoa tämän sopimuksen päättymään 6 kuukauden kuluttua "
        "irtisanomisesta.",
        "1) 25 artiklassa tarkoitetusta sisäänrakennetusta ja oletusarvoisesta tietosuojasta;",
        "Kansaneläkelaitoksen osoittama resurssi monialaisen tuen yhteistoiminta malliin on "
        "0,8 htv.tä (työkykyneuvoja)",
        "Sastamalan kaupunki, Työllisyyslautakunta 20.1.2025 § 6",
        "Annukka (Martikainen) Eloranta, varajäsen Iida Ahtiainen",
        "Varsinaiseksi jäseneksi nimettiin vt. kunnanjohtaja Kristiina Mäkelä ja varalle "
        "hyvinvointijohtaja Vilja Lankinen.",
        "KEHA-keskus\nPL 1000, 50101 Mikkeli\n0295 020 000, kirjaamo.keha@ely-keskus.fi",
        "Suomessa valvontaviranomaisena toimii tietosuojavaltuutettu.",
    ):
        assert sentence in text
