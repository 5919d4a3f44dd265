"""Repeating work the bot does on its own: tidying the webhook's inbox, sending the outbox,
closing the ballots whose closing time has come, enqueueing the digests due."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot import run_db
from bot.outbox_sender import Clock, clock_from_env, repeat, schedule_drain
from voisinage.ballots import close_due_ballots
from voisinage.digests import enqueue_due_digests
from voisinage.telegram_inbox import purge_processed_updates

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=6)
CLOSE_BALLOTS_EVERY = timedelta(minutes=1)
DIGESTS_EVERY = timedelta(minutes=1)


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


async def enqueue_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Enqueue the digests due by the job's clock, once per period; the drain sends them."""
    clock: Clock = context.job.data
    due = await run_db.write(context.application.engine, enqueue_due_digests, now=clock())
    for digest in due:
        log.info(
            "Digest %s of project %d enqueued%s",
            digest.period,
            digest.project_id,
            " (late)" if digest.late else "",
        )


def schedule_jobs(application: Application) -> None:
    """Register the repeating jobs; the JobQueue runs them once the application starts."""
    clock = clock_from_env()
    repeat(application, purge_inbox, every=PURGE_EVERY, first=timedelta(minutes=1))
    # Before the drain's first run, so that a result due at start-up goes out with it; the
    # digests too, so that one missed while the bot was down goes out at once.
    repeat(application, close_ballots, every=CLOSE_BALLOTS_EVERY, first=0.2, data=clock)
    repeat(application, enqueue_digests, every=DIGESTS_EVERY, first=0.3, data=clock)
    schedule_drain(application, clock)
