"""Who sent an update, which of their projects they are in, and how handlers answer refusals.

Every handler is wrapped by `on_message` or `on_button`: the wrapper looks the person up in the
database for this update only, resolves their language, and turns a DomainError into a short
answer in that language, so that no refusal escapes as an exception.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Chat, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import callback_data, run_db
from bot.i18n import translator_for
from voisinage.config import Settings
from voisinage.errors import N_, DomainError
from voisinage.i18n import Translator
from voisinage.models import Member, Project
from voisinage.people import memberships_of_telegram_user
from voisinage.permissions import is_facilitator

# Keys of the small dictionary PTB keeps per person (stored by bot.persistence).
CURRENT_PROJECT = "project_id"
CHOSEN_LANGUAGE = "language"
# The Telegram app's language, kept so that notifications sent later speak it too.
TELEGRAM_LANGUAGE = "telegram_language"
JOINING = "joining"

Context = ContextTypes.DEFAULT_TYPE

NOT_A_MEMBER = N_(
    "Voisinage is the participation assistant of cohousing groups, for their members only. "
    "To join, open the invitation link your facilitator sent you, or ask them for one."
)


class StaleButton(DomainError):
    code = "stale_button"
    message = N_("This button is no longer valid. Send /menu for a fresh menu.")


@dataclass(frozen=True)
class Visitor:
    """The person behind one update."""

    telegram_user_id: int
    telegram_name: str
    memberships: tuple[tuple[Member, Project], ...]
    member: Member | None
    project: Project | None
    t: Translator

    @property
    def is_facilitator(self) -> bool:
        return is_facilitator(self.member)

    def _(self, message: str, **params: Any) -> str:
        return self.t.gettext(message, **params)


def engine_of(context: Context) -> Engine:
    return context.application.engine


def settings_of(context: Context) -> Settings:
    return context.application.settings


async def load_visitor(
    update: Update, context: Context, *, project_id: int | None = None
) -> Visitor:
    """Look up the sender's memberships and pick a project: `project_id`, else the one they
    looked at last, else their first.

    With `project_id` (from a button), a person who is not a member there gets no project,
    rather than another one: the button was not theirs to press.
    """
    user = update.effective_user
    memberships = await run_db.read(
        engine_of(context), memberships_of_telegram_user, telegram_user_id=user.id
    )
    wanted = project_id if project_id is not None else context.user_data.get(CURRENT_PROJECT)
    chosen = next((pair for pair in memberships if pair[1].id == wanted), None)
    if chosen is None and project_id is None and memberships:
        chosen = memberships[0]
    member, project = chosen or (None, None)
    if project is not None:
        context.user_data[CURRENT_PROJECT] = project.id
    # Only members get notifications: a stranger's app language is not kept.
    if (
        member is not None
        and user.language_code
        and context.user_data.get(TELEGRAM_LANGUAGE) != user.language_code
    ):
        context.user_data[TELEGRAM_LANGUAGE] = user.language_code
    t = translator_for(
        member_language=member.language if member else None,
        chosen_language=None if member else context.user_data.get(CHOSEN_LANGUAGE),
        telegram_language=user.language_code,
        # Someone joining reads the project's language until they say otherwise.
        project_language=(
            project.language
            if project
            else context.user_data.get(JOINING, {}).get("project_language")
        ),
        default_language=settings_of(context).default_language,
    )
    return Visitor(
        telegram_user_id=user.id,
        telegram_name=user.full_name,
        memberships=tuple(memberships),
        member=member,
        project=project,
        t=t,
    )


MessageCallback = Callable[[Update, Context, Visitor], Awaitable[Any]]
ButtonCallback = Callable[[Update, Context, Visitor, callback_data.Button], Awaitable[Any]]


def on_message(handler: MessageCallback) -> Callable[[Update, Context], Awaitable[Any]]:
    """Give a command or message handler its visitor; answer a refusal with a message."""

    @functools.wraps(handler)
    async def handle(update: Update, context: Context) -> Any:
        visitor = await load_visitor(update, context)
        try:
            return await handler(update, context, visitor)
        except DomainError as refusal:
            await update.effective_chat.send_message(refusal.translate(visitor.t.gettext))
            # In a conversation, None keeps the person at the step they were at.
            return None

    return handle


def on_button(kind: str, handler: ButtonCallback) -> CallbackQueryHandler:
    """Handle the buttons of one kind: decode strictly, check the project, always answer."""

    @functools.wraps(handler)
    async def handle(update: Update, context: Context) -> Any:
        query = update.callback_query
        pressed = callback_data.decode(query.data)
        project_id = pressed.args[0] if kind in callback_data.PROJECT_SCOPED else None
        visitor = await load_visitor(update, context, project_id=project_id)
        in_group = update.effective_chat is None or update.effective_chat.type != Chat.PRIVATE
        try:
            # A private button pressed in a group would show personal data to everyone there.
            if in_group != (kind in callback_data.GROUP_KINDS):
                raise StaleButton()
            if project_id is not None and visitor.project is None:
                raise StaleButton()
            state = await handler(update, context, visitor, pressed)
        except DomainError as refusal:
            await query.answer(refusal.translate(visitor.t.gettext), show_alert=True)
            return None
        await query.answer()
        return state

    return CallbackQueryHandler(handle, pattern=callback_data.of_kind(kind))
