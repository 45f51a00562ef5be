"""Storage: the one schema and its migrations (:mod:`.db`), how the file is opened, and
the named reads of sources, changes and fetch outcomes (:mod:`.queries`).

Nothing here decides what a fetch means or writes crawl data; that is :mod:`monitor.ingest`.
Reads that belong to one stage (the inbox, records, coverage) live with that stage.
"""
