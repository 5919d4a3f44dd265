"""For / against / abstain (pour / contre / abstention): adopted when the votes for reach a threshold."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from voisinage.tallies.inputs import check_choice, check_voices
from voisinage.tallies.results import Method, Outcome, Record, Result, conclude


class Vote(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Threshold(StrEnum):
    SIMPLE_MAJORITY = "simple_majority"  # majorité simple des suffrages exprimés
    ABSOLUTE_MAJORITY = "absolute_majority"  # majorité absolue des voix
    TWO_THIRDS = "two_thirds"  # majorité des deux tiers des suffrages exprimés
    UNANIMITY = "unanimity"  # unanimité des suffrages exprimés


class _Rule(NamedTuple):
    required: Fraction
    strict: bool  # the share of votes for must exceed `required`, not merely reach it
    of_eligible: bool  # the share is taken of the eligible voices, not of the votes cast


_RULES = {
    Threshold.SIMPLE_MAJORITY: _Rule(Fraction(1, 2), strict=True, of_eligible=False),
    Threshold.ABSOLUTE_MAJORITY: _Rule(Fraction(1, 2), strict=True, of_eligible=True),
    # In French statutes and legal usage "la majorité des deux tiers" is reached by at least
    # two thirds of the votes, whereas "la majorité absolue" needs more than half.
    Threshold.TWO_THIRDS: _Rule(Fraction(2, 3), strict=False, of_eligible=False),
    Threshold.UNANIMITY: _Rule(Fraction(1), strict=False, of_eligible=False),
}


@dataclass(frozen=True)
class ThresholdFigures(Record):
    threshold: Threshold
    votes_for: int
    votes_against: int
    abstentions: int
    out_of: int  # votes cast (for + against), or the eligible voices for the absolute majority
    share: Fraction | None  # votes_for / out_of; None when out_of is 0
    required: Fraction  # the share to exceed (majorities) or to reach (two thirds, unanimity)
    needed: int  # the fewest votes for that adopt, out of `out_of`


def votes_needed(threshold: str, out_of: int) -> int:
    """Return the fewest votes for that adopt under `threshold`, out of `out_of` votes or voices.

    Simple and absolute majority: ⌊out_of / 2⌋ + 1. Two thirds: ⌈2 × out_of / 3⌉.
    Unanimity: out_of. Never less than 1: nothing is adopted without a vote for.
    """
    rule = _RULES[check_choice(threshold, Threshold)]
    if rule.strict:
        return math.floor(rule.required * out_of) + 1
    return max(math.ceil(rule.required * out_of), 1)


def tally_threshold(
    votes: Iterable[str],
    *,
    threshold: str,
    eligible: int | None = None,
    quorum: Fraction | None = None,
) -> Result:
    """Count for / against / abstain votes and tell whether the motion is adopted.

    Votes cast (suffrages exprimés) are for + against; abstentions count for the quorum
    but never in a share. With F votes for and A against:

    - simple majority: adopted when F / (F + A) > 1/2, i.e. F > A. An equal split
      (partage des voix, F = A > 0) is not adopted and is reported as a TIE;
    - absolute majority: adopted when F / eligible > 1/2: abstentions and voices that did
      not vote weigh as much as votes against. Needs `eligible`;
    - two thirds: adopted when F / (F + A) ≥ 2/3 — exactly two thirds is enough, as
      "la majorité des deux tiers" is read in French associations (8 for, 4 against adopts);
    - unanimity: adopted when A = 0 and F ≥ 1; abstentions do not break unanimity.

    With no vote for, nothing is adopted. A quorum (share of `eligible` voices that must take
    part, abstentions included) turns the outcome into NO_QUORUM when missed.
    """
    rule_name = check_choice(threshold, Threshold)
    rule = _RULES[rule_name]
    counts = Counter(check_choice(vote, Vote) for vote in votes)
    took_part = counts.total()
    share_quorum = check_voices(
        took_part, eligible=eligible, quorum=quorum, needs_eligible=rule.of_eligible
    )
    votes_for, votes_against = counts[Vote.FOR], counts[Vote.AGAINST]
    out_of = eligible if rule.of_eligible else votes_for + votes_against
    share = Fraction(votes_for, out_of) if out_of else None
    if share is not None and (share > rule.required if rule.strict else share >= rule.required):
        outcome = Outcome.ADOPTED
    elif rule_name is Threshold.SIMPLE_MAJORITY and votes_for == votes_against > 0:
        outcome = Outcome.TIE
    else:
        outcome = Outcome.REJECTED
    figures = ThresholdFigures(
        threshold=rule_name,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=counts[Vote.ABSTAIN],
        out_of=out_of,
        share=share,
        required=rule.required,
        needed=votes_needed(rule_name, out_of),
    )
    return conclude(
        Method.THRESHOLD,
        outcome,
        took_part=took_part,
        eligible=eligible,
        quorum=share_quorum,
        figures=figures,
    )
