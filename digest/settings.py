"""The one settings object: built once at start-up and passed down.

Values come from the environment (prefix ``NEWSBOT_``) or a ``.env`` file; see
``config/example.env`` for every setting. Nothing else in the project reads ``os.environ``.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from digest.algorithms import Algorithm
from digest.paths import CONFIG_DIR, KAZAKH_STOPWORDS_FILE
from digest.schedule import parse_hhmm


class SettingsError(Exception):
    """A setting has a value the bot cannot start with; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    bot_token: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    db_path: Path = Path("newsbot.db")
    timezone: str = "Asia/Almaty"
    digest_time: str = "09:00"
    summary_sentences: int = Field(3, ge=1, le=20)
    summary_algorithm: Algorithm = "default"
    # A summary is whole sentences within this many characters (one digest item's worth).
    summary_max_chars: int = Field(600, ge=100, le=10000)
    near_duplicate_threshold: float = Field(0.7, ge=0.5, le=1.0)
    topics_file: Path = CONFIG_DIR / "topics.yaml"
    # Kazakh stop words, one a line (English and Russian come with sumy and stop-words).
    kazakh_stopwords_file: Path = KAZAKH_STOPWORDS_FILE
    workers: int = Field(2, ge=1, le=32)
    # Seconds one article may take in a worker; one that overruns gets a lead summary.
    article_time_limit: float = Field(10.0, gt=0, le=3600)
    # Articles an ingest commits per transaction at most (digest.ingest.CHUNK_ARTICLES):
    # a writer in another process waits for one such chunk.
    ingest_chunk_articles: int = Field(500, ge=1, le=100_000)

    # Telegram transport (used by `newsbot run`).
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str | None = None
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_listen: str = "0.0.0.0"
    webhook_secret: SecretStr | None = None
    # Flood control. Telegram documents about 30 messages/s for a bot, 1 per second in one
    # private chat and 20 a minute in a group.
    rate_overall: float = Field(30.0, gt=0)
    rate_per_chat: float = Field(1.0, gt=0)
    # Daily digests sent with `allow_paid_broadcast` (charged in Telegram Stars above the free
    # 30/s), paced at `rate_paid` per second instead of `rate_overall`; 1000 is Telegram's cap.
    paid_broadcast: bool = False
    rate_paid: float = Field(1000.0, gt=0, le=1000)
    # Digests being sent at once; unset: enough to keep the rate's budget busy (see
    # bot.scheduler.sender_count).
    digest_senders: int | None = Field(None, ge=1, le=512)
    # SQLite connections for reads, each with its own thread; writes have one of their own.
    db_readers: int = Field(2, ge=1, le=16)
    max_upload_mb: int = Field(20, ge=1)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated numeric Telegram user ids") from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return validate_timezone(value)

    @field_validator("digest_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        parse_hhmm(value)
        return value

    @field_validator("topics_file", "kazakh_stopwords_file")
    @classmethod
    def _readable(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"{value} is not a readable file")
        return value

    @property
    def digest_clock(self) -> time:
        return parse_hhmm(self.digest_time)


def validate_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Asia" is a directory
        raise ValueError(f"unknown IANA time zone {value!r} (example: Asia/Almaty)") from None
    return value


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning a validation error into one line naming the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        reason = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"bad setting NEWSBOT_{field.upper()}: {reason}") from None
