"""Approval voting (vote par approbation): approve any number of options; most approvals wins."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from fractions import Fraction

from voisinage.tallies.inputs import check_ballot_options, check_options, check_voices
from voisinage.tallies.results import Method, Outcome, Record, Result, conclude, rank_by


@dataclass(frozen=True)
class Approvals(Record):
    option: str
    approvals: int
    share: Fraction  # of the ballots that approve the option


@dataclass(frozen=True)
class ApprovalFigures(Record):
    options: tuple[Approvals, ...]  # in the options' order


def tally_approval(
    options: Iterable[str],
    ballots: Iterable[Collection[str]],
    *,
    eligible: int | None = None,
    quorum: Fraction | None = None,
) -> Result:
    """Count ballots, each the collection of options its voter approves, and rank by approvals.

    - the option with the most approvals is adopted; options sharing the most approvals are
      a TIE, never broken by chance;
    - an option's share is its approvals divided by the ballots, so shares need not add up
      to 1 (a voter may approve several options);
    - when no ballot approves anything, nothing is adopted (REJECTED);
    - a blank ballot (no approval) counts for the quorum.
    """
    options = check_options(options)
    approvals = dict.fromkeys(options, 0)
    took_part = 0
    for ballot in ballots:
        for option in check_ballot_options(ballot, approvals, ordered=False):
            approvals[option] += 1
        took_part += 1
    share_quorum = check_voices(took_part, eligible=eligible, quorum=quorum)

    ranking = rank_by(options, lambda option: -approvals[option])
    if not approvals[ranking[0][0]]:
        outcome = Outcome.REJECTED
    else:
        outcome = Outcome.TIE if len(ranking[0]) > 1 else Outcome.ADOPTED
    figures = ApprovalFigures(
        options=tuple(
            Approvals(option, approvals[option], Fraction(approvals[option], took_part or 1))
            for option in options
        )
    )
    return conclude(
        Method.APPROVAL,
        outcome,
        winners=ranking[0] if outcome is not Outcome.REJECTED else (),
        ranking=ranking,
        took_part=took_part,
        eligible=eligible,
        quorum=share_quorum,
        figures=figures,
    )
