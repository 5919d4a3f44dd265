"""Workshops of the web tests' world (project A, Europe/Paris), dated from the real clock.

The views take the current time from the clock, so the tests date things from it too: a slot
"in ten days" is ten days from now, and a past deadline is set through the services' `now`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from voisinage.db import unit_of_work
from voisinage.models import metadata
from voisinage.workshop_path import add_step
from voisinage.workshop_polls import SlotInput, open_poll, poll_table
from voisinage.workshop_schedule import schedule_workshop
from voisinage.workshops import current_workshop

PARIS = ZoneInfo("Europe/Paris")
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def now() -> datetime:
    return datetime.now(UTC)


def day(days: int) -> date:
    """Return the date in Paris `days` from today."""
    return (now().astimezone(PARIS) + days * DAY).date()


def local(days: int, at: time) -> datetime:
    """Return a naive wall-clock time in Paris, `days` from today."""
    return datetime.combine(day(days), at)


def new_workshop(engine: Engine, project_id: int, actor_id: int, title: str = "Vision") -> int:
    """Add a step to the path and return its workshop, to schedule."""
    with unit_of_work(engine) as session:
        step = add_step(session, project_id=project_id, title=title, actor_id=actor_id)
        return current_workshop(session, step_id=step.id).id


def scheduled_workshop(
    engine: Engine,
    project_id: int,
    actor_id: int,
    *,
    days: int = 10,
    title: str = "Vision",
    place: str = "Salle commune",
) -> int:
    """Return a new workshop scheduled `days` from today, 14:00 to 17:30 in Paris.

    A negative `days` gives a workshop that has taken place (scheduled before it began).
    """
    workshop_id = new_workshop(engine, project_id, actor_id, title)
    with unit_of_work(engine) as session:
        schedule_workshop(
            session,
            project_id=project_id,
            workshop_id=workshop_id,
            starts_at=local(days, time(14)),
            ends_at=local(days, time(17, 30)),
            place=place,
            actor_id=actor_id,
            now=now() + min(days - 5, 0) * DAY,
        )
    return workshop_id


def open_test_poll(
    engine: Engine,
    project_id: int,
    actor_id: int,
    workshop_id: int,
    *,
    slot_days: tuple[int, ...] = (10, 12, 14),
    deadline_days: int = 5,
    deadline: datetime | None = None,
    opened_days_ago: int = 0,
) -> tuple[int, list[int]]:
    """Open a poll for a workshop (14:00 to 17:30 on each day); return it and its slot ids.

    The deadline is at 20:00 `deadline_days` from today, or the aware `deadline` given.
    """
    with unit_of_work(engine) as session:
        poll = open_poll(
            session,
            project_id=project_id,
            workshop_id=workshop_id,
            slots=[
                SlotInput(local(d, time(14)), local(d, time(17, 30)), "Salle commune")
                for d in slot_days
            ],
            deadline=deadline or local(deadline_days, time(20)),
            actor_id=actor_id,
            now=now() - opened_days_ago * DAY,
        )
        table = poll_table(session, project_id=project_id, poll_id=poll.id)
        return poll.id, [slot.slot_id for slot in table.slots]


def everything(engine: Engine) -> dict[str, list]:
    """Return every row of every table: what "nothing written" compares."""
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
            for table in metadata.sorted_tables
        }
