"""A cohousing group in a real database for workshop and outbox tests, and a stand-in drain job."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from voisinage import db, outbox
from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.i18n import translator
from voisinage.models.outbox import Notification
from voisinage.people import add_member
from voisinage.projects import add_household, create_project
from voisinage.workshop_path import add_step
from voisinage.workshop_schedule import schedule_workshop
from voisinage.workshops import current_workshop

# A Monday morning in Lille, winter time (UTC+1).
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

HOUSEHOLDS = {
    "Foyer Benali": ["Nadia", "Karim"],
    "Foyer Dubois": ["Jeanne"],
    "Foyer Nguyen": ["Linh", "Thomas"],
    "Foyer Moreau": ["Paul", "Inès"],
    "Foyer Diallo": ["Aïssatou"],
    "Foyer Petit": ["Sophie", "Julien"],
}


@dataclass
class Group:
    project_id: int
    facilitator_id: int
    observer_id: int
    # Household name → (household id, member ids).
    households: dict[str, tuple[int, list[int]]]
    names: dict[int, str]
    other_project_id: int
    other_facilitator_id: int
    other_resident_id: int

    def member(self, name: str) -> int:
        return next(member_id for member_id, n in self.names.items() if n == name)

    def household(self, name: str) -> int:
        return self.households[name][0]

    @property
    def residents(self) -> list[int]:
        return [m for _, members in self.households.values() for m in members]


def make_group(engine: Engine, suffix: str = "") -> Group:
    """Create the group: a facilitator, six households on Telegram, an observer, another project.

    A `suffix` makes the projects' names unique, for tests that need a fresh group each time.
    """
    names: dict[int, str] = {}
    telegram_id = 5000

    def member(session, project_id, name, role=Role.RESIDENT, household_id=None):
        nonlocal telegram_id
        telegram_id += 1
        created = add_member(
            session,
            project_id=project_id,
            display_name=name,
            role=role,
            household_id=household_id,
        )
        # As joining through the bot does.
        created.telegram_user_id = telegram_id
        session.add(created)
        names[created.id] = name
        return created.id

    with unit_of_work(engine) as session:
        project = create_project(
            session, name=f"Les Voisins du Quai{suffix}", timezone="Europe/Paris"
        )
        facilitator_id = member(session, project.id, "Camille", Role.FACILITATOR)
        observer_id = member(session, project.id, "Bailleur", Role.OBSERVER)
        households = {}
        for household_name, people in HOUSEHOLDS.items():
            household = add_household(session, project_id=project.id, name=household_name)
            households[household_name] = (
                household.id,
                [member(session, project.id, name, household_id=household.id) for name in people],
            )
        other = create_project(session, name=f"La Ruche{suffix}", language="en")
        other_facilitator_id = member(session, other.id, "Sam", Role.FACILITATOR)
        other_household = add_household(session, project_id=other.id, name="Foyer Hive")
        other_resident_id = member(session, other.id, "Robin", household_id=other_household.id)
    return Group(
        project_id=project.id,
        facilitator_id=facilitator_id,
        observer_id=observer_id,
        households=households,
        names=names,
        other_project_id=other.id,
        other_facilitator_id=other_facilitator_id,
        other_resident_id=other_resident_id,
    )


def new_workshop(engine: Engine, group: Group, title: str = "Vision commune") -> int:
    """Add a step to the group's path and return its workshop, to schedule."""
    with unit_of_work(engine) as session:
        step = add_step(
            session, project_id=group.project_id, title=title, actor_id=group.facilitator_id
        )
        return current_workshop(session, step_id=step.id).id


def scheduled_workshop(
    engine: Engine,
    group: Group,
    *,
    starts_at: datetime = NOW + 10 * DAY,
    place: str = "Salle commune, 3 quai de l'Ouest",
    now: datetime = NOW,
) -> int:
    """Return a new workshop scheduled (directly, without a poll) for a 3.5-hour afternoon."""
    workshop_id = new_workshop(engine, group)
    with unit_of_work(engine) as session:
        schedule_workshop(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            starts_at=starts_at,
            ends_at=starts_at + 3.5 * HOUR,
            place=place,
            actor_id=group.facilitator_id,
            now=now,
        )
    return workshop_id


@dataclass
class FakeTelegram:
    """The bot's drain job with a fake send: what each Telegram user received, in order."""

    engine: Engine
    inbox: dict[int, list[str]] = field(default_factory=dict)
    kinds: list[tuple[int, str]] = field(default_factory=list)

    def drain(self, now: datetime) -> int:
        """Claim, send and mark everything due at `now`; return how many were sent."""
        with unit_of_work(self.engine) as session:
            batch = outbox.claim_due(session, now=now, limit=1000)
        for item in batch:
            self.deliver(item)
            with unit_of_work(self.engine) as session:
                assert outbox.mark_sent(
                    session, notification_id=item.id, claim_token=item.claim_token, now=now
                )
        return len(batch)

    def run(self, start: datetime, end: datetime, every: timedelta) -> None:
        """Drain every `every` from `start` to `end`, as the bot's repeating job would.

        Stretches where nothing falls due are skipped rather than drained moment by moment.
        """
        moment = start
        while moment <= end:
            self.drain(moment)
            with db.read_session(self.engine) as session:
                due = session.exec(
                    select(func.min(Notification.due_at)).where(
                        Notification.sent_at.is_(None),
                        Notification.cancelled_at.is_(None),
                        Notification.failed_at.is_(None),
                        Notification.due_at > moment,
                    )
                ).one()
            if due is None:
                return
            moment = start + math.ceil((due - start) / every) * every

    def deliver(self, item: outbox.ClaimedNotification) -> None:
        text = outbox.render(item, translator(item.member_language or item.project_language))
        self.inbox.setdefault(item.telegram_user_id, []).append(text)
        self.kinds.append((item.member_id, item.kind))

    def received(self, kind: str) -> list[int]:
        """Return the members who received notifications of a kind, in order."""
        return [member_id for member_id, k in self.kinds if k == kind]
