"""Questionnaires in the bot: answering every kind of question, the recap, sending, resuming after a
restart, stale and forged buttons, and facilitators opening and closing."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlmodel import func, select

from tests.bot.conftest import NADIA
from voisinage import bot_state
from voisinage.db import read_session, unit_of_work
from voisinage.demo import DEMO_EXPECTATIONS
from voisinage.models import ActionLog, Answer, AnswerSet, Questionnaire
from voisinage.questionnaire_answers import progress, save_answer, save_answers
from voisinage.questionnaire_builder import remove_question, update_question
from voisinage.questionnaire_specs import (
    Condition,
    OptionSpec,
    QuestionnaireSpec,
    QuestionnaireView,
    QuestionSpec,
    question_spec,
)
from voisinage.questionnaire_templates import import_questionnaire, shipped_template
from voisinage.questionnaires import (
    close_questionnaire,
    create_questionnaire,
    open_questionnaire,
    start_second_round,
)

STALE = "This button is no longer valid. Send /menu for a fresh menu."
SPACES = (
    OptionSpec("common_room", "Common room"),
    OptionSpec("laundry", "Laundry"),
    OptionSpec("garden", "Garden"),
    OptionSpec("workshop", "Workshop"),
)
SPEC = QuestionnaireSpec(
    title="Expectations",
    introduction="Tell us what your household needs.",
    questions=(
        QuestionSpec(
            key="tenure",
            kind="single_choice",
            label="Which tenure would you like?",
            options=(
                OptionSpec("ownership", "Buying"),
                OptionSpec("social_rent", "Social rent"),
                OptionSpec("undecided", "Not decided"),
            ),
        ),
        QuestionSpec(
            key="rent",
            kind="number",
            label="Monthly rent?",
            unit="€",
            min_value=Decimal(150),
            max_value=Decimal(1500),
            step=Decimal(10),
            show_if=Condition("tenure", "social_rent"),
        ),
        QuestionSpec(
            key="spaces",
            kind="multiple_choice",
            label="Which shared spaces?",
            options=SPACES,
            max_choices=2,
        ),
        QuestionSpec(key="access", kind="yes_no", label="Accessibility needs?"),
        QuestionSpec(
            key="access_details",
            kind="text",
            label="Which ones?",
            max_length=20,
            show_if=Condition("access", "yes"),
        ),
        QuestionSpec(
            key="involvement",
            kind="scale",
            label="How involved will you be?",
            min_value=Decimal(1),
            max_value=Decimal(5),
            min_label="Not much",
            max_label="A lot",
        ),
        QuestionSpec(
            key="surface",
            kind="number",
            label="Living space?",
            help="Without the shared spaces.",
            unit="m²",
            min_value=Decimal(15),
            max_value=Decimal(200),
            step=Decimal("0.5"),
        ),
        QuestionSpec(key="priority", kind="ranking", label="Rank the spaces.", options=SPACES),
        QuestionSpec(key="remarks", kind="text", label="Remarks?", optional=True, max_length=30),
    ),
)
INTRODUCTION = (
    "Expectations\n\n"
    "Tell us what your household needs.\n\n"
    "Your answers are saved as you give them. Send /menu to leave: you will carry on from "
    "where you were."
)


def _create(engine, people, *, opened: bool = True) -> QuestionnaireView:
    with unit_of_work(engine) as session:
        view = create_questionnaire(session, project_id=people.project.id, spec=SPEC)
        if opened:
            view = open_questionnaire(
                session, project_id=people.project.id, questionnaire_id=view.id
            )
    return view


@pytest.fixture
def questionnaire(engine, people) -> QuestionnaireView:
    """The questionnaire above, open for answers."""
    return _create(engine, people)


def _answers(engine, people, view) -> tuple[bool, dict]:
    """Return whether Nadia's household has sent its answers, and the answers by question key."""
    with read_session(engine) as session:
        current = progress(
            session,
            project_id=people.project.id,
            questionnaire_id=view.id,
            member_id=people.nadia.id,
        )
    keys = {q.id: q.key for q in view.questions}
    answers = {keys[qid]: value for qid, value in current.answers.items()}
    answers.update({keys[qid]: "skipped" for qid in current.skipped})
    return current.submitted, answers


