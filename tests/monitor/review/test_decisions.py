"""Curator writes: bulk decisions, undo, fact corrections, saved views, the config file."""

from __future__ import annotations

import pytest

from monitor.config import UiConfig, load_ui_config, save_theme
from monitor.errors import ConfigError, QueryError, SourceError
from monitor.review.decisions import review, review_many, set_fact, undo
from monitor.review.inbox import change_facts, saved_views
from monitor.review.views import delete_view, save_view
from monitor.sources.manage import NewSource, add_sources
from monitor.store.queries import change
from tests.helpers import add_change


@pytest.fixture
def three(db):
    (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1/feed", "feed", "Gent", "BE", "nl")])
    ids = [add_change(db, sid, f"Change {n}", f"Text {n}", f"2026-01-0{n}T00:00:00Z",
                      facts={"partner": "Bethlehem"}) for n in (1, 2, 3)]
    return db, ids


def state(db, cid):
    row = change(db, cid)
    return row.review.status, row.review.tags, row.review.note


def test_bulk_decision_is_one_undoable_action(three):
    """review_many marks and tags several changes at once; one undo restores all of them."""
    db, ids = three
    review(db, ids[0], status="follow-up", add_tags=["keep"], note="call them")
    review_many(db, ids, status="relevant", add_tags=["motion", "keep"])
    assert [state(db, i) for i in ids] == [
        ("relevant", ("keep", "motion"), "call them"), ("relevant", ("keep", "motion"), None),
        ("relevant", ("keep", "motion"), None)]
    result = undo(db)
    assert result is not None and result.change_ids == tuple(ids)
    assert result.label == "relevant +motion +keep on 3 changes"
    assert [state(db, i) for i in ids] == [
        ("follow-up", ("keep",), "call them"), ("new", (), None), ("new", (), None)]


def test_undo_walks_back_and_is_recorded(three):
    """Repeated undo walks back through actions; undos are themselves events, never undone twice."""
    db, ids = three
    review(db, ids[0], status="relevant")
    review(db, ids[0], status="irrelevant", note="off topic")
    review(db, ids[0], remove_tags=["nothing-there"])  # changes nothing, still an action
    assert undo(db).label == "-nothing-there"
    assert state(db, ids[0]) == ("irrelevant", (), "off topic")
    assert undo(db) is not None
    assert state(db, ids[0]) == ("relevant", (), None)
    assert undo(db) is not None
    assert state(db, ids[0]) == ("new", (), None)
    assert undo(db) is None
    events = db.execute("SELECT action, value, previous FROM review_events WHERE change_id = ? "
                        "ORDER BY id", [ids[0]]).fetchall()
    assert events == [
        ("status", "relevant", "new"), ("status", "irrelevant", "relevant"), ("note", "off topic", None),
        ("note", None, "off topic"), ("status", "relevant", "irrelevant"),
        ("status", "new", "relevant"),
    ]


def test_bulk_with_unknown_change_stores_nothing(three):
    """A bulk action naming a missing change raises and stores none of it."""
    db, ids = three
    with pytest.raises(SourceError):
        review_many(db, [ids[0], 999], status="relevant")
    assert state(db, ids[0])[0] == "new"
    with pytest.raises(ConfigError):
        review_many(db, [], status="relevant")


def test_fact_corrections_are_kept_and_undoable(three):
    """A corrected fact replaces the suggestion, can be reset, and undo restores it."""
    db, ids = three
    fact = set_fact(db, ids[0], "partner", "Bethlehem (PS)")
    assert (fact.suggested, fact.corrected, fact.value) == ("Bethlehem", "Bethlehem (PS)", "Bethlehem (PS)")
    set_fact(db, ids[0], "amount", "5 000 EUR")
    set_fact(db, ids[0], "amount", "")
    assert {f.field: f.value for f in change_facts(db, ids[0])}["amount"] is None
    undo(db)
    assert {f.field: f.value for f in change_facts(db, ids[0])}["amount"] == "5 000 EUR"
    with pytest.raises(ConfigError):
        set_fact(db, ids[0], "colour", "red")


def test_corrections_survive_a_crawl(db, pm):
    """Curator corrections live apart from findings: a later crawl of the source leaves them alone."""
    from monitor.ingest.pipeline import ingest
    from monitor.models import FetchResult
    from tests.helpers import feed

    (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1/f.rss", "feed")])
    rss = {"content-type": "application/rss+xml"}
    ingest(db, pm, FetchResult(sid, "u", 200, rss, feed([("a", "A", "first")])))
    ingest(db, pm, FetchResult(sid, "u", 200, rss, feed([("b", "B", "second"), ("a", "A", "first")])))
    (cid,) = [r[0] for r in db.execute("SELECT id FROM changes")]
    set_fact(db, cid, "partner", "Kalamu")
    review(db, cid, status="relevant")
    ingest(db, pm, FetchResult(sid, "u", 200, rss, feed([("b", "B", "second, edited"), ("a", "A", "x")])))
    assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 3
    assert {f.field: f.value for f in change_facts(db, cid)}["partner"] == "Kalamu"
    assert change(db, cid).review.status == "relevant"


def test_saved_views(db):
    """Views are saved by name (replacing a same-named one), listed by name, and deleted."""
    v = save_view(db, "Dutch motions", "status:new lang:nl tag:motion", "date")
    save_view(db, "all twinning", '"stedenband" OR jumelage')
    save_view(db, "Dutch motions", "lang:nl tag:motion")
    views = saved_views(db)
    assert [(x.name, x.query, x.sort) for x in views] == [
        ("all twinning", '"stedenband" OR jumelage', "relevance"),
        ("Dutch motions", "lang:nl tag:motion", "relevance")]
    with pytest.raises(QueryError):
        save_view(db, "bad", "colour:red")
    with pytest.raises(ConfigError):
        save_view(db, "  ", "lang:nl")
    assert delete_view(db, v.id) and not delete_view(db, v.id)
    assert [x.name for x in saved_views(db)] == ["all twinning"]


def test_ui_config_round_trip(tmp_path):
    """The config file gives the keymap and theme; saving a theme keeps the rest as written."""
    path = tmp_path / "config.toml"
    assert load_ui_config(path) == UiConfig()
    path.write_text('# mine\n[keymap]\n"inbox.relevant" = "y"  # yes\n')
    save_theme("textual-light", path)
    assert load_ui_config(path) == UiConfig(theme="textual-light", keymap={"inbox.relevant": "y"})
    save_theme("nord", path)
    text = path.read_text()
    assert "# mine" in text and "# yes" in text and text.count("theme =") == 1
    assert load_ui_config(path).theme == "nord"
    path.write_text("[keymap]\nx = 1\n")
    with pytest.raises(ConfigError, match="keymap values"):
        load_ui_config(path)
    path.write_text("[tui\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_ui_config(path)
