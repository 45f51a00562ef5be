"""The places analyzer: the acting municipality and the partner town, with countries.

The source's own municipality (``change.source.municipality``) is a strong prior:
when a source speaks for a municipality, that is the actor. Otherwise each place
named is weighed by the syntax around each of its mentions, summed over the text:

- a municipal cue before or after it ("gemeenteraad van X", "Ayuntamiento de X",
  "X City Council", "het Antwerpse stadsbestuur", "le collège liégeois");
- a twinning or partnership cue before it makes it the partner ("stedenband met X",
  "jumelage avec la ville israélienne de X", "between A and X", "A und X erneuern
  ihre Städtepartnerschaft": the second of a pair named beside a twinning word);
- a place that only qualifies another ("the Brussels municipality of Ixelles", "one
  of Brussels' municipalities") is not the actor; a country is never a town, and
  a territory (Gaza) is a partner only when a twinning cue names it;
- a name that is a common word in the text's language (``Hof``, ``Forest`` in
  English) needs a cue or a locative preposition ("À Forest, ...").

Names the gazetteer does not know are looked up in the wide gazetteer (GeoNames places
of 1,000+, :func:`plugins.analyzers.gazetteer.wide`), for the partner only and only where
the clause supports it: capitalised, not a common word, and in a twinning clause, next to
its country ("Boromo, au Burkina Faso") or in a sentence about a twinning. A wide hit
is never the acting municipality. Other unknown names are still taken when a municipal
or twinning cue names them directly.

Which of two towns is the partner follows the clause: the object of the twinning verb
or noun ("signs a friendship pact with Z", "est jumelée à Z", "se hermana con Z", "si
gemella con Z", "verbroedert met Z", "verschwistert mit Z"), the subject of "is the
partner town of X" (and X, the owner, is not the partner), never a town a visit or an
apposition names ("the mayor of X, visiting Y, ...", "Heerlen, near Maastricht, ...");
such a town is never the actor either. A name no gazetteer knows after a cue that is
not about towns ("partnership with Oxfam", "convenio con Cáritas") is no partner unless
a town noun or its country stands beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from monitor.hookspecs import hookimpl
from monitor.models import AnalysisContext, ChangeDraft, Finding
from plugins.analyzers.countrywords import COUNTRY_WORDS, adjective_country, country_word
from plugins.analyzers.events import entry_partner, main_event
from plugins.analyzers.gazetteer import Mention, Place, countries, gazetteer, key, wide
from plugins.analyzers.language import language_of
from plugins.analyzers.scoring import SOUTH_COUNTRIES, signals
from plugins.analyzers.textutil import focus, fold

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

_ACTOR_BEFORE = re.compile(
    r"(?:gemeente(?:raad|bestuur)?(?: van)?|stad(?:sbestuur)?(?: van)?|lokaal bestuur van|burgemeester van|"
    r"schepencollege van|college van burgemeester en schepenen van|"
    r"commune(?: de| d')?|ville d(?:e|')|mairie d(?:e|')|maire d(?:e|')|"
    r"conseil (?:communal|municipal) (?:de|d')|"
    r"bourgmestre (?:de|d')|college communal (?:de|d')|"
    r"(?:die |der )?stadt|(?:die |der )?gemeinde|(?:stadt|gemeinde)rat (?:von|der)|rat der stadt|"
    r"burgermeister(?:in)? von|oberburgermeister(?:in)? von|"
    r"city of|town of|municipality of|borough of|council of|mayor of|"
    r"ayuntamiento de|municipio de|concello de|ajuntament de|alcald(?:e|esa|ia) de|"
    r"junta de gobierno(?: local)? de|"
    r"pleno (?:de|del ayuntamiento de)|consistorio de|"
    r"comune di|sindac[oa] di|consiglio comunale di|giunta(?: comunale)? di|citta di|"
    r"(?:stadt|markt|orts|samt|verbands)gemeinde|(?:town|city) hall (?:in|of)|council chamber (?:in|of))\s*$"
)
_TITLE_BEFORE = re.compile(
    r",\s*(?:the\s+|de\s+|le\s+|la\s+|der\s+|die\s+|il\s+|el\s+)?(?:lord\s+)?(?:mayor|burgemeester|maire|"
    r"bourgmestre|(?:ober)?burgermeister(?:in)?|alcalde(?:sa)?|sindac[oa])\s+(?:of|van|de|d'|von|di)\s*$"
)
_ACTOR_AFTER = re.compile(
    r"^(?:'s?)?\s*(?:city council|town council|borough council|county council|council|city hall|town hall|"
    r"local authority|municipal(?:ity)? (?:council|building|executive|district)|municipality\b(?! of)|mayor|"
    r"gemeenteraad|stadsbestuur|gemeentebestuur|stadhuis|gemeentehuis|schepencollege|burgemeester|"
    r"stadtrat|gemeinderat|rathaus|ratsversammlung|stadtverwaltung|oberburgermeister|stadtverordnet\w*|"
    r"conseil communal|college communal|maison communale|hotel de ville)\b"
)
_ADJ_ACTOR = re.compile(
    r"(?:gemeenteraad|stadsbestuur|gemeentebestuur|bestuur|stadhuis|gemeentehuis|schepencollege|college|"
    r"burgemeester|meerderheid|raad|wethouders?|coalitie|stadtrat|gemeinderat|rathaus|ratsversammlung|"
    r"stadtverwaltung|stadtverordnetenversammlung|magistrat|"
    r"oberburgermeister|burgermeister|stadt|college communal|conseil communal|conseil municipal|college|"
    r"conseil|executif|majorite|municipalite|pouvoir communal|bourgmestre|maire|giunta|consiglio comunale|"
    r"consiglio|sindaco|comune|ayuntamiento|consistorio|pleno|alcalde|alcaldesa|gobierno municipal|"
    r"city council|council)"
)
_QUALIFIER = re.compile(
    r"^(?:'s?)?\s+(?:[a-z]+\s+){0,3}?(?:(?:municipality|commune|gemeente|borough|district|gemeinde|comune|"
    r"municipio)\s+(?:of|de|d'|van|von|di)\b|(?:municipalities|communes|gemeenten|boroughs|districts|"
    r"gemeinden|comuni|municipios)\b)"
)
_CUE_WORDS = (
    r"stedenband\w*|verbroeder\w*|vriendschap\w*|partnerschap\w*|samenwerking\w*|jumel\w*|"
    r"partenariat\w*|cooperation|convention|liens?|\w*partnerschaft\w*|stadtepartnerschaft\w*|twinning|twinned|"
    r"twin towns?|twins|sister cit(?:y|ies)|partnerships?|links?|ties|bonds?|friendship|hermanamiento|"
    r"hermana\w*|convenio|acuerdo|gemella\w*|cooperazione|cooperacion|protocollo|patto|relations?|"
    r"relaties|beziehungen|relaciones|rapporti|contacts?|kontakte|agreement|akkoord|overeenkomst|pacte|"
    r"pacts?|pacto|verdrag|charte|charter|memorandum|vertrag|urkunde|abkommen|vereinbarung|kooperation|"
    r"accordo|amicizia|amitie|freundschaft|stadtefreundschaft|verschwistert|lazos|legami"
)
_FILLER = (
    r"(?:[ \t]+(?:de|het|la|le|les|l'|the|die|der|das|dem|den|des|el|il|lo|los|las|gli|a|an|of|van|von|di|"
    r"d'|del|della|zijn|haar|hun|its|their|his|her|ses|son|sa|leur|su|sua|suo|seine[mnrs]?|ihre[mnrs]?|"
    r"unsere[mnrs]?|nieuwe|new|nouvelle|neue[mnrs]?|nueva|nuova|stad|gemeente|dorp|ville|commune|village|"
    r"stadt|gemeinde|dorf|town|city|ciudad|localidad|pueblo|citta|comune|paese|municipality|municipalite|"
    r"municipalita|municipio|alcaldia|daira|region|regione|distrikt|district|distrito|distretto|provinz|province|"
    r"provincia|oblast|[a-z]+(?:ische[nmrs]?|isch|ese|aise|oise|ais|ois|"
    r"ienne|ien|ian|iana|iano|ense|ane|ana|ano|ina|ino|se|ese|aui|ui)|"
    + "|".join(sorted(COUNTRY_WORDS))
    + r"))"
)
"""Words that may stand between a cue and the town: articles, possessives, town nouns and
nationality adjectives ("with the Ukrainian city of", "mit dem italienischen")."""
_PARTNER_NOUN = (
    r"partnerst(?:ad|adt)|partnerstadte|zusterst(?:ad|eden)|zustergemeente|partnergemeente|"
    r"partnergemeinde|twin (?:town|city)|sister (?:city|town)|partner (?:city|town)|villes? jumelles?|"
    r"villes? partenaires?|citta gemellata|ciudad hermana|schwesterstadt"
)
_GENITIVE = r"(?:van|of|de|d'|von|di|del|della|des|du|der)"
_PARTNER_BEFORE = re.compile(
    rf"(?:\b(?:{_CUE_WORDS})\b[^.;:!?\n]{{0,40}}?\b(?:met|with|avec|mit|con|zwischen|tra|fra|aan)\b"
    rf"{_FILLER}{{0,4}}"
    # the verb of a twinning takes its partner as object: "jumelée à", "twinned to", "se hermana con"
    r"|\b(?:jumel\w*|twinned|twins|verbroeder\w*|verschwistert|gemella\w*|hermana\w*)[ \t]+"
    rf"(?:a|to|with|avec|met|mit|con|y|e){_FILLER}{{0,4}}"
    # "voted to twin the town with X", "to twin Frodsham with the village of X"
    rf"|\btwin(?:[ \t]+[\w'-]+){{0,3}}?[ \t]+with{_FILLER}{{0,4}}"
    rf"|(?:{_PARTNER_NOUN})(?![ \t]+{_GENITIVE}\b){_FILLER}{{0,2}})[ \t]*$"
)
_OWNER_BEFORE = re.compile(
    rf"(?:{_PARTNER_NOUN})[ \t]+{_GENITIVE}(?:[ \t]+(?:the|la|le|l'|de|het|die|der|il|el))?[ \t]*$"
)
"""``partnerstad van X``, ``twin town of X``: X owns the partner, it is not the partner."""
_PARTNER_AFTER = re.compile(
    r"^\s*,?\s*(?:(?:is|wordt|werd|becomes|became|devient|est|wird|ist|diventa|diventera|e|es|"
    r"se convierte en|sera|will be|zal)\s+)?(?:(?:now|nu|desormais|jetzt|ora|ahora)\s+)?"
    r"(?:(?:the|de|het|la|le|l'|die|der|il|el|a|an|een|une|eine|una|un)\s*)?"
    r"(?:(?:new|nieuwe|nouvelle|neue|nueva|nuova|first|eerste|premiere|erste|primera|prima|"
    r"[a-z]+(?:ische|ian|ienne|aanse|ese|ana|ense))\s+)?"
    rf"(?:{_PARTNER_NOUN})\s+{_GENITIVE}\b"
)
"""``Z wordt de nieuwe partnerstad van X``, ``Z, twin town of X``: Z is the partner."""
_ASIDE_BEFORE = re.compile(
    r"(?:\b(?:op |tijdens een |bij een )?bezoek (?:aan|in)|\bnabij|\bvlakbij|\bin de buurt van|"
    r"\ben visite (?:a|en|au)|\b(?:en |lors d'une |d'une )?visite (?:a|en|au)|\bpres de|\bnon loin de|"
    r"\ba cote de|\bvoisine? de|\bproche de|"
    r"\b(?:bei einem |zu )?besuch (?:in|von)|\bunweit(?: von)?|\bin der nahe von|\bnahe|"
    r"\bvisiting|\b(?:on )?a visit to|\bnear|\bclose to|\ba short drive from|\bnext to|"
    r"\b(?:de )?visita (?:en|a)|\bcerca de|\bjunto a|\bvecina de|"
    r"\bin visita (?:a|in)|\bvicino a|\bnei pressi di|\baccanto a|\bvisitando)[ \t]*$"
)
"""A town named as where a visit took place or as a landmark ("the mayor of X, visiting Y,
...", "Heerlen, near Maastricht, ..."): not the actor. It may still be the partner (a
twinning signed "bei einem Besuch in Kiew"); a cued partner outranks it anyway."""
_LANDMARK_BEFORE = re.compile(
    r"(?:\b(?:north|south|east|west)(?:[ -]?(?:east|west))? of|"
    r"\bten (?:noord|zuid)?(?:oosten|westen|noorden|zuiden) van|"
    r"\bau (?:nord|sud|est|ouest)(?:-(?:est|ouest))? de|\b(?:nord|sud)?(?:west|ost|nord|sud)lich von|"
    r"\bal (?:norte|sur|este|oeste|noroeste|noreste|sureste|suroeste) de|"
    r"\ba (?:nord|sud|est|ovest)(?:-(?:est|ovest))? di|"
    r"\b(?:outside|buiten|ausserhalb von|a las afueras de|alle porte di|aux portes de))[ \t]*$"
)
"""A town named to locate another ("the village of Beit Iksa, north-west of Jerusalem"): a
landmark, neither the actor nor, unless a cue says so, the partner."""
_ORG_AFTER = re.compile(
    r"^(?:[ \t]+[\w'-]+){0,2}?[ \t]+(?:rotary|lions|round table|kiwanis|scouts?|guides|club|fc|united|"
    r"rovers|athletic|choir|chorale|society|association|vereniging|verein|asociacion|associazione|"
    r"harmonie|fanfare|koor|chor|coro|supper club)\b"
)
"""A club or society named after its town ("Tonbridge Rotary Club"): the club acts, not the town."""
_BETWEEN = re.compile(r"\b(?:tussen|entre|zwischen|between|tra|fra)\s*(?:\s+[\w'-]+){0,3}?\s*$")
_BETWEEN_AND = re.compile(
    r"\b(?:tussen|entre|zwischen|between|tra|fra)\s+[^.;:!?\n]{2,45}\s(?:and|en|et|und|y|e)"
    rf"{_FILLER}{{0,3}}[ \t]*$"
)
_PAIR_GAP = re.compile(rf"^[ \t]*(?:and|en|et|und|y|e|-|–|/|&){_FILLER}{{0,4}}[ \t]*$")
_PAIR_NEXT = re.compile(r"[ \t]*(?:and|en|et|und|y|e)\s")
_CUE_END = re.compile(
    r"(?:van|de|d'|of|di|del|della|von|met|with|avec|mit|con|and|en|et|und|y|e|tussen|between|entre|zwischen|"
    r"tra|fra|aan|stad|gemeente|dorp|city|town|village|dorf|ville|commune|ciudad|citta|comune|stadt|"
    r"(?:stadt|markt|orts|samt|verbands)?gemeinde|"
    r"distrikt|district|distrito|distretto|provinz|province|provincia|oblast|"
    r"municipality|partnerstad|partnerstadt|zusterstad|schwesterstadt|stadte|[a-z]+(?:ische[nmrs]?|ese|aise|"
    r"oise|ais|ois|ienne|ien|ian|iana|iano|ense|ane|ana|ano|ina|ino|se|aui|ui|be|ca|co|ga|go|ia|ta|to))[,:]?"
)
"""The word that ends a municipal or twinning cue right before a name."""
_SENTENCE_END = re.compile(r"(?<![0-9])[.!?;]\s+|\n")
"""A sentence ends at a stop that is not an ordinal ("am 6. September") or at a line end."""
_LOCATIVE = re.compile(r"(?:^|[\s(])(?:in|a|à|te|aus|nach|en|at|to|from|uit|naar|desde|da|von)\s+$", re.I)
_LINK_SENTENCE = re.compile(
    r"stedenband|verbroeder|jumel|twin|sister cit|partnersta|stadtepartner|partnerschaft|partnership|"
    r"kooperation|zusammen|samenwerk|collabora|colabora|"
    r"partnerschap|samenwerking|cooperation|cooperazione|cooperacion|hermana|gemella|convenio|protocollo|"
    r"friendship|vriendschap|amitie|amicizia|freundschaft|zusterst"
)
_CAPS = re.compile(
    r"([A-ZÀ-Ý][\w'’]+(?:(?:[ -](?:(?:de|di|del|la|le|les|sur|sous|im|am|an|der|upon|on|under|nad|pod|"
    r"en|aan|op|San|Santa|Sankt|Saint|Sint)[ -])?|[ -][ld]['’])[A-ZÀ-Ý][\w'’]+){0,4})"
)
_NOT_PLACE = re.compile(
    r"^(?:januar\w*|februar\w*|maart|march|mars|marz|april|avril|abril|aprile|mai|mei|may|mayo|maggio|juni|"
    r"juin|june|junio|giugno|juli|juillet|july|julio|luglio|august\w*|aout|agosto|september|septembre|"
    r"septiembre|settembre|oktober|octobre|october|octubre|ottobre|november|novembre|noviembre|december|"
    r"decembre|dezember|diciembre|dicembre|the|de|het|een|la|le|les|der|die|das|el|il|lo|un|una|une|ein|"
    r"eine|this|deze|dit|ce|cette|dieser|diese|este|esta|questo|questa|city|ville|stad|stadt|town|comune|"
    r"ciudad|council|conseil|rat|raad|consiglio|pleno|mayor|maire|burgemeester|sindaco|alcalde|sanctuary|"
    r"refuge|culture|peace|light|lights|lumieres|paix|vrede|frieden|pace|paz|fair ?trade|when|where|what|"
    r"while|after|before|however|since|during|for|from|with|and|but|in|on|at|to|as|it|we|they|he|she|our|"
    r"wanneer|toen|als|na|voor|sinds|tijdens|met|en|maar|in|op|wij|zij|hij|ons|quand|lorsque|apres|avant|"
    r"depuis|pendant|avec|et|mais|dans|sur|nous|ils|elle|notre|wenn|als|nach|vor|seit|wahrend|mit|und|aber|"
    r"im|am|wir|sie|er|unser|cuando|despues|antes|desde|durante|con|pero|en|nosotros|ellos|quando|dopo|"
    r"prima|durante|con|ma|nel|noi|loro|mayors?|councils?|"
    # weekdays: "at Monday's town council meeting" names a day, not a town
    r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|lundi|mardi|mercredi|jeudi|vendredi|samedi|"
    r"dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|lunes|martes|miercoles|jueves|viernes|sabado|domingo|"
    r"lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica)(?:['’]s)?$"
)


_HYPHENED = re.compile(r"(?:-[A-ZÀ-Ý][a-zà-ÿß'’]+)+(?![\w-])")
"""The rest of a hyphenated name after a known town ("Gemert" in "Gemert-Bakel")."""
_COUNCIL_TAIL = re.compile(
    r"\s+(?:(?:(?:City|Town|Borough|County|District|Parish|Municipal)\s+)?Council|Municipal\s+District)"
    r"(?:['’]s)?$")
_COMMON_COMPOUND = re.compile(r"^[a-z]*(?:stadt|stadte|gemeinde|gemeinden|kommune|kommunen)$")
"""A German town noun or its compound (``Gemeinden``, ``Nachbarstadt``) is a noun, never a name."""
_DEMONYM = re.compile(
    r"\b((?:(?:Bad|Sankt|St\.|Sint)[ \t]+)?[A-ZÀ-Ý][a-zà-ÿß]+(?:er|se))[ \t]+"
    r"(?i:(?:gemeente)?raad|college|stadsbestuur|gemeentebestuur|"
    r"wethouders?|coalitie|burgemeester|gemeinderat|stadtrat|stadtverordnet\w*|rat|rathaus|stadtverwaltung|"
    r"verwaltung|magistrat|ratsversammlung|(?:ober)?b(?:ü|ue)rgermeister(?:in)?)\b"
)
"""A demonym before a council ("de Houtense raad", "der Marburger Stadtrat", "die Schwabacher
Stadtverordneten", "vor dem Bad Kissinger Rathaus"): the adjective names the municipality
(see :func:`_demonym_place`)."""
_INHABITANTS = re.compile(
    r"(?:\b\d[\d.]*|\b(?:honderden|duizenden|tientallen|enkele|veel|vele))[ \t]+"
    r"([A-Z][a-z]+(?:enaren|aren|naars|aars|ers))\b"
)
"""Inhabitants counted ("een petitie van 900 Woerdenaren", "duizenden Utrechters"): in Dutch
the plural demonym names the municipality they live in."""


def _inhabitants_place(word: str, prefer: tuple[str, ...]) -> Place | None:
    """The municipality of a Dutch plural demonym: ``Woerdenaren`` Woerden, ``Leidenaars``
    Leiden, ``Amsterdammers`` Amsterdam, ``Utrechters`` Utrecht."""
    k = key(word)
    g = gazetteer()
    for suffix in ("aren", "aars", "ers"):
        if k.endswith(suffix):
            stem = k[: -len(suffix)]
            for name in (stem, stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
                places = [p for p in g.index.get(name, []) if p.country in prefer] if len(name) >= 4 else []
                if places:
                    return max(places, key=lambda p: p.population)
    return None


def _demonym_place(word: str, prefer: tuple[str, ...]) -> Place | None:
    """The municipality a Dutch ``-se`` or German ``-er`` demonym comes from, in the text
    language's countries: ``Houtense`` Houten, ``Leidse`` Leiden, ``Marburger`` Marburg,
    ``Bremer`` Bremen, ``Münchner`` München."""
    k = key(word)
    g = gazetteer()
    if k in g.index or k in g.adjectives:
        return None
    stem = k[:-2]
    names = [n for n in (stem, stem + "en", stem[:-1] + "en" if k.endswith("ner") else "", k[:-1])
             if len(n) >= 4]
    for name in names:
        places = [p for p in g.index.get(name, []) if p.country in prefer]
        if places:
            return max(places, key=lambda p: p.population)
    spelt = {key(n): n for n in (word[:-2], word[:-2] + "en", word[:-3] + "en", word[:-1])}
    for name in names:  # "Haldensleber": a small town only the wide gazetteer knows
        places = [p for p in wide().lookup(name) if p.country in prefer]
        if places:  # named as the demonym spells it ("Haldensleben", not GeoNames' "Haldensleben I")
            return replace(max(places, key=lambda p: p.population), name=spelt.get(name, name))
    return None


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


@dataclass
class _Cand:
    """One mention of a place with the cues around it."""

    start: int
    end: int
    surface: str
    place: Place | None
    country: str | None
    ident: str
    actor: bool = False
    partner: bool = False
    qualifier: bool = False
    pair_first: bool = False
    link_sentence: bool = False
    sentence_start: bool = False
    sentence: tuple[int, int] = (0, 0)
    title: bool = False
    """The cue is a quoted person's title ("Ken Livingstone, Mayor of London"): weaker."""
    with_partner: bool = False
    """Named in the sentence of a cued partner, before it: the other end of the link."""
    wide: bool = False
    """Found in the wide gazetteer only: a partner candidate, never the municipality."""
    aside: bool = False
    """Named as the place of a visit or a landmark ("visiting Y", "near Y"): not the actor."""
    foreign: bool = False
    """Qualified as abroad for the text's language ("het Franse Lesneven", "die tansanische
    Gemeinde Bagamoyo", "Tominian, au Mali"): the partner end of a link, not the actor."""
    landmark: bool = False
    """Named to locate another town ("north-west of Jerusalem"): not the partner."""


def _country_hint(text: str, start: int, end: int) -> str | None:
    before = fold(text[max(0, start - 45) : start])
    after = fold(text[end : end + 25])
    paren = re.match(r"\s*[(,]\s*([a-z .-]+)", after)
    if paren:
        for w in re.findall(r"[a-z]+", paren.group(1))[:2]:
            cc = country_word(w)
            if cc:
                return cc
    words = re.findall(r"[a-z]+", before)[-4:]
    for w in reversed(words):
        cc = country_word(w) if len(w) > 3 else None
        if cc:
            return cc
    return None


def _pick(m: Mention, hint: str | None, prefer: tuple[str, ...]) -> Place:
    surface = key(m.surface)

    def rank(p: Place) -> tuple[bool, bool, bool, bool, bool, int]:
        return (
            p.country == hint,
            p.country in prefer,
            p.kind.startswith("municipality"),
            key(p.name) == surface,
            p.population == 0,
            p.population,
        )

    return max(m.places, key=rank)


_TOWN_NOUN = re.compile(
    r"(?:stadt|gemeinde|stad|gemeente|ville|commune|city|town|ciudad|citta|comune|distrikt|district|distrito|distretto)"
)


def _trim(start: int, name: str) -> tuple[int, str]:
    """Drop leading words that are no part of a town's name ("Stadt Tscheljabinsk",
    "Israëlische Kiryat Motzkin")."""
    words = name.split(" ")
    while len(words) > 1 and (
        words[0].islower()  # "(Il Comune) di Montecchio Maggiore"
        or _NOT_PLACE.match(fold(words[0]))
        or country_word(fold(words[0]))
        or _TOWN_NOUN.fullmatch(fold(words[0]))
        or _COMMON_COMPOUND.fullmatch(fold(words[0]))  # "Stadtgemeinde Melk"
    ):
        start += len(words[0]) + 1
        words = words[1:]
    return start, " ".join(words)


def _body_prefix(name: str) -> int:
    """The length of a municipal body that opens a capitalised run ("Junta de Gobierno de
    Langreo", "Gemeinderat der Stadtgemeinde Melk"), as the actor cue names it; 0 if none."""
    for at in (i for i in range(len(name) - 1, 0, -1) if name[i] == " "):
        if _ACTOR_BEFORE.fullmatch(fold(name[: at + 1])):
            return at + 1
    return 0


def _is_country(name: str) -> bool:
    k = key(name)
    return k in countries() or any(country_word(w) for w in k.split()[:1] if len(k.split()) == 1)


_TOWN_NOUNS = (r"(?:stad|gemeente|dorp|ville|commune|village|city|town|municipality|stadt|gemeinde|dorf|"
               r"kommune|ciudad|municipio|localidad|pueblo|citta|comune|cittadina|paese)")
_QUALIFIED_BEFORE = re.compile(
    rf"(?:\b([a-z]+)(?:[ \t]+{_TOWN_NOUNS}(?:[ \t]+{_GENITIVE})?)?"
    rf"|\b{_TOWN_NOUNS}[ \t]+([a-z]+)(?:[ \t]+{_GENITIVE})?)[ \t]*$"
)
_QUALIFIED_AFTER = re.compile(
    r"^[ \t]*(?:,[ \t]*(?:au|en|aux|in|im|nel|in het|in de|en el)[ \t]+|\([ \t]*)([a-z]+(?: [a-z]+){0,2})"
)


def _foreign(folded: str, start: int, end: int, lang: str | None) -> bool:
    """Whether the town at ``start:end`` is qualified by a country outside the text
    language's (:data:`LANG_COUNTRIES`): an adjective or country before it, or its country
    after it, in a comma clause or in brackets."""
    home = LANG_COUNTRIES.get(lang or "")
    if not home:
        return False
    words: list[str] = []
    before = _QUALIFIED_BEFORE.search(folded[max(0, start - 60) : start])
    if before:
        words += [w for w in before.groups() if w]
    after = _QUALIFIED_AFTER.match(folded[end : end + 40])
    if after:  # "au Burkina Faso", "(Mali)"
        phrase = after.group(1).split()
        names = [" ".join(phrase[:n]) for n in (3, 2) if n <= len(phrase)]
        named = [countries()[n] for n in names if n in countries()]
        if named:
            return named[0] not in home
        words.append(phrase[0])
    found = (adjective_country(w) for w in words if len(w) >= 4)
    return any(cc is not None and cc not in home for cc in found)


def _cues(c: _Cand, folded: str, lang: str | None) -> None:
    before = folded[max(0, c.start - 80) : c.start]
    after = folded[c.end : c.end + 60]
    c.actor = bool(_ACTOR_BEFORE.search(before) or _ACTOR_AFTER.search(after))
    c.title = bool(_TITLE_BEFORE.search(before))
    c.partner = bool(_PARTNER_BEFORE.search(before) or _BETWEEN_AND.search(before)
                     or _PARTNER_AFTER.match(after))
    if _OWNER_BEFORE.search(before):
        c.actor, c.partner = True, False
    if c.partner and _BETWEEN.search(before):
        c.actor, c.partner = True, False
    elif c.partner:
        c.actor = False  # "mit der polnischen Gemeinde X": the town noun belongs to the partner
    c.qualifier = bool(_QUALIFIER.match(after))
    c.foreign = _foreign(folded, c.start, c.end, lang)
    c.landmark = not (c.actor or c.partner) and bool(_LANDMARK_BEFORE.search(before))
    club = not (c.actor or c.partner) and bool(_ORG_AFTER.match(after))
    c.aside = not (c.actor or c.partner) and (bool(_ASIDE_BEFORE.search(before)) or c.landmark or club)
    line_start = folded.rfind("\n", 0, c.start) + 1
    ends_before = [m.end() for m in _SENTENCE_END.finditer(folded, max(0, c.start - 400), c.start)]
    sent_start = max(line_start, ends_before[-1] if ends_before else 0)
    c.sentence_start = not folded[sent_start : c.start].strip() or bool(
        re.fullmatch(
            r"\s*(?:(?:in|a|à|en|te)\s+|(?:de|het|la|le|l'|die|der|the|il|el)\s+)?",
            folded[sent_start : c.start],
        )
    )
    after_end = _SENTENCE_END.search(folded, c.end, c.end + 400)
    sent_end = after_end.start() if after_end else min(len(folded), c.end + 400)
    c.link_sentence = bool(_LINK_SENTENCE.search(folded[sent_start:sent_end]))
    c.sentence = (sent_start, sent_end)


_TWIN_CUE = re.compile(
    r"stedenband|verbroeder|jumel|twin|sister|partnerst|zusterst|stadtepartner|partnergemeente|"
    r"partnergemeinde|hermana|gemella|schwesterstadt|vriendschap|friendship|amitie|amicizia|freundschaft|"
    r"amistad|pact|patto|verschwister"
)
"""Cues that are about a link between towns (a cooperation agreement may be with anyone)."""
_TOWN_WORD = re.compile(
    r"\b(?:stad|gemeente|dorp|ville|commune|village|city|town|municipality|stadt|gemeinde|dorf|ciudad|"
    r"municipio|localidad|pueblo|daira|wilaya|citta|comune|paese|cittadina|municipalite|municipalita|"
    r"distrikt|district|distrito|distretto)\b"
)


def _town_clause(before: str, country: str | None) -> bool:
    """Whether the cue before a name no gazetteer knows is about towns: a twinning or
    friendship word, a town noun right before it, or its country beside it."""
    near = before[-80:]
    return bool(_TWIN_CUE.search(near) or _TOWN_WORD.search(before[-30:])) or country is not None


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_WIDE_WORDS = 4
"""The most words a wide-gazetteer name is looked up with ("Nový Bydžov", "Bir Lehlou")."""


def _wide_cand(
    text: str, folded: str, start: int, name: str, spans: list[tuple[int, int]], lang: str | None
) -> _Cand | None:
    """A partner candidate from the wide gazetteer in the capitalised run ``name`` at
    ``start``, where its clause supports one: at the start of the run, a twinning cue
    before it, its country beside it, or a sentence about a twinning; inside the run
    ("Mayor Signs Twinning With Drohobych"), only right after a twinning cue. A name
    the bundled gazetteer knows, a country, a common word or a municipal cue (the
    acting town, which stays with the bundled gazetteer and the cues) gives none."""
    g = gazetteer()
    words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(name)]
    for i, (w_start, _) in enumerate(words):
        if not text[w_start].isupper():
            continue
        for n in range(min(_WIDE_WORDS, len(words) - i), 0, -1):
            end = words[i + n - 1][1]
            surface = text[w_start:end]
            k = key(surface)
            # a shorter name inside a longer one ("Avon" in "Bradford on Avon") gives way to it
            if (any(a < end and w_start < b and not (w_start <= a and b <= end and n > 1) for a, b in spans)
                    or k in g.index or k in g.adjectives
                    or _NOT_PLACE.match(k) or _is_country(surface) or _TOWN_NOUN.fullmatch(k)):
                continue
            places = wide().lookup(surface)
            loose = not places
            if loose and (len(k) < 6 or not wide().lookup(surface, loose=True)):
                continue  # most capitalised words are no town: the cheap test first
            c = _Cand(w_start, end, surface, None, None, "")
            _cues(c, folded, lang)
            hint = _country_hint(text, w_start, end)
            if loose:  # a spelling GeoNames lacks (Drohobytch): only where the clause asks for a town
                places = wide().lookup(surface, loose=True) if c.partner or hint is not None else []
            if not places:
                continue
            home = LANG_COUNTRIES.get(lang or "", ())
            # "Listowel Municipal District", "Bradford on Avon Town Council": a small town of the
            # text language's countries may act; a town abroad with a municipal cue is a namesake
            home_actor = c.actor and not c.partner and i == 0
            # of two namesakes, the one at home unless a cue names a partner ("Malmesbury" GB, not ZA)
            at_home = next((p for p in places if p.country in home), places[0])
            place = next((p for p in places if p.country == hint), places[0] if c.partner else at_home)
            if c.actor and not c.partner and not (home_actor and place.country in home):
                continue
            beside_country = hint is not None and hint == place.country
            # "Bourgoin-Jallieu met un logement à disposition": a town at home opening a sentence
            opens_at_home = i == 0 and c.sentence_start and place.country in home
            if not (c.partner or beside_country or (i == 0 and c.link_sentence) or c.actor or opens_at_home):
                continue
            c.place, c.country, c.ident, c.wide = place, place.country, f"{place.country}:{place.name}", True
            return c
    return None


