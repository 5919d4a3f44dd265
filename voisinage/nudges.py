"""Nudges: one action reminds exactly those missing on an item, at most once a day each.

An item is named as the outbox names it: "questionnaire:<id>", "ballot:<id>" or "poll:<id>".
Who is missing is what the project summary says (`summary_votes`, `summary_path`), turned into
members: a household missing a questionnaire or a ballot is its residents, a household missing
a poll is everyone it answers for. The bot reminds those with a Telegram account; the others are
named, for the facilitator to reach otherwise. Every nudge and everyone it named is recorded:
the records make the 24-hour rule and the history shown on the item.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from voisinage import outbox
from voisinage.enums import Role
from voisinage.errors import N_, DomainError, NotFound
from voisinage.models import Ballot, Member, Nudge, NudgeRecipient, Project, Questionnaire, utcnow
from voisinage.models.outbox import NotificationPreference
from voisinage.models.workshops import AvailabilityPoll, PathStep, Workshop
from voisinage.permissions import require_facilitator
from voisinage.project_summary import item_subject
from voisinage.summary_path import answered_respondents
from voisinage.summary_votes import ballot_summaries, questionnaire_summaries
from voisinage.workshop_path import lock_project
from voisinage.workshops import PollStatus, respondents

# A member is reminded about one item at most once in this window.
NUDGE_WINDOW = timedelta(hours=24)
# Project-wide: at most RATE_LIMIT nudges in RATE_WINDOW, so that a stuck button or a script
# cannot flood the group.
RATE_LIMIT = 10
RATE_WINDOW = timedelta(hours=1)
KINDS = ("questionnaire", "ballot", "poll")
_SUBJECT = re.compile(r"(questionnaire|ballot|poll):([1-9][0-9]{0,17})")
# Items whose missing the project summary lists: their table, title and summaries.
_SUMMARISED = {
    "questionnaire": (Questionnaire, "title", questionnaire_summaries),
    "ballot": (Ballot, "question", ballot_summaries),
}


class NudgeRefused(DomainError):
    """A nudge that cannot go now: item closed, nobody left to remind, too many nudges lately."""

    code = "nudge_refused"
    message = N_("This reminder cannot be sent now.")


class AlreadyNudged(NudgeRefused):
    """Everyone missing was reminded less than 24 hours ago; `next_at` says when it is possible."""

    code = "already_nudged"

    def __init__(self, message: str, *, next_at: datetime, **params) -> None:
        super().__init__(message, **params)
        self.next_at = next_at


@dataclass(frozen=True)
class MissingMember:
    id: int
    name: str
    # None: no Telegram account linked, the bot cannot reach them.
    telegram_user_id: int | None


@dataclass(frozen=True)
class Pending:
    """An open item and the members missing on it."""

    subject: str
    kind: str
    item_id: int
    title: str
    # When answers or votes stop; None for a ballot closed by hand only.
    closes_at: datetime | None
    members: tuple[MissingMember, ...]


@dataclass(frozen=True)
class NudgeRecord:
    """One nudge as shown on its item: 'Nudged 12 members on 3 March'."""

    id: int
    subject: str
    created_at: datetime
    sent_by: str | None
    sent_count: int
    without_telegram_count: int
    skipped_count: int


@dataclass(frozen=True)
class NudgeResult:
    """What one nudge did: who the bot reminds, who to reach otherwise, who was skipped."""

    nudge_id: int
    subject: str
    created_at: datetime
    sent_count: int
    # Missing but out of the bot's reach (no Telegram account, or reminders turned off).
    without_telegram: tuple[str, ...]
    # Missing, but reminded about this item less than NUDGE_WINDOW ago.
    skipped: tuple[str, ...]


def parse_subject(subject: str) -> tuple[str, int]:
    """Return the kind and id an item's subject names ("ballot:3" → ("ballot", 3)), else NotFound."""
    match = _SUBJECT.fullmatch(subject or "")
    if match is None:
        raise NotFound(N_("There is nothing to remind anyone about here."))
    return match.group(1), int(match.group(2))


def _not_open(kind: str, title: str) -> NudgeRefused:
    messages = {
        "questionnaire": N_("The questionnaire “%(title)s” is not open: nobody can answer it now."),
        "ballot": N_("The ballot “%(title)s” is not open: nobody can vote on it now."),
        "poll": N_("The availability poll for “%(title)s” no longer takes answers."),
    }
    return NudgeRefused(messages[kind], title=title)


def _item_not_found(kind: str) -> NotFound:
    messages = {
        "questionnaire": N_("This questionnaire does not exist in this project."),
        "ballot": N_("This ballot does not exist in this project."),
        "poll": N_("This poll does not exist in this project."),
    }
    return NotFound(messages[kind])


