"""The ``oparl`` kind against a loopback OParl server: real ``twinwatch crawl`` runs
(Scrapy in a child process) and real SQLite. First and incremental syncs, edits,
deletions, the request budget, and the bad inputs of issue 16."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from monitor.store.db import open_db
from tests.portals.oparl_server import OParlServer
from tests.portals.sync import by_url, cursor, items, municipality, settings, state, watermark

pytestmark = pytest.mark.slow


@pytest.fixture
def oparl() -> Iterator[OParlServer]:
    """Two bodies (Köln, Bonn) of 150 papers (20 older than a year), 3 meetings of 2 items each."""
    server = OParlServer(bodies=2, papers=150, meetings=3, items=2, old=20).start()
    yield server
    server.stop()


def test_first_sync_is_a_baseline_then_only_changes_are_asked_for(oparl, twinwatch, db_path):
    """A first sync stores every item of the last 12 months and reports none; the next asks
    each list once for what changed and reports a new paper, an edit and a withdrawal, each
    with its own municipality."""
    twinwatch("sources", "add", oparl.url, "--kind", "oparl")
    first = twinwatch("crawl", "--all")
    assert "1 fetched" in first.stdout and "0 new items" in first.stdout and "0 failed" in first.stdout
    stored = items(db_path)
    assert len(stored) == 2 * (130 + 3 + 3 * 2)  # papers in the window, meetings, agenda items
    assert oparl.paper(0, 0)["id"] not in stored  # older than the window: never asked for
    assert oparl.paper(0, 100)["id"] in stored
    assert by_url(db_path) == {}

    oparl.add_paper(1, "Städtepartnerschaft mit Bethlehem: Resolution des Rates",
                    "Der Rat der Bundesstadt Bonn beschließt, die Städtepartnerschaft mit Bethlehem "
                    "fortzusetzen und 20.000 Euro Nothilfe bereitzustellen.")
    oparl.edit_paper(0, 50, name="Partnerschaft mit Tel Aviv aussetzen (Antrag)")
    oparl.delete_paper(1, 60)
    asked = len(oparl.requests)
    second = twinwatch("crawl", "--all")
    assert "0 failed" in second.stdout
    requested = [r for r in oparl.requests[asked:] if r.startswith("/oparl")]
    assert len(requested) == 2 + 2 * 3  # system, bodies, and one page per list of each body
    assert all("modified_since=" in r for r in requested if "/body/" in r)

    found = by_url(db_path)
    new = found[oparl.bodies[1].papers[-1]["web"]][0]
    assert new.kind == "new-entry" and municipality(new) == "Bonn"
    edited = found[oparl.paper(0, 50)["web"]][0]
    assert edited.kind == "edited-entry" and municipality(edited) == "Köln"
    assert "Partnerschaft mit Tel Aviv aussetzen (Antrag)" in edited.added
    withdrawn = found[oparl.paper(1, 60)["id"]][0]
    assert withdrawn.kind == "edited-entry" and municipality(withdrawn) == "Bonn"
    assert withdrawn.added[-1].startswith("Withdrawn: deleted from the portal")
    assert len(found) == 3

    third = twinwatch("crawl", "--all")  # the overlap lists them again: nothing new
    assert "0 changed" in third.stdout and len(by_url(db_path)) == 3


def test_municipality_limits_the_bodies(oparl, twinwatch, db_path):
    """--municipality Bonn: only Bonn's lists are asked for and stored."""
    twinwatch("sources", "add", oparl.url, "--kind", "oparl", "--municipality", "bonn")
    twinwatch("crawl", "--all")
    assert not any("/body/0/" in r for r in oparl.requests)
    stored = items(db_path)
    assert len(stored) == 130 + 3 + 6 and all("/1-" in k for k in stored)
    assert state(twinwatch)["municipalities"] == ["bonn"] and state(twinwatch)["municipality"] == "bonn"


