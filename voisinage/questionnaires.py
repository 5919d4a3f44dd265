"""Questionnaires: create them, open and close them, duplicate them, start their next round.

Questions are edited in `questionnaire_builder`, answered in `questionnaire_answers`, summed up
in `questionnaire_summary` and `questionnaire_brief`, and read from YAML in
`questionnaire_templates`; the rules a question follows are in `questionnaire_specs`, those an
answer follows in `questionnaire_values`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete
from sqlmodel import Session, col, select

from voisinage import i18n
from voisinage.audit import record_action
from voisinage.errors import N_, Conflict, InvalidValue, NotFound
from voisinage.models import (
    Answer,
    AnswerSet,
    Project,
    Question,
    Questionnaire,
    QuestionOption,
    utcnow,
)
from voisinage.permissions import require_facilitator
from voisinage.questionnaire_specs import (
    INTRODUCTION_MAX,
    NO,
    TITLE_MAX,
    YES,
    YES_NO_LABELS,
    Condition,
    OptionSpec,
    QuestionKind,
    QuestionnaireSpec,
    QuestionnaireState,
    QuestionnaireStatus,
    QuestionnaireView,
    QuestionSpec,
    QuestionView,
    canonical_number,
    clean_questionnaire,
    clean_text,
)
from voisinage.validation import check_voting_unit


class QuestionnaireLocked(Conflict):
    """A change that would make the answers already given wrong, or lose them."""

    code = "questionnaire_locked"


def get_questionnaire(session: Session, *, project_id: int, questionnaire_id: int) -> Questionnaire:
    """Return one of the project's questionnaires; another project's is NotFound."""
    questionnaire = session.get(Questionnaire, questionnaire_id)
    if questionnaire is None or questionnaire.project_id != project_id:
        raise NotFound(N_("This questionnaire does not exist in this project."))
    return questionnaire


def load_questionnaire(
    session: Session, *, project_id: int, questionnaire_id: int
) -> QuestionnaireView:
    """Return a questionnaire with its questions and options, in four queries."""
    questionnaire = get_questionnaire(
        session, project_id=project_id, questionnaire_id=questionnaire_id
    )
    questions = list(
        session.exec(
            select(Question)
            .where(Question.questionnaire_id == questionnaire_id)
            .order_by(Question.position, Question.id)
        )
    )
    options: dict[int, list[OptionSpec]] = {q.id: [] for q in questions}
    for option in session.exec(
        select(QuestionOption)
        .join(Question, col(Question.id) == col(QuestionOption.question_id))
        .where(Question.questionnaire_id == questionnaire_id)
        .order_by(QuestionOption.question_id, QuestionOption.position)
    ):
        options[option.question_id].append(OptionSpec(key=option.key, label=option.label))
    language = session.get(Project, project_id).language
    return _view(questionnaire, questions, options, language)


def _view(
    questionnaire: Questionnaire,
    questions: list[Question],
    options: dict[int, list[OptionSpec]],
    language: str,
) -> QuestionnaireView:
    keys = {q.id: q.key for q in questions}
    translator = i18n.translator(language)
    yes_no = tuple(OptionSpec(key, translator.gettext(YES_NO_LABELS[key])) for key in (YES, NO))
    return QuestionnaireView(
        id=questionnaire.id,
        project_id=questionnaire.project_id,
        title=questionnaire.title,
        introduction=questionnaire.introduction,
        respondent_unit=questionnaire.respondent_unit,
        anonymous=questionnaire.anonymous,
        status=questionnaire.status,
        opens_at=questionnaire.opens_at,
        closes_at=questionnaire.closes_at,
        round_number=questionnaire.round_number,
        previous_round_id=questionnaire.previous_round_id,
        questions=tuple(
            QuestionView(
                id=q.id,
                position=index,
                key=q.key,
                kind=q.kind,
                label=q.label,
                help=q.help,
                optional=q.optional,
                options=yes_no if q.kind == QuestionKind.YES_NO else tuple(options[q.id]),
                unit=q.unit,
                min_value=_decimal(q.min_value),
                max_value=_decimal(q.max_value),
                step=_decimal(q.step),
                min_label=q.min_label,
                max_label=q.max_label,
                max_length=q.max_length,
                min_choices=q.min_choices,
                max_choices=q.max_choices,
                show_if=(
                    Condition(question=keys[q.condition_question_id], value=q.condition_value)
                    if q.condition_question_id is not None
                    else None
                ),
            )
            for index, q in enumerate(questions)
        ),
    )


def _decimal(value: float | None) -> Decimal | None:
    # repr gives the shortest decimal that reads back as the same float: 65.5, not 65.499999….
    return None if value is None else canonical_number(Decimal(repr(value)))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def list_questionnaires(session: Session, *, project_id: int) -> list[Questionnaire]:
    """Return the project's questionnaires, newest first."""
    statement = (
        select(Questionnaire)
        .where(Questionnaire.project_id == project_id)
        .order_by(col(Questionnaire.created_at).desc(), col(Questionnaire.id).desc())
    )
    return list(session.exec(statement))


