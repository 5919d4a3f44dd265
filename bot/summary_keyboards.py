"""The "Summary" door's messages: one per section, each item numbered, with its buttons to open
it or to remind those missing; and the nudge's confirmation and result."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import encode
from bot.keyboards import back_to_menu
from bot.visitor import Visitor
from voisinage.nudges import Pending
from voisinage.project_summary import item_subject
from voisinage.summary_text import Item, Section

# Telegram refuses longer messages.
MESSAGE_MAX = 4096
# Beyond this, a section's buttons would no longer fit a phone's screen.
ITEMS_SHOWN = 20
# What a nudge button's data names, in short: the item's kind as voisinage.nudges names it.
NUDGE_SUBJECTS = {"q": "questionnaire", "b": "ballot", "p": "poll"}
_NUDGE_CODES = {kind: code for code, kind in NUDGE_SUBJECTS.items()}
# Items a facilitator reads on the web, under /p/<slug>/: no screen of the bot shows them.
WEB_PAGES = {
    "ballot": "votes/{id}",
    "consent": "votes/{id}/next-round",
    "article": "articles/{id}",
    "workshop": "workshops/{id}",
}
# Sections whose items get buttons: "since" is what happened, there is nothing left to act on.
ACTIONABLE = frozenset({"path", "open", "waiting"})


def nudge_subject(code: str, item_id: int) -> str:
    """Return the subject a nudge button is about, as voisinage.nudges names it."""
    return item_subject(NUDGE_SUBJECTS[code], item_id)


def _open_button(
    visitor: Visitor, public_url: str, slug: str, subject: str, number: int
) -> InlineKeyboardButton | None:
    """Open the item in the bot as its own door does, or else its page on the web."""
    kind, _, item_id = subject.partition(":")
    label = "↗ " + visitor._("%(number)s. Open", number=number)
    project_id = visitor.project.id
    if kind == "questionnaire":
        return InlineKeyboardButton(
            label, callback_data=encode("qf", project_id, int(item_id), "view")
        )
    if kind == "poll":
        return InlineKeyboardButton(label, callback_data=encode("wtab", project_id, int(item_id)))
    if kind in WEB_PAGES:
        page = WEB_PAGES[kind].format(id=item_id)
        return InlineKeyboardButton(label, url=f"{public_url}/p/{slug}/{page}")
    return None


def _nudge_button(visitor: Visitor, item: Item, number: int) -> InlineKeyboardButton | None:
    kind, _, item_id = (item.subject or "").partition(":")
    if not item.missing or kind not in _NUDGE_CODES:
        return None
    return InlineKeyboardButton(
        "🔔 "
        + visitor._("%(number)s. Remind the %(count)s missing", number=number, count=item.missing),
        callback_data=encode("ndg", visitor.project.id, _NUDGE_CODES[kind], int(item_id), "ask"),
    )


def _buttons(
    visitor: Visitor, public_url: str, slug: str, item: Item, number: int
) -> list[InlineKeyboardButton]:
    if item.subject is None:
        return []
    buttons = [
        _nudge_button(visitor, item, number),
        _open_button(visitor, public_url, slug, item.subject, number),
    ]
    return [button for button in buttons if button is not None]


def _fit(visitor: Visitor, heading: str, lines: list[str]) -> tuple[str, int]:
    """Return the text of as many lines as one message holds, and how many lines it shows."""
    count = min(len(lines), ITEMS_SHOWN)
    while True:
        left_off = len(lines) - count
        more = ["  " + visitor._("… and %(count)s more", count=left_off)] if left_off else []
        text = "\n".join([heading, *lines[:count], *more])
        # A heading and "… and N more" always fit.
        if len(text) <= MESSAGE_MAX or count == 0:
            return text, count
        count -= 1


def section_message(
    visitor: Visitor,
    section: Section,
    *,
    public_url: str,
    slug: str,
    last: bool,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return one section as a message: its items numbered when they have buttons."""
    rows = []
    lines = section.lines
    if section.key in ACTIONABLE and section.items:
        rows = [
            _buttons(visitor, public_url, slug, item, number)
            for number, item in enumerate(section.items, start=1)
        ]
        if any(rows):
            lines = [
                f"  {number}. {item.text}" for number, item in enumerate(section.items, start=1)
            ]
        else:
            rows = []
    text, shown = _fit(visitor, section.heading, lines)
    keyboard = [row for row in rows[:shown] if row]
    if last:
        keyboard += back_to_menu(visitor).inline_keyboard
    return text, InlineKeyboardMarkup(keyboard) if keyboard else None


def nudge_confirmation(
    visitor: Visitor, code: str, item: Pending
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask before reminding: a stray tap must send nothing."""
    text = visitor._(
        "Remind the members missing on “%(title)s” (%(count)s): %(names)s?",
        title=item.title,
        count=len(item.members),
        names=", ".join(member.name for member in item.members),
    )
    project_id, item_id = visitor.project.id, item.item_id
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    visitor._("Yes, remind them"),
                    callback_data=encode("ndg", project_id, code, item_id, "yes"),
                ),
                InlineKeyboardButton(
                    visitor._("No"), callback_data=encode("ndg", project_id, code, item_id, "no")
                ),
            ]
        ]
    )
    return text, keyboard
