"""Forum supergroups: each topic's part of the digest goes to that topic's forum thread.

The scheduler calls ``forum_layout`` for every digest (see ``DigestScheduler.layout``).
A chat without threads that is not a channel gets the usual messages (None: rendered once
for every chat with the same digest). In a forum, the sections whose topic
has a thread are sent there (``message_thread_id``), each thread's part with the digest
heading; the rest (other topics, keyword follows) goes to the General topic. Every message
still carries its article ids, so delivery is recorded message by message as anywhere.
"""

from __future__ import annotations

import dataclasses
from html import escape

from bot.digests import ChatSettings
from bot.i18n import t
from bot.render import Outgoing, render_digest
from digest.compose import Digest, DigestSection
from digest.storage import Subscriber


async def forum_layout(
    subscriber: Subscriber, digest: Digest, header: str, settings: ChatSettings
) -> list[Outgoing] | None:
    channel, threads = settings.channel, settings.threads
    if channel is not None and channel.kind == "channel":
        # "Your digest" reads wrong to a channel's subscribers: name the channel.
        header = header.replace(t(subscriber.language, "digest_header", date=""),
                                t(subscriber.language, "channel_digest_header",
                                  channel=escape(channel.title), date=""), 1)
    elif not threads:
        return None
    if not threads:
        return render_digest(digest, header, all_languages=subscriber.reads_all)
    streams: dict[int | None, list[DigestSection]] = {None: []}
    for section in digest.sections:
        streams.setdefault(threads.get(section.topic), []).append(section)
    messages: list[Outgoing] = []
    for thread, sections in streams.items():
        if sections:
            messages += [dataclasses.replace(m, thread_id=thread)
                         for m in render_digest(Digest(sections), header,
                                                all_languages=subscriber.reads_all)]
    return messages
