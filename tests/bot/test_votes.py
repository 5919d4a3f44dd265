"""The "Votes" door, end to end through the fake Bot API: each method voted in one message edited
in place, the recap, a changed vote, proxies, an objection with its typed reason, results, and
buttons that are stale, forged, late or not theirs, refused with nothing written."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from sqlmodel import select

from tests.bot.conftest import CAMILLE
from tests.fakes.telegram_api import TelegramUser
from voisinage.ballot_votes import cast_vote
from voisinage.ballots import close_ballot
from voisinage.db import read_session, unit_of_work
from voisinage.models import BallotChoice, BallotParticipation, utcnow
from voisinage.proxies import give_proxy

DAY = timedelta(days=1)
JEANNE = 1003
STALE = "This button is no longer valid. Send /menu for a fresh menu."


def _choices(engine):
    with read_session(engine) as session:
        return [row.value for row in session.exec(select(BallotChoice).order_by(BallotChoice.id))]


def _participations(engine):
    with read_session(engine) as session:
        return [
            (row.household_id, row.member_id, row.by_proxy)
            for row in session.exec(select(BallotParticipation).order_by(BallotParticipation.id))
        ]


async def _open_votes(person):
    person.send("/menu")
    await person.reply()
    person.press("Votes")
    return await person.reply()


async def _open_ballot(person, question="Adopt the charter?"):
    await _open_votes(person)
    person.press(f"🗳 {question}")
    return await person.reply()


async def _press(person, label):
    person.press(label)
    return await person.reply()


async def test_the_door_lists_open_ballots_and_latest_results(
    bot, engine, people, ballots, nadia, camille
):
    ballots.open("threshold", "Adopt the charter?")
    voted = ballots.open("threshold", "Paint the hall green?")
    long_ago = utcnow() - 10 * DAY
    closed = ballots.open(
        "threshold", "Keep hens?", now=long_ago, closes_at=long_ago + DAY, secret=True
    )
    with unit_of_work(engine) as session:
        for ballot_id, when in ((voted, None), (closed, long_ago + DAY / 2)):
            cast_vote(
                session,
                project_id=people.project.id,
                ballot_id=ballot_id,
                member_id=people.nadia.id,
                choice="for",
                now=when,
            )
        close_ballot(
            session, project_id=people.project.id, ballot_id=closed, actor_id=people.camille.id
        )

    listing = await _open_votes(nadia)
    assert listing.method == "editMessageText"
    lines = listing.text.split("\n")
    assert lines[0] == "Votes of Les Voisins du Quai"
    assert lines[2] == "Open ballots:"
    assert lines[3].startswith("• Paint the hall green? — ✅ you have voted, closes on ")
    assert lines[4].startswith("• Adopt the charter? — ▫️ not voted yet, closes on ")
    assert lines[6] == "Latest results:"
    assert lines[7] == (
        "• Keep hens? — adopted (1 for, 0 against, 0 abstaining); 1 of 1 voices took part"
    )
    assert listing.buttons == [
        ["🗳 Paint the hall green?"],
        ["🗳 Adopt the charter?"],
        ["📊 Keep hens?"],
        ["Back to the menu"],
    ]
    # The closed secret ballot: the figures, and never who chose what.
    nadia.press("📊 Keep hens?")
    card = await nadia.reply()
    assert "This ballot is closed." in card.text
    assert "Your voice (Foyer Benali): voted\n" in card.text
    assert "Result:\nadopted (1 for, 0 against, 0 abstaining)" in card.text
    assert card.buttons == [["Back to the votes"]]

    # Facilitators do not vote: their menu has no Votes door.
    camille.send("/menu")
    menu = await camille.reply()
    assert "Votes" not in {label for row in menu.buttons for label in row}


async def test_for_against_abstain_with_a_recap_then_a_changed_vote(
    bot, engine, people, ballots, nadia
):
    ballot_id = ballots.open("threshold", quorum=Fraction(1, 2))
    card = await _open_ballot(nadia)
    assert card.text.split("\n")[:2] == [
        "🗳 Adopt the charter?",
        "for / against / abstain, named ballot",
    ]
    assert "Your voice (Foyer Benali): not voted yet" in card.text
    assert card.buttons == [["🗳 Vote"], ["Back to the votes"]]

    choosing = await _press(nadia, "🗳 Vote")
    assert choosing.method == "editMessageText"
    assert "Voting for: Foyer Benali" in choosing.text
    assert choosing.buttons == [["👍 For", "👎 Against", "⚪ Abstain"], ["Cancel"]]
    recap = await _press(nadia, "👍 For")
    assert "Your vote: for" in recap.text
    assert recap.buttons == [["✅ Confirm my vote"], ["✏️ Change"], ["Cancel"]]
    assert _choices(engine) == []  # nothing cast before the confirmation

    done = await _press(nadia, "✅ Confirm my vote")
    assert done.text.startswith("Your vote is recorded. You can change it until the ballot closes.")
    assert "Your voice (Foyer Benali): voted: for" in done.text
    assert done.buttons == [["✏️ Change my vote"], ["Back to the votes"]]
    assert _choices(engine) == ["for"]

    await _press(nadia, "✏️ Change my vote")
    recap = await _press(nadia, "👎 Against")
    await _press(nadia, "✏️ Change")
    recap = await _press(nadia, "⚪ Abstain")
    assert "Your vote: abstain" in recap.text
    changed = await _press(nadia, "✅ Confirm my vote")
    assert changed.text.startswith("Your vote is changed.")
    assert _choices(engine) == ["abstain"]
    assert _participations(engine) == [(people.household.id, None, False)]

    with unit_of_work(engine) as session:
        close_ballot(
            session, project_id=people.project.id, ballot_id=ballot_id, actor_id=people.camille.id
        )
    await _open_votes(nadia)
    card = await _press(nadia, "📊 Adopt the charter?")
    assert card.text.endswith(
        "Result:\nnot adopted (0 for, 0 against, 1 abstaining); 1 of 1 voices took part\n"
        "Quorum: 1 of 1 voices, reached."
    )


async def test_an_objection_needs_its_reason_typed_as_a_message(
    bot, engine, people, ballots, nadia
):
    ballots.open("consent", "Quiet hours from 22:00?")
    await _open_ballot(nadia, "Quiet hours from 22:00?")
    choosing = await _press(nadia, "🗳 Vote")
    assert choosing.buttons == [["✅ I consent", "✋ I object", "↪️ I stand aside"], ["Cancel"]]
    asking = await _press(nadia, "✋ I object")
    assert "An objection needs a reason: type it in a message" in asking.text
    assert asking.buttons == [["Cancel"]]

    nadia.send_sticker()
    assert (await nadia.reply()).text == (
        "Type the reason of your objection in a message, or send /cancel."
    )
    nadia.send("Too early for night workers.")
    recap = await nadia.reply()
    assert recap.method == "sendMessage"
    assert "Your vote: objection: Too early for night workers." in recap.text
    assert _choices(engine) == []
    await _press(nadia, "✅ Confirm my vote")
    assert _choices(engine) == [{"choice": "objection", "reason": "Too early for night workers."}]

    # Consent afterwards: no reason asked, and a later text is not taken as one.
    await _press(nadia, "✏️ Change my vote")
    await _press(nadia, "✅ I consent")
    await _press(nadia, "✅ Confirm my vote")
    assert _choices(engine) == [{"choice": "consent", "reason": ""}]
    nadia.send("Hello")
    assert "I only understand commands and buttons" in (await nadia.reply()).text


async def test_an_objection_left_with_cancel_records_nothing(bot, engine, ballots, nadia):
    ballots.open("consent", "Quiet hours from 22:00?")
    await _open_ballot(nadia, "Quiet hours from 22:00?")
    await _press(nadia, "🗳 Vote")
    await _press(nadia, "✋ I object")
    nadia.send("/cancel")
    assert (await nadia.reply()).text.startswith("You have left the vote: nothing was recorded.")
    nadia.send("Too early.")
    assert "I only understand commands and buttons" in (await nadia.reply()).text
    assert _choices(engine) == []


async def test_majority_judgment_one_grade_keyboard_per_option(bot, engine, people, ballots, nadia):
    ballot_id = ballots.open(
        "majority_judgment", "Which architect?", options=["Atelier Sud", "Bois & Co"]
    )
    await _open_ballot(nadia, "Which architect?")
    first = await _press(nadia, "🗳 Vote")
    assert "Option 1 of 2: Atelier Sud" in first.text
    assert first.buttons == [
        ["Excellent"],
        ["Very good"],
        ["Good"],
        ["Fairly good"],
        ["Passable"],
        ["Insufficient"],
        ["To reject"],
        ["Cancel"],
    ]
    second = await _press(nadia, "Very good")
    assert "✓ Atelier Sud: Very good" in second.text
    assert "Option 2 of 2: Bois & Co" in second.text
    assert second.buttons[-2:] == [["↩️ Back"], ["Cancel"]]
    # A grade pressed again on the first keyboard is refused: the option on screen has changed.
    query = nadia.press_data(f"v1:vg:{people.project.id}:{ballot_id}:0:0")
    assert (await nadia.answer_to(query))["text"] == STALE
    again = await _press(nadia, "↩️ Back")
    assert "Option 1 of 2: Atelier Sud" in again.text
    await _press(nadia, "Good")
    recap = await _press(nadia, "Passable")
    assert "Your vote: Atelier Sud: Good; Bois & Co: Passable" in recap.text
    await _press(nadia, "✅ Confirm my vote")
    assert _choices(engine) == [{"a": "good", "b": "passable"}]

    with unit_of_work(engine) as session:
        close_ballot(
            session, project_id=people.project.id, ballot_id=ballot_id, actor_id=people.camille.id
        )
    await _open_votes(nadia)
    card = await _press(nadia, "📊 Which architect?")
    assert "Result:\nadopted: Atelier Sud" in card.text
    assert "Merit profiles (voices per grade, best first):\nAtelier Sud: Good 1\n" in card.text
    assert card.text.endswith("Bois & Co: Passable 1")


async def test_approval_toggles_and_done(bot, engine, ballots, nadia):
    ballots.open("approval", "Shared rooms?", options=["Laundry", "Workshop", "Guest room"])
    await _open_ballot(nadia, "Shared rooms?")
    choosing = await _press(nadia, "🗳 Vote")
    assert choosing.buttons == [["Laundry"], ["Workshop"], ["Guest room"], ["Done"], ["Cancel"]]
    await _press(nadia, "Laundry")
    ticked = await _press(nadia, "Guest room")
    assert ticked.buttons[:3] == [["✓ Laundry"], ["Workshop"], ["✓ Guest room"]]
    await _press(nadia, "✓ Laundry")
    recap = await _press(nadia, "Done")
    assert "Your vote: approved: Guest room" in recap.text
    await _press(nadia, "✅ Confirm my vote")
    assert _choices(engine) == [["c"]]


async def test_ranked_choice_tapped_in_order_with_undo(bot, engine, ballots, nadia):
    ballots.open("ranked", "Which site?", options=["Quai", "Gare", "Parc"])
    await _open_ballot(nadia, "Which site?")
    await _press(nadia, "🗳 Vote")
    await _press(nadia, "Gare")
    ranked = await _press(nadia, "Quai")
    assert "Your order so far:\n1. Gare\n2. Quai" in ranked.text
    assert ranked.buttons == [["Parc"], ["↩️ Undo", "Done"], ["Cancel"]]
    await _press(nadia, "↩️ Undo")
    await _press(nadia, "Parc")
    recap = await _press(nadia, "Done")
    assert "Your vote: Gare > Parc" in recap.text
    await _press(nadia, "✅ Confirm my vote")
    assert _choices(engine) == [["b", "c"]]


async def test_a_proxy_holder_votes_for_both_in_one_go_or_separately(
    bot, engine, people, ballots, telegram, nadia
):
    jeanne = ballots.resident("Jeanne", household="Foyer Dubois", telegram_user_id=JEANNE)
    ballot_id = ballots.open("threshold")
    with unit_of_work(engine) as session:
        give_proxy(
            session,
            project_id=people.project.id,
            giver_id=jeanne.id,
            holder_id=people.nadia.id,
            ballot_id=ballot_id,
        )
    card = await _open_ballot(nadia)
    assert "By proxy, Foyer Dubois: not voted yet" in card.text
    assert card.buttons == [
        ["🗳 Vote as Foyer Benali"],
        ["🗳 Vote as Foyer Dubois"],
        ["🗳 One vote for all 2 voices"],
        ["Back to the votes"],
    ]
    choosing = await _press(nadia, "🗳 One vote for all 2 voices")
    assert "Voting for: Foyer Benali, Foyer Dubois (by proxy)" in choosing.text
    await _press(nadia, "👍 For")
    await _press(nadia, "✅ Confirm my vote")
    assert _choices(engine) == ["for", "for"]
    assert _participations(engine) == [
        (people.household.id, None, False),
        (jeanne.household_id, None, True),
    ]
    # Then Jeanne's voice alone, changed.
    await _press(nadia, "🗳 Vote as Foyer Dubois")
    await _press(nadia, "👎 Against")
    done = await _press(nadia, "✅ Confirm my vote")
    assert "Your voice (Foyer Benali): voted: for" in done.text
    assert "By proxy, Foyer Dubois: voted: against" in done.text
    assert _choices(engine) == ["for", "against"]

    # Jeanne herself can still see her voice voted.
    own = TelegramUser(telegram, user_id=JEANNE, first_name="Jeanne", language_code="en")
    card = await _open_ballot(own)
    assert "Your voice (Foyer Dubois): voted: against" in card.text


async def test_a_double_click_on_confirm_stores_one_vote(bot, engine, ballots, nadia):
    ballots.open("threshold")
    await _open_ballot(nadia)
    await _press(nadia, "🗳 Vote")
    await _press(nadia, "👍 For")
    first = nadia.press("✅ Confirm my vote")
    second = nadia.press("✅ Confirm my vote")
    assert (await nadia.answer_to(first)).get("text") is None
    assert (await nadia.answer_to(second))["text"] == STALE
    assert _choices(engine) == ["for"]
    assert len(_participations(engine)) == 1


async def test_late_forged_foreign_and_ineligible_presses_are_refused_and_write_nothing(
    bot, engine, people, ballots, telegram, nadia
):
    project = people.project.id
    open_id = ballots.open("threshold")
    long_ago = utcnow() - 10 * DAY
    closed = ballots.open("threshold", "Keep hens?", now=long_ago, closes_at=long_ago + DAY)
    theirs = ballots.open("threshold", "Hive?", project=people.other_project)
    refusals = {
        # After the close.
        f"v1:vw:{project}:{closed}:{people.nadia.id}": (
            "This ballot is closed: votes can no longer be cast or changed."
        ),
        # Another project's ballot, through her own project; a project she is not in.
        f"v1:vb:{project}:{theirs}": "This ballot does not exist in this project.",
        f"v1:vw:{people.other_project.id}:{theirs}:{people.nadia.id}": STALE,
        # Somebody else's voice, with no proxy.
        f"v1:vw:{project}:{open_id}:{people.camille.id}": STALE,
        # No vote under way, and forged data.
        f"v1:vc:{project}:{open_id}:ok:0": STALE,
        f"v1:vc:{project}:{open_id}:pick:7": STALE,
        f"v1:vc:{project}:{open_id}:vote:0": STALE,
        f"v1:vg:{project}:{open_id}:0:0": STALE,
    }
    for data, message in refusals.items():
        query = nadia.press_data(data)
        answer = await nadia.answer_to(query)
        assert (answer["text"], answer["show_alert"]) == (message, True), data

    # A vote under way when the ballot closes: the confirmation is refused.
    await _open_ballot(nadia)
    await _press(nadia, "🗳 Vote")
    await _press(nadia, "👍 For")
    with unit_of_work(engine) as session:
        close_ballot(session, project_id=project, ballot_id=open_id, actor_id=people.camille.id)
    query = nadia.press("✅ Confirm my vote")
    assert (await nadia.answer_to(query))["text"] == (
        "This ballot is closed: votes can no longer be cast or changed."
    )

    # A facilitator has no voice.
    camille = TelegramUser(telegram, user_id=CAMILLE, first_name="Camille", language_code="en")
    other = ballots.open("threshold", "Paint the hall?")
    query = camille.press_data(f"v1:vw:{project}:{other}:{people.camille.id}")
    assert (await camille.answer_to(query))["text"] == "Only residents vote."
    query = camille.press_data(f"v1:menu:{project}:votes")
    assert (await camille.answer_to(query))["text"] == STALE
    assert _choices(engine) == []
    assert _participations(engine) == []


async def test_a_too_long_reason_is_refused_and_the_reason_is_asked_again(
    bot, engine, ballots, nadia
):
    ballots.open("consent", "Quiet hours from 22:00?")
    await _open_ballot(nadia, "Quiet hours from 22:00?")
    await _press(nadia, "🗳 Vote")
    await _press(nadia, "✋ I object")
    nadia.send("x" * 1001)
    assert (await nadia.reply()).text == "This reason is too long: 1000 characters at most."
    nadia.send("Too early.")
    recap = await nadia.reply()
    assert "Your vote: objection: Too early." in recap.text
    assert _choices(engine) == []
    # The recap still stands after a look at the menu: confirmed, the objection is cast.
    nadia.send("/menu")
    assert (await nadia.reply()).text == "Les Voisins du Quai: what would you like to do?"
    nadia.press("✅ Confirm my vote")
    assert (await nadia.reply()).text.startswith("Your vote is recorded.")
    assert _choices(engine) == [{"choice": "objection", "reason": "Too early."}]


async def test_live_results_show_while_the_ballot_is_open_hidden_ones_do_not(
    bot, engine, people, ballots, nadia
):
    ballots.open("approval", "Shared rooms?", options=["Laundry", "Workshop"], results_live=True)
    ballots.open("approval", "Garden?", options=["Vegetables", "Flowers"])
    await _open_ballot(nadia, "Shared rooms?")
    await _press(nadia, "🗳 Vote")
    await _press(nadia, "Workshop")
    await _press(nadia, "Done")
    done = await _press(nadia, "✅ Confirm my vote")
    assert "Results so far:\nadopted: Workshop (Laundry: 0 approvals; Workshop: 1 approvals)" in (
        done.text
    )
    hidden = await _open_ballot(nadia, "Garden?")
    assert "Result" not in hidden.text
