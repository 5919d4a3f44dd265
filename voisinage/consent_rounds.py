"""Consent's integration rounds, and the fallback vote when consent keeps failing.

A blocked consent ballot shows the objections' reasons to the facilitators, who amend the
wording and open the next round. When `fallback_after_rounds` rounds have been blocked, the
next round is a for / against vote with the fallback threshold (two thirds by default), as
many cohousing charters provide. Each round is a ballot of its own, so the decision log
shows every one.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from sqlmodel import Session, col, select

from voisinage import documents
from voisinage.ballots import BallotView, RoundSetup, check_dates, get_ballot, open_ballot
from voisinage.errors import N_, Conflict, InvalidValue
from voisinage.models import ArticleVersion, Ballot, utcnow
from voisinage.permissions import require_facilitator
from voisinage.tallies import Method, Outcome


def next_round(
    session: Session,
    *,
    project_id: int,
    ballot_id: int,
    closes_at: datetime | None,
    text: str | None = None,
    question: str | None = None,
    opens_at: datetime | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> BallotView:
    """Open the next round of a blocked consent ballot, on the amended wording if given.

    On an article, `text` becomes the article's new version; on a free question, `question`
    replaces the question. The new round keeps the rules of the blocked one.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    blocked = get_ballot(session, project_id=project_id, ballot_id=ballot_id)
    if blocked.method != Method.CONSENT or blocked.outcome != Outcome.BLOCKED:
        raise InvalidValue(N_("Only a consent ballot blocked by an objection has a next round."))
    taken = session.exec(
        select(Ballot.id).where(col(Ballot.previous_ballot_id) == blocked.id)
    ).first()
    if taken is not None:
        raise Conflict(N_("This ballot already has its next round."))
    # Checked before the article gets its new version, so that a refusal writes nothing.
    check_dates(opens_at or now, closes_at, now)
    article_id = None
    if blocked.article_version_id is not None:
        voted = session.get(ArticleVersion, blocked.article_version_id)
        article_id = voted.article_id
        if text is not None:
            documents.edit_article(
                session,
                project_id=project_id,
                article_id=article_id,
                title=voted.title,
                text=text,
                actor_id=actor_id,
            )
    elif text is not None:
        raise InvalidValue(N_("This ballot is on a free question: amend the question instead."))
    falls_back = (
        blocked.fallback_after_rounds is not None and blocked.round >= blocked.fallback_after_rounds
    )
    quorum = (
        Fraction(blocked.quorum_numerator, blocked.quorum_denominator)
        if blocked.quorum_numerator is not None
        else None
    )
    return open_ballot(
        session,
        project_id=project_id,
        method=Method.THRESHOLD if falls_back else Method.CONSENT,
        question=question if question is not None else (None if article_id else blocked.question),
        article_id=article_id,
        threshold=blocked.fallback_threshold if falls_back else None,
        voting_unit=blocked.voting_unit,
        quorum=quorum,
        secret=blocked.secret,
        results_live=blocked.results_live,
        opens_at=opens_at,
        closes_at=closes_at,
        fallback_after_rounds=None if falls_back else blocked.fallback_after_rounds,
        fallback_threshold=None if falls_back else blocked.fallback_threshold,
        actor_id=actor_id,
        now=now,
        round_of=RoundSetup(round=blocked.round + 1, previous_ballot_id=blocked.id),
    )