def test_budget_resumes_next_run_and_stays_a_baseline(oparl, twinwatch, db_path):
    """With a budget of 4 requests a first sync takes several runs, each resuming where the
    last stopped; none of them reports its items as new."""
    twinwatch("sources", "add", oparl.url, "--kind", "oparl")
    env = settings(TWINWATCH_PORTAL_BUDGET=4)
    cursors = []
    for _ in range(3):  # system, bodies, and 2 papers + 1 meetings + 1 agenda pages a body: 10 pages
        before = oparl.count()
        out = twinwatch("crawl", "--all", env=env)
        assert "0 failed" in out.stdout and "0 new items" in out.stdout and oparl.count() - before <= 4
        cursors.append(cursor(db_path))
    assert [c is not None for c in cursors] == [True, True, False]
    assert watermark(db_path) and len(items(db_path)) == 2 * (130 + 3 + 6)
    assert by_url(db_path) == {}


def test_bad_inputs_fail_the_source_readably_and_keep_what_is_stored(oparl, twinwatch, db_path):
    """A next link that loops, a page of 100,000 objects and an HTML error page each fail the
    source with a readable message, bounded; the stored items stay, and the sync state too."""
    twinwatch("sources", "add", oparl.url, "--kind", "oparl")
    twinwatch("crawl", "--all")
    stored, mark = items(db_path), watermark(db_path)
    for mode, message in (("loop", "loops"), ("huge", "objects"), ("html", "instead of JSON")):
        oparl.misbehave = {"/oparl/body/1/papers": mode}
        before = oparl.count()
        out = twinwatch("crawl", "--all")
        assert "1 failed" in out.stdout, mode
        s = state(twinwatch)
        assert s["last_status"] in ("parse-error", "too-large") and (message in s["last_error"]
                                                                   or s["last_status"] == "too-large"), s
        assert oparl.count() - before <= 10
        assert items(db_path) == stored and watermark(db_path) == mark
    oparl.misbehave = {}
    assert "0 failed" in twinwatch("crawl", "--all").stdout


def test_empty_list_after_items_is_no_mass_deletion(oparl, twinwatch, db_path):
    """A portal answering 200 with empty lists after it had items deletes nothing and reports nothing."""
    twinwatch("sources", "add", oparl.url, "--kind", "oparl")
    twinwatch("crawl", "--all")
    stored = items(db_path)
    oparl.misbehave = {f"/oparl/body/{b}/{name}": "empty" for b in (0, 1)
                       for name in ("papers", "meetings", "agendaItems")}
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout and "0 changed" in out.stdout
    assert items(db_path) == stored and by_url(db_path) == {}


def test_deleted_paper_that_reappears_and_item_without_body_or_date(oparl, twinwatch, db_path):
    """A withdrawn paper that comes back is an edit again (restored); a paper without body or
    date is kept with its list's municipality."""
    twinwatch("sources", "add", oparl.url, "--kind", "oparl")
    twinwatch("crawl", "--all")
    original = dict(oparl.paper(0, 70))
    oparl.delete_paper(0, 70)
    twinwatch("crawl", "--all")
    restored = {k: v for k, v in original.items() if k not in ("body", "date")}
    oparl.bodies[0].papers[70] = restored
    oparl.edit_paper(0, 70)
    oparl.add_paper(0, "Resolution zur humanitären Hilfe für Gaza", "Der Rat beschließt 5.000 Euro.")
    bare = oparl.bodies[0].papers[-1]
    bare.pop("body"), bare.pop("date")
    out = twinwatch("crawl", "--all")
    assert "0 failed" in out.stdout
    found = by_url(db_path)
    history = sorted(found[original["id"]] + found.get(original["web"], []), key=lambda c: c.id)
    assert [c.kind for c in history] == ["edited-entry", "edited-entry"]
    assert history[0].added[-1].startswith("Withdrawn:")
    assert any(line.startswith("Withdrawn:") for line in history[1].removed)
    new = found[bare["web"]][0]
    assert new.kind == "new-entry" and municipality(new) == "Köln"


