"""Changes read in context: list edits under headings, several events in one change,
and the bounds on hostile structure. Through the real ingest path (extraction, diff,
passages, every built-in analyzer) into a real SQLite file."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from monitor.ingest.passages import MAX_DEPTH, MAX_PASSAGES, passages
from monitor.ingest.pipeline import ingest
from monitor.models import MAX_EVENTS, FetchResult
from monitor.sources.manage import NewSource, add_sources
from monitor.store.queries import changes

HTML = {"content-type": "text/html; charset=utf-8"}


def _page(title: str, body: str, lang: str = "en") -> bytes:
    return (f"<!doctype html><html lang='{lang}'><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a></nav><main>{body}</main></body></html>").encode()


def _run(db, pm, day1: bytes, day2: bytes, *, municipality: str | None, country: str = "BE",
         lang: str = "en", kind: str = "page", headers=HTML) -> dict:
    (sid,), _ = add_sources(db, [NewSource(f"http://127.0.0.1:1/{len(changes(db))}-{time.monotonic_ns()}",
                                           kind, municipality, country, lang)])
    for body in (day1, day2):
        ingest(db, pm, FetchResult(source_id=sid, url="http://127.0.0.1:1/p", status=200,
                                   headers=headers, body=body))
    rows = [c for c in changes(db) if c.source_id == sid]
    assert len(rows) == 1, rows
    return {f.name: f.value for f in rows[0].findings}


def _list_page(lang: str, intro: str, heading: str, items: list[str], other_heading: str,
               others: list[str], suspended: str = "") -> bytes:
    lis = "".join(f"<li>{i}</li>" for i in items)
    oth = "".join(f"<li>{i}</li>" for i in others)
    return _page("Partners", f"<h1>{intro}</h1><p>{intro} {suspended}</p>"
                             f"<h2>{heading}</h2><ul>{lis}</ul><h2>{other_heading}</h2><ul>{oth}</ul>", lang)


LISTS = {
    # lang: intro paragraph, twinning heading, partners, an unrelated list
    "en": ("International relations of the municipality and its partner towns in Europe and beyond",
           "Twinning partnerships", ["Biarritz (France)", "Megiddo (Israel)", "Zababdeh (Palestine)"],
           "Opening hours", ["Monday 9:00-12:00", "Tuesday 9:00-12:00", "Friday 14:00-16:00"]),
    "nl": ("De internationale werking van de gemeente en haar partnergemeenten in Europa en daarbuiten",
           "Stedenbanden", ["Drohobytsj (Oekraïne)", "Mafra (Portugal)", "Żory (Polen)"],
           "Sportclubs", ["Voetbalclub Zuid", "Turnkring De Hoop", "Tennisclub Noord"]),
    "fr": ("Les relations internationales de la commune avec ses villes partenaires en Europe et ailleurs",
           "Jumelages", ["Kalamu (République démocratique du Congo)", "Dinant (Belgique)", "Sokodé (Togo)"],
           "Horaires", ["Lundi 9h-12h", "Mardi 9h-12h", "Vendredi 14h-16h"]),
    "de": ("Die internationalen Beziehungen der Gemeinde zu ihren Partnerstädten in Europa und "
           "darüber hinaus",
           "Unsere Partnerstädte", ["Lubań (Polen)", "Vrchlabí (Tschechien)", "Bitola (Nordmazedonien)"],
           "Vereine", ["Schützenverein", "Turnverein 1888", "Musikverein"]),
}


@pytest.mark.parametrize("lang", sorted(LISTS))
def test_a_partner_removed_from_a_twinning_list_ended_the_twinning(db, pm, lang):
    """Removing a town from the list under a twinning heading is read as the twinning
    ended, with the page's municipality and the removed town as the pair; the page's
    language comes from its text, not from what the source declares."""
    intro, heading, items, other_heading, others = LISTS[lang]
    f = _run(db, pm, _list_page(lang, intro, heading, items, other_heading, others),
             _list_page(lang, intro, heading, [items[0], items[2]], other_heading, others),
             municipality="Ixelles", lang="fr" if lang != "fr" else "nl")
    assert f["relevance"] >= 0.5
    assert f["category"] == "twinning_ended"
    assert f["municipality"]["name"] == "Ixelles"
    assert f["partner"]["name"] == items[1].split(" (")[0]
    assert f["language"] == lang
    assert f["events"][0]["action"] == "twinning_ended"


@pytest.mark.parametrize("lang", sorted(LISTS))
def test_a_town_added_to_a_twinning_list_is_a_twinning_established(db, pm, lang):
    intro, heading, items, other_heading, others = LISTS[lang]
    f = _run(db, pm, _list_page(lang, intro, heading, items[:2], other_heading, others),
             _list_page(lang, intro, heading, items, other_heading, others),
             municipality="Gent", lang=lang)
    assert f["category"] == "twinning_established"
    assert f["partner"]["name"] == items[2].split(" (")[0]


def test_a_removal_on_a_page_that_speaks_of_a_suspension_is_a_suspension(db, pm):
    intro, heading, items, other_heading, others = LISTS["en"]
    note = "Relations with one partner are suspended until further notice."
    f = _run(db, pm, _list_page("en", intro, heading, items, other_heading, others),
             _list_page("en", intro, heading, [items[0], items[2]], other_heading, others, note),
             municipality="Ixelles")
    assert f["category"] == "twinning_suspended"


def test_a_list_edit_under_another_heading_is_not_a_twinning(db, pm):
    """The same edit under "Opening hours" is no event: the context decides."""
    intro, heading, items, other_heading, others = LISTS["en"]
    f = _run(db, pm, _list_page("en", intro, heading, items, other_heading, others),
             _list_page("en", intro, heading, items, other_heading, others[:2]),
             municipality="Ixelles")
    assert "events" not in f
    assert f["relevance"] < 0.5


def test_a_twinning_list_in_a_table_and_under_numbered_headings(db, pm):
    """Headings numbered like "1.1." in plain paragraphs, and a table with a header row."""
    rows = [("Lubumbashi", "DR Congo", "2004"), ("Pécs", "Hungary", "1997"), ("Megiddo", "Israel", "2012")]

    def body(keep):
        trs = "".join(f"<tr><td>{a} ({b})</td><td>{c}</td></tr>" for a, b, c in keep)
        return _page("Partners", "<p>1. International relations of the municipality of Ixelles</p>"
                                 "<p>1.1. Twinning partnerships</p>"
                                 f"<table><tr><th>Town</th><th>Since</th></tr>{trs}</table>"
                                 "<p>2. Contact</p><p>Write to the international office for more.</p>")
    f = _run(db, pm, body(rows), body(rows[:2]), municipality="Ixelles")
    assert f["category"] == "twinning_ended"
    assert f["partner"]["name"] == "Megiddo"


@pytest.mark.parametrize(("lang", "heading", "rows", "old", "new", "action", "date"), [
    ("fr", "Villes jumelles", [("Caerphilly", "Royaume-Uni"), ("Vyborg", "Russie")], "suspendu",
     "dissous par délibération du 9 mars 2026", "twinning_ended", "2026-03-09"),
    ("de", "Unsere Partnerstädte", [("Lubań", "Polen"), ("Pskow", "Russland")], "seit 1994",
     "ruht seit Ratsbeschluss vom 2. Februar 2026", "twinning_suspended", "2026-02-02"),
])
def test_a_status_cell_that_changes_ends_or_suspends_its_row(db, pm, lang, heading, rows, old, new, action,
                                                             date):
    """A table of partners without a header row, whose last row's status cell changes: the
    event is the row's town, the status says what became of the link, and a date in the
    cell dates the decision."""
    def body(status):
        trs = "".join(f"<tr><td>{t}</td><td>{c}</td><td>{s}</td></tr>"
                      for (t, c), s in zip(rows, ("actif" if lang == "fr" else "aktiv", status), strict=True))
        return _page(heading, f"<h1>{heading}</h1><table>{trs}</table>", lang)
    f = _run(db, pm, body(old), body(new), municipality="Lannion" if lang == "fr" else "Tübingen",
             country="FR" if lang == "fr" else "DE", lang=lang)
    assert f["category"] == action
    assert f["partner"]["name"] == rows[-1][0]
    assert f["events"][0]["date"] == date


def test_a_town_moved_to_the_former_partners_list_ended_its_twinning(db, pm):
    """The town leaves the one-line list of twin towns and joins "Former twin towns": one
    event, ended (the heading says so); its leaving the first list is no second event."""
    def body(current, former):
        return _page("Twinning", "<h1>Twinning and international links</h1><dl><dt>Twin towns</dt>"
                     f"<dd>{'; '.join(current)}</dd><dt>Former twin towns</dt><dd>{former}</dd></dl>")
    f = _run(db, pm, body(["Formigine (Italy)", "Pskov (Russia)", "Lubań (Poland)"], "none"),
             body(["Formigine (Italy)", "Lubań (Poland)"], "Pskov (Russia)"), municipality="Kilkenny",
             country="IE")
    assert f["category"] == "twinning_ended"
    assert [(e["action"], e["partner"]) for e in f["events"]] == [("twinning_ended", "Pskov")]


def test_a_network_table_names_each_rows_municipality_and_partner(db, pm):
    """A network's table with a municipality column ("Kommune | Partnergemeinde | Beschluss")
    gains two rows: two events, each with its row's municipality, partner and date."""
    head = "<tr><th>Kommune</th><th>Partnergemeinde</th><th>Beschluss</th></tr>"
    old = [("Tübingen", "Lubań", "Gemeinderat, 12.03.2019"), ("Delft", "Tver", "Gemeinderat, 04.05.2020")]
    new = [("Göttingen", "Kremenez", "Ratsversammlung, 15.07.2026"),
           ("Weinheim", "Pskow", "Gemeinderat, 22.06.2026"), *old]

    def body(rows):
        trs = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows)
        return _page("Partnerschaften", "<h1>Neue Partnerschaften</h1><p>Kommunen des Netzwerks, die "
                     "eine Partnerschaft mit einer Gemeinde im Ausland beschlossen haben, mit dem Gremium "
                     f"und dem Datum des Beschlusses.</p><table>{head}{trs}</table>", "de")
    f = _run(db, pm, body(old), body(new), municipality=None, country="DE", lang="de")
    got = [(e.get("municipality"), e.get("partner"), e.get("date")) for e in f["events"]]
    assert got == [("Göttingen", "Kremenez", "2026-07-15"), ("Weinheim", "Pskow", "2026-06-22")]
    assert {e["action"] for e in f["events"]} == {"twinning_established"}


