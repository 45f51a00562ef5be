"""The places analyzer: the acting municipality and the partner town, with countries.

The source's own municipality (``change.source.municipality``) is a strong prior:
when a source speaks for a municipality, that is the actor. Otherwise the actor is
the place a municipal cue points at ("gemeenteraad van X", "Ayuntamiento de X",
"X City Council"), else the first Belgian (or local) municipality named. The
partner is the place a twinning or partnership cue points at ("stedenband met X",
"jumelage avec la ville israélienne de X", "sister city X"). Names the gazetteer
does not know are still taken when such a cue names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from monitor.hookspecs import hookimpl
from monitor.models import AnalysisContext, ChangeDraft, Finding
from plugins.gazetteer import Mention, Place, gazetteer, key
from plugins.language import language_of
from plugins.scoring import signals
from plugins.textutil import focus, fold

TROUBLED = {"IL", "PS", "UA", "SY", "LB", "SD", "AF", "CD", "RU", "IR", "YE", "MM"}
"""Countries that municipal solidarity in our sources is mostly about."""

LANG_COUNTRIES = {
    "nl": ("BE", "NL"),
    "fr": ("BE", "FR", "LU", "CH"),
    "de": ("BE", "DE", "AT", "CH"),
    "en": ("GB", "IE", "BE"),
    "es": ("ES",),
    "it": ("IT",),
}

COUNTRY_WORDS: dict[str, str] = {}
for _cc, _words in {
    "IL": "israel israelische israelisch israeli israelienne israelien israelische israeli israeliana "
    "israeliano israelita israeliske",
    "PS": "palestina palestine palestijnse palestijns palestinian palestinienne palestinien "
    "palastinensische palastinensischen palastina palestino palestinese palestinesi palastinensisch",
    "FR": "frankrijk franse france francaise francais frankreich franzosische french francia francesa "
    "frances francese",
    "DE": "duitsland duitse allemagne allemande allemand deutschland deutsche deutschen german germany "
    "alemania alemana aleman germania tedesca tedesco",
    "NL": "nederland nederlandse pays-bas neerlandaise niederlande niederlandische niederlandischen "
    "netherlands dutch holanda holandesa paesi bassi olandese",
    "BE": "belgie belgique belge belgien belgische belgischen belgium belgian belgica belga",
    "UA": "oekraine oekraiense ukraine ukrainienne ukrainische ukrainischen ukrainian ucrania ucraniana "
    "ucraina ucraino",
    "CD": "congo congolese congolaise kongo rdc drc",
    "GB": "engeland britse angleterre britannique england britain british uk inglaterra britanico "
    "inghilterra britannico",
    "ES": "spanje spaanse espagne espagnole spanien spanische spain spanish espana espanola spagna spagnolo",
    "IT": "italie italiaanse italienne italien italienische italy italian italia italiana italiano",
    "RU": "rusland russische russie russe russland russian rusia rusa russia russa",
    "MA": "marokko marokkaanse maroc marocaine marokkanische morocco moroccan marruecos marroqui marocco",
    "PT": "portugal portugese portugaise portugiesische portuguese portuguesa portogallo portoghese",
    "RO": "roemenie roumanie rumanien romania romanian rumania",
}.items():
    for _w in _words.split():
        COUNTRY_WORDS[_w] = _cc

_ACTOR_BEFORE = re.compile(
    r"(?:gemeente(?:raad)?(?: van)?|stad(?:sbestuur)?(?: van)?|lokaal bestuur van|burgemeester van|"
    r"commune(?: de| d')?|ville de|conseil communal (?:de|d')|bourgmestre (?:de|d')|"
    r"college communal (?:de|d')|"
    r"(?:die |der )?stadt|(?:die |der )?gemeinde|stadtrat von|gemeinderat von|rat der stadt|"
    r"burgermeister(?:in)? von|oberburgermeister(?:in)? von|"
    r"city of|town of|municipality of|borough of|council of|mayor of|"
    r"ayuntamiento de|municipio de|alcalde(?:sa)? de|pleno (?:de|del ayuntamiento de)|consistorio de|"
    r"comune di|sindaco di|consiglio comunale di|citta di)\s*$"
)
_ACTOR_AFTER = re.compile(
    r"^\s*(?:city council|town council|borough council|council|city hall|"
    r"local authority|municipal council)\b"
)
_PARTNER_BEFORE = re.compile(
    r"(?:(?:stedenband|verbroedering|vriendschapsband|partnerschap|samenwerking|jumelage|jumelee?|"
    r"partenariat|cooperation|lien|liens|partnerschaft|stadtepartnerschaft|twinning|twinned|"
    r"twin town|sister city|partnership|links?|ties|friendship|hermanamiento|hermanada|convenio|"
    r"gemellaggio|gemellata|cooperazione|relations?|relaties|beziehungen|relaciones|rapporti|contacts?"
    r"|kontakte)\b[^.;\n]{0,25}?\b(?:met|with|avec|mit|con|tussen|entre|zwischen|between|tra)\b"
    r"|partnerst(?:ad|adt)|zusterstad|twin town|sister city|partner city|partner town|ville jumelle|"
    r"ville partenaire|citta gemellata|ciudad hermana|schwesterstadt)"
    r"(?:\s+(?:de|het|la|le|les|l'|the|die|der|den|das|el|il|lo|sa|zijn|haar|ses|son|sa|seine|ihre|its|"
    r"their|su|sua|suo|nieuwe|new|nouvelle|neue|nueva|nuova|" + "|".join(sorted(COUNTRY_WORDS)) + r"))*?"
    r"(?:\s+(?:stad|gemeente|dorp|ville|commune|village|stadt|gemeinde|dorf|town|city|village|"
    r"ciudad|localidad|pueblo|citta|comune|paese)(?:\s+(?:van|de|d'|von|of|di|del))?)?\s*$"
)
_BETWEEN = re.compile(r"\b(?:tussen|entre|zwischen|between|tra|fra)\s*$")
_PAIR = re.compile(r"^\s*(?:and|en|et|und|y|e|-|–|/)\s*$")
_CAPS = re.compile(
    r"([A-ZÀ-Ý][\w'’]+(?:[ -](?:(?:de|di|del|la|le|sur|im|am|an|der|upon|en|San|Santa|"
    r"Sankt|Saint|Sint)[ -])?[A-ZÀ-Ý][\w'’]+){0,4})"
)


@dataclass(frozen=True)
class PlaceGuess:
    """A municipality or partner guess."""

    name: str
    country: str | None
    why: str
    place: Place | None = None


@dataclass(frozen=True)
class Places:
    """What the places analyzer concluded."""

    municipality: PlaceGuess | None
    partner: PlaceGuess | None
    mentioned: tuple[str, ...]
    troubled: bool
    """A place in a country solidarity is usually about is named."""


def _country_hint(text: str, m: Mention) -> str | None:
    before = fold(text[max(0, m.start - 45) : m.start])
    after = fold(text[m.end : m.end + 25])
    paren = re.match(r"\s*[(,]\s*([a-z .-]+)", after)
    if paren:
        for w in re.findall(r"[a-z]+", paren.group(1))[:2]:
            if w in COUNTRY_WORDS:
                return COUNTRY_WORDS[w]
    words = re.findall(r"[a-z]+", before)[-4:]
    for w in reversed(words):
        if w in COUNTRY_WORDS:
            return COUNTRY_WORDS[w]
    return None


def _pick(m: Mention, hint: str | None, prefer: tuple[str, ...], avoid: str | None = None) -> Place:
    surface = key(m.surface)

    def rank(p: Place) -> tuple[bool, bool, bool, bool, bool, int]:
        return (
            p.country == hint,
            p.country in prefer and p.country != avoid,
            p.kind.startswith("municipality"),
            key(p.name) == surface,
            p.population == 0,
            p.population,
        )

    return max(m.places, key=rank)


def _guess_unknown(text: str, rx: re.Pattern[str], known: set[str]) -> list[tuple[int, str]]:
    """Capitalised names right after a cue (for places the gazetteer lacks)."""
    out = []
    folded = fold(text)
    for cap in _CAPS.finditer(text):
        if key(cap.group(1)) in known:
            continue
        if rx.search(folded[max(0, cap.start() - 80) : cap.start()]):
            out.append((cap.start(), cap.group(1)))
    return out


@lru_cache(maxsize=256)
def find_places(
    title: str, body: str, prior: str | None, prior_country: str | None, lang: str | None
) -> Places:
    """Municipality and partner for a text."""
    text = f"{title}\n{body}" if title else body
    folded = fold(text)
    s = signals(title, body)
    g = gazetteer()
    mentions = g.find(text)
    prefer = LANG_COUNTRIES.get(lang or "", ("BE",))
    prior_places = g.lookup(prior) if prior else []
    prior_place = prior_places[0] if prior_places else None
    prior_keys = {key(n) for n in prior_place.names} if prior_place else ({key(prior)} if prior else set())

    cands: list[tuple[Mention, Place, bool, bool]] = []
    for m in mentions:
        before = folded[max(0, m.start - 70) : m.start]
        after = folded[m.end : m.end + 30]
        actor_cue = bool(_ACTOR_BEFORE.search(before) or _ACTOR_AFTER.search(after))
        partner_cue = bool(_PARTNER_BEFORE.search(before))
        if partner_cue and _BETWEEN.search(before):
            actor_cue, partner_cue = True, False
        if m.ambiguous and not (actor_cue or partner_cue or key(m.surface) in prior_keys):
            continue
        place = _pick(m, _country_hint(text, m), prefer)
        cands.append((m, place, actor_cue, partner_cue))
    troubled = any(p.country in TROUBLED for _, p, _, _ in cands)

    municipality: PlaceGuess | None = None
    if prior:
        country = prior_country or (prior_place.country if prior_place else None)
        municipality = PlaceGuess(prior, country, "the source's municipality", prior_place)
    else:
        best: tuple[float, Mention, Place] | None = None
        for i, (m, p, actor_cue, partner_cue) in enumerate(cands):
            score = 3.0 * actor_cue - 3.0 * partner_cue - 0.15 * i
            score += 1.0 if p.country in prefer else 0.0
            score += 0.5 if p.country == "BE" and p.kind != "town" else 0.0
            score -= 1.5 if p.country in TROUBLED else 0.0
            line_start = folded.rfind("\n", 0, m.start) + 1
            if not folded[line_start : m.start].strip() or re.search(r"[.!?]\s+$", folded[: m.start]):
                score += 1.0
            if best is None or score > best[0]:
                best = (score, m, p)
        if best is not None and best[0] > -1.0:
            _, m, p = best
            municipality = PlaceGuess(
                _display(m, p), p.country, "named" + (" with a municipal cue" if best[0] >= 2.5 else ""), p
            )
        else:
            unknown = _guess_unknown(text, _ACTOR_BEFORE, set(g.index))
            if unknown:
                municipality = PlaceGuess(unknown[0][1], None, "named after a municipal cue")
    partner = _partner(text, folded, cands, municipality, s.has("twinning") or s.has("cooperation"))
    return Places(municipality, partner, tuple(dict.fromkeys(m.surface for m, _, _, _ in cands)), troubled)


def _display(m: Mention, p: Place) -> str:
    return m.surface if key(m.surface) != key(p.name) else p.name


def _partner(
    text: str,
    folded: str,
    cands: list[tuple[Mention, Place, bool, bool]],
    municipality: PlaceGuess | None,
    linked: bool,
) -> PlaceGuess | None:
    if not linked:
        return None
    own = {key(n) for n in municipality.place.names} if municipality and municipality.place else set()
    if municipality:
        own.add(key(municipality.name))
    best: tuple[float, PlaceGuess] | None = None
    for i, (m, p, actor_cue, partner_cue) in enumerate(cands):
        if key(m.surface) in own or key(p.name) in own:
            continue
        if (
            p.kind.startswith("merged")
            and municipality
            and municipality.place
            and p.merged_into == municipality.place.name
        ):
            continue
        score = 3.0 * partner_cue - 1.0 * actor_cue - 0.05 * i
        if municipality and municipality.country and p.country != municipality.country:
            score += 1.0
        if p.country in TROUBLED:
            score += 0.5
        prev = folded[max(0, m.start - 6) : m.start]
        if _PAIR.match(prev) and i > 0:
            score += 1.5
        if best is None or score > best[0]:
            best = (
                score,
                PlaceGuess(
                    _display(m, p),
                    p.country,
                    "named with a twinning cue" if partner_cue else "named beside the municipality",
                    p,
                ),
            )
    if best is not None and best[0] >= 1.4:
        return best[1]
    unknown = _guess_unknown(text, _PARTNER_BEFORE, set())
    for _, name in unknown:
        if key(name) not in own:
            return PlaceGuess(name, None, "named after a twinning cue")
    return None


@hookimpl
def analyze_change(change: ChangeDraft, context: AnalysisContext) -> list[Finding]:
    """Attach ``municipality`` and ``partner`` findings."""
    title, body = focus(change)
    src = change.source
    found = find_places(title, body, src.municipality, src.country, language_of(change))
    return [
        _finding("municipality", found.municipality, found.mentioned),
        _finding("partner", found.partner, found.mentioned),
    ]


def _finding(name: str, guess: PlaceGuess | None, mentioned: tuple[str, ...]) -> Finding:
    if guess is None:
        why = "no place found" if not mentioned else f"none of {', '.join(mentioned[:5])} fits"
        return Finding(name, None, score=0.0, reasons=(f"could not determine the {name}: {why}",))
    value: dict[str, str | None] = {"name": guess.name, "country": guess.country}
    if guess.place and guess.place.merged_into:
        value["part_of"] = guess.place.merged_into
    return Finding(name, value, score=0.9 if guess.place else 0.6, reasons=(guess.why,))
