"""The webhook's inbox: raw Telegram updates stored by the web process, handled by the bot process.

The web process only stores; the bot process takes each update, claims it, then handles it.
Claiming before handling means an update caught in a crash of the bot process is never handled
twice (a replayed message could land in the wrong step of a conversation); it is the same
promise long polling gives, where Telegram forgets an update once the next batch is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from voisinage.errors import N_, InvalidValue
from voisinage.models import TelegramUpdate, utcnow

# Where the web process listens for Telegram, under PUBLIC_URL.
WEBHOOK_PATH = "/telegram/webhook"
# Telegram's update_id is a positive 32-bit counter; the column holds 64 bits.
UPDATE_ID_MAX = 2**63 - 1
DRAIN_BATCH = 100
KEEP_PROCESSED = timedelta(days=7)


@dataclass(frozen=True)
class PendingUpdate:
    update_id: int
    payload: dict[str, Any]


def store_update(session: Session, *, payload: Any, now: datetime | None = None) -> bool:
    """Keep a raw update for the bot process; return False when this update_id is already kept.

    Telegram sends an update again until it gets a 200, sometimes while the first delivery is
    still being stored: the insert ignores a duplicate key instead of failing on it.
    """
    update_id = payload.get("update_id") if isinstance(payload, dict) else None
    if type(update_id) is not int or not 0 <= update_id <= UPDATE_ID_MAX:
        raise InvalidValue(N_("This is not a Telegram update."))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(TelegramUpdate)
        .values(update_id=update_id, payload=payload, received_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    # SQLAlchemy only counts the rows of an INSERT when asked to.
    return session.execute(statement.execution_options(preserve_rowcount=True)).rowcount == 1


def pending_updates(session: Session, *, limit: int = DRAIN_BATCH) -> list[PendingUpdate]:
    """Return the oldest updates nobody has claimed yet, in Telegram's order."""
    statement = (
        select(TelegramUpdate.update_id, TelegramUpdate.payload)
        .where(col(TelegramUpdate.processed_at).is_(None))
        .order_by(col(TelegramUpdate.update_id))
        .limit(limit)
    )
    return [PendingUpdate(update_id, payload) for update_id, payload in session.exec(statement)]


def claim_update(session: Session, *, update_id: int, now: datetime | None = None) -> bool:
    """Mark an update as taken; return False when another drain got there first."""
    claimed = session.execute(
        update(TelegramUpdate)
        .where(
            col(TelegramUpdate.update_id) == update_id,
            col(TelegramUpdate.processed_at).is_(None),
        )
        .values(processed_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def purge_processed_updates(
    session: Session, *, older_than: timedelta = KEEP_PROCESSED, now: datetime | None = None
) -> int:
    """Delete the updates handled longer ago than `older_than`; return how many went."""
    purged = session.execute(
        delete(TelegramUpdate)
        .where(col(TelegramUpdate.processed_at) < (now or utcnow()) - older_than)
        .execution_options(synchronize_session=False)
    )
    return purged.rowcount
