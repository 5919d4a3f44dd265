"""Availability polls: candidate slots, yes / if need be / no answers, the best slot, confirming it.

Ranking: the slot with the most "yes" comes first; between equals, the one with the most
"yes" + "if need be"; between those still equal, the earlier slot (then the one proposed first).
A slot nobody can come to, even if need be, is never "best".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.errors import N_, Conflict, DomainError, InvalidValue, NotFound
from voisinage.models import Household, Member, Project, utcnow
from voisinage.models.workshops import (
    AvailabilityPoll,
    PathStep,
    PollAnswer,
    PollResponse,
    PollSlot,
    Workshop,
)
from voisinage.permissions import require_facilitator
from voisinage.validation import check_voting_unit
from voisinage.workshop_reminders import announce_poll, close_poll_notices, schedule_poll_reminders
from voisinage.workshop_schedule import check_times, set_time_and_place
from voisinage.workshops import (
    PLACE_MAX,
    Availability,
    PollStatus,
    Respondent,
    WorkshopStatus,
    aware,
    get_workshop,
    invited_member,
    one_line,
    project_zone,
    respondent_for,
    respondent_key,
    respondents,
)

SLOTS_MAX = 30
COMMENT_MAX = 1000


class PollClosed(DomainError):
    code = "poll_closed"
    message = N_("This poll is closed: answers can no longer change.")


@dataclass(frozen=True)
class SlotInput:
    """A candidate slot as a facilitator gives it; naive datetimes are in the project's time zone."""

    starts_at: datetime
    ends_at: datetime
    place: str = ""


@dataclass(frozen=True)
class SlotCount:
    slot_id: int
    starts_at: datetime
    yes: int
    if_need_be: int
    no: int

    @property
    def possible(self) -> int:
        """How many can come, if need be."""
        return self.yes + self.if_need_be


@dataclass(frozen=True)
class SlotColumn:
    """One column of the poll's table: a slot, its totals, and who cannot come."""

    slot_id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    yes: int
    if_need_be: int
    no: int
    cannot_come: list[str]
    rank: int
    confirmed: bool


@dataclass(frozen=True)
class RespondentRow:
    """One row of the poll's table: a household (or member) and their answer to each slot."""

    key: str
    name: str
    answers: dict[int, str]
    comment: str


@dataclass(frozen=True)
class PollTable:
    poll_id: int
    workshop_id: int
    title: str
    timezone: str
    deadline: datetime
    status: str
    accepting_answers: bool
    respondent_unit: str
    slots: list[SlotColumn]
    rows: list[RespondentRow]
    # Those asked who have not answered any slot yet.
    missing: list[str]
    best_slot_id: int | None
    mine: RespondentRow | None = field(default=None)


def rank_slots(counts: Sequence[SlotCount]) -> list[int]:
    """Return slot ids best first: most yes, then most yes + if need be, then earliest."""
    ordered = sorted(counts, key=lambda c: (-c.yes, -c.possible, c.starts_at, c.slot_id))
    return [count.slot_id for count in ordered]


def best_slot(counts: Sequence[SlotCount]) -> int | None:
    """Return the best slot's id, or None when nobody can come to any slot."""
    ranked = rank_slots(counts)
    by_id = {count.slot_id: count for count in counts}
    return ranked[0] if ranked and by_id[ranked[0]].possible > 0 else None


