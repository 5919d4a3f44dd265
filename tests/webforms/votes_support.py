"""Ballots and documents in the web tests' world, opened through the domain services."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from voisinage import ballots, documents
from voisinage.db import read_session, unit_of_work
from voisinage.models import Amendment, ArticleComment, BallotChoice, BallotParticipation, Proxy
from voisinage.people import add_member


def open_ballot(engine, world, **kwargs):
    arguments = {"method": "threshold", "question": "Adopt the garden rules?"} | kwargs
    with unit_of_work(engine) as session:
        return ballots.open_ballot(
            session, project_id=world.project.id, actor_id=world.facilitator.id, **arguments
        )


def close(engine, world, ballot_id):
    with unit_of_work(engine) as session:
        return ballots.close_ballot(
            session, project_id=world.project.id, ballot_id=ballot_id, actor_id=world.facilitator.id
        )


def neighbour(engine, world, name="Karim"):
    """Add a resident in the resident's household."""
    with unit_of_work(engine) as session:
        return add_member(
            session, project_id=world.project.id, display_name=name, household_id=world.household.id
        )


def charter(engine, world, *, articles=("Noise",)):
    with unit_of_work(engine) as session:
        document = documents.create_document(
            session,
            project_id=world.project.id,
            kind="charter",
            title="Good-neighbour charter",
            actor_id=world.facilitator.id,
        )
        ids = [
            documents.add_article(
                session,
                project_id=world.project.id,
                document_id=document.id,
                title=title,
                text=f"Quiet after 10 pm ({title}).",
                actor_id=world.facilitator.id,
            ).id
            for title in articles
        ]
    return document.id, ids


def rows(engine) -> dict[str, int]:
    """Count the rows votes and documents write: a refusal leaves them unchanged."""
    with read_session(engine) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (BallotParticipation, BallotChoice, Proxy, Amendment, ArticleComment)
        }
