"""End to end: admin uploads (download, ingest, progress, report), refusals, /stats."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from telegram.ext import Application

from tests.support.bot import ADMIN, Reader, StartBot, services_of
from tests.support.dumps import economy_article, jsonl
from tests.support.fake_api import FakeBotApi

SEED_REPORT = "10 articles read, 5 stored, 5 duplicates (2 exact, 3 near)"


async def test_admin_uploads_the_real_sample_and_gets_the_report(
    bot: Application, fake_api: FakeBotApi, seed_path: Path
) -> None:
    admin = Reader(fake_api, ADMIN)
    report = await admin.ingest(seed_path.name, seed_path.read_bytes())
    assert report.text.splitlines()[0] == f"✅ {seed_path.name}"
    assert report.text.splitlines()[1] == SEED_REPORT
    assert "Languages: en 10" in report.text
    assert "Topics of the stored articles: " in report.text
    assert "Economy 1" in report.text and "Foreign policy 1" in report.text
    # One status message, edited: received -> progress -> report.
    edits = [c.params["text"] for c in fake_api.calls_to("editMessageText", ADMIN)]
    assert any("articles processed" in text for text in edits)
    assert len(fake_api.sent_to(ADMIN)) == 1
    assert fake_api.sent_to(ADMIN)[0].text.startswith(f"📥 {seed_path.name} (26 KB)")
    assert await services_of(bot).store.count_articles() == 5
    assert fake_api.downloads == 1


async def test_gzipped_jsonl_with_problems_reports_their_line_numbers(
    bot: Application, fake_api: FakeBotApi
) -> None:
    lines = jsonl([economy_article(1), economy_article(2)]).decode().splitlines()
    lines.insert(1, '{"title": "No date", "body": "text"}')
    lines.insert(2, "this is not json")
    data = gzip.compress("\n".join(lines).encode())
    report = await Reader(fake_api, ADMIN).ingest("news <2026> & more.jsonl.gz", data)
    assert report.text.splitlines()[0] == "✅ news <2026> & more.jsonl.gz"
    assert report.text.splitlines()[1].startswith("2 articles read, 2 stored")
    assert "Problems (2)" in report.text
    problem_lines = [line for line in report.text.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in problem_lines] == ["line 2", "line 3"]
    assert await services_of(bot).store.count_articles() == 2


async def test_a_rejected_file_changes_nothing(bot: Application, fake_api: FakeBotApi) -> None:
    admin = Reader(fake_api, ADMIN)
    report = await admin.ingest("<empty> & void.txt", b"   \n\n")  # the name arrives escaped
    assert report.text.startswith("❌ <empty> & void.txt: the file is empty")
    assert report.text.endswith("Nothing was stored.")
    binary = await admin.ingest("photo.txt", b"\x89PNG\x00\x00\x00binary")
    assert binary.text.startswith("❌ photo.txt: this is a binary file")
    store = services_of(bot).store
    assert await store.count_articles() == 0
    assert await store.recent_ingests() == []


async def test_non_admin_upload_is_refused_and_nothing_is_downloaded(
    bot: Application, fake_api: FakeBotApi, seed_path: Path
) -> None:
    stranger = Reader(fake_api, 222)
    reply = await stranger.upload(seed_path.name, seed_path.read_bytes())
    assert reply.text == "Sorry, only the bot's administrators can upload news dumps."
    assert (await stranger.ask("/stats")).text == (
        "Sorry, this command is only for the bot's administrators.")
    assert fake_api.calls_to("getFile") == []
    assert await services_of(bot).store.count_articles() == 0


async def test_too_big_or_wrong_type_is_refused_before_download(
    bot: Application, fake_api: FakeBotApi
) -> None:
    admin = Reader(fake_api, ADMIN)
    big = await admin.upload("huge.txt", b"x", size=25 * 1024 * 1024)
    assert big.text.startswith("huge.txt is 25.0 MB; this bot downloads files of at most 20 MB.")
    assert "The Telegram Bot API lets bots download files of at most 20 MB" in big.text
    wrong = await admin.upload("picture.png", b"\x89PNG")
    assert wrong.text.startswith("Send the dump as a .txt or .jsonl file")
    assert fake_api.calls_to("getFile") == []


async def test_a_self_hosted_api_server_allows_a_configured_limit(
    start_bot: StartBot, bot_settings: Any, fake_api: FakeBotApi
) -> None:
    settings = bot_settings.model_copy(update={"max_upload_mb": 1})
    async with start_bot(settings):
        reply = await Reader(fake_api, ADMIN).upload("big.txt", b"x", size=3 * 1024 * 1024)
    assert reply.text == "big.txt is 3.0 MB; this bot downloads files of at most 1 MB."


async def test_a_local_mode_api_server_hands_out_paths_the_bot_reads_from_disk(
    bot: Application, fake_api: FakeBotApi, tmp_path: Path
) -> None:
    fake_api.local_dir = tmp_path / "bot-api"
    report = await Reader(fake_api, ADMIN).ingest("local.jsonl", jsonl([economy_article(1)]))
    assert report.text.splitlines()[1].startswith("1 articles read, 1 stored")
    assert fake_api.downloads == 0
    assert await services_of(bot).store.count_articles() == 1


class GatedExecutor(ThreadPoolExecutor):
    """Ingest work waits at a gate, so a test can act while an ingest is in progress."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.gate = threading.Event()
        self.waiting = threading.Event()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def gated() -> Any:
            self.waiting.set()
            self.gate.wait(10)
            return fn(*args, **kwargs)

        return super().submit(gated)


