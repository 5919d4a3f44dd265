"""The decision log (registre des décisions): every closed ballot, its wording and its result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from voisinage.models import Article, ArticleVersion, Ballot, BallotOption, Document


@dataclass(frozen=True)
class Decision:
    ballot_id: int
    closed_at: datetime
    question: str
    method: str
    round: int  # consent's integration rounds: 1, 2…
    previous_ballot_id: int | None
    outcome: str
    result: dict[str, Any]  # as recorded at the close
    document: str | None  # the document's title, for a ballot on an article
    wording: str  # the article's wording voted on, or "" for a free question
    options: dict[str, str]  # option key → label, in the ballot's order
    secret: bool


def decision_log(session: Session, *, project_id: int) -> list[Decision]:
    """Return every closed ballot of the project, newest first, in two queries."""
    rows = session.exec(
        select(Ballot, ArticleVersion, Document)
        .outerjoin(ArticleVersion, col(ArticleVersion.id) == col(Ballot.article_version_id))
        .outerjoin(Article, col(Article.id) == col(ArticleVersion.article_id))
        .outerjoin(Document, col(Document.id) == col(Article.document_id))
        .where(col(Ballot.project_id) == project_id, col(Ballot.closed_at).is_not(None))
        .order_by(col(Ballot.closed_at).desc(), col(Ballot.id).desc())
    ).all()
    options: dict[int, dict[str, str]] = {ballot.id: {} for ballot, _, _ in rows}
    for option in session.exec(
        select(BallotOption)
        .join(Ballot, col(Ballot.id) == col(BallotOption.ballot_id))
        .where(col(Ballot.project_id) == project_id, col(Ballot.closed_at).is_not(None))
        .order_by(col(BallotOption.ballot_id), col(BallotOption.position))
    ):
        options[option.ballot_id][option.key] = option.label
    return [
        Decision(
            ballot_id=ballot.id,
            closed_at=ballot.closed_at,
            question=ballot.question,
            method=ballot.method,
            round=ballot.round,
            previous_ballot_id=ballot.previous_ballot_id,
            outcome=ballot.outcome,
            result=ballot.result,
            document=document.title if document else None,
            wording=version.text if version else "",
            options=options[ballot.id],
            secret=ballot.secret,
        )
        for ballot, version, document in rows
    ]
