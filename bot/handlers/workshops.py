"""The "Workshops" door: the agenda, answering a poll slot by slot, RSVPs, calendar files,
reminders, and for facilitators a poll's table and confirming its slot.

Every screen is one message that the buttons edit in place; every press reads the database
again, so a button from an old message acts on what is true now, or is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session
from telegram import InputFile, Update

from bot import run_db
from bot import workshop_keyboards as keyboards
from bot.callback_data import Button
from bot.replies import show
from bot.visitor import Context, Visitor, engine_of, settings_of
from voisinage import outbox
from voisinage.errors import N_, Conflict
from voisinage.permissions import require_facilitator
from voisinage.workshop_agenda import Agenda, AgendaWorkshop, member_agenda
from voisinage.workshop_calendars import calendar_host, workshop_ics
from voisinage.workshop_notices import moment, when
from voisinage.workshop_path import StepStatus, path_overview
from voisinage.workshop_polls import PollTable, answer_poll, confirm_slot, poll_table
from voisinage.workshop_rsvps import RsvpResult, RsvpSummary, rsvp, rsvp_summary
from voisinage.workshops import RsvpStatus

RSVP_NAMES = {
    RsvpStatus.COMING: N_("coming"),
    RsvpStatus.WAITING: N_("on the waiting list"),
    RsvpStatus.MAYBE: N_("maybe"),
    RsvpStatus.NOT_COMING: N_("not coming"),
}
RSVP_NOTICES = {
    RsvpStatus.COMING: N_("Noted: you are coming. See you there!"),
    RsvpStatus.MAYBE: N_("Noted: maybe. Say so when you know."),
    RsvpStatus.NOT_COMING: N_("Noted: you are not coming."),
}
NOT_UPCOMING = N_("This workshop is not coming up: there is nothing to answer.")


# The agenda.


@dataclass(frozen=True)
class AgendaView:
    agenda: Agenda
    reminders: bool
    polls_to_decide: list[StepStatus]


def _agenda_view(
    session: Session, *, project_id: int, member_id: int, facilitator: bool
) -> AgendaView:
    steps = path_overview(session, project_id=project_id) if facilitator else []
    return AgendaView(
        agenda=member_agenda(session, project_id=project_id, member_id=member_id),
        reminders=outbox.reminders_enabled(session, member_id=member_id),
        polls_to_decide=[step for step in steps if step.poll_id is not None],
    )


def _place(visitor: Visitor, place: str) -> str:
    return place or visitor._("place to be announced")


def _agenda_text(visitor: Visitor, view: AgendaView) -> str:
    listing = view.agenda
    lines = [visitor._("Workshops of %(project)s", project=visitor.project.name)]
    if listing.workshops:
        lines += ["", visitor._("Coming up:")]
        for workshop in listing.workshops:
            answer = RSVP_NAMES.get(workshop.rsvp_status, N_("not answered yet"))
            lines.append(
                f"• {workshop.title} — "
                f"{when(visitor.t, workshop.starts_at, workshop.ends_at, listing.timezone)}, "
                f"{_place(visitor, workshop.place)} — "
                + visitor._("your answer: %(answer)s", answer=visitor._(answer))
            )
    if listing.polls:
        lines += ["", visitor._("Availability polls:")]
        for poll in listing.polls:
            lines.append(
                f"• {poll.title} — "
                + visitor._(
                    "answer before %(deadline)s (slots answered: %(answered)s of %(slots)s)",
                    deadline=moment(visitor.t, poll.deadline, listing.timezone),
                    answered=poll.answered,
                    slots=poll.slots,
                )
            )
    if not listing.workshops and not listing.polls:
        lines += ["", visitor._("No workshop is coming up and no poll is open for now.")]
    if view.polls_to_decide:
        lines += ["", visitor._("As a facilitator, read a poll's answers and choose its slot:")]
        lines += [f"• {step.title}" for step in view.polls_to_decide]
    lines += [
        "",
        visitor._("Reminders before polls close and before workshops: on.")
        if view.reminders
        else visitor._("Reminders before polls close and before workshops: off."),
    ]
    return "\n".join(lines)


async def show_workshops(
    update: Update, context: Context, visitor: Visitor, *, notice: str | None = None
) -> None:
    """Show the workshops ahead, the open polls, and the reminders switch."""
    view = await run_db.read(
        engine_of(context),
        _agenda_view,
        project_id=visitor.project.id,
        member_id=visitor.member.id,
        facilitator=visitor.is_facilitator,
    )
    text = _agenda_text(visitor, view)
    await show(
        update,
        f"{notice}\n\n{text}" if notice else text,
        keyboards.agenda(
            visitor.t,
            visitor.project.id,
            view.agenda,
            reminders=view.reminders,
            polls_to_decide=view.polls_to_decide,
        ),
    )


async def reminders_switched(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    enabled = pressed.args[1] == "on"
    await run_db.write(
        engine_of(context), outbox.set_reminders, member_id=visitor.member.id, enabled=enabled
    )
    notice = (
        visitor._("Reminders are on.")
        if enabled
        else visitor._(
            "Reminders are off. You will still be told of new polls and of changed workshops."
        )
    )
    await show_workshops(update, context, visitor, notice=notice)


# A workshop: RSVP and calendar file.


@dataclass(frozen=True)
class Card:
    workshop: AgendaWorkshop
    timezone: str
    summary: RsvpSummary


def _card(session: Session, *, project_id: int, workshop_id: int, member_id: int) -> Card:
    listing = member_agenda(session, project_id=project_id, member_id=member_id)
    workshop = next((w for w in listing.workshops if w.workshop_id == workshop_id), None)
    if workshop is None:
        raise Conflict(NOT_UPCOMING)
    summary = rsvp_summary(session, project_id=project_id, workshop_id=workshop_id)
    return Card(workshop, listing.timezone, summary)


def _card_text(visitor: Visitor, card: Card) -> str:
    workshop, summary = card.workshop, card.summary
    lines = [
        f"📅 {workshop.title}",
        when(visitor.t, workshop.starts_at, workshop.ends_at, card.timezone),
        visitor._("Place: %(place)s", place=_place(visitor, workshop.place)),
    ]
    if summary.capacity is None:
        lines.append(visitor._("People coming so far: %(coming)s", coming=summary.coming))
    else:
        lines.append(
            visitor._(
                "Places left: %(left)s of %(capacity)s",
                left=summary.places_left,
                capacity=summary.capacity,
            )
        )
    if workshop.rsvp_status is None:
        lines.append(visitor._("You have not answered yet."))
    elif workshop.rsvp_status == RsvpStatus.NOT_COMING:
        lines.append(visitor._("Your answer: not coming."))
    else:
        lines.append(
            visitor._(
                "Your answer: %(answer)s, people: %(people)s.",
                answer=visitor._(RSVP_NAMES[workshop.rsvp_status]),
                people=workshop.rsvp_people,
            )
        )
    return "\n".join(lines)


async def _show_card(
    update: Update, context: Context, visitor: Visitor, workshop_id: int, notice: str | None = None
) -> None:
    card = await run_db.read(
        engine_of(context),
        _card,
        project_id=visitor.project.id,
        workshop_id=workshop_id,
        member_id=visitor.member.id,
    )
    text = _card_text(visitor, card)
    await show(
        update,
        f"{notice}\n\n{text}" if notice else text,
        keyboards.workshop_card(
            visitor.t,
            visitor.project.id,
            workshop_id,
            status=card.workshop.rsvp_status,
            people=card.workshop.rsvp_people,
        ),
    )


async def workshop_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    await _show_card(update, context, visitor, pressed.args[1])


def _rsvp_notice(visitor: Visitor, result: RsvpResult) -> str:
    if result.status == RsvpStatus.WAITING:
        return visitor._(
            "The workshop is full: you are on the waiting list, in position %(position)s. "
            "You will be told as soon as a place frees up.",
            position=result.waiting_position,
        )
    return visitor._(RSVP_NOTICES[result.status])


async def rsvp_pressed(update: Update, context: Context, visitor: Visitor, pressed: Button) -> None:
    _, workshop_id, status, people = pressed.args
    result = await run_db.write(
        engine_of(context),
        rsvp,
        project_id=visitor.project.id,
        workshop_id=workshop_id,
        member_id=visitor.member.id,
        status=status,
        people=people,
    )
    await _show_card(update, context, visitor, workshop_id, _rsvp_notice(visitor, result))


def _filename(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.casefold()).strip("-")
    return f"{slug or 'workshop'}.ics"


async def calendar_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    """Send the workshop's .ics file, for the member to add to their calendar."""
    workshop_id = pressed.args[1]
    card = await run_db.read(
        engine_of(context),
        _card,
        project_id=visitor.project.id,
        workshop_id=workshop_id,
        member_id=visitor.member.id,
    )
    ics = await run_db.read(
        engine_of(context),
        workshop_ics,
        project_id=visitor.project.id,
        workshop_id=workshop_id,
        host=calendar_host(settings_of(context).public_url),
    )
    await update.effective_chat.send_document(
        InputFile(ics, filename=_filename(card.workshop.title)),
        caption=visitor._(
            "“%(title)s”: open this file to add the workshop to your calendar.",
            title=card.workshop.title,
        ),
    )


