"""Built-in plugins, registered through the ``twinwatch`` entry-point group exactly
like third-party ones: text extraction, exporters (analyzers come later)."""