@lru_cache(maxsize=256)
def find_places(
    title: str, body: str, prior: str | None, prior_country: str | None, lang: str | None
) -> Places:
    """Municipality and partner for a text."""
    text = f"{title}\n{body}" if title else body
    folded = fold(text)
    if len(folded) != len(text):
        folded = text.lower()
    s = signals(title, body)
    g = gazetteer()
    prefer = LANG_COUNTRIES.get(lang or "", ("BE",))
    prior_places = g.lookup(prior) if prior else []
    prior_place = prior_places[0] if prior_places else None
    prior_keys = {key(n) for n in prior_place.names} if prior_place else ({key(prior)} if prior else set())

    cands: list[_Cand] = []
    weak: set[int] = set()
    for m in g.find(text):
        hint = _country_hint(text, m.start, m.end) if len(m.places) > 1 else None
        place = _pick(m, hint, prefer)
        joined = _HYPHENED.match(text, m.end) if not m.adjective else None
        abroad = place.country not in prefer
        if joined and (abroad or any(_is_country(part) for part in joined.group(0).split("-")[1:])):
            joined = None  # only a merged municipality at home; "le collectif Bagnolet-Palestine" is a group
        if joined:  # "Gemert-Bakel", "Pijnacker-Nootdorp": a merged municipality, named whole
            m = replace(m, surface=m.surface + joined.group(0), end=joined.end())
            place = replace(place, name=m.surface, names=(m.surface, *place.names))
        c = _Cand(m.start, m.end, m.surface, place, place.country, f"{place.country}:{place.name}")
        _cues(c, folded, lang)
        if m.adjective:
            # an adjective names the municipality only next to a municipal word
            near = folded[max(0, m.start - 30) : m.start].split()[-2:]
            near += folded[m.end : m.end + 40].split()[:2]
            c.partner, c.qualifier = False, False
            if any(_ADJ_ACTOR.fullmatch(w.strip(",.;:")) for w in near) or _ADJ_ACTOR.match(
                folded[m.end : m.end + 40].strip()
            ):
                c.actor = True
            elif not m.surface[:1].isupper():
                continue
        elif m.ambiguous_for(lang) and not (c.actor or c.partner or key(m.surface) in prior_keys):
            if re.match(r"[ -][A-ZÀ-Ý]", text[m.end : m.end + 2]):
                continue  # part of a longer name ("San Pietroburgo")
            if not _LOCATIVE.search(text[max(0, m.start - 8) : m.start]):
                weak.add(m.start)  # kept only if a pair with a twinning word names it
        cands.append(c)
    spans = [(c.start, c.end) for c in cands]
    demonyms = [(dm, _demonym_place) for dm in _DEMONYM.finditer(text)]
    if lang == "nl":
        demonyms += [(dm, _inhabitants_place) for dm in _INHABITANTS.finditer(text)]
    for dm, place_of in demonyms:
        if any(a <= dm.start(1) < b for a, b in spans if not (dm.start(1) < a and b <= dm.end(1))):
            continue
        town = place_of(dm.group(1), prefer)
        if town is not None:
            ident = f"{town.country}:{town.name}"
            c = _Cand(dm.start(1), dm.end(1), dm.group(1), town, town.country, ident)
            _cues(c, folded, lang)
            c.actor, c.partner = True, False
            # "Bad Kissinger": the whole demonym, not the town inside it ("Kissing")
            cands = [o for o in cands if not (c.start <= o.start and o.end <= c.end)]
            spans = [(a, b) for a, b in spans if not (c.start <= a and b <= c.end)]
            cands.append(c)
            spans.append((c.start, c.end))
    for cap in _CAPS.finditer(text):
        start, name = _trim(cap.start(), cap.group(1))
        held = _body_prefix(name)
        if held:  # "Junta de Gobierno de Langreo": the name after the body
            start, name = _trim(start + held, name[held:])
        tail = _COUNCIL_TAIL.search(name)
        if tail:  # "Hebden Royd Town Council": the name before its council
            name = name[: tail.start()]
        far = _wide_cand(text, folded, start, name, spans, lang)
        if far is not None:
            cands = [c for c in cands if not (far.start <= c.start and c.end <= far.end)]
            spans = [(a, b) for a, b in spans if not (far.start <= a and b <= far.end)]
            cands.append(far)
            spans.append((far.start, far.end))
            continue
        end = start + len(name)
        prev_word = folded[max(0, start - 30) : start].rsplit(None, 1)[-1:] or [""]
        after_cue = bool(_ACTOR_AFTER.match(folded[end : end + 60]))
        if not (_CUE_END.fullmatch(prev_word[0]) or _PAIR_NEXT.match(folded, end) or after_cue):
            continue  # cheap test first: a cue or a pair must touch the name
        if any(a <= start < b or start <= a < cap.end() for a, b in spans):
            continue
        if len(name) < 3 or _NOT_PLACE.match(fold(name)) or _is_country(name) or key(name) in g.index:
            continue
        if _COMMON_COMPOUND.search(key(name)):
            continue  # "ihrer polnischen Nachbarstadt": a German noun, no name
        before = folded[max(0, start - 80) : start]
        cued = (_ACTOR_BEFORE.search(before) or _PARTNER_BEFORE.search(before) or _BETWEEN_AND.search(before)
                or after_cue)
        pair = _PAIR_NEXT.match(folded, end)
        if cued or pair:
            c = _Cand(start, end, name, None, _country_hint(text, start, end), f"?:{key(name)}")
            _cues(c, folded, lang)
            between = c.actor and not (_ACTOR_BEFORE.search(before) or after_cue)
            if (c.partner and not c.actor or between) and not _town_clause(before, c.country):
                # "partnership with Oxfam", "convenio con Cáritas", "Partnerschaften zwischen Schulen
                # und Unternehmen": a name no gazetteer knows after a cue that is not about towns is
                # an organisation (or a German noun) more often than a town
                c.partner = c.actor = False
            if c.actor or c.partner or (pair and c.sentence_start and c.link_sentence):
                cands.append(c)
    cands.sort(key=lambda c: c.start)
    if any(not c.foreign for c in cands):
        for c in cands:
            if c.foreign:  # "die tansanische Gemeinde Bagamoyo": the town noun is the partner's
                c.actor = False
                c.partner = c.partner or c.link_sentence
    for a, b in zip(cands, cands[1:], strict=False):
        gap = folded[a.end : b.start]
        if a.ident != b.ident and len(gap) <= 45 and _PAIR_GAP.match(gap) and b.link_sentence:
            if a.wide and not b.wide and not b.partner:
                # "Nový Bydžov und Eupen ...": the small town abroad is the partner end
                a.partner, b.pair_first = True, True
                continue
            if not a.partner:
                a.pair_first = True
            b.partner = True
    cands = [
        c for c in cands
        if (c.start not in weak or c.partner or c.pair_first) and (c.place is not None or c.actor or c.partner
                                                                  or c.pair_first)
    ]
    for c in cands:
        c.with_partner = not c.partner and any(
            p.partner and p.sentence == c.sentence and p.start > c.start and p.ident != c.ident for p in cands
        )
    # the wide gazetteer names partners; what counts as a troubled place stays as it was
    troubled = any(c.country in TROUBLED for c in cands if not c.wide)

    municipality: PlaceGuess | None = None
    if prior:
        country = prior_country or (prior_place.country if prior_place else None)
        municipality = PlaceGuess(prior, country, "the source's municipality", prior_place)
    else:
        municipality = _municipality(cands, prefer)
    linked = s.has("twinning") or s.has("cooperation") or any(c.partner for c in cands)
    partner = _partner(cands, municipality, linked)
    return Places(municipality, partner, tuple(dict.fromkeys(c.surface for c in cands)), troubled)


