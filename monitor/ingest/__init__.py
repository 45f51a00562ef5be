"""Ingest: fetch results -> text -> fingerprints -> diffs -> changes, and the one writer of
crawl data.

- :mod:`.outcome` decides what a fetch means before any extraction (failure, 304,
  same bytes);
- :mod:`.kinds` and :mod:`.extract` turn bytes into text and entries per source kind;
- :mod:`.diff` compares texts;
- :mod:`.pipeline` is the entry point (``ingest``) and the pure ``prepare`` step;
- :mod:`.writer` is the single writer of snapshots, changes, findings and outcomes;
- :mod:`.runs` opens and closes crawl runs;
- :mod:`.workers` runs ``prepare`` in a process pool during a crawl, :mod:`.preload`
  loads the plugins once for those processes;
- :mod:`.jsonl` reads and writes fetch results as JSON Lines (``twinwatch ingest``).

This package's ``__init__`` imports nothing, so importing one leaf (say :mod:`.diff`)
does not load lxml, feedparser or the writer. Reviews, tags, notes and exports are
never touched here.
"""
