"""twinwatch core: configuration, storage, ingest, review, export, plugin hooks, CLI.

Imports none of ``spiders``, ``plugins`` or ``tui`` and neither Scrapy nor Textual;
it reaches them only through the plugin manager.
"""

__version__ = "0.1.0"
