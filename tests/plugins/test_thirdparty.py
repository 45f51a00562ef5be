"""A third-party plugin installed through an entry point runs, and a raising analyzer
does not stop a real crawl."""

from __future__ import annotations

import json

import pytest

from monitor.store.db import open_db
from monitor.store.queries import changes
from tests.helpers import PARTNERS, page

pytestmark = pytest.mark.slow


def test_thirdparty_plugin_is_loaded_and_listed(twinwatch, thirdparty_plugin):
    """`twinwatch plugins` lists the pip-installed example plugin with its hook."""
    out = json.loads(twinwatch("plugins", "--json", env=thirdparty_plugin).stdout)
    names = {p["name"]: p for p in out["plugins"]}
    assert names["example"]["hooks"] == ["analyze_change"]
    assert out["errors"] == []


def test_thirdparty_analyzer_runs_in_analyze(twinwatch, thirdparty_plugin):
    """The example analyzer's finding shows up in `twinwatch analyze --json`."""
    out = twinwatch("analyze", "--json", env=thirdparty_plugin, input="one two three\n").stdout
    assert json.loads(out)["other"] == {"example_words": 3}


def test_raising_analyzer_does_not_stop_a_crawl(http_server, twinwatch, db_path, thirdparty_plugin):
    """A raising example analyzer: the crawl stores the change, its error finding and the other findings."""
    env = {**thirdparty_plugin, "TWINWATCH_EXAMPLE_RAISE": "1"}
    url = http_server.set("/ixelles.html", page(PARTNERS))
    twinwatch("sources", "add", url, "--municipality", "Ixelles", "--country", "BE", env=env)
    twinwatch("crawl", env=env)
    http_server.set("/ixelles.html", page([p for p in PARTNERS if "Megiddo" not in p]))
    out = twinwatch("crawl", "--all", env=env)
    assert "1 changed" in out.stdout and "0 failed" in out.stdout
    with open_db(db_path) as db:
        (row,) = changes(db)
    by_name = {f.name: f for f in row.findings}
    errors = [f for f in row.findings if f.name == "error"]
    assert len(errors) == 1 and errors[0].plugin == "example_raising"
    assert "failed on purpose" in errors[0].value
    assert by_name["example_words"].value > 10
    assert by_name["relevance"].value >= 0.5
    assert by_name["municipality"].value["name"] == "Ixelles"
