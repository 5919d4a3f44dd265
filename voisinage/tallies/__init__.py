"""Pure, exact tallies of every voting method: plain values in, a `Result` out.

No database, no I/O: the ballot services, the bot, the web pages, the decision log and
`voisinage recount` all count with these functions, in exact fractions, and render the same
`Result`. The rules are written in each function's docstring and, for people, in
docs/voting.md.
"""

from voisinage.tallies.approval import ApprovalFigures, Approvals, tally_approval
from voisinage.tallies.consent import Consent, ConsentFigures, tally_consent
from voisinage.tallies.majority_judgment import (
    DEFAULT_GRADES,
    DEFAULT_MINIMUM_GRADE,
    GRADE_LABELS,
    JudgmentFigures,
    MeritProfile,
    tally_majority_judgment,
)
from voisinage.tallies.ranked import (
    RankedFigures,
    condorcet_winner,
    pairwise_preferences,
    strongest_paths,
    tally_ranked,
)
from voisinage.tallies.results import Method, Outcome, Quorum, Result, check_quorum
from voisinage.tallies.threshold import (
    Threshold,
    ThresholdFigures,
    Vote,
    tally_threshold,
    votes_needed,
)

__all__ = [
    "DEFAULT_GRADES",
    "DEFAULT_MINIMUM_GRADE",
    "GRADE_LABELS",
    "ApprovalFigures",
    "Approvals",
    "Consent",
    "ConsentFigures",
    "JudgmentFigures",
    "MeritProfile",
    "Method",
    "Outcome",
    "Quorum",
    "RankedFigures",
    "Result",
    "Threshold",
    "ThresholdFigures",
    "Vote",
    "check_quorum",
    "condorcet_winner",
    "pairwise_preferences",
    "strongest_paths",
    "tally_approval",
    "tally_consent",
    "tally_majority_judgment",
    "tally_ranked",
    "tally_threshold",
    "votes_needed",
]
