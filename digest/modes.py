"""Delivery modes of a topic or a keyword follow, and instant-push rules. Pure.

A mode is one of ``daily`` (in every daily digest: the default), ``weekly:N`` (only in the
digest of weekday N, Monday 0, local to the reader), ``instant`` (pushed within a minute of
the upload that brought it, at most ``INSTANT_PER_DAY`` a day and never in quiet hours; the
rest comes in the next digest) and ``off`` (kept, but nothing sent).
"""

from __future__ import annotations

from datetime import date, time

DAILY, INSTANT, OFF = "daily", "instant", "off"
WEEKLY = "weekly"
INSTANT_PER_DAY = 5
QUIET_FROM, QUIET_TO = time(22, 0), time(8, 0)  # no pushes in between, local time

WEEKDAYS = {
    # Names a reader may type, in the three languages, to weekday numbers (Monday 0).
    **{w: i for i, w in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{w: i for i, w in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday",
                                   "saturday", "sunday"))},
    **{w: i for i, w in enumerate(("пн", "вт", "ср", "чт", "пт", "сб", "вс"))},
    **{w: i for i, w in enumerate(("понедельник", "вторник", "среда", "четверг", "пятница",
                                   "суббота", "воскресенье"))},
    **{w: i for i, w in enumerate(("дс", "сс", "ср", "бс", "жм", "сн", "жс"))},
    **{w: i for i, w in enumerate(("дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма",
                                   "сенбі", "жексенбі"))},
}
NAMES = {  # what a reader may type for each mode
    DAILY: (DAILY, "день", "ежедневно", "күн", "күнделікті"),
    WEEKLY: (WEEKLY, "неделя", "еженедельно", "апта", "апталық"),
    INSTANT: (INSTANT, "сразу", "мгновенно", "бірден", "жедел"),
    OFF: (OFF, "выкл", "нет", "өшіру", "жоқ"),
}


class ModeError(ValueError):
    """Not a mode: `text` is what the reader typed."""

    def __init__(self, text: str) -> None:
        super().__init__(f"unknown mode {text!r}")
        self.text = text


def weekly(weekday: int) -> str:
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday {weekday} is not 0..6")
    return f"{WEEKLY}:{weekday}"


def parse_mode(words: list[str]) -> str:
    """`daily`, `weekly mon`, `instant`, `off` (also in Russian and Kazakh) to a mode."""
    if not words:
        raise ModeError("")
    head = words[0].casefold()
    kind = next((k for k, names in NAMES.items() if head in names), None)
    if kind is None:
        raise ModeError(" ".join(words))
    if kind != WEEKLY:
        if len(words) > 1:
            raise ModeError(" ".join(words))
        return kind
    if len(words) != 2 or words[1].casefold().rstrip(".") not in WEEKDAYS:
        raise ModeError(" ".join(words))
    return weekly(WEEKDAYS[words[1].casefold().rstrip(".")])


def is_valid(mode: str) -> bool:
    if mode in (DAILY, INSTANT, OFF):
        return True
    kind, _, day = mode.partition(":")
    return kind == WEEKLY and day.isdigit() and 0 <= int(day) <= 6


def weekday_of(mode: str) -> int | None:
    kind, _, day = mode.partition(":")
    return int(day) if kind == WEEKLY and day.isdigit() else None


def in_digest(mode: str, local_day: date) -> bool:
    """Whether what this mode covers goes into the digest of `local_day`. Instant items come
    too: whatever was pushed is recorded as delivered, so only the rest is left."""
    if mode in (DAILY, INSTANT):
        return True
    day = weekday_of(mode)
    return day is not None and day == local_day.weekday()


def quiet(local: time, start: time = QUIET_FROM, end: time = QUIET_TO) -> bool:
    """Whether `local` falls in the quiet hours [start, end) (which may span midnight)."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end
