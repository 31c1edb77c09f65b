"""Turn the bytes of a dump into raw articles, with every problem tied to a line number.

Two formats:

* the gov.kz text dump: section header lines (``News``, ``Society``...), then per article a
  title line, a ``DD.MM.YYYY`` line and the body, which may end with ``Source : URL``;
* JSON Lines: one object per line with ``title``, ``date`` (ISO or ``DD.MM.YYYY``),
  ``body``, optional ``url`` and ``lang``.

A file that cannot be read as a dump at all raises :class:`DumpError`; a single bad article
becomes a :class:`Problem` and the rest of the dump goes on.

The parser streams: it reads the file (or the unpacked gzip) in chunks and yields one
article at a time, so memory tracks the largest article, never the whole dump. Every stage
is linear in its input, and titles, bodies, lines and the problem list are capped.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from digest.languages import LANGUAGES
from digest.models import ParsedDump, Problem, RawArticle

MAX_DUMP_BYTES = 512 * 1024 * 1024  # of text, after unpacking; protects against gzip bombs
MAX_LINE_CHARS = 8 * 1024 * 1024  # a longer line keeps its start; the rest is reported lost
MAX_TITLE_CHARS = 500
MAX_BODY_CHARS = 100_000  # about 15,000 words: far above any news article
MAX_URL_CHARS = 2048
MAX_PROBLEMS = 1000  # listed per dump; the rest are counted
FUTURE_SLACK = timedelta(days=1)  # a dump's "today" may be tomorrow in another time zone
_CHUNK = 1 << 16
_HEAD = 65536  # bytes looked at to tell a text dump from a binary file


class DumpError(ValueError):
    """The whole file is rejected; the message names the file and the reason."""


_DATE_LINE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
# Something that was meant to be a date line but is not a valid one (truncated, other separators).
_DATEISH_LINE = re.compile(r"^\s*\d{1,4}[./-]\d{1,2}(?:[./-]\d{0,4})?\s*$")
_SOURCE_WORDS = ("source", "источник", "дереккөз", "дерек көзі")
_SENTENCE_END = tuple('.!?:;,"»”)')
# Invisible characters that change how text around them is shown: C0 controls (an escape
# sequence would reach a terminal), bidi embeddings, overrides and isolates, and a stray BOM.
_HIDDEN_IN_BODY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufeff]")
# Titles are one line and must show what they are: no zero-width or direction marks either.
_HIDDEN_IN_TITLE = re.compile(
    r"[\x00-\x1f\x7f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # only JSON escapes can produce these
_BODY_CLEANING = re.compile(f"([\\ud800-\\udfff])|{_HIDDEN_IN_BODY.pattern}")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # below 32, but tab, LF, FF and CR
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


# -- problems ---------------------------------------------------------------------------


@dataclass(slots=True)
class Problems:
    """The problems of one dump: the first `limit` kept, the rest only counted."""

    limit: int = MAX_PROBLEMS
    items: list[Problem] = field(default_factory=list)
    dropped: int = 0

    def add(self, line: int | None, reason: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(Problem(line, reason))
        else:
            self.dropped += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.add(p.line, p.reason)

    def absorb(self, other: Problems) -> None:
        self.extend(other.items)
        self.dropped += other.dropped

    def listed(self) -> list[Problem]:
        """The kept problems in line order, and one closing line counting the others."""
        result = sorted(self.items, key=lambda p: p.line or 0)
        if self.dropped:
            result.append(Problem(None, f"{self.dropped} more problems not listed"))
        return result


# -- bytes to lines -----------------------------------------------------------------------


class _Capped(io.RawIOBase):
    """A byte stream that refuses to give more than MAX_DUMP_BYTES (a gzip bomb, a huge file)."""

    def __init__(self, inner: BinaryIO | gzip.GzipFile, name: str, packed: bool) -> None:
        self.inner, self.name, self.packed, self.total = inner, name, packed, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.inner.read(size)
        except (OSError, EOFError, zlib.error) as exc:
            if not self.packed:
                raise DumpError(f"{self.name}: cannot read the file ({exc})") from None
            raise DumpError(f"{self.name}: not a valid gzip file ({exc})") from None
        self.total += len(data)
        if self.total > MAX_DUMP_BYTES:
            what = "once unpacked" if self.packed else "of text"
            raise DumpError(
                f"{self.name}: more than {MAX_DUMP_BYTES // 2**20} MiB {what}; "
                "split the dump into smaller files"
            )
        return data

    def close(self) -> None:
        self.inner.close()
        super().close()


def _open_bytes(source: bytes | Path, name: str) -> BinaryIO:
    if isinstance(source, bytes | bytearray | memoryview):
        raw: BinaryIO = io.BytesIO(source)
    else:
        try:
            raw = open(source, "rb")  # noqa: SIM115 - closed by DumpReader
        except FileNotFoundError:
            raise DumpError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise DumpError(f"{name}: is a directory, not a dump file") from None
        except OSError as exc:
            raise DumpError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise DumpError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    if magic == b"\x1f\x8b":
        return _Capped(gzip.GzipFile(fileobj=raw), name, packed=True)  # type: ignore[return-value]
    return _Capped(raw, name, packed=False)  # type: ignore[return-value]


def _encoding(head: bytes) -> tuple[str, int]:
    """The text encoding and the length of its byte order mark; UTF-8 without one."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return "utf-8", 0