def _rows_written(engine) -> tuple[int, int, int]:
    with read_session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (AnswerSet, Answer, ActionLog)
        )


async def _open_questionnaire(user) -> None:
    user.send("/menu")
    await user.reply()
    user.press("Questionnaires")
    await user.reply()
    user.press("Expectations")


async def test_resident_answers_every_kind_of_question_then_sends(
    running_bot, engine, people, questionnaire, nadia
):
    nadia.send("/menu")
    assert (await nadia.reply()).buttons[0][0] == "Questionnaires"
    nadia.press("Questionnaires")
    listing = await nadia.reply()
    assert listing.text == "Questionnaires you can answer:\n• Expectations: not started"
    assert listing.buttons == [["Expectations"], ["Back to the menu"]]

    nadia.press("Expectations")
    tenure = await nadia.reply()
    assert tenure.text == (
        f"{INTRODUCTION}\n\nQuestion 1 / 7\n\nWhich tenure would you like?\n\n"
        "Choose your answer below."
    )
    assert tenure.buttons == [["Buying"], ["Social rent"], ["Not decided"]]

    # The conditional question appears for this answer only: one question more.
    nadia.press("Social rent")
    rent = await nadia.reply()
    assert rent.text == (
        "Expectations\n\nQuestion 2 / 8\n\nMonthly rent?\n\n"
        "Type a number from 150 € to 1500 €. In steps of 10."
    )
    assert rent.buttons == [["« Back"]]
    for typed, explanation in [
        ("a lot", "Please give a number, for example 65."),
        ("2000", "Please give a number from 150 € to 1500 €."),
        ("855", "855 is not possible here: choose 850 or 860 (steps of 10)."),
    ]:
        nadia.send(typed)
        assert (await nadia.reply()).text == explanation
    assert _answers(engine, people, questionnaire) == (False, {"tenure": "social_rent"})
    nadia.send("850 €")
    spaces = await nadia.reply()
    assert spaces.method == "sendMessage"
    assert spaces.text == (
        "Expectations\n\nQuestion 3 / 8\n\nWhich shared spaces?\n\n"
        "Tap every answer that applies, then press Done. At most 2."
    )
    assert spaces.buttons == [
        ["Common room"],
        ["Laundry"],
        ["Garden"],
        ["Workshop"],
        ["Done"],
        ["« Back"],
    ]

    # Back shows the answer given, and Next goes on without typing it again.
    nadia.press("« Back")
    back = await nadia.reply()
    assert back.text.endswith("Your answer: 850 €")
    assert back.buttons == [["« Back", "Next »"]]
    nadia.press("Next »")
    assert (await nadia.reply()).text == spaces.text

    # Multiple choice: ticks toggle, the maximum is kept.
    nadia.press("Garden")
    nadia.press("Laundry")
    await nadia.reply()
    ticked = await nadia.reply()
    assert ticked.buttons[:4] == [["Common room"], ["✓ Laundry"], ["✓ Garden"], ["Workshop"]]
    third = nadia.press("Common room")
    assert (await nadia.answer_to(third))["text"] == "Too many options chosen: the limit is 2."
    nadia.press("✓ Laundry")
    await nadia.reply()
    nadia.press("Common room")
    assert (await nadia.reply()).buttons[:4] == [
        ["✓ Common room"],
        ["Laundry"],
        ["✓ Garden"],
        ["Workshop"],
    ]
    nadia.press("Done")
    access = await nadia.reply()
    assert access.text.startswith("Expectations\n\nQuestion 4 / 8\n\nAccessibility needs?")
    assert access.buttons == [["Yes", "No"], ["« Back"]]

    nadia.press("Yes")
    details = await nadia.reply()
    assert details.text == (
        "Expectations\n\nQuestion 5 / 9\n\nWhich ones?\n\n"
        "Type your answer as a message (at most 20 characters)."
    )
    nadia.send("A lift to every floor and wide doors")
    assert (await nadia.reply()).text == "Your text is 36 characters long; the limit is 20."
    nadia.send("Step-free access")
    involvement = await nadia.reply()
    assert involvement.text.endswith("From 1 (Not much) to 5 (A lot): tap a number below.")
    assert involvement.buttons == [["1", "2", "3", "4", "5"], ["« Back"]]

    nadia.press("4")
    surface = await nadia.reply()
    assert surface.text == (
        "Expectations\n\nQuestion 7 / 9\n\nLiving space?\nWithout the shared spaces.\n\n"
        "Type a number from 15 m² to 200 m². In steps of 0.5."
    )
    nadia.send("65,5 m²")

    ranking = await nadia.reply()
    assert ranking.buttons == [
        ["Common room"],
        ["Laundry"],
        ["Garden"],
        ["Workshop"],
        ["Done"],
        ["« Back"],
    ]
    nadia.press("Garden")
    await nadia.reply()
    nadia.press("Laundry")
    await nadia.reply()
    nadia.press("Undo")
    undone = await nadia.reply()
    assert undone.text.endswith("Your order so far:\n1. Garden")
    assert undone.buttons[-2:] == [["Undo", "Done"], ["« Back"]]
    nadia.press("Common room")
    ordered = await nadia.reply()
    assert ordered.text.endswith("Your order so far:\n1. Garden\n2. Common room")
    assert ordered.buttons[:2] == [["Laundry"], ["Workshop"]]
    nadia.press("Done")

    remarks = await nadia.reply()
    assert remarks.text.startswith("Expectations\n\nQuestion 9 / 9 · optional\n\nRemarks?")
    assert remarks.buttons == [["« Back", "Skip"]]
    nadia.press("Skip")
    recap = await nadia.reply()
    assert recap.text == (
        "Your answers to “Expectations”:\n\n"
        "1. Which tenure would you like?\n→ Social rent\n\n"
        "2. Monthly rent?\n→ 850 €\n\n"
        "3. Which shared spaces?\n→ Common room; Garden\n\n"
        "4. Accessibility needs?\n→ Yes\n\n"
        "5. Which ones?\n→ Step-free access\n\n"
        "6. How involved will you be?\n→ 4\n\n"
        "7. Living space?\n→ 65.5 m²\n\n"
        "8. Rank the spaces.\n→ 1. Garden; 2. Common room\n\n"
        "9. Remarks?\n→ (skipped)\n\n"
        "Check your answers, then send them: until you do, they are a draft that does not count."
    )
    assert recap.buttons == [
        ["Change 1", "Change 2", "Change 3", "Change 4"],
        ["Change 5", "Change 6", "Change 7", "Change 8"],
        ["Change 9"],
        ["Send my answers"],
        ["Back to the questionnaires"],
    ]
    # Drafts are in the database as they are given: the web page shows the same answers.
    drafts = {
        "tenure": "social_rent",
        "rent": Decimal(850),
        "spaces": ("common_room", "garden"),
        "access": "yes",
        "access_details": "Step-free access",
        "involvement": Decimal(4),
        "surface": Decimal("65.5"),
        "priority": ("garden", "common_room"),
        "remarks": "skipped",
    }
    assert _answers(engine, people, questionnaire) == (False, drafts)

    # Changing an answer from the recap comes back to the recap.
    nadia.press("Change 6")
    change = await nadia.reply()
    assert change.text.endswith("Your answer: 4")
    assert change.buttons[0] == ["1", "2", "3", "✓ 4", "5"]
    nadia.press("5")
    assert (await nadia.reply()).text.startswith("Your answers to “Expectations”:")
    # A double click sends once.
    nadia.press("Send my answers")
    nadia.press("Send my answers")
    sent = await nadia.reply()
    assert sent.text == (
        "Thank you! Your answers to “Expectations” have been sent. "
        "You can change them from the menu until the questionnaire closes."
    )
    assert sent.buttons == [["Back to the questionnaires"], ["Back to the menu"]]
    assert (await nadia.reply()).text == sent.text
    assert _answers(engine, people, questionnaire) == (True, {**drafts, "involvement": Decimal(5)})
    with read_session(engine) as session:
        actions = [entry.action for entry in session.exec(select(ActionLog))]
    assert actions.count("questionnaire.submit") == 1

    nadia.press("Back to the questionnaires")
    assert (await nadia.reply()).text == "Questionnaires you can answer:\n• Expectations: sent"
    # A sent questionnaire opens on its recap, where answers can still change.
    nadia.press("Expectations")
    reopened = await nadia.reply()
    assert "Sent on " in reopened.text
    assert reopened.buttons[-1] == ["Back to the questionnaires"]
    assert ["Send my answers"] not in reopened.buttons


