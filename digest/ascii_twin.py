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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

# \s as Unicode mode reads it, written out so that ASCII mode reads the same on ASCII text:
# a twin's pattern uses this class where it means \s.
SPACE = r"[\s\x1c-\x1f]"


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
        return self.ascii if text.isascii() else self.unicode  # isascii is O(1) in CPython

    def search(self, text: str) -> re.Match[str] | None:
        return self._for(text).search(text)

    def findall(self, text: str) -> list[Any]:
        return self._for(text).findall(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._for(text).finditer(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self._for(text).sub(repl, text)
