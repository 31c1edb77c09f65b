"""What the activity chart counts, from the counts ``digest.storage.activity`` reads (issue 12).

Articles are counted per topic and publication day; digests per local day of the digest
runs that sent them (``digest_runs.sent``: one per subscriber served), in `zone`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from digest.chart import DAYS, ChartData, ChartLabels, chart_data, last_days
from digest.storage import Store
from digest.storage.activity import articles_per_topic_day, runs_sent


async def digests_per_day(store: Store, first: date, last: date, zone: str) -> dict[date, int]:
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    per_day: Counter[date] = Counter()
    for started, sent in await runs_sent(store, start, end):
        per_day[started.astimezone(tz).date()] += sent
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
