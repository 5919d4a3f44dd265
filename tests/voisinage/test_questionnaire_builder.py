"""Building questionnaires: questions added, changed, moved, removed; open, close, copy, rounds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from voisinage.audit import list_actions
from voisinage.db import unit_of_work
from voisinage.errors import Conflict, Forbidden, InvalidValue, NotFound
from voisinage.models import Answer, AnswerSet, Questionnaire
from voisinage.questionnaire_answers import progress, save_answer, submit_answers
from voisinage.questionnaire_builder import (
    add_question,
    answered_question_ids,
    move_question,
    remove_question,
    update_question,
)
from voisinage.questionnaire_specs import (
    Condition,
    OptionSpec,
    QuestionnaireSpec,
    QuestionnaireState,
    QuestionSpec,
    state_at,
)
from voisinage.questionnaires import (
    QuestionnaireLocked,
    close_questionnaire,
    create_questionnaire,
    delete_draft_questionnaire,
    duplicate_questionnaire,
    load_questionnaire,
    open_questionnaire,
    start_second_round,
    update_questionnaire,
)

NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
TENURE = QuestionSpec(
    key="tenure",
    kind="single_choice",
    label="Statut",
    options=(OptionSpec("ownership", "Accession"), OptionSpec("social_rent", "Location sociale")),
)
RENT = QuestionSpec(
    key="rent",
    kind="number",
    label="Loyer",
    unit="€",
    min_value=Decimal(150),
    max_value=Decimal(1500),
    show_if=Condition("tenure", "social_rent"),
)
ACCESS = QuestionSpec(key="access", kind="yes_no", label="Accessibilité ?")
SPEC = QuestionnaireSpec(title="Définition des attentes", questions=(TENURE, RENT, ACCESS))


def _create(engine, world, spec=SPEC):
    with unit_of_work(engine) as session:
        return create_questionnaire(
            session, project_id=world.project.id, spec=spec, actor_id=world.facilitator.id
        )


def _call(engine, world, service, **kwargs):
    with unit_of_work(engine) as session:
        return service(
            session, project_id=world.project.id, actor_id=world.facilitator.id, **kwargs
        )


def _answer(engine, world, view, key, value, *, submit=False):
    question_id = next(q.id for q in view.questions if q.key == key)
    with unit_of_work(engine) as session:
        save_answer(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            question_id=question_id,
            member_id=world.resident.id,
            value=value,
        )
        if submit:
            submit_answers(
                session,
                project_id=world.project.id,
                questionnaire_id=view.id,
                member_id=world.resident.id,
            )


def _opened(engine, world, spec=SPEC):
    view = _create(engine, world, spec)
    return _call(engine, world, open_questionnaire, questionnaire_id=view.id)


def test_a_new_questionnaire_is_a_draft_in_the_projects_unit_and_language(engine, world):
    view = _create(engine, world)
    assert (view.status, view.respondent_unit, view.round_number) == ("draft", "household", 1)
    assert [q.key for q in view.questions] == ["tenure", "rent", "access"]
    # Yes/no options come in the project's language (French here).
    assert [(o.key, o.label) for o in view.questions[2].options] == [("yes", "Oui"), ("no", "Non")]
    assert view.questions[1].show_if == Condition("tenure", "social_rent")
    assert view.state(NOW) == QuestionnaireState.DRAFT


def test_only_the_projects_facilitators_build_and_run_questionnaires(engine, world):
    with unit_of_work(engine) as session, pytest.raises(Forbidden):
        create_questionnaire(
            session, project_id=world.project.id, spec=SPEC, actor_id=world.resident.id
        )
    view = _create(engine, world)
    for service, kwargs in [
        (open_questionnaire, {}),
        (close_questionnaire, {}),
        (duplicate_questionnaire, {}),
        (add_question, {"spec": ACCESS}),
    ]:
        with unit_of_work(engine) as session, pytest.raises(Forbidden):
            service(
                session,
                project_id=world.project.id,
                questionnaire_id=view.id,
                actor_id=world.other_facilitator.id,
                **kwargs,
            )
    with unit_of_work(engine) as session, pytest.raises(NotFound):
        load_questionnaire(session, project_id=world.other_project.id, questionnaire_id=view.id)
    with unit_of_work(engine) as session, pytest.raises(NotFound):
        remove_question(
            session,
            project_id=world.other_project.id,
            question_id=view.questions[0].id,
            actor_id=world.other_facilitator.id,
        )


def test_questions_are_added_moved_and_removed_in_order(engine, world):
    view = _create(engine, world)
    surface = QuestionSpec(kind="number", label="Surface souhaitée", unit="m²")
    added = _call(engine, world, add_question, questionnaire_id=view.id, spec=surface, position=1)
    assert added.key == "surface_souhaitee"
    view = _call(engine, world, move_question, question_id=added.id, position=3)
    assert [q.key for q in view.questions] == ["tenure", "rent", "access", "surface_souhaitee"]
    view = _call(engine, world, remove_question, question_id=view.questions[2].id)
    assert [(q.key, q.position) for q in view.questions] == [
        ("tenure", 0),
        ("rent", 1),
        ("surface_souhaitee", 2),
    ]


def test_a_question_stays_after_the_one_it_depends_on(engine, world):
    view = _create(engine, world)
    with pytest.raises(InvalidValue) as refused:
        _call(engine, world, move_question, question_id=view.questions[1].id, position=0)
    assert str(refused.value) == "rent: the question tenure must come before this one."
    with pytest.raises(QuestionnaireLocked) as refused:
        _call(engine, world, remove_question, question_id=view.questions[0].id)
    assert str(refused.value) == (
        "The question rent depends on this one: change or remove its condition first."
    )
    with pytest.raises(InvalidValue):
        _call(
            engine,
            world,
            add_question,
            questionnaire_id=view.id,
            spec=replace(RENT, key="rent_again"),
            position=0,
        )
    with pytest.raises(InvalidValue) as refused:
        _call(engine, world, add_question, questionnaire_id=view.id, spec=ACCESS, position=0)
    assert str(refused.value) == "key: the key access is used twice."


def test_once_answered_only_the_wording_of_a_question_may_change(engine, world):
    view = _opened(engine, world)
    _answer(engine, world, view, "tenure", "social_rent")
    tenure = view.questions[0]
    reworded = replace(
        TENURE,
        label="Quel statut souhaitez-vous ?",
        options=(OptionSpec("ownership", "Accession à la propriété"), TENURE.options[1]),
    )
    changed = _call(engine, world, update_question, question_id=tenure.id, spec=reworded)
    assert changed.label == "Quel statut souhaitez-vous ?"
    assert changed.options[0].label == "Accession à la propriété"
    for refused_spec in [
        replace(TENURE, options=(*TENURE.options, OptionSpec("undecided", "Je ne sais pas"))),
        replace(TENURE, kind="multiple_choice"),
        replace(TENURE, optional=True),
    ]:
        with pytest.raises(QuestionnaireLocked) as refused:
            _call(engine, world, update_question, question_id=tenure.id, spec=refused_spec)
        assert "People have already answered this question" in str(refused.value)
    _answer(engine, world, view, "access", "no")
    with pytest.raises(QuestionnaireLocked) as refused:
        _call(engine, world, remove_question, question_id=view.questions[2].id)
    assert str(refused.value).startswith("People have already answered this question, so it")
    # Nobody has answered the rent yet: its limits may still change.
    rent = _call(
        engine,
        world,
        update_question,
        question_id=view.questions[1].id,
        spec=replace(RENT, max_value=Decimal(1200)),
    )
    assert rent.max_value == 1200
    with unit_of_work(engine) as session:
        answers = session.exec(select(func.count()).select_from(Answer)).one()
    assert answers == 2


def test_answered_questions_are_the_ones_whose_structure_is_locked(engine, world):
    view = _opened(engine, world)
    with unit_of_work(engine) as session:
        assert answered_question_ids(session, questionnaire_id=view.id) == frozenset()
    _answer(engine, world, view, "tenure", "ownership")
    _answer(engine, world, view, "access", "no")
    with unit_of_work(engine) as session:
        answered = answered_question_ids(session, questionnaire_id=view.id)
    assert answered == {view.questions[0].id, view.questions[2].id}


def test_a_stored_questionnaire_reads_its_state_like_its_view(engine, world):
    view = _create(engine, world)
    later = NOW + timedelta(days=3)
    with unit_of_work(engine) as session:
        update_questionnaire(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            title=view.title,
            opens_at=NOW + timedelta(days=1),
            closes_at=NOW + timedelta(days=2),
            actor_id=world.facilitator.id,
            now=NOW,
        )
        row = session.get(Questionnaire, view.id)
        assert state_at(row, NOW) == QuestionnaireState.DRAFT
        row.status = "open"
        stored = load_questionnaire(session, project_id=world.project.id, questionnaire_id=view.id)
        for moment, state in [
            (NOW, QuestionnaireState.SCHEDULED),
            (NOW + timedelta(days=1, hours=1), QuestionnaireState.OPEN),
            (later, QuestionnaireState.CLOSED),
        ]:
            assert state_at(row, moment) == state
            assert replace(stored, status="open").state(moment) == state


def test_a_questions_options_may_change_before_anyone_answers(engine, world):
    view = _create(engine, world)
    changed = _call(
        engine,
        world,
        update_question,
        question_id=view.questions[0].id,
        spec=replace(
            TENURE, options=(*TENURE.options, OptionSpec("undecided", "Je ne sais pas encore"))
        ),
    )
    assert [o.key for o in changed.options] == ["ownership", "social_rent", "undecided"]
    with pytest.raises(QuestionnaireLocked):
        _call(
            engine,
            world,
            update_question,
            question_id=view.questions[0].id,
            spec=replace(TENURE, options=(OptionSpec("ownership", "A"), OptionSpec("other", "B"))),
        )


def test_after_submissions_a_new_question_must_be_optional(engine, world):
    view = _opened(engine, world)
    _answer(engine, world, view, "tenure", "ownership")
    _answer(engine, world, view, "access", "no", submit=True)
    new = QuestionSpec(key="remarks", kind="text", label="Remarques")
    with pytest.raises(QuestionnaireLocked) as refused:
        _call(engine, world, add_question, questionnaire_id=view.id, spec=new)
    assert "must be optional" in str(refused.value)
    added = _call(
        engine, world, add_question, questionnaire_id=view.id, spec=replace(new, optional=True)
    )
    assert added.optional


def test_who_answers_and_anonymity_are_fixed_once_answers_exist(engine, world):
    view = _opened(engine, world)
    changed = _call(
        engine,
        world,
        update_questionnaire,
        questionnaire_id=view.id,
        title="Nos attentes",
        anonymous=True,
    )
    assert (changed.title, changed.anonymous) == ("Nos attentes", True)
    _answer(engine, world, view, "tenure", "ownership")
    with pytest.raises(QuestionnaireLocked) as refused:
        _call(
            engine,
            world,
            update_questionnaire,
            questionnaire_id=view.id,
            title="Nos attentes",
            anonymous=False,
        )
    assert "can no longer change" in str(refused.value)


def test_dates_must_make_sense(engine, world):
    view = _create(engine, world)
    for opens_at, closes_at, message in [
        (NOW, NOW - timedelta(days=1), "The closing date must come after the opening date."),
        (None, datetime(2020, 1, 1, tzinfo=UTC), "The closing date must be in the future."),
    ]:
        with pytest.raises(InvalidValue) as refused:
            _call(
                engine,
                world,
                update_questionnaire,
                questionnaire_id=view.id,
                title=view.title,
                opens_at=opens_at,
                closes_at=closes_at,
                now=NOW,
            )
        assert str(refused.value) == message


def test_open_close_reopen(engine, world):
    empty = _create(engine, world, replace(SPEC, questions=()))
    with pytest.raises(InvalidValue) as refused:
        _call(engine, world, open_questionnaire, questionnaire_id=empty.id)
    assert str(refused.value) == "Add at least one question before opening the questionnaire."
    view = _create(engine, world)
    with pytest.raises(InvalidValue):
        _call(engine, world, close_questionnaire, questionnaire_id=view.id)
    opened = _call(engine, world, open_questionnaire, questionnaire_id=view.id, now=NOW)
    assert (opened.state(NOW), opened.opens_at) == (QuestionnaireState.OPEN, NOW)
    closed = _call(
        engine, world, close_questionnaire, questionnaire_id=view.id, now=NOW + timedelta(1)
    )
    assert (closed.state(NOW), closed.closes_at) == (QuestionnaireState.CLOSED, NOW + timedelta(1))
    with pytest.raises(QuestionnaireLocked) as refused:
        _call(engine, world, add_question, questionnaire_id=view.id, spec=ACCESS)
    assert str(refused.value) == "This questionnaire is closed: duplicate it to make changes."
    reopened = _call(
        engine, world, open_questionnaire, questionnaire_id=view.id, now=NOW + timedelta(2)
    )
    assert (reopened.status, reopened.closes_at) == ("open", None)
    with unit_of_work(engine) as session:
        actions = [a.action for a in list_actions(session, project_id=world.project.id)]
    assert actions[:4] == [
        "questionnaire.open",
        "questionnaire.close",
        "questionnaire.open",
        "questionnaire.create",
    ]


def test_duplicate_copies_the_questions_without_the_answers(engine, world):
    view = _opened(engine, world)
    _answer(engine, world, view, "tenure", "ownership")
    copy = _call(engine, world, duplicate_questionnaire, questionnaire_id=view.id)
    assert copy.title == "Définition des attentes (copie)"
    assert (copy.status, copy.previous_round_id) == ("draft", None)
    assert copy.to_spec().questions == view.to_spec().questions
    assert {q.id for q in copy.questions}.isdisjoint({q.id for q in view.questions})
    with unit_of_work(engine) as session:
        sets = session.exec(select(AnswerSet).where(AnswerSet.questionnaire_id == copy.id)).all()
    assert sets == []


def test_a_second_round_starts_from_each_households_submitted_answers(engine, world):
    view = _opened(engine, world)
    with pytest.raises(Conflict) as refused:
        _call(engine, world, start_second_round, questionnaire_id=view.id)
    assert str(refused.value) == "Close this questionnaire before starting its next round."
    _answer(engine, world, view, "tenure", "social_rent")
    _answer(engine, world, view, "rent", 550)
    _answer(engine, world, view, "access", "yes", submit=True)
    _call(engine, world, close_questionnaire, questionnaire_id=view.id)
    second = _call(engine, world, start_second_round, questionnaire_id=view.id)
    assert (second.round_number, second.previous_round_id, second.status) == (2, view.id, "draft")
    with pytest.raises(Conflict):
        _call(engine, world, start_second_round, questionnaire_id=view.id)
    with pytest.raises(Conflict) as refused:
        _call(engine, world, open_questionnaire, questionnaire_id=view.id)
    assert "already has a next round" in str(refused.value)
    _call(engine, world, open_questionnaire, questionnaire_id=second.id)
    with unit_of_work(engine) as session:
        mine = progress(
            session,
            project_id=world.project.id,
            questionnaire_id=second.id,
            member_id=world.resident.id,
        )
    # Pre-filled as a draft, to confirm or change: it counts once submitted again.
    assert not mine.submitted
    assert mine.complete
    assert {q.key: mine.answers[q.id] for q in mine.visible} == {
        "tenure": "social_rent",
        "rent": 550,
        "access": "yes",
    }
    _answer(engine, world, second, "rent", 500, submit=True)
    with pytest.raises(IntegrityError), unit_of_work(engine) as session:
        session.add(
            Questionnaire(
                project_id=world.project.id,
                title="Tour bis",
                respondent_unit="household",
                previous_round_id=view.id,
            )
        )


def test_only_a_questionnaire_never_opened_can_be_deleted(engine, world):
    view = _opened(engine, world)
    with pytest.raises(Conflict):
        _call(engine, world, delete_draft_questionnaire, questionnaire_id=view.id)
    draft = _create(engine, world)
    _call(engine, world, delete_draft_questionnaire, questionnaire_id=draft.id)
    with unit_of_work(engine) as session:
        assert session.get(Questionnaire, draft.id) is None
