"""Municipal events read from a change's passages: list edits and overview entries.

A change is text; what a curator records is an event: who did what, with whom, when,
for how much. Two shapes of page change carry events that the bare diff hides:

* **A list edit under a twinning or partnership heading.** "Megiddo (Israel)" removed
  from the list under "1.1. Twinning partnerships" on Ixelles' page means the twinning
  ended (suspended, when the page says so); a town added means it was made. The
  heading path comes with the passage (:class:`monitor.models.Passage`), in any of
  the six languages.
* **Entries of an overview or of minutes.** An overview that gains dated entries
  under three municipalities' headings, or minutes that add three agenda points,
  hold three events: each group of added paragraphs under its own heading is read
  on its own, with its own municipality, action, date and amount.

:func:`events` returns them, first the one the change is mostly about; the other
built-in analyzers take their single findings from that first event when there is
one, and the events analyzer lists them all (the ``events`` finding, at most
:data:`monitor.models.MAX_EVENTS`). A change without such passages yields no events
here, and the analyzers read its text as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from monitor.hookspecs import hookimpl
from monitor.models import MAX_EVENTS, RELEVANT_AT, AnalysisContext, ChangeDraft, Finding, Passage
from plugins.analyzers.amounts import grant_amount
from plugins.analyzers.countrywords import country_word
from plugins.analyzers.dates import decision_date
from plugins.analyzers.gazetteer import Place, _common_words, countries, gazetteer, key, wide
from plugins.analyzers.scoring import category, relevance, signals
from plugins.analyzers.textutil import fold
from plugins.analyzers.vocabulary import CATEGORY_GROUPS

_TWINNING_HEAD = re.compile(
    r"twinn|twin (?:town|cit)|sister (?:town|cit)|partner (?:town|cit)|jumel|villes? partenaires?|"
    r"stedenband|zusterst|zustergemeente|verbroedering|partnerst|schwesterst|villes? s(?:oe|œ)urs?|"
    r"citta (?:sorell|gemell)|partnergemeente|partnergemeind|partnerkommun|stadtepartner|"
    r"partnerschaften? mit|gemellag|"
    r"citta gemellat|hermanami|ciudades? herman|hermanad")
"""A heading over a list of twinned towns (folded: lower case, no accents)."""
_COOPERATION_HEAD = re.compile(
    r"partnership|partenariat|cooperation|samenwerking|partnerschap|partnerschaft|zusammenarbeit|"
    r"projektpartner|partnergemeinden|partners? (?:in|im|en|nel)|partenaires?|"
    r"cooperazione|partenariat|cooperacion|asociacion")
"""A heading over a list of partnerships that are not (said to be) twinnings."""
_SUSPENDED = re.compile(
    r"suspen[ds]|opgeschort|geschorst|on hold|ausgesetzt|ruht|ruhend|slapend|dormant|en sommeil|"
    r"sospes|congelad|bevroren|gel[ée]")
_ENDED = re.compile(
    r"\bended\b|terminated|former|beeindigd|stopgezet|voormalig|beendet|ehemalig|aufgelost|termine|"
    r"ancien|rompu|interrott|cessat|ex-|terminad|finalizad|antigu|"
    r"dissou|dissol|ontbonden|opgeheven|aufgehoben|sciolt|disuelt")
_STATUS = re.compile(
    r"^(?:status:? )?(?:active?|actief|actieve|aktiv|aktive|actif|actifs|attiv[oi]|activ[oa]s?|"
    r"suspended|suspendu|opgeschort|ruhend|ruhende|sospes[oi]|suspendid[oa]|dormant|slapend|"
    r"inactive?|inactief|ended|beeindigd|beendet|termine|terminad[oa]|former|voormalige?|ehemalige?|"
    r"anciens?|ex)\b")
_STATUS_PHRASE = re.compile(rf"^(?:status:? )?(?:{_SUSPENDED.pattern}|{_ENDED.pattern})")
"""A cell or item that opens with what became of a link ("dissous (délibération du 3 juillet)",
"ruht seit Gemeinderatsbeschluss vom 5. Mai"): a status, not a town."""
_SUBDIVISION = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s*)?(?:europe|europa|afrique|africa|afrika|asia|asie|azie|asien|"
    r"america|amerique|amerika|latin america|oceania|oceanie|oceanie|middle east|moyen-orient|"
    r"midden-oosten|naher osten|medio oriente|oriente medio|world|monde|wereld|welt|mondo|mundo|"
    r"international|internationale?|internazional[ei]|active|aktive|actieve|actifs|attivi|activos|"
    r"ruhende|slapende|dormant|former|ehemalige|voormalige|anciens|precedenti|antiguos)")
_CAPITALISED = re.compile(
    r"[A-ZÀ-Þ][\w'’.-]*(?:[ -](?:(?:de|du|del|la|le|sur|am|an|di)[ -])?[A-ZÀ-Þ][\w'’.-]*)*")
_PAREN = re.compile(r"\(([^()]{1,60})\)")
_NAME = re.compile(r"^[^\W\d_][\w'’.\- ]{0,60}?(?=\s*(?:[,(–—:/]| - |$))")
_DIGITS = re.compile(r"\d")
_ADMIN_NOUN = re.compile(
    r"^(?:[Dd]a[iï]ra|[Ww]ilaya|[Gg]emeinde|[Gg]emeente|[Mm]unicipio|[Cc]omune|[Cc]ommune|[Vv]ille|[Ss]tadt)"
    r"(?:[ \t]+(?:de|d'|di|del|van|von|of))?[ \t]+(?=[A-ZÀ-Þ])")

_STATUS_WORD = re.compile(
    r"\b(?:active?|actief|actieve|aktiv\w*|actifs?|attiv[oi]|activ[oa]s?|lopende|laufende|en cours|"
    r"in corso|en curso|current|huidige|aktuelle)\b")
"""A status anywhere in a heading: "Progetti attivi", "Laufende Projekte"."""

_NOT_A_LIST = re.compile(
    r"associat|comite|committee|verein|vereniging|vorstand|bestuur|bureau|board|contact|kontakt|"
    r"contatt|termine|agenda|evenement|events?\b|activit|actividad|attivita|news|nieuws|actualit|aktuell")
"""Headings over people, addresses and dates of a twinning page: no list of partners."""

_PLACE_COLUMN = re.compile(
    r"\b(?:gemeente|stad|commune|ville|municipality|council|city|town|gemeinde|stadt|kommune|"
    r"comune|citta|municipio|ayuntamiento|localidad)\b")
"""A table header naming a municipality column."""

_NOT_CONTENT = ("h1", "h2", "h3", "h4", "h5", "h6", "label", "header")
"""Roles that introduce content: a heading added with its entry is not the entry."""

MAX_GROUPS = 200
"""Groups of added paragraphs read for events (the events kept are fewer: MAX_EVENTS)."""


@dataclass(frozen=True)
class Event:
    """One municipal event a change holds."""

    action: str | None
    passage: str
    municipality: str | None = None
    country: str | None = None
    partner: str | None = None
    partner_country: str | None = None
    date: str | None = None
    amount_eur: float | None = None
    score: float = 0.0
    reasons: tuple[str, ...] = ()

    def as_value(self) -> dict[str, object]:
        """The event as one item of the ``events`` finding's value."""
        value: dict[str, object] = {"action": self.action, "passage": self.passage[:500]}
        for name in ("municipality", "country", "partner", "partner_country", "date", "amount_eur"):
            if getattr(self, name) is not None:
                value[name] = getattr(self, name)
        return value


