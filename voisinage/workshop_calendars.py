"""Calendars: one workshop as an `.ics` file, and each member's private feed of their workshops.

A workshop keeps one UID (`workshop-<id>@<public host>`) for life, and its SEQUENCE grows with
every change, so a calendar that imported it replaces the event instead of adding a second
one; a cancelled workshop stays in the feed with STATUS:CANCELLED so that phones remove it.
A feed URL carries a secret token; only its SHA-256 is stored, and revoking it kills the URL.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration
from sqlalchemy import update
from sqlmodel import Session, col, select

from voisinage.errors import N_, Conflict, LinkInvalid
from voisinage.models import Member, Project, utcnow
from voisinage.models.workshops import CalendarFeed, PathStep, Workshop
from voisinage.workshops import INVITED_ROLES, WorkshopStatus, get_workshop, invited_member

PRODID = "-//Voisinage//Workshops//EN"
# How often calendar apps should fetch a feed again.
REFRESH_INTERVAL = timedelta(hours=1)


def calendar_host(public_url: str) -> str:
    """Return the host that ends workshop UIDs: the deployment's public host name."""
    return urlsplit(public_url).hostname or "localhost"


def workshop_uid(workshop_id: int, host: str) -> str:
    """Return the stable iCalendar UID of a workshop."""
    return f"workshop-{workshop_id}@{host}"


def _event(workshop: Workshop, step: PathStep, zone: ZoneInfo, host: str) -> Event:
    event = Event()
    event.add("uid", workshop_uid(workshop.id, host))
    event.add("dtstamp", workshop.updated_at)
    event.add("last-modified", workshop.updated_at)
    event.add("dtstart", workshop.starts_at.astimezone(zone))
    event.add("dtend", workshop.ends_at.astimezone(zone))
    event.add("summary", step.title)
    if step.purpose:
        event.add("description", step.purpose)
    if workshop.place:
        event.add("location", workshop.place)
    event.add("sequence", workshop.sequence)
    cancelled = workshop.status == WorkshopStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _calendar(
    project: Project, rows: Sequence[tuple[Workshop, PathStep]], host: str, *, feed: bool
) -> bytes:
    zone = ZoneInfo(project.timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", project.name)
    calendar.add("x-wr-timezone", project.timezone)
    if feed:
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for workshop, step in rows:
        calendar.add_component(_event(workshop, step, zone, host))
    if rows:
        years = [workshop.starts_at.astimezone(zone).year for workshop, _ in rows]
        # Only the years the events need: a zone's whole history would weigh kilobytes.
        calendar.add_missing_timezones(
            first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 1, 12, 31)
        )
    return calendar.to_ical()


def workshop_ics(session: Session, *, project_id: int, workshop_id: int, host: str) -> bytes:
    """Return one scheduled (or past, or cancelled) workshop as an `.ics` file."""
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id)
    if workshop.starts_at is None:
        raise Conflict(
            N_("This workshop has no date yet: its calendar file comes once it is scheduled.")
        )
    step = session.get(PathStep, workshop.path_step_id)
    return _calendar(session.get(Project, project_id), [(workshop, step)], host, feed=False)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_calendar_token(
    session: Session, *, project_id: int, member_id: int, now: datetime | None = None
) -> str:
    """Return a new secret for the member's calendar feed URL; the previous URL stops working."""
    member = invited_member(session, project_id=project_id, member_id=member_id)
    now = now or utcnow()
    revoke_calendar_token(session, member_id=member.id, now=now)
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(member_id=member.id, token_hash=_token_hash(token), created_at=now))
    session.flush()
    return token


def revoke_calendar_token(session: Session, *, member_id: int, now: datetime | None = None) -> int:
    """Make the member's calendar feed URL stop working; return how many were revoked."""
    result = session.execute(
        update(CalendarFeed)
        .where(col(CalendarFeed.member_id) == member_id, col(CalendarFeed.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def member_for_calendar_token(session: Session, *, token: str) -> Member:
    """Return the member a feed token belongs to; refuse an unknown or revoked one."""
    member = session.exec(
        select(Member)
        .join(CalendarFeed, col(CalendarFeed.member_id) == col(Member.id))
        .where(
            col(CalendarFeed.token_hash) == _token_hash(token),
            col(CalendarFeed.revoked_at).is_(None),
        )
    ).first()
    if member is None:
        raise LinkInvalid()
    return member


def member_feed_ics(session: Session, *, token: str, host: str) -> bytes:
    """Return the calendar of every dated workshop the token's member is invited to."""
    member = member_for_calendar_token(session, token=token)
    project = session.get(Project, member.project_id)
    rows = []
    if member.role in INVITED_ROLES:
        rows = list(
            session.exec(
                select(Workshop, PathStep)
                .join(PathStep, col(PathStep.id) == col(Workshop.path_step_id))
                .where(
                    col(Workshop.project_id) == project.id,
                    col(Workshop.starts_at).is_not(None),
                )
                .order_by(col(Workshop.starts_at), col(Workshop.id))
            )
        )
    return _calendar(project, rows, host, feed=True)
