"""The local Bot API stand-in (tests/support/fake_api.py) in a process of its own, for benches.

Its own process, so that its CPU is not counted as the bot's and it does not share the bot's
event loop. The bench talks to it through a pipe: ``stats`` (what reached it: every
sendMessage with its arrival time on the system-wide monotonic clock, the most requests it
worked on at once, the CPU time its processes used since ``reset``), ``reset``,
``scenario`` (run a coroutine of `scenarios` inside it, e.g. simulated users) and ``stop``.

The code under test is whatever ``bot``/``digest`` the bench imports (``PYTHONPATH`` selects
an older checkout for "before" figures); the stand-in is always this checkout's.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import multiprocessing
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SUPPORT = REPO / "tests" / "support"

Scenario = Callable[..., Awaitable[Any]]


def load_fake_api() -> ModuleType:
    """This checkout's fake_api, even when PYTHONPATH puts an older checkout's tests first.

    tests/support is loaded as a package under a name of its own, so the stand-in's relative
    import of its HTML parser resolves inside this checkout.
    """
    spec = importlib.util.spec_from_file_location(
        "bench_support", SUPPORT / "__init__.py", submodule_search_locations=[str(SUPPORT)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = package
    spec.loader.exec_module(package)
    return importlib.import_module("bench_support.fake_api")


class FakeTelegram:
    """The stand-in in `processes` processes sharing one port (more than one only for plain
    sending: updates and scenarios live in one process's memory)."""

    def __init__(self, latency: float, scenarios: str | None = None, processes: int = 1) -> None:
        context = multiprocessing.get_context("spawn")
        port = _free_port() if processes > 1 else 0
        self._conns: list[Connection] = []
        self._processes = []
        for _ in range(processes):
            conn, child = context.Pipe()
            process = context.Process(
                target=_child, args=(child, latency, scenarios, port), daemon=True
            )
            process.start()
            self._conns.append(conn)
            self._processes.append(process)
        ready = [conn.recv() for conn in self._conns]
        self.token: str = ready[0]["token"]
        self.base_url: str = ready[0]["base_url"]
        self.file_url: str = ready[0]["file_url"]

    def ask(self, command: str, **kwargs: Any) -> Any:
        """The command to every process; their answers merged (stats) or the first one."""
        for conn in self._conns:
            conn.send((command, kwargs))
        answers = [conn.recv() for conn in self._conns]
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        if command != "stats":
            return answers[0]
        calls = sorted(call for answer in answers for call in answer["calls"])
        return {"sends": [(chat, at) for at, done, chat in calls],
                "max_in_flight": _max_overlap([(at, done) for at, done, _ in calls]),
                "cpu": sum(answer["cpu"] for answer in answers)}

    async def ask_async(self, command: str, **kwargs: Any) -> Any:
        return await asyncio.to_thread(self.ask, command, **kwargs)

    def stop(self) -> None:
        try:
            self.ask("stop")
        finally:
            for process in self._processes:
                process.join(5)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(at, 1) for at, _ in intervals] + [(done, -1) for _, done in intervals])
    most = current = 0
    for _, step in events:
        current += step
        most = max(most, current)
    return most


def _child(conn: Connection, latency: float, scenarios: str | None, port: int) -> None:
    asyncio.run(_serve(conn, latency, scenarios, port))


async def _serve(conn: Connection, latency: float, scenarios: str | None, port: int) -> None:
    fake = load_fake_api()
    extra = importlib.import_module(scenarios) if scenarios else None
    api = fake.FakeBotApi(latency=latency)
    await api.start(port, reuse_port=bool(port))
    conn.send({"token": api.token, "base_url": api.base_url, "file_url": api.file_url})
    loop = asyncio.get_running_loop()
    cpu = time.process_time()
    while True:
        command, kwargs = await loop.run_in_executor(None, conn.recv)
        try:
            if command == "stop":
                break
            if command == "stats":
                conn.send({"calls": [(c.at, c.done_at, c.chat_id) for c in api.calls
                                     if c.method == "sendMessage" and c.ok],
                           "cpu": time.process_time() - cpu})
            elif command == "reset":
                api.calls.clear()
                api.sent.clear()
                api.messages.clear()
                api.max_in_flight = 0
                cpu = time.process_time()
                conn.send(True)
            elif command == "scenario":
                assert extra is not None
                name = kwargs.pop("name")
                conn.send(await getattr(extra, name)(api, **kwargs))
            else:
                conn.send(ValueError(f"unknown command {command!r}"))
        except Exception as exc:  # reported to the bench, which raises it
            conn.send(exc)
    conn.send(True)
    await api.stop()

