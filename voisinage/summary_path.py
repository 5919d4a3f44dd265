"""The path in a project summary: each step's state, RSVPs, and the open polls' best slot.

Reads `workshop_path.path_overview`, then the RSVPs, slots and answers of the whole project in a
handful of grouped queries, whatever the number of steps, households or answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from voisinage.models.workshops import (
    AvailabilityPoll,
    PollAnswer,
    PollResponse,
    PollSlot,
    Rsvp,
    Workshop,
)
from voisinage.workshop_path import StepStatus, path_overview
from voisinage.workshop_polls import SlotCount, best_slot
from voisinage.workshops import Availability, RsvpStatus, WorkshopStatus, respondents


@dataclass(frozen=True)
class SlotSummary:
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    yes: int
    if_need_be: int
    no: int


@dataclass(frozen=True)
class PollSummary:
    """An open availability poll: its deadline, who answered, and the best slot so far."""

    poll_id: int
    deadline: datetime
    past_deadline: bool
    respondent_unit: str
    asked: int
    answered: int
    # Households (or members) asked who have not answered any slot yet.
    missing: tuple[str, ...]
    best_slot: SlotSummary | None


@dataclass(frozen=True)
class StepSummary:
    """One step of the path: "done", "scheduled" or "to_schedule", with its current workshop."""

    step_id: int
    position: int
    code: str
    kind: str
    title: str
    funder: str | None
    half_days: int
    state: str
    workshop_id: int
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    # In people, as RSVPs count them; `places_left` is None without a capacity.
    capacity: int | None
    coming: int
    maybe: int
    waiting: int
    places_left: int | None
    attendance_count: int | None
    poll: PollSummary | None


def _rsvp_totals(session: Session, project_id: int) -> dict[int, dict[str, int]]:
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RsvpStatus, 0))
    for workshop_id, status, people in session.exec(
        select(Rsvp.workshop_id, Rsvp.status, func.sum(Rsvp.people))
        .join(Workshop, col(Workshop.id) == col(Rsvp.workshop_id))
        .where(
            col(Workshop.project_id) == project_id,
            col(Workshop.status) == WorkshopStatus.SCHEDULED,
        )
        .group_by(col(Rsvp.workshop_id), col(Rsvp.status))
    ):
        totals[workshop_id][RsvpStatus(status)] = int(people or 0)
    return totals


def answered_respondents(
    session: Session, *, poll_ids: list[int]
) -> dict[int, set[tuple[int | None, int | None]]]:
    """Return, by poll, the (household id, member id) of who answered at least one slot (one query).

    As `poll_table` counts them: a response with no answer left is not an answer.
    """
    answered: dict[int, set[tuple[int | None, int | None]]] = defaultdict(set)
    for poll_id, household_id, member_id in session.exec(
        select(PollResponse.poll_id, PollResponse.household_id, PollResponse.member_id)
        .join(PollAnswer, col(PollAnswer.response_id) == col(PollResponse.id))
        .where(col(PollResponse.poll_id).in_(poll_ids))
        .distinct()
    ):
        answered[poll_id].add((household_id, member_id))
    return answered


def _polls(
    session: Session, project_id: int, steps: list[StepStatus], now: datetime
) -> dict[int, PollSummary]:
    """Return the open polls by id, in four queries (and two per respondent unit) whatever their number."""
    poll_ids = [step.poll_id for step in steps if step.poll_id is not None]
    if not poll_ids:
        return {}
    slots: dict[int, list[PollSlot]] = defaultdict(list)
    for slot in session.exec(
        select(PollSlot)
        .where(col(PollSlot.poll_id).in_(poll_ids))
        .order_by(col(PollSlot.starts_at), col(PollSlot.id))
    ):
        slots[slot.poll_id].append(slot)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Availability, 0))
    for slot_id, choice, number in session.exec(
        select(PollAnswer.slot_id, PollAnswer.choice, func.count())
        .join(PollSlot, col(PollSlot.id) == col(PollAnswer.slot_id))
        .where(col(PollSlot.poll_id).in_(poll_ids))
        .group_by(col(PollAnswer.slot_id), col(PollAnswer.choice))
    ):
        counts[slot_id][Availability(choice)] = number
    answered = answered_respondents(session, poll_ids=poll_ids)
    polls = {
        poll.id: poll
        for poll in session.exec(
            select(AvailabilityPoll).where(col(AvailabilityPoll.id).in_(poll_ids))
        )
    }
    asked_by_unit = {
        unit: respondents(session, project_id=project_id, unit=unit)
        for unit in sorted({poll.respondent_unit for poll in polls.values()})
    }
    summaries = {}
    for poll_id, poll in polls.items():
        slot_counts = [
            SlotCount(slot_id=slot.id, starts_at=slot.starts_at, **counts[slot.id])
            for slot in slots[poll_id]
        ]
        best_id = best_slot(slot_counts)
        best = next((slot for slot in slots[poll_id] if slot.id == best_id), None)
        asked = asked_by_unit[poll.respondent_unit]
        done = answered[poll_id]
        summaries[poll_id] = PollSummary(
            poll_id=poll_id,
            deadline=poll.deadline,
            past_deadline=now >= poll.deadline,
            respondent_unit=poll.respondent_unit,
            asked=len(asked),
            answered=sum((r.household_id, r.member_id) in done for r, _ in asked),
            missing=tuple(
                sorted(
                    (r.name for r, _ in asked if (r.household_id, r.member_id) not in done),
                    key=str.casefold,
                )
            ),
            best_slot=None
            if best is None
            else SlotSummary(
                slot_id=best.id,
                starts_at=best.starts_at,
                ends_at=best.ends_at,
                place=best.place,
                **counts[best.id],
            ),
        )
    return summaries


def path_summary(session: Session, *, project_id: int, now: datetime) -> tuple[StepSummary, ...]:
    """Return every step of the path with its RSVPs and open poll, in a fixed number of queries."""
    steps = path_overview(session, project_id=project_id)
    totals = _rsvp_totals(session, project_id)
    polls = _polls(session, project_id, steps, now)
    summaries = []
    for step in steps:
        rsvps = totals.get(step.workshop_id) or dict.fromkeys(RsvpStatus, 0)
        coming = rsvps[RsvpStatus.COMING]
        summaries.append(
            StepSummary(
                step_id=step.step_id,
                position=step.position,
                code=step.code,
                kind=step.kind,
                title=step.title,
                funder=step.funder,
                half_days=step.half_days,
                state=step.state,
                workshop_id=step.workshop_id,
                starts_at=step.starts_at,
                ends_at=step.ends_at,
                place=step.place,
                capacity=step.capacity,
                coming=coming,
                maybe=rsvps[RsvpStatus.MAYBE],
                waiting=rsvps[RsvpStatus.WAITING],
                places_left=None if step.capacity is None else step.capacity - coming,
                attendance_count=step.attendance_count,
                poll=polls.get(step.poll_id) if step.poll_id is not None else None,
            )
        )
    return tuple(summaries)