async def test_other_users_are_answered_while_an_ingest_runs(
    start_bot: StartBot, fake_api: FakeBotApi, seed_path: Path
) -> None:
    with GatedExecutor() as gated:
        async with start_bot(executor=gated) as app:
            admin = Reader(fake_api, ADMIN)
            status = await admin.upload(seed_path.name, seed_path.read_bytes())
            await fake_api.wait_for(gated.waiting.is_set, what="the ingest to start")
            # The ingest is stuck in its worker; the bot still answers someone else.
            assert (await Reader(fake_api, 333).ask("/help")).text.startswith("Commands")
            # Still in progress: received, or counting while the workers wait at the gate (the
            # dump is parsed in a thread now, so "0 of 10" may already show).
            assert fake_api.current(status).text.startswith(("📥", "⚙️"))
            gated.gate.set()
            report = await fake_api.wait_for(
                lambda: (m := fake_api.current(status)).text.startswith("✅") and m)
            assert report.text.splitlines()[1] == SEED_REPORT
            assert await services_of(app).store.count_articles() == 5


async def test_stats_for_admins(bot: Application, fake_api: FakeBotApi, seed_path: Path) -> None:
    admin = Reader(fake_api, ADMIN)
    await admin.ingest(seed_path.name, seed_path.read_bytes())
    await Reader(fake_api, 401).ask("/subscribe economy")
    await Reader(fake_api, 402).ask("/subscribe economy")
    await Reader(fake_api, 402).ask("/subscribe health")
    await Reader(fake_api, 403).ask("/subscribe health")
    await Reader(fake_api, 403).ask("/stop")
    chart, text = await admin.say("/stats", replies=2)  # the chart first (test_stats_chart)
    assert (chart.chat_id, chart.message_id) in fake_api.photos
    stats = text.text.splitlines()
    assert stats[0] == "Statistics"
    assert "Subscribers: 2 active, 1 inactive" in stats
    assert "Subscriptions per topic: Economy 2, Health 1" in stats
    assert "Articles: 5" in stats
    assert "Constitution and law: 3 (en 3)" in stats
    assert "Economy: 1 (en 1)" in stats
    assert "Last ingests" in stats
    assert f"11.02.2026 07:00 · {seed_path.name}: 5 stored, 5 duplicates, 0 problems" in stats
    assert "Last digest run: none yet" in stats


