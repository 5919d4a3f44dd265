"""Where a project stands, computed once for every front door (docs/dashboard.md).

`project_summary` is the facilitators' picture: the path, open questionnaires and ballots with
who is missing, what waits for them, and what happened since a date. `resident_summary` is the
same picture without a name or a list of who is missing, for the group. Both read a fixed
number of SQL queries, whatever the number of members, answers, ballots or workshops.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from voisinage.errors import N_, NotFound
from voisinage.models import Project, utcnow
from voisinage.permissions import require_facilitator
from voisinage.summary_decisions import (
    AdoptedArticle,
    AmendmentItem,
    BlockedConsent,
    ClosedBallot,
    adopted_articles,
    blocked_consents,
    closed_ballots,
    proposed_amendments,
)
from voisinage.summary_path import StepSummary, path_summary
from voisinage.summary_votes import (
    BallotSummary,
    QuestionnaireSummary,
    ballot_summaries,
    questionnaire_summaries,
)
from voisinage.workshops import WorkshopStatus

# Without a date, "since" is a week ago: what a weekly digest covers.
DEFAULT_SINCE = timedelta(days=7)


@dataclass(frozen=True)
class WorkshopItem:
    """A workshop named in the to-do list or among those held."""

    workshop_id: int
    code: str
    title: str
    funder: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    attendance_count: int | None


@dataclass(frozen=True)
class PollDue:
    poll_id: int
    workshop_id: int
    title: str
    deadline: datetime


@dataclass(frozen=True)
class Waiting:
    """What waits for the facilitators."""

    amendments: tuple[AmendmentItem, ...]
    blocked_consents: tuple[BlockedConsent, ...]
    # Open polls past their deadline: a slot to confirm (or the poll to cancel).
    polls_past_deadline: tuple[PollDue, ...]
    # Scheduled workshops that have ended: attendance to record.
    attendance_to_record: tuple[WorkshopItem, ...]


@dataclass(frozen=True)
class Since:
    """What happened since a date: results, adopted articles, workshops held."""

    since: datetime
    ballots_closed: tuple[ClosedBallot, ...]
    articles_adopted: tuple[AdoptedArticle, ...]
    workshops_held: tuple[WorkshopItem, ...]


@dataclass(frozen=True)
class ProjectSummary:
    project_id: int
    slug: str
    name: str
    timezone: str
    generated_at: datetime
    path: tuple[StepSummary, ...]
    questionnaires: tuple[QuestionnaireSummary, ...]
    ballots: tuple[BallotSummary, ...]
    waiting: Waiting
    since: Since


@dataclass(frozen=True)
class ResidentStep:
    code: str
    title: str
    state: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    capacity: int | None
    places_left: int | None
    poll_deadline: datetime | None


@dataclass(frozen=True)
class ResidentQuestionnaire:
    id: int
    title: str
    closes_at: datetime | None
    eligible: int
    submitted: int


@dataclass(frozen=True)
class ResidentBallot:
    id: int
    question: str
    closes_at: datetime | None
    eligible: int
    took_part: int
    quorum_needed: int | None


@dataclass(frozen=True)
class ResidentSummary:
    """The summary the group may read: figures and titles, no name, no list of who is missing."""

    slug: str
    name: str
    timezone: str
    generated_at: datetime
    next_workshop: ResidentStep | None
    path: tuple[ResidentStep, ...]
    questionnaires: tuple[ResidentQuestionnaire, ...]
    ballots: tuple[ResidentBallot, ...]
    since: Since


def _item(step: StepSummary) -> WorkshopItem:
    return WorkshopItem(
        workshop_id=step.workshop_id,
        code=step.code,
        title=step.title,
        funder=step.funder,
        starts_at=step.starts_at,
        ends_at=step.ends_at,
        attendance_count=step.attendance_count,
    )


def _build(
    session: Session, project: Project, *, since: datetime | None, now: datetime
) -> ProjectSummary:
    since = since or now - DEFAULT_SINCE
    path = path_summary(session, project_id=project.id, now=now)
    waiting = Waiting(
        amendments=proposed_amendments(session, project_id=project.id),
        blocked_consents=blocked_consents(session, project_id=project.id),
        polls_past_deadline=tuple(
            PollDue(step.poll.poll_id, step.workshop_id, step.title, step.poll.deadline)
            for step in path
            if step.poll is not None and step.poll.past_deadline
        ),
        attendance_to_record=tuple(
            _item(step)
            for step in path
            if step.state == WorkshopStatus.SCHEDULED and step.ends_at and step.ends_at <= now
        ),
    )
    held = sorted(
        (
            step
            for step in path
            if step.state == WorkshopStatus.DONE and step.starts_at and step.starts_at >= since
        ),
        key=lambda step: step.starts_at,
    )
    return ProjectSummary(
        project_id=project.id,
        slug=project.slug,
        name=project.name,
        timezone=project.timezone,
        generated_at=now,
        path=path,
        questionnaires=questionnaire_summaries(session, project_id=project.id, now=now),
        ballots=ballot_summaries(session, project_id=project.id, now=now),
        waiting=waiting,
        since=Since(
            since=since,
            ballots_closed=closed_ballots(session, project_id=project.id, since=since),
            articles_adopted=adopted_articles(session, project_id=project.id, since=since),
            workshops_held=tuple(_item(step) for step in held),
        ),
    )


def _project(session: Session, project_id: int) -> Project:
    project = session.exec(select(Project).where(col(Project.id) == project_id)).first()
    if project is None:
        raise NotFound(N_("This project does not exist."))
    return project


def project_summary(
    session: Session,
    *,
    project_id: int,
    actor_id: int | None,
    since: datetime | None = None,
    now: datetime | None = None,
) -> ProjectSummary:
    """Return where the project stands, for its facilitators (`actor_id=None`: the command line).

    `since` (default: a week ago) starts what happened: closed ballots, adopted articles,
    workshops held.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    return _build(session, _project(session, project_id), since=since, now=now or utcnow())