def _country_code(text: str) -> str | None:
    k = key(text)
    return countries().get(k) or (country_word(k) if k and " " not in k else None)


def item_place(text: str, municipality: str | None = None) -> tuple[str | None, str | None]:
    """The town a list item names and its country: ``Megiddo (Israel)`` ->
    ``("Megiddo", "IL")``; ``Kalamu, Kinshasa (DRC)`` -> ``("Kalamu", None)``; a pair
    ``Geraardsbergen – Steinfurt (Duitsland)`` on Geraardsbergen's page -> Steinfurt."""
    if text.startswith("|"):  # a table row: its first cell
        text = text.strip("| ").split(" | ")[0]
    if municipality:
        for sep in (" – ", " — ", " - ", " / ", " ↔ ", " "):
            first, found, rest = text.partition(sep)
            if found and key(first) == key(municipality):
                text = rest
                break
            if sep == " " and text.startswith(municipality + " "):  # a row's cells joined by spaces
                text = text[len(municipality) + 1:]
    text = _ADMIN_NOUN.sub("", text)  # "Daira de Tichla", "Gemeinde Vrchlabí": the name after its noun
    country = None
    for inner in _PAREN.findall(text):
        country = country or _country_code(inner.strip())
    for sep in (" - ", " – ", ", "):
        if sep in text and country is None:
            country = _country_code(text.rsplit(sep, 1)[1].strip(" ()"))
    words = text.split()
    for i, w in enumerate(words[1:], 1):  # "Boyarka Oekraïne 2024": the name ends at its country
        code = _country_code(w.strip("(),;"))
        whole = " ".join(words[: i + 1]).strip("(),;")
        if code and (gazetteer().lookup(whole) or _wide_lookup(whole)):
            continue  # "Staraya Russa (Russia)": a word of the name that is also a country word
        if code or _DIGITS.match(w):
            if code and country is None:
                country = code
            text = " ".join(words[:i])
            break
    m = _NAME.match(text.strip())
    name = m.group(0).strip(" .-") if m else ""
    lead = name.split()
    for n in range(len(lead) - 1, 0, -1):  # "Oleksandrija Gemeinderat": the cells after the town's
        if not (gazetteer().lookup(name) or _wide_lookup(name)) and (
                gazetteer().lookup(" ".join(lead[:n])) or _wide_lookup(" ".join(lead[:n]))):
            name = " ".join(lead[:n])
    if not (gazetteer().lookup(name) or _wide_lookup(name)):
        # a described item ("Afvalbeheer met de gemeente Koudougou (Burkina Faso)"): the
        # last capitalised name before the country, or the last one a gazetteer knows
        head = text.split("(")[0]
        runs = [r.strip(" .-") for r in _CAPITALISED.findall(head)][1:]  # not the sentence's first word
        known = [r for r in runs if gazetteer().lookup(r) or _wide_lookup(r)]
        name = known[-1] if known else (runs[-1] if runs and country else name)
    if not name or len(name.split()) > 5 or not name[:1].isupper():
        return None, country
    if country is None:
        places = gazetteer().lookup(name) or _wide_lookup(name)
        if not places:
            return None, None  # "Zaterdag: 10u - 12u": no town, no country
        if len(places) == 1:
            country = places[0].country
    return name, country


