"""The crawl: the service that picks due sources and runs the crawler plugin
(:mod:`.service`), ``sources test`` (:mod:`.tryout`) and the crawl log (:mod:`.log`).
The fetching itself is in ``spiders/``, reached through the ``crawl_sources`` hook.
"""
