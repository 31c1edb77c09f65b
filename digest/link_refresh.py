"""Bring the stored articles' linking features and lookup keys up to date.

Rows stored by an older newsbot carry the linking features it computed: none of the words
rule's concepts before that rule, an older lexicon's after it. A new translation then cannot
find them (their concept keys are missing) or compares itself with stale concepts. This goes
through every stored row a page at a time, computes its features again in a worker
(``digest.linking.refreshed_features``: pure CPU work) and stores those that changed, with
their keys, one short write transaction a page (``digest.storage.LinkKeys``), so the bot and
an ingest keep going meanwhile. Running it twice changes nothing the second time.

Links are not redone: a story readers have already received stays as it is. Only articles
ingested from now on find the refreshed rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from digest import linking
from digest.storage import LinkKeys, Store

PAGE = 500  # rows a transaction: short enough that a bot write waits little


@dataclass(frozen=True, slots=True)
class RefreshReport:
    checked: int  # stored rows read
    updated: int  # rows whose features (and keys) were rewritten


async def refresh_link_keys(
    store: Store, executor: Executor | None = None, *, page: int = PAGE,
    progress: Callable[[int], None] | None = None,
) -> RefreshReport:
    keys = LinkKeys(store)
    loop = asyncio.get_running_loop()
    checked = updated = 0
    after = 0
    while True:
        rows = await keys.page(after, page)
        if not rows:
            break
        fresh = await loop.run_in_executor(
            executor, linking.refreshed_features,
            [(r.title, r.body, r.lang, r.link_features) for r in rows],
        )
        changed = [(row, f) for row, f in zip(rows, fresh, strict=True) if f is not None]
        if changed:
            updated += await keys.write(changed)
        checked += len(rows)
        after = rows[-1].id
        if progress is not None:
            progress(checked)
    return RefreshReport(checked, updated)
