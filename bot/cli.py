"""The `newsbot` console script: the pipeline's commands plus `newsbot run` for the bot."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from digest.cli import build_parser
from digest.cli import main as digest_main
from digest.cli_errors import CliError
from digest.settings import load_settings


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run the Telegram bot (long polling, or webhook if set)")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    overrides = {"db_path": args.db} if args.db else {}
    settings = load_settings(**overrides)
    if settings.bot_token is None:
        raise CliError("no bot token: set NEWSBOT_BOT_TOKEN (in the environment or .env)", 2)
    from bot.app import run_bot  # Telegram is imported only when the bot really runs

    run_bot(settings)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return digest_main(argv, parser=build_parser(_add_run))


if __name__ == "__main__":
    sys.exit(main())
