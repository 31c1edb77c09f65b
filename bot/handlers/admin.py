"""Administrators: dump upload (download, ingest in a worker, live progress, report), /stats.

The admin check runs on every upload and every admin command; a refused upload is never
downloaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from html import escape
from pathlib import Path

from telegram import File, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.errors import is_not_modified
from bot.handlers.context import local_time, reply, with_reader
from bot.i18n import t
from bot.render import MAX_MESSAGE, tg_len
from bot.services import NewsContext, Services
from digest.ingest import ingest_bytes
from digest.models import IngestReport
from digest.parsing import DumpError
from digest.settings import Settings
from digest.storage import NOTHING_STORED, StoreError, Subscriber

log = logging.getLogger(__name__)

MB = 1024 * 1024
BOT_API_DOWNLOAD_LIMIT_MB = 20  # what api.telegram.org lets a bot download
OFFICIAL_API = "https://api.telegram.org/"
ACCEPTED_SUFFIXES = (".txt", ".jsonl", ".txt.gz", ".jsonl.gz", ".gz")
DOWNLOAD_TIMEOUT = 120.0


def upload_limit_mb(settings: Settings) -> int:
    """The largest dump the bot takes: the Bot API's 20 MB unless a self-hosted server is set."""
    if settings.api_base_url.startswith(OFFICIAL_API):
        return min(settings.max_upload_mb, BOT_API_DOWNLOAD_LIMIT_MB)
    return settings.max_upload_mb


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{max(1, round(n / 1024))} KB"


