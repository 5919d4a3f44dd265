"""For / against / abstain under each threshold: hand-worked cases and properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.voisinage.tallies.helpers import PROPERTIES, votes
from voisinage.errors import InvalidValue
from voisinage.tallies import Outcome, Threshold, tally_threshold

ADOPTED, REJECTED, TIE = Outcome.ADOPTED, Outcome.REJECTED, Outcome.TIE


@pytest.mark.parametrize(
    ("threshold", "counts", "outcome", "needed"),
    [
        # Simple majority of votes cast: more for than against, abstentions left out.
        ("simple_majority", (6, 5, 10), ADOPTED, 6),
        ("simple_majority", (1, 0, 20), ADOPTED, 1),
        ("simple_majority", (5, 5, 2), TIE, 6),  # partage des voix: not adopted
        ("simple_majority", (4, 5, 0), REJECTED, 5),
        ("simple_majority", (0, 0, 7), REJECTED, 1),  # everyone abstained
        # Two thirds of votes cast: exactly two thirds is enough.
        ("two_thirds", (8, 4, 3), ADOPTED, 8),
        ("two_thirds", (7, 4, 0), REJECTED, 8),  # 7/11 = 63.6 %
        ("two_thirds", (2, 1, 0), ADOPTED, 2),
        ("two_thirds", (0, 0, 5), REJECTED, 1),
        # Unanimity of votes cast: abstentions do not break it, one vote against does.
        ("unanimity", (9, 0, 3), ADOPTED, 9),
        ("unanimity", (11, 1, 0), REJECTED, 12),
        ("unanimity", (0, 0, 4), REJECTED, 1),
    ],
)
def test_votes_cast_thresholds(threshold, counts, outcome, needed):
    result = tally_threshold(votes(*counts), threshold=threshold)
    assert result.outcome is outcome
    assert result.figures.needed == needed
    assert result.figures.out_of == counts[0] + counts[1]
    assert (result.winners, result.ranking) == ((), ())


def test_simple_majority_figures_are_exact():
    result = tally_threshold(votes(7, 4, 2), threshold=Threshold.SIMPLE_MAJORITY)
    figures = result.figures
    assert (figures.votes_for, figures.votes_against, figures.abstentions) == (7, 4, 2)
    assert figures.share == Fraction(7, 11)
    assert figures.required == Fraction(1, 2)
    assert result.took_part == 13


def test_two_thirds_exactly_is_adopted_and_shown_as_two_thirds():
    figures = tally_threshold(votes(8, 4), threshold="two_thirds").figures
    assert figures.share == figures.required == Fraction(2, 3)


@pytest.mark.parametrize(
    ("threshold", "needed", "outcome"),
    [
        ("simple_majority", 6, ADOPTED),
        ("absolute_majority", 7, ADOPTED),
        ("two_thirds", 7, ADOPTED),
        ("unanimity", 10, REJECTED),
    ],
)
def test_article_example_of_the_voting_guide(threshold, needed, outcome):
    # docs/voting.md, "For / against / abstain": 12 eligible, 7 for, 3 against, 1 abstention.
    result = tally_threshold(votes(7, 3, 1), threshold=threshold, eligible=12)
    assert (result.figures.needed, result.outcome) == (needed, outcome)


def test_absolute_majority_counts_abstentions_and_silence_as_not_for():
    # 12 eligible households: 7 for is more than half of 12; 6 for is not, even with 1 against.
    adopted = tally_threshold(votes(7, 0, 5), threshold="absolute_majority", eligible=12)
    rejected = tally_threshold(votes(6, 1, 2), threshold="absolute_majority", eligible=12)
    assert adopted.outcome is ADOPTED
    assert (adopted.figures.out_of, adopted.figures.needed) == (12, 7)
    assert adopted.figures.share == Fraction(7, 12)
    assert rejected.outcome is REJECTED
    assert tally_threshold(votes(6, 1, 2), threshold="simple_majority").outcome is ADOPTED


def test_absolute_majority_needs_the_eligible_count():
    with pytest.raises(InvalidValue):
        tally_threshold(votes(3), threshold="absolute_majority")


def test_no_vote_at_all_adopts_nothing():
    result = tally_threshold([], threshold="simple_majority")
    assert result.outcome is REJECTED
    assert result.figures.share is None


@pytest.mark.parametrize(
    ("given_votes", "threshold", "params"),
    [
        (["for", "yes"], "simple_majority", {"value": "yes"}),
        (["for", None], "simple_majority", {"value": None}),
        (["for"], "majority", {"value": "majority"}),
    ],
)
def test_unknown_votes_and_thresholds_are_refused(given_votes, threshold, params):
    with pytest.raises(InvalidValue) as refused:
        tally_threshold(given_votes, threshold=threshold)
    assert refused.value.message == "Unknown choice %(value)s."
    assert refused.value.params == params


counts = st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))
thresholds = st.sampled_from(Threshold)


def _tally(counts, threshold, extra_eligible):
    eligible = sum(counts) + extra_eligible
    return tally_threshold(votes(*counts), threshold=threshold, eligible=eligible)


@PROPERTIES
@given(counts=counts, threshold=thresholds, extra_eligible=st.integers(0, 10))
def test_turning_a_vote_against_into_a_vote_for_never_loses_adoption(
    counts, threshold, extra_eligible
):
    votes_for, against, abstain = counts
    assume(against > 0)
    before = _tally(counts, threshold, extra_eligible)
    after = _tally((votes_for + 1, against - 1, abstain), threshold, extra_eligible)
    assert not (before.adopted and not after.adopted)


@PROPERTIES
@given(counts=counts, threshold=thresholds, extra_eligible=st.integers(0, 10))
def test_adopted_exactly_when_the_votes_for_reach_the_needed_count(
    counts, threshold, extra_eligible
):
    result = _tally(counts, threshold, extra_eligible)
    assert result.adopted == (result.figures.votes_for >= result.figures.needed)
    if result.figures.share is not None:
        assert result.figures.share == Fraction(result.figures.votes_for, result.figures.out_of)


@PROPERTIES
@given(counts=counts, extra_eligible=st.integers(0, 10))
def test_stricter_thresholds_imply_weaker_ones(counts, extra_eligible):
    adopted = {
        threshold: _tally(counts, threshold, extra_eligible).adopted for threshold in Threshold
    }
    if adopted[Threshold.UNANIMITY]:
        assert adopted[Threshold.TWO_THIRDS]
    if adopted[Threshold.TWO_THIRDS]:
        assert adopted[Threshold.SIMPLE_MAJORITY]
    if adopted[Threshold.ABSOLUTE_MAJORITY]:
        assert adopted[Threshold.SIMPLE_MAJORITY]


@PROPERTIES
@given(votes_for=st.integers(0, 30), against=st.integers(0, 30))
def test_without_abstention_or_absence_both_majorities_agree(votes_for, against):
    everyone = votes(votes_for, against)
    simple = tally_threshold(everyone, threshold="simple_majority")
    absolute = tally_threshold(everyone, threshold="absolute_majority", eligible=len(everyone))
    assert simple.adopted == absolute.adopted


@PROPERTIES
@given(counts=counts, extra_eligible=st.integers(0, 10), threshold=thresholds)
def test_a_tie_is_only_an_equal_split_under_simple_majority(counts, extra_eligible, threshold):
    result = _tally(counts, threshold, extra_eligible)
    votes_for, against, _ = counts
    expected = threshold is Threshold.SIMPLE_MAJORITY and votes_for == against > 0
    assert (result.outcome is TIE) == expected
