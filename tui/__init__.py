"""The curator's dashboard (Textual).

``app.py`` is the App (modes, global bindings, the screen registry, the write
queue's worker), ``screens/`` the full screens, ``dialogs/`` the modal screens,
``widgets/`` the reusable parts, ``styles/`` the TCSS; ``data.py`` (read
connections, the write queue, inbox pages), ``messages.py`` (messages between
screens), ``commands.py`` (the command palette) and ``hooks.py`` (the plugin that
opens the app) sit beside them. No SQL here: queries and writes are monitor's
functions. The dashboard imports neither ``monitor.ingest``, ``monitor.crawl`` nor
``monitor.cli`` (an import-linter contract): it starts a crawl by running
``twinwatch crawl``.
"""
