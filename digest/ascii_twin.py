"""Regular expressions that run in ASCII mode on ASCII text, with the same matches.

Python's `re` checks `\\w` and `\\d` of a str pattern against the Unicode database, a call or
several per character (a space costs four: alpha, decimal, digit, numeric), where ASCII mode
reads a small table. The prepare stages scan each article's whole text a dozen times, and
an English article is usually ASCII: its scans cost 25-60 instructions less per character.

On ASCII text the two modes agree on `\\w`, `\\W`, `\\d`, `\\D`, `\\b` and on every character
written out; they differ on `\\s` (Unicode mode also matches \\x1c-\\x1f) and, with
IGNORECASE, on non-ASCII letters that fold to ASCII ones (the Kelvin sign). A pattern with
either is refused (`SPACE` stands for `\\s` in both modes), so the twin always finds what the
Unicode pattern finds.

The same holds on a text whose other characters are Latin-1 ones that are neither word
characters nor spaces in Unicode mode (`£`, `×`, `°`, `«`; not `é` or a no-break space):
both modes read them as `\\W`, `\\D` and `\\S`. English news with a pound sign is such a
text (`plain`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

# \s as Unicode mode reads it, written out so that ASCII mode reads the same on ASCII text:
# a twin's pattern uses this class where it means \s.
SPACE = r"[\s\x1c-\x1f]"


# The non-ASCII Latin-1 characters both modes read alike: neither word characters nor spaces
# in Unicode mode (so not digits either). Deleted with every ASCII byte, they leave nothing.
_MODE_FREE = bytes(range(128)) + bytes(
    c for c in range(128, 256) if not re.match(r"[\w\s]", chr(c)))
# What a str of one byte a character takes beyond its characters, when some are not ASCII
# (CPython's compact Latin-1 form): a wider text is told apart without reading it.
_LATIN1_OVERHEAD = sys.getsizeof("\xe9") - 1


def plain(text: str) -> bool:
    """Whether ASCII mode finds in `text` what Unicode mode finds: the text is ASCII, or its
    other characters are all Latin-1 ones that neither mode reads as word or space."""
    if text.isascii():  # O(1) in CPython
        return True
    if sys.getsizeof(text) - len(text) != _LATIN1_OVERHEAD:
        return False  # wider characters (Cyrillic): O(1), where encoding would fail late
    try:
        return not text.encode("latin-1").translate(None, _MODE_FREE)
    except UnicodeEncodeError:  # another string layout than measured above
        return False


class AsciiTwin:
    """A compiled pattern and its ASCII-mode twin; each call picks by the text."""

    __slots__ = ("ascii", "pattern", "unicode")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        bare = pattern.replace(SPACE, "")
        if "\\s" in bare or "\\S" in bare or flags & re.IGNORECASE:
            raise ValueError(f"{pattern!r}: \\s and IGNORECASE differ in ASCII mode")
        self.pattern = pattern
        self.unicode = re.compile(pattern, flags)
        self.ascii = re.compile(pattern, flags | re.ASCII)

    def _for(self, text: str) -> re.Pattern[str]:
        return self.ascii if plain(text) else self.unicode

    def search(self, text: str) -> re.Match[str] | None:
        return self._for(text).search(text)

    def findall(self, text: str) -> list[Any]:
        return self._for(text).findall(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._for(text).finditer(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self._for(text).sub(repl, text)


_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ASCII_WORD = _ASCII_LETTERS + "0123456789_"
LETTERS, WORD_CHARS = "letters", "word"


class WordRuns(AsciiTwin):
    """The twin of a word pattern, `C+` or `C+(?:J C+)*` for a class C (`\\w` or `[^\\W\\d_]`)
    and joiners J, whose `findall` on `plain` text splits instead of matching.

    Such a pattern consumes only C and J characters and looks at nothing else, so on plain
    text it finds, in each maximal run of C and J characters, the pieces left when every
    joiner that does not stand between two C characters is taken out. A byte table blanks
    every other character (and the non-ASCII ones, which are word breaks in plain text);
    joiners next to another joiner, and then those next to a blank, become blanks too;
    `split` cuts the rest into words. A table step a character and a few scans, where the
    engine takes 60-100 instructions a character and a word.
    """

    __slots__ = ("_edges", "_pairs", "_table")

    def __init__(self, pattern: str, chars: str, joiners: str = "") -> None:
        super().__init__(pattern)
        if not joiners.isascii():
            raise ValueError(f"{joiners!r}: joiners must be ASCII")
        kept = ((_ASCII_LETTERS if chars == LETTERS else _ASCII_WORD) + joiners).encode()
        self._table = bytes(c if c in kept else 32 for c in range(256))
        # A joiner next to another one stands between no two C characters, nor does one
        # next to a blank: blanked pair by pair (what is left of a longer run of joiners
        # then has a blank beside it), then edge by edge.
        self._pairs = tuple((a + b).encode() for a in joiners for b in joiners)
        self._edges = tuple(e.encode() for j in joiners for e in (f" {j}", f"{j} "))

    def findall(self, text: str) -> list[Any]:
        if not plain(text):
            return self.unicode.findall(text)
        runs = b" %b " % text.encode().translate(self._table)
        for pair in self._pairs:
            if pair in runs:
                runs = runs.replace(pair, b"  ")
        for edge in self._edges:
            if edge in runs:
                runs = runs.replace(edge, b"  ")
        return runs.decode().split()
