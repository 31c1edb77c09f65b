"""What the activity chart counts (issue 12): articles per topic and day, digests sent."""

from __future__ import annotations

from datetime import date, datetime

from digest.storage.articles import Store
from digest.storage.connection import iso
from digest.storage.visibility import visible


async def articles_per_topic_day(
    store: Store, first: date, last: date
) -> dict[tuple[str, date], int]:
    """Assigned articles per topic and publication day, `first` to `last` inclusive."""
    async with store._reads.execute(
        "SELECT t.topic, a.date, count(*) FROM article_topics t "
        "JOIN articles a ON a.id = t.article_id "
        f"WHERE t.assigned = 1 AND a.date BETWEEN ? AND ? AND {visible('a')} GROUP BY 1, 2",
        (first.isoformat(), last.isoformat()),
    ) as cursor:
        return {(r[0], date.fromisoformat(r[1])): r[2] for r in await cursor.fetchall()}


async def runs_sent(store: Store, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(start, digests sent) of each digest run started in [start, end) that sent any."""
    async with store._reads.execute(
        "SELECT started_at, sent FROM digest_runs WHERE started_at >= ? AND started_at < ? "
        "AND sent > 0",
        (iso(start), iso(end)),
    ) as cursor:
        return [(datetime.fromisoformat(r[0]), r[1]) for r in await cursor.fetchall()]