def _home_town(c: _Cand, prefer: tuple[str, ...]) -> bool:
    """A small town of the text language's own countries (the wide gazetteer's: Crickhowell,
    Waldmünchen) that opens a sentence or a pair with a partner: it may be the municipality.
    A small town abroad named alone never is."""
    return c.country in prefer and not c.partner and (c.sentence_start or c.pair_first or c.with_partner
                                                      or (c.actor and not c.title))


def _region(c: _Cand) -> bool:
    return c.place is not None and c.place.kind == "region"


def _municipality(cands: list[_Cand], prefer: tuple[str, ...]) -> PlaceGuess | None:
    best: dict[str, float] = {}
    cued: dict[str, int] = {}
    count: dict[str, int] = {}
    first: dict[str, _Cand] = {}
    subject: dict[str, bool] = {}
    for i, c in enumerate(cands):
        if _region(c) or (c.wide and not _home_town(c, prefer)):
            continue
        opens = c.sentence_start and not c.partner and not c.qualifier and not c.aside
        subject[c.ident] = subject.get(c.ident, False) or opens
        score = (1.5 if c.title else 3.0) * c.actor - 3.0 * c.partner - min(0.1 * i, 1.5)
        score += 1.0 if c.country in prefer or (c.place is None and c.actor) else 0.0
        score += 0.5 if c.country == "BE" and c.place is not None and c.place.kind != "town" else 0.0
        score -= 1.5 if c.country in TROUBLED else 0.0
        score -= 2.0 if c.country in SOUTH_COUNTRIES else 0.0  # a development partner, not the actor
        score += 1.0 if c.sentence_start else 0.0
        score += 1.0 if c.pair_first else 0.0
        score += 3.0 if c.with_partner and not c.pair_first else 0.0
        score += 0.5 if c.link_sentence and not c.partner else 0.0
        score -= 4.0 if c.qualifier else 0.0
        score -= 3.0 if c.aside else 0.0
        score -= 1.0 if c.place is None and not c.actor else 0.0
        best[c.ident] = max(best.get(c.ident, -99.0), score)
        cued[c.ident] = cued.get(c.ident, 0) + (c.actor and not c.qualifier and not c.title)
        count[c.ident] = count.get(c.ident, 0) + 1
        first.setdefault(c.ident, c)
    if not best:
        return None
    total = {k: v + 0.6 * min(max(cued[k] - 1, 0), 3) + 0.3 * min(count[k] - 1, 3) for k, v in best.items()}
    ident = max(total, key=lambda k: total[k])
    if total[ident] <= -1.0:
        return None
    c = first[ident]
    why = "named"
    if cued[ident] > 0:
        why += " with a municipal cue"
    elif subject.get(ident):
        why += " as the subject of a sentence"
    return PlaceGuess(_display(c), c.country, why, c.place)


