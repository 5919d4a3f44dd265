"""A member's records in each part of a project, for their personal-data export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from voisinage.models import (
    Answer,
    AnswerSet,
    Attendance,
    AvailabilityPoll,
    CalendarFeed,
    Member,
    Notification,
    PathStep,
    PollAnswer,
    PollResponse,
    PollSlot,
    Question,
    Questionnaire,
    Rsvp,
    Workshop,
)
from voisinage.questionnaire_answers import answer_value
from voisinage.questionnaire_results import json_value


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _own_or_household(model, member: Member):
    """Rows answered by the member themselves, or by their household for them."""
    mine = [col(model.member_id) == member.id]
    if member.household_id is not None:
        mine.append(col(model.household_id) == member.household_id)
    return or_(*mine)


def questionnaire_records(session: Session, member: Member) -> list[dict[str, Any]]:
    """Return the member's own answer sets and their household's, with every answer."""
    rows = session.exec(
        select(AnswerSet, Questionnaire.title, Question, Answer)
        .join(Questionnaire, col(Questionnaire.id) == col(AnswerSet.questionnaire_id))
        .join(Answer, col(Answer.answer_set_id) == col(AnswerSet.id))
        .join(Question, col(Question.id) == col(Answer.question_id))
        .where(_own_or_household(AnswerSet, member))
        .order_by(col(AnswerSet.id), col(Question.position))
    ).all()
    sets: dict[int, dict[str, Any]] = {}
    for answer_set, title, question, answer in rows:
        entry = sets.setdefault(
            answer_set.id,
            {
                "questionnaire": title,
                "answered_as": "household" if answer_set.household_id else "person",
                "submitted_at": iso(answer_set.submitted_at),
                "answers": [],
            },
        )
        entry["answers"].append(
            {
                "question": question.label,
                "skipped": answer.skipped,
                "value": json_value(answer_value(question.kind, answer)),
            }
        )
    return list(sets.values())


def workshop_records(session: Session, member: Member) -> dict[str, list[dict[str, Any]]]:
    """Return the member's poll answers, RSVPs, attendance, notifications and calendar feeds."""
    poll_rows = session.exec(
        select(PollResponse, PollSlot, PollAnswer.choice, PathStep.title)
        .join(PollAnswer, col(PollAnswer.response_id) == col(PollResponse.id))
        .join(PollSlot, col(PollSlot.id) == col(PollAnswer.slot_id))
        .join(AvailabilityPoll, col(AvailabilityPoll.id) == col(PollResponse.poll_id))
        .join(Workshop, col(Workshop.id) == col(AvailabilityPoll.workshop_id))
        .join(PathStep, col(PathStep.id) == col(Workshop.path_step_id))
        .where(_own_or_household(PollResponse, member))
        .order_by(col(PollResponse.id), col(PollSlot.starts_at))
    ).all()
    polls: dict[int, dict[str, Any]] = {}
    for response, slot, choice, title in poll_rows:
        entry = polls.setdefault(
            response.id,
            {"workshop": title, "comment": response.comment, "answers": []},
        )
        entry["answers"].append({"slot_starts_at": iso(slot.starts_at), "answer": choice})
    rsvps = session.exec(
        select(Rsvp, PathStep.title, Workshop.starts_at)
        .join(Workshop, col(Workshop.id) == col(Rsvp.workshop_id))
        .join(PathStep, col(PathStep.id) == col(Workshop.path_step_id))
        .where(_own_or_household(Rsvp, member))
        .order_by(col(Rsvp.id))
    ).all()
    attended = session.exec(
        select(PathStep.title, Workshop.starts_at)
        .join(Workshop, col(Workshop.path_step_id) == col(PathStep.id))
        .join(Attendance, col(Attendance.workshop_id) == col(Workshop.id))
        .where(Attendance.member_id == member.id)
    ).all()
    notifications = session.exec(
        select(Notification)
        .where(Notification.member_id == member.id)
        .order_by(col(Notification.id))
    ).all()
    feeds = session.exec(select(CalendarFeed).where(CalendarFeed.member_id == member.id)).all()
    return {
        "availability": list(polls.values()),
        "rsvps": [
            {"workshop": title, "starts_at": iso(starts), "status": r.status, "people": r.people}
            for r, title, starts in rsvps
        ],
        "attendance": [{"workshop": title, "starts_at": iso(starts)} for title, starts in attended],
        "notifications": [
            {"kind": n.kind, "due_at": iso(n.due_at), "sent_at": iso(n.sent_at)}
            for n in notifications
        ],
        "calendar_feeds": [
            {"created_at": iso(f.created_at), "revoked_at": iso(f.revoked_at)} for f in feeds
        ],
    }
