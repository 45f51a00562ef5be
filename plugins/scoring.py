"""Relevance score and category from the vocabulary: the rules, in one place.

``signals(title, body)`` finds the vocabulary groups in a text; ``relevance``
turns them into a score in [0, 1] with the reasons that produced it, and
``category`` picks one of :data:`monitor.models.CATEGORIES`. Both are pure
functions of the text (and of a few place facts passed in), cached per text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from plugins.textutil import fold, sentences
from plugins.vocabulary import GROUPS

THRESHOLD = 0.5
"""A score at or above this is ``relevant``."""


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
    for name, rx in GROUPS.items():
        words = list(dict.fromkeys(m.group(0).strip() for m in rx.finditer(text)))
        if words:
            found[name] = tuple(words[:6])
    return found


@lru_cache(maxsize=256)
def signals(title: str, body: str) -> Signals:
    """Which vocabulary groups occur in the title and body."""
    folded_title = fold(title)
    folded = folded_title + "\n" + fold(body)
    return Signals(_scan(folded), _scan(folded_title), tuple(sentences(folded)[:400]))


@dataclass(frozen=True)
class Relevance:
    """A score in [0, 1] and the rules and words behind it."""

    score: float
    reasons: tuple[str, ...]


def relevance(s: Signals, *, troubled_place: bool = False, named_municipality: bool = False) -> Relevance:
    """Score a text from its signals.

    Args:
        troubled_place: a place in a country our solidarity topics are about
            (Palestine, Israel, Ukraine, ...) is named.
        named_municipality: a known municipality is named in the text.
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
    if s.has("actor"):
        rule(1.5, f"municipal actor: {', '.join(s.words('actor'))}")
    elif actor:
        rule(0.8, f"municipality: {', '.join(s.words('actor_weak'))}")
    elif named_municipality:
        rule(0.5, "a municipality is named")
    if topic:
        rule(1.5, f"solidarity topic: {', '.join(s.words('topic')) or 'a place in a country at war'}")
    if s.has("aid"):
        rule(1.5, f"aid: {', '.join(s.words('aid'))}")
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


_TWIN_ORDER = (("twinning_ended", "end"), ("twinning_suspended", "suspend"))


def category(
    s: Signals, *, amount: bool = False, troubled_place: bool = False
) -> tuple[str, tuple[str, ...]]:
    """The most specific category the signals support, with why."""
    topic = s.has("topic") or troubled_place or s.has("settlements")
    if s.has("twinning"):
        decided = s.has("decision")
        asked = s.has("demand")
        demand = GROUPS["demand"]
        for name, group in _TWIN_ORDER:
            rx = GROUPS[group]
            if any(rx.search(x) and not demand.search(x) for x in s.sentences):
                return name, (f"{group}: {', '.join(s.words(group))}",)
        for _, group in _TWIN_ORDER:
            if s.has(group):
                return "twinning_debate", (f"{group} asked for: {', '.join(s.words('demand'))}",)
        if asked and not s.has("establish"):
            return "twinning_debate", (f"debate: {', '.join(s.words('demand'))}",)
        if s.has("aid"):
            return "humanitarian_aid", (f"aid to a partner town: {', '.join(s.words('aid'))}",)
        if s.has("establish") or decided:
            return "twinning_established", (
                f"link made: {', '.join(s.words('establish') or s.words('decision'))}",
            )
        if asked:
            return "twinning_debate", (f"debate: {', '.join(s.words('demand'))}",)
        return "twinning_established", ("a twinning link is described",)
    found = _solidarity_category(s, amount=amount, topic=topic)
    return found or ("other_solidarity", ("no more specific action found",))


def _solidarity_category(s: Signals, *, amount: bool, topic: bool) -> tuple[str, tuple[str, ...]] | None:
    scores: dict[str, float] = {}

    def add(name: str, group: str, weight: float) -> None:
        if s.has(group):
            scores[name] = scores.get(name, 0.0) + weight + (0.5 if s.title.get(group) else 0.0)

    add("procurement_policy", "procurement", 1.0)
    if s.has("settlements") and "procurement_policy" in scores:
        scores["procurement_policy"] += 1.5
    add("humanitarian_aid", "aid", 1.5)
    if amount and s.has("giving"):
        scores["humanitarian_aid"] = scores.get("humanitarian_aid", 0.0) + 0.8
    if s.has("motion") and topic:
        add("council_motion", "motion", 1.6)
    if topic or s.has("solidarity"):
        add("symbolic_action", "symbolic", 1.2)
    add("partnership_cooperation", "cooperation", 1.0)
    add("partnership_cooperation", "devcoop", 0.6)
    add("other_solidarity", "solidarity", 0.6)
    if not scores:
        return None
    best = max(scores, key=lambda k: scores[k])
    return best, (f"{best}: {scores[best]:.1f}",)
