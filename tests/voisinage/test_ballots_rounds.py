"""Consent: objections with reasons, integration rounds, and the fallback vote."""

from __future__ import annotations

import pytest

from tests.voisinage.ballots_support import DAY, NOW, close, make_group, open_ballot, result, vote
from voisinage import consent_rounds, documents
from voisinage.db import read_session, unit_of_work
from voisinage.decision_log import decision_log
from voisinage.errors import Conflict, InvalidValue
from voisinage.models import Project
from voisinage.projects import update_project_settings


@pytest.fixture
def group(engine):
    return make_group(engine)


@pytest.fixture
def article_id(engine, group):
    with unit_of_work(engine) as session:
        document = documents.create_document(
            session, project_id=group.project_id, kind="charter", title="Charte"
        )
        return documents.add_article(
            session,
            project_id=group.project_id,
            document_id=document.id,
            title="Bicycle room",
            text="The bicycle room holds 20 bicycles.",
        ).id


def _next(engine, group, ballot_id, *, text=None, at):
    with unit_of_work(engine) as session:
        return consent_rounds.next_round(
            session,
            project_id=group.project_id,
            ballot_id=ballot_id,
            text=text,
            closes_at=at + 5 * DAY,
            actor_id=group.facilitator_id,
            now=at,
        )


def _block(engine, group, ballot_id, *, at):
    vote(engine, group, ballot_id, "Nadia", {"choice": "consent"}, now=at)
    vote(
        engine, group, ballot_id, "Jeanne", {"choice": "objection", "reason": "Too small."}, now=at
    )
    close(engine, group, ballot_id, now=at + DAY)


def test_an_objection_without_a_reason_is_refused(engine, group, article_id):
    ballot = open_ballot(engine, group, method="consent", question=None, article_id=article_id)
    with pytest.raises(InvalidValue) as refused:
        vote(engine, group, ballot.id, "Nadia", {"choice": "objection", "reason": " "})
    assert str(refused.value) == "An objection needs a reason."


def test_blocked_rounds_lead_to_the_fallback_vote_and_the_log_shows_each_round(
    engine, group, article_id
):
    first = open_ballot(
        engine,
        group,
        method="consent",
        question=None,
        article_id=article_id,
        fallback_after_rounds=2,
    )
    _block(engine, group, first.id, at=NOW + DAY)
    second = _next(
        engine, group, first.id, text="The bicycle room holds 30 bicycles.", at=NOW + 3 * DAY
    )
    assert (second.method, second.round, second.previous_ballot_id) == (
        "consent",
        2,
        first.id,
    )
    with pytest.raises(Conflict):
        _next(engine, group, first.id, at=NOW + 3 * DAY)
    _block(engine, group, second.id, at=NOW + 4 * DAY)
    third = _next(engine, group, second.id, at=NOW + 6 * DAY)
    assert (third.method, third.rules.threshold, third.round) == ("threshold", "two_thirds", 3)
    for name, choice in (("Nadia", "for"), ("Jeanne", "against"), ("Linh", "for")):
        vote(engine, group, third.id, name, choice, now=NOW + 6 * DAY)
    close(engine, group, third.id, now=NOW + 7 * DAY)
    assert result(engine, group, third.id, now=NOW + 8 * DAY)["outcome"] == "adopted"
    with read_session(engine) as session:
        log = decision_log(session, project_id=group.project_id)
    assert [(d.round, d.method, d.outcome, d.wording) for d in log] == [
        (3, "threshold", "adopted", "The bicycle room holds 30 bicycles."),
        (2, "consent", "blocked", "The bicycle room holds 30 bicycles."),
        (1, "consent", "blocked", "The bicycle room holds 20 bicycles."),
    ]


def test_only_a_blocked_consent_ballot_has_a_next_round(engine, group, article_id):
    ballot = open_ballot(engine, group, method="consent", question=None, article_id=article_id)
    vote(engine, group, ballot.id, "Nadia", {"choice": "consent"})
    close(engine, group, ballot.id)
    with pytest.raises(InvalidValue):
        _next(engine, group, ballot.id, at=NOW + 3 * DAY)


def _set_project_fallback(engine, group, after_rounds, threshold, *, name="Les Voisins du Quai"):
    with unit_of_work(engine) as session:
        update_project_settings(
            session,
            project_id=group.project_id,
            name=name,
            language="fr",
            timezone="Europe/Paris",
            voting_unit="household",
            consent_fallback_after_rounds=after_rounds,
            consent_fallback_threshold=threshold,
            actor_id=group.facilitator_id,
        )


def test_a_consent_ballot_takes_the_project_fallback_unless_it_sets_its_own(engine, group):
    _set_project_fallback(engine, group, 3, "unanimity")
    default = open_ballot(engine, group, method="consent")
    assert (default.fallback_after_rounds, default.fallback_threshold) == (3, "unanimity")
    own = open_ballot(engine, group, method="consent", fallback_after_rounds=1)
    assert (own.fallback_after_rounds, own.fallback_threshold) == (1, "two_thirds")
    vote_for_against = open_ballot(engine, group, method="threshold")
    assert (vote_for_against.fallback_after_rounds, vote_for_against.fallback_threshold) == (
        None,
        None,
    )
    # The next round copies the ballot's own fallback, not the project's.
    _block(engine, group, own.id, at=NOW + DAY)
    fallback = _next(engine, group, own.id, at=NOW + 3 * DAY)
    assert (fallback.method, fallback.rules.threshold) == ("threshold", "two_thirds")


@pytest.mark.parametrize(
    ("after_rounds", "threshold", "message"),
    [
        (0, "two_thirds", "The fallback comes after 1 to 10 blocked rounds."),
        (11, None, "The fallback comes after 1 to 10 blocked rounds."),
        (None, "two_thirds", "The fallback comes after 1 to 10 blocked rounds."),
        (2, "most", None),
    ],
)
def test_a_wrong_project_fallback_is_refused_and_nothing_changes(
    engine, group, after_rounds, threshold, message
):
    _set_project_fallback(engine, group, 2, "two_thirds")
    with pytest.raises(InvalidValue) as refused:
        _set_project_fallback(engine, group, after_rounds, threshold, name="Renamed")
    if message:
        assert str(refused.value) == message
    with read_session(engine) as session:
        project = session.get(Project, group.project_id)
        assert (
            project.name,
            project.consent_fallback_after_rounds,
            project.consent_fallback_threshold,
        ) == ("Les Voisins du Quai", 2, "two_thirds")


def test_the_project_fallback_can_be_cleared(engine, group):
    _set_project_fallback(engine, group, 2, "absolute_majority")
    _set_project_fallback(engine, group, None, None)
    ballot = open_ballot(engine, group, method="consent")
    assert (ballot.fallback_after_rounds, ballot.fallback_threshold) == (None, None)
