"""The bot speaks the member's language: their choice, else their Telegram app's, else the project's."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.bot.conftest import NADIA, NEWCOMER, SAM
from tests.fakes.telegram_api import TelegramUser
from voisinage.db import read_session
from voisinage.models import Member

MENU_FR = "Les Voisins du Quai : que souhaitez-vous faire ?"
DOORS_FR = [
    ["Questionnaires", "Ateliers"],
    ["Votes", "Ouvrir les formulaires web"],
    ["Langue", "Mes données"],
]


def _stored_language(engine, telegram_user_id):
    with read_session(engine) as session:
        return session.exec(
            select(Member.language).where(Member.telegram_user_id == telegram_user_id)
        ).all()


@pytest.mark.parametrize(
    ("user_id", "telegram_language", "expected"),
    [
        pytest.param(NADIA, "fr", MENU_FR, id="telegram-french"),
        pytest.param(
            NADIA, "en-GB", "Les Voisins du Quai: what would you like to do?", id="telegram-english"
        ),
        pytest.param(NADIA, "de", MENU_FR, id="unsupported-then-project-french"),
        pytest.param(
            SAM, "de", "La Ruche: what would you like to do?", id="unsupported-then-project-english"
        ),
        pytest.param(SAM, None, "La Ruche: what would you like to do?", id="no-telegram-language"),
    ],
)
async def test_language_defaults_to_telegram_then_to_the_project(
    running_bot, telegram, user_id, telegram_language, expected
):
    user = TelegramUser(telegram, user_id=user_id, first_name="X", language_code=telegram_language)
    user.send("/menu")
    assert (await user.reply()).text == expected


@pytest.mark.e2e
async def test_language_switch_is_stored_and_used_from_then_on(bot_process, engine, telegram):
    nadia = TelegramUser(telegram, user_id=NADIA, first_name="Nadia", language_code="en")
    nadia.send("/language")
    offer = await nadia.reply()
    assert (offer.text, offer.buttons) == (
        "Which language should I use?",
        [["Français", "English"], ["Automatic"], ["Back to the menu"]],
    )
    nadia.press("Français")
    switched = await nadia.reply()
    assert switched.method == "editMessageText"
    assert switched.text == f"Désormais, je vous écris en français.\n\n{MENU_FR}"
    assert switched.buttons == DOORS_FR
    assert _stored_language(engine, NADIA) == ["fr"]
    nadia.send("/help")
    assert (await nadia.reply()).text.startswith(
        "Dans le projet Les Voisins du Quai, vous êtes un·e habitant·e."
    )

    nadia.send("/language")
    await nadia.reply()
    nadia.press("Automatique")
    automatic = await nadia.reply()
    assert automatic.text.startswith(
        "From now on I use the language of your Telegram app when I can."
    )
    assert _stored_language(engine, NADIA) == [None]


async def test_newcomer_choice_of_language_carries_into_the_membership(
    running_bot, engine, telegram, invite
):
    # A French phone, but the person prefers English before even joining.
    karim = TelegramUser(telegram, user_id=NEWCOMER, first_name="Karim", language_code="fr")
    karim.send("/language")
    offer = await karim.reply()
    assert (offer.text, offer.buttons) == (
        "Quelle langue dois-je utiliser ?",
        [["Français", "English"], ["Automatique"]],
    )
    karim.press("English")
    assert (await karim.reply()).text == "From now on I write to you in English."
    karim.send(f"/start {invite()}")
    assert (await karim.reply()).text.startswith("Welcome to Les Voisins du Quai!")
    karim.send("Karim")
    await karim.reply()
    karim.press("Foyer Benali")
    assert (await karim.reply()).text.startswith("You have joined Les Voisins du Quai.")
    assert _stored_language(engine, NEWCOMER) == ["en"]


async def test_a_newcomer_reads_the_project_language_when_telegram_gives_none_we_speak(
    running_bot, telegram, invite
):
    karim = TelegramUser(telegram, user_id=NEWCOMER, first_name="Karim", language_code="de")
    karim.send(f"/start {invite()}")
    assert (await karim.reply()).text.startswith("Bienvenue dans le projet Les Voisins du Quai !")


async def test_setmycommands_is_sent_per_language_at_start_up(running_bot, telegram):
    sent = {
        (call.params.get("language_code"), call.params["scope"]["type"]): [
            (command["command"], command["description"]) for command in call.params["commands"]
        ]
        for call in telegram.calls_to("setMyCommands")
    }
    assert set(sent) == {
        (language, scope)
        for language in (None, "fr", "en")
        for scope in ("all_private_chats", "all_group_chats")
    }
    assert sent[("fr", "all_group_chats")] == [
        ("help", "Ce que je fais dans ce groupe"),
        ("linkgroup", "Relier ce groupe à votre projet (accompagnateur·rices)"),
    ]
    assert sent[("en", "all_private_chats")][0] == ("menu", "Show your menu")
    assert sent[("fr", "all_private_chats")][0] == ("menu", "Afficher votre menu")
    # The default list, for every other language, is in DEFAULT_LANGUAGE (English here).
    assert sent[(None, "all_private_chats")] == sent[("en", "all_private_chats")]
