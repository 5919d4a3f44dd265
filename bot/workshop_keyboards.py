"""The inline keyboards of workshops, polls and their notifications, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import encode
from voisinage.errors import N_
from voisinage.i18n import Translator
from voisinage.workshop_agenda import Agenda
from voisinage.workshop_path import StepStatus
from voisinage.workshop_polls import PollTable
from voisinage.workshop_rsvps import PEOPLE_MAX
from voisinage.workshops import RsvpStatus

# A slot's answer in button data, and its mark in messages.
CHOICE_CODES = {"yes": "y", "if_need_be": "m", "no": "n"}
CHOICES = {code: choice for choice, code in CHOICE_CODES.items()}
CHOICE_MARKS = {"yes": "✅", "if_need_be": "🤷", "no": "❌"}
CHOICE_LABELS = {"yes": N_("✅ Yes"), "if_need_be": N_("🤷 If need be"), "no": N_("❌ No")}
RSVP_LABELS = {
    RsvpStatus.COMING: N_("✅ Coming"),
    RsvpStatus.MAYBE: N_("🤔 Maybe"),
    RsvpStatus.NOT_COMING: N_("❌ Not coming"),
}
SLOT_BUTTONS_PER_ROW = 6
LABEL_MAX = 48


def _label(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _button(text: str, kind: str, *args: int | str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(kind, *args))


def _rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def back_to_workshops(t: Translator, project_id: int) -> InlineKeyboardButton:
    return _button(t.gettext("Back to the workshops"), "menu", project_id, "workshops")


def agenda(
    t: Translator,
    project_id: int,
    listing: Agenda,
    *,
    reminders: bool,
    polls_to_decide: Sequence[StepStatus],
) -> InlineKeyboardMarkup:
    """Return a button per workshop, poll, and poll to decide, then reminders and the menu."""
    rows = [
        [_button(_label(f"📅 {workshop.title}"), "ws", project_id, workshop.workshop_id)]
        for workshop in listing.workshops
    ]
    rows += [
        [_button(_label(f"🗳 {poll.title}"), "wpoll", project_id, poll.poll_id)]
        for poll in listing.polls
    ]
    rows += [
        [
            _button(
                _label(t.gettext("📊 Results: %(title)s", title=step.title)),
                "wtab",
                project_id,
                step.poll_id,
            )
        ]
        for step in polls_to_decide
    ]
    toggle = (
        _button(t.gettext("🔕 Turn reminders off"), "wrem", project_id, "off")
        if reminders
        else _button(t.gettext("🔔 Turn reminders on"), "wrem", project_id, "on")
    )
    rows.append([toggle])
    rows.append(
        [_button(t.gettext("Back to the menu"), "menu", project_id, "main")],
    )
    return InlineKeyboardMarkup(rows)


def workshop_card(
    t: Translator, project_id: int, workshop_id: int, *, status: str | None, people: int
) -> InlineKeyboardMarkup:
    """Return the RSVP buttons, +/− for the number of people, the calendar file, and back."""
    rows = [
        [
            _button(
                t.gettext(label),
                "rsvp",
                project_id,
                workshop_id,
                answer,
                max(people, 1) if answer != RsvpStatus.NOT_COMING else 0,
            )
            for answer, label in RSVP_LABELS.items()
        ]
    ]
    if status in (RsvpStatus.COMING, RsvpStatus.WAITING, RsvpStatus.MAYBE):
        # Waiting asks for "coming" again: the RSVP keeps its place in the line.
        answer = RsvpStatus.MAYBE if status == RsvpStatus.MAYBE else RsvpStatus.COMING
        steps = []
        if people > 1:
            steps.append(_button("➖", "rsvp", project_id, workshop_id, answer, people - 1))
        if people < PEOPLE_MAX:
            steps.append(_button("➕", "rsvp", project_id, workshop_id, answer, people + 1))
        rows.append(steps)
    rows.append([_button(t.gettext("📎 Calendar file (.ics)"), "ics", project_id, workshop_id)])
    rows.append([back_to_workshops(t, project_id)])
    return InlineKeyboardMarkup(rows)


def poll_answers(
    t: Translator, project_id: int, table: PollTable, *, current_slot_id: int | None
) -> InlineKeyboardMarkup:
    """Return the three answers for the slot being answered, then a button per slot to go to it."""
    rows = []
    if table.accepting_answers:
        if current_slot_id is not None:
            rows.append(
                [
                    _button(
                        t.gettext(label),
                        "pans",
                        project_id,
                        table.poll_id,
                        current_slot_id,
                        CHOICE_CODES[choice],
                    )
                    for choice, label in CHOICE_LABELS.items()
                ]
            )
        slots = [
            _button(
                f"·{number}·" if column.slot_id == current_slot_id else str(number),
                "wslot",
                project_id,
                table.poll_id,
                column.slot_id,
            )
            for number, column in enumerate(table.slots, start=1)
        ]
        rows += _rows(slots, SLOT_BUTTONS_PER_ROW)
    rows.append([back_to_workshops(t, project_id)])
    return InlineKeyboardMarkup(rows)


def poll_table(t: Translator, project_id: int, table: PollTable) -> InlineKeyboardMarkup:
    """Return a button per slot to confirm it (while the poll is open), and back."""
    rows = []
    if table.status == "open":
        confirm = [
            _button(
                t.gettext("Choose %(number)s", number=number),
                "wconf",
                project_id,
                table.poll_id,
                column.slot_id,
                "ask",
            )
            for number, column in enumerate(table.slots, start=1)
        ]
        rows += _rows(confirm, 3)
    rows.append([back_to_workshops(t, project_id)])
    return InlineKeyboardMarkup(rows)


def confirm_slot(
    t: Translator, project_id: int, poll_id: int, slot_id: int
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(t.gettext("Yes, schedule it"), "wconf", project_id, poll_id, slot_id, "yes")],
            [_button(t.gettext("No, back to the table"), "wtab", project_id, poll_id)],
        ]
    )


def scheduled(t: Translator, project_id: int, workshop_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(t.gettext("Open the workshop"), "ws", project_id, workshop_id)],
            [back_to_workshops(t, project_id)],
        ]
    )


def notice_keyboard(
    kind: str, project_id: int, params: dict[str, Any], t: Translator
) -> InlineKeyboardMarkup | None:
    """Return the button that goes with a notification: answer the poll, open the workshop…"""
    if kind in ("poll.opened", "poll.reminder", "nudge.poll"):
        label, target = N_("Give my availability"), ("wpoll", params["poll_id"])
    elif kind == "nudge.questionnaire":
        label, target = N_("Answer the questionnaire"), ("qo", params["questionnaire_id"])
    elif kind == "poll.deadline_passed":
        label, target = N_("See the answers"), ("wtab", params["poll_id"])
    elif kind.startswith(("workshop.", "rsvp.")) and kind != "workshop.cancelled":
        label, target = N_("Open the workshop"), ("ws", params["workshop_id"])
    else:
        return None
    return InlineKeyboardMarkup([[_button(t.gettext(label), target[0], project_id, target[1])]])
