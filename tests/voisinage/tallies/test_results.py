"""The shared result vocabulary: exact JSON figures and the quorum's arithmetic."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.voisinage.tallies.helpers import PROPERTIES, ranked, votes
from voisinage.errors import InvalidValue
from voisinage.tallies import (
    Outcome,
    check_quorum,
    tally_approval,
    tally_consent,
    tally_majority_judgment,
    tally_ranked,
    tally_threshold,
)
from voisinage.tallies.results import exact


@pytest.mark.parametrize(
    ("share", "fraction", "percent"),
    [
        (Fraction(2, 3), "2/3", 66.7),
        (Fraction(1, 3), "1/3", 33.3),
        (Fraction(1, 16), "1/16", 6.3),  # 6.25 rounds half up, as people expect
        (Fraction(1, 8), "1/8", 12.5),
        (Fraction(1), "1/1", 100.0),
        (Fraction(0), "0/1", 0.0),
    ],
)
def test_shares_are_exact_fractions_with_a_rounded_percent(share, fraction, percent):
    assert exact(share) == {"fraction": fraction, "percent": percent}


def _fractions_in(data):
    if isinstance(data, dict):
        if set(data) == {"fraction", "percent"}:
            yield data["fraction"]
        for value in data.values():
            yield from _fractions_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from _fractions_in(value)


@pytest.mark.parametrize(
    "result",
    [
        tally_threshold(votes(7, 4, 1), threshold="two_thirds", eligible=12, quorum=Fraction(1, 2)),
        tally_consent(
            [("consent", ""), ("objection", "Trop cher"), ("stand_aside", None)], eligible=5
        ),
        tally_majority_judgment(["A", "B"], [{"A": "good", "B": "passable"}, {"A": "excellent"}]),
        tally_approval(["A", "B", "C"], [["A", "B"], ["B"], []], eligible=4, quorum=Fraction(1)),
        tally_ranked(["A", "B", "C"], ranked((2, "AB"), (1, "CBA")), eligible=3),
    ],
    ids=["threshold", "consent", "majority_judgment", "approval", "ranked"],
)
def test_every_result_survives_a_json_round_trip_with_exact_fractions(result):
    data = json.loads(json.dumps(result.to_dict()))
    assert data["method"] == result.method
    assert data["outcome"] == result.outcome
    assert data["adopted"] is result.adopted
    assert data["winners"] == list(result.winners)
    assert data["ranking"] == [list(group) for group in result.ranking]
    fractions = list(_fractions_in(data))
    assert fractions
    assert all(re.fullmatch(r"\d+/[1-9]\d*", text) for text in fractions)


def test_quorum_missed_reads_as_not_adopted_with_the_count_needed():
    # "Not adopted: quorum not reached, 9 of 12 needed" — 8 took part, all of them for.
    result = tally_threshold(
        votes(8), threshold="simple_majority", eligible=12, quorum=Fraction(3, 4)
    )
    assert result.outcome is Outcome.NO_QUORUM
    assert not result.adopted
    assert (result.took_part, result.eligible) == (8, 12)
    assert (result.quorum.needed, result.quorum.reached) == (9, False)
    assert result.figures.votes_for == 8  # the figures stay visible
    assert result.participation == Fraction(2, 3)


def test_quorum_reached_exactly_at_the_needed_count():
    result = tally_threshold(
        votes(5, 1, 3), threshold="simple_majority", eligible=12, quorum=Fraction(3, 4)
    )
    assert result.outcome is Outcome.ADOPTED
    assert (result.quorum.needed, result.quorum.reached) == (9, True)


def test_quorum_rounds_the_needed_count_up():
    # A third of 10 voices is 3.33…: 4 must take part.
    assert check_quorum(took_part=3, eligible=10, share=Fraction(1, 3)).reached is False
    assert check_quorum(took_part=4, eligible=10, share=Fraction(1, 3)).needed == 4


@pytest.mark.parametrize(
    ("share", "eligible"),
    [
        (0.75, 12),  # a float is refused: exact fractions only
        (Fraction(0), 12),
        (Fraction(5, 4), 12),
        (True, 12),
        (Fraction(1, 2), -1),
        (Fraction(1, 2), 2.5),
        (Fraction(1, 2), None),
    ],
)
def test_bad_quorum_settings_are_refused(share, eligible):
    with pytest.raises(InvalidValue):
        check_quorum(took_part=0, eligible=eligible, share=share)


def test_more_ballots_than_eligible_voices_are_refused():
    with pytest.raises(InvalidValue) as refused:
        tally_approval(["A"], [["A"]] * 4, eligible=3)
    assert refused.value.params == {"ballots": 4, "eligible": 3}


@PROPERTIES
@given(
    eligible=st.integers(1, 200),
    share=st.fractions(min_value=0, max_value=1).filter(lambda share: share > 0),
    data=st.data(),
)
def test_quorum_is_reached_exactly_when_the_share_that_took_part_reaches_it(eligible, share, data):
    took_part = data.draw(st.integers(0, eligible))
    quorum = check_quorum(took_part=took_part, eligible=eligible, share=share)
    assert quorum.needed == math.ceil(share * eligible)
    assert quorum.needed == min(k for k in range(eligible + 1) if Fraction(k, eligible) >= share)
    assert quorum.reached == (Fraction(took_part, eligible) >= share)
