"""Factories for domain tests: a project with a facilitator, in a real database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.models import Household, Member, Project
from voisinage.people import add_member
from voisinage.projects import add_household, create_project


@dataclass
class World:
    project: Project
    facilitator: Member
    household: Household
    resident: Member
    other_project: Project
    other_facilitator: Member


@pytest.fixture
def world(engine) -> World:
    """Two projects: ours (a facilitator, one household, one resident) and another one."""
    with unit_of_work(engine) as session:
        project = create_project(session, name="Les Voisins du Quai")
        facilitator = add_member(
            session, project_id=project.id, display_name="Camille", role=Role.FACILITATOR
        )
        household = add_household(session, project_id=project.id, name="Foyer Benali")
        resident = add_member(
            session, project_id=project.id, display_name="Nadia", household_id=household.id
        )
        other = create_project(session, name="La Ruche", language="en")
        other_facilitator = add_member(
            session, project_id=other.id, display_name="Sam", role=Role.FACILITATOR
        )
    return World(project, facilitator, household, resident, other, other_facilitator)
