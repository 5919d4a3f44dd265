"""Voting from a ballot's card, in one message edited in place, as a persistent conversation.

The choice is put together button by button (a grade per option, ticks, a ranking), shown in a
recap, and cast only when confirmed, through `voisinage.ballot_votes.cast_vote`, which checks
everything again. The person's data holds the draft: the ballot, the voices voted with, and the
choice so far; it survives a restart (bot.persistence). The conversation's one state waits for
the reason of an objection, typed as a message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot import run_db
from bot import vote_keyboards as screens
from bot.callback_data import Button
from bot.conversations import typed_step_conversation
from bot.handlers import menu, votes
from bot.replies import show
from bot.visitor import Context, StaleButton, Visitor, engine_of, on_button, on_message
from voisinage.ballot_rules import check_choice
from voisinage.ballot_votes import VoiceStatus, cast_vote
from voisinage.ballots import require_open
from voisinage.models import utcnow
from voisinage.tallies import Consent, Method

# The person's data key: {"project", "ballot", "for" (member ids), "draft", "step"}.
VOTING = "vote"
# Steps of a draft: choosing, typing an objection's reason, reading the recap.
CHOOSING, REASON, RECAP = "choosing", "reason", "recap"
# The conversation's one state: an objection's reason is awaited.
AWAITING_REASON = 0
END = ConversationHandler.END


def _empty_draft(method: Method) -> Any:
    if method is Method.MAJORITY_JUDGMENT:
        return {}
    if method in (Method.APPROVAL, Method.RANKED):
        return []
    return None


async def _open_card(context: Context, visitor: Visitor, ballot_id: int) -> screens.Card:
    """Return the ballot's card; refuse unless it takes votes now."""
    card = await votes.load_card(context, visitor, ballot_id)
    require_open(card.ballot, utcnow())
    return card


def _voices(card: screens.Card, member_ids: list[int]) -> list[VoiceStatus]:
    """Return the voices of a draft; refuse one the member no longer votes with."""
    by_member = {status.member_id: status for status in card.voices}
    if any(member_id not in by_member for member_id in member_ids):
        raise StaleButton()
    return [by_member[member_id] for member_id in member_ids]


def _draft(context: Context, visitor: Visitor, ballot_id: int, *steps: str) -> dict:
    """Return the draft of this ballot at one of `steps`; refuse a button of another screen."""
    state = context.user_data.get(VOTING)
    if (
        not state
        or (state["project"], state["ballot"]) != (visitor.project.id, ballot_id)
        or state["step"] not in steps
    ):
        raise StaleButton()
    return state


async def _choose(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, state: dict
) -> int:
    """Show the buttons of the choice being put together, and remember the draft."""
    state["step"] = CHOOSING
    context.user_data[VOTING] = state
    ballot = card.ballot
    await show(
        update,
        screens.voting_text(visitor.t, ballot, _voices(card, state["for"]), state["draft"]),
        screens.voting_keyboard(visitor.t, visitor.project.id, ballot, state["draft"]),
    )
    return END


async def _recap(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, state: dict, choice: Any
) -> int:
    """Check the complete choice as the count would, then ask to confirm it."""
    state["draft"] = check_choice(card.ballot.rules, choice)
    state["step"] = RECAP
    context.user_data[VOTING] = state
    await show(
        update,
        screens.recap_text(visitor.t, card.ballot, _voices(card, state["for"]), state["draft"]),
        screens.recap_keyboard(visitor.t, visitor.project.id, card.ballot.id),
    )
    return END


async def _start(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, member_ids: list[int]
) -> int:
    state = {
        "project": visitor.project.id,
        "ballot": card.ballot.id,
        "for": member_ids,
        "draft": _empty_draft(card.ballot.method),
        "step": CHOOSING,
    }
    return await _choose(update, context, visitor, card, state)


async def ballot_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> int:
    """Show a ballot's card; a draft left unconfirmed is dropped."""
    context.user_data.pop(VOTING, None)
    await votes.show_card(update, context, visitor, pressed.args[1])
    return END


