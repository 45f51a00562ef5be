"""What a municipality did, read from the grammar of a text: a decision is not a proposal,
petition, debate or rejected motion; a cooperation with a town in the South is not a
twinning unless the text calls it one; a procurement or boycott clause is a procurement
policy. And the facts of the record: the decision date (not a background date, and with
the publication date for dates without a year) and the euro amount."""

from __future__ import annotations

import time

import pytest

from monitor.analyze.run import analyze
from monitor.analyze.service import TextInput, analyze_text
from monitor.models import ChangeDraft, Source
from plugins.analyzers.amounts import grant_amount
from plugins.analyzers.dates import decision_date, find_dates

ACTIONS = [
    # a motion, proposal or petition about a link, debated or rejected: a debate (nl, fr, de, en, es, it)
    ("rejected-motion-en", "A motion to suspend the twinning with Tel Aviv was rejected by the council of "
     "Hove on Monday.", "twinning_debate"),
    ("rejected-motion-es", "La moción para suspender el hermanamiento con Belén fue rechazada por el pleno "
     "del Ayuntamiento de Cádiz.", "twinning_debate"),
    ("rejected-motion-de", "Der Gemeinderat von Tübingen lehnte am Montag einen Antrag ab, die "
     "Städtepartnerschaft mit Perm zu beenden.", "twinning_debate"),
    ("refused-nl", "Het college van Zottegem weigert de stedenband met het Russische Tver op te schorten, "
     "ondanks een oproep van de oppositie.", "twinning_debate"),
    ("proposal-fr", "L'opposition propose de jumeler Etterbeek avec la ville palestinienne de Jéricho.",
     "twinning_debate"),
    ("proposal-it", "Il consiglio comunale di Pesaro discuterà la proposta di gemellaggio con Betlemme.",
     "twinning_debate"),
    ("petition-signed-en", "More than 2,000 residents of Ghent signed a petition for a twinning with "
     "Gaza City.", "twinning_debate"),
    ("not-ended-de", "Die Stadt Kiel wird die Partnerschaft mit Kaliningrad nicht beenden, sagte der "
     "Oberbürgermeister im Rat.", "twinning_debate"),
    ("decided-not-to-de", "Der Stadtrat von Halle beschloss, die Städtepartnerschaft mit Haifa nicht "
     "auszusetzen.", "twinning_debate"),
    ("no-decision-postponed-nl", "Amersfoort neemt geen besluit over de stedenband met Bethlehem; de "
     "gemeenteraad stelt de stemming uit.", "twinning_debate"),
    # the same links decided
    ("decided-suspend-en", "The council of Hove voted on Monday to suspend the twinning with Tel Aviv.",
     "twinning_suspended"),
    ("decided-end-de", "Der Gemeinderat von Tübingen beschloss am Montag, die Städtepartnerschaft mit "
     "Perm zu beenden.", "twinning_ended"),
    ("decided-establish-it", "Il consiglio comunale di Pesaro ha approvato il gemellaggio con Betlemme.",
     "twinning_established"),
    ("decided-establish-fr", "Le conseil communal d'Etterbeek a approuvé le jumelage avec la ville "
     "palestinienne de Jéricho.", "twinning_established"),
    ("renewed-nl", "Mechelen en het Palestijnse Nablus vernieuwen hun stedenband met een nieuw "
     "charter.", "twinning_established"),
    # a cooperation with a town in the South, not called a twinning
    ("south-partner-town-nl", "Leuven ondertekent een nieuw samenwerkingsakkoord met haar partnerstad "
     "Kabwe in Zambia rond afvalbeheer.", "partnership_cooperation"),
    ("south-ville-partenaire-fr", "La Ville de Bruxelles et sa ville partenaire Kimbanseke (Kinshasa) "
     "lancent un projet de coopération sur l'état civil.", "partnership_cooperation"),
    ("south-partnerstadt-de", "Die Stadt Freiburg unterzeichnet mit ihrer Partnerstadt Wiwilí in "
     "Nicaragua ein neues Projekt zur Trinkwasserversorgung.", "partnership_cooperation"),
    ("south-called-twinning-fr", "La commune d'Ixelles signe un jumelage avec Kalamu, à Kinshasa.",
     "twinning_established"),
    # a German date's ordinal dot ends no sentence: the act and its link stay together
    ("ordinal-date-ended-de", "Der Stadtrat von Weimar hob am 4. November 2026 den Partnerschaftsvertrag mit "
     "dem russischen Kursk auf.", "twinning_ended"),
    # a residents' or citizens' motion (a German compound) referred to a committee: a debate
    ("compound-antrag-de", "Ein Bürgerantrag für eine Städtepartnerschaft mit Butscha wurde vom Gemeinderat "
     "Eningen in den Hauptausschuss verwiesen.", "twinning_debate"),
    # "sei das ausdrücklich nicht": the twinning word is denied after its verb
    ("not-a-twinning-sei-de", "Kirchheim und Moshi arbeiten künftig bei der Wasserversorgung zusammen. Eine "
     "Städtepartnerschaft sei das ausdrücklich nicht, sagte die Bürgermeisterin; der Gemeinderat gab "
     "15.000 Euro.", "partnership_cooperation"),
    # procurement and boycott clauses
    ("boycott-motion-fr", "Le conseil communal de Schaerbeek a adopté une motion appelant au boycott "
     "des produits des colonies israéliennes.", "procurement_policy"),
    ("procurement-motion-nl", "De gemeenteraad van Berchem keurde een motie goed die vraagt om bij de "
     "inkoop van de gemeente geen producten uit illegale Israëlische nederzettingen meer te kopen.",
     "procurement_policy"),
    ("procurement-motion-de", "Der Stadtrat von Bonn verabschiedete eine Resolution, bei der "
     "Auftragsvergabe keine Firmen aus den besetzten Gebieten zu berücksichtigen.",
     "procurement_policy"),
]


