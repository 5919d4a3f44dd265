"""Projects, households, members and roles, and the action log they leave."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from voisinage.audit import list_actions
from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.errors import Conflict, Forbidden, InvalidValue, NotFound
from voisinage.models import Household, Member, Project
from voisinage.people import change_role, list_members, move_member
from voisinage.projects import (
    add_household,
    create_project,
    get_project,
    rename_household,
    update_project_settings,
)


def test_project_slug_comes_from_the_name_without_accents(engine):
    with unit_of_work(engine) as session:
        project = create_project(session, name="  L'Échappée   Belle ")
    assert (project.name, project.slug) == ("L'Échappée Belle", "l-echappee-belle")


def test_second_project_with_the_same_slug_is_refused(engine):
    with unit_of_work(engine) as session:
        create_project(session, name="La Ruche")
    with unit_of_work(engine) as session, pytest.raises(Conflict):
        create_project(session, name="La  Ruche")


@pytest.mark.parametrize(
    "options",
    [
        {"language": "de"},
        {"timezone": "Mars/Olympus"},
        {"voting_unit": "apartment"},
        {"slug": "Bad Slug"},
    ],
    ids=["language", "timezone", "voting-unit", "slug"],
)
def test_invalid_project_settings_are_refused(engine, options):
    with unit_of_work(engine) as session, pytest.raises(InvalidValue):
        create_project(session, name="La Ruche", **options)
    with unit_of_work(engine) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 0


def test_unknown_project_slug(engine):
    with unit_of_work(engine) as session, pytest.raises(NotFound) as refused:
        get_project(session, "nowhere")
    assert str(refused.value) == "There is no project with the short name nowhere."


def test_household_names_are_unique_ignoring_case(engine, world):
    with unit_of_work(engine) as session, pytest.raises(Conflict):
        add_household(session, project_id=world.project.id, name="foyer  BENALI")
    with unit_of_work(engine) as session:
        add_household(session, project_id=world.other_project.id, name="Foyer Benali")


def test_a_failed_transaction_writes_nothing(engine, world):
    def add_twice() -> None:
        with unit_of_work(engine) as session:
            add_household(session, project_id=world.project.id, name="Foyer Kaya")
            add_household(session, project_id=world.project.id, name="Foyer Kaya")

    with pytest.raises(Conflict):
        add_twice()
    with unit_of_work(engine) as session:
        names = session.exec(
            select(Household.name).where(Household.project_id == world.project.id)
        ).all()
    assert names == ["Foyer Benali"]


def test_members_are_listed_by_household_then_name(engine, world):
    rows = []
    with unit_of_work(engine) as session:
        kaya = add_household(session, project_id=world.project.id, name="Foyer Kaya")
        from voisinage.people import add_member

        add_member(session, project_id=world.project.id, display_name="Elif", household_id=kaya.id)
        add_member(
            session,
            project_id=world.project.id,
            display_name="Ali",
            household_id=world.household.id,
        )
        rows = list_members(session, project_id=world.project.id)
    assert [(r.household_name, r.display_name, r.role) for r in rows] == [
        ("Foyer Benali", "Ali", Role.RESIDENT),
        ("Foyer Benali", "Nadia", Role.RESIDENT),
        ("Foyer Kaya", "Elif", Role.RESIDENT),
        (None, "Camille", Role.FACILITATOR),
    ]


def test_facilitator_promotes_a_resident_and_the_log_says_who(engine, world):
    with unit_of_work(engine) as session:
        change_role(
            session,
            project_id=world.project.id,
            member_id=world.resident.id,
            role=Role.FACILITATOR,
            actor_id=world.facilitator.id,
        )
    with unit_of_work(engine) as session:
        assert session.get(Member, world.resident.id).role == Role.FACILITATOR
        latest = list_actions(session, project_id=world.project.id)[0]
    assert (latest.action, latest.actor_id, latest.details["previous"], latest.details["role"]) == (
        "member.change_role",
        world.facilitator.id,
        "resident",
        "facilitator",
    )


def test_the_last_facilitator_cannot_step_down(engine, world):
    with unit_of_work(engine) as session, pytest.raises(Conflict):
        change_role(
            session,
            project_id=world.project.id,
            member_id=world.facilitator.id,
            role=Role.RESIDENT,
            actor_id=world.facilitator.id,
        )


def test_residents_and_other_projects_facilitators_cannot_change_roles(engine, world):
    for actor in (world.resident, world.other_facilitator):
        with unit_of_work(engine) as session, pytest.raises(Forbidden):
            change_role(
                session,
                project_id=world.project.id,
                member_id=world.resident.id,
                role=Role.FACILITATOR,
                actor_id=actor.id,
            )
    with unit_of_work(engine) as session, pytest.raises(NotFound):
        change_role(
            session,
            project_id=world.other_project.id,
            member_id=world.resident.id,
            role=Role.FACILITATOR,
            actor_id=world.other_facilitator.id,
        )


def test_move_and_rename(engine, world):
    with unit_of_work(engine) as session:
        kaya = add_household(session, project_id=world.project.id, name="Foyer Kaya")
        move_member(
            session,
            project_id=world.project.id,
            member_id=world.resident.id,
            household_id=kaya.id,
            actor_id=world.facilitator.id,
        )
        rename_household(
            session, project_id=world.project.id, household_id=kaya.id, name="Foyer Kaya-Benali"
        )
    with unit_of_work(engine) as session:
        rows = list_members(session, project_id=world.project.id)
        with pytest.raises(InvalidValue):
            move_member(
                session, project_id=world.project.id, member_id=world.resident.id, household_id=None
            )
    assert [(r.display_name, r.household_name) for r in rows if r.role == Role.RESIDENT] == [
        ("Nadia", "Foyer Kaya-Benali")
    ]


def test_project_settings_change_is_logged_once(engine, world):
    for _ in range(2):
        with unit_of_work(engine) as session:
            update_project_settings(
                session,
                project_id=world.project.id,
                name="Les Voisins du Quai",
                language="en",
                timezone="Europe/Brussels",
                voting_unit="person",
                actor_id=world.facilitator.id,
            )
    with unit_of_work(engine) as session:
        project = session.get(Project, world.project.id)
        updates = [
            a for a in list_actions(session, project_id=project.id) if a.action == "project.update"
        ]
    assert (project.language, project.timezone, project.voting_unit) == (
        "en",
        "Europe/Brussels",
        "person",
    )
    assert [u.details for u in updates] == [
        {"language": "en", "timezone": "Europe/Brussels", "voting_unit": "person"}
    ]


def test_household_sizes_count_members_of_each_household(engine, world):
    from voisinage.people import add_member
    from voisinage.projects import household_sizes

    with unit_of_work(engine) as session:
        kaya = add_household(session, project_id=world.project.id, name="Foyer Kaya")
        add_household(session, project_id=world.project.id, name="Foyer Vide")
        add_member(
            session,
            project_id=world.project.id,
            display_name="Ali",
            household_id=world.household.id,
        )
        add_member(session, project_id=world.project.id, display_name="Elif", household_id=kaya.id)
        sizes = household_sizes(session, project_id=world.project.id)
    assert sizes == {world.household.id: 2, kaya.id: 1}