def _read_head(stream: BinaryIO) -> bytes:
    parts, size = [], 0
    while size < _HEAD:
        chunk = stream.read(_HEAD - size)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _lines(stream: BinaryIO, name: str, problems: Problems) -> Iterator[str]:
    """The text lines of a dump, decoded; only CR and LF end a line.

    str.splitlines() would also break at U+2028, U+0085 and form feeds, shifting the reported
    line numbers and cutting JSON strings that contain them.
    """
    head = _read_head(stream)
    encoding, bom = _encoding(head)
    if encoding == "utf-8" and b"\x00" in head:
        raise DumpError(f"{name}: this is a binary file, not a text dump")
    sample = head[bom:].decode(encoding, errors="ignore")
    controls = len(_CONTROLS.findall(sample))
    if controls > 8 or "\x00" in sample:
        raise DumpError(f"{name}: this is a binary file, not a text dump")
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    piece: list[str] = []
    piece_chars = 0
    number = 0  # lines given out so far
    after_cr = False
    chunk = head[bom:]
    while True:
        final = not chunk
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            at_line = number + chunk[: max(exc.start, 0)].count(b"\n") + 1
            bad = chunk[exc.start] if 0 <= exc.start < len(chunk) else 0
            raise DumpError(
                f"{name}: not {_label(encoding)} text (byte 0x{bad:02x} on line {at_line}); "
                "save the dump as UTF-8 and upload it again"
            ) from None
        if after_cr and text.startswith("\n"):
            text = text[1:]
        after_cr = text.endswith("\r")
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        parts = text.split("\n")
        if len(parts) > 1:
            # The first part ends the line begun in earlier chunks.
            head_part = parts[0]
            if piece_chars < MAX_LINE_CHARS:
                piece.append(head_part[: MAX_LINE_CHARS - piece_chars])
            number += 1
            yield _finish_line("".join(piece), piece_chars + len(head_part), number, problems)
            whole = parts[1:-1]
            if "\x00" in text or (whole and max(map(len, whole)) > MAX_LINE_CHARS):
                for line in whole:
                    number += 1
                    yield _finish_line(line[:MAX_LINE_CHARS], len(line), number, problems)
            else:  # the common case, at C speed
                number += len(whole)
                yield from whole
            piece, piece_chars = [], 0
        last = parts[-1]
        if piece_chars < MAX_LINE_CHARS:
            piece.append(last[: MAX_LINE_CHARS - piece_chars])
        piece_chars += len(last)
        if final:
            if piece_chars:
                number += 1
                yield _finish_line("".join(piece), piece_chars, number, problems)
            return
        chunk = stream.read(_CHUNK)


def _label(encoding: str) -> str:
    return "UTF-8" if encoding == "utf-8" else encoding.upper()


def _finish_line(line: str, chars: int, number: int, problems: Problems) -> str:
    if chars > MAX_LINE_CHARS:
        problems.add(number, f"line longer than {MAX_LINE_CHARS // 2**20} MiB characters; "
                             "its end was dropped")
    if "\x00" in line:
        problems.add(number, "NUL bytes removed (is the file damaged?)")
        line = line.replace("\x00", "")
    return line


# -- the reader ---------------------------------------------------------------------------


