"""Answering a questionnaire, one question per message, as a persistent conversation.

Answers are saved in the database as they are given (the web page sees them at once), so where
to resume is read from there: the first question neither answered nor skipped. The person's
data only holds the question on screen, which a typed answer answers, and the options ticked
or ranked so far before Done; both survive a restart (bot.persistence).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import questionnaire_keyboards as screens
from bot import run_db
from bot.callback_data import Button
from bot.conversations import typed_step_conversation
from bot.handlers import menu
from bot.replies import show
from bot.visitor import Context, StaleButton, Visitor, engine_of, on_button, on_message
from voisinage.errors import N_
from voisinage.models import utcnow
from voisinage.questionnaire_answers import (
    Progress,
    check_accepting,
    progress,
    save_answer,
    skip_question,
    submit_answers,
)
from voisinage.questionnaire_specs import (
    QuestionKind,
    QuestionView,
    StaleAnswer,
    option_keys,
)
from voisinage.questionnaire_values import check_answer

# The person's data key: {"project", "questionnaire", "question" (None on the recap), "picked"}.
ANSWERING = "questionnaire"
# The conversation's one step: a question or the recap is on screen.
ON_SCREEN = 0
END = ConversationHandler.END

LOST = N_("Open the questionnaire again from /menu to go on answering.")


async def _progress(context: Context, visitor: Visitor, questionnaire_id: int) -> Progress:
    return await run_db.read(
        engine_of(context),
        progress,
        project_id=visitor.project.id,
        questionnaire_id=questionnaire_id,
        member_id=visitor.member.id,
    )


async def _write(
    context: Context, visitor: Visitor, work: Callable[..., Progress], **kwargs: Any
) -> Progress:
    return await run_db.write(
        engine_of(context),
        work,
        project_id=visitor.project.id,
        member_id=visitor.member.id,
        **kwargs,
    )


def _remember(
    context: Context,
    visitor: Visitor,
    progress: Progress,
    question: QuestionView | None,
    picked: list[str],
) -> None:
    context.user_data[ANSWERING] = {
        "project": visitor.project.id,
        "questionnaire": progress.questionnaire.id,
        "question": question.id if question else None,
        "picked": list(picked),
    }


def _picked(context: Context, progress: Progress, question: QuestionView) -> list[str]:
    """Return the options ticked or ranked so far: as left before Done, else as saved."""
    state = context.user_data.get(ANSWERING) or {}
    if (state.get("questionnaire"), state.get("question")) == (
        progress.questionnaire.id,
        question.id,
    ):
        return [key for key in state.get("picked", []) if key in option_keys(question)]
    answer = progress.answers.get(question.id)
    return list(answer) if isinstance(answer, tuple) else []


async def _ask(
    update: Update,
    context: Context,
    visitor: Visitor,
    progress: Progress,
    question: QuestionView,
    picked: list[str] | None = None,
) -> int:
    """Show a question (see questionnaire_keyboards.question_screen) and remember it."""
    if picked is None:
        picked = _picked(context, progress, question)
    _remember(context, visitor, progress, question, picked)
    first_time = not progress.answers and not progress.skipped
    await show(
        update,
        *screens.question_screen(visitor, progress, question, picked, introduction=first_time),
    )
    return ON_SCREEN


async def _recap(update: Update, context: Context, visitor: Visitor, progress: Progress) -> int:
    _remember(context, visitor, progress, None, [])
    messages, keyboard = screens.recap_screen(visitor, progress)
    for text in messages[:-1]:
        await update.effective_chat.send_message(text)
    if len(messages) > 1:
        await update.effective_chat.send_message(messages[-1], reply_markup=keyboard)
    else:
        await show(update, messages[-1], keyboard)
    return ON_SCREEN


async def _resume(update: Update, context: Context, visitor: Visitor, progress: Progress) -> int:
    """Show the first question still waiting for an answer, else the recap."""
    if progress.resume is None:
        return await _recap(update, context, visitor, progress)
    return await _ask(update, context, visitor, progress, progress.resume)


async def _after(
    update: Update, context: Context, visitor: Visitor, progress: Progress, question: QuestionView
) -> int:
    """Go on after a question: to the next if it waits for an answer, else where answers lack."""
    following = progress.following(question.id)
    if following is not None and following == progress.resume:
        return await _ask(update, context, visitor, progress, following)
    return await _resume(update, context, visitor, progress)


async def questionnaire_chosen(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> int:
    """Open a questionnaire where the resident left off: their answers say where."""
    current = await _progress(context, visitor, pressed.args[1])
    check_accepting(current.questionnaire, utcnow())
    if current.submitted:
        return await _recap(update, context, visitor, current)
    return await _resume(update, context, visitor, current)


async def step_pressed(update: Update, context: Context, visitor: Visitor, pressed: Button) -> int:
    """Carry on from the recap, or send the answers."""
    _, questionnaire_id, step = pressed.args
    current = await _progress(context, visitor, questionnaire_id)
    check_accepting(current.questionnaire, utcnow())
    if step == "go":
        return await _resume(update, context, visitor, current)
    # A second press of Send (a double click) has nothing more to send.
    sent = current
    if not current.submitted:
        sent = await _write(context, visitor, submit_answers, questionnaire_id=questionnaire_id)
    context.user_data.pop(ANSWERING, None)
    await show(update, *screens.sent_screen(visitor, sent))
    return END


async def question_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> int:
    """Act on a question's button, once sure the button still means what it meant."""
    _, questionnaire_id, question_id, stamp, action, index = pressed.args
    current = await _progress(context, visitor, questionnaire_id)
    check_accepting(current.questionnaire, utcnow())
    question = current.questionnaire.question(question_id)
    current.number(question_id)  # Refuses a question the answers given since now hide.
    if stamp != screens.button_stamp(question):
        # Replace the old keyboard with the question as it is now, then say why.
        await _ask(update, context, visitor, current, question)
        raise StaleAnswer()
    if action not in ACTIONS_BY_KIND[question.kind]:
        raise StaleButton()
    return await QUESTION_ACTIONS[action](Press(update, context, visitor, current, question, index))


