"""Who may answer a questionnaire, who has, and what a resident has left to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from voisinage.enums import Role, VotingUnit
from voisinage.models import AnswerSet, Household, Member, Questionnaire, utcnow
from voisinage.permissions import require_facilitator
from voisinage.questionnaire_specs import QuestionnaireStatus
from voisinage.questionnaires import load_questionnaire


@dataclass(frozen=True)
class RespondentStatus:
    household_id: int | None
    member_id: int | None
    name: str
    # "submitted", "draft" or "not_started".
    state: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class OpenQuestionnaire:
    """A questionnaire a resident can answer now, and how far they are."""

    id: int
    title: str
    round_number: int
    closes_at: datetime | None
    # "submitted", "draft" or "not_started".
    state: str


def list_respondents(
    session: Session, *, project_id: int, questionnaire_id: int, actor_id: int | None = None
) -> list[RespondentStatus]:
    """Return who has submitted, who has a draft and who has not started (facilitators only).

    Even for an anonymous questionnaire: it says who answered, never what.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    sets = {
        (s.household_id, s.member_id): s
        for s in session.exec(select(AnswerSet).where(AnswerSet.questionnaire_id == view.id))
    }
    rows = []
    for household_id, member_id, name in eligible_respondents(
        session, project_id=project_id, unit=view.respondent_unit
    ):
        answer_set = sets.get((household_id, member_id))
        state = "not_started"
        if answer_set is not None:
            state = "submitted" if answer_set.submitted_at else "draft"
        rows.append(
            RespondentStatus(
                household_id=household_id,
                member_id=member_id,
                name=name,
                state=state,
                submitted_at=answer_set.submitted_at if answer_set else None,
            )
        )
    return rows


def eligible_respondents(
    session: Session, *, project_id: int, unit: str
) -> list[tuple[int | None, int | None, str]]:
    """Return (household id, member id, name) of whoever may answer: households, or residents."""
    if unit == VotingUnit.PERSON:
        statement = (
            select(Member.id, Member.display_name)
            .where(Member.project_id == project_id, Member.role == Role.RESIDENT)
            .order_by(Member.display_name, Member.id)
        )
        return [(None, member_id, name) for member_id, name in session.exec(statement)]
    statement = (
        select(Household.id, Household.name)
        .where(Household.project_id == project_id)
        .order_by(Household.name)
    )
    return [(household_id, None, name) for household_id, name in session.exec(statement)]


def open_questionnaires(
    session: Session, *, project_id: int, member_id: int, now: datetime | None = None
) -> list[OpenQuestionnaire]:
    """Return the questionnaires a resident can answer now, with how far they are in each."""
    now = now or utcnow()
    member = session.get(Member, member_id)
    if member is None or member.project_id != project_id or member.role != Role.RESIDENT:
        return []
    candidates = [
        q
        for q in session.exec(
            select(Questionnaire)
            .where(
                Questionnaire.project_id == project_id,
                Questionnaire.status == QuestionnaireStatus.OPEN,
            )
            .order_by(Questionnaire.created_at, Questionnaire.id)
        )
        if (q.opens_at is None or q.opens_at <= now) and (q.closes_at is None or now < q.closes_at)
    ]
    mine = {
        s.questionnaire_id: s
        for s in session.exec(
            select(AnswerSet).where(
                col(AnswerSet.questionnaire_id).in_([q.id for q in candidates]),
                (col(AnswerSet.member_id) == member.id)
                | (col(AnswerSet.household_id) == member.household_id),
            )
        )
    }
    result = []
    for questionnaire in candidates:
        if questionnaire.respondent_unit == VotingUnit.HOUSEHOLD and member.household_id is None:
            continue
        answer_set = mine.get(questionnaire.id)
        state = "not_started"
        if answer_set is not None:
            state = "submitted" if answer_set.submitted_at else "draft"
        result.append(
            OpenQuestionnaire(
                id=questionnaire.id,
                title=questionnaire.title,
                round_number=questionnaire.round_number,
                closes_at=questionnaire.closes_at,
                state=state,
            )
        )
    return result