class DumpReader:
    """Iterate over the articles of one dump; problems collect in ``problems`` as it goes.

    The source is the dump's bytes or the path of the dump file (read as it is parsed).
    Iterating raises DumpError when the file turns out not to be a readable dump; that may
    happen half-way (a damaged gzip, a bad byte), in which case nothing of it must be kept.
    """

    def __init__(self, source: bytes | Path, name: str, *, today: date | None = None) -> None:
        self.source = source
        self.name = name
        self.today = today or datetime.now(UTC).date()
        self.problems = Problems()
        self.format = "govkz"
        self.articles = 0

    def __iter__(self) -> Iterator[RawArticle]:
        stream = _open_bytes(self.source, self.name)
        try:
            parse = _jsonl if self._detect(stream) == "jsonl" else _govkz
            for article in parse(self._every, self.problems, self.today):
                self.articles += 1
                yield article
        finally:
            stream.close()
        if not self.articles:
            shown = self.problems.listed()
            detail = f"; {shown[0]}" if shown else ""
            raise DumpError(f"{self.name}: no article found in the file{detail}")

    def estimate(self) -> int:
        """About how many articles the dump holds (the article starts), from a quick scan.

        For progress figures; it also rejects a file that is no text dump before any work.
        """
        stream = _open_bytes(self.source, self.name)
        try:
            if self._detect(stream) == "jsonl":
                return sum(1 for line in self._every if line.strip())
            dateish = _DATEISH_LINE.match
            count, previous = 0, ""
            for line in self._every:
                if previous and dateish(line) and not dateish(previous) and previous.strip():
                    count += 1
                previous = line
            return count
        finally:
            stream.close()

    def _detect(self, stream: BinaryIO) -> str:
        """Find the format from the first non-blank line; `_every` then gives every line."""
        lines = _lines(stream, self.name, self.problems)
        blanks = 0
        first: str | None = None
        for line in lines:
            if line.strip():
                first = line
                break
            blanks += 1
        if first is None:
            raise DumpError(f"{self.name}: the file is empty")
        jsonl = self.name.removesuffix(".gz").lower().endswith(".jsonl")
        self.format = "jsonl" if jsonl or first.strip().startswith("{") else "govkz"
        # Leading blank lines still count for the line numbers.
        self._every = _chain(_repeat("", blanks), first, lines)
        return self.format


def _repeat(value: str, times: int) -> Iterator[str]:
    for _ in range(times):
        yield value


def _chain(head: Iterable[str], first: str, rest: Iterator[str]) -> Iterator[str]:
    yield from head
    yield first
    yield from rest


def parse_dump(data: bytes, name: str, *, today: date | None = None) -> ParsedDump:
    """Parse a whole dump in memory; raise DumpError when it holds no usable article."""
    reader = DumpReader(data, name, today=today)
    articles = list(reader)
    return ParsedDump(articles=articles, problems=reader.problems.listed(), format=reader.format)


# -- cleaning -----------------------------------------------------------------------------


def clean_title(title: str) -> str:
    return " ".join(_HIDDEN_IN_TITLE.sub("", _SURROGATE.sub("\ufffd", title)).split())


def clean_body(body: str) -> str:
    # One pass for both (disjoint) classes: each scan of a body costs as much as the other.
    return _BODY_CLEANING.sub(_body_cleaned, body).strip()


def _body_cleaned(match: re.Match[str]) -> str:
    """A lone surrogate becomes U+FFFD (_SURROGATE), a hidden character goes (_HIDDEN_IN_BODY)."""
    return "" if match.group(1) is None else "\ufffd"


