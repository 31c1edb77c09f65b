"""Test helpers shared by the test modules; pytest fixtures stay in the conftest.py files.

- ``fake_api``: the local stand-in for the Telegram Bot API (also run by bench/ scripts);
- ``telegram_html``: Telegram's HTML parse mode, used by the fake API and the render tests;
- ``bot``: the movable clock, the admin id, a reader chatting with the bot, ``services_of``;
- ``dumps``: synthetic news dumps for bot tests;
- ``db``: the raw connection of a store, for setting up what the storage API cannot.
"""
