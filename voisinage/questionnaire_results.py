"""The submitted answers of a questionnaire as plain values, read in a fixed number of queries.

Summaries, the raw-answer CSV and the project export read answers through `load_responses`,
so that an anonymous questionnaire hides who answered what in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage.models import Answer, AnswerSet, Household, Member
from voisinage.questionnaire_specs import (
    NUMERIC_KINDS,
    QuestionKind,
    QuestionnaireView,
    QuestionSpec,
    Value,
    canonical_number,
    plain_number,
)


@dataclass(frozen=True)
class Response:
    """One submitted answer set.

    For an anonymous questionnaire `name`, `household_id`, `member_id` and `submitted_at` are
    None: nothing links the answers to who gave them.
    """

    household_id: int | None
    member_id: int | None
    name: str | None
    submitted_at: datetime | None
    # Answers by question id; skipped questions are in `skipped`, hidden ones in neither.
    values: Mapping[int, Value]
    skipped: frozenset[int]


def load_responses(
    session: Session, view: QuestionnaireView, *, keep_identity: bool = False
) -> list[Response]:
    """Return the questionnaire's submitted answer sets, in two queries whatever their number.

    Named: ordered by respondent name. Anonymous: without who answered, in an order that says
    nothing of it — unless `keep_identity`, for comparing rounds respondent by respondent
    without showing who (the caller then only gives counts).
    """
    hide = view.anonymous and not keep_identity
    sets = session.exec(
        select(AnswerSet.id, AnswerSet.household_id, AnswerSet.member_id, AnswerSet.submitted_at)
        .add_columns(Household.name, Member.display_name)
        .join(Household, col(Household.id) == col(AnswerSet.household_id), isouter=True)
        .join(Member, col(Member.id) == col(AnswerSet.member_id), isouter=True)
        .where(AnswerSet.questionnaire_id == view.id, col(AnswerSet.submitted_at).is_not(None))
    ).all()
    kinds = {q.id: q.kind for q in view.questions}
    values: dict[int, dict[int, Value]] = {row[0]: {} for row in sets}
    skipped: dict[int, set[int]] = {row[0]: set() for row in sets}
    answers = session.exec(
        select(
            Answer.answer_set_id,
            Answer.question_id,
            Answer.choice,
            Answer.choices,
            Answer.number,
            Answer.text,
            Answer.skipped,
        )
        .join(AnswerSet, col(AnswerSet.id) == col(Answer.answer_set_id))
        .where(AnswerSet.questionnaire_id == view.id, col(AnswerSet.submitted_at).is_not(None))
    )
    for set_id, question_id, choice, choices, number, text, was_skipped in answers:
        kind = kinds.get(question_id)
        if kind is None:
            continue
        if was_skipped:
            skipped[set_id].add(question_id)
        else:
            values[set_id][question_id] = stored_value(kind, choice, choices, number, text)
    responses = [
        Response(
            household_id=None if hide else household_id,
            member_id=None if hide else member_id,
            name=None if hide else (household_name or member_name),
            submitted_at=None if hide else submitted_at,
            values=values[set_id],
            skipped=frozenset(skipped[set_id]),
        )
        for set_id, household_id, member_id, submitted_at, household_name, member_name in sets
    ]
    if hide:
        return sorted(responses, key=lambda r: _content_key(view, r))
    return sorted(responses, key=lambda r: ((r.name or "").lower(), r.name or ""))


def count_drafts(session: Session, *, questionnaire_id: int) -> int:
    """Return how many answer sets are still drafts: they exist but do not count."""
    statement = select(func.count(col(AnswerSet.id))).where(
        AnswerSet.questionnaire_id == questionnaire_id, col(AnswerSet.submitted_at).is_(None)
    )
    return session.exec(statement).one()


def stored_value(
    kind: str, choice: str | None, choices: list | None, number: float | None, text: str | None
) -> Value:
    """Return an answer from the columns it is stored in, as its question's kind reads it."""
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        return choice
    if kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING):
        return tuple(choices or ())
    if kind in NUMERIC_KINDS:
        return canonical_number(Decimal(repr(number)))
    return text


def _content_key(view: QuestionnaireView, response: Response) -> tuple:
    return tuple(display_value(q, response.values.get(q.id)) for q in view.questions)


def display_value(question: QuestionSpec, value: Value | None) -> str:
    """Return an answer as a spreadsheet cell shows it: option labels, a number, the text."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_number(value)
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        return question.option_label(value)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return "; ".join(question.option_label(key) for key in value)
    if question.kind == QuestionKind.RANKING:
        return "; ".join(
            f"{rank}. {question.option_label(key)}" for rank, key in enumerate(value, start=1)
        )
    return value


def json_value(value: Value | None) -> Any:
    """Return an answer as JSON data: a key or text, a list of keys, or a number."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def answer_rows(view: QuestionnaireView, responses: list[Response]) -> list[dict[str, str]]:
    """Return one row a respondent, one column a question (by key); no names when anonymous."""
    rows = []
    for response in responses:
        row: dict[str, str] = {}
        if not view.anonymous:
            row["respondent"] = response.name or ""
            row["submitted_at"] = response.submitted_at.isoformat() if response.submitted_at else ""
        for question in view.questions:
            row[question.key] = display_value(question, response.values.get(question.id))
        rows.append(row)
    return rows
