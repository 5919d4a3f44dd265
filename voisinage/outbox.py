"""The notification outbox: what to tell whom and when, stored in the database, sent by the bot.

Services enqueue rows in the same transaction as the change they announce, so a notice exists
exactly when its change was committed. Nothing here sends: the bot's drain job does, under this
contract.

**The drain job** (the bot, every minute or so; several processes may run it at once)::

    with unit_of_work(engine) as session:          # transaction 1: claim, then commit
        batch = claim_due(session, now=now, limit=20)
    for item in batch:                             # outside any transaction
        # In the member's language, else their Telegram app's (only the bot knows it), else
        # the project's: voisinage.i18n.choose_language.
        text = render(item, translator(reader_language))
        try:
            await bot.send_message(item.telegram_user_id, text)   # through the rate limiter
        except RetryAfter as e:
            with unit_of_work(engine) as session:
                mark_failed(session, notification_id=item.id, claim_token=item.claim_token,
                            error=str(e), retry_after=e.retry_after, now=now)
        except Forbidden as e:                     # blocked the bot: trying again is pointless
            with unit_of_work(engine) as session:
                mark_failed(..., error=str(e), permanent=True, now=now)
        except TelegramError as e:
            with unit_of_work(engine) as session:
                mark_failed(..., error=str(e), now=now)
        else:
            with unit_of_work(engine) as session:  # transaction 2: record the send
                mark_sent(session, notification_id=item.id, claim_token=item.claim_token, now=now)

- `claim_due` hands each due row to one caller only: a conditional UPDATE sets `claimed_at` and
  a fresh `claim_token` on rows nobody holds, and only the rows it changed are returned. The claim
  must be committed before sending.
- A claim is a lease of `lease` (5 minutes by default): a row claimed by a process that died
  before `mark_sent` or `mark_failed` is handed out again once the lease has run out, so a crash
  or restart loses nothing. A restarted bot does not resend a row that was marked sent, nor one
  another process holds. Keep batches small enough to send well within the lease.
- Exactly once: a row is sent again only if its process died after Telegram accepted the message
  and before `mark_sent` committed, a window of one HTTP reply and one commit. `mark_sent` and
  `mark_failed` return False when the caller's claim was lost (its lease ran out and another
  process took the row): the caller then records nothing.
- `mark_failed` releases the row for a retry after a growing delay (1, 2, 4, 8 minutes… at most
  an hour, or Telegram's `retry_after`), and gives up after `MAX_ATTEMPTS` claims or at once
  when `permanent`. Each claim counts as an attempt, so a message that crashes the bot every
  time is given up too.
- Rows expire: one whose `expires_at` has passed (a reminder of a workshop that has begun) is
  cancelled instead of sent. Rows for members without a Telegram account wait, unclaimed, until
  they link one or the row expires. Reminders of a member who turned reminders off are cancelled
  (reason "opted_out") and come back if they turn them on again before they are due.
- Dedupe keys name the item first (`"poll:12:reminder:member:5"`, subject `"poll:12"`):
  enqueueing the same key again keeps one row, moves its due time, and revives it if it was
  cancelled; a key already sent is never sent again. Key prefixes passed to `cancel` end with
  ":" so that "poll:1:" does not match "poll:12:".
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from voisinage.ballot_results import describe_result
from voisinage.errors import N_
from voisinage.i18n import Translator
from voisinage.models import Member, Project, utcnow
from voisinage.models.outbox import Notification, NotificationPreference
from voisinage.nudge_notices import render_nudge_notice
from voisinage.workshop_notices import moment, render_workshop_notice

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
CLAIM_BATCH = 20
ERROR_MAX = 500

BALLOT_TEXTS = {
    "ballot.opened": N_("A ballot is open: “%(question)s”. Vote until %(deadline)s."),
    "ballot.opened_until_closed": N_(
        "A ballot is open: “%(question)s”. Vote until the facilitators close it."
    ),
    "ballot.group_opened": N_(
        "A ballot is open: “%(question)s”. Members vote in private with the bot, "
        "until %(deadline)s."
    ),
    "ballot.group_opened_until_closed": N_(
        "A ballot is open: “%(question)s”. Members vote in private with the bot, "
        "until the facilitators close it."
    ),
    "ballot.reminder": N_(
        "Reminder: your voice has not voted on “%(question)s” yet. "
        "The ballot closes on %(deadline)s."
    ),
    "ballot.closed": N_("The ballot on “%(question)s” is closed: %(result)s."),
}
AMENDMENT_TEXTS = {
    "accepted_as_version": N_(
        "Your amendment to “%(article)s” is accepted: it is now the article's wording."
    ),
    "accepted_as_option": N_(
        "Your amendment to “%(article)s” is accepted as an option of the ballot “%(question)s”."
    ),
    "rejected": N_("Your amendment to “%(article)s” is rejected: %(reason)s"),
}


def render_ballot_notice(kind: str, params: dict[str, Any], translator: Translator) -> str:
    """Return the text of a ballot's notification: opened, reminder, or closed with its result."""
    if kind == "ballot.closed":
        result = describe_result(params["result"], translator, labels=params["labels"])
        return translator.gettext(BALLOT_TEXTS[kind], question=params["question"], result=result)
    if params["closes_at"] is None:
        return translator.gettext(BALLOT_TEXTS[f"{kind}_until_closed"], question=params["question"])
    deadline = moment(translator, datetime.fromisoformat(params["closes_at"]), params["timezone"])
    return translator.gettext(BALLOT_TEXTS[kind], question=params["question"], deadline=deadline)


