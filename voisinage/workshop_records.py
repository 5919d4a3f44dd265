"""After a workshop: who came, the notes and the link to the minutes; the path step is then done."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.errors import N_, Conflict, InvalidValue, NotFound
from voisinage.models import Member, utcnow
from voisinage.models.workshops import Attendance, Workshop
from voisinage.permissions import require_facilitator
from voisinage.workshops import INVITED_ROLES, WorkshopStatus, get_workshop

GUESTS_MAX = 500
NOTES_MAX = 20_000
URL_MAX = 500
_CONTROL = "".join(chr(code) for code in range(32) if chr(code) not in "\n\t") + "\x7f"


def record_attendance(
    session: Session,
    *,
    project_id: int,
    workshop_id: int,
    member_ids: Iterable[int],
    actor_id: int | None,
    guests: int = 0,
    now: datetime | None = None,
) -> Workshop:
    """Record who came (members, plus a number of guests); the workshop and its step are done.

    Recording again replaces the list, for corrections.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id, lock=True)
    if workshop.status not in (WorkshopStatus.SCHEDULED, WorkshopStatus.DONE):
        raise Conflict(N_("Attendance is recorded for a workshop that took place."))
    if now < workshop.starts_at:
        raise Conflict(N_("This workshop has not begun yet: record who came afterwards."))
    if not 0 <= guests <= GUESTS_MAX:
        raise InvalidValue(N_("Guests: from 0 to %(max)s."), max=GUESTS_MAX)
    wanted = set(member_ids)
    known = set(
        session.exec(
            select(Member.id).where(
                col(Member.id).in_(wanted),
                col(Member.project_id) == project_id,
                col(Member.role).in_(INVITED_ROLES),
            )
        )
    )
    if known != wanted:
        raise NotFound(N_("This member does not exist in this project."))
    session.execute(
        delete(Attendance)
        .where(col(Attendance.workshop_id) == workshop.id)
        .execution_options(synchronize_session=False)
    )
    session.add_all(Attendance(workshop_id=workshop.id, member_id=m) for m in sorted(wanted))
    workshop.status = WorkshopStatus.DONE
    workshop.attendance_count = len(wanted) + guests
    workshop.attendance_recorded_at = workshop.updated_at = now
    session.add(workshop)
    session.flush()
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="workshop.attendance",
        workshop_id=workshop.id,
        members=len(wanted),
        guests=guests,
    )
    return workshop


def attendees(session: Session, *, project_id: int, workshop_id: int) -> list[Member]:
    """Return the members recorded as present, by name."""
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id)
    return list(
        session.exec(
            select(Member)
            .join(Attendance, col(Attendance.member_id) == col(Member.id))
            .where(col(Attendance.workshop_id) == workshop.id)
            .order_by(col(Member.display_name))
        )
    )


def check_minutes_url(url: str) -> str:
    """Return a link to minutes trimmed; refuse anything but an http(s) address."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(url) > URL_MAX
        or any(ch.isspace() or ch in _CONTROL for ch in url)
    ):
        raise InvalidValue(N_("Give the minutes' address as a web link (https://…)."))
    return url


def attach_minutes(
    session: Session,
    *,
    project_id: int,
    workshop_id: int,
    actor_id: int | None,
    notes: str = "",
    minutes_url: str = "",
    now: datetime | None = None,
) -> Workshop:
    """Keep the facilitator's notes and a link to the minutes with a workshop."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id, lock=True)
    if workshop.status == WorkshopStatus.CANCELLED:
        raise Conflict(N_("This workshop was cancelled."))
    notes = "".join(ch for ch in notes if ch not in _CONTROL).strip()
    if len(notes) > NOTES_MAX:
        raise InvalidValue(N_("This text is too long: %(max)s characters at most."), max=NOTES_MAX)
    workshop.notes, workshop.minutes_url = notes, check_minutes_url(minutes_url)
    workshop.updated_at = now
    session.add(workshop)
    session.flush()
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="workshop.minutes",
        workshop_id=workshop.id,
    )
    return workshop
