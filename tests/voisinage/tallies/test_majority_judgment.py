"""Majority judgment: lower medians, Balinski & Laraki's tie-break, the adopted-alone rule."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.voisinage.tallies.helpers import OPTIONS, PROPERTIES, repeat
from voisinage.errors import InvalidValue
from voisinage.tallies import (
    DEFAULT_GRADES,
    GRADE_LABELS,
    Outcome,
    tally_majority_judgment,
)


def _ballots_from_grade_lists(grade_lists):
    """Turn {option: [grade of voter 1, grade of voter 2, …]} into one ballot per voter."""
    voters = len(next(iter(grade_lists.values())))
    return [
        {option: grades[voter] for option, grades in grade_lists.items()} for voter in range(voters)
    ]


def test_published_example_needs_several_tie_break_rounds():
    # MieuxVoter's reference library (github.com/MieuxVoter/majority-judgment-library-python,
    # README "Example Usage"): ten voters, grades 0 to 3 with 3 the best; published ranking
    # Chips, Pasta, Pizza, Bread. Pizza, Pasta and Bread share the majority grade 1; Bread
    # drops out after one removal, Pasta beats Pizza only at the fourth.
    grade_lists = {
        "Pizza": ["0", "0", "0", "1", "1", "2", "2", "3", "3", "3"],
        "Chips": ["0", "0", "1", "1", "2", "2", "2", "2", "3", "3"],
        "Pasta": ["0", "0", "1", "1", "1", "2", "2", "3", "3", "3"],
        "Bread": ["0", "0", "1", "1", "1", "1", "2", "2", "2", "3"],
    }
    result = tally_majority_judgment(
        list(grade_lists),
        _ballots_from_grade_lists(grade_lists),
        grades=["3", "2", "1", "0"],
        minimum_grade="2",
    )
    assert result.ranking == (("Chips",), ("Pasta",), ("Pizza",), ("Bread",))
    assert result.outcome is Outcome.ADOPTED
    assert result.winners == ("Chips",)
    majority = {profile.option: profile.majority_grade for profile in result.figures.profiles}
    assert majority == {"Pizza": "1", "Chips": "2", "Pasta": "1", "Bread": "1"}
    chips = result.figures.profiles[1]
    assert chips.counts == (2, 4, 2, 2)
    assert chips.shares == (Fraction(1, 5), Fraction(2, 5), Fraction(1, 5), Fraction(1, 5))


def test_guest_room_example_of_the_voting_guide():
    # docs/voting.md, "Majority judgment": A and B share « Bien »; after one « Bien » is taken
    # out of each, A has « Assez bien » and B « Passable »; A is adopted.
    grade_lists = {
        "A": ["very_good", "good", "good", "fairly_good", "passable"],
        "B": ["excellent", "good", "good", "passable", "insufficient"],
        "C": ["good", "fairly_good", "fairly_good", "passable", "to_reject"],
    }
    result = tally_majority_judgment(list(grade_lists), _ballots_from_grade_lists(grade_lists))
    assert [profile.counts for profile in result.figures.profiles] == [
        (0, 1, 2, 1, 1, 0, 0),
        (1, 0, 2, 0, 1, 1, 0),
        (0, 0, 1, 2, 1, 0, 1),
    ]
    majority = [profile.majority_grade for profile in result.figures.profiles]
    assert majority == ["good", "good", "fairly_good"]
    assert result.ranking == (("A",), ("B",), ("C",))
    assert (result.outcome, result.winners) == (Outcome.ADOPTED, ("A",))


def test_majority_grade_is_the_lower_median():
    # Two « Excellent » and two « Passable »: only « Passable » is given or bettered by a
    # majority, and it is below « Assez bien »: the wording is not adopted.
    ballots = repeat((2, {"A": "excellent"}), (2, {"A": "passable"}))
    result = tally_majority_judgment(["A"], ballots)
    assert result.figures.profiles[0].majority_grade == "passable"
    assert result.outcome is Outcome.REJECTED
    assert result.winners == ()
    assert result.ranking == (("A",),)


@pytest.mark.parametrize(
    ("grades_given", "minimum", "outcome"),
    [
        (["fairly_good", "fairly_good", "insufficient"], "fairly_good", Outcome.ADOPTED),
        (["excellent", "passable", "passable"], "fairly_good", Outcome.REJECTED),
        (["good", "good", "fairly_good"], "good", Outcome.ADOPTED),
        (["good", "fairly_good", "fairly_good"], "good", Outcome.REJECTED),
    ],
)
def test_an_option_is_adopted_alone_from_the_minimum_grade(grades_given, minimum, outcome):
    ballots = [{"wording": grade} for grade in grades_given]
    result = tally_majority_judgment(["wording"], ballots, minimum_grade=minimum)
    assert result.outcome is outcome


def test_winner_below_the_minimum_grade_ranks_first_but_is_not_adopted():
    ballots = repeat((3, {"A": "passable", "B": "insufficient"}))
    result = tally_majority_judgment(["A", "B"], ballots)
    assert result.ranking == (("A",), ("B",))
    assert (result.outcome, result.winners) == (Outcome.REJECTED, ())


def test_equal_majority_grades_are_split_by_removing_one_median_grade():
    # Both have the majority grade « Bien »; once one « Bien » is taken from each, A's
    # grades are (Très bien, Bien) → lower median Bien, B's (Bien, Passable) → Passable.
    ballots = [
        {"A": "very_good", "B": "good"},
        {"A": "good", "B": "good"},
        {"A": "good", "B": "passable"},
    ]
    result = tally_majority_judgment(["B", "A"], ballots)
    assert result.ranking == (("A",), ("B",))
    assert result.winners == ("A",)


def test_identical_merit_profiles_are_a_tie():
    ballots = [{"A": "good", "B": "excellent"}, {"A": "excellent", "B": "good"}]
    result = tally_majority_judgment(["A", "B"], ballots)
    assert result.outcome is Outcome.TIE
    assert result.winners == ("A", "B")
    assert result.ranking == (("A", "B"),)
    first, second = result.figures.profiles
    assert first.counts == second.counts


def test_a_missing_grade_counts_as_to_reject():
    result = tally_majority_judgment(["A", "B"], [{"A": "good"}, {}])
    profile_a, profile_b = result.figures.profiles
    assert profile_a.counts == (0, 0, 1, 0, 0, 0, 1)
    assert profile_b.counts == (0, 0, 0, 0, 0, 0, 2)
    assert profile_b.majority_grade == "to_reject"


def test_no_ballot_adopts_nothing_and_has_no_majority_grade():
    result = tally_majority_judgment(["A", "B"], [])
    assert result.outcome is Outcome.REJECTED
    assert result.ranking == (("A", "B"),)
    assert all(profile.majority_grade is None for profile in result.figures.profiles)
    assert all(share == 0 for profile in result.figures.profiles for share in profile.shares)


def test_grades_are_configurable():
    ballots = [{"A": "oui", "B": "non"}, {"A": "bof", "B": "oui"}, {"A": "oui", "B": "bof"}]
    result = tally_majority_judgment(
        ["A", "B"], ballots, grades=["oui", "bof", "non"], minimum_grade="bof"
    )
    assert result.winners == ("A",)
    assert result.figures.grades == ("oui", "bof", "non")


def test_every_default_grade_has_a_label_to_translate():
    assert tuple(GRADE_LABELS) == DEFAULT_GRADES


@pytest.mark.parametrize(
    ("options", "ballots", "settings", "message", "params"),
    [
        (["A"], [{"Z": "good"}], {}, "Unknown option %(value)s.", {"value": "Z"}),
        (["A"], [{"A": "great"}], {}, "Unknown grade %(value)s.", {"value": "great"}),
        (["A"], [{"A": None}], {}, "Unknown grade %(value)s.", {"value": None}),
        (["A"], [], {"minimum_grade": "great"}, "Unknown grade %(value)s.", {"value": "great"}),
        (["A"], [["A", "good"]], {}, "This ballot is not in the expected form.", {}),
        (["A", "A"], [], {}, "The option %(value)s is listed twice.", {"value": "A"}),
        ([], [], {}, "Give at least one option.", {}),
        (["A", ""], [], {}, "Options and grades are named by non-empty text.", {}),
        (["A"], [], {"grades": ["only"]}, "Give at least two grades.", {}),
        (
            ["A"],
            [],
            {"grades": ["a", "b", "a"], "minimum_grade": "a"},
            "The grade %(value)s is listed twice.",
            {"value": "a"},
        ),
    ],
)
def test_bad_input_is_refused(options, ballots, settings, message, params):
    with pytest.raises(InvalidValue) as refused:
        tally_majority_judgment(options, ballots, **settings)
    assert (refused.value.message, refused.value.params) == (message, params)


@st.composite
def elections(draw):
    grades = DEFAULT_GRADES[: draw(st.integers(2, len(DEFAULT_GRADES)))]
    options = OPTIONS[: draw(st.integers(1, 4))]
    # Ballots may leave options ungraded: they then count as the worst grade.
    ballot = st.dictionaries(st.sampled_from(options), st.sampled_from(grades))
    ballots = draw(st.lists(ballot, min_size=1, max_size=25))
    return grades, options, ballots


def _tally(grades, options, ballots):
    return tally_majority_judgment(
        options, ballots, grades=grades, minimum_grade=grades[len(grades) // 2]
    )


@PROPERTIES
@given(election=elections(), data=st.data())
def test_a_new_voter_giving_the_winner_its_majority_grade_or_better_keeps_it_first(election, data):
    # The new voter gives the winner its majority grade or better, and no other option a
    # grade better than that (otherwise they would simply prefer another option).
    grades, options, ballots = election
    before = _tally(grades, options, ballots)
    assume(len(before.ranking[0]) == 1)
    winner = before.ranking[0][0]
    majority = grades.index(before.figures.profiles[options.index(winner)].majority_grade)
    ballot = {
        option: data.draw(
            st.sampled_from(grades[: majority + 1] if option == winner else grades[majority:])
        )
        for option in options
    }
    after = _tally(grades, options, [*ballots, ballot])
    assert after.ranking[0] == (winner,)
    if before.adopted:
        assert after.adopted


@PROPERTIES
@given(election=elections())
def test_ranking_groups_exactly_the_options_with_identical_profiles(election):
    grades, options, ballots = election
    result = _tally(grades, options, ballots)
    assert sorted(option for group in result.ranking for option in group) == sorted(options)
    counts = {profile.option: profile.counts for profile in result.figures.profiles}
    for position, group in enumerate(result.ranking):
        assert len({counts[option] for option in group}) == 1
        for later in result.ranking[position + 1 :]:
            assert counts[later[0]] != counts[group[0]]
    if result.outcome in (Outcome.ADOPTED, Outcome.TIE):
        assert result.winners == result.ranking[0]


@PROPERTIES
@given(election=elections())
def test_merit_profiles_count_every_ballot_once_per_option(election):
    grades, options, ballots = election
    result = _tally(grades, options, ballots)
    for profile in result.figures.profiles:
        assert sum(profile.counts) == len(ballots)
        assert sum(profile.shares) == 1
        best_first = [
            grade for grade, count in zip(grades, profile.counts, strict=True) for _ in range(count)
        ]
        assert profile.majority_grade == best_first[len(best_first) // 2]
