"""Amendments: a resident proposes a new wording of an article; the facilitators decide.

An amendment is accepted as the article's new version, or as an option of a ballot on the
article that has not opened yet, or rejected with a reason. The decision stays on the
amendment, where its author reads it, and in the action log.
"""

from __future__ import annotations

import string
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage import ballot_notices, documents
from voisinage.audit import record_action
from voisinage.ballot_rules import OPTION_METHODS
from voisinage.ballots import LABEL_MAX, OPTIONS_MAX, get_ballot
from voisinage.errors import N_, Conflict, InvalidValue, NotFound
from voisinage.models import Amendment, ArticleVersion, BallotOption, utcnow
from voisinage.permissions import require_facilitator
from voisinage.workshops import one_line

REASON_MAX = 1000


class AmendmentStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED_AS_VERSION = "accepted_as_version"
    ACCEPTED_AS_OPTION = "accepted_as_option"
    REJECTED = "rejected"


def get_amendment(session: Session, *, project_id: int, amendment_id: int) -> Amendment:
    """Return one of the project's amendments; another project's is NotFound."""
    amendment = session.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound(N_("This amendment does not exist in this project."))
    try:
        documents.get_article(session, project_id=project_id, article_id=amendment.article_id)
    except NotFound:
        raise NotFound(N_("This amendment does not exist in this project.")) from None
    return amendment


def propose_amendment(
    session: Session,
    *,
    project_id: int,
    article_id: int,
    author_id: int,
    text: str,
    now: datetime | None = None,
) -> Amendment:
    """Propose a new wording of an article's current version."""
    documents.participant(session, project_id=project_id, member_id=author_id)
    documents.get_article(session, project_id=project_id, article_id=article_id)
    text = documents.clean_text(text)
    current = documents.current_version(session, article_id)
    if text == current.text:
        raise InvalidValue(N_("This wording is the article's current one: change something."))
    amendment = Amendment(
        article_id=article_id,
        version_id=current.id,
        author_id=author_id,
        text=text,
        created_at=now or utcnow(),
    )
    session.add(amendment)
    session.flush()
    return amendment


def list_amendments(session: Session, *, project_id: int, article_id: int) -> list[Amendment]:
    """Return an article's amendments, oldest first."""
    documents.get_article(session, project_id=project_id, article_id=article_id)
    return list(
        session.exec(
            select(Amendment)
            .where(col(Amendment.article_id) == article_id)
            .order_by(col(Amendment.created_at), col(Amendment.id))
        )
    )


def _undecided(
    session: Session, *, project_id: int, amendment_id: int, actor_id: int | None
) -> Amendment:
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    amendment = get_amendment(session, project_id=project_id, amendment_id=amendment_id)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise Conflict(N_("This amendment has already been decided."))
    return amendment


def _decide(
    session: Session,
    amendment: Amendment,
    *,
    project_id: int,
    status: AmendmentStatus,
    reason: str = "",
    question: str | None = None,
    actor_id: int | None,
    now: datetime | None,
) -> Amendment:
    amendment.status = status
    amendment.reason = reason
    amendment.decided_by_id = actor_id
    amendment.decided_at = now or utcnow()
    session.add(amendment)
    session.flush()
    if amendment.author_id is not None:
        ballot_notices.tell_author(
            session,
            amendment,
            project_id=project_id,
            question=question,
            now=amendment.decided_at,
        )
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="amendment.decide",
        amendment_id=amendment.id,
        status=status.value,
        author_id=amendment.author_id,
    )
    return amendment


def accept_as_version(
    session: Session,
    *,
    project_id: int,
    amendment_id: int,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Amendment:
    """Make an amendment the article's new version."""
    amendment = _undecided(
        session, project_id=project_id, amendment_id=amendment_id, actor_id=actor_id
    )
    current = documents.current_version(session, amendment.article_id)
    documents.edit_article(
        session,
        project_id=project_id,
        article_id=amendment.article_id,
        title=current.title,
        text=amendment.text,
        actor_id=actor_id,
    )
    return _decide(
        session,
        amendment,
        project_id=project_id,
        status=AmendmentStatus.ACCEPTED_AS_VERSION,
        actor_id=actor_id,
        now=now,
    )


def accept_as_option(
    session: Session,
    *,
    project_id: int,
    amendment_id: int,
    ballot_id: int,
    label: str,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Amendment:
    """Add an amendment as an option of a ballot on its article that has not opened yet."""
    amendment = _undecided(
        session, project_id=project_id, amendment_id=amendment_id, actor_id=actor_id
    )
    now = now or utcnow()
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id, lock="update")
    voted = (
        session.get(ArticleVersion, ballot.article_version_id)
        if ballot.article_version_id
        else None
    )
    if voted is None or voted.article_id != amendment.article_id:
        raise InvalidValue(N_("This ballot is not on the amended article."))
    if ballot.method not in OPTION_METHODS:
        raise InvalidValue(N_("This ballot votes on one wording: it takes no options."))
    if now >= ballot.opens_at:
        raise Conflict(N_("This ballot has opened: its options can no longer change."))
    label = one_line(label, max_length=LABEL_MAX)
    if not label:
        raise InvalidValue(N_("Every option needs a name."))
    options = session.exec(
        select(BallotOption.label).where(col(BallotOption.ballot_id) == ballot.id)
    ).all()
    if label in options:
        raise InvalidValue(N_("The option %(value)s is listed twice."), value=label)
    if len(options) >= OPTIONS_MAX:
        raise InvalidValue(N_("A ballot has %(max)s options at most."), max=OPTIONS_MAX)
    position = session.exec(
        select(func.count()).where(col(BallotOption.ballot_id) == ballot.id)
    ).one()
    session.add(
        BallotOption(
            ballot_id=ballot.id,
            position=position,
            key=string.ascii_lowercase[position],
            label=label,
            text=amendment.text,
            amendment_id=amendment.id,
        )
    )
    return _decide(
        session,
        amendment,
        project_id=project_id,
        status=AmendmentStatus.ACCEPTED_AS_OPTION,
        question=ballot.question,
        actor_id=actor_id,
        now=now,
    )


def reject_amendment(
    session: Session,
    *,
    project_id: int,
    amendment_id: int,
    reason: str,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Amendment:
    """Reject an amendment, saying why: its author reads the reason."""
    amendment = _undecided(
        session, project_id=project_id, amendment_id=amendment_id, actor_id=actor_id
    )
    reason = documents.clean_text(reason, max_length=REASON_MAX, required=False)
    if not reason.strip():
        raise InvalidValue(N_("Say why the amendment is rejected: its author will read it."))
    return _decide(
        session,
        amendment,
        project_id=project_id,
        status=AmendmentStatus.REJECTED,
        reason=reason,
        actor_id=actor_id,
        now=now,
    )