async def test_an_answer_that_hides_a_question_takes_its_answer_away(
    running_bot, engine, people, questionnaire, nadia
):
    await _open_questionnaire(nadia)
    await nadia.reply()
    nadia.press("Social rent")
    await nadia.reply()
    nadia.send("600")
    await nadia.reply()
    nadia.press("« Back")
    await nadia.reply()
    nadia.press("« Back")
    await nadia.reply()
    nadia.press("Buying")
    # The rent question is gone: on to the first question still to answer.
    spaces = await nadia.reply()
    assert spaces.text.startswith("Expectations\n\nQuestion 2 / 7\n\nWhich shared spaces?")
    assert _answers(engine, people, questionnaire) == (False, {"tenure": "ownership"})
    # A button of the hidden question is refused, and writes nothing.
    before = _rows_written(engine)
    _, data = nadia.private.last_keyboard_with("Next »")
    query = nadia.press_data(data)
    assert (await nadia.answer_to(query))["text"] == (
        "This question is no longer asked, given your other answers."
    )
    assert _rows_written(engine) == before


async def _until_saved(engine, check, *, timeout: float = 10) -> None:
    """Wait until the bot has saved Nadia's data and her conversation step as `check` wants."""
    deadline = time.monotonic() + timeout
    while True:
        with read_session(engine) as session:
            data = bot_state.load_states(session, kind=bot_state.USER_DATA).get(str(NADIA))
            steps = bot_state.load_states(
                session, kind=bot_state.conversation_kind("questionnaire")
            )
        if steps.get(bot_state.state_key(NADIA, NADIA)) == 0 and check(data or {}):
            return
        assert time.monotonic() < deadline, "the conversation step was never saved"
        await asyncio.sleep(0.05)


