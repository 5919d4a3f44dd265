"""The outbox drain: due notifications sent by the real bot through the fake Bot API, once each,
in each recipient's language, retried on flood control, given up on a blocked bot, and sent
exactly once across killed and restarted bot processes, with time moved forward, not slept."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.outbox_sender import CLOCK_OFFSET_VARIABLE, clock_from_env, send_due
from tests.bot.conftest import CAMILLE, NADIA, BotProcess
from voisinage import outbox
from voisinage.db import read_session, unit_of_work
from voisinage.models import Member, utcnow
from voisinage.models.outbox import Notification
from voisinage.workshop_rsvps import rsvp

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _rows(engine, kind=None):
    with read_session(engine) as session:
        statement = select(Notification).order_by(Notification.id)
        if kind is not None:
            statement = statement.where(Notification.kind == kind)
        return list(session.exec(statement))


def _speaks(engine, member, language):
    with unit_of_work(engine) as session:
        row = session.get(Member, member.id)
        row.language = language
        session.add(row)


def _reminder(engine, people, *, due_at):
    """Enqueue a workshop reminder for Nadia, due at `due_at`."""
    params = {
        "workshop_id": 1,
        "title": "Vision commune",
        "starts_at": (due_at + 2 * DAY).isoformat(),
        "ends_at": (due_at + 2 * DAY + 3 * HOUR).isoformat(),
        "place": "Salle commune",
        "timezone": "Europe/Paris",
    }
    with unit_of_work(engine) as session:
        outbox.enqueue(
            session,
            project_id=people.project.id,
            member_id=people.nadia.id,
            kind="workshop.reminder_48h",
            subject="workshop:1",
            dedupe_key="workshop:1:seq:0:reminder_48h:member:nadia",
            due_at=due_at,
            params=params,
            reminder=True,
            now=due_at - DAY,
        )


def _sent_to(telegram, chat_id):
    return [
        call.params["text"]
        for call in telegram.calls_to("sendMessage")
        if call.status == 200 and int(call.params["chat_id"]) == chat_id
    ]


def test_the_clock_moves_forward_only_when_a_test_says_so():
    assert clock_from_env({}) is utcnow
    moved = clock_from_env({CLOCK_OFFSET_VARIABLE: "3600"})()
    assert moved - utcnow() > timedelta(minutes=59)


async def test_due_notices_go_out_once_in_each_recipients_language_with_a_button(
    bot, engine, people, workshops, camille, nadia
):
    _speaks(engine, people.camille, "en")  # Nadia keeps the project's language, French
    workshop_id = workshops.workshop()
    starts_at = (utcnow() + 10 * DAY).replace(hour=13, minute=0, second=0, microsecond=0)
    workshops.schedule(workshop_id, starts_at=starts_at, place="Salle commune")

    await send_due(bot, now=utcnow())
    to_nadia, to_camille = await nadia.reply(), await camille.reply()
    assert to_nadia.text.startswith("« Vision commune » est programmé le ")
    assert to_nadia.text.endswith("(Salle commune). Dites-nous si vous venez.")
    assert to_camille.text.startswith("“Vision commune” is scheduled on ")
    assert to_camille.button_data["Open the workshop"] == (
        f"v1:ws:{people.project.id}:{workshop_id}"
    )
    assert all(row.sent_at is not None for row in _rows(engine, "workshop.scheduled"))
    # Sent is sent: a later run does not send them again.
    assert await send_due(bot, now=utcnow() + HOUR) == 0
    assert await nadia.private.silence(seconds=0.3) == []


async def test_a_member_following_their_telegram_app_gets_notices_in_its_language(
    bot, engine, people, workshops, nadia
):
    # Nadia chose no language: the bot speaks her Telegram app's English, and so must notices.
    nadia.send("/menu")
    assert (await nadia.reply()).text == "Les Voisins du Quai: what would you like to do?"
    workshop_id = workshops.workshop()
    starts_at = (utcnow() + 10 * DAY).replace(hour=13, minute=0, second=0, microsecond=0)
    workshops.schedule(workshop_id, starts_at=starts_at, place="Salle commune")

    await send_due(bot, now=utcnow())
    assert (await nadia.reply()).text.startswith("“Vision commune” is scheduled on ")


async def test_flood_control_is_waited_out_then_retried_after_telegrams_delay(
    bot, engine, people, telegram, nadia
):
    due = utcnow() + DAY
    _reminder(engine, people, due_at=due)
    # The rate limiter retries five times on its own; Telegram keeps refusing, for 10 minutes.
    telegram.fail("sendMessage", retry_after=1, times=5)
    telegram.fail("sendMessage", retry_after=600)

    assert await send_due(bot, now=due) == 0
    [row] = _rows(engine)
    assert (row.sent_at, row.failed_at, row.claimed_at) == (None, None, None)
    assert row.due_at == due + timedelta(seconds=600)
    assert "Retry in 600 seconds" in row.last_error

    assert await send_due(bot, now=due + timedelta(seconds=599)) == 0
    assert await send_due(bot, now=due + timedelta(seconds=600)) == 1
    assert (await nadia.reply()).text.startswith("Rappel : « Vision commune » a lieu dans deux")
    assert len(_sent_to(telegram, NADIA)) == 1


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (403, "Forbidden: bot was blocked by the user"),
        (400, "Bad Request: chat not found"),
    ],
)
async def test_a_member_who_blocked_the_bot_is_given_up_at_once(
    bot, engine, people, telegram, status, description
):
    due = utcnow() + DAY
    _reminder(engine, people, due_at=due)
    telegram.fail("sendMessage", status=status, description=description)

    assert await send_due(bot, now=due) == 0
    [row] = _rows(engine)
    assert row.failed_at == due
    assert row.sent_at is None
    assert description.split(": ")[1] in row.last_error.lower()
    assert await send_due(bot, now=due + DAY) == 0
    assert _sent_to(telegram, NADIA) == []


async def test_reminders_are_sent_exactly_once_across_killed_and_restarted_bots(
    bot_environ, engine, people, workshops, telegram, tmp_path
):
    """A bot killed while holding a batch, a restart within its lease, one after it, and a
    later one when the last reminder falls due: every notice reaches its member once."""
    now = utcnow()
    starts_at = now + 3 * DAY
    workshop_id = workshops.workshop()
    workshops.schedule(workshop_id, starts_at=starts_at, now=now)
    with unit_of_work(engine) as session:
        rsvp(
            session,
            project_id=people.project.id,
            workshop_id=workshop_id,
            member_id=people.nadia.id,
            status="coming",
            now=now,
        )
    log = tmp_path / "bot.log"

    def bot(offset: timedelta) -> BotProcess:
        environ = {**bot_environ, CLOCK_OFFSET_VARIABLE: str(offset.total_seconds())}
        return BotProcess(environ, log, telegram)

    def sent(kind):
        return [row for row in _rows(engine, kind) if row.sent_at is not None]

    # One day later, both "scheduled" notices and the 48-hour reminder are due. Telegram's
    # flood control holds the first send for a minute: the bot dies holding all three.
    telegram.fail("sendMessage", retry_after=60)
    first = bot(DAY + HOUR)
    await first.start()
    await telegram.wait_for(lambda calls: any(c.status == 429 for c in calls))
    first.kill()
    claimed = [row for row in _rows(engine) if row.claimed_at is not None]
    assert len(claimed) == 3
    assert not sent("workshop.scheduled")

    # Back a minute later: the claims may still be on their way, so nothing is sent.
    second = bot(DAY + HOUR + timedelta(minutes=1))
    await second.start()
    await asyncio.sleep(1.5)  # its first drain runs half a second after start-up
    assert [c for c in telegram.calls_to("sendMessage") if c.status == 200] == []
    second.kill()

    # Once the lease has run out, the next bot sends each of the three once.
    third = bot(DAY + HOUR + timedelta(minutes=6))
    await third.start()
    await telegram.wait_for(
        lambda calls: sum(c.method == "sendMessage" and c.status == 200 for c in calls) == 3
    )
    await _wait_until(lambda: len(sent("workshop.scheduled") + sent("workshop.reminder_48h")) == 3)
    third.kill()

    # Two hours before the workshop, only the last reminder is new.
    fourth = bot(starts_at - now - HOUR)
    await fourth.start()
    await telegram.wait_for(
        lambda calls: sum(c.method == "sendMessage" and c.status == 200 for c in calls) == 4
    )
    await _wait_until(lambda: len(sent("workshop.reminder_2h")) == 1)
    assert fourth.stop() == 0

    to_nadia, to_camille = _sent_to(telegram, NADIA), _sent_to(telegram, CAMILLE)
    assert len(to_camille) == 1
    assert to_camille[0].startswith("« Vision commune » est programmé")
    assert [text.split(" ")[0:4] for text in to_nadia] == [
        ["«", "Vision", "commune", "»"],
        ["Rappel", ":", "«", "Vision"],
        ["Rappel", ":", "«", "Vision"],
    ]
    assert "dans deux jours" in to_nadia[1]
    assert "dans deux heures" in to_nadia[2]
    assert all(row.attempts <= 2 for row in _rows(engine))


async def _wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)
