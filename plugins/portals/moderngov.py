"""The ``moderngov`` kind: a council's ModernGov (Civica Modern.Gov) site, given by its
root, the folder holding ``mgWebService.asmx`` (``https://democracy.example.gov.uk``).
Most English councils publish their committees, meetings, agendas and decisions there.

The walk (``start``, ``links``) uses the web service's plain HTTP GET answers (XML):

* ``GetCommittees``: the council's committees; deleted and expired ones are skipped (an
  expired committee meets no more). A source may be limited to some committees with
  ``--link-pattern REGEX``, matched case-insensitively against each committee's title
  (``--link-pattern '^(Council|Cabinet)$'``): the committees are ModernGov's bodies,
  while ``--municipality`` names the council itself (below).
* ``GetMeetings?lCommitteeId=&sFromDate=&sToDate=`` per committee, dates ``dd/mm/yyyy``
  (ISO dates make some installs ignore the range), for a window from the time the spider
  gives less :data:`LOOKBACK` to the portal's today plus :data:`HORIZON`. Some installs
  ignore the window and list a committee's whole history; the dates are checked here.
* ``GetMeeting?lMeetingId=`` for the meetings that need it (below): the agenda items,
  each with its agenda text, decision, minutes and linked documents.

The web service has no modified-since filter and, as far as public scrapers report, no
validators worth trusting, so a meeting is read again on a schedule instead: when one
of its milestones (:data:`MILESTONES`, days from the meeting date: the agenda is
published at least five clear working days before, a decision notice a few days after,
draft minutes within weeks, approved minutes at the next meeting) fell since the last
sync, on the portal's own calendar (its ``Date`` header), in whole days after the day
the last sync began. A first sync is the same rule with the spider's window (12
months): every meeting of the window has a milestone in it. A meeting listed without a
date is read while no agenda item of it is stored.

Cost: a sync makes one ``GetCommittees`` request, one ``GetMeetings`` request per
watched committee, and one ``GetMeeting`` request per meeting that passed a milestone
since the last sync, so about five per meeting over its life. A re-sync with nothing new
(the same day, or a day on which no meeting passed a milestone) costs one request per
list: GetCommittees and each committee's GetMeetings. Conditional requests: where the
site answers with an ``ETag`` or ``Last-Modified``, the portal spider asks each page
again with ``If-None-Match`` / ``If-Modified-Since`` (``spiders/portal.py``), so a quiet
re-sync's lists, and a meeting at a milestone whose agenda did not change, cost a 304
and nothing is read again (for GetCommittees and GetMeetings the spider keeps the
answer, from which the meetings to read are worked out as before). A 304 is still a
request, so the milestones still decide which meetings are asked for; an edit between
milestones (a decision corrected a month after it was published, say) waits for the
next milestone of its meeting, or is missed after the last.

The entries (``extract``): each agenda item that may be displayed, keyed by its place
in the web service (``.../GetMeeting?lMeetingId=M#I``), with its title (HTML entities
decoded twice: ModernGov encodes titles twice), its text (item number, agenda text, the
decision, the minutes, the titles of its linked documents, the committee, a restricted
item or cancelled meeting said so), its date (the item's meeting date, else the
meeting's; an item without either is kept undated), its page (the decision's
``ieDecisionDetails.aspx?AIId=`` once a decision is published, else the meeting's
``ieListDocuments.aspx?CId=&MId=``), the committee as its body, and the council as its
municipality: the source's ``--municipality``; the web service does not name the council
(none of its methods that public scrapers use does). Country GB unless the source says.

The documents (``attachments``): each linked document of an agenda item that is new
(its key is not stored) and that is a document, not a web link (``isurl``), fetched from
its ``url`` (``mgConvert2PDF.aspx?ID=``, a PDF); its text then stands after its title
in the entry's full text (``Entry.article``). The web service has no modified times,
so a document linked later to an item already stored (a decision notice, say) is
named by its title only.

Shapes and parameters follow public scrapers of live ModernGov sites; see
tests/portals/moderngov_server.py for where each comes from.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from monitor.errors import ExtractError
from monitor.ingest.extract.feeds import html_fragment_text
from monitor.models import Entry, Extracted, FetchResult, Link, Source
from monitor.text import one_line
from plugins.portals.common import (
    Page,
    document,
    extracted,
    fetched_documents,
    read_xml,
    text_of,
    with_document,
    xml_text,
)

if TYPE_CHECKING:
    import lxml.etree

    from monitor.plugin_manager import PluginManager

COUNTRY = "GB"
SERVICE = "mgWebService.asmx"
DATE_FORMAT = "%d/%m/%Y"

MILESTONES = (-7, 0, 3, 14, 42)
"""Days from a meeting's date on which it is read again (see the module docstring)."""
HORIZON = timedelta(days=-min(MILESTONES))
"""How far ahead meetings are listed: the earliest milestone (the agenda's publication)."""
LOOKBACK = timedelta(days=max(MILESTONES))
"""How far before the last sync meetings are listed: the latest milestone."""

