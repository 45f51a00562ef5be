"""Full screens, one module per screen: the modes (inbox, sources, exports, plugins,
records, coverage) and the change view pushed over them; the inbox's helper objects
(``inbox_actions``, ``inbox_cases``) sit beside it. Modal dialogs are in
``tui/dialogs/``, reusable widgets in ``tui/widgets/``, styles in ``tui/styles/``.
A screen never imports the app: it reaches it through ``self.app`` (``submit``,
``open_change``, ``open_url``)."""
