"""The result vocabulary every tally shares, so that any method is rendered and logged alike."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import Enum, StrEnum
from fractions import Fraction
from typing import Any

from voisinage.tallies.inputs import check_voices


class Method(StrEnum):
    THRESHOLD = "threshold"
    CONSENT = "consent"
    MAJORITY_JUDGMENT = "majority_judgment"
    APPROVAL = "approval"
    RANKED = "ranked"


class Outcome(StrEnum):
    """What a ballot decided. Only ADOPTED adopts; every other outcome is shown as such."""

    ADOPTED = "adopted"
    REJECTED = "rejected"
    TIE = "tie"
    NO_QUORUM = "no_quorum"
    BLOCKED = "blocked"


def exact(value: Fraction) -> dict[str, Any]:
    """Return a share as JSON: the exact fraction as "p/q", and a percent rounded half up to 0.1.

    The percent is for display only; every rule is decided on the exact fraction.
    """
    tenths = math.floor(value * 1000 + Fraction(1, 2))
    return {"fraction": f"{value.numerator}/{value.denominator}", "percent": tenths / 10}


def plain(value: Any) -> Any:
    """Return `value` as JSON-ready data: records as dicts, enums as their value, fractions exact."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, Fraction):
        return exact(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Record:
    """An immutable piece of a result that turns itself into JSON-ready data."""

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as JSON-ready data (see `plain`)."""
        return {field.name: plain(getattr(self, field.name)) for field in fields(self)}


@dataclass(frozen=True)
class Quorum(Record):
    share: Fraction  # of the eligible voices, that must take part
    needed: int  # how many voices that is: share × eligible, rounded up
    reached: bool


@dataclass(frozen=True)
class Result(Record):
    method: Method
    outcome: Outcome
    winners: tuple[str, ...]  # the adopted option, or the options tied first; () otherwise
    ranking: tuple[tuple[str, ...], ...]  # options best first, ties grouped; () for yes/no methods
    took_part: int  # ballots counted, blank ones and abstentions included
    eligible: int | None
    quorum: Quorum | None
    figures: Record  # the method's own figures

    @property
    def adopted(self) -> bool:
        return self.outcome is Outcome.ADOPTED

    @property
    def participation(self) -> Fraction | None:
        """Return the share of eligible voices that took part, if the eligible count is known."""
        return Fraction(self.took_part, self.eligible) if self.eligible else None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data, with `adopted` and `participation` spelled out."""
        return super().to_dict() | {
            "adopted": self.adopted,
            "participation": plain(self.participation),
        }


def check_quorum(*, took_part: int, eligible: int, share: Fraction) -> Quorum:
    """Return whether enough eligible voices took part.

    Rule: the quorum is reached when took_part / eligible ≥ share, that is when at least
    needed = ⌈share × eligible⌉ voices took part (12 eligible, quorum 3/4: 9 needed).
    Abstentions, blank ballots and stand-asides count as taking part.
    """
    share = check_voices(took_part, eligible=eligible, quorum=share)
    needed = math.ceil(share * eligible)
    return Quorum(share=share, needed=needed, reached=took_part >= needed)


def conclude(
    method: Method,
    outcome: Outcome,
    *,
    winners: tuple[str, ...] = (),
    ranking: tuple[tuple[str, ...], ...] = (),
    took_part: int,
    eligible: int | None,
    quorum: Fraction | None,
    figures: Record,
) -> Result:
    """Return the result, turned into NO_QUORUM (no winners, figures kept) if the quorum is missed.

    A missed quorum overrides any other outcome: the ballot decided nothing, but its figures
    stay visible so that nobody is left wondering how the vote went.
    """
    checked = None
    if quorum is not None:
        checked = check_quorum(took_part=took_part, eligible=eligible, share=quorum)
        if not checked.reached:
            outcome, winners = Outcome.NO_QUORUM, ()
    return Result(
        method=method,
        outcome=outcome,
        winners=winners,
        ranking=ranking,
        took_part=took_part,
        eligible=eligible,
        quorum=checked,
        figures=figures,
    )


def rank_by(options: Iterable[str], key: Callable[[str], Any]) -> tuple[tuple[str, ...], ...]:
    """Group options into a ranking, lowest key first; options with equal keys are tied."""
    ranking: list[list[str]] = []
    for option in sorted(options, key=key):
        if ranking and key(option) == key(ranking[-1][0]):
            ranking[-1].append(option)
        else:
            ranking.append([option])
    return tuple(tuple(group) for group in ranking)