def _display(c: _Cand) -> str:
    if c.place is None:
        return c.surface
    return c.surface if key(c.surface) != key(c.place.name) and key(c.surface) in {
        key(n) for n in c.place.names
    } else c.place.name


def _partner(cands: list[_Cand], municipality: PlaceGuess | None, linked: bool) -> PlaceGuess | None:
    if not linked:
        return None
    own = {key(n) for n in municipality.place.names} if municipality and municipality.place else set()
    if municipality:
        own.add(key(municipality.name))
    scores: dict[str, float] = {}
    first: dict[str, _Cand] = {}
    for i, c in enumerate(cands):
        if key(c.surface) in own or (c.place is not None and key(c.place.name) in own):
            continue
        if (
            c.place is not None
            and c.place.merged_into
            and municipality
            and municipality.place
            and c.place.merged_into == municipality.place.name
        ):
            continue
        if _region(c) and not c.partner:
            continue
        # "unterstützt die Stadt Njombe in Tansania": a town of the South is the partner end
        south = c.country in SOUTH_COUNTRIES and c.country not in TROUBLED
        score = 3.0 * c.partner - (0.0 if south else 1.0) * c.actor - min(0.05 * i, 1.0)
        score += 1.0 if south else 0.0
        if municipality and municipality.country and c.country and c.country != municipality.country:
            score += 1.0
        if c.country in TROUBLED:
            score += 0.5
        if c.link_sentence and not c.actor:
            score += 0.5
        score -= 1.5 if c.qualifier else 0.0
        score -= 2.0 if c.landmark else 0.0
        score -= 0.5 if c.place is None and not c.partner else 0.0
        prev = scores.get(c.ident)
        scores[c.ident] = score if prev is None else max(prev, score) + (0.3 if c.partner else 0.0)
        first.setdefault(c.ident, c)
    if not scores:
        return None
    ident = max(scores, key=lambda k: scores[k])
    if scores[ident] < 1.4:
        return None
    c = first[ident]
    if c.place is None:
        return PlaceGuess(c.surface, c.country, "named after a twinning cue")
    return PlaceGuess(
        _display(c),
        c.country,
        "named with a twinning cue" if scores[ident] >= 2.5 else "named beside the municipality",
        c.place,
    )


