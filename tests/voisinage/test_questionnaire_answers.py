"""Answering a questionnaire: drafts, skips, conditions, resume point, submit, close, one set each."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from voisinage.audit import list_actions
from voisinage.db import unit_of_work
from voisinage.errors import Forbidden, InvalidValue, NotFound
from voisinage.models import Answer, AnswerSet, Member
from voisinage.people import add_member
from voisinage.projects import add_household
from voisinage.questionnaire_answers import (
    AnswersInvalid,
    progress,
    save_answer,
    save_answers,
    skip_question,
    submit_answers,
)
from voisinage.questionnaire_participation import list_respondents, open_questionnaires
from voisinage.questionnaire_specs import (
    AnswerRequired,
    Condition,
    OptionSpec,
    QuestionnaireClosed,
    QuestionnaireNotOpen,
    QuestionnaireSpec,
    QuestionSpec,
    StaleAnswer,
)
from voisinage.questionnaires import (
    close_questionnaire,
    create_questionnaire,
    open_questionnaire,
    update_questionnaire,
)

SPACES = tuple(
    OptionSpec(key, label)
    for key, label in [
        ("common_room", "Salle commune"),
        ("laundry", "Buanderie"),
        ("garden", "Jardin"),
        ("workshop", "Atelier"),
    ]
)
EXPECTATIONS = QuestionnaireSpec(
    title="Définition des attentes",
    questions=(
        QuestionSpec(
            key="tenure",
            kind="single_choice",
            label="Statut",
            options=(
                OptionSpec("ownership", "Accession"),
                OptionSpec("social_rent", "Location sociale"),
                OptionSpec("undecided", "Je ne sais pas"),
            ),
        ),
        QuestionSpec(
            key="rent",
            kind="number",
            label="Loyer mensuel",
            unit="€",
            min_value=Decimal(150),
            max_value=Decimal(1500),
            step=Decimal(10),
            show_if=Condition("tenure", "social_rent"),
        ),
        QuestionSpec(
            key="spaces", kind="multiple_choice", label="Espaces", options=SPACES, max_choices=3
        ),
        QuestionSpec(
            key="plot", kind="yes_no", label="Une parcelle ?", show_if=Condition("spaces", "garden")
        ),
        QuestionSpec(
            key="priority", kind="ranking", label="Priorités", options=SPACES, max_choices=3
        ),
        QuestionSpec(
            key="involvement",
            kind="scale",
            label="Implication",
            min_value=Decimal(1),
            max_value=Decimal(5),
            min_label="Peu",
            max_label="Beaucoup",
        ),
        QuestionSpec(
            key="surface",
            kind="number",
            label="Surface",
            unit="m²",
            min_value=Decimal(15),
            max_value=Decimal(200),
            step=Decimal("0.5"),
        ),
        QuestionSpec(key="remarks", kind="text", label="Remarques", optional=True, max_length=20),
    ),
)
NOW = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
COMPLETE = {
    "tenure": "ownership",
    "spaces": ["garden", "common_room"],
    "plot": "yes",
    "priority": ["garden", "laundry"],
    "involvement": 4,
    "surface": "65,5 m²",
}


def _open(engine, world, spec=EXPECTATIONS, **kwargs):
    with unit_of_work(engine) as session:
        view = create_questionnaire(
            session, project_id=world.project.id, spec=spec, actor_id=world.facilitator.id
        )
        return open_questionnaire(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            actor_id=world.facilitator.id,
            now=NOW - timedelta(days=1),
            **kwargs,
        )


@pytest.fixture
def questionnaire(engine, world):
    return _open(engine, world)


def _ids(view):
    return {q.key: q.id for q in view.questions}


def _save(engine, world, view, key, value, *, member=None, now=NOW):
    with unit_of_work(engine) as session:
        return save_answer(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            question_id=_ids(view)[key],
            member_id=(member or world.resident).id,
            value=value,
            now=now,
        )


def _answer_all(engine, world, view, answers=COMPLETE, member=None):
    result = None
    for key, value in answers.items():
        result = _save(engine, world, view, key, value, member=member)
    return result


def _submit(engine, world, view, member=None, now=NOW):
    with unit_of_work(engine) as session:
        return submit_answers(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            member_id=(member or world.resident).id,
            now=now,
        )


def _count(engine, model):
    with unit_of_work(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _by_key(view, mapping):
    keys = {q.id: q.key for q in view.questions}
    return {keys[qid]: value for qid, value in mapping.items()}


def test_each_kind_is_saved_as_given_and_normalised(engine, world, questionnaire):
    result = _answer_all(engine, world, questionnaire)
    assert _by_key(questionnaire, result.answers) == {
        "tenure": "ownership",
        "spaces": ("common_room", "garden"),
        "plot": "yes",
        "priority": ("garden", "laundry"),
        "involvement": Decimal(4),
        "surface": Decimal("65.5"),
    }
    assert not result.submitted
    # Saved as drafts: reading them back gives the same answers.
    with unit_of_work(engine) as session:
        again = progress(
            session,
            project_id=world.project.id,
            questionnaire_id=questionnaire.id,
            member_id=world.resident.id,
        )
    assert again.answers == result.answers
    assert again.resume.key == "remarks"


@pytest.mark.parametrize(
    ("key", "value", "error", "message"),
    [
        ("tenure", "villa", StaleAnswer, "This choice is no longer offered"),
        (
            "spaces",
            ["garden", "laundry", "workshop", "common_room"],
            InvalidValue,
            "the limit is 3",
        ),
        ("priority", ["garden", "garden"], InvalidValue, "ranked only once"),
        ("priority", ["garden", "pool"], StaleAnswer, "no longer offered"),
        ("involvement", 0, InvalidValue, "from 1 to 5"),
        ("surface", "65,3", InvalidValue, "choose 65 or 65.5"),
        ("surface", "2000", InvalidValue, "from 15 m² to 200 m²"),
        ("surface", "beaucoup", InvalidValue, "Please give a number"),
        ("remarks", "x" * 21, InvalidValue, "the limit is 20"),
        ("tenure", "", AnswerRequired, "needs an answer"),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_is_saved(
    engine, world, questionnaire, key, value, error, message
):
    with pytest.raises(error) as refused:
        _save(engine, world, questionnaire, key, value)
    assert message in str(refused.value)
    assert _count(engine, AnswerSet) == 0
    assert _count(engine, Answer) == 0


def test_a_stale_question_id_is_detected(engine, world, questionnaire):
    with unit_of_work(engine) as session, pytest.raises(StaleAnswer):
        save_answer(
            session,
            project_id=world.project.id,
            questionnaire_id=questionnaire.id,
            question_id=10_000,
            member_id=world.resident.id,
            value="x",
            now=NOW,
        )


def test_only_optional_questions_can_be_skipped(engine, world, questionnaire):
    ids = _ids(questionnaire)
    with unit_of_work(engine) as session, pytest.raises(AnswerRequired) as refused:
        skip_question(
            session,
            project_id=world.project.id,
            questionnaire_id=questionnaire.id,
            question_id=ids["tenure"],
            member_id=world.resident.id,
            now=NOW,
        )
    assert str(refused.value) == "This question cannot be skipped: it needs an answer."
    _answer_all(engine, world, questionnaire)
    with unit_of_work(engine) as session:
        result = skip_question(
            session,
            project_id=world.project.id,
            questionnaire_id=questionnaire.id,
            question_id=ids["remarks"],
            member_id=world.resident.id,
            now=NOW,
        )
    assert result.skipped == {ids["remarks"]}
    assert result.resume is None
    assert result.complete


def test_conditional_questions_follow_the_answers_they_depend_on(engine, world, questionnaire):
    with pytest.raises(StaleAnswer) as refused:
        _save(engine, world, questionnaire, "rent", 500)
    assert str(refused.value) == "This question is no longer asked, given your other answers."
    result = _save(engine, world, questionnaire, "tenure", "social_rent")
    assert [q.key for q in result.visible][:2] == ["tenure", "rent"]
    assert result.resume.key == "rent"
    assert (result.number(result.resume.id), len(result.visible)) == (2, 7)
    _save(engine, world, questionnaire, "rent", "550")
    # Changing the answer a question depends on hides it and takes its answer away.
    result = _save(engine, world, questionnaire, "tenure", "ownership")
    assert "rent" not in _by_key(questionnaire, result.answers)
    assert [q.key for q in result.visible] == [
        "tenure",
        "spaces",
        "priority",
        "involvement",
        "surface",
        "remarks",
    ]
    with unit_of_work(engine) as session:
        stored = session.exec(select(Answer.question_id)).all()
    assert stored == [_ids(questionnaire)["tenure"]]


def test_resume_point_back_and_next_follow_the_visible_questions(engine, world, questionnaire):
    _save(engine, world, questionnaire, "tenure", "ownership")
    result = _save(engine, world, questionnaire, "spaces", ["laundry"])
    assert result.resume.key == "priority"
    assert result.previous(result.resume.id).key == "spaces"
    assert result.following(result.resume.id).key == "involvement"
    assert result.previous(_ids(questionnaire)["tenure"]) is None
    # Going back and answering an earlier question again keeps the later answers.
    result = _save(engine, world, questionnaire, "tenure", "undecided")
    assert result.resume.key == "priority"


def test_submit_is_refused_while_a_shown_question_lacks_an_answer(engine, world, questionnaire):
    _save(engine, world, questionnaire, "tenure", "social_rent")
    with pytest.raises(AnswerRequired) as refused:
        _submit(engine, world, questionnaire)
    assert str(refused.value) == (
        'Question 2, "Loyer mensuel", needs an answer before you send your answers.'
    )
    with unit_of_work(engine) as session:
        assert session.exec(select(AnswerSet.submitted_at)).one() is None


def test_answers_can_change_until_close_and_count_once_submitted(engine, world, questionnaire):
    _answer_all(engine, world, questionnaire)
    result = _submit(engine, world, questionnaire)
    assert result.submitted_at == NOW
    # A change that keeps the answers complete keeps them submitted.
    result = _save(engine, world, questionnaire, "surface", 70)
    assert result.submitted
    # A change that reveals an unanswered question sends them back to draft.
    result = _save(engine, world, questionnaire, "tenure", "social_rent")
    assert not result.submitted
    assert [q.key for q in result.missing] == ["rent"]
    _save(engine, world, questionnaire, "rent", 600)
    assert _submit(engine, world, questionnaire).submitted
    with unit_of_work(engine) as session:
        close_questionnaire(
            session,
            project_id=world.project.id,
            questionnaire_id=questionnaire.id,
            actor_id=world.facilitator.id,
            now=NOW + timedelta(hours=1),
        )
    with pytest.raises(QuestionnaireClosed) as refused:
        _save(engine, world, questionnaire, "surface", 80, now=NOW + timedelta(hours=2))
    assert str(refused.value) == (
        "This questionnaire is closed: answers can no longer be given or changed."
    )


def test_the_closing_date_closes_the_questionnaire_by_itself(engine, world):
    view = _open(engine, world, closes_at=NOW + timedelta(days=1))
    _save(engine, world, view, "tenure", "ownership")
    with pytest.raises(QuestionnaireClosed):
        _save(engine, world, view, "tenure", "undecided", now=NOW + timedelta(days=1))


def test_a_draft_or_scheduled_questionnaire_takes_no_answers(engine, world):
    with unit_of_work(engine) as session:
        view = create_questionnaire(
            session, project_id=world.project.id, spec=EXPECTATIONS, actor_id=world.facilitator.id
        )
    with pytest.raises(QuestionnaireNotOpen):
        _save(engine, world, view, "tenure", "ownership")
    with unit_of_work(engine) as session:
        update_questionnaire(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            title=view.title,
            opens_at=NOW + timedelta(days=2),
            now=NOW,
        )
        open_questionnaire(session, project_id=world.project.id, questionnaire_id=view.id, now=NOW)
    with pytest.raises(QuestionnaireNotOpen):
        _save(engine, world, view, "tenure", "ownership")
    assert _save(engine, world, view, "tenure", "ownership", now=NOW + timedelta(days=3))


def test_only_residents_of_the_project_answer(engine, world, questionnaire):
    with pytest.raises(Forbidden):
        _save(engine, world, questionnaire, "tenure", "ownership", member=world.facilitator)
    with pytest.raises(NotFound):
        _save(engine, world, questionnaire, "tenure", "ownership", member=world.other_facilitator)
    with unit_of_work(engine) as session:
        loner = add_member(session, project_id=world.project.id, display_name="Sans foyer")
    with pytest.raises(InvalidValue) as refused:
        _save(engine, world, questionnaire, "tenure", "ownership", member=loner)
    assert "Join a household" in str(refused.value)


def test_a_household_answers_once_whoever_answers(engine, world, questionnaire):
    with unit_of_work(engine) as session:
        karim = add_member(
            session,
            project_id=world.project.id,
            display_name="Karim",
            household_id=world.household.id,
        )
    _save(engine, world, questionnaire, "tenure", "ownership")
    result = _save(engine, world, questionnaire, "spaces", ["garden"], member=karim)
    assert _by_key(questionnaire, result.answers) == {
        "tenure": "ownership",
        "spaces": ("garden",),
    }
    assert result.respondent.name == "Foyer Benali"
    assert _count(engine, AnswerSet) == 1


def test_a_person_questionnaire_takes_one_answer_set_a_resident(engine, world):
    view = _open(engine, world, spec=replace(EXPECTATIONS, respondent_unit="person"))
    with unit_of_work(engine) as session:
        karim = add_member(
            session,
            project_id=world.project.id,
            display_name="Karim",
            household_id=world.household.id,
        )
    _save(engine, world, view, "tenure", "ownership")
    _save(engine, world, view, "tenure", "undecided", member=karim)
    assert _count(engine, AnswerSet) == 2
    with unit_of_work(engine) as session:
        rows = list_respondents(session, project_id=world.project.id, questionnaire_id=view.id)
    assert [(r.name, r.state) for r in rows] == [("Karim", "draft"), ("Nadia", "draft")]


def test_the_database_refuses_a_second_answer_set_for_a_respondent(engine, world, questionnaire):
    _save(engine, world, questionnaire, "tenure", "ownership")
    with pytest.raises(IntegrityError), unit_of_work(engine) as session:
        session.add(AnswerSet(questionnaire_id=questionnaire.id, household_id=world.household.id))
    with pytest.raises(IntegrityError), unit_of_work(engine) as session:
        session.add(AnswerSet(questionnaire_id=questionnaire.id))
    with pytest.raises(IntegrityError), unit_of_work(engine) as session:
        session.add(
            AnswerSet(
                questionnaire_id=questionnaire.id,
                household_id=world.household.id,
                member_id=world.resident.id,
            )
        )
    assert _count(engine, AnswerSet) == 1


def test_concurrent_first_answers_of_one_household_make_one_answer_set(engine, world):
    with unit_of_work(engine) as session:
        karim = add_member(
            session,
            project_id=world.project.id,
            display_name="Karim",
            household_id=world.household.id,
        )
    for _ in range(3):
        view = _open(engine, world)
        barrier = threading.Barrier(2)
        failures = []

        def answer(member: Member, key: str, value, view=view, barrier=barrier, failures=failures):
            barrier.wait()
            try:
                _save(engine, world, view, key, value, member=member)
            except Exception as error:  # reported by the assertion below
                failures.append(error)

        threads = [
            threading.Thread(target=answer, args=(world.resident, "tenure", "ownership")),
            threading.Thread(target=answer, args=(karim, "surface", 70)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with unit_of_work(engine) as session:
            sets = session.exec(
                select(AnswerSet).where(AnswerSet.questionnaire_id == view.id)
            ).all()
            answers = session.exec(
                select(func.count()).select_from(Answer).where(Answer.answer_set_id == sets[0].id)
            ).one()
        assert (len(sets), answers) == (1, 2)


def test_a_page_of_answers_is_saved_whole_or_not_at_all(engine, world, questionnaire):
    ids = _ids(questionnaire)
    page = {
        ids["tenure"]: "ownership",
        ids["rent"]: "550",  # hidden by the tenure chosen on the same page: ignored
        ids["spaces"]: ["garden", "laundry", "workshop", "common_room"],
        ids["surface"]: "12",
        ids["remarks"]: "",
    }
    with unit_of_work(engine) as session, pytest.raises(AnswersInvalid) as refused:
        save_answers(
            session,
            project_id=world.project.id,
            questionnaire_id=questionnaire.id,
            member_id=world.resident.id,
            values=page,
            now=NOW,
        )
    assert sorted(refused.value.errors) == sorted([ids["spaces"], ids["surface"]])
    assert "the limit is 3" in str(refused.value.errors[ids["spaces"]])
    assert _count(engine, Answer) == 0
    page.update({ids["spaces"]: ["garden"], ids["surface"]: "80", ids["plot"]: "no"})
    page.update({ids["priority"]: ["garden"], ids["involvement"]: "3"})
    with unit_of_work(engine) as session:
        result = save_answers(
            session,
            project_id=world.project.id,
            questionnaire_id=questionnaire.id,
            member_id=world.resident.id,
            values=page,
            submit=True,
            now=NOW,
        )
    assert result.submitted
    assert ids["rent"] not in result.answers
    assert result.skipped == {ids["remarks"]}


def test_who_has_and_has_not_answered(engine, world, questionnaire):
    with unit_of_work(engine) as session:
        kaya = add_household(session, project_id=world.project.id, name="Foyer Kaya")
        elif_ = add_member(
            session, project_id=world.project.id, display_name="Elif", household_id=kaya.id
        )
        add_household(session, project_id=world.project.id, name="Foyer Lefebvre")
    _answer_all(engine, world, questionnaire)
    _submit(engine, world, questionnaire)
    _save(engine, world, questionnaire, "tenure", "undecided", member=elif_)
    with unit_of_work(engine) as session:
        rows = list_respondents(
            session,
            project_id=world.project.id,
            questionnaire_id=questionnaire.id,
            actor_id=world.facilitator.id,
        )
        with pytest.raises(Forbidden):
            list_respondents(
                session,
                project_id=world.project.id,
                questionnaire_id=questionnaire.id,
                actor_id=world.resident.id,
            )
    assert [(r.name, r.state) for r in rows] == [
        ("Foyer Benali", "submitted"),
        ("Foyer Kaya", "draft"),
        ("Foyer Lefebvre", "not_started"),
    ]
    assert rows[0].submitted_at == NOW


def test_a_resident_sees_the_questionnaires_open_to_them(engine, world, questionnaire):
    later = _open(engine, world, closes_at=NOW + timedelta(hours=1))
    _save(engine, world, questionnaire, "tenure", "ownership")
    with unit_of_work(engine) as session:
        mine = open_questionnaires(
            session, project_id=world.project.id, member_id=world.resident.id, now=NOW
        )
        after = open_questionnaires(
            session,
            project_id=world.project.id,
            member_id=world.resident.id,
            now=NOW + timedelta(hours=2),
        )
        facilitator = open_questionnaires(
            session, project_id=world.project.id, member_id=world.facilitator.id, now=NOW
        )
    assert [(q.id, q.state) for q in mine] == [
        (questionnaire.id, "draft"),
        (later.id, "not_started"),
    ]
    assert [q.id for q in after] == [questionnaire.id]
    assert facilitator == []


def test_submitting_leaves_a_trace_in_the_log_without_answers(engine, world, questionnaire):
    _answer_all(engine, world, questionnaire)
    _submit(engine, world, questionnaire)
    with unit_of_work(engine) as session:
        actions = list_actions(session, project_id=world.project.id)
    submitted = [a for a in actions if a.action == "questionnaire.submit"]
    assert [(a.actor_id, a.details) for a in submitted] == [
        (world.resident.id, {"questionnaire_id": questionnaire.id})
    ]
