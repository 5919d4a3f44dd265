"""What the bot remembers between updates and across restarts: per-person data, conversation steps.

Keys are Telegram ids as text. A person's data is kept under kind "user_data" with their user
id as key; a conversation step under "conversation:<name>" with the conversation's ids joined
by ":" (chat, then user), so that everything kept about one person can be found and erased.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from voisinage.models import BotState, utcnow

USER_DATA = "user_data"
CONVERSATION_PREFIX = "conversation:"


def conversation_kind(name: str) -> str:
    return f"{CONVERSATION_PREFIX}{name}"


def state_key(*ids: int) -> str:
    """Return the key of a person's or a conversation's state: '42', or '42:42' (chat:user)."""
    return ":".join(str(part) for part in ids)


def load_states(session: Session, *, kind: str) -> dict[str, Any]:
    """Return every state of one kind, by key."""
    statement = select(BotState.key, BotState.data).where(BotState.kind == kind)
    return dict(session.exec(statement).all())


def save_state(session: Session, *, kind: str, key: str, data: Any) -> None:
    """Store one state, replacing what was there; None erases it."""
    row = session.get(BotState, (kind, key))
    if data is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = BotState(kind=kind, key=key, data=data)
    else:
        row.data, row.updated_at = data, utcnow()
    session.add(row)


def _of_telegram_user(telegram_user_id: int):
    return or_(
        (col(BotState.kind) == USER_DATA) & (col(BotState.key) == str(telegram_user_id)),
        col(BotState.kind).startswith(CONVERSATION_PREFIX)
        & (
            (col(BotState.key) == str(telegram_user_id))
            | col(BotState.key).endswith(f":{telegram_user_id}")
        ),
    )


def states_of_telegram_user(session: Session, *, telegram_user_id: int) -> list[BotState]:
    """Return what the bot keeps about one Telegram account."""
    statement = (
        select(BotState)
        .where(_of_telegram_user(telegram_user_id))
        .order_by(BotState.kind, BotState.key)
    )
    return list(session.exec(statement))


def erase_states_of_telegram_user(session: Session, *, telegram_user_id: int) -> int:
    """Delete what the bot keeps about one Telegram account; return how many states went."""
    erased = session.execute(
        delete(BotState)
        .where(_of_telegram_user(telegram_user_id))
        .execution_options(synchronize_session=False)
    )
    return erased.rowcount
