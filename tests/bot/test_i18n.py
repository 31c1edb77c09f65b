"""Every interface string exists in English, Russian and Kazakh with the same placeholders, and
the command menus list the same commands; a string added in one language only fails here."""

from __future__ import annotations

import string

import pytest

from bot.i18n import COMMANDS, STRINGS, t
from digest.languages import LANGUAGES

_FORMATTER = string.Formatter()


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in _FORMATTER.parse(template) if field is not None}


def test_every_language_has_the_same_keys() -> None:
    english = set(STRINGS["en"])
    for lang in LANGUAGES:
        assert set(STRINGS[lang]) == english, lang


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_use_the_same_placeholders(lang: str) -> None:
    different = {
        key: (placeholders(STRINGS["en"][key]), placeholders(text))
        for key, text in STRINGS[lang].items()
        if key in STRINGS["en"] and placeholders(text) != placeholders(STRINGS["en"][key])
    }
    assert different == {}


def test_every_language_has_the_same_command_menu() -> None:
    english = [name for name, _ in COMMANDS["en"]]
    for lang in LANGUAGES:
        assert [name for name, _ in COMMANDS[lang]] == english, lang
        assert all(description.strip() for _, description in COMMANDS[lang]), lang


def test_placeholders_are_filled_in_every_language() -> None:
    # Formatting with every placeholder given must not raise (a stray brace or a typo would),
    # and must leave no placeholder behind.
    for lang in LANGUAGES:
        for key, text in STRINGS[lang].items():
            names = placeholders(text)
            if not names:
                continue
            shown = t(lang, key, **{name: "\x00" for name in names})
            assert all("{" + name + "}" not in shown for name in names), (lang, key)
