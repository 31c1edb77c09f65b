"""Settings: defaults, .env, and one clear line for every wrong value."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from digest.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("NEWSBOT_"):
            monkeypatch.delenv(name)


def test_defaults() -> None:
    s = load_settings()
    assert s.timezone == "Asia/Almaty" and s.digest_clock == time(9, 0)
    assert s.bot_token is None and s.admin_ids == frozenset()
    assert s.summary_algorithm == "default" and s.summary_sentences == 3
    assert s.topics_file.name == "topics.yaml"


def test_environment_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text(
        "NEWSBOT_BOT_TOKEN=123:abc\nNEWSBOT_ADMIN_IDS=1, 22,333\nNEWSBOT_WEBHOOK_URL=\n"
    )
    monkeypatch.setenv("NEWSBOT_DIGEST_TIME", "7:30")
    s = load_settings()
    assert s.bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(s)  # secrets never show up in logs or tracebacks
    assert s.admin_ids == frozenset({1, 22, 333})
    assert s.digest_clock == time(7, 30)
    assert s.webhook_url is None


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TIMEZONE", "Mars/Olympus", "NEWSBOT_TIMEZONE: unknown IANA time zone 'Mars/Olympus'"),
        ("TIMEZONE", "Asia", "NEWSBOT_TIMEZONE: unknown IANA time zone 'Asia'"),
        ("DIGEST_TIME", "25:00", "NEWSBOT_DIGEST_TIME: '25:00' is not a time of day"),
        ("SUMMARY_ALGORITHM", "magic", "NEWSBOT_SUMMARY_ALGORITHM"),
        ("TOPICS_FILE", "/nonexistent/topics.yaml", "NEWSBOT_TOPICS_FILE: /nonexistent/topics.yaml"),
        ("KAZAKH_STOPWORDS_FILE", "/nonexistent/kk.txt", "NEWSBOT_KAZAKH_STOPWORDS_FILE: /nonexistent/kk.txt"),
        ("ADMIN_IDS", "alice,bob", "NEWSBOT_ADMIN_IDS: must be comma-separated numeric"),
        ("NEAR_DUPLICATE_THRESHOLD", "1.5", "NEWSBOT_NEAR_DUPLICATE_THRESHOLD"),
    ],
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(f"NEWSBOT_{name}", value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    message = str(err.value)
    assert message.startswith("bad setting ")
    assert expected in message
    assert "\n" not in message