# Answering a poll, slot by slot.


def _poll_text(visitor: Visitor, table: PollTable, current_slot_id: int | None) -> str:
    mine = table.mine.answers if table.mine else {}
    lines = [visitor._("🗳 Availability for “%(title)s”", title=table.title)]
    if table.accepting_answers:
        lines.append(
            visitor._(
                "Answer before %(deadline)s.",
                deadline=moment(visitor.t, table.deadline, table.timezone),
            )
        )
    else:
        lines.append(visitor._("This poll is closed: answers can no longer change."))
    if table.mine and table.mine.key.startswith("household:"):
        lines.append(visitor._("You answer for %(household)s.", household=table.mine.name))
    lines.append("")
    for number, column in enumerate(table.slots, start=1):
        mark = "👉" if column.slot_id == current_slot_id else ""
        answer = keyboards.CHOICE_MARKS.get(mine.get(column.slot_id), "▫️")
        place = f" — {column.place}" if column.place else ""
        lines.append(
            f"{mark}{number}. {answer} "
            f"{when(visitor.t, column.starts_at, column.ends_at, table.timezone)}{place}"
        )
    if table.accepting_answers:
        lines.append("")
        if current_slot_id is not None:
            number = next(n for n, c in enumerate(table.slots, 1) if c.slot_id == current_slot_id)
            lines.append(
                visitor._(
                    "Slot %(number)s of %(count)s: can you come?",
                    number=number,
                    count=len(table.slots),
                )
            )
        else:
            lines.append(
                visitor._(
                    "Thank you, your answers are saved. To change one until the deadline, "
                    "press its number."
                )
            )
    return "\n".join(lines)