def _members_by_household(session: Session, project_id: int) -> tuple[dict, dict]:
    """Return the project's members by id, and the ids in each household (one query)."""
    members = {
        member.id: member
        for member in session.exec(
            select(Member).where(col(Member.project_id) == project_id).order_by(col(Member.id))
        )
    }
    households: dict[int, list[int]] = defaultdict(list)
    for member in members.values():
        if member.household_id is not None:
            households[member.household_id].append(member.id)
    return members, households


def _residents(
    missing: tuple, members: dict[int, Member], households: dict[int, list[int]]
) -> list[int]:
    """Return the residents a list of missing households or persons stands for."""
    ids = []
    for entry in missing:
        if entry.member_id is not None:
            ids.append(entry.member_id)
        else:
            ids += [i for i in households[entry.household_id] if members[i].role == Role.RESIDENT]
    return ids


def _poll_missing(
    session: Session, project_id: int, poll_id: int, now: datetime
) -> tuple[str, datetime, list[int]]:
    """Return an open poll's title and deadline, and everyone its missing respondents answer for."""
    poll = session.get(AvailabilityPoll, poll_id)
    if poll is None or poll.project_id != project_id:
        raise _item_not_found("poll")
    title = session.exec(
        select(PathStep.title)
        .join(Workshop, col(Workshop.path_step_id) == col(PathStep.id))
        .where(col(Workshop.id) == poll.workshop_id)
    ).one()
    if poll.status != PollStatus.OPEN or now >= poll.deadline:
        raise _not_open("poll", title)
    done = answered_respondents(session, poll_ids=[poll.id])[poll.id]
    member_ids = [
        member_id
        for respondent, speaks_for in respondents(
            session, project_id=project_id, unit=poll.respondent_unit
        )
        if (respondent.household_id, respondent.member_id) not in done
        for member_id in speaks_for
    ]
    return title, poll.deadline, member_ids


