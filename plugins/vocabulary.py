"""The multilingual vocabulary of the relevance and category analyzers.

Each group is a list of regular expressions over *folded* text (lower case, no
accents: see :func:`plugins.textutil.fold`), in Dutch, French, German, English,
Spanish and Italian. A pattern matches at a word start; it may match a word's
beginning only (``stedenband`` also finds ``stedenbanden``). Groups are
concepts, not single items: a new text should be caught because it uses the
words of its kind, never because its own wording was added here.
"""

from __future__ import annotations

import re

TWINNING = [
    # nl
    r"stedenband", r"zusterst(?:ad|eden)", r"partnerst(?:ad|eden)\b", r"verbroedering",
    r"verzustering", r"jumelage", r"vriendschapsband", r"partnergemeente", r"zustergemeente",
    # fr
    r"jumel(?:age|ee?s?\b|er\b|ant\b)", r"(?:villes?|communes?|cites?)[ -](?:jumelles?|soeurs?)",
    r"pacte d'amitie", r"charte de jumelage", r"villes? partenaires?",
    # de
    r"stadtepartnerschaft", r"partnerstadt", r"partnerstadte", r"schwesterstadt",
    r"partnergemeinde", r"stadtefreundschaft", r"partnerschaftsurkunde", r"freundschaftsurkunde",
    r"partnerschaftskomitee", r"partnerschaftsverein", r"solidaritatspartnerschaft",
    # en
    r"twinning", r"twinned", r"twin (?:towns?|cit(?:y|ies)|villages?)", r"town[ -]twinning",
    r"sister (?:cit(?:y|ies)|towns?)", r"partner (?:towns?|cit(?:y|ies)|municipalit)",
    r"friendship (?:link|agreement|association)",
    # es
    r"hermanamiento", r"hermanad[ao]s?\b", r"hermanar", r"ciudad(?:es)? hermanas?",
    r"pacto de amistad",
    # it
    r"gemellagg", r"gemellat[aoie]\b", r"gemellare", r"citta gemell", r"patto di amicizia",
]
"""A link between two towns: the strongest sign of relevance."""

MOTION = [
    r"motie", r"resolutie", r"motion\b", r"resolution", r"dringlichkeitsantrag", r"antrag\b",
    r"mocion", r"declaracion institucional", r"mozione", r"ordine del giorno",
    r"standpunt", r"prise de position", r"stellungnahme",
]
"""A council motion, resolution or declaration."""

AID = [
    r"noodhulp", r"humanitaire (?:hulp|steun)", r"hulpgoederen", r"noodfonds",
    r"aide (?:humanitaire|d'urgence)", r"aide aux victimes", r"fonds d'urgence",
    r"humanitare hilfe", r"nothilfe", r"soforthilfe", r"hilfskonvoi", r"hilfsgut", r"spende",
    r"humanitarian (?:aid|relief|support)", r"emergency (?:aid|relief|appeal)", r"relief fund",
    r"ayuda humanitaria", r"ayuda de emergencia", r"emergencia humanitaria", r"cooperacion de emergencia",
    r"aiuti umanitari", r"aiuto umanitario", r"emergenza umanitaria", r"aiuti di emergenza",
]
"""Humanitarian or emergency aid."""

GIVING = [
    r"schenk", r"doneert", r"stort\b", r"trekt .{0,30}uit", r"maakt .{0,30}vrij", r"steunt .{0,40}met",
    r"octroie", r"debloque", r"subside", r"verse", r"don\b", r"dons\b",
    r"spendet", r"spenden", r"stellt .{0,40}bereit", r"unterstutzt .{0,40}mit",
    r"donat", r"grant", r"allocat", r"pledg",
    r"destina", r"aporta", r"donacion", r"partida",
    r"stanzia", r"contributo", r"donazione", r"devolv",
]
"""Giving money or goods (with an amount, the sign of an aid grant)."""

PROCUREMENT = [
    r"aankoopbeleid", r"aanbesteding", r"overheidsopdracht", r"clausule", r"leveranciers",
    r"marches publics", r"clause", r"achats? ethiques?", r"soumissionnaire",
    r"vergabe", r"beschaffung", r"offentliche(?:n)? auftrag", r"klausel",
    r"procurement", r"tenders?\b", r"council contracts", r"supplier",
    r"contrat(?:acion|os) public", r"licitacion", r"clausula",
    r"appalt", r"gare d'appalto", r"clausola", r"fornitor",
]
"""Buying rules of the municipality (procurement clauses)."""