def _next_slot(table: PollTable, after: int | None) -> int | None:
    """Return the first unanswered slot after `after` (else from the start); None when all are."""
    mine = table.mine.answers if table.mine else {}
    ids = [column.slot_id for column in table.slots]
    start = ids.index(after) + 1 if after in ids else 0
    for slot_id in ids[start:] + ids[:start]:
        if slot_id not in mine:
            return slot_id
    return None


async def _read_poll(context: Context, visitor: Visitor, poll_id: int) -> PollTable:
    return await run_db.read(
        engine_of(context),
        poll_table,
        project_id=visitor.project.id,
        poll_id=poll_id,
        member_id=visitor.member.id,
    )


async def _show_poll(
    update: Update, visitor: Visitor, table: PollTable, current_slot_id: int | None
) -> None:
    if not table.accepting_answers:
        current_slot_id = None
    await show(
        update,
        _poll_text(visitor, table, current_slot_id),
        keyboards.poll_answers(
            visitor.t, visitor.project.id, table, current_slot_id=current_slot_id
        ),
    )


async def poll_pressed(update: Update, context: Context, visitor: Visitor, pressed: Button) -> None:
    table = await _read_poll(context, visitor, pressed.args[1])
    await _show_poll(update, visitor, table, _next_slot(table, None))


