"""Real crawls against 127.0.0.1: a bot wall is ``blocked``, a permanent or home-page
redirect is ``moved``, a 410 or a not-found page served as a page is ``gone``; none of
them is a change, and ``sources health`` says why (and how to follow a move)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.store.db import open_db
from monitor.store.queries import changes, snapshot_count
from tests.helpers import PARTNERS, page

pytestmark = pytest.mark.slow

WALLS = Path(__file__).parent.parent / "data" / "walls"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def wall(name: str) -> bytes:
    return (WALLS / name).read_bytes()


def health(twinwatch) -> dict[str, dict]:
    return {h["url"]: h for h in json.loads(twinwatch("sources", "health", "--json").stdout)}


def baseline(http_server, twinwatch, paths: list[str]) -> list[str]:
    """Watch each path, serving the Ixelles page, and crawl once (the baseline)."""
    urls = [http_server.set(p, page(PARTNERS)) for p in paths]
    for url in urls:
        twinwatch("sources", "add", url)
    first = twinwatch("crawl", "--all")
    assert f"{len(urls)} fetched" in first.stdout and "0 failed" in first.stdout
    return urls


def test_challenge_and_captcha_pages_are_blocked_not_changes(http_server, twinwatch, db_path):
    """Cloudflare challenges (200, 403), a DataDome and a reCAPTCHA wall: blocked, vendor named, no change."""
    cf200, cf403, dd403, captcha = baseline(http_server, twinwatch,
                                            ["/cf200.html", "/cf403.html", "/dd.html", "/captcha.html"])
    http_server.set("/cf200.html", wall("cloudflare-challenge.html"))
    http_server.set("/cf403.html", wall("cloudflare-challenge.html"), status=403,
                    headers={**HTML, "cf-mitigated": "challenge", "Server": "cloudflare"})
    http_server.set("/dd.html", wall("datadome-captcha.html"), status=403)
    http_server.set("/captcha.html", wall("recaptcha-wall.html"))
    second = twinwatch("crawl", "--all")
    assert "0 changed" in second.stdout
    got = health(twinwatch)
    assert {got[u]["problem"] for u in (cf200, cf403, dd403, captcha)} == {"blocked"}
    assert "Cloudflare" in got[cf200]["reason"] and "HTTP 200" in got[cf200]["reason"]
    assert "Cloudflare" in got[cf403]["reason"] and "cf-mitigated" in got[cf403]["reason"]
    assert "DataDome" in got[dd403]["reason"]
    assert "reCAPTCHA" in got[captcha]["reason"]
    with open_db(db_path) as db:
        assert changes(db) == [] and snapshot_count(db) == 4  # the baselines stay the text
    # The site lets us in again: the real page is compared with the last good text.
    http_server.set("/cf200.html", page(PARTNERS[:-1]))
    twinwatch("crawl", "--all")
    with open_db(db_path) as db:
        (change,) = changes(db)
    assert change.removed == (PARTNERS[-1],) and not change.added
    text = twinwatch("sources", "health").stdout
    assert "BLOCKED" in text and "Cloudflare" in text


def test_redirects_to_home_or_permanent_are_moved_with_the_fix(http_server, twinwatch, db_path):
    """A 301 to the home page and a 308 elsewhere are moved; health prints `sources set ID --url NEW`."""
    old_home, old_page = baseline(http_server, twinwatch, ["/twinning.html", "/partners.html"])
    http_server.set("/", page(["Welcome to Ixelles.", "News, services and the council."], title="Ixelles"))
    http_server.set("/twinning.html", b"", status=301, headers={"Location": "/"})
    http_server.set("/partners.html", b"", status=308, headers={"Location": "/international/partners"})
    new_page = http_server.set("/international/partners", page(PARTNERS[:-1]))
    second = twinwatch("crawl", "--all")
    assert "0 changed" in second.stdout
    with open_db(db_path) as db:
        assert changes(db) == [] and snapshot_count(db) == 2
    got = health(twinwatch)
    assert got[old_home]["problem"] == "moved" and "home page" in got[old_home]["reason"]
    home = http_server.url("/")
    assert got[old_home]["hint"] == f"twinwatch sources set {got[old_home]['id']} --url {home}"
    assert got[old_page]["problem"] == "moved" and "308" in got[old_page]["reason"]
    sid = got[old_page]["id"]
    assert got[old_page]["hint"] == f"twinwatch sources set {sid} --url {new_page}"
    assert f"fix: twinwatch sources set {sid} --url {new_page}" in twinwatch("sources", "health").stdout
    # Following the hint: the new address is diffed against the last text stored.
    twinwatch("sources", "set", str(sid), "--url", new_page)
    twinwatch("crawl", "--all")
    with open_db(db_path) as db:
        (change,) = changes(db)
    assert change.source_id == sid and change.removed == (PARTNERS[-1],)
    assert health(twinwatch)[new_page]["problem"] == "ok"


def test_410_and_soft_404s_are_gone_but_an_article_about_404s_is_not(http_server, twinwatch, db_path):
    """A 410 and nl/fr not-found pages served with 200 are gone; an article quoting one is a change."""
    g410, nl, fr, article = baseline(http_server, twinwatch,
                                     ["/g410.html", "/nl.html", "/fr.html", "/article.html"])
    http_server.set("/g410.html", b"<h1>Gone</h1>", status=410)
    http_server.set("/nl.html", wall("soft404-nl.html"))
    http_server.set("/fr.html", wall("soft404-fr.html"))
    mention = ("After the new website went live, some visitors saw 'Page not found' "
               "(or 'Pagina niet gevonden') on old bookmarks; the links now redirect.")
    http_server.set("/article.html", page([*PARTNERS, mention], title="Our new website"))
    second = twinwatch("crawl", "--all")
    assert "1 changed" in second.stdout
    got = health(twinwatch)
    assert got[g410]["problem"] == "gone" and "410" in got[g410]["reason"]
    assert got[nl]["problem"] == "gone" and "Pagina niet gevonden" in got[nl]["reason"]
    assert got[fr]["problem"] == "gone" and "Page introuvable" in got[fr]["reason"]
    assert got[article]["problem"] == "ok"
    with open_db(db_path) as db:
        (change,) = changes(db)
    assert mention in change.added
