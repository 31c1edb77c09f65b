"""Simulated users for bench_latency.py, run inside the Bot API stand-in's process.

Each user sends a command and waits for the bot's first reply (as the stand-in receives
it), then pauses 0.5-1.5 s. Four users in five read (/latest, /latest TOPIC, /search); the
fifth also writes (/subscribe, /unsubscribe, a topic button). After `before` seconds an admin
uploads the dump; the run ends with the ingest report.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from pathlib import Path
from typing import Any

READS = ("/latest", "/latest economy", "/latest health", "/search budget", "/search growth",
         "/search minister election")
WRITES = ("/subscribe health", "/unsubscribe health", "/subscribe economy", "button")


async def users(
    api: Any, *, count: int, admin: int, dump: str, before: float, limit: float
) -> dict[str, Any]:
    replies: dict[tuple[str, int], asyncio.Future[float]] = {}
    _notify(api, "_m_sendMessage", "send", replies)
    _notify(api, "_m_editMessageReplyMarkup", "edit", replies)
    # (phase, kind, seconds, when it was sent on the system-wide monotonic clock, command)
    samples: list[tuple[str, str, float, float, str]] = []
    phase = {"now": "before"}
    stop = asyncio.Event()

    async def ask(chat: int, what: str) -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        if what == "button":  # a topic button on the last keyboard the bot sent
            keyboards = [m for m in api.sent_to(chat) if m.reply_markup]
            if not keyboards:
                return await ask(chat, "/topics")
            future = replies[("edit", chat)] = loop.create_future()
            start = time.monotonic()
            api.press(chat, keyboards[-1], "topic:education")
        else:
            future = replies[("send", chat)] = loop.create_future()
            start = time.monotonic()
            api.send_text(chat, what)
        return start, await asyncio.wait_for(future, 120) - start

    async def user(number: int) -> None:
        rng = random.Random(number)
        chat = 50_000 + number
        await ask(chat, "/subscribe economy")
        while not stop.is_set():
            writer = number % 5 == 0 and rng.random() < 0.5
            what = rng.choice(WRITES if writer else READS)
            started = phase["now"]
            sent, seconds = await ask(chat, what)
            if phase["now"] == started and not stop.is_set():
                samples.append((started, "write" if writer else "read", seconds, sent, what))
            await asyncio.sleep(rng.uniform(0.5, 1.5))

    tasks = [asyncio.create_task(user(n)) for n in range(count)]
    await asyncio.sleep(before)
    phase["now"] = "during"
    data = Path(dump).read_bytes()
    upload_at = time.monotonic()
    api.send_document(admin, Path(dump).name, data)
    deadline = upload_at + limit
    report = ""
    shown = ""
    while time.monotonic() < deadline:
        mine = api.sent_to(admin)
        if mine and (report := api.current(mine[-1]).text).startswith(("✅", "❌")):
            break
        if mine and report != shown:  # the admin's status message, as it changes
            print(f"upload status: {report[:120]!r}", file=sys.stderr, flush=True)
            shown = report
        await asyncio.sleep(0.2)
    ingest_seconds = time.monotonic() - upload_at
    phase["now"] = "after"
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"samples": samples, "ingest_seconds": ingest_seconds, "report": report[:200],
            "upload_at": upload_at}


def _notify(api: Any, method: str, kind: str,
            replies: dict[tuple[str, int], asyncio.Future[float]]) -> None:
    """Resolve a waiting user's future when the bot's reply reaches the stand-in."""
    original = getattr(api, method)

    async def wrapped(params: dict[str, Any]) -> Any:
        arrived = time.monotonic()
        result = await original(params)
        future = replies.pop((kind, int(params["chat_id"])), None)
        if future is not None and not future.done():
            future.set_result(arrived)
        return result

    setattr(api, method, wrapped)
