"""Pages run a fixed number of SQL queries, whatever the number of members."""

from __future__ import annotations

import pytest

from tests.webforms.conftest import counting_queries
from voisinage.ballot_votes import cast_vote
from voisinage.ballots import close_ballot, open_ballot
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
    # Then one to three lists; the home page two (a facilitator answers no questionnaire):
    # the open votes and the workshop path, one statement each.
    assert small["/"] == small["/my-data"] + 2
    assert max(small.values()) <= 5


@pytest.mark.parametrize("growth", [5, 60])
def test_a_residents_home_page_reads_its_three_cards_in_three_queries(
    app, web, world, engine, growth
):
    web.sign_in(world.resident)
    home = f"/p/{world.project.slug}/"
    with counting_queries(app) as before:
        assert web.get(home).status_code == 200
    _grow(engine, world, growth)
    with counting_queries(app) as after:
        assert web.get(home).status_code == 200
    # The membership (after SQLite's BEGIN), then questionnaires, votes and workshops.
    assert len(before) == len(after) == (5 if engine.dialect.name == "sqlite" else 4)


def _closed_ballots(engine, world, *, ballots: int, voters: int) -> int:
    """Close `ballots` majority judgments of 5 options, each voted by `voters` new residents."""
    with unit_of_work(engine) as session:
        for _ in range(ballots):
            ids = [
                add_member(session, project_id=world.project.id, display_name=f"Votant {n}").id
                for n in range(voters)
            ]
            view = open_ballot(
                session,
                project_id=world.project.id,
                question="Which architect?",
                method="majority_judgment",
                options=["North", "South", "Wood", "Straw", "Stone"],
                voting_unit="person",
                actor_id=world.facilitator.id,
            )
            for member_id in ids:
                cast_vote(
                    session,
                    project_id=world.project.id,
                    ballot_id=view.id,
                    member_id=member_id,
                    choice=dict.fromkeys("abcde", "good"),
                )
            close_ballot(
                session,
                project_id=world.project.id,
                ballot_id=view.id,
                actor_id=world.facilitator.id,
            )
    return view.id


def test_results_and_decision_log_queries_do_not_grow_with_voices_or_decisions(
    app, web, world, engine
):
    web.sign_in(world.facilitator)

    def queries(ballot_id: int) -> list[int]:
        counts = []
        for page in (f"/votes/{ballot_id}/results", "/decisions"):
            with counting_queries(app) as statements:
                response = web.get(f"/p/{world.project.slug}{page}")
            assert response.status_code == 200
            counts.append(len(statements))
        return counts

    small = queries(_closed_ballots(engine, world, ballots=1, voters=2))
    # Ten times the voices on the ballot shown, and six decisions in the log instead of one.
    assert queries(_closed_ballots(engine, world, ballots=5, voters=20)) == small
