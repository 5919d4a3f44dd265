"""What a member's home page shows: the questionnaires, votes and workshops waiting for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from voisinage.ballot_overview import OpenBallotLine, open_ballot_lines
from voisinage.enums import Role
from voisinage.memberships import MemberRecord
from voisinage.models import utcnow
from voisinage.questionnaire_participation import OpenQuestionnaire, open_questionnaires
from voisinage.workshop_path import StepStatus, path_overview
from voisinage.workshops import WorkshopStatus

# The workshops card shows this many workshops ahead; the path page shows them all.
UPCOMING_WORKSHOPS = 2


@dataclass(frozen=True, slots=True)
class HomeCards:
    """The three cards of the home page, as plain data."""

    # The questionnaires the member can answer now, with how far they are (residents only).
    questionnaires: list[OpenQuestionnaire]
    # The ballots open now, newest first, with whether the member's voice voted.
    ballots: list[OpenBallotLine]
    # The availability polls taking answers, the soonest deadline first.
    polls: list[StepStatus]
    # The next scheduled workshops, the soonest first.
    workshops: list[StepStatus]


def home_cards(session: Session, *, member: MemberRecord, now: datetime | None = None) -> HomeCards:
    """Return what the member's home page shows, in three queries whatever the project's size."""
    now = now or utcnow()
    project_id = member.project_id
    questionnaires = []
    # Only residents answer questionnaires: for anyone else, the query would find nothing.
    if member.role == Role.RESIDENT:
        questionnaires = open_questionnaires(
            session, project_id=project_id, member_id=member.id, now=now
        )
    ballots = open_ballot_lines(
        session,
        project_id=project_id,
        member_id=member.id,
        role=member.role,
        household_id=member.household_id,
        now=now,
    )
    steps = path_overview(session, project_id=project_id)
    polls = [s for s in steps if s.poll_id is not None and s.poll_deadline > now]
    ahead = [s for s in steps if s.state == WorkshopStatus.SCHEDULED and s.starts_at > now]
    return HomeCards(
        questionnaires=questionnaires,
        ballots=ballots,
        polls=sorted(polls, key=lambda s: s.poll_deadline),
        workshops=sorted(ahead, key=lambda s: s.starts_at)[:UPCOMING_WORKSHOPS],
    )
