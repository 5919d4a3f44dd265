"""Members of a project and the invitations that bring them in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, fk_column, utcnow


class Member(SQLModel, table=True):
    # One Telegram account may belong to several projects, but only once to each.
    __table_args__ = (UniqueConstraint("project_id", "telegram_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    household_id: int | None = Field(
        default=None, sa_column=fk_column("household.id", ondelete="SET NULL", nullable=True)
    )
    display_name: str = Field(sa_type=String(80))
    role: str = Field(sa_type=String(16))
    # None: follow the Telegram client or the browser, then the project's language.
    language: str | None = Field(default=None, sa_type=String(8))
    telegram_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    code: str = Field(sa_type=String(32), unique=True)
    role: str = Field(sa_type=String(16))
    household_id: int | None = Field(
        default=None, sa_column=fk_column("household.id", ondelete="CASCADE", nullable=True)
    )
    label: str = Field(default="", sa_type=String(120))
    # None: any number of people may join with this code until it expires.
    max_uses: int | None = None
    use_count: int = Field(default=0)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Redemption(SQLModel, table=True):
    """Who joined with which invitation: makes joining twice with the same code a no-op."""

    __table_args__ = (UniqueConstraint("invitation_id", "person_key"),)

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(sa_column=fk_column("invitation.id", ondelete="CASCADE"))
    member_id: int = Field(sa_column=fk_column("member.id", ondelete="CASCADE"))
    # "tg:<user id>" for Telegram, "web:<nonce of the join form>" for the browser.
    person_key: str = Field(sa_type=String(80))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
