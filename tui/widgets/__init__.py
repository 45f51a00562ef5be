"""Reusable widgets: the change table, the diff view, a case's other changes, the
status line, and records drawn as plain text. A widget imports no screen, dialog or
the app; it posts its own nested messages."""
