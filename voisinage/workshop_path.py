"""A project's path of workshop steps: the shipped GRT template, its editing, where the group stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlmodel import Session, col, select

from voisinage import outbox
from voisinage.audit import record_action
from voisinage.errors import N_, Conflict, InvalidValue, NotFound
from voisinage.models import Project
from voisinage.models.workshops import AvailabilityPoll, PathStep, Workshop
from voisinage.permissions import require_facilitator
from voisinage.validation import check_language
from voisinage.workshop_reminders import poll_subject
from voisinage.workshops import (
    Funder,
    PollStatus,
    StepKind,
    WorkshopStatus,
    current_workshop,
    get_step,
    new_workshop,
    one_line,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
PATH_FORMAT = "voisinage.path"
TITLE_MAX = 200
PURPOSE_MAX = 500
CODE_MAX = 16
HALF_DAYS_MAX = 20
STEPS_MAX = 100


@dataclass(frozen=True)
class TemplateStep:
    key: str
    code: str
    kind: StepKind
    title: str
    purpose: str
    half_days: int
    funder: Funder | None


@dataclass(frozen=True)
class PathTemplate:
    title: str
    steps: tuple[TemplateStep, ...]


@dataclass(frozen=True)
class StepStatus:
    """Where one step stands: "done", "scheduled" or "to_schedule", with its current workshop."""

    step_id: int
    position: int
    code: str
    kind: str
    title: str
    purpose: str
    half_days: int
    funder: str | None
    state: str
    workshop_id: int
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    capacity: int | None
    attendance_count: int | None
    # The open availability poll, while the step is still to schedule.
    poll_id: int | None
    poll_deadline: datetime | None


@lru_cache(maxsize=4)
def path_template(language: str) -> PathTemplate:
    """Return the shipped GRT path in a language ("fr" or "en")."""
    text = (TEMPLATES_DIR / f"grt_path.{check_language(language)}.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if data.get("format") != PATH_FORMAT:
        raise ValueError(f"grt_path.{language}.yaml is not a {PATH_FORMAT} file")
    steps = tuple(
        TemplateStep(
            key=item["key"],
            code=item["code"],
            kind=StepKind(item["kind"]),
            title=item["title"],
            purpose=item["purpose"],
            half_days=int(item["half_days"]),
            funder=Funder(item["funder"]) if item.get("funder") else None,
        )
        for item in data["steps"]
    )
    return PathTemplate(title=data["title"], steps=steps)


def list_steps(session: Session, *, project_id: int) -> list[PathStep]:
    """Return the project's path steps in order."""
    return list(
        session.exec(
            select(PathStep)
            .where(col(PathStep.project_id) == project_id)
            .order_by(col(PathStep.position), col(PathStep.id))
        )
    )


