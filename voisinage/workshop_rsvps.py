"""RSVPs to a scheduled workshop: coming, maybe, not coming; places, and the waiting list.

A household answers once for all its members (a member without one answers for themselves),
saying how many people come. Capacity counts people. The rules:
- "coming" takes places if there are enough left; otherwise the RSVP waits, in arrival order;
- someone already coming who asks for more places than are left is refused (they keep theirs);
- whenever places free up (a cancellation, fewer people, a larger room), the waiting list moves
  up: each waiting RSVP in turn that fits now comes, and its members are told. So attendance
  never exceeds capacity, and nobody waits who would fit.
Every change takes the workshop's row lock first, so concurrent RSVPs count places one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.enums import VotingUnit
from voisinage.errors import N_, Conflict, InvalidValue
from voisinage.models import Household, Member, utcnow
from voisinage.models.workshops import Rsvp, Workshop
from voisinage.permissions import require_facilitator
from voisinage.workshop_reminders import (
    cancel_workshop_reminders,
    schedule_workshop_reminders,
    tell_promoted,
)
from voisinage.workshops import (
    Respondent,
    RsvpStatus,
    WorkshopStatus,
    get_workshop,
    invited_member,
    respondent_for,
    respondent_members,
)

PEOPLE_MAX = 12
# What a member may answer; "waiting" is where "coming" lands when there is no room.
ANSWERS = (RsvpStatus.COMING, RsvpStatus.MAYBE, RsvpStatus.NOT_COMING)
CAPACITY_MAX = 1000


@dataclass(frozen=True)
class RsvpResult:
    """What a member's RSVP came to: "waiting" when there was no room, with their place in line."""

    status: str
    people: int
    waiting_position: int | None
    places_left: int | None


@dataclass(frozen=True)
class RsvpRow:
    name: str
    status: str
    people: int


@dataclass(frozen=True)
class RsvpSummary:
    capacity: int | None
    coming: int
    maybe: int
    waiting: int
    places_left: int | None
    # Coming first, then waiting (in line order), maybe, not coming.
    rows: list[RsvpRow]


def _places_taken(session: Session, workshop_id: int) -> int:
    return session.exec(
        select(func.coalesce(func.sum(Rsvp.people), 0)).where(
            col(Rsvp.workshop_id) == workshop_id, col(Rsvp.status) == RsvpStatus.COMING
        )
    ).one()


def _places_left(session: Session, workshop: Workshop) -> int | None:
    if workshop.capacity is None:
        return None
    return workshop.capacity - _places_taken(session, workshop.id)


def _waiting_line(session: Session, workshop_id: int) -> list[Rsvp]:
    return list(
        session.exec(
            select(Rsvp)
            .where(col(Rsvp.workshop_id) == workshop_id, col(Rsvp.status) == RsvpStatus.WAITING)
            .order_by(col(Rsvp.waiting_since), col(Rsvp.id))
        )
    )


def _move_up(session: Session, workshop: Workshop, *, now: datetime) -> None:
    left = _places_left(session, workshop)
    for rsvp in _waiting_line(session, workshop.id):
        if left is not None and rsvp.people > left:
            continue
        rsvp.status, rsvp.waiting_since, rsvp.updated_at = RsvpStatus.COMING, None, now
        session.add(rsvp)
        session.flush()
        if left is not None:
            left -= rsvp.people
        tell_promoted(session, workshop, rsvp, now=now)


def _rsvp_of(session: Session, workshop_id: int, respondent: Respondent) -> Rsvp | None:
    statement = select(Rsvp).where(col(Rsvp.workshop_id) == workshop_id)
    if respondent.household_id is not None:
        return session.exec(
            statement.where(col(Rsvp.household_id) == respondent.household_id)
        ).first()
    return session.exec(statement.where(col(Rsvp.member_id) == respondent.member_id)).first()


def _open_for_rsvp(workshop: Workshop, now: datetime) -> None:
    if workshop.status != WorkshopStatus.SCHEDULED:
        raise Conflict(N_("This workshop is not scheduled: there is nothing to answer yet."))
    if now >= workshop.starts_at:
        raise Conflict(N_("This workshop has already begun: answers are closed."))


