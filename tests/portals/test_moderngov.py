"""The ``moderngov`` kind against a loopback ModernGov web service: real ``twinwatch crawl``
runs (Scrapy in a child process) and real SQLite. First and incremental syncs by date
window and meeting milestones, a new meeting and a decision published later, the
committee limit, the request budget, clock skew, and bad inputs."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import lxml.etree
import pytest

from monitor.errors import ExtractError
from monitor.models import FetchResult, Link, Source
from monitor.store.db import open_db
from plugins.portals import moderngov
from plugins.portals.common import read_xml
from tests.portals.moderngov_server import ModernGovServer
from tests.portals.sync import (
    bad_answers_keep_what_is_stored,
    by_url,
    cursor,
    items,
    municipality,
    settings,
    validators,
    watermark,
)

pytestmark = pytest.mark.slow

COUNCIL = "Exampleshire County Council"


@pytest.fixture
def portal() -> Iterator[ModernGovServer]:
    """Six committees meeting every three weeks for two years and two months ahead (about
    230 meetings, 1,800 agenda items), and an expired panel."""
    server = ModernGovServer(committees=6, every=21, back=730, ahead=60, items=5).start()
    yield server
    server.stop()


def _asked(portal: ModernGovServer, method: str, since: int = 0) -> list[dict[str, str]]:
    return [dict(parse_qsl(urlsplit(r).query)) for r in portal.requests[since:]
            if r.startswith(f"/mgWebService.asmx/{method}")]


def _keys(portal: ModernGovServer, meetings) -> set[str]:
    return {f"{portal.url}/mgWebService.asmx/GetMeeting?lMeetingId={m.id}#{it.id}"
            for m in meetings for it in m.items}


def _window(portal: ModernGovServer, first: int, last: int) -> list:
    """The meetings of active committees dated from ``first`` to ``last`` days from the portal's today."""
    today = portal.today()
    return [m for m in portal.meetings.values() if m.day and not portal.committees[m.committee][1]
            and today + timedelta(days=first) <= m.day <= today + timedelta(days=last)]


def _page(link) -> str:
    with urllib.request.urlopen(link.url) as answer:
        return answer.read().decode()


def test_first_sync_is_a_baseline_of_a_years_agenda_items(portal, twinwatch, db_path):
    """A first sync stores every agenda item of the last 12 months and the coming week and
    reports none; it asks each active committee's meetings once, in dd/mm/yyyy, never the
    expired panel's; each entry carries the council, its committee, its date and text."""
    twinwatch("sources", "add", portal.url, "--kind", "moderngov", "--municipality", COUNCIL)
    first = twinwatch("crawl", "--all", timeout=180)
    assert "1 fetched" in first.stdout and "0 new items" in first.stdout and "0 failed" in first.stdout
    stored = set(items(db_path))
    assert _keys(portal, _window(portal, -360, 6)) <= stored
    assert not _keys(portal, _window(portal, -800, -410)) & stored  # older than the window
    assert not _keys(portal, _window(portal, 9, 90)) & stored  # agendas not yet published
    assert by_url(db_path) == {}
    lists = _asked(portal, "GetMeetings")
    assert sorted(int(q["lCommitteeId"]) for q in lists) == list(range(140, 146))
    today = portal.today()
    assert all(q["sToDate"] == (today + timedelta(days=7)).strftime("%d/%m/%Y") for q in lists)
    assert len(_asked(portal, "GetCommittees")) == 1
    assert len(_asked(portal, "GetMeeting?")) == len({k.split("#")[0] for k in stored})

    # the entries of one real meeting of Cabinet (an executive: decisions published)
    source = Source(1, portal.url, "moderngov", municipality=COUNCIL, known_items=frozenset(stored),
                    last_modified=(datetime.now(UTC) - timedelta(days=365)).isoformat())
    [start] = moderngov.start(source)
    cabinet = next(link for link in moderngov.links(source, _fetch(start)) if '"Cabinet"' in link.key)
    [*_, meeting] = [m for m in moderngov.links(source, _fetch(cabinet))
                     if json.loads(m.key)["date"] < (today - timedelta(days=20)).isoformat()]
    doc = json.dumps({"pages": [{"key": meeting.key, "url": meeting.url, "text": _page(meeting)}]}).encode()
    entries = moderngov.extract(None, source, FetchResult(1, portal.url, 200, {}, doc)).entries  # type: ignore[arg-type]
    assert len(entries) >= 6 and all(e.municipality == COUNCIL and e.body == "Cabinet" and e.country == "GB"
                                     and e.published == json.loads(meeting.key)["date"] for e in entries)
    decided = [e for e in entries if "Decision: RESOLVED" in e.text]
    assert decided and all(e.url.startswith(f"{portal.url}/ieDecisionDetails.aspx?AIId=") for e in decided)
    assert all("Document: Appendix A" in e.text and "Minutes: The Committee considered" in e.text
               for e in decided)


