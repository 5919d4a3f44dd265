"""Scheduling a workshop, moving it, and cancelling it; everyone invited is told each time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.errors import N_, Conflict, InvalidValue
from voisinage.models import utcnow
from voisinage.models.workshops import AvailabilityPoll, PathStep, Workshop
from voisinage.permissions import require_facilitator
from voisinage.workshop_reminders import (
    announce_workshop,
    close_poll_notices,
    workshop_cancelled,
    workshop_changed,
)
from voisinage.workshops import (
    PLACE_MAX,
    PollStatus,
    WorkshopStatus,
    aware,
    get_workshop,
    new_workshop,
    one_line,
    project_zone,
)


def check_times(
    starts_at: datetime, ends_at: datetime, *, zone: ZoneInfo, now: datetime
) -> tuple[datetime, datetime]:
    """Return a start and end as aware UTC datetimes (naive ones are wall-clock times in `zone`).

    Refuse a start in the past and an end that is not after the start.
    """
    starts_at, ends_at = aware(starts_at, zone), aware(ends_at, zone)
    if starts_at <= now:
        raise InvalidValue(N_("This date is in the past: choose one to come."))
    if ends_at <= starts_at:
        raise InvalidValue(N_("The end must come after the start."))
    return starts_at, ends_at


def set_time_and_place(
    session: Session,
    workshop: Workshop,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    now: datetime,
) -> bool:
    """Schedule a locked workshop, or move it; tell everyone invited. Return False if unchanged.

    Times and place are already checked. A move keeps the RSVPs: the notice asks people to check.
    """
    if workshop.status not in (WorkshopStatus.TO_SCHEDULE, WorkshopStatus.SCHEDULED):
        raise Conflict(N_("This workshop is over or cancelled: it can no longer be scheduled."))
    first_time = workshop.status == WorkshopStatus.TO_SCHEDULE
    if not first_time and (workshop.starts_at, workshop.ends_at, workshop.place) == (
        starts_at,
        ends_at,
        place,
    ):
        return False
    workshop.starts_at, workshop.ends_at, workshop.place = starts_at, ends_at, place
    workshop.status = WorkshopStatus.SCHEDULED
    workshop.updated_at = now
    if not first_time:
        workshop.sequence += 1
    session.add(workshop)
    session.flush()
    if first_time:
        announce_workshop(session, workshop, kind="workshop.scheduled", now=now)
    else:
        workshop_changed(session, workshop, now=now)
    return True


def schedule_workshop(
    session: Session,
    *,
    project_id: int,
    workshop_id: int,
    starts_at: datetime,
    ends_at: datetime,
    actor_id: int | None,
    place: str = "",
    now: datetime | None = None,
) -> Workshop:
    """Give a workshop its date and place without a poll, or move it; everyone invited is told.

    Naive datetimes are wall-clock times in the project's time zone. An availability poll still
    open for it is withdrawn: the facilitator has decided.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id, lock=True)
    starts_at, ends_at = check_times(
        starts_at, ends_at, zone=project_zone(session, project_id), now=now
    )
    place = one_line(place, max_length=PLACE_MAX)
    changed = set_time_and_place(
        session, workshop, starts_at=starts_at, ends_at=ends_at, place=place, now=now
    )
    for poll in session.exec(
        select(AvailabilityPoll).where(
            col(AvailabilityPoll.workshop_id) == workshop.id,
            col(AvailabilityPoll.status) == PollStatus.OPEN,
        )
    ):
        poll.status, poll.closed_at = PollStatus.CANCELLED, now
        session.add(poll)
        close_poll_notices(session, poll, now=now)
    if changed:
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="workshop.schedule",
            workshop_id=workshop.id,
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            place=place,
            sequence=workshop.sequence,
        )
    return workshop


def cancel_workshop(
    session: Session,
    *,
    project_id: int,
    workshop_id: int,
    actor_id: int | None,
    now: datetime | None = None,
) -> Workshop:
    """Cancel a scheduled workshop; everyone invited is told, and its step is to schedule again.

    Return the step's new workshop, to schedule.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id, lock=True)
    if workshop.status != WorkshopStatus.SCHEDULED:
        raise Conflict(N_("Only a scheduled workshop can be cancelled."))
    workshop.status = WorkshopStatus.CANCELLED
    workshop.cancelled_at = workshop.updated_at = now
    workshop.sequence += 1
    session.add(workshop)
    session.flush()
    workshop_cancelled(session, workshop, now=now)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="workshop.cancel",
        workshop_id=workshop.id,
    )
    return new_workshop(session, session.get(PathStep, workshop.path_step_id))
