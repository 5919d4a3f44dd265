"""A cohousing project and its households."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from voisinage.enums import VotingUnit
from voisinage.models.base import UTCDateTime, fk_column, utcnow


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(64), unique=True)
    name: str = Field(sa_type=String(120))
    language: str = Field(sa_type=String(8))
    timezone: str = Field(sa_type=String(64))
    voting_unit: str = Field(default=VotingUnit.HOUSEHOLD, sa_type=String(16))
    # How many proxies (procurations) one member may hold at a time.
    max_proxies: int = Field(
        default=2, sa_column=Column(Integer, nullable=False, server_default="2")
    )
    # The Telegram group where announcements and results are posted, once a facilitator links it.
    telegram_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # When consent still fails after this many integration rounds, the next round is a for /
    # against vote at this threshold (a Threshold value); consent ballots take it by default.
    consent_fallback_after_rounds: int | None = None
    consent_fallback_threshold: str | None = Field(default=None, sa_type=String(24))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Household(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    name: str = Field(sa_type=String(120))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