def _fetch(link) -> FetchResult:
    with urllib.request.urlopen(link.url) as answer:
        headers = {k.lower(): v for k, v in answer.headers.items()}
        return FetchResult(1, link.url, 200, headers, answer.read(), key=link.key)


def test_incremental_sync_reads_only_meetings_at_a_milestone(portal, twinwatch, db_path):
    """A day later (on the portal's clock) the sync reads the new meeting and the meeting of
    three days ago (its decision-notice milestone), whose decision was published since: a new
    entry and an edited one, with the council and committee; a re-sync the same day costs one
    request per list."""
    cabinet, council = portal.committee_id("Cabinet"), portal.committee_id("Council")
    held = portal.add_meeting(cabinet, portal.today() - timedelta(days=2), ["Twinning link with Bethlehem"])
    twinwatch("sources", "add", portal.url, "--kind", "moderngov", "--municipality", COUNCIL)
    twinwatch("crawl", "--all", timeout=180)
    portal.skew = timedelta(days=1)
    new = portal.add_meeting(council, portal.today(), ["Motion: ceasefire in Gaza and humanitarian aid"])
    item = held.items[-1]
    item.decision = ("<p>RESOLVED: That the twinning link with Bethlehem be renewed and a grant of "
                     "&pound;5,000 be made for humanitarian aid.</p>")
    asked = len(portal.requests)
    second = twinwatch("crawl", "--all", timeout=120)
    assert "0 failed" in second.stdout
    read = {q["lMeetingId"] for q in _asked(portal, "GetMeeting?", asked)}
    assert {str(held.id), str(new.id)} <= read and len(read) < 20
    assert len(_asked(portal, "GetMeetings", asked)) == 6

    found = by_url(db_path)
    motion = found[f"{portal.url}/ieListDocuments.aspx?CId={council}&MId={new.id}"]
    assert {c.kind for c in motion} == {"new-entry"}
    assert "Motion: ceasefire in Gaza and humanitarian aid" in {c.title for c in motion}
    # the new items' linked documents are fetched and read (the PDFs' own words), no others
    report, _ = new.items[-1].documents
    [entry] = [c for c in motion if c.title == "Motion: ceasefire in Gaza and humanitarian aid"]
    assert f"Report {report[0]}: the committee is asked" in " ".join(entry.added)
    docs = {r.split("ID=")[1] for r in portal.requests[asked:] if r.startswith("/mgConvert2PDF")}
    assert docs == {str(aid) for it in new.items for aid, _ in it.documents}
    assert all(municipality(c) == COUNCIL for c in motion)
    [edited] = found[f"{portal.url}/ieDecisionDetails.aspx?AIId={item.id}"]
    assert edited.kind == "edited-entry" and municipality(edited) == COUNCIL
    assert any("twinning link with Bethlehem be renewed" in line for line in edited.added)
    changed = len([c for cs in found.values() for c in cs])

    asked = len(portal.requests)
    third = twinwatch("crawl", "--all")  # the same day: no meeting passed a milestone since
    assert "0 failed" in third.stdout and "0 changed" in third.stdout
    assert [r.split("?")[0] for r in portal.requests[asked:]] == [
        "/mgWebService.asmx/GetCommittees", *["/mgWebService.asmx/GetMeetings"] * 6]  # and no document
    assert len([c for cs in by_url(db_path).values() for c in cs]) == changed


