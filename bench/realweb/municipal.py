"""Municipal-style pages written for this benchmark: Belgian (Dutch and French), Dutch and
French town sites in the markup of common CMS themes, with their gold text.

Six themes, each copying the structure its CMS really produces (class names, ids, where
the furniture sits), not any one site:

* ``drupal``: Drupal 9/10 (Olivero-like regions), ``<main role=main>``, a mega-menu in
  ``nav.menu--main``, a Cookiebot wall, a news ticker block in the header region and the
  node's "Laatst gewijzigd" field inside ``<main>`` after the article;
* ``wordpress``: an Avada-like theme with Max Mega Menu (a ``div`` and ``ul``, no
  ``<nav>``), a Complianz banner, a "Flash info" ticker, no ``<main>``, and the post meta
  line ("Mis à jour le") inside ``<article>``;
* ``joomla``: Helix-style ``sp-`` layout without any landmark, the SP mega-menu, a
  tarteaucitron wall, a newsflash ticker module and the article-info block with
  "Dernière mise à jour" inside ``.item-page``;
* ``typo3``: ``div.navigation`` mega-menu (no ``<nav>``), ``#content`` with TYPO3
  ``frame`` content elements, a Klaro modal, a news ticker above the content and a
  "Laatst gewijzigd" page-meta line inside ``#content``;
* ``iprox``: a Dutch municipal CMS layout, toolbar, ``nav.hoofdmenu``, a Usercentrics
  banner, an "Actueel" ticker (``aria-live``) and "Deze pagina is bijgewerkt op" at the
  end of ``<main>``;
* ``stratis``: a French commune theme: "Flash info" alert bar, ``nav.menu-main`` with
  mega sub-panels, a Didomi notice, and "Publié le … Mis à jour le …" inside ``<main>``.

Gold text: the headline and the article paragraphs, nothing else. Day-2 noise edits
change one piece of furniture (:data:`NOISE_KINDS`): the ticker headlines, the "last
updated" stamp, a mega-menu entry or the cookie wall's text. An article edit replaces one
sentence of the second paragraph.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field

NOISE_KINDS = ("ticker", "stamp", "mega-menu", "cookie-wall")


@dataclass
class Spec:
    id: str
    theme: str
    country: str
    lang: str
    town: str
    title: str
    paras: list[str]
    state: dict[str, object] = field(default_factory=dict)


PAGES = [
    Spec(
        "be-nl-drupal-1",
        "drupal",
        "BE",
        "nl",
        "Stad Oosterveld",
        "Nieuwe premie voor zonnepanelen op huurwoningen",
        [
            "Vanaf 1 januari kunnen eigenaars die zonnepanelen plaatsen op een woning die ze verhuren, een "
            "premie "
            "aanvragen bij de stad. De premie bedraagt 20 procent van de factuur, met een maximum van 1.500 "
            "euro "
            "per "
            "woning.",
            "De gemeenteraad keurde het reglement goed in de zitting van 14 oktober. Huurders betalen "
            "vandaag "
            "vaak "
            "de hoogste energiefactuur, terwijl de eigenaar weinig reden heeft om te investeren. Met de "
            "premie "
            "wil "
            "het stadsbestuur die drempel verlagen.",
            "Aanvragen gebeurt via het e-loket van de stad of aan het onthaal van het Administratief "
            "Centrum. "
            "Voeg "
            "een kopie van de factuur en het keuringsattest van de installatie toe. De dienst Wonen "
            "behandelt "
            "elke "
            "aanvraag binnen de zes weken.",
        ],
    ),
    Spec(
        "be-nl-drupal-2",
        "drupal",
        "BE",
        "nl",
        "Gemeente Lindelo",
        "Stedenband met Bohicon bestaat twintig jaar",
        [
            "In 2005 tekenden Lindelo en het Beninse Bohicon een overeenkomst voor samenwerking rond water, "
            "onderwijs "
            "en lokaal bestuur. Twintig jaar later staan er vier waterputten, werd de bibliotheek van het "
            "lyceum "
            "uitgebreid en volgden twaalf ambtenaren een stage in elkaars gemeentehuis.",
            "Een delegatie uit Bohicon onder leiding van burgemeester Luc Sètondji bezoekt Lindelo van 8 tot "
            "15 "
            "november. Op het programma staan een werkbezoek aan het waterzuiveringsstation, een ontmoeting "
            "met "
            "de "
            "scholen en een academische zitting in de raadzaal.",
            "Inwoners zijn welkom op het slotmoment op zaterdag 15 november om 14 uur in zaal De Kring. De "
            "Noord-Zuidraad stelt er ook de plannen voor de volgende vijf jaar voor, met een nieuwe focus op "
            "klimaatadaptatie.",
        ],
    ),
    Spec(
        "be-nl-drupal-3",
        "drupal",
        "BE",
        "nl",
        "Stad Oosterveld",
        "Wegenwerken in de Kerkstraat vanaf maandag",
        [
            "Vanaf maandag 3 maart vernieuwt de stad de riolering en het wegdek in de Kerkstraat, tussen de "
            "Markt en "
            "de Molenstraat. De werken duren naar schatting vier maanden.",
            "Tijdens de eerste fase is de straat enkel toegankelijk voor plaatselijk verkeer. Bussen van De "
            "Lijn "
            "rijden om via de Stationslaan en de halte Kerkstraat wordt tijdelijk verplaatst naar de Markt.",
            "Handelaars in de straat blijven bereikbaar voor voetgangers. De stad organiseert op 25 februari "
            "om "
            "19 "
            "uur een infomarkt in het ontmoetingscentrum, waar de aannemer en de dienst Mobiliteit vragen "
            "beantwoorden.",
        ],
    ),
    Spec(
        "be-fr-joomla-1",
        "joomla",
        "BE",
        "fr",
        "Commune de Montreval",
        "Jumelage : une délégation de Kaniv reçue à l'hôtel de ville",
        [
            "Le collège communal a accueilli mardi une délégation de la ville ukrainienne de Kaniv, jumelée "
            "avec "
            "Montreval depuis 2022. La rencontre a permis de faire le point sur l'aide apportée à l'hôpital "
            "de "
            "Kaniv "
            "et sur l'accueil des familles réfugiées dans la commune.",
            "Le bourgmestre a rappelé que le conseil communal a voté en septembre une enveloppe de 40 000 "
            "euros "
            "pour "
            "l'achat de matériel médical. Une première livraison est partie en octobre avec l'aide de la "
            "Croix-Rouge "
            "de Belgique.",
            "Les deux villes préparent un échange de jeunes pour l'été prochain. Les associations qui "
            "souhaitent "
            "participer peuvent contacter le service des relations internationales avant le 31 janvier.",
        ],
    ),
    Spec(
        "be-fr-joomla-2",
        "joomla",
        "BE",
        "fr",
        "Commune de Montreval",
        "Collecte des déchets : nouveau calendrier en 2026",
        [
            "À partir du 1er janvier, la collecte des sacs blancs aura lieu le jeudi dans tous les villages "
            "de "
            "la "
            "commune. Les conteneurs à puce pour les déchets organiques seront vidés toutes les deux "
            "semaines.",
            "Ce changement fait suite à la réorganisation des tournées par l'intercommunale. Le nouveau "
            "calendrier "
            "sera distribué dans toutes les boîtes aux lettres au mois de décembre.",
            "Le recyparc de la rue du Moulin reste ouvert du mardi au samedi. Les encombrants peuvent y être "
            "déposés "
            "gratuitement jusqu'à deux mètres cubes par ménage et par an.",
        ],
    ),
    Spec(
        "be-fr-wordpress-1",
        "wordpress",
        "BE",
        "fr",
        "Commune de Haut-Sarte",
        "Conseil communal du 18 novembre : les principales décisions",
        [
            "Le conseil communal a approuvé lundi soir le budget 2026, qui prévoit 3,2 millions d'euros "
            "d'investissements. La rénovation de l'école de Sarte-Bas et l'éclairage public LED en sont les "
            "deux "
            "plus gros postes.",
            "Les conseillers ont également adopté une motion de soutien au jumelage avec la commune "
            "sénégalaise "
            "de "
            "Ndiaganiao. L'opposition a demandé un rapport annuel sur les projets financés, ce que la "
            "majorité a "
            "accepté.",
            "Le procès-verbal complet et l'enregistrement de la séance sont disponibles sur la page du "
            "conseil "
            "communal. La prochaine séance aura lieu le 16 décembre à 20 heures.",
        ],
    ),
    Spec(
        "nl-nl-typo3-1",
        "typo3",
        "NL",
        "nl",
        "Gemeente Westerbroek",
        "Oud papier voortaan elke twee weken opgehaald",
        [
            "Vanaf 1 februari haalt de gemeente het oud papier in alle wijken elke twee weken op, in plaats "
            "van "
            "elke "
            "vier weken. Veel inwoners gaven aan dat hun container te snel vol was.",
            "De ophaaldag blijft gelijk aan de huidige dag. In de nieuwe afvalkalender, die in januari huis "
            "aan "
            "huis "
            "wordt bezorgd, staan alle data. Ook in de afvalapp ziet u de nieuwe planning.",
            "Verenigingen die oud papier inzamelen krijgen een compensatie van de gemeente. Zij kunnen "
            "hiervoor "
            "contact opnemen met het team Afval en Grondstoffen.",
        ],
    ),
    Spec(
        "nl-nl-typo3-2",
        "typo3",
        "NL",
        "nl",
        "Gemeente Westerbroek",
        "Kermis op het Marktplein van 12 tot 16 juni",
        [
            "Van donderdag 12 tot en met maandag 16 juni staat de jaarlijkse kermis op het Marktplein. Er "
            "zijn "
            "ruim dertig attracties, van de draaimolen tot de reuzenrad.",
            "Tijdens de kermis is het Marktplein afgesloten voor verkeer. De weekmarkt verhuist die week "
            "naar de "
            "Stationsstraat. Parkeren kan gratis op het terrein bij de sporthal.",
            "Op maandag 16 juni is er van 13 tot 17 uur een prikkelarme middag, met zachtere muziek en "
            "minder "
            "lichteffecten. De gemeente organiseert dit samen met de kermisexploitanten.",
        ],
    ),
    Spec(
        "nl-nl-iprox-1",
        "iprox",
        "NL",
        "nl",
        "Gemeente Hoogelo",
        "Inwoners denken mee over de omgevingsvisie",
        [
            "De gemeente werkt aan een nieuwe omgevingsvisie: een plan voor hoe Hoogelo er in 2040 uitziet. "
            "Waar "
            "bouwen we woningen, hoe houden we het groen en hoe gaan we om met hitte en wateroverlast?",
            "Tot 1 maart kunt u online een vragenlijst invullen. Daarnaast zijn er drie inloopavonden in de "
            "dorpshuizen van Hoogelo, Veldhuizen en Oosteinde.",
            "Alle reacties worden verwerkt in een ontwerp dat de gemeenteraad na de zomer bespreekt. Daarna "
            "kan "
            "iedereen nog een formele zienswijze indienen.",
        ],
    ),
    Spec(
        "nl-nl-iprox-2",
        "iprox",
        "NL",
        "nl",
        "Gemeente Hoogelo",
        "Raad stemt in met stedenband met Kutaisi",
        [
            "De gemeenteraad van Hoogelo heeft donderdagavond ingestemd met een stedenband met de Georgische "
            "stad "
            "Kutaisi. De samenwerking richt zich op afvalbeheer, onderwijs en cultuur.",
            "Het voorstel kwam van de stichting Hoogelo-Kutaisi, die al tien jaar uitwisselingen tussen "
            "scholen "
            "organiseert. Burgemeester De Vries reist in het voorjaar met een kleine delegatie naar Kutaisi.",
            "De gemeente trekt de komende vier jaar 25.000 euro per jaar uit voor de stedenband. Inwoners en "
            "verenigingen kunnen voor projecten een bijdrage aanvragen.",
        ],
    ),
    Spec(
        "fr-fr-stratis-1",
        "stratis",
        "FR",
        "fr",
        "Ville de Saint-Aubin-sur-Loire",
        "Travaux d'été dans les écoles de la ville",
        [
            "Pendant les vacances scolaires, la ville engage 850 000 euros de travaux dans ses six écoles. "
            "Le "
            "chantier le plus important concerne la rénovation thermique du groupe scolaire Jules-Ferry.",
            "Les fenêtres seront remplacées et la toiture isolée, ce qui doit réduire de moitié la "
            "consommation "
            "de "
            "chauffage. Les cours de récréation des écoles Pasteur et Prévert seront en partie "
            "désimperméabilisées.",
            "Les travaux seront terminés pour la rentrée du 1er septembre. Les accueils de loisirs de l'été "
            "sont "
            "regroupés à l'école Pasteur.",
        ],
    ),
    Spec(
        "fr-fr-stratis-2",
        "stratis",
        "FR",
        "fr",
        "Ville de Saint-Aubin-sur-Loire",
        "Le comité de jumelage fête ses 40 ans avec Wittlich",
        [
            "Depuis 1985, Saint-Aubin-sur-Loire et la ville allemande de Wittlich échangent élèves, "
            "musiciens et "
            "sportifs. Pour les 40 ans du jumelage, une délégation de 60 Wittlichois est attendue le "
            "week-end de "
            "l'Ascension.",
            "Au programme : un concert commun des harmonies, un tournoi de football des jeunes et la "
            "plantation "
            "d'un arbre de l'amitié au parc de la Mairie. Le maire signera avec son homologue une charte "
            "renouvelée.",
            "Les familles qui souhaitent héberger des invités peuvent s'inscrire auprès du comité de "
            "jumelage "
            "jusqu'au 15 avril.",
        ],
    ),
    Spec(
        "fr-fr-stratis-3",
        "stratis",
        "FR",
        "fr",
        "Ville de Vaubrun",
        "Budget participatif : 24 projets soumis au vote",
        [
            "Pour sa troisième édition, le budget participatif de Vaubrun a reçu 61 idées d'habitants. Après "
            "étude "
            "par les services, 24 projets sont soumis au vote du 2 au 30 mai.",
            "Chaque habitant de plus de 11 ans peut voter pour trois projets, en ligne ou dans les mairies "
            "de "
            "quartier. L'enveloppe totale est de 300 000 euros.",
            "Parmi les projets : un jardin partagé aux Tilleuls, des abris à vélos près des collèges et une "
            "boîte à "
            "livres dans chaque quartier. Les lauréats seront annoncés au conseil municipal de juin.",
        ],
    ),
    Spec(
        "fr-fr-wordpress-1",
        "wordpress",
        "FR",
        "fr",
        "Mairie de Blanzac",
        "Fête du village le 6 juillet",
        [
            "La fête du village aura lieu le samedi 6 juillet sur la place de l'Église. Le comité des fêtes "
            "propose "
            "un vide-greniers le matin, un repas champêtre à midi et des jeux pour les enfants l'après-midi.",
            "Le feu d'artifice sera tiré à 23 heures depuis le stade. La rue de la Mairie sera fermée à la "
            "circulation de 18 heures à minuit.",
            "Les inscriptions pour le vide-greniers se font en mairie aux heures d'ouverture. L'emplacement "
            "de "
            "trois mètres coûte cinq euros.",
        ],
    ),
    Spec(
        "fr-fr-wordpress-2",
        "wordpress",
        "FR",
        "fr",
        "Mairie de Blanzac",
        "Enquête publique sur la révision du PLU",
        [
            "Une enquête publique sur la révision du plan local d'urbanisme se tient du 3 au 28 mars. Le "
            "dossier "
            "est consultable en mairie et sur le site de la commune.",
            "Le commissaire enquêteur recevra le public en mairie le 3 mars de 9 heures à 12 heures, le 15 "
            "mars "
            "de "
            "14 heures à 17 heures et le 28 mars de 9 heures à 12 heures.",
            "Les observations peuvent être écrites dans le registre ou envoyées par courriel. Le rapport du "
            "commissaire sera publié un mois après la clôture de l'enquête.",
        ],
    ),
]

L10N = {
    "nl": {
        "menu": [
            (
                "Wonen en leven",
                [
                    "Afval",
                    "Wonen",
                    "Energie",
                    "Mobiliteit",
                    "Parkeren",
                    "Veiligheid",
                    "Groen",
                    "Begraafplaatsen",
                ],
            ),
            (
                "Vrije tijd",
                [
                    "Sport",
                    "Cultuur",
                    "Bibliotheek",
                    "Evenementen",
                    "Jeugd",
                    "Toerisme",
                    "Verenigingen",
                    "Zwembad",
                ],
            ),
            (
                "Bestuur",
                [
                    "Gemeenteraad",
                    "College",
                    "Burgemeester",
                    "Besluiten",
                    "Vacatures",
                    "Financiën",
                    "Stedenband",
                    "Nieuws",
                ],
            ),
            (
                "Loket",
                [
                    "Afspraak maken",
                    "Identiteitskaart",
                    "Rijbewijs",
                    "Verhuizen",
                    "Geboorte",
                    "Huwelijk",
                    "Uittreksels",
                    "Meldingen",
                ],
            ),
            (
                "Ondernemen",
                [
                    "Markten",
                    "Vergunningen",
                    "Premies",
                    "Horeca",
                    "Werken",
                    "Bedrijventerrein",
                    "Starters",
                    "Contact",
                ],
            ),
        ],
        "extra": "Winterfeest",
        "ticker": "Nieuws",
        "stamp": "Laatst gewijzigd op {d}",
        "home": "Home",
        "news": [
            "Zwembad maandag gesloten wegens onderhoud",
            "Gemeentehuis gesloten op 11 november",
            "Nieuwe openingsuren recyclagepark",
            "Inschrijvingen sportkampen geopend",
            "Bladkorven staan weer in de wijken",
            "Bibliotheek verlengt openingsuren",
        ],
        "cookie": [
            "Deze website gebruikt cookies. Wij gebruiken cookies om content te personaliseren, om "
            "functies "
            "voor sociale media te bieden en om ons websiteverkeer te analyseren.",
            "Wij vragen uw toestemming voor cookies. Met statistische cookies meten we anoniem hoe "
            "onze "
            "website wordt gebruikt; marketingcookies volgen u over websites heen.",
        ],
        "accept": "Alle cookies toestaan",
        "dates": ["12 maart 2025", "24 november 2026"],
        "edit": "De gemeenteraad stelde de beslissing uit tot de zitting van december.",
    },
    "fr": {
        "menu": [
            (
                "Vivre",
                [
                    "Déchets",
                    "Logement",
                    "Énergie",
                    "Mobilité",
                    "Stationnement",
                    "Sécurité",
                    "Espaces verts",
                    "Cimetières",
                ],
            ),
            (
                "Loisirs",
                [
                    "Sport",
                    "Culture",
                    "Bibliothèque",
                    "Agenda",
                    "Jeunesse",
                    "Tourisme",
                    "Associations",
                    "Piscine",
                ],
            ),
            (
                "Ma commune",
                [
                    "Conseil communal",
                    "Collège",
                    "Bourgmestre",
                    "Décisions",
                    "Emplois",
                    "Finances",
                    "Jumelage",
                    "Actualités",
                ],
            ),
            (
                "Démarches",
                [
                    "Prendre rendez-vous",
                    "Carte d'identité",
                    "Permis de conduire",
                    "Déménagement",
                    "Naissance",
                    "Mariage",
                    "Extraits",
                    "Signalements",
                ],
            ),
            (
                "Entreprendre",
                ["Marchés", "Autorisations", "Primes", "Horeca", "Travaux", "Zoning", "Starters", "Contact"],
            ),
        ],
        "extra": "Marché de Noël",
        "ticker": "Flash info",
        "stamp": "Mis à jour le {d}",
        "home": "Accueil",
        "news": [
            "Piscine fermée lundi pour entretien",
            "Hôtel de ville fermé le 11 novembre",
            "Nouveaux horaires du recyparc",
            "Inscriptions aux stages sportifs ouvertes",
            "Ramassage des feuilles dans les quartiers",
            "La bibliothèque élargit ses horaires",
        ],
        "cookie": [
            "Ce site utilise des cookies. Nous utilisons des cookies pour personnaliser le contenu, "
            "proposer "
            "des fonctionnalités de réseaux sociaux et analyser notre trafic.",
            "Nous vous demandons votre consentement. Les cookies de mesure d'audience sont anonymes ; "
            "les "
            "cookies publicitaires vous suivent d'un site à l'autre.",
        ],
        "accept": "Tout accepter",
        "dates": ["12/03/2025", "24/11/2026"],
        "edit": "Le conseil municipal a reporté la décision à la séance de décembre.",
    },
}


def _mega(lang: str, extra: bool, cls: str) -> str:
    t = L10N[lang]
    out = []
    for i, (top, subs) in enumerate(t["menu"]):
        items = list(subs) + ([t["extra"]] if extra and i == 0 else [])
        lis = "".join(
            f'<li class="{cls}__sub-item"><a href="/{i}/{k}">{html.escape(s)}</a></li>'
            for k, s in enumerate(items)
        )
        out.append(
            f'<li class="{cls}__item"><a href="/{i}">{html.escape(top)}</a>'
            f'<div class="{cls}__panel"><ul class="{cls}__sub">{lis}</ul></div></li>'
        )
    return "".join(out)


def _ticker(lang: str, shift: int) -> str:
    news = L10N[lang]["news"]
    items = [news[(shift + k) % len(news)] for k in range(4)]
    return "".join(
        f'<li><a href="/nieuws/{shift + k}">{html.escape(x)}</a></li>' for k, x in enumerate(items)
    )


def _article(spec: Spec, paras: list[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paras)


def render(spec: Spec, day: int, noise: str | None, article: bool) -> bytes:
    """The page on ``day`` 1 or 2; on day 2 with one ``noise`` edit or an ``article`` edit."""
    lang = spec.lang
    t = L10N[lang]
    two = day == 2
    paras = list(spec.paras)
    if two and article:
        first, _, rest = paras[1].partition(". ")
        paras[1] = t["edit"] + " " + rest
    stamp = t["stamp"].format(d=t["dates"][1 if two and noise == "stamp" else 0])
    ticker = _ticker(lang, 2 if two and noise == "ticker" else 0)
    extra = two and noise == "mega-menu"
    cookie = html.escape(t["cookie"][1 if two and noise == "cookie-wall" else 0])
    title = html.escape(spec.title)
    town = html.escape(spec.town)
    body = _article(spec, paras)
    theme = spec.theme
    if theme == "drupal":
        page = (
            f'<div id="CybotCookiebotDialog" class="CybotCookiebotDialogActive" role="dialog" '
            f'aria-modal="true">'
            f'<div id="CybotCookiebotDialogBody"><h2>Cookies</h2><div id="CybotCookiebotDialogBodyText">'
            f"{cookie}"
            f'</div><button id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll">{t["accept"]}</button>'
            f"</div>"
            f'</div><div class="dialog-off-canvas-main-canvas"><div class="layout-container">'
            f'<header role="banner" class="site-header"><div class="region region-header"><a href="/" '
            f'rel="home" '
            f'class="site-branding__logo">{town}</a></div><div class="region region-primary-menu">'
            f'<nav role="navigation" aria-labelledby="block-mainnavigation-menu" class="menu--main">'
            f'<ul class="menu menu--level-1">{_mega(lang, extra, "menu")}</ul></nav></div>'
            f'<div class="region region-highlighted"><div class="views-element-container '
            f'block-views-blocknews-ticker">'
            f'<h2 class="block__title">{t["ticker"]}</h2><ul class="news-ticker">{ticker}</ul></div></div>'
            f"</header>"
            f'<div class="region region-breadcrumb"><nav class="breadcrumb" aria-label="Breadcrumb"><ol><li>'
            f'<a href="/">{t["home"]}</a></li><li>Nieuws</li></ol></nav></div>'
            f'<main role="main" class="main-content"><a id="main-content" tabindex="-1"></a>'
            f'<div class="region region-content"><div data-drupal-messages-fallback class="hidden"></div>'
            f'<article class="node node--type-news node--view-mode-full"><h1 class="page-title"><span '
            f'class="field field--name-title">{title}</span></h1><div class="node__content"><div '
            f'class="clearfix '
            f'text-formatted field field--name-body field--type-text-with-summary field__item">{body}</div>'
            f"</div>"
            f'</article><div class="field field--name-changed field--type-changed">{stamp}</div></div></main>'
            f'<footer role="contentinfo" class="site-footer"><div class="region region-footer">'
            f'<p>{town} &middot; Markt 1</p><ul><li><a href="/privacy">Privacy</a></li><li><a '
            f'href="/cookies">'
            f"Cookies</a></li></ul></div></footer></div></div>"
        )
    elif theme == "wordpress":
        page = (
            f'<div id="cmplz-cookiebanner-container"><div class="cmplz-cookiebanner cmplz-show banner-1" '
            f'role="dialog" aria-live="polite"><div class="cmplz-header"><div class="cmplz-title">'
            f"Cookies</div></div>"
            f'<div class="cmplz-body"><div class="cmplz-message">{cookie}</div></div><div '
            f'class="cmplz-buttons">'
            f'<button class="cmplz-btn cmplz-accept">{t["accept"]}</button></div></div></div>'
            f'<div id="boxed-wrapper"><div id="wrapper" class="fusion-wrapper"><div class="ticker-news-wrap">'
            f'<span class="ticker-label">{t["ticker"]}</span><ul class="ticker-news">{ticker}</ul></div>'
            f'<header class="fusion-header-wrapper"><div class="fusion-header"><div class="fusion-logo">'
            f'<a href="/">{town}</a></div><div id="mega-menu-wrap-main_navigation" class="mega-menu-wrap">'
            f'<ul id="mega-menu-main_navigation" class="mega-menu max-mega-menu mega-menu-horizontal">'
            f"{_mega(lang, extra, 'mega-menu')}</ul></div></div></header>"
            f'<div id="main" class="clearfix"><div class="fusion-row"><section id="content" style="width: '
            f'70%;">'
            f'<article id="post-2841" class="post post-2841 type-post status-publish format-standard hentry '
            f'category-actualites"><h1 class="entry-title fusion-post-title">{title}</h1>'
            f'<div class="post-content">{body}</div><div class="fusion-meta-info"><div '
            f'class="fusion-meta-info-wrapper">'
            f'<span class="vcard"><span class="fn">Service communication</span></span><span '
            f'class="fusion-inline-sep">|</span><span class="updated">{stamp}</span></div></div>'
            f'<div class="fusion-sharing-box share-box"><h4>Partager</h4><a href="#">Facebook</a> '
            f'<a href="#">X</a></div></article></section><aside id="sidebar" class="sidebar '
            f'fusion-widget-area">'
            f'<section class="widget widget_recent_entries"><h4 class="widget-title">Actualités</h4><ul>'
            f"{ticker}"
            f'</ul></section></aside></div></div><div class="fusion-footer"><footer '
            f'class="fusion-footer-widget-area">'
            f"<p>{town} &middot; Place de la Mairie</p></footer></div></div></div>"
        )
    elif theme == "joomla":
        page = (
            f'<div id="tarteaucitronRoot"><div id="tarteaucitronAlertBig" style="display:block">'
            f'<span id="tarteaucitronDisclaimerAlert">{cookie}</span><button id="tarteaucitronPersonalize2">'
            f"{t['accept']}</button></div></div>"
            f'<div class="body-wrapper"><div class="body-innerwrapper"><section id="sp-top-bar"><div '
            f'class="container">'
            f'<div class="moduletable newsflash-ticker"><h3>{t["ticker"]}</h3><ul class="newsflash">'
            f"{ticker}</ul>"
            f'</div></div></section><section id="sp-header"><div class="container"><div id="sp-logo"><a '
            f'class="logo" href="/">{town}</a></div><div id="sp-menu"><div class="sp-megamenu-wrapper">'
            f'<ul class="sp-megamenu-parent menu-fade hidden-sm hidden-xs">'
            f"{_mega(lang, extra, 'sp-menu-item')}"
            f'</ul></div></div></div></section><section id="sp-main-body"><div class="container"><div '
            f'class="row">'
            f'<div id="sp-component" class="col-sm-9"><div class="sp-column"><div '
            f'id="system-message-container">'
            f'</div><div class="item-page" itemscope itemtype="https://schema.org/Article"><div '
            f'class="page-header">'
            f'<h2 itemprop="headline">{title}</h2></div><dl class="article-info muted"><dt '
            f'class="article-info-term">'
            f'Détails</dt><dd class="modified"><time itemprop="dateModified">{stamp}</time></dd></dl>'
            f'<div itemprop="articleBody">{body}</div><ul class="pager pagenav"><li class="previous"><a '
            f'href="#">'
            f'Précédent</a></li><li class="next"><a href="#">Suivant</a></li></ul></div></div></div>'
            f'<div id="sp-right" class="col-sm-3"><div class="sp-module"><h3 class="sp-module-title">'
            f"Agenda</h3>"
            f'<ul>{ticker}</ul></div></div></div></div></section><footer id="sp-footer"><div '
            f'class="container">'
            f'<span class="sp-copyright">© {town}</span></div></footer></div></div>'
        )
    elif theme == "typo3":
        page = (
            f'<div id="klaro"><div class="klaro"><div class="cookie-modal"><div class="cm-modal cm-klaro">'
            f'<div class="cm-header"><h1 class="title">Cookies</h1><p>{cookie}</p></div><div '
            f'class="cm-footer">'
            f'<button class="cm-btn cm-btn-success">{t["accept"]}</button></div></div></div></div></div>'
            f'<div class="page"><div class="header"><a class="logo" href="/">{town}</a><div '
            f'class="navigation">'
            f'<ul class="mainnav">{_mega(lang, extra, "mainnav")}</ul></div></div>'
            f'<div class="newsticker"><strong>{t["ticker"]}</strong><ul>{ticker}</ul></div>'
            f'<div id="content" class="content"><div class="breadcrumb"><a href="/">{t["home"]}</a> &gt; '
            f"Actueel</div>"
            f'<div id="c412" class="frame frame-default frame-type-header"><header><h1>{title}</h1></header>'
            f"</div>"
            f'<div id="c413" class="frame frame-default frame-type-text">{body}</div>'
            f'<div class="page-meta"><p>{stamp}</p></div></div>'
            f'<div class="footer"><div class="footer-links"><a href="/contact">Contact</a> '
            f'<a href="/privacy">Privacyverklaring</a></div><p>{town}, Postbus 100</p></div></div>'
        )
    elif theme == "iprox":
        page = (
            f'<div id="usercentrics-root"><div class="uc-banner" role="dialog"><p>{cookie}</p>'
            f'<button data-testid="uc-accept-all-button">{t["accept"]}</button></div></div>'
            f'<a class="skiplink" href="#content">Naar de inhoud</a><div id="toolbar"><ul><li><a '
            f'href="/contact">'
            f'Contact</a></li><li><a href="/en">English</a></li><li><a href="/voorlezen">Voorlezen</a></li>'
            f"</ul></div>"
            f'<header class="header"><a class="logo" href="/">{town}</a><nav class="hoofdmenu" '
            f'aria-label="Hoofdmenu">'
            f"<ul>{_mega(lang, extra, 'hoofdmenu')}</ul></nav></header>"
            f'<div class="actueel-ticker" aria-live="polite"><h2>Actueel</h2><ul>{ticker}</ul></div>'
            f'<main id="content"><div class="grid-blok type-titel"><h1>{title}</h1></div>'
            f'<div class="grid-blok type-tekst"><div class="iprox-content iprox-rich-content">{body}</div>'
            f"</div>"
            f'<div class="grid-blok type-datum"><p class="datum">Deze pagina is bijgewerkt op '
            f'{stamp.split(" op ")[-1]}</p></div></main><footer class="footer"><p>{town}</p><ul><li>'
            f'<a href="/privacy">Privacy</a></li><li><a href="/toegankelijkheid">Toegankelijkheid</a></li>'
            f"</ul>"
            f"</footer>"
        )
    else:  # stratis
        page = (
            f'<div id="didomi-host" class="didomi-host"><div class="didomi-popup-container"><div '
            f'class="didomi-popup-notice-text">{cookie}</div><button id="didomi-notice-agree-button">'
            f"{t['accept']}</button></div></div>"
            f'<div class="flash-info" role="alert"><span class="flash-info__title">{t["ticker"]}</span><ul>'
            f"{ticker}"
            f'</ul></div><div class="site-wrapper"><header class="header" role="banner"><div '
            f'class="header__logo">'
            f'<a href="/">{town}</a></div><nav class="menu-main" role="navigation" aria-label="Menu '
            f'principal">'
            f'<ul class="menu-main__list">{_mega(lang, extra, "menu-main")}</ul></nav></header>'
            f'<main id="main" role="main" class="site-main"><div class="top-of-content"><nav class="ariane">'
            f'<ul><li><a href="/">{t["home"]}</a></li><li>Actualités</li></ul></nav><h1 '
            f'class="heading__title">'
            f'{title}</h1><p class="publication-date">Publié le 10/03/2025 - {stamp}</p></div>'
            f'<div class="section-main__content"><div class="rte">{body}</div></div>'
            f'<div class="sharing"><a href="#">Partager</a> <a href="#">Imprimer</a></div></main>'
            f'<footer class="footer" role="contentinfo"><p>{town} &middot; Hôtel de ville</p></footer></div>'
        )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | {town}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>{page}'
        f"</body></html>"
    ).encode()


def gold(spec: Spec) -> str:
    """The gold text: headline and paragraphs."""
    return "\n\n".join([spec.title, *spec.paras])


def noise_kind(rng: random.Random) -> str:
    return rng.choice(NOISE_KINDS)
