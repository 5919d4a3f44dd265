"""Scheduled digests: the summary sent to the facilitators, and a version without names to the group.

Each project's schedule (off, daily, or weekly on a day) names an hour in the project's time zone.
`enqueue_due_digests` runs every minute in the bot: for each project it finds the latest
scheduled moment that has come, claims that period once by inserting its `DigestRun` (unique per
project and period: a second runner, or a restarted bot, finds it taken and does nothing), and
enqueues the digests through the outbox in the same transaction, their keys naming the run. A bot
that was down sends the latest missed period only, marked late.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from voisinage import outbox
from voisinage.digest_text import FACILITATOR_DIGEST, GROUP_DIGEST
from voisinage.enums import DigestFrequency, Role
from voisinage.errors import N_, InvalidValue, NotFound
from voisinage.models import Member, Project, utcnow
from voisinage.models.followup import DigestRun, DigestSchedule
from voisinage.permissions import require_facilitator
from voisinage.project_summary import (
    ProjectSummary,
    project_summary,
    resident_summary,
    summary_data,
)

# Enqueued later than this after its moment, a digest says it is late.
LATE_AFTER = timedelta(minutes=15)
# Names of those missing kept in a facilitator digest's data, per item; the figures stay whole.
DIGEST_NAMES = 3
PERIODS = {DigestFrequency.DAILY: timedelta(days=1), DigestFrequency.WEEKLY: timedelta(days=7)}


@dataclass(frozen=True)
class DueDigest:
    """A digest period claimed and enqueued: what went out for which project."""

    project_id: int
    run_id: int
    period: str
    scheduled_for: datetime
    since: datetime
    late: bool
    facilitators: int
    group: bool


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(N_("This project does not exist."))
    return project


def digest_schedule(session: Session, *, project_id: int, actor_id: int | None) -> DigestSchedule:
    """Return a project's digest schedule (off, unsaved, when none was ever set)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    _project(session, project_id)
    return session.get(DigestSchedule, project_id) or DigestSchedule(project_id=project_id)


def set_digest_schedule(
    session: Session,
    *,
    project_id: int,
    actor_id: int | None,
    frequency: str,
    weekday: int,
    hour: int,
    group_digest: bool,
    now: datetime | None = None,
) -> DigestSchedule:
    """Set when a project's digests go out; the first one is the first moment after now."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    project = _project(session, project_id)
    if frequency not in set(DigestFrequency):
        raise InvalidValue(N_("Digests go out daily, weekly, or not at all."))
    if not 0 <= weekday <= 6:
        raise InvalidValue(N_("Choose a day of the week for the weekly digest."))
    if not 0 <= hour <= 23:
        raise InvalidValue(N_("Choose an hour from 0 to 23."))
    if group_digest and frequency != DigestFrequency.OFF and project.telegram_chat_id is None:
        raise InvalidValue(
            N_(
                "The group digest is posted in the project's Telegram group: link a group to "
                "the project first (add the bot to the group and send /linkgroup there)."
            )
        )
    schedule = session.get(DigestSchedule, project_id) or DigestSchedule(project_id=project_id)
    schedule.frequency = str(frequency)
    schedule.weekday = weekday
    schedule.hour = hour
    schedule.group_digest = group_digest
    schedule.updated_at = now or utcnow()
    session.add(schedule)
    session.flush()
    return schedule


def _moment(day: date, hour: int, zone: ZoneInfo) -> datetime:
    # On the spring-forward day an hour that does not exist is read with the offset before the
    # change (02:00 is 03:00 summer time), and an hour that exists twice in autumn as its first
    # occurrence (fold 0): one moment per local day either way.
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def latest_moment(schedule: DigestSchedule, timezone: str, now: datetime) -> tuple[str, datetime]:
    """Return the period (its local date) and the UTC moment of the latest digest due by `now`."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    if schedule.frequency == DigestFrequency.WEEKLY:
        day, step = today - timedelta(days=(today.weekday() - schedule.weekday) % 7), 7
    else:
        day, step = today, 1
    if _moment(day, schedule.hour, zone) > now:
        day -= timedelta(days=step)
    return day.isoformat(), _moment(day, schedule.hour, zone)


