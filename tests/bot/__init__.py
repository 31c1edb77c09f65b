"""End-to-end tests of the Telegram bot over HTTP against a fake Bot API server."""