def create_questionnaire(
    session: Session, *, project_id: int, spec: QuestionnaireSpec, actor_id: int | None = None
) -> QuestionnaireView:
    """Create a draft questionnaire with its questions (facilitators only)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(N_("This project does not exist."))
    spec = clean_questionnaire(spec)
    questionnaire = Questionnaire(
        project_id=project_id,
        title=spec.title,
        introduction=spec.introduction,
        respondent_unit=check_voting_unit(spec.respondent_unit or project.voting_unit).value,
        anonymous=spec.anonymous,
    )
    session.add(questionnaire)
    session.flush()
    _store_questions(session, questionnaire.id, spec.questions)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.create",
        questionnaire_id=questionnaire.id,
        title=spec.title,
        questions=len(spec.questions),
    )
    return load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire.id)


def _store_questions(
    session: Session, questionnaire_id: int, questions: tuple[QuestionSpec, ...]
) -> dict[str, int]:
    """Insert checked questions in order; return their ids by key."""
    ids: dict[str, int] = {}
    for position, spec in enumerate(questions):
        question = Question(questionnaire_id=questionnaire_id, position=position)
        fill_question(question, spec, ids)
        session.add(question)
        session.flush()
        store_options(session, question.id, spec.options)
        ids[spec.key] = question.id
    return ids


def fill_question(question: Question, spec: QuestionSpec, ids: dict[str, int]) -> None:
    """Copy a checked question into its row; `ids` gives earlier questions' ids by key."""
    question.key = spec.key
    question.kind = spec.kind
    question.label = spec.label
    question.help = spec.help
    question.optional = spec.optional
    question.unit = spec.unit
    question.min_value = _float(spec.min_value)
    question.max_value = _float(spec.max_value)
    question.step = _float(spec.step)
    question.min_label = spec.min_label
    question.max_label = spec.max_label
    question.max_length = spec.max_length
    question.min_choices = spec.min_choices
    question.max_choices = spec.max_choices
    question.condition_question_id = ids[spec.show_if.question] if spec.show_if else None
    question.condition_value = spec.show_if.value if spec.show_if else None


def store_options(session: Session, question_id: int, options: tuple[OptionSpec, ...]) -> None:
    """Insert a question's options in order."""
    session.add_all(
        QuestionOption(question_id=question_id, position=position, key=o.key, label=o.label)
        for position, o in enumerate(options)
    )