def get_poll(
    session: Session, *, project_id: int, poll_id: int, lock: bool = False
) -> AvailabilityPoll:
    """Return one of the project's polls; `lock` holds it so that answers and confirming take turns."""
    statement = select(AvailabilityPoll).where(col(AvailabilityPoll.id) == poll_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    poll = session.exec(statement).first()
    if poll is None or poll.project_id != project_id:
        raise NotFound(N_("This poll does not exist in this project."))
    return poll


def _slots(session: Session, poll_id: int) -> list[PollSlot]:
    return list(
        session.exec(
            select(PollSlot)
            .where(col(PollSlot.poll_id) == poll_id)
            .order_by(col(PollSlot.starts_at), col(PollSlot.id))
        )
    )


def _check_slots(
    session: Session,
    slots: Sequence[SlotInput],
    *,
    project_id: int,
    deadline: datetime,
    existing: Sequence[PollSlot],
    now: datetime,
) -> list[tuple[datetime, datetime, str]]:
    if not slots:
        raise InvalidValue(N_("Propose at least one slot."))
    if len(slots) + len(existing) > SLOTS_MAX:
        raise InvalidValue(N_("A poll has at most %(max)s slots."), max=SLOTS_MAX)
    zone = project_zone(session, project_id)
    seen = {(slot.starts_at, slot.ends_at, slot.place) for slot in existing}
    cleaned = []
    for slot in slots:
        starts_at, ends_at = check_times(slot.starts_at, slot.ends_at, zone=zone, now=now)
        if starts_at < deadline:
            raise InvalidValue(
                N_("The deadline must come before every slot: people answer, then come.")
            )
        place = one_line(slot.place, max_length=PLACE_MAX)
        if (starts_at, ends_at, place) in seen:
            raise InvalidValue(N_("This slot is proposed twice."))
        seen.add((starts_at, ends_at, place))
        cleaned.append((starts_at, ends_at, place))
    return cleaned


def open_poll(
    session: Session,
    *,
    project_id: int,
    workshop_id: int,
    slots: Sequence[SlotInput],
    deadline: datetime,
    actor_id: int | None,
    respondent_unit: str | None = None,
    now: datetime | None = None,
) -> AvailabilityPoll:
    """Ask everyone invited when they can come to a workshop; they are told, and reminded later.

    `respondent_unit` ("household" or "person") defaults to the project's voting unit.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id, lock=True)
    if workshop.status != WorkshopStatus.TO_SCHEDULE:
        raise Conflict(N_("This workshop already has a date: move it instead of polling."))
    already = session.exec(
        select(AvailabilityPoll.id).where(
            col(AvailabilityPoll.workshop_id) == workshop.id,
            col(AvailabilityPoll.status) == PollStatus.OPEN,
        )
    ).first()
    if already is not None:
        raise Conflict(N_("A poll is already open for this workshop."))
    project = session.get(Project, project_id)
    unit = check_voting_unit(respondent_unit or project.voting_unit)
    deadline = aware(deadline, project_zone(session, project_id))
    if deadline <= now:
        raise InvalidValue(N_("The deadline is in the past: choose one to come."))
    cleaned = _check_slots(
        session, slots, project_id=project_id, deadline=deadline, existing=[], now=now
    )
    poll = AvailabilityPoll(
        project_id=project_id,
        workshop_id=workshop.id,
        respondent_unit=unit,
        deadline=deadline,
        created_by_id=actor_id,
        created_at=now,
    )
    session.add(poll)
    session.flush()
    _store_slots(session, poll, cleaned, now)
    announce_poll(session, poll, now=now)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="poll.open",
        poll_id=poll.id,
        workshop_id=workshop.id,
        slots=len(cleaned),
        deadline=deadline.isoformat(),
    )
    return poll


def _store_slots(
    session: Session,
    poll: AvailabilityPoll,
    cleaned: list[tuple[datetime, datetime, str]],
    now: datetime,
) -> None:
    for starts_at, ends_at, place in cleaned:
        session.add(
            PollSlot(
                poll_id=poll.id, starts_at=starts_at, ends_at=ends_at, place=place, created_at=now
            )
        )
    session.flush()


def _open_poll(poll: AvailabilityPoll, now: datetime) -> None:
    if poll.status != PollStatus.OPEN or now >= poll.deadline:
        raise PollClosed()


def add_slots(
    session: Session,
    *,
    project_id: int,
    poll_id: int,
    slots: Sequence[SlotInput],
    actor_id: int | None,
    now: datetime | None = None,
) -> list[PollSlot]:
    """Propose more slots in an open poll; whoever had answered every slot is reminded again."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    poll = get_poll(session, project_id=project_id, poll_id=poll_id, lock=True)
    _open_poll(poll, now)
    existing = _slots(session, poll.id)
    cleaned = _check_slots(
        session, slots, project_id=project_id, deadline=poll.deadline, existing=existing, now=now
    )
    _store_slots(session, poll, cleaned, now)
    schedule_poll_reminders(session, poll, now=now)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="poll.add_slots",
        poll_id=poll.id,
        slots=len(cleaned),
    )
    return _slots(session, poll.id)