@dataclass(frozen=True)
class Press:
    """A question's button pressed: who, where they stand, and which option (if any)."""

    update: Update
    context: Context
    visitor: Visitor
    current: Progress
    question: QuestionView
    index: int = 0

    async def ask(
        self, question: QuestionView | None = None, picked: list[str] | None = None
    ) -> int:
        return await _ask(
            self.update, self.context, self.visitor, self.current, question or self.question, picked
        )

    async def go_on(self, progress: Progress) -> int:
        return await _after(self.update, self.context, self.visitor, progress, self.question)

    def picked(self) -> list[str]:
        return _picked(self.context, self.current, self.question)

    def option(self) -> Any:
        """Return the option key (or scale value) the button's index stands for."""
        question = self.question
        choices = (
            screens.scale_values(question)
            if question.kind == QuestionKind.SCALE
            else list(option_keys(question))
        )
        if self.index >= len(choices):
            raise StaleButton()
        return choices[self.index]


async def _save(press: Press, value: Any) -> int:
    saved = await _write(
        press.context,
        press.visitor,
        save_answer,
        questionnaire_id=press.current.questionnaire.id,
        question_id=press.question.id,
        value=value,
    )
    return await press.go_on(saved)


async def _pick(press: Press) -> int:
    return await _save(press, press.option())


async def _toggle(press: Press) -> int:
    key, picked = press.option(), press.picked()
    if key in picked:
        picked.remove(key)
    else:
        picked.append(key)
        if press.question.max_choices and len(picked) > press.question.max_choices:
            check_answer(press.question, picked)  # Refuses with the limit, in the domain's words.
    return await press.ask(picked=picked)


async def _rank(press: Press) -> int:
    key, picked = press.option(), press.picked()
    # Pressing an option already ranked (an older keyboard, a double tap) changes nothing.
    if key not in picked:
        picked.append(key)
        if press.question.max_choices and len(picked) > press.question.max_choices:
            check_answer(press.question, picked)
    return await press.ask(picked=picked)


async def _undo(press: Press) -> int:
    return await press.ask(picked=press.picked()[:-1])


async def _done(press: Press) -> int:
    return await _save(press, tuple(press.picked()))


async def _skip(press: Press) -> int:
    skipped = await _write(
        press.context,
        press.visitor,
        skip_question,
        questionnaire_id=press.current.questionnaire.id,
        question_id=press.question.id,
    )
    return await press.go_on(skipped)


