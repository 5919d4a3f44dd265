"""Workshops: the project's path of steps, availability polls, RSVPs, attendance, calendar feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, fk_column, utcnow


class PathStep(SQLModel, table=True):
    """One step of a project's path: a usual workshop (A1…C1), an advice session, or a one-off."""

    __tablename__ = "path_step"
    # A template step is instantiated once per project; steps added by hand have no key.
    __table_args__ = (UniqueConstraint("project_id", "template_key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    position: int
    # The GRT code ("A1"); two steps may share one (the two A1 sessions, B1 and its advice).
    code: str = Field(default="", sa_type=String(16))
    template_key: str | None = Field(default=None, sa_type=String(32))
    # "workshop", "advice" or "one_off".
    kind: str = Field(sa_type=String(16))
    title: str = Field(sa_type=String(200))
    purpose: str = Field(default="", sa_type=String(500))
    # In half-days, the unit funders count in ("atelier de 0,5 j").
    half_days: int = Field(default=1)
    # "metropolis", "group", "other", or None when nobody said.
    funder: str | None = Field(default=None, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Workshop(SQLModel, table=True):
    """One session of a path step: to schedule, scheduled, done, or cancelled.

    A step has one current (not cancelled) workshop; cancelling it opens a new one to schedule.
    """

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    path_step_id: int = Field(sa_column=fk_column("path_step.id", ondelete="CASCADE"))
    status: str = Field(default="to_schedule", sa_type=String(16))
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    place: str = Field(default="", sa_type=String(200))
    # People, not households; None: no limit.
    capacity: int | None = None
    # The iCalendar SEQUENCE: bumped on every change calendars must see.
    sequence: int = Field(default=0)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    minutes_url: str = Field(default="", sa_type=String(500))
    # Everyone who came, members and guests; kept as a figure for the funders' report, so that
    # a member erasing their data later does not change what was reported.
    attendance_count: int | None = None
    attendance_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AvailabilityPoll(SQLModel, table=True):
    """Candidate slots for a workshop and a deadline to answer by."""

    __tablename__ = "availability_poll"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    workshop_id: int = Field(sa_column=fk_column("workshop.id", ondelete="CASCADE"))
    # "household" (one answer per household) or "person".
    respondent_unit: str = Field(sa_type=String(16))
    deadline: datetime = Field(sa_type=UTCDateTime)
    # "open", "confirmed" or "cancelled"; an open poll past its deadline takes no more answers.
    status: str = Field(default="open", sa_type=String(16))
    created_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollSlot(SQLModel, table=True):
    __tablename__ = "poll_slot"

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(sa_column=fk_column("availability_poll.id", ondelete="CASCADE"))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", sa_type=String(200))
    # Set on the one slot the facilitator chose.
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PollResponse(SQLModel, table=True):
    """One respondent's answers to a poll (a household or a member, as the poll's unit says)."""

    __tablename__ = "poll_response"
    __table_args__ = (
        UniqueConstraint("poll_id", "household_id"),
        UniqueConstraint("poll_id", "member_id"),
        CheckConstraint("(household_id IS NULL) <> (member_id IS NULL)", name="one_respondent"),
    )

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(sa_column=fk_column("availability_poll.id", ondelete="CASCADE"))
    household_id: int | None = Field(
        default=None, sa_column=fk_column("household.id", ondelete="CASCADE", nullable=True)
    )
    member_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="CASCADE", nullable=True)
    )
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PollAnswer(SQLModel, table=True):
    """A respondent's "yes", "if_need_be" or "no" to one slot."""

    __tablename__ = "poll_answer"
    __table_args__ = (UniqueConstraint("response_id", "slot_id"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(sa_column=fk_column("poll_response.id", ondelete="CASCADE"))
    slot_id: int = Field(sa_column=fk_column("poll_slot.id", ondelete="CASCADE"))
    choice: str = Field(sa_type=String(16))


class Rsvp(SQLModel, table=True):
    """Whether a household (or a member without one) comes to a workshop, and how many people.

    "coming" holds places; "waiting" wants to come but did not fit, queued by `waiting_since`.
    """

    __table_args__ = (
        UniqueConstraint("workshop_id", "household_id"),
        UniqueConstraint("workshop_id", "member_id"),
        CheckConstraint("(household_id IS NULL) <> (member_id IS NULL)", name="one_respondent"),
        CheckConstraint("people >= 0", name="people_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(sa_column=fk_column("workshop.id", ondelete="CASCADE"))
    household_id: int | None = Field(
        default=None, sa_column=fk_column("household.id", ondelete="CASCADE", nullable=True)
    )
    member_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="CASCADE", nullable=True)
    )
    # "coming", "waiting", "maybe" or "not_coming".
    status: str = Field(sa_type=String(16))
    people: int = Field(default=1)
    waiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Attendance(SQLModel, table=True):
    """A member who came to a workshop."""

    __table_args__ = (UniqueConstraint("workshop_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(sa_column=fk_column("workshop.id", ondelete="CASCADE"))
    member_id: int = Field(sa_column=fk_column("member.id", ondelete="CASCADE"))


class CalendarFeed(SQLModel, table=True):
    """A member's private calendar feed: only the SHA-256 of its secret token is kept."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=fk_column("member.id", ondelete="CASCADE"))
    token_hash: str = Field(sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
