"""Bytes -> text for each content type: HTML (:mod:`.html`), feeds (:mod:`.feeds`) and PDF
(:mod:`.pdf`). Pure functions: no database, no network, no plugins.
"""