async def _back(press: Press) -> int:
    return await press.ask(press.current.previous(press.question.id))


async def _next(press: Press) -> int:
    return await press.go_on(press.current)


async def _show(press: Press) -> int:
    return await press.ask()


Action = Callable[[Press], Awaitable[int]]
QUESTION_ACTIONS: dict[str, Action] = {
    "pick": _pick,
    "tog": _toggle,
    "rank": _rank,
    "undo": _undo,
    "done": _done,
    "skip": _skip,
    "back": _back,
    "next": _next,
    "show": _show,
}
_EVERY_KIND = {"skip", "back", "show"}
# The buttons each kind of question has (see questionnaire_keyboards._question_keyboard).
ACTIONS_BY_KIND: dict[str, frozenset[str]] = {
    QuestionKind.SINGLE_CHOICE: frozenset({"pick", *_EVERY_KIND}),
    QuestionKind.YES_NO: frozenset({"pick", *_EVERY_KIND}),
    QuestionKind.SCALE: frozenset({"pick", *_EVERY_KIND}),
    QuestionKind.MULTIPLE_CHOICE: frozenset({"tog", "done", *_EVERY_KIND}),
    QuestionKind.RANKING: frozenset({"rank", "undo", "done", *_EVERY_KIND}),
    QuestionKind.NUMBER: frozenset({"next", *_EVERY_KIND}),
    QuestionKind.TEXT: frozenset({"next", *_EVERY_KIND}),
}


async def _on_screen(
    context: Context, visitor: Visitor, state: dict
) -> tuple[Progress, QuestionView | None]:
    """Return the resident's progress and the question on screen (None: the recap)."""
    current = await _progress(context, visitor, state["questionnaire"])
    check_accepting(current.questionnaire, utcnow())
    if state["question"] is None:
        return current, None
    question = current.questionnaire.question(state["question"])
    current.number(question.id)
    return current, question


@on_message
async def typed(update: Update, context: Context, visitor: Visitor) -> int | None:
    """Take a typed message as the answer to the number or text question on screen."""
    state = context.user_data.get(ANSWERING)
    if state is None or visitor.member is None or state["project"] != visitor.project.id:
        # Their data was erased (/forget), or they switched to another project meanwhile.
        await update.effective_chat.send_message(visitor._(LOST))
        return END
    current, question = await _on_screen(context, visitor, state)
    if question is None or question.kind not in screens.TYPED_KINDS:
        await update.effective_chat.send_message(
            visitor._(
                "Please answer with the buttons above. Send /menu to leave the questionnaire."
            )
        )
        return None
    return await _save(
        Press(update, context, visitor, current, question), update.effective_message.text
    )


@on_message
async def not_text(update: Update, context: Context, visitor: Visitor) -> None:
    await update.effective_chat.send_message(
        visitor._(
            "I can only read text here: type your answer, or use the buttons above. "
            "Send /menu to leave the questionnaire."
        )
    )


@on_message
async def leave_for_menu(update: Update, context: Context, visitor: Visitor) -> int:
    """Leave the questionnaire for the menu; the answers given stay saved."""
    await menu.show_menu(update, context, visitor)
    return END


async def leave_by_door(update: Update, context: Context, visitor: Visitor, pressed: Button) -> int:
    """Leave the questionnaire through a menu button of an older message."""
    await menu.door_pressed(update, context, visitor, pressed)
    return END


@on_message
async def cancel(update: Update, context: Context, visitor: Visitor) -> int:
    await update.effective_chat.send_message(
        visitor._(
            "You have left the questionnaire. Your answers so far are saved: open it again "
            "from /menu to carry on."
        )
    )
    return END


def answering() -> ConversationHandler:
    """Return the persistent conversation of a resident answering a questionnaire."""
    return typed_step_conversation(
        name="questionnaire",
        buttons=[
            on_button("qo", questionnaire_chosen),
            on_button("qa", question_pressed),
            on_button("qs", step_pressed),
        ],
        state=ON_SCREEN,
        typed=typed,
        not_text=not_text,
        leave_for_menu=leave_for_menu,
        cancel=cancel,
        leave_by_door=leave_by_door,
    )
