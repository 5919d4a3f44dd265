"""A facilitator's nudge reaches the member through the real drain and the fake Bot API, with a
button that opens the item in the bot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.outbox_sender import send_due
from voisinage.db import unit_of_work
from voisinage.models import Member, utcnow
from voisinage.nudges import nudge
from voisinage.questionnaire_templates import import_questionnaire
from voisinage.questionnaires import open_questionnaire

DAY = timedelta(days=1)
QUESTIONNAIRE = """
format: voisinage.questionnaire
version: 1
title: Expectations
respondent_unit: person
questions:
  - key: surface
    kind: number
    label: How many square metres would you like?
"""


@pytest.fixture(autouse=True)
def in_english(engine, people):
    with unit_of_work(engine) as session:
        row = session.get(Member, people.nadia.id)
        row.language = "en"
        session.add(row)


def _nudge(engine, people, subject: str, now):
    with unit_of_work(engine) as session:
        return nudge(
            session,
            project_id=people.project.id,
            actor_id=people.camille.id,
            subject=subject,
            now=now,
        )


async def test_a_ballot_nudge_opens_the_ballot(bot, engine, people, ballots, nadia):
    now = utcnow()
    ballot_id = ballots.open("threshold", "Adopt the charter?", now=now)
    await send_due(bot, now=now)
    await nadia.reply()  # the ballot's opening notice
    result = _nudge(engine, people, f"ballot:{ballot_id}", now)
    assert result.sent_count == 1
    assert await send_due(bot, now=now) == 1
    notice = await nadia.reply()
    assert notice.text.startswith(
        "A reminder from Les Voisins du Quai: your voice has not voted on “Adopt the charter?” "
        "yet (the ballot closes on "
    )
    assert notice.buttons == [["🗳 Vote"]]
    nadia.press("🗳 Vote")
    assert (await nadia.reply()).text.startswith("🗳 Adopt the charter?")


async def test_a_questionnaire_nudge_opens_the_questionnaire(bot, engine, people, nadia):
    now = utcnow()
    with unit_of_work(engine) as session:
        view = import_questionnaire(session, project_id=people.project.id, text=QUESTIONNAIRE)
        open_questionnaire(session, project_id=people.project.id, questionnaire_id=view.id, now=now)
    _nudge(engine, people, f"questionnaire:{view.id}", now)
    assert await send_due(bot, now=now) == 1
    notice = await nadia.reply()
    assert notice.text == (
        "A reminder from Les Voisins du Quai: the questionnaire “Expectations” waits for "
        "your answers."
    )
    nadia.press("Answer the questionnaire")
    assert "How many square metres would you like?" in (await nadia.reply()).text


async def test_a_poll_nudge_opens_the_poll(bot, engine, people, workshops, nadia):
    now = utcnow()
    poll_id = workshops.poll(
        workshops.workshop(), slots=[now + 10 * DAY], deadline=now + 5 * DAY, now=now
    )
    await send_due(bot, now=now)
    await nadia.reply()  # the poll's opening notice
    _nudge(engine, people, f"poll:{poll_id}", now)
    assert await send_due(bot, now=now) == 1
    notice = await nadia.reply()
    assert notice.text.startswith(
        "A reminder from Les Voisins du Quai: give your availability for “Vision commune” before "
    )
    nadia.press("Give my availability")
    assert "Vision commune" in (await nadia.reply()).text
