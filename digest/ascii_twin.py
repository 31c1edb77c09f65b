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

    Such a pattern consumes only C and J characters and looks at nothing else, so on ASCII
    text it finds, in each maximal run of C and J characters, the whole run when every joiner
    stands between two C characters. A byte table blanks every other character and
    `split` cuts the runs (a table step a character, where the engine takes 60-100
    instructions a character and a word); a joiner at a run's edge or next to another joiner
    (a quote mark, a dash between spaces) sends the text to the pattern as before.
    """

    __slots__ = ("_misplaced", "_table")

    def __init__(self, pattern: str, chars: str, joiners: str = "") -> None:
        super().__init__(pattern)
        if not joiners.isascii():
            raise ValueError(f"{joiners!r}: joiners must be ASCII")
        kept = ((_ASCII_LETTERS if chars == LETTERS else _ASCII_WORD) + joiners).encode()
        self._table = bytes(c if c in kept else 32 for c in range(256))
        self._misplaced = tuple(sorted(
            {f" {j}".encode() for j in joiners} | {f"{j} ".encode() for j in joiners}
            | {(a + b).encode() for a in joiners for b in joiners}
        ))

    def findall(self, text: str) -> list[Any]:
        if not plain(text):
            return self.unicode.findall(text)
        # Other characters than ASCII are word breaks here; in UTF-8 all their bytes are >= 128.
        runs = b" %b " % text.encode().translate(self._table)
        if self._misplaced and any(map(runs.__contains__, self._misplaced)):
            return self.ascii.findall(text)
        return runs.decode().split()
