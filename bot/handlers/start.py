"""Joining a project from an invitation's deep link: `/start <code>`, then a name and a household."""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot import keyboards, run_db
from bot.callback_data import Button
from bot.visitor import (
    CHOSEN_LANGUAGE,
    CURRENT_PROJECT,
    JOINING,
    NOT_A_MEMBER,
    Context,
    Visitor,
    engine_of,
    load_visitor,
    on_button,
    on_message,
)
from voisinage.errors import (
    InvitationUnusable,
)
from voisinage.people import (
    DISPLAY_NAME_MAX,
    existing_telegram_join,
    preview_invitation,
    redeem_invitation,
    telegram_person_key,
)
from voisinage.validation import clean_name

ASK_NAME, ASK_HOUSEHOLD = range(2)
END = ConversationHandler.END


async def greet(update: Update, visitor: Visitor, text: str) -> None:
    """Send `text` followed by the member's menu."""
    await update.effective_chat.send_message(
        f"{text}\n\n{keyboards.menu_text(visitor)}", reply_markup=keyboards.main_menu(visitor)
    )


@on_message
async def start(update: Update, context: Context, visitor: Visitor) -> int:
    """Open the conversation: a code leads to joining, no code to the menu or an explanation."""
    if not context.args:
        context.user_data.pop(JOINING, None)
        if visitor.member is None:
            await update.effective_chat.send_message(visitor._(NOT_A_MEMBER))
        else:
            await greet(update, visitor, visitor._("Welcome back!"))
        return END
    code = context.args[0]
    engine = engine_of(context)
    joined = await run_db.read(
        engine, existing_telegram_join, code=code, telegram_user_id=visitor.telegram_user_id
    )
    if joined is not None:
        context.user_data.pop(JOINING, None)
        visitor = await load_visitor(update, context, project_id=joined.project.id)
        await greet(
            update,
            visitor,
            visitor._("You are already a member of %(project)s.", project=joined.project.name),
        )
        return END
    preview = await run_db.read(engine, preview_invitation, code=code)
    context.user_data[JOINING] = {
        "code": preview.invitation.code,
        "project_language": preview.project.language,
    }
    visitor = await load_visitor(update, context)
    await update.effective_chat.send_message(
        visitor._(
            "Welcome to %(project)s! What name should the other members see? "
            "Reply with it, or use the name of your Telegram profile.",
            project=preview.project.name,
        ),
        reply_markup=keyboards.telegram_name(visitor),
    )
    return ASK_NAME


async def _take_name(update: Update, context: Context, visitor: Visitor, name: str) -> int:
    if JOINING not in context.user_data:
        return await _lost(update, visitor)
    context.user_data[JOINING]["name"] = clean_name(name, max_length=DISPLAY_NAME_MAX)
    return await _join(update, context, visitor)


async def _lost(update: Update, visitor: Visitor) -> int:
    # The person erased their data (/forget) halfway through joining.
    await update.effective_chat.send_message(
        visitor._("Please open your invitation link again to join.")
    )
    return END


@on_message
async def name_typed(update: Update, context: Context, visitor: Visitor) -> int:
    return await _take_name(update, context, visitor, update.effective_message.text)


async def name_from_telegram(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> int:
    return await _take_name(update, context, visitor, visitor.telegram_name)


@on_message
async def household_typed(update: Update, context: Context, visitor: Visitor) -> int:
    return await _join(update, context, visitor, household_name=update.effective_message.text)


async def household_chosen(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> int:
    return await _join(update, context, visitor, household_id=pressed.args[0])


async def _join(update: Update, context: Context, visitor: Visitor, **household: Any) -> int:
    """Join when the invitation or the answers say enough; else ask for the household."""
    joining = context.user_data.get(JOINING)
    if joining is None:
        return await _lost(update, visitor)
    engine = engine_of(context)
    try:
        if not household:
            preview = await run_db.read(engine, preview_invitation, code=joining["code"])
            if preview.needs_household:
                await _ask_household(update, visitor, joining["name"], preview.households)
                return ASK_HOUSEHOLD
        joined = await run_db.write(
            engine,
            redeem_invitation,
            code=joining["code"],
            person_key=telegram_person_key(visitor.telegram_user_id),
            display_name=joining["name"],
            language=context.user_data.get(CHOSEN_LANGUAGE),
            telegram_user_id=visitor.telegram_user_id,
            **household,
        )
    # The invitation itself became unusable while the person was answering: joining cannot go on.
    except InvitationUnusable as refusal:
        context.user_data.pop(JOINING, None)
        await update.effective_chat.send_message(refusal.translate(visitor.t.gettext))
        return END
    context.user_data.pop(JOINING, None)
    # The member now holds the language; a newcomer's own choice has served its purpose.
    context.user_data.pop(CHOSEN_LANGUAGE, None)
    context.user_data[CURRENT_PROJECT] = joined.project.id
    visitor = await load_visitor(update, context, project_id=joined.project.id)
    await greet(
        update,
        visitor,
        visitor._(
            "You have joined %(project)s. Welcome, %(name)s!",
            project=joined.project.name,
            name=joined.member.display_name,
        ),
    )
    return END


async def _ask_household(update: Update, visitor: Visitor, name: str, households: list) -> None:
    if households:
        text = visitor._(
            "Thank you, %(name)s. Which household are you part of? Choose it below, "
            "or reply with the name of a new household.",
            name=name,
        )
    else:
        text = visitor._(
            "Thank you, %(name)s. What is the name of your household? For example: Foyer Martin.",
            name=name,
        )
    await update.effective_chat.send_message(
        text, reply_markup=keyboards.households(households) if households else None
    )


@on_message
async def name_expected(update: Update, context: Context, visitor: Visitor) -> None:
    await update.effective_chat.send_message(visitor._("Please reply with your name, as text."))


@on_message
async def household_expected(update: Update, context: Context, visitor: Visitor) -> None:
    await update.effective_chat.send_message(
        visitor._("Please choose your household above, or reply with its name.")
    )


@on_message
async def cancel(update: Update, context: Context, visitor: Visitor) -> int:
    context.user_data.pop(JOINING, None)
    await update.effective_chat.send_message(
        visitor._("Joining cancelled. Open your invitation link again whenever you are ready.")
    )
    return END


def onboarding() -> ConversationHandler:
    """Return the persistent conversation that takes a newcomer from a deep link to the menu."""
    private = filters.ChatType.PRIVATE
    answer = private & filters.TEXT & ~filters.COMMAND
    other = private & ~filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that buttons are then tracked per person, not per message: that is the
        # intent, since a newcomer's buttons belong to the step they are at.
        warnings.filterwarnings("ignore", "If 'per_message=False'", category=UserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("start", start, filters=private)],
            states={
                ASK_NAME: [
                    MessageHandler(answer, name_typed),
                    on_button("name", name_from_telegram),
                    MessageHandler(other, name_expected),
                ],
                ASK_HOUSEHOLD: [
                    MessageHandler(answer, household_typed),
                    on_button("hh", household_chosen),
                    MessageHandler(other, household_expected),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel, filters=private)],
            allow_reentry=True,
            name="onboarding",
            persistent=True,
        )
