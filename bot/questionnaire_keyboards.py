"""How questionnaires look in Telegram: the lists, one question with its keyboard, the recap.

Every question is drawn by `question_screen`, whatever led to it (opening the questionnaire, an
answer, Back, a recap's Change, a restart), so that a question always looks the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import encode
from bot.visitor import Visitor
from voisinage.errors import N_
from voisinage.questionnaire_answers import Progress
from voisinage.questionnaire_participation import OpenQuestionnaire, RespondentStatus
from voisinage.questionnaire_results import display_value
from voisinage.questionnaire_specs import (
    TEXT_LENGTH_DEFAULT,
    YES_NO_LABELS,
    QuestionKind,
    QuestionnaireState,
    QuestionnaireView,
    QuestionView,
    Value,
    option_keys,
    plain_number,
)
from voisinage.questionnaire_values import with_unit

# Telegram refuses longer messages.
MESSAGE_MAX = 4096
INTRODUCTION_SHOWN = 1500
HELP_SHOWN = 1500
ANSWER_SHOWN = 300
RECAP_LABEL_SHOWN = 80
RECAP_ANSWER_SHOWN = 120
# Telegram shows at most 8 buttons in a row; fewer stay readable on a phone.
SCALE_PER_ROW = 6
CHANGES_PER_ROW = 4
# Kinds answered by typing a message (a scale also has its buttons).
TYPED_KINDS = frozenset({QuestionKind.NUMBER, QuestionKind.SCALE, QuestionKind.TEXT})

ANSWER_STATES = {
    "not_started": N_("not started"),
    "draft": N_("in progress"),
    "submitted": N_("sent"),
}
QUESTIONNAIRE_STATES = {
    QuestionnaireState.DRAFT: N_("draft"),
    QuestionnaireState.SCHEDULED: N_("scheduled"),
    QuestionnaireState.OPEN: N_("open"),
    QuestionnaireState.CLOSED: N_("closed"),
}


def button_stamp(question: QuestionView) -> str:
    """Return a fingerprint of what a question's buttons mean: its kind, options and scale.

    Each button carries it, so that a button made before the question changed is refused
    rather than read as another option.
    """
    meaning = repr((question.kind, option_keys(question), question.min_value, question.max_value))
    return hashlib.blake2s(meaning.encode(), digest_size=4).hexdigest()


def scale_values(question: QuestionView) -> list[Decimal]:
    """Return the values a scale offers, lowest first (its buttons, by index)."""
    span = int(question.max_value - question.min_value)
    return [question.min_value + step for step in range(span + 1)]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def _door(visitor: Visitor, label: str, door: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode("menu", visitor.project.id, door))


def _back_to_list(visitor: Visitor) -> InlineKeyboardButton:
    return _door(visitor, visitor._("Back to the questionnaires"), "questionnaires")


def option_labels(visitor: Visitor, question: QuestionView) -> list[str]:
    """Return the labels of a question's options, in order; yes and no in the reader's language."""
    if question.kind == QuestionKind.YES_NO:
        return [visitor._(YES_NO_LABELS[key]) for key in option_keys(question)]
    return [option.label for option in question.options]


def shown_answer(visitor: Visitor, question: QuestionView, value: Value) -> str:
    """Return an answer as the resident reads it: option labels, a number with its unit, a text."""
    if question.kind == QuestionKind.YES_NO:
        return visitor._(YES_NO_LABELS[value])
    if isinstance(value, Decimal):
        return with_unit(value, question.unit)
    return display_value(question, value)


def _title(visitor: Visitor, title: str, round_number: int) -> str:
    """Return a questionnaire's title, with its round after the first (both rounds are listed)."""
    if round_number == 1:
        return title
    return visitor._("%(title)s (round %(round)s)", title=title, round=round_number)


def _ticked(label: str, ticked: bool) -> str:
    return f"✓ {label}" if ticked else label


def _number_hint(visitor: Visitor, question: QuestionView) -> str:
    low, high, unit = question.min_value, question.max_value, question.unit
    if low is not None and high is not None:
        hint = visitor._(
            "Type a number from %(min)s to %(max)s.",
            min=with_unit(low, unit),
            max=with_unit(high, unit),
        )
    elif low is not None:
        hint = visitor._("Type a number of at least %(min)s.", min=with_unit(low, unit))
    elif high is not None:
        hint = visitor._("Type a number of at most %(max)s.", max=with_unit(high, unit))
    else:
        hint = visitor._("Type a number.")
    if question.step == 1:
        hint += " " + visitor._("Whole numbers only.")
    elif question.step is not None:
        hint += " " + visitor._("In steps of %(step)s.", step=plain_number(question.step))
    return hint