MAX_COMMITTEES = 2000
MAX_MEETINGS = 5000
"""Meetings one ``GetMeetings`` answer may list: a committee's whole history (an install
that ignores the dates) is a few hundred; 100,000 is a broken portal and fails the source."""


def site_root(source: Source) -> str:
    """The site root of a source's URL (``mgWebService.asmx`` and what follows dropped)."""
    parts = urlsplit(source.url)
    path = parts.path
    cut = path.lower().find(SERVICE.lower())
    if cut >= 0:
        path = path[:cut]
    return urlunsplit(parts._replace(path=path.rstrip("/"), query="", fragment=""))


def _service(source: Source, method: str, **params: str) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{site_root(source)}/{SERVICE}/{method}{query}"


def start(source: Source) -> list[Link]:
    """The first page: the council's committees."""
    return [Link("committees", _service(source, "GetCommittees"))]


def links(source: Source, result: FetchResult) -> list[Link]:
    """The pages to read after ``result``; ``source.last_modified`` is the time of the
    last sync less the overlap (or the start of a first sync's window).

    Raises:
        ExtractError: the page is not the web service's answer its link asked for (an
            HTML error page, XML that is not well-formed, another document, a list of
            too many committees or meetings).
    """
    root = read_xml(result)
    if result.key == "committees":
        if root.tag != "committees":
            raise ExtractError(f"not a GetCommittees answer (<{root.tag}>, not <committees>)")
        return _meeting_lists(source, root, _portal_day(result))
    context = _context(result.key)
    if context.get("list") == "meetings":
        if root.tag != "getmeetings":
            raise ExtractError(f"not a GetMeetings answer (<{root.tag}>, not <getmeetings>)")
        return _meetings(source, context, root, _portal_day(result))
    if context.get("list") == "meeting":
        if root.tag != "meeting":
            raise ExtractError(f"not a GetMeeting answer (<{root.tag}>, not <meeting>)")
        return []
    raise ExtractError("a ModernGov walk starts at GetCommittees, not at a page")


def _context(key: str | None) -> dict[str, Any]:
    if key and key.startswith("{"):
        try:
            found = json.loads(key)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}
    return {}


def _portal_day(result: FetchResult) -> date:
    """The portal's today (its ``Date`` header), else ours."""
    stamp = result.headers.get("date")
    if stamp:
        try:
            moment = parsedate_to_datetime(stamp)
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC).date()


def _since_day(source: Source, today: date) -> date:
    """The day the time to ask from falls on (the last sync less the overlap)."""
    text = source.last_modified or ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return today - timedelta(days=365)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


def _flag(element: lxml.etree._Element | None, tag: str) -> bool | None:
    value = xml_text(element, tag).lower()
    return True if value == "true" else False if value == "false" else None


def _clean(text: str) -> str:
    """Text with HTML entities decoded twice (ModernGov encodes titles twice), on one line."""
    return one_line(html.unescape(html.unescape(text)), 300)


