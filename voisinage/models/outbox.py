"""The notification outbox: messages to members, stored first and sent later by the bot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, fk_column, utcnow


class Notification(SQLModel, table=True):
    """One message to one member, rendered in their language when it is sent (voisinage.outbox)."""

    # The drain asks for pending rows by due time; sent and cancelled rows are the bulk later on.
    __table_args__ = (Index("ix_notification_pending", "sent_at", "cancelled_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    member_id: int = Field(sa_column=fk_column("member.id", ondelete="CASCADE"))
    # What to say ("workshop.reminder_48h") and what to fill it with (ids, titles, ISO dates).
    kind: str = Field(sa_type=String(64))
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The item it is about ("workshop:5"); every dedupe key starts with it.
    subject: str = Field(sa_type=String(64), index=True)
    dedupe_key: str = Field(sa_type=String(200), unique=True)
    # Reminders are what a member may turn off; notices (changes, cancellations) always go.
    is_reminder: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    due_at: datetime = Field(sa_type=UTCDateTime)
    # Past this moment the message is pointless (a reminder of a workshop that has begun).
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_token: str | None = Field(default=None, sa_type=String(32))
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_type=String(500))
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Given up after too many failed attempts.
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str | None = Field(default=None, sa_type=String(32))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """A member's choices about messages; no row means the defaults (reminders on)."""

    __tablename__ = "notification_preference"

    member_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("member.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    reminders: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