def render_amendment_notice(kind: str, params: dict[str, Any], translator: Translator) -> str:
    """Return the decision on an amendment, as told to its author."""
    return translator.gettext(
        AMENDMENT_TEXTS[params["status"]],
        article=params["article"],
        question=params["question"],
        reason=params["reason"],
    )


def render_digest(kind: str, params: dict[str, Any], translator: Translator) -> str:
    """Return a digest's text (voisinage.digest_text)."""
    # Imported here: the summary it renders reads modules that enqueue through this one.
    from voisinage.digest_text import render_digest

    return render_digest(kind, params, translator)


# Who renders which kinds: the part of a kind before the dot.
RENDERERS: dict[str, Callable[[str, dict[str, Any], Translator], str]] = {
    "poll": render_workshop_notice,
    "workshop": render_workshop_notice,
    "rsvp": render_workshop_notice,
    "ballot": render_ballot_notice,
    "amendment": render_amendment_notice,
    "nudge": render_nudge_notice,
    "digest": render_digest,
}


@dataclass(frozen=True)
class ClaimedNotification:
    """A notification handed to one drain job: everything it needs to render and send it."""

    id: int
    claim_token: str
    project_id: int
    member_id: int
    telegram_user_id: int
    # None: the member follows their Telegram app's language, which only the bot knows.
    member_language: str | None
    project_language: str
    kind: str
    params: dict[str, Any]
    due_at: datetime
    attempts: int


def _pending() -> Any:
    return and_(
        col(Notification.sent_at).is_(None),
        col(Notification.cancelled_at).is_(None),
        col(Notification.failed_at).is_(None),
    )


def reminders_enabled(session: Session, *, member_id: int) -> bool:
    """Return whether a member gets reminders (they do unless they turned them off)."""
    preference = session.get(NotificationPreference, member_id)
    return preference is None or preference.reminders


