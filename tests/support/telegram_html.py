"""Telegram's HTML parse mode, as the Bot API applies it to a message with parse_mode=HTML.

The fake Bot API (``fake_api``) parses every message with it, so a message the real server
would refuse fails in tests too; the render tests read rendered HTML through it, so they see
what a reader sees (the visible text and its entities), not the markup.
"""

from __future__ import annotations

import re
from typing import Any

_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-spoiler": "spoiler", "span": "spoiler",
}
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+="[^"<>]*")*)\s*>')
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(ValueError):
    """Text Telegram would refuse; the message is the Bot API's own description."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED[name]


def _unescape_attr(value: str) -> str:
    return _ENTITY.sub(_decode_entity, value)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the visible text and its entities, or HtmlError."""
    out: list[str] = []
    offset = 0  # in UTF-16 code units, as Telegram counts
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    pos = 0

    def fail(reason: str) -> HtmlError:
        return HtmlError(f"Bad Request: can't parse entities: {reason} at byte offset {pos}")

    while pos < len(source):
        char = source[pos]
        if char == "<":
            match = _TAG.match(source, pos)
            if not match:
                raise fail("unexpected character '<'")
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _TAGS:
                raise fail(f"unsupported start tag \"{name}\"")
            if closing:
                if not stack or stack[-1][0] != name:
                    raise fail(f"unmatched end tag \"{name}\"")
                tag, start, attributes = stack.pop()
                entity: dict[str, Any] = {"type": _TAGS[tag], "offset": start,
                                          "length": offset - start}
                if tag == "a":
                    entity["url"] = attributes.get("href", "")
                if entity["length"] > 0:
                    entities.append(entity)
            else:
                attributes = {k: _unescape_attr(v) for k, v in _ATTR.findall(attrs)}
                if name == "a" and not attributes.get("href"):
                    raise fail("a tag without href")
                stack.append((name, offset, attributes))
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(source, pos)
            if not match:
                raise fail("character '&' is reserved and must be escaped")
            decoded = _decode_entity(match)
            out.append(decoded)
            offset += utf16_len(decoded)
            pos = match.end()
        elif char == ">":
            raise fail("character '>' is reserved and must be escaped")
        else:
            out.append(char)
            offset += utf16_len(char)
            pos += 1
    if stack:
        raise fail(f"can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))