def test_entries_that_open_with_their_municipality_are_one_event_each(db, pm):
    """A network's overview under one heading gains two entries, each opening with its
    municipality ("Lannion (Côtes-d'Armor) — 8 000 € ..."): two grants, each with its own
    municipality, date and amount."""
    known = ("<p><strong>Quimper</strong> (Finistère) — 10 000 € à Médecins du Monde, "
             "délibération du 2 mai 2026.</p>")
    added = ("<p><strong>Lannion</strong> (Côtes-d'Armor) — 8 000 € au Secours populaire pour le Liban, "
             "délibération du 3 juin 2026.</p><p><strong>Vannes</strong> (Morbihan) — 5 000 € à l'UNRWA pour "
             "Gaza, conseil municipal du 9 juin 2026.</p>")

    def body(entries):
        return _page("Collectivités solidaires", "<h1>Collectivités solidaires</h1><p>Aides votées par les "
                     f"collectivités adhérentes du réseau pour le Liban et Gaza.</p>{entries}", "fr")
    f = _run(db, pm, body(known), body(added + known), municipality=None, country="FR", lang="fr")
    got = [(e.get("municipality"), e.get("action"), e.get("date"), e.get("amount_eur")) for e in f["events"]]
    assert got == [("Lannion", "humanitarian_aid", "2026-06-03", 8000.0),
                   ("Vannes", "humanitarian_aid", "2026-06-09", 5000.0)]


