"""A loopback ModernGov (Civica Modern.Gov) web service, ``mgWebService.asmx`` over plain
HTTP GET, with a generated English council: several committees, hundreds of meetings
over two years and the weeks ahead, agenda items with agenda text, decisions, minutes
and linked documents.

Where the shapes come from (nothing copied; the generated names and texts are our own):

* github.com/DemocracyClub/LGSF (UK Local Government Scraper Framework), licence MIT
  (``LICENSE``, commit 751d5940f38570f75dd6b69823b4aed0003101c7):
  - ``lgsf/minutes/tests/fixtures/committees.xml`` (commit
    9ef8169a6f62f32a47ca25b7fbcd55dbcd458eea), a live GetCommittees answer:
    ``<committees>`` with ``committeescount`` and ``committee`` elements holding
    ``committeeid``, ``committeetitle``, ``committeedeleted``, ``committeeexpired``,
    ``committeecategory``;
  - ``lgsf/minutes/tests/fixtures/meetings.xml`` (commit
    2b7bcc5b7b6e6187b1c63b4cabaee00a49113383), a GetMeetings answer:
    ``<getmeetings>`` with ``meetingscount``, ``committeescount``, and per committee
    ``committeeid``, ``committeetitle``, ``committeemeetingcount``,
    ``committeemeetings/meeting`` (``meetingid``, ``meetingdate`` as dd/mm/yyyy,
    ``meetingstatus``, ``meetingtime``, ``iswebcast``);
  - ``lgsf/minutes/tests/fixtures/meeting_with_minutes.xml`` and
    ``meeting_no_minutes.xml`` (same commit), GetMeeting answers: ``<meeting>`` with
    ``meetingid``, ``meetingdate``, ``meetingstatus``, ``meetinglocation``,
    ``agendapublished``, ``decisionpublished``, ``minutepublished`` and
    ``agendaitems/agendaitem`` (``agendaitemid``, ``agendaitemtitle``, ``agendatext``
    as escaped HTML, ``actualmeetingdate``, ``agendaitemnumber``,
    ``fulldisplaynumberformat``, ``minutesnonemptyhtmlbody``, ``isdecision``,
    ``isdecisionpublished``, ``isminutepublished``, ``isrestricted``,
    ``isdisplayallowed``, ``meetingdate``, ``linkeddocuments/linkeddoc`` with
    ``attachmentid``, ``title``, ``url`` to ``mgConvert2PDF.aspx?ID=``,
    ``isrestricted``, ``publicationdate``, ``committeetitle``), then ``attendees``;
  - ``lgsf/minutes/scrapers.py`` (commit 2b7bcc5b7b6e6187b1c63b4cabaee00a49113383):
    the request forms ``GetCommittees``, ``GetMeetings?lCommitteeId=&sFromDate=&sToDate=``
    with dd/mm/yyyy dates, ``GetMeeting?lMeetingId=``, and the meeting page
    ``ieListDocuments.aspx?CId=&MId=``.
* github.com/xternal/borough-ledger, ``etl/decisions.py`` (commit
  36b3f21b747c9947021087b01ade524ecf84b380; no code licence found, only
  ``LICENSE-CONTENT.md``: read for element names, nothing taken): an item's decision
  in ``decisionnonemptyhtmlbody`` when ``isdecision`` and ``isdecisionpublished``, and
  the decision page ``ieDecisionDetails.aspx?AIId=``.
* Notes in public research files found by the code search (repositories not named by
  the index): titles come HTML-encoded twice (``Chair&amp;#39;s Communications``); some
  installs ignore ``sFromDate``/``sToDate`` and list a committee's whole history; ISO
  dates are ignored where dd/mm/yyyy is honoured.

A missing parameter is answered as ASP.NET answers it: 500 and a plain-text message.
A linked document's ``url`` (``mgConvert2PDF.aspx?ID=``, as in the LGSF fixtures) answers
a small PDF of the document (:meth:`ModernGovServer.document_lines`), or what a test put
in ``files`` (``None``: 404).

The server answers with validators (``ETag``, ``Last-Modified``) and 304s to
conditional requests (:class:`~tests.portals.loopback.LoopbackPortal`), as an IIS site
serving a web service may; public scrapers do not say ModernGov's do, so the kind makes
do without them. The server counts requests (``count``), can shift its clock (``skew``: its ``Date``
header and its today), can ignore the date window (``ignore_dates``) and can misbehave
on GetMeetings (``misbehave = "html" | "malformed" | "huge" | "empty"``). It stops with
the test, and by itself after ``lifetime`` seconds at the latest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape
from urllib.parse import parse_qsl

from tests.helpers import pdf
from tests.portals.loopback import LoopbackPortal

SERVICE = "/mgWebService.asmx"
COMMITTEES = ["Council", "Cabinet", "Planning Committee", "Licensing Committee",
              "Overview and Scrutiny Committee", "Audit and Governance Committee",
              "Health and Wellbeing Board", "Communities Scrutiny Panel"]
TOPICS = [
    "Revenue and Capital Budget 2026/27",
    "Local Cycling and Walking Infrastructure Plan",
    "Housing Revenue Account Business Plan",
    "Air Quality Action Plan",
    "Procurement of Waste Collection Services",
    "Community Safety Partnership Annual Report",
    "Town Centre Regeneration Masterplan",
    "Treasury Management Strategy",
    "Playing Pitch Strategy",
    "Statement of Licensing Policy",
]
PROCEDURAL = ["Apologies for Absence", "Declarations of Interest", "Minutes of the Previous Meeting"]


def uk(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@dataclass
class Item:
    id: int
    title: str
    text: str
    decision: str = ""
    minutes: str = ""
    documents: list[tuple[int, str]] = field(default_factory=list)
    restricted: bool = False
    dated: bool = True


@dataclass
class Meeting:
    id: int
    committee: int
    day: date | None
    status: str = "Confirmed"
    items: list[Item] = field(default_factory=list)


class ModernGovServer(LoopbackPortal):
    """A council's mgWebService.asmx on 127.0.0.1."""

    def __init__(self, *, committees: int = 6, every: int = 21, back: int = 730, ahead: int = 60,
                 items: int = 5, seed: int = 16, lifetime: float = 300) -> None:
        super().__init__(lifetime)
        self.skew = timedelta(0)
        self.misbehave: str | None = None
        self.validators = True  # ETag and Last-Modified, 304s: see LoopbackPortal
        self.ignore_dates = False
        self.rnd = random.Random(seed)
        self.committees: dict[int, tuple[str, bool]] = {}
        """committee id -> (title, expired)."""
        self.meetings: dict[int, Meeting] = {}
        self._next = {"meeting": 4000, "item": 18000, "doc": 60000}
        self.files: dict[int, bytes | None] = {}
        """Document id -> the bytes its URL answers (``None``: 404); else its own PDF."""
        self._generate(committees, every, back, ahead, items)

    @property
    def url(self) -> str:
        """The site root: what ``sources add --kind moderngov`` takes."""
        return f"http://127.0.0.1:{self.port}"

    def today(self) -> date:
        return self.now().date()

    def now(self) -> datetime:
        return super().now() + self.skew

    # -- data ---------------------------------------------------------------

    def _id(self, kind: str) -> int:
        self._next[kind] += 1
        return self._next[kind]

    def _generate(self, committees: int, every: int, back: int, ahead: int, items: int) -> None:
        today = self.today()
        for c in range(committees):
            cid = 140 + c
            self.committees[cid] = (COMMITTEES[c % len(COMMITTEES)], False)
            offset = self.rnd.randrange(every)
            day = today - timedelta(days=back - offset)
            while day <= today + timedelta(days=ahead):
                age = (today - day).days
                self.add_meeting(cid, day, [self.rnd.choice(TOPICS) for _ in range(items)],
                                 decided=age >= 3, minuted=age >= 14)
                day += timedelta(days=every)
        self.committees[300] = ("Twinning Liaison Panel (expired)", True)  # no new meetings
        self.add_meeting(300, today - timedelta(days=40), ["Friendship link with Ypres"], decided=True,
                         minuted=True)

    def add_committee(self, title: str) -> int:
        cid = max(self.committees) + 1
        with self.lock:
            self.committees[cid] = (title, False)
        return cid

    def committee_id(self, title: str) -> int:
        return next(cid for cid, (t, _) in self.committees.items() if t == title)

    def add_meeting(self, committee: int, day: date | None, topics: list[str], *, decided: bool = False,
                    minuted: bool = False, status: str = "Confirmed") -> Meeting:
        """A meeting with the procedural items and one item per topic; decisions and
        minutes written when ``decided`` / ``minuted``."""
        with self.lock:
            meeting = Meeting(self._id("meeting"), committee, day, status)
            title = self.committees[committee][0]
            for topic in [*PROCEDURAL[: 1 + len(topics) % 3], *topics]:
                item = Item(self._id("item"), topic,
                            f'<div class="WordSection1"><p class="MsoNormal">Report of the Strategic '
                            f"Director on {escape(topic)}, attached.</p></div>")
                if topic not in PROCEDURAL:
                    item.documents = [(self._id("doc"), f"{topic} - report to {title}"),
                                      (self._id("doc"), f"Appendix A - {topic} equality impact assessment")]
                    if decided and committee % 2 == 1:  # executive committees publish decisions
                        item.decision = (f"<p>RESOLVED: That the {escape(topic)} be approved as set out "
                                         "in the report.</p>")
                    if minuted:
                        item.minutes = f"<p>The Committee considered a report on {escape(topic)}.</p>"
                meeting.items.append(item)
            self.meetings[meeting.id] = meeting
            return meeting

    def item(self, item_id: int) -> tuple[Meeting, Item]:
        for meeting in self.meetings.values():
            for item in meeting.items:
                if item.id == item_id:
                    return meeting, item
        raise KeyError(item_id)

    @staticmethod
    def document_lines(aid: int, title: str) -> list[str]:
        """The text of a linked document's PDF."""
        return [title, f"Report {aid}: the committee is asked to agree the recommendations set out below."]

    def _document(self, aid: int) -> bytes | None:
        if aid in self.files:
            return self.files[aid]
        for meeting in self.meetings.values():
            for item in meeting.items:
                for doc, title in item.documents:
                    if doc == aid:
                        return pdf([self.document_lines(aid, title)], title="Report to committee")
        return None

    def meeting_on(self, committee: int, day: date) -> Meeting | None:
        return next((m for m in self.meetings.values() if m.committee == committee and m.day == day), None)

    # -- XML ----------------------------------------------------------------

    def committees_xml(self) -> str:
        rows = "".join(
            f"<committee><committeeid>{cid}</committeeid><committeetitle>{escape(title)}"
            f"</committeetitle><committeedeleted>False</committeedeleted><committeeexpired>"
            f"{'True' if expired else 'False'}</committeeexpired><committeecategory>Decision Making"
            f"</committeecategory></committee>"
            for cid, (title, expired) in sorted(self.committees.items()))
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<committees><committeescount> '
                f"{len(self.committees)}</committeescount>{rows}</committees>")

    def _stub(self, m: Meeting) -> str:
        return (f"<meeting><meetingid>{m.id}</meetingid><meetingdate>{uk(m.day)}</meetingdate>"
                f"<meetingstatus>{escape(m.status)}</meetingstatus><meetingtime>6.30 pm</meetingtime>"
                f"<iswebcast>False</iswebcast></meeting>")

    def meetings_xml(self, committee: int, start: date | None, end: date | None) -> str:
        title = self.committees[committee][0]
        found = [m for m in self.meetings.values() if m.committee == committee
                 and (self.ignore_dates or m.day is None
                      or ((start is None or m.day >= start) and (end is None or m.day <= end)))]
        found.sort(key=lambda m: (m.day or date.min, m.id))
        stubs = "".join(self._stub(m) for m in found)
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<getmeetings><meetingscount> {len(found)}'
                f"</meetingscount><committeescount> 1</committeescount><committee><committeeid>{committee}"
                f"</committeeid><committeetitle>{escape(title)}</committeetitle>"
                f"<committeemeetingcount> {len(found)}</committeemeetingcount><committeemeetings>{stubs}"
                f"</committeemeetings></committee></getmeetings>")

    def meeting_xml(self, m: Meeting) -> str:
        title = self.committees[m.committee][0]
        items = []
        for n, it in enumerate(m.items, start=1):
            day = uk(m.day) if it.dated else ""
            docs = "".join(
                f"<linkeddoc><attachmentid>{aid}</attachmentid><title>{escape(t)}</title>"
                f"<isurl>False</isurl><url>{self.url}/mgConvert2PDF.aspx?ID={aid}</url>"
                f"<isrestricted>False</isrestricted><restrictionsRef></restrictionsRef><itemnum>{i}</itemnum>"
                f"<publicationdate>{day}</publicationdate><meetingdate>{day}</meetingdate>"
                f"<committeetitle>{escape(title)}</committeetitle>"
                f"<isdecisionattachment>False</isdecisionattachment><ownertitle>{escape(it.title)}"
                f"</ownertitle></linkeddoc>"
                for i, (aid, t) in enumerate(it.documents, start=1))
            items.append(
                f"<agendaitem><agendaitemid>{it.id}</agendaitemid>"
                f"<agendaitemtitle>{escape(escape(it.title))}</agendaitemtitle>"
                f"<agendatext>{escape(it.text)}</agendatext><actualmeetingdate>{day}</actualmeetingdate>"
                f"<agendaitemnumber>{n + 2}</agendaitemnumber><agendaitemsubnumber></agendaitemsubnumber>"
                f"<fulldisplaynumberformat>{n}.</fulldisplaynumberformat>"
                f"<minutesnonemptyhtmlbody>{escape(it.minutes)}</minutesnonemptyhtmlbody>"
                f"<decisionnonemptyhtmlbody>{escape(it.decision)}</decisionnonemptyhtmlbody>"
                f"<declarationcount>0</declarationcount>"
                f"<isdecision>{'True' if it.decision else 'False'}</isdecision>"
                f"<isdecisionpublished>{'True' if it.decision else 'False'}</isdecisionpublished>"
                f"<isminutepublished>{'True' if it.minutes else 'False'}</isminutepublished>"
                f"<isrestricted>{'True' if it.restricted else 'False'}</isrestricted>"
                f"<isdisplayallowed>True</isdisplayallowed><meetingdate>{day}</meetingdate>"
                f"<meetingtime>6.30 pm</meetingtime><refertocommittee>{escape(title)}</refertocommittee>"
                f"<linkeddocuments>{docs}</linkeddocuments></agendaitem>")
        decided = any(it.decision for it in m.items)
        minuted = any(it.minutes for it in m.items)
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<meeting><meetingid>{m.id}</meetingid>'
                f"<meetingdate>{uk(m.day)}</meetingdate><meetingstatus>{escape(m.status)}</meetingstatus>"
                f"<isdisplayallowed>True</isdisplayallowed><meetingtime>6.30 pm</meetingtime>"
                f"<meetinglocation>Council Chamber, Town Hall</meetinglocation><iswebcast>False</iswebcast>"
                f"<agendaid>{m.id}</agendaid><agendapublished>{'True' if m.items else 'False'}"
                f"</agendapublished><decisionpublished>{decided}</decisionpublished>"
                f"<minutepublished>{minuted}</minutepublished><meetingroom></meetingroom>"
                f"<agendaitems>{''.join(items)}</agendaitems><attendees><attendee membertype=\"U\" "
                f'memberid="192" name="Councillor A. Example" roledescription="Chair" attendance="Expected">'
                f"<url>{self.url}/mgUserInfo.aspx?UID=192</url></attendee></attendees></meeting>")

    # -- HTTP ---------------------------------------------------------------

    def count(self, method: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.startswith(f"{SERVICE}/{method}"))

    def respond(self, path: str, query: str) -> tuple[int, str, bytes]:
        params = dict(parse_qsl(query, keep_blank_values=True))
        xml = "text/xml; charset=utf-8"
        with self.lock:
            if path == f"{SERVICE}/GetCommittees":
                return 200, xml, self.committees_xml().encode()
            if path == f"{SERVICE}/GetMeetings":
                for name in ("lCommitteeId", "sFromDate", "sToDate"):
                    if name not in params:
                        return 500, "text/plain; charset=utf-8", f"Missing parameter: {name}.".encode()
                mode = self.misbehave
                if mode == "html":
                    return 200, "text/html; charset=utf-8", (
                        b"<!DOCTYPE html><html><head><title>Runtime Error</title></head><body><h1>Server "
                        b"Error in '/' Application.</h1></body></html>")
                if mode == "malformed":
                    return 200, xml, b'<?xml version="1.0"?>\n<getmeetings><committee><meetingid>1</meet'
                if mode == "huge":
                    stubs = "".join(f"<meeting><meetingid>{i}</meetingid></meeting>" for i in range(100_000))
                    return 200, xml, f"<getmeetings><committee><committeemeetings>{stubs}" \
                        f"</committeemeetings></committee></getmeetings>".encode()
                cid = int(params["lCommitteeId"]) if params["lCommitteeId"].isdigit() else -1
                if cid not in self.committees:
                    return 200, xml, b'<?xml version="1.0" encoding="utf-8"?>\n<getmeetings></getmeetings>'
                if mode == "empty":
                    return 200, xml, self.meetings_xml(cid, date.max, date.max).encode()
                return 200, xml, self.meetings_xml(cid, _day(params["sFromDate"]),
                                                   _day(params["sToDate"])).encode()
            if path == f"{SERVICE}/GetMeeting":
                if "lMeetingId" not in params:
                    return 500, "text/plain; charset=utf-8", b"Missing parameter: lMeetingId."
                mid = int(params["lMeetingId"]) if params["lMeetingId"].isdigit() else -1
                meeting = self.meetings.get(mid)
                if meeting is None:
                    return 200, xml, b'<?xml version="1.0" encoding="utf-8"?>\n<meeting></meeting>'
                return 200, xml, self.meeting_xml(meeting).encode()
            if path == "/mgConvert2PDF.aspx":
                found = self._document(int(params["ID"])) if params.get("ID", "").isdigit() else None
                if found is not None:
                    return 200, "application/pdf", found
        return 404, "text/html", b"<html><body>The resource cannot be found.</body></html>"


def _day(text: str) -> date | None:
    """A dd/mm/yyyy date as the service reads it; any other form is ignored (no filter)."""
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None
