"""Sending the outbox: the repeating job that tells members what the domain enqueued for them.

It follows the contract in `voisinage.outbox`: claim a small batch in one transaction, send each
notification outside any transaction, then record each send or failure in its own. A claim is a
lease, so a bot killed halfway leaves nothing lost, and the next one sends each row once.

The job reads the time from a clock given when it is scheduled. Tests move it forward rather
than sleep: `VOISINAGE_CLOCK_OFFSET` (seconds, read once at start-up) shifts the clock of a bot
process started by a test; in production it is unset and the clock is the real one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot import digest_keyboards, run_db, vote_keyboards
from bot.i18n import translator_for
from bot.visitor import TELEGRAM_LANGUAGE
from bot.workshop_keyboards import notice_keyboard
from voisinage import outbox
from voisinage.digest_text import GROUP_DIGEST
from voisinage.i18n import Translator
from voisinage.models import utcnow

log = logging.getLogger(__name__)

DRAIN_EVERY = timedelta(seconds=5)
CLOCK_OFFSET_VARIABLE = "VOISINAGE_CLOCK_OFFSET"

Clock = Callable[[], datetime]
# Posted in the project's linked group chat (params["chat_id"]), in the project's language.
GROUP_KINDS = vote_keyboards.GROUP_NOTICES | {GROUP_DIGEST}


def clock_from_env(environ: Mapping[str, str] | None = None) -> Clock:
    """Return the real UTC clock, moved forward by VOISINAGE_CLOCK_OFFSET seconds if set."""
    env = os.environ if environ is None else environ
    offset = timedelta(seconds=float(env.get(CLOCK_OFFSET_VARIABLE) or 0))
    if not offset:
        return utcnow
    return lambda: utcnow() + offset


def _retry_after_seconds(error: RetryAfter) -> float:
    delay = error.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


def _translator(application: Application, item: outbox.ClaimedNotification) -> Translator:
    """Speak to the member as the bot does when they write to it, their Telegram app included."""
    if item.kind in GROUP_KINDS:
        # A group reads the project's language, whoever holds the row.
        return translator_for(
            member_language=None,
            chosen_language=None,
            telegram_language=None,
            project_language=item.project_language,
            default_language=application.settings.default_language,
        )
    user_data = application.user_data.get(item.telegram_user_id, {})
    return translator_for(
        member_language=item.member_language,
        chosen_language=None,
        telegram_language=user_data.get(TELEGRAM_LANGUAGE),
        project_language=item.project_language,
        default_language=application.settings.default_language,
    )


async def _send(application: Application, item: outbox.ClaimedNotification) -> None:
    t = _translator(application, item)
    if item.kind.startswith(digest_keyboards.FAMILY):
        chat_id = item.params.get("chat_id", item.telegram_user_id)
        keyboard = digest_keyboards.digest_keyboard(
            item.kind,
            item.project_id,
            item.params,
            t,
            application.settings,
            application.bot.username,
        )
    elif item.kind in vote_keyboards.GROUP_NOTICES:
        chat_id = item.params["chat_id"]
        keyboard = vote_keyboards.group_notice_keyboard(t, application.bot.username)
    elif item.kind.startswith(vote_keyboards.NOTICE_FAMILIES):
        chat_id = item.telegram_user_id
        keyboard = vote_keyboards.notice_keyboard(item.kind, item.project_id, item.params, t)
    else:
        chat_id = item.telegram_user_id
        keyboard = notice_keyboard(item.kind, item.project_id, item.params, t)
    await application.bot.send_message(chat_id, outbox.render(item, t), reply_markup=keyboard)


async def send_due(application: Application, *, now: datetime) -> int:
    """Claim the notifications due at `now`, send each, record the outcome; return how many went."""
    engine = application.engine
    batch = await run_db.write(engine, outbox.claim_due, now=now)
    sent = 0
    for item in batch:
        report = {"notification_id": item.id, "claim_token": item.claim_token, "now": now}
        try:
            await _send(application, item)
        except RetryAfter as error:
            # The rate limiter already waited out its retries: let the outbox wait the rest.
            await run_db.write(
                engine,
                outbox.mark_failed,
                error=str(error),
                retry_after=_retry_after_seconds(error),
                **report,
            )
        except (Forbidden, BadRequest) as error:
            # Blocked bot, deleted account, chat not found: the same request would fail again.
            log.warning("Notification %d given up: %s", item.id, error)
            await run_db.write(
                engine, outbox.mark_failed, error=str(error), permanent=True, **report
            )
        except Exception as error:
            # A network error, or a notice we could not render: try again later, then give up.
            if not isinstance(error, TelegramError):
                log.exception("Notification %d could not be sent", item.id)
            await run_db.write(engine, outbox.mark_failed, error=str(error), **report)
        else:
            if await run_db.write(engine, outbox.mark_sent, **report):
                sent += 1
    return sent


async def drain_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send what is due now, by the clock the job was scheduled with."""
    clock: Clock = context.job.data
    sent = await send_due(context.application, now=clock())
    if sent:
        log.info("Sent %d notifications", sent)


def repeat(
    application: Application,
    callback: Callable,
    *,
    every: timedelta,
    first: timedelta | float,
    data: object = None,
) -> None:
    """Run `callback` `first` after start-up, then every `every`, under its own name.

    The JobQueue fixes `first` as a moment when the job is added, before start-up; a repeating
    job whose first moment passes during a slow start-up would skip to the next interval (a
    minute for closing ballots). So the first run is a one-off that goes however late.
    """
    name = callback.__name__
    queue = application.job_queue
    queue.run_once(
        callback, when=first, name=name, data=data, job_kwargs={"misfire_grace_time": None}
    )
    queue.run_repeating(
        callback,
        interval=every,
        first=every,
        name=name,
        data=data,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )


def schedule_drain(application: Application, clock: Clock | None = None) -> None:
    """Run the drain every few seconds, from shortly after start-up."""
    repeat(application, drain_outbox, every=DRAIN_EVERY, first=0.5, data=clock or clock_from_env())
