"""The bot's Application: built from the settings, with every handler in its place."""

from __future__ import annotations

import logging
from contextlib import suppress

from sqlalchemy.engine import Engine
from telegram import (
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Chat,
    LinkPreviewOptions,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.commands import GROUP_COMMANDS, PERSONAL_COMMANDS, PRIVATE_COMMANDS, bot_commands
from bot.handlers import (
    facilitator,
    fallbacks,
    groups,
    language,
    menu,
    privacy,
    questionnaire_answers,
    questionnaires,
    start,
    summary,
    voting,
    workshops,
)
from bot.i18n import translator_for
from bot.jobs import schedule_jobs
from bot.persistence import DatabasePersistence
from bot.visitor import on_button
from voisinage.config import LANGUAGES, ConfigError, Settings
from voisinage.db import make_engine
from voisinage.i18n import translator

log = logging.getLogger(__name__)

# AIORateLimiter keeps under Telegram's limits (30 messages a second overall, 20 a minute per
# group) and, given retries, waits out a 429's retry_after and sends again. Its default is no
# retry at all: the message would be dropped.
RATE_LIMIT_RETRIES = 5
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


class VoisinageApplication(Application):
    """PTB's Application, holding the settings and the engine, and saving after every update."""

    def __init__(self, *, settings: Settings, engine: Engine, **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.engine = engine

    async def process_update(self, update: object) -> None:
        await super().process_update(update)
        # Save conversation steps and people's data now rather than at the next interval: a
        # bot killed right after answering must find each person where they left off.
        await self.update_persistence()

    async def update_persistence(self) -> None:
        await super().update_persistence()
        try:
            await self.persistence.write_pending()
        except Exception as error:
            # As PTB does with its own persistence errors: report, and go on handling updates;
            # the unwritten batch is kept and written with the next one.
            await self.process_error(update=None, error=error)


def build_application(
    settings: Settings, *, engine: Engine | None = None, rate_limiter: BaseRateLimiter | None = None
) -> VoisinageApplication:
    """Create the bot's Application, talking to the Bot API at TELEGRAM_API_BASE_URL."""
    if not settings.telegram_bot_token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and set its token"
        )
    engine = engine or make_engine(settings.database_url)
    application = (
        ApplicationBuilder()
        .application_class(VoisinageApplication, {"settings": settings, "engine": engine})
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .persistence(DatabasePersistence(engine))
        # Sign-in links must not be fetched by Telegram's link previews, and no message
        # needs a preview anyway.
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(announce_commands)
        .build()
    )
    add_handlers(application)
    application.add_error_handler(report_error)
    schedule_jobs(application)
    return application


def add_handlers(application: Application) -> None:
    """Register the handlers; in each group, the first that matches an update handles it."""
    private = filters.ChatType.PRIVATE
    in_groups = filters.ChatType.GROUPS
    # Edits never reach the other handlers: an edited "/forget" must not run again.
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, fallbacks.edited), group=-1)
    application.add_handlers(
        [
            CommandHandler("help", groups.group_help, filters=in_groups),
            CommandHandler("linkgroup", groups.linkgroup, filters=in_groups),
            CommandHandler(PERSONAL_COMMANDS, groups.to_private_chat, filters=in_groups),
            on_button("link", groups.group_project_chosen),
            start.onboarding(),
            # Before the questionnaire: while an objection's reason is awaited, it takes the text.
            voting.voting(),
            # Before the menu handlers: its fallbacks take /menu and menu buttons first.
            questionnaire_answers.answering(),
            CommandHandler("menu", menu.menu, filters=private),
            CommandHandler("help", menu.help_, filters=private),
            CommandHandler("project", menu.project, filters=private),
            CommandHandler("web", menu.web, filters=private),
            CommandHandler("language", language.language, filters=private),
            CommandHandler("mydata", privacy.mydata, filters=private),
            CommandHandler("forget", privacy.forget, filters=private),
            CommandHandler("cancel", fallbacks.nothing_to_cancel, filters=private),
            CommandHandler("linkgroup", fallbacks.linkgroup_in_private, filters=private),
            on_button("menu", menu.door_pressed),
            on_button("proj", menu.project_chosen),
            on_button("lang", language.language_chosen),
            on_button("inv", facilitator.invitation_requested),
            on_button("forget", privacy.forget_answered),
            on_button("qf", questionnaires.facilitator_pressed),
            on_button("ws", workshops.workshop_pressed),
            on_button("rsvp", workshops.rsvp_pressed),
            on_button("ics", workshops.calendar_pressed),
            on_button("wpoll", workshops.poll_pressed),
            on_button("wslot", workshops.slot_pressed),
            on_button("pans", workshops.slot_answered),
            on_button("wtab", workshops.table_pressed),
            on_button("wconf", workshops.confirm_pressed),
            on_button("wrem", workshops.reminders_switched),
            on_button("ndg", summary.nudge_pressed),
            MessageHandler(private & filters.COMMAND, fallbacks.unknown_command),
            MessageHandler(private, fallbacks.not_understood),
            CallbackQueryHandler(fallbacks.stale_button),
        ]
    )


async def announce_commands(application: Application) -> None:
    """Send the command lists in each language, and in the default language for the others."""
    default = application.settings.default_language
    for language_code in (None, *LANGUAGES):
        t = translator(language_code or default)
        await application.bot.set_my_commands(
            bot_commands(t, PRIVATE_COMMANDS),
            scope=BotCommandScopeAllPrivateChats(),
            language_code=language_code,
        )
        await application.bot.set_my_commands(
            bot_commands(t, GROUP_COMMANDS),
            scope=BotCommandScopeAllGroupChats(),
            language_code=language_code,
        )


async def report_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error, then apologise in a private chat; never raise from here."""
    log.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != Chat.PRIVATE:
        return
    user = update.effective_user
    # No database here: it may be the very thing that failed.
    t = translator_for(
        member_language=None,
        chosen_language=None,
        telegram_language=user.language_code if user else None,
        project_language=None,
        default_language=context.application.settings.default_language,
    )
    if update.callback_query is not None:
        # Stop the button's spinner; it may have been answered before the error.
        with suppress(TelegramError):
            await update.callback_query.answer()
    with suppress(TelegramError):
        await update.effective_chat.send_message(
            t.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
        )
