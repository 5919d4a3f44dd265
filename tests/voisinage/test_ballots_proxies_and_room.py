"""Proxies (procurations) and votes held in the room: every voice counts once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
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
from voisinage import proxies
from voisinage.ballot_rules import tally
from voisinage.ballot_votes import (
    counted_papers,
    my_voices,
    named_votes,
    paper_ballots,
    record_paper_ballots,
    record_room_votes,
)
from voisinage.db import read_session, unit_of_work
from voisinage.errors import Conflict, Forbidden, InvalidValue
from voisinage.models import BallotParticipation, Project, Proxy
from voisinage.projects import update_project_settings
from voisinage.tallies import DEFAULT_GRADES


@pytest.fixture
def group(engine):
    return make_group(engine, voting_unit="person")


def give(engine, group, giver, holder, **kwargs):
    with unit_of_work(engine) as session:
        return proxies.give_proxy(
            session,
            project_id=group.project_id,
            giver_id=group.member(giver),
            holder_id=group.member(holder),
            now=NOW,
            **kwargs,
        ).id


def _participations(engine, ballot_id):
    with read_session(engine) as session:
        return session.exec(
            select(func.count()).where(BallotParticipation.ballot_id == ballot_id)
        ).one()


def test_a_proxy_holder_votes_for_both_in_one_go_and_the_count_shows_it(engine, group):
    give(engine, group, "Jeanne", "Nadia")
    ballot = open_ballot(engine, group)
    receipts = vote(
        engine,
        group,
        ballot.id,
        "Nadia",
        "for",
        for_member_ids=[group.member("Nadia"), group.member("Jeanne")],
    )
    assert [(r.voice.name, r.by_proxy) for r in receipts] == [("Nadia", False), ("Jeanne", True)]
    close(engine, group, ballot.id)
    record = result(engine, group, ballot.id)
    assert record["figures"]["votes_for"] == 2
    assert record["channels"] == {"online": 2, "room": 0, "by_proxy": 1}


def test_a_proxy_holder_votes_separately_and_the_giver_keeps_their_voice(engine, group):
    ballot = open_ballot(engine, group)
    give(engine, group, "Jeanne", "Nadia", ballot_id=ballot.id)
    vote(engine, group, ballot.id, "Nadia", "against")
    vote(engine, group, ballot.id, "Nadia", "for", for_member_ids=[group.member("Jeanne")])
    with read_session(engine) as session:
        statuses = my_voices(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            member_id=group.member("Nadia"),
        )
    assert [(s.voice.name, s.by_proxy, s.choice) for s in statuses] == [
        ("Nadia", False, "against"),
        ("Jeanne", True, "for"),
    ]
    # Jeanne votes herself: her voice is hers, and still counts once.
    vote(engine, group, ballot.id, "Jeanne", "abstain")
    close(engine, group, ballot.id)
    record = result(engine, group, ballot.id)
    assert (record["took_part"], record["figures"]["abstentions"]) == (2, 1)
    assert record["channels"]["by_proxy"] == 0


def test_nobody_votes_for_a_member_without_their_proxy(engine, group):
    ballot = open_ballot(engine, group)
    with pytest.raises(Forbidden) as refused:
        vote(engine, group, ballot.id, "Nadia", "for", for_member_ids=[group.member("Jeanne")])
    assert str(refused.value) == "You do not hold a proxy from Jeanne for this ballot."
    assert _participations(engine, ballot.id) == 0


def test_a_member_holds_at_most_the_projects_number_of_proxies(engine, group):
    give(engine, group, "Jeanne", "Nadia")
    give(engine, group, "Linh", "Nadia")
    with pytest.raises(Conflict) as refused:
        give(engine, group, "Paul", "Nadia")
    assert str(refused.value) == "Nadia already holds 2 proxies, the most allowed."
    with unit_of_work(engine) as session:
        project = session.get(Project, group.project_id)
        update_project_settings(
            session,
            project_id=project.id,
            name=project.name,
            language=project.language,
            timezone=project.timezone,
            voting_unit=project.voting_unit,
            max_proxies=3,
            actor_id=group.facilitator_id,
        )
    give(engine, group, "Paul", "Nadia")


def test_a_revoked_proxy_frees_its_place_and_no_longer_votes(engine, group):
    proxy_id = give(engine, group, "Jeanne", "Nadia")
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        proxies.revoke_proxy(
            session, project_id=group.project_id, proxy_id=proxy_id, actor_id=group.member("Linh")
        )
    with unit_of_work(engine) as session:
        proxies.revoke_proxy(
            session, project_id=group.project_id, proxy_id=proxy_id, actor_id=group.member("Jeanne")
        )
    ballot = open_ballot(engine, group)
    with pytest.raises(Forbidden):
        vote(engine, group, ballot.id, "Nadia", "for", for_member_ids=[group.member("Jeanne")])
    with read_session(engine) as session:
        assert proxies.proxies_held(session, holder_id=group.member("Nadia")) == 0


@pytest.mark.parametrize(
    ("giver", "holder", "error", "message"),
    [
        ("Nadia", "Nadia", InvalidValue, "You cannot give a proxy to yourself."),
        ("Camille", "Nadia", Forbidden, "Only residents give or hold proxies."),
        ("Nadia", "Bailleur", Forbidden, "Only residents give or hold proxies."),
    ],
)
def test_a_proxy_given_wrongly_is_refused(engine, group, giver, holder, error, message):
    ids = {"Camille": group.facilitator_id, "Bailleur": group.observer_id}
    with pytest.raises(error) as refused, unit_of_work(engine) as session:
        proxies.give_proxy(
            session,
            project_id=group.project_id,
            giver_id=ids.get(giver) or group.member(giver),
            holder_id=ids.get(holder) or group.member(holder),
        )
    assert str(refused.value) == message
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Proxy)).one() == 0


def test_a_second_proxy_for_the_same_voice_is_refused(engine, group):
    give(engine, group, "Jeanne", "Nadia")
    with pytest.raises(Conflict) as refused:
        give(engine, group, "Jeanne", "Linh")
    assert (
        str(refused.value) == "You have already given this voice to Nadia: revoke that proxy first."
    )


def test_a_mixed_named_ballot_counts_every_voice_once(engine, group):
    ballot = open_ballot(engine, group)
    vote(engine, group, ballot.id, "Nadia", "for")
    votes = {group.member("Nadia"): "against", group.member("Jeanne"): "for"}
    with pytest.raises(Conflict) as refused, unit_of_work(engine) as session:
        record_room_votes(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            votes=votes,
            actor_id=group.facilitator_id,
            now=NOW + HOUR,
        )
    assert str(refused.value) == "Nadia has already voted."
    assert _participations(engine, ballot.id) == 1
    with unit_of_work(engine) as session:
        record_room_votes(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            votes={group.member("Jeanne"): "for", group.member("Linh"): "against"},
            actor_id=group.facilitator_id,
            now=NOW + HOUR,
        )
    # A voice recorded in the room is not changed online behind the facilitator's back.
    with pytest.raises(Conflict):
        vote(engine, group, ballot.id, "Linh", "for")
    close(engine, group, ballot.id)
    record = result(engine, group, ballot.id)
    assert (record["figures"]["votes_for"], record["figures"]["votes_against"]) == (2, 1)
    assert record["channels"] == {"online": 1, "room": 2, "by_proxy": 0}


def test_a_secret_paper_vote_is_recorded_as_counts_for_the_voices_present(engine, group):
    ballot = open_ballot(engine, group, secret=True)
    vote(engine, group, ballot.id, "Nadia", "for")
    present = [group.member(name) for name in ("Jeanne", "Linh", "Paul")]

    def record(voters, ballots):
        with unit_of_work(engine) as session:
            return record_paper_ballots(
                session,
                project_id=group.project_id,
                ballot_id=ballot.id,
                voter_ids=voters,
                ballots=ballots,
                actor_id=group.facilitator_id,
                now=NOW + HOUR,
            )

    with pytest.raises(InvalidValue) as refused:
        record(present, paper_ballots({"for": 1, "against": 1}))
    assert str(refused.value) == ("There are 2 paper ballots for 3 voices: the numbers must match.")
    with pytest.raises(Conflict):
        record([*present, group.member("Nadia")], paper_ballots({"for": 2, "against": 2}))
    assert _participations(engine, ballot.id) == 1
    assert record(present, paper_ballots({"for": 2, "against": 1})) == 3
    close(engine, group, ballot.id, now=NOW + DAY)
    outcome = result(engine, group, ballot.id)
    assert (outcome["figures"]["votes_for"], outcome["figures"]["votes_against"]) == (3, 1)
    assert outcome["channels"] == {"online": 1, "room": 3, "by_proxy": 0}


def test_room_votes_need_a_facilitator_and_the_right_kind_of_ballot(engine, group):
    named = open_ballot(engine, group)
    secret = open_ballot(engine, group, secret=True)
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        record_room_votes(
            session,
            project_id=group.project_id,
            ballot_id=named.id,
            votes={group.member("Jeanne"): "for"},
            actor_id=group.member("Nadia"),
            now=NOW + HOUR,
        )
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        record_room_votes(
            session,
            project_id=group.project_id,
            ballot_id=secret.id,
            votes={group.member("Jeanne"): "for"},
            actor_id=group.facilitator_id,
            now=NOW + HOUR,
        )
    assert _participations(engine, named.id) + _participations(engine, secret.id) == 0


def _record_papers(engine, group, ballot_id, voters, ballots):
    with unit_of_work(engine) as session:
        return record_paper_ballots(
            session,
            project_id=group.project_id,
            ballot_id=ballot_id,
            voter_ids=[group.member(name) for name in voters],
            ballots=ballots,
            actor_id=group.facilitator_id,
            now=NOW + HOUR,
        )


def test_approval_papers_counted_per_option_give_the_papers_result(engine, group):
    ballot = open_ballot(
        engine, group, method="approval", options=["Potager", "Verger", "Mare"], secret=True
    )
    vote(engine, group, ballot.id, "Nadia", ["b", "c"])
    present = ["Jeanne", "Linh", "Paul"]
    with pytest.raises(InvalidValue) as refused:
        counted_papers(ballot, {"a": 4, "b": 1}, papers=3)
    assert str(refused.value) == "Potager has 4 approvals for 3 paper ballots."
    with pytest.raises(InvalidValue):
        counted_papers(ballot, {"a": -1}, papers=3)
    papers = counted_papers(ballot, {"a": 3, "b": 1}, papers=3)
    assert papers == [["a", "b"], ["a"], ["a"]]
    assert _record_papers(engine, group, ballot.id, present, papers) == 3
    close(engine, group, ballot.id)
    record = result(engine, group, ballot.id)
    # Approvals: Potager 3 (paper), Verger 1 + 1 (Nadia online), Mare 1 (Nadia): Potager wins.
    assert [row["approvals"] for row in record["figures"]["options"]] == [3, 2, 1]
    assert record["winners"] == ["a"]
    assert record["took_part"] == 4


def test_majority_judgment_papers_counted_per_grade_change_the_winner(engine, group):
    ballot = open_ballot(
        engine, group, method="majority_judgment", options=["Atelier", "Collectif"], secret=True
    )
    vote(engine, group, ballot.id, "Nadia", {"a": "good", "b": "passable"})
    with pytest.raises(InvalidValue) as refused:
        counted_papers(ballot, {"a": {"excellent": 3}, "b": {"good": 2}}, papers=3)
    assert str(refused.value) == (
        "Collectif has 2 grades for 3 paper ballots: every paper grades every option."
    )
    papers = counted_papers(
        ballot, {"a": {"passable": 3}, "b": {"very_good": 2, "excellent": 1}}, papers=3
    )
    _record_papers(engine, group, ballot.id, ["Jeanne", "Linh", "Paul"], papers)
    close(engine, group, ballot.id)
    record = result(engine, group, ballot.id)
    # Online alone Atelier (good) beat Collectif (passable); with the three papers the four
    # grades are Atelier: G P P P → lower median P; Collectif: E VG VG P → VG. Collectif wins.
    assert [p["majority_grade"] for p in record["figures"]["profiles"]] == [
        "passable",
        "very_good",
    ]
    assert record["winners"] == ["b"]


def test_counted_majority_judgment_papers_tally_as_the_real_papers(engine, group):
    ballot = open_ballot(
        engine, group, method="majority_judgment", options=["A", "B", "C"], secret=True
    )
    grade = st.sampled_from(DEFAULT_GRADES)

    @given(st.lists(st.fixed_dictionaries({"a": grade, "b": grade, "c": grade}), min_size=1))
    def same_result(real):
        counts = {
            key: {g: sum(paper[key] == g for paper in real) for g in DEFAULT_GRADES}
            for key in "abc"
        }
        counted = counted_papers(ballot, counts, papers=len(real))
        assert tally(ballot.rules, counted, eligible=None) == tally(
            ballot.rules, real, eligible=None
        )

    same_result()


def test_more_papers_than_the_voices_left_to_vote_are_refused(engine, group):
    ballot = open_ballot(engine, group, secret=True)
    for name in ("Nadia", "Karim", "Jeanne", "Linh", "Thomas", "Paul", "Inès"):
        vote(engine, group, ballot.id, name, "for")
    with pytest.raises(InvalidValue) as refused:
        _record_papers(
            engine, group, ballot.id, ["Sophie", "Julien", "Aïssatou"], paper_ballots({"for": 4})
        )
    assert str(refused.value) == "There are 4 paper ballots for 3 voices: the numbers must match."
    assert _participations(engine, ballot.id) == 7


def test_a_named_ballot_tells_who_chose_what_and_a_secret_one_refuses(engine, group):
    give(engine, group, "Jeanne", "Nadia")
    named = open_ballot(engine, group)
    vote(
        engine,
        group,
        named.id,
        "Nadia",
        "for",
        for_member_ids=[group.member("Nadia"), group.member("Jeanne")],
    )
    vote(engine, group, named.id, "Linh", "against")
    secret = open_ballot(engine, group, secret=True)
    vote(engine, group, secret.id, "Linh", "against")
    with read_session(engine) as session:
        votes = named_votes(session, project_id=group.project_id, ballot_id=named.id)
        with pytest.raises(Forbidden):
            named_votes(session, project_id=group.project_id, ballot_id=secret.id)
    assert [(v.voice.name, v.choice, v.by_proxy) for v in votes] == [
        ("Jeanne", "for", True),
        ("Linh", "against", False),
        ("Nadia", "for", False),
    ]
