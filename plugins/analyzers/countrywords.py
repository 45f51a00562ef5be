"""Country names and nationality adjectives in the six languages, as texts use them.

``countries()`` (:mod:`plugins.analyzers.gazetteer`) holds the official names of ISO 3166;
texts say "Russland", "het Franse Lesneven", "die tansanische Gemeinde Bagamoyo". The
places analyzer reads a town's country from them, and the events analyzer a list item's.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from plugins.analyzers.gazetteer import countries

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
    "BY": "wit-rusland belarus bielorussie weissrussland wei-russland belarussische bielorrusia bielorussia "
    "belarusian",
}.items():
    for _w in _words.split():
        COUNTRY_WORDS[_w] = _cc


def country_word(word: str) -> str | None:
    """The country a (folded) country name or adjective means, inflected or not
    (``italienischen``, ``nicaraguense``, ``mozambicana``)."""
    if word in COUNTRY_WORDS:
        return COUNTRY_WORDS[word]
    for suffix in ("en", "er", "es", "em", "e", "n", "s", "a", "o", "i", "as", "os"):
        if word.endswith(suffix) and word[: -len(suffix)] in COUNTRY_WORDS:
            return COUNTRY_WORDS[word[: -len(suffix)]]
    return countries().get(word)


_ADJ_ENDING = re.compile(
    r"(?:ische[nmrs]?|isch|aanse|aans|ese|esi|aise|ais|oise|ois|ienne|ien|iens|ian|iana|iano|"
    r"ense|eno|ena|eco|eca|ano|ana|ani|ino|ina|se|sche[nmrs]?|e[nmrs]?|a|o|i)$"
)


@lru_cache(maxsize=4096)
def adjective_country(word: str) -> str | None:
    """The country a (folded) nationality adjective names, also one no list has: its stem
    begins the country's name in one of our languages (``tansanische`` Tansania,
    ``guatemalteco`` Guatemala, ``ugandan`` Uganda)."""
    found = country_word(word)
    if found or len(word) < 6:
        return found
    m = _ADJ_ENDING.search(word)
    stem = word[: m.start()] if m else word
    if len(stem) < 5:
        return None
    for name, cc in countries().items():
        if " " in name or len(name) < 5:
            continue
        common = len(os.path.commonprefix((stem, name)))
        if common >= max(5, len(name) - 2) and common >= len(stem) - 2:
            return cc
    return None


for _cc, _words in {
    "CN": "china chinese chinois chinoise chinesische chino china cinese",
    "NI": "nicaragua nicaraguaanse nicaraguayen nicaraguayenne nicaraguanische nicaraguan nicaraguense",
    "SN": "senegal senegalese senegalais senegalaise senegalesische",
    "BF": "burkinabe burkinabese burkinische",
    "MZ": "mozambique mozambicaanse mozambicain mozambicaine mosambikanische mozambican mozambicano "
    "mozambicana",
    "IE": "ierland ierse irlande irlandaise irlandais irland irische irish irlanda irlandesa irlandese",
    "AT": "oostenrijk oostenrijkse autriche autrichienne osterreich osterreichische austria austrian "
    "austriaca",
    "PL": "polen poolse pologne polonaise polnische poland polish polonia polaca polacca",
    "EH": "saharaui sahraoui sahrawi saharawi",
    "SY": "syrie syrische syrienne syrian siria siriana",
    "LB": "libanon libanese libanaise libanesische lebanese libano libanesa",
    "CH": "zwitserland zwitserse suisse schweiz schweizer swiss svizzera suiza",
    "ML": "malinees malinese malien malienne malische malian maliano maliana",
}.items():
    for _w in _words.split():
        COUNTRY_WORDS.setdefault(_w, _cc)
