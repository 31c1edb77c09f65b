"""Build and run the bot: the Application, its services, the digest job, polling or webhook.

Start-up (``post_init``) opens the database, the worker pool and the digest bot into one
``AsyncExitStack``, builds the services (``bot.services``) and registers the command menu in
English, Russian and Kazakh; shutdown (``post_shutdown``) closes that stack. ``run_bot`` has
start-up install its own SIGTERM/SIGINT handler, which tells a digest run in progress to stop
after the message it is sending and then stops the application; the application waits for
that run before it shuts down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import sys
from concurrent.futures import Executor
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes, Defaults, ExtBot, JobQueue
from telegram.request import HTTPXRequest

from bot.channel_digest import forum_layout
from bot.digests import DIGEST_MAX_ARTICLES, DIGEST_WINDOW
from bot.follow_digest import FollowDigest
from bot.handlers import register
from bot.i18n import COMMANDS, DEFAULT
from bot.instant import InstantPusher
from bot.ratelimit import ChatRateLimiter
from bot.scheduler import DigestScheduler, sender_count
from bot.services import BotData, NewsApp, NewsContext, Services
from bot.transport import AiohttpRequest, MessageSender
from digest.clock import Clock, utcnow
from digest.prepare import warm_up
from digest.settings import Settings
from digest.stemming import use_kazakh_stop_words
from digest.storage import Channels, FollowStore, Modes, Store, Subscribers
from digest.topics import TopicCatalog, load_catalog
from digest.workers import worker_pool

log = logging.getLogger(__name__)


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
DIGEST_INTERVAL = 60.0  # seconds between looks for due digests
DIGEST_FIRST = 5.0  # the first look, this long after start
PROGRESS_INTERVAL = 2.0  # seconds between edits of an upload's progress message
MAX_RETRIES = 3  # RetryAfter is waited out and the request retried this many times
WORKER_NICENESS = 10  # added to the ingest workers' niceness
# How long a thread that wants the GIL waits before it makes the holder let go (CPython's
# default is 5 ms). During an upload, threads of the bot's process (the ingest's write
# phase, dump parsing) hold the GIL between their C calls, while the event loop and the
# readers' connection threads need it at every step of a reply (each HTTP read and write,
# each SQL hop). A shorter interval bounds each of those waits; together with the write
# thread's rests (digest.ingest.REST) it brought the reads sent during a write phase from
# p50 139-393 ms to 46-128 ms on a busy machine (bench/bench_latency.py, bench/README.md).
SWITCH_INTERVAL = 0.0005


def build_application(
    settings: Settings,
    *,
    store: Store | None = None,
    catalog: TopicCatalog | None = None,
    clock: Clock = utcnow,
    executor: Executor | None = None,
    digest_interval: float = DIGEST_INTERVAL,
    digest_first: float = DIGEST_FIRST,
    progress_interval: float = PROGRESS_INTERVAL,
    stop_signals: bool = False,
) -> NewsApp:
    """The bot, ready for ``run_polling``/``run_webhook`` or for manual start in tests.

    What is not given is made from the settings: the store is opened at start-up and closed
    at shutdown, the catalog is loaded now, the executor is a process pool for ingests.
    With `stop_signals`, start-up installs the SIGTERM/SIGINT handler (``run_bot``).
    """
    if settings.bot_token is None:
        raise ValueError("no bot token: set NEWSBOT_BOT_TOKEN")
    catalog = catalog or load_catalog(settings.topics_file)
    limiter = ChatRateLimiter(
        overall_max_rate=settings.rate_overall,
        private_max_rate=settings.rate_per_chat,
        paid_max_rate=settings.rate_paid,
        max_retries=MAX_RETRIES,
    )
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    # What start-up opens and shutdown closes, last opened first closed.
    owned = AsyncExitStack()
    jobs = JobQueue[NewsContext]()  # what PTB would make (needs its job-queue extra), typed

    async def post_init(application: NewsApp) -> None:
        # Opened into a stack of their own first: if start-up fails halfway, what it had
        # opened is closed here, whether or not the caller goes on to call post_shutdown.
        async with AsyncExitStack() as opening:
            services = await open_services(
                opening, settings, limiter, defaults, store=store, catalog=catalog,
                clock=clock, executor=executor, progress_interval=progress_interval,
            )
            owned.push_async_exit(opening.pop_all())
        application.bot_data.services = services
        await set_commands(application)
        if stop_signals:
            _install_stop_signals(application, services.scheduler)

    async def post_shutdown(application: NewsApp) -> None:
        await owned.aclose()

    application = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .rate_limiter(limiter)
        .defaults(defaults)
        .context_types(ContextTypes(context=NewsContext, bot_data=BotData))
        .job_queue(jobs)
        # Updates are handled concurrently: one user's long digest or an admin's ingest
        # must not hold up everyone else's commands.
        .concurrent_updates(True)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    register(application)
    jobs.run_repeating(
        digest_tick, interval=digest_interval, first=digest_first, name="digests"
    )
    return application


async def open_services(
    stack: AsyncExitStack,
    settings: Settings,
    limiter: ChatRateLimiter,
    defaults: Defaults,
    *,
    store: Store | None,
    catalog: TopicCatalog,
    clock: Clock,
    executor: Executor | None,
    progress_interval: float,
) -> Services:
    """The services, with every resource made here (store, worker pool, digest bot) entered
    into `stack`, which closes them; a given store or executor stays the caller's."""
    assert settings.bot_token is not None
    use_kazakh_stop_words(settings.kazakh_stopwords_file)  # follow terms are stemmed here
    stack.callback(sys.setswitchinterval, sys.getswitchinterval())
    sys.setswitchinterval(min(SWITCH_INTERVAL, sys.getswitchinterval()))
    if store is None:
        store = await Store.open(settings.db_path, readers=settings.db_readers)
        stack.push_async_callback(store.close)
    if executor is None:
        # spawn, not fork: the bot process has threads (aiosqlite, HTTP) a fork would copy.
        # Its workers die with the bot, even after a kill -9 (digest.workers), and run at
        # a lower CPU priority: an ingest is batch work, and on a small machine it would
        # otherwise take the cores the bot needs to answer users.
        executor = worker_pool(settings.workers, multiprocessing.get_context("spawn"),
                               niceness=WORKER_NICENESS,
                               kazakh_stop_words=settings.kazakh_stopwords_file)
        stack.callback(executor.shutdown, wait=False, cancel_futures=True)
        # Workers start now, in the background, not on the first upload: spawning them
        # and importing the pipeline takes seconds the admin would otherwise wait.
        stack.callback(warm_workers(executor, settings.workers).cancel)
    subscribers = Subscribers(store, settings.timezone, settings.digest_time)
    budget = settings.rate_paid if settings.paid_broadcast else settings.rate_overall
    senders = sender_count(budget, settings.digest_senders)
    # Digests go out through a bot of their own, with a connection per sender: hundreds
    # of digests in flight must not take the connections that replies to users need
    # (PTB's pool would make a reply wait, then fail after its 1 s pool timeout), and
    # on a lighter transport (bot.transport: a quarter of httpx's CPU per request).
    digest_request = AiohttpRequest(senders + 1)
    digest_bot = await stack.enter_async_context(ExtBot(
        settings.bot_token.get_secret_value(),
        base_url=settings.api_base_url, base_file_url=settings.api_file_url,
        request=digest_request,
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=limiter, defaults=defaults,
    ))
    follows = FollowStore(store, subscribers, executor)
    sender = MessageSender(digest_bot.base_url, digest_request, limiter)
    channels = Channels(subscribers)
    scheduler = DigestScheduler(
        sender, store, subscribers, catalog, clock, senders=senders,
        paid_broadcast=settings.paid_broadcast, follows=follows, channels=channels,
    )
    modes = Modes(subscribers)
    extras = FollowDigest(follows, modes, catalog, clock, DIGEST_WINDOW, DIGEST_MAX_ARTICLES)
    scheduler.extend = extras.extend
    scheduler.layout = forum_layout
    return Services(
        settings=settings,
        store=store,
        subscribers=subscribers,
        catalog=catalog,
        scheduler=scheduler,
        clock=clock,
        executor=executor,
        progress_interval=progress_interval,
        follows=follows,
        channels=channels,
        modes=modes,
        instant=InstantPusher(scheduler, subscribers, follows, modes, extras, catalog, clock),
    )


