"""Consent (prise de décision par consentement): any reasoned objection blocks the proposal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from voisinage.errors import N_, InvalidValue
from voisinage.tallies.inputs import MALFORMED_BALLOT, check_choice, check_voices
from voisinage.tallies.results import Method, Outcome, Record, Result, conclude


class Consent(StrEnum):
    CONSENT = "consent"  # je consens
    OBJECTION = "objection"  # j'ai une objection
    STAND_ASIDE = "stand_aside"  # je me mets en retrait


@dataclass(frozen=True)
class ConsentFigures(Record):
    consents: int
    objections: int
    stand_asides: int
    reasons: tuple[str, ...]  # the objections' reasons, sorted, for the integration round


def tally_consent(
    responses: Iterable[tuple[str, str | None]],
    *,
    eligible: int | None = None,
    quorum: Fraction | None = None,
) -> Result:
    """Count (choice, reason) pairs and tell whether the proposal is adopted by consent.

    - any objection, whatever the number of consents, blocks: the outcome is BLOCKED and the
      objections' reasons are returned for the facilitator's integration round;
    - otherwise the proposal is adopted when at least one member consents;
    - when everyone stands aside (or nobody answered) it is REJECTED: a decision that no one
      is ready to carry is not a decision, and the wording needs rework.

    An objection must give a reason; a consent or a stand-aside must not (its reason would be
    shown to nobody). Reasons come back sorted, so that the storage order reveals nothing and
    a recount gives the same result. Everyone who answered counts for the quorum.
    """
    counts: Counter[Consent] = Counter()
    reasons: list[str] = []
    for response in responses:
        if isinstance(response, str) or not isinstance(response, Sequence) or len(response) != 2:
            raise InvalidValue(MALFORMED_BALLOT)
        choice, reason = check_choice(response[0], Consent), response[1] or ""
        if not isinstance(reason, str):
            raise InvalidValue(MALFORMED_BALLOT)
        reason = reason.strip()
        if choice is Consent.OBJECTION:
            if not reason:
                raise InvalidValue(N_("An objection needs a reason."))
            reasons.append(reason)
        elif reason:
            raise InvalidValue(N_("Only an objection carries a reason."))
        counts[choice] += 1
    took_part = counts.total()
    share_quorum = check_voices(took_part, eligible=eligible, quorum=quorum)
    if counts[Consent.OBJECTION]:
        outcome = Outcome.BLOCKED
    elif counts[Consent.CONSENT]:
        outcome = Outcome.ADOPTED
    else:
        outcome = Outcome.REJECTED
    figures = ConsentFigures(
        consents=counts[Consent.CONSENT],
        objections=counts[Consent.OBJECTION],
        stand_asides=counts[Consent.STAND_ASIDE],
        reasons=tuple(sorted(reasons)),
    )
    return conclude(
        Method.CONSENT,
        outcome,
        took_part=took_part,
        eligible=eligible,
        quorum=share_quorum,
        figures=figures,
    )
