"""Turn the bytes of a dump into raw articles, with every problem tied to a line number.

Two formats:

* the gov.kz text dump: section header lines (``News``, ``Society``...), then per article a
  title line, a ``DD.MM.YYYY`` line and the body, which may end with ``Source : URL``;
* JSON Lines: one object per line with ``title``, ``date`` (ISO or ``DD.MM.YYYY``),
  ``body``, optional ``url`` and ``lang``.

A file that cannot be read as a dump at all raises :class:`DumpError`; a single bad article
becomes a :class:`Problem` and the rest of the dump goes on.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from datetime import date, datetime

from digest.models import ParsedDump, Problem, RawArticle

MAX_DUMP_BYTES = 512 * 1024 * 1024  # decompressed; protects against gzip bombs


class DumpError(ValueError):
    """The whole file is rejected; the message names the file and the reason."""


_DATE_LINE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
# Something that was meant to be a date line but is not a valid one (truncated, other separators).
_DATEISH_LINE = re.compile(r"^\s*\d{1,4}[./-]\d{1,2}(?:[./-]\d{0,4})?\s*$")
_SOURCE_TRAILER = re.compile(
    r"\s*(?:Source|Источник|Дереккөз|Дерек көзі)\s*:\s*(?P<url>https?://\S+)\s*$", re.IGNORECASE
)
_SENTENCE_END = tuple('.!?:;,"»”)')
_LANGS = {"en", "ru", "kk"}


def decode_dump(data: bytes, name: str) -> str:
    """Bytes to text: gzip is unpacked, UTF-8 with or without BOM is accepted, nothing else."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DumpError(f"{name}: not a valid gzip file ({exc})") from None
    if not data.strip():
        raise DumpError(f"{name}: the file is empty")
    if b"\x00" in data[:65536]:
        raise DumpError(f"{name}: this is a binary file, not a text dump")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DumpError(
            f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save the dump as UTF-8 and upload it again"
        ) from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 8:
        raise DumpError(f"{name}: this is a binary file, not a text dump")
    return text


def _gunzip(data: bytes) -> bytes:
    out = gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_DUMP_BYTES + 1)
    if len(out) > MAX_DUMP_BYTES:
        raise OSError(f"more than {MAX_DUMP_BYTES // 2**20} MiB once unpacked")
    return out


def parse_dump(data: bytes, name: str) -> ParsedDump:
    """Parse a dump in either format; raise DumpError when it holds no usable article."""
    text = decode_dump(data, name)
    # Only CR/LF end a line: str.splitlines() also breaks at U+2028, U+0085 and form feeds,
    # which would shift the reported line numbers and cut JSON strings that contain them.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if name.removesuffix(".gz").lower().endswith(".jsonl") or first.startswith("{"):
        parsed = parse_jsonl(lines)
    else:
        parsed = parse_govkz(lines)
    if not parsed.articles:
        detail = f"; {parsed.problems[0]}" if parsed.problems else ""
        raise DumpError(f"{name}: no article found in the file{detail}")
    return parsed


def split_source(body: str) -> tuple[str, str | None]:
    """Remove a trailing ``Source : URL`` from a body and return it as the source URL."""
    match = _SOURCE_TRAILER.search(body)
    if not match:
        return body.strip(), None
    return body[: match.start()].strip(), match.group("url").rstrip(".,;)")


def _is_date(line: str) -> bool:
    return bool(_DATE_LINE.match(line)) or bool(_DATEISH_LINE.match(line))


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


def parse_govkz(lines: list[str]) -> ParsedDump:
    """Parse the gov.kz text format; see the module docstring."""
    n = len(lines)
    # An article starts where a non-empty, non-date line is followed by a date-like line.
    starts = [
        i
        for i in range(n - 1)
        if lines[i].strip() and not _is_date(lines[i]) and _is_date(lines[i + 1])
    ]
    articles: list[RawArticle] = []
    problems: list[Problem] = []
    section: str | None = None

    # Lines before the first article are section headers (or stray text worth reporting).
    for i in range(starts[0] if starts else n):
        line = lines[i].strip()
        if not line:
            continue
        if _looks_like_header(line):
            # Of stacked headers (`News`, `More`) the first names the section.
            section = section or line
        else:
            problems.append(Problem(i + 1, "text outside any article (no title and date line)"))

    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else n
        title = lines[start].strip()
        date_line = lines[start + 1].strip()
        block = list(range(start + 2, end))
        # Trailing header-like lines open the next section; they are not part of this body.
        next_section = section
        headers: list[str] = []
        while block and (not lines[block[-1]].strip() or _looks_like_header(lines[block[-1]])):
            if lines[block[-1]].strip():
                headers.insert(0, lines[block[-1]].strip())
            block.pop()
        body_lines: list[str] = []
        j = 0
        while j < len(block):
            idx = block[j]
            following = lines[block[j + 1]] if j + 1 < len(block) else None
            if body_lines and _looks_like_title(lines[idx], following):
                # Another article whose date line is missing: report it and skip its body.
                undated = lines[idx].strip()[:60]
                problems.append(Problem(idx + 1, f"article {undated!r} has no date line"))
                j += 2
                while j < len(block) and not _looks_like_title(
                    lines[block[j]], lines[block[j + 1]] if j + 1 < len(block) else None
                ):
                    j += 1
                continue
            if lines[idx].strip():
                body_lines.append(lines[idx].strip())
            j += 1
        if headers:
            next_section = headers[0]
        parsed_date = _parse_date(date_line)
        body, url = split_source(" ".join(body_lines))
        if parsed_date is None:
            problems.append(Problem(start + 2, f"impossible or malformed date {date_line!r}"))
        elif not body:
            problems.append(Problem(start + 1, f"article {title[:60]!r} has an empty body"))
        else:
            articles.append(
                RawArticle(
                    title=title, date=parsed_date, body=body, line=start + 1,
                    source_url=url, section=section,
                )
            )
        section = next_section
    return ParsedDump(articles=articles, problems=problems, format="govkz")


def _parse_any_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    parsed = _parse_date(value)
    if parsed:
        return parsed
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def parse_jsonl(lines: list[str]) -> ParsedDump:
    articles: list[RawArticle] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(number, f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(number, "not a JSON object"))
            continue
        title = obj.get("title")
        body = obj.get("body")
        if not isinstance(title, str) or not title.strip():
            problems.append(Problem(number, "missing title"))
            continue
        if not isinstance(body, str) or not body.strip():
            problems.append(Problem(number, f"article {title.strip()[:60]!r} has an empty body"))
            continue
        when = _parse_any_date(obj.get("date"))
        if when is None:
            problems.append(Problem(number, f"missing or impossible date {obj.get('date')!r}"))
            continue
        body, trailer_url = split_source(body)
        url = obj.get("url") if isinstance(obj.get("url"), str) and obj.get("url") else trailer_url
        lang = obj.get("lang")
        articles.append(
            RawArticle(
                title=title.strip(), date=when, body=body, line=number,
                source_url=url.strip() if url else None,
                lang=lang if isinstance(lang, str) and lang in _LANGS else None,
            )
        )
    return ParsedDump(articles=articles, problems=problems, format="jsonl")