def test_a_small_partner_table_that_grows_is_read_the_same_way_both_days(db, pm):
    """A town's page whose <main> is a short partner table (under the length from which a
    landmark is trusted alone) gains a row: both versions are read from the landmark, so
    the change is the new row only (no navigation, no table redrawn cell by cell)."""
    def body(rows):
        trs = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows)
        return _page("Ciudades hermanas", "<h1>Ciudades hermanas</h1><p>Las ciudades hermanadas con el "
                     "municipio desde 1962.</p><table><tr><th>Ciudad</th><th>País</th>"
                     f"<th>Año</th></tr>{trs}</table>", "es")
    rows = [("Oloron-Sainte-Marie", "Francia", "1962"), ("Tver", "Rusia", "1998"),
            ("Lubań", "Polonia", "2004"), ("Kremenets", "Ucrania", "2015"), ("Sucre", "Bolivia", "2019")]
    new = [*rows, ("Pskov", "Rusia", "2026"), ("Delft", "Países Bajos", "2026")]
    f = _run(db, pm, body(rows), body(new), municipality="Getafe", country="ES", lang="es")
    assert [(e["action"], e["partner"]) for e in f["events"]] == [("twinning_established", "Pskov"),
                                                                   ("twinning_established", "Delft")]


OVERVIEW = """<h1>Lokale acties voor Gaza</h1><p>Een overzicht van wat gemeenten doen, per gemeente.</p>
{entries}<h2>Bronnen</h2><p>Verzameld door de vereniging van steden en gemeenten.</p>"""

