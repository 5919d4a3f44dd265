"""Voices: who a vote counts for, one household or one person as the ballot's unit says."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from voisinage.enums import Role, VotingUnit
from voisinage.errors import N_, Forbidden
from voisinage.models import Household, Member


@dataclass(frozen=True)
class Voice:
    """A household, or a resident (by the unit, or because they belong to no household)."""

    household_id: int | None
    member_id: int | None
    name: str

    @property
    def key(self) -> str:
        """Return how the voice is named in tags and sets: "household:<id>" or "member:<id>"."""
        if self.household_id is not None:
            return f"household:{self.household_id}"
        return f"member:{self.member_id}"


def _voice(member: Member, household: Household | None, unit: str) -> Voice:
    # A resident without a household still has a voice, their own, rather than none.
    if unit == VotingUnit.HOUSEHOLD and household is not None:
        return Voice(household_id=household.id, member_id=None, name=household.name)
    return Voice(household_id=None, member_id=member.id, name=member.display_name)


def may_vote(member: Member) -> bool:
    """Return whether a member has a voice in ballots: residents have; partners and facilitators not."""
    return member.role == Role.RESIDENT


def voice_of(session: Session, member: Member, *, unit: str) -> Voice:
    """Return the voice a member votes with; refuse anyone who is not a resident."""
    if not may_vote(member):
        raise Forbidden(N_("Only residents vote."))
    household = session.get(Household, member.household_id) if member.household_id else None
    return _voice(member, household, unit)


def eligible_voices(session: Session, *, project_id: int, unit: str) -> list[Voice]:
    """Return every voice of the project, in the order of their first resident (two queries)."""
    residents = session.exec(
        select(Member)
        .where(col(Member.project_id) == project_id, col(Member.role) == Role.RESIDENT)
        .order_by(col(Member.id))
    )
    households = {
        household.id: household
        for household in session.exec(
            select(Household).where(col(Household.project_id) == project_id)
        )
    }
    voices: dict[str, Voice] = {}
    for member in residents:
        voice = _voice(member, households.get(member.household_id), unit)
        voices.setdefault(voice.key, voice)
    return list(voices.values())
