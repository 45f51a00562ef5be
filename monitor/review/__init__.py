"""Review: the curator's decisions (:mod:`.decisions`), the inbox and its reads
(:mod:`.inbox`), the query language shared by the dashboard and the CLI
(:mod:`.querylang`), saved views (:mod:`.views`) and cases (:mod:`.cases`).

Review never writes crawl data and never imports the ingest writer.
"""
