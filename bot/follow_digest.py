"""What the daily digest holds beyond its topics, and what the reader's modes leave out.

The scheduler calls ``FollowDigest.extend`` with each digest it composed (see
``DigestScheduler.extend``):

- topics set to ``off``, or ``weekly`` on another weekday (local to the reader), are taken
  out, and the articles recomposed under the reader's other topics;
- each followed keyword whose mode lets it in today gets its section first ("Following:
  tax"): articles not yet delivered to the chat, stored during the digest window;
- stories matching a muted keyword (in any version) are left out everywhere.

Followed news is counted in stories like the rest (digest.stories): a story matches when
any of its versions does, comes in the reader's news language, and is not new once any of
its versions was delivered.

Instant topics and follows stay in: what was pushed is recorded as delivered, so only what
the daily cap or the quiet hours held back is left for the digest. Everything in a digest
is recorded as delivered with the message that carries it and never comes twice.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.digests import ChatSettings
from bot.i18n import t
from digest.clock import Clock
from digest.compose import Digest, compose_digest
from digest.follows import story_key, with_follows
from digest.modes import in_digest
from digest.storage import FollowStore, Modes, Subscriber
from digest.topics import TopicCatalog


class FollowDigest:
    def __init__(
        self, follows: FollowStore, modes: Modes, catalog: TopicCatalog, clock: Clock,
        window: timedelta, limit: int,
    ) -> None:
        self.follows = follows
        self.modes = modes
        self.catalog = catalog
        self.clock = clock
        self.window = window
        self.limit = limit

    async def extend(
        self, subscriber: Subscriber, digest: Digest, settings: ChatSettings
    ) -> Digest:
        """`digest` as the chat's modes, follows and mutes (`settings`) make it."""
        chat_id, lang = subscriber.chat_id, subscriber.language
        today = self.clock().astimezone(ZoneInfo(subscriber.timezone)).date()
        topic_modes = settings.topic_modes
        wanted = [tp for tp, mode in topic_modes.items() if in_digest(mode, today)]
        if len(wanted) < len(topic_modes):
            articles = [a for section in digest.sections for a in section.articles]
            digest = compose_digest(articles, wanted, self.catalog, lang)
        entries = settings.follows
        if not entries:
            return digest
        await self.follows.index_new()
        follow_modes = {f.term: f.mode for f in await self.modes.follow_modes(chat_id)}
        followed = [f.term for f in entries
                    if not f.mute and in_digest(follow_modes.get(f.term, "daily"), today)]
        muted_terms = [f.term for f in entries if f.mute]
        matches = await self.follows.matching(
            followed, undelivered_to=chat_id,
            ingested_since=self.clock() - self.window, limit=self.limit,
        )
        matched = list(dict.fromkeys(i for ids in matches.values() for i in ids))
        found = {story_key(a): a for a in await self.follows.stories(matched, subscriber.reads)}
        in_digest_now = {story_key(a) for s in digest.sections for a in s.articles}
        muted = await self.muted(muted_terms, in_digest_now | set(matched))
        return with_follows(
            digest, followed,
            {term: [found[i] for i in ids if i in found] for term, ids in matches.items()},
            muted,
            {term: t(lang, "follow_section", term=term) for term in followed},
        )

    async def muted(self, terms: list[str], candidates: set[int]) -> set[int]:
        """Which of the candidate stories match a muted term (in any of their versions)."""
        if not terms or not candidates:
            return set()
        hits = await self.follows.matching(terms, among=sorted(candidates),
                                           limit=len(candidates))
        return {i for ids in hits.values() for i in ids}
