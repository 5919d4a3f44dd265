"""Ballots: their rules and options, who took part, the choices, and proxies.

Participation (who has voted) and choices (what was chosen) are separate tables. A named
ballot keeps the voice on its choices; a secret one links a choice to its voice only through
`voice_tag`, a keyed hash whose key (`Ballot.secret_key`) is destroyed at the close along with
every tag (see voisinage.ballot_secrecy and docs/voting.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, fk_column, utcnow


class Ballot(SQLModel, table=True):
    # A blocked consent round has at most one next round.
    __table_args__ = (
        UniqueConstraint("previous_ballot_id"),
        CheckConstraint(
            "(quorum_numerator IS NULL) = (quorum_denominator IS NULL)", name="quorum_fraction"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    # The wording voted on; None for a free question between options.
    article_version_id: int | None = Field(
        default=None, sa_column=fk_column("article_version.id", ondelete="SET NULL", nullable=True)
    )
    question: str = Field(sa_type=String(500))
    # "threshold", "consent", "majority_judgment", "approval" or "ranked".
    method: str = Field(sa_type=String(24))
    threshold: str | None = Field(default=None, sa_type=String(24))
    # Majority judgment: grade ids, best first, and the grade an option needs to be adopted.
    grades: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    minimum_grade: str | None = Field(default=None, sa_type=String(32))
    # "household" or "person", copied from the project unless the ballot overrides it.
    voting_unit: str = Field(sa_type=String(16))
    secret: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    results_live: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    # The share of eligible voices that must take part, as an exact fraction.
    quorum_numerator: int | None = None
    quorum_denominator: int | None = None
    opens_at: datetime = Field(sa_type=UTCDateTime)
    # None: closed by hand only.
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Consent: the integration round (1, 2…), the blocked ballot it follows, and the method
    # that takes over once `fallback_after_rounds` rounds have been blocked.
    round: int = Field(default=1)
    previous_ballot_id: int | None = Field(
        default=None, sa_column=fk_column("ballot.id", ondelete="SET NULL", nullable=True)
    )
    fallback_after_rounds: int | None = None
    fallback_threshold: str | None = Field(default=None, sa_type=String(24))
    # Secret ballots, while open: the key of the voice tags (hex). Destroyed at the close.
    secret_key: str | None = Field(default=None, sa_type=String(64))
    # Written at the close: the outcome, the whole result, and the wording it adopted.
    outcome: str | None = Field(default=None, sa_type=String(16))
    result: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    adopted_version_id: int | None = Field(
        default=None, sa_column=fk_column("article_version.id", ondelete="SET NULL", nullable=True)
    )
    created_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BallotOption(SQLModel, table=True):
    __tablename__ = "ballot_option"
    __table_args__ = (UniqueConstraint("ballot_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(sa_column=fk_column("ballot.id", ondelete="CASCADE"))
    position: int
    # What choices store ("a", "b"…), and what people read.
    key: str = Field(sa_type=String(16))
    label: str = Field(sa_type=String(200))
    # A wording of the article: adopted as its new version when this option wins.
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    amendment_id: int | None = Field(
        default=None, sa_column=fk_column("amendment.id", ondelete="SET NULL", nullable=True)
    )


class BallotParticipation(SQLModel, table=True):
    """One voice has voted (a household or a member, as the ballot's unit says): never what."""

    __tablename__ = "ballot_participation"
    __table_args__ = (
        UniqueConstraint("ballot_id", "household_id"),
        UniqueConstraint("ballot_id", "member_id"),
        CheckConstraint("(household_id IS NULL) <> (member_id IS NULL)", name="one_voice"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(sa_column=fk_column("ballot.id", ondelete="CASCADE"))
    household_id: int | None = Field(
        default=None, sa_column=fk_column("household.id", ondelete="CASCADE", nullable=True)
    )
    member_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="CASCADE", nullable=True)
    )
    # Who cast it: a member of the voice, a proxy holder, or the facilitator in the room.
    cast_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    by_proxy: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    # "online" or "room".
    channel: str = Field(sa_type=String(8))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BallotChoice(SQLModel, table=True):
    """One anonymous or named ballot paper: what one voice chose, in the tally's own form.

    Deliberately without timestamps: a time would link a secret choice to its participation.
    """

    __tablename__ = "ballot_choice"
    __table_args__ = (
        UniqueConstraint("ballot_id", "household_id"),
        UniqueConstraint("ballot_id", "member_id"),
        UniqueConstraint("ballot_id", "voice_tag"),
        CheckConstraint("household_id IS NULL OR member_id IS NULL", name="one_voice"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(sa_column=fk_column("ballot.id", ondelete="CASCADE"))
    # Named ballots only.
    household_id: int | None = Field(
        default=None, sa_column=fk_column("household.id", ondelete="CASCADE", nullable=True)
    )
    member_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="CASCADE", nullable=True)
    )
    # Secret ballots while open: HMAC-SHA256(ballot key, voice), hex; None once closed.
    voice_tag: str | None = Field(default=None, sa_type=String(64))
    value: Any = Field(sa_column=Column(JSON, nullable=False))


class Proxy(SQLModel, table=True):
    """A member's voice given to another member, for one ballot or for all until revoked."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    giver_id: int = Field(sa_column=fk_column("member.id", ondelete="CASCADE"))
    holder_id: int = Field(sa_column=fk_column("member.id", ondelete="CASCADE"))
    # None: every ballot until revoked.
    ballot_id: int | None = Field(
        default=None, sa_column=fk_column("ballot.id", ondelete="CASCADE", nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
