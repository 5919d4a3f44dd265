"""Digests sent by the real bot through the fake Bot API, with time moved forward, not slept:
one to the facilitator and one in the group, nothing more after a restart in the same period,
one a day at 09:00 in Paris across the change to summer time, and a late one after an outage."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.outbox_sender import CLOCK_OFFSET_VARIABLE
from tests.bot.conftest import CAMILLE, BotProcess
from voisinage.db import read_session, unit_of_work
from voisinage.digests import set_digest_schedule
from voisinage.models import Member, Project, utcnow
from voisinage.models.followup import DigestRun
from voisinage.models.outbox import Notification

PARIS = ZoneInfo("Europe/Paris")
GROUP_CHAT = -100555


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def _set_up(engine, people, *, group: bool = False) -> None:
    """Digests daily at 09:00 for the English-speaking project, its group linked if asked."""
    with unit_of_work(engine) as session:
        project = session.get(Project, people.project.id)
        project.language = "en"
        project.telegram_chat_id = GROUP_CHAT if group else None
        session.add(project)
        session.flush()
        set_digest_schedule(
            session, project_id=project.id, actor_id=people.camille.id, frequency="daily",
            weekday=0, hour=9, group_digest=group,
        )  # fmt: skip


def _sent_to(telegram, chat_id):
    return [
        call.params
        for call in telegram.calls_to("sendMessage")
        if call.status == 200 and int(call.params["chat_id"]) == chat_id
    ]


def _all_sent(engine) -> bool:
    with read_session(engine) as session:
        rows = session.exec(select(Notification).where(col(Notification.kind).startswith("digest")))
        return all(row.sent_at is not None for row in rows)


async def _wait_until(condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def _runs(engine) -> list[DigestRun]:
    with read_session(engine) as session:
        return list(session.exec(select(DigestRun).order_by(col(DigestRun.scheduled_for))))


class Bots:
    """Start bot processes one after another, each with its clock set to a moment."""

    def __init__(self, environ, telegram, log) -> None:
        self.environ, self.telegram, self.log = environ, telegram, log

    async def at(self, moment: datetime) -> BotProcess:
        offset = (moment - utcnow()).total_seconds()
        bot = BotProcess(
            {**self.environ, CLOCK_OFFSET_VARIABLE: str(offset)}, self.log, self.telegram
        )
        await bot.start()
        return bot


@pytest.fixture
def bots(bot_environ, telegram, tmp_path) -> Iterator[Bots]:
    log = tmp_path / "bot.log"
    log.touch()
    yield Bots({**bot_environ, "PYTHONUNBUFFERED": "1"}, telegram, log)
    # pytest shows this only when the test failed.
    print(log.read_text())


async def test_one_digest_for_the_facilitator_and_one_in_the_group_even_across_a_restart(
    bots, engine, people, telegram
):
    _set_up(engine, people, group=True)
    first = await bots.at(paris(2027, 3, 1, 9, 5))
    await telegram.wait_for(lambda calls: len(_sent_to(telegram, GROUP_CHAT)) == 1)
    await telegram.wait_for(lambda calls: len(_sent_to(telegram, CAMILLE)) == 1)
    await _wait_until(lambda: _all_sent(engine))
    first.kill()

    # Killed and back half an hour later, within the same day: nothing more.
    second = await bots.at(paris(2027, 3, 1, 9, 35))
    await asyncio.sleep(1.5)
    assert second.stop() == 0
    [private], [posted] = _sent_to(telegram, CAMILLE), _sent_to(telegram, GROUP_CHAT)
    assert len(_runs(engine)) == 1

    assert private["text"].startswith("Les Voisins du Quai — where the project stands on")
    assert "(late" not in private["text"]
    buttons = {
        button.get("callback_data") or button.get("url")
        for row in private["reply_markup"]["inline_keyboard"]
        for button in row
    }
    slug = people.project.slug
    assert buttons == {
        f"v1:menu:{people.project.id}:summary",
        f"http://voisinage.test/p/{slug}/dashboard",
    }

    assert posted["text"].startswith("Les Voisins du Quai — the group's digest of March 1, 2027")
    for personal in ("Camille", "Nadia", "Foyer Benali", "missing"):
        assert personal not in posted["text"]


async def test_one_digest_a_day_at_nine_in_paris_across_the_change_to_summer_time(
    bots, engine, people, telegram
):
    _set_up(engine, people)

    async def run_at(moment: datetime, expected: int) -> None:
        bot = await bots.at(moment)
        await telegram.wait_for(lambda calls: len(_sent_to(telegram, CAMILLE)) == expected)
        await _wait_until(lambda: _all_sent(engine))
        await asyncio.sleep(0.5)
        bot.kill()

    # Saturday 09:05 winter time (08:05 UTC); Sunday 28 March at 08:55 summer time (06:55 UTC)
    # is not yet nine; 09:05 (07:05 UTC) is; 10:30 is the same day; Monday 09:05 is the next.
    await run_at(paris(2027, 3, 27, 9, 5), 1)
    await run_at(paris(2027, 3, 28, 8, 55), 1)
    await run_at(paris(2027, 3, 28, 9, 5), 2)
    await run_at(paris(2027, 3, 28, 10, 30), 2)
    await run_at(paris(2027, 3, 29, 9, 5), 3)

    runs = _runs(engine)
    assert [run.period for run in runs] == ["2027-03-27", "2027-03-28", "2027-03-29"]
    assert [run.scheduled_for.astimezone(PARIS).hour for run in runs] == [9, 9, 9]
    assert [run.scheduled_for.hour for run in runs] == [8, 7, 7]
    assert not any(run.late for run in runs)
    assert all("(late" not in sent["text"] for sent in _sent_to(telegram, CAMILLE))


async def test_a_bot_down_at_nine_sends_one_digest_marked_late_when_it_comes_back(
    bots, engine, people, telegram
):
    _set_up(engine, people)
    with unit_of_work(engine) as session:
        camille = session.get(Member, people.camille.id)
        camille.language = "fr"
        session.add(camille)
    bot = await bots.at(paris(2027, 3, 4, 11, 0))
    await telegram.wait_for(lambda calls: len(_sent_to(telegram, CAMILLE)) == 1)
    await asyncio.sleep(1.0)
    assert bot.stop() == 0
    [sent] = _sent_to(telegram, CAMILLE)
    [run] = _runs(engine)
    assert (run.period, run.late) == ("2027-03-04", True)
    # In Camille's language; the late mark gives the planned moment in the project's zone.
    assert sent["text"].startswith("Les Voisins du Quai — état du projet au 04/03/2027")
    assert "jeudi 4 mars 2027 à 09:00" in sent["text"]