def _hint(visitor: Visitor, question: QuestionView, picked: Sequence[str]) -> str:
    """Say how to answer: which buttons to press, or what to type."""
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        return visitor._("Choose your answer below.")
    if kind == QuestionKind.MULTIPLE_CHOICE:
        hint = visitor._("Tap every answer that applies, then press Done.")
        if question.max_choices:
            hint += " " + visitor._("At most %(max)s.", max=question.max_choices)
        return hint
    if kind == QuestionKind.RANKING:
        hint = visitor._(
            "Tap the options in order of priority, the most important first, then press Done."
        )
        if picked:
            labels = dict(zip(option_keys(question), option_labels(visitor, question), strict=True))
            order = "\n".join(f"{rank}. {labels[key]}" for rank, key in enumerate(picked, start=1))
            hint += "\n" + visitor._("Your order so far:") + "\n" + order
        return hint
    if kind == QuestionKind.SCALE:
        ends = [
            f"{plain_number(value)} ({label})" if label else plain_number(value)
            for value, label in (
                (question.min_value, question.min_label),
                (question.max_value, question.max_label),
            )
        ]
        return visitor._("From %(min)s to %(max)s: tap a number below.", min=ends[0], max=ends[1])
    if kind == QuestionKind.NUMBER:
        return _number_hint(visitor, question)
    return visitor._(
        "Type your answer as a message (at most %(max)s characters).",
        max=question.max_length or TEXT_LENGTH_DEFAULT,
    )