def pending(
    session: Session,
    *,
    project_id: int,
    subject: str,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Pending:
    """Return an open item of the project and the members missing on it (fixed queries).

    The actor is left out: the facilitator pressing the button knows already. Another
    project's item, or an unknown subject, is NotFound; a closed one NudgeRefused.
    """
    now = now or utcnow()
    kind, item_id = parse_subject(subject)
    members, households = _members_by_household(session, project_id)
    if kind == "poll":
        title, closes_at, member_ids = _poll_missing(session, project_id, item_id, now)
    else:
        model, title_field, summaries = _SUMMARISED[kind]
        item = session.get(model, item_id)
        if item is None or item.project_id != project_id:
            raise _item_not_found(kind)
        title, closes_at = getattr(item, title_field), item.closes_at
        # Open now, as the project summary says: one reading of "open" and of "missing".
        summary = next(
            (s for s in summaries(session, project_id=project_id, now=now) if s.id == item_id),
            None,
        )
        if summary is None:
            raise _not_open(kind, title)
        member_ids = _residents(summary.missing, members, households)
    return Pending(
        subject=item_subject(kind, item_id),
        kind=kind,
        item_id=item_id,
        title=title,
        closes_at=closes_at,
        members=tuple(
            MissingMember(i, members[i].display_name, members[i].telegram_user_id)
            for i in sorted(set(member_ids), key=lambda i: (members[i].display_name.casefold(), i))
            if i != actor_id
        ),
    )


def _someone_missing(item: Pending) -> Pending:
    if not item.members:
        raise NudgeRefused(
            N_("Nobody is missing on “%(title)s”: there is nobody to remind."), title=item.title
        )
    return item


def nudge_preview(
    session: Session,
    *,
    project_id: int,
    actor_id: int | None,
    subject: str,
    now: datetime | None = None,
) -> Pending:
    """Return whom a nudge would remind now, to confirm first (facilitators only)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    return _someone_missing(
        pending(session, project_id=project_id, subject=subject, actor_id=actor_id, now=now)
    )


def _local(value: datetime, timezone: str) -> str:
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def _check_rate(session: Session, project: Project, now: datetime) -> None:
    count, oldest = session.exec(
        select(func.count(), func.min(Nudge.created_at)).where(
            col(Nudge.project_id) == project.id, col(Nudge.created_at) > now - RATE_WINDOW
        )
    ).one()
    if count >= RATE_LIMIT:
        raise NudgeRefused(
            N_(
                "At most %(limit)s reminders can be sent per hour in a project. "
                "Try again after %(time)s (%(zone)s)."
            ),
            limit=RATE_LIMIT,
            time=_local(oldest + RATE_WINDOW, project.timezone),
            zone=project.timezone,
        )


def _recently_nudged(
    session: Session, subject: str, member_ids: list[int], now: datetime
) -> dict[int, datetime]:
    """Return, of `member_ids`, those nudged about `subject` within the window, with the last time."""
    if not member_ids:
        return {}
    return dict(
        session.exec(
            select(NudgeRecipient.member_id, func.max(NudgeRecipient.created_at))
            .where(
                col(NudgeRecipient.subject) == subject,
                col(NudgeRecipient.member_id).in_(member_ids),
                col(NudgeRecipient.created_at) > now - NUDGE_WINDOW,
            )
            .group_by(col(NudgeRecipient.member_id))
        ).all()
    )


def _reminders_off(session: Session, member_ids: list[int]) -> set[int]:
    if not member_ids:
        return set()
    return set(
        session.exec(
            select(NotificationPreference.member_id).where(
                col(NotificationPreference.member_id).in_(member_ids),
                col(NotificationPreference.reminders).is_(False),
            )
        )
    )


def nudge(
    session: Session,
    *,
    project_id: int,
    actor_id: int | None,
    subject: str,
    now: datetime | None = None,
) -> NudgeResult:
    """Remind the members missing on an item through the bot (facilitators only).

    Those nudged about it less than 24 hours ago are skipped; when that leaves nobody, or the
    project sent too many nudges in the last hour, it is refused and nothing is written.
    """
    now = now or utcnow()
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    # Two clicks at once queue here, so the second sees the first's recipients and meets the
    # 24-hour rule.
    project = lock_project(session, project_id)
    item = _someone_missing(
        pending(session, project_id=project_id, subject=subject, actor_id=actor_id, now=now)
    )
    missing = item.members
    recent = _recently_nudged(session, item.subject, [member.id for member in missing], now)
    to_nudge = [member for member in missing if member.id not in recent]
    if not to_nudge:
        next_at = min(recent.values()) + NUDGE_WINDOW
        raise AlreadyNudged(
            N_(
                "Everyone missing on “%(title)s” was already reminded in the last 24 hours. "
                "The next reminder is possible from %(time)s (%(zone)s)."
            ),
            next_at=next_at,
            title=item.title,
            time=_local(next_at, project.timezone),
            zone=project.timezone,
        )
    _check_rate(session, project, now)
    off = _reminders_off(session, [member.id for member in to_nudge])
    reachable = [m for m in to_nudge if m.telegram_user_id is not None and m.id not in off]
    reached = {m.id for m in reachable}
    record = Nudge(
        project_id=project_id,
        subject=item.subject,
        sent_by_id=actor_id,
        sent_count=len(reachable),
        without_telegram_count=len(to_nudge) - len(reachable),
        skipped_count=len(missing) - len(to_nudge),
        created_at=now,
    )
    session.add(record)
    session.flush()
    # One statement for every recipient, however many are missing.
    session.execute(
        insert(NudgeRecipient).values(
            [
                {
                    "nudge_id": record.id,
                    "member_id": m.id,
                    "subject": item.subject,
                    "created_at": now,
                }
                for m in to_nudge
            ]
        )
    )
    outbox.enqueue_many(
        session,
        project_id=project_id,
        keys={m.id: f"{item.subject}:nudge:{record.id}:member:{m.id}" for m in reachable},
        kind=f"nudge.{item.kind}",
        subject=item.subject,
        due_at=now,
        params={
            f"{item.kind}_id": item.item_id,
            "project": project.name,
            "title": item.title,
            "closes_at": item.closes_at.isoformat() if item.closes_at else None,
            "timezone": project.timezone,
        },
        reminder=True,
        expires_at=item.closes_at,
        now=now,
    )
    session.flush()
    return NudgeResult(
        nudge_id=record.id,
        subject=item.subject,
        created_at=now,
        sent_count=len(reachable),
        without_telegram=tuple(m.name for m in to_nudge if m.id not in reached),
        skipped=tuple(m.name for m in missing if m.id in recent),
    )


def nudge_history(
    session: Session, *, project_id: int, subjects: list[str] | None = None
) -> dict[str, tuple[NudgeRecord, ...]]:
    """Return the project's nudges by subject, newest first (one query)."""
    statement = (
        select(Nudge, Member.display_name)
        .outerjoin(Member, col(Member.id) == col(Nudge.sent_by_id))
        .where(col(Nudge.project_id) == project_id)
        .order_by(col(Nudge.created_at).desc(), col(Nudge.id).desc())
    )
    if subjects is not None:
        statement = statement.where(col(Nudge.subject).in_(list(subjects)))
    history: dict[str, list[NudgeRecord]] = defaultdict(list)
    for record, sent_by in session.exec(statement):
        history[record.subject].append(
            NudgeRecord(
                id=record.id,
                subject=record.subject,
                created_at=record.created_at,
                sent_by=sent_by,
                sent_count=record.sent_count,
                without_telegram_count=record.without_telegram_count,
                skipped_count=record.skipped_count,
            )
        )
    return {subject: tuple(records) for subject, records in history.items()}
