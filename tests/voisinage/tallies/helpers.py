"""Shared bits of the tally tests: hypothesis settings and ballot builders."""

from __future__ import annotations

from typing import TypeVar

from hypothesis import settings

# Tallies are pure and fast; no deadline, so a slow machine never fails a correct property.
PROPERTIES = settings(max_examples=150, deadline=None)

OPTIONS = ("A", "B", "C", "D", "E")

Ballot = TypeVar("Ballot")


def repeat(*groups: tuple[int, Ballot]) -> list[Ballot]:
    """Return the ballots of an example given as (voters, ballot) pairs."""
    return [ballot for voters, ballot in groups for _ in range(voters)]


def ranked(*groups: tuple[int, str]) -> list[list[str]]:
    """Return rankings written compactly: (5, "ACBED") is 5 voters ranking A > C > B > E > D."""
    return [list(ballot) for ballot in repeat(*groups)]


def votes(votes_for: int = 0, against: int = 0, abstain: int = 0) -> list[str]:
    """Return for / against / abstain votes in the plain form the tally reads."""
    return ["for"] * votes_for + ["against"] * against + ["abstain"] * abstain
