"""Relevance score and category from the vocabulary: the rules, in one place.

``signals(title, body)`` finds the vocabulary groups in a text; ``relevance``
turns them into a score in [0, 1] with the reasons that produced it, and
``category`` picks one of :data:`monitor.models.CATEGORIES`. Both are pure
functions of the text (and of a few place facts passed in), cached per text.
The score at which a change is relevant is not set here but in monitor
(:data:`monitor.models.RELEVANT_AT`), which the category analyzer reads.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from plugins.analyzers.textutil import fold, sentences
from plugins.analyzers.vocabulary import CATEGORY_GROUPS, GROUPS, OFFICE, compile_group

_OFFICE = compile_group(OFFICE)
_PORTFOLIO_GROUPS = ("cooperation", "devcoop", "solidarity")


@dataclass(frozen=True)
class Signals:
    """The vocabulary groups found in a text, with the words that matched."""

    hits: dict[str, tuple[str, ...]]
    title: dict[str, tuple[str, ...]]
    """The same, for the title alone (a title counts double for the category)."""
    sentences: tuple[str, ...] = ()
    """The folded text, one sentence each."""
    text: str = ""
    """The folded title and body, for the groups only the category reads (:meth:`finds`)."""

    def has(self, group: str) -> bool:
        return bool(self.hits.get(group))

    def finds(self, group: str) -> str | None:
        """The first word of a category-only group (``CATEGORY_GROUPS``) in the text, or None."""
        m = CATEGORY_GROUPS[group].search(self.text)
        return m.group(0).strip() if m else None

    def words(self, group: str) -> tuple[str, ...]:
        return self.hits.get(group, ())


def _scan(text: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    masked = _OFFICE.sub(lambda m: " " * len(m.group(0)), text) if _OFFICE.search(text) else text
    for name, rx in GROUPS.items():
        words = list(dict.fromkeys(m.group(0).strip() for m in rx.finditer(
            masked if name in _PORTFOLIO_GROUPS else text)))
        if words:
            found[name] = tuple(words[:6])
    return found


@lru_cache(maxsize=256)
def signals(title: str, body: str) -> Signals:
    """Which vocabulary groups occur in the title and body."""
    folded_title = fold(title)
    folded = folded_title + "\n" + fold(body)
    return Signals(_scan(folded), _scan(folded_title), tuple(sentences(folded)), folded)


@dataclass(frozen=True)
class Relevance:
    """A score in [0, 1] and the rules and words behind it."""

    score: float
    reasons: tuple[str, ...]


def relevance(
    s: Signals,
    *,
    troubled_place: bool = False,
    named_municipality: bool = False,
    subject_municipality: bool = False,
    partner_town: bool = False,
    partner_south: bool = False,
    amount: bool = False,
) -> Relevance:
    """Score a text from its signals.

    Args:
        troubled_place: a place in a country our solidarity topics are about
            (Palestine, Israel, Ukraine, ...) is named.
        named_municipality: a known municipality is named in the text.
        subject_municipality: a municipality is named as the one acting (with a
            municipal cue, or as the subject that opens a sentence: "Gent geeft ...").
        partner_town: a twinning or partnership cue names a partner town.
        partner_south: that partner town is in a country of the South
            (:data:`SOUTH_COUNTRIES`): a cooperation with it is development cooperation.
        amount: a sum of money is named (:func:`plugins.analyzers.amounts.grant_amount`).
    """
    reasons: list[str] = []
    logit = -4.0

    def rule(weight: float, why: str) -> None:
        nonlocal logit
        logit += weight
        reasons.append(f"{'+' if weight >= 0 else ''}{weight:g} {why}")

    church = s.has("church")
    actor = s.has("actor") or (s.has("actor_weak") and not church)
    topic = s.has("topic") or troubled_place or s.has("settlements") or s.has("devcoop")
    twinning = s.has("twinning")
    # a government's programme for twinnings acts on none itself ("La Regione stanzia ... per i
    # Comuni che promuovono gemellaggi")
    governed = s.has("government") and not s.has("actor") and not subject_municipality
    in_passing = twinning and (governed or not _link_acted_on(s))
    if in_passing:
        rule(2.0, f"twinning, named in passing (nobody acts on it): {', '.join(s.words('twinning'))}")
    elif twinning:
        rule(5.0, f"twinning: {', '.join(s.words('twinning'))}")
    elif s.has("town_link"):
        twinning = True
        rule(4.0, f"a link with another town: {s.words('town_link')[0][:60]}")
    elif partner_town and s.has("link_words"):
        # "de partnerschap met het Franse Lesneven": the cue names a town, as in category()
        twinning = True
        rule(3.5, f"a link with a partner town: {', '.join(s.words('link_words'))}")
    elif partner_town and (s.has("cooperation") or s.has("devcoop")):
        rule(2.0, "a partner town is named with a partnership cue")
    if s.has("actor"):
        rule(1.5, f"municipal actor: {', '.join(s.words('actor'))}")
    elif subject_municipality:
        rule(1.5, "a municipality is named as the one acting")
        actor = True
    elif actor:
        rule(0.8, f"municipality: {', '.join(s.words('actor_weak'))}")
    elif named_municipality:
        rule(0.5, "a municipality is named")
    acting = s.has("actor") or subject_municipality
    if topic:
        rule(1.5, f"solidarity topic: {', '.join(s.words('topic')) or 'a place in a country at war'}")
    if s.has("aid"):
        rule(1.5, f"aid: {', '.join(s.words('aid'))}")
        if acting and not topic:
            rule(0.8, "aid given by a municipality")
    elif s.has("giving") and topic:
        rule(1.2, f"a gift on the topic: {', '.join(s.words('giving'))}")
    if amount and acting and (s.has("aid") or s.has("giving") or topic):
        rule(1.0, "a sum of money the municipality grants")
    if s.has("motion") and topic:
        rule(1.2, f"motion on the topic: {', '.join(s.words('motion'))}")
    if s.has("procurement") and s.has("settlements"):
        rule(2.0, f"procurement clause: {', '.join(s.words('procurement') + s.words('settlements'))}")
    elif s.has("settlements"):
        rule(1.0, f"settlements/boycott: {', '.join(s.words('settlements'))}")
    if s.has("symbolic") and topic:
        rule(1.2, f"symbolic action: {', '.join(s.words('symbolic'))}")
    if s.has("devcoop"):
        rule(1.5, f"development cooperation: {', '.join(s.words('devcoop'))}")
    elif partner_town and partner_south and (s.has("cooperation") or s.has("town_link")):
        rule(1.5, "a cooperation with a town in the South")
    elif s.has("cooperation") and topic:
        rule(0.8, f"cooperation: {', '.join(s.words('cooperation'))}")
    if s.has("solidarity"):
        weight = 1.2 if topic else 0.6
        rule(weight, f"solidarity: {', '.join(s.words('solidarity'))}")
    # look-alikes
    if church and not s.has("actor"):
        rule(-6.0, f"church congregation: {', '.join(s.words('church'))}")
    if not actor and not twinning and not named_municipality:
        rule(
            -2.5,
            "no municipality acts"
            + (f" ({', '.join(s.words('national_or_ngo'))})" if s.has("national_or_ngo") else ""),
        )
    if s.has("pastime") and not s.has("decision"):
        # each further sign of leisure (a cup, a choir, a youth team) weighs more
        weight = -2.5 - 0.5 * min(len(s.words("pastime")) - 1, 2)
        leisure = ", ".join(s.words("pastime"))
        rule(weight, f"a match, a club's or association's outing, an obituary: {leisure}")
    if s.has("ceremony") and twinning and not _CHARTER.search(s.text) and not any(
            s.has(g) for g in ("end", "suspend", "aid", "motion", "symbolic")):
        weight = -2.5 - 0.5 * min(len(s.words("ceremony")) - 1, 2)  # a visit, a jubilee, the golden book
        rule(weight, f"a ceremony of a twinning, no decision: {', '.join(s.words('ceremony'))}")
    if s.has("government") and not acting:  # "the council calls on the government": it acts
        rule(-2.0, f"a government acts, not a municipality: {', '.join(s.words('government'))}")
    if s.has("lookalike_twin") and not twinning:
        rule(-1.5, f"twins, not twin towns: {', '.join(s.words('lookalike_twin'))}")
    if s.has("company") and not topic and not twinning:
        rule(-1.5, f"a company's partnership: {', '.join(s.words('company'))}")
    if s.has("traffic") and not topic:
        rule(-1.5, f"parking/traffic: {', '.join(s.words('traffic'))}")
    if s.has("labour") and not topic and not twinning:
        rule(-1.5, f"pensions/unions: {', '.join(s.words('labour'))}")
    score = 1.0 / (1.0 + math.exp(-logit))
    return Relevance(round(score, 4), tuple(reasons))


def ceremony_only(s: Signals) -> str | None:
    """Why nothing was done, or ``None``: two signs of a twinning's ceremony (a delegation
    received, a jubilee, the golden book) and no decision, charter, end, suspension, aid,
    motion or symbolic act: the link is celebrated, nothing is decided."""
    if len(s.words("ceremony")) < 2 or _CHARTER.search(s.text) or any(
            s.has(g) for g in ("decision", "end", "suspend", "aid", "motion", "symbolic")):
        return None
    return f"a ceremony of a twinning, nothing decided: {', '.join(s.words('ceremony'))}"


_DENIED_BEFORE = re.compile(
    r"(?:\bgeen|\bniet|\bkein\w{0,2}|\bnicht|\bnot(?: an?)?|\bno (?:se trata de )?(?:un |una )?|"
    r"\bnon (?:si tratta di )?(?:un |una )?|\bpas (?:d'une?|une?)|\bni |\bsans)\s*(?:\w+\s+){0,2}$")
_DENIED_AFTER = re.compile(
    r"^\w*\s*(?:\(?\s*)?(?:(?:\w+\s+)?"
    r"|(?:is|ist|est|es|e|blijft|bleibt|sei|ware|soit|serait|sia|sarebbe|sea|seria|zou)\s+(?:\w+\s+){0,2})"
    r"(?:niet|nicht|not|pas|no|non)\b"
    r"(?! (?:nur|only|alleen|seulement|solo|solamente)\b)"
    r"|^\w*\s*(?:(?:ist|sei|wird|war) (?:\w+ )?nicht geplant|n'est (?:\w+ )?pas prevu|no esta previst|"
    r"non e previst|is (?:\w+ )?niet gepland|(?:is|was) (?:\w+ )?not planned)")


def twinning_denied(s: Signals) -> bool:
    """Whether every twinning word in the text is denied ("geen stedenband", "il ne
    s'agit pas d'un jumelage", "eine Städtepartnerschaft ist nicht geplant", "it is not a
    twinning", "no se trata de un hermanamiento")."""
    found = False
    for sent in s.sentences:
        for m in GROUPS["twinning"].finditer(sent):
            found = True
            before, after = sent[max(0, m.start() - 40): m.start()], sent[m.end(): m.end() + 40]
            if not (_DENIED_BEFORE.search(before) or _DENIED_AFTER.search(after)):
                return False
    return found


_ACTS = ("establish", "end", "suspend", "decision", "demand", "motion", "actor", "aid", "symbolic",
         "cooperation", "devcoop", "giving")


def _link_acted_on(s: Signals) -> bool:
    """Whether a sentence naming a twinning, or the sentence next to it, has someone
    act on it or in its name: a decision, a demand, a motion, a municipal actor, aid,
    cooperation, a symbolic act."""
    sents = s.sentences
    for i, sent in enumerate(sents):
        if GROUPS["twinning"].search(sent):
            near = " ".join(sents[max(i - 1, 0): i + 2])
            if any(GROUPS[g].search(near) for g in _ACTS):
                return True
    return not sents


_CHARTER = re.compile(
    r"renouvel|erneuer|vernieuw|rinnov|renov|renew|charte|charter|urkunde|oorkonde|overeenkomst|vertrag|"
    r"convenio|accordo|agreement|pacte|patto|pacto|protocol")
"""A document signed or renewed at a ceremony: then the ceremony is the act."""
_STATES = ("end", "suspend", "establish")
_DEBATE = re.compile(
    r"(?<![a-z])(?:discuss|debat|beraten|diskut|diskuss|besprochen|agenda|ordre du jour|tagesordnung|"
    r"(?:uber|door)?verwiesen|renvoye|referred (?:back )?to|rinviat|remitid|"
    r"orden del dia|"
    r"ordine del giorno|discut|bespr[eo]k|will be (?:put|voted)|zal .{0,30}stemmen|wird .{0,30}abstimmen)"
)
_NEGATION = re.compile(
    r"(?<![a-z])(?:not|n't|niet|nicht|ne|n'|no|non|kein\w{0,3}|geen|nie|never|nooit|jamais|nunca|aucune?|"
    r"ningun[oa]?|nessun[oa]?)"
    r"(?![a-z])(?! (?:longer|langer|mehr|plus|piu|mas)\b)"
)
_UNTIL = re.compile(
    r"(?<![a-z])(?:bis|until|till|jusqu'a ce que|jusqu'a|totdat|tot|hasta que|finche|fino a quando)\s"
    # "bis auf Weiteres", "until further notice": how long, not a condition
    r"(?!auf weiteres|further notice|nouvel ordre|nader order|nuevo aviso|nuovo ordine)")
"""A state in a clause of time ("bis der Krieg beendet ist", "until the war has ended"): a
condition, not an act."""
_SIGNING = re.compile(r"sign|onderteken|unterzeichn|firm")
_STATE_NAMES = {"end": "twinning_ended", "suspend": "twinning_suspended", "establish": "twinning_established"}
SOUTH_COUNTRIES = frozenset(
    "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML MR MU "
    "MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW "
    "AR BO BR CL CO CR CU DO EC SV GT HT HN MX NI PA PY PE UY VE "
    "AF BD BT KH IN ID LA MM NP PK PH LK TL VN PS LB JO SY IQ YE".split()
)
"""Countries of the South (ISO 3166): where a town's partner is a development partner."""


@dataclass(frozen=True)
class LinkStates:
    """What a text says was done to a link between towns, and what was only asked for."""

    done: dict[str, int]
    """States (end, suspend, establish) a body decided or did: 2 with a decision word, else 1."""
    asked: dict[str, int]
    """States asked for, proposed, debated, refused or rejected."""
    debated: bool
    """A sentence naming a link asks, petitions, proposes or debates."""
    decided: bool
    """A sentence naming a link has a decision of its own (not refused, not a petition signed)."""


def _sentence_mood(sent: str) -> tuple[list[int], list[int], bool, bool]:
    """Positions of demand words (asking, proposing, debating) and of decision words in a
    sentence, whether something in it is rejected or refused, and whether it proposes."""
    proposals = [m.start() for m in CATEGORY_GROUPS["proposal"].finditer(sent)]
    demands = [m.start() for m in GROUPS["demand"].finditer(sent)] + proposals
    petition = bool(CATEGORY_GROUPS["petition"].search(sent))
    # "residents signed a petition": signing a call is asking, not a decision
    decisions = [m.start() for m in GROUPS["decision"].finditer(sent)
                 if not (petition and _SIGNING.match(m.group(0)))]
    return sorted(demands), decisions, bool(CATEGORY_GROUPS["reject"].search(sent)), bool(proposals)


def negated(sent: str, at: int) -> bool:
    """Whether a negation ("not", "niet", "ne", "kein") comes just before ``at``."""
    # searched in place (not in a slice), so a word cut at the window's start is not a negation
    return bool(_NEGATION.search(sent, max(0, at - 25), at))


def link_states(s: Signals) -> LinkStates:
    """What the text says was done to a link, and what was only asked for, sentence by sentence.

    The grammar, in the six languages: a sentence that names a link and ends, suspends or
    makes it counts as *done* (twice when a decision word is in it: "the municipality decided
    to suspend relations"), unless it is only *asked*: a demand, proposal or debate word
    comes before the cue with no decision word in between ("a petition calling for ending the
    twinning"), the sentence has no decision word but a proposal or debate ("a motion to end
    the link will be discussed", "Antrag ... eingebracht"), the cue is negated ("will not
    end", "nicht beenden", "ne suspendra pas") or something in the sentence is rejected or
    refused ("the motion to suspend was rejected", "lehnte den Antrag ab", "weigert").
    """
    done: dict[str, int] = {}
    asked: dict[str, int] = {}
    debated = decided = False
    link = GROUPS["link_words"]
    for sent in s.sentences:
        if not (link.search(sent) or GROUPS["twinning"].search(sent)):  # "Städtefreundschaft"
            continue
        demands, decisions, rejected, proposes = _sentence_mood(sent)
        proposal_or_debate = proposes or bool(_DEBATE.search(sent))
        debated = debated or bool(demands) or rejected
        # the sentence's own decision: its first mood word is a decision, and nothing is refused
        first_demand = demands[0] if demands else len(sent)
        if decisions and not rejected and decisions[0] < first_demand:
            if negated(sent, decisions[0]):
                debated = True  # "neemt geen besluit", "did not decide": still open
            else:
                decided = True
        petition = bool(CATEGORY_GROUPS["petition"].search(sent))
        for state in _STATES:
            for m in GROUPS[state].finditer(sent):
                if petition and _SIGNING.match(m.group(0)):
                    continue  # signing a petition makes no link
                last_demand = max((d for d in demands if d < m.start()), default=-1)
                last_decision = max((d for d in decisions if d < m.start()), default=-1)
                not_done = negated(sent, m.start()) or bool(
                    _UNTIL.search(sent, max(0, m.start() - 50), m.start()))
                # "ha approvato la mozione che sospende", "der Rat folgte einem Antrag": a decision
                # that comes first in the sentence adopts the motion it names
                adopted = bool(decisions) and decisions[0] < first_demand and not rejected
                if (rejected or not_done or (last_demand > last_decision and not adopted)
                        or (not decisions and proposal_or_debate)):
                    asked[state] = max(asked.get(state, 0), 1)
                else:
                    done[state] = max(done.get(state, 0), 2 if last_decision >= 0 else 1)
    return LinkStates(done, asked, debated, decided)


def category(
    s: Signals,
    *,
    amount: bool = False,
    troubled_place: bool = False,
    partner_town: bool = False,
    partner_south: bool = False,
) -> tuple[str, tuple[str, ...]]:
    """The most specific category the signals support, with why.

    Args:
        partner_south: the partner town is in a country of the South
            (:data:`SOUTH_COUNTRIES`).
    """
    topic = s.has("topic") or troubled_place or s.has("settlements")
    twinning, town_link = s.has("twinning"), s.has("town_link")
    if twinning and twinning_denied(s):
        asked = s.has("motion") or CATEGORY_GROUPS["proposal"].search(s.text)
        if asked and CATEGORY_GROUPS["reject"].search(s.text):
            # "geen stedenband met X: een motie daarvoor haalde geen meerderheid": a debate lost
            return "twinning_debate", ("no twinning: the motion or proposal for one was rejected",)
        # "Geen stedenband, wel een samenwerkingsakkoord", "it is not a twinning": a partnership
        return "partnership_cooperation", ("the text says it is not a twinning",)
    # a partner town named with a link word ("die Partnerschaft mit Kaliningrad"): a town link too
    town_link = town_link or (partner_town and s.has("link_words"))
    if twinning or town_link:
        st = link_states(s)
        ends = {k: v for k, v in st.done.items() if k in ("end", "suspend")}
        if ends:
            state = max(ends, key=lambda k: (ends[k], k == "end"))
            return _STATE_NAMES[state], (f"{state}: {', '.join(s.words(state))}",)
        if any(k in st.asked for k in ("end", "suspend")):
            asked_by = ", ".join(s.words("demand")) or "refused or rejected"
            return "twinning_debate", (f"asked for, not decided: {asked_by}",)
        # aid, or money given to the partner town outside a cooperation agreement's budget
        if s.has("aid") or (amount and s.has("giving") and not (s.has("cooperation") or s.has("devcoop"))):
            given = s.words("aid") or s.words("giving")
            return "humanitarian_aid", (f"aid to a partner town: {', '.join(given)}",)
        strict = s.finds("twinning_strict")
        south = ("the partner's country" if partner_south else None) or s.finds("south") or (
            s.words("devcoop") or ("",))[0]
        if not twinning or (not strict and south):
            why = f"in the South ({south})" if south and twinning else (s.words("town_link") or ("",))[0][:60]
            return "partnership_cooperation", (f"a partnership with a town, not called a twinning: {why}",)
        if "establish" in st.done or st.decided:
            return "twinning_established", (
                f"link made: {', '.join(s.words('establish') or s.words('decision'))}",
            )
        if st.debated or "establish" in st.asked:
            return "twinning_debate", ("asked, proposed or debated, not decided",)
        return "twinning_established", ("a twinning link is described",)
    found = _solidarity_category(s, amount=amount, topic=topic, partner_town=partner_town)
    return found or ("other_solidarity", ("no more specific action found",))


def _solidarity_category(
    s: Signals, *, amount: bool, topic: bool, partner_town: bool = False
) -> tuple[str, tuple[str, ...]] | None:
    scores: dict[str, float] = {}

    def add(name: str, group: str, weight: float) -> None:
        if s.has(group):
            scores[name] = scores.get(name, 0.0) + weight + (0.5 if s.title.get(group) else 0.0)

    add("procurement_policy", "procurement", 1.0)
    if s.has("procurement") or s.has("settlements"):
        boycott = s.finds("boycott")
        if boycott:
            # a boycott, or companies or products excluded: a buying rule, whatever the instrument
            scores["procurement_policy"] = scores.get("procurement_policy", 0.0) + 1.5
    if s.has("settlements") and "procurement_policy" in scores:
        scores["procurement_policy"] += 1.5
    add("humanitarian_aid", "aid", 1.5)
    if amount and s.has("giving"):
        # money given, on a war, a disaster or its victims: an aid grant
        scores["humanitarian_aid"] = scores.get("humanitarian_aid", 0.0) + (1.6 if topic else 0.8)
    elif amount and topic:
        # "Villeurbanne — 12 000 € à l'UNRWA pour Gaza": a sum on the topic is a grant
        scores["humanitarian_aid"] = scores.get("humanitarian_aid", 0.0) + 1.2
    if s.has("motion") and topic:
        add("council_motion", "motion", 1.6)
    if topic or s.has("solidarity"):
        add("symbolic_action", "symbolic", 1.2)
    add("partnership_cooperation", "cooperation", 1.0)
    add("partnership_cooperation", "devcoop", 0.6)
    if partner_town and "partnership_cooperation" in scores:
        scores["partnership_cooperation"] += 1.0  # a cooperation with a named town
    add("other_solidarity", "solidarity", 0.6)
    if not scores:
        return None
    best = max(scores, key=lambda k: scores[k])
    return best, (f"{best}: {scores[best]:.1f}",)