def _visible(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def cut_text(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a space when there is one near the end."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ", max(0, limit - 200))
    return (head[:space] if space > 0 else head).rstrip()


def _checked_url(url: str | None, line: int, problems: Problems) -> str | None:
    if not url:
        return None
    url = _SURROGATE.sub("", _HIDDEN_IN_TITLE.sub("", url)).strip()
    if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        problems.add(line, f"source URL {url[:60]!r} ignored: not an http(s) link")
        return None
    if len(url) > MAX_URL_CHARS:
        problems.add(line, f"source URL ignored: longer than {MAX_URL_CHARS} characters")
        return None
    return url


def _article(
    problems: Problems, today: date, *, title: str, when: date, body: str, line: int,
    date_line: int, url: str | None, cut: bool = False, section: str | None = None,
    lang: str | None = None,
) -> RawArticle | None:
    """A checked, cleaned and capped article, or None with its problem recorded."""
    title = clean_title(title)
    if not _visible(title):
        problems.add(line, "the title has no visible text")
        return None
    shown = title[:60]
    if when > today + FUTURE_SLACK:
        problems.add(date_line, f"article {shown!r} is dated {when:%d.%m.%Y}, in the future")
        return None
    body = clean_body(body)
    if not body:
        problems.add(line, f"article {shown!r} has an empty body")
        return None
    if len(title) > MAX_TITLE_CHARS:
        problems.add(line, f"article {shown!r}: title cut to {MAX_TITLE_CHARS} characters")
        title = cut_text(title, MAX_TITLE_CHARS)
    if cut or len(body) > MAX_BODY_CHARS:
        problems.add(line, f"article {shown!r}: body cut to {MAX_BODY_CHARS:,} characters")
        body = cut_text(body, MAX_BODY_CHARS)
    return RawArticle(
        title=title, date=when, body=body, line=line, source_url=_checked_url(url, line, problems),
        section=clean_title(section) if section else None, lang=lang,
    )


# -- the gov.kz text format -----------------------------------------------------------------


def split_source(body: str) -> tuple[str, str | None]:
    """Remove a trailing ``Source : URL`` from a body and return it as the source URL.

    Plain string scanning from the end: linear in the body, whatever spaces it holds (a
    regex search with a leading ``\\s*`` was quadratic on long runs of spaces).
    """
    text = body.rstrip()
    tokens = text.rsplit(None, 1)
    last = tokens[-1] if tokens else ""
    start = len(text) - len(last)
    lower = last.lower()
    at = lower.find("http")
    while at >= 0:
        rest = lower[at:]
        scheme = 8 if rest.startswith("https://") else 7 if rest.startswith("http://") else 0
        if scheme and len(rest) > scheme and (at == 0 or last[at - 1] == ":"):
            break
        at = lower.find("http", at + 1)
    if at < 0:
        return body.strip(), None
    before = text[: start + at].rstrip()
    if not before.endswith(":"):
        return body.strip(), None
    before = before[:-1].rstrip()
    folded = before[-12:].lower()
    for word in _SOURCE_WORDS:
        if folded.endswith(word):
            return before[: len(before) - len(word)].strip(), last[at:].rstrip(".,;)")
    return body.strip(), None


def _is_date(line: str) -> bool:
    # Every valid date line is also date-like: one match decides.
    return _DATEISH_LINE.match(line) is not None


def _parse_date(line: str) -> date | None:
    match = _DATE_LINE.match(line)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _looks_like_header(line: str) -> bool:
    """Section headers are short labels, not sentences: `News`, `More`, `Society`.

    A line with a link is never one: a short `Source : URL` on a line of its own ends a body.
    """
    stripped = line.strip()
    short = len(stripped) <= 40 and len(stripped.split()) <= 4
    return short and not stripped.endswith(_SENTENCE_END) and "://" not in stripped


def _looks_like_title(line: str, following: str | None) -> bool:
    """A headline left without its date line: title-sized, no final stop, a long body after it."""
    stripped = line.strip()
    if following is None or not 15 <= len(stripped) <= 300 or stripped.endswith(_SENTENCE_END):
        return False
    return len(following.strip()) >= max(150, 2 * len(stripped)) and not _is_date(following)


_NORMAL, _SKIP_ONE, _SKIPPING = 0, 1, 2
_MAX_PENDING = 10_000  # header-like or blank lines held back at once


@dataclass(slots=True)
class _Open:
    """The article being read: its body so far and the lines whose role is still open."""

    title: str
    date_line: str
    line: int
    section: str | None
    body: list[str] = field(default_factory=list)
    chars: int = 0
    cut: bool = False
    last: str = ""  # the last body line, kept whole: a Source trailer may end it
    # Blank and header-like lines after the last body line: they are the next section's
    # headers if the article ends here, part of the body if more body text follows.
    pending: list[tuple[int, str, bool]] = field(default_factory=list)
    pending_chars: int = 0
    pending_lost: bool = False
    mode: int = _NORMAL

    def hold(self, number: int, text: str, title_like: bool) -> None:
        if len(self.pending) >= _MAX_PENDING or self.pending_chars > MAX_BODY_CHARS:
            self.pending_lost = True
            return
        self.pending.append((number, text, title_like))
        self.pending_chars += len(text)

    def take(self, number: int, text: str, title_like: bool, problems: Problems) -> None:
        for held in self.pending:
            self._line(*held, problems)
        if self.pending_lost:
            self.cut = True
        self.pending, self.pending_chars, self.pending_lost = [], 0, False
        self._line(number, text, title_like, problems)

    def _line(self, number: int, text: str, title_like: bool, problems: Problems) -> None:
        if self.mode == _SKIP_ONE:
            self.mode = _SKIPPING
            return
        if self.mode == _SKIPPING:
            if not title_like:
                return
            self.mode = _NORMAL
        if self.body and title_like:
            # Another article whose date line is missing: report it and skip its body.
            problems.add(number, f"article {clean_title(text)[:60]!r} has no date line")
            self.mode = _SKIP_ONE
            return
        if not text:
            return
        self.last = text
        if self.chars > MAX_BODY_CHARS:
            self.cut = True  # the body is already longer than it will be kept: drop the line
            return
        self.body.append(text)
        self.chars += len(text) + 1

    def headers(self) -> list[str]:
        return [text for _, text, _ in self.pending if text]


def _govkz(lines: Iterable[str], problems: Problems, today: date) -> Iterator[RawArticle]:
    """Parse the gov.kz text format, one article at a time; see the module docstring.

    A window of three lines (each with its date-likeness, computed once) slides over the
    dump: a line starts an article when the next one is a date line, and a body line's
    role may depend on the line after it.
    """
    dateish = _DATEISH_LINE.match
    it = iter(lines)
    ahead: deque[tuple[str, bool]] = deque()
    for line in it:
        ahead.append((line, dateish(line) is not None))
        if len(ahead) == 3:
            break
    section: str | None = None
    current: _Open | None = None
    number = 0
    date_of = 0  # the line number of the current article's date line
    while ahead:
        line, is_date = ahead.popleft()
        nxt_line = next(it, None)
        if nxt_line is not None:
            ahead.append((nxt_line, dateish(nxt_line) is not None))
        number += 1
        stripped = line.strip()
        nxt = ahead[0] if ahead else None
        if nxt is not None and nxt[1] and stripped and not is_date:
            if current is not None:
                article, section = _close(current, problems, today)
                if article:
                    yield article
            current = _Open(stripped, nxt[0].strip(), number, section)
            date_of = number + 1
            continue
        if number == date_of:
            continue
        if current is None:
            # Lines before the first article are section headers (or stray text to report).
            if not stripped:
                continue
            if _looks_like_header(line):
                # Of stacked headers (`News`, `More`) the first names the section.
                section = section or stripped
            else:
                problems.add(number, "text outside any article (no title and date line)")
            continue
        title_like = False
        if len(stripped) >= 15 and nxt is not None:
            # The next article's title line ends this body: it is not a following body line.
            after = ahead[1] if len(ahead) > 1 else None
            starts = after is not None and after[1] and not nxt[1] and nxt[0].strip()
            title_like = not starts and _looks_like_title(line, nxt[0])
        if not stripped or _looks_like_header(line):
            current.hold(number, stripped, title_like)
        else:
            current.take(number, stripped, title_like, problems)
    if current is not None:
        article, section = _close(current, problems, today)
        if article:
            yield article


def _close(
    current: _Open, problems: Problems, today: date
) -> tuple[RawArticle | None, str | None]:
    """The finished article (or None, its problem recorded) and the section that follows."""
    headers = current.headers()
    next_section = headers[0] if headers else current.section
    parsed_date = _parse_date(current.date_line)
    if parsed_date is None:
        problems.add(current.line + 1, f"impossible or malformed date {current.date_line!r}")
        return None, next_section
    body, url = split_source(" ".join(current.body))
    if current.cut and url is None:
        url = split_source(current.last)[1]  # the trailer of a body cut short
    article = _article(
        problems, today, title=current.title, when=parsed_date, body=body, line=current.line,
        date_line=current.line + 1, url=url, cut=current.cut, section=current.section,
    )
    return article, next_section


# -- JSON Lines -------------------------------------------------------------------------------


def _parse_any_date(value: object) -> date | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    value = value.strip()
    parsed = _parse_date(value)
    if parsed:
        return parsed
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _jsonl(lines: Iterable[str], problems: Problems, today: date) -> Iterator[RawArticle]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.add(number, f"not valid JSON ({exc.msg})")
            continue
        except RecursionError:
            problems.add(number, "not valid JSON (nested too deeply)")
            continue
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            problems.add(number, f"not valid JSON ({str(exc)[:80]})")
            continue
        if not isinstance(obj, dict):
            problems.add(number, "not a JSON object")
            continue
        title = obj.get("title")
        body = obj.get("body")
        if not isinstance(title, str) or not title.strip():
            problems.add(number, "missing title")
            continue
        if not isinstance(body, str) or not body.strip():
            problems.add(number, f"article {clean_title(title)[:60]!r} has an empty body")
            continue
        when = _parse_any_date(obj.get("date"))
        if when is None:
            shown = obj.get("date")
            shown = shown[:40] if isinstance(shown, str) else shown
            if not isinstance(shown, str | int | float | None):
                shown = type(shown).__name__
            problems.add(number, f"missing or impossible date {shown!r}")
            continue
        body, trailer_url = split_source(body)
        given = obj.get("url")
        url = given if isinstance(given, str) and given.strip() else trailer_url
        lang = obj.get("lang")
        article = _article(
            problems, today, title=title, when=when, body=body, line=number, date_line=number,
            url=url, lang=lang if isinstance(lang, str) and lang in LANGUAGES else None,
        )
        if article:
            yield article
