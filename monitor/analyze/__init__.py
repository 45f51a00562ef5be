"""Analysis: the analyzer text cap (:mod:`.caps`), the relevance model learnt from the
curator's verdicts (:mod:`.learn`, :mod:`.verdicts`) and the ``twinwatch analyze`` service
that analyzes text given directly (:mod:`.service`).

The analyzers themselves are plugins (``plugins/analyzers``), called through
:func:`monitor.plugin_manager.analyze`.
"""
