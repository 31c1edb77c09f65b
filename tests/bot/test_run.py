"""`python -m bot run` as a process: long polling or webhook, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from tests.support.bot import ADMIN
from tests.support.fake_api import TOKEN, FakeBotApi

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "digest" / "data" / "sample_dump.txt"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def newsbot_run(
    fake_api: FakeBotApi, tmp_path: Path, **settings: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update({
        "NEWSBOT_BOT_TOKEN": TOKEN,
        "NEWSBOT_API_BASE_URL": fake_api.base_url,
        "NEWSBOT_API_FILE_URL": fake_api.file_url,
        "NEWSBOT_DB_PATH": str(tmp_path / "news.db"),
        "PYTHONPATH": str(REPO),
        **{f"NEWSBOT_{k.upper()}": v for k, v in settings.items()},
    })
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def wait_listening(port: int, timeout: float = 30) -> None:
    """PTB calls setWebhook before its server listens; Telegram retries, so do we."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise AssertionError(f"nothing listens on port {port}") from None
            await asyncio.sleep(0.05)
        else:
            writer.close()
            await writer.wait_closed()
            return


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_polling_answers_ingests_in_worker_processes_and_stops_on_sigterm(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    async with newsbot_run(fake_api, tmp_path, admin_ids=str(ADMIN), workers="1") as process:
        await fake_api.wait_for(lambda: len(fake_api.commands) == 4, timeout=30,
                                what="the command menus")
        fake_api.send_text(801, "/help")
        [reply] = await fake_api.wait_sent(801, 1)
        assert reply.text.startswith("Commands")
        # The default executor: a pool of spawned worker processes.
        fake_api.send_document(ADMIN, "sample_dump.txt", SAMPLE.read_bytes())
        [status] = await fake_api.wait_sent(ADMIN, 1)
        report = await fake_api.wait_for(
            lambda: (m := fake_api.current(status)).text.startswith(("✅", "❌")) and m,
            timeout=60, what="the ingest report")
        assert report.text.startswith("✅ sample_dump.txt\n"), report.text
        assert " stored, " in report.text
        log = await stop(process)
    assert "stop signal" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_webhook_mode_checks_the_secret_and_answers(
    fake_api: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/newsbot-hook"
    async with newsbot_run(fake_api, tmp_path, webhook_url=url, webhook_listen="127.0.0.1",
                           webhook_port=str(port), webhook_secret="s3cret") as process:
        await fake_api.wait_for(lambda: fake_api.calls_to("setWebhook"), timeout=30,
                                what="setWebhook")
        [call] = fake_api.calls_to("setWebhook")
        assert call.params["url"] == url and call.params["secret_token"] == "s3cret"
        await wait_listening(port)
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 0, "chat": fake_api.chat(802),
            "from": fake_api.user(802), "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
        async with aiohttp.ClientSession() as http:
            wrong = await http.post(url, data=json.dumps(update),
                                    headers={"Content-Type": "application/json",
                                             "X-Telegram-Bot-Api-Secret-Token": "wrong"})
            assert wrong.status == 403
            right = await http.post(url, data=json.dumps(update),
                                    headers={"Content-Type": "application/json",
                                             "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert right.status == 200
        [reply] = await fake_api.wait_sent(802, 1)
        assert reply.text.startswith("Commands")
        await stop(process)
