"""Decisions in a project summary: what waits for the facilitators, and what was decided since.

Each list is one query whatever its length; closed ballots show their recorded result only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from voisinage.amendments import AmendmentStatus
from voisinage.models import (
    Amendment,
    Article,
    ArticleVersion,
    Ballot,
    BallotOption,
    Document,
)
from voisinage.tallies import Method, Outcome


@dataclass(frozen=True)
class AmendmentItem:
    """A proposed amendment the facilitators have not decided yet."""

    id: int
    article_id: int
    article_title: str
    document_id: int
    document_title: str
    proposed_at: datetime


@dataclass(frozen=True)
class BlockedConsent:
    """A consent round blocked by objections, still without its next round."""

    ballot_id: int
    question: str
    round: int
    closed_at: datetime
    objections: int
    # The objections' reasons, sorted, as the recorded result gives them to the facilitators.
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ClosedBallot:
    """A ballot closed since the date asked, with its recorded result."""

    id: int
    question: str
    method: str
    closed_at: datetime
    outcome: str
    # The adopted option, or the options tied first, by label.
    winners: tuple[str, ...]
    took_part: int
    eligible: int | None


@dataclass(frozen=True)
class AdoptedArticle:
    article_id: int
    title: str
    version: int
    document_id: int
    document_title: str
    ballot_id: int
    adopted_at: datetime


def proposed_amendments(session: Session, *, project_id: int) -> tuple[AmendmentItem, ...]:
    """Return the amendments waiting for a decision, oldest first."""
    rows = session.exec(
        select(Amendment, ArticleVersion.title, Document.id, Document.title)
        .join(ArticleVersion, col(ArticleVersion.id) == col(Amendment.version_id))
        .join(Article, col(Article.id) == col(Amendment.article_id))
        .join(Document, col(Document.id) == col(Article.document_id))
        .where(
            col(Document.project_id) == project_id,
            col(Amendment.status) == AmendmentStatus.PROPOSED,
        )
        .order_by(col(Amendment.created_at), col(Amendment.id))
    )
    return tuple(
        AmendmentItem(
            id=amendment.id,
            article_id=amendment.article_id,
            article_title=article_title,
            document_id=document_id,
            document_title=document_title,
            proposed_at=amendment.created_at,
        )
        for amendment, article_title, document_id, document_title in rows
    )


def blocked_consents(session: Session, *, project_id: int) -> tuple[BlockedConsent, ...]:
    """Return the blocked consent rounds that have no next round yet, oldest first."""
    following = select(Ballot.previous_ballot_id).where(col(Ballot.previous_ballot_id).is_not(None))
    ballots = session.exec(
        select(Ballot)
        .where(
            col(Ballot.project_id) == project_id,
            col(Ballot.method) == Method.CONSENT,
            col(Ballot.outcome) == Outcome.BLOCKED,
            col(Ballot.id).not_in(following),
        )
        .order_by(col(Ballot.closed_at), col(Ballot.id))
    )
    return tuple(
        BlockedConsent(
            ballot_id=ballot.id,
            question=ballot.question,
            round=ballot.round,
            closed_at=ballot.closed_at,
            objections=ballot.result["figures"]["objections"],
            reasons=tuple(ballot.result["figures"].get("reasons") or ()),
        )
        for ballot in ballots
    )


def closed_ballots(
    session: Session, *, project_id: int, since: datetime
) -> tuple[ClosedBallot, ...]:
    """Return the ballots closed since `since`, in the order they closed, with their outcome."""
    ballots = list(
        session.exec(
            select(Ballot)
            .where(
                col(Ballot.project_id) == project_id,
                col(Ballot.closed_at) >= since,
                col(Ballot.outcome).is_not(None),
            )
            .order_by(col(Ballot.closed_at), col(Ballot.id))
        )
    )
    if not ballots:
        return ()
    labels: dict[int, dict[str, str]] = defaultdict(dict)
    for ballot_id, key, label in session.exec(
        select(BallotOption.ballot_id, BallotOption.key, BallotOption.label).where(
            col(BallotOption.ballot_id).in_([ballot.id for ballot in ballots])
        )
    ):
        labels[ballot_id][key] = label
    return tuple(
        ClosedBallot(
            id=ballot.id,
            question=ballot.question,
            method=ballot.method,
            closed_at=ballot.closed_at,
            outcome=ballot.result["outcome"],
            winners=tuple(labels[ballot.id].get(key, key) for key in ballot.result["winners"]),
            took_part=ballot.result["took_part"],
            eligible=ballot.result.get("eligible"),
        )
        for ballot in ballots
    )


def adopted_articles(
    session: Session, *, project_id: int, since: datetime
) -> tuple[AdoptedArticle, ...]:
    """Return the article wordings adopted by a ballot closed since `since`, in that order."""
    rows = session.exec(
        select(Ballot.id, Ballot.closed_at, ArticleVersion, Document.id, Document.title)
        .join(ArticleVersion, col(ArticleVersion.id) == col(Ballot.adopted_version_id))
        .join(Article, col(Article.id) == col(ArticleVersion.article_id))
        .join(Document, col(Document.id) == col(Article.document_id))
        .where(col(Ballot.project_id) == project_id, col(Ballot.closed_at) >= since)
        .order_by(col(Ballot.closed_at), col(Ballot.id))
    )
    return tuple(
        AdoptedArticle(
            article_id=version.article_id,
            title=version.title,
            version=version.number,
            document_id=document_id,
            document_title=document_title,
            ballot_id=ballot_id,
            adopted_at=closed_at,
        )
        for ballot_id, closed_at, version, document_id, document_title in rows
    )