@with_reader
async def upload(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    svc = context.services
    message = update.effective_message
    assert message is not None and message.document is not None
    if not svc.is_admin(update):
        await reply(update, t(lang, "upload_refused"))
        return
    document = message.document
    name = document.file_name or "dump.txt"
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        await reply(update, t(lang, "upload_bad_type"))
        return
    limit = upload_limit_mb(svc.settings)
    if document.file_size and document.file_size > limit * MB:
        await reply(update, _too_big(lang, name, document.file_size, limit))
        return
    received = t(lang, "upload_received", name=escape(name), size=_size(document.file_size or 0))
    status = await reply(update, received)
    progress = ProgressMessage(status, received, lang, name, svc.progress_interval)
    try:
        data = await _download(await context.bot.get_file(
            document.file_id, read_timeout=DOWNLOAD_TIMEOUT))
    except (TelegramError, OSError) as exc:
        await progress.finish(t(lang, "upload_failed", name=escape(name), error=escape(str(exc))))
        return
    if len(data) > limit * MB:
        await progress.finish(_too_big(lang, name, len(data), limit))
        return
    progress.start()
    try:
        async with svc.ingest_lock:
            report = await ingest_bytes(
                svc.store, data, name, svc.settings, svc.catalog,
                progress=progress.update, executor=svc.executor, now=svc.clock(),
                share_cpu=True,  # this process answers users meanwhile
            )
    except DumpError as exc:
        await progress.finish(t(lang, "upload_rejected", reason=escape(str(exc))))
        return
    except StoreError as exc:
        # Locked, full or read-only database: the same one line the command line prints
        # (the reply says itself that nothing was stored).
        reason = str(exc).replace(NOTHING_STORED, "")
        await progress.finish(t(lang, "upload_rejected", reason=escape(reason)))
        return
    except Exception as exc:
        log.exception("ingest of an uploaded dump %r failed", name)
        await progress.finish(t(lang, "upload_failed", name=escape(name),
                                error=escape(type(exc).__name__)))
        return
    await progress.finish(format_report(report, svc, lang))


async def _download(file: File) -> bytes:
    """The file's bytes. A self-hosted Bot API server in ``--local`` mode hands out a path on
    this machine, which PTB would read on the event loop; a file of hundreds of MB would
    hold up every chat, so it is read in a thread."""
    if file.file_path and Path(file.file_path).is_absolute():
        return await asyncio.to_thread(Path(file.file_path).read_bytes)
    return bytes(await file.download_as_bytearray(read_timeout=DOWNLOAD_TIMEOUT))


def _too_big(lang: str, name: str, size: int, limit: int) -> str:
    text = t(lang, "upload_too_big", name=escape(name), size=f"{size / MB:.1f}", limit=limit)
    if size > BOT_API_DOWNLOAD_LIMIT_MB * MB and limit <= BOT_API_DOWNLOAD_LIMIT_MB:
        text += t(lang, "upload_bot_api_limit")
    return text


class ProgressMessage:
    """One status message, edited at most every `interval` seconds while an ingest runs."""

    def __init__(
        self, message: Message, shown: str, lang: str, name: str, interval: float
    ) -> None:
        self.message = message
        self.lang = lang
        self.name = name
        self.interval = interval
        self.done = 0
        self.total = 0
        self._changed = asyncio.Event()
        self._finished = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._shown = shown

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    def update(self, done: int, total: int) -> None:
        """The ingest's progress callback (called on the event loop)."""
        self.done, self.total = done, total
        self._changed.set()

    async def _loop(self) -> None:
        while not self._finished.is_set():
            await self._changed.wait()
            self._changed.clear()
            if self._finished.is_set():
                return
            try:
                await self._show(t(self.lang, "upload_progress", name=escape(self.name),
                                   done=self.done, total=self.total))
            except TelegramError as exc:  # a lost progress edit must not stop the ingest
                log.warning("progress edit failed: %r", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._finished.wait(), self.interval)

    async def finish(self, text: str) -> None:
        self._finished.set()
        self._changed.set()
        if self._task is not None:
            await self._task
        await self._show(text)

    async def _show(self, text: str) -> None:
        if text == self._shown:
            return
        try:
            await self.message.edit_text(text)
        except BadRequest as exc:
            if not is_not_modified(exc):
                raise
        self._shown = text


def format_report(report: IngestReport, svc: Services, lang: str) -> str:
    """The ingest report; the list of problems is cut to keep it within one message."""
    none = t(lang, "none")
    lines = [t(
        lang, "report", name=escape(report.file), parsed=report.parsed, stored=report.stored,
        dups=report.duplicates_exact + report.duplicates_near,
        exact=report.duplicates_exact, near=report.duplicates_near,
    )]
    if report.replaced:
        lines.append(t(lang, "report_replaced", count=report.replaced))
    lines.append(t(lang, "report_stories", new=report.stories_new, linked=report.versions_linked))
    lines.append(t(lang, "report_languages", languages=escape(
        ", ".join(f"{k} {v}" for k, v in report.languages.items()) or none)))
    lines.append(t(lang, "report_topics", topics=escape(", ".join(
        f"{svc.catalog.name(k, lang)} {v}" for k, v in report.topics.items()) or none)))
    if report.problems:
        lines.append(t(lang, "report_problems", count=len(report.problems)))
        budget = MAX_MESSAGE - 200
        for shown, problem in enumerate(report.problems):
            line = escape(str(problem))
            if tg_len("\n".join([*lines, line])) > budget:
                lines.append(t(lang, "report_more", count=len(report.problems) - shown))
                break
            lines.append(line)
    return "\n".join(lines)


@with_reader
async def stats(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    await reply_stats(update, context.services, lang)


async def reply_stats(update: Update, svc: Services, lang: str) -> None:
    """The text figures for an administrator, a refusal for anyone else."""
    if not svc.is_admin(update):
        await reply(update, t(lang, "admin_only"))
        return
    await reply(update, await format_stats(svc, lang))


async def format_stats(svc: Services, lang: str) -> str:
    none = t(lang, "none")
    zone = svc.settings.timezone
    name = svc.catalog.name
    counts = await svc.subscribers.counts()
    per_topic = await svc.subscribers.subscriptions_per_topic()
    lines = [
        t(lang, "stats"),
        t(lang, "stats_subscribers", active=counts.active, inactive=counts.inactive),
        t(lang, "stats_subscriptions", topics=escape(
            ", ".join(f"{name(k, lang)} {v}" for k, v in per_topic.items()) or none)),
        "",
        t(lang, "stats_articles", total=await svc.store.count_articles()),
    ]
    by_language = await svc.store.topic_language_counts()
    for topic, total in sorted((await svc.store.topic_counts()).items(),
                               key=lambda kv: (-kv[1], kv[0])):
        languages = ", ".join(
            f"{lg} {n}" for (tp, lg), n in sorted(by_language.items()) if tp == topic
        )
        lines.append(t(lang, "stats_topic_line", topic=escape(name(topic, lang)), total=total,
                       languages=escape(languages)))
    ingests = await svc.store.recent_ingests(3)
    if ingests:
        lines += ["", t(lang, "stats_ingests")]
        for row in ingests:
            lines.append(t(
                lang, "stats_ingest_line",
                when=local_time(_moment(row["finished_at"]), zone), file=escape(row["file"]),
                stored=row["stored"], dups=row["duplicates_exact"] + row["duplicates_near"],
                problems=len(row["problems"]),
            ))
    run = await svc.subscribers.last_run()
    lines.append("")
    if run is None:
        lines.append(t(lang, "stats_no_run"))
    elif run.finished_at is None:
        lines.append(t(lang, "stats_run_unfinished", when=local_time(run.started_at, zone),
                       sent=run.sent))
    else:
        lines.append(t(lang, "stats_run", when=local_time(run.started_at, zone), sent=run.sent,
                       failed=run.failed, blocked=run.blocked))
    lines.append(f"<i>{escape(zone)}</i>")
    return "\n".join(lines)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)
