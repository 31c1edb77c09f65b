"""Telegram update handlers, one module per area (users, subscriptions, admin)."""
