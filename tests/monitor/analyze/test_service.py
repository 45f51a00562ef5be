"""`twinwatch analyze` on a file and on standard input, and `twinwatch model train`."""

from __future__ import annotations

import json

import pytest

from monitor.ingest.pipeline import ingest
from monitor.models import FetchResult
from monitor.review.decisions import review
from monitor.sources.manage import NewSource, add_sources
from monitor.store.db import open_db
from tests.conftest import ROOT
from tests.helpers import feed

FIELDS = {
    "relevant",
    "score",
    "reasons",
    "category",
    "lang",
    "municipality",
    "country",
    "partner",
    "partner_country",
    "date",
    "amount_eur",
}


def test_analyze_jsonl_file(twinwatch, tmp_path):
    """A JSON Lines file gives one result per line, in order, with every documented field."""
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps(
            {
                "text": "Gent trekt 20.000 euro uit voor noodhulp in Gaza, besliste het college "
                "op 12 november 2024."
            }
        )
        + "\n"
        + json.dumps(
            {
                "title": "Jumelage",
                "text": "Le conseil a décidé de suspendre le jumelage avec Meguido.",
                "municipality": "Ixelles",
                "lang": "fr",
            }
        )
        + "\n"
        + json.dumps({"text": "Wegens werken is de Diksmuidestraat afgesloten voor alle verkeer."})
        + "\n",
        encoding="utf-8",
    )
    out = [json.loads(line) for line in twinwatch("analyze", str(src), "--json").stdout.splitlines()]
    assert len(out) == 3 and all(FIELDS <= set(r) for r in out)
    assert (out[0]["relevant"], out[0]["amount_eur"], out[0]["date"]) == (True, 20000, "2024-11-12")
    assert (out[1]["category"], out[1]["municipality"], out[1]["partner"]) == (
        "twinning_suspended",
        "Ixelles",
        "Meguido",
    )
    assert out[2]["relevant"] is False and out[2]["category"] is None


def test_analyze_plain_text_from_stdin(twinwatch):
    """Plain text on standard input: one result per non-empty line; without --json, one line each."""
    text = (
        "Il consiglio comunale ha approvato una mozione per il cessate il fuoco a Gaza.\n\nOpening hours.\n"
    )
    out = twinwatch("analyze", "--json", input=text).stdout.splitlines()
    assert [json.loads(line)["relevant"] for line in out] == [True, False]
    plain = twinwatch("analyze", "-", input=text).stdout.splitlines()
    assert plain[0].startswith("RELEVANT") and len(plain) == 2


def test_analyze_whole_seed_document(twinwatch):
    """--whole reads a multi-line document as one text."""
    seed = ROOT.parent / "shared" / "seeds" / "004_d9ebcfe93eed920e.txt"
    path = seed if seed.exists() else ROOT / "README.md"
    out = twinwatch("analyze", "--whole", "--json", str(path)).stdout.splitlines()
    assert len(out) == 1 and json.loads(out[0])["errors"] == []


TEXTS = [
    ("Gent trekt 20.000 euro uit voor noodhulp in Gaza.", True),
    ("De gemeenteraad keurde een motie goed voor een staakt-het-vuren in Gaza.", True),
    ("Elsene schort de stedenband met Megiddo op.", True),
    ("Mechelen gaat een stedenband aan met Betlehem.", True),
    ("De stad hijst de Oekraïense vlag aan het stadhuis.", True),
    ("Het college schenkt 5.000 euro aan de slachtoffers van de aardbeving.", True),
    ("De Diksmuidestraat is afgesloten wegens werken.", False),
    ("Het zwembad sluit om 18 uur tijdens de vakantie.", False),
    ("De stad zoekt vrijwilligers voor de kerstmarkt.", False),
    ("Nieuwe openingsuren van het recyclagepark.", False),
    ("De bibliotheek organiseert een voorleesuur voor kleuters.", False),
    ("Parkeerkaarten voor bewoners zijn online aan te vragen.", False),
]


@pytest.mark.slow  # make test-fast: among its longest (CI timings)
def test_model_train_prints_cross_validated_precision_and_recall(db_path, pm, twinwatch):
    """Verdicts on ingested changes train a model beside the database; analyze then blends it in."""
    db = open_db(db_path)
    (sid,), _ = add_sources(db, [NewSource("http://127.0.0.1:1/feed.xml", "feed", None, "BE", "nl")])
    rss = {"content-type": "application/rss+xml"}
    ingest(db, pm, FetchResult(sid, "http://127.0.0.1:1/feed.xml", 200, rss, feed([("0", "start", "begin")])))
    items = [(str(i + 1), text[:30], text) for i, (text, _) in enumerate(TEXTS)]
    ingest(db, pm, FetchResult(sid, "http://127.0.0.1:1/feed.xml", 200, rss, feed(items)))
    ids = {
        r[1]: r[0] for r in db.execute("SELECT c.id, i.key FROM changes c JOIN items i ON i.id = c.item_id")
    }
    for i, (_, relevant) in enumerate(TEXTS):
        review(db, ids[str(i + 1)], status="relevant" if relevant else "irrelevant")
    db.close()
    out = twinwatch("model", "train").stdout
    assert "12 verdicts (6 relevant, 6 not relevant)" in out
    assert "model alone:" in out and "precision" in out and "recall" in out
    assert "vocabulary alone:" in out
    assert (db_path.parent / (db_path.name + ".model.npz")).exists()
    result = json.loads(twinwatch("analyze", "--json", input="Gent geeft noodhulp aan Gaza.\n").stdout)
    assert any("curator's model" in r for r in result["reasons"])


def test_model_train_without_verdicts_says_what_is_missing(twinwatch):
    """With no verdicts, model train fails with exit code 2 and one line saying what it needs."""
    proc = twinwatch("model", "train", check=False)
    assert proc.returncode == 2 and "not enough verdicts" in proc.stderr
