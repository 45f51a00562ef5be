"""Extraction that cannot fail silently, without Scrapy: "last updated" stamps dropped
in six languages, a collapsed text kept out of the diff (``extraction-lost``), a first
text that keeps a small share of its page flagged for a look, and the pure checks of
:mod:`monitor.ingest.outcome`."""

from __future__ import annotations

import time

import pytest

from monitor.ingest.extract.stamps import MAX_STAMP, drop_stamps, is_stamp
from monitor.ingest.outcome import collapse, small_share
from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.sources.health import health
from monitor.sources.manage import NewSource, add_sources
from monitor.store.queries import changes, history, snapshot_count

HTML = {"content-type": "text/html; charset=utf-8"}

STAMPS = [
    "Laatst bijgewerkt op 12/03/2024",
    "Gepubliceerd op 12 maart 2025",
    "Deze pagina is bijgewerkt op 12 maart 2025",
    "Dernière mise à jour : 12 mars 2024",
    "Publié le 10/03/2025 - Mis à jour le 24/11/2026",
    "Zuletzt aktualisiert: 12.03.2024 10:14",
    "Stand: 12.03.2024",
    "Last updated 12 March 2024",
    "Last modified: March 12, 2024 at 10:14 am",
    "Última actualización: 12 de marzo de 2024",
    "Publicado el 12/03/2024",
    "Ultimo aggiornamento: 12 marzo 2024",
    "Pubblicato il 12/03/2024 alle 10:14",
    "Laatst gewijzigd: 2024-03-12T10:14:00+01:00",
]

NOT_STAMPS = [
    "The waste collection calendar was updated on 12 March 2024 after the council vote.",
    "Le calendrier a été mis à jour le 12 mars 2024.",
    "Gepubliceerd op 12 maart 2025 door de dienst communicatie, met de nieuwe regels.",
    "Updated rules for parking apply from 1 April 2024",
    "Zuletzt aktualisiert wurde der Plan am 12.03.2024 vom Gemeinderat.",
    "Mise à jour de la liste des écoles",
    "Last updated",
]


@pytest.mark.parametrize("line", STAMPS)
def test_a_stamp_line_is_recognised(line):
    """A line that is only a last-updated/published/modified stamp with a date or time is a stamp."""
    assert is_stamp(line)


@pytest.mark.parametrize("line", NOT_STAMPS)
def test_a_sentence_that_mentions_an_update_is_text(line):
    """A sentence that merely mentions an update, or a label without a date, is kept."""
    assert not is_stamp(line)


def test_stamp_recognition_is_bounded():
    """Long or hostile lines cost at most linear time: 2,000 near-stamps in well under a second."""
    hostile = ("Last updated " + "12 " * 60 + "x")[:MAX_STAMP]
    text = "\n".join([hostile, "Laatst bijgewerkt op " + "1." * 70, "a" * 100_000] * 700)
    started = time.perf_counter()
    assert drop_stamps(text) == text
    assert time.perf_counter() - started < 1.0