def _wide_lookup(name: str) -> list[Place]:
    """Places of 1,000+ of that name (the wide gazetteer; nothing when it is absent,
    nor for a name that is a common word: "Chair", "Union")."""
    if key(name) in _common_words():
        return []
    try:
        return wide().lookup(name, loose=True)  # a list's item is a town: any transliteration
    except (OSError, ImportError, ValueError):
        return []


def _list_heading(p: Passage) -> tuple[str, bool, str] | None:
    """``(heading, twinning?, subdivision)`` of the twinning or partnership list ``p``
    sits in: its label, its nearest heading, or the heading above a subdivision of the
    list (a continent, a country, "active", "dormant", "former": ``subdivision``)."""
    heads = [h for h in (p.label, *reversed(p.headings[-3:])) if h]
    subdivision = ""
    for n, heading in enumerate(heads):
        folded = fold(heading)
        if _NOT_A_LIST.search(folded):
            return None  # "Twinning Association", "Contact": people and addresses, not partners
        twinning = bool(_TWINNING_HEAD.search(folded))
        if twinning or _COOPERATION_HEAD.search(folded):
            if not twinning and subdivision == "" and any(_TWINNING_HEAD.search(fold(h)) for h in heads):
                continue  # "active partnerships" under "our twin towns": a subdivision
            return heading, twinning, subdivision
        if n == 0 and heading == p.label and p.role in ("row", "paragraph"):
            continue  # a table's header row ("Town Country Since") names columns, not the list
        if not _is_subdivision(heading):
            return None
        subdivision = subdivision or heading
    return None


