"""Sources: adding, configuring and importing them (:mod:`.manage`, the only writer of the
``sources`` table), their health (:mod:`.health`) and coverage of municipalities
(:mod:`.coverage`). Fetching them is :mod:`monitor.crawl`.
"""
