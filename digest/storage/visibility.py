"""Which rows readers see: those of finished ingests only.

An ingest commits in short chunks (``digest.storage.ingest_writes``), so a reader may run
between two of them. Its rows (articles, and sources it added to stored articles) carry its
ingest id, which stays in ``ingests_pending`` until the ingest's last short transaction;
every query that readers, digests, pushes or stats run keeps such rows out with one of the
conditions below. The ingest's own lookups (duplicates, stories) do see them: later chunks
must find the articles of earlier ones. ``story_dates`` and ``topic_stories`` need no
filter: their triggers leave pending rows out (schema.py).
"""

from __future__ import annotations

PENDING = "SELECT ingest_id FROM ingests_pending"
# Article ids of unfinished ingests, from the (ingest_id, story_id) index: no article row is
# read, and with no ingest running the list is empty at once.
PENDING_ARTICLES = f"SELECT id FROM articles WHERE ingest_id IN ({PENDING})"


def visible(alias: str) -> str:
    """An SQL condition true for a row of `alias` (articles or article_sources) that no
    unfinished ingest wrote, for queries that read the row anyway. The subquery does not
    depend on the row, so SQLite runs it once per statement (an empty or one-row list); a
    NULL ingest id is an old, visible row."""
    return f"coalesce({alias}.ingest_id, 0) NOT IN ({PENDING})"


def visible_id(column: str) -> str:
    """An SQL condition true when the article id in `column` is not an unfinished ingest's,
    for queries that do not read the article row (topics, the search index)."""
    return f"{column} NOT IN ({PENDING_ARTICLES})"
