"""Built-in plugins, registered through the ``twinwatch`` entry-point group exactly
like third-party ones (see ``[project.entry-points.twinwatch]`` in ``pyproject.toml``).

- :mod:`plugins.html_text`: main-text extraction for HTML pages (``extract_text``);
- :mod:`plugins.analyzers`: the analyzers (``analyze_change``) and their helpers and data;
- :mod:`plugins.exporters`: the export formats (``register_exporters``);
- :mod:`plugins.notify`: the apprise notifier (``notify_crawl``).

Nothing here is imported by ``monitor``: it reaches these modules only through the
plugin manager. Analyzers and exporters never import each other.
"""