@hookimpl
def analyze_change(change: ChangeDraft, context: AnalysisContext) -> list[Finding]:
    """Attach ``municipality`` and ``partner`` findings."""
    title, body = focus(change)
    src = change.source
    found = find_places(title, body, src.municipality, src.country, language_of(change))
    out = [
        _finding("municipality", found.municipality, found.mentioned),
        _finding("partner", found.partner, found.mentioned),
    ]
    event = main_event(change)
    if event is not None:  # the change read in context: the first event's places
        why = event.reasons[-1:] or ("read in its context on the page",)
        if event.municipality:
            out[0] = Finding("municipality", {"name": event.municipality, "country": event.country},
                             score=0.8, reasons=why)
        if event.partner:
            out[1] = Finding("partner", {"name": event.partner, "country": event.partner_country},
                             score=0.8, reasons=why)
    if out[1].value is None:
        entry = entry_partner(change)
        if entry is not None:
            out[1] = Finding("partner", {"name": entry[0], "country": entry[1]}, score=0.7,
                             reasons=(entry[2],))
    return out


def _finding(name: str, guess: PlaceGuess | None, mentioned: tuple[str, ...]) -> Finding:
    if guess is None:
        why = "no place found" if not mentioned else f"none of {', '.join(mentioned[:5])} fits"
        return Finding(name, None, score=0.0, reasons=(f"could not determine the {name}: {why}",))
    value: dict[str, str | None] = {"name": guess.name, "country": guess.country}
    if guess.place and guess.place.merged_into:
        value["part_of"] = guess.place.merged_into
    return Finding(name, value, score=0.9 if guess.place else 0.6, reasons=(guess.why,))
