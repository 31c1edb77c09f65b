"""AsciiTwin: an ASCII-mode twin of a pattern, used on ASCII text, finds what the pattern finds."""

from __future__ import annotations

import random
import re

import pytest

from digest.ascii_twin import SPACE, AsciiTwin

PATTERNS = (r"\w+", r"[^\W\d_]+(?:-[^\W\d_]+)*", r"\d(?<![\d.,]\d)\d{0,2}(?:,\d{3})+(?![\d,])",
            r"\w+(?:['’-]\w+)*", r"\b\D\W", rf"(\d+)(?:{SPACE}*(\w+))?")


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_twin_finds_the_same_in_ascii_and_other_text(pattern: str) -> None:
    twin, plain = AsciiTwin(pattern), re.compile(pattern)
    rng = random.Random(7)
    every_ascii = "".join(map(chr, range(128)))
    texts = [every_ascii, every_ascii[::-1], "It's 1,200,000 well-known words_ here."]
    texts += ["".join(rng.choice(every_ascii) for _ in range(60)) for _ in range(300)]
    texts += ["Тоқаев 1 200 дана, naïve café ½", "x\u00a0y"]
    for text in texts:
        assert twin.findall(text) == plain.findall(text)
        found, expected = twin.search(text), plain.search(text)
        assert (found and found.span()) == (expected and expected.span())
        assert [m.span() for m in twin.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert twin.sub("#", text) == plain.sub("#", text)


@pytest.mark.parametrize(("pattern", "flags"), [(r"\s+", 0), (r"\S", 0), (r"k", re.IGNORECASE)])
def test_a_pattern_whose_ascii_mode_differs_is_refused(pattern: str, flags: int) -> None:
    # \s also matches \x1c-\x1f in Unicode mode; IGNORECASE folds the Kelvin sign to k.
    assert re.findall(pattern, "\x1c\u212a", flags) != re.findall(pattern, "\x1c\u212a",
                                                                  flags | re.ASCII)
    with pytest.raises(ValueError):
        AsciiTwin(pattern, flags)


def test_space_is_unicode_whitespace() -> None:
    every = "".join(map(chr, range(0x3000 + 1)))
    assert re.findall(SPACE, every) == re.findall(r"\s", every)
