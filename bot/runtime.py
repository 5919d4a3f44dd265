"""Running the bot: long polling by default, or handling what the webhook stored.

Webhook mode is on when TELEGRAM_WEBHOOK_SECRET is set: Telegram then posts updates to the web
process (see webforms/telegram_webhook.py), which stores them; this process takes them from the
database in order. Without the secret, this process asks Telegram for updates (long polling).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

from telegram import Update

from bot import run_db
from bot.app import ALLOWED_UPDATES, VoisinageApplication, build_application
from voisinage.config import ConfigError, Settings
from voisinage.i18n import compile_catalogs
from voisinage.logs import configure_logging
from voisinage.telegram_inbox import WEBHOOK_PATH, claim_update, pending_updates

log = logging.getLogger(__name__)

# How long the drain waits before looking at an empty inbox again.
IDLE_SECONDS = 0.5


def run(settings: Settings, *, set_webhook: bool) -> None:
    """Run the bot until SIGINT or SIGTERM; with `set_webhook`, register the webhook and exit."""
    configure_logging()
    # The web process may not have started yet: build missing or stale .mo files here too.
    compile_catalogs()
    application = build_application(settings)
    if set_webhook:
        asyncio.run(register_webhook(application))
    elif settings.telegram_webhook_secret:
        log.info("Webhook mode: handling the updates stored by the web process")
        asyncio.run(drain_inbox(application))
    else:
        log.info("Polling mode: asking Telegram for updates")
        application.run_polling(allowed_updates=ALLOWED_UPDATES)


def webhook_url(settings: Settings) -> str:
    return f"{settings.public_url}{WEBHOOK_PATH}"


async def register_webhook(application: VoisinageApplication) -> None:
    """Tell Telegram to post updates to the web process, with the secret it must send back."""
    settings = application.settings
    if not settings.telegram_webhook_secret:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is not set: the webhook needs it to tell Telegram's "
            "requests from anyone else's"
        )
    async with application:
        await application.bot.set_webhook(
            url=webhook_url(settings),
            secret_token=settings.telegram_webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    log.info("Webhook registered: %s", webhook_url(settings))


async def drain_inbox(
    application: VoisinageApplication, *, idle_seconds: float = IDLE_SECONDS
) -> None:
    """Handle the stored updates as they come, until SIGINT or SIGTERM."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    async with application:
        await application.post_init(application)
        await application.start()
        try:
            while not stopping.is_set():
                if not await drain_once(application, stopping):
                    with suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), idle_seconds)
        finally:
            await application.stop()


async def drain_once(application: VoisinageApplication, stopping: asyncio.Event) -> int:
    """Claim and handle the waiting updates one by one, in order; return how many were waiting."""
    engine = application.engine
    waiting = await run_db.read(engine, pending_updates)
    for item in waiting:
        if stopping.is_set():
            break
        if not await run_db.write(engine, claim_update, update_id=item.update_id):
            continue
        try:
            update = Update.de_json(item.payload, application.bot)
        except Exception:
            # Claimed already, so a payload PTB cannot read is not tried again and again.
            log.exception("Skipping webhook update %d: not a readable update", item.update_id)
            continue
        await application.process_update(update)
    return len(waiting)
