"""The activity chart of /stats and `newsbot stats --png`: a PNG, drawn with matplotlib.

Pure: plain data in, PNG bytes out. Drawing takes a good part of a second of CPU, so
callers run ``render_chart`` in a worker (process or thread), never on the event loop. It
uses matplotlib's object API with the Agg canvas and no pyplot, so no global state is
touched and it is safe in a thread too.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 7.0, 100  # 1000 x 700 pixels
MAX_SERIES = 8  # topics drawn on their own; the rest are summed as "other"
DAYS = 30


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The chart's words, in the reader's language."""

    articles_title: str = "Articles per topic per day"
    digests_title: str = "Digests sent per day"
    other: str = "other"
    empty: str = "no articles in these days"


@dataclass(frozen=True, slots=True)
class ChartData:
    days: list[date]  # oldest first, consecutive
    topics: dict[str, list[int]]  # display name -> articles per day (same length as days)
    digests: list[int]  # digests sent per day
    labels: ChartLabels = field(default_factory=ChartLabels)

    @property
    def total_articles(self) -> int:
        return sum(sum(v) for v in self.topics.values())


def last_days(today: date, count: int = DAYS) -> list[date]:
    return [today - timedelta(days=count - 1 - i) for i in range(count)]


def chart_data(
    days: Sequence[date],
    per_topic_day: Mapping[tuple[str, date], int],
    digests_per_day: Mapping[date, int],
    topic_name: Mapping[str, str],
    labels: ChartLabels | None = None,
) -> ChartData:
    """Series for the chart: the busiest topics first, the rest summed as "other"."""
    index = {d: i for i, d in enumerate(days)}
    series: dict[str, list[int]] = {}
    for (topic, day), count in per_topic_day.items():
        if day in index:
            series.setdefault(topic, [0] * len(days))[index[day]] += count
    ranked = sorted(series, key=lambda tp: (-sum(series[tp]), tp))
    labels = labels or ChartLabels()
    topics = {topic_name.get(tp, tp): series[tp] for tp in ranked[:MAX_SERIES]}
    if len(ranked) > MAX_SERIES:
        rest = [sum(series[tp][i] for tp in ranked[MAX_SERIES:]) for i in range(len(days))]
        topics[labels.other] = rest
    return ChartData(list(days), topics, [digests_per_day.get(d, 0) for d in days], labels)


def render_chart(data: ChartData) -> bytes:
    """Two panels sharing the day axis: stacked bars of articles per topic, and bars of
    digests sent. Returns PNG bytes (WIDTH_IN x HEIGHT_IN inches at DPI)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    x = list(range(len(data.days)))
    base = [0] * len(x)
    for i, (name, counts) in enumerate(data.topics.items()):
        top.bar(x, counts, bottom=base, label=_plain(name), color=f"C{i % 10}", width=0.8)
        base = [b + c for b, c in zip(base, counts, strict=True)]
    top.set_title(_plain(data.labels.articles_title))
    if data.topics:
        # Outside the plot, on the right, in stacking order (the top band listed first).
        handles, names = top.get_legend_handles_labels()
        top.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                   fontsize=8, frameon=False)
    else:
        top.text(0.5, 0.5, _plain(data.labels.empty), ha="center", va="center",
                 transform=top.transAxes, color="grey")
    top.grid(axis="y", alpha=0.3)
    bottom.bar(x, data.digests, color="#4c72b0", width=0.8)
    bottom.set_title(_plain(data.labels.digests_title))
    bottom.grid(axis="y", alpha=0.3)
    for axes in (top, bottom):
        axes.yaxis.get_major_locator().set_params(integer=True)
    ticks = x[::3] if len(x) > 10 else x
    bottom.set_xticks(ticks, [data.days[i].strftime("%d.%m") for i in ticks], fontsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _plain(text: str) -> str:
    """Text shown as it is: matplotlib reads $...$ as mathematics (a topic name is data)."""
    return text.replace("$", r"\$")