def test_conditional_requests_quiet_resync_gets_304s_and_a_changed_meeting_is_read(
        portal, twinwatch, db_path):
    """The web service's ETag and Last-Modified are kept with the sync state: a quiet re-sync
    asks each list again conditionally and gets only 304s, storing nothing; a day later the
    meetings at a milestone are asked conditionally too: an unchanged one is a 304, one whose
    decision was published since is read and reported as an edit."""
    cabinet = portal.committee_id("Cabinet")
    held = portal.add_meeting(cabinet, portal.today() - timedelta(days=2), ["Twinning link with Bethlehem"])
    quiet = portal.add_meeting(cabinet, portal.today() - timedelta(days=2), ["Allotments"])
    twinwatch("sources", "add", portal.url, "--kind", "moderngov", "--municipality", COUNCIL)
    twinwatch("crawl", "--all", timeout=180)
    kept = validators(db_path)
    meeting = f"{portal.url}/mgWebService.asmx/GetMeeting?lMeetingId="
    assert kept[meeting + str(held.id)]["etag"] and kept[meeting + str(held.id)]["leaf"]
    assert "text" in kept[f"{portal.url}/mgWebService.asmx/GetCommittees"]
    assert cursor(db_path) is None  # validators are no resume cursor
    twinwatch("crawl", "--all")  # the lists' date window moves to the last sync: new URLs, read
    stored = items(db_path)

    asked, before = len(portal.requests), len(portal.not_modified)
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout and "0 changed" in out.stdout
    again = portal.requests[asked:]
    assert [r.split("?")[0] for r in again] == [
        "/mgWebService.asmx/GetCommittees", *["/mgWebService.asmx/GetMeetings"] * 6]
    assert portal.not_modified[before:] == again  # every one a 304
    assert items(db_path) == stored and by_url(db_path) == {}

    portal.skew = timedelta(days=1)  # three days after both meetings: their decision-notice milestone
    held.items[-1].decision = "<p>RESOLVED: That the twinning link with Bethlehem be renewed.</p>"
    asked, before = len(portal.requests), len(portal.not_modified)
    out = twinwatch("crawl", "--all", timeout=120)
    assert "0 failed" in out.stdout
    unchanged = portal.not_modified[before:]
    read = {q["lMeetingId"] for q in _asked(portal, "GetMeeting?", asked)}
    assert {str(held.id), str(quiet.id)} <= read
    assert f"/mgWebService.asmx/GetMeeting?lMeetingId={quiet.id}" in unchanged
    assert f"/mgWebService.asmx/GetMeeting?lMeetingId={held.id}" not in unchanged
    [edited] = [c for cs in by_url(db_path).values() for c in cs]
    assert edited.kind == "edited-entry" and any("renewed" in line for line in edited.added)


def test_link_pattern_limits_the_committees(portal, twinwatch, db_path):
    """--link-pattern '^(council|cabinet)$': only those committees' meetings are asked for and stored."""
    twinwatch("sources", "add", portal.url, "--kind", "moderngov", "--link-pattern", "^(council|cabinet)$")
    twinwatch("crawl", "--all", timeout=180)
    assert sorted(int(q["lCommitteeId"]) for q in _asked(portal, "GetMeetings")) == [140, 141]
    stored = set(items(db_path))
    wanted = [m for m in _window(portal, -360, 6) if m.committee in (140, 141)]
    assert wanted and _keys(portal, wanted) <= stored
    assert not _keys(portal, [m for m in portal.meetings.values() if m.committee not in (140, 141)]) & stored
    with open_db(db_path) as db:
        assert db.execute("SELECT link_pattern FROM sources").fetchone()[0] == "^(council|cabinet)$"