SETTLEMENTS = [
    r"nederzetting", r"bezette? (?:palestijnse )?gebied", r"colonies", r"colonisation", r"territoires? .{0,20}occupes",
    r"siedlung", r"besetzte", r"settlements?\b", r"occupied", r"asentamiento", r"territorios ocupados",
    r"insediament", r"territori .{0,20}occupati", r"boycot", r"boykott", r"boicot", r"divest", r"\bbds\b",
]
"""What a solidarity procurement clause is about."""

SYMBOLIC = [
    r"vlag", r"\bwake\b", r"minuut stilte", r"kleurt .{0,30}(?:blauw|geel|rood|groen)", r"verlicht",
    r"in de kleuren", r"ereburger", r"herdenking",
    r"drapeau", r"veillee", r"minute de silence", r"illumine", r"aux couleurs", r"citoyen(?:nete)? d'honneur",
    r"flagge", r"fahne", r"mahnwache", r"schweigeminute", r"angestrahlt", r"beleuchtet", r"in den farben",
    r"ehrenburger", r"gedenken",
    r"\bflags?\b", r"vigil", r"minute'?s? (?:of )?silence", r"lit up", r"light(?:s|ed)? up", r"colours of",
    r"honorary citizen",
    r"bandera", r"vigilia", r"minuto de silencio", r"ilumin", r"colores de",
    r"bandiera", r"fiaccolata", r"veglia", r"minuto di silenzio", r"illuminat", r"colori del",
    r"cittadinanza onoraria",
]
"""Flags, vigils, lights, minutes of silence, honorary citizenship."""

COOPERATION = [
    r"ontwikkelingssamenwerking", r"internationale samenwerking", r"samenwerkingsovereenkomst",
    r"samenwerkingsakkoord", r"samenwerking met", r"partnerschap",
    r"cooperation (?:decentralisee|internationale|au developpement)", r"convention de cooperation",
    r"partenariat", r"cooperation avec",
    r"entwicklungszusammenarbeit", r"kommunale partnerschaft", r"projektpartnerschaft", r"partnerschaft",
    r"kooperationsvereinbarung", r"zusammenarbeit mit",
    r"development cooperation", r"decentrali[sz]ed cooperation", r"international cooperation",
    r"cooperation agreement", r"partnerships? with cities", r"partnerships?\b",
    r"cooperacion (?:descentralizada|internacional|al desarrollo)", r"convenio de cooperacion",
    r"acuerdo de cooperacion", r"cooperazione (?:decentrata|internazionale|allo sviluppo)",
    r"protocollo d'intesa", r"partenariato", r"partnership",
]
"""Partnerships and development cooperation (weak alone: companies have partners too)."""

DEVCOOP = [
    r"ontwikkelingssamenwerking", r"internationale samenwerking", r"noord-zuid",
    r"cooperation (?:decentralisee|internationale|au developpement)", r"cooperation internationale communale",
    r"entwicklungszusammenarbeit", r"kommunale partnerschaft", r"projektpartnerschaft", r"nord-sud",
    r"development cooperation", r"decentrali[sz]ed cooperation", r"international cooperation",
    r"partnerships? with cities in the south", r"cities in the south",
    r"cooperacion (?:descentralizada|internacional|al desarrollo)",
    r"cooperazione (?:decentrata|internazionale|allo sviluppo)",
]
"""Municipal development cooperation: solidarity by its very name."""

SOLIDARITY = [
    r"solidariteit", r"vluchteling", r"opvang", r"vrede", r"mensenrechten", r"gastvrije gemeente",
    r"solidarite", r"refugie", r"accueil", r"\bpaix\b", r"droits (?:humains|de l'homme)", r"commune hospitaliere",
    r"solidaritat", r"gefluchtete", r"fluchtling", r"aufnahme", r"frieden", r"menschenrechte", r"sichere(?:r|n)? hafen",
    r"solidarity", r"refugee", r"sanctuary", r"\bpeace\b", r"human rights", r"welcome centre",
    r"solidaridad", r"refugiad", r"acogid", r"acoger", r"\bpaz\b", r"derechos humanos",
    r"solidarieta", r"rifugiat", r"accoglienza", r"\bpace\b", r"diritti umani",
]
"""Solidarity, refugees, peace and human rights."""

