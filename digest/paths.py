"""Where the project's configuration files are. Plain paths, no settings machinery: the
worker processes (stemming's stop-word list) read from here without loading pydantic."""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _config_dir() -> Path:
    # A checkout (or editable install) reads config/ beside the packages; a wheel installs a
    # copy under <prefix>/share/newsbot/config (pyproject's data-files).
    beside = PROJECT_ROOT / "config"
    installed = Path(sys.prefix) / "share" / "newsbot" / "config"
    return beside if beside.is_dir() or not installed.is_dir() else installed


CONFIG_DIR = _config_dir()
KAZAKH_STOPWORDS_FILE = CONFIG_DIR / "stopwords-kk.txt"  # NEWSBOT_KAZAKH_STOPWORDS_FILE
