"""The CPU-bound part of ingest, as pure functions that run in a worker process.

Repair, language, topics, summary and fingerprints for each raw article. A failure on one
article becomes a Problem for that article; the rest of the batch goes on.

Time is bounded per article twice over: the summariser ranks at most the first
``MAX_SUMMARY_SENTENCES`` sentences (its ranking compares every pair, so its cost grows with
the square of their number), and the whole article runs under a time limit in the worker.
An article that overruns is reported and stored with its opening sentences as summary.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import TypeVar

from digest import dedup, linking
from digest.models import PreparedArticle, Problem, RawArticle
from digest.summarize import summarize
from digest.text import detect_language, repair, split_sentences
from digest.topics import classify
from digest.workers import PrepareConfig, freeze_start_up

__all__ = ["MAX_SUMMARY_SENTENCES", "PrepareConfig", "prepare", "prepare_batch"]

MAX_SUMMARY_SENTENCES = 200
# The fallback (lead summary) is linear in the capped text; its own limit only guards
# against a pathological case, and is never shorter than the main one.
FALLBACK_TIME_LIMIT = 30.0
T = TypeVar("T")


class _Overrun(BaseException):
    """Raised by the alarm in the worker; a BaseException so no `except Exception` eats it."""


def prepare(raw: RawArticle, config: PrepareConfig) -> PreparedArticle:
    title = repair(raw.title)
    body = repair(raw.body)
    lang = raw.lang or detect_language(f"{title}\n{body}")
    classification = classify(config.catalog, title, body, lang)
    summary = summarize(
        title, summary_text(body, lang), lang,
        algorithm=config.algorithm, sentences=config.sentences, max_chars=config.max_chars,
    )
    signature, text_key = dedup.fingerprints(title, body)
    return PreparedArticle(
        title=title,
        date=raw.date,
        body=body,
        line=raw.line,
        source_url=raw.source_url,
        url_key=dedup.canonical_url(raw.source_url),
        section=raw.section,
        lang=lang,
        text_key=text_key,
        minhash=signature.tobytes(),
        bands=dedup.band_keys(signature),
        topics={t: classification.scores[t] for t in classification.labels},
        topic_scores=dict(classification.scores),
        summary=summary,
        quality=dedup.quality(body, raw.source_url),
        link_features=linking.features(title, body, lang).dumps(),
    )


def summary_text(body: str, lang: str, limit: int = MAX_SUMMARY_SENTENCES) -> str:
    """The part of `body` the summariser ranks: its first `limit` sentences."""
    sentences = split_sentences(body, lang)
    if len(sentences) <= limit:
        return body
    end = 0
    for sentence in sentences[:limit]:
        found = body.find(sentence, end)
        if found < 0:  # the splitter changed the text: keep its sentences, one per line
            return "\n".join(sentences[:limit])
        end = found + len(sentence)
    return body[:end]


def prepare_batch(
    batch: list[RawArticle], config: PrepareConfig
) -> list[PreparedArticle | Problem]:
    results: list[PreparedArticle | Problem] = []
    for raw in batch:
        shown = repr(raw.title[:60])
        try:
            results.append(_within(config.time_limit, partial(prepare, raw, config)))
        except _Overrun:
            lead = replace(config, algorithm="lead")
            try:
                article = _within(max(FALLBACK_TIME_LIMIT, config.time_limit),
                                  partial(prepare, raw, lead))
            except _Overrun:
                results.append(Problem(raw.line, f"could not process {shown}: it took longer "
                                                 f"than {config.time_limit:g} s; skipped"))
            except Exception as exc:
                results.append(Problem(raw.line, f"could not process {shown}: {exc}"))
            else:
                results.append(Problem(
                    raw.line, f"article {shown} took longer than {config.time_limit:g} s to "
                              "summarise; stored with its opening sentences as summary"))
                results.append(article)
        except Exception as exc:  # one bad article must not sink the dump
            results.append(Problem(raw.line, f"could not process {shown}: {exc}"))
    return results


def warm_up() -> bool:
    """Run in each new worker process at start: load what `prepare` needs (the summariser's
    model and stop words, the stemmers, the language detector, the linking lexicon) so the
    first upload does not pay for it (English stop words alone take 40 ms to load); in a
    worker, what it loaded is then kept beyond the garbage collector's walks."""
    for lang, title, body in _WARM_UP:
        summarize(title, body, lang, algorithm="default", sentences=1)
        detect_language(body)
        linking.features(title, repair(body), lang)
        dedup.minhash(f"{title}\n{body}")
        dedup.text_key(title, body)
    freeze_start_up()
    return True


# Long enough for the summariser's model to rank them (more candidates than it keeps).
_WARM_UP = (
    ("en", "Warm-up", "The ministry reported growth in the region this year. The budget of the "
     "programme was approved by the government. Citizens of the district were told about it."),
    ("ru", "Прогрев", "Министерство сообщило о росте экономики региона. Бюджет программы был "
     "утверждён правительством страны. Граждан района известили об этом решении."),
    ("kk", "Қыздыру", "Министрлік өңірдегі экономиканың өсуі туралы хабарлады. Бағдарламаның "
     "бюджетін елдің үкіметі бекітті. Аудан тұрғындарына бұл шешім туралы айтылды."),
)


def _within(seconds: float, work: Callable[[], T]) -> T:
    """Run `work`, raising _Overrun after `seconds` of wall time.

    The alarm only exists in a process's main thread, which is where a process pool runs its
    tasks; elsewhere (a thread pool in tests) the work runs without a limit.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        return work()
    with _alarm(seconds):
        return work()


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def overrun(signum: int, frame: object) -> None:
        raise _Overrun

    previous = signal.signal(signal.SIGALRM, overrun)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
