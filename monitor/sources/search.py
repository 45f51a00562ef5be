"""A source's server-side search query: the full-text query a council portal with a
search engine (``ori``, ``lblod``) is asked with, so that only candidate items
are downloaded; the analyzers still decide what is relevant.

The query is kept in one syntax whatever the portal: Elasticsearch's
``simple_query_string`` (``|`` or, ``+`` and, ``"..."`` a phrase, ``word*`` a prefix),
which both ORI's Elastic endpoint and mu-search (Lokaal Beslist) take as it is.
``--query auto`` builds one from the ``search_terms`` the plugins give for the
source's language (the relevance vocabulary's), written into the source when it is
set, so a curator sees and may edit the query a crawl sends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.errors import ConfigError, PluginError

if TYPE_CHECKING:
    from monitor.plugin_manager import PluginManager

AUTO = "auto"
"""The ``--query`` value that asks for a query built from the vocabulary."""

MAX_QUERY = 4000
"""Characters of a query: a portal's URL carries it (GET), and servers cut long URLs."""


def check_query(text: str) -> str:
    """The query tidied (``""`` removes it).

    Raises:
        ConfigError: too long, or an unbalanced quote.
    """
    query = " ".join(text.split())
    if len(query) > MAX_QUERY:
        raise ConfigError(f"--query is {len(query):,} characters long; at most {MAX_QUERY:,} are sent")
    if query.count('"') % 2:
        raise ConfigError(f"--query has an unbalanced quote: {query!r}")
    return query


def build_query(terms: list[str]) -> str:
    """``stedenband* | "stad in nood" | twinning``: any of the terms, phrases quoted."""
    parts: list[str] = []
    for term in terms:
        words = " ".join(term.replace('"', " ").split())
        if not words:
            continue
        part = f'"{words}"' if " " in words else words
        if part not in parts:
            parts.append(part)
    return " | ".join(parts)


def auto_query(pm: PluginManager, lang: str | None) -> str:
    """The query built from every plugin's ``search_terms`` for ``lang``.

    Raises:
        ConfigError: no language, or no plugin has words for it.
        PluginError: a plugin failed.
    """
    from monitor.plugin_manager import call_each

    if not lang:
        raise ConfigError("--query auto builds the query in the source's language: give --lang (e.g. nl)")

    def error(plugin: str, exc: Exception) -> None:
        raise PluginError(f"search terms of plugin {plugin} failed: {type(exc).__name__}: {exc}")

    terms = [t for _plugin, found in call_each(pm, "search_terms", error, lang=lang) for t in found or ()
             if isinstance(t, str)]
    query = build_query(terms)
    if not query:
        raise ConfigError(f"no plugin has search terms in language {lang!r}; write the query (--query TEXT)")
    return check_query(query)
