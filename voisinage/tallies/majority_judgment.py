"""Majority judgment (jugement majoritaire, Balinski & Laraki): every option graded, medians win."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from voisinage.errors import N_, InvalidValue
from voisinage.tallies.inputs import (
    MALFORMED_BALLOT,
    check_grades,
    check_option,
    check_options,
    check_voices,
)
from voisinage.tallies.results import Method, Outcome, Record, Result, conclude, rank_by

# Grade ids, best first; the front doors show GRADE_LABELS in the reader's language.
DEFAULT_GRADES = (
    "excellent",
    "very_good",
    "good",
    "fairly_good",
    "passable",
    "insufficient",
    "to_reject",
)
DEFAULT_MINIMUM_GRADE = "fairly_good"
GRADE_LABELS = {
    "excellent": N_("Excellent"),
    "very_good": N_("Very good"),
    "good": N_("Good"),
    "fairly_good": N_("Fairly good"),
    "passable": N_("Passable"),
    "insufficient": N_("Insufficient"),
    "to_reject": N_("To reject"),
}


@dataclass(frozen=True)
class MeritProfile(Record):
    option: str
    counts: tuple[int, ...]  # voters per grade, best grade first (the stacked bar's segments)
    shares: tuple[Fraction, ...]  # counts / ballots, best grade first
    majority_grade: str | None  # None when nobody voted


@dataclass(frozen=True)
class JudgmentFigures(Record):
    grades: tuple[str, ...]  # best first
    minimum_grade: str
    profiles: tuple[MeritProfile, ...]  # in the options' order


@lru_cache(maxsize=64)
def _removal_order(ballots: int) -> tuple[int, ...]:
    """Return the positions, in a list of grades sorted best first, in majority-value order.

    Taking the lower median out of a sorted list leaves a sorted list, so the order in which
    Balinski & Laraki's tie-break removes grades depends only on the number of grades.
    """
    positions = list(range(ballots))
    order = []
    while positions:
        order.append(positions.pop(len(positions) // 2))
    return tuple(order)


def _majority_value(counts: Sequence[int]) -> tuple[int, ...]:
    """Return the grade indices (0 = best) in the order the tie-break takes them out."""
    grades = [grade for grade, count in enumerate(counts) for _ in range(count)]
    return tuple(grades[position] for position in _removal_order(len(grades)))


def tally_majority_judgment(
    options: Iterable[str],
    ballots: Iterable[Mapping[str, str]],
    *,
    grades: Iterable[str] = DEFAULT_GRADES,
    minimum_grade: str = DEFAULT_MINIMUM_GRADE,
    eligible: int | None = None,
    quorum: Fraction | None = None,
) -> Result:
    """Grade every option on every ballot ({option: grade}) and rank options by majority judgment.

    - `grades` are ids ordered best first (default: Excellent, Very good, Good, Fairly good,
      Passable, Insufficient, To reject). An option a ballot leaves ungraded gets the worst
      grade: every voter judges every option, and silence is no praise;
    - an option's majority grade (mention majoritaire) is the lower median of its grades: the
      best grade that more than half of the voters give or better; with an even number of
      ballots, the worse of the two middle grades;
    - options compare by majority grade; on equal grades, one majority grade is taken out of
      each tied option and their new majority grades compared, again until they differ
      (Balinski & Laraki). Options still equal then have identical merit profiles: a tie;
    - the first option is adopted alone when its majority grade is `minimum_grade` (default
      Fairly good, « Assez bien ») or better; otherwise nothing is adopted (REJECTED), tied or
      not. Options tied first with such a grade give a TIE. No ballot: REJECTED.

    Every ballot counts for the quorum.
    """
    options = check_options(options)
    grades = check_grades(grades)
    index = {grade: position for position, grade in enumerate(grades)}
    if minimum_grade not in index:
        raise InvalidValue(N_("Unknown grade %(value)s."), value=minimum_grade)
    worst = len(grades) - 1
    counts = {option: [0] * len(grades) for option in options}
    took_part = 0
    for ballot in ballots:
        if not isinstance(ballot, Mapping):
            raise InvalidValue(MALFORMED_BALLOT)
        for option, grade in ballot.items():
            check_option(option, counts)
            if not isinstance(grade, str) or grade not in index:
                raise InvalidValue(N_("Unknown grade %(value)s."), value=grade)
        for option in options:
            counts[option][index[ballot[option]] if option in ballot else worst] += 1
        took_part += 1
    share_quorum = check_voices(took_part, eligible=eligible, quorum=quorum)

    values = {option: _majority_value(counts[option]) for option in options}
    ranking = rank_by(options, values.__getitem__)
    first = values[ranking[0][0]]
    if not first or first[0] > index[minimum_grade]:
        outcome = Outcome.REJECTED
    else:
        outcome = Outcome.TIE if len(ranking[0]) > 1 else Outcome.ADOPTED
    profiles = tuple(
        MeritProfile(
            option=option,
            counts=tuple(counts[option]),
            shares=tuple(Fraction(count, took_part or 1) for count in counts[option]),
            majority_grade=grades[values[option][0]] if took_part else None,
        )
        for option in options
    )
    return conclude(
        Method.MAJORITY_JUDGMENT,
        outcome,
        winners=ranking[0] if outcome is not Outcome.REJECTED else (),
        ranking=ranking,
        took_part=took_part,
        eligible=eligible,
        quorum=share_quorum,
        figures=JudgmentFigures(grades=grades, minimum_grade=minimum_grade, profiles=profiles),
    )
