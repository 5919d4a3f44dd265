"""Inline keyboards, their labels translated for the person who will press them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import encode
from bot.visitor import Visitor
from voisinage.enums import Role
from voisinage.errors import N_
from voisinage.i18n import language_menu
from voisinage.models import Household
from voisinage.voices import may_vote
from voisinage.workshops import INVITED_ROLES

DOOR_LABELS = {
    "questionnaires": N_("Questionnaires"),
    "workshops": N_("Workshops"),
    "votes": N_("Votes"),
    "invite": N_("Invite someone"),
    "summary": N_("Summary"),
    "web": N_("Open the web forms"),
    "language": N_("Language"),
    "mydata": N_("My data"),
    "project": N_("Switch project"),
}
ROLE_NAMES = {
    "resident": N_("a resident"),
    "observer": N_("an observer"),
    "facilitator": N_("a facilitator"),
}
ROLE_CHOICES = {
    "resident": N_("A resident"),
    "observer": N_("An observer (partner)"),
    "facilitator": N_("A facilitator"),
}


def _rows(buttons: Sequence[InlineKeyboardButton], per_row: int = 2) -> list:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def doors_of(visitor: Visitor) -> list[str]:
    """Return the doors a member's menu shows, the group's work first."""
    doors = []
    # Residents answer questionnaires; facilitators open and close them.
    if visitor.member.role in (Role.RESIDENT, Role.FACILITATOR):
        doors.append("questionnaires")
    if visitor.member.role in INVITED_ROLES:
        doors.append("workshops")
    if may_vote(visitor.member):
        doors.append("votes")
    if visitor.is_facilitator:
        doors += ["invite", "summary"]
    doors += ["web", "language", "mydata"]
    if len(visitor.memberships) > 1:
        doors.append("project")
    return doors


def menu_text(visitor: Visitor) -> str:
    return visitor._("%(project)s: what would you like to do?", project=visitor.project.name)


def main_menu(visitor: Visitor) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            visitor._(DOOR_LABELS[door]), callback_data=encode("menu", visitor.project.id, door)
        )
        for door in doors_of(visitor)
    ]
    return InlineKeyboardMarkup(_rows(buttons))


def _back(visitor: Visitor) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        visitor._("Back to the menu"), callback_data=encode("menu", visitor.project.id, "main")
    )


def back_to_menu(visitor: Visitor) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_back(visitor)]])


def languages(visitor: Visitor) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(name, callback_data=encode("lang", code))
        for code, name in language_menu().items()
    ]
    rows = [
        buttons,
        [InlineKeyboardButton(visitor._("Automatic"), callback_data=encode("lang", "auto"))],
    ]
    if visitor.project is not None:
        rows.append([_back(visitor)])
    return InlineKeyboardMarkup(rows)


def projects(visitor: Visitor) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            ("✓ " if project.id == visitor.project.id else "") + project.name,
            callback_data=encode("proj", project.id),
        )
        for _, project in visitor.memberships
    ]
    return InlineKeyboardMarkup([[button] for button in buttons])


def telegram_name(visitor: Visitor) -> InlineKeyboardMarkup:
    label = visitor._("Use “%(name)s”", name=visitor.telegram_name)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=encode("name", "telegram"))]]
    )


def households(choices: Iterable[Household]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(household.name, callback_data=encode("hh", household.id))
        for household in choices
    ]
    return InlineKeyboardMarkup(_rows(buttons))


def invitation_roles(visitor: Visitor) -> InlineKeyboardMarkup:
    buttons = [
        [
            InlineKeyboardButton(
                visitor._(label), callback_data=encode("inv", visitor.project.id, role)
            )
        ]
        for role, label in ROLE_CHOICES.items()
    ]
    return InlineKeyboardMarkup([*buttons, [_back(visitor)]])


def forget_confirmation(visitor: Visitor) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    visitor._("Yes, delete my data"), callback_data=encode("forget", "yes")
                )
            ],
            [InlineKeyboardButton(visitor._("No, keep it"), callback_data=encode("forget", "no"))],
        ]
    )


def group_projects(project_ids_and_names: Iterable[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(name, callback_data=encode("link", project_id))]
            for project_id, name in project_ids_and_names
        ]
    )


def private_chat(visitor: Visitor, bot_username: str) -> InlineKeyboardMarkup:
    """Return a button that opens a private chat with the bot."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    visitor._("Write to me in private"), url=f"https://t.me/{bot_username}"
                )
            ]
        ]
    )