def test_budget_resumes_next_run_and_stays_a_baseline(portal, twinwatch, db_path):
    """With a budget of 40 requests a first sync of about 130 takes several runs, each
    resuming where the last stopped; none of them reports its items as new."""
    twinwatch("sources", "add", portal.url, "--kind", "moderngov")
    env = settings(TWINWATCH_PORTAL_BUDGET=40)
    cursors = []
    for _ in range(6):
        before = len(portal.requests)
        out = twinwatch("crawl", "--all", env=env, timeout=120)
        assert "0 failed" in out.stdout and "0 new items" in out.stdout
        assert len([r for r in portal.requests[before:] if r.startswith("/mgWebService")]) <= 40
        cursors.append(cursor(db_path))
        if cursors[-1] is None:
            break
    assert len(cursors) >= 3 and cursors[-1] is None and all(cursors[:-1])
    assert watermark(db_path) and _keys(portal, _window(portal, -360, 6)) <= set(items(db_path))
    assert by_url(db_path) == {}


def test_bad_answers_fail_the_source_readably_and_keep_what_is_stored(portal, twinwatch, db_path):
    """An HTML error page, malformed XML and a list of 100,000 meetings each fail the source
    with a readable message after two requests; the stored items and the sync state stay; a
    portal answering no meetings after it had hundreds deletes and reports nothing; the next
    good answer is read again."""
    twinwatch("sources", "add", portal.url, "--kind", "moderngov")
    twinwatch("crawl", "--all", timeout=180)
    bad_answers_keep_what_is_stored(
        twinwatch, db_path, portal,
        (("html", "HTML page (text/html) instead of XML"), ("malformed", "not well-formed XML"),
         ("huge", "elements")),
        max_requests=2, count=lambda: sum(r.startswith("/mgWebService") for r in portal.requests))
    assert by_url(db_path) == {}
    assert "0 failed" in twinwatch("crawl", "--all").stdout


def test_meeting_without_a_date_is_kept_and_read_once(portal, twinwatch, db_path):
    """A meeting listed without a date is read while none of its items is stored: its items
    are new entries without a date; the next sync does not read it again."""
    twinwatch("sources", "add", portal.url, "--kind", "moderngov", "--municipality", COUNCIL)
    twinwatch("crawl", "--all", timeout=180)
    undated = portal.add_meeting(portal.committee_id("Council"), None, ["Friendship link with Kharkiv"])
    for it in undated.items:
        it.dated = False
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    url = f"{portal.url}/ieListDocuments.aspx?CId=140&MId={undated.id}"
    assert {c.kind for c in by_url(db_path)[url]} == {"new-entry"}
    assert "Friendship link with Kharkiv" in {c.title for c in by_url(db_path)[url]}
    before = len(portal.requests)
    twinwatch("crawl", "--all")
    assert str(undated.id) not in {q["lMeetingId"] for q in _asked(portal, "GetMeeting?", before)}

    source = Source(1, portal.url, "moderngov", municipality=COUNCIL)
    key = json.dumps({"list": "meeting", "committee": "140", "title": "Council", "meeting": str(undated.id),
                      "date": None})
    link = Link(key, f"{portal.url}/mgWebService.asmx/GetMeeting?lMeetingId={undated.id}")
    doc = json.dumps({"pages": [{"key": key, "url": link.url, "text": _page(link)}]}).encode()
    entries = moderngov.extract(None, source, FetchResult(1, portal.url, 200, {}, doc)).entries  # type: ignore[arg-type]
    assert entries and all(e.published is None and e.body == "Council" for e in entries)