async def test_a_huge_article_does_not_hold_up_the_next_upload(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    """A 2 MB article used to keep the summariser busy for about an hour, and every later
    upload waited behind it. Now its body is cut, its summary ranks at most 200 sentences,
    and it runs under a time limit in a real worker process."""
    import multiprocessing

    from digest.workers import worker_pool

    dump = _long_dump()
    pool = worker_pool(1, multiprocessing.get_context("spawn"))
    try:
        async with start_bot(executor=pool):
            admin = Reader(fake_api, ADMIN)
            first = await admin.upload("long.txt", dump)
            second = await admin.upload("next.jsonl", jsonl([economy_article(1)]))

            def final(status: Any) -> Any:
                return (m := fake_api.current(status)).text.startswith(("✅", "❌")) and m

            long_report = await fake_api.wait_for(lambda: final(first), timeout=120,
                                                  what="the long dump's report")
            next_report = await fake_api.wait_for(lambda: final(second), timeout=120,
                                                  what="the next dump's report")
    finally:
        pool.shutdown(cancel_futures=True)
    assert long_report.text.splitlines()[1].startswith("1 articles read, 1 stored")
    assert "line 2: article 'A very long report of the akimat': body cut to 100,000 characters" in (
        long_report.text)
    assert next_report.text.splitlines()[1].startswith("1 articles read, 1 stored")


async def test_a_locked_database_is_the_upload_reply(
    bot: Application, fake_api: FakeBotApi, bot_settings: Any
) -> None:
    import sqlite3

    holder = sqlite3.connect(bot_settings.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, past the busy timeout
    try:
        status = await Reader(fake_api, ADMIN).upload("news.jsonl", jsonl([economy_article(1)]))
        report = await fake_api.wait_for(
            lambda: (m := fake_api.current(status)).text.startswith(("✅", "❌")) and m,
            timeout=120, what="the upload's reply")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert report.text == (
        f"❌ news.jsonl: database {bot_settings.db_path} is locked by another process; "
        "retry, or stop it\nNothing was stored.")
    assert await services_of(bot).store.count_articles() == 0


async def test_a_killed_worker_fails_one_upload_and_the_next_gets_fresh_workers(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    import multiprocessing
    import os
    import signal
    import sys

    import pytest

    from digest.workers import worker_pool

    if not sys.platform.startswith("linux"):
        pytest.skip("finds the worker in /proc")
    pool = worker_pool(1, multiprocessing.get_context("spawn"))
    try:
        async with start_bot(executor=pool) as app:
            admin = Reader(fake_api, ADMIN)

            async def upload(name: str, index: int) -> Any:
                status = await admin.upload(name, jsonl([economy_article(index)]))
                return await fake_api.wait_for(
                    lambda: (m := fake_api.current(status)).text.startswith(("✅", "❌")) and m,
                    timeout=120, what=f"the reply to {name}")

            assert (await upload("one.jsonl", 1)).text.startswith("✅")
            [worker] = [pid for pid in _children(os.getpid())
                        if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()]
            # A dump whose one article keeps the worker busy for a second or more; the
            # worker is killed once it has spent CPU time on it.
            idle = _cpu_ticks(worker)
            status = await admin.upload("two.txt", _long_dump(articles=8, sentences=1_200))
            await fake_api.wait_for(lambda: _cpu_ticks(worker) > idle + 20, timeout=120,
                                    what="the worker to be busy")
            os.kill(worker, signal.SIGKILL)
            lost = await fake_api.wait_for(
                lambda: (m := fake_api.current(status)).text.startswith(("✅", "❌")) and m,
                timeout=120, what="the reply to two.txt")
            assert lost.text.startswith("❌ two.txt: a worker process died")
            assert lost.text.endswith("Nothing was stored.")
            # The next upload gets fresh workers.
            assert (await upload("three.jsonl", 3)).text.startswith("✅")
            assert await services_of(app).store.count_articles() == 2
    finally:
        pool.shutdown(cancel_futures=True)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _long_dump(articles: int = 1, sentences: int = 17_000) -> bytes:
    """Long articles: by default one of more than 2 MB (cut to 100,000 characters)."""
    words = ("river", "copper", "lantern", "meadow", "harbor", "violin", "glacier", "almond",
             "thistle", "saddle")
    lines = ["News"]
    for a in range(articles):
        text = " ".join(
            " ".join(f"{words[(i + k + a) % 10]}{(i * 7 + k + a) % 991}" for k in range(12))
            .capitalize() + "." for i in range(sentences))
        assert articles > 1 or len(text) > 2_000_000
        title = "A very long report of the akimat" + (f" {a}" if a else "")
        lines += [title, "10.02.2026", text]
    return ("\n".join(lines) + "\n").encode()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def test_an_upload_whose_writer_process_dies_is_answered_and_stores_nothing(
    start_bot: StartBot, fake_api: FakeBotApi, bot_settings: Any, monkeypatch: Any
) -> None:
    """An upload into a database file writes in a process of its own; killed after its
    first chunk, the upload's reply says so and readers never see any of it."""
    import os
    import signal
    import sys

    import pytest

    from digest.write_process import WriterProcess

    if not sys.platform.startswith("linux"):
        pytest.skip("kills the writer by its pid")
    original = WriterProcess.chunk
    calls = 0

    async def killing(self: WriterProcess, queued: bool) -> bool:
        nonlocal calls
        calls += 1
        if calls == 2:
            assert self.pid is not None
            os.kill(self.pid, signal.SIGKILL)
        return await original(self, queued)

    monkeypatch.setattr(WriterProcess, "chunk", killing)
    async with start_bot(bot_settings.model_copy(update={"ingest_chunk_articles": 1})) as app:
        store = services_of(app).store
        admin = Reader(fake_api, ADMIN)
        status = await admin.upload("news.jsonl",
                                    jsonl([economy_article(n) for n in range(5)]))
        report = await fake_api.wait_for(
            lambda: (m := fake_api.current(status)).text.startswith(("✅", "❌")) and m,
            timeout=120, what="the upload's reply")
        assert report.text == (
            "❌ news.jsonl: the ingest's writer process died (exit code -9)\n"
            "Nothing was stored.")
        assert calls == 2
        assert await store.count_articles() == 0
        assert await store.recent_ingests() == []
        monkeypatch.undo()
        # The next upload gets a writer of its own.
        again = await admin.ingest("again.jsonl", jsonl([economy_article(1)]))
        assert again.text.startswith("✅")
        assert await store.count_articles() == 1