def test_clock_skew_in_modified_times(oparl, twinwatch, db_path):
    """The watermark is the portal's own clock: a portal a day ahead of ours, an edit stamped
    half an hour before the last sync began (a slow writer) and an item stamped in 2099 are all
    handled: both edits are found and the far-future item does not move the watermark."""
    oparl.skew = timedelta(days=1)
    twinwatch("sources", "add", oparl.url, "--kind", "oparl")
    twinwatch("crawl", "--all")
    mark = datetime.fromisoformat(watermark(db_path))
    assert abs((mark - oparl.now()).total_seconds()) < 120  # the portal's clock, not ours
    late = mark - timedelta(minutes=30)
    oparl.edit_paper(0, 40, modified=late, name="Spät geschrieben: Partnerschaft Lviv")
    oparl.edit_paper(0, 41, modified=datetime(2099, 1, 1, tzinfo=UTC), name="Aus der Zukunft: Hilfe für Kyiv")
    twinwatch("crawl", "--all")
    assert abs((datetime.fromisoformat(watermark(db_path)) - oparl.now()).total_seconds()) < 120
    oparl.edit_paper(0, 42, name="Danach: Partnerschaft mit Turku")
    twinwatch("crawl", "--all")
    titles = {c.title for cs in by_url(db_path).values() for c in cs}
    assert {"Spät geschrieben: Partnerschaft Lviv", "Aus der Zukunft: Hilfe für Kyiv",
            "Danach: Partnerschaft mit Turku"} <= titles


def test_oparl_1_0_agenda_items_come_from_their_meetings(twinwatch, db_path):
    """OParl 1.0 has no agendaItem list: agenda items are read from their meetings."""
    server = OParlServer(bodies=1, papers=10, meetings=2, items=3, old=0, version="1.0").start()
    try:
        twinwatch("sources", "add", server.url, "--kind", "oparl")
        twinwatch("crawl", "--all")
        assert not any("agendaItems" in r for r in server.requests)
        assert sum("/agendaitem/" in k for k in items(db_path)) == 6
    finally:
        server.stop()


def test_thousands_of_papers_in_pages_of_100(twinwatch, db_path):
    """Five bodies of 1,000 papers each: one run reads every page within the default budget."""
    server = OParlServer(bodies=5, papers=1000, meetings=10, items=5, old=0).start()
    try:
        twinwatch("sources", "add", server.url, "--kind", "oparl")
        out = twinwatch("crawl", "--all", timeout=180)
        assert "0 failed" in out.stdout and cursor(db_path) is None
        assert server.count() == 2 + 5 * (10 + 1 + 1)
        assert len(items(db_path)) == 5 * (1000 + 10 + 50)
    finally:
        server.stop()


def test_plugins_lists_the_oparl_kind(twinwatch):
    """`twinwatch plugins` names the portals plugin and the oparl kind."""
    out = twinwatch("plugins").stdout
    assert "plugins.portals" in out and "oparl" in out.split("source kinds:")[1]


def _item_text(db_path, key: str) -> str:
    from monitor.text import decompress

    with open_db(db_path) as db:
        row = db.execute("SELECT b.data FROM items i JOIN blobs b ON b.fp = i.text_fp WHERE i.key = ?",
                         [key]).fetchone()
    return decompress(row[0])