def _compact(summary: ProjectSummary) -> ProjectSummary:
    """Keep a few names per item and drop what the digest does not show: a small notification."""
    return replace(
        summary,
        path=tuple(
            replace(step, poll=replace(step.poll, missing=()) if step.poll else None)
            for step in summary.path
        ),
        questionnaires=tuple(
            replace(q, missing=q.missing[:DIGEST_NAMES]) for q in summary.questionnaires
        ),
        ballots=tuple(replace(b, missing=b.missing[:DIGEST_NAMES]) for b in summary.ballots),
        waiting=replace(
            summary.waiting,
            blocked_consents=tuple(
                replace(b, reasons=()) for b in summary.waiting.blocked_consents
            ),
        ),
    )


def _claim(
    session: Session,
    project_id: int,
    period: str,
    scheduled_for: datetime,
    since: datetime,
    late: bool,
    now: datetime,
) -> int | None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # A runner that finds the period taken (by another process, or before a restart) gets None.
    return session.execute(
        dialect.insert(DigestRun)
        .values(
            project_id=project_id,
            period=period,
            scheduled_for=scheduled_for,
            since=since,
            late=late,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["project_id", "period"])
        .returning(DigestRun.id)
    ).scalar()


def _enqueue(
    session: Session,
    project: Project,
    schedule: DigestSchedule,
    run: DueDigest,
    expires_at: datetime,
    now: datetime,
) -> DueDigest:
    facilitators = list(
        session.exec(
            select(Member)
            .where(col(Member.project_id) == project.id, col(Member.role) == Role.FACILITATOR)
            .order_by(col(Member.id))
        )
    )
    common = {
        "late": run.late,
        "scheduled_for": run.scheduled_for.isoformat(),
        "slug": project.slug,
    }
    subject = f"digest:{run.run_id}"
    summary = project_summary(
        session, project_id=project.id, actor_id=None, since=run.since, now=now
    )
    outbox.enqueue_many(
        session,
        project_id=project.id,
        keys={member.id: f"{subject}:facilitator:member:{member.id}" for member in facilitators},
        kind=FACILITATOR_DIGEST,
        subject=subject,
        due_at=now,
        expires_at=expires_at,
        params={**common, "summary": summary_data(_compact(summary))},
        now=now,
    )
    holder = next((m for m in facilitators if m.telegram_user_id is not None), None)
    group = schedule.group_digest and project.telegram_chat_id is not None and holder is not None
    if group:
        resident = resident_summary(session, project_id=project.id, since=run.since, now=now)
        outbox.enqueue(
            session,
            project_id=project.id,
            member_id=holder.id,
            kind=GROUP_DIGEST,
            subject=subject,
            dedupe_key=f"{subject}:group:{project.telegram_chat_id}",
            due_at=now,
            expires_at=expires_at,
            params={
                **common,
                "chat_id": project.telegram_chat_id,
                "summary": summary_data(replace(resident, path=())),
            },
            now=now,
        )
    return replace(run, facilitators=len(facilitators), group=group)


def enqueue_due_digests(session: Session, *, now: datetime) -> list[DueDigest]:
    """Claim each project's latest digest period due by `now`, once, and enqueue its digests."""
    scheduled = list(
        session.exec(
            select(DigestSchedule, Project)
            .join(Project, col(Project.id) == col(DigestSchedule.project_id))
            .where(col(DigestSchedule.frequency) != DigestFrequency.OFF)
            .order_by(col(DigestSchedule.project_id))
        )
    )
    if not scheduled:
        return []
    latest: dict[int, datetime] = dict(
        session.exec(
            select(DigestRun.project_id, func.max(DigestRun.scheduled_for))
            .where(col(DigestRun.project_id).in_([s.project_id for s, _ in scheduled]))
            .group_by(col(DigestRun.project_id))
        ).all()
    )
    due = []
    for schedule, project in scheduled:
        period, scheduled_for = latest_moment(schedule, project.timezone, now)
        previous = latest.get(project.id)
        # Never a digest for a moment before the schedule was set, nor one already sent.
        if scheduled_for < schedule.updated_at or (previous and previous >= scheduled_for):
            continue
        length = PERIODS[DigestFrequency(schedule.frequency)]
        since = previous or scheduled_for - length
        late = now - scheduled_for > LATE_AFTER
        run_id = _claim(session, project.id, period, scheduled_for, since, late, now)
        if run_id is None:
            continue
        run = DueDigest(project.id, run_id, period, scheduled_for, since, late, 0, False)
        due.append(_enqueue(session, project, schedule, run, scheduled_for + length, now))
    return due
