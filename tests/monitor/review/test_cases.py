"""One case per decision: near-duplicate reports and same municipality+partner group together."""

from __future__ import annotations

import json

from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.review.cases import case_of, cases, group, review_case
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import write_tx
from monitor.store.queries import change
from tests.helpers import feed

RSS = {"content-type": "application/rss+xml"}
NEWS = ("Ixelles suspends its twinning with the Israeli town of Megiddo after months of protests in "
        "front of the municipal building; the council will debate the link on 26 September.")


def new_entries(db, pm, sid: int, items: list[tuple[str, str, str]]) -> list[int]:
    """Baseline then the given entries as new: returns the new change ids."""
    ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed([("old", "Old", "x")])))
    before = db.execute("SELECT COALESCE(MAX(id), 0) FROM changes").fetchone()[0]
    ingest(db, pm, FetchResult(sid, "u", 200, RSS, feed(items + [("old", "Old", "x")])))
    return [r[0] for r in db.execute("SELECT id FROM changes WHERE id > ? ORDER BY id", [before])]


def test_near_duplicates_group_and_others_do_not(db, pm):
    """Two outlets' versions of one story form a case; an unrelated item stays alone."""
    ids, _ = add_sources(db, [NewSource(f"http://127.0.0.1:1/{n}.xml", "feed", "Ixelles", "BE")
                              for n in ("a", "b")])
    (a1, a2) = new_entries(db, pm, ids[0], [("1", "Twinning suspended", NEWS),
                                           ("2", "Roadworks", "Rue du Trône closed for two weeks "
                                            "while the sewer is replaced by the regional water company.")])
    (b1,) = new_entries(db, pm, ids[1], [("9", "Ixelles and Megiddo", "Update: " + NEWS)])
    summary = group(db)
    assert (summary.examined, summary.new_cases) == (3, 2)
    (k,) = cases(db)
    assert set(k.change_ids) == {a1, b1} and len(k.urls) == 2
    assert case_of(db, a2) is not None and case_of(db, a2).change_ids == (a2,)
    assert group(db).examined == 0  # nothing left to examine


def test_same_places_join_across_languages_and_merge_cases(db, pm):
    """Reports in two languages with the same municipality and partner findings join one case."""
    ids, _ = add_sources(db, [NewSource(f"http://127.0.0.1:1/{n}.xml", "feed", None, "BE")
                              for n in ("nl", "fr", "en")])
    (nl,) = new_entries(db, pm, ids[0], [("n", "Stedenband opgeschort", "De gemeenteraad schortte "
                                          "de stedenband met Megiddo op.")])
    (fr,) = new_entries(db, pm, ids[1], [("f", "Jumelage suspendu", "Le conseil communal a suspendu "
                                          "le jumelage avec Meguido.")])
    group(db)
    assert cases(db) == []  # no shared words, no places yet
    (en,) = new_entries(db, pm, ids[2], [("e", "Twinning suspended", "The council suspended the twinning.")])
    with write_tx(db):
        for cid in (nl, fr, en):
            for name, value in (("municipality", {"name": "Elsene", "country": "BE"}),
                                ("partner", "Megiddo")):
                db.execute("INSERT INTO findings (change_id, plugin, name, value) VALUES (?, 't', ?, ?)",
                           [cid, name, json.dumps(value)])
    summary = group(db)
    (k,) = cases(db)
    assert set(k.change_ids) == {nl, fr, en} and summary.merged == 1 and summary.joined == 1


def test_reviewing_a_case_reviews_every_member(db, pm, twinwatch, db_path):
    """cases review applies the decision to each change; exports cite every source of the case."""
    ids, _ = add_sources(db, [NewSource(f"http://127.0.0.1:1/{n}.xml", "feed", "Ixelles", "BE")
                              for n in ("a", "b")])
    (a,) = new_entries(db, pm, ids[0], [("1", "Twinning suspended", NEWS)])
    (b,) = new_entries(db, pm, ids[1], [("2", "Twinning suspended", NEWS + " More later.")])
    group(db)
    (k,) = cases(db)
    review_case(db, k.id, status="relevant", add_tags=["twinning"])
    assert all(change(db, c).review.status == "relevant" for c in (a, b))
    rows = json.loads(twinwatch("export", "--table", "changes", "--format", "json").stdout)
    assert all(r["case_id"] == k.id and len(r["case_urls"]) == 2 for r in rows)
    out = twinwatch("cases", "list")
    assert f"case {k.id}: 2 changes" in out.stdout
