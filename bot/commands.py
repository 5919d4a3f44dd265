"""The commands people see in Telegram's menu, and the help that lists them."""

from __future__ import annotations

from telegram import BotCommand

from voisinage.errors import N_
from voisinage.i18n import Translator

PRIVATE_COMMANDS = (
    ("menu", N_("Show your menu")),
    ("project", N_("Switch to another of your projects")),
    ("language", N_("Choose your language")),
    ("web", N_("Get a sign-in link for the web forms")),
    ("mydata", N_("Get everything stored about you")),
    ("forget", N_("Delete everything stored about you")),
    ("help", N_("What I can do for you")),
)
GROUP_COMMANDS = (
    ("help", N_("What I do in this group")),
    ("linkgroup", N_("Link this group to your project (facilitators)")),
)
# Commands about one person's data: in a group, the bot offers a private chat instead.
PERSONAL_COMMANDS = ("start", "cancel", *(name for name, _ in PRIVATE_COMMANDS if name != "help"))


def bot_commands(t: Translator, commands: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    """Return `commands` as setMyCommands takes them, described in the language of `t`."""
    return [BotCommand(name, t.gettext(description)) for name, description in commands]


def command_lines(t: Translator, commands: tuple[tuple[str, str], ...]) -> str:
    """Return one line per command, for a help message."""
    return "\n".join(f"/{name} — {t.gettext(description)}" for name, description in commands)
