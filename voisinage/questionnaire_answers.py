"""Answering a questionnaire: drafts saved as given, skips, conditions, the resume point, submit.

A household (or a resident, as the questionnaire's unit says) has one answer set, a draft until
submitted; only submitted answer sets count. Answers can change until the questionnaire closes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.enums import Role, VotingUnit
from voisinage.errors import N_, DomainError, Forbidden, InvalidValue, NotFound
from voisinage.models import Answer, AnswerSet, Household, Member, utcnow
from voisinage.questionnaire_results import stored_value
from voisinage.questionnaire_specs import (
    NUMERIC_KINDS,
    AnswerRequired,
    QuestionKind,
    QuestionnaireClosed,
    QuestionnaireNotOpen,
    QuestionnaireState,
    QuestionnaireView,
    QuestionView,
    StaleAnswer,
    Value,
)
from voisinage.questionnaire_values import check_answer, is_empty, visible_questions
from voisinage.questionnaires import load_questionnaire


class _Mark:
    """A change that is not a value: skipping a question, or taking its answer back."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


SKIP = _Mark("SKIP")
CLEAR = _Mark("CLEAR")


class AnswersInvalid(InvalidValue):
    """Several answers of one page were refused; `errors` holds each one's reason by question id."""

    code = "answers_invalid"
    message = N_("Some answers need correcting: see the questions marked.")

    def __init__(self, errors: dict[int, DomainError]) -> None:
        super().__init__()
        self.errors = errors


@dataclass(frozen=True)
class Respondent:
    """Who answers: a household, or a resident, as the questionnaire's unit says."""

    household_id: int | None
    member_id: int | None
    name: str


@dataclass(frozen=True)
class Progress:
    """Where a respondent stands in a questionnaire: their answers and what comes next."""

    questionnaire: QuestionnaireView
    respondent: Respondent
    answer_set_id: int | None
    submitted_at: datetime | None
    # The answers to the questions shown, by question id; skipped questions are in `skipped`.
    answers: Mapping[int, Value]
    skipped: frozenset[int]
    visible: tuple[QuestionView, ...]

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def resume(self) -> QuestionView | None:
        """Return the first question shown that is neither answered nor skipped: where to go on."""
        return next(
            (q for q in self.visible if q.id not in self.answers and q.id not in self.skipped),
            None,
        )

    @property
    def missing(self) -> tuple[QuestionView, ...]:
        """Return the questions shown that need an answer before submitting."""
        return tuple(q for q in self.visible if not q.optional and q.id not in self.answers)

    @property
    def complete(self) -> bool:
        return not self.missing

    def number(self, question_id: int) -> int:
        """Return the question's number among those shown (1 for the first): "Question 3 / 12"."""
        for index, question in enumerate(self.visible, start=1):
            if question.id == question_id:
                return index
        raise StaleAnswer(N_("This question is no longer asked, given your other answers."))

    def previous(self, question_id: int) -> QuestionView | None:
        """Return the question shown before this one (for a "back" button)."""
        index = self.number(question_id) - 1
        return self.visible[index - 1] if index > 0 else None

    def following(self, question_id: int) -> QuestionView | None:
        """Return the question shown after this one."""
        index = self.number(question_id)
        return self.visible[index] if index < len(self.visible) else None


def respondent_for(session: Session, view: QuestionnaireView, member_id: int) -> Respondent:
    """Return who answers when this member answers `view`: their household, or themselves."""
    member = session.get(Member, member_id)
    if member is None or member.project_id != view.project_id:
        raise NotFound(N_("This member does not exist in this project."))
    if member.role != Role.RESIDENT:
        raise Forbidden(N_("Only residents answer questionnaires."))
    if view.respondent_unit == VotingUnit.PERSON:
        return Respondent(household_id=None, member_id=member.id, name=member.display_name)
    if member.household_id is None:
        raise InvalidValue(
            N_("Join a household to answer this questionnaire: it is answered once per household.")
        )
    household = session.get(Household, member.household_id)
    return Respondent(household_id=household.id, member_id=None, name=household.name)


def _respondent_filter(respondent: Respondent) -> Any:
    if respondent.household_id is not None:
        return col(AnswerSet.household_id) == respondent.household_id
    return col(AnswerSet.member_id) == respondent.member_id


def _answer_set(
    session: Session, questionnaire_id: int, respondent: Respondent, *, lock: bool
) -> AnswerSet | None:
    statement = select(AnswerSet).where(
        AnswerSet.questionnaire_id == questionnaire_id, _respondent_filter(respondent)
    )
    # Concurrent writers of one answer set queue here on PostgreSQL (SQLite has one writer).
    if lock:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def answer_value(kind: str, answer: Answer) -> Value | None:
    """Return a stored answer as a value (None when skipped)."""
    if answer.skipped:
        return None
    return stored_value(kind, answer.choice, answer.choices, answer.number, answer.text)


