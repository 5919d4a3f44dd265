"""Conversations entered by buttons that wait, at one step, for something typed."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.visitor import on_button


def typed_step_conversation(
    *,
    name: str,
    buttons: Sequence[BaseHandler],
    state: int,
    typed: Callable,
    not_text: Callable,
    leave_for_menu: Callable,
    cancel: Callable,
    leave_by_door: Callable,
) -> ConversationHandler:
    """Return a persistent conversation entered by `buttons`, reading text typed at `state`.

    /menu, /cancel and the menu's doors leave it, so that later typing is not taken as an answer.
    """
    private = filters.ChatType.PRIVATE
    with warnings.catch_warnings():
        # PTB warns that buttons are then tracked per person, not per message: that is the
        # intent, since a person's buttons belong to them whichever message they are in, and
        # each names what it answers.
        warnings.filterwarnings("ignore", "If 'per_message=False'", category=UserWarning)
        return ConversationHandler(
            entry_points=list(buttons),
            states={
                state: [
                    MessageHandler(private & filters.TEXT & ~filters.COMMAND, typed),
                    MessageHandler(private & ~filters.TEXT & ~filters.COMMAND, not_text),
                ],
            },
            fallbacks=[
                CommandHandler("menu", leave_for_menu, filters=private),
                CommandHandler("cancel", cancel, filters=private),
                on_button("menu", leave_by_door),
            ],
            allow_reentry=True,
            name=name,
            persistent=True,
        )
