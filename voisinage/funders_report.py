"""The funders' report and the facilitator's list of projects, for the dashboard.

`funders_report` gives, per funder of the path steps (the metropolis, the group itself…), the
workshops held in a period with their dates and attendance: what the AMO reports to the funders,
in two queries whatever the number of workshops. `projects_overview` gives a facilitator of
several projects the key figures of each, read from the same summary as the dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage.enums import Role
from voisinage.errors import N_, InvalidValue

# One CSV writer for every download: it defuses formulas in titles people typed.
from voisinage.exports import _csv_text as csv_text
from voisinage.models import Member, Project, utcnow
from voisinage.models.workshops import Attendance, PathStep, Workshop
from voisinage.permissions import require_facilitator
from voisinage.project_summary import project_summary
from voisinage.summary_path import StepSummary
from voisinage.workshops import Funder, WorkshopStatus, aware

# The report's order: the metropolis first, as in the GRT table; steps nobody funds last.
FUNDER_ORDER: tuple[str | None, ...] = (Funder.METROPOLIS, Funder.GROUP, Funder.OTHER, None)
CSV_FIELDS = (
    "funder",
    "code",
    "title",
    "starts_at",
    "half_days",
    "attendance",
    "members",
    "guests",
)


def parse_day(value: str, zone: ZoneInfo) -> datetime:
    """Return midnight of a YYYY-MM-DD date in `zone`, in UTC; refuse anything else."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValue(
            N_("Give the date as YYYY-MM-DD, for example 2027-03-01: %(value)s is not one."),
            value=value,
        ) from None
    return aware(datetime.combine(day, time()), zone)


@dataclass(frozen=True)
class HeldWorkshop:
    """A workshop held, as the funders count it: its length and who came."""

    workshop_id: int
    code: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    half_days: int
    # Everyone who came, as recorded; `members` are those still on the list, the rest guests
    # (a member who erased their data since counts among the guests: the total stays as reported).
    attendance: int
    members: int
    guests: int


@dataclass(frozen=True)
class FunderReport:
    """The workshops one funder paid for in the period, and their totals."""

    funder: str | None
    workshops: tuple[HeldWorkshop, ...]
    half_days: int
    attendance: int
    members: int
    guests: int


@dataclass(frozen=True)
class FundersReport:
    project_id: int
    start: datetime | None
    end: datetime | None
    # Only the funders with a workshop held in the period, in FUNDER_ORDER.
    funders: tuple[FunderReport, ...]
    half_days: int
    attendance: int


def funders_report(
    session: Session,
    *,
    project_id: int,
    actor_id: int | None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> FundersReport:
    """Return the workshops held from `start` (included) to `end` (excluded), per funder."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    statement = (
        select(Workshop, PathStep.code, PathStep.title, PathStep.half_days, PathStep.funder)
        .join(PathStep, col(PathStep.id) == col(Workshop.path_step_id))
        .where(
            col(Workshop.project_id) == project_id,
            col(Workshop.status) == WorkshopStatus.DONE,
        )
        .order_by(col(Workshop.starts_at), col(Workshop.id))
    )
    if start is not None:
        statement = statement.where(col(Workshop.starts_at) >= start)
    if end is not None:
        statement = statement.where(col(Workshop.starts_at) < end)
    rows = list(session.exec(statement))
    ids = [workshop.id for workshop, *_ in rows]
    present = (
        dict(
            session.exec(
                select(Attendance.workshop_id, func.count())
                .where(col(Attendance.workshop_id).in_(ids))
                .group_by(col(Attendance.workshop_id))
            ).all()
        )
        if ids
        else {}
    )
    by_funder: dict[str | None, list[HeldWorkshop]] = defaultdict(list)
    for workshop, code, title, half_days, funder in rows:
        attendance = workshop.attendance_count or 0
        members = min(present.get(workshop.id, 0), attendance)
        by_funder[funder].append(
            HeldWorkshop(
                workshop_id=workshop.id,
                code=code,
                title=title,
                starts_at=workshop.starts_at,
                ends_at=workshop.ends_at,
                half_days=half_days,
                attendance=attendance,
                members=members,
                guests=attendance - members,
            )
        )
    funders = tuple(
        FunderReport(
            funder=funder,
            workshops=tuple(held),
            half_days=sum(w.half_days for w in held),
            attendance=sum(w.attendance for w in held),
            members=sum(w.members for w in held),
            guests=sum(w.guests for w in held),
        )
        for funder in FUNDER_ORDER
        if (held := by_funder.get(funder))
    )
    return FundersReport(
        project_id=project_id,
        start=start,
        end=end,
        funders=funders,
        half_days=sum(f.half_days for f in funders),
        attendance=sum(f.attendance for f in funders),
    )


@dataclass(frozen=True)
class ProjectFigures:
    """One project's key figures, for a facilitator's list of projects."""

    project_id: int
    slug: str
    name: str
    timezone: str
    # (title, response rate or None) of each open questionnaire.
    questionnaires: tuple[tuple[str, float | None], ...]
    # (question, took part, eligible) of each open ballot: participation, never a choice.
    ballots: tuple[tuple[str, int, int], ...]
    next_workshop: StepSummary | None
    # Amendments, blocked consents, polls past their deadline, attendance to record.
    waiting: int


def projects_overview(
    session: Session, *, member_ids: Collection[int], now: datetime | None = None
) -> tuple[ProjectFigures, ...]:
    """Return the key figures of each project where one of `member_ids` is a facilitator.

    A person signed in to several projects is a different member in each. Each project's
    figures come from its summary: a fixed number of queries per project, whatever its size.
    """
    if not member_ids:
        return ()
    now = now or utcnow()
    rows = session.exec(
        select(Member.id, Member.project_id)
        .join(Project, col(Project.id) == col(Member.project_id))
        .where(col(Member.id).in_(list(member_ids)), col(Member.role) == Role.FACILITATOR)
        .order_by(col(Project.name), col(Project.id))
    ).all()
    overview = []
    for member_id, project_id in rows:
        summary = project_summary(session, project_id=project_id, actor_id=member_id, now=now)
        coming = [
            step
            for step in summary.path
            if step.state == WorkshopStatus.SCHEDULED and step.starts_at and step.starts_at > now
        ]
        waiting = summary.waiting
        overview.append(
            ProjectFigures(
                project_id=summary.project_id,
                slug=summary.slug,
                name=summary.name,
                timezone=summary.timezone,
                questionnaires=tuple((q.title, q.response_rate) for q in summary.questionnaires),
                ballots=tuple((b.question, b.took_part, b.eligible) for b in summary.ballots),
                next_workshop=min(coming, key=lambda step: step.starts_at, default=None),
                waiting=len(waiting.amendments)
                + len(waiting.blocked_consents)
                + len(waiting.polls_past_deadline)
                + len(waiting.attendance_to_record),
            )
        )
    return tuple(overview)


def funders_report_csv(report: FundersReport, *, timezone: str) -> str:
    """Return the report as CSV, one row a workshop, dates in the project's time zone."""
    zone = ZoneInfo(timezone)
    rows = [
        {
            "funder": funder.funder or "",
            "code": held.code,
            "title": held.title,
            "starts_at": held.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "half_days": held.half_days,
            "attendance": held.attendance,
            "members": held.members,
            "guests": held.guests,
        }
        for funder in report.funders
        for held in funder.workshops
    ]
    return csv_text(rows, fieldnames=list(CSV_FIELDS))
