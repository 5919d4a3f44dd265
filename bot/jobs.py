"""Repeating work the bot does on its own: tidying the webhook's inbox, sending the outbox,
closing the ballots whose closing time has come."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot import run_db
from bot.outbox_sender import Clock, clock_from_env, schedule_drain
from voisinage.ballots import close_due_ballots
from voisinage.telegram_inbox import purge_processed_updates

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=6)
CLOSE_BALLOTS_EVERY = timedelta(minutes=1)


async def purge_inbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete the webhook updates handled more than a week ago."""
    purged = await run_db.write(context.application.engine, purge_processed_updates)
    if purged:
        log.info("Purged %d handled webhook updates", purged)


async def close_ballots(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Close the ballots due by the job's clock; their results go out through the outbox."""
    clock: Clock = context.job.data
    closed = await run_db.write(context.application.engine, close_due_ballots, now=clock())
    if closed:
        log.info("Closed ballots %s", closed)


def schedule_jobs(application: Application) -> None:
    """Register the repeating jobs; the JobQueue runs them once the application starts."""
    clock = clock_from_env()
    application.job_queue.run_repeating(
        purge_inbox, interval=PURGE_EVERY, first=timedelta(minutes=1), name="purge_inbox"
    )
    # Before the drain's first run, so that a result due at start-up goes out with it.
    application.job_queue.run_repeating(
        close_ballots,
        interval=CLOSE_BALLOTS_EVERY,
        first=timedelta(seconds=0.2),
        name="close_ballots",
        data=clock,
    )
    schedule_drain(application, clock)
