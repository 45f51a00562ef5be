"""The built-in export formats, one entry point each: :mod:`.text` (CSV, JSON, JSON
Lines), :mod:`.xlsx`, :mod:`.datapackage` (a Frictionless data package) and
:mod:`.quickstatements` (Wikidata).

Exporters turn monitor's tables (:mod:`monitor.export.tables`) into files; the rows
come from monitor, so nothing here imports an analyzer.
"""
