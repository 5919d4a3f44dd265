"""Who is in a project, in numbers: the facilitators' summary of members and invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_
from sqlmodel import Session, col, select

from voisinage.enums import Role
from voisinage.errors import N_, NotFound
from voisinage.models import Household, Invitation, Member, Project, utcnow
from voisinage.permissions import require_facilitator


@dataclass(frozen=True)
class Roster:
    project_name: str
    households: int
    residents: int
    facilitators: int
    observers: int
    on_telegram: int
    open_invitations: int


def _count(model, *conditions):
    return select(func.count()).select_from(model).where(*conditions).scalar_subquery()


def _roster_statement():
    project_id, now = bindparam("project_id"), bindparam("now")
    in_project = Member.project_id == project_id
    return select(
        Project.name,
        _count(Household, Household.project_id == project_id),
        _count(Member, in_project, Member.role == Role.RESIDENT),
        _count(Member, in_project, Member.role == Role.FACILITATOR),
        _count(Member, in_project, Member.role == Role.OBSERVER),
        _count(Member, in_project, col(Member.telegram_user_id).is_not(None)),
        _count(
            Invitation,
            Invitation.project_id == project_id,
            col(Invitation.revoked_at).is_(None),
            or_(col(Invitation.expires_at).is_(None), col(Invitation.expires_at) > now),
            or_(
                col(Invitation.max_uses).is_(None),
                col(Invitation.use_count) < col(Invitation.max_uses),
            ),
        ),
    ).where(Project.id == project_id)


# Built once, as one query: the bot's Summary button runs it on every press.
ROSTER = _roster_statement()


def roster_summary(
    session: Session, *, project_id: int, actor_id: int | None, now: datetime | None = None
) -> Roster:
    """Count the project's households, members by role, Telegram users and usable invitations."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    row = session.exec(ROSTER, params={"project_id": project_id, "now": now or utcnow()}).first()
    if row is None:
        raise NotFound(N_("This project does not exist."))
    return Roster(*row)
