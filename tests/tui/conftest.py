"""Fixtures for the dashboard tests: a real database with real changes, made by
feeding RSS documents through ``monitor.ingest.pipeline`` exactly as a crawl would."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.plugin_manager import PluginManager, make_plugin_manager
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db
from tests.helpers import feed

FEED_URL = "http://127.0.0.1/news.rss"
RSS = {"content-type": "application/rss+xml; charset=utf-8"}

Item = tuple[str, str, str]


class FeedWriter:
    """Publishes successive versions of one feed into the database at ``path``.

    The first :meth:`publish` is the baseline (no change); each later one that adds
    an item yields one ``new-entry`` change titled with that item's title.
    """

    def __init__(self, path: Path, pm: PluginManager, municipality: str = "Ixelles") -> None:
        self.path = path
        self.pm = pm
        self.items: list[Item] = []
        with open_db(path) as db:
            (self.source_id,), _ = add_sources(
                db, [NewSource(url=FEED_URL, kind="feed", municipality=municipality, country="BE")]
            )

    def publish(self, *new_items: Item) -> str:
        """Add items to the feed and ingest it once; return the ingest outcome."""
        self.items = [*new_items, *self.items]
        with open_db(self.path) as db:
            return ingest(db, self.pm, FetchResult(self.source_id, FEED_URL, status=200,
                                                   headers=dict(RSS), body=feed(self.items)))


ANALYZERS = ("language", "relevance", "category", "places", "facts")


@pytest.fixture
def pm() -> PluginManager:
    """Our plugins without the analyzers: these tests are about the inbox's mechanics in
    date order; with relevance scores the inbox would rank by them instead."""
    manager = make_plugin_manager(distribution="twinwatch")
    for name in ANALYZERS:
        manager.unregister(name=name)
    return manager


@pytest.fixture
def feed_writer(db_path: Path, pm: PluginManager) -> FeedWriter:
    """A feed source whose baseline (one item) is already ingested."""
    writer = FeedWriter(db_path, pm)
    writer.publish(("a", "Council meeting agenda", "The council meets on Monday."))
    return writer


@pytest.fixture
def three_changes(feed_writer: FeedWriter) -> FeedWriter:
    """Three new-entry changes: 'Twinning with Biarritz' is the oldest, 'Kalamu visit' the newest."""
    feed_writer.publish(("b", "Twinning with Biarritz", "Biarritz and Ixelles renew their twinning."))
    feed_writer.publish(("c", "Solidarity fund", "A fund for partner towns opens."))
    feed_writer.publish(("d", "Kalamu visit", "A delegation from Kalamu visits the town hall."))
    return feed_writer


@pytest.fixture(autouse=True)
def private_config(tmp_path, monkeypatch):
    """The dashboard reads and writes its config file here, never in the user's home."""
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("TWINWATCH_CONFIG", str(path))
    return path
