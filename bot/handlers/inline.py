"""Inline sharing: `@botname words` in any chat lists matching stories; choosing one posts
its title (linked), date, summary and source link.

Needs inline mode switched on for the bot at @BotFather (/setinline). Results are found by
full-text search with the reader's language first (their /lang, else their Telegram app's
language); an empty query lists the newest stories. Everything in a result is escaped in
``bot.render``.
"""

from __future__ import annotations

from html import escape

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update

from bot.i18n import language_of
from bot.render import MAX_MESSAGE, article_html, cut_at_sentence, link, tg_len
from bot.scheduler import NO_PREVIEW
from bot.services import NewsContext
from digest.models import Article

PAGE = 20  # results per answer; Telegram allows 50
MAX_RESULTS = 100  # how far a reader can scroll
DESCRIPTION = 120  # characters of summary under each result's title
CACHE_SECONDS = 60  # new dumps arrive now and then; a minute's cache spares the database


def share_html(article: Article) -> str:
    """The shared message: linked title, date, summary, then the source link in full."""
    tail = ""
    if article.source_url and link(article.source_url, "x") != "x":
        tail = "\n\n" + link(article.source_url, escape(article.source_url))
    body = article_html(article, limit=MAX_MESSAGE - tg_len(tail))
    return body + tail


def result(article: Article) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=str(article.id),
        title=article.title[:200],
        description=f"{article.date.strftime('%d.%m.%Y')} · "
                    f"{cut_at_sentence(article.summary, DESCRIPTION)}",
        input_message_content=InputTextMessageContent(
            share_html(article), parse_mode="HTML", link_preview_options=NO_PREVIEW,
        ),
    )


async def inline_query(update: Update, context: NewsContext) -> None:
    query = update.inline_query
    assert query is not None
    svc = context.services
    sub = await svc.subscribers.get(query.from_user.id)  # their private chat with the bot
    lang = sub.language if sub else language_of(query.from_user.language_code)
    offset = int(query.offset) if query.offset.isdigit() else 0
    if offset >= MAX_RESULTS:
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True)
        return
    articles = await svc.store.search_language_first(query.query.strip(), lang, PAGE, offset)
    more = len(articles) == PAGE and offset + PAGE < MAX_RESULTS
    await query.answer(
        [result(a) for a in articles], cache_time=CACHE_SECONDS, is_personal=True,
        next_offset=str(offset + PAGE) if more else "",
    )