TOPIC = [
    r"gaza", r"palestin", r"palestijn", r"palastin", r"israel", r"west bank", r"westelijke jordaanoever",
    r"cisjordan", r"westjordanland", r"oekrain", r"ukrain", r"ucrain", r"ucrania", r"syri", r"siria",
    r"soedan", r"sudan", r"soudan", r"libanon", r"liban", r"lebanon", r"congo", r"kinshasa", r"\brdc\b",
    r"afghan", r"saharau", r"sahara", r"iran\b", r"marok", r"maroc", r"morocco", r"marruecos", r"marocco",
    r"turkije", r"turquie", r"turkei", r"turkey", r"turquia", r"turchia",
    r"oorlog", r"guerre", r"\bkrieg", r"\bwar\b", r"guerra", r"angriffskrieg",
    r"staakt-het-vuren", r"cessez-le-feu", r"waffenstillstand", r"waffenruhe", r"ceasefire",
    r"alto el fuego", r"cessate il fuoco", r"tregua", r"genocid", r"volkermord",
    r"burgerslachtoffer", r"victimes civiles", r"zivilbevolkerung", r"civilian", r"poblacion civil",
    r"popolazione civile", r"gijzelaar", r"otages", r"geiseln", r"hostages", r"rehenes", r"ostaggi",
    r"aardbeving", r"seisme", r"tremblement de terre", r"erdbeben", r"earthquake", r"terremoto", r"sismo",
    r"unrwa", r"humanit", r"mensenrecht", r"human rights", r"menschenrecht", r"derechos humanos",
    r"diritti umani", r"droits humains", r"zuiden\b", r"pays du sud", r"globale[ns]? suden",
    r"global south", r"cities in the south", r"countries of the south", r"sur global", r"sud del mondo",
    r"ontwikkelingslanden", r"pays en developpement", r"entwicklungslander", r"developing countries",
    r"vluchteling", r"refugie", r"gefluchtete", r"fluchtling", r"refugee", r"refugiad", r"rifugiat",
    r"antisemiti", r"islamofob", r"racism", r"racisme", r"razzismo", r"seenot",
]
"""What municipal solidarity is about: wars, disasters, the South, human rights."""

ACTOR_STRONG = [
    r"gemeenteraad", r"burgemeester", r"schepen", r"college van burgemeester", r"stadsbestuur",
    r"gemeentebestuur", r"stadhuis", r"gemeentehuis", r"ocmw", r"lokaal bestuur", r"lokale besturen",
    r"districtsraad", r"schepencollege", r"het college",
    r"conseil communal", r"bourgmestre", r"echevin", r"college communal", r"college des bourgmestre",
    r"\bmaire\b", r"hotel de ville", r"maison communale", r"conseil municipal", r"la ville de",
    r"la commune d", r"\bcpas\b", r"conseillers? communa",
    r"stadtrat", r"gemeinderat", r"burgermeister", r"oberburgermeister", r"rathaus", r"rat der stadt",
    r"kollegium", r"schoffen", r"stadtverwaltung", r"die stadt\b", r"die gemeinde\b",
    r"city council", r"town council", r"borough council", r"county council", r"\bcouncil\b",
    r"\bmayor\b", r"lord provost", r"councillor", r"city hall", r"town hall", r"city chambers",
    r"local authority", r"municipal (?:council|executive|building)", r"the city of",
    r"ayuntamiento", r"alcalde", r"alcaldesa", r"\bpleno\b", r"concejal", r"consistorio",
    r"corporacion municipal", r"grupos municipales",
    r"consiglio comunale", r"sindaco", r"giunta", r"comune di", r"il comune\b", r"assessore",
    r"assemblea capitolina", r"palazzo marino", r"palazzo vecchio",
]
"""A municipality acting: its council, mayor, executive, town hall."""

ACTOR_WEAK = [
    r"\bgemeente\b", r"\bstad\b", r"\bstadt\b", r"\bgemeinde\b", r"\bcommune\b", r"\bville\b",
    r"\bcity\b", r"\btown\b", r"municipalit", r"municipal", r"municipio", r"\bcomune\b", r"\bcitta\b",
    r"\bmunicipi",
]
"""Words that name a municipality but may mean something else (a church's gemeente)."""

