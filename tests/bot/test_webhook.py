"""Webhook mode: the web process stores Telegram's updates, the bot process handles them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlmodel import func, select

from tests.bot.conftest import ROOT, BotProcess
from voisinage.config import Settings
from voisinage.db import read_session
from voisinage.models import TelegramUpdate
from voisinage.telegram_inbox import WEBHOOK_PATH
from webforms import create_app
from webforms.telegram_webhook import SECRET_HEADER

SECRET = "webhook-secret_for-tests-only"


@pytest.fixture
def webhook_environ(bot_environ) -> dict[str, str]:
    return {**bot_environ, "TELEGRAM_WEBHOOK_SECRET": SECRET}


@pytest.fixture
def web(webhook_environ, people):
    return create_app(Settings.from_env(webhook_environ)).test_client()


def _deliver(web, update: dict, *, secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return web.post(WEBHOOK_PATH, json=update, headers=headers).status_code


def _update(user, text: str) -> dict:
    return {"update_id": user.api.new_update_id(), "message": user.message(text)}


def _stored(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(TelegramUpdate)).one()


@pytest.mark.e2e
async def test_updates_stored_while_the_bot_is_down_are_handled_in_order(
    web, webhook_environ, engine, telegram, invite, newcomer, nadia, tmp_path
):
    for text in (f"/start {invite()}", "Karim", "Foyer Martin"):
        assert _deliver(web, _update(newcomer, text)) == 200
    menu = _update(nadia, "/menu")
    # Telegram delivers again when it saw no 200 in time: the retry must be a no-op.
    assert [_deliver(web, menu), _deliver(web, menu)] == [200, 200]

    bot = BotProcess(webhook_environ, tmp_path / "bot.log", telegram)
    await bot.start()
    try:
        assert (await newcomer.reply()).text.startswith("Welcome to Les Voisins du Quai!")
        assert (await newcomer.reply()).text.startswith("Thank you, Karim.")
        assert (await newcomer.reply()).text.startswith(
            "You have joined Les Voisins du Quai. Welcome, Karim!"
        )
        assert (await nadia.reply()).text == "Les Voisins du Quai: what would you like to do?"
        assert await nadia.private.silence(seconds=0.5) == []
        assert telegram.calls_to("getUpdates") == []
    finally:
        assert bot.stop() == 0, bot.log_path.read_text()


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET[:-1], "é" * 8], ids=repr)
def test_webhook_refuses_requests_without_the_secret(web, engine, nadia, secret):
    assert _deliver(web, _update(nadia, "/menu"), secret=secret) == 403
    assert _stored(engine) == 0


def test_webhook_acknowledges_what_is_not_an_update_and_keeps_nothing(web, engine):
    assert _deliver(web, {"message": "no update_id"}) == 200
    assert _deliver(web, {"update_id": "12"}) == 200
    assert (
        web.post(WEBHOOK_PATH, data="{not json", headers={SECRET_HEADER: SECRET}).status_code == 200
    )
    assert _stored(engine) == 0


def test_webhook_stores_an_update_larger_than_any_web_form(web, engine, nadia):
    # Emoji are escaped as two \\uXXXX each in JSON: a full message replying to another one
    # weighs well over the web forms' 16 KiB limit.
    update = _update(nadia, "🏡" * 4096)
    update["message"]["reply_to_message"] = nadia.message("🌱" * 4096)
    assert len(json.dumps(update)) > 16 * 1024
    assert _deliver(web, update) == 200
    assert _stored(engine) == 1


def test_webhook_is_off_in_polling_mode(bot_environ, people, engine, nadia):
    web = create_app(Settings.from_env(bot_environ)).test_client()
    assert _deliver(web, _update(nadia, "/menu")) == 404
    assert _stored(engine) == 0


def _bot_command(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.e2e
def test_set_webhook_registers_the_public_url_and_the_secret(sqlite_environ, telegram):
    environ = {**sqlite_environ, "PUBLIC_URL": "https://voisinage.test"}
    result = _bot_command({**environ, "TELEGRAM_WEBHOOK_SECRET": SECRET}, "--set-webhook")
    assert result.returncode == 0, result.stderr
    [call] = telegram.calls_to("setWebhook")
    assert call.params == {
        "url": "https://voisinage.test/telegram/webhook",
        "secret_token": SECRET,
        "allowed_updates": ["message", "edited_message", "callback_query"],
    }
    assert telegram.calls_to("getUpdates") == []


@pytest.mark.e2e
def test_set_webhook_without_a_secret_says_what_to_set(sqlite_environ, telegram):
    result = _bot_command(sqlite_environ, "--set-webhook")
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "voisinage: TELEGRAM_WEBHOOK_SECRET is not set: the webhook needs it to tell "
        "Telegram's requests from anyone else's"
    )
    assert telegram.calls_to("setWebhook") == []
