"""The "Votes" door: the open ballots with whether one has voted, the latest results, and a
ballot's card with the member's voices (their own and those held by proxy).

Voting itself, from the card's buttons, is the conversation in `bot.handlers.voting`.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session
from telegram import Update

from bot import run_db
from bot import vote_keyboards as screens
from bot.replies import show
from bot.visitor import Context, Visitor, engine_of
from voisinage.ballot_votes import my_voices, open_ballots_for
from voisinage.ballots import BallotState, ballot_result, list_ballots, load_ballot
from voisinage.models import ArticleVersion, Project, utcnow


def _listing(
    session: Session, *, project_id: int, member_id: int, now: datetime
) -> screens.Listing:
    closed = [
        view
        for view in list_ballots(session, project_id=project_id)
        if view.state(now) is BallotState.CLOSED
    ]
    closed.sort(key=lambda view: view.closed_at or view.closes_at, reverse=True)
    return screens.Listing(
        open=open_ballots_for(session, project_id=project_id, member_id=member_id, now=now),
        closed=[
            (
                view,
                ballot_result(
                    session, project_id=project_id, ballot_id=view.id, viewer_id=member_id, now=now
                ),
            )
            for view in closed[: screens.CLOSED_SHOWN]
        ],
        timezone=session.get(Project, project_id).timezone,
    )


async def show_votes(
    update: Update, context: Context, visitor: Visitor, *, notice: str | None = None
) -> None:
    """Show the open ballots, whether the member's voice has voted, and the latest results."""
    listing = await run_db.read(
        engine_of(context),
        _listing,
        project_id=visitor.project.id,
        member_id=visitor.member.id,
        now=utcnow(),
    )
    text = screens.listing_text(visitor.t, visitor.project.name, listing)
    await show(
        update,
        f"{notice}\n\n{text}" if notice else text,
        screens.listing_keyboard(visitor.t, visitor.project.id, listing),
    )


def read_card(session: Session, *, project_id: int, ballot_id: int, member_id: int) -> screens.Card:
    """Return a ballot as the member sees it; refuse a member who has no voice in it."""
    now = utcnow()
    view = load_ballot(session, project_id=project_id, ballot_id=ballot_id)
    state = view.state(now)
    voices = my_voices(
        session, project_id=project_id, ballot_id=ballot_id, member_id=member_id, now=now
    )
    result = None
    if state is BallotState.CLOSED or (state is BallotState.OPEN and view.results_live):
        result = ballot_result(
            session, project_id=project_id, ballot_id=ballot_id, viewer_id=member_id, now=now
        )
    wording = ""
    if view.article_version_id is not None:
        wording = session.get(ArticleVersion, view.article_version_id).text
    return screens.Card(
        ballot=view,
        state=state,
        voices=voices,
        wording=wording,
        result=result,
        timezone=session.get(Project, project_id).timezone,
    )


async def load_card(context: Context, visitor: Visitor, ballot_id: int) -> screens.Card:
    return await run_db.read(
        engine_of(context),
        read_card,
        project_id=visitor.project.id,
        ballot_id=ballot_id,
        member_id=visitor.member.id,
    )


async def show_card(
    update: Update,
    context: Context,
    visitor: Visitor,
    ballot_id: int,
    *,
    notice: str | None = None,
) -> None:
    card = await load_card(context, visitor, ballot_id)
    await show(
        update,
        screens.card_text(visitor.t, card, notice=notice),
        screens.card_keyboard(visitor.t, visitor.project.id, card),
    )
