"""Following up with the group: nudges to those missing, and scheduled digests (docs/dashboard.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, fk_column, utcnow


class Nudge(SQLModel, table=True):
    """One reminder action by a facilitator on an item with people missing."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    # The item nudged about, as the outbox names it ("questionnaire:5", "ballot:3", "poll:2").
    subject: str = Field(sa_type=String(64), index=True)
    # Kept when the facilitator leaves: the record says a nudge went, not who is still here.
    sent_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    # Reached through the bot, and missing but without Telegram (to reach otherwise).
    sent_count: int = Field(default=0)
    without_telegram_count: int = Field(default=0)
    # Missing, but nudged about this item less than 24 hours before.
    skipped_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NudgeRecipient(SQLModel, table=True):
    """A member reminded by a nudge: the 24-hour rule reads these."""

    __tablename__ = "nudge_recipient"
    __table_args__ = (Index("ix_nudge_recipient_recent", "subject", "member_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    nudge_id: int = Field(sa_column=fk_column("nudge.id", ondelete="CASCADE"))
    member_id: int = Field(sa_column=fk_column("member.id", ondelete="CASCADE"))
    subject: str = Field(sa_type=String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DigestSchedule(SQLModel, table=True):
    """When a project's digests go out; no row means no digest."""

    __tablename__ = "digest_schedule"

    project_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("project.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    # "off", "daily" or "weekly" (voisinage.enums.DigestFrequency).
    frequency: str = Field(default="off", sa_type=String(8))
    # Weekly digests: 0 = Monday … 6 = Sunday; the hour is in the project's time zone.
    weekday: int = Field(default=0)
    hour: int = Field(default=9)
    # Also post the resident digest (no names) to the project's linked Telegram group.
    group_digest: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DigestRun(SQLModel, table=True):
    """One digest period of a project, claimed once: its notices carry the period in their key."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("project_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    # The local date of the scheduled moment ("2027-03-29"): one run per day or week.
    period: str = Field(sa_type=String(16))
    scheduled_for: datetime = Field(sa_type=UTCDateTime)
    # What happened since: the previous run's scheduled moment, or a period back for the first.
    since: datetime = Field(sa_type=UTCDateTime)
    # Enqueued well after its scheduled moment (the bot was down): the digest says so.
    late: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