CHURCH = [
    r"kerk", r"eredienst", r"dominee", r"predikant", r"pastoor", r"parochie", r"gemeenteleden",
    r"protestantse gemeente", r"evangelische gemeente", r"gereformeerde", r"hervormde", r"diaconie",
    r"paroisse", r"eglise", r"\bmesse\b", r"diocese", r"\bpasteur",
    r"kirchengemeinde", r"gottesdienst", r"pfarrei", r"pfarrer", r"kirche", r"diakonie",
    r"parish", r"church", r"congregation", r"vicar", r"chaplain",
    r"parroquia", r"iglesia", r"\bmisa\b", r"diocesis", r"comunidad cristiana",
    r"parrocchia", r"chiesa", r"\bmessa\b", r"diocesi", r"missionari",
]
"""A church congregation: Dutch *gemeente*, German *Gemeinde* in a church's sense."""

LOOKALIKE_TWIN = [
    r"tweeling", r"digitale tweeling", r"jumeaux", r"jumelles\b", r"jumeau numerique", r"zwilling",
    r"\btwins\b", r"twin (?:towers?|room|beds?|babies|brother|sister|galax|engine|peaks)",
    r"digital twin", r"gemelos?\b", r"gemelo digital", r"torres gemelas", r"gemelli\b",
    r"gemello digitale", r"torri gemelle", r"fernglas", r"binocular",
]
"""Twins that are not twin towns: babies, towers, digital twins, binoculars."""

LABOUR = [
    r"pensioen", r"vakbond", r"solidariteitsbijdrage", r"staking", r"sociale zekerheid",
    r"retraite", r"syndicat", r"\bgreve", r"cotisation de solidarite", r"pensionnes", r"mutualite",
    r"\brente", r"gewerkschaft", r"solidaritatszuschlag", r"\bstreik",
    r"pension", r"trade union", r"union members", r"\bstrike\b", r"walkout",
    r"sindicato", r"huelga", r"jubilacion", r"pensiones",
    r"sindacat", r"sciopero", r"pensioni",
]
"""Solidarity in pensions, unions and social security."""

COMPANY = [
    r"bedrijf", r"onderneming", r"energieleverancier", r"sponsor", r"\bnv\b", r"voetbalclub",
    r"entreprise", r"societe", r"\bsa\b",
    r"unternehmen", r"\bfirma\b", r"gmbh", r"konzern",
    r"company", r"\bfirm\b", r"corporate", r"technology", r"\bltd\b", r"\binc\b",
    r"empresa", r"patrocin", r"\bs\.a\.",
    r"azienda", r"societa", r"impresa", r"\bs\.p\.a\.",
]
"""Companies and clubs: their partnerships are not municipal solidarity."""

TRAFFIC = [
    r"parkeer", r"parkeren", r"blauwe zone", r"verkeer", r"fietspad", r"riolering",
    r"stationnement", r"\bparking", r"zone bleue", r"circulation",
    r"parkplatz", r"parkplatze", r"parkraum", r"\bverkehr", r"kanalarbeiten",
    r"parking zones?", r"permits", r"traffic", r"road repairs", r"bin collection",
    r"aparcamiento", r"estacionamiento", r"zona azul", r"trafico",
    r"parchegg", r"\bsosta\b", r"traffico", r"viabilita",
]
"""Parking, traffic and works: what most council motions are about."""

NATIONAL_OR_NGO = [
    r"federale regering", r"vlaamse regering", r"\bminister", r"de regering", r"rode kruis",
    r"artsen zonder grenzen", r"\bngo\b", r"gouvernement", r"croix-rouge", r"medecins sans frontieres",
    r"\bong\b", r"bundesregierung", r"landesregierung", r"auswartige", r"rote(?:s|n)? kreuz",
    r"government", r"foreign secretary", r"red cross", r"oxfam", r"charity", r"united nations",
    r"gobierno", r"cruz roja", r"governo", r"croce rossa", r"nazioni unite", r"cncd",
    r"organisatie", r"organisation", r"hilfsorganisation",
]
"""A national government or an NGO: aid they give is not a municipality's."""

DECISION = [
    r"besl(?:oot|oten|ist|iste|uit)", r"keurde", r"goedgekeurd", r"stemde", r"gestemd", r"ondertekend",
    r"decide", r"a vote", r"ont vote", r"adopte", r"approuve", r"signe",
    r"beschlo", r"beschlie", r"verabschiedet", r"genehmigt", r"gebilligt", r"unterzeichne", r"angenommen",
    r"voted", r"decided", r"agreed", r"approved", r"passed", r"signed", r"adopted",
    r"aprob", r"voto\b", r"firmaron", r"firmo\b", r"decidi",
    r"approvat", r"deliberat", r"firmat", r"votat", r"deciso",
]
"""A body decided something (as opposed to someone asking for it)."""

