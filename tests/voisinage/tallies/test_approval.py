"""Approval voting: most approvals wins, ties stay ties, shares are exact."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.voisinage.tallies.helpers import OPTIONS, PROPERTIES, repeat
from voisinage.errors import InvalidValue
from voisinage.tallies import Outcome, tally_approval

ARCHITECTS = ["atelier-nord", "bois-et-paille", "cabinet-rive"]


def test_most_approvals_wins_with_exact_shares():
    # Nine households choose which shortlisted architects they would work with.
    ballots = repeat(
        (4, ["atelier-nord", "bois-et-paille"]),
        (3, ["bois-et-paille"]),
        (1, ["cabinet-rive", "atelier-nord"]),
        (1, []),  # a blank ballot still took part
    )
    result = tally_approval(ARCHITECTS, ballots)
    assert result.outcome is Outcome.ADOPTED
    assert result.winners == ("bois-et-paille",)
    assert result.ranking == (("bois-et-paille",), ("atelier-nord",), ("cabinet-rive",))
    assert [(row.option, row.approvals, row.share) for row in result.figures.options] == [
        ("atelier-nord", 5, Fraction(5, 9)),
        ("bois-et-paille", 7, Fraction(7, 9)),
        ("cabinet-rive", 1, Fraction(1, 9)),
    ]
    assert result.took_part == 9


def test_equal_top_approvals_are_reported_as_a_tie():
    ballots = [["atelier-nord"], ["bois-et-paille"], ["atelier-nord", "bois-et-paille"]]
    result = tally_approval(ARCHITECTS, ballots)
    assert result.outcome is Outcome.TIE
    assert result.winners == ("atelier-nord", "bois-et-paille")
    assert result.ranking == (("atelier-nord", "bois-et-paille"), ("cabinet-rive",))


def test_no_approval_at_all_adopts_nothing():
    result = tally_approval(ARCHITECTS, [[], []])
    assert (result.outcome, result.winners) == (Outcome.REJECTED, ())
    assert result.took_part == 2
    assert tally_approval(ARCHITECTS, []).outcome is Outcome.REJECTED


def test_blank_ballots_count_for_the_quorum():
    result = tally_approval(
        ARCHITECTS, [["cabinet-rive"], [], []], eligible=5, quorum=Fraction(3, 5)
    )
    assert result.outcome is Outcome.ADOPTED
    assert result.quorum.needed == 3


def test_ballots_may_be_sets():
    assert tally_approval(ARCHITECTS, [{"cabinet-rive"}]).winners == ("cabinet-rive",)


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        (["architecte-x"], "Unknown option %(value)s."),
        (["cabinet-rive", "cabinet-rive"], "The option %(value)s appears twice on one ballot."),
        ("cabinet-rive", "This ballot is not in the expected form."),
        ({"cabinet-rive": True}, "This ballot is not in the expected form."),
        (None, "This ballot is not in the expected form."),
    ],
)
def test_bad_ballots_are_refused(ballot, message):
    with pytest.raises(InvalidValue) as refused:
        tally_approval(ARCHITECTS, [["atelier-nord"], ballot])
    assert refused.value.message == message


@st.composite
def elections(draw):
    options = OPTIONS[: draw(st.integers(1, 5))]
    ballots = draw(st.lists(st.sets(st.sampled_from(options)), max_size=30))
    return options, ballots


@st.composite
def elections_with_a_winner(draw):
    """An election with a sole winner: a tie, or no approval at all, gets one ballot more."""
    options, ballots = draw(elections())
    result = tally_approval(options, ballots)
    if result.outcome is not Outcome.ADOPTED:
        ballots = [*ballots, {result.ranking[0][0]}]
    return options, ballots, tally_approval(options, ballots).winners[0]


@PROPERTIES
@given(election=elections_with_a_winner(), data=st.data())
def test_a_new_ballot_approving_the_winner_never_makes_it_lose(election, data):
    options, ballots, winner = election
    others = data.draw(st.sets(st.sampled_from(options)))
    after = tally_approval(options, [*ballots, others | {winner}])
    assert (after.outcome, after.winners) == (Outcome.ADOPTED, (winner,))


@PROPERTIES
@given(election=elections_with_a_winner(), data=st.data())
def test_approving_the_winner_on_one_more_ballot_never_makes_it_lose(election, data):
    options, ballots, winner = election
    without = [i for i, ballot in enumerate(ballots) if winner not in ballot]
    assume(without)
    changed = data.draw(st.sampled_from(without))
    ballots = [ballot | {winner} if i == changed else ballot for i, ballot in enumerate(ballots)]
    assert tally_approval(options, ballots).winners == (winner,)


@PROPERTIES
@given(election=elections())
def test_shares_are_approvals_over_ballots_and_the_ranking_follows_them(election):
    options, ballots = election
    result = tally_approval(options, ballots)
    approvals = {row.option: row.approvals for row in result.figures.options}
    for row in result.figures.options:
        assert row.approvals == sum(row.option in ballot for ballot in ballots)
        assert row.share == (Fraction(row.approvals, len(ballots)) if ballots else 0)
    ordered = [approvals[group[0]] for group in result.ranking]
    assert ordered == sorted(set(approvals.values()), reverse=True)
