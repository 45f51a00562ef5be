"""Full screens, one module per screen (the modes, and the change view over them).
Modal dialogs are in ``tui/dialogs/``, reusable widgets in ``tui/widgets/``."""
