"""A source's server-side search query: checked when set, and built from the plugins'
search terms for ``--query auto``."""

from __future__ import annotations

import pytest

from monitor.errors import ConfigError
from monitor.sources.search import auto_query, build_query, check_query


def test_build_query_quotes_phrases_and_drops_repeats():
    """Terms become one simple_query_string: any of them, phrases quoted, each once."""
    assert build_query(["stedenband*", "humanitaire  hulp", "stedenband*", ' "x" ']) == (
        'stedenband* | "humanitaire hulp" | x')


def test_check_query_refuses_unbalanced_quotes_and_long_queries():
    """A query with an odd quote or longer than a URL can carry is refused with the reason."""
    assert check_query("  a |  b ") == "a | b"
    with pytest.raises(ConfigError, match="unbalanced quote"):
        check_query('"stedenband | noodhulp')
    with pytest.raises(ConfigError, match="at most"):
        check_query("x | " * 2000)


def test_auto_query_uses_the_languages_search_terms(pm):
    """--query auto in Dutch holds Dutch words of the vocabulary, not German ones; without a
    language, or in one no plugin knows, it says what to do."""
    query = auto_query(pm, "nl")
    assert "stedenband*" in query and '"humanitaire hulp"' in query and "partnerstadt" not in query
    assert "städtepartnerschaft*" in auto_query(pm, "de")
    with pytest.raises(ConfigError, match="--lang"):
        auto_query(pm, None)
    with pytest.raises(ConfigError, match="no plugin has search terms"):
        auto_query(pm, "fi")
