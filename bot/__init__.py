"""newsbot's Telegram layer: a thin async shell over the `digest` package."""
