"""The facilitators' action log."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from voisinage.models import ActionLog


def record_action(
    session: Session, *, project_id: int, actor_id: int | None, action: str, **details: Any
) -> None:
    """Append one entry to the project's action log, in the caller's transaction."""
    session.add(ActionLog(project_id=project_id, actor_id=actor_id, action=action, details=details))


def list_actions(session: Session, *, project_id: int, limit: int | None = 200) -> list[ActionLog]:
    """Return the project's latest actions, newest first (all of them when `limit` is None)."""
    statement = (
        select(ActionLog)
        .where(ActionLog.project_id == project_id)
        .order_by(ActionLog.created_at.desc(), ActionLog.id.desc())
        .limit(limit)
    )
    return list(session.exec(statement))