def _meeting_lists(source: Source, root: lxml.etree._Element, today: date) -> list[Link]:
    committees = root.findall("committee")
    if len(committees) > MAX_COMMITTEES:
        raise ExtractError(f"a list of {len(committees):,} committees (at most {MAX_COMMITTEES:,} are read)")
    pattern = re.compile(source.link_pattern, re.IGNORECASE) if source.link_pattern else None
    since = _since_day(source, today)
    window = {"sFromDate": (since - LOOKBACK).strftime(DATE_FORMAT),
              "sToDate": (today + HORIZON).strftime(DATE_FORMAT)}
    out = []
    for committee in committees:
        cid = xml_text(committee, "committeeid")
        title = _clean(xml_text(committee, "committeetitle"))
        if not cid.isdigit() or _flag(committee, "committeedeleted") or _flag(committee, "committeeexpired"):
            continue
        if pattern is not None and not pattern.search(title):
            continue
        key = json.dumps({"list": "meetings", "committee": cid, "title": title}, ensure_ascii=False)
        out.append(Link(key, _service(source, "GetMeetings", lCommitteeId=cid, **window)))
    return out


def _uk_date(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip()[:10], DATE_FORMAT).date()
    except ValueError:
        return None


def due(meeting: date, since: date, today: date) -> bool:
    """Whether a meeting on ``meeting`` passed a milestone after ``since``, up to ``today``."""
    return any(since < meeting + timedelta(days=k) <= today for k in MILESTONES)


def _known_meetings(source: Source) -> set[str]:
    found = set()
    for key in source.known_items:
        match = re.search(r"[?&]lMeetingId=(\d+)", key)
        if match:
            found.add(match.group(1))
    return found


def _meetings(source: Source, context: dict[str, Any], root: lxml.etree._Element, today: date) -> list[Link]:
    meetings = list(root.iter("meeting"))
    if len(meetings) > MAX_MEETINGS:
        raise ExtractError(f"a list of {len(meetings):,} meetings (at most {MAX_MEETINGS:,} are read)")
    since = _since_day(source, today)
    known: set[str] | None = None
    out: list[Link] = []
    seen: set[str] = set()
    for meeting in meetings:
        mid = xml_text(meeting, "meetingid")
        if not mid.isdigit() or mid in seen:
            continue
        seen.add(mid)
        when = _uk_date(xml_text(meeting, "meetingdate"))
        if when is None:
            known = _known_meetings(source) if known is None else known
            if mid in known:
                continue
        elif not due(when, since, today):
            continue
        key = json.dumps({"list": "meeting", "committee": context.get("committee"),
                          "title": context.get("title"), "meeting": mid,
                          "date": when.isoformat() if when else None}, ensure_ascii=False)
        out.append(Link(key, _service(source, "GetMeeting", lMeetingId=mid)))
    return out


def extract(pm: PluginManager, source: Source, result: FetchResult) -> Extracted:
    """The entries of one run's pages (see the module docstring)."""
    doc, pages = document(result)
    docs = fetched_documents(result)

    def found() -> Iterator[Entry]:
        for page in pages:
            context = _context(page.key)
            if context.get("list") == "meeting":
                yield from _entries(source, context, page, docs)

    return extracted(f"ModernGov: {site_root(source)}", doc, found())


def attachments(source: Source, result: FetchResult) -> list[Link]:
    """The linked documents of a GetMeeting answer's new agenda items (see the module
    docstring)."""
    if _context(result.key).get("list") != "meeting":
        return []
    meeting = read_xml(result)
    out = []
    for key, item in _items(source, _context(result.key), meeting):
        if key in source.known_items:
            continue
        for title, url in _documents(item):
            if url:
                out.append(Link(key, url, title))
    return out


def _items(source: Source, context: dict[str, Any],
           meeting: lxml.etree._Element) -> list[tuple[str, lxml.etree._Element]]:
    """A meeting's agenda items that may be displayed, with their keys."""
    mid = _meeting_id(context, meeting)
    if not mid:
        return []
    root = site_root(source)
    agenda = meeting.find("agendaitems")
    out = []
    for n, item in enumerate(agenda.findall("agendaitem") if agenda is not None else (), start=1):
        if _flag(item, "isdisplayallowed") is False:
            continue
        aid = xml_text(item, "agendaitemid")
        place = aid if aid.isdigit() else f"n{n}"
        out.append((f"{root}/{SERVICE}/GetMeeting?lMeetingId={mid}#{place}", item))
    return out


