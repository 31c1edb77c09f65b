"""Daily-digest fan-out through the local Bot API stand-in: rate, pacing, concurrency, CPU.

    python bench/bench_fanout.py --rate 30                 # Telegram's free budget
    python bench/bench_fanout.py --paid --rate 1000        # paid broadcast
    python bench/bench_fanout.py --cpu                     # no latency, limiter off

2,000 subscribers are due at once (every 20th on a topic whose digest takes several
messages, the rest one message). The real Application is built and its digest run started
the way the minute job starts it; the stand-in (its own process, answering after
``--latency`` seconds) records when each message arrived. Printed: messages, achieved rate
(first to last arrival) against the configured one, the rate of each chat's first message
(paced by the budget alone), the most requests in flight, the smallest gap between two
messages to one private chat, and the CPU per message of the bot process and of the
stand-in (on the same cores here), with the load average. Set PYTHONPATH to an older
checkout to measure it with the same stand-in; runs are repeated until nobody is due (an
older bot that takes 1,000 subscribers a run would in reality wait for the next minute's
tick between them).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import os
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fake_telegram import FakeTelegram
from pydantic import SecretStr

from bot.app import build_application
from digest.settings import load_settings
from digest.storage import Store

SUMMARY_SHORT = "The ministry reported steady growth of the regional budget this quarter. " * 3
SUMMARY_LONG = "Officials described the new clinics and the hiring of nurses in detail. " * 14


async def fill(path: Path, subscribers: int, due: datetime) -> None:
    """Articles and due subscribers, written directly (the same rows for any version)."""
    await (await Store.open(path)).close()  # the schema; then the rows in one transaction
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with sqlite3.connect(path) as db:
        rows = []
        for i in range(1, 18):
            topic, summary = ("economy", SUMMARY_SHORT) if i <= 5 else ("health", SUMMARY_LONG)
            rows.append((i, f"{topic.title()} report {i}", "2026-02-10", "body", summary,
                         f"https://www.gov.kz/bench/{i}", f"k{i}", now, topic))
        for r in rows:
            db.execute(
                "INSERT INTO articles (id, title, date, body, summary, source_url, text_key, "
                "lang, quality, minhash, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'en', 1, "
                "x'00', ?)", r[:8])
            db.execute("INSERT INTO article_topics (article_id, topic, score, assigned) "
                       "VALUES (?, ?, 9, 1)", (r[0], r[8]))
        when = due.isoformat(timespec="seconds")
        for chat in range(1, subscribers + 1):
            db.execute(
                "INSERT INTO subscribers (chat_id, user_id, language, timezone, digest_time, "
                "next_digest_at, active, created_at, updated_at) "
                "VALUES (?, ?, 'en', 'Asia/Almaty', '09:00', ?, 1, ?, ?)",
                (chat, chat, when, now, now))
            db.execute("INSERT INTO subscriptions (chat_id, topic, created_at) VALUES (?, ?, ?)",
                       (chat, "health" if chat % 20 == 0 else "economy", now))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.08)
    parser.add_argument("--rate", type=float, default=30.0, help="NEWSBOT_RATE_OVERALL/PAID")
    parser.add_argument("--paid", action="store_true", help="NEWSBOT_PAID_BROADCAST=true")
    parser.add_argument("--cpu", action="store_true",
                        help="CPU per message: no latency, limiter off")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the run here")
    parser.add_argument("--servers", type=int, default=2,
                        help="stand-in processes (one Python process answers ~200 req/s here)")
    args = parser.parse_args()
    if args.cpu:
        args.latency, args.rate = 0.0, 1e6
    fake = FakeTelegram(args.latency, processes=args.servers)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await run(args, fake, Path(tmp) / "fanout.db")
    finally:
        fake.stop()


async def run(args: argparse.Namespace, fake: FakeTelegram, path: Path) -> None:
    await fill(path, args.subscribers, datetime.now(UTC) - timedelta(minutes=1))
    settings = load_settings(
        db_path=path, workers=1, bot_token=SecretStr(fake.token), api_base_url=fake.base_url,
        api_file_url=fake.file_url, rate_overall=args.rate, rate_paid=min(args.rate, 1000),
        paid_broadcast=args.paid, rate_per_chat=1e6 if args.cpu else 1.0,
    )
    with ThreadPoolExecutor(1) as pool:
        app = build_application(settings, executor=pool, digest_first=3600)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        scheduler = app.bot_data.services.scheduler
        await fake.ask_async("reset")
        profile = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        runs = 0
        while True:
            summary = await scheduler.run_due_digests()
            runs += 1
            if summary is None or not summary.due:
                break
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
    stats = await fake.ask_async("stats")
    report(args, stats, cpu, wall, runs - 1)


def report(args: argparse.Namespace, stats: dict, cpu: float, wall: float, runs: int) -> None:
    sends = sorted(stats["sends"], key=lambda s: s[1])
    n = len(sends)
    span = sends[-1][1] - sends[0][1] if n > 1 else float("nan")
    achieved = (n - 1) / span if n > 1 else float("nan")
    by_chat: dict[int, list[float]] = defaultdict(list)
    for chat, at in sends:
        by_chat[chat].append(at)
    gaps = [b - a for times in by_chat.values() for a, b in itertools.pairwise(times)]
    mode = "cpu (no latency, limiter off)" if args.cpu else (
        f"{'paid broadcast' if args.paid else 'overall'} {args.rate:g}/s")
    print(f"fan-out: {args.subscribers} due subscribers, latency {args.latency * 1000:.0f} ms, "
          f"{mode}")
    print(f"  messages {n} to {len(by_chat)} chats in {runs} run(s), {wall:.1f} s")
    print(f"  achieved {achieved:.1f} msg/s (first to last arrival)", end="")
    print("" if args.cpu else f" = {achieved / args.rate:.3f} x configured")
    # The rate while only the budget paces: each chat's first message. The rest of a
    # several-message digest follows at one message a second (after Telegram's answer),
    # which alone spreads the last such digest over more than 3 s.
    firsts = sorted(times[0] for times in by_chat.values())
    if len(firsts) > 1:
        span = firsts[-1] - firsts[0]
        print(f"  first message to each chat: {len(firsts)} in {span:.2f} s = "
              f"{(len(firsts) - 1) / span:.1f} msg/s")
    print(f"  max requests in flight {stats['max_in_flight']} "
          f"(stand-in: {args.servers} process(es))")
    if gaps:
        print(f"  min gap between two messages to one private chat {min(gaps):.3f} s "
              f"({len(gaps)} pairs)")
    print(f"  bot CPU {cpu * 1000 / max(n, 1):.2f} ms per message ({cpu:.1f} s)")
    print(f"  stand-in CPU {stats['cpu'] * 1000 / max(n, 1):.2f} ms per message "
          f"({stats['cpu']:.1f} s); bot and stand-in {(cpu + stats['cpu']) / wall:.2f} "
          f"cores busy on average; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
