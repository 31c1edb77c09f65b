"""The languages newsbot reads, shows and speaks, defined once."""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "ru", "kk"]

# Order matters where it is shown to people (menus, help): English, Russian, Kazakh.
LANGUAGES: tuple[Language, ...] = ("en", "ru", "kk")
