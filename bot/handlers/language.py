"""Choosing the language the bot speaks, stored with the person."""

from __future__ import annotations

from telegram import Update

from bot import keyboards, run_db
from bot.callback_data import Button
from bot.replies import show
from bot.visitor import CHOSEN_LANGUAGE, Context, Visitor, engine_of, load_visitor, on_message
from voisinage.i18n import language_name
from voisinage.people import set_telegram_user_language


@on_message
async def language(update: Update, context: Context, visitor: Visitor) -> None:
    await offer_languages(update, context, visitor)


async def offer_languages(update: Update, context: Context, visitor: Visitor) -> None:
    await show(update, visitor._("Which language should I use?"), keyboards.languages(visitor))


async def language_chosen(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    """Store the choice: on every membership, or for a newcomer until they join."""
    choice = pressed.args[0]
    chosen = None if choice == "auto" else choice
    if visitor.memberships:
        await run_db.write(
            engine_of(context),
            set_telegram_user_language,
            telegram_user_id=visitor.telegram_user_id,
            language=chosen,
        )
        context.user_data.pop(CHOSEN_LANGUAGE, None)
    elif chosen is None:
        context.user_data.pop(CHOSEN_LANGUAGE, None)
    else:
        context.user_data[CHOSEN_LANGUAGE] = chosen
    # Answer in the new language: the person is looked up again with their new choice.
    visitor = await load_visitor(update, context)
    if chosen is None:
        text = visitor._("From now on I use the language of your Telegram app when I can.")
    else:
        text = visitor._(
            "From now on I write to you in %(language)s.", language=language_name(chosen)
        )
    if visitor.member is None:
        await show(update, text)
    else:
        await show(
            update, f"{text}\n\n{keyboards.menu_text(visitor)}", keyboards.main_menu(visitor)
        )