def editable_questionnaire(
    session: Session, *, project_id: int, questionnaire_id: int, actor_id: int | None
) -> QuestionnaireView:
    """Return a questionnaire a facilitator may still change: any but a closed one."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    if view.status == QuestionnaireStatus.CLOSED:
        raise QuestionnaireLocked(N_("This questionnaire is closed: duplicate it to make changes."))
    return view


def has_answer_sets(session: Session, questionnaire_id: int, *, submitted: bool = False) -> bool:
    """Tell whether anyone has started (or, with `submitted`, sent) answers."""
    statement = select(AnswerSet.id).where(AnswerSet.questionnaire_id == questionnaire_id)
    if submitted:
        statement = statement.where(col(AnswerSet.submitted_at).is_not(None))
    return session.exec(statement.limit(1)).first() is not None


def update_questionnaire(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    title: str,
    introduction: str | None = None,
    anonymous: bool | None = None,
    respondent_unit: str | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> QuestionnaireView:
    """Change a questionnaire's title, introduction, dates and (before any answer) its settings.

    `introduction`, `anonymous` and `respondent_unit` left as None stay as they are; the dates
    are what the form says (None: no date).
    """
    view = editable_questionnaire(
        session, project_id=project_id, questionnaire_id=questionnaire_id, actor_id=actor_id
    )
    now = now or utcnow()
    changes = {
        "title": clean_text(title, field="title", max_length=TITLE_MAX, required=True),
        "introduction": (
            view.introduction
            if introduction is None
            else clean_text(introduction, field="introduction", max_length=INTRODUCTION_MAX)
        ),
        "anonymous": view.anonymous if anonymous is None else bool(anonymous),
        "respondent_unit": check_voting_unit(respondent_unit or view.respondent_unit).value,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    _check_dates(opens_at, closes_at, now=now, previous=view.closes_at)
    changed = {key: value for key, value in changes.items() if getattr(view, key) != value}
    if {"anonymous", "respondent_unit"} & changed.keys() and has_answer_sets(
        session, questionnaire_id
    ):
        raise QuestionnaireLocked(
            N_(
                "Answers already exist: who answers and whether the answers are anonymous can no longer change."
            )
        )
    if changed:
        questionnaire = session.get(Questionnaire, questionnaire_id)
        for key, value in changed.items():
            setattr(questionnaire, key, value)
        session.add(questionnaire)
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="questionnaire.update",
            questionnaire_id=questionnaire_id,
            fields=sorted(changed),
        )
    return replace(view, **changed)


def _check_dates(
    opens_at: datetime | None,
    closes_at: datetime | None,
    *,
    now: datetime,
    previous: datetime | None,
) -> None:
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise InvalidValue(N_("The closing date must come after the opening date."))
    if closes_at is not None and closes_at != previous and closes_at <= now:
        raise InvalidValue(N_("The closing date must be in the future."))


def _next_round_id(session: Session, questionnaire_id: int) -> int | None:
    return session.exec(
        select(Questionnaire.id).where(Questionnaire.previous_round_id == questionnaire_id)
    ).first()


def open_questionnaire(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    closes_at: datetime | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> QuestionnaireView:
    """Open a draft (or reopen a closed questionnaire that has no next round) for answers."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    now = now or utcnow()
    if view.state(now) == QuestionnaireState.OPEN and closes_at in (None, view.closes_at):
        return view
    if not view.questions:
        raise InvalidValue(N_("Add at least one question before opening the questionnaire."))
    if _next_round_id(session, questionnaire_id) is not None:
        raise Conflict(
            N_("This questionnaire already has a next round: answers go to that round now.")
        )
    if closes_at is None and view.closes_at is not None and view.closes_at > now:
        closes_at = view.closes_at
    _check_dates(view.opens_at, closes_at, now=now, previous=None)
    questionnaire = session.get(Questionnaire, questionnaire_id)
    questionnaire.status = QuestionnaireStatus.OPEN
    questionnaire.closes_at = closes_at
    if questionnaire.opens_at is None or view.status == QuestionnaireStatus.CLOSED:
        questionnaire.opens_at = now
    session.add(questionnaire)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.open",
        questionnaire_id=questionnaire_id,
        closes_at=closes_at.isoformat() if closes_at else None,
    )
    return load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)


