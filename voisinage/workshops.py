"""Workshops: their vocabulary, who is invited and who answers, and finding them in a project.

A project follows a path of steps (`workshop_path`); each step has one current workshop, which
an availability poll (`workshop_polls`) or the facilitator (`workshop_schedule`) schedules.
Members then RSVP (`workshop_rsvps`), the facilitator records who came (`workshop_records`),
and calendars (`workshop_calendars`) and notifications (`workshop_reminders`, sent through
`voisinage.outbox`) follow every change. docs/workshops.md tells the whole story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from voisinage.enums import Role, VotingUnit
from voisinage.errors import N_, Forbidden, InvalidValue, NotFound
from voisinage.models import Household, Member, Project
from voisinage.models.workshops import PathStep, Workshop
from voisinage.people import get_member


class StepKind(StrEnum):
    WORKSHOP = "workshop"
    # "Atelier conseil": an advice session the group usually funds itself.
    ADVICE = "advice"
    ONE_OFF = "one_off"


class Funder(StrEnum):
    METROPOLIS = "metropolis"
    GROUP = "group"
    OTHER = "other"


class WorkshopStatus(StrEnum):
    TO_SCHEDULE = "to_schedule"
    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


class PollStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Availability(StrEnum):
    """An answer to one slot of an availability poll (Framadate's three choices)."""

    YES = "yes"
    IF_NEED_BE = "if_need_be"
    NO = "no"


class RsvpStatus(StrEnum):
    COMING = "coming"
    # Wants to come, but there was no room: moves up by itself when places free up.
    WAITING = "waiting"
    MAYBE = "maybe"
    NOT_COMING = "not_coming"


# Roles invited to workshops and asked for their availability; observers (partners) are not.
INVITED_ROLES = (Role.RESIDENT, Role.FACILITATOR)
PLACE_MAX = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Respondent:
    """Who answers for a member: their household, or themselves (by the unit, or for want of one)."""

    household_id: int | None
    member_id: int | None
    name: str

    @property
    def key(self) -> str:
        return respondent_key(self.household_id, self.member_id)


def respondent_key(household_id: int | None, member_id: int | None) -> str:
    """Return how tables and queries name a respondent: "household:<id>" or "member:<id>"."""
    return f"household:{household_id}" if household_id is not None else f"member:{member_id}"


def get_step(session: Session, *, project_id: int, step_id: int) -> PathStep:
    """Return one of the project's path steps; another project's is NotFound."""
    step = session.get(PathStep, step_id)
    if step is None or step.project_id != project_id:
        raise NotFound(N_("This step does not exist in this project's path."))
    return step


def get_workshop(
    session: Session, *, project_id: int, workshop_id: int, lock: bool = False
) -> Workshop:
    """Return one of the project's workshops; `lock` holds its row until the transaction ends.

    Every change to a workshop's RSVPs takes the lock first, so that on PostgreSQL concurrent
    RSVPs queue there and count places one after another (SQLite has a single writer anyway).
    """
    statement = select(Workshop).where(col(Workshop.id) == workshop_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    workshop = session.exec(statement).first()
    if workshop is None or workshop.project_id != project_id:
        raise NotFound(N_("This workshop does not exist in this project."))
    return workshop


def current_workshop(session: Session, *, step_id: int) -> Workshop | None:
    """Return the step's workshop that is not cancelled, if any."""
    return session.exec(
        select(Workshop)
        .where(
            col(Workshop.path_step_id) == step_id,
            col(Workshop.status) != WorkshopStatus.CANCELLED,
        )
        .order_by(col(Workshop.id).desc())
    ).first()


def new_workshop(session: Session, step: PathStep) -> Workshop:
    """Give a step a fresh workshop to schedule."""
    workshop = Workshop(project_id=step.project_id, path_step_id=step.id)
    session.add(workshop)
    session.flush()
    return workshop


def invited_members(session: Session, *, project_id: int) -> list[Member]:
    """Return the members invited to the project's workshops: residents and facilitators."""
    return list(
        session.exec(
            select(Member)
            .where(col(Member.project_id) == project_id, col(Member.role).in_(INVITED_ROLES))
            .order_by(col(Member.id))
        )
    )


def invited_member(session: Session, *, project_id: int, member_id: int) -> Member:
    """Return a member who may answer polls and RSVP; refuse observers and strangers."""
    member = get_member(session, project_id=project_id, member_id=member_id)
    if member.role not in INVITED_ROLES:
        raise Forbidden(N_("Observers are not asked to workshops."))
    return member


def _respondent(member: Member, household: Household | None, unit: str) -> Respondent:
    if unit == VotingUnit.HOUSEHOLD and household is not None:
        return Respondent(household_id=household.id, member_id=None, name=household.name)
    return Respondent(household_id=None, member_id=member.id, name=member.display_name)


def respondent_for(session: Session, member: Member, *, unit: str) -> Respondent:
    """Return who answers for `member`: their household when `unit` is household and they have one."""
    household = session.get(Household, member.household_id) if member.household_id else None
    return _respondent(member, household, unit)


def respondents(
    session: Session, *, project_id: int, unit: str
) -> list[tuple[Respondent, list[int]]]:
    """Return everyone asked to answer for the project's workshops, with the members each speaks for."""
    members = invited_members(session, project_id=project_id)
    households = {
        household.id: household
        for household in session.exec(
            select(Household).where(col(Household.project_id) == project_id)
        )
    }
    grouped: dict[str, tuple[Respondent, list[int]]] = {}
    for member in members:
        respondent = _respondent(member, households.get(member.household_id), unit)
        grouped.setdefault(respondent.key, (respondent, []))[1].append(member.id)
    return list(grouped.values())


def respondent_members(
    session: Session, *, household_id: int | None, member_id: int | None
) -> list[int]:
    """Return the ids of the members a respondent (a household, or a member) speaks for."""
    if member_id is not None:
        return [member_id]
    return list(
        session.exec(
            select(Member.id)
            .where(
                col(Member.household_id) == household_id,
                col(Member.role).in_(INVITED_ROLES),
            )
            .order_by(col(Member.id))
        )
    )


def project_zone(session: Session, project_id: int) -> ZoneInfo:
    """Return the time zone the project's wall-clock times are in."""
    return ZoneInfo(session.get(Project, project_id).timezone)


def aware(value: datetime, zone: ZoneInfo) -> datetime:
    """Return `value` as an aware UTC datetime; a naive one is a wall-clock time in `zone`.

    A wall-clock time the clocks skip (spring forward) is refused rather than guessed; one they
    pass twice (fall back) is the first of the two.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    local = value.replace(tzinfo=zone)
    utc = local.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != value:
        raise InvalidValue(
            N_("%(time)s does not exist in the time zone %(zone)s: the clocks change then."),
            time=value.strftime("%Y-%m-%d %H:%M"),
            zone=zone.key,
        )
    return utc


def one_line(value: str | None, *, max_length: int) -> str:
    """Return text trimmed and folded to one line, without control characters; refuse a long one."""
    text = " ".join(_CONTROL.sub(" ", value or "").split())
    if len(text) > max_length:
        raise InvalidValue(N_("This text is too long: %(max)s characters at most."), max=max_length)
    return text