ENTRIES = [
    ("Herzele", "3 oktober 2025: de gemeenteraad keurt een toelage van 2.500 euro humanitaire hulp goed "
                "voor het Rode Kruis in Gaza."),
    ("Zottegem", "14 oktober 2025: de gemeenteraad neemt een motie aan die oproept tot een staakt-het-vuren "
                 "in Gaza en de erkenning van Palestina."),
    ("Voorbeeldegem", "12 november 2025: het college kent een toelage van 5.000 euro humanitaire hulp "
                      "toe aan UNICEF voor de noodhulp aan kinderen in Gaza."),
]


def _overview(entries) -> bytes:
    html = "".join(f"<h3>{m}</h3><ul><li>{t}</li></ul>" for m, t in entries)
    return _page("Overzicht", OVERVIEW.format(entries=html), "nl")


def test_an_overview_that_gains_three_municipalities_holds_three_events(db, pm):
    """One change, three events, each with its own municipality, action, date and
    amount (a fictional municipality among them: the heading names it)."""
    day1 = _overview([("Aalst", "1 september 2025: de gemeenteraad keurt een motie goed voor een "
                                "staakt-het-vuren in Gaza.")])
    day2 = _overview([("Aalst", "1 september 2025: de gemeenteraad keurt een motie goed voor een "
                                "staakt-het-vuren in Gaza."), *ENTRIES])
    f = _run(db, pm, day1, day2, municipality=None, lang="nl")
    events = f["events"]
    assert [e["municipality"] for e in events] == ["Herzele", "Zottegem", "Voorbeeldegem"]
    assert [e["action"] for e in events] == ["humanitarian_aid", "council_motion", "humanitarian_aid"]
    assert [e["date"] for e in events] == ["2025-10-03", "2025-10-14", "2025-11-12"]
    assert [e.get("amount_eur") for e in events] == [2500.0, None, 5000.0]
    assert f["municipality"]["name"] == "Herzele" and f["amount"] == 2500.0


