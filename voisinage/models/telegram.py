"""What the Telegram front door keeps in the database: the webhook inbox and bot state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, utcnow


class TelegramUpdate(SQLModel, table=True):
    """A raw update received by the webhook, waiting for the bot process to handle it.

    Keyed by Telegram's update_id, so that Telegram's retries of the same update are absorbed.
    """

    __tablename__ = "telegram_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class BotState(SQLModel, table=True):
    """One piece of the bot's persisted state: a user's or chat's data, or a conversation state.

    `kind` is e.g. "user_data", "chat_data", "bot_data", "conversation:<name>"; `key` identifies
    the user, chat or conversation key within that kind ("" when there is only one).
    """

    __tablename__ = "bot_state"

    kind: str = Field(sa_type=String(64), primary_key=True)
    key: str = Field(sa_type=String(128), primary_key=True)
    data: Any = Field(sa_column=Column(JSON, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
