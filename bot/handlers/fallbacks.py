"""What nothing else handled: a short answer in private, silence in groups, nothing written."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop

from bot.visitor import Context, StaleButton, Visitor, on_message


@on_message
async def edited(update: Update, context: Context, visitor: Visitor) -> None:
    """Say that edits are ignored; a command edited into another must not run twice."""
    if update.effective_chat.type == Chat.PRIVATE:
        await update.effective_chat.send_message(
            visitor._("I do not read edited messages: please send a new message instead.")
        )
    raise ApplicationHandlerStop


@on_message
async def unknown_command(update: Update, context: Context, visitor: Visitor) -> None:
    await update.effective_chat.send_message(
        visitor._("I do not know this command. /help lists what you can do.")
    )


@on_message
async def not_understood(update: Update, context: Context, visitor: Visitor) -> None:
    """Answer text, stickers, photos… sent outside any question the bot asked."""
    await update.effective_chat.send_message(
        visitor._("I only understand commands and buttons here. Send /menu to see what you can do.")
    )


@on_message
async def stale_button(update: Update, context: Context, visitor: Visitor) -> None:
    """Refuse a button no handler recognised: forged, from an older version, or out of place."""
    await update.callback_query.answer(StaleButton().translate(visitor.t.gettext), show_alert=True)


@on_message
async def nothing_to_cancel(update: Update, context: Context, visitor: Visitor) -> None:
    await update.effective_chat.send_message(visitor._("There is nothing to cancel."))


@on_message
async def linkgroup_in_private(update: Update, context: Context, visitor: Visitor) -> None:
    await update.effective_chat.send_message(
        visitor._("Send /linkgroup in the group you want to link, once you have added me to it.")
    )
