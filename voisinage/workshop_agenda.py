"""A member's agenda: the workshops ahead with their RSVP, and the polls waiting for their answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage.enums import VotingUnit
from voisinage.models import Project, utcnow
from voisinage.models.workshops import (
    AvailabilityPoll,
    PathStep,
    PollAnswer,
    PollResponse,
    PollSlot,
    Rsvp,
    Workshop,
)
from voisinage.workshops import (
    PollStatus,
    Respondent,
    WorkshopStatus,
    invited_member,
    respondent_for,
)


@dataclass(frozen=True)
class AgendaWorkshop:
    workshop_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    # The member's household's (or own) RSVP: None when not answered yet.
    rsvp_status: str | None
    rsvp_people: int


@dataclass(frozen=True)
class AgendaPoll:
    poll_id: int
    workshop_id: int
    title: str
    deadline: datetime
    slots: int
    answered: int


@dataclass(frozen=True)
class Agenda:
    timezone: str
    workshops: list[AgendaWorkshop]
    polls: list[AgendaPoll]


def _matches(model, respondent: Respondent):
    if respondent.household_id is not None:
        return col(model.household_id) == respondent.household_id
    return col(model.member_id) == respondent.member_id


def member_agenda(
    session: Session, *, project_id: int, member_id: int, now: datetime | None = None
) -> Agenda:
    """Return the scheduled workshops still ahead and the polls still taking answers, soonest first."""
    now = now or utcnow()
    member = invited_member(session, project_id=project_id, member_id=member_id)
    household = respondent_for(session, member, unit=VotingUnit.HOUSEHOLD)
    workshops = [
        AgendaWorkshop(
            workshop_id=workshop.id,
            title=title,
            starts_at=workshop.starts_at,
            ends_at=workshop.ends_at,
            place=workshop.place,
            rsvp_status=rsvp.status if rsvp else None,
            rsvp_people=rsvp.people if rsvp else 0,
        )
        for workshop, title, rsvp in session.exec(
            select(Workshop, PathStep.title, Rsvp)
            .join(PathStep, col(PathStep.id) == col(Workshop.path_step_id))
            .outerjoin(
                Rsvp,
                (col(Rsvp.workshop_id) == col(Workshop.id)) & _matches(Rsvp, household),
            )
            .where(
                col(Workshop.project_id) == project_id,
                col(Workshop.status) == WorkshopStatus.SCHEDULED,
                col(Workshop.starts_at) > now,
            )
            .order_by(col(Workshop.starts_at))
        )
    ]
    polls = []
    for poll, title in session.exec(
        select(AvailabilityPoll, PathStep.title)
        .join(Workshop, col(Workshop.id) == col(AvailabilityPoll.workshop_id))
        .join(PathStep, col(PathStep.id) == col(Workshop.path_step_id))
        .where(
            col(AvailabilityPoll.project_id) == project_id,
            col(AvailabilityPoll.status) == PollStatus.OPEN,
            col(AvailabilityPoll.deadline) > now,
        )
        .order_by(col(AvailabilityPoll.deadline))
    ):
        respondent = respondent_for(session, member, unit=poll.respondent_unit)
        slots = session.exec(
            select(func.count()).select_from(PollSlot).where(col(PollSlot.poll_id) == poll.id)
        ).one()
        answered = session.exec(
            select(func.count())
            .select_from(PollAnswer)
            .join(PollResponse, col(PollResponse.id) == col(PollAnswer.response_id))
            .where(col(PollResponse.poll_id) == poll.id, _matches(PollResponse, respondent))
        ).one()
        polls.append(AgendaPoll(poll.id, poll.workshop_id, title, poll.deadline, slots, answered))
    timezone = session.get(Project, project_id).timezone
    return Agenda(timezone=timezone, workshops=workshops, polls=polls)
