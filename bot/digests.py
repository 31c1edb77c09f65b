"""What goes into each subscriber's digest, with the work shared between subscribers.

A digest run serves thousands of subscribers, most of whom get the same digest: those who
share a set of topics and a language and were sent nothing of this week's news yet. A
``DigestPlanner`` lives for one run (or one /digest):

- ``prepare`` reads what a page of due subscribers' digests depend on in a few queries for
  the whole page (their topics and modes, follows, channels and forum threads, the stories
  of the week on each set of topics, which of those each chat was already sent), instead of
  several queries per subscriber;
- each set of topics' stories of the week, and each story as a reader of one language gets
  it, is read once a run;
- each distinct digest (same sections, same stories, same language and local date) is
  composed and rendered once; every subscriber with that digest gets the same messages.

What a page read can miss: a chat sent something outside the run after the read (/digest,
an instant push) would get those articles again. ``OutsideSends`` tells the planner about
such chats, and their digest is then read afresh under their chat lock, as is any chat the
page did not cover (a migrated group's new id, a /digest).

``articles_for`` and ``_choose`` decide which stories a subscriber gets, the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t
from bot.render import Outgoing, render_digest
from digest.compose import Digest, compose_digest
from digest.models import Article
from digest.storage import Channel, Channels, Follow, FollowStore, Store, Subscriber, Subscribers
from digest.topics import TopicCatalog

# A digest covers what the bot learnt in the last week: a new subscriber is not sent the
# whole archive, and an unsent backlog never trickles out day after day.
DIGEST_WINDOW = timedelta(days=7)
DIGEST_MAX_ARTICLES = 50


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """What a chat's digest depends on besides its subscriber row."""

    topic_modes: dict[str, str]  # subscribed topics, in subscription order, with their modes
    follows: list[Follow]  # followed and muted keywords, in the order they were added
    channel: Channel | None = None  # a channel or group the bot posts digests to
    threads: dict[str, int] | None = None  # a forum's thread per topic

    @property
    def topics(self) -> list[str]:
        return list(self.topic_modes)


DigestExtension = Callable[[Subscriber, Digest, ChatSettings], Awaitable[Digest]]
# None: the usual messages, rendered once for every chat with the same digest.
DigestLayout = Callable[
    [Subscriber, Digest, str, ChatSettings], Awaitable[list[Outgoing] | None]]


class OutsideSends:
    """Which chats were sent digest articles outside a run (/digest, instant pushes), and
    when, on a counter: a page read before such a send finished is out of date for that
    chat. Only the runs' page reads look at it, so it is forgotten when a run starts."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last: dict[int, int] = {}

    def mark(self) -> int:
        """Now, on the counter (taken before a page is read)."""
        return next(self._counter)

    def sent(self, chat_id: int) -> None:
        """The chat was sent something outside the run, and it is recorded."""
        self._last[chat_id] = next(self._counter)

    def since(self, chat_id: int, mark: int) -> bool:
        return self._last.get(chat_id, -1) > mark

    def forget(self) -> None:
        self._last.clear()


@dataclass(frozen=True, slots=True)
class _Prepared:
    """One subscriber's part of a page read."""

    settings: ChatSettings
    articles: list[Article]
    mark: int


