"""Joining a project from an invitation's deep link, and every way a code can be refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.bot.conftest import NEWCOMER
from tests.fakes.telegram_api import TelegramUser
from voisinage.db import read_session, unit_of_work
from voisinage.models import utcnow
from voisinage.people import (
    find_invitation,
    list_members,
    redeem_invitation,
    revoke_invitation,
)
from voisinage.projects import add_household

NAME_QUESTION = (
    "Welcome to Les Voisins du Quai! What name should the other members see? "
    "Reply with it, or use the name of your Telegram profile."
)
MENU = "Les Voisins du Quai: what would you like to do?"
RESIDENT_DOORS = [
    ["Questionnaires", "Workshops"],
    ["Votes", "Open the web forms"],
    ["Language", "My data"],
]


def _member_rows(engine, project_id):
    with read_session(engine) as session:
        return {
            row.display_name: (row.role, row.household_name, row.on_telegram)
            for row in list_members(session, project_id=project_id)
        }


@pytest.mark.e2e
async def test_join_by_deep_link_asks_name_and_household_then_greets_with_menu(
    bot_process, engine, people, invite, newcomer
):
    code = invite()
    newcomer.send(f"/start {code}")
    asked = await newcomer.reply()
    assert (asked.text, asked.buttons) == (NAME_QUESTION, [["Use “Karim Benali”"]])
    newcomer.send("Karim")
    household = await newcomer.reply()
    assert household.text == (
        "Thank you, Karim. Which household are you part of? Choose it below, "
        "or reply with the name of a new household."
    )
    assert household.buttons == [["Foyer Benali"]]
    newcomer.press("Foyer Benali")
    greeting = await newcomer.reply()
    assert greeting.text == f"You have joined Les Voisins du Quai. Welcome, Karim!\n\n{MENU}"
    assert greeting.buttons == RESIDENT_DOORS
    assert _member_rows(engine, people.project.id)["Karim"] == ("resident", "Foyer Benali", True)


async def test_invitation_naming_the_household_asks_only_the_name(
    running_bot, engine, people, invite, newcomer
):
    newcomer.send(f"/start {invite(household_id=people.household.id)}")
    await newcomer.reply()
    newcomer.press("Use “Karim Benali”")
    greeting = await newcomer.reply()
    assert greeting.text == (
        f"You have joined Les Voisins du Quai. Welcome, Karim Benali!\n\n{MENU}"
    )
    assert _member_rows(engine, people.project.id)["Karim Benali"] == (
        "resident",
        "Foyer Benali",
        True,
    )


async def test_a_new_household_can_be_named_by_its_first_member(
    running_bot, engine, people, invite, newcomer
):
    newcomer.send(f"/start {invite()}")
    await newcomer.reply()
    newcomer.send("Karim")
    await newcomer.reply()
    newcomer.send("Foyer Martin")
    greeting = await newcomer.reply()
    assert greeting.text.startswith("You have joined Les Voisins du Quai. Welcome, Karim!")
    assert _member_rows(engine, people.project.id)["Karim"] == ("resident", "Foyer Martin", True)


async def test_observer_invitation_asks_no_household(running_bot, engine, people, invite, newcomer):
    newcomer.send(f"/start {invite(role='observer')}")
    await newcomer.reply()
    newcomer.send("Service habitat")
    greeting = await newcomer.reply()
    assert greeting.text.startswith("You have joined Les Voisins du Quai.")
    assert _member_rows(engine, people.project.id)["Service habitat"] == ("observer", None, True)


async def test_name_step_refuses_too_long_names_and_stickers_then_goes_on(
    running_bot, engine, people, invite, newcomer
):
    newcomer.send(f"/start {invite()}")
    await newcomer.reply()
    newcomer.send("K" * 4000)
    assert (await newcomer.reply()).text == "This name is too long: 80 characters at most."
    newcomer.send_sticker()
    assert (await newcomer.reply()).text == "Please reply with your name, as text."
    newcomer.send("Karim")
    assert (await newcomer.reply()).buttons == [["Foyer Benali"]]
    assert "K" * 81 not in _member_rows(engine, people.project.id)


async def test_cancel_leaves_the_invitation_unused(running_bot, engine, people, invite, newcomer):
    code = invite()
    newcomer.send(f"/start {code}")
    await newcomer.reply()
    newcomer.send("/cancel")
    assert (await newcomer.reply()).text == (
        "Joining cancelled. Open your invitation link again whenever you are ready."
    )
    newcomer.send("Karim")
    assert (await newcomer.reply()).text == (
        "I only understand commands and buttons here. Send /menu to see what you can do."
    )
    with read_session(engine) as session:
        assert (
            find_invitation(
                session, project_id=people.project.id, code=code, actor_id=None
            ).use_count
            == 0
        )


async def test_start_without_code_explains_how_to_get_an_invitation(running_bot, newcomer):
    newcomer.send("/start")
    reply = await newcomer.reply()
    assert reply.text == (
        "Voisinage is the participation assistant of cohousing groups, for their members only. "
        "To join, open the invitation link your facilitator sent you, or ask them for one."
    )
    assert reply.buttons == []


async def test_member_opening_a_link_again_is_welcomed_back_without_using_it(
    running_bot, engine, people, invite, nadia
):
    code = invite()
    nadia.send(f"/start {code}")
    reply = await nadia.reply()
    assert reply.text == f"You are already a member of Les Voisins du Quai.\n\n{MENU}"
    with read_session(engine) as session:
        assert (
            find_invitation(
                session, project_id=people.project.id, code=code, actor_id=None
            ).use_count
            == 0
        )


@pytest.mark.e2e
async def test_each_unusable_code_gets_its_own_message(
    bot_process, engine, people, invite, telegram
):
    past = utcnow() - timedelta(days=30)
    used_up, revoked = invite(max_uses=1), invite()
    with unit_of_work(engine) as session:
        redeem_invitation(
            session, code=used_up, person_key="tg:9", display_name="Zoé", household_name="Foyer Z"
        )
        invitation = find_invitation(
            session, project_id=people.project.id, code=revoked, actor_id=None
        )
        revoke_invitation(session, project_id=people.project.id, invitation_id=invitation.id)
    codes = {
        "unknown": "NOPE234567",
        "expired": invite(now=past, days=1),
        "used up": used_up,
        "revoked": revoked,
    }
    users = {
        case: TelegramUser(telegram, user_id=NEWCOMER + i, first_name="X", language_code="en")
        for i, case in enumerate(codes)
    }
    for case, user in users.items():
        user.send(f"/start {codes[case]}")
    answers = {case: (await user.reply()).text for case, user in users.items()}
    assert answers == {
        "unknown": "This invitation code does not exist. Check it, or ask your facilitator for a new one.",
        "expired": "This invitation has expired. Ask your facilitator for a new one.",
        "used up": "This invitation has already been used as many times as allowed. Ask your facilitator for a new one.",
        "revoked": "This invitation has been withdrawn by the facilitators. Ask them for a new one.",
    }
    assert set(_member_rows(engine, people.project.id)) == {"Camille", "Nadia", "Zoé"}


async def test_household_button_of_another_project_is_refused_and_joining_goes_on(
    running_bot, engine, people, invite, newcomer
):
    with unit_of_work(engine) as session:
        elsewhere = add_household(session, project_id=people.other_project.id, name="Ruche A")
    newcomer.send(f"/start {invite()}")
    await newcomer.reply()
    newcomer.send("Karim")
    await newcomer.reply()
    query = newcomer.press_data(f"v1:hh:{elsewhere.id}")
    assert (await newcomer.answer_to(query))["text"] == (
        "This household does not exist in this project."
    )
    assert "Karim" not in _member_rows(engine, people.project.id)
    newcomer.press("Foyer Benali")
    assert (await newcomer.reply()).text.startswith("You have joined Les Voisins du Quai.")