def _resident_step(step: StepSummary) -> ResidentStep:
    return ResidentStep(
        code=step.code,
        title=step.title,
        state=step.state,
        starts_at=step.starts_at,
        ends_at=step.ends_at,
        place=step.place,
        capacity=step.capacity,
        places_left=step.places_left,
        poll_deadline=step.poll.deadline if step.poll else None,
    )


def resident_summary(
    session: Session,
    *,
    project_id: int,
    since: datetime | None = None,
    now: datetime | None = None,
) -> ResidentSummary:
    """Return the summary safe to post to the whole group: no name, nobody singled out as missing."""
    now = now or utcnow()
    full = _build(session, _project(session, project_id), since=since, now=now)
    coming = [
        step
        for step in full.path
        if step.state == WorkshopStatus.SCHEDULED and step.starts_at and step.starts_at > now
    ]
    next_step = min(coming, key=lambda step: step.starts_at, default=None)
    return ResidentSummary(
        slug=full.slug,
        name=full.name,
        timezone=full.timezone,
        generated_at=full.generated_at,
        next_workshop=_resident_step(next_step) if next_step else None,
        path=tuple(_resident_step(step) for step in full.path),
        questionnaires=tuple(
            ResidentQuestionnaire(q.id, q.title, q.closes_at, q.eligible, q.submitted)
            for q in full.questionnaires
        ),
        ballots=tuple(
            ResidentBallot(b.id, b.question, b.closes_at, b.eligible, b.took_part, b.quorum_needed)
            for b in full.ballots
        ),
        since=full.since,
    )


def item_subject(kind: str, item_id: int) -> str:
    """Name an open item as nudges and the outbox do: "questionnaire:5", "ballot:3", "poll:2"."""
    return f"{kind}:{item_id}"


def open_item_subjects(summary: ProjectSummary) -> list[str]:
    """Return the subjects of the summary's open questionnaires, ballots and polls."""
    return (
        [item_subject("questionnaire", q.id) for q in summary.questionnaires]
        + [item_subject("ballot", b.id) for b in summary.ballots]
        + [item_subject("poll", step.poll.poll_id) for step in summary.path if step.poll]
    )


def summary_data(summary: Any) -> Any:
    """Return a summary (or any part of one) as JSON-ready data: dates in ISO 8601, UTC."""
    if is_dataclass(summary):
        return {field.name: summary_data(getattr(summary, field.name)) for field in fields(summary)}
    if isinstance(summary, tuple | list):
        return [summary_data(item) for item in summary]
    if isinstance(summary, datetime):
        return summary.isoformat()
    return summary
