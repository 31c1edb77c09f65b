"""What the activity chart counts, read from the database (issue 12).

Articles are counted per topic and publication day; digests per local day of the digest
runs that sent them (``digest_runs.sent``: one per subscriber served), in `zone`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from digest.chart import DAYS, ChartData, ChartLabels, chart_data, last_days
from digest.store import Store, iso


async def articles_per_topic_day(
    store: Store, first: date, last: date
) -> dict[tuple[str, date], int]:
    async with store.db.execute(
        "SELECT t.topic, a.date, count(*) FROM article_topics t "
        "JOIN articles a ON a.id = t.article_id "
        "WHERE t.assigned = 1 AND a.date BETWEEN ? AND ? GROUP BY 1, 2",
        (first.isoformat(), last.isoformat()),
    ) as cursor:
        return {(r[0], date.fromisoformat(r[1])): r[2] for r in await cursor.fetchall()}


async def digests_per_day(store: Store, first: date, last: date, zone: str) -> dict[date, int]:
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    per_day: Counter[date] = Counter()
    async with store.db.execute(
        "SELECT started_at, sent FROM digest_runs WHERE started_at >= ? AND started_at < ? "
        "AND sent > 0",
        (iso(start), iso(end)),
    ) as cursor:
        for started, sent in await cursor.fetchall():
            per_day[datetime.fromisoformat(started).astimezone(tz).date()] += sent
    return dict(per_day)


async def activity(
    store: Store, today: date, zone: str, topic_name: Mapping[str, str],
    labels: ChartLabels | None = None, days: int = DAYS,
) -> ChartData:
    """The chart's data for the `days` days ending `today` (local to `zone`)."""
    span = last_days(today, days)
    return chart_data(
        span,
        await articles_per_topic_day(store, span[0], span[-1]),
        await digests_per_day(store, span[0], span[-1], zone),
        topic_name, labels,
    )