@pytest.mark.parametrize(("text", "expected"), [a[1:] for a in ACTIONS], ids=[a[0] for a in ACTIONS])
def test_action_category(pm, text, expected):
    """The category follows what the municipality did, not the words it was done with."""
    result = analyze_text(pm, TextInput(text))
    assert result["relevant"], result
    assert result["category"] == expected, result


def _facts(pm, text: str, published: str | None) -> dict[str, object]:
    draft = ChangeDraft(Source(0, "http://x"), "new-entry", "http://x", "", (text,), (), text=text,
                        published=published)
    return {f.name: f for f in analyze(pm, draft)}


DATES = [
    ("no-year-fr", "Le conseil communal de Forest a voté le 3 mars une motion pour un cessez-le-feu à Gaza.",
     "2025-03-05", "2025-03-03"),
    ("no-year-jl-nl", "De gemeenteraad van Mechelen keurde op 12 november jl. een motie over Gaza goed.",
     "2024-11-20", "2024-11-12"),
    ("no-year-last-year-en", "The council of Leeds agreed on 20 December to send aid to Gaza.",
     "2025-01-06", "2024-12-20"),
    ("weekday-de", "Der Stadtrat von Kiel hat am Dienstag eine Resolution für einen Waffenstillstand in "
     "Gaza verabschiedet.", "2024-11-14", "2024-11-12"),
    ("weekday-es", "El pleno de Cádiz aprobó el martes una moción por la paz en Gaza.", "2024-11-14",
     "2024-11-12"),
    ("weekday-next-nl", "De gemeenteraad van Gent stemt volgende maandag over de motie.", "2024-11-14",
     "2024-11-18"),
]


@pytest.mark.parametrize(("text", "published", "expected"), [d[1:] for d in DATES], ids=[d[0] for d in DATES])
def test_date_from_publication(pm, text, published, expected):
    """A date without a year takes the publication's year, a weekday the publication's week."""
    findings = _facts(pm, text, published)
    assert findings["date"].value == expected, findings["date"]


def test_date_without_year_and_without_publication_says_why(pm):
    """With no year anywhere and no publication date, no date is guessed, and the reason says so."""
    f = _facts(pm, "Der Stadtrat von Kiel hat am Dienstag eine Resolution verabschiedet.", None)["date"]
    assert f.value is None and f.reasons


BACKGROUND = [
    ("since-fr", "La ville de Liège, jumelée depuis le 12 mai 2004 avec Beit Lahia, a décidé le 8 novembre "
     "2023 d'octroyer 25.000 euros d'aide.", "2023-11-08"),
    ("established-en", "The twinning established on 3 June 2012 with Megiddo was suspended by the council "
     "on 14 March 2024.", "2024-03-14"),
    ("earlier-decision-nl", "Met verwijzing naar het eerdere besluit van 4 februari 2019 keurde de "
     "gemeenteraad op 23 april 2024 de opschorting van de stedenband goed.", "2024-04-23"),
    ("seit-de", "Die seit dem 1. Juli 1998 bestehende Partnerschaft mit Wolgograd wurde am 3. März 2022 "
     "vom Stadtrat ausgesetzt.", "2022-03-03"),
]