@pytest.mark.e2e
async def test_killed_bot_resumes_at_the_same_question(
    bot_process, engine, people, questionnaire, nadia
):
    await _open_questionnaire(nadia)
    await nadia.reply()
    nadia.press("Social rent")
    rent = await nadia.reply()
    assert "Question 2 / 8" in rent.text
    rent_id = questionnaire.question_by_key("rent").id
    await _until_saved(engine, lambda data: data["questionnaire"]["question"] == rent_id)
    bot_process.kill()

    # Typed while the bot is down: after the restart it still answers the rent question.
    nadia.send("850")
    await bot_process.start()
    spaces = await nadia.reply()
    assert spaces.text.startswith("Expectations\n\nQuestion 3 / 8\n\nWhich shared spaces?")
    nadia.press("Garden")
    assert (await nadia.reply()).buttons[2] == ["✓ Garden"]
    await _until_saved(engine, lambda data: data["questionnaire"]["picked"] == ["garden"])
    bot_process.kill()

    await bot_process.start()
    # Leaving and coming back lands on the same question, with the ticks given before Done.
    await _open_questionnaire(nadia)
    again = await nadia.reply()
    assert again.text == spaces.text
    assert again.buttons[2] == ["✓ Garden"]
    nadia.press("Done")
    assert (await nadia.reply()).text.startswith("Expectations\n\nQuestion 4 / 8")
    assert _answers(engine, people, questionnaire) == (
        False,
        {"tenure": "social_rent", "rent": Decimal(850), "spaces": ("garden",)},
    )


