"""bot.errors classifies the exceptions python-telegram-bot raises for Bot API failures."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.errors import is_not_modified, is_uneditable, is_unreachable

# The descriptions are the ones the Bot API sends (PTB strips the "Bad Request: " prefix).
BLOCKED = Forbidden("Forbidden: bot was blocked by the user")
KICKED = Forbidden("Forbidden: bot was kicked from the channel chat")
DEACTIVATED = Forbidden("Forbidden: user is deactivated")
CHAT_NOT_FOUND = BadRequest("Bad Request: chat not found")
NOT_MODIFIED = BadRequest(
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
TO_EDIT_NOT_FOUND = BadRequest("Bad Request: message to edit not found")
CANT_EDIT = BadRequest("Bad Request: message can't be edited")
OTHER_BAD_REQUEST = BadRequest("Bad Request: can't parse entities: unclosed tag")
TRANSIENT = [TimedOut(), NetworkError("connection reset"), RetryAfter(5), ChatMigrated(-100123)]


@pytest.mark.parametrize("exc", [BLOCKED, KICKED, DEACTIVATED, CHAT_NOT_FOUND])
def test_unreachable_chats(exc: Exception) -> None:
    assert is_unreachable(exc)
    assert not is_not_modified(exc)


@pytest.mark.parametrize(
    "exc", [NOT_MODIFIED, TO_EDIT_NOT_FOUND, CANT_EDIT, OTHER_BAD_REQUEST, *TRANSIENT,
            ValueError("chat not found")],
)
def test_errors_that_do_not_mean_the_chat_is_gone(exc: Exception) -> None:
    assert not is_unreachable(exc)


def test_not_modified_is_only_the_no_change_edit() -> None:
    assert is_not_modified(NOT_MODIFIED)
    for exc in (TO_EDIT_NOT_FOUND, CANT_EDIT, OTHER_BAD_REQUEST, BLOCKED, *TRANSIENT):
        assert not is_not_modified(exc)


@pytest.mark.parametrize("exc", [TO_EDIT_NOT_FOUND, CANT_EDIT])
def test_uneditable_messages(exc: Exception) -> None:
    assert is_uneditable(exc)
    assert not is_not_modified(exc)


@pytest.mark.parametrize("exc", [NOT_MODIFIED, OTHER_BAD_REQUEST, BLOCKED, *TRANSIENT])
def test_not_uneditable(exc: Exception) -> None:
    assert not is_uneditable(exc)
