"""Search terms for a portal's server-side full-text search (the ``search_terms`` hook):
per language, the words of the relevance vocabulary (:mod:`.vocabulary`) that mark a
candidate text on their own, written as a search engine's query takes them.

The vocabulary is regular expressions over folded text, which no portal's search takes;
these are its plain words: each term, folded, is matched by a vocabulary group (a
test keeps them so), and a term ending in ``*`` is a prefix as the vocabulary's word
starts are. Broad words that the analyzers read only together with others
(``opvang``, ``samenwerking met``, ``oorlog``) are left out: a query of them would
download most of a council's papers.
"""

from __future__ import annotations

from monitor.hookspecs import hookimpl

TERMS: dict[str, list[str]] = {
    "nl": [
        "stedenband*", "zusterstad", "zustersteden", "partnerstad", "partnersteden",
        "partnergemeente*", "zustergemeente*", "jumelage", "verbroedering*", "vriendschapsband*",
        "noodhulp", "humanitaire hulp", "humanitaire steun", "hulpgoederen", "noodfonds",
        "solidariteit*", "vluchteling*", "mensenrechten", "gastvrije gemeente",
        "ontwikkelingssamenwerking", "internationale samenwerking", "boycot*",
        "gaza", "palestijn*", "palestina", "westelijke jordaanoever", "oekraïne",
        "staakt-het-vuren", "genocide", "burgerslachtoffers",
    ],
    "fr": [
        "jumelage*", "jumelé*", "villes jumelles", "ville partenaire", "charte de jumelage",
        "aide humanitaire", "aide d'urgence", "fonds d'urgence", "solidarité", "réfugié*",
        "droits humains", "commune hospitalière", "coopération au développement",
        "coopération internationale", "boycott*", "gaza", "palestin*", "ukrain*",
        "cessez-le-feu", "génocide",
    ],
    "de": [
        "städtepartnerschaft*", "partnerstadt", "partnerstädte", "schwesterstadt", "partnergemeinde",
        "städtefreundschaft", "nothilfe", "soforthilfe", "humanitäre hilfe", "hilfsgüter", "solidarität",
        "geflüchtete*", "flüchtling*", "menschenrechte", "sicherer hafen",
        "entwicklungszusammenarbeit", "kommunale partnerschaft", "boykott*", "gaza", "palästin*",
        "ukrain*", "waffenstillstand", "völkermord",
    ],
    "en": [
        "twinning", "twinned", "twin town*", "sister city", "sister cities", "partner town*",
        "humanitarian aid", "emergency aid", "emergency relief", "relief fund", "solidarity",
        "refugee*", "human rights", "city of sanctuary", "development cooperation", "boycott*",
        "gaza", "palestin*", "ukrain*", "ceasefire", "genocide",
    ],
    "es": [
        "hermanamiento*", "ciudad hermana", "ciudades hermanas", "ayuda humanitaria",
        "ayuda de emergencia", "solidaridad", "refugiad*", "derechos humanos",
        "cooperación al desarrollo", "boicot*", "gaza", "palestin*", "ucrania", "alto el fuego",
    ],
    "it": [
        "gemellaggi*", "gemellat*", "città gemellate", "aiuti umanitari", "aiuto umanitario",
        "solidarietà", "rifugiat*", "diritti umani", "cooperazione allo sviluppo", "boicott*",
        "gaza", "palestin*", "ucrain*", "cessate il fuoco",
    ],
}
"""Per language (ISO 639-1), the terms of a candidate text."""


@hookimpl
def search_terms(lang: str) -> list[str] | None:
    return list(TERMS.get(lang.strip().lower()[:2], ())) or None