def test_pdf_of_a_new_paper_is_fetched_and_read_when_the_portal_gives_no_text(twinwatch, db_path):
    """A new paper whose File has no text: its PDF is fetched and its words are in the entry's
    text; a PDF over the size limit and one that 404s are noted, the source does not fail;
    files with text and a first sync fetch nothing, and a re-sync with nothing new neither."""
    from tests.helpers import pdf

    server = OParlServer(bodies=1, papers=20, meetings=1, items=1, old=0).start()
    try:
        env = settings(DOWNLOAD_MAXSIZE=200_000)
        twinwatch("sources", "add", server.url, "--kind", "oparl")
        assert "0 failed" in twinwatch("crawl", "--all", env=env).stdout
        assert server.count("/oparl/file/") == 0  # a baseline fetches no documents
        minutes = pdf([["Der Rat beschliesst die Staedtepartnerschaft mit Bethlehem.",
                        "Nothilfe von 20.000 Euro fuer die Partnerstadt wird bereitgestellt."]],
                      title="Niederschrift Rat")
        # Added a second ago: the portal's clock (its Date header, its ``modified``) has
        # one-second steps, and a paper modified within the second a sync began is, rightly,
        # asked for again by the next sync (``modified`` not before the watermark). A
        # crawl that starts quickly began within the second of the edits now and then.
        added = server.now() - timedelta(seconds=1)
        read = server.add_paper(0, "Resolution Bethlehem", "", modified=added, pdf=minutes)
        big = server.add_paper(0, "Haushalt mit Anlagen", "", modified=added,
                               pdf=minutes + b"%" + b"x" * 400_000 + b"\n")
        gone = server.add_paper(0, "Vorlage ohne Datei", "", modified=added, pdf=b"")
        del server.files[gone["mainFile"]["accessUrl"].split(str(server.port), 1)[1]]
        server.edit_paper(0, 5, name="Geänderte Vorlage mit Text")  # its File has text: not fetched
        out = twinwatch("crawl", "--all", env=env)
        assert "0 failed" in out.stdout and state(twinwatch)["last_status"] == "changed"
        asked = [r for r in server.requests if r.startswith("/oparl/file/")]
        assert sorted(asked) == sorted(p["mainFile"]["accessUrl"].split(str(server.port), 1)[1]
                                       for p in (read, big, gone))

        found = by_url(db_path)
        new = found[read["web"]][0]
        assert new.kind == "new-entry"
        words = " ".join(new.added)
        assert "Staedtepartnerschaft mit Bethlehem" in words and "20.000 Euro" in words
        assert "Staedtepartnerschaft mit Bethlehem" in _item_text(db_path, read["id"])
        assert "not read, over the size limit" in " ".join(found[big["web"]][0].added)
        assert "HTTP 404" in " ".join(found[gone["web"]][0].added)
        assert found[server.paper(0, 5)["web"]][0].kind == "edited-entry"

        before = server.count("/oparl/file/")
        again = twinwatch("crawl", "--all", env=env)  # the overlap lists them again: nothing new
        assert "0 failed" in again.stdout and "0 changed" in again.stdout
        assert server.count("/oparl/file/") == before
        assert "Staedtepartnerschaft mit Bethlehem" in _item_text(db_path, read["id"])
    finally:
        server.stop()


def test_documents_that_do_not_fit_the_budget_wait_with_their_page(twinwatch, db_path):
    """With a budget of 4 requests, a page whose 3 PDFs do not fit after the pages before it
    is read first next run with its PDFs; no run goes over the budget or fails, and every
    new paper ends with its PDF's words."""
    from tests.helpers import pdf

    server = OParlServer(bodies=1, papers=10, meetings=1, items=1, old=0).start()
    try:
        env = settings(TWINWATCH_PORTAL_BUDGET=4)
        twinwatch("sources", "add", server.url, "--kind", "oparl")
        for _ in range(2):  # system, bodies, papers, meetings, agendaItems: a baseline in two runs
            twinwatch("crawl", "--all", env=env)
        assert cursor(db_path) is None
        papers = [server.add_paper(0, f"Antrag {n}", "", pdf=pdf([[f"Partnerschaftsantrag Nummer {n}."]]))
                  for n in range(3)]
        runs = []
        for _ in range(3):
            before = len(server.requests)
            out = twinwatch("crawl", "--all", env=env)
            assert "0 failed" in out.stdout
            runs.append([r.split("?")[0] for r in server.requests[before:] if r.startswith("/oparl")])
        assert all(len(r) <= 4 for r in runs)
        assert [sum("/file/" in x for x in r) for r in runs] == [0, 3, 0]
        assert runs[1][0] == "/oparl/body/0/papers"  # the page left over, read again first
        found = by_url(db_path)
        for n, paper in enumerate(papers):
            [change] = found[paper["web"]]
            assert change.kind == "new-entry"
            assert f"Partnerschaftsantrag Nummer {n}." in " ".join(change.added)
    finally:
        server.stop()
