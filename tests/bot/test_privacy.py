"""A person's own data: /mydata sends all of it, /forget erases it after a confirmation."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from tests.bot.conftest import CAMILLE, NADIA
from voisinage import bot_state
from voisinage.db import read_session
from voisinage.models import Member

NOT_A_MEMBER = (
    "Voisinage is the participation assistant of cohousing groups, for their members only. "
    "To join, open the invitation link your facilitator sent you, or ask them for one."
)


def _memberships(engine, telegram_user_id):
    with read_session(engine) as session:
        return session.exec(
            select(Member.display_name).where(Member.telegram_user_id == telegram_user_id)
        ).all()


@pytest.mark.e2e
async def test_mydata_then_forget_erases_the_member_and_says_what_was_kept(
    bot_process, engine, telegram, nadia
):
    nadia.send("/mydata")
    document = await nadia.reply()
    assert (document.method, document.text) == (
        "sendDocument",
        "Here is everything Voisinage stores about you. To delete it, send /forget.",
    )
    data = json.loads(document.files["document"])
    assert data["schema"] == "voisinage.telegram-personal-data"
    assert data["telegram_user_id"] == NADIA
    [membership] = data["memberships"]
    assert (membership["member"]["display_name"], membership["household"]["name"]) == (
        "Nadia",
        "Foyer Benali",
    )
    assert membership["project"]["name"] == "Les Voisins du Quai"

    nadia.send("/forget")
    confirm = await nadia.reply()
    assert confirm.text == (
        "This deletes your membership of Les Voisins du Quai and everything Voisinage stores "
        "about you. It cannot be undone. Do you want to continue?"
    )
    assert confirm.buttons == [["Yes, delete my data"], ["No, keep it"]]
    nadia.press("No, keep it")
    assert (await nadia.reply()).text == "Nothing was deleted."
    assert _memberships(engine, NADIA) == ["Nadia"]

    nadia.send("/forget")
    await nadia.reply()
    nadia.press("Yes, delete my data")
    report = (await nadia.reply()).text
    # The lists grow with the domain (answers, ballots…): check their frame and a line of each.
    head, removed, kept = re.split(r"\n(?:In Les Voisins du Quai, removed|Kept):\n", report)
    assert head == "Your data has been deleted.\n"
    assert "• your name, role, language and Telegram account" in removed.splitlines()
    assert kept.endswith("\n\nTo join again, you will need a new invitation.")
    assert (
        "• the project's action log, without your name, because the group's decisions must "
        "stay traceable"
    ) in kept.splitlines()
    assert _memberships(engine, NADIA) == []
    with read_session(engine) as session:
        assert bot_state.states_of_telegram_user(session, telegram_user_id=NADIA) == []
    nadia.send("/menu")
    assert (await nadia.reply()).text == NOT_A_MEMBER


async def test_only_facilitator_cannot_forget_and_nothing_is_erased(running_bot, engine, camille):
    camille.send("/forget")
    await camille.reply()
    query = camille.press("Yes, delete my data")
    answer = await camille.answer_to(query)
    assert answer == {
        "callback_query_id": query,
        "text": "You are the project's only facilitator: name another one before leaving.",
        "show_alert": True,
    }
    assert _memberships(engine, CAMILLE) == ["Camille"]


async def test_a_stranger_can_get_and_erase_what_the_bot_keeps_about_them(
    running_bot, engine, newcomer
):
    newcomer.send("/language")
    await newcomer.reply()
    newcomer.press("English")
    await newcomer.reply()
    newcomer.send("/mydata")
    data = json.loads((await newcomer.reply()).files["document"])
    assert (data["memberships"], [s["data"] for s in data["bot_state"]]) == (
        [],
        [{"language": "en"}],
    )
    newcomer.send("/forget")
    confirm = await newcomer.reply()
    assert confirm.text == (
        "This deletes everything Voisinage stores about you. It cannot be undone. "
        "Do you want to continue?"
    )
    newcomer.press("Yes, delete my data")
    assert (await newcomer.reply()).text == "Your data has been deleted."
    with read_session(engine) as session:
        assert bot_state.states_of_telegram_user(session, telegram_user_id=newcomer.id) == []
