"""The summary algorithms a setting may name, defined once for settings and the summariser."""

from __future__ import annotations

from typing import Literal, get_args

Algorithm = Literal[
    "default", "lead", "lexrank", "textrank", "lsa", "luhn", "sumbasic", "edmundson", "kl"
]
ALGORITHMS: tuple[str, ...] = get_args(Algorithm)
