"""Who may do what: the role checks every service runs before it writes."""

from __future__ import annotations

from sqlmodel import Session

from voisinage.enums import Role
from voisinage.errors import N_, Forbidden
from voisinage.models import Member


def is_facilitator(member: Member | None) -> bool:
    """Say whether a member runs their project (front doors use it to choose what to show)."""
    return member is not None and member.role == Role.FACILITATOR


def require_facilitator(session: Session, *, project_id: int, actor_id: int | None) -> None:
    """Refuse unless `actor_id` is a facilitator of the project.

    `actor_id=None` is the operator at the command line, who runs the whole deployment.
    """
    if actor_id is None:
        return
    actor = session.get(Member, actor_id)
    if actor is None or actor.project_id != project_id or not is_facilitator(actor):
        raise Forbidden(N_("Only the project's facilitators can do this."))
