"""Cases folded in the inbox queries (monitor.review.case_inbox, the case_folds triggers):
one row per case, led by its first matching member in the inbox's order; counts and
positions agree with the pages; case_folds follows grouping, merges and deletions."""

from __future__ import annotations

import pytest

from monitor.review.case_inbox import case_badges
from monitor.review.cases import case_of, group, review_case
from monitor.review.decisions import undo
from monitor.review.inbox import case_rows, inbox_count, inbox_page, inbox_position, inbox_rows
from monitor.review.querylang import parse_query
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import write_tx
from tests.helpers import add_change

TEXT = ("Le conseil communal a décidé de suspendre le jumelage avec Megiddo jusqu'à nouvel ordre, "
        "après un long débat en séance publique et une pétition signée par des habitants.")
OTHER = ("Die Stadt stellt zwanzigtausend Euro für ein Wasserprojekt in der Partnerstadt bereit, "
         "beschlossen vom Stadtrat in seiner Sitzung am Montag mit großer Mehrheit.")


def folds_truth(db) -> set[tuple[int, int]]:
    return set(db.execute(
        "SELECT change_id, case_id FROM case_members WHERE case_id IN "
        "(SELECT case_id FROM case_members GROUP BY case_id HAVING COUNT(*) > 1)").fetchall())


def folds(db) -> set[tuple[int, int]]:
    return set(db.execute("SELECT change_id, case_id FROM case_folds").fetchall())


@pytest.fixture
def ids(db):
    """A case of three (scores 0.4, 0.9, 0.6; the 0.4 one newest), a case of one, and an
    ungrouped change."""
    (a, b, c), _ = add_sources(db, [NewSource("https://a.example/", "page", "Ixelles", "BE", "fr"),
                                    NewSource("https://b.example/", "page", "Ixelles", "BE", "fr"),
                                    NewSource("https://c.example/", "feed", "Berlin", "DE", "de")])
    out = {
        "newest": add_change(db, a, "Jumelage suspendu", TEXT + " Communiqué.", "2026-03-05T10:00:00Z",
                             score=0.4, language="fr", kind="page-changed"),
        "best": add_change(db, b, "Ixelles suspend le jumelage", TEXT, "2026-03-03T10:00:00Z", score=0.9,
                           language="fr"),
        "middle": add_change(db, a, "Megiddo", TEXT + " Le bourgmestre.", "2026-03-04T10:00:00Z",
                             score=0.6, language="nl", kind="page-changed"),
        "alone": add_change(db, c, "Wasserprojekt", OTHER, "2026-03-02T10:00:00Z", score=0.7, language="de"),
    }
    group(db)
    out["late"] = add_change(db, c, "Nicht gruppiert", OTHER + " Neu.", "2026-03-06T10:00:00Z")
    return out


def test_a_case_is_one_row_led_by_its_first_member_in_the_sort(db, ids):
    """Relevance order: the best-scored member leads; date order: the newest; the others fold."""
    assert [r.id for r in inbox_page(db, sort="relevance")] == [ids["best"], ids["alone"], ids["late"]]
    assert [r.id for r in inbox_page(db, sort="date")] == [ids["late"], ids["newest"], ids["alone"]]
    assert inbox_count(db) == 3
    lead = inbox_page(db)[0]
    assert lead.case is not None and lead.case.size == 3
    assert lead.case.langs == ("fr", "nl") and lead.case.kinds == ("new-entry", "page-changed")
    assert lead.case.summary() == "3 changes · fr nl · new-entry page-changed"
    assert inbox_page(db)[1].case is None  # a case of one is no case in the inbox
    assert [r.id for r in case_rows(db, lead.case.case_id)] == [ids["best"], ids["middle"], ids["newest"]]


@pytest.mark.parametrize("query", ["", "score:0.5..", "score:..0.5", "lang:nl", "lang:fr",
                                   "suspendu", "status:new", "municipality:Ixelles", "id:2,3"])
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_counts_and_positions_agree_with_pages(db, ids, query, sort):
    """Whatever the query: the count is the page's length, each row's position is its index, and
    a folded member has no position."""
    f = parse_query(query).filter
    page = inbox_page(db, f, sort=sort, limit=100)
    assert inbox_count(db, f) == len(page)
    for i, row in enumerate(page):
        assert inbox_position(db, f, sort, row.id) == i
    shown = {r.id for r in page}
    for cid in set(ids.values()) - shown:
        assert inbox_position(db, f, sort, cid) is None


def test_a_query_matching_only_a_folded_member_shows_it(db, ids):
    """The lead is chosen among the matching members: lang:nl shows the nl member alone."""
    assert [r.id for r in inbox_page(db, parse_query("lang:nl").filter)] == [ids["middle"]]
    assert [r.id for r in inbox_page(db, parse_query("score:..0.5").filter)] == [ids["newest"]]


def test_rows_by_id_are_never_folded(db, ids):
    """Redrawing rows after a review reads them by id: members included."""
    assert {r.id for r in inbox_rows(db, [ids["best"], ids["middle"]])} == {ids["best"], ids["middle"]}


def test_case_review_is_one_undoable_action(db, ids):
    """review_case marks every member in one action; one undo takes all of it back."""
    case = case_of(db, ids["best"])
    review_case(db, case.id, status="relevant", add_tags=["megiddo"])
    rows = inbox_rows(db, list(case.change_ids))
    assert {r.status for r in rows} == {"relevant"} and all(r.tags == ("megiddo",) for r in rows)
    done = undo(db)
    assert done is not None and done.label == f"relevant +megiddo on case {case.id} (3 changes)"
    assert {r.status for r in inbox_rows(db, list(case.change_ids))} == {"new"}


def test_case_folds_follow_grouping_merges_and_deletions(db, ids):
    """case_folds always holds exactly the members of cases of two or more."""
    assert folds(db) == folds_truth(db) and len(folds(db)) == 3
    # "late" is near-identical to "alone": grouping puts both in one case of two
    group(db)
    assert folds(db) == folds_truth(db) and len(folds(db)) == 5
    assert case_badges(db, [ids["alone"]])[ids["alone"]].size == 2
    # merging two cases moves every member of one into the other (as monitor.review.cases does)
    first, second = case_of(db, ids["best"]).id, case_of(db, ids["alone"]).id
    with write_tx(db):
        db.execute("UPDATE case_members SET case_id = ? WHERE case_id = ?", [first, second])
    assert folds(db) == folds_truth(db) and len(folds(db)) == 5
    assert {cid for cid, _ in folds(db)} == {ids[k] for k in ("best", "middle", "newest", "alone", "late")}
    # moving members out one at a time: the last one alone folds no more
    with write_tx(db):
        for k in ("alone", "late", "middle", "newest"):
            db.execute("UPDATE case_members SET case_id = ? WHERE change_id = ?", [second, ids[k]])
            assert folds(db) == folds_truth(db), k
    with write_tx(db):
        db.execute("DELETE FROM case_members WHERE change_id = ?", [ids["alone"]])
        assert folds(db) == folds_truth(db)
        db.execute("DELETE FROM case_members WHERE change_id = ?", [ids["late"]])
    assert folds(db) == folds_truth(db)
    assert inbox_count(db) == 4  # best alone; middle + newest (one row); alone and late ungrouped
