"""The data behind inline buttons: a small versioned text format, parsed strictly.

A button's data comes back from the client as any text a person (or a script) cares to send,
so it is parsed like input: a version, a kind, and exactly the arguments that kind takes.
Ids in it only say what the person pressed; handlers check them against the database again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from voisinage.config import LANGUAGES
from voisinage.enums import Role

VERSION = "v1"
# Telegram refuses callback data longer than 64 bytes.
MAX_BYTES = 64

DOORS = (
    "main",
    "invite",
    "summary",
    "web",
    "language",
    "mydata",
    "project",
    "workshops",
    "questionnaires",
    "votes",
)
# "auto": follow the Telegram app's language again.
LANGUAGE_CHOICES = (*LANGUAGES, "auto")
INVITABLE_ROLES = tuple(role.value for role in Role)
# pick an option, toggle one (multiple choice), rank one, undo the last ranked, done, skip,
# back to the question before, on to the next, show (the recap's "Change").
QUESTION_ACTIONS = ("pick", "tog", "rank", "undo", "done", "skip", "back", "next", "show")
FACILITATOR_ACTIONS = ("view", "ask_open", "ask_close", "open", "close")
# Voting (bot.handlers.voting): one vote for all one's voices, pick a choice, tick an option,
# rank one, undo the last, done, change from the recap, confirm.
VOTE_ACTIONS = ("all", "pick", "tog", "rank", "undo", "done", "edit", "ok")

_ID = re.compile(r"[1-9][0-9]{0,17}")
_COUNT = re.compile(r"0|[1-9][0-9]?")
# A question's fingerprint (bot.questionnaire_keyboards.button_stamp).
_STAMP = re.compile(r"[0-9a-f]{8}")


class InvalidButton(ValueError):
    """The data is not a button this version of the bot made."""


@dataclass(frozen=True)
class Button:
    kind: str
    args: tuple[int | str, ...] = ()


def _id(text: str) -> int:
    if not _ID.fullmatch(text):
        raise InvalidButton(text)
    return int(text)


def _count(text: str) -> int:
    if not _COUNT.fullmatch(text):
        raise InvalidButton(text)
    return int(text)


def _stamp(text: str) -> str:
    if not _STAMP.fullmatch(text):
        raise InvalidButton(text)
    return text


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise InvalidButton(text)
        return text

    return parse


# Each kind and the parser of each of its arguments, in order.
KINDS: dict[str, tuple[Callable[[str], int | str], ...]] = {
    "menu": (_id, _one_of(*DOORS)),  # project, door
    "lang": (_one_of(*LANGUAGE_CHOICES),),
    "proj": (_id,),  # project to switch to
    "name": (_one_of("telegram"),),  # take the name shown on Telegram
    "hh": (_id,),  # household chosen while joining
    "inv": (_id, _one_of(*INVITABLE_ROLES)),  # project, role of the newcomer
    "forget": (_one_of("yes", "no"),),
    "link": (_id,),  # project a group chat is linked to
    # Workshops (bot.handlers.workshops): project first, then the workshop, poll or slot.
    "ws": (_id, _id),  # workshop to show
    "rsvp": (_id, _id, _one_of("coming", "maybe", "not_coming"), _count),  # …, people
    "ics": (_id, _id),  # workshop whose calendar file to send
    "wpoll": (_id, _id),  # poll to answer
    "wslot": (_id, _id, _id),  # poll, slot to answer
    "pans": (_id, _id, _id, _one_of("y", "m", "n")),  # poll, slot, yes / if need be / no
    "wtab": (_id, _id),  # poll whose table a facilitator reads
    "wconf": (_id, _id, _id, _one_of("ask", "yes")),  # poll, slot to confirm, step
    "wrem": (_id, _one_of("on", "off")),  # reminders
    # Questionnaires (bot.handlers.questionnaires, questionnaire_answers): project, questionnaire…
    "qo": (_id, _id),  # questionnaire to answer, where the resident left off
    # …question, its fingerprint when the button was made, what to do, option or scale index.
    "qa": (_id, _id, _id, _stamp, _one_of(*QUESTION_ACTIONS), _count),
    "qs": (_id, _id, _one_of("go", "send")),  # carry on from the recap, send the answers
    "qf": (_id, _id, _one_of(*FACILITATOR_ACTIONS)),  # a facilitator opening or closing
    # Votes (bot.handlers.votes, voting): project, ballot…
    "vb": (_id, _id),  # ballot to show
    "vw": (_id, _id, _id),  # …member whose voice to vote with (oneself, or a proxy's giver)
    "vc": (_id, _id, _one_of(*VOTE_ACTIONS), _count),  # …what to do, choice or option index
    "vg": (_id, _id, _count, _count),  # …option index, grade index (majority judgment)
    # Summary (bot.handlers.summary): project, questionnaire / ballot / poll, its id, step.
    "ndg": (_id, _one_of("q", "b", "p"), _id, _one_of("ask", "yes", "no")),
}
# Kinds whose first argument is a project: the presser must be a member of it.
PROJECT_SCOPED = frozenset(
    {"menu", "proj", "inv", "link"}
    | {"ws", "rsvp", "ics", "wpoll", "wslot", "pans", "wtab", "wconf", "wrem"}
    | {"qo", "qa", "qs", "qf"}
    | {"vb", "vw", "vc", "vg"}
    | {"ndg"}
)
# Kinds of buttons the bot puts in group chats; every other kind belongs to a private chat.
GROUP_KINDS = frozenset({"link"})


def decode(data: object) -> Button:
    """Parse button data; anything this version did not make raises InvalidButton."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        raise InvalidButton(repr(data)[:80])
    version, _, rest = data.partition(":")
    kind, _, arguments = rest.partition(":")
    if version != VERSION or kind not in KINDS:
        raise InvalidButton(data)
    parsers = KINDS[kind]
    parts = arguments.split(":") if arguments else []
    if len(parts) != len(parsers):
        raise InvalidButton(data)
    return Button(kind, tuple(parse(part) for parse, part in zip(parsers, parts, strict=True)))


def encode(kind: str, *args: int | str) -> str:
    """Return the data of a button; refuse what `decode` would not give back unchanged."""
    data = ":".join([VERSION, kind, *(str(arg) for arg in args)])
    if decode(data) != Button(kind, args):
        raise InvalidButton(data)
    return data


def of_kind(kind: str) -> Callable[[object], bool]:
    """Return a test for a CallbackQueryHandler: does this data decode to a `kind` button?"""

    def matches(data: object) -> bool:
        try:
            return decode(data).kind == kind
        except InvalidButton:
            return False

    return matches
