"""Availability polls on the web: opening one, the table, answering, confirming the best slot."""

from __future__ import annotations

import re
from datetime import time

import pytest

from tests.webforms.workshop_support import (
    HOUR,
    PARIS,
    day,
    everything,
    local,
    new_workshop,
    now,
    open_test_poll,
)
from voisinage.db import read_session, unit_of_work
from voisinage.enums import Role
from voisinage.people import add_member
from voisinage.projects import add_household
from voisinage.workshop_polls import answer_poll, poll_table
from voisinage.workshops import get_workshop


@pytest.fixture
def workshop_id(engine, world) -> int:
    return new_workshop(engine, world.project.id, world.facilitator.id)


@pytest.fixture
def poll(engine, world, workshop_id) -> tuple[int, list[int]]:
    return open_test_poll(engine, world.project.id, world.facilitator.id, workshop_id)


def _base(world) -> str:
    return f"/p/{world.project.slug}"


def _slot_row(index: int, days: int, starts: str, ends: str, place: str = "Salle") -> dict:
    return {
        f"slots-{index}-day": day(days).isoformat(),
        f"slots-{index}-starts": starts,
        f"slots-{index}-ends": ends,
        f"slots-{index}-place": place,
    }


def _poll_form(*rows: dict, deadline_days: int = 5, unit: str = "household") -> dict:
    data = {
        "deadline_day": day(deadline_days).isoformat(),
        "deadline_time": "20:00",
        "respondent_unit": unit,
    }
    for row in rows:
        data.update(row)
    return data


def test_a_facilitator_opens_a_poll_with_slots_in_the_projects_time_zone(
    web, world, engine, workshop_id
):
    web.sign_in(world.facilitator)
    page = web.get(f"{_base(world)}/workshops/{workshop_id}/poll")
    assert page.status_code == 200
    assert 'type="date"' in page.text
    assert 'type="time"' in page.text
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/poll",
        _poll_form(_slot_row(0, 10, "14:00", "17:30"), _slot_row(1, 12, "18:30", "22:00")),
    )
    assert response.status_code == 302
    poll_id = int(re.search(r"/polls/(\d+)$", response.location).group(1))
    with read_session(engine) as session:
        table = poll_table(session, project_id=world.project.id, poll_id=poll_id)
    starts = [slot.starts_at.astimezone(PARIS).replace(tzinfo=None) for slot in table.slots]
    assert starts == [local(10, time(14)), local(12, time(18, 30))]
    assert table.deadline.astimezone(PARIS).replace(tzinfo=None) == local(5, time(20))
    page = web.get(response.location)
    assert "The poll is open; everyone invited is told." in page.text
    assert "Not answered yet: Camille, Foyer Benali." in page.text


@pytest.mark.parametrize(
    ("rows", "deadline_days", "message"),
    [
        ([_slot_row(0, -1, "14:00", "17:00")], -3, "The deadline is in the past"),
        ([_slot_row(0, 10, "14:00", "17:00"), _slot_row(1, -1, "14:00", "17:00")], 0, "past"),
        ([_slot_row(0, 10, "17:00", "14:00")], 5, "The end must come after the start."),
        ([_slot_row(0, 10, "14:00", "17:00")], 12, "The deadline must come before every slot"),
        ([], 5, "Propose at least one slot."),
        (
            [_slot_row(0, 10, "14:00", "17:00"), _slot_row(1, 10, "14:00", "17:00")],
            5,
            "This slot is proposed twice.",
        ),
        ([{"slots-0-day": day(10).isoformat()}], 5, "Please fill in this field."),
    ],
    ids=["past-deadline", "slot-in-the-past", "end-before-start", "deadline-after-slots",
         "no-slot", "twice", "half-filled"],
)  # fmt: skip
def test_a_poll_with_bad_slots_is_refused_with_a_message_and_nothing_written(
    web, world, engine, workshop_id, rows, deadline_days, message
):
    web.sign_in(world.facilitator)
    before = everything(engine)
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/poll",
        _poll_form(*rows, deadline_days=deadline_days),
    )
    assert response.status_code == 422
    assert message in response.text
    assert everything(engine) == before


def test_the_messages_come_in_the_readers_language(web, world, engine, workshop_id):
    web.sign_in(world.facilitator)
    web.post("/language", {"language": "fr", "next": "/"})
    before = everything(engine)
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/poll",
        _poll_form(_slot_row(0, 10, "17:00", "14:00")),
    )
    assert response.status_code == 422
    assert "La fin doit venir après le début." in response.text
    assert everything(engine) == before


