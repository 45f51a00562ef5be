"""The built-in analyzers: each hook module attaches findings to a change.

Hook modules (one entry point each): :mod:`.language`, :mod:`.relevance`,
:mod:`.category`, :mod:`.places` and :mod:`.facts`, and :mod:`.search` (the
``search_terms`` a portal's server-side query is built from: no findings). Their helpers, which register no
hook: :mod:`.textutil` (what part of a change to read, folding), :mod:`.vocabulary`
and :mod:`.scoring` (the relevance and category rules), :mod:`.gazetteer` (places,
read from ``data/``), :mod:`.dates` and :mod:`.amounts`.

How much text an analyzer reads is decided by monitor, not here
(:mod:`monitor.analyze.caps`). Nothing here imports an exporter.
"""