async def test_leaving_for_the_menu_stops_reading_typed_answers(
    running_bot, engine, people, questionnaire, nadia
):
    await _open_questionnaire(nadia)
    await nadia.reply()
    nadia.press("Social rent")
    await nadia.reply()
    nadia.send("/menu")
    assert (await nadia.reply()).text == "Les Voisins du Quai: what would you like to do?"
    nadia.send("700")
    assert (await nadia.reply()).text == (
        "I only understand commands and buttons here. Send /menu to see what you can do."
    )
    assert _answers(engine, people, questionnaire) == (False, {"tenure": "social_rent"})
    nadia.press("Questionnaires")
    await nadia.reply()
    nadia.press("Expectations")
    assert "Question 2 / 8\n\nMonthly rent?" in (await nadia.reply()).text


async def test_stale_and_forged_buttons_are_refused_and_write_nothing(
    running_bot, engine, people, questionnaire, nadia
):
    await _open_questionnaire(nadia)
    await nadia.reply()
    here, there = people.project.id, people.other_project.id
    _, pick = nadia.private.last_keyboard_with("Buying")
    _, _, _, questionnaire_id, question_id, stamp, _, _ = pick.split(":")
    other = _create(engine, people)
    foreign_question = other.questions[0].id
    forged = [
        (f"v1:qa:{here}:{questionnaire_id}:{question_id}:{stamp}:pick:7", STALE),
        (f"v1:qa:{here}:{questionnaire_id}:{question_id}:{stamp}:tog:0", STALE),
        (f"v1:qa:{here}:{questionnaire_id}:{question_id}:{stamp}:pick:x", STALE),
        (f"v1:qa:{here}:{questionnaire_id}:{question_id}:BADSTAMP:pick:0", STALE),
        (f"v1:qa:{there}:{questionnaire_id}:{question_id}:{stamp}:pick:0", STALE),
        (
            f"v1:qa:{here}:{questionnaire_id}:{foreign_question}:{stamp}:pick:0",
            "This question no longer exists: the questionnaire has changed.",
        ),
        (
            f"v1:qa:{here}:{questionnaire_id}:{question_id}:00000000:pick:0",
            "This choice is no longer offered: the questionnaire has changed. Please answer again.",
        ),
        (f"v1:qo:{here}:999999", "This questionnaire does not exist in this project."),
        (f"v1:qs:{here}:{questionnaire_id}:submit", STALE),
        (
            f"v1:qs:{here}:{questionnaire_id}:send",
            'Question 1, "Which tenure would you like?", '
            "needs an answer before you send your answers.",
        ),
    ]
    before = _rows_written(engine)
    queries = [(nadia.press_data(data), text) for data, text in forged]
    answers = [(await nadia.answer_to(query))["text"] for query, _ in queries]
    assert answers == [text for _, text in forged]
    assert _rows_written(engine) == before


async def test_buttons_of_a_question_changed_or_removed_since_are_refused(
    running_bot, engine, people, questionnaire, nadia
):
    await _open_questionnaire(nadia)
    await nadia.reply()
    tenure = questionnaire.question_by_key("tenure")
    reordered = replace(question_spec(tenure), options=tuple(reversed(tenure.options)))
    with unit_of_work(engine) as session:
        update_question(
            session, project_id=people.project.id, question_id=tenure.id, spec=reordered
        )
    query = nadia.press("Buying")
    refreshed = await nadia.reply()
    assert refreshed.buttons == [["Not decided"], ["Social rent"], ["Buying"]]
    assert (await nadia.answer_to(query))["text"] == (
        "This choice is no longer offered: the questionnaire has changed. Please answer again."
    )
    assert _rows_written(engine)[:2] == (0, 0)
    nadia.press("Buying")
    await nadia.reply()
    assert _answers(engine, people, questionnaire) == (False, {"tenure": "ownership"})

    # A button of a question removed since is refused too.
    with unit_of_work(engine) as session:
        remove_question(
            session,
            project_id=people.project.id,
            question_id=questionnaire.question_by_key("spaces").id,
        )
    query = nadia.press("Garden")
    assert (await nadia.answer_to(query))["text"] == (
        "This question no longer exists: the questionnaire has changed."
    )
    assert _answers(engine, people, questionnaire) == (False, {"tenure": "ownership"})


