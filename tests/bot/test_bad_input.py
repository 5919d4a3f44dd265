"""Bad input gets a short answer in the person's language, and nothing is written."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from voisinage.db import read_session
from voisinage.models import ActionLog, Invitation, Member

STALE = "This button is no longer valid. Send /menu for a fresh menu."


def _snapshot(engine) -> tuple[int, int, int]:
    """Count what a forged button could try to add: invitations, members, logged actions."""
    with read_session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Invitation, Member, ActionLog)
        )


@pytest.mark.e2e
async def test_forged_buttons_are_refused_and_change_nothing(
    bot_process, engine, telegram, people, camille, nadia
):
    here, there = people.project.id, people.other_project.id
    forged = [
        # Another project's id in a well-formed button.
        (nadia, f"v1:menu:{there}:summary", STALE),
        (camille, f"v1:inv:{there}:resident", STALE),
        (nadia, f"v1:proj:{there}", STALE),
        # A door or an action the member's role does not have.
        (nadia, f"v1:menu:{here}:invite", STALE),
        (nadia, f"v1:inv:{here}:facilitator", "Only the project's facilitators can do this."),
        # Not our format, or not this version of it.
        (nadia, "v2:menu:1:main", STALE),
        (nadia, f"v1:menu:{here}:main:extra", STALE),
        (nadia, f"v1:menu:0{here}:main", STALE),
        (nadia, "v1:forget:maybe", STALE),
        (nadia, "'; DROP TABLE member; --", STALE),
        (nadia, "x" * 64, STALE),
        # A button of a step the person is not at, or meant for a group chat.
        (nadia, "v1:hh:1", STALE),
        (camille, f"v1:link:{here}", STALE),
    ]
    before = _snapshot(engine)
    queries = [(user, user.press_data(data), text) for user, data, text in forged]
    answers = [(await user.answer_to(query))["text"] for user, query, _ in queries]
    assert answers == [text for _, _, text in forged]
    assert await nadia.private.silence(seconds=0.5) == []
    assert await camille.private.silence(seconds=0) == []
    assert _snapshot(engine) == before


async def test_unknown_command_gets_pointed_to_help(running_bot, nadia):
    nadia.send("/vote")
    assert (await nadia.reply()).text == (
        "I do not know this command. /help lists what you can do."
    )


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda user: user.send("Bonjour !"), id="text"),
        pytest.param(lambda user: user.send("x" * 4096), id="oversized-text"),
        pytest.param(lambda user: user.send_sticker(), id="sticker"),
    ],
)
async def test_messages_outside_a_question_point_to_the_menu(running_bot, nadia, send):
    send(nadia)
    assert (await nadia.reply()).text == (
        "I only understand commands and buttons here. Send /menu to see what you can do."
    )


async def test_edited_message_is_not_acted_upon(running_bot, nadia):
    message = nadia.send("/menu")
    await nadia.reply()
    nadia.edit(message, "/forget")
    assert (await nadia.reply()).text == (
        "I do not read edited messages: please send a new message instead."
    )
    assert await nadia.private.silence(seconds=0.5) == []


async def test_cancel_with_nothing_to_cancel(running_bot, nadia):
    nadia.send("/cancel")
    assert (await nadia.reply()).text == "There is nothing to cancel."


async def test_a_failing_telegram_call_ends_in_an_apology_not_silence(running_bot, telegram, nadia):
    telegram.fail("sendDocument", status=400, description="Bad Request: file is too big")
    nadia.send("/mydata")
    assert (await nadia.reply()).text == (
        "Sorry, something went wrong on our side. Please try again in a moment."
    )
