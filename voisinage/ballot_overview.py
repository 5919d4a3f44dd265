"""The open ballots at a glance, for a home page: one query, whatever the number of members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from voisinage.enums import Role, VotingUnit
from voisinage.models import Ballot, BallotParticipation, utcnow


@dataclass(frozen=True, slots=True)
class OpenBallotLine:
    id: int
    question: str
    method: str
    closes_at: datetime | None
    voted: bool | None  # whether the member's voice voted; None for who has no voice


_BALLOT = Ballot.__table__
_PARTICIPATION = BallotParticipation.__table__


def _open_ballots(voice) -> sa.Select:
    voted = sa.exists().where(_PARTICIPATION.c.ballot_id == _BALLOT.c.id, voice)
    return (
        sa.select(_BALLOT.c.id, _BALLOT.c.question, _BALLOT.c.method, _BALLOT.c.closes_at, voted)
        .where(
            _BALLOT.c.project_id == sa.bindparam("project_id"),
            _BALLOT.c.closed_at.is_(None),
            _BALLOT.c.opens_at <= sa.bindparam("now"),
            sa.or_(_BALLOT.c.closes_at.is_(None), _BALLOT.c.closes_at > sa.bindparam("now")),
        )
        .order_by(_BALLOT.c.opens_at.desc(), _BALLOT.c.id.desc())
    )


# Built once (composing a statement costs more than running it): the home page asks on every
# visit. The voice is the member themselves, or their household in a ballot by household.
_OWN_VOICE = _PARTICIPATION.c.member_id == sa.bindparam("member_id")
_BY_HOUSEHOLD = _BALLOT.c.voting_unit == VotingUnit.HOUSEHOLD
_OPEN_BALLOTS_OF_PERSON = _open_ballots(_OWN_VOICE)
_OPEN_BALLOTS_OF_HOUSEHOLD_MEMBER = _open_ballots(
    sa.or_(
        sa.and_(_BY_HOUSEHOLD, _PARTICIPATION.c.household_id == sa.bindparam("household_id")),
        sa.and_(~_BY_HOUSEHOLD, _OWN_VOICE),
    )
)


def open_ballot_lines(
    session: Session,
    *,
    project_id: int,
    member_id: int,
    role: str,
    household_id: int | None,
    now: datetime | None = None,
) -> list[OpenBallotLine]:
    """Return the ballots open now, newest first, with whether the member's voice has voted.

    The voice is the one `voices.voice_of` gives: the household in a ballot by household (for a
    resident who has one), else the resident themselves.
    """
    params = {"project_id": project_id, "member_id": member_id, "now": now or utcnow()}
    statement = _OPEN_BALLOTS_OF_PERSON
    if household_id is not None:
        statement = _OPEN_BALLOTS_OF_HOUSEHOLD_MEMBER
        params["household_id"] = household_id
    resident = role == Role.RESIDENT
    return [
        OpenBallotLine(id_, question, method, closes_at, bool(voted) if resident else None)
        for id_, question, method, closes_at, voted in session.connection().execute(
            statement, params
        )
    ]