def test_a_resident_answers_each_slot_and_changes_her_mind_until_the_deadline(
    web, world, engine, poll
):
    poll_id, slots = poll
    web.sign_in(world.resident)
    page = web.get(f"{_base(world)}/polls/{poll_id}")
    assert page.status_code == 200
    assert "Your household's answers (Foyer Benali)" in page.text
    # One fieldset per slot, three radio buttons in each: usable on a phone.
    assert page.text.count('class="slot-answer"') == 3
    response = web.post(
        f"{_base(world)}/polls/{poll_id}/answers",
        {f"slot-{slots[0]}": "yes", f"slot-{slots[1]}": "if_need_be", f"slot-{slots[2]}": "no",
         "comment": "Only after 2 pm"},
    )  # fmt: skip
    assert response.status_code == 302
    page = web.get(response.location)
    assert "Your answers are saved." in page.text
    # Her answers come back checked in the form.
    assert re.search(rf'<input checked id="slot-{slots[0]}-0"[^>]*value="yes"', page.text)
    response = web.post(
        f"{_base(world)}/polls/{poll_id}/answers",
        {f"slot-{slots[0]}": "no", f"slot-{slots[2]}": "yes", "comment": ""},
    )
    assert response.status_code == 302
    with read_session(engine) as session:
        table = poll_table(session, project_id=world.project.id, poll_id=poll_id)
    [row] = table.rows
    assert (row.name, row.comment) == ("Foyer Benali", "")
    assert row.answers == {slots[0]: "no", slots[1]: "if_need_be", slots[2]: "yes"}


def test_an_answer_after_the_deadline_is_refused_and_nothing_written(
    web, world, engine, workshop_id
):
    # Opened three days ago, with a deadline that passed an hour ago.
    poll_id, slots = open_test_poll(
        engine,
        world.project.id,
        world.facilitator.id,
        workshop_id,
        deadline=now() - HOUR,
        opened_days_ago=3,
    )
    web.sign_in(world.resident)
    page = web.get(f"{_base(world)}/polls/{poll_id}")
    assert "The deadline has passed: answers can no longer change." in page.text
    assert 'class="slot-answer"' not in page.text
    before = everything(engine)
    response = web.post(f"{_base(world)}/polls/{poll_id}/answers", {f"slot-{slots[0]}": "yes"})
    assert response.status_code == 400
    assert "This poll is closed: answers can no longer change." in response.text
    assert everything(engine) == before


def test_an_answer_that_is_not_a_choice_is_refused(web, world, engine, poll):
    poll_id, slots = poll
    web.sign_in(world.resident)
    before = everything(engine)
    response = web.post(f"{_base(world)}/polls/{poll_id}/answers", {f"slot-{slots[0]}": "maybe"})
    assert response.status_code == 422
    assert "Answer yes, if need be, or no." in response.text
    response = web.post(f"{_base(world)}/polls/{poll_id}/answers", {"comment": ""})
    assert response.status_code == 422
    assert "Answer at least one slot." in response.text
    assert everything(engine) == before


@pytest.fixture
def answered(engine, world, poll) -> tuple[int, list[int]]:
    """Three households and the facilitator answer: the second slot is best."""
    poll_id, slots = poll
    with unit_of_work(engine) as session:
        voters = {
            world.resident.id: ("yes", "yes", "no"),
            world.facilitator.id: ("no", "yes", "yes"),
        }
        for name, choices in (("Foyer Dubois", ("yes", "yes", "no")),
                              ("Foyer Nguyen", ("no", "if_need_be", "yes"))):  # fmt: skip
            household = add_household(session, project_id=world.project.id, name=name)
            member = add_member(
                session,
                project_id=world.project.id,
                display_name=f"Someone of {name}",
                household_id=household.id,
                role=Role.RESIDENT,
            )
            voters[member.id] = choices
        for member_id, choices in voters.items():
            answer_poll(
                session,
                project_id=world.project.id,
                poll_id=poll_id,
                member_id=member_id,
                answers=dict(zip(slots, choices, strict=True)),
            )
    return poll_id, slots