DEMAND = [
    r"petitie", r"vraagt", r"vragen", r"vroegen", r"eisen", r"eist", r"oproep", r"discussie", r"debat",
    r"opnieuw bekijk", r"handtekening", r"willen", r"wil\b",
    r"petition", r"demande", r"reclame", r"debattu", r"debat\b", r"veulent", r"exigent",
    r"fordert", r"fordern", r"petition", r"burgerinitiative", r"gestritten", r"beraten", r"diskussion",
    r"wollen", r"will\b",
    r"urg(?:e|es|ing)", r"call(?:s|ing)? (?:on|for)", r"debated?", r"discuss", r"petition", r"wants?\b",
    r"demand", r"ask(?:s|ing)?\b",
    r"piden", r"reclaman", r"exigen", r"debate", r"revise", r"quieren",
    r"chied", r"petizione", r"si discute", r"dibattito", r"discussione", r"vogliono",
]
"""Someone asks, petitions or debates (not yet a decision)."""

END = [
    r"beeindig", r"stopzet", r"zet .{0,60}stop", r"op te zeggen", r"opzeggen", r"verbreken", r"verbroken",
    r"einde aan",
    r"mettre fin", r"met fin", r"mis fin", r"rompt", r"rompre", r"la fin du", r"resili", r"denonce",
    r"aufzukundigen", r"aufkundig", r"beenden", r"beendet", r"aufgelost", r"aufheben",
    r"\bend(?:ed|s|ing)?\b", r"terminat", r"cut (?:its )?(?:ties|links?)", r"sever", r"scrap", r"cancel",
    r"poner fin", r"puso fin", r"romper", r"rescind", r"cancelar", r"anular",
    r"revoca", r"interromper", r"porre fine", r"sciogliere", r"annullare", r"chiudere",
]
"""Ending a link."""

SUSPEND = [
    r"opschort", r"schort .{0,60}op", r"opgeschort", r"bevrie", r"on hold",
    r"suspend", r"suspension", r"\bgel\b", r"mis en pause",
    r"setzt .{0,80}aus", r"aussetz", r"ausgesetzt", r"auf eis", r"ruhen",
    r"suspended", r"suspends", r"freez", r"froze", r"paus",
    r"suspendi", r"suspender", r"congel",
    r"sospend", r"sospes", r"congela",
]
"""Suspending a link."""

ESTABLISH = [
    r"ondertekend", r"ondertekenden", r"gaat .{0,40}aan", r"aangaan", r"nieuwe stedenband", r"worden zusterst",
    r"officieel", r"bekrachtig", r"viert", r"jaar (?:stedenband|verbroedering)",
    r"signe", r"officialis", r"scelle", r"nouveau jumelage", r"noces d'", r"ans de jumelage", r"celebr",
    r"besiegel", r"unterzeichne", r"grundung", r"offiziell", r"feiern", r"jahre",
    r"signed", r"formally", r"became sister", r"new twin", r"marked", r"anniversary", r"years of",
    r"firma", r"sell", r"nuevo hermanamiento", r"celebra", r"anos de",
    r"firmat", r"siglat", r"ufficialmente", r"festegg", r"anni di", r"nuovo gemellaggio",
]
"""Making, signing or celebrating a link."""

_FLAGS = re.IGNORECASE


def compile_group(patterns: list[str]) -> re.Pattern[str]:
    """One regular expression for a group; each alternative starts at a word start."""
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", _FLAGS)


GROUPS: dict[str, re.Pattern[str]] = {
    name: compile_group(patterns)
    for name, patterns in {
        "twinning": TWINNING, "motion": MOTION, "aid": AID, "giving": GIVING,
        "procurement": PROCUREMENT, "settlements": SETTLEMENTS, "symbolic": SYMBOLIC,
        "cooperation": COOPERATION, "devcoop": DEVCOOP, "solidarity": SOLIDARITY, "topic": TOPIC,
        "actor": ACTOR_STRONG, "actor_weak": ACTOR_WEAK, "church": CHURCH,
        "lookalike_twin": LOOKALIKE_TWIN, "labour": LABOUR, "company": COMPANY,
        "traffic": TRAFFIC, "national_or_ngo": NATIONAL_OR_NGO, "decision": DECISION,
        "demand": DEMAND, "end": END, "suspend": SUSPEND, "establish": ESTABLISH,
    }.items()
}
"""Every group, compiled once at import."""
