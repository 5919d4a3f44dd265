"""Strict checks on the plain values tallies receive; a bad one is refused, never guessed at."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from enum import StrEnum
from fractions import Fraction
from numbers import Rational
from typing import Any, TypeVar

from voisinage.errors import N_, InvalidValue

MALFORMED_BALLOT = N_("This ballot is not in the expected form.")

Choice = TypeVar("Choice", bound=StrEnum)


def _check_names(values: Iterable[Any], *, duplicate: str) -> tuple[str, ...]:
    names: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value:
            raise InvalidValue(N_("Options and grades are named by non-empty text."))
        if value in names:
            raise InvalidValue(duplicate, value=value)
        names.append(value)
    return tuple(names)


def check_options(options: Iterable[str]) -> tuple[str, ...]:
    """Return the option ids as a tuple; refuse none, a duplicate, or an id that is not text."""
    if isinstance(options, str):
        raise InvalidValue(N_("Give at least one option."))
    checked = _check_names(options, duplicate=N_("The option %(value)s is listed twice."))
    if not checked:
        raise InvalidValue(N_("Give at least one option."))
    return checked


def check_grades(grades: Iterable[str]) -> tuple[str, ...]:
    """Return the grade ids, best first, as a tuple; refuse fewer than two or a duplicate."""
    if isinstance(grades, str):
        raise InvalidValue(N_("Give at least two grades."))
    checked = _check_names(grades, duplicate=N_("The grade %(value)s is listed twice."))
    if len(checked) < 2:
        raise InvalidValue(N_("Give at least two grades."))
    return checked


def check_choice(value: Any, choices: type[Choice]) -> Choice:
    """Return `value` as one of `choices`; refuse anything else."""
    try:
        return choices(value)
    except ValueError:
        raise InvalidValue(N_("Unknown choice %(value)s."), value=value) from None


def check_option(value: Any, options: Collection[str]) -> str:
    """Return `value` if it is one of `options`; refuse anything else."""
    if not isinstance(value, str) or value not in options:
        raise InvalidValue(N_("Unknown option %(value)s."), value=value)
    return value


def check_ballot_options(
    ballot: Any, options: Collection[str], *, ordered: bool
) -> tuple[str, ...]:
    """Return the options a ballot names, in its order; refuse an unknown option or a repeat.

    An ordered ballot (a ranking) must be a sequence; an unordered one (approvals) may be any
    collection. Text and mappings are refused: they are not lists of options.
    """
    expected = Sequence if ordered else Collection
    if isinstance(ballot, str | bytes | Mapping) or not isinstance(ballot, expected):
        raise InvalidValue(MALFORMED_BALLOT)
    named: list[str] = []
    for value in ballot:
        option = check_option(value, options)
        if option in named:
            raise InvalidValue(
                N_("The option %(value)s appears twice on one ballot."), value=option
            )
        named.append(option)
    return tuple(named)


def check_quorum_share(share: Any) -> Fraction:
    """Return the quorum as a fraction; refuse a float, zero, or more than one."""
    if isinstance(share, bool) or not isinstance(share, Rational) or not 0 < share <= 1:
        raise InvalidValue(N_("The quorum must be a fraction above 0 and at most 1."))
    return Fraction(share)


def check_voices(
    took_part: int, *, eligible: Any, quorum: Any, needs_eligible: bool = False
) -> Fraction | None:
    """Return the quorum share checked; refuse an eligible count missing, negative or too small."""
    share = None if quorum is None else check_quorum_share(quorum)
    if eligible is None:
        if share is not None or needs_eligible:
            raise InvalidValue(
                N_(
                    "Give the number of eligible voices: the quorum and the absolute majority are counted from it."
                )
            )
        return share
    if isinstance(eligible, bool) or not isinstance(eligible, int) or eligible < 0:
        raise InvalidValue(
            N_("The number of eligible voices must be a whole number, zero or more.")
        )
    if took_part > eligible:
        raise InvalidValue(
            N_("There are more ballots (%(ballots)s) than eligible voices (%(eligible)s)."),
            ballots=took_part,
            eligible=eligible,
        )
    return share