async def voice_pressed(update: Update, context: Context, visitor: Visitor, pressed: Button) -> int:
    """Start voting with one voice: the member's own, or one they hold by proxy."""
    _, ballot_id, member_id = pressed.args
    card = await _open_card(context, visitor, ballot_id)
    _voices(card, [member_id])
    return await _start(update, context, visitor, card, [member_id])


def _pick(card: screens.Card, index: int) -> Any:
    choices = screens.PICKS.get(card.ballot.method, ())
    if index >= len(choices):
        raise StaleButton()
    return choices[index]


def _option_key(card: screens.Card, index: int) -> str:
    if index >= len(card.ballot.options):
        raise StaleButton()
    return card.ballot.options[index].key


async def _all(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, index: int
) -> int:
    voices = [status.member_id for status in card.voices if status.channel != "room"]
    return await _start(update, context, visitor, card, voices)


async def _picked(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, index: int
) -> int:
    state = _draft(context, visitor, card.ballot.id, CHOOSING)
    choice = _pick(card, index)
    if card.ballot.method is Method.THRESHOLD:
        return await _recap(update, context, visitor, card, state, choice)
    if choice == Consent.OBJECTION:
        state["step"] = REASON
        context.user_data[VOTING] = state
        await show(
            update,
            screens.reason_text(visitor.t, card.ballot),
            InlineKeyboardMarkup(
                [[screens.cancel_button(visitor.t, visitor.project.id, card.ballot.id)]]
            ),
        )
        return AWAITING_REASON
    return await _recap(update, context, visitor, card, state, {"choice": choice, "reason": ""})


async def _toggled(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, index: int
) -> int:
    state = _draft(context, visitor, card.ballot.id, CHOOSING)
    if card.ballot.method is not Method.APPROVAL:
        raise StaleButton()
    key = _option_key(card, index)
    state["draft"] = [k for k in state["draft"] if k != key] + (
        [] if key in state["draft"] else [key]
    )
    return await _choose(update, context, visitor, card, state)


async def _ranked(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, index: int
) -> int:
    state = _draft(context, visitor, card.ballot.id, CHOOSING)
    if card.ballot.method is not Method.RANKED:
        raise StaleButton()
    key = _option_key(card, index)
    # An option already ranked (an older keyboard, a double tap) changes nothing.
    if key not in state["draft"]:
        state["draft"] = [*state["draft"], key]
    return await _choose(update, context, visitor, card, state)


async def _undone(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, index: int
) -> int:
    state = _draft(context, visitor, card.ballot.id, CHOOSING)
    draft = state["draft"]
    if card.ballot.method is Method.RANKED:
        state["draft"] = draft[:-1]
    elif card.ballot.method is Method.MAJORITY_JUDGMENT:
        state["draft"] = dict(list(draft.items())[:-1])
    else:
        raise StaleButton()
    return await _choose(update, context, visitor, card, state)


async def _done(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, index: int
) -> int:
    state = _draft(context, visitor, card.ballot.id, CHOOSING)
    if card.ballot.method not in (Method.APPROVAL, Method.RANKED):
        raise StaleButton()
    return await _recap(update, context, visitor, card, state, state["draft"])


async def _edited(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, index: int
) -> int:
    state = _draft(context, visitor, card.ballot.id, RECAP)
    return await _start(update, context, visitor, card, state["for"])


async def _confirmed(
    update: Update, context: Context, visitor: Visitor, card: screens.Card, index: int
) -> int:
    state = _draft(context, visitor, card.ballot.id, RECAP)
    receipts = await run_db.write(
        engine_of(context),
        cast_vote,
        project_id=visitor.project.id,
        ballot_id=card.ballot.id,
        member_id=visitor.member.id,
        choice=state["draft"],
        for_member_ids=state["for"],
    )
    context.user_data.pop(VOTING, None)
    changed = any(receipt.changed for receipt in receipts)
    notice = (
        visitor._("Your vote is changed. You can change it again until the ballot closes.")
        if changed
        else visitor._("Your vote is recorded. You can change it until the ballot closes.")
    )
    await votes.show_card(update, context, visitor, card.ballot.id, notice=notice)
    return END


