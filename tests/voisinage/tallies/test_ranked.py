"""Ranked choice: pairwise table, Condorcet winner and the Schulze method."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.voisinage.tallies.helpers import OPTIONS, PROPERTIES, ranked
from voisinage.errors import InvalidValue
from voisinage.tallies import (
    Outcome,
    condorcet_winner,
    pairwise_preferences,
    strongest_paths,
    tally_ranked,
)

# Wikipedia, "Schulze method", worked example (also example 1 of the Wikipedia user page
# "MarkusSchulze/Schulze method examples"): 45 voters, 5 candidates, no Condorcet winner,
# published matrices d and p below, Schulze ranking E > A > C > B > D.
WIKIPEDIA_45 = ranked(
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
)

# Wikipedia, "Condorcet method" and "Schulze method": the Tennessee capital example (voters
# by metropolitan area, each preferring cities closer to home); Nashville is the Condorcet
# winner and the published ranking is Nashville > Chattanooga > Knoxville > Memphis.
TENNESSEE_OPTIONS = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
TENNESSEE = [
    *[["Memphis", "Nashville", "Chattanooga", "Knoxville"]] * 42,
    *[["Nashville", "Chattanooga", "Knoxville", "Memphis"]] * 26,
    *[["Chattanooga", "Knoxville", "Nashville", "Memphis"]] * 15,
    *[["Knoxville", "Chattanooga", "Nashville", "Memphis"]] * 17,
]


def test_wikipedia_schulze_example():
    result = tally_ranked(list("ABCDE"), WIKIPEDIA_45)
    assert result.figures.pairwise == (
        (0, 20, 26, 30, 22),
        (25, 0, 16, 33, 18),
        (19, 29, 0, 17, 24),
        (15, 12, 28, 0, 14),
        (23, 27, 21, 31, 0),
    )
    assert result.figures.strongest_paths == (
        (0, 28, 28, 30, 24),
        (25, 0, 28, 33, 24),
        (25, 29, 0, 29, 24),
        (25, 28, 28, 0, 24),
        (25, 28, 28, 31, 0),
    )
    assert result.figures.condorcet_winner is None
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    assert (result.outcome, result.winners) == (Outcome.ADOPTED, ("E",))
    assert result.took_part == 45


def test_garden_example_of_the_voting_guide_resolves_a_cycle():
    # docs/voting.md, "Ranked choice": P beats V, V beats J, J beats P; Schulze gives P > V > J.
    result = tally_ranked(["P", "V", "J"], ranked((4, "PVJ"), (3, "VJP"), (2, "JPV")))
    assert result.figures.pairwise == ((0, 6, 4), (3, 0, 7), (5, 2, 0))
    assert result.figures.condorcet_winner is None
    assert result.figures.strongest_paths == ((0, 6, 6), (5, 0, 7), (5, 5, 0))
    assert result.ranking == (("P",), ("V",), ("J",))
    assert result.winners == ("P",)


def test_tennessee_capital_has_a_condorcet_winner():
    result = tally_ranked(TENNESSEE_OPTIONS, TENNESSEE)
    assert result.figures.condorcet_winner == "Nashville"
    assert result.winners == ("Nashville",)
    assert result.ranking == (("Nashville",), ("Chattanooga",), ("Knoxville",), ("Memphis",))
    memphis, nashville = 0, 1
    pairwise = result.figures.pairwise
    assert (pairwise[nashville][memphis], pairwise[memphis][nashville]) == (58, 42)


def test_schulze_tie_is_reported_as_a_tie():
    # The tie example of M. Schulze's examples page (Wikipedia user page "MarkusSchulze/
    # Schulze method examples"): 9 voters, 4 candidates, B and D both potential winners
    # (hand-checked: p[B][D] = p[D][B] = 5, D beats A 6 to 5, B beats C 7 to 5).
    result = tally_ranked(list("ABCD"), ranked((3, "ABCD"), (2, "DABC"), (2, "DBCA"), (2, "CBDA")))
    assert result.figures.strongest_paths == (
        (0, 5, 5, 5),
        (5, 0, 7, 5),
        (5, 5, 0, 5),
        (6, 5, 5, 0),
    )
    assert result.outcome is Outcome.TIE
    assert result.winners == ("B", "D")
    assert result.ranking == (("B", "D"), ("A", "C"))


def test_a_perfect_cycle_ties_every_option():
    result = tally_ranked(list("ABC"), ranked((1, "ABC"), (1, "BCA"), (1, "CAB")))
    assert result.outcome is Outcome.TIE
    assert result.ranking == (("A", "B", "C"),)
    assert result.figures.condorcet_winner is None


def test_unranked_options_come_after_ranked_ones_and_equal_among_themselves():
    assert pairwise_preferences(["A", "B", "C"], [["A"]]) == (
        (0, 1, 1),
        (0, 0, 0),
        (0, 0, 0),
    )
    result = tally_ranked(["A", "B", "C"], [["B"], ["B", "A"], []])
    assert result.winners == ("B",)
    assert result.ranking == (("B",), ("A",), ("C",))
    assert result.took_part == 3


def test_no_ranking_at_all_adopts_nothing():
    for ballots in ([], [[], []]):
        result = tally_ranked(["A", "B"], ballots)
        assert (result.outcome, result.winners) == (Outcome.REJECTED, ())
        assert result.ranking == (("A", "B"),)


def test_a_single_option_ranked_by_someone_is_adopted():
    result = tally_ranked(["A"], [["A"]])
    assert (result.outcome, result.winners) == (Outcome.ADOPTED, ("A",))
    assert result.figures.condorcet_winner is None


def test_quorum_applies_to_ranked_ballots():
    result = tally_ranked(TENNESSEE_OPTIONS, TENNESSEE, eligible=400, quorum=Fraction(1, 3))
    assert result.outcome is Outcome.NO_QUORUM
    assert result.winners == ()
    assert result.ranking[0] == ("Nashville",)  # still shown


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        (["A", "B", "A"], "The option %(value)s appears twice on one ballot."),
        (["A", "Z"], "Unknown option %(value)s."),
        ({"A", "B"}, "This ballot is not in the expected form."),
        ("AB", "This ballot is not in the expected form."),
    ],
)
def test_bad_rankings_are_refused(ballot, message):
    with pytest.raises(InvalidValue) as refused:
        tally_ranked(["A", "B", "C"], [ballot])
    assert refused.value.message == message


@st.composite
def elections(draw, max_options=5):
    options = OPTIONS[: draw(st.integers(1, max_options))]
    # A ranking is any prefix of an order of the options: partial rankings included.
    rankings = st.permutations(options).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda cut: order[:cut])
    )
    return options, draw(st.lists(rankings, max_size=40))


@PROPERTIES
@given(election=elections())
def test_a_condorcet_winner_always_wins(election):
    options, ballots = election
    result = tally_ranked(options, ballots)
    winner = condorcet_winner(options, pairwise_preferences(options, ballots))
    assert result.figures.condorcet_winner == winner
    if winner is not None:
        assert (result.outcome, result.winners) == (Outcome.ADOPTED, (winner,))


@PROPERTIES
@given(election=elections(max_options=3), data=st.data())
def test_an_option_ranked_first_by_a_majority_is_the_condorcet_winner_and_wins(election, data):
    options, ballots = election
    favourite = data.draw(st.sampled_from(options))
    ballots = [*ballots, *[[favourite]] * (len(ballots) + 1)]
    result = tally_ranked(options, ballots)
    if len(options) > 1:
        assert result.figures.condorcet_winner == favourite
    assert result.winners == (favourite,)


@PROPERTIES
@given(election=elections())
def test_schulze_ranking_is_a_weak_order_consistent_with_the_winners(election):
    options, ballots = election
    result = tally_ranked(options, ballots)
    paths = result.figures.strongest_paths
    place = {option: rank for rank, group in enumerate(result.ranking) for option in group}
    assert sorted(place) == sorted(options)  # every option exactly once
    assert sum(len(group) for group in result.ranking) == len(options)
    index = {option: i for i, option in enumerate(options)}

    def beats(x, y):
        return paths[index[x]][index[y]] > paths[index[y]][index[x]]

    for x in options:
        for y in options:
            if beats(x, y):
                assert place[x] < place[y]
            if place[x] == place[y] and x != y:
                assert not beats(x, y)
    first = result.ranking[0]
    assert all(not beats(y, x) for x in first for y in options)
    if result.outcome is not Outcome.REJECTED:
        assert result.winners == first


@PROPERTIES
@given(election=elections())
def test_beating_by_strongest_path_is_transitive(election):
    options, ballots = election
    paths = strongest_paths(pairwise_preferences(options, ballots))
    size = len(options)

    def beats(i, j):
        return paths[i][j] > paths[j][i]

    for i in range(size):
        for j in range(size):
            for k in range(size):
                if beats(i, j) and beats(j, k):
                    assert beats(i, k)


@PROPERTIES
@given(election=elections())
def test_pairwise_table_counts_each_voter_at_most_once_per_duel(election):
    options, ballots = election
    pairwise = pairwise_preferences(options, ballots)
    for i in range(len(options)):
        assert pairwise[i][i] == 0
        for j in range(len(options)):
            assert pairwise[i][j] + pairwise[j][i] <= len(ballots)
