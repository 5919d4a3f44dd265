"""The facilitators' "Summary" door, end to end through the fake Bot API: the sections with their
figures, the buttons that open an item, reminding those missing (confirmed, once a day, through
the outbox), refusals for residents and forged buttons, and secret choices that never show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from bot.callback_data import MAX_BYTES, Button, decode, encode
from bot.outbox_sender import send_due
from bot.summary_keyboards import ITEMS_SHOWN, section_message
from bot.visitor import Visitor
from tests.bot.conftest import NADIA
from tests.fakes.telegram_api import TelegramUser
from voisinage.ballot_votes import cast_vote
from voisinage.db import read_session, unit_of_work
from voisinage.i18n import translator
from voisinage.models import Member, Nudge, Project, utcnow
from voisinage.questionnaire_answers import save_answers, submit_answers
from voisinage.questionnaire_specs import QuestionnaireSpec, QuestionSpec
from voisinage.questionnaires import create_questionnaire, open_questionnaire
from voisinage.summary_text import Item, Section

DAY = timedelta(days=1)
ANA = 4001
# Option labels no summary may show while the ballot is open: it is secret, or hides results.
SECRET_WORDS = ("Zéphyrine", "Quetzalcoatl", "Ornithorynque", "Kumquat")
STALE_FR = "Ce bouton n'est plus valable. Envoyez /menu pour un menu à jour."
FORBIDDEN_FR = "Seul·es les accompagnateur·rices du projet peuvent faire cela."


@dataclass
class Group:
    questionnaire: int
    secret: int
    hidden: int
    poll: int
    ana: Member
    bruno: Member


def _afternoon(days: int):
    return (utcnow() + days * DAY).replace(hour=14, minute=0, second=0, microsecond=0)


@pytest.fixture
def group(engine, people, ballots, workshops) -> Group:
    """Three households (Nadia's, Ana's on Telegram, Bruno's off it), and open items to answer."""
    ana = ballots.resident("Ana", telegram_user_id=ANA)
    bruno = ballots.resident("Bruno")
    project_id = people.project.id
    spec = QuestionnaireSpec(
        title="Expectations",
        questions=(QuestionSpec(key="garden", kind="yes_no", label="A garden?"),),
    )
    with unit_of_work(engine) as session:
        draft = create_questionnaire(session, project_id=project_id, spec=spec)
        view = open_questionnaire(session, project_id=project_id, questionnaire_id=draft.id)
        save_answers(
            session,
            project_id=project_id,
            questionnaire_id=view.id,
            member_id=people.nadia.id,
            values={view.questions[0].id: "yes"},
        )
        submit_answers(
            session, project_id=project_id, questionnaire_id=view.id, member_id=people.nadia.id
        )
    secret = ballots.open("approval", "Which room?", options=list(SECRET_WORDS[:2]), secret=True)
    hidden = ballots.open("approval", "Which tree?", options=list(SECRET_WORDS[2:]))
    with unit_of_work(engine) as session:
        for ballot_id, choice in ((secret, ["a"]), (hidden, ["b"])):
            cast_vote(
                session,
                project_id=project_id,
                ballot_id=ballot_id,
                member_id=people.nadia.id,
                choice=choice,
            )
    culture = workshops.workshop("Culture commune")
    poll = workshops.poll(culture, slots=[_afternoon(20)], deadline=_afternoon(15))
    return Group(view.id, secret, hidden, poll, ana, bruno)


async def _open_summary(person: TelegramUser) -> list:
    person.send("/menu")
    await person.reply()
    person.press("Summary")
    return [await person.reply() for _ in range(5)]


def _texts(replies) -> str:
    return "\n".join(
        [reply.text or "" for reply in replies]
        + [label for r in replies for row in r.buttons for label in row]
    )


def _nudges(engine) -> list[tuple[str, int, int, int]]:
    with read_session(engine) as session:
        rows = session.exec(select(Nudge).order_by(Nudge.id))
        return [(n.subject, n.sent_count, n.without_telegram_count, n.skipped_count) for n in rows]


async def test_a_facilitator_reads_each_section_with_its_figures_and_buttons(
    bot, people, group, workshops, camille
):
    held = workshops.workshop("Vision commune")
    workshops.schedule(held, starts_at=utcnow() - 3 * DAY, now=utcnow() - 10 * DAY)

    title, path, open_, waiting, since = await _open_summary(camille)

    # The menu's message becomes the title; each section is a message of its own.
    assert title.method == "editMessageText"
    assert title.text.startswith("Les Voisins du Quai — where the project stands on ")
    assert [r.method for r in (path, open_, waiting, since)] == ["sendMessage"] * 4
    lines = path.text.split("\n")
    assert lines[0] == "Path"
    assert lines[1].startswith("  1. · Culture commune: to schedule; poll until ")
    # Asked: the three households and Camille, as the poll's own table counts them.
    assert lines[1].endswith(", 0 of 4 answered")
    assert lines[2].startswith("  2. → Vision commune: ")
    assert lines[2].endswith(", 0 coming")
    assert path.buttons == [["🔔 1. Remind the 4 missing", "↗ 1. Open"]]
    assert path.button_data["↗ 1. Open"] == f"v1:wtab:{people.project.id}:{group.poll}"

    assert open_.text == (
        "Open questionnaires and ballots\n"
        "  1. Questionnaire Expectations: 1 of 3 answered; missing: Foyer Ana, Foyer Bruno\n"
        "  2. Ballot Which room?: 1 of 3 voices voted, closes in 1 week; "
        "missing: Foyer Ana, Foyer Bruno\n"
        "  3. Ballot Which tree?: 1 of 3 voices voted, closes in 1 week; "
        "missing: Foyer Ana, Foyer Bruno"
    )
    assert open_.buttons == [
        ["🔔 1. Remind the 2 missing", "↗ 1. Open"],
        ["🔔 2. Remind the 2 missing", "↗ 2. Open"],
        ["🔔 3. Remind the 2 missing", "↗ 3. Open"],
    ]
    # Facilitators do not vote: a ballot opens on the web, where they run it.
    web = "http://voisinage.test/p/les-voisins-du-quai"
    assert open_.button_data["↗ 2. Open"] == f"{web}/votes/{group.secret}"
    assert open_.button_data["↗ 3. Open"] == f"{web}/votes/{group.hidden}"

    assert waiting.text.startswith("Waiting for the facilitators\n  1. Attendance to record: ")
    assert waiting.buttons == [["↗ 1. Open"]]
    assert waiting.button_data["↗ 1. Open"] == f"{web}/workshops/{held}"
    assert since.text.endswith("\n  Nothing new.")
    assert since.buttons == [["Back to the menu"]]

    # Secret and hidden ballots: who voted shows, never what.
    everything = _texts([title, path, open_, waiting, since])
    for word in SECRET_WORDS:
        assert word not in everything

    # "Open" shows the item as its own door does, in place of the section.
    camille.press_data(open_.button_data["↗ 1. Open"])
    questionnaire = await camille.reply()
    assert questionnaire.method == "editMessageText"
    assert "Expectations" in questionnaire.text
    camille.press_data(path.button_data["↗ 1. Open"])
    table = await camille.reply()
    assert table.text.startswith("📊 Answers to the poll for “Culture commune”")


async def test_a_resident_has_no_summary_and_forged_buttons_are_refused(
    bot, engine, people, group, telegram, camille
):
    nadia = TelegramUser(telegram, user_id=NADIA, first_name="Nadia", language_code="fr")
    nadia.send("/menu")
    menu = await nadia.reply()
    assert "Résumé" not in [label for row in menu.buttons for label in row]
    project_id = people.project.id
    forged = {
        f"v1:menu:{project_id}:summary": STALE_FR,
        f"v1:ndg:{project_id}:b:{group.secret}:ask": FORBIDDEN_FR,
        f"v1:ndg:{project_id}:b:{group.secret}:yes": FORBIDDEN_FR,
        # Not a kind of item the bot reminds about.
        f"v1:ndg:{project_id}:x:{group.secret}:yes": STALE_FR,
    }
    for data, message in forged.items():
        answer = await nadia.answer_to(nadia.press_data(data))
        assert (answer["text"], answer["show_alert"]) == (message, True)
    # A facilitator of the project, with a button naming another project's ballot or none.
    for data in (
        f"v1:ndg:{people.other_project.id}:b:{group.secret}:yes",
        f"v1:ndg:{project_id}:b:999999:yes",
    ):
        answer = await camille.answer_to(camille.press_data(data))
        assert answer["show_alert"] is True
    assert answer["text"] == "This ballot does not exist in this project."
    assert _nudges(engine) == []
    assert await nadia.private.silence(seconds=0.3) == []


async def test_reminding_asks_first_then_reaches_those_missing_once_a_day(
    bot, engine, people, group, telegram, camille
):
    ana = TelegramUser(telegram, user_id=ANA, first_name="Ana", language_code="en")
    # What opening the ballots and the poll told them is not what this test reads.
    await send_due(bot, now=utcnow())
    for person in (ana, camille):
        await person.private.silence(seconds=0.1)
    await _open_summary(camille)

    camille.press("🔔 2. Remind the 2 missing")
    question = await camille.reply()
    assert question.method == "sendMessage"
    assert question.text == "Remind the members missing on “Which room?” (2): Ana, Bruno?"
    assert question.buttons == [["Yes, remind them", "No"]]
    camille.press("No")
    no = await camille.reply()
    assert (no.method, no.text) == ("editMessageText", "No reminder sent.")
    assert _nudges(engine) == []

    camille.press("🔔 2. Remind the 2 missing")
    await camille.reply()
    yes_id = camille.press("Yes, remind them")
    sent = await camille.reply()
    assert sent.method == "editMessageText"
    assert sent.text == (
        "Reminder sent to 1 member.\nWithout Telegram, reach them otherwise: Bruno."
    )
    assert (await camille.answer_to(yes_id)).get("show_alert") is None
    assert await send_due(bot, now=utcnow()) == 1
    reminder = await ana.reply()
    assert "« Which room? »" in reminder.text  # Ana reads French
    assert reminder.text.startswith("Petit rappel de Les Voisins du Quai")
    for word in SECRET_WORDS:
        assert word not in reminder.text

    # The same "Yes" again (a double tap, or the message kept): the 24-hour rule says no.
    _, yes = camille.private.last_keyboard_with("Yes, remind them")
    again = await camille.answer_to(camille.press_data(yes))
    assert again["show_alert"] is True
    assert again["text"].startswith(
        "Everyone missing on “Which room?” was already reminded in the last 24 hours. "
        "The next reminder is possible from "
    )
    assert _nudges(engine) == [(f"ballot:{group.secret}", 1, 1, 0)]
    assert await send_due(bot, now=utcnow()) == 0
    assert await ana.private.silence(seconds=0.3) == []


async def test_two_quick_taps_on_yes_remind_once(bot, engine, people, group, camille):
    await _open_summary(camille)
    camille.press("🔔 1. Remind the 2 missing")
    await camille.reply()
    _, yes = camille.private.last_keyboard_with("Yes, remind them")
    first, second = camille.press_data(yes), camille.press_data(yes)
    answers = [await camille.answer_to(first), await camille.answer_to(second)]
    assert [answer.get("show_alert") for answer in answers] == [None, True]
    assert "already reminded in the last 24 hours" in answers[1]["text"]
    assert _nudges(engine) == [(f"questionnaire:{group.questionnaire}", 1, 1, 0)]


async def test_a_long_section_fits_one_message_and_says_how_many_more(
    bot, people, ballots, camille
):
    for number in range(1, 31):
        ballots.open("threshold", f"Question {number:02}: " + "a long wording, " * 12)
    _, _, open_, _, _ = await _open_summary(camille)
    lines = open_.text.split("\n")
    shown = [line for line in lines if line.startswith("  ") and ". Ballot Question" in line]
    assert len(open_.text) <= 4096
    assert lines[-1] == f"  … and {30 - len(shown)} more"
    assert 0 < len(shown) < 30
    # One row of buttons per item shown, numbered as its line, and the way back.
    assert [row[1] for row in open_.buttons] == [f"↗ {n}. Open" for n in range(1, len(shown) + 1)]


# Summary lines are titles and names: one line each.
LINES = st.text(st.characters(blacklist_characters="\n"), max_size=600)


@given(st.lists(LINES, max_size=60))
def test_any_section_fits_a_message_with_a_row_per_item_shown(texts):
    visitor = Visitor(1, "Camille", (), None, Project(id=7, name="P", slug="p"), translator("en"))
    items = tuple(Item(text, f"ballot:{n}", missing=n % 3) for n, text in enumerate(texts, 1))
    section = Section("open", "Open", ["  " + item.text for item in items] or ["  -"], items)
    text, keyboard = section_message(visitor, section, public_url="http://x", slug="p", last=True)
    assert len(text) <= 4096
    shown = len(text.split("\n")) - 1
    more = text.endswith(" more")
    assert shown - more <= ITEMS_SHOWN
    rows = keyboard.inline_keyboard
    assert rows[-1][0].text == "Back to the menu"
    assert len(rows) - 1 == (shown - more if items else 0)
    if more:
        assert text.split("\n")[-1] == f"  … and {len(items) - (shown - 1)} more"


@given(st.integers(1, 10**18 - 1), st.sampled_from("qbp"), st.integers(1, 10**18 - 1))
def test_every_nudge_button_fits_telegram(project_id, code, item_id):
    for step in ("ask", "yes", "no"):
        data = encode("ndg", project_id, code, item_id, step)
        assert len(data.encode()) <= MAX_BYTES
        assert decode(data) == Button("ndg", (project_id, code, item_id, step))
