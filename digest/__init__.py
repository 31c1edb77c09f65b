"""newsbot's pipeline: parsing, repair, deduplication, topics, summaries and storage.

Nothing in this package imports Telegram; the bot in ``bot/`` is a thin shell over it.
"""
