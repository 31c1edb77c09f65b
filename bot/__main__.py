"""`python -m bot ...` is the `newsbot` command (`python -m bot run` starts the bot)."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
