"""Nonces of magic links, so that each link opens a session once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, fk_column, utcnow


class LinkNonce(SQLModel, table=True):
    __tablename__ = "link_nonce"

    nonce: str = Field(sa_type=String(43), primary_key=True)
    member_id: int = Field(sa_column=fk_column("member.id", ondelete="CASCADE"))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
