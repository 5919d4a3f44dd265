"""A ballot's counting rules, and the one way a choice is checked, stored and counted.

The ballot services, the exports and `voisinage recount` all go through `check_choice` and
`tally`, which call the pure tallies of `voisinage.tallies`: a choice is accepted exactly when
the tally would count it, and every count of a ballot gives the same result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from voisinage.errors import N_, InvalidValue
from voisinage.tallies import (
    DEFAULT_GRADES,
    DEFAULT_MINIMUM_GRADE,
    Method,
    Result,
    Threshold,
    tally_approval,
    tally_consent,
    tally_majority_judgment,
    tally_ranked,
    tally_threshold,
)
from voisinage.tallies.inputs import (
    MALFORMED_BALLOT,
    check_grades,
    check_options,
    check_quorum_share,
)
from voisinage.tallies.inputs import (
    check_choice as check_enum,
)

REASON_MAX = 1000
ROUNDS_MAX = 10  # most blocked consent rounds before the fallback vote
# Methods that choose among options; the others say yes or no to one proposal.
OPTION_METHODS = (Method.MAJORITY_JUDGMENT, Method.APPROVAL, Method.RANKED)


@dataclass(frozen=True)
class Rules:
    """How one ballot is counted: plain values, the same in the database and in an export."""

    method: Method
    options: tuple[str, ...] = ()  # option keys, in the ballot's order
    threshold: Threshold | None = None
    grades: tuple[str, ...] | None = None  # majority judgment: best first
    minimum_grade: str | None = None
    quorum: Fraction | None = None


def check_rules(
    *,
    method: str,
    options: Iterable[str] = (),
    threshold: str | None = None,
    grades: Iterable[str] | None = None,
    minimum_grade: str | None = None,
    quorum: Any = None,
) -> Rules:
    """Return consistent rules; refuse a setting the method does not use or lacks."""
    method = check_enum(method, Method)
    options = tuple(options)
    if method in OPTION_METHODS:
        options = check_options(options)
        if method is not Method.MAJORITY_JUDGMENT and len(options) < 2:
            raise InvalidValue(N_("This method needs at least two options."))
    elif options:
        raise InvalidValue(N_("This method votes on one proposal: it takes no options."))
    if method is Method.THRESHOLD:
        threshold = check_enum(threshold or Threshold.SIMPLE_MAJORITY, Threshold)
    elif threshold is not None:
        raise InvalidValue(N_("Only a for / against / abstain vote has a threshold."))
    if method is Method.MAJORITY_JUDGMENT:
        grades = check_grades(DEFAULT_GRADES if grades is None else grades)
        minimum_grade = minimum_grade or (
            DEFAULT_MINIMUM_GRADE if DEFAULT_MINIMUM_GRADE in grades else grades[len(grades) // 2]
        )
        if minimum_grade not in grades:
            raise InvalidValue(N_("Unknown grade %(value)s."), value=minimum_grade)
    elif grades is not None or minimum_grade is not None:
        raise InvalidValue(N_("Only a majority judgment ballot has grades."))
    return Rules(
        method=method,
        options=options,
        threshold=threshold,
        grades=grades,
        minimum_grade=minimum_grade,
        quorum=None if quorum is None else check_quorum_share(quorum),
    )


def check_fallback(
    after_rounds: int | None, threshold: str | None
) -> tuple[int | None, Threshold | None]:
    """Return a consent fallback: both values (two thirds unless said) or neither.

    The same rule for a project's default and for one consent ballot.
    """
    if after_rounds is None and threshold is None:
        return None, None
    if (
        after_rounds is None
        or isinstance(after_rounds, bool)
        or not isinstance(after_rounds, int)
        or not 1 <= after_rounds <= ROUNDS_MAX
    ):
        raise InvalidValue(
            N_("The fallback comes after 1 to %(max)s blocked rounds."), max=ROUNDS_MAX
        )
    return after_rounds, check_enum(threshold or Threshold.TWO_THIRDS, Threshold)


def _consent_pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, Mapping):
        if set(value) - {"choice", "reason"}:
            raise InvalidValue(MALFORMED_BALLOT)
        return value.get("choice"), value.get("reason")
    if isinstance(value, str):
        return value, None
    if isinstance(value, Sequence) and len(value) == 2:
        return value[0], value[1]
    raise InvalidValue(MALFORMED_BALLOT)


def check_choice(rules: Rules, value: Any) -> Any:
    """Return a voter's choice in its stored (JSON) form; refuse one the tally would refuse.

    For / against: "for", "against" or "abstain". Consent: {"choice", "reason"}, the reason
    only for an objection. Majority judgment: {option: grade} grading every option.
    Approval: the approved options. Ranked: options, most preferred first (may stop early).
    """
    method = rules.method
    if method is Method.THRESHOLD:
        tally_threshold([value], threshold=Threshold.SIMPLE_MAJORITY)
        return str(value)
    if method is Method.CONSENT:
        choice, reason = _consent_pair(value)
        if reason is not None and not isinstance(reason, str):
            raise InvalidValue(MALFORMED_BALLOT)
        reason = (reason or "").strip()
        if len(reason) > REASON_MAX:
            raise InvalidValue(
                N_("This reason is too long: %(max)s characters at most."), max=REASON_MAX
            )
        tally_consent([(choice, reason)])
        return {"choice": str(choice), "reason": reason}
    if method is Method.MAJORITY_JUDGMENT:
        tally_majority_judgment(
            rules.options, [value], grades=rules.grades, minimum_grade=rules.minimum_grade
        )
        missing = [option for option in rules.options if option not in value]
        if missing:
            raise InvalidValue(
                N_("Give a grade to every option: %(value)s has none."), value=missing[0]
            )
        return {option: value[option] for option in rules.options}
    if method is Method.APPROVAL:
        tally_approval(rules.options, [value])
        return [option for option in rules.options if option in value]
    tally_ranked(rules.options, [value])
    return list(value)


def _tally_input(method: Method, value: Any) -> Any:
    if method is Method.CONSENT:
        return (value["choice"], value["reason"] or None)
    return value


def tally(rules: Rules, values: Iterable[Any], *, eligible: int | None) -> Result:
    """Count stored choices under `rules` with the pure tally of the ballot's method."""
    inputs = [_tally_input(rules.method, value) for value in values]
    quorum = rules.quorum
    if rules.method is Method.THRESHOLD:
        return tally_threshold(inputs, threshold=rules.threshold, eligible=eligible, quorum=quorum)
    if rules.method is Method.CONSENT:
        return tally_consent(inputs, eligible=eligible, quorum=quorum)
    if rules.method is Method.MAJORITY_JUDGMENT:
        return tally_majority_judgment(
            rules.options,
            inputs,
            grades=rules.grades,
            minimum_grade=rules.minimum_grade,
            eligible=eligible,
            quorum=quorum,
        )
    if rules.method is Method.APPROVAL:
        return tally_approval(rules.options, inputs, eligible=eligible, quorum=quorum)
    return tally_ranked(rules.options, inputs, eligible=eligible, quorum=quorum)


MAX_PROXIES_LIMIT = 10


def check_max_proxies(max_proxies: int) -> int:
    """Return how many proxies one member may hold, refused outside 0 to MAX_PROXIES_LIMIT."""
    if isinstance(max_proxies, bool) or not 0 <= max_proxies <= MAX_PROXIES_LIMIT:
        raise InvalidValue(
            N_("A member may hold from 0 to %(max)s proxies."), max=MAX_PROXIES_LIMIT
        )
    return max_proxies