def _stored(
    session: Session, view: QuestionnaireView, answer_set: AnswerSet | None
) -> dict[int, Answer]:
    if answer_set is None:
        return {}
    rows = session.exec(select(Answer).where(Answer.answer_set_id == answer_set.id))
    kinds = {q.id: q.kind for q in view.questions}
    return {row.question_id: row for row in rows if row.question_id in kinds}


def _progress(
    view: QuestionnaireView,
    respondent: Respondent,
    answer_set: AnswerSet | None,
    values: dict[int, Value],
    skipped: set[int],
    *,
    submitted_at: datetime | None,
) -> Progress:
    keyed = {q.key: values[q.id] for q in view.questions if q.id in values}
    visible = tuple(visible_questions(view.questions, keyed))
    shown = {q.id for q in visible}
    return Progress(
        questionnaire=view,
        respondent=respondent,
        answer_set_id=answer_set.id if answer_set else None,
        submitted_at=submitted_at,
        answers={qid: value for qid, value in values.items() if qid in shown},
        skipped=frozenset(skipped & shown),
        visible=visible,
    )


def progress(
    session: Session, *, project_id: int, questionnaire_id: int, member_id: int
) -> Progress:
    """Return a member's answers so far and where to resume, in any state of the questionnaire."""
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    respondent = respondent_for(session, view, member_id)
    answer_set = _answer_set(session, view.id, respondent, lock=False)
    values, skipped = _split(view, _stored(session, view, answer_set))
    return _progress(
        view,
        respondent,
        answer_set,
        values,
        skipped,
        submitted_at=answer_set.submitted_at if answer_set else None,
    )


def _split(view: QuestionnaireView, stored: dict[int, Answer]) -> tuple[dict[int, Value], set[int]]:
    kinds = {q.id: q.kind for q in view.questions}
    values: dict[int, Value] = {}
    skipped: set[int] = set()
    for question_id, answer in stored.items():
        if answer.skipped:
            skipped.add(question_id)
        else:
            values[question_id] = answer_value(kinds[question_id], answer)
    return values, skipped


def check_accepting(view: QuestionnaireView, now: datetime) -> None:
    """Refuse anything but an answer to an open questionnaire: closed, or not open yet."""
    state = view.state(now)
    if state == QuestionnaireState.CLOSED:
        raise QuestionnaireClosed()
    if state != QuestionnaireState.OPEN:
        raise QuestionnaireNotOpen()


def save_answer(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    question_id: int,
    member_id: int,
    value: Any,
    now: datetime | None = None,
) -> Progress:
    """Save one answer as it is given (an empty answer skips an optional question).

    An answer that hides later questions takes their answers away. Changing a submitted answer
    set keeps it submitted while it stays complete; otherwise it goes back to draft.
    """
    now = now or utcnow()
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    check_accepting(view, now)
    question = view.question(question_id)
    if is_empty(value):
        if not question.optional:
            raise AnswerRequired()
        change: Value | _Mark = SKIP
    else:
        change = check_answer(question, value)
    return _apply(session, view, member_id, {question_id: change}, now=now, strict=True)


def skip_question(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    question_id: int,
    member_id: int,
    now: datetime | None = None,
) -> Progress:
    """Pass over an optional question; a question that needs an answer cannot be skipped."""
    now = now or utcnow()
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    check_accepting(view, now)
    if not view.question(question_id).optional:
        raise AnswerRequired(N_("This question cannot be skipped: it needs an answer."))
    return _apply(session, view, member_id, {question_id: SKIP}, now=now, strict=True)


def save_answers(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    member_id: int,
    values: Mapping[int, Any],
    submit: bool = False,
    now: datetime | None = None,
) -> Progress:
    """Save a whole page of answers (by question id) at once, and submit them if asked.

    An empty value skips an optional question and takes back the answer to a required one.
    Values for questions the other answers hide are ignored. Every refusal is collected in
    `AnswersInvalid.errors`, and nothing is saved unless every answer is accepted.
    """
    now = now or utcnow()
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    check_accepting(view, now)
    changes: dict[int, Value | _Mark] = {}
    errors: dict[int, DomainError] = {}
    for question_id, value in values.items():
        try:
            question = view.question(question_id)
            if is_empty(value):
                changes[question_id] = SKIP if question.optional else CLEAR
            else:
                changes[question_id] = check_answer(question, value)
        except DomainError as error:
            errors[question_id] = error
    if errors:
        raise AnswersInvalid(errors)
    return _apply(session, view, member_id, changes, now=now, submit=submit)