def question_screen(
    visitor: Visitor,
    progress: Progress,
    question: QuestionView,
    picked: Sequence[str],
    *,
    introduction: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    """Return the message asking one question, and its keyboard.

    `picked`: the options ticked or ranked so far (multiple choice and ranking questions).
    `introduction`: begin with the questionnaire's introduction (the first time it is opened).
    """
    view = progress.questionnaire
    parts = [view.title]
    if introduction:
        if view.introduction:
            parts.append(_shorten(view.introduction, INTRODUCTION_SHOWN))
        parts.append(
            visitor._(
                "Your answers are saved as you give them. Send /menu to leave: you will carry on "
                "from where you were."
            )
        )
    header = visitor._(
        "Question %(number)s / %(total)s",
        number=progress.number(question.id),
        total=len(progress.visible),
    )
    if question.optional:
        header += " · " + visitor._("optional")
    body = question.label
    if question.help:
        body += "\n" + _shorten(question.help, HELP_SHOWN)
    parts += [header, body, _hint(visitor, question, picked)]
    if question.id in progress.answers:
        answer = shown_answer(visitor, question, progress.answers[question.id])
        parts.append(visitor._("Your answer: %(answer)s", answer=_shorten(answer, ANSWER_SHOWN)))
    elif question.id in progress.skipped:
        parts.append(visitor._("You skipped this question."))
    text = _shorten("\n\n".join(parts), MESSAGE_MAX)
    return text, _question_keyboard(visitor, progress, question, picked)


def _question_keyboard(
    visitor: Visitor, progress: Progress, question: QuestionView, picked: Sequence[str]
) -> InlineKeyboardMarkup:
    stamp = button_stamp(question)

    def button(label: str, action: str, index: int = 0) -> InlineKeyboardButton:
        data = encode(
            "qa", visitor.project.id, progress.questionnaire.id, question.id, stamp, action, index
        )
        return InlineKeyboardButton(label, callback_data=data)

    answer = progress.answers.get(question.id)
    options = list(
        enumerate(zip(option_keys(question), option_labels(visitor, question), strict=True))
    )
    kind = question.kind
    rows: list[list[InlineKeyboardButton]] = []
    if kind == QuestionKind.YES_NO:
        rows.append(
            [button(_ticked(label, key == answer), "pick", i) for i, (key, label) in options]
        )
    elif kind == QuestionKind.SINGLE_CHOICE:
        rows += [[button(_ticked(label, key == answer), "pick", i)] for i, (key, label) in options]
    elif kind == QuestionKind.SCALE:
        values = [
            button(_ticked(plain_number(value), value == answer), "pick", i)
            for i, value in enumerate(scale_values(question))
        ]
        rows += _rows(values, SCALE_PER_ROW)
    elif kind == QuestionKind.MULTIPLE_CHOICE:
        rows += [[button(_ticked(label, key in picked), "tog", i)] for i, (key, label) in options]
        rows.append([button(visitor._("Done"), "done")])
    elif kind == QuestionKind.RANKING:
        if not question.max_choices or len(picked) < question.max_choices:
            rows += [[button(label, "rank", i)] for i, (key, label) in options if key not in picked]
        controls = [button(visitor._("Undo"), "undo")] if picked else []
        rows.append([*controls, button(visitor._("Done"), "done")])
    navigation = []
    if progress.number(question.id) > 1:
        navigation.append(button(visitor._("« Back"), "back"))
    if question.optional:
        navigation.append(button(visitor._("Skip"), "skip"))
    # A typed answer already given needs a way on without typing it again.
    answered = question.id in progress.answers or question.id in progress.skipped
    if kind in (QuestionKind.NUMBER, QuestionKind.TEXT) and answered:
        navigation.append(button(visitor._("Next »"), "next"))
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(rows)


def recap_screen(visitor: Visitor, progress: Progress) -> tuple[list[str], InlineKeyboardMarkup]:
    """Return the recap of every answer, as one message or more, and the keyboard of the last."""
    view = progress.questionnaire
    lines = [visitor._("Your answers to “%(title)s”:", title=view.title)]
    for number, question in enumerate(progress.visible, start=1):
        if question.id in progress.answers:
            answer = shown_answer(visitor, question, progress.answers[question.id])
            answer = _shorten(answer, RECAP_ANSWER_SHOWN)
        elif question.id in progress.skipped:
            answer = visitor._("(skipped)")
        else:
            answer = visitor._("(not answered yet)")
        lines.append(f"{number}. {_shorten(question.label, RECAP_LABEL_SHOWN)}\n→ {answer}")
    if progress.submitted:
        lines.append(
            visitor._(
                "Sent on %(date)s. You can still change an answer until the questionnaire closes.",
                date=visitor.t.datetime(
                    progress.submitted_at, visitor.project.timezone, format="short"
                ),
            )
        )
    elif progress.missing:
        numbers = ", ".join(str(progress.number(q.id)) for q in progress.missing)
        lines.append(visitor._("Still to answer before sending: %(numbers)s.", numbers=numbers))
    else:
        lines.append(
            visitor._(
                "Check your answers, then send them: until you do, they are a draft that does "
                "not count."
            )
        )
    return _messages(lines), _recap_keyboard(visitor, progress)


def _messages(lines: list[str]) -> list[str]:
    """Join lines into as few messages as Telegram's length limit allows."""
    messages = [""]
    for line in lines:
        joined = f"{messages[-1]}\n\n{line}" if messages[-1] else line
        if len(joined) <= MESSAGE_MAX:
            messages[-1] = joined
        else:
            messages.append(line)
    return messages


def _recap_keyboard(visitor: Visitor, progress: Progress) -> InlineKeyboardMarkup:
    project_id, questionnaire_id = visitor.project.id, progress.questionnaire.id
    changes = [
        InlineKeyboardButton(
            visitor._("Change %(number)s", number=number),
            callback_data=encode(
                "qa", project_id, questionnaire_id, question.id, button_stamp(question), "show", 0
            ),
        )
        for number, question in enumerate(progress.visible, start=1)
    ]
    rows = _rows(changes, CHANGES_PER_ROW)
    # A sent answer set stays sent while it is complete: changes need no second sending.
    if progress.missing or not progress.submitted:
        label, step = (
            (visitor._("Carry on answering"), "go")
            if progress.missing
            else (visitor._("Send my answers"), "send")
        )
        data = encode("qs", project_id, questionnaire_id, step)
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    rows.append([_back_to_list(visitor)])
    return InlineKeyboardMarkup(rows)


def sent_screen(visitor: Visitor, progress: Progress) -> tuple[str, InlineKeyboardMarkup]:
    """Return the confirmation that the answers were sent."""
    view = progress.questionnaire
    text = visitor._("Thank you! Your answers to “%(title)s” have been sent.", title=view.title)
    if view.closes_at is not None:
        text += " " + visitor._(
            "You can change them from the menu until %(date)s.",
            date=visitor.t.datetime(view.closes_at, visitor.project.timezone, format="short"),
        )
    else:
        text += " " + visitor._("You can change them from the menu until the questionnaire closes.")
    keyboard = [[_back_to_list(visitor)], [_door(visitor, visitor._("Back to the menu"), "main")]]
    return text, InlineKeyboardMarkup(keyboard)


def open_list(
    visitor: Visitor, questionnaires: Sequence[OpenQuestionnaire]
) -> tuple[str, InlineKeyboardMarkup]:
    """Return the questionnaires a resident can answer, and how far they are in each."""
    back = [_door(visitor, visitor._("Back to the menu"), "main")]
    if not questionnaires:
        text = visitor._("No questionnaire is open for you at the moment.")
        return text, InlineKeyboardMarkup([back])
    lines = [visitor._("Questionnaires you can answer:")]
    for item in questionnaires:
        line = f"• {_title(visitor, item.title, item.round_number)}: "
        line += visitor._(ANSWER_STATES[item.state])
        if item.closes_at is not None:
            line += " " + visitor._(
                "(until %(date)s)",
                date=visitor.t.datetime(item.closes_at, visitor.project.timezone, format="short"),
            )
        lines.append(line)
    buttons = [
        [
            InlineKeyboardButton(
                _title(visitor, item.title, item.round_number),
                callback_data=encode("qo", visitor.project.id, item.id),
            )
        ]
        for item in questionnaires
    ]
    return "\n".join(lines), InlineKeyboardMarkup([*buttons, back])


def _facilitator_button(
    visitor: Visitor, label: str, questionnaire_id: int, action: str
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=encode("qf", visitor.project.id, questionnaire_id, action)
    )


def _state_label(visitor: Visitor, view: QuestionnaireView, now: datetime) -> str:
    return visitor._(QUESTIONNAIRE_STATES[view.state(now)])


def facilitator_list(
    visitor: Visitor, views: Sequence[QuestionnaireView], now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """Return the project's questionnaires as a facilitator sees them, to open or close one."""
    back = [_door(visitor, visitor._("Back to the menu"), "main")]
    if not views:
        text = visitor._(
            "%(project)s has no questionnaire yet. Create one on the web forms (/web).",
            project=visitor.project.name,
        )
        return text, InlineKeyboardMarkup([back])
    lines = [visitor._("Questionnaires of %(project)s:", project=visitor.project.name)]
    titles = [_title(visitor, view.title, view.round_number) for view in views]
    lines += [
        f"• {title}: {_state_label(visitor, view, now)}"
        for title, view in zip(titles, views, strict=True)
    ]
    lines.append(visitor._("Choose one to open or close it."))
    buttons = [
        [_facilitator_button(visitor, title, view.id, "view")]
        for title, view in zip(titles, views, strict=True)
    ]
    return "\n".join(lines), InlineKeyboardMarkup([*buttons, back])


def facilitator_detail(
    visitor: Visitor,
    view: QuestionnaireView,
    respondents: Sequence[RespondentStatus],
    now: datetime,
    *,
    news: str = "",
) -> tuple[str, InlineKeyboardMarkup]:
    """Return one questionnaire's state and answers so far, with the button to open or close it."""
    state = view.state(now)
    lines = [news] if news else []
    title = _title(visitor, view.title, view.round_number)
    lines.append(f"“{title}”: {_state_label(visitor, view, now)}")
    if view.closes_at is not None and state != QuestionnaireState.CLOSED:
        lines.append(
            visitor._(
                "Closes on %(date)s.",
                date=visitor.t.datetime(view.closes_at, visitor.project.timezone, format="short"),
            )
        )
    sent = sum(1 for r in respondents if r.state == "submitted")
    drafts = sum(1 for r in respondents if r.state == "draft")
    lines.append(
        visitor._(
            "Answers sent: %(sent)s of %(eligible)s. Drafts: %(drafts)s.",
            sent=sent,
            eligible=len(respondents),
            drafts=drafts,
        )
    )
    rows = []
    if state in (QuestionnaireState.DRAFT, QuestionnaireState.CLOSED):
        rows.append([_facilitator_button(visitor, visitor._("Open it"), view.id, "ask_open")])
    else:
        rows.append([_facilitator_button(visitor, visitor._("Close it"), view.id, "ask_close")])
    rows.append([_back_to_list(visitor)])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def confirmation(
    visitor: Visitor, view: QuestionnaireView, action: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Return the question a facilitator confirms before opening ("open") or closing ("close")."""
    if action == "open":
        text = visitor._(
            "Open “%(title)s” for answers now? Residents will find it under Questionnaires in "
            "their menu.",
            title=view.title,
        )
        yes = visitor._("Yes, open it")
    else:
        text = visitor._(
            "Close “%(title)s” now? Nobody will be able to answer or change their answers any "
            "more, and drafts will not count.",
            title=view.title,
        )
        yes = visitor._("Yes, close it")
    rows = [
        [_facilitator_button(visitor, yes, view.id, action)],
        [_facilitator_button(visitor, visitor._("No, go back"), view.id, "view")],
    ]
    return text, InlineKeyboardMarkup(rows)