def enqueue(
    session: Session,
    *,
    project_id: int,
    member_id: int,
    kind: str,
    subject: str,
    dedupe_key: str,
    due_at: datetime,
    params: dict[str, Any] | None = None,
    reminder: bool = False,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> bool:
    """Store a notification once per dedupe key; return False when it would come too late.

    Enqueueing a key again moves its due time and parameters, and revives it if it was
    cancelled; a key already sent, given up, or being sent right now is left as it is.
    """
    return enqueue_many(
        session,
        project_id=project_id,
        keys={member_id: dedupe_key},
        kind=kind,
        subject=subject,
        due_at=due_at,
        params=params,
        reminder=reminder,
        expires_at=expires_at,
        now=now,
    )


def enqueue_many(
    session: Session,
    *,
    project_id: int,
    keys: dict[int, str],
    kind: str,
    subject: str,
    due_at: datetime,
    params: dict[str, Any] | None = None,
    reminder: bool = False,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> bool:
    """`enqueue` the same notification for many members ({member id: dedupe key}).

    A fixed number of statements whatever the number of members: announcing a result to a
    project of 60 households costs what it costs for one.
    """
    now = now or utcnow()
    if expires_at is not None and max(due_at, now) >= expires_at:
        return False
    if not keys:
        return True
    params = params or {}
    # A reminder for a member who turned reminders off is kept cancelled, ready to come back.
    opted_out = set()
    if reminder:
        opted_out = set(
            session.exec(
                select(NotificationPreference.member_id).where(
                    col(NotificationPreference.member_id).in_(list(keys)),
                    col(NotificationPreference.reminders).is_(False),
                )
            )
        )
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = set(
        session.execute(
            dialect.insert(Notification)
            .values(
                [
                    {
                        "project_id": project_id,
                        "member_id": member_id,
                        "kind": kind,
                        "subject": subject,
                        "dedupe_key": key,
                        "params": params,
                        "is_reminder": reminder,
                        "due_at": due_at,
                        "expires_at": expires_at,
                        "cancelled_at": now if member_id in opted_out else None,
                        "cancel_reason": "opted_out" if member_id in opted_out else None,
                        "attempts": 0,
                        "created_at": now,
                    }
                    for member_id, key in keys.items()
                ]
            )
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Notification.dedupe_key)
        ).scalars()
    )
    stored = {member_id: key for member_id, key in keys.items() if key not in inserted}
    for cancelled in (False, True):
        again = [key for member_id, key in stored.items() if (member_id in opted_out) == cancelled]
        if not again:
            continue
        session.execute(
            update(Notification)
            .where(
                col(Notification.dedupe_key).in_(again),
                col(Notification.sent_at).is_(None),
                col(Notification.failed_at).is_(None),
                col(Notification.claimed_at).is_(None),
            )
            .values(
                due_at=due_at,
                expires_at=expires_at,
                params=params,
                cancelled_at=now if cancelled else None,
                cancel_reason="opted_out" if cancelled else None,
            )
            .execution_options(synchronize_session=False)
        )
    return True


def cancel(
    session: Session,
    *,
    reason: str,
    subject: str | None = None,
    key_prefix: str | None = None,
    keys: Iterable[str] | None = None,
    member_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Cancel the unsent notifications of an item, a key prefix or exact keys; return how many.

    `member_ids` and `kinds` narrow the selection further. A row being sent right now is marked
    cancelled too; if its send succeeds, `mark_sent` still records it.
    """
    if subject is None and key_prefix is None and keys is None:
        raise ValueError("cancel needs a subject, a key prefix or keys")
    conditions = [_pending()]
    if subject is not None:
        conditions.append(col(Notification.subject) == subject)
    if key_prefix is not None:
        conditions.append(col(Notification.dedupe_key).startswith(key_prefix, autoescape=True))
    if keys is not None:
        conditions.append(col(Notification.dedupe_key).in_(list(keys)))
    if member_ids is not None:
        conditions.append(col(Notification.member_id).in_(list(member_ids)))
    if kinds is not None:
        conditions.append(col(Notification.kind).in_(list(kinds)))
    result = session.execute(
        update(Notification)
        .where(*conditions)
        .values(cancelled_at=now or utcnow(), cancel_reason=reason[:32])
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def set_reminders(
    session: Session, *, member_id: int, enabled: bool, now: datetime | None = None
) -> None:
    """Turn a member's reminders on or off; their pending reminders follow at once."""
    now = now or utcnow()
    preference = session.get(NotificationPreference, member_id)
    if preference is None:
        preference = NotificationPreference(member_id=member_id)
    preference.reminders = enabled
    preference.updated_at = now
    session.add(preference)
    session.flush()
    if not enabled:
        session.execute(
            update(Notification)
            .where(
                _pending(),
                col(Notification.member_id) == member_id,
                col(Notification.is_reminder).is_(True),
            )
            .values(cancelled_at=now, cancel_reason="opted_out")
            .execution_options(synchronize_session=False)
        )
        return
    session.execute(
        update(Notification)
        .where(
            col(Notification.member_id) == member_id,
            col(Notification.cancel_reason) == "opted_out",
            col(Notification.sent_at).is_(None),
            col(Notification.failed_at).is_(None),
            col(Notification.due_at) > now,
        )
        .values(cancelled_at=None, cancel_reason=None)
        .execution_options(synchronize_session=False)
    )


def _claimable(now: datetime, lease: timedelta) -> Any:
    opted_out = exists().where(
        col(NotificationPreference.member_id) == col(Notification.member_id),
        col(NotificationPreference.reminders).is_(False),
    )
    return and_(
        _pending(),
        col(Notification.due_at) <= now,
        col(Notification.attempts) < MAX_ATTEMPTS,
        or_(
            col(Notification.claimed_at).is_(None),
            col(Notification.claimed_at) <= now - lease,
        ),
        # A reminder enqueued while its member was turning reminders off, in another transaction.
        or_(col(Notification.is_reminder).is_(False), ~opted_out),
    )


def _expire(session: Session, now: datetime, lease: timedelta) -> None:
    session.execute(
        update(Notification)
        .where(
            _pending(),
            col(Notification.expires_at) <= now,
            or_(
                col(Notification.claimed_at).is_(None),
                col(Notification.claimed_at) <= now - lease,
            ),
        )
        .values(cancelled_at=now, cancel_reason="expired")
        .execution_options(synchronize_session=False)
    )
    # Claimed for the last time and never reported: the process died on it every time.
    session.execute(
        update(Notification)
        .where(
            _pending(),
            col(Notification.attempts) >= MAX_ATTEMPTS,
            col(Notification.claimed_at) <= now - lease,
        )
        .values(failed_at=now, last_error="lease expired on the last attempt")
        .execution_options(synchronize_session=False)
    )


def claim_due(
    session: Session,
    *,
    now: datetime | None = None,
    limit: int = CLAIM_BATCH,
    lease: timedelta = LEASE,
) -> list[ClaimedNotification]:
    """Take up to `limit` due notifications for this caller alone, oldest due first.

    Commit before sending; then report each one with `mark_sent` or `mark_failed`.
    """
    now = now or utcnow()
    _expire(session, now, lease)
    candidates = list(
        session.exec(
            select(Notification.id)
            .join(Member, col(Member.id) == col(Notification.member_id))
            .where(_claimable(now, lease), col(Member.telegram_user_id).is_not(None))
            .order_by(col(Notification.due_at), col(Notification.id))
            .limit(limit)
        )
    )
    if not candidates:
        return []
    token = secrets.token_hex(16)
    # Conditional: of two drains that picked the same rows, only one changes each of them.
    session.execute(
        update(Notification)
        .where(col(Notification.id).in_(candidates), _claimable(now, lease))
        .values(claimed_at=now, claim_token=token, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = session.exec(
        select(Notification, Member, Project)
        .join(Member, col(Member.id) == col(Notification.member_id))
        .join(Project, col(Project.id) == col(Notification.project_id))
        .where(col(Notification.claim_token) == token)
        .order_by(col(Notification.due_at), col(Notification.id))
        .execution_options(populate_existing=True)
    )
    return [
        ClaimedNotification(
            id=notification.id,
            claim_token=token,
            project_id=notification.project_id,
            member_id=member.id,
            telegram_user_id=member.telegram_user_id,
            member_language=member.language,
            project_language=project.language,
            kind=notification.kind,
            params=notification.params,
            due_at=notification.due_at,
            attempts=notification.attempts,
        )
        for notification, member, project in rows
    ]


def mark_sent(
    session: Session, *, notification_id: int, claim_token: str, now: datetime | None = None
) -> bool:
    """Record that a claimed notification went out; False when the claim was lost meanwhile."""
    result = session.execute(
        update(Notification)
        .where(
            col(Notification.id) == notification_id,
            col(Notification.claim_token) == claim_token,
            col(Notification.sent_at).is_(None),
        )
        .values(sent_at=now or utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the `attempts`-th failure: 1, 2, 4… minutes, at most 1 h."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def mark_failed(
    session: Session,
    *,
    notification_id: int,
    claim_token: str,
    error: str,
    retry_after: float | None = None,
    permanent: bool = False,
    now: datetime | None = None,
) -> bool:
    """Record a failed send: release it for a later retry, or give up; False when the claim was lost."""
    now = now or utcnow()
    notification = session.exec(
        select(Notification)
        .where(
            col(Notification.id) == notification_id,
            col(Notification.claim_token) == claim_token,
            col(Notification.sent_at).is_(None),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if notification is None:
        return False
    notification.last_error = error[:ERROR_MAX]
    notification.claimed_at = None
    notification.claim_token = None
    if permanent or notification.attempts >= MAX_ATTEMPTS:
        notification.failed_at = now
    else:
        delay = retry_delay(notification.attempts)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        notification.due_at = now + delay
    session.add(notification)
    session.flush()
    return True


def render(notification: ClaimedNotification, translator: Translator) -> str:
    """Return the text of a claimed notification in the translator's language."""
    family = notification.kind.split(".", 1)[0]
    return RENDERERS[family](notification.kind, notification.params, translator)


def list_notifications(
    session: Session,
    *,
    subject: str | None = None,
    member_id: int | None = None,
    project_id: int | None = None,
) -> list[Notification]:
    """Return the notifications of an item, a member or a project, by due time (the send record)."""
    statement = select(Notification)
    if subject is not None:
        statement = statement.where(col(Notification.subject) == subject)
    if member_id is not None:
        statement = statement.where(col(Notification.member_id) == member_id)
    if project_id is not None:
        statement = statement.where(col(Notification.project_id) == project_id)
    return list(session.exec(statement.order_by(col(Notification.due_at), col(Notification.id))))
