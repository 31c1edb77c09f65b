"""Synthetic dumps for bot tests: distinct articles (no near-duplicates) on known topics."""

from __future__ import annotations

import json
import random
from typing import Any

# Neutral words: none of them is a keyword of any topic in config/topics.yaml.
_NEUTRAL = (
    "river morning window garden yellow quiet letter orange silver cotton basket ladder "
    "candle pepper marble feather lantern pillow saddle thunder meadow velvet whistle anchor "
    "blanket copper dolphin eagle falcon glacier harbor island jacket kettle lemon mirror "
    "needle olive parrot quartz rabbit scarf tiger umbrella violin walnut yarn zebra almond "
    "bamboo cactus daisy ember fig ginger hazel ivory jasmine kiwi lilac mango nutmeg onyx "
    "pearl quill raven sable tulip vanilla willow amber breeze cobalt dune echo fern grove "
    "heron iris juniper kelp lotus maple nectar orchid pebble quince reef sparrow thistle "
    "acorn bristle crimson drizzle emerald flint gravel hollow indigo jade koala lagoon"
)
_WORDS = tuple(_NEUTRAL.split())


def sentence(rng: random.Random, words: int = 22, extra: str = "") -> str:
    body = " ".join(rng.choice(_WORDS) for _ in range(words))
    return f"{body.capitalize()}{(' ' + extra) if extra else ''}."


def economy_article(
    index: int,
    *,
    sentences: int = 3,
    words: int = 22,
    date: str = "2026-02-10",
    url: str | None = None,
    extra: str = "",
) -> dict[str, Any]:
    """An article the classifier files under economy (its title says GDP and inflation)."""
    rng = random.Random(index)
    body = " ".join(sentence(rng, words, extra if i == 0 else "") for i in range(sentences))
    article: dict[str, Any] = {
        "title": f"Economy report {index}: GDP growth and inflation",
        "date": date,
        "body": body,
        "lang": "en",
    }
    if url:
        article["url"] = url
    return article


def jsonl(articles: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(a, ensure_ascii=False) for a in articles).encode() + b"\n"
