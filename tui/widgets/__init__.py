"""Reusable widgets: the change table and the diff view."""