MINUTES = """Notulen van de gemeenteraad van Herzele
Zitting van 9 december 2025
Aanwezig: de voorzitter, de burgemeester, de schepenen en de raadsleden.
Agendapunt 1: Goedkeuring van de notulen van de vorige zitting
De notulen van de zitting van 18 november 2025 worden goedgekeurd.
{points}Agendapunt 9: Varia
Er zijn geen vragen."""

POINTS = [
    "Agendapunt 6: Motie over Gaza\nDe gemeenteraad keurt de motie goed die oproept tot een onmiddellijk "
    "staakt-het-vuren in Gaza en de vrijlating van alle gijzelaars.\n",
    "Agendapunt 7: Noodhulp Gaza\nDe gemeenteraad kent een toelage van 10.000 euro humanitaire hulp toe aan "
    "Artsen zonder Grenzen voor de noodhulp in Gaza.\n",
    "Agendapunt 8: Ethisch aankoopbeleid\nDe gemeenteraad beslist dat bij overheidsopdrachten geen producten "
    "uit illegale nederzettingen in bezet Palestijns gebied worden aangekocht.\n",
]


def test_minutes_that_add_several_decisions_hold_one_event_each(db, pm):
    """A council-minutes PDF that adds three agenda points: three events."""
    from tests.helpers import pdf  # the project's own PDF builder

    def minutes(points: str) -> bytes:  # one paragraph per line, a blank line between
        return pdf([[part for line in MINUTES.format(points=points).split("\n") for part in (line, "")]])

    f = _run(db, pm, minutes(""), minutes("".join(POINTS)),
             municipality="Herzele", lang="nl", kind="document", headers={"content-type": "application/pdf"})
    actions = [e["action"] for e in f["events"]]
    assert actions == ["council_motion", "humanitarian_aid", "procurement_policy"]
    assert all(e["municipality"] == "Herzele" for e in f["events"])
    assert f["events"][1]["amount_eur"] == 10000.0


def test_the_facts_of_a_change_with_several_events_are_its_first_events(db, pm):
    """Minutes whose first new point is a motion and whose second grants a sum: the change's
    category is the motion's, and so is its amount (none), not the other point's sum."""
    from tests.helpers import pdf

    def minutes(points: str) -> bytes:
        return pdf([[part for line in MINUTES.format(points=points).split("\n") for part in (line, "")]])

    f = _run(db, pm, minutes(""), minutes("".join(POINTS[:2])),
             municipality="Herzele", lang="nl", kind="document", headers={"content-type": "application/pdf"})
    assert [e["action"] for e in f["events"]] == ["council_motion", "humanitarian_aid"]
    assert f["category"] == "council_motion"
    assert f["amount"] is None


@pytest.mark.parametrize(("lang", "heading", "items", "added", "partner"), [
    # a name with a word that is also a country word ("Russa"): the whole name
    ("en", "Twin towns", ["Marines (France)"], "Staraya Russa (Russia)", "Staraya Russa"),
    # "zustergemeenten" is a twinning heading too
    ("nl", "Onze zustergemeenten", ["Bourg-Achard (Frankrijk)"], "Hadiach (Oekraïne)", "Hadiach"),
    # an administrative noun before the name: the name after it
    ("es", "Ciudades hermanadas", ["Thiviers (Francia)"], "Daira de Tichla (campamentos saharauis)",
     "Tichla"),
])
def test_a_town_added_to_a_list_is_named_whole(db, pm, lang, heading, items, added, partner):
    intro = {"en": "Our links with towns abroad and the people who keep them alive",
             "nl": "De gemeente onderhoudt banden met gemeenten in Europa en daarbuiten",
             "es": "El municipio mantiene hermanamientos con municipios de Europa y de otros lugares"}[lang]
    f = _run(db, pm, _list_page(lang, intro, heading, items, "Contact", ["Town hall"]),
             _list_page(lang, intro, heading, [*items, added], "Contact", ["Town hall"]),
             municipality="Kington", lang=lang)
    assert f["category"] == "twinning_established"
    assert f["partner"]["name"] == partner


