"""End to end: what a reader does — topics, schedule, language, hints — over HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from telegram.ext import Application

from tests.support.bot import ADMIN, Reader, services_of
from tests.support.fake_api import FakeBotApi


async def test_start_keyboard_then_pressing_economy_ticks_it(
    bot: Application, fake_api: FakeBotApi
) -> None:
    user = Reader(fake_api, 111)
    welcome = await user.ask("/start")
    assert welcome.text.startswith("Hello!")
    assert "09:00 (Asia/Almaty)" in welcome.text
    buttons = welcome.buttons()
    assert ("Economy", "topic:economy") in buttons
    assert len(buttons) == len(services_of(bot).catalog.ids)
    assert not any(text.startswith("✅") for text, _ in buttons)

    edited = await user.press(welcome, "topic:economy")
    assert ("✅ Economy", "topic:economy") in edited.buttons()
    assert [t for t, _ in edited.buttons() if t.startswith("✅")] == ["✅ Economy"]
    answer = fake_api.calls_to("answerCallbackQuery")[-1]
    assert answer.params["text"] == "Subscribed to Economy"
    svc = services_of(bot)
    assert await svc.subscribers.topics(111) == ["economy"]
    sub = await svc.subscribers.get(111)
    assert sub is not None and sub.next_digest_at == datetime(2026, 2, 11, 4, 0, tzinfo=UTC)

    mine = await user.ask("/mysubs")
    assert "Your topics: Economy" in mine.text
    assert "next: 11.02.2026 09:00" in mine.text

    again = await user.press(welcome, "topic:economy")
    assert not any(text.startswith("✅") for text, _ in again.buttons())
    assert fake_api.calls_to("answerCallbackQuery")[-1].params["text"] == (
        "Unsubscribed from Economy")
    assert await svc.subscribers.topics(111) == []
    assert (await user.ask("/mysubs")).text.startswith("You have no topics yet")


async def test_a_button_for_an_unknown_topic_is_answered_and_changes_nothing(
    bot: Application, fake_api: FakeBotApi
) -> None:
    # A keyboard from an older topics file, or forged callback data.
    user = Reader(fake_api, 119)
    keyboard = await user.ask("/topics")
    for data in ("topic:weather", "topic:", "topic:<b>&"):
        answered = len(fake_api.calls_to("answerCallbackQuery"))
        fake_api.press(119, keyboard, data)
        await fake_api.wait_for(
            lambda n=answered: len(fake_api.calls_to("answerCallbackQuery")) > n,
            what="the callback answer")
        text = fake_api.calls_to("answerCallbackQuery")[-1].params["text"]
        assert text == f"I don't know the topic “{data.removeprefix('topic:')}”. Topics: /topics"
    assert fake_api.calls_to("editMessageReplyMarkup") == []
    assert await services_of(bot).subscribers.get(119) is None  # not even a subscriber row
    # The bot is still fine: a real topic still works.
    assert ("✅ Economy", "topic:economy") in (await user.press(keyboard, "topic:economy")).buttons()


async def test_a_button_on_a_keyboard_that_can_no_longer_be_edited_gets_a_fresh_keyboard(
    bot: Application, fake_api: FakeBotApi
) -> None:
    user = Reader(fake_api, 121)
    old = await user.ask("/topics")
    fake_api.freeze(old)  # too old for Telegram to edit
    before = len(user.received)
    fake_api.press(121, old, "topic:economy")
    fresh = (await fake_api.wait_sent(121, before + 1))[before]
    assert fresh.text == "Tap a topic to subscribe or unsubscribe (✅ = subscribed)."
    assert [t for t, _ in fresh.buttons() if t.startswith("✅")] == ["✅ Economy"]
    assert fake_api.calls_to("answerCallbackQuery")[-1].params["text"] == "Subscribed to Economy"
    [edit] = fake_api.calls_to("editMessageReplyMarkup", 121)
    assert edit.ok is False
    assert await services_of(bot).subscribers.topics(121) == ["economy"]
    # The fresh keyboard works as usual, and nothing else (no "something went wrong") came.
    again = await user.press(fresh, "topic:economy")
    assert not any(text.startswith("✅") for text, _ in again.buttons())
    assert (await user.ask("/mysubs")).text.startswith("You have no topics yet")
    assert [m.text.split(".")[0] for m in user.received[before:]] == [
        "Tap a topic to subscribe or unsubscribe (✅ = subscribed)", "You have no topics yet"]


async def test_a_button_on_a_keyboard_already_showing_the_new_state_is_just_answered(
    bot: Application, fake_api: FakeBotApi
) -> None:
    user = Reader(fake_api, 122)
    old = await user.ask("/topics")  # no ✅ on it
    assert (await user.ask("/subscribe economy")).text.startswith("Subscribed to Economy")
    before = len(user.received)
    # Tapping Economy unsubscribes: the redrawn keyboard is the one shown, Telegram answers
    # "message is not modified", and that is no error.
    pressed = await user.press(old, "topic:economy")
    assert not any(text.startswith("✅") for text, _ in pressed.buttons())
    assert fake_api.calls_to("editMessageReplyMarkup", 122)[-1].ok is False
    assert fake_api.calls_to("answerCallbackQuery")[-1].params["text"] == (
        "Unsubscribed from Economy")
    assert await services_of(bot).subscribers.topics(122) == []
    assert (await user.ask("/mysubs")).text.startswith("You have no topics yet")
    assert len(user.received) == before + 1  # only the /mysubs answer


async def test_command_menu_is_registered_in_three_languages(
    bot: Application, fake_api: FakeBotApi
) -> None:
    assert set(fake_api.commands) == {None, "en", "ru", "kk"}
    names = {c["command"] for c in fake_api.commands["ru"]}
    assert {"start", "topics", "latest", "digest", "search", "time", "timezone", "lang",
            "stop", "help"} <= names
    descriptions = {c["command"]: c["description"] for c in fake_api.commands["ru"]}
    assert descriptions["digest"] == "Дайджест прямо сейчас"
    assert {c["command"]: c["description"] for c in fake_api.commands["kk"]}["stop"] == (
        "Барлық дайджестерді тоқтату")


async def test_subscribe_unsubscribe_by_id_and_name_and_unknown_topics(
    bot: Application, fake_api: FakeBotApi
) -> None:
    user = Reader(fake_api, 112)
    assert (await user.ask("/subscribe economy")).text.startswith(
        "Subscribed to Economy. Your digest comes every day at 09:00 (Asia/Almaty).")
    assert (await user.ask("/subscribe Foreign policy")).text.startswith(
        "Subscribed to Foreign policy.")
    assert (await user.ask("/subscribe economy")).text == (
        "You are already subscribed to Economy.")
    unknown = await user.ask("/subscribe weather")
    assert unknown.text.startswith("I don't know the topic “weather”. Topics: Economy (economy)")
    assert "Foreign policy (foreign_policy)" in unknown.text
    usage = await user.ask("/subscribe")
    assert usage.text.startswith("Which topic? For example: /subscribe economy")
    # Nothing but a comma is no topic (it used to make an empty reply Telegram refuses).
    assert (await user.ask("/subscribe ,")).text.startswith("I don't know the topic “,”.")
    assert (await user.ask("/subscribe health, health")).text == (
        "Subscribed to Health. Your digest comes every day at 09:00 (Asia/Almaty).")
    assert (await user.ask("/unsubscribe health")).text == "Unsubscribed from Health."

    svc = services_of(bot)
    assert sorted(await svc.subscribers.topics(112)) == ["economy", "foreign_policy"]
    assert (await user.ask("/unsubscribe economy")).text == "Unsubscribed from Economy."
    assert (await user.ask("/unsubscribe health")).text == "You were not subscribed to Health."
    assert (await user.ask("/unsubscribe all")).text == "You are unsubscribed from all topics."
    assert await svc.subscribers.topics(112) == []
    sub = await svc.subscribers.get(112)
    assert sub is not None and sub.next_digest_at is None


async def test_time_and_timezone_validate_and_move_the_next_digest(
    bot: Application, fake_api: FakeBotApi
) -> None:
    user = Reader(fake_api, 113)
    await user.ask("/subscribe economy")
    for bad in ("25:00", "9", "noon", "12:60"):
        reply = await user.ask(f"/time {bad}")
        assert reply.text == (
            f"“{bad}” is not a time of day. Send it as HH:MM (24-hour clock), "
            "for example: /time 08:30"
        )
    reply = await user.ask("/time 7:30")
    assert reply.text.startswith("Your daily digest now comes at 07:30 (Asia/Almaty).")
    # It is 07:00 in Almaty: 07:30 is still ahead today.
    assert "Next digest: 11.02.2026 07:30." in reply.text

    for bad in ("Mars/Olympus", "UTC+5", "<script>", "Asia/../UTC", "Asia"):
        reply = await user.ask(f"/timezone {bad}")
        assert reply.text.startswith(f"“{bad}” is not a time zone I know.")
        assert "/timezone Asia/Almaty" in reply.text
    # "Asia" above is a directory of the zone database and this is too long for a file name:
    # ZoneInfo fails on both with OSError, which must not reach the error handler.
    reply = await user.ask("/timezone " + "x" * 300)
    assert reply.text.startswith("“" + "x" * 99 + "…” is not a time zone I know.")
    reply = await user.ask("/timezone europe/berlin")
    assert reply.text.startswith("Your time zone is now Europe/Berlin; the digest comes at 07:30")
    # 02:00 UTC is 03:00 in Berlin: 07:30 CET is 06:30 UTC the same day.
    sub = await services_of(bot).subscribers.get(113)
    assert sub is not None and sub.timezone == "Europe/Berlin" and sub.digest_time == "07:30"
    assert sub.next_digest_at == datetime(2026, 2, 11, 6, 30, tzinfo=UTC)
    assert (await user.ask("/time")).text.startswith("Your digest comes at 07:30 (Europe/Berlin).")


async def test_lang_changes_the_interface_language(
    bot: Application, fake_api: FakeBotApi
) -> None:
    russian = Reader(fake_api, 114, language_code="ru")
    assert (await russian.ask("/help")).text.startswith("Команды\n/start — приветствие")
    assert (await russian.ask("/lang kk")).text == "Интерфейс тілі — қазақша."
    assert (await russian.ask("/help")).text.startswith("Командалар\n")
    assert (await russian.ask("/lang")).text.startswith("Интерфейс тілі: Қазақша.")

    english = Reader(fake_api, 115, language_code="de")  # not offered: English
    assert (await english.ask("/help")).text.startswith("Commands\n")
    assert (await english.ask("/lang ru")).text == "Язык интерфейса — русский."
    assert (await english.ask("/frobnicate")).text == "Я не понимаю. Что я умею: /help."
    sub = await services_of(bot).subscribers.get(115)
    assert sub is not None and sub.language == "ru"


async def test_unknown_commands_and_plain_text_get_a_one_line_hint(
    bot: Application, fake_api: FakeBotApi
) -> None:
    user = Reader(fake_api, 116)
    hint = "I don't understand that. /help lists what I can do."
    assert (await user.ask("/frobnicate")).text == hint
    assert (await user.ask("hello there")).text == hint
    assert (await user.ask("/start@other_bot")).text == hint  # a command for another bot


async def test_help_lists_admin_commands_only_to_admins(
    bot: Application, fake_api: FakeBotApi
) -> None:
    assert "/stats" not in (await Reader(fake_api, 117).ask("/help")).text
    admin_help = await Reader(fake_api, ADMIN).ask("/help")
    assert "Administrators" in admin_help.text and "/stats" in admin_help.text


async def test_stop_unsubscribes_from_everything(bot: Application, fake_api: FakeBotApi) -> None:
    user = Reader(fake_api, 118)
    await user.ask("/subscribe economy")
    assert (await user.ask("/stop")).text.startswith("Done: you are unsubscribed from everything")
    svc = services_of(bot)
    sub = await svc.subscribers.get(118)
    assert sub is not None and not sub.active and sub.next_digest_at is None
    assert await svc.subscribers.topics(118) == []
    # Coming back with /start makes them active again (with no topics until they choose).
    await user.ask("/start")
    sub = await svc.subscribers.get(118)
    assert sub is not None and sub.active


async def test_in_a_group_commands_serve_the_group_and_the_rest_is_ignored(
    bot: Application, fake_api: FakeBotApi, seed_path: Path
) -> None:
    group = -5001
    fake_api.send_text(group, "hello everyone", user_id=5002)
    fake_api.send_text(group, "/frobnicate", user_id=5002)
    fake_api.send_document(group, seed_path.name, seed_path.read_bytes(), user_id=ADMIN)
    fake_api.send_text(group, "/subscribe economy", user_id=5002)
    await fake_api.wait_sent(group, 1)
    fake_api.send_text(group, "/mysubs", user_id=5003)
    await fake_api.wait_sent(group, 2)
    await asyncio.sleep(0.1)  # room for a late reply to the chatter or the document
    texts = [m.text for m in fake_api.sent_to(group)]
    assert len(texts) == 2
    assert texts[0].startswith("Subscribed to Economy.")
    assert texts[1].startswith("Your topics: Economy")  # the group's, whoever asks
    assert fake_api.calls_to("getFile") == []
    sub = await services_of(bot).subscribers.get(group)
    assert sub is not None and sub.user_id == 5002

