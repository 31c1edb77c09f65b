"""Storage: every SQL statement of newsbot, the schema and its migrations.

Code outside this package never touches a connection; it calls the classes below.

- ``connection``: opening the connections, the read pool (``Reads``), the one write lock
  with its transaction helper and retry-on-locked policy (``Writer``);
- ``errors``: ``StoreError`` and one-line descriptions of SQLite errors;
- ``schema`` / ``migrate``: the append-only list of migrations and running them at open;
- ``database``: an open database (``Database``); ``articles``: ``Store``, the reads of
  articles and stories (latest, search, counts);
- ``ingest_writes``: the ingest's short transactions (chunks) and the last one that makes
  it visible, duplicate and story lookups, article rows;
- ``visibility``: the condition every reading query uses to leave out an unfinished ingest;
- ``subscribers``, ``follows``, ``channels``, ``modes``: the bot's tables;
- ``activity``: the counts behind the activity chart;
- ``link_keys``: stored articles' linking features and keys rewritten with the current
  rules (``newsbot refresh-link-keys``).
"""

from digest.models import DigestRun, Subscriber, SubscriberCounts
from digest.storage.articles import Store
from digest.storage.channels import Channel, Channels
from digest.storage.connection import iso
from digest.storage.errors import NOTHING_STORED, StoreError, describe
from digest.storage.follows import Added, Follow, FollowStore
from digest.storage.link_keys import LinkKeys, StoredText
from digest.storage.modes import FollowMode, Modes
from digest.storage.subscribers import Subscribers

__all__ = [
    "NOTHING_STORED",
    "Added",
    "Channel",
    "Channels",
    "DigestRun",
    "Follow",
    "FollowMode",
    "FollowStore",
    "LinkKeys",
    "Modes",
    "Store",
    "StoreError",
    "StoredText",
    "Subscriber",
    "SubscriberCounts",
    "Subscribers",
    "describe",
    "iso",
]
