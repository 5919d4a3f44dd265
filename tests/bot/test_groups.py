"""In a group chat the bot answers /help and a facilitator's /linkgroup, and nothing personal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.bot.conftest import CAMILLE
from tests.fakes.telegram_api import ChatReader
from voisinage.db import read_session, unit_of_work
from voisinage.enums import Role
from voisinage.models import Project
from voisinage.people import add_member

GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Voisins du Quai"}
PRIVATE_CHAT_BUTTON = {"Write to me in private": "https://t.me/voisinage_test_bot"}


@pytest.fixture
def group(telegram) -> ChatReader:
    return ChatReader(telegram, GROUP["id"])


def _linked_chats(engine) -> dict[str, int | None]:
    with read_session(engine) as session:
        return {p.name: p.telegram_chat_id for p in session.exec(select(Project))}


async def test_help_in_a_group_explains_and_offers_a_private_chat(running_bot, group, nadia):
    nadia.send("/help@voisinage_test_bot", chat=GROUP)
    reply = await group.reply()
    assert reply.text == (
        "In this group I only answer /help. A facilitator can send /linkgroup to link the group "
        "to their project, so that announcements and results are posted here. For everything "
        "else, write to me in private."
    )
    assert reply.button_data == PRIVATE_CHAT_BUTTON


@pytest.mark.parametrize("command", ["/mydata", "/menu", "/forget", "/start ABCDEFGHJK"])
async def test_personal_commands_are_taken_to_a_private_chat(
    running_bot, telegram, group, nadia, command
):
    nadia.send(command, chat=GROUP)
    reply = await group.reply()
    assert reply.text == "Let us talk about this in private: your data stays between us."
    assert reply.button_data == PRIVATE_CHAT_BUTTON
    assert await group.silence(seconds=0.3) == []
    assert await nadia.private.silence(seconds=0) == []


async def test_ordinary_group_messages_get_no_answer(running_bot, group, nadia):
    nadia.send("On se retrouve samedi ?", chat=GROUP)
    nadia.send("/vote", chat=GROUP)
    assert await group.silence(seconds=0.5) == []


async def test_resident_cannot_link_the_group(running_bot, engine, group, nadia):
    nadia.send("/linkgroup", chat=GROUP)
    assert (await group.reply()).text == "Only the project's facilitators can do this."
    assert _linked_chats(engine)["Les Voisins du Quai"] is None


async def test_facilitator_links_the_group_to_their_project(running_bot, engine, group, camille):
    camille.send("/linkgroup", chat=GROUP)
    assert (await group.reply()).text == (
        "This group is now linked to Les Voisins du Quai: announcements and results will be "
        "posted here."
    )
    assert _linked_chats(engine) == {"Les Voisins du Quai": GROUP["id"], "La Ruche": None}


async def test_facilitator_of_two_projects_picks_the_one_to_link(
    running_bot, engine, people, group, camille
):
    with unit_of_work(engine) as session:
        member = add_member(
            session,
            project_id=people.other_project.id,
            display_name="Camille",
            role=Role.FACILITATOR,
        )
        member.telegram_user_id = CAMILLE
        session.add(member)
    camille.send("/linkgroup", chat=GROUP)
    choice = await group.reply()
    assert (choice.text, choice.buttons) == (
        "Which project should this group belong to?",
        [["La Ruche"], ["Les Voisins du Quai"]],
    )
    camille.press("La Ruche", reader=group)
    assert (await group.reply()).text.startswith("This group is now linked to La Ruche:")
    assert _linked_chats(engine) == {"Les Voisins du Quai": None, "La Ruche": GROUP["id"]}


async def test_linkgroup_in_private_says_where_to_send_it(running_bot, camille):
    camille.send("/linkgroup")
    assert (await camille.reply()).text == (
        "Send /linkgroup in the group you want to link, once you have added me to it."
    )
