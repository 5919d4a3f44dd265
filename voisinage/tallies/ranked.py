"""Ranked choice (vote par classement): pairwise duels, Condorcet winner, Schulze method."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from voisinage.tallies.inputs import check_ballot_options, check_options, check_voices
from voisinage.tallies.results import Method, Outcome, Record, Result, conclude

Matrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class RankedFigures(Record):
    options: tuple[str, ...]  # the rows' and columns' order in both matrices
    pairwise: Matrix  # pairwise[i][j]: voters who rank options[i] above options[j]
    strongest_paths: Matrix  # strongest_paths[i][j]: strength of the best beatpath i → j
    condorcet_winner: str | None


def _read_rankings(
    options: tuple[str, ...], ballots: Iterable[Sequence[str]]
) -> Counter[tuple[str, ...]]:
    rankings: Counter[tuple[str, ...]] = Counter()
    for ballot in ballots:
        rankings[check_ballot_options(ballot, options, ordered=True)] += 1
    return rankings


def _pairwise(options: tuple[str, ...], rankings: Counter[tuple[str, ...]]) -> Matrix:
    matrix = [[0] * len(options) for _ in options]
    for ranking, voters in rankings.items():
        # Unranked options share the place after the last ranked one.
        place = {option: len(ranking) for option in options}
        place.update((option, position) for position, option in enumerate(ranking))
        for i, first in enumerate(options):
            for j, second in enumerate(options):
                if place[first] < place[second]:
                    matrix[i][j] += voters
    return tuple(tuple(row) for row in matrix)


def pairwise_preferences(options: Iterable[str], ballots: Iterable[Sequence[str]]) -> Matrix:
    """Return the duel table: cell [i][j] counts the voters who rank option i above option j.

    A ballot lists options from most to least preferred and may stop early: the options it
    leaves out rank below every option it lists, and equal among themselves (no preference).
    """
    options = check_options(options)
    return _pairwise(options, _read_rankings(options, ballots))


def strongest_paths(pairwise: Matrix) -> Matrix:
    """Return the Schulze strengths: cell [i][j] is the strength of the strongest path i → j.

    A link i → j exists when more voters prefer i to j than j to i, and its strength is the
    number of voters preferring i ("winning votes", Schulze's own choice). A path is as strong
    as its weakest link; with no path, the strength is 0 (Floyd–Warshall, widest path).
    """
    size = len(pairwise)
    paths = [
        [pairwise[i][j] if i != j and pairwise[i][j] > pairwise[j][i] else 0 for j in range(size)]
        for i in range(size)
    ]
    for via in range(size):
        for i in range(size):
            if i == via:
                continue
            for j in range(size):
                if j not in (i, via):
                    paths[i][j] = max(paths[i][j], min(paths[i][via], paths[via][j]))
    return tuple(tuple(row) for row in paths)


def condorcet_winner(options: Sequence[str], pairwise: Matrix) -> str | None:
    """Return the option that more voters prefer to each other option than the reverse, if any.

    With a single option there is no duel, hence no Condorcet winner.
    """
    if len(options) < 2:
        return None
    for i, option in enumerate(options):
        if all(pairwise[i][j] > pairwise[j][i] for j in range(len(options)) if j != i):
            return option
    return None


def _schulze_ranking(options: tuple[str, ...], paths: Matrix) -> tuple[tuple[str, ...], ...]:
    # "i beats j" (paths[i][j] > paths[j][i]) is transitive (proved by Schulze), so peeling
    # off, again and again, the options no remaining option beats yields a weak order that
    # extends it; options peeled together do not beat one another and are reported tied.
    remaining = list(range(len(options)))
    ranking = []
    while remaining:
        unbeaten = [i for i in remaining if not any(paths[j][i] > paths[i][j] for j in remaining)]
        ranking.append(tuple(options[i] for i in unbeaten))
        remaining = [i for i in remaining if i not in unbeaten]
    return tuple(ranking)


def tally_ranked(
    options: Iterable[str],
    ballots: Iterable[Sequence[str]],
    *,
    eligible: int | None = None,
    quorum: Fraction | None = None,
) -> Result:
    """Rank options from ranked ballots by the Schulze method (winning votes).

    - each ballot lists options, most preferred first; partial rankings are allowed
      (see `pairwise_preferences`), a repeated or unknown option is refused;
    - the winners are the options that no other option beats, where i beats j when the
      strongest path i → j is stronger than j → i (see `strongest_paths`). A Condorcet
      winner, preferred to each other option by more voters than the reverse, always wins;
    - one winner: ADOPTED; several: a TIE. The ranking lists options best first, ties
      grouped. When no ballot ranks any option, nothing is adopted (REJECTED);
    - every ballot, blank ones included, counts for the quorum.

    With complete rankings, the winning-votes, margins and ratio variants of Schulze agree;
    with partial rankings they may differ, and winning votes is the one Schulze recommends.
    """
    options = check_options(options)
    rankings = _read_rankings(options, ballots)
    took_part = rankings.total()
    share_quorum = check_voices(took_part, eligible=eligible, quorum=quorum)

    pairwise = _pairwise(options, rankings)
    paths = strongest_paths(pairwise)
    ranking = _schulze_ranking(options, paths)
    if not any(rankings.keys()):
        outcome = Outcome.REJECTED
    else:
        outcome = Outcome.TIE if len(ranking[0]) > 1 else Outcome.ADOPTED
    figures = RankedFigures(
        options=options,
        pairwise=pairwise,
        strongest_paths=paths,
        condorcet_winner=condorcet_winner(options, pairwise),
    )
    return conclude(
        Method.RANKED,
        outcome,
        winners=ranking[0] if outcome is not Outcome.REJECTED else (),
        ranking=ranking,
        took_part=took_part,
        eligible=eligible,
        quorum=share_quorum,
        figures=figures,
    )
