"""Expectation questionnaires: their questions and options, and each respondent's answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from voisinage.models.base import UTCDateTime, fk_column, utcnow


class Questionnaire(SQLModel, table=True):
    # A round has at most one next round.
    __table_args__ = (UniqueConstraint("previous_round_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=fk_column("project.id", ondelete="CASCADE"))
    title: str = Field(sa_type=String(200))
    introduction: str = Field(default="", sa_column=Column(Text, nullable=False))
    # "household" (one answer set per household) or "person" (one per resident).
    respondent_unit: str = Field(sa_type=String(16))
    # Anonymous: the summaries and exports say who answered, never who answered what.
    anonymous: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    # "draft", "open" or "closed"; an open questionnaire past `closes_at` is closed too.
    status: str = Field(default="draft", sa_type=String(16))
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    round_number: int = Field(default=1)
    # A second round points at the first, whose answers it started from.
    previous_round_id: int | None = Field(
        default=None, sa_column=fk_column("questionnaire.id", ondelete="SET NULL", nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Question(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("questionnaire_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(sa_column=fk_column("questionnaire.id", ondelete="CASCADE"))
    position: int
    # A stable identifier: conditions, templates and the pré-programme figures name questions by it.
    key: str = Field(sa_type=String(64))
    kind: str = Field(sa_type=String(16))
    label: str = Field(sa_type=String(500))
    help: str = Field(default="", sa_column=Column(Text, nullable=False))
    optional: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    # Numbers and scales: bounds and step; `unit` is shown after a number ("m²", "€").
    min_value: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    max_value: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    step: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    unit: str = Field(default="", sa_type=String(16))
    # Scales: the words at both ends ("Pas du tout" … "Tout à fait").
    min_label: str = Field(default="", sa_type=String(120))
    max_label: str = Field(default="", sa_type=String(120))
    # Free text: the longest answer accepted.
    max_length: int | None = None
    # Multiple choice and ranking: how many options may (or must) be chosen or ranked.
    min_choices: int | None = None
    max_choices: int | None = None
    # Shown only when the earlier question's answer is (or, for multiple choice, includes)
    # the option keyed `condition_value`.
    condition_question_id: int | None = Field(
        default=None, sa_column=fk_column("question.id", ondelete="CASCADE", nullable=True)
    )
    condition_value: str | None = Field(default=None, sa_type=String(64))


class QuestionOption(SQLModel, table=True):
    """One choice of a question: a stable key (what answers store) and a label (what people read)."""

    __tablename__ = "question_option"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(sa_column=fk_column("question.id", ondelete="CASCADE"))
    position: int
    key: str = Field(sa_type=String(64))
    label: str = Field(sa_type=String(200))


class AnswerSet(SQLModel, table=True):
    """One respondent's answers to one questionnaire: a draft until `submitted_at` is set.

    The respondent is a household or a member, as the questionnaire's unit says; the unique
    constraints make a second answer set for the same respondent impossible.
    """

    __tablename__ = "answer_set"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "household_id"),
        UniqueConstraint("questionnaire_id", "member_id"),
        CheckConstraint("(household_id IS NULL) <> (member_id IS NULL)", name="one_respondent"),
    )

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(sa_column=fk_column("questionnaire.id", ondelete="CASCADE"))
    household_id: int | None = Field(
        default=None, sa_column=fk_column("household.id", ondelete="CASCADE", nullable=True)
    )
    # A person's own answers go when they erase their data.
    member_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="CASCADE", nullable=True)
    )
    updated_by_id: int | None = Field(
        default=None, sa_column=fk_column("member.id", ondelete="SET NULL", nullable=True)
    )
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Answer(SQLModel, table=True):
    """The answer to one question, in the column its kind uses, so summaries read it as is.

    `choice`: single choice and yes/no (an option key); `choices`: multiple choice (keys in the
    options' order) and ranking (keys, first choice first); `number`: numbers and scales;
    `text`: free text. `skipped`: an optional question passed over on purpose.
    """

    __table_args__ = (UniqueConstraint("answer_set_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    answer_set_id: int = Field(sa_column=fk_column("answer_set.id", ondelete="CASCADE"))
    question_id: int = Field(sa_column=fk_column("question.id", ondelete="CASCADE"))
    choice: str | None = Field(default=None, sa_type=String(64))
    # SQL NULL rather than JSON null: the other kinds' rows then cost nothing to read.
    choices: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    number: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    skipped: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