def test_a_paragraph_under_a_partners_label_names_that_partner(db, pm):
    """A twinning page that gives each partner a label and a paragraph (a definition list):
    the paragraph under one label says the link was dissolved; the label names the partner."""
    def page(note: str) -> bytes:
        return _page("Jumelages", "<h1>Jumelages</h1><p>La commune entretient des liens d'amitié avec "
                     "plusieurs villes européennes.</p><dl><dt>Wadowice (Pologne)</dt>"
                     "<dd>Jumelage signé en 1990.</dd><dt>Navahrudak (Biélorussie)</dt>"
                     f"<dd>{note}</dd></dl>", "fr")
    f = _run(db, pm, page("Jumelage signé en 1996. Échanges scolaires."),
             page("Jumelage signé en 1996, dissous par délibération du conseil municipal du 2 mars 2026."),
             municipality="Saint-Avé", country="FR", lang="fr")
    assert f["category"] == "twinning_ended"
    assert f["partner"]["name"] == "Navahrudak"


def test_the_publication_date_of_a_feed_entry_reaches_the_analyzers(db, pm):
    """A feed entry's date becomes ChangeDraft.published (the year of "on 3 March")."""
    def rss(items):
        body = "".join(f"<item><guid>{g}</guid><title>{t}</title><link>http://127.0.0.1/{g}</link>"
                       f"<description>{d}</description><pubDate>{when}</pubDate></item>"
                       for g, t, d, when in items)
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
                f"<link>http://127.0.0.1/</link><description>x</description>{body}</channel></rss>").encode()

    old = ("a", "Old news", "Nothing new.", "Mon, 06 Jan 2025 10:00:00 GMT")
    one = rss([old])
    two = rss([("b", "Gent schorst stedenband",
                "Op 3 maart schorst de gemeenteraad de stedenband met Nazareth.",
                "Tue, 04 Mar 2025 10:00:00 GMT"), old])
    f = _run(db, pm, one, two, municipality="Gent", lang="nl", kind="feed",
             headers={"content-type": "application/rss+xml"})
    assert f["date"] == "2025-03-03"


# ---------------------------------------------------------------------------
# bounds (docs/security.md)
# ---------------------------------------------------------------------------


def _bounded(fn):
    tracemalloc.start()
    t0 = time.process_time()
    try:
        out = fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return out, time.process_time() - t0, peak


