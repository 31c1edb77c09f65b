"""The CPU-bound part of ingest, as pure functions that run in a worker process.

Repair, language, topics, summary and fingerprints for each raw article. A failure on one
article becomes a Problem for that article; the rest of the batch goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from digest import dedup, linking
from digest.models import PreparedArticle, Problem, RawArticle
from digest.summarize import summarize
from digest.text import detect_language, repair
from digest.topics import TopicCatalog, classify


@dataclass(frozen=True, slots=True)
class PrepareConfig:
    """What the workers need: plain, picklable values taken from the settings."""

    catalog: TopicCatalog
    algorithm: str
    sentences: int
    max_chars: int | None = None


def prepare(raw: RawArticle, config: PrepareConfig) -> PreparedArticle:
    title = repair(raw.title)
    body = repair(raw.body)
    lang = raw.lang or detect_language(f"{title}\n{body}")
    classification = classify(config.catalog, title, body, lang)
    summary = summarize(
        title,
        body,
        lang,
        algorithm=config.algorithm,
        sentences=config.sentences,
        max_chars=config.max_chars,
    )
    signature = dedup.minhash(f"{title}\n{body}")
    return PreparedArticle(
        title=title,
        date=raw.date,
        body=body,
        line=raw.line,
        source_url=raw.source_url,
        url_key=dedup.canonical_url(raw.source_url),
        section=raw.section,
        lang=lang,
        text_key=dedup.text_key(title, body),
        minhash=signature.tobytes(),
        bands=dedup.band_keys(signature),
        topics={t: classification.scores[t] for t in classification.labels},
        topic_scores=dict(classification.scores),
        summary=summary,
        quality=dedup.quality(body, raw.source_url),
        link_features=linking.features(title, body, lang).dumps(),
    )


def prepare_batch(
    batch: list[RawArticle], config: PrepareConfig
) -> list[PreparedArticle | Problem]:
    results: list[PreparedArticle | Problem] = []
    for raw in batch:
        try:
            results.append(prepare(raw, config))
        except Exception as exc:  # one bad article must not sink the dump
            results.append(Problem(raw.line, f"could not process {raw.title[:60]!r}: {exc}"))
    return results


def warm_up() -> bool:
    """Run in each new worker process at start: load what `prepare` needs (the summariser,
    the stemmers, the language detector) so the first upload does not pay for it."""
    for lang, body in (
        ("en", "The ministry reported growth. The budget was approved. Citizens were told."),
        ("ru", "Министерство сообщило о росте. Бюджет утверждён. Граждан известили."),
    ):
        summarize("Warm-up", body, lang, algorithm="default", sentences=1)
        detect_language(body)
    return True
