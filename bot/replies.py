"""Answering in place: a pressed button turns its message into the next screen."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest


async def show(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message whose button was pressed, or send a new message to answer a command."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        except BadRequest as error:
            # A double click asks for the screen already shown: nothing to do.
            if "not modified" in error.message:
                return
            # Otherwise the message is too old to edit: answer with a new one below.
    await update.effective_chat.send_message(text, reply_markup=keyboard)
