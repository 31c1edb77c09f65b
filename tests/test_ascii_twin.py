"""AsciiTwin: an ASCII-mode twin of a pattern, used on ASCII text, finds what the pattern finds."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from digest.ascii_twin import LETTERS, SPACE, WORD_CHARS, AsciiTwin, WordRuns, plain

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


WORD_RUNS = ((r"\w+", WORD_CHARS, ""), (r"[^\W\d_]+", LETTERS, ""),
             (r"[^\W\d_]+(?:-[^\W\d_]+)*", LETTERS, "-"), (r"\w+(?:['’-]\w+)*", WORD_CHARS, "'-"))


@pytest.mark.parametrize(("pattern", "chars", "joiners"), WORD_RUNS)
def test_word_runs_split_into_the_words_the_pattern_finds(
    pattern: str, chars: str, joiners: str
) -> None:
    runs, plain_pattern = WordRuns(pattern, chars, joiners), re.compile(pattern)
    # Every string of up to five characters over letters, a digit, both joiners, a blank, a
    # pound sign (plain Latin-1) and a curly apostrophe (not Latin-1): joiners at edges,
    # doubled, tripled, beside blanks and beside other characters.
    texts = ["".join(t) for n in range(6) for t in itertools.product("a1-' £’", repeat=n)]
    rng = random.Random(3)
    latin1 = "".join(map(chr, range(256)))
    texts += ["".join(rng.choice(latin1) for _ in range(40)) for _ in range(300)]
    texts += ["Tokayev's well-known 1,200-strong team - 'quoted' -- «ok» £5 naïve café",
              "Тоқаев - жаңа 2024-ші"]
    for text in texts:
        assert runs.findall(text) == plain_pattern.findall(text), text


def test_plain_text_is_ascii_or_latin1_without_word_or_space_characters() -> None:
    assert plain("Profits rose to £600m × 2 (75°), «up».")
    assert not plain("café")  # é is a word character in Unicode mode only
    assert not plain("1\u00a0200")  # a no-break space is \s in Unicode mode only
    assert not plain("Тоқаев £")
    # And the twins agree with Unicode mode on every Latin-1 character that plain allows.
    for code in range(128, 256):
        text = f"A{chr(code)}b 12{chr(code)}3"
        if plain(text):
            for pattern in PATTERNS:
                assert AsciiTwin(pattern).findall(text) == re.findall(pattern, text)
