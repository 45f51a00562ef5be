"""Analysis: running the analyzers on a change (:mod:`.run`: the text cap of :mod:`.caps`,
one plugin at a time, failures as findings), the relevance model learnt from the
curator's verdicts (:mod:`.learn`, :mod:`.verdicts`) and the ``twinwatch analyze``
service that analyzes text given directly (:mod:`.service`).

The analyzers themselves are plugins (``plugins/``) reached through the plugin
manager; nothing here stores a change or a finding (that is the ingest writer).
"""