def test_clock_skew_uses_the_portals_calendar(portal, twinwatch, db_path):
    """A portal three days behind our clock: the watermark is its time, the window ends a
    week after its today, and the meeting of its next day is found on that day."""
    portal.skew = timedelta(days=-3)
    twinwatch("sources", "add", portal.url, "--kind", "moderngov")
    twinwatch("crawl", "--all", timeout=180)
    mark = datetime.fromisoformat(watermark(db_path))
    assert abs((mark - portal.now()).total_seconds()) < 120
    assert {q["sToDate"] for q in _asked(portal, "GetMeetings")} == {
        (portal.today() + timedelta(days=7)).strftime("%d/%m/%Y")}
    portal.skew = timedelta(days=-2)
    new = portal.add_meeting(portal.committee_id("Cabinet"), portal.today(), ["Ukraine sister-city aid"])
    future = portal.add_meeting(portal.committee_id("Cabinet"), date(2099, 1, 1), ["Far future"])
    before = len(portal.requests)
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    read = {q["lMeetingId"] for q in _asked(portal, "GetMeeting?", before)}
    assert str(new.id) in read and str(future.id) not in read
    assert "Ukraine sister-city aid" in {c.title for cs in by_url(db_path).values() for c in cs}


def test_milestones_and_site_root():
    """A meeting is due on its milestones only; the root is found from a URL with the service in it."""
    d = date(2026, 3, 10)
    assert moderngov.due(d, date(2026, 3, 9), date(2026, 3, 10))  # the meeting day
    assert moderngov.due(d, date(2026, 3, 2), date(2026, 3, 3))  # agenda: a week before
    assert moderngov.due(d, date(2026, 3, 12), date(2026, 3, 13))  # decision notice
    assert not moderngov.due(d, date(2026, 3, 10), date(2026, 3, 10))  # the same day again
    assert not moderngov.due(d, date(2026, 3, 14), date(2026, 3, 23))  # between milestones
    assert moderngov.due(d, date(2026, 3, 14), date(2026, 3, 24))  # draft minutes
    source = Source(1, "https://democracy.example.gov.uk/mgWebService.asmx?op=GetMeetings", "moderngov")
    assert moderngov.site_root(source) == "https://democracy.example.gov.uk"
    [link] = moderngov.start(source)
    assert link.url == "https://democracy.example.gov.uk/mgWebService.asmx/GetCommittees"


def test_plugins_lists_the_moderngov_kind(twinwatch):
    """`twinwatch plugins` names the moderngov kind."""
    out = twinwatch("plugins").stdout
    assert "moderngov" in out.split("source kinds:")[1]


def test_read_xml_expands_no_entities_and_loads_nothing():
    """Entity-expansion XML fails readably (libxml2's amplification limit) and an external
    entity reads no file; an HTML page and a page of too many elements fail readably."""
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE meeting [<!ENTITY l0 "lol">{laughs}]>'
            "<meeting><meetingid>&l9;</meetingid></meeting>").encode()
    with pytest.raises(ExtractError, match="not well-formed XML"):
        read_xml(FetchResult(1, "http://127.0.0.1/", 200, {"content-type": "text/xml"}, bomb))
    body = (b'<?xml version="1.0"?><!DOCTYPE meeting [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<meeting><meetingid>1</meetingid><meetinglocation>&x;</meetinglocation></meeting>")
    root = read_xml(FetchResult(1, "http://127.0.0.1/", 200, {"content-type": "text/xml"}, body))
    assert root.tag == "meeting" and "root:" not in lxml.etree.tostring(root).decode()
    with pytest.raises(ExtractError, match="HTML page"):
        read_xml(FetchResult(1, "http://127.0.0.1/", 200, {}, b"<!DOCTYPE html><html><body>Error</body>"))
    many = b"<getmeetings>" + b"<meeting/>" * 250_000 + b"</getmeetings>"
    with pytest.raises(ExtractError, match="elements"):
        read_xml(FetchResult(1, "http://127.0.0.1/", 200, {}, many))
