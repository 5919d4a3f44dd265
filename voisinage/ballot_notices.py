"""Who is told what about ballots and amendments, and when: rows in the outbox, never timers.

Enqueued in the transaction of the change they announce (voisinage.outbox). Keys name the item
first, so that the close can cancel what it makes stale:
- `ballot:<id>:opened:member:<m>` to every resident, due when the ballot opens;
- `ballot:<id>:opened:group:<chat>` to the project's linked Telegram group, if any: the outbox
  addresses members, so the row is held by a facilitator on Telegram, and sent to the group;
- `ballot:<id>:reminder:member:<m>` a day before the close, to the residents whose voice
  (household or person) has not voted; a vote cancels them for every member of its voice;
- `ballot:<id>:closed:member:<m>` with the result, to residents and facilitators;
- `amendment:<id>:decided:member:<author>`, the decision told to the amendment's author.
Texts are rendered at send time, in the reader's language, by `voisinage.outbox`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from voisinage import outbox
from voisinage.enums import Role
from voisinage.models import (
    Amendment,
    ArticleVersion,
    Ballot,
    BallotOption,
    Member,
    Project,
)
from voisinage.voices import Voice

REMINDER_BEFORE = timedelta(days=1)
# A result stays worth telling for a month; then the decision log has it.
RESULT_KEEP = timedelta(days=30)
GROUP_OPENED = "ballot.group_opened"


def ballot_subject(ballot_id: int) -> str:
    """Return the outbox subject of a ballot's notifications."""
    return f"ballot:{ballot_id}"


def _members(session: Session, project_id: int, roles: Iterable[str]) -> list[Member]:
    return list(
        session.exec(
            select(Member)
            .where(col(Member.project_id) == project_id, col(Member.role).in_(list(roles)))
            .order_by(col(Member.id))
        )
    )


def _params(session: Session, ballot: Ballot) -> dict[str, Any]:
    return {
        "ballot_id": ballot.id,
        "question": ballot.question,
        "closes_at": ballot.closes_at.isoformat() if ballot.closes_at else None,
        "timezone": session.get(Project, ballot.project_id).timezone,
    }


def announce_ballot(session: Session, ballot: Ballot, *, now: datetime) -> None:
    """Tell the residents, and the linked group, that a ballot opens; remind them before it closes."""
    params = _params(session, ballot)
    subject = ballot_subject(ballot.id)
    residents = _members(session, ballot.project_id, [Role.RESIDENT])
    reminder_at = ballot.closes_at - REMINDER_BEFORE if ballot.closes_at else None
    outbox.enqueue_many(
        session,
        project_id=ballot.project_id,
        keys={member.id: f"{subject}:opened:member:{member.id}" for member in residents},
        kind="ballot.opened",
        subject=subject,
        due_at=ballot.opens_at,
        expires_at=ballot.closes_at,
        params=params,
        now=now,
    )
    # A ballot open for less than a day has no reminder: the announcement is one.
    if reminder_at is not None and reminder_at > max(ballot.opens_at, now):
        outbox.enqueue_many(
            session,
            project_id=ballot.project_id,
            keys={member.id: f"{subject}:reminder:member:{member.id}" for member in residents},
            kind="ballot.reminder",
            subject=subject,
            due_at=reminder_at,
            expires_at=ballot.closes_at,
            params=params,
            reminder=True,
            now=now,
        )
    _announce_in_group(session, ballot, params, now=now)


def _announce_in_group(
    session: Session, ballot: Ballot, params: dict[str, Any], *, now: datetime
) -> None:
    chat_id = session.get(Project, ballot.project_id).telegram_chat_id
    on_telegram = [
        member
        for member in _members(session, ballot.project_id, [Role.FACILITATOR])
        if member.telegram_user_id is not None
    ]
    if chat_id is None or not on_telegram:
        return
    # The facilitator who opened the ballot holds the row, else the first one on Telegram.
    holder = next((m for m in on_telegram if m.id == ballot.created_by_id), on_telegram[0])
    subject = ballot_subject(ballot.id)
    outbox.enqueue(
        session,
        project_id=ballot.project_id,
        member_id=holder.id,
        kind=GROUP_OPENED,
        subject=subject,
        dedupe_key=f"{subject}:opened:group:{chat_id}",
        due_at=ballot.opens_at,
        expires_at=ballot.closes_at,
        params={**params, "chat_id": chat_id},
        now=now,
    )


def voice_voted(session: Session, ballot: Ballot, voice: Voice, *, now: datetime) -> None:
    """Cancel the reminders of the members a voice stands for: it has voted."""
    if voice.household_id is not None:
        member_ids = session.exec(
            select(Member.id).where(col(Member.household_id) == voice.household_id)
        ).all()
    else:
        member_ids = [voice.member_id]
    subject = ballot_subject(ballot.id)
    outbox.cancel(
        session,
        keys=[f"{subject}:reminder:member:{member_id}" for member_id in member_ids],
        reason="voted",
        now=now,
    )


def announce_result(session: Session, ballot: Ballot, *, now: datetime) -> None:
    """Cancel what a closed ballot makes stale; tell residents and facilitators its result."""
    subject = ballot_subject(ballot.id)
    outbox.cancel(session, subject=subject, reason="ballot_closed", now=now)
    options = session.exec(
        select(BallotOption).where(col(BallotOption.ballot_id) == ballot.id)
    ).all()
    params = {
        **_params(session, ballot),
        "result": ballot.result,
        "labels": {option.key: option.label for option in options},
    }
    members = _members(session, ballot.project_id, [Role.RESIDENT, Role.FACILITATOR])
    outbox.enqueue_many(
        session,
        project_id=ballot.project_id,
        keys={member.id: f"{subject}:closed:member:{member.id}" for member in members},
        kind="ballot.closed",
        subject=subject,
        due_at=now,
        expires_at=now + RESULT_KEEP,
        params=params,
        now=now,
    )


def tell_author(
    session: Session,
    amendment: Amendment,
    *,
    project_id: int,
    question: str | None = None,
    now: datetime,
) -> None:
    """Tell an amendment's author what the facilitators decided, and why if rejected."""
    version = session.get(ArticleVersion, amendment.version_id)
    subject = f"amendment:{amendment.id}"
    outbox.enqueue(
        session,
        project_id=project_id,
        member_id=amendment.author_id,
        kind="amendment.decided",
        subject=subject,
        dedupe_key=f"{subject}:decided:member:{amendment.author_id}",
        due_at=now,
        params={
            "amendment_id": amendment.id,
            "article": version.title,
            "status": amendment.status,
            "reason": amendment.reason or "",
            "question": question or "",
        },
        now=now,
    )
