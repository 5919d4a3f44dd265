"""Who is told what about polls and workshops, and when: rows in the outbox, never timers.

Keys name the item first, so that a change can cancel what it makes stale:
- `poll:<id>:opened:member:<m>`, `poll:<id>:reminder:member:<m>` (48 h before the deadline, to
  members whose household, or who, has not answered every slot),
  `poll:<id>:deadline:member:<f>` (to facilitators, when the deadline passes);
- `workshop:<id>:seq:<n>:scheduled|changed|cancelled:member:<m>` (to everyone invited),
  `workshop:<id>:seq:<n>:reminder_48h|reminder_2h:member:<m>` (to the members of a coming RSVP),
  `workshop:<id>:promoted:member:<m>:<when>` (off the waiting list).
The workshop's SEQUENCE is in its keys: after a change, reminders of the old time are cancelled
and those of the new time are new rows, sent even if the old ones went out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage import outbox
from voisinage.models import Project
from voisinage.models.workshops import (
    AvailabilityPoll,
    PathStep,
    PollAnswer,
    PollResponse,
    PollSlot,
    Rsvp,
    Workshop,
)
from voisinage.permissions import is_facilitator
from voisinage.workshops import (
    Respondent,
    RsvpStatus,
    invited_members,
    respondent_key,
    respondent_members,
    respondents,
)

POLL_REMINDER_BEFORE = timedelta(hours=48)
# A facilitator who was away still wants to hear of a poll waiting for them, for a week.
DEADLINE_NOTICE_KEEP = timedelta(days=7)
WORKSHOP_REMINDERS = {"reminder_48h": timedelta(hours=48), "reminder_2h": timedelta(hours=2)}
WORKSHOP_REMINDER_KINDS = tuple(f"workshop.{name}" for name in WORKSHOP_REMINDERS)
ANNOUNCEMENT_KINDS = ("workshop.scheduled", "workshop.changed")


def poll_subject(poll_id: int) -> str:
    """Return the outbox subject of a poll's notifications."""
    return f"poll:{poll_id}"


def workshop_subject(workshop_id: int) -> str:
    """Return the outbox subject of a workshop's notifications."""
    return f"workshop:{workshop_id}"


def workshop_params(session: Session, workshop: Workshop) -> dict[str, Any]:
    """Return what a workshop notice says: its title, time, place and time zone."""
    step = session.get(PathStep, workshop.path_step_id)
    project = session.get(Project, workshop.project_id)
    return {
        "workshop_id": workshop.id,
        "title": step.title,
        "starts_at": workshop.starts_at.isoformat(),
        "ends_at": workshop.ends_at.isoformat(),
        "place": workshop.place,
        "timezone": project.timezone,
    }


def _poll_params(session: Session, poll: AvailabilityPoll) -> dict[str, Any]:
    workshop = session.get(Workshop, poll.workshop_id)
    step = session.get(PathStep, workshop.path_step_id)
    project = session.get(Project, poll.project_id)
    return {
        "poll_id": poll.id,
        "workshop_id": workshop.id,
        "title": step.title,
        "deadline": poll.deadline.isoformat(),
        "timezone": project.timezone,
    }


def _answered_slots(session: Session, poll_id: int) -> dict[str, int]:
    rows = session.exec(
        select(PollResponse.household_id, PollResponse.member_id, func.count(PollAnswer.id))
        .join(PollAnswer, col(PollAnswer.response_id) == col(PollResponse.id))
        .where(col(PollResponse.poll_id) == poll_id)
        .group_by(col(PollResponse.household_id), col(PollResponse.member_id))
    )
    return {
        respondent_key(household_id, member_id): count for household_id, member_id, count in rows
    }


def announce_poll(session: Session, poll: AvailabilityPoll, *, now: datetime) -> None:
    """Tell everyone invited that a poll is open; schedule its reminders and deadline notices."""
    params = _poll_params(session, poll)
    subject = poll_subject(poll.id)
    invited = invited_members(session, project_id=poll.project_id)
    outbox.enqueue_many(
        session,
        project_id=poll.project_id,
        keys={member.id: f"{subject}:opened:member:{member.id}" for member in invited},
        kind="poll.opened",
        subject=subject,
        due_at=now,
        expires_at=poll.deadline,
        params=params,
        now=now,
    )
    outbox.enqueue_many(
        session,
        project_id=poll.project_id,
        keys={
            member.id: f"{subject}:deadline:member:{member.id}"
            for member in invited
            if is_facilitator(member)
        },
        kind="poll.deadline_passed",
        subject=subject,
        due_at=poll.deadline,
        expires_at=poll.deadline + DEADLINE_NOTICE_KEEP,
        params=params,
        reminder=True,
        now=now,
    )
    schedule_poll_reminders(session, poll, now=now)


