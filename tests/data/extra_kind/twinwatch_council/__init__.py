"""A twinwatch source kind for council-decision portals (a test fixture package)."""