async def test_a_closed_questionnaire_takes_no_more_answers(
    running_bot, engine, people, questionnaire, nadia
):
    await _open_questionnaire(nadia)
    await nadia.reply()
    nadia.press("Social rent")
    await nadia.reply()
    with unit_of_work(engine) as session:
        close_questionnaire(
            session, project_id=people.project.id, questionnaire_id=questionnaire.id
        )
    before = _rows_written(engine)
    nadia.send("850")
    closed = "This questionnaire is closed: answers can no longer be given or changed."
    assert (await nadia.reply()).text == closed
    query = nadia.press("« Back")
    assert (await nadia.answer_to(query))["text"] == closed
    assert _rows_written(engine) == before
    nadia.send("/menu")
    await nadia.reply()
    nadia.press("Questionnaires")
    assert (await nadia.reply()).text == "No questionnaire is open for you at the moment."


async def test_facilitator_opens_and_closes_a_questionnaire(running_bot, engine, people, camille):
    view = _create(engine, people, opened=False)
    camille.send("/menu")
    assert (await camille.reply()).buttons[0][0] == "Questionnaires"
    camille.press("Questionnaires")
    listing = await camille.reply()
    assert listing.text == (
        "Questionnaires of Les Voisins du Quai:\n• Expectations: draft\n"
        "Choose one to open or close it."
    )
    camille.press("Expectations")
    detail = await camille.reply()
    assert detail.text == "“Expectations”: draft\nAnswers sent: 0 of 1. Drafts: 0."
    assert detail.buttons == [["Open it"], ["Back to the questionnaires"]]
    camille.press("Open it")
    confirm = await camille.reply()
    assert confirm.text == (
        "Open “Expectations” for answers now? Residents will find it under Questionnaires in "
        "their menu."
    )
    assert confirm.buttons == [["Yes, open it"], ["No, go back"]]
    camille.press("Yes, open it")
    opened = await camille.reply()
    assert opened.text == (
        "“Expectations” is open for answers.\n“Expectations”: open\nAnswers sent: 0 of 1. Drafts: 0."
    )
    assert opened.buttons == [["Close it"], ["Back to the questionnaires"]]

    camille.press("Close it")
    await camille.reply()
    camille.press("No, go back")
    assert (await camille.reply()).text == "“Expectations”: open\nAnswers sent: 0 of 1. Drafts: 0."
    with read_session(engine) as session:
        assert session.get(Questionnaire, view.id).status == "open"
    camille.press("Close it")
    await camille.reply()
    camille.press("Yes, close it")
    closed = await camille.reply()
    assert closed.text.startswith("“Expectations” is closed.\n“Expectations”: closed")
    with read_session(engine) as session:
        assert session.get(Questionnaire, view.id).status == "closed"

    # Both rounds are listed, told apart.
    with unit_of_work(engine) as session:
        start_second_round(session, project_id=people.project.id, questionnaire_id=view.id)
    camille.press("Back to the questionnaires")
    assert (await camille.reply()).buttons == [
        ["Expectations (round 2)"],
        ["Expectations"],
        ["Back to the menu"],
    ]


async def test_residents_cannot_open_or_close_and_facilitators_do_not_answer(
    running_bot, engine, people, questionnaire, nadia, camille
):
    here = people.project.id
    forbidden = "Only the project's facilitators can do this."
    presses = [
        (nadia, f"v1:qf:{here}:{questionnaire.id}:close", forbidden),
        (nadia, f"v1:qf:{here}:{questionnaire.id}:ask_close", forbidden),
        (nadia, f"v1:qf:{here}:{questionnaire.id}:view", forbidden),
        (camille, f"v1:qo:{here}:{questionnaire.id}", "Only residents answer questionnaires."),
    ]
    before = _rows_written(engine)
    queries = [(user, user.press_data(data), text) for user, data, text in presses]
    assert [(await user.answer_to(query))["text"] for user, query, _ in queries] == [
        text for _, _, text in presses
    ]
    assert await nadia.private.silence(seconds=0.3) == []
    assert _rows_written(engine) == before
    with read_session(engine) as session:
        assert session.get(Questionnaire, questionnaire.id).status == "open"


