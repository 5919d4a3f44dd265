"""A cohousing group in a real database for ballot and document tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from voisinage import ballots
from voisinage.ballot_votes import cast_vote
from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.people import add_member
from voisinage.projects import add_household, create_project

NOW = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
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
    households: dict[str, tuple[int, list[int]]]
    names: dict[int, str]
    other_project_id: int
    other_facilitator_id: int
    other_resident_id: int

    def member(self, name: str) -> int:
        return next(member_id for member_id, n in self.names.items() if n == name)


def make_group(engine: Engine, *, voting_unit: str = "household") -> Group:
    """Six households, ten residents, a facilitator and an observer; and another project."""
    with unit_of_work(engine) as session:
        project = create_project(session, name="Les Voisins du Quai", voting_unit=voting_unit)
        facilitator = add_member(
            session, project_id=project.id, display_name="Camille", role=Role.FACILITATOR
        )
        observer = add_member(
            session, project_id=project.id, display_name="Bailleur", role=Role.OBSERVER
        )
        households: dict[str, tuple[int, list[int]]] = {}
        names: dict[int, str] = {}
        for name, people in HOUSEHOLDS.items():
            household = add_household(session, project_id=project.id, name=name)
            ids = []
            for person in people:
                member = add_member(
                    session,
                    project_id=project.id,
                    display_name=person,
                    household_id=household.id,
                )
                ids.append(member.id)
                names[member.id] = person
            households[name] = (household.id, ids)
        other = create_project(session, name="La Ruche", language="en")
        other_facilitator = add_member(
            session, project_id=other.id, display_name="Sam", role=Role.FACILITATOR
        )
        other_resident = add_member(session, project_id=other.id, display_name="Alex")
    return Group(
        project_id=project.id,
        facilitator_id=facilitator.id,
        observer_id=observer.id,
        households=households,
        names=names,
        other_project_id=other.id,
        other_facilitator_id=other_facilitator.id,
        other_resident_id=other_resident.id,
    )


def open_ballot(engine: Engine, group: Group, **settings: Any) -> ballots.BallotView:
    """Open a ballot now, closing in a week, with the facilitator's rights."""
    settings.setdefault("question", "Adopt the guest room rules?")
    settings.setdefault("method", "threshold")
    settings.setdefault("closes_at", NOW + 7 * DAY)
    with unit_of_work(engine) as session:
        return ballots.open_ballot(
            session,
            project_id=group.project_id,
            actor_id=group.facilitator_id,
            now=NOW,
            **settings,
        )


def vote(engine: Engine, group: Group, ballot_id: int, name: str, choice: Any, **kwargs: Any):
    with unit_of_work(engine) as session:
        return cast_vote(
            session,
            project_id=group.project_id,
            ballot_id=ballot_id,
            member_id=group.member(name),
            choice=choice,
            now=kwargs.pop("now", NOW + HOUR),
            **kwargs,
        )


def close(engine: Engine, group: Group, ballot_id: int, *, now: datetime = NOW + 2 * DAY):
    with unit_of_work(engine) as session:
        return ballots.close_ballot(
            session,
            project_id=group.project_id,
            ballot_id=ballot_id,
            actor_id=group.facilitator_id,
            now=now,
        )


def result(engine: Engine, group: Group, ballot_id: int, *, now: datetime = NOW + 3 * DAY):
    with unit_of_work(engine) as session:
        return ballots.ballot_result(
            session,
            project_id=group.project_id,
            ballot_id=ballot_id,
            viewer_id=group.facilitator_id,
            now=now,
        )