def warm_workers(pool: Executor, workers: int) -> asyncio.Future[list[bool | BaseException]]:
    """One warm-up task per worker, not awaited: the pool spawns its processes and each
    imports the pipeline while the bot already answers."""
    loop = asyncio.get_running_loop()
    warming = asyncio.gather(
        *(loop.run_in_executor(pool, warm_up) for _ in range(workers)), return_exceptions=True
    )
    warming.add_done_callback(lambda f: f.cancelled() or f.exception())
    return warming


async def digest_tick(context: NewsContext) -> None:
    """The minute job: start a digest run and an instant-push run unless one is still going."""
    context.services.scheduler.start_run(context.application)
    context.services.instant.start(context.application)


async def set_commands(application: NewsApp) -> None:
    """The command menu in each interface language (English also as the default)."""
    for lang, commands in COMMANDS.items():
        menu = [BotCommand(name, description) for name, description in commands]
        try:
            for code in ([None, lang] if lang == DEFAULT else [lang]):
                await application.bot.set_my_commands(menu, language_code=code)
        except TelegramError as exc:  # the menu is a convenience; the bot works without it
            log.warning("could not register the %s command menu: %r", lang, exc)


def run_bot(settings: Settings) -> None:
    """`newsbot run`: long polling, or a webhook server when NEWSBOT_WEBHOOK_URL is set."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(settings, stop_signals=True)
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            stop_signals=None,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=None)


def _install_stop_signals(application: NewsApp, scheduler: DigestScheduler) -> None:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        log.info("stop signal: finishing the message being sent, then stopping")
        scheduler.request_stop()
        application.stop_running()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
            loop.add_signal_handler(sig, stop)
