"""The group's documents (vision, charter…): ordered articles, their versions, amendments, comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, fk_column, utcnow


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    # "vision", "charter" or "other".
    kind: str = Field(sa_type=String(16))
    title: str = Field(sa_type=String(200))
    position: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Article(SQLModel, table=True):
    """One item of a document; its wording lives in its versions, the newest being the draft."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=fk_column("document.id", ondelete="CASCADE"))
    position: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ArticleVersion(SQLModel, table=True):
    """One wording of an article, never changed once written: a change is a new version."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=fk_column("article.id", ondelete="CASCADE"))
    # 1 for the first wording, then 2, 3…
    number: int
    title: str = Field(sa_type=String(200))
    # Markdown, rendered without any HTML of its own.
    text: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Amendment(SQLModel, table=True):
    """A resident's proposed new wording of an article, and what the facilitators made of it."""

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=fk_column("article.id", ondelete="CASCADE"))
    # The wording it amends.
    version_id: int = Field(sa_column=fk_column("article_version.id", ondelete="CASCADE"))
    author_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    # "proposed", "accepted_as_version", "accepted_as_option" or "rejected".
    status: str = Field(default="proposed", sa_type=String(24))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    decided_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ArticleComment(SQLModel, table=True):
    __tablename__ = "article_comment"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=fk_column("article.id", ondelete="CASCADE"))
    author_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
