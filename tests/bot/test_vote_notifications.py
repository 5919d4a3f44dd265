"""Ballot notifications through the real outbox drain and the fake Bot API: opened (to members and
to the linked group, without names), the reminder to voices that have not voted, the result at the
close, the amendment decision; and ballots closed by the bot's job with its clock moved forward."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.outbox_sender import CLOCK_OFFSET_VARIABLE, send_due
from tests.bot.conftest import BotProcess
from tests.fakes.telegram_api import BOT, ChatReader
from voisinage import amendments, documents
from voisinage.ballot_votes import cast_vote
from voisinage.ballots import close_ballot
from voisinage.db import read_session, unit_of_work
from voisinage.models import Ballot, Member, utcnow
from voisinage.models.outbox import Notification
from voisinage.projects import link_telegram_group

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
GROUP_CHAT = -100777


@pytest.fixture(autouse=True)
def in_english(engine, people):
    """Nadia and Camille read English; the project, and so its group, French."""
    with unit_of_work(engine) as session:
        for member in (people.nadia, people.camille):
            row = session.get(Member, member.id)
            row.language = "en"
            session.add(row)


def _sent(engine, kind):
    with read_session(engine) as session:
        return list(
            session.exec(
                select(Notification).where(
                    Notification.kind == kind, Notification.sent_at.is_not(None)
                )
            )
        )


async def test_members_are_told_a_ballot_opens_once_and_vote_from_the_notice(
    bot, engine, people, ballots, nadia
):
    ballots.open("threshold", "Adopt the charter?")
    assert await send_due(bot, now=utcnow()) == 1
    notice = await nadia.reply()
    assert notice.text.startswith("A ballot is open: “Adopt the charter?”. Vote until ")
    assert notice.buttons == [["🗳 Vote"]]
    assert await send_due(bot, now=utcnow() + HOUR) == 0
    assert await nadia.private.silence(seconds=0.3) == []

    nadia.press("🗳 Vote")
    card = await nadia.reply()
    assert card.text.startswith("🗳 Adopt the charter?")
    assert card.buttons == [["🗳 Vote"], ["Back to the votes"]]


async def test_the_reminder_goes_only_to_voices_that_have_not_voted(
    bot, engine, people, ballots, nadia, telegram
):
    now = utcnow()
    jeanne = ballots.resident("Jeanne", telegram_user_id=1003)
    voted = ballots.open("threshold", "Adopt the charter?", closes_at=now + 3 * DAY, now=now)
    ballots.open("threshold", "Paint the hall?", closes_at=now + 3 * DAY, now=now)
    with unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=people.project.id,
            ballot_id=voted,
            member_id=people.nadia.id,
            choice="for",
        )
    await send_due(bot, now=now)
    opened = [await nadia.reply(), await nadia.reply()]
    assert all(reply.text.startswith("A ballot is open") for reply in opened)

    # Jeanne has voted on neither ballot; Nadia's household has voted on one.
    assert await send_due(bot, now=now + 2 * DAY + HOUR) == 3
    reminder = await nadia.reply()
    assert reminder.text.startswith(
        "Reminder: your voice has not voted on “Paint the hall?” yet. The ballot closes on "
    )
    assert reminder.buttons == [["🗳 Vote"]]
    assert await nadia.private.silence(seconds=0.3) == []
    assert sorted(
        (row.member_id, row.params["question"]) for row in _sent(engine, "ballot.reminder")
    ) == sorted(
        [
            (people.nadia.id, "Paint the hall?"),
            (jeanne.id, "Adopt the charter?"),
            (jeanne.id, "Paint the hall?"),
        ]
    )
    assert await send_due(bot, now=now + 2 * DAY + 2 * HOUR) == 0


async def test_the_result_is_told_when_the_ballot_closes_and_the_group_hears_of_it_opening(
    bot, engine, people, ballots, nadia, camille, telegram
):
    with unit_of_work(engine) as session:
        link_telegram_group(
            session, project_id=people.project.id, chat_id=GROUP_CHAT, actor_id=people.camille.id
        )
    group = ChatReader(telegram, GROUP_CHAT)
    ballot_id = ballots.open("threshold", "Keep hens?", secret=True)
    with unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=people.project.id,
            ballot_id=ballot_id,
            member_id=people.nadia.id,
            choice="against",
        )
    await send_due(bot, now=utcnow())
    post = await group.reply()
    # In the project's language (French), whatever Camille, who holds the row, speaks.
    assert "Keep hens?" in post.text
    assert list(post.button_data.values()) == [f"https://t.me/{BOT['username']}"]
    assert "Nadia" not in post.text
    assert "Benali" not in post.text
    await nadia.reply()  # the private notice

    with unit_of_work(engine) as session:
        close_ballot(
            session, project_id=people.project.id, ballot_id=ballot_id, actor_id=people.camille.id
        )
    assert await send_due(bot, now=utcnow()) == 2  # Nadia and Camille
    result = await nadia.reply()
    assert result.text == (
        "The ballot on “Keep hens?” is closed: not adopted (0 for, 1 against, 0 abstaining); "
        "1 of 1 voices took part."
    )
    assert result.buttons == [["📊 See the result"]]
    assert (await camille.reply()).text == result.text
    nadia.press("📊 See the result")
    card = await nadia.reply()
    assert "Result:\nnot adopted (0 for, 1 against, 0 abstaining)" in card.text
    assert await group.silence(seconds=0.3) == []


async def test_the_author_hears_of_the_decision_on_their_amendment(bot, engine, people, nadia):
    with unit_of_work(engine) as session:
        document = documents.create_document(
            session,
            project_id=people.project.id,
            kind="charter",
            title="Charte",
            actor_id=people.camille.id,
        )
        article = documents.add_article(
            session,
            project_id=people.project.id,
            document_id=document.id,
            title="Quiet hours",
            text="Quiet from 22:00.",
            actor_id=people.camille.id,
        )
        amendment = amendments.propose_amendment(
            session,
            project_id=people.project.id,
            article_id=article.id,
            author_id=people.nadia.id,
            text="Quiet from 23:00.",
        )
        amendments.reject_amendment(
            session,
            project_id=people.project.id,
            amendment_id=amendment.id,
            reason="The lease says 22:00.",
            actor_id=people.camille.id,
        )
    assert await send_due(bot, now=utcnow()) == 1
    told = await nadia.reply()
    assert told.text == "Your amendment to “Quiet hours” is rejected: The lease says 22:00."
    assert told.buttons == []


async def test_the_bots_job_closes_due_ballots_and_the_result_goes_out(
    bot_environ, engine, people, ballots, telegram, nadia, tmp_path
):
    """A ballot closing in an hour; a bot whose clock is two hours ahead closes it by itself."""
    ballot_id = ballots.open("threshold", "Adopt the charter?", closes_at=utcnow() + HOUR)
    with unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=people.project.id,
            ballot_id=ballot_id,
            member_id=people.nadia.id,
            choice="for",
        )
    environ = {**bot_environ, CLOCK_OFFSET_VARIABLE: str((2 * HOUR).total_seconds())}
    process = BotProcess(environ, tmp_path / "bot.log", telegram)
    await process.start()
    try:
        texts = [(await nadia.reply()).text]
        while "is closed" not in texts[-1]:
            texts.append((await nadia.reply()).text)
    finally:
        process.stop()
    assert (
        "The ballot on “Adopt the charter?” is closed: adopted (1 for, 0 against, 0 abstaining); "
        "1 of 1 voices took part."
    ) in texts
    # The opening notice expired with the close: it never went out.
    assert not any(text.startswith("A ballot is open") for text in texts)
    with read_session(engine) as session:
        ballot = session.get(Ballot, ballot_id)
        assert ballot.outcome == "adopted"
        assert ballot.closed_at is not None
    assert len(_sent(engine, "ballot.closed")) == 2