def _is_subdivision(heading: str) -> bool:
    """A heading that splits a list of partners: a continent, a country, a status, or a
    table's header row."""
    folded = fold(heading)
    return bool(_SUBDIVISION.search(folded) or _STATUS.search(folded) or _STATUS_WORD.search(folded)
                or _country_code(heading) or heading.startswith("|"))


def list_edit(p: Passage, page: str) -> tuple[str, str] | None:
    """``(action, why)`` when ``p`` is a town added to or removed from a list under a
    twinning or partnership heading, or a status word that changed beside one;
    ``None`` otherwise."""
    if p.side not in ("added", "removed") or len(p.text) > 200:
        return None
    if p.role not in ("item", "row", "paragraph", "h3", "h4", "h5", "h6"):
        return None  # a card's title is a small heading: it is the list's item
    found = _list_heading(p)
    if found is None:
        return None
    heading, twinning, subdivision = found
    status = _STATUS.search(fold(p.text))
    if status and p.side == "removed" and status.end() >= len(fold(p.text).split("(")[0].strip()) - 1:
        return None  # "active" taken away: the other half of a status that changed
    if p.side == "removed" and _still_listed(p.text, page):
        return None  # "Ath" gone as a cell of its own, still there opening its row: the table was redrawn
    if p.role == "paragraph" and not (status and p.side == "added" and len(p.text) <= 40):
        # a plain paragraph is no list item; a bare status word is a table cell, and so is
        # a town the gazetteer knows, alone on its line ("Irpin" under "Villes jumelles"), and
        # a row gone from a table under its header ("Kenitra Marruecos 2003" below "Ciudad País Año")
        row = bool(p.label) and p.side == "removed" and item_place(p.text)[0] is not None
        if len(p.text) > 60 or not (row or gazetteer().lookup(p.text.strip())):
            return None
    where = f"{'added to' if p.side == 'added' else 'removed from'} the list under {heading!r}"
    if subdivision:
        where += f" › {subdivision!r}"
    if not twinning:
        return "partnership_cooperation", f"a partner {where}"
    if p.side == "added":
        marks = fold(f"{heading} {subdivision} {p.text}")  # "Former twin towns", "ruhende"
        if _SUSPENDED.search(marks):
            return "twinning_suspended", f"a town {where}: the twinning is suspended"
        if _ENDED.search(marks):
            return "twinning_ended", f"a town {where}: the twinning ended"
        if status:
            return None  # "active": nothing happened
        return "twinning_established", f"a town {where}: the twinning was made"
    if _SUSPENDED.search(fold(page)):
        return "twinning_suspended", f"a town {where}, and the page speaks of a suspension"
    return "twinning_ended", f"a town {where}: the twinning ended"


def _still_listed(item: str, page: str) -> bool:
    """Whether a line of the page still opens with the removed item (a row "Ath Dori
    (Burkina Faso) ..." where the cell "Ath" was its own line). Prose that names the
    town ("... Megiddo in Israel, ...") does not keep it listed."""
    item = item.strip()
    return bool(item) and item in _line_heads(page)