def test_the_table_shows_totals_the_best_slot_and_who_cannot_come(web, world, answered):
    poll_id, _ = answered
    web.sign_in(world.resident)
    page = web.get(f"{_base(world)}/polls/{poll_id}")
    text = page.text
    # Rows by name; columns by slot; the best slot (3 yes + 1 if need be) is marked in words.
    assert re.findall(r'<th scope="row">([^<]+)</th>', text)[:4] == [
        "Camille",
        "Foyer Benali",
        "Foyer Dubois",
        "Foyer Nguyen",
    ]
    assert text.count('<strong class="tag">Best slot</strong>') == 1
    header = re.search(r'<th scope="col" class="slot best">(.*?)</th>', text, re.S).group(1)
    assert day(12).strftime("%B %-d, %Y") in header
    assert "Best slot" in header
    yes_row = re.search(r'<th scope="row">Yes</th>(.*?)</tr>', text, re.S).group(1)
    assert re.findall(r">(\d+)</td>", yes_row) == ["2", "3", "2"]
    cannot = re.search(r'<th scope="row">Cannot come</th>(.*?)</tr>', text, re.S).group(1)
    assert re.findall(r">([^<]*)</td>", cannot)[:3] == [
        "Camille, Foyer Nguyen",
        "—",
        "Foyer Benali, Foyer Dubois",
    ]
    assert "Best slot so far:" in text
    # Residents see the table, not the facilitators' buttons.
    assert "Confirm this slot" not in text


def test_a_facilitator_confirms_the_best_slot_and_the_workshop_is_scheduled(
    web, world, engine, answered, workshop_id
):
    poll_id, slots = answered
    web.sign_in(world.facilitator)
    page = web.get(f"{_base(world)}/polls/{poll_id}")
    # The best slot is the one checked.
    assert re.search(rf'<input checked id="confirm-slot-\d"[^>]*value="{slots[1]}"', page.text)
    response = web.post(f"{_base(world)}/polls/{poll_id}/confirm", {"confirm-slot": slots[1]})
    assert response.status_code == 302
    assert response.location.endswith(f"/workshops/{workshop_id}")
    page = web.get(response.location)
    assert "Date confirmed; everyone invited is told." in page.text
    with read_session(engine) as session:
        workshop = get_workshop(session, project_id=world.project.id, workshop_id=workshop_id)
    assert workshop.status == "scheduled"
    assert workshop.starts_at.astimezone(PARIS).replace(tzinfo=None) == local(12, time(14))
    # A second confirmation (a double click, another tab) changes nothing.
    before = everything(engine)
    response = web.post(f"{_base(world)}/polls/{poll_id}/confirm", {"confirm-slot": slots[0]})
    assert response.status_code == 409
    assert "This poll is already closed" in response.text
    assert everything(engine) == before
    assert (
        "This poll is closed: a date was chosen." in web.get(f"{_base(world)}/polls/{poll_id}").text
    )


def test_a_facilitator_adds_slots_and_bad_ones_are_refused(web, world, engine, poll):
    poll_id, _ = poll
    web.sign_in(world.facilitator)
    before = everything(engine)
    response = web.post(
        f"{_base(world)}/polls/{poll_id}/slots",
        {f"more-{key}": value for key, value in _slot_row(0, -2, "14:00", "17:00").items()},
    )
    assert response.status_code == 422
    assert "This date is in the past: choose one to come." in response.text
    assert everything(engine) == before
    response = web.post(
        f"{_base(world)}/polls/{poll_id}/slots",
        {f"more-{key}": value for key, value in _slot_row(0, 16, "09:30", "12:30").items()},
    )
    assert response.status_code == 302
    with read_session(engine) as session:
        table = poll_table(session, project_id=world.project.id, poll_id=poll_id)
    assert len(table.slots) == 4


def test_a_facilitator_cancels_a_poll(web, world, engine, poll, workshop_id):
    poll_id, _ = poll
    web.sign_in(world.facilitator)
    response = web.post(f"{_base(world)}/polls/{poll_id}/cancel")
    assert response.status_code == 302
    assert response.location.endswith(f"/workshops/{workshop_id}")
    assert "Poll cancelled." in web.get(response.location).text
    assert "This poll was cancelled." in web.get(f"{_base(world)}/polls/{poll_id}").text
    before = everything(engine)
    assert web.post(f"{_base(world)}/polls/{poll_id}/cancel").status_code == 409
    assert everything(engine) == before


def test_observers_see_the_table_but_do_not_answer(web, world, engine, poll):
    poll_id, slots = poll
    web.sign_in(world.observer)
    page = web.get(f"{_base(world)}/polls/{poll_id}")
    assert page.status_code == 200
    assert 'class="slot-answer"' not in page.text
    before = everything(engine)
    response = web.post(f"{_base(world)}/polls/{poll_id}/answers", {f"slot-{slots[0]}": "yes"})
    assert response.status_code == 403
    assert "Observers are not asked to workshops." in response.text
    assert everything(engine) == before
