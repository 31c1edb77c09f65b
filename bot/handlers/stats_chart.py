"""/stats with a picture: the activity chart (PNG) first, then the text figures.

The chart is drawn by ``digest.chart.render_chart`` in the bot's worker pool, so the event
loop keeps serving everyone else meanwhile. If drawing or sending the picture fails, the
administrator still gets the text figures.
"""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.handlers import admin
from bot.handlers.context import with_reader
from bot.i18n import t
from bot.services import NewsContext, Services
from digest.activity import activity
from digest.chart import DAYS, ChartLabels, render_chart
from digest.storage import Subscriber

log = logging.getLogger(__name__)


def labels(lang: str) -> ChartLabels:
    return ChartLabels(
        articles_title=t(lang, "chart_articles", days=DAYS),
        digests_title=t(lang, "chart_digests"),
        other=t(lang, "chart_other"),
        empty=t(lang, "chart_empty"),
    )


async def chart_png(svc: Services, lang: str) -> tuple[bytes, int, int]:
    """The chart as PNG bytes, with the article and digest totals it shows."""
    zone = svc.settings.timezone
    today = svc.clock().astimezone(ZoneInfo(zone)).date()
    names = {tid: svc.catalog.name(tid, lang) for tid in svc.catalog.ids}
    data = await activity(svc.store, today, zone, names, labels(lang))
    loop = asyncio.get_running_loop()
    png = await loop.run_in_executor(svc.executor, render_chart, data)
    return png, data.total_articles, sum(data.digests)


@with_reader
async def stats(update: Update, context: NewsContext, lang: str, sub: Subscriber | None) -> None:
    svc = context.services
    chat = update.effective_chat
    if svc.is_admin(update) and chat is not None:
        try:
            await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
            png, articles, digests = await chart_png(svc, lang)
            await context.bot.send_photo(
                chat.id, png, filename="newsbot-stats.png",
                caption=t(lang, "chart_caption", days=DAYS, articles=articles, digests=digests),
            )
        except (TelegramError, OSError, ValueError, RuntimeError) as exc:
            log.warning("the /stats chart could not be drawn or sent: %r", exc)
    await admin.reply_stats(update, svc, lang)  # the text figures (a refusal for others)
