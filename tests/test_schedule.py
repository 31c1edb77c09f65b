"""When the next daily digest is due: local time + IANA zone + now, DST, missed days."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from digest.schedule import is_due, next_digest_at


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_later_today_in_a_zone_without_dst() -> None:
    # 07:00 in Almaty (UTC+5); 09:00 local is 04:00 UTC the same day.
    assert next_digest_at(time(9, 0), "Asia/Almaty", utc(2026, 2, 11, 2, 0)) == utc(2026, 2, 11, 4, 0)


def test_already_past_today_means_tomorrow() -> None:
    assert next_digest_at(time(9, 0), "Asia/Almaty", utc(2026, 2, 11, 5, 0)) == utc(2026, 2, 12, 4, 0)


def test_exactly_now_is_not_next() -> None:
    assert next_digest_at(time(9, 0), "Asia/Almaty", utc(2026, 2, 11, 4, 0)) == utc(2026, 2, 12, 4, 0)


def test_local_date_differs_from_utc_date() -> None:
    # 23:30 UTC on the 10th is 04:30 on the 11th in Almaty: 09:00 local is still ahead today.
    assert next_digest_at(time(9, 0), "Asia/Almaty", utc(2026, 2, 10, 23, 30)) == utc(2026, 2, 11, 4, 0)
    # Just after midnight local time, 00:15 local is almost a day away.
    assert next_digest_at(time(0, 15), "Asia/Almaty", utc(2026, 2, 10, 19, 30)) == utc(2026, 2, 11, 19, 15)


def test_berlin_winter_and_summer_offsets() -> None:
    assert next_digest_at(time(8, 0), "Europe/Berlin", utc(2026, 1, 15, 12, 0)) == utc(2026, 1, 16, 7, 0)
    assert next_digest_at(time(8, 0), "Europe/Berlin", utc(2026, 7, 15, 12, 0)) == utc(2026, 7, 16, 6, 0)


def test_berlin_across_the_spring_change() -> None:
    # Clocks go 02:00 -> 03:00 on 29 March 2026; 08:00 CEST that day is 06:00 UTC.
    assert next_digest_at(time(8, 0), "Europe/Berlin", utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 6, 0)


def test_a_time_skipped_by_the_spring_change_comes_an_hour_later() -> None:
    # 02:30 does not exist on 29 March 2026 in Berlin: the digest comes at 03:30 CEST.
    moment = next_digest_at(time(2, 30), "Europe/Berlin", utc(2026, 3, 28, 12, 0))
    assert moment == utc(2026, 3, 29, 1, 30)
    # And the day after, it is 02:30 CEST again.
    assert next_digest_at(time(2, 30), "Europe/Berlin", moment) == utc(2026, 3, 30, 0, 30)


def test_a_time_repeated_by_the_autumn_change_comes_once() -> None:
    # 02:30 happens twice on 25 October 2026 in Berlin; the digest comes at the first.
    first = next_digest_at(time(2, 30), "Europe/Berlin", utc(2026, 10, 24, 12, 0))
    assert first == utc(2026, 10, 25, 0, 30)
    assert next_digest_at(time(2, 30), "Europe/Berlin", first) == utc(2026, 10, 26, 1, 30)


def test_missed_days_give_one_digest_then_the_next_future_one() -> None:
    # The bot was down from the 11th to the 14th: the due digest is sent once on return,
    # and the next one is the next future 09:00, not the 12th, 13th, 14th in turn.
    was_due = utc(2026, 2, 11, 4, 0)
    back = utc(2026, 2, 14, 10, 0)
    assert is_due(was_due, back)
    upcoming = next_digest_at(time(9, 0), "Asia/Almaty", back)
    assert upcoming == utc(2026, 2, 15, 4, 0)
    assert not is_due(upcoming, back)


def test_is_due() -> None:
    now = utc(2026, 2, 11, 4, 0)
    assert is_due(now, now)
    assert not is_due(None, now)
    assert not is_due(utc(2026, 2, 11, 4, 1), now)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_digest_at(time(9, 0), "Asia/Almaty", datetime(2026, 2, 11, 2, 0))
