"""Surviving what production throws at the bot: a kill -9 mid-conversation, Telegram's 429."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.bot.conftest import NEWCOMER
from voisinage import bot_state
from voisinage.db import read_session

pytestmark = pytest.mark.e2e


async def _until_saved(engine, key: str, *, timeout: float = 10) -> None:
    """Wait until the bot has saved the conversation step of `key` (chat:user)."""
    deadline = time.monotonic() + timeout
    while True:
        with read_session(engine) as session:
            states = bot_state.load_states(session, kind=bot_state.conversation_kind("onboarding"))
        if key in states:
            return
        assert time.monotonic() < deadline, "the conversation step was never saved"
        await asyncio.sleep(0.05)


async def test_killed_bot_resumes_the_conversation_where_it_was(
    bot_process, engine, invite, newcomer
):
    newcomer.send(f"/start {invite()}")
    asked = await newcomer.reply()
    assert asked.text.startswith("Welcome to Les Voisins du Quai! What name")
    await _until_saved(engine, bot_state.state_key(NEWCOMER, NEWCOMER))
    bot_process.kill()

    # Written while the bot is down; Telegram keeps it until the bot asks again.
    newcomer.send("Karim")
    await bot_process.start()
    household = await newcomer.reply()
    assert household.text.startswith("Thank you, Karim. Which household are you part of?")
    newcomer.press("Foyer Benali")
    greeting = await newcomer.reply()
    assert greeting.text.startswith("You have joined Les Voisins du Quai. Welcome, Karim!")


async def test_429_on_send_message_is_waited_out_and_delivered_once(bot_process, telegram, nadia):
    telegram.fail("sendMessage", retry_after=1)
    started = time.monotonic()
    nadia.send("/menu")
    menu = await nadia.reply()
    assert menu.text == "Les Voisins du Quai: what would you like to do?"
    assert time.monotonic() - started >= 1
    attempts = [
        (call.status, call.params["text"])
        for call in telegram.calls_to("sendMessage")
        if call.params["chat_id"] == nadia.id
    ]
    assert attempts == [(429, menu.text), (200, menu.text)]
    assert await nadia.private.silence(seconds=0.5) == []