async def slot_pressed(update: Update, context: Context, visitor: Visitor, pressed: Button) -> None:
    _, poll_id, slot_id = pressed.args
    table = await _read_poll(context, visitor, poll_id)
    if slot_id not in {column.slot_id for column in table.slots}:
        raise Conflict(N_("This slot is not part of this poll."))
    await _show_poll(update, visitor, table, slot_id)


async def slot_answered(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    _, poll_id, slot_id, code = pressed.args
    await run_db.write(
        engine_of(context),
        answer_poll,
        project_id=visitor.project.id,
        poll_id=poll_id,
        member_id=visitor.member.id,
        answers={slot_id: keyboards.CHOICES[code]},
    )
    table = await _read_poll(context, visitor, poll_id)
    await _show_poll(update, visitor, table, _next_slot(table, slot_id))


# The facilitator's side: a poll's table, and confirming a slot.


def _table_text(visitor: Visitor, table: PollTable) -> str:
    lines = [
        visitor._("📊 Answers to the poll for “%(title)s”", title=table.title),
        visitor._(
            "Deadline: %(deadline)s.", deadline=moment(visitor.t, table.deadline, table.timezone)
        ),
    ]
    if table.status != "open":
        lines.append(visitor._("This poll is closed."))
    if table.missing:
        lines.append(visitor._("No answer yet: %(names)s.", names=", ".join(table.missing)))
    else:
        lines.append(visitor._("Everyone has answered."))
    for number, column in enumerate(table.slots, start=1):
        place = f" — {column.place}" if column.place else ""
        totals = f"✅ {column.yes} · 🤷 {column.if_need_be} · ❌ {column.no}"
        if column.slot_id == table.best_slot_id:
            totals += " — " + visitor._("⭐ best slot")
        lines += [
            "",
            f"{number}. {when(visitor.t, column.starts_at, column.ends_at, table.timezone)}{place}",
            totals,
        ]
        if column.cannot_come:
            lines.append(visitor._("Cannot come: %(names)s", names=", ".join(column.cannot_come)))
    return "\n".join(lines)


def _facilitators_table(
    session: Session, *, project_id: int, poll_id: int, actor_id: int
) -> PollTable:
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    return poll_table(session, project_id=project_id, poll_id=poll_id)


async def _facilitator_table(context: Context, visitor: Visitor, poll_id: int) -> PollTable:
    return await run_db.read(
        engine_of(context),
        _facilitators_table,
        project_id=visitor.project.id,
        poll_id=poll_id,
        actor_id=visitor.member.id,
    )


async def table_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    table = await _facilitator_table(context, visitor, pressed.args[1])
    await show(
        update,
        _table_text(visitor, table),
        keyboards.poll_table(visitor.t, visitor.project.id, table),
    )


async def confirm_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    """Ask the facilitator to confirm the slot, then schedule the workshop there."""
    _, poll_id, slot_id, step = pressed.args
    project_id = visitor.project.id
    if step == "yes":
        workshop = await run_db.write(
            engine_of(context),
            confirm_slot,
            project_id=project_id,
            poll_id=poll_id,
            slot_id=slot_id,
            actor_id=visitor.member.id,
        )
        table = await _facilitator_table(context, visitor, poll_id)
        await show(
            update,
            visitor._(
                "“%(title)s” is scheduled on %(when)s. Everyone invited is being told.",
                title=table.title,
                when=when(visitor.t, workshop.starts_at, workshop.ends_at, table.timezone),
            ),
            keyboards.scheduled(visitor.t, project_id, workshop.id),
        )
        return
    table = await _facilitator_table(context, visitor, poll_id)
    column = next((c for c in table.slots if c.slot_id == slot_id), None)
    if column is None:
        raise Conflict(N_("This slot is not part of this poll."))
    if table.status != "open":
        raise Conflict(N_("This poll is already closed: a slot was chosen, or it was cancelled."))
    await show(
        update,
        visitor._(
            "Schedule “%(title)s” on %(when)s (%(place)s)? Everyone invited will be told.",
            title=table.title,
            when=when(visitor.t, column.starts_at, column.ends_at, table.timezone),
            place=_place(visitor, column.place),
        ),
        keyboards.confirm_slot(visitor.t, project_id, poll_id, slot_id),
    )