def _meeting_id(context: dict[str, Any], meeting: lxml.etree._Element) -> str:
    """The id of the meeting a GetMeeting page holds ("" when it holds none)."""
    if meeting.tag != "meeting":
        return ""
    return xml_text(meeting, "meetingid") or str(context.get("meeting") or "")


def _documents(item: lxml.etree._Element) -> list[tuple[str, str | None]]:
    """An agenda item's linked documents: title, and the URL of a document (not a web link)."""
    out = []
    for d in item.iter("linkeddoc"):
        title = _clean(xml_text(d, "title"))
        if title:
            url = xml_text(d, "url")
            fetchable = url.startswith(("http://", "https://")) and _flag(d, "isurl") is not True
            out.append((title, url if fetchable else None))
    return out


def _entries(source: Source, context: dict[str, Any], page: Page,
             docs: dict[str, FetchResult]) -> list[Entry]:
    try:
        meeting = read_xml(page)
    except ExtractError:
        return []  # the spider checked every page it kept; a damaged document loses a page only
    mid = _meeting_id(context, meeting)
    if not mid:
        return []
    root = site_root(source)
    cid = str(context.get("committee") or "")
    committee = str(context.get("title") or "") or None
    meeting_day = _uk_date(xml_text(meeting, "meetingdate"))
    if meeting_day is None and context.get("date"):
        meeting_day = date.fromisoformat(str(context["date"]))
    status = xml_text(meeting, "meetingstatus")
    meeting_page = f"{root}/ieListDocuments.aspx?{urlencode({'CId': cid, 'MId': mid})}"
    municipality = source.municipality or (source.municipalities[0] if source.municipalities else None)
    out = []
    for key, item in _items(source, context, meeting):
        aid = xml_text(item, "agendaitemid")
        title = _clean(xml_text(item, "agendaitemtitle")) or "Agenda item"
        number = xml_text(item, "fulldisplaynumberformat") or xml_text(item, "agendaitemnumber")
        documents = _documents(item)
        head: list[str | None] = [
            number and f"Item {number.rstrip('.')}",
            _html(xml_text(item, "agendatext")),
            "Restricted: not for publication (exempt information)." if _flag(item, "isrestricted") else None,
            (d := _html(xml_text(item, "decisionnonemptyhtmlbody"))) and f"Decision: {d}",
            (m := _html(xml_text(item, "minutesnonemptyhtmlbody"))) and f"Minutes: {m}",
        ]
        tail: list[str | None] = [
            committee and f"Body: {committee}",
            status and "cancel" in status.lower() and f"Meeting: {one_line(status, 200)}" or None,
        ]
        parts = [*head, *(f"Document: {t}" for t, _ in documents), *tail]
        article = None
        if any(u in docs for _, u in documents if u):
            article = text_of(*head, *(with_document(f"Document: {t}", docs[u]) if u in docs
                                       else f"Document: {t}" for t, u in documents), *tail)
        when = _uk_date(xml_text(item, "meetingdate")) or _uk_date(xml_text(item, "actualmeetingdate")) \
            or meeting_day
        decided = _flag(item, "isdecision") and _flag(item, "isdecisionpublished") and aid.isdigit()
        web = f"{root}/ieDecisionDetails.aspx?AIId={aid}" if decided else meeting_page
        day = when.isoformat() if when else None
        out.append(Entry(key, title, web, text_of(*parts), article, published=day, decided=day,
                         municipality=municipality, country=source.country or COUNTRY, body=committee))
    return out


def _html(fragment: str) -> str | None:
    """Plain text of an HTML fragment the web service escaped into an element."""
    if not fragment.strip():
        return None
    return html_fragment_text(fragment) or None
