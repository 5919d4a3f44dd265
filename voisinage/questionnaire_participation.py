"""Who may answer a questionnaire, who has, and what a resident has left to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

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


@dataclass(frozen=True, slots=True)
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


_QUESTIONNAIRE = Questionnaire.__table__
_ANSWER_SET = AnswerSet.__table__
_MEMBER = Member.__table__
# Built once (composing a statement costs more than running it), and one query: the home page
# asks it on every visit. The member's own row comes in the join, so another project's member,
# or a facilitator, gets no row; a household questionnaire needs a household.
_OPEN_QUESTIONNAIRES = (
    sa.select(
        _QUESTIONNAIRE.c.id,
        _QUESTIONNAIRE.c.title,
        _QUESTIONNAIRE.c.round_number,
        _QUESTIONNAIRE.c.closes_at,
        _ANSWER_SET.c.id.is_not(None),
        _ANSWER_SET.c.submitted_at,
    )
    .join_from(
        _QUESTIONNAIRE,
        _MEMBER,
        sa.and_(
            _MEMBER.c.id == sa.bindparam("member_id"),
            _MEMBER.c.project_id == _QUESTIONNAIRE.c.project_id,
            _MEMBER.c.role == Role.RESIDENT,
        ),
    )
    .outerjoin(
        _ANSWER_SET,
        sa.and_(
            _ANSWER_SET.c.questionnaire_id == _QUESTIONNAIRE.c.id,
            sa.case(
                (
                    _QUESTIONNAIRE.c.respondent_unit == VotingUnit.HOUSEHOLD,
                    _ANSWER_SET.c.household_id == _MEMBER.c.household_id,
                ),
                else_=_ANSWER_SET.c.member_id == _MEMBER.c.id,
            ),
        ),
    )
    .where(
        _QUESTIONNAIRE.c.project_id == sa.bindparam("project_id"),
        _QUESTIONNAIRE.c.status == QuestionnaireStatus.OPEN,
        sa.or_(
            _QUESTIONNAIRE.c.opens_at.is_(None), _QUESTIONNAIRE.c.opens_at <= sa.bindparam("now")
        ),
        sa.or_(
            _QUESTIONNAIRE.c.closes_at.is_(None), _QUESTIONNAIRE.c.closes_at > sa.bindparam("now")
        ),
        sa.or_(
            _QUESTIONNAIRE.c.respondent_unit != VotingUnit.HOUSEHOLD,
            _MEMBER.c.household_id.is_not(None),
        ),
    )
    .order_by(_QUESTIONNAIRE.c.created_at, _QUESTIONNAIRE.c.id)
)


def open_questionnaires(
    session: Session, *, project_id: int, member_id: int, now: datetime | None = None
) -> list[OpenQuestionnaire]:
    """Return the questionnaires a resident can answer now, with how far they are in each."""
    params = {"project_id": project_id, "member_id": member_id, "now": now or utcnow()}
    rows = session.connection().execute(_OPEN_QUESTIONNAIRES, params)
    return [
        OpenQuestionnaire(
            id=id_,
            title=title,
            round_number=round_number,
            closes_at=closes_at,
            state=("submitted" if submitted_at else "draft") if started else "not_started",
        )
        for id_, title, round_number, closes_at, started, submitted_at in rows
    ]
