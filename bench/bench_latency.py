"""Reply latency of the bot under load, before and during a big upload.

    python bench/bench_latency.py [--users 50] [--mb 15] [--before 30]

The real bot (long polling, its own ingest worker pool) talks to the local Bot API
stand-in, which runs in another process together with `--users` simulated users (see
bench/latency_users.py). The overall rate limit is set high, so the limiter does not hide
the bot's own delays. After `--before` seconds an admin uploads a dump of `--mb` MB of
real-length articles (the BBC articles of ../shared/eval, made distinct). Printed: the time
from a user's message to the bot's first reply (p50/p95/p99/max) before the upload and
while it is ingested, for reads and writes, and the ratio of the p99s; then, to show where
the time goes, the same split by part of the upload (before, parse-and-prepare, write
phase): reads' p50/p99, the event loop's lag, how much of the time the loop's thread waited
for a core (Linux /proc), and the slowest replies. PYTHONPATH selects another checkout of
the bot to measure with the same stand-in and users.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import logging
import multiprocessing
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from corpus import distinct, dump_of_size, dump_text
from fake_telegram import FakeTelegram
from pydantic import SecretStr

import digest.ingest
from bot.app import ALLOWED_UPDATES, build_application
from digest.ingest import ingest_bytes
from digest.settings import load_settings
from digest.storage import Store
from digest.topics import load_catalog

ADMIN = 9001
LAG_TICK = 0.005  # the loop-lag probe's sleep


class Timeline:
    """Where the upload's time goes, on the system-wide monotonic clock: when the ingest's
    write phase started and ended, the bot's CPU time at those marks, and how late the
    event loop woke a task that slept LAG_TICK (its lag, with the time it was measured)."""

    def __init__(self) -> None:
        self.marks: dict[str, tuple[float, float]] = {}  # name -> (monotonic, process CPU)
        # The event loop's thread, sampled: CPU seconds, seconds waiting for a core (the
        # kernel's run queue), voluntary and forced context switches (/proc, Linux only).
        # (when, CPU seconds, seconds waiting for a core, voluntary and forced switches)
        self.loop_thread: list[tuple[float, float, float, int, int]] = []
        self.lags: list[tuple[float, float]] = []

    def mark(self, name: str) -> None:
        self.marks[name] = (time.monotonic(), time.process_time())
        self.sample_loop_thread()

    def sample_loop_thread(self) -> None:
        task = Path(f"/proc/self/task/{threading.get_native_id()}")
        try:
            cpu, queued, _ = (task / "schedstat").read_text().split()
            status = dict(line.split(":\t", 1) for line in (task / "status").read_text()
                          .splitlines() if "ctxt_switches" in line)
        except (OSError, ValueError):
            return
        self.loop_thread.append((time.monotonic(), int(cpu) / 1e9, int(queued) / 1e9,
                                 int(status["voluntary_ctxt_switches"]),
                                 int(status["nonvoluntary_ctxt_switches"])))

    def watch_write_phase(self) -> None:
        write = digest.ingest._write

        async def timed(*args: Any, **kwargs: Any) -> Any:
            self.mark("write")
            try:
                return await write(*args, **kwargs)
            finally:
                self.mark("written")

        digest.ingest._write = timed  # type: ignore[assignment]

    def watch_ingest_steps(self) -> None:
        """Mark the publishing transaction and the band merge, and time every hold of the
        store's write lock by the ingest (the chunks, the publishing, the merge's steps),
        where this checkout has them (an older one measured with PYTHONPATH may not)."""
        from digest.storage import ingest_writes

        session = ingest_writes.IngestSession
        for method, start, end in (("merge_bands", "merge", "merged"),):
            self._wrap(session, method, start, end)
        try:
            from digest.write_process import WriterProcess
        except ImportError:
            return
        self._wrap(WriterProcess, "publish", "publish", "published")

    def _wrap(self, owner: Any, method: str, start: str, end: str) -> None:
        original = getattr(owner, method, None)
        if original is None:
            return

        async def timed(*args: Any, **kwargs: Any) -> Any:
            self.mark(start)
            try:
                return await original(*args, **kwargs)
            finally:
                self.mark(end)

        setattr(owner, method, timed)

    async def probe(self) -> None:
        while True:
            if not self.loop_thread or time.monotonic() - self.loop_thread[-1][0] > 0.5:
                self.sample_loop_thread()
            start = time.monotonic()
            await asyncio.sleep(LAG_TICK)
            now = time.monotonic()
            self.lags.append((now, now - start - LAG_TICK))


# spawn, not fork: this process has threads (aiosqlite) a fork would copy mid-lock.
SPAWN = multiprocessing.get_context("spawn")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--mb", type=float, default=15.0)
    parser.add_argument("--before", type=float, default=30.0, help="seconds before the upload")
    parser.add_argument("--prefill", type=int, default=500, help="articles stored first")
    args = parser.parse_args()
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1: where is it
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "apscheduler", "telegram"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The ingest logs how many transactions it committed and the longest write-lock hold.
    chunks: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: chunks.append(record.getMessage())  # type: ignore[method-assign]
    ingest_log = logging.getLogger("digest.storage.ingest_writes")
    ingest_log.setLevel(logging.INFO)
    ingest_log.addHandler(handler)
    ingest_log.propagate = False
    with tempfile.TemporaryDirectory() as tmp:
        dump, articles = dump_of_size(args.mb, seed=11)
        dump_path = Path(tmp) / "big.txt"
        dump_path.write_bytes(dump)
        settings = load_settings(db_path=Path(tmp) / "latency.db", workers=2)
        catalog = load_catalog(settings.topics_file)
        with ProcessPoolExecutor(2, mp_context=SPAWN) as pool:
            async with await Store.open(settings.db_path) as store:
                await ingest_bytes(store, dump_text(distinct(args.prefill, seed=3)),
                                   "prefill.txt", settings, catalog, executor=pool)
        fake = FakeTelegram(0.0, scenarios="latency_users")
        timeline = Timeline()
        try:
            settings = settings.model_copy(update={
                "bot_token": SecretStr(fake.token), "api_base_url": fake.base_url,
                "api_file_url": fake.file_url, "admin_ids": frozenset({ADMIN}),
                "rate_overall": 1000.0, "rate_per_chat": 1000.0,
            })
            app = build_application(settings, digest_first=3600)
            await app.initialize()
            assert app.post_init is not None and app.updater is not None
            await app.post_init(app)
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1,
                                            allowed_updates=ALLOWED_UPDATES)
            timeline.watch_write_phase()
            timeline.watch_ingest_steps()
            timeline.mark("start")
            probe = asyncio.create_task(timeline.probe())
            try:
                result = await fake.ask_async(
                    "scenario", name="users", count=args.users, admin=ADMIN,
                    dump=str(dump_path), before=args.before, limit=900.0)
            finally:
                timeline.mark("end")
                probe.cancel()
                await app.updater.stop()
                await app.stop()
                await app.shutdown()
                assert app.post_shutdown is not None
                await app.post_shutdown(app)
        finally:
            fake.stop()
    print(f"latency under load: {args.users} users, upload of {len(dump) / 2**20:.1f} MB "
          f"({articles} articles), ingested in {result['ingest_seconds']:.0f} s")
    print(f"  report: {result['report'].splitlines()[0] if result['report'] else '(none)'}")
    for line in chunks or ["one transaction (not reported)"]:
        print(f"  write phase: {line}")
    p99 = {}
    for phase in ("before", "during"):
        for kind in ("all", "read", "write"):
            values = [s[2] for s in result["samples"] if s[0] == phase and kind in ("all", s[1])]
            print(f"  {phase:6} {kind:5} n={len(values):5}  p50 {pct(values, .5) * 1000:7.0f} ms"
                  f"  p95 {pct(values, .95) * 1000:7.0f} ms  p99 {pct(values, .99) * 1000:7.0f} ms"
                  f"  max {max(values, default=float('nan')) * 1000:7.0f} ms"
                  f"  mean {statistics.fmean(values) * 1000 if values else float('nan'):6.0f} ms")
            p99[(phase, kind)] = pct(values, .99)
    for kind in ("all", "read", "write"):
        print(f"  p99 during / before ({kind}): "
              f"{p99[('during', kind)] / p99[('before', kind)]:.2f}")
    breakdown(result, timeline)


def breakdown(result: dict[str, Any], timeline: Timeline) -> None:
    """The upload split into its parse-and-prepare part and its write phase: replies by the
    part they were sent in, event-loop lag, the bot process's CPU; the slowest replies."""
    upload = result["upload_at"]
    marks = timeline.marks
    write, written = marks.get("write", (float("nan"), 0.0)), marks.get("written", (0.0, 0.0))
    # The write phase in its steps, where the checkout marks them: the chunks, the
    # publishing transaction, the merge of the recent LSH bands, the closing checkpoint.
    steps = [("chunks", write)] + [
        (name, marks[mark]) for name, mark in (
            ("publish", "publish"), ("merge", "merge"), ("close", "merged"))
        if mark in marks]
    spans = {"before": (marks["start"][0], upload), "prepare": (upload, write[0])}
    cpu: dict[str, tuple[float, float]] = {}
    for (name, (at, cpu_at)), (_, (until, cpu_until)) in zip(
            steps, [*steps[1:], ("", written)], strict=True):
        spans[name] = (at, until)
        cpu[name] = (cpu_at, cpu_until)
    spans["after"] = (written[0], marks["end"][0])
    print(f"  upload at {upload - marks['start'][0]:.1f} s; prepare {write[0] - upload:.1f} s, "
          f"write phase {written[0] - write[0]:.1f} s (" + ", ".join(
              f"{name} {spans[name][1] - spans[name][0]:.1f} s" for name, _ in steps) + ")")
    for name, (lo, hi) in spans.items():
        if name == "after":
            continue
        replies = [s for s in result["samples"] if s[0] != "after" and lo <= s[3] < hi]
        reads = [s[2] for s in replies if s[1] == "read"]
        writes = [s[2] for s in replies if s[1] == "write"]
        lags = [lag for when, lag in timeline.lags if lo <= when < hi]
        line = (f"  {name:7} reads n={len(reads):4} p50 {pct(reads, .5) * 1000:5.0f} "
                f"p99 {pct(reads, .99) * 1000:5.0f} max {max(reads, default=0) * 1000:5.0f} ms;"
                f" writes n={len(writes):3} p50 {pct(writes, .5) * 1000:5.0f}"
                f" max {max(writes, default=0) * 1000:5.0f} ms;"
                f" loop lag p50 {pct(lags, .5) * 1000:4.1f} p99 {pct(lags, .99) * 1000:5.1f}"
                f" max {max(lags, default=0) * 1000:5.0f} ms")
        if name in cpu:
            used = cpu[name]
            line += f"; bot CPU {(used[1] - used[0]) / max(hi - lo, 1e-9) * 100:3.0f}%"
        print(line)
    # The event loop's thread: how much of the time it ran, waited for a core, and how often
    # it went to sleep (epoll, or the GIL held by another thread) or was preempted.
    for name, (lo, hi) in spans.items():
        inside = [t for t in timeline.loop_thread if lo <= t[0] <= hi]
        if name != "after" and len(inside) >= 2:
            wall = inside[-1][0] - inside[0][0]
            d = [y - x for x, y in zip(inside[0][1:], inside[-1][1:], strict=True)]
            print(f"  loop thread, {name:7}: CPU {d[0] / wall * 100:3.0f}%, waiting for a core "
                  f"{d[1] / wall * 100:3.0f}%, sleeps {d[2] / wall:4.0f}/s, "
                  f"preempted {d[3] / wall:4.0f}/s")
    during = [s for s in result["samples"] if s[0] == "during"]
    # The replies that make the p99 during the upload: by kind and step they were sent in.
    cut = pct([s[2] for s in during], .99)
    tail = Counter((next((n for n, (lo, hi) in spans.items() if lo <= s[3] < hi), "?"), s[1])
                   for s in during if s[2] >= cut)
    print(f"  replies at or above the p99 during ({cut * 1000:.0f} ms): " + ", ".join(
        f"{count} {kind}s in {part}" for (part, kind), count in tail.most_common()))
    slow = sorted(during, key=lambda s: -s[2])[:8]
    for _, kind, seconds, sent, what in slow:
        part = next((n for n, (lo, hi) in spans.items() if lo <= sent < hi), "?")
        print(f"    slow: {seconds * 1000:5.0f} ms {kind:5} {what!r:26} at +{sent - upload:5.1f} s"
              f" ({part})")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