@pytest.mark.slow  # make test-fast: among its longest (CI timings)
def test_hostile_structure_stays_bounded(db, pm):
    """50 levels of headings, a 10,000-item list, a table without headers and a change
    with 500 candidate events: bounded CPU (measured well under a second each on one
    core; the bound is ten times that) and memory, and within the caps."""
    from monitor.ingest.passages import html_outline

    deep = "".join(f"<section><h{min(i % 6 + 1, 6)}>Level {i} twinning</h{min(i % 6 + 1, 6)}>"
                   for i in range(50)) + "<ul><li>Megiddo (Israel)</li><li>Biarritz (France)</li></ul>"
    deep += "</section>" * 50
    long_list = ("<h2>Twinning partners</h2><ul>" + "".join(f"<li>Town {i}</li>" for i in range(10_000))
                 + "</ul>")
    no_headers = ("<table>" + "".join(f"<tr><td>Town {i}</td><td>{i}</td></tr>" for i in range(2000))
                  + "</table>")
    for html in (deep, long_list, no_headers):
        body = _page("x", html)
        outline, cpu, peak = _bounded(lambda b=body: html_outline(b))
        assert cpu < 5 and peak < 50_000_000
    # the deep page: one heading per level (h1-h6), so the path holds the nearest six
    old = "\n".join([f"Level {i} twinning" for i in range(50)] + ["Megiddo (Israel)", "Biarritz (France)"])
    new = old.replace("Megiddo (Israel)\n", "")
    from monitor.ingest.diff import diff_paragraphs
    from monitor.text import paragraphs
    ps = passages(old, new, diff_paragraphs(paragraphs(old), paragraphs(new)), html_outline(_page("x", deep)))
    assert len(ps) == 1 and len(ps[0].headings) <= min(6, MAX_DEPTH)
    assert ps[0].headings[-1] == "Level 49 twinning"
    # 500 candidate events in one change: 500 municipalities' entries added to an overview
    names = [f"{a}{b}{c}gem" for a in "BDKLMNPRST" for b in ("a", "e", "i", "o", "u") for c in "dklmnprstv"]
    many = [(names[i].capitalize(), f"{1 + i % 28} oktober 2025: de gemeenteraad keurt een toelage van "
                                    f"{i + 1}.000 euro humanitaire hulp voor Gaza goed.") for i in range(500)]
    (f, cpu, peak) = _bounded(lambda: _run(db, pm, _overview([]), _overview(many), municipality=None,
                                           lang="nl"))
    assert len(f["events"]) == MAX_EVENTS
    assert cpu < 60 and peak < 300_000_000
    # a 10,000-item list edit: passages capped
    items = [f"Town {i}" for i in range(10_000)]
    ps = passages("Twinning partners:\n" + "\n".join(items), "Twinning partners:",
                  diff_paragraphs(["Twinning partners:", *items], ["Twinning partners:"]))
    assert len(ps) == MAX_PASSAGES


# ---------------------------------------------------------------------------
# what the municipality did, read from the text
# ---------------------------------------------------------------------------

DENIED = [
    "Geen stedenband, wel een samenwerkingsakkoord: de gemeenteraad van Herzele keurde een convenant "
    "goed met de gemeente Nioro du Rip in Senegal voor waterputten.",
    "Il ne s'agit pas d'un jumelage : le conseil communal d'Ath a approuvé une convention de partenariat "
    "avec la commune de Kaya, au Burkina Faso.",
    "Der Gemeinderat von Herrenberg hat beschlossen, eine Klimapartnerschaft mit der Stadt Tamale in Ghana "
    "einzugehen. Eine Städtepartnerschaft ist nicht geplant.",
    "Midlothian Council signed a memorandum of understanding with Dedza District Council in Malawi. "
    "It is not a twinning, the council stressed, but a practical partnership.",
]


@pytest.mark.parametrize("text", DENIED, ids=["nl", "fr", "de", "en"])
def test_a_partnership_the_text_says_is_no_twinning_is_a_partnership(pm, text):
    from monitor.analyze.service import TextInput, analyze_text

    result = analyze_text(pm, TextInput(text))
    assert result["relevant"] and result["category"] == "partnership_cooperation", result


IN_PASSING = [
    "De U15 van KFC Poperinge won zaterdag het jeugdtoernooi in de Franse partnerstad van de gemeente, "
    "met 2-1 tegen de thuisploeg.",
    "Le comité de jumelage organise son grand loto annuel le dimanche 17 novembre à la salle des fêtes.",
    "Ab dem 2. April wird der Orléansring saniert, die nach der französischen Partnerstadt benannte Straße.",
    "Obituary: Margaret Ellis, who has died aged 90, founded the twinning association of her town in 1972.",
    "De federale regering trekt 25 miljoen euro uit voor humanitaire hulp in Gaza, kondigde de minister "
    "in Brussel aan.",
]


@pytest.mark.parametrize("text", IN_PASSING, ids=["match", "loto", "street", "obituary", "government"])
def test_a_twinning_or_gaza_named_in_passing_is_no_municipal_act(pm, text):
    """A match between twin towns' clubs, an association's loto, works on a street named
    after a twin town, an obituary, a government's aid: nothing the municipality did."""
    from monitor.analyze.service import TextInput, analyze_text

    assert not analyze_text(pm, TextInput(text))["relevant"]
