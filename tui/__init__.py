"""The curator's dashboard (Textual)."""