def submit_answers(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    member_id: int,
    now: datetime | None = None,
) -> Progress:
    """Send the answers: refused while a question shown still needs an answer."""
    now = now or utcnow()
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    check_accepting(view, now)
    return _apply(session, view, member_id, {}, now=now, submit=True)


def _apply(
    session: Session,
    view: QuestionnaireView,
    member_id: int,
    changes: dict[int, Value | _Mark],
    *,
    now: datetime,
    submit: bool = False,
    strict: bool = False,
) -> Progress:
    """Check the answer set as it would become, refuse before writing, then write only the changes.

    `strict`: refuse an answer to a question the other answers hide (an old message's button).
    """
    respondent = respondent_for(session, view, member_id)
    for attempt in range(2):
        answer_set = _answer_set(session, view.id, respondent, lock=True)
        stored = _stored(session, view, answer_set)
        values, skipped = _split(view, stored)
        for question_id, change in changes.items():
            values.pop(question_id, None)
            skipped.discard(question_id)
            if change is SKIP:
                skipped.add(question_id)
            elif change is not CLEAR:
                values[question_id] = change
        submitted_at = answer_set.submitted_at if answer_set else None
        result = _progress(view, respondent, answer_set, values, skipped, submitted_at=None)
        shown = {q.id for q in result.visible}
        if strict and not set(changes) <= shown:
            raise StaleAnswer(N_("This question is no longer asked, given your other answers."))
        if submit and result.missing:
            first = result.missing[0]
            raise AnswerRequired(
                N_(
                    'Question %(number)s, "%(label)s", needs an answer before you send your answers.'
                ),
                number=result.number(first.id),
                label=first.label,
            )
        if submit:
            submitted_at = now
        elif result.missing:
            submitted_at = None
        if answer_set is None:
            answer_set = _create_answer_set(
                session, view.id, respondent, tolerate_race=attempt == 0
            )
            if answer_set is None:
                continue  # Someone else created it meanwhile: start again from theirs.
        break
    _write(session, view, answer_set, stored, result, now=now)
    was_submitted = answer_set.submitted_at is not None
    answer_set.submitted_at = submitted_at
    answer_set.updated_at = now
    answer_set.updated_by_id = member_id
    session.add(answer_set)
    if submit or (was_submitted and submitted_at is None):
        record_action(
            session,
            project_id=view.project_id,
            actor_id=member_id,
            action="questionnaire.submit" if submit else "questionnaire.unsubmit",
            questionnaire_id=view.id,
        )
    session.flush()
    return _progress(
        view,
        respondent,
        answer_set,
        dict(result.answers),
        set(result.skipped),
        submitted_at=submitted_at,
    )


def _create_answer_set(
    session: Session, questionnaire_id: int, respondent: Respondent, *, tolerate_race: bool
) -> AnswerSet | None:
    """Insert the respondent's answer set; None if a concurrent request inserted it first."""
    answer_set = AnswerSet(
        questionnaire_id=questionnaire_id,
        household_id=respondent.household_id,
        member_id=respondent.member_id,
    )
    try:
        with session.begin_nested():
            session.add(answer_set)
    except IntegrityError:
        if not tolerate_race:
            raise
        return None
    return answer_set


def _write(
    session: Session,
    view: QuestionnaireView,
    answer_set: AnswerSet,
    stored: dict[int, Answer],
    result: Progress,
    *,
    now: datetime,
) -> None:
    """Make the stored answers those of `result`: insert, update or delete only what differs."""
    for question in view.questions:
        row = stored.get(question.id)
        value = result.answers.get(question.id)
        if value is None and question.id not in result.skipped:
            if row is not None:
                session.delete(row)
            continue
        if row is not None and not row.skipped and answer_value(question.kind, row) == value:
            continue
        if row is not None and row.skipped and value is None:
            continue
        row = row or Answer(answer_set_id=answer_set.id, question_id=question.id)
        _fill(row, question.kind, value)
        row.updated_at = now
        session.add(row)


def _fill(row: Answer, kind: str, value: Value | None) -> None:
    row.skipped = value is None
    row.choice = value if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO) else None
    row.choices = (
        list(value)
        if value is not None and kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING)
        else None
    )
    row.number = float(value) if value is not None and kind in NUMERIC_KINDS else None
    row.text = value if kind == QuestionKind.TEXT else None