Action = Callable[..., Awaitable[int]]
ACTIONS: dict[str, Action] = {
    "all": _all,
    "pick": _picked,
    "tog": _toggled,
    "rank": _ranked,
    "undo": _undone,
    "done": _done,
    "edit": _edited,
    "ok": _confirmed,
}


async def action_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> int:
    """Act on a voting button, on the ballot as it is now."""
    _, ballot_id, action, index = pressed.args
    card = await _open_card(context, visitor, ballot_id)
    return await ACTIONS[action](update, context, visitor, card, index)


async def grade_pressed(update: Update, context: Context, visitor: Visitor, pressed: Button) -> int:
    """Give the option on screen a grade, then go on to the next option or the recap."""
    _, ballot_id, option_index, grade_index = pressed.args
    card = await _open_card(context, visitor, ballot_id)
    state = _draft(context, visitor, ballot_id, CHOOSING)
    ballot = card.ballot
    # Only the option on screen: a grade pressed twice, or on an older keyboard, is refused.
    if ballot.method is not Method.MAJORITY_JUDGMENT or option_index != screens.next_to_grade(
        ballot, state["draft"]
    ):
        raise StaleButton()
    grades = ballot.rules.grades
    if grade_index >= len(grades):
        raise StaleButton()
    state["draft"] = {**state["draft"], ballot.options[option_index].key: grades[grade_index]}
    if screens.next_to_grade(ballot, state["draft"]) is None:
        return await _recap(update, context, visitor, card, state, state["draft"])
    return await _choose(update, context, visitor, card, state)


@on_message
async def reason_typed(update: Update, context: Context, visitor: Visitor) -> int | None:
    """Take a typed message as the reason of the objection being voted."""
    state = context.user_data.get(VOTING)
    if (
        not state
        or visitor.member is None
        or state["project"] != visitor.project.id
        or state["step"] != REASON
    ):
        await update.effective_chat.send_message(
            visitor._("Open the ballot again from /menu to vote.")
        )
        return END
    card = await _open_card(context, visitor, state["ballot"])
    choice = {"choice": Consent.OBJECTION.value, "reason": update.effective_message.text}
    return await _recap(update, context, visitor, card, state, choice)


@on_message
async def not_text(update: Update, context: Context, visitor: Visitor) -> None:
    await update.effective_chat.send_message(
        visitor._("Type the reason of your objection in a message, or send /cancel.")
    )


@on_message
async def leave_for_menu(update: Update, context: Context, visitor: Visitor) -> int:
    context.user_data.pop(VOTING, None)
    await menu.show_menu(update, context, visitor)
    return END


async def leave_by_door(update: Update, context: Context, visitor: Visitor, pressed: Button) -> int:
    context.user_data.pop(VOTING, None)
    await menu.door_pressed(update, context, visitor, pressed)
    return END


@on_message
async def cancel(update: Update, context: Context, visitor: Visitor) -> int:
    context.user_data.pop(VOTING, None)
    await update.effective_chat.send_message(
        visitor._("You have left the vote: nothing was recorded. Open it again from /menu.")
    )
    return END


def voting() -> ConversationHandler:
    """Return the persistent conversation of a member voting on a ballot."""
    return typed_step_conversation(
        name="votes",
        buttons=[
            on_button("vb", ballot_pressed),
            on_button("vw", voice_pressed),
            on_button("vc", action_pressed),
            on_button("vg", grade_pressed),
        ],
        state=AWAITING_REASON,
        typed=reason_typed,
        not_text=not_text,
        leave_for_menu=leave_for_menu,
        cancel=cancel,
        leave_by_door=leave_by_door,
    )