def lock_project(session: Session, project_id: int) -> Project:
    """Return the project, its row held until the transaction ends (PostgreSQL; SQLite has one writer).

    Writers that must see each other's work (two facilitators editing the path, two clicks on
    the same nudge) take turns here.
    """
    project = session.exec(
        select(Project)
        .where(col(Project.id) == project_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if project is None:
        raise NotFound(N_("This project does not exist."))
    return project


def instantiate_path(
    session: Session, *, project_id: int, actor_id: int | None, language: str | None = None
) -> list[PathStep]:
    """Add the GRT path's steps to a project, in the project's language; a second time adds nothing."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    project = lock_project(session, project_id)
    steps = list_steps(session, project_id=project_id)
    if any(step.template_key for step in steps):
        return steps
    template = path_template(language or project.language)
    position = max((step.position for step in steps), default=0)
    for item in template.steps:
        position += 1
        step = PathStep(
            project_id=project_id,
            position=position,
            code=item.code,
            template_key=item.key,
            kind=item.kind,
            title=item.title,
            purpose=item.purpose,
            half_days=item.half_days,
            funder=item.funder,
        )
        session.add(step)
        session.flush()
        new_workshop(session, step)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="path.instantiate",
        template=template.title,
        steps=len(template.steps),
    )
    return list_steps(session, project_id=project_id)


def add_step(
    session: Session,
    *,
    project_id: int,
    title: str,
    actor_id: int | None,
    code: str = "",
    purpose: str = "",
    kind: str = StepKind.WORKSHOP,
    half_days: int = 1,
    funder: str | None = None,
    position: int | None = None,
) -> PathStep:
    """Add a step to the path, at `position` (1 is first) or at the end, with a workshop to schedule."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    title = one_line(title, max_length=TITLE_MAX)
    if not title:
        raise InvalidValue(N_("Please give a title."))
    try:
        kind = StepKind(kind)
        funder = Funder(funder) if funder else None
    except ValueError:
        raise InvalidValue(N_("Unknown kind of step or funder.")) from None
    if not 1 <= half_days <= HALF_DAYS_MAX:
        raise InvalidValue(N_("A step lasts from 1 to %(max)s half-days."), max=HALF_DAYS_MAX)
    code = one_line(code, max_length=CODE_MAX)
    purpose = one_line(purpose, max_length=PURPOSE_MAX)
    lock_project(session, project_id)
    steps = list_steps(session, project_id=project_id)
    if len(steps) >= STEPS_MAX:
        raise Conflict(N_("A path has at most %(max)s steps."), max=STEPS_MAX)
    index = len(steps) if position is None else min(max(position, 1), len(steps) + 1) - 1
    step = PathStep(
        project_id=project_id,
        position=0,
        code=code,
        kind=kind,
        title=title,
        purpose=purpose,
        half_days=half_days,
        funder=funder,
    )
    session.add(step)
    session.flush()
    _renumber(session, [*steps[:index], step, *steps[index:]])
    new_workshop(session, step)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="path.add_step",
        step_id=step.id,
        title=title,
        kind=kind.value,
    )
    return step


def add_one_off_workshop(
    session: Session,
    *,
    project_id: int,
    title: str,
    actor_id: int | None,
    purpose: str = "",
    funder: str | None = None,
    half_days: int = 1,
) -> Workshop:
    """Add a workshop outside the usual path (a visit, a party) at the end; return it to schedule."""
    step = add_step(
        session,
        project_id=project_id,
        title=title,
        actor_id=actor_id,
        purpose=purpose,
        kind=StepKind.ONE_OFF,
        half_days=half_days,
        funder=funder,
    )
    return current_workshop(session, step_id=step.id)


def _renumber(session: Session, steps: list[PathStep]) -> None:
    for position, step in enumerate(steps, start=1):
        if step.position != position:
            step.position = position
            session.add(step)
    session.flush()


def remove_step(session: Session, *, project_id: int, step_id: int, actor_id: int | None) -> None:
    """Take a step off the path; one whose workshop is scheduled or done stays (cancel it first)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    lock_project(session, project_id)
    step = get_step(session, project_id=project_id, step_id=step_id)
    held = session.exec(
        select(Workshop.id).where(
            col(Workshop.path_step_id) == step.id,
            col(Workshop.status).in_([WorkshopStatus.SCHEDULED, WorkshopStatus.DONE]),
        )
    ).first()
    if held is not None:
        raise Conflict(
            N_(
                "This step has a scheduled or past workshop: cancel a scheduled one first; "
                "a workshop that took place stays on the path."
            )
        )
    # An open poll of the step goes with it: none of its notices may still go out.
    for poll_id in session.exec(
        select(AvailabilityPoll.id)
        .join(Workshop, col(Workshop.id) == col(AvailabilityPoll.workshop_id))
        .where(col(Workshop.path_step_id) == step.id)
    ):
        outbox.cancel(session, subject=poll_subject(poll_id), reason="step_removed")
    title = step.title
    session.delete(step)
    session.flush()
    _renumber(session, list_steps(session, project_id=project_id))
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="path.remove_step",
        step_id=step_id,
        title=title,
    )


def reorder_steps(
    session: Session, *, project_id: int, step_ids: list[int], actor_id: int | None
) -> list[PathStep]:
    """Put the path's steps in the order given; every step must be named once."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    lock_project(session, project_id)
    steps = {step.id: step for step in list_steps(session, project_id=project_id)}
    if sorted(step_ids) != sorted(steps):
        raise InvalidValue(
            N_("The path has changed meanwhile: reload it and order its steps again.")
        )
    _renumber(session, [steps[step_id] for step_id in step_ids])
    record_action(
        session, project_id=project_id, actor_id=actor_id, action="path.reorder", order=step_ids
    )
    return list_steps(session, project_id=project_id)


_STEP = PathStep.__table__
_WORKSHOP = Workshop.__table__
_POLL = AvailabilityPoll.__table__
# Built once, and one query: the home page reads the path on every visit. A step's current
# workshop is its last one not cancelled; its open poll counts while it is still to schedule.
_PATH_OVERVIEW = (
    sa.select(
        _STEP.c.id,
        _STEP.c.position,
        _STEP.c.code,
        _STEP.c.kind,
        _STEP.c.title,
        _STEP.c.purpose,
        _STEP.c.half_days,
        _STEP.c.funder,
        _WORKSHOP.c.status,
        _WORKSHOP.c.id,
        _WORKSHOP.c.starts_at,
        _WORKSHOP.c.ends_at,
        _WORKSHOP.c.place,
        _WORKSHOP.c.capacity,
        _WORKSHOP.c.attendance_count,
        _POLL.c.id,
        _POLL.c.deadline,
    )
    .join_from(
        _STEP,
        _WORKSHOP,
        sa.and_(
            _WORKSHOP.c.path_step_id == _STEP.c.id,
            _WORKSHOP.c.status != WorkshopStatus.CANCELLED,
        ),
    )
    .outerjoin(
        _POLL,
        sa.and_(
            _POLL.c.workshop_id == _WORKSHOP.c.id,
            _POLL.c.status == PollStatus.OPEN,
            _WORKSHOP.c.status == WorkshopStatus.TO_SCHEDULE,
        ),
    )
    .where(_STEP.c.project_id == sa.bindparam("project_id"))
    .order_by(_STEP.c.position, _STEP.c.id, _WORKSHOP.c.id, _POLL.c.id)
)


def path_overview(session: Session, *, project_id: int) -> list[StepStatus]:
    """Return every step with where it stands, in one query whatever the path's length."""
    rows = session.connection().execute(_PATH_OVERVIEW, {"project_id": project_id})
    # A step with past workshops has a row for each; the last one, in workshop order, is current.
    overview = {row[0]: row for row in rows}
    return [StepStatus(*row) for row in overview.values()]