def _response(session: Session, poll_id: int, respondent: Respondent) -> PollResponse:
    statement = select(PollResponse).where(col(PollResponse.poll_id) == poll_id)
    if respondent.household_id is not None:
        statement = statement.where(col(PollResponse.household_id) == respondent.household_id)
    else:
        statement = statement.where(col(PollResponse.member_id) == respondent.member_id)
    return session.exec(statement).first() or PollResponse(
        poll_id=poll_id, household_id=respondent.household_id, member_id=respondent.member_id
    )


def answer_poll(
    session: Session,
    *,
    project_id: int,
    poll_id: int,
    member_id: int,
    answers: Mapping[int, str],
    comment: str | None = None,
    now: datetime | None = None,
) -> RespondentRow:
    """Save a member's answers to some slots (slot id → yes / if_need_be / no) and a comment.

    A poll by household takes the answer for the member's whole household. Answers may change
    as often as wanted until the deadline; `comment` None keeps the one given before.
    """
    now = now or utcnow()
    poll = get_poll(session, project_id=project_id, poll_id=poll_id, lock=True)
    _open_poll(poll, now)
    member = invited_member(session, project_id=project_id, member_id=member_id)
    slot_ids = {slot.id for slot in _slots(session, poll.id)}
    choices: dict[int, Availability] = {}
    for slot_id, choice in answers.items():
        if slot_id not in slot_ids:
            raise NotFound(N_("This slot is not part of this poll."))
        try:
            choices[slot_id] = Availability(choice)
        except ValueError:
            raise InvalidValue(N_("Answer yes, if need be, or no.")) from None
    if comment is not None:
        comment = one_line(comment, max_length=COMMENT_MAX)
    if not choices and comment is None:
        raise InvalidValue(N_("Answer at least one slot."))
    respondent = respondent_for(session, member, unit=poll.respondent_unit)
    response = _response(session, poll.id, respondent)
    if comment is not None:
        response.comment = comment
    response.updated_by_id, response.updated_at = member.id, now
    session.add(response)
    session.flush()
    stored = {
        answer.slot_id: answer
        for answer in session.exec(
            select(PollAnswer).where(col(PollAnswer.response_id) == response.id)
        )
    }
    for slot_id, choice in choices.items():
        answer = stored.get(slot_id) or PollAnswer(response_id=response.id, slot_id=slot_id)
        answer.choice = choice
        session.add(answer)
        stored[slot_id] = answer
    session.flush()
    schedule_poll_reminders(session, poll, now=now, only=respondent)
    return RespondentRow(
        key=respondent.key,
        name=respondent.name,
        answers={slot_id: answer.choice for slot_id, answer in stored.items()},
        comment=response.comment,
    )


