"""The daily digest's keyword sections: "Following: tax" first, muted articles left out.

The scheduler calls ``FollowDigest.extend`` with each digest it composed (see
``DigestScheduler.extend``). Followed articles are, like topic articles, those not yet
delivered to the chat and stored during the digest window, so they are recorded as delivered
with the message that carries them and never come twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.i18n import t
from digest.compose import Digest
from digest.follow_store import FollowStore
from digest.follows import with_follows
from digest.subscribers import Subscriber

Clock = Callable[[], datetime]


class FollowDigest:
    def __init__(
        self, follows: FollowStore, clock: Clock, window: timedelta, limit: int
    ) -> None:
        self.follows = follows
        self.clock = clock
        self.window = window
        self.limit = limit

    async def extend(self, subscriber: Subscriber, digest: Digest) -> Digest:
        entries = await self.follows.list(subscriber.chat_id)
        if not entries:
            return digest
        await self.follows.index_new()
        followed = [f.term for f in entries if not f.mute]
        muted_terms = [f.term for f in entries if f.mute]
        matches = await self.follows.matching(
            followed, undelivered_to=subscriber.chat_id,
            ingested_since=self.clock() - self.window, limit=self.limit,
        )
        candidates = set(digest.article_ids) | {i for ids in matches.values() for i in ids}
        muted: set[int] = set()
        if muted_terms and candidates:
            hits = await self.follows.matching(muted_terms, among=sorted(candidates),
                                               limit=len(candidates))
            muted = {i for ids in hits.values() for i in ids}
        found = {a.id: a for a in await self.follows.articles(
            sorted({i for ids in matches.values() for i in ids}))}
        lang = subscriber.language
        return with_follows(
            digest, followed,
            {term: [found[i] for i in ids if i in found] for term, ids in matches.items()},
            muted,
            {term: t(lang, "follow_section", term=term) for term in followed},
        )
