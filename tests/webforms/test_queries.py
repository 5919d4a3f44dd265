"""Pages run a fixed number of SQL queries, whatever the number of members."""

from __future__ import annotations

import pytest

from tests.webforms.conftest import counting_queries
from voisinage.db import unit_of_work
from voisinage.people import add_member, create_invitation
from voisinage.projects import add_household

PAGES = ["/", "/my-data", "/members", "/households", "/invitations", "/settings"]


def _grow(engine, world, households: int) -> None:
    """Add `households` households of two residents each, and an invitation per household."""
    with unit_of_work(engine) as session:
        for number in range(households):
            household = add_household(session, project_id=world.project.id, name=f"Foyer {number}")
            for person in ("A", "B"):
                add_member(
                    session,
                    project_id=world.project.id,
                    display_name=f"{person} {number}",
                    household_id=household.id,
                )
            create_invitation(session, project_id=world.project.id, household_id=household.id)


def _queries(app, web, world) -> dict[str, int]:
    counts = {}
    for page in PAGES:
        with counting_queries(app) as statements:
            response = web.get(f"/p/{world.project.slug}{page}")
        assert response.status_code == 200
        counts[page] = len(statements)
    return counts


@pytest.mark.parametrize("growth", [5, 60])
def test_queries_per_page_do_not_grow_with_the_members(app, web, world, engine, growth):
    web.sign_in(world.facilitator)
    small = _queries(app, web, world)
    _grow(engine, world, growth)
    assert _queries(app, web, world) == small
    # Every page finds the member with their project and household in one statement (after
    # the BEGIN that SQLite needs): all a page about the member alone asks.
    assert small["/my-data"] == (2 if engine.dialect.name == "sqlite" else 1)
    # Then one to three lists.
    assert max(small.values()) <= 5