def poll_table(
    session: Session,
    *,
    project_id: int,
    poll_id: int,
    member_id: int | None = None,
    now: datetime | None = None,
) -> PollTable:
    """Return the poll as a table: slots with totals and rank, one row per respondent.

    With `member_id`, `mine` is the row the member answers in (empty if not answered yet).
    """
    now = now or utcnow()
    poll = get_poll(session, project_id=project_id, poll_id=poll_id)
    workshop = session.get(Workshop, poll.workshop_id)
    step = session.get(PathStep, workshop.path_step_id)
    project = session.get(Project, project_id)
    slots = _slots(session, poll.id)
    asked = respondents(session, project_id=project_id, unit=poll.respondent_unit)
    names = {respondent.key: respondent.name for respondent, _ in asked}
    responses = list(session.exec(select(PollResponse).where(col(PollResponse.poll_id) == poll.id)))
    keys = {r.id: respondent_key(r.household_id, r.member_id) for r in responses}
    rows = {
        keys[r.id]: RespondentRow(
            keys[r.id], names.get(keys[r.id]) or _name(session, r), {}, r.comment
        )
        for r in responses
    }
    for answer in session.exec(
        select(PollAnswer).where(col(PollAnswer.response_id).in_(list(keys)))
    ):
        rows[keys[answer.response_id]].answers[answer.slot_id] = answer.choice
    counts = [
        SlotCount(
            slot_id=slot.id,
            starts_at=slot.starts_at,
            **{
                choice.value: sum(1 for row in rows.values() if row.answers.get(slot.id) == choice)
                for choice in Availability
            },
        )
        for slot in slots
    ]
    ranks = {slot_id: rank for rank, slot_id in enumerate(rank_slots(counts), start=1)}
    ordered_rows = sorted(rows.values(), key=lambda row: row.name.casefold())
    columns = [
        SlotColumn(
            slot_id=slot.id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            place=slot.place,
            yes=count.yes,
            if_need_be=count.if_need_be,
            no=count.no,
            cannot_come=[row.name for row in ordered_rows if row.answers.get(slot.id) == "no"],
            rank=ranks[slot.id],
            confirmed=slot.confirmed_at is not None,
        )
        for slot, count in zip(slots, counts, strict=True)
    ]
    mine = None
    if member_id is not None:
        member = invited_member(session, project_id=project_id, member_id=member_id)
        respondent = respondent_for(session, member, unit=poll.respondent_unit)
        mine = rows.get(respondent.key) or RespondentRow(respondent.key, respondent.name, {}, "")
    return PollTable(
        poll_id=poll.id,
        workshop_id=workshop.id,
        title=step.title,
        timezone=project.timezone,
        deadline=poll.deadline,
        status=poll.status,
        accepting_answers=poll.status == PollStatus.OPEN and now < poll.deadline,
        respondent_unit=poll.respondent_unit,
        slots=columns,
        rows=ordered_rows,
        missing=sorted(
            (r.name for r, _ in asked if r.key not in rows or not rows[r.key].answers),
            key=str.casefold,
        ),
        best_slot_id=best_slot(counts),
        mine=mine,
    )


def _name(session: Session, response: PollResponse) -> str:
    # Who answered, then stopped being asked (became an observer, or joined a household).
    if response.household_id is not None:
        return session.get(Household, response.household_id).name
    return session.get(Member, response.member_id).display_name


def confirm_slot(
    session: Session,
    *,
    project_id: int,
    poll_id: int,
    slot_id: int,
    actor_id: int | None,
    now: datetime | None = None,
) -> Workshop:
    """Schedule the workshop at a slot of its poll; everyone invited is told, the poll closes."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    poll = get_poll(session, project_id=project_id, poll_id=poll_id, lock=True)
    if poll.status != PollStatus.OPEN:
        raise Conflict(N_("This poll is already closed: a slot was chosen, or it was cancelled."))
    slot = session.get(PollSlot, slot_id)
    if slot is None or slot.poll_id != poll.id:
        raise NotFound(N_("This slot is not part of this poll."))
    if slot.starts_at <= now:
        raise InvalidValue(N_("This date is in the past: choose one to come."))
    workshop = get_workshop(session, project_id=project_id, workshop_id=poll.workshop_id, lock=True)
    if workshop.status != WorkshopStatus.TO_SCHEDULE:
        raise Conflict(N_("This workshop already has a date: move it instead of polling."))
    slot.confirmed_at = now
    poll.status, poll.closed_at = PollStatus.CONFIRMED, now
    session.add_all([slot, poll])
    close_poll_notices(session, poll, now=now)
    set_time_and_place(
        session,
        workshop,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        place=slot.place,
        now=now,
    )
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="poll.confirm",
        poll_id=poll.id,
        slot_id=slot.id,
        workshop_id=workshop.id,
        starts_at=slot.starts_at.isoformat(),
    )
    return workshop


def cancel_poll(
    session: Session,
    *,
    project_id: int,
    poll_id: int,
    actor_id: int | None,
    now: datetime | None = None,
) -> AvailabilityPoll:
    """Withdraw an open poll; its reminders are cancelled and its workshop stays to schedule."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    poll = get_poll(session, project_id=project_id, poll_id=poll_id, lock=True)
    if poll.status != PollStatus.OPEN:
        raise Conflict(N_("This poll is already closed: a slot was chosen, or it was cancelled."))
    poll.status, poll.closed_at = PollStatus.CANCELLED, now
    session.add(poll)
    close_poll_notices(session, poll, now=now)
    record_action(
        session, project_id=project_id, actor_id=actor_id, action="poll.cancel", poll_id=poll.id
    )
    return poll
