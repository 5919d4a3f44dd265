"""The menu and its doors by role, help, switching projects, the facilitators' doors, /web."""

from __future__ import annotations

import io
import re

import pytest
import segno

from tests.bot.conftest import SAM
from voisinage.db import read_session, unit_of_work
from voisinage.people import find_invitation, redeem_invitation
from voisinage.tokens import check_login_token

MENU = "Les Voisins du Quai: what would you like to do?"
RESIDENT_DOORS = [
    ["Questionnaires", "Workshops"],
    ["Votes", "Open the web forms"],
    ["Language", "My data"],
]
FACILITATOR_DOORS = [
    ["Questionnaires", "Workshops"],
    ["Invite someone", "Summary"],
    ["Open the web forms", "Language"],
    ["My data"],
]


async def test_resident_menu_shows_only_the_doors_that_exist(running_bot, nadia):
    nadia.send("/menu")
    menu = await nadia.reply()
    assert (menu.text, menu.buttons) == (MENU, RESIDENT_DOORS)


async def test_facilitator_menu_adds_invite_and_summary(running_bot, camille):
    camille.send("/menu")
    menu = await camille.reply()
    assert (menu.text, menu.buttons) == (MENU, FACILITATOR_DOORS)


async def test_help_lists_what_a_resident_can_do(running_bot, nadia):
    nadia.send("/help")
    assert (await nadia.reply()).text == (
        "In Les Voisins du Quai you are a resident. Here is what you can do:\n\n"
        "/menu — Show your menu\n"
        "/project — Switch to another of your projects\n"
        "/language — Choose your language\n"
        "/web — Get a sign-in link for the web forms\n"
        "/mydata — Get everything stored about you\n"
        "/forget — Delete everything stored about you\n"
        "/help — What I can do for you"
    )


async def test_help_tells_a_facilitator_about_invitations_summary_and_groups(running_bot, camille):
    camille.send("/help")
    text = (await camille.reply()).text
    assert text.startswith("In Les Voisins du Quai you are a facilitator.")
    assert text.endswith(
        "As a facilitator, your menu also lets you invite people, with a link and a QR code, "
        "and read the project's summary. In your group's chat, /linkgroup links the group "
        "to the project."
    )


async def test_facilitator_invites_with_a_deep_link_and_its_qr_code_which_works(
    running_bot, engine, people, camille, newcomer
):
    camille.send("/menu")
    await camille.reply()
    camille.press("Invite someone")
    roles = await camille.reply()
    assert roles.text == (
        "Whom do you want to invite to Les Voisins du Quai? The link lets one person join, "
        "for 14 days."
    )
    assert roles.buttons == [
        ["A resident"],
        ["An observer (partner)"],
        ["A facilitator"],
        ["Back to the menu"],
    ]
    camille.press("An observer (partner)")
    links = await camille.reply()
    code = re.search(r"Code: (\w+)", links.text).group(1)
    deep_link = f"https://t.me/voisinage_test_bot?start={code}"
    assert links.text.startswith("Invitation for an observer of Les Voisins du Quai, valid until ")
    assert links.text.endswith(
        f"Code: {code}\nOn Telegram: {deep_link}\nOn the web: http://voisinage.test/join/{code}"
    )
    qr = await camille.reply()
    assert (qr.method, qr.text) == (
        "sendPhoto",
        "Scan this code with a phone to join Les Voisins du Quai on Telegram.",
    )
    expected = io.BytesIO()
    segno.make(deep_link, error="m").save(expected, kind="png", scale=8, border=2)
    assert list(qr.files.values()) == [expected.getvalue()]

    newcomer.send(f"/start {code}")
    await newcomer.reply()
    newcomer.send("Agence d'urbanisme")
    greeting = await newcomer.reply()
    assert greeting.text.startswith("You have joined Les Voisins du Quai.")
    with read_session(engine) as session:
        invitation = find_invitation(
            session, project_id=people.project.id, code=code, actor_id=None
        )
        assert (invitation.role, invitation.use_count) == ("observer", 1)


async def test_web_sends_a_single_use_sign_in_link_for_the_member(
    running_bot, engine, bot_settings, people, nadia
):
    nadia.send("/web")
    reply = await nadia.reply()
    assert reply.text.startswith(
        "Here is your sign-in link to the web forms of Les Voisins du Quai. It works once and "
        "expires in 3 days: do not share it.\nhttp://voisinage.test/login/"
    )
    token = reply.text.rsplit("/", 1)[1]
    with read_session(engine) as session:
        member = check_login_token(session, token=token, secret_key=bot_settings.secret_key)
    assert member.id == people.nadia.id


@pytest.fixture
def sam_in_both_projects(engine, people, invite):
    """Sam, facilitator of La Ruche, also joins Les Voisins du Quai as a resident."""
    with unit_of_work(engine) as session:
        redeem_invitation(
            session,
            code=invite(household_id=people.household.id),
            person_key=f"tg:{SAM}",
            display_name="Sam",
            telegram_user_id=SAM,
        )


async def test_member_of_two_projects_switches_with_project(running_bot, sam_in_both_projects, sam):
    sam.send("/project")
    choice = await sam.reply()
    assert choice.text == "Which project do you want to look at?"
    assert choice.buttons == [["✓ La Ruche"], ["Les Voisins du Quai"]]
    sam.press("Les Voisins du Quai")
    switched = await sam.reply()
    assert switched.text == f"You are now in Les Voisins du Quai.\n\n{MENU}"
    assert switched.buttons == [*RESIDENT_DOORS, ["Switch project"]]
    sam.send("/help")
    assert (await sam.reply()).text.startswith("In Les Voisins du Quai you are a resident.")


async def test_member_of_one_project_is_told_so_by_project(running_bot, nadia):
    nadia.send("/project")
    reply = await nadia.reply()
    assert (reply.text, reply.buttons) == (
        "You belong to one project only: Les Voisins du Quai.",
        [["Back to the menu"]],
    )
