"""The directory's full-text search, the same on PostgreSQL and SQLite behind one interface:

- ``parse(text, exact=False)`` reads a visitor's query into a ``SearchQuery`` that filters,
  ranks and orders a queryset of poles and highlights a result card (``query.py``);
- ``reindex_poles(ids)``, ``deferred_indexing()`` and ``rebuild_index()`` keep the index in
  step with every write (``indexer.py``; saves and deletes through ``signals.py``).

Only ``backends.py`` knows which database runs.
"""

from .indexer import deferred_indexing, rebuild_index, reindex_poles
from .query import SearchQuery, parse

__all__ = ["SearchQuery", "deferred_indexing", "parse", "rebuild_index", "reindex_poles"]
