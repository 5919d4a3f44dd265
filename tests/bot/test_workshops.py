"""The "Workshops" door, end to end through the fake Bot API: the agenda, a poll answered slot by
slot in one message, RSVPs with +/− and the waiting list, the .ics file, reminders on and off,
the facilitator's table and confirmed slot, and buttons that are stale, forged or not theirs."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
from sqlmodel import select

from bot.outbox_sender import send_due
from voisinage import outbox
from voisinage.db import read_session, unit_of_work
from voisinage.models import Member, utcnow
from voisinage.models.outbox import Notification
from voisinage.models.workshops import PollAnswer, Rsvp, Workshop
from voisinage.workshop_calendars import calendar_host
from voisinage.workshop_polls import poll_table
from voisinage.workshop_rsvps import rsvp

DAY = timedelta(days=1)


def _afternoon(days: int):
    """Return 14:00 UTC, `days` days from now."""
    return (utcnow() + days * DAY).replace(hour=14, minute=0, second=0, microsecond=0)


async def _open_workshops(person):
    person.send("/menu")
    await person.reply()
    person.press("Workshops")
    return await person.reply()


def _answers(engine, people, poll_id):
    with read_session(engine) as session:
        table = poll_table(
            session, project_id=people.project.id, poll_id=poll_id, member_id=people.nadia.id
        )
    return table.mine.answers


def _rsvps(engine):
    with read_session(engine) as session:
        return [(r.status, r.people) for r in session.exec(select(Rsvp).order_by(Rsvp.id))]


def _poll_answers(engine):
    with read_session(engine) as session:
        return list(session.exec(select(PollAnswer)))


async def test_the_door_lists_workshops_ahead_and_open_polls(bot, workshops, nadia):
    vision = workshops.workshop("Vision commune")
    workshops.schedule(vision, starts_at=_afternoon(10), place="Salle commune")
    culture = workshops.workshop("Culture commune")
    workshops.poll(culture, slots=[_afternoon(20), _afternoon(21)], deadline=_afternoon(15))

    agenda = await _open_workshops(nadia)
    assert agenda.method == "editMessageText"
    lines = agenda.text.split("\n")
    assert lines[0] == "Workshops of Les Voisins du Quai"
    assert lines[2] == "Coming up:"
    assert lines[3].startswith("• Vision commune — ")
    assert lines[3].endswith(", Salle commune — your answer: not answered yet")
    assert lines[5] == "Availability polls:"
    assert lines[6].startswith("• Culture commune — answer before ")
    assert lines[6].endswith("(slots answered: 0 of 2)")
    assert lines[-1] == "Reminders before polls close and before workshops: on."
    assert agenda.buttons == [
        ["📅 Vision commune"],
        ["🗳 Culture commune"],
        ["🔕 Turn reminders off"],
        ["Back to the menu"],
    ]


async def test_a_poll_is_answered_slot_by_slot_in_one_message(
    bot, engine, people, workshops, nadia
):
    culture = workshops.workshop("Culture commune")
    slots = [_afternoon(20), _afternoon(21), _afternoon(22)]
    poll_id = workshops.poll(culture, slots=slots, deadline=_afternoon(15))
    await _open_workshops(nadia)

    nadia.press("🗳 Culture commune")
    first = await nadia.reply()
    assert first.method == "editMessageText"
    assert "You answer for Foyer Benali." in first.text
    assert first.text.endswith("Slot 1 of 3: can you come?")
    assert first.buttons[0] == ["✅ Yes", "🤷 If need be", "❌ No"]
    assert first.buttons[1] == ["·1·", "2", "3"]

    for label in ("✅ Yes", "🤷 If need be", "❌ No"):
        nadia.press(label)
        screen = await nadia.reply()
        assert (screen.method, screen.message_id) == ("editMessageText", first.message_id)
    recap = screen
    assert [line[:4] for line in recap.text.split("\n") if line[:2] in ("1.", "2.", "3.")] == [
        "1. ✅",
        "2. 🤷",
        "3. ❌",
    ]
    assert recap.text.endswith("To change one until the deadline, press its number.")
    assert recap.buttons == [["1", "2", "3"], ["Back to the workshops"]]
    slot_ids = sorted(_answers(engine, people, poll_id))
    assert list(_answers(engine, people, poll_id).values()) == ["yes", "if_need_be", "no"]

    # Changing one answer: its number, then the new answer; the recap comes back.
    nadia.press("3")
    assert (await nadia.reply()).text.endswith("Slot 3 of 3: can you come?")
    nadia.press("🤷 If need be")
    assert "3. 🤷" in (await nadia.reply()).text
    answers = _answers(engine, people, poll_id)
    assert [answers[slot_id] for slot_id in slot_ids] == ["yes", "if_need_be", "if_need_be"]


async def test_rsvp_with_plus_and_minus_within_the_capacity(bot, engine, people, workshops, nadia):
    vision = workshops.workshop()
    workshops.schedule(vision, starts_at=_afternoon(10), capacity=3)
    with unit_of_work(engine) as session:
        rsvp(
            session,
            project_id=people.project.id,
            workshop_id=vision,
            member_id=people.camille.id,
            status="coming",
        )
    await _open_workshops(nadia)
    nadia.press("📅 Vision commune")
    card = await nadia.reply()
    assert "Places left: 2 of 3" in card.text
    assert card.text.endswith("You have not answered yet.")
    assert card.buttons[0] == ["✅ Coming", "🤔 Maybe", "❌ Not coming"]

    nadia.press("✅ Coming")
    coming = await nadia.reply()
    assert coming.text.startswith("Noted: you are coming. See you there!")
    assert coming.text.endswith("Your answer: coming, people: 1.")
    assert coming.buttons[1] == ["➕"]
    nadia.press("➕")
    two = await nadia.reply()
    assert "Places left: 0 of 3" in two.text
    assert two.text.endswith("Your answer: coming, people: 2.")
    assert _rsvps(engine) == [("coming", 1), ("coming", 2)]

    # No room for a third person: refused, and nothing changes.
    query = nadia.press("➕")
    answer = await nadia.answer_to(query)
    assert answer["show_alert"] is True
    assert answer["text"] == "Not enough room for that: places left: 0. Your answer is unchanged."
    assert _rsvps(engine) == [("coming", 1), ("coming", 2)]

    nadia.press("➖")
    assert (await nadia.reply()).text.endswith("Your answer: coming, people: 1.")
    nadia.press("❌ Not coming")
    assert (await nadia.reply()).text.startswith("Noted: you are not coming.")
    assert _rsvps(engine) == [("coming", 1), ("not_coming", 0)]


async def test_a_full_workshop_puts_the_rsvp_on_the_waiting_list_which_moves_up(
    bot, engine, people, workshops, nadia
):
    with unit_of_work(engine) as session:
        session.get(Member, people.nadia.id).language = "en"
    vision = workshops.workshop()
    workshops.schedule(vision, starts_at=_afternoon(10), capacity=2)
    with unit_of_work(engine) as session:
        rsvp(
            session,
            project_id=people.project.id,
            workshop_id=vision,
            member_id=people.camille.id,
            status="coming",
            people=2,
        )
    await _open_workshops(nadia)
    nadia.press("📅 Vision commune")
    await nadia.reply()
    nadia.press("✅ Coming")
    waiting = await nadia.reply()
    assert waiting.text.startswith(
        "The workshop is full: you are on the waiting list, in position 1. "
        "You will be told as soon as a place frees up."
    )
    assert waiting.text.endswith("Your answer: on the waiting list, people: 1.")
    assert _rsvps(engine) == [("coming", 2), ("waiting", 1)]

    # Camille cancels: Nadia moves up, and the outbox tells her.
    with unit_of_work(engine) as session:
        rsvp(
            session,
            project_id=people.project.id,
            workshop_id=vision,
            member_id=people.camille.id,
            status="not_coming",
        )
    assert _rsvps(engine) == [("not_coming", 0), ("coming", 1)]
    await send_due(bot, now=utcnow())
    scheduled, told = await nadia.reply(), await nadia.reply()
    assert scheduled.text.startswith("“Vision commune” is scheduled on ")
    assert told.text.startswith("A place has opened up: you are now registered for")
    assert told.buttons == [["Open the workshop"]]


async def test_the_calendar_file_parses_back_with_its_time_zone_and_uid(bot, workshops, nadia):
    vision = workshops.workshop()
    starts_at = _afternoon(10)
    workshops.schedule(vision, starts_at=starts_at, place="Salle commune")
    await _open_workshops(nadia)
    nadia.press("📅 Vision commune")
    await nadia.reply()
    nadia.press("📎 Calendar file (.ics)")
    document = await nadia.reply()
    assert document.method == "sendDocument"
    assert document.text == (
        "“Vision commune”: open this file to add the workshop to your calendar."
    )
    calendar = icalendar.Calendar.from_ical(document.files["document"])
    [event] = calendar.walk("VEVENT")
    host = calendar_host(bot.settings.public_url)
    assert str(event["UID"]) == f"workshop-{vision}@{host}"
    assert str(event["SUMMARY"]) == "Vision commune"
    assert str(event["LOCATION"]) == "Salle commune"
    start = event.decoded("DTSTART")
    assert start.tzinfo.key == "Europe/Paris"
    assert start == starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


async def test_reminders_turned_off_and_on_from_the_door(bot, engine, people, workshops, nadia):
    vision = workshops.workshop()
    workshops.schedule(vision, starts_at=_afternoon(10))
    with unit_of_work(engine) as session:
        rsvp(
            session,
            project_id=people.project.id,
            workshop_id=vision,
            member_id=people.nadia.id,
            status="coming",
        )
    await _open_workshops(nadia)

    def reminders():
        with read_session(engine) as session:
            enabled = outbox.reminders_enabled(session, member_id=people.nadia.id)
            pending = session.exec(
                select(Notification).where(
                    Notification.member_id == people.nadia.id,
                    Notification.is_reminder.is_(True),
                    Notification.cancelled_at.is_(None),
                )
            ).all()
        return enabled, len(pending)

    assert reminders() == (True, 2)
    nadia.press("🔕 Turn reminders off")
    off = await nadia.reply()
    assert off.text.startswith("Reminders are off. You will still be told of new polls")
    assert off.text.endswith("Reminders before polls close and before workshops: off.")
    assert ["🔔 Turn reminders on"] in off.buttons
    assert reminders() == (False, 0)
    nadia.press("🔔 Turn reminders on")
    assert (await nadia.reply()).text.startswith("Reminders are on.")
    assert reminders() == (True, 2)


async def test_the_facilitator_reads_the_table_confirms_a_slot_and_members_are_told(
    bot, engine, people, workshops, camille, nadia
):
    with unit_of_work(engine) as session:
        session.get(Member, people.nadia.id).language = "en"
    culture = workshops.workshop("Culture commune")
    workshops.poll(culture, slots=[_afternoon(20), _afternoon(21)], deadline=_afternoon(15))
    await _open_workshops(nadia)
    nadia.press("🗳 Culture commune")
    await nadia.reply()
    nadia.press("❌ No")
    await nadia.reply()
    nadia.press("✅ Yes")
    await nadia.reply()

    agenda = await _open_workshops(camille)
    assert ["📊 Results: Culture commune"] in agenda.buttons
    camille.press("📊 Results: Culture commune")
    table = await camille.reply()
    lines = table.text.split("\n")
    assert lines[0] == "📊 Answers to the poll for “Culture commune”"
    assert "No answer yet: Camille." in lines
    assert lines[-5:] == [
        "✅ 0 · 🤷 0 · ❌ 1",
        "Cannot come: Foyer Benali",
        "",
        lines[-2],
        "✅ 1 · 🤷 0 · ❌ 0 — ⭐ best slot",
    ]
    assert table.buttons == [["Choose 1", "Choose 2"], ["Back to the workshops"]]

    camille.press("Choose 2")
    question = await camille.reply()
    assert question.text.startswith("Schedule “Culture commune” on ")
    assert question.text.endswith("(Salle)? Everyone invited will be told.")
    camille.press("Yes, schedule it")
    done = await camille.reply()
    assert done.text.startswith("“Culture commune” is scheduled on ")
    assert done.buttons == [["Open the workshop"], ["Back to the workshops"]]
    with read_session(engine) as session:
        workshop = session.get(Workshop, culture)
        assert (workshop.status, workshop.starts_at) == ("scheduled", _afternoon(21))

    await send_due(bot, now=utcnow())
    told = await nadia.reply()
    assert told.text.startswith("“Culture commune” is scheduled on ")
    assert told.text.endswith("(Salle). Tell us whether you are coming.")
    nadia.press("Open the workshop")
    assert (await nadia.reply()).text.startswith("📅 Culture commune")

    # The confirmed poll's old buttons: refused, and nothing is written.
    before = len(_poll_answers(engine))
    query = nadia.press("🤷 If need be")
    answer = await nadia.answer_to(query)
    assert answer["text"] == "This poll is closed: answers can no longer change."
    query = camille.press("Yes, schedule it")
    assert (await camille.answer_to(query))["text"] == (
        "This poll is already closed: a slot was chosen, or it was cancelled."
    )
    assert len(_poll_answers(engine)) == before


async def test_answers_after_the_deadline_are_refused_and_nothing_is_written(
    bot, engine, people, workshops, nadia
):
    culture = workshops.workshop("Culture commune")
    long_ago = utcnow() - 3 * DAY
    poll_id = workshops.poll(culture, slots=[_afternoon(5)], deadline=long_ago + DAY, now=long_ago)
    with read_session(engine) as session:
        [slot_id] = [
            column.slot_id
            for column in poll_table(session, project_id=people.project.id, poll_id=poll_id).slots
        ]
    query = nadia.press_data(f"v1:pans:{people.project.id}:{poll_id}:{slot_id}:y")
    answer = await nadia.answer_to(query)
    assert answer["text"] == "This poll is closed: answers can no longer change."
    assert _poll_answers(engine) == []
    # Opened from an old message, the poll shows, without answer buttons.
    nadia.press_data(f"v1:wpoll:{people.project.id}:{poll_id}")
    closed = await nadia.reply()
    assert "This poll is closed: answers can no longer change." in closed.text
    assert closed.buttons == [["Back to the workshops"]]


async def test_more_people_than_the_capacity_allows_is_refused(
    bot, engine, people, workshops, nadia
):
    vision = workshops.workshop()
    workshops.schedule(vision, starts_at=_afternoon(10), capacity=3)
    query = nadia.press_data(f"v1:rsvp:{people.project.id}:{vision}:coming:5")
    answer = await nadia.answer_to(query)
    assert answer["text"] == "At most 3 people can come to this workshop."
    query = nadia.press_data(f"v1:rsvp:{people.project.id}:{vision}:coming:99")
    assert (await nadia.answer_to(query))["text"] == "Say how many people come: from 1 to 12."
    assert _rsvps(engine) == []


async def test_forged_and_foreign_buttons_are_refused_and_nothing_is_written(
    bot, engine, people, workshops, nadia
):
    theirs = workshops.workshop("Hive tour", project=people.other_project)
    other_poll = workshops.poll(
        theirs, slots=[_afternoon(20)], deadline=_afternoon(15), project=people.other_project
    )
    ours = workshops.workshop("Culture commune")
    our_poll = workshops.poll(ours, slots=[_afternoon(20)], deadline=_afternoon(15))
    with read_session(engine) as session:
        [other_slot] = [
            c.slot_id
            for c in poll_table(
                session, project_id=people.other_project.id, poll_id=other_poll
            ).slots
        ]
    project = people.project.id
    refusals = {
        # Another project's poll, through her own project.
        f"v1:wpoll:{project}:{other_poll}": "This poll does not exist in this project.",
        f"v1:pans:{project}:{other_poll}:{other_slot}:y": "This poll does not exist in this project.",
        # Another poll's slot.
        f"v1:pans:{project}:{our_poll}:{other_slot}:y": "This slot is not part of this poll.",
        # A project she is not in.
        f"v1:pans:{people.other_project.id}:{other_poll}:{other_slot}:y": (
            "This button is no longer valid. Send /menu for a fresh menu."
        ),
        # Forged data.
        f"v1:pans:{project}:{our_poll}:{other_slot}:maybe": (
            "This button is no longer valid. Send /menu for a fresh menu."
        ),
        f"v1:rsvp:{project}:{ours}:coming:1": (
            "This workshop is not scheduled: there is nothing to answer yet."
        ),
        f"v1:ws:{project}:{ours}": "This workshop is not coming up: there is nothing to answer.",
        # A facilitator's buttons, pressed by a resident.
        f"v1:wtab:{project}:{our_poll}": "Only the project's facilitators can do this.",
        f"v1:wconf:{project}:{our_poll}:{other_slot}:yes": (
            "Only the project's facilitators can do this."
        ),
    }
    for data, message in refusals.items():
        query = nadia.press_data(data)
        answer = await nadia.answer_to(query)
        assert (answer["text"], answer["show_alert"]) == (message, True), data
    assert _poll_answers(engine) == []
    assert _rsvps(engine) == []