def schedule_poll_reminders(
    session: Session,
    poll: AvailabilityPoll,
    *,
    now: datetime,
    only: Respondent | None = None,
) -> None:
    """Remind whoever has not answered every slot 48 h before the deadline; un-remind the others.

    Nothing is scheduled once that moment has passed (a poll opened for less than two days).
    """
    slot_count = session.exec(
        select(func.count()).select_from(PollSlot).where(col(PollSlot.poll_id) == poll.id)
    ).one()
    answered = _answered_slots(session, poll.id)
    params = _poll_params(session, poll)
    subject = poll_subject(poll.id)
    due_at = poll.deadline - POLL_REMINDER_BEFORE
    done: list[str] = []
    waiting: dict[int, str] = {}
    for respondent, member_ids in respondents(
        session, project_id=poll.project_id, unit=poll.respondent_unit
    ):
        if only is not None and respondent.key != only.key:
            continue
        keys = {member_id: f"{subject}:reminder:member:{member_id}" for member_id in member_ids}
        if answered.get(respondent.key, 0) >= slot_count:
            done += keys.values()
        elif due_at >= now:  # else opened, or slots added, too late for this reminder
            waiting.update(keys)
    if done:
        outbox.cancel(session, keys=done, reason="answered", now=now)
    outbox.enqueue_many(
        session,
        project_id=poll.project_id,
        keys=waiting,
        kind="poll.reminder",
        subject=subject,
        due_at=due_at,
        expires_at=poll.deadline,
        params=params,
        reminder=True,
        now=now,
    )


def close_poll_notices(session: Session, poll: AvailabilityPoll, *, now: datetime) -> None:
    """Cancel a poll's pending reminders and deadline notices: a slot is chosen, or it is off."""
    outbox.cancel(session, subject=poll_subject(poll.id), reason="poll_closed", now=now)


def announce_workshop(session: Session, workshop: Workshop, *, kind: str, now: datetime) -> None:
    """Tell everyone invited that a workshop is scheduled, has changed, or is cancelled."""
    subject = workshop_subject(workshop.id)
    params = workshop_params(session, workshop)
    suffix = kind.split(".", 1)[1]
    invited = invited_members(session, project_id=workshop.project_id)
    outbox.enqueue_many(
        session,
        project_id=workshop.project_id,
        keys={
            member.id: f"{subject}:seq:{workshop.sequence}:{suffix}:member:{member.id}"
            for member in invited
        },
        kind=kind,
        subject=subject,
        due_at=now,
        expires_at=workshop.starts_at,
        params=params,
        now=now,
    )


def coming_members(session: Session, workshop_id: int) -> list[int]:
    """Return the members whose RSVP (theirs or their household's) holds places."""
    rsvps = session.exec(
        select(Rsvp).where(
            col(Rsvp.workshop_id) == workshop_id, col(Rsvp.status) == RsvpStatus.COMING
        )
    )
    return [
        member_id
        for rsvp in rsvps
        for member_id in respondent_members(
            session, household_id=rsvp.household_id, member_id=rsvp.member_id
        )
    ]


def schedule_workshop_reminders(
    session: Session, workshop: Workshop, member_ids: Iterable[int], *, now: datetime
) -> None:
    """Remind these members 48 h and 2 h before the workshop, of the moments still ahead."""
    subject = workshop_subject(workshop.id)
    params = workshop_params(session, workshop)
    member_ids = list(member_ids)
    for name, before in WORKSHOP_REMINDERS.items():
        if workshop.starts_at - before < now:
            continue  # an RSVP given after this reminder's moment
        outbox.enqueue_many(
            session,
            project_id=workshop.project_id,
            keys={
                member_id: f"{subject}:seq:{workshop.sequence}:{name}:member:{member_id}"
                for member_id in member_ids
            },
            kind=f"workshop.{name}",
            subject=subject,
            due_at=workshop.starts_at - before,
            expires_at=workshop.starts_at,
            params=params,
            reminder=True,
            now=now,
        )


def cancel_workshop_reminders(
    session: Session,
    workshop: Workshop,
    *,
    reason: str,
    now: datetime,
    member_ids: Iterable[int] | None = None,
) -> None:
    """Cancel the workshop reminders of these members (of everyone when None)."""
    outbox.cancel(
        session,
        subject=workshop_subject(workshop.id),
        kinds=WORKSHOP_REMINDER_KINDS,
        member_ids=member_ids,
        reason=reason,
        now=now,
    )


def workshop_changed(session: Session, workshop: Workshop, *, now: datetime) -> None:
    """After a new time or place: drop the stale reminders and notices, schedule and tell anew."""
    outbox.cancel(
        session,
        subject=workshop_subject(workshop.id),
        kinds=(*WORKSHOP_REMINDER_KINDS, *ANNOUNCEMENT_KINDS),
        reason="superseded",
        now=now,
    )
    schedule_workshop_reminders(session, workshop, coming_members(session, workshop.id), now=now)
    announce_workshop(session, workshop, kind="workshop.changed", now=now)


def workshop_cancelled(session: Session, workshop: Workshop, *, now: datetime) -> None:
    """After a cancellation: drop everything pending about it, and tell everyone invited."""
    outbox.cancel(
        session, subject=workshop_subject(workshop.id), reason="workshop_cancelled", now=now
    )
    announce_workshop(session, workshop, kind="workshop.cancelled", now=now)


def tell_promoted(session: Session, workshop: Workshop, rsvp: Rsvp, *, now: datetime) -> None:
    """Tell a household (or member) taken off the waiting list, and schedule their reminders."""
    subject = workshop_subject(workshop.id)
    params = workshop_params(session, workshop)
    member_ids = respondent_members(
        session, household_id=rsvp.household_id, member_id=rsvp.member_id
    )
    for member_id in member_ids:
        outbox.enqueue(
            session,
            project_id=workshop.project_id,
            member_id=member_id,
            kind="rsvp.promoted",
            subject=subject,
            dedupe_key=f"{subject}:promoted:member:{member_id}:{now.timestamp():.6f}",
            due_at=now,
            expires_at=workshop.starts_at,
            params=params,
            now=now,
        )
    schedule_workshop_reminders(session, workshop, member_ids, now=now)
