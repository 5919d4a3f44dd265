"""Secret ballots: after the close, nothing in the database links a voter to a choice."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.voisinage.ballots_support import HOUR, NOW, close, make_group, open_ballot, result, vote
from voisinage.ballot_exports import export_ballot
from voisinage.ballot_votes import my_voices
from voisinage.db import read_session
from voisinage.errors import InvalidValue


@pytest.fixture
def group(engine):
    return make_group(engine)


def _json(engine, value):
    # SQLite hands JSON columns back as text to a raw query, PostgreSQL as Python values.
    return json.loads(value) if engine.dialect.name == "sqlite" else value


def _raw(engine, sql, **params):
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(sql), params)]


def test_a_voter_changes_a_secret_vote_while_open_and_nobody_can_link_it_after_the_close(
    engine, group
):
    ballot = open_ballot(engine, group, secret=True, method="approval", options=["N", "R", "B"])
    vote(engine, group, ballot.id, "Nadia", ["a"])
    vote(engine, group, ballot.id, "Jeanne", ["b", "c"])
    vote(engine, group, ballot.id, "Linh", ["a"])
    # Nadia's household changes its mind: found again through the keyed tag, replaced.
    [receipt] = vote(engine, group, ballot.id, "Karim", ["b"])
    assert receipt.changed
    with read_session(engine) as session:
        [status] = my_voices(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            member_id=group.member("Nadia"),
            now=NOW + HOUR,
        )
    assert status.choice == ["b"]
    before = _raw(engine, "SELECT id, voice_tag, household_id, member_id FROM ballot_choice")
    assert len(before) == 3
    assert all(
        row["voice_tag"] and not row["household_id"] and not row["member_id"] for row in before
    )

    close(engine, group, ballot.id)

    ballot_row = _raw(engine, "SELECT secret_key FROM ballot WHERE id = :id", id=ballot.id)
    assert ballot_row == [{"secret_key": None}]
    after = _raw(
        engine,
        "SELECT * FROM ballot_choice WHERE ballot_id = :id ORDER BY id",
        id=ballot.id,
    )
    assert sorted(sorted(_json(engine, row["value"])) for row in after) == [
        ["a"],
        ["b"],
        ["b", "c"],
    ]
    # No column of a choice names or tags a voice, and no choice keeps an id (hence an
    # insertion order) from before the close.
    assert set(after[0]) == {"id", "ballot_id", "household_id", "member_id", "voice_tag", "value"}
    assert all(
        row["household_id"] is None and row["member_id"] is None and row["voice_tag"] is None
        for row in after
    )
    assert min(row["id"] for row in after) > max(row["id"] for row in before)
    # Who voted is still known, never what: participation has no choice, the log no value.
    participation = _raw(
        engine, "SELECT * FROM ballot_participation WHERE ballot_id = :id", id=ballot.id
    )
    assert len(participation) == 3
    assert not {"value", "choice", "voice_tag"} & set(participation[0])
    logs = _raw(engine, "SELECT details FROM action_log")
    assert not any('"b"' in str(row["details"]) or "['b']" in str(row["details"]) for row in logs)
    # The voter cannot see their choice any more either: it is nobody's now.
    with read_session(engine) as session:
        [status] = my_voices(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            member_id=group.member("Nadia"),
            now=NOW + 3 * HOUR,
        )
    assert (status.voted, status.choice) == (True, None)
    assert result(engine, group, ballot.id)["winners"] == ["b"]


def test_a_named_ballot_keeps_the_voter_on_the_choice(engine, group):
    ballot = open_ballot(engine, group)
    vote(engine, group, ballot.id, "Jeanne", "for")
    close(engine, group, ballot.id)
    [row] = _raw(engine, "SELECT household_id, voice_tag FROM ballot_choice")
    assert row == {"household_id": group.households["Foyer Dubois"][0], "voice_tag": None}


@pytest.mark.pg
def test_fifty_concurrent_submissions_of_one_member_store_one_ballot(engine, group):
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter: SQLite has one writer")
    choices = ["for", "against", "abstain"]
    for secret in (False, True):
        ballot = open_ballot(engine, group, secret=secret)

        def submit(index: int, ballot_id: int = ballot.id) -> None:
            vote(engine, group, ballot_id, "Nadia", choices[index % 3])

        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(submit, range(50)))
        participation = _raw(
            engine, "SELECT * FROM ballot_participation WHERE ballot_id = :id", id=ballot.id
        )
        choice_rows = _raw(
            engine, "SELECT value FROM ballot_choice WHERE ballot_id = :id", id=ballot.id
        )
        assert len(participation) == 1
        assert len(choice_rows) == 1
        assert choice_rows[0]["value"] in choices


def test_exports_name_the_voices_of_a_named_ballot_only(engine, group):
    secret = open_ballot(engine, group, secret=True)
    named = open_ballot(engine, group)
    for ballot in (secret, named):
        vote(engine, group, ballot.id, "Jeanne", "for")
        vote(engine, group, ballot.id, "Linh", "against")
    with pytest.raises(InvalidValue), read_session(engine) as session:
        export_ballot(session, project_id=group.project_id, ballot_id=secret.id, viewer_id=None)
    close(engine, group, secret.id)
    close(engine, group, named.id)
    with read_session(engine) as session:
        exports = [
            export_ballot(
                session,
                project_id=group.project_id,
                ballot_id=ballot.id,
                viewer_id=group.member("Paul"),
            )
            for ballot in (secret, named)
        ]
    assert exports[0]["ballots"] == [{"choice": "against"}, {"choice": "for"}]
    assert exports[1]["ballots"] == [
        {"choice": "against", "voice": "Foyer Nguyen"},
        {"choice": "for", "voice": "Foyer Dubois"},
    ]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    votes=st.lists(
        st.tuples(
            st.sampled_from(["Nadia", "Karim", "Jeanne", "Linh", "Paul"]),
            st.sampled_from(["for", "against", "abstain"]),
        ),
        max_size=8,
    )
)
def test_a_sealed_secret_ballot_holds_each_voices_last_choice_and_no_link(engine, group, votes):
    ballot = open_ballot(engine, group, secret=True)
    last: dict[str, str] = {}
    households = {"Nadia": "B", "Karim": "B", "Jeanne": "D", "Linh": "N", "Paul": "M"}
    for name, choice in votes:
        vote(engine, group, ballot.id, name, choice)
        last[households[name]] = choice
    close(engine, group, ballot.id)
    rows = _raw(
        engine,
        "SELECT value, voice_tag, household_id, member_id FROM ballot_choice WHERE ballot_id = :id",
        id=ballot.id,
    )
    assert sorted(_json(engine, row["value"]) for row in rows) == sorted(last.values())
    assert all(
        (row["voice_tag"], row["household_id"], row["member_id"]) == (None, None, None)
        for row in rows
    )
