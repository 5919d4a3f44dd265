"""The Questionnaires door: residents see what they can answer, facilitators open and close.

Answering itself is a conversation, in bot.handlers.questionnaire_answers.
"""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from bot import questionnaire_keyboards as screens
from bot import run_db
from bot.callback_data import Button
from bot.replies import show
from bot.visitor import Context, Visitor, engine_of
from voisinage.models import utcnow
from voisinage.permissions import require_facilitator
from voisinage.questionnaire_participation import (
    RespondentStatus,
    list_respondents,
    open_questionnaires,
)
from voisinage.questionnaire_specs import QuestionnaireView
from voisinage.questionnaires import (
    close_questionnaire,
    list_questionnaires,
    load_questionnaire,
    open_questionnaire,
)


async def show_questionnaires(update: Update, context: Context, visitor: Visitor) -> None:
    """Open the door: what a resident can answer, or what a facilitator runs."""
    engine = engine_of(context)
    if visitor.is_facilitator:
        views = await run_db.read(
            engine,
            _project_questionnaires,
            project_id=visitor.project.id,
            actor_id=visitor.member.id,
        )
        await show(update, *screens.facilitator_list(visitor, views, utcnow()))
        return
    available = await run_db.read(
        engine, open_questionnaires, project_id=visitor.project.id, member_id=visitor.member.id
    )
    await show(update, *screens.open_list(visitor, available))


def _project_questionnaires(
    session: Session, *, project_id: int, actor_id: int
) -> list[QuestionnaireView]:
    # Drafts are the facilitators' business only.
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    return [
        load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire.id)
        for questionnaire in list_questionnaires(session, project_id=project_id)
    ]


def _overview(
    session: Session, *, project_id: int, questionnaire_id: int, actor_id: int
) -> tuple[QuestionnaireView, list[RespondentStatus]]:
    # list_respondents refuses anyone but the project's facilitators, before anything is read.
    respondents = list_respondents(
        session, project_id=project_id, questionnaire_id=questionnaire_id, actor_id=actor_id
    )
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    return view, respondents


async def facilitator_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    """Show a questionnaire to a facilitator, ask them to confirm, then open or close it."""
    _, questionnaire_id, action = pressed.args
    engine = engine_of(context)
    ids = {
        "project_id": visitor.project.id,
        "questionnaire_id": questionnaire_id,
        "actor_id": visitor.member.id,
    }
    news = ""
    if action == "open":
        view = await run_db.write(engine, open_questionnaire, **ids)
        news = visitor._("“%(title)s” is open for answers.", title=view.title)
    elif action == "close":
        view = await run_db.write(engine, close_questionnaire, **ids)
        news = visitor._("“%(title)s” is closed.", title=view.title)
    view, respondents = await run_db.read(engine, _overview, **ids)
    if action in ("ask_open", "ask_close"):
        await show(update, *screens.confirmation(visitor, view, action.removeprefix("ask_")))
        return
    await show(update, *screens.facilitator_detail(visitor, view, respondents, utcnow(), news=news))
