"""No pattern matcher is worse than linear on adversarial input.

Each check runs the same work on inputs of 12.5, 25, 50 and 100 KB and compares CPU times
with the smallest: linear work grows 2, 4, 8 times, quadratic work 4, 16, 64 times. A check
fails when a size costs more than three times its linear share, so machine noise does not
trip it, while a quadratic matcher fails by 50 KB at the latest. No wall-clock assertion:
only ratios of CPU time measured in this process.
"""

from __future__ import annotations

import gc
import importlib
import re
import time
from collections.abc import Callable

import pytest

from digest import parsing, text

SIZES = (12_500, 25_000, 50_000, 100_000)
SLACK = 3.0
MIN_SAMPLE = 0.002  # seconds of CPU a sample must last, for a stable ratio


def _cpu(work: Callable[[str], object], data: str, reps: int) -> float:
    best = float("inf")
    # The garbage collector's passes grow with the objects alive, not with the work measured.
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            for _ in range(reps):
                work(data)
            best = min(best, time.process_time() - start)
            if best > 1.0:  # slow enough to be measured once
                break
    finally:
        gc.enable()
    return best


def assert_linear(work: Callable[[str], object], unit: str, what: str) -> None:
    def make(size: int) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    reps = 1
    while (base := _cpu(work, make(SIZES[0]), reps)) < MIN_SAMPLE and reps < 4096:
        reps *= 2
    for size in SIZES[1:]:
        took = _cpu(work, make(size), reps)
        allowed = SLACK * (size / SIZES[0]) * base
        assert took <= allowed, (
            f"{what} on {unit!r} x {size}: {took:.4f} s, more than {allowed:.4f} s "
            f"({took / base:.0f} times the {SIZES[0]}-character input): not linear"
        )


# The matchers that were quadratic, on the inputs that showed it.
def test_source_trailer_is_linear_on_a_run_of_spaces() -> None:
    assert_linear(parsing.split_source, "Source :" + " " * 200, "split_source")
    assert_linear(parsing.split_source, " " * 1000 + "x", "split_source")
    assert_linear(parsing.split_source, "Source : https://a.kz/" + " " * 100, "split_source")


def test_url_pattern_is_linear_on_hyphenated_words() -> None:
    assert_linear(lambda s: sum(1 for _ in text._URL.finditer(s)), "ab-", "text._URL")
    assert_linear(lambda s: sum(1 for _ in text._URL.finditer(s)), "a.", "text._URL")
    assert_linear(text.repair, "ab-", "text.repair")


def test_a_dump_with_long_space_runs_parses_in_linear_time() -> None:
    def parse(body: str) -> object:
        data = f"News\nA report on spaces in the text\n05.03.2026\n{body}x\n".encode()
        return parsing.parse_dump(data, "d.txt")

    assert_linear(parse, "Source :" + " " * 100, "parse_dump")


# Every compiled pattern of the code base, on a few classic adversarial inputs.
MODULES = (
    "digest.parsing", "digest.text", "digest.summarize", "digest.topics", "digest.dedup",
    "digest.stemming", "digest.storage.articles", "digest.settings", "digest.compose",
    "digest.storage.subscribers", "digest.schedule", "digest.evaluation.summaries",
    "digest.evaluation.topics", "bot.render", "bot.i18n", "bot.scheduler",
    "bot.handlers.news", "bot.handlers.subscriptions", "bot.handlers.users",
    "bot.handlers.admin", "bot.handlers.context",
)
UNITS = (" ", "a.", "ab-", "1. A", "https://")


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module another change removed
            continue
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.setdefault(id(value), (f"{name}.{attr}", value))
    return sorted(found.values(), key=lambda item: item[0])


PATTERNS = _patterns()


def test_the_sweep_finds_the_code_base_patterns() -> None:
    names = {name for name, _ in PATTERNS}
    assert {"digest.text._URL", "digest.parsing._DATEISH_LINE"} <= names
    assert len(PATTERNS) >= 20


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_every_pattern_is_linear(name: str, pattern: re.Pattern[str]) -> None:
    def scan(data: str) -> object:
        pattern.match(data)
        return sum(1 for _ in pattern.finditer(data))

    for unit in UNITS:
        assert_linear(scan, unit, name)