HEAD_WORDS = 8
"""A removed item is looked for among the first this many words of each line."""


@lru_cache(maxsize=4)
def _line_heads(page: str) -> frozenset[str]:
    """The openings (one to :data:`HEAD_WORDS` words) of the page's lines, read once per
    page: a change that removes many items does not read the page again for each."""
    heads: set[str] = set()
    for line in page.split("\n")[:100_000]:
        words = line.lstrip("| ").split(" ")
        heads.update(" ".join(words[:n]) for n in range(1, min(len(words), HEAD_WORDS) + 1))
    return frozenset(heads)


def _row_town(text: str, p: Passage) -> str:
    """The town of a table row whose cells are lines: the nearest line before the
    status cell ``p`` that is not a country, a year or a status."""
    lines = text.split("\n")
    for i, line in enumerate(lines[: 100_000]):
        if line == p.text and i and lines[i - 1] == p.before:
            for back in range(i - 1, max(i - 5, -1), -1):
                cell = lines[back]
                if not (_country_code(cell) or _DIGITS.match(cell) or _STATUS.search(fold(cell))):
                    return cell
            break
    return p.before


def _turned_off(p: Passage) -> bool:
    """An edited row or item whose new side says suspended or ended and whose old side
    did not: a status that changed."""
    new, old = fold(p.text), fold(p.old)
    return bool((_SUSPENDED.search(new) and not _SUSPENDED.search(old))
                or (_ENDED.search(new) and not _ENDED.search(old)))


def inline_edits(p: Passage) -> list[tuple[str, str]]:
    """``(side, item)`` of the items added to or removed from a list written on one
    line ("Blois (France); Waldshut-Tiengen (Germany); Baranivka (Ukraine)")."""
    if p.side != "changed" or not p.old or len(p.text) > 2000:
        return []
    for sep in (";", " · ", ", ", " | "):
        old, new = [x.strip() for x in p.old.split(sep)], [x.strip() for x in p.text.split(sep)]
        if len(old) >= 2 or len(new) >= 2:
            break
    else:
        return []
    if any(len(x) > 60 or ". " in x or x.endswith(".") for x in (*old, *new)):
        return []  # sentences, not a list of towns
    gone = [("removed", x) for x in old if x and x not in new]
    came = [("added", x) for x in new if x and x not in old]
    edits = gone + came
    return edits if 0 < len(edits) <= 5 and all(len(x) <= 80 for _, x in edits) else []


def _heading_place(headings: tuple[str, ...], network: bool = True) -> str | None:
    """The municipality an overview's heading names: a short capitalised heading
    without digits that is not itself a topic (``Gent``). A name no gazetteer knows
    (``Voorbeeldegem``) only on a network's overview (``network``: the source is no
    municipality's own): on a town's page, "Termine" is a section, not a town."""
    for heading in reversed(headings):
        if not network and not (gazetteer().lookup(heading) or _wide_lookup(heading)):
            continue
        words = heading.split()
        if not words or len(words) > 4 or _DIGITS.search(heading) or heading.endswith(":"):
            continue
        if not all(w[:1].isupper() or w.lower() in ("de", "la", "le", "sur", "an", "am", "aan", "den")
                   for w in words):
            continue
        if signals(heading, "").hits:  # "Humanitaire hulp", "Moties": a topic, not a place
            continue
        return heading
    return None


def _group_key(p: Passage) -> tuple[str, ...]:
    """Paragraphs under the same headings belong to one event; so does each row of a
    table with a municipality column (one row, one municipality's action), and each
    entry that opens with its municipality ("Villeurbanne (Rhône) — 12 000 € ...")."""
    if _row_place(p) or _lead_place(p):
        return (*p.headings, p.label, p.text)
    return (*p.headings, p.label) if p.label else p.headings