def close_questionnaire(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> QuestionnaireView:
    """Close a questionnaire now: answers can no longer change; drafts never count."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    questionnaire = get_questionnaire(
        session, project_id=project_id, questionnaire_id=questionnaire_id
    )
    now = now or utcnow()
    if questionnaire.status != QuestionnaireStatus.CLOSED:
        if questionnaire.status == QuestionnaireStatus.DRAFT:
            raise InvalidValue(
                N_("This questionnaire was never opened: there is nothing to close.")
            )
        questionnaire.status = QuestionnaireStatus.CLOSED
        if questionnaire.closes_at is None or questionnaire.closes_at > now:
            questionnaire.closes_at = now
        session.add(questionnaire)
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="questionnaire.close",
            questionnaire_id=questionnaire_id,
        )
    return load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)


def duplicate_questionnaire(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    title: str | None = None,
    actor_id: int | None = None,
) -> QuestionnaireView:
    """Copy a questionnaire's questions into a new draft, without answers."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    if title is None:
        language = session.get(Project, project_id).language
        title = i18n.translator(language).gettext(N_("%(title)s (copy)"), title=view.title)
    spec = replace(view.to_spec(), title=title[:TITLE_MAX])
    copy = create_questionnaire(session, project_id=project_id, spec=spec, actor_id=actor_id)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.duplicate",
        questionnaire_id=copy.id,
        source_id=questionnaire_id,
    )
    return copy


def start_second_round(
    session: Session,
    *,
    project_id: int,
    questionnaire_id: int,
    actor_id: int | None = None,
) -> QuestionnaireView:
    """Start the next round of a closed questionnaire: a linked copy, as a draft to open.

    Each respondent who submitted in this round finds their answers there as a draft, to
    confirm or change; only what they submit again counts in the new round.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    if view.status != QuestionnaireStatus.CLOSED:
        raise Conflict(N_("Close this questionnaire before starting its next round."))
    if _next_round_id(session, questionnaire_id) is not None:
        raise Conflict(N_("This questionnaire already has a next round."))
    questionnaire = Questionnaire(
        project_id=project_id,
        title=view.title,
        introduction=view.introduction,
        respondent_unit=view.respondent_unit,
        anonymous=view.anonymous,
        round_number=view.round_number + 1,
        previous_round_id=questionnaire_id,
    )
    session.add(questionnaire)
    session.flush()
    spec = view.to_spec()
    ids = _store_questions(session, questionnaire.id, spec.questions)
    new_ids = {q.id: ids[q.key] for q in view.questions}
    copied = _prefill(session, source_id=questionnaire_id, target_id=questionnaire.id, ids=new_ids)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.next_round",
        questionnaire_id=questionnaire.id,
        source_id=questionnaire_id,
        round=questionnaire.round_number,
        prefilled=copied,
    )
    return load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire.id)


def _prefill(session: Session, *, source_id: int, target_id: int, ids: dict[int, int]) -> int:
    """Copy each submitted answer set of `source_id` as a draft of `target_id`; return how many."""
    sets = list(
        session.exec(
            select(AnswerSet).where(
                AnswerSet.questionnaire_id == source_id, col(AnswerSet.submitted_at).is_not(None)
            )
        )
    )
    answers: dict[int, list[Answer]] = {s.id: [] for s in sets}
    for answer in session.exec(select(Answer).where(col(Answer.answer_set_id).in_(list(answers)))):
        answers[answer.answer_set_id].append(answer)
    for source in sets:
        draft = AnswerSet(
            questionnaire_id=target_id,
            household_id=source.household_id,
            member_id=source.member_id,
            updated_by_id=source.updated_by_id,
        )
        session.add(draft)
        session.flush()
        session.add_all(
            Answer(
                answer_set_id=draft.id,
                question_id=ids[answer.question_id],
                choice=answer.choice,
                choices=answer.choices,
                number=answer.number,
                text=answer.text,
                skipped=answer.skipped,
            )
            for answer in answers[source.id]
        )
    return len(sets)


def delete_draft_questionnaire(
    session: Session, *, project_id: int, questionnaire_id: int, actor_id: int | None = None
) -> None:
    """Delete a questionnaire never opened (a next round started by mistake: with its drafts)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    questionnaire = get_questionnaire(
        session, project_id=project_id, questionnaire_id=questionnaire_id
    )
    if questionnaire.status != QuestionnaireStatus.DRAFT:
        raise Conflict(N_("Only a questionnaire that was never opened can be deleted."))
    session.execute(delete(Questionnaire).where(col(Questionnaire.id) == questionnaire_id))
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="questionnaire.delete",
        questionnaire_id=questionnaire_id,
        title=questionnaire.title,
    )