def rsvp(
    session: Session,
    *,
    project_id: int,
    workshop_id: int,
    member_id: int,
    status: str,
    people: int = 1,
    now: datetime | None = None,
) -> RsvpResult:
    """Say whether the member's household (or the member) comes, and how many people.

    "coming" joins the waiting list when there is no room; see the module's rules.
    """
    now = now or utcnow()
    if status not in ANSWERS:
        raise InvalidValue(N_("Answer coming, maybe, or not coming."))
    status = RsvpStatus(status)
    if status == RsvpStatus.NOT_COMING:
        people = 0
    elif not 1 <= people <= PEOPLE_MAX:
        raise InvalidValue(N_("Say how many people come: from 1 to %(max)s."), max=PEOPLE_MAX)
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id, lock=True)
    _open_for_rsvp(workshop, now)
    member = invited_member(session, project_id=project_id, member_id=member_id)
    if status == RsvpStatus.COMING and workshop.capacity is not None and people > workshop.capacity:
        raise InvalidValue(
            N_("At most %(capacity)s people can come to this workshop."),
            capacity=workshop.capacity,
        )
    respondent = respondent_for(session, member, unit=VotingUnit.HOUSEHOLD)
    current = _rsvp_of(session, workshop.id, respondent)
    left = _places_left(session, workshop)
    new_status, waiting_since = status, None
    if status == RsvpStatus.COMING:
        if current is not None and current.status == RsvpStatus.COMING:
            extra = people - current.people
            if left is not None and extra > left:
                raise Conflict(
                    N_(
                        "Not enough room for that: places left: %(left)s. Your answer is unchanged."
                    ),
                    left=left,
                )
        elif left is not None and people > left:
            new_status = RsvpStatus.WAITING
            waiting = current is not None and current.status == RsvpStatus.WAITING
            waiting_since = current.waiting_since if waiting else now
    row = current or Rsvp(
        workshop_id=workshop.id,
        household_id=respondent.household_id,
        member_id=respondent.member_id,
    )
    row.status, row.people, row.waiting_since = new_status, people, waiting_since
    row.updated_by_id, row.updated_at = member.id, now
    session.add(row)
    session.flush()
    _move_up(session, workshop, now=now)
    members = respondent_members(
        session, household_id=respondent.household_id, member_id=respondent.member_id
    )
    if row.status == RsvpStatus.COMING:
        schedule_workshop_reminders(session, workshop, members, now=now)
    else:
        cancel_workshop_reminders(
            session, workshop, member_ids=members, reason="not_coming", now=now
        )
    line = [r.id for r in _waiting_line(session, workshop.id)]
    return RsvpResult(
        status=row.status,
        people=people,
        waiting_position=line.index(row.id) + 1 if row.id in line else None,
        places_left=_places_left(session, workshop),
    )


def set_capacity(
    session: Session,
    *,
    project_id: int,
    workshop_id: int,
    capacity: int | None,
    actor_id: int | None,
    now: datetime | None = None,
) -> Workshop:
    """Set how many people a workshop takes (None: no limit); more room moves the waiting list up.

    A capacity below the people already coming is refused: nobody loses their place.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        raise InvalidValue(N_("A workshop takes from 1 to %(max)s people."), max=CAPACITY_MAX)
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id, lock=True)
    if workshop.status in (WorkshopStatus.DONE, WorkshopStatus.CANCELLED):
        raise Conflict(N_("This workshop is over or cancelled: it can no longer change."))
    taken = _places_taken(session, workshop.id)
    if capacity is not None and capacity < taken:
        raise Conflict(
            N_("People already coming: %(taken)s. The capacity cannot be lower."),
            taken=taken,
        )
    if capacity == workshop.capacity:
        return workshop
    workshop.capacity, workshop.updated_at = capacity, now
    session.add(workshop)
    session.flush()
    if workshop.status == WorkshopStatus.SCHEDULED:
        _move_up(session, workshop, now=now)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="workshop.capacity",
        workshop_id=workshop.id,
        capacity=capacity,
    )
    return workshop


_ORDER = {
    RsvpStatus.COMING: 0,
    RsvpStatus.WAITING: 1,
    RsvpStatus.MAYBE: 2,
    RsvpStatus.NOT_COMING: 3,
}


def rsvp_summary(session: Session, *, project_id: int, workshop_id: int) -> RsvpSummary:
    """Return who comes to a workshop, who waits and who may come, with the totals in people."""
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id)
    rows = session.exec(
        select(Rsvp, Household.name, Member.display_name)
        .outerjoin(Household, col(Household.id) == col(Rsvp.household_id))
        .outerjoin(Member, col(Member.id) == col(Rsvp.member_id))
        .where(col(Rsvp.workshop_id) == workshop.id)
    ).all()
    ordered = sorted(
        rows,
        key=lambda row: (
            _ORDER[row[0].status],
            row[0].waiting_since or row[0].updated_at,
            (row[1] or row[2]).casefold(),
        ),
    )
    totals = dict.fromkeys(RsvpStatus, 0)
    for rsvp_row, _, _ in rows:
        totals[RsvpStatus(rsvp_row.status)] += rsvp_row.people
    return RsvpSummary(
        capacity=workshop.capacity,
        coming=totals[RsvpStatus.COMING],
        maybe=totals[RsvpStatus.MAYBE],
        waiting=totals[RsvpStatus.WAITING],
        places_left=(
            None if workshop.capacity is None else workshop.capacity - totals[RsvpStatus.COMING]
        ),
        rows=[
            RsvpRow(name=household or member, status=r.status, people=r.people)
            for r, household, member in ordered
        ],
    )
