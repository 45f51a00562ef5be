"""A document's lines become paragraphs: wrapped lines joined, headings on their own."""

from __future__ import annotations

from monitor.ingest.extract.pdf import pdf_text
from tests.helpers import pdf


def test_an_agenda_point_is_a_heading_whatever_its_length():
    """Minutes whose lines are short: an agenda point longer than most of them still opens
    its own paragraph, so each point's decision is read under its own heading (a numbered
    line that long is not: it may be a list item wrapped over lines)."""
    lines = ["Zitting van 22 september 2026", "",
             "Punt 1. Notulen", "Goedgekeurd.", "",
             "Punt 2. Motie betreffende een staakt-het-vuren in Soedan",
             "De raad roept de federale regering op.", "Goedgekeurd.", "",
             "1. Een genummerde regel die even lang is als het agendapunt",
             "loopt door op de volgende regel."]
    paras = pdf_text(pdf([lines])).split("\n")
    assert "Punt 2. Motie betreffende een staakt-het-vuren in Soedan" in paras
    assert any(p.startswith("De raad roept de federale regering op.") for p in paras)
    assert any(p.startswith("1. Een genummerde regel") and p.endswith("volgende regel.") for p in paras)
