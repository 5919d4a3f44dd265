"""The question builder: add, change, move and remove questions without breaking answers.

Once a question has answers, only its wording may change: its kind, options and limits stay, so
that the answers already given keep their meaning; and a question with answers stays.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.errors import N_, InvalidValue, NotFound
from voisinage.models import Answer, Question, Questionnaire, QuestionOption
from voisinage.questionnaire_specs import (
    CONDITION_KINDS,
    QuestionnaireView,
    QuestionSpec,
    QuestionView,
    clean_question,
    option_keys,
    question_spec,
)
from voisinage.questionnaires import (
    QuestionnaireLocked,
    editable_questionnaire,
    fill_question,
    has_answer_sets,
    load_questionnaire,
    store_options,
)


def _is_answered(session: Session, question_id: int) -> bool:
    statement = select(Answer.id).where(Answer.question_id == question_id).limit(1)
    return session.exec(statement).first() is not None


def answered_question_ids(session: Session, *, questionnaire_id: int) -> frozenset[int]:
    """Return the ids of the questions someone has answered (or skipped): their structure is locked."""
    statement = (
        select(Answer.question_id)
        .join(Question, col(Question.id) == col(Answer.question_id))
        .where(Question.questionnaire_id == questionnaire_id)
        .distinct()
    )
    return frozenset(session.exec(statement))


def _structure(spec: QuestionSpec) -> tuple:
    """Return what an answer depends on: what may not change once someone has answered."""
    return (
        spec.key,
        spec.kind,
        tuple(option.key for option in spec.options),
        spec.optional,
        spec.min_value,
        spec.max_value,
        spec.step,
        spec.max_length,
        spec.min_choices,
        spec.max_choices,
        spec.show_if,
    )


def add_question(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    spec: QuestionSpec,
    position: int | None = None,
    actor_id: int | None = None,
) -> QuestionView:
    """Insert a question at `position` (0 first; None: at the end)."""
    view = editable_questionnaire(
        session, project_id=project_id, questionnaire_id=questionnaire_id, actor_id=actor_id
    )
    count = len(view.questions)
    position = count if position is None else max(0, min(position, count))
    before = [q for q in view.questions if q.position < position]
    spec = clean_question(spec, earlier=before)
    others = {q.key for q in view.questions[position:]}
    if spec.key in others:
        raise InvalidValue(
            N_("%(field)s: the key %(key)s is used twice."), field="key", key=spec.key
        )
    if not spec.optional and has_answer_sets(session, questionnaire_id, submitted=True):
        raise QuestionnaireLocked(
            N_(
                "Some answers are already submitted: a question added now must be optional, or those answers would become incomplete."
            )
        )
    for question in session.exec(
        select(Question).where(
            Question.questionnaire_id == questionnaire_id, Question.position >= position
        )
    ):
        question.position += 1
        session.add(question)
    question = Question(questionnaire_id=questionnaire_id, position=position)
    fill_question(question, spec, {q.key: q.id for q in before})
    session.add(question)
    session.flush()
    store_options(session, question.id, spec.options)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.question_add",
        questionnaire_id=questionnaire_id,
        question_id=question.id,
        key=spec.key,
    )
    session.flush()
    updated = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    return updated.question(question.id)


def _question_of(session: Session, *, project_id: int, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is not None:
        questionnaire = session.get(Questionnaire, question.questionnaire_id)
        if questionnaire.project_id == project_id:
            return question
    raise NotFound(N_("This question does not exist in this project."))


def _editable_question(
    session: Session, *, project_id: int, question_id: int, actor_id: int | None
) -> tuple[Question, QuestionnaireView]:
    """Return a question and its questionnaire, once the actor may edit that questionnaire."""
    stored = _question_of(session, project_id=project_id, question_id=question_id)
    view = editable_questionnaire(
        session, project_id=project_id, questionnaire_id=stored.questionnaire_id, actor_id=actor_id
    )
    return stored, view


def update_question(
    session: Session,
    *,
    project_id: int,
    question_id: int,
    spec: QuestionSpec,
    actor_id: int | None = None,
) -> QuestionView:
    """Change a question; once it has answers, only its wording may change (labels, help, unit)."""
    stored, view = _editable_question(
        session, project_id=project_id, question_id=question_id, actor_id=actor_id
    )
    current = view.question(question_id)
    earlier = list(view.questions[: current.position])
    spec = clean_question(replace(spec, key=spec.key or current.key), earlier=earlier)
    later = view.questions[current.position + 1 :]
    if spec.key in {q.key for q in later}:
        raise InvalidValue(
            N_("%(field)s: the key %(key)s is used twice."), field="key", key=spec.key
        )
    if _structure(spec) != _structure(question_spec(current)) and _is_answered(
        session, question_id
    ):
        raise QuestionnaireLocked(
            N_(
                "People have already answered this question: its kind, options and limits can no longer change, or their answers would stop making sense. You can still change its wording, or duplicate the questionnaire."
            )
        )
    # Conditions point at the question by id: a new key is fine, a lost option is not.
    for dependent in later:
        condition = dependent.show_if
        if (
            condition is not None
            and condition.question == current.key
            and (spec.kind not in CONDITION_KINDS or condition.value not in option_keys(spec))
        ):
            _refuse_dependents([dependent])
    fill_question(stored, spec, {q.key: q.id for q in earlier})
    session.add(stored)
    options = list(
        session.exec(
            select(QuestionOption)
            .where(QuestionOption.question_id == question_id)
            .order_by(QuestionOption.position)
        )
    )
    if [o.key for o in options] == [o.key for o in spec.options]:
        for option, wanted in zip(options, spec.options, strict=True):
            option.label = wanted.label
            session.add(option)
    else:
        for option in options:
            session.delete(option)
        session.flush()
        store_options(session, question_id, spec.options)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.question_update",
        questionnaire_id=stored.questionnaire_id,
        question_id=question_id,
        key=spec.key,
    )
    session.flush()
    updated = load_questionnaire(
        session, project_id=project_id, questionnaire_id=stored.questionnaire_id
    )
    return updated.question(question_id)


def _refuse_dependents(dependents: list[QuestionView]) -> None:
    raise QuestionnaireLocked(
        N_("The question %(key)s depends on this one: change or remove its condition first."),
        key=dependents[0].key,
    )


def move_question(
    session: Session,
    *,
    project_id: int,
    question_id: int,
    position: int,
    actor_id: int | None = None,
) -> QuestionnaireView:
    """Move a question to `position` (0 first); a question stays after the one it depends on."""
    stored, view = _editable_question(
        session, project_id=project_id, question_id=question_id, actor_id=actor_id
    )
    order = [q for q in view.questions if q.id != question_id]
    position = max(0, min(position, len(order)))
    order.insert(position, view.question(question_id))
    seen: set[str] = set()
    for question in order:
        if question.show_if and question.show_if.question not in seen:
            raise InvalidValue(
                N_("%(field)s: the question %(key)s must come before this one."),
                field=question.key,
                key=question.show_if.question,
            )
        seen.add(question.key)
    rows = {
        q.id: q
        for q in session.exec(
            select(Question).where(Question.questionnaire_id == stored.questionnaire_id)
        )
    }
    for index, question in enumerate(order):
        rows[question.id].position = index
        session.add(rows[question.id])
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.question_move",
        questionnaire_id=stored.questionnaire_id,
        question_id=question_id,
        position=position,
    )
    session.flush()
    return load_questionnaire(
        session, project_id=project_id, questionnaire_id=stored.questionnaire_id
    )


def remove_question(
    session: Session, *, project_id: int, question_id: int, actor_id: int | None = None
) -> QuestionnaireView:
    """Remove a question nobody has answered and no other question depends on."""
    stored, view = _editable_question(
        session, project_id=project_id, question_id=question_id, actor_id=actor_id
    )
    dependents = [q for q in view.questions if q.show_if and q.show_if.question == stored.key]
    if dependents:
        _refuse_dependents(dependents)
    if _is_answered(session, question_id):
        raise QuestionnaireLocked(
            N_(
                "People have already answered this question, so it cannot be removed: their answers would be lost. Duplicate the questionnaire to start again without it."
            )
        )
    session.delete(stored)
    session.flush()
    for index, question in enumerate(
        session.exec(
            select(Question)
            .where(Question.questionnaire_id == stored.questionnaire_id)
            .order_by(Question.position, Question.id)
        )
    ):
        question.position = index
        session.add(question)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.question_remove",
        questionnaire_id=stored.questionnaire_id,
        key=stored.key,
    )
    session.flush()
    return load_questionnaire(
        session, project_id=project_id, questionnaire_id=stored.questionnaire_id
    )