async def test_answers_given_on_the_web_are_where_the_bot_resumes(
    running_bot, engine, people, questionnaire, nadia
):
    with unit_of_work(engine) as session:
        for key, value in (("tenure", "ownership"), ("spaces", ["laundry"])):
            save_answer(
                session,
                project_id=people.project.id,
                questionnaire_id=questionnaire.id,
                question_id=questionnaire.question_by_key(key).id,
                member_id=people.nadia.id,
                value=value,
            )
    await _open_questionnaire(nadia)
    resumed = await nadia.reply()
    assert resumed.text.startswith("Expectations\n\nQuestion 3 / 7\n\nAccessibility needs?")


async def test_every_question_of_the_shipped_template_shows_with_its_answer(
    running_bot, engine, people, nadia
):
    benali = DEMO_EXPECTATIONS["Foyer Benali"]
    with unit_of_work(engine) as session:
        draft = import_questionnaire(
            session, project_id=people.project.id, text=shipped_template("en")
        )
        view = open_questionnaire(session, project_id=people.project.id, questionnaire_id=draft.id)
        save_answers(
            session,
            project_id=people.project.id,
            questionnaire_id=view.id,
            member_id=people.nadia.id,
            values={q.id: benali.get(q.key) for q in view.questions},
            submit=True,
        )
    nadia.send("/menu")
    await nadia.reply()
    nadia.press("Questionnaires")
    await nadia.reply()
    nadia.press("Defining expectations")
    recap = await nadia.reply()
    assert recap.text.startswith(
        "Your answers to “Defining expectations”:\n\n"
        "1. How many adults are in your household?\n→ 2\n\n"
    )
    assert "→ 1. Garden and vegetable plots; 2. Children's play area; 3. Common room" in recap.text
    # Social rent: the purchase budget and the accessibility details are not asked.
    shown = [q for q in view.questions if q.key not in ("purchase_budget", "accessibility_details")]
    assert recap.buttons[-1] == ["Back to the questionnaires"]
    for number, question in enumerate(shown, start=1):
        nadia.press(f"Change {number}")
        screen = await nadia.reply()
        assert screen.text.startswith(
            f"Defining expectations\n\nQuestion {number} / {len(shown)}"
        ), screen.text
        assert question.label in screen.text
        assert "Your answer: " in screen.text or question.key == "remarks"
    assert _answers(engine, people, view)[0] is True


async def test_a_long_recap_comes_in_several_messages(running_bot, engine, people, nadia):
    spec = QuestionnaireSpec(
        title="Many questions",
        questions=tuple(
            QuestionSpec(key=f"q{n}", kind="text", label=f"Question {n}? " + "Why " * 40)
            for n in range(1, 41)
        ),
    )
    with unit_of_work(engine) as session:
        draft = create_questionnaire(session, project_id=people.project.id, spec=spec)
        view = open_questionnaire(session, project_id=people.project.id, questionnaire_id=draft.id)
        save_answers(
            session,
            project_id=people.project.id,
            questionnaire_id=view.id,
            member_id=people.nadia.id,
            values={q.id: "Because " * 100 for q in view.questions},
        )
    nadia.send("/menu")
    await nadia.reply()
    nadia.press("Questionnaires")
    await nadia.reply()
    nadia.press("Many questions")
    parts = [await nadia.reply() for _ in range(3)]
    assert [part.method for part in parts] == ["sendMessage"] * 3
    assert all(len(part.text) <= 4096 for part in parts)
    text = "\n\n".join(part.text for part in parts)
    assert [f"{n}. Question {n}? Why" in text for n in range(1, 41)] == [True] * 40
    assert text.endswith("they are a draft that does not count.")
    assert [part.buttons[-2:] for part in parts] == [
        [],
        [],
        [["Send my answers"], ["Back to the questionnaires"]],
    ]
    assert await nadia.private.silence(seconds=0.3) == []
