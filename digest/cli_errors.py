"""The command line's exit codes and its one expected-failure exception.

A module of its own so that the `eval` commands (digest.evaluation) can raise CliError
without importing digest.cli, which imports them.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """An expected failure: printed as one line, exit code attached."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code
