"""Reminders and notices about polls and workshops: scheduled as data, sent once, with time moved."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.sql_counter import counting
from tests.voisinage.workshops_support import (
    DAY,
    HOUR,
    NOW,
    FakeTelegram,
    make_group,
    new_workshop,
    scheduled_workshop,
)
from voisinage import db, outbox
from voisinage.db import unit_of_work
from voisinage.models.outbox import Notification
from voisinage.people import add_member
from voisinage.projects import add_household
from voisinage.workshop_polls import SlotInput, answer_poll, confirm_slot, open_poll, poll_table
from voisinage.workshop_rsvps import rsvp
from voisinage.workshop_schedule import cancel_workshop, schedule_workshop

MINUTE = timedelta(minutes=1)
# The poll closes on Wednesday 10 March 2027 at 18:00 in Lille (17:00 UTC).
DEADLINE = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
SLOT = datetime(2027, 3, 20, 13, 0, tzinfo=UTC)


@pytest.fixture
def group(engine):
    return make_group(engine)


def _invited(group):
    return sorted([group.facilitator_id, *group.residents])


def _open_poll(engine, group, *, deadline=DEADLINE, now=NOW):
    workshop_id = new_workshop(engine, group)
    with unit_of_work(engine) as session:
        poll = open_poll(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            slots=[SlotInput(SLOT, SLOT + 3 * HOUR), SlotInput(SLOT + DAY, SLOT + DAY + 3 * HOUR)],
            deadline=deadline,
            actor_id=group.facilitator_id,
            now=now,
        )
    with db.read_session(engine) as session:
        table = poll_table(session, project_id=group.project_id, poll_id=poll.id)
    return poll.id, [slot.slot_id for slot in table.slots]


def _answer(engine, group, poll_id, name, answers, now=NOW):
    with unit_of_work(engine) as session:
        answer_poll(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            member_id=group.member(name),
            answers=answers,
            now=now,
        )


def _rsvp(engine, group, workshop_id, name, status="coming", people=1, now=NOW):
    with unit_of_work(engine) as session:
        rsvp(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            member_id=group.member(name),
            status=status,
            people=people,
            now=now,
        )


def _pending(engine, group, kind):
    with db.read_session(engine) as session:
        rows = outbox.list_notifications(session, project_id=group.project_id)
    return sorted(
        (n.member_id, n.due_at)
        for n in rows
        if n.kind == kind and n.cancelled_at is None and n.sent_at is None
    )


def test_opening_a_poll_tells_everyone_invited_and_schedules_reminders(engine, group):
    _open_poll(engine, group)
    assert [m for m, _ in _pending(engine, group, "poll.opened")] == _invited(group)
    assert _pending(engine, group, "poll.reminder") == [
        (member, DEADLINE - 48 * HOUR) for member in _invited(group)
    ]
    assert _pending(engine, group, "poll.deadline_passed") == [(group.facilitator_id, DEADLINE)]


def test_answering_every_slot_cancels_the_households_reminders(engine, group):
    poll_id, (first, second) = _open_poll(engine, group)
    _answer(engine, group, poll_id, "Nadia", {first: "yes"})
    reminded = [m for m, _ in _pending(engine, group, "poll.reminder")]
    assert group.member("Karim") in reminded
    _answer(engine, group, poll_id, "Karim", {second: "no"})
    reminded = [m for m, _ in _pending(engine, group, "poll.reminder")]
    assert group.member("Nadia") not in reminded
    assert group.member("Karim") not in reminded
    assert len(reminded) == len(_invited(group)) - 2


def test_a_poll_closing_within_two_days_has_no_reminder_but_its_opening_notice(engine, group):
    _open_poll(engine, group, deadline=NOW + 30 * HOUR)
    assert _pending(engine, group, "poll.reminder") == []
    assert len(_pending(engine, group, "poll.opened")) == len(_invited(group))


def test_from_poll_to_workshop_everyone_is_told_once_across_a_bot_restart(
    database_url, engine, group
):
    poll_id, (first, second) = _open_poll(engine, group)
    _answer(engine, group, poll_id, "Nadia", {first: "yes", second: "if_need_be"}, now=NOW + HOUR)
    bot = FakeTelegram(engine)
    bot.drain(NOW + HOUR)
    bot.drain(NOW + 2 * HOUR)
    engine.dispose()  # the bot restarts

    bot.engine = db.make_engine(database_url)
    for moment in (DEADLINE - 49 * HOUR, DEADLINE - 48 * HOUR, DEADLINE - 47 * HOUR, DEADLINE):
        bot.drain(moment)
    with unit_of_work(bot.engine) as session:
        workshop = confirm_slot(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            slot_id=first,
            actor_id=group.facilitator_id,
            now=DEADLINE + HOUR,
        )
    _rsvp(bot.engine, group, workshop.id, "Linh", people=2, now=DEADLINE + 2 * HOUR)
    _rsvp(bot.engine, group, workshop.id, "Jeanne", now=DEADLINE + 2 * HOUR)
    _rsvp(bot.engine, group, workshop.id, "Jeanne", "not_coming", now=DEADLINE + 3 * HOUR)
    bot.run(DEADLINE + HOUR, SLOT + HOUR, every=30 * MINUTE)
    with db.read_session(bot.engine) as session:
        sent = {
            (n.member_id, n.kind): n.sent_at
            for n in outbox.list_notifications(session, project_id=group.project_id)
            if n.sent_at
        }
    bot.engine.dispose()

    received = Counter(bot.kinds)
    nguyen = [group.member("Linh"), group.member("Thomas")]
    benali = [group.member("Nadia"), group.member("Karim")]
    assert received == Counter(
        {
            **{(m, "poll.opened"): 1 for m in _invited(group)},
            **{(m, "poll.reminder"): 1 for m in _invited(group) if m not in benali},
            (group.facilitator_id, "poll.deadline_passed"): 1,
            **{(m, "workshop.scheduled"): 1 for m in _invited(group)},
            **{(m, "workshop.reminder_48h"): 1 for m in nguyen},
            **{(m, "workshop.reminder_2h"): 1 for m in nguyen},
        }
    )
    # Each in its time, at the first drain after it falls due.
    assert SLOT - 48 * HOUR <= sent[nguyen[0], "workshop.reminder_48h"] < SLOT - 47 * HOUR
    assert SLOT - 2 * HOUR <= sent[nguyen[0], "workshop.reminder_2h"] < SLOT - HOUR


def test_moving_a_workshop_moves_its_reminders_and_tells_everyone(engine, group):
    starts = NOW + 10 * DAY
    workshop_id = scheduled_workshop(engine, group, starts_at=starts)
    _rsvp(engine, group, workshop_id, "Linh")
    bot = FakeTelegram(engine)
    bot.drain(starts - 48 * HOUR)  # the first 48-hour reminder goes out
    later = starts + 7 * DAY
    with unit_of_work(engine) as session:
        schedule_workshop(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            starts_at=later,
            ends_at=later + 3 * HOUR,
            place="Maison de quartier",
            actor_id=group.facilitator_id,
            now=starts - 47 * HOUR,
        )
    assert _pending(engine, group, "workshop.reminder_2h") == [
        (group.member("Linh"), later - 2 * HOUR),
        (group.member("Thomas"), later - 2 * HOUR),
    ]
    bot.kinds.clear()
    bot.run(starts - 47 * HOUR, later, every=HOUR)
    linh = group.member("Linh")
    assert [kind for member, kind in bot.kinds if member == linh] == [
        "workshop.changed",
        "workshop.reminder_48h",
        "workshop.reminder_2h",
    ]
    assert Counter(kind for _, kind in bot.kinds)["workshop.changed"] == len(_invited(group))
    assert any("Maison de quartier" in text for texts in bot.inbox.values() for text in texts)


def test_cancelling_a_workshop_cancels_its_reminders_and_tells_everyone(engine, group):
    starts = NOW + 10 * DAY
    workshop_id = scheduled_workshop(engine, group, starts_at=starts)
    _rsvp(engine, group, workshop_id, "Linh")
    with unit_of_work(engine) as session:
        replacement = cancel_workshop(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            actor_id=group.facilitator_id,
            now=NOW + DAY,
        )
    assert replacement.status == "to_schedule"
    assert replacement.id != workshop_id
    bot = FakeTelegram(engine)
    bot.run(NOW + DAY, starts, every=6 * HOUR)
    kinds = Counter(kind for _, kind in bot.kinds)
    # The "scheduled" notices of the day before were never drained: cancelled with the rest.
    assert kinds == Counter({"workshop.cancelled": len(_invited(group))})
    with db.read_session(engine) as session:
        reminders = [
            n
            for n in outbox.list_notifications(session, subject=f"workshop:{workshop_id}")
            if n.kind.startswith("workshop.reminder")
        ]
    assert reminders
    assert {n.cancel_reason for n in reminders} == {"workshop_cancelled"}


def test_a_member_who_turned_reminders_off_still_hears_of_changes(engine, group):
    thomas = group.member("Thomas")
    with unit_of_work(engine) as session:
        outbox.set_reminders(session, member_id=thomas, enabled=False, now=NOW)
    starts = NOW + 10 * DAY
    workshop_id = scheduled_workshop(engine, group, starts_at=starts)
    _rsvp(engine, group, workshop_id, "Linh")
    bot = FakeTelegram(engine)
    bot.run(NOW, starts, every=HOUR)
    assert [kind for member, kind in bot.kinds if member == thomas] == ["workshop.scheduled"]
    assert [kind for member, kind in bot.kinds if member == group.member("Linh")] == [
        "workshop.scheduled",
        "workshop.reminder_48h",
        "workshop.reminder_2h",
    ]


def test_not_coming_any_more_cancels_the_households_reminders(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    _rsvp(engine, group, workshop_id, "Linh")
    _rsvp(engine, group, workshop_id, "Thomas", "not_coming", now=NOW + HOUR)
    assert _pending(engine, group, "workshop.reminder_48h") == []
    _rsvp(engine, group, workshop_id, "Thomas", "coming", now=NOW + 2 * HOUR)
    assert len(_pending(engine, group, "workshop.reminder_48h")) == 2
    # The same two rows, cancelled then revived: nobody gets the reminder twice.
    with db.read_session(engine) as session:
        rows = outbox.list_notifications(session, project_id=group.project_id)
    assert sum(n.kind == "workshop.reminder_48h" for n in rows) == 2


def _announcements(engine, group) -> tuple[int, int]:
    """Return the SQL statements of opening a poll and of scheduling a workshop."""
    with counting(engine) as poll:
        _open_poll(engine, group)
    with counting(engine) as scheduled:
        scheduled_workshop(engine, group)
    return len(poll), len(scheduled)


def test_announcing_costs_the_same_queries_whatever_the_number_of_members(engine, group):
    small = _announcements(engine, group)
    with unit_of_work(engine) as session:
        for number in range(20):
            household = add_household(session, project_id=group.project_id, name=f"Foyer {number}")
            for person in ("A", "B"):
                add_member(
                    session,
                    project_id=group.project_id,
                    display_name=f"{person} {number}",
                    household_id=household.id,
                )
    assert _announcements(engine, group) == small
    with db.read_session(engine) as session:
        told = session.exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "workshop.scheduled")
        ).one()
    # Both times, everyone invited was told: the 40 newcomers the second time too.
    assert told == 2 * len(_invited(group)) + 40
