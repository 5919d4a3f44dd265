"""Ballots: opening, voting, closing by hand and by time, results, and every refusal."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.voisinage.ballots_support import (
    DAY,
    HOUR,
    NOW,
    close,
    make_group,
    open_ballot,
    result,
    vote,
)
from voisinage import ballots
from voisinage.ballot_votes import cast_vote, my_voices, open_ballots_for
from voisinage.db import read_session, unit_of_work
from voisinage.errors import DomainError, Forbidden, InvalidValue, NotFound
from voisinage.models import BallotChoice, BallotParticipation


@pytest.fixture
def group(engine):
    return make_group(engine)


def _rows(engine, ballot_id):
    with read_session(engine) as session:
        return (
            session.exec(
                select(func.count()).where(BallotParticipation.ballot_id == ballot_id)
            ).one(),
            session.exec(select(func.count()).where(BallotChoice.ballot_id == ballot_id)).one(),
        )


def test_a_household_has_one_voice_and_its_last_vote_counts(engine, group):
    ballot = open_ballot(engine, group, threshold="simple_majority")
    [first] = vote(engine, group, ballot.id, "Nadia", "for")
    assert (first.voice.name, first.changed) == ("Foyer Benali", False)
    [receipt] = vote(engine, group, ballot.id, "Karim", "against")
    assert (receipt.voice.name, receipt.changed) == ("Foyer Benali", True)
    vote(engine, group, ballot.id, "Jeanne", "for")
    vote(engine, group, ballot.id, "Linh", "for")
    assert _rows(engine, ballot.id) == (3, 3)
    closed = close(engine, group, ballot.id)
    assert closed.outcome == "adopted"
    record = result(engine, group, ballot.id)
    assert record["figures"]["votes_for"] == 2
    assert record["figures"]["votes_against"] == 1
    assert (record["took_part"], record["eligible"]) == (3, 6)
    assert record["channels"] == {"online": 3, "room": 0, "by_proxy": 0}


def test_the_ballot_can_count_one_voice_per_person(engine, group):
    ballot = open_ballot(engine, group, voting_unit="person")
    vote(engine, group, ballot.id, "Nadia", "for")
    vote(engine, group, ballot.id, "Karim", "against")
    close(engine, group, ballot.id)
    record = result(engine, group, ballot.id)
    assert (record["took_part"], record["eligible"], record["outcome"]) == (2, 10, "tie")


def test_a_missed_quorum_is_the_result(engine, group):
    ballot = open_ballot(engine, group, quorum=Fraction(3, 4))
    for name in ("Nadia", "Jeanne", "Linh", "Paul"):
        vote(engine, group, ballot.id, name, "for")
    close(engine, group, ballot.id)
    record = result(engine, group, ballot.id)
    assert record["outcome"] == "no_quorum"
    assert record["quorum"] == {
        "share": {"fraction": "3/4", "percent": 75.0},
        "needed": 5,
        "reached": False,
    }
    assert record["figures"]["votes_for"] == 4


def test_results_stay_hidden_until_the_close_unless_shown_live(engine, group):
    hidden = open_ballot(engine, group)
    live = open_ballot(engine, group, results_live=True)
    for ballot in (hidden, live):
        vote(engine, group, ballot.id, "Nadia", "for")
    with pytest.raises(ballots.ResultsHidden):
        result(engine, group, hidden.id, now=NOW + 2 * HOUR)
    assert result(engine, group, live.id, now=NOW + 2 * HOUR)["figures"]["votes_for"] == 1
    # Past the closing time the count is final, even before the ballot is sealed.
    assert result(engine, group, hidden.id, now=NOW + 8 * DAY)["outcome"] == "adopted"
    close(engine, group, hidden.id)
    assert result(engine, group, hidden.id)["outcome"] == "adopted"


def test_ballots_close_by_themselves_at_their_closing_time(engine, group):
    ballot = open_ballot(engine, group, closes_at=NOW + DAY)
    later = open_ballot(engine, group, closes_at=NOW + 3 * DAY)
    vote(engine, group, ballot.id, "Nadia", "for")
    with unit_of_work(engine) as session:
        assert ballots.close_due_ballots(session, now=NOW + 2 * DAY) == [ballot.id]
    with unit_of_work(engine) as session:
        assert ballots.close_due_ballots(session, now=NOW + 2 * DAY) == []
        view = ballots.load_ballot(session, project_id=group.project_id, ballot_id=ballot.id)
        assert (view.closed_at, view.outcome) == (NOW + DAY, "adopted")
        assert (
            ballots.load_ballot(session, project_id=group.project_id, ballot_id=later.id).closed_at
            is None
        )


def test_a_member_sees_whether_they_voted_and_what(engine, group):
    ballot = open_ballot(engine, group)
    with read_session(engine) as session:
        [status] = my_voices(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            member_id=group.member("Karim"),
        )
    assert (status.voice.name, status.voted, status.choice) == ("Foyer Benali", False, None)
    vote(engine, group, ballot.id, "Nadia", "abstain")
    with read_session(engine) as session:
        [status] = my_voices(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            member_id=group.member("Karim"),
        )
    assert (status.voted, status.channel, status.choice) == (True, "online", "abstain")


def test_majority_judgment_approval_and_ranked_ballots_count_through_the_tallies(engine, group):
    judged = open_ballot(
        engine, group, method="majority_judgment", question="Which wording?", options=["A", "B"]
    )
    approval = open_ballot(
        engine, group, method="approval", question="Which architects?", options=["N", "R", "B"]
    )
    ranked = open_ballot(
        engine, group, method="ranked", question="Garden?", options=["P", "V", "J"]
    )
    for name, grades, approved, ranking in (
        ("Nadia", {"a": "good", "b": "passable"}, ["a", "c"], ["a", "b", "c"]),
        ("Jeanne", {"a": "very_good", "b": "good"}, ["c"], ["b", "c", "a"]),
        ("Linh", {"a": "fairly_good", "b": "excellent"}, ["a", "c"], ["a"]),
    ):
        vote(engine, group, judged.id, name, grades)
        vote(engine, group, approval.id, name, approved)
        vote(engine, group, ranked.id, name, ranking)
    for ballot in (judged, approval, ranked):
        close(engine, group, ballot.id)
    assert result(engine, group, judged.id)["winners"] == ["a"]
    assert result(engine, group, approval.id)["winners"] == ["c"]
    assert result(engine, group, ranked.id)["winners"] == ["a"]


def test_consent_keeps_the_objections_reasons_for_the_facilitator(engine, group):
    ballot = open_ballot(engine, group, method="consent")
    vote(engine, group, ballot.id, "Nadia", {"choice": "consent"})
    vote(engine, group, ballot.id, "Jeanne", {"choice": "objection", "reason": "Too small."})
    close(engine, group, ballot.id)
    record = result(engine, group, ballot.id)
    assert (record["outcome"], record["figures"]["reasons"]) == ("blocked", ["Too small."])


@pytest.mark.parametrize(
    ("who", "choice", "when", "error"),
    [
        ("Nadia", "for", NOW + 8 * DAY, ballots.BallotClosed),
        ("Nadia", "maybe", NOW + HOUR, InvalidValue),
        ("Nadia", ["for"], NOW + HOUR, InvalidValue),
        ("Camille", "for", NOW + HOUR, Forbidden),
        ("Bailleur", "for", NOW + HOUR, Forbidden),
    ],
    ids=["after-close", "unknown-choice", "malformed", "facilitator", "observer"],
)
def test_a_refused_vote_writes_nothing(engine, group, who, choice, when, error):
    ballot = open_ballot(engine, group)
    with pytest.raises(error), unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            member_id=group.member(who)
            if who in group.names.values()
            else (group.facilitator_id if who == "Camille" else group.observer_id),
            choice=choice,
            now=when,
        )
    assert _rows(engine, ballot.id) == (0, 0)


def test_a_scheduled_ballot_takes_no_vote_yet(engine, group):
    ballot = open_ballot(engine, group, opens_at=NOW + DAY)
    with pytest.raises(ballots.BallotNotOpen):
        vote(engine, group, ballot.id, "Nadia", "for")
    assert _rows(engine, ballot.id) == (0, 0)


def test_another_projects_ballot_and_members_are_not_found(engine, group):
    ballot = open_ballot(engine, group)
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=group.other_project_id,
            ballot_id=ballot.id,
            member_id=group.other_resident_id,
            choice="for",
            now=NOW + HOUR,
        )
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            member_id=group.other_resident_id,
            choice="for",
            now=NOW + HOUR,
        )
    assert _rows(engine, ballot.id) == (0, 0)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"method": "plurality"}, "Unknown choice plurality."),
        ({"options": ["A", "B"]}, "This method votes on one proposal: it takes no options."),
        ({"method": "approval", "options": ["A"]}, "This method needs at least two options."),
        ({"method": "ranked", "options": ["A", "A"]}, "The option A is listed twice."),
        ({"quorum": 0.5}, "The quorum must be a fraction above 0 and at most 1."),
        ({"closes_at": NOW - HOUR}, "The closing time must come after the opening time and now."),
        ({"question": "  "}, "Please write the question."),
        ({"fallback_after_rounds": 2}, "Only a consent ballot has a fallback."),
    ],
)
def test_a_badly_set_ballot_is_refused_and_nothing_is_written(engine, group, settings, message):
    with pytest.raises(DomainError) as refused:
        open_ballot(engine, group, **settings)
    assert str(refused.value) == message
    with read_session(engine) as session:
        assert ballots.list_ballots(session, project_id=group.project_id) == []


def test_only_facilitators_open_and_close_ballots(engine, group):
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        ballots.open_ballot(
            session,
            project_id=group.project_id,
            method="threshold",
            question="Q?",
            actor_id=group.member("Nadia"),
            now=NOW,
        )
    ballot = open_ballot(engine, group)
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        ballots.close_ballot(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            actor_id=group.member("Nadia"),
        )


def test_participation_says_who_voted_and_who_has_not_yet_never_what(engine, group):
    ballot = open_ballot(engine, group, secret=True)
    vote(engine, group, ballot.id, "Karim", "against")
    vote(engine, group, ballot.id, "Paul", "for")
    with read_session(engine) as session:
        figures = ballots.participation(session, project_id=group.project_id, ballot_id=ballot.id)
    assert [voice.name for voice in figures.voted] == ["Foyer Benali", "Foyer Moreau"]
    assert [voice.name for voice in figures.not_voted] == [
        "Foyer Diallo",
        "Foyer Dubois",
        "Foyer Nguyen",
        "Foyer Petit",
    ]
    assert (figures.eligible, figures.took_part, figures.online) == (6, 2, 2)


def test_a_member_finds_the_open_ballots_and_whether_their_voice_voted(engine, group):
    household = open_ballot(engine, group, question="Household?")
    person = open_ballot(engine, group, question="Person?", voting_unit="person")
    open_ballot(engine, group, question="Later?", opens_at=NOW + DAY)
    vote(engine, group, household.id, "Nadia", "for")
    vote(engine, group, person.id, "Nadia", "for")
    with read_session(engine) as session:
        found = open_ballots_for(
            session, project_id=group.project_id, member_id=group.member("Karim"), now=NOW + HOUR
        )
    # Nadia voted for the household, not for Karim in person.
    assert sorted((item.ballot.question, item.voted) for item in found) == [
        ("Household?", True),
        ("Person?", False),
    ]