_LEAD = re.compile(
    r"^([A-ZÀ-Þ][\w'’.-]*(?:[ -][A-ZÀ-Þ][\w'’.-]*){0,3})\s*(?:\([^()]{1,40}\)\s*)?(?:[—–:]| - )"
)


def _lead_place(p: Passage) -> str | None:
    """The municipality an added entry opens with, before a dash or a colon
    ("Pessac (Gironde) — 5 000 € au Secours populaire", "Gent: de gemeenteraad ..."), when
    the gazetteer knows it."""
    if p.side != "added" or p.role not in ("paragraph", "item"):
        return None
    m = _LEAD.match(p.text)
    return m.group(1) if m and gazetteer().lookup(m.group(1)) else None


def _row_place(p: Passage) -> str | None:
    """The municipality a table row names, when its table has a municipality column
    ("Date | Commune | Initiative | Montant"): the first place the gazetteer knows in it."""
    if p.role != "row" or not _PLACE_COLUMN.search(fold(p.label)):
        return None
    for m in gazetteer().find(p.text):
        if m.places:
            return m.surface
    return None


def _entry_event(change: ChangeDraft, group: list[Passage]) -> Event | None:
    text = "\n".join(p.text for p in group)
    heads = group[0].headings
    title = heads[-1] if heads else ""
    s = signals(title, text)
    src = change.source
    place = (_row_place(group[0]) or (_lead_place(group[0]) if src.municipality is None else None)
             or _heading_place(heads, network=src.municipality is None))
    # the entry's municipality is its subject: the overview's column or heading names
    # who acted, as the minutes' municipality does
    actor = place is not None or src.municipality is not None
    amount, other = grant_amount(text)
    rel = relevance(s, named_municipality=actor, subject_municipality=actor, amount=amount is not None)
    if rel.score < RELEVANT_AT:
        return None
    if CATEGORY_GROUPS["reject"].search(fold(text)) and not s.has("twinning"):
        return None  # a motion lost or a proposal refused: nothing was done
    action, why = category(s, amount=amount is not None or other)
    date, _ = decision_date(text, change.published)
    if date is None and src.municipality and change.kind == "page-changed":
        # minutes: the meeting's date heads the document, outside what changed
        date, _ = decision_date(change.text[:2000], change.published)
    municipality = place or src.municipality
    country = src.country
    if place is not None:
        found = [g for g in gazetteer().lookup(place)]
        country = found[0].country if len(found) == 1 else src.country
    return Event(action=action, passage=text, municipality=municipality, country=country,
                 date=date.iso if date else None, amount_eur=amount.value if amount else None,
                 score=rel.score,
                 reasons=(*why, f"an entry under {' › '.join(heads[-2:])!r}" if heads else "an added entry"))