@pytest.mark.parametrize(("text", "expected"), [b[1:] for b in BACKGROUND], ids=[b[0] for b in BACKGROUND])
def test_background_date_not_preferred(text, expected):
    """The decision date wins over the date a link was made or an earlier decision."""
    found, _ = decision_date(text)
    assert found is not None and found.iso == expected, found


SHAPES = [
    ("12/11/2024", "2024-11-12"), ("12.11.2024", "2024-11-12"), ("12-11-2024", "2024-11-12"),
    ("2024-11-12", "2024-11-12"), ("12 nov. 2024", "2024-11-12"), ("le 1er mars 2024", "2024-03-01"),
    ("am 3. März 2024", "2024-03-03"), ("on March 3rd, 2024", "2024-03-03"),
    ("on the 3rd of March 2024", "2024-03-03"), ("el 3 de marzo de 2024", "2024-03-03"),
    ("il 1° marzo 2024", "2024-03-01"), ("op 12 november 2024", "2024-11-12"),
    ("le 12 déc. 2024", "2024-12-12"), ("am 5. Jän. 2024", "2024-01-05"), ("le 3 févr. 2024", "2024-02-03"),
    ("il 12 sett. 2024", "2024-09-12"),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES)
def test_date_shapes(text, expected):
    """The usual ways of writing a date in the six languages are read."""
    assert [d.iso for d in find_dates(f"De raad besliste {text}.")] == [expected]


AMOUNTS = [
    ("Gent geeft € 5.000,- aan noodhulp voor Gaza.", 5000.0),
    ("Gent geeft 5 000 EUR aan noodhulp voor Gaza.", 5000.0),
    ("Gent geeft 5k€ aan noodhulp voor Gaza.", 5000.0),
    ("Gent geeft vijfduizend euro aan noodhulp voor Gaza.", 5000.0),
    ("Bologna stanzia cinquemila euro di aiuti per Gaza.", 5000.0),
    ("Liège octroie dix mille euros d'aide à Gaza.", 10000.0),
    ("Kiel stellt zwanzigtausend Euro Hilfe für Gaza bereit.", 20000.0),
    ("De stad geeft 5.000 euro per jaar, in totaal 15.000 euro over drie jaar, aan Kabwe.", 15000.0),
    # a yearly part paid for a stated number of years is recorded as its total
    ("Lokeren werkt de komende vier jaar samen met Kaya en legt 2.500 euro per jaar in.", 10000.0),
    ("La giunta di Rovigo stanzia 4.000 euro all'anno per due anni per la scuola di Kindia.", 8000.0),
    ("Der Rat gibt in den nächsten drei Jahren 1.000 Euro pro Jahr für das Projekt in Moshi.", 3000.0),
    ("Die Gemeinde gibt jeweils 3.000 Euro in den Jahren 2027 bis 2030 für die Schule in Moshi.", 12000.0),
    ("Le conseil approuve pour 2027 et 2028 une participation de 1 500 € par an pour l'eau à Kaya.", 3000.0),
    ("De gemeente trekt de komende twee jaar telkens 6.000 euro uit voor scholen in Kaya.", 12000.0),
    # Italian deliberations put the word first
    ("La Giunta concede un contributo di euro 2.500,00 alla Croce Rossa per Gaza.", 2500.0),
    # a duration in the past is no period of payment
    ("Sinds vijf jaar geeft de gemeente 2.000 euro per jaar aan het project in Kaya.", 2000.0),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_amount_shapes(text, expected):
    """Thousand separators, ``,-``, ``k``, round number words and a total over a yearly part."""
    found, _ = grant_amount(text)
    assert found is not None and found.value == expected, found


@pytest.mark.parametrize(
    "text",
    [
        "1 000 " * 7000,
        "12.12." * 7000,
        "3 " * 20000,
        "€" + "5" * 40000,
        "twinning " + "op 12 " * 7000,
        "jumelage, " * 4000 + "rejeté " * 100,
    ],
    ids=["groups", "dots", "digits", "long-number", "days", "cues"],
)
def test_hostile_text_is_fast(pm, text):
    """Runs of digits, separators and cues over the whole cap cost well under a second."""
    text = text[:40_000]
    start = time.process_time()
    analyze_text(pm, TextInput(text))
    assert time.process_time() - start < 3.0


def test_rules_read_to_the_cap(pm):
    """A date and an amount near the end of a 40,000-character text are still found."""
    text = "Geen nieuws. " * 3000 + "Gent besliste op 12 november 2024 om 20.000 euro noodhulp te geven."
    assert len(text) < 40_000
    findings = _facts(pm, text, None)
    assert findings["date"].value == "2024-11-12"
    assert findings["amount"].value == 20000.0
