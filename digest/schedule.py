"""When a subscriber's next daily digest is due. Pure: no clock, no I/O.

A subscriber chooses a local wall-clock time (``HH:MM``) and an IANA time zone. The next
digest is the first moment *strictly after* ``now`` at which that zone's clock shows that
time, as an aware UTC datetime. The scheduler computes it from the current time after each
run, so a digest missed while the bot was down is sent once, not once per missed day.

Daylight saving: a local time that does not exist on a spring-forward day (02:30 in
Europe/Berlin on the last Sunday of March) is read with the offset in force before the
change, so the digest comes at 03:30 that day; a local time that happens twice on a
fall-back day is taken at its first occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> time:
    """A time of day written as ``HH:MM`` (or ``H:MM``); ValueError otherwise."""
    match = _HHMM.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time of day as HH:MM (example: 09:00)")
    return time(int(match.group(1)), int(match.group(2)))


def next_digest_at(local_time: time, zone: ZoneInfo | str, now: datetime) -> datetime:
    """The first moment after `now` (aware) at which the clock in `zone` shows `local_time`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    today = now.astimezone(tz).date()
    # Two days ahead always suffices: at most one occurrence per local day, and a zone's
    # offset changes by hours, not days.
    for offset in range(3):
        candidate = local_moment(today + timedelta(days=offset), local_time, tz)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: no occurrence within three local days")


def local_moment(day: date, local_time: time, zone: ZoneInfo) -> datetime:
    """`day` at `local_time` in `zone`, in UTC (fold=0: see the module docstring on DST)."""
    wall = datetime.combine(day, local_time.replace(tzinfo=None, fold=0), tzinfo=zone)
    return wall.astimezone(UTC)


def is_due(next_at: datetime | None, now: datetime) -> bool:
    return next_at is not None and next_at <= now
