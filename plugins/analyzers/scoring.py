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
from plugins.analyzers.vocabulary import GROUPS, OFFICE, compile_group

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

    def has(self, group: str) -> bool:
        return bool(self.hits.get(group))

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
    return Signals(_scan(folded), _scan(folded_title), tuple(sentences(folded)))


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
) -> Relevance:
    """Score a text from its signals.

    Args:
        troubled_place: a place in a country our solidarity topics are about
            (Palestine, Israel, Ukraine, ...) is named.
        named_municipality: a known municipality is named in the text.
        subject_municipality: a municipality is named as the one acting (with a
            municipal cue, or as the subject that opens a sentence: "Gent geeft ...").
        partner_town: a twinning or partnership cue names a partner town.
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
    if twinning:
        rule(5.0, f"twinning: {', '.join(s.words('twinning'))}")
    elif s.has("town_link"):
        twinning = True
        rule(4.0, f"a link with another town: {s.words('town_link')[0][:60]}")
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


_STATES = ("end", "suspend", "establish")
_DEBATE = re.compile(
    r"(?<![a-z])(?:discuss|debat|beraten|diskut|diskuss|besprochen|agenda|ordre du jour|tagesordnung|"
    r"orden del dia|"
    r"ordine del giorno|discut|bespr[eo]k|will be (?:put|voted)|zal .{0,30}stemmen|wird .{0,30}abstimmen)"
)
_STATE_NAMES = {"end": "twinning_ended", "suspend": "twinning_suspended", "establish": "twinning_established"}


def link_states(s: Signals) -> tuple[dict[str, int], dict[str, int], bool]:
    """What the text says was done to a link, and what was only asked for, sentence by sentence.

    A sentence that names a link and ends, suspends or makes it counts as *done* (twice
    when a decision word is in it: "the municipality decided to suspend relations"),
    unless someone only asks, petitions, campaigns or debates in it ("a petition
    calling for ending the twinning", "hatten gefordert, die Partnerschaft zu
    beenden; dafür gab es keine Mehrheit"): then it is *asked*. Returns ``(done,
    asked, debated)``, ``debated`` when a sentence names a link and a demand or debate.
    """
    done: dict[str, int] = {}
    asked: dict[str, int] = {}
    debated = False
    link, demand, decision = GROUPS["link_words"], GROUPS["demand"], GROUPS["decision"]
    debate = _DEBATE
    for sent in s.sentences:
        if not link.search(sent):
            continue
        demands = [m.start() for m in demand.finditer(sent)]
        decisions = [m.start() for m in decision.finditer(sent)]
        debated = debated or bool(demands)
        for state in _STATES:
            for m in GROUPS[state].finditer(sent):
                # asked when a demand word comes before the cue with no decision word in between
                # ("calling for ending", "want the twinning ended"); "decided to suspend ... after
                # weeks of protests" is done
                last_demand = max((d for d in demands if d < m.start()), default=-1)
                last_decision = max((d for d in decisions if d < m.start()), default=-1)
                # "a motion to end the link will be discussed": put to a debate, not decided
                if last_demand > last_decision or (not decisions and debate.search(sent)):
                    asked[state] = max(asked.get(state, 0), 1)
                else:
                    weight = 2 if last_decision >= 0 else 1
                    done[state] = max(done.get(state, 0), weight)
    return done, asked, debated


def category(
    s: Signals, *, amount: bool = False, troubled_place: bool = False, partner_town: bool = False
) -> tuple[str, tuple[str, ...]]:
    """The most specific category the signals support, with why."""
    topic = s.has("topic") or troubled_place or s.has("settlements")
    twinning, town_link = s.has("twinning"), s.has("town_link")
    if twinning or town_link:
        done, asked, debated = link_states(s)
        ends = {k: v for k, v in done.items() if k in ("end", "suspend")}
        if ends:
            state = max(ends, key=lambda k: (ends[k], k == "end"))
            return _STATE_NAMES[state], (f"{state}: {', '.join(s.words(state))}",)
        if any(k in asked for k in ("end", "suspend")):
            return "twinning_debate", (f"asked for, not decided: {', '.join(s.words('demand'))}",)
        if s.has("aid"):
            return "humanitarian_aid", (f"aid to a partner town: {', '.join(s.words('aid'))}",)
        if not twinning:
            return "partnership_cooperation", (f"a partnership with a town: {s.words('town_link')[0][:60]}",)
        if "establish" in done or s.has("decision"):
            return "twinning_established", (
                f"link made: {', '.join(s.words('establish') or s.words('decision'))}",
            )
        if debated:
            return "twinning_debate", (f"debate: {', '.join(s.words('demand'))}",)
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
    if s.has("settlements") and "procurement_policy" in scores:
        scores["procurement_policy"] += 1.5
    add("humanitarian_aid", "aid", 1.5)
    if amount and s.has("giving"):
        # money given, on a war, a disaster or its victims: an aid grant
        scores["humanitarian_aid"] = scores.get("humanitarian_aid", 0.0) + (1.6 if topic else 0.8)
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
