"""The demo project, modelled on "Les Voisins du Quai" (Lille): seeded idempotently."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from voisinage.enums import Role, VotingUnit
from voisinage.models import Member, Project
from voisinage.people import add_member
from voisinage.projects import add_household, create_project, find_household

DEMO_SLUG = "voisins-du-quai"
DEMO_NAME = "Les Voisins du Quai"

# Twelve households, as in the Lille project: seven buying their home (accession),
# five renting from the social landlord (locatif social).
DEMO_HOUSEHOLDS: dict[str, list[str]] = {
    "Foyer Lefebvre": ["Claire Lefebvre", "Mathieu Lefebvre"],
    "Foyer Benali": ["Nadia Benali", "Karim Benali"],
    "Foyer Dubois": ["Jeanne Dubois"],
    "Foyer Nguyen": ["Linh Nguyen", "Thomas Nguyen"],
    "Foyer Moreau": ["Paul Moreau", "Inès Moreau"],
    "Foyer Diallo": ["Aïssatou Diallo"],
    "Foyer Petit": ["Sophie Petit", "Julien Petit"],
    "Foyer Lambert": ["Odile Lambert", "Bernard Lambert"],
    "Foyer Garcia": ["Lucía García"],
    "Foyer Vermeulen": ["Hélène Vermeulen", "Pieter Vermeulen"],
    "Foyer Kaya": ["Elif Kaya"],
    "Foyer Marchand": ["Régis Marchand", "Amandine Marchand"],
}
DEMO_FACILITATOR = "Camille Roussel (AMO)"
DEMO_OBSERVER = "Service habitat du bailleur"


@dataclass(frozen=True)
class DemoProject:
    project: Project
    facilitator: Member
    resident: Member


def seed_demo(session: Session) -> DemoProject:
    """Create the demo project, or complete it; running it again adds nothing twice."""
    project = session.exec(select(Project).where(Project.slug == DEMO_SLUG)).first()
    if project is None:
        project = create_project(
            session,
            name=DEMO_NAME,
            slug=DEMO_SLUG,
            language="fr",
            timezone="Europe/Paris",
            voting_unit=VotingUnit.HOUSEHOLD,
        )
    facilitator = _member(session, project, DEMO_FACILITATOR, Role.FACILITATOR, None)
    _member(session, project, DEMO_OBSERVER, Role.OBSERVER, None)
    residents = []
    for household_name, people in DEMO_HOUSEHOLDS.items():
        household = find_household(session, project_id=project.id, name=household_name)
        if household is None:
            household = add_household(session, project_id=project.id, name=household_name)
        residents += [
            _member(session, project, name, Role.RESIDENT, household.id) for name in people
        ]
    return DemoProject(project=project, facilitator=facilitator, resident=residents[0])


def _member(
    session: Session, project: Project, name: str, role: Role, household_id: int | None
) -> Member:
    member = session.exec(
        select(Member).where(Member.project_id == project.id, Member.display_name == name)
    ).first()
    return member or add_member(
        session, project_id=project.id, display_name=name, role=role, household_id=household_id
    )
