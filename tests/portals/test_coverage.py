"""Coverage counts the municipalities a council portal publishes for: a real ``lblod``
crawl against the loopback Lokaal Beslist, then ``twinwatch coverage``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.portals.lblod_server import LblodServer

pytestmark = pytest.mark.slow

NIS = {"Gent": "44021", "Antwerpen": "11002", "Leuven": "24062", "Brugge": "31005", "Aalst": "41002"}


@pytest.fixture
def portal() -> Iterator[LblodServer]:
    """Gent, Antwerpen, Leuven: 2 sessions each of 3 agenda items."""
    server = LblodServer(units=3, sessions=2, items=3, old=0).start()
    yield server
    server.stop()


def rows(twinwatch) -> dict[str, dict]:
    out = twinwatch("coverage", "--json").stdout
    return {r["code"]: r for r in json.loads(out) if r["code"] in NIS.values()}


def test_a_portal_covers_each_municipality_it_publishes_for(portal, twinwatch):
    """After a first sync, Gent, Antwerpen and Leuven (no page source of their own) are
    watched by the portal, with its health; Aalst, which it does not publish for, is not.
    When the portal fails, so does their coverage."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod")
    twinwatch("sources", "add", "http://127.0.0.1:9/nieuws", "--municipality", "Leuven")
    assert all(r["sources"] == [] for c, r in rows(twinwatch).items() if c != NIS["Leuven"])
    assert "0 failed" in twinwatch("crawl", "--source", "1").stdout

    got = rows(twinwatch)
    for town in ("Gent", "Antwerpen"):
        assert got[NIS[town]]["sources"] == [1] and got[NIS[town]]["portal_sources"] == [1]
        assert got[NIS[town]]["problems"] == []
    assert got[NIS["Leuven"]]["sources"] == [2, 1] and got[NIS["Leuven"]]["portal_sources"] == [1]
    assert got[NIS["Aalst"]]["sources"] == [] and got[NIS["Aalst"]]["problems"] == ["no source"]
    line = next(ln for ln in twinwatch("coverage").stdout.splitlines() if ln.startswith(NIS["Gent"]))
    assert " 1 sources  ok " in line and line.endswith("portal #1")

    portal.misbehave = "html"
    assert "1 failed" in twinwatch("crawl", "--source", "1", check=False).stdout
    got = rows(twinwatch)
    assert got[NIS["Gent"]]["failing_sources"] == [1] and got[NIS["Gent"]]["problems"] == ["failing"]


def test_a_portal_limited_to_municipalities_covers_them_before_its_first_sync(portal, twinwatch):
    """--municipality Brugge --municipality Gent: both are watched by the portal at once."""
    twinwatch("sources", "add", portal.url, "--kind", "lblod", "--municipality", "Brugge",
              "--municipality", "Gent")
    got = rows(twinwatch)
    assert got[NIS["Brugge"]]["portal_sources"] == [1] and got[NIS["Gent"]]["sources"] == [1]
    assert got[NIS["Antwerpen"]]["sources"] == []