@lru_cache(maxsize=64)
def events(change: ChangeDraft) -> tuple[Event, ...]:
    """The events ``change`` holds by its passages (list edits first, then entries),
    at most :data:`MAX_EVENTS`; empty when its passages hold none."""
    found: list[Event] = []
    src = change.source
    groups: dict[tuple[str, ...], list[Passage]] = {}
    for p in change.passages:
        for side, item in inline_edits(p) if _list_heading(p) else ():
            edit = list_edit(replace(p, side=side, text=item, role="item"), change.text)
            partner, partner_country = item_place(item, src.municipality)
            if edit is not None and partner is not None:
                found.append(Event(action=edit[0], passage=item, municipality=src.municipality,
                                   country=src.country, partner=partner, partner_country=partner_country,
                                   score=0.8, reasons=(edit[1],)))
        if p.side == "changed" and p.role in ("row", "item") and _turned_off(p):
            p = replace(p, side="added")  # "| Tschechow | Russland | aktiv |" -> "ruht seit ..."
        edit = list_edit(p, change.text)
        partner, partner_country = None, None
        if edit is not None:
            # a status or country cell names no town: the row's first cell, on the line before
            # it (a line that opens with a town, "Irpin" or "Ramat Hasharon Israel 1998", is its
            # own row)
            status_only = bool(_STATUS.match(fold(p.text)) or _STATUS_PHRASE.match(fold(p.text))) or (
                p.role == "paragraph" and item_place(p.text, src.municipality)[0] is None)
            item = _row_town(change.text, p) if status_only else p.text
            # a network's table ("Kommune | Partnergemeinde"): the row names its municipality,
            # then its partner; on a town's own page the first column is the partners'
            row_place = _row_place(p) if src.municipality is None else None
            partner, partner_country = item_place(item, row_place or src.municipality)
            if row_place is not None and (partner is None or key(partner) == key(row_place)):
                row_place = None
                partner, partner_country = item_place(item, src.municipality)
        if edit is not None and partner is not None:
            action, why = edit
            # a list says nothing of when, unless the item or its status cell dates the decision
            date, _ = decision_date(p.text, change.published)
            municipality, country = src.municipality, src.country
            if row_place is not None:
                places = gazetteer().lookup(row_place)
                municipality, country = row_place, places[0].country if len(places) == 1 else country
            found.append(Event(action=action, passage=p.text, municipality=municipality,
                               country=country, partner=partner, partner_country=partner_country,
                               date=date.iso if date is not None and not date.inferred else None,
                               score=0.8, reasons=(why,)))
        elif p.side in ("added", "changed") and p.headings and p.role not in _NOT_CONTENT:
            if len(groups) < MAX_GROUPS or _group_key(p) in groups:
                groups.setdefault(_group_key(p), []).append(p)
        if len(found) >= MAX_EVENTS:
            break
    # entries: under municipalities' headings (an overview), or under two or more
    # headings at once (minutes adding agenda points); one group alone is the change
    # itself, which the analyzers read whole
    if not found and (len(groups) > 1 or any(_heading_place(k, src.municipality is None) for k in groups)
                      or any(_row_place(g[0]) or _lead_place(g[0]) for g in groups.values())):
        # what was added first: an edited row is more often a correction than news
        for group in sorted(groups.values(), key=lambda g: g[0].side != "added"):
            ev = _entry_event(change, group)
            if ev is not None:
                found.append(ev)
            if len(found) >= MAX_EVENTS:
                break
    return tuple(found[:MAX_EVENTS])


def entry_partner(change: ChangeDraft) -> tuple[str, str | None, str] | None:
    """``(town, country, why)`` when the paragraphs that changed sit under one label of a
    twinning list ("Novogroudok (Biélorussie)" over "Jumelage signé en 1995, dissous ..."):
    the label names the partner the entry is about."""
    under = [p for p in change.passages
             if p.label and p.role == "paragraph" and p.side in ("added", "removed")]
    if not under or len({p.label for p in under}) != 1:
        return None
    found = _list_heading(under[0])
    if found is None or not found[1]:
        return None
    name, country = item_place(under[0].label, change.source.municipality)
    if not name or not (gazetteer().lookup(name) or _wide_lookup(name)):
        return None
    return name, country, f"the entry's label {under[0].label!r} under {found[0]!r}"


def main_event(change: ChangeDraft) -> Event | None:
    """The event the change is mostly about (its first), or ``None``."""
    found = events(change)
    return found[0] if found else None


def with_date(event: Event, date: str | None) -> Event:
    return replace(event, date=date)


@hookimpl
def analyze_change(change: ChangeDraft, context: AnalysisContext) -> list[Finding]:
    """Attach an ``events`` finding when the change's passages hold events."""
    found = events(change)
    if not found:
        return []
    reasons = tuple(r for ev in found[:5] for r in ev.reasons[-1:])
    return [Finding("events", [ev.as_value() for ev in found], score=max(ev.score for ev in found),
                    reasons=(f"{len(found)} event{'s' if len(found) != 1 else ''} in this change", *reasons))]