class DigestPlanner:
    def __init__(
        self, store: Store, subscribers: Subscribers, follows: FollowStore | None,
        channels: Channels | None, catalog: TopicCatalog, now: datetime,
        outside: OutsideSends | None = None,
    ) -> None:
        self.store = store
        self.subscribers = subscribers
        self.follows = follows
        self.channels = channels
        self.catalog = catalog
        self.now = now
        self.since = now - DIGEST_WINDOW
        self.outside = outside or OutsideSends()
        self._prepared: dict[int, _Prepared] = {}
        self._candidates: dict[tuple[str, ...], list[int]] = {}  # topics -> stories, newest first
        self._stories: dict[tuple[int, str], Article] = {}  # (story, reader's language)
        self._composed: dict[tuple[object, ...], Digest] = {}
        self._rendered: dict[tuple[object, ...], list[Outgoing]] = {}

    # -- one chat -------------------------------------------------------------------------

    async def settings_for(self, chat_id: int) -> ChatSettings:
        """The chat's settings, read now."""
        topic_modes = (await self.subscribers.topic_modes_of([chat_id])).get(chat_id, {})
        follows = (await self.follows.of_chats([chat_id])).get(chat_id, []) \
            if self.follows else []
        channel, threads = None, None
        if self.channels is not None:
            channel = (await self.channels.of_chats([chat_id])).get(chat_id)
            threads = (await self.channels.threads_of([chat_id])).get(chat_id)
        return ChatSettings(topic_modes, follows, channel, threads)

    async def articles_for(self, subscriber: Subscriber, topics: Sequence[str]) -> list[Article]:
        """The stories of their digest, read now: on `topics`, from the last week, none of
        whose versions was delivered to them, each in their news language when it exists,
        newest first, at most ``DIGEST_MAX_ARTICLES``."""
        if not topics:
            return []
        return await self.store.articles_for_topics(
            topics, undelivered_to=subscriber.chat_id, ingested_since=self.since,
            limit=DIGEST_MAX_ARTICLES, lang=subscriber.reads,
        )

    # -- a page of chats ------------------------------------------------------------------

    async def prepare(self, page: Sequence[Subscriber]) -> None:
        """Read what the page's digests need, in a few queries for the whole page: the same
        choice as ``articles_for``, made from each set of topics' stories of the week (read
        once a run) less what was delivered to each chat."""
        if not page:
            return
        mark = self.outside.mark()  # before reading: a send that ends later is caught
        chats = [s.chat_id for s in page]
        topic_modes = await self.subscribers.topic_modes_of(chats)
        follows = await self.follows.of_chats(chats) if self.follows else {}
        channels: dict[int, Channel] = {}
        threads: dict[int, dict[str, int]] = {}
        if self.channels is not None:
            channels = await self.channels.of_chats(chats)
            threads = await self.channels.threads_of(chats)
        keys = {s.chat_id: tuple(sorted(topic_modes.get(s.chat_id, {}))) for s in page}
        for key in set(keys.values()) - self._candidates.keys():
            if key:
                self._candidates[key] = await self.store.topic_story_ids(
                    key, ingested_since=self.since)
        candidates = {story for key in set(keys.values()) if key
                      for story in self._candidates[key]}
        delivered = await self.store.delivered_stories(chats, candidates) if candidates else {}
        chosen = {
            s.chat_id: _choose(self._candidates.get(keys[s.chat_id], []),
                               delivered.get(s.chat_id, set()))
            for s in page
        }
        await self._load_stories(page, chosen)
        for s in page:
            ids = chosen[s.chat_id]
            settings = ChatSettings(
                topic_modes.get(s.chat_id, {}), follows.get(s.chat_id, []),
                channels.get(s.chat_id), threads.get(s.chat_id))
            articles = [a for i in ids if (a := self._stories.get((i, s.reads))) is not None]
            self._prepared[s.chat_id] = _Prepared(settings, articles, mark)

    async def _load_stories(
        self, page: Sequence[Subscriber], chosen: dict[int, list[int]]
    ) -> None:
        """The chosen stories not read yet this run, as each language's readers get them."""
        missing: dict[str, set[int]] = {}
        for s in page:
            for story in chosen[s.chat_id]:
                if (story, s.reads) not in self._stories:
                    missing.setdefault(s.reads, set()).add(story)
        for lang, stories in missing.items():
            for article in await self.store.stories_by_id(sorted(stories), lang):
                if article.story_id is not None:
                    self._stories[(article.story_id, lang)] = article

    def stories_prepared(self, chat_id: int) -> int:
        """How many stories the page read chose for the chat (0 if it has none or was not
        read): the scheduler's guess at how many messages its digest takes."""
        prepared = self._prepared.get(chat_id)
        return len(prepared.articles) if prepared is not None else 0

    async def _inputs(self, subscriber: Subscriber) -> tuple[ChatSettings, list[Article]]:
        """The chat's settings and stories: from the page read unless it may be out of date
        (sent something outside the run since), else read now."""
        prepared = self._prepared.pop(subscriber.chat_id, None)
        if prepared is not None and not self.outside.since(subscriber.chat_id, prepared.mark):
            return prepared.settings, prepared.articles
        settings = await self.settings_for(subscriber.chat_id)
        return settings, await self.articles_for(subscriber, settings.topics)

    # -- messages -------------------------------------------------------------------------

    async def messages_for(
        self, subscriber: Subscriber, *, extend: DigestExtension | None = None,
        layout: DigestLayout | None = None,
    ) -> tuple[list[Outgoing], list[int]]:
        """The digest as messages (empty: nothing to send) and the articles it carries.

        `extend` adds keyword follows and removes mutes; `layout` renders per chat (forum
        threads, channels). A digest rendered by the shared renderer is rendered once a run.
        """
        settings, articles = await self._inputs(subscriber)
        lang = subscriber.language
        digest = self._compose(articles, settings.topics, lang)
        if extend is not None:
            digest = await extend(subscriber, digest, settings)
        if digest.is_empty:  # nothing new (or only topics the topics file no longer has)
            return [], []
        today = self.now.astimezone(ZoneInfo(subscriber.timezone)).date()
        header = t(lang, "digest_header", date=today.strftime("%d.%m.%Y"))
        carried = digest.article_ids
        if layout is not None:
            own = await layout(subscriber, digest, header, settings)
            if own is not None:
                return own, carried
        key = (lang, subscriber.reads_all, header, tuple(
            (s.topic, s.title, tuple(a.id for a in s.articles)) for s in digest.sections))
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = self._rendered[key] = render_digest(
                digest, header, all_languages=subscriber.reads_all)
        return rendered, carried

    def _compose(self, articles: list[Article], topics: list[str], lang: str) -> Digest:
        """compose_digest, once per distinct input a run (the digest is not changed later:
        extensions build new ones)."""
        key = (lang, tuple(topics), tuple((a.id, a.story_id) for a in articles))
        digest = self._composed.get(key)
        if digest is None:
            digest = self._composed[key] = compose_digest(articles, topics, self.catalog, lang)
        return digest


def _choose(candidates: list[int], delivered: set[int]) -> list[int]:
    """The newest stories none of whose versions was delivered, at most the digest's size."""
    return list(itertools.islice(
        (story for story in candidates if story not in delivered), DIGEST_MAX_ARTICLES))
