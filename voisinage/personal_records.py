"""A member's records in each part of a project, for their personal-data export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from voisinage.models import (
    Amendment,
    Answer,
    AnswerSet,
    Article,
    ArticleComment,
    ArticleVersion,
    Attendance,
    AvailabilityPoll,
    Ballot,
    BallotChoice,
    BallotParticipation,
    CalendarFeed,
    Document,
    Member,
    Notification,
    PathStep,
    PollAnswer,
    PollResponse,
    PollSlot,
    Proxy,
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


def _ballot_records(session: Session, member: Member) -> list[dict[str, Any]]:
    """The ballots the member's voice (theirs or their household's) took part in.

    A named ballot's choice comes with it; a secret ballot's never does, not even while it is
    open: the export says "voted", and nothing of the tag that links the choice to the voice.
    """
    rows = session.exec(
        select(BallotParticipation, Ballot)
        .join(Ballot, col(Ballot.id) == col(BallotParticipation.ballot_id))
        .where(_own_or_household(BallotParticipation, member))
        .order_by(col(BallotParticipation.id))
    ).all()
    choices = {
        (choice.ballot_id, choice.household_id, choice.member_id): choice.value
        for choice in session.exec(
            select(BallotChoice)
            .join(Ballot, col(Ballot.id) == col(BallotChoice.ballot_id))
            .where(col(Ballot.secret).is_(False), _own_or_household(BallotChoice, member))
        )
    }
    return [
        {
            "ballot": ballot.question,
            "secret": ballot.secret,
            "voted_as": "household" if row.household_id else "person",
            "channel": row.channel,
            "by_proxy": row.by_proxy,
            "cast_by_you": row.cast_by_id == member.id,
            "voted_at": iso(row.created_at),
            "changed_at": iso(row.updated_at),
            **(
                {}
                if ballot.secret
                else {"choice": choices.get((ballot.id, row.household_id, row.member_id))}
            ),
        }
        for row, ballot in rows
    ]


def _proxy_records(session: Session, member: Member) -> dict[str, list[dict[str, Any]]]:
    giver, holder = aliased(Member), aliased(Member)
    rows = session.exec(
        select(Proxy, giver.display_name, holder.display_name, Ballot.question)
        .join(giver, col(giver.id) == col(Proxy.giver_id))
        .join(holder, col(holder.id) == col(Proxy.holder_id))
        .outerjoin(Ballot, col(Ballot.id) == col(Proxy.ballot_id))
        .where(or_(col(Proxy.giver_id) == member.id, col(Proxy.holder_id) == member.id))
        .order_by(col(Proxy.id))
    ).all()

    def entry(proxy: Proxy, other: str, question: str | None) -> dict[str, Any]:
        return {
            "member": other,
            "ballot": question,  # None: every ballot until revoked
            "given_at": iso(proxy.created_at),
            "revoked_at": iso(proxy.revoked_at),
        }

    return {
        "proxies_given": [
            entry(proxy, held_by, question)
            for proxy, _, held_by, question in rows
            if proxy.giver_id == member.id
        ],
        "proxies_held": [
            entry(proxy, given_by, question)
            for proxy, given_by, _, question in rows
            if proxy.holder_id == member.id
        ],
    }


def _document_records(session: Session, member: Member) -> dict[str, list[dict[str, Any]]]:
    amended = aliased(ArticleVersion)
    amendments = session.exec(
        select(Amendment, amended.title, amended.number, Document.title)
        .join(amended, col(amended.id) == col(Amendment.version_id))
        .join(Article, col(Article.id) == col(Amendment.article_id))
        .join(Document, col(Document.id) == col(Article.document_id))
        .where(col(Amendment.author_id) == member.id)
        .order_by(col(Amendment.id))
    ).all()
    comments = session.exec(
        select(ArticleComment, Article.position, Document.title)
        .join(Article, col(Article.id) == col(ArticleComment.article_id))
        .join(Document, col(Document.id) == col(Article.document_id))
        .where(col(ArticleComment.author_id) == member.id)
        .order_by(col(ArticleComment.id))
    ).all()
    versions = session.exec(
        select(ArticleVersion, Document.title)
        .join(Article, col(Article.id) == col(ArticleVersion.article_id))
        .join(Document, col(Document.id) == col(Article.document_id))
        .where(col(ArticleVersion.author_id) == member.id)
        .order_by(col(ArticleVersion.id))
    ).all()
    return {
        "amendments": [
            {
                "document": document,
                "article": title,
                "amends_version": number,
                "text": amendment.text,
                "status": amendment.status,
                "reason": amendment.reason,
                "proposed_at": iso(amendment.created_at),
                "decided_at": iso(amendment.decided_at),
            }
            for amendment, title, number, document in amendments
        ],
        "comments": [
            {
                "document": document,
                "article_position": position,
                "text": comment.text,
                "at": iso(comment.created_at),
            }
            for comment, position, document in comments
        ],
        "article_versions": [
            {
                "document": document,
                "article": version.title,
                "version": version.number,
                "text": version.text,
                "at": iso(version.created_at),
            }
            for version, document in versions
        ],
    }


def vote_records(session: Session, member: Member) -> dict[str, Any]:
    """Return the member's ballots, proxies, amendments, comments and article wordings."""
    return {
        "ballots": _ballot_records(session, member),
        **_proxy_records(session, member),
        **_document_records(session, member),
    }
