"""What goes into each subscriber's digest, with the work shared between subscribers.

A digest run serves thousands of subscribers, most of whom get the same digest: those who
share a set of topics and a language and were sent nothing of this week's news yet. A
``DigestPlanner`` lives for one run (or one /digest) and renders each distinct digest once
(same sections, same stories, same language and local date); every subscriber with that
digest gets the same messages.

``articles_for`` is the one place that decides which stories a subscriber gets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.render import Outgoing, render_digest
from digest.compose import Digest, compose_digest
from digest.models import Article
from digest.storage import Store, Subscriber, Subscribers
from digest.topics import TopicCatalog

# A digest covers what the bot learnt in the last week: a new subscriber is not sent the
# whole archive, and an unsent backlog never trickles out day after day.
DIGEST_WINDOW = timedelta(days=7)
DIGEST_MAX_ARTICLES = 50

DigestExtension = Callable[[Subscriber, Digest], Awaitable[Digest]]
DigestLayout = Callable[[Subscriber, Digest, str], Awaitable[list[Outgoing]]]


class DigestPlanner:
    def __init__(
        self, store: Store, subscribers: Subscribers, catalog: TopicCatalog, now: datetime
    ) -> None:
        self.store = store
        self.subscribers = subscribers
        self.catalog = catalog
        self.now = now
        self.since = now - DIGEST_WINDOW
        self._rendered: dict[tuple[object, ...], list[Outgoing]] = {}

    async def articles_for(self, subscriber: Subscriber) -> tuple[list[str], list[Article]]:
        """The subscriber's topics and the stories of their digest: on those topics, from
        the last week, none of whose versions was delivered to them, each in their news
        language when it exists, newest first, at most ``DIGEST_MAX_ARTICLES``."""
        topics = await self.subscribers.topics(subscriber.chat_id)
        if not topics:
            return topics, []
        return topics, await self.store.articles_for_topics(
            topics, undelivered_to=subscriber.chat_id, ingested_since=self.since,
            limit=DIGEST_MAX_ARTICLES, lang=subscriber.reads,
        )

    async def messages_for(
        self, subscriber: Subscriber, *, extend: DigestExtension | None = None,
        layout: DigestLayout | None = None,
    ) -> tuple[list[Outgoing], list[int]]:
        """The digest as messages (empty: nothing to send) and the articles it carries.

        `extend` adds keyword follows and removes mutes; `layout` renders per chat (forum
        threads). A digest rendered by the shared renderer is rendered once a run.
        """
        topics, articles = await self.articles_for(subscriber)
        lang = subscriber.language
        digest = compose_digest(articles, topics, self.catalog, lang)
        if extend is not None:
            digest = await extend(subscriber, digest)
        if digest.is_empty:  # nothing new (or only topics the topics file no longer has)
            return [], []
        today = self.now.astimezone(ZoneInfo(subscriber.timezone)).date()
        header = t(lang, "digest_header", date=today.strftime("%d.%m.%Y"))
        carried = digest.article_ids
        if layout is not None:
            return await layout(subscriber, digest, header), carried
        key = (lang, subscriber.reads_all, header, tuple(
            (s.topic, s.title, tuple(a.id for a in s.articles)) for s in digest.sections))
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = self._rendered[key] = render_digest(
                digest, header, all_languages=subscriber.reads_all)
        return rendered, carried
