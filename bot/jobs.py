"""Repeating work the bot does on its own: tidying the webhook's inbox, sending the outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot import run_db
from bot.outbox_sender import schedule_drain
from voisinage.telegram_inbox import purge_processed_updates

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=6)


async def purge_inbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete the webhook updates handled more than a week ago."""
    purged = await run_db.write(context.application.engine, purge_processed_updates)
    if purged:
        log.info("Purged %d handled webhook updates", purged)


def schedule_jobs(application: Application) -> None:
    """Register the repeating jobs; the JobQueue runs them once the application starts."""
    application.job_queue.run_repeating(
        purge_inbox, interval=PURGE_EVERY, first=timedelta(minutes=1), name="purge_inbox"
    )
    schedule_drain(application)