@pytest.fixture
def source(db) -> int:
    (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1:1/page", "page", "Ixelles", "BE")])
    return sid


def fetch(sid: int, body: str) -> FetchResult:
    return FetchResult(sid, "http://127.0.0.1:1/page", status=200, headers=HTML, body=body.encode())


ARTICLE = [f"Paragraph {i} of the twinning article: the council of Ixelles met its partners from "
           f"Biarritz and Kalamu to discuss school exchanges, water projects and civil registration."
           for i in range(12)]


def page(main: list[str], *, outside: list[str] = (), menu: int = 0) -> str:
    """A page with a ``<main>``, text outside it (plain divs), and a services list."""
    inside = "".join(f"<p>{p}</p>" for p in main)
    rest = "".join(f"<p>{p}</p>" for p in outside)
    services = "".join(f"<li><a href='/s{i}'>Service number {i} of the town hall, counter {i}</a></li>"
                       for i in range(menu))
    return (f"<!doctype html><html><head><title>Ixelles</title></head><body>"
            f"<main><h1>Twinning</h1>{inside}</main><div class='story'>{rest}</div>"
            f"<div class='services'><ul>{services}</ul></div></body></html>")


def test_stamps_are_dropped_from_a_page_in_six_languages(db, pm, source):
    """Stamp lines (nl, fr, de, en, es, it) leave the stored text; a sentence about an update stays."""
    lines = [*ARTICLE[:3], *STAMPS, NOT_STAMPS[0]]
    assert ingest(db, pm, fetch(source, page(lines))) == "new"
    ((_, text),) = history(db, source)
    assert not any(s in text for s in STAMPS)
    assert NOT_STAMPS[0] in text and ARTICLE[0] in text


def test_upgrading_to_dropped_stamps_reports_nothing(db, pm, source):
    """A text stored with its stamp (before the upgrade) compared with the stamp-free text: no change."""
    from monitor.ingest.pipeline import Context, prepare
    from monitor.text import decompress, fingerprint

    old = "\n".join(["Twinning", *ARTICLE[:3], "Laatst bijgewerkt op 12/03/2024"])
    ctx = Context(prev_snapshot_id=1, prev_text_fp=fingerprint(old), prev_text=old,
                  known_fps=frozenset({fingerprint(old)}))
    from monitor.store.queries import get_source

    src = get_source(db, source)
    stamped = page([*ARTICLE[:3], "Laatst bijgewerkt op 14/03/2024"])
    prepared = prepare(pm, src, fetch(source, stamped), ctx)
    assert prepared is not None and prepared.drafts == ()
    assert not any("Laatst" in decompress(data) for _, _, data in prepared.blobs)
    # A real edit next to the stamp is still reported, without the stamp's line.
    edited = prepare(pm, src, fetch(source, page([*ARTICLE[:2], "A new partner town.",
                                                  "Laatst bijgewerkt op 14/03/2024"])), ctx)
    assert edited is not None
    (draft,) = edited.drafts
    assert draft.added == ("A new partner town.",) and draft.removed == (ARTICLE[2],)


def test_a_collapsed_text_is_extraction_lost_and_the_last_text_stays(db, pm, source):
    """The article leaves <main> but stays on the page: extraction-lost, no change, the stored text kept."""
    day1 = page(ARTICLE)
    assert ingest(db, pm, fetch(source, day1)) == "new"
    # <main> now holds only a short teaser (enough for the landmark path), the article
    # sits in a plain div next to it: the page says as much as before.
    teaser = ["The twinning article of Ixelles, with its partners, is below this teaser text, "
              "which is long enough for the landmark to be trusted by the extractor on its own."] * 2
    day2 = page(teaser, outside=ARTICLE)
    assert ingest(db, pm, fetch(source, day2)) == "extraction-lost"
    assert changes(db) == [] and snapshot_count(db, source) == 1
    ((_, text),) = history(db, source)
    assert ARTICLE[-1] in text
    (h,) = health(db)
    assert h.problem == "extraction-lost"
    assert "extraction lost the text" in h.reason and "last good text is kept" in h.reason
    assert h.hint == f"twinwatch sources test {source}"
    # The same bytes again: still flagged (the raw fingerprint was not taken as good).
    assert ingest(db, pm, fetch(source, day2)) == "extraction-lost"
    assert "2 fetches in a row" in health(db)[0].reason
    # The extraction finds the article again: compared with the last good text.
    assert ingest(db, pm, fetch(source, page([*ARTICLE[:-1], "A new closing paragraph."]))) == "changed"
    (change,) = changes(db)
    assert change.removed == (ARTICLE[-1],) and change.added == ("A new closing paragraph.",)
    assert health(db)[0].problem == "ok"


def test_a_real_removal_is_still_a_change(db, pm, source):
    """The article is cut from the page itself (the page shrinks): a change, not an extraction problem."""
    ingest(db, pm, fetch(source, page(ARTICLE)))
    assert ingest(db, pm, fetch(source, page(ARTICLE[:2]))) == "changed"
    (change,) = changes(db)
    assert len(change.removed) == 10


def test_a_first_text_with_a_small_share_is_stored_and_flagged_for_a_look(db, pm, source):
    """A first fetch keeping under 15% of a big page: baseline stored, health 'look'."""
    assert ingest(db, pm, fetch(source, page(ARTICLE[:3], menu=200))) == "new"
    assert snapshot_count(db, source) == 1
    (h,) = health(db)
    assert h.problem == "look" and "% of the page's visible text" in h.reason
    assert h.hint == f"twinwatch sources test {source}"
    # A later text that is most of the page ends the warning.
    ingest(db, pm, fetch(source, page(ARTICLE, menu=3)))
    assert health(db)[0].problem == "ok"


def test_collapse_and_small_share_decisions():
    """Pure checks: a collapse needs a steady page still showing the lost text; a share, a big page."""
    before = "\n".join(ARTICLE)
    after = ARTICLE[0]
    solid = "".join(before.split())
    assert collapse(before, after, prev_visible=len(solid), visible=len(solid), page_text=solid)
    # The page lost as much: a real change.
    assert collapse(before, after, prev_visible=len(solid), visible=len(solid) // 3,
                    page_text="".join(after.split())) is None
    # The lost text is not on the page any more (replaced by other text of the same size).
    other = "x" * len(solid)
    assert collapse(before, after, prev_visible=len(solid), visible=len(other), page_text=other) is None
    # Unknown last size (stored before the upgrade): the text still on the page decides.
    assert collapse(before, after, prev_visible=None, visible=len(solid), page_text=solid)
    # Shrinking to half is a change, not a collapse.
    assert collapse(before, "\n".join(ARTICLE[:6]), prev_visible=len(solid), visible=len(solid),
                    page_text=solid) is None
    assert small_share("a" * 100, 5000) and small_share("a" * 1000, 5000) is None
    assert small_share("a" * 100, 1000) is None  # a small page says too little to judge


def test_the_extraction_path_names_the_builtin_landmark_or_a_third_party_extractor(pm):
    """The built-in extractor names its landmark; a third-party one without the hook is named."""
    from monitor.crawl.tryout import extraction_path
    from monitor.hookspecs import hookimpl
    from monitor.models import Source

    src = Source(id=0, url="http://127.0.0.1:1/page", kind="page")
    result = FetchResult(0, src.url, status=200, headers=HTML, body=page(ARTICLE).encode())
    assert extraction_path(pm, src, result) == "landmark <main> (plugin html_text)"
    content = page(ARTICLE).replace("<main>", "<div id='content'>").replace("</main>", "</div>")
    other = FetchResult(0, src.url, status=200, headers=HTML, body=content.encode())
    assert extraction_path(pm, src, other) == "landmark #content (plugin html_text)"

    class Mine:
        @hookimpl(tryfirst=True)
        def extract_text(self, body):
            return "my text"

    pm.register(Mine(), name="mine")
    assert extraction_path(pm, src, result) == "plugin mine"
    regional = Source(id=0, url=src.url, kind="page", region="main p")
    assert extraction_path(pm, regional, result) == "region main p"
