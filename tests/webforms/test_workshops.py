"""Workshops on the web: the path, a workshop's page, RSVPs, attendance, and the home card."""

from __future__ import annotations

import re

import pytest

from tests.webforms.conftest import counting_queries
from tests.webforms.workshop_support import (
    HOUR,
    everything,
    new_workshop,
    now,
    open_test_poll,
    scheduled_workshop,
)
from voisinage.db import read_session, unit_of_work
from voisinage.people import add_member
from voisinage.projects import add_household
from voisinage.workshop_path import path_overview
from voisinage.workshop_rsvps import rsvp, rsvp_summary, set_capacity
from voisinage.workshops import get_workshop


def _base(world) -> str:
    return f"/p/{world.project.slug}"


def _titles(engine, world) -> list[str]:
    with read_session(engine) as session:
        return [step.title for step in path_overview(session, project_id=world.project.id)]


# The path ------------------------------------------------------------------------------------


def test_a_facilitator_applies_the_grt_path_and_everyone_sees_where_the_group_stands(
    web, other_web, world, engine
):
    web.sign_in(world.facilitator)
    page = web.get(f"{_base(world)}/workshops")
    assert "The group has no workshop path yet." in page.text
    response = web.post(f"{_base(world)}/workshops/path")
    assert response.status_code == 302
    page = web.get(response.location)
    assert "The GRT path is in place: 11 steps." in page.text
    assert "A1 · Common culture" in page.text or "A1 · " in page.text
    assert "Done: 0 · Scheduled: 0 · To schedule: 11" in page.text
    # Applying it again adds nothing.
    web.post(f"{_base(world)}/workshops/path")
    assert len(_titles(engine, world)) == 11
    other_web.sign_in(world.resident)
    page = other_web.get(f"{_base(world)}/workshops")
    assert page.text.count('class="step step-to_schedule"') == 11
    # Residents read the path; they get no editing buttons.
    assert "Add a step" not in page.text
    assert "Apply the GRT path" not in page.text


def test_the_path_says_what_is_done_scheduled_and_to_schedule(web, world, engine):
    scheduled_workshop(engine, world.project.id, world.facilitator.id, days=-2, title="Held")
    scheduled_workshop(engine, world.project.id, world.facilitator.id, days=8, title="Coming")
    polled = new_workshop(engine, world.project.id, world.facilitator.id, title="Polled")
    poll_id, _ = open_test_poll(engine, world.project.id, world.facilitator.id, polled)
    web.sign_in(world.facilitator)
    web.post(
        f"{_base(world)}/workshops/{_overview_id(engine, world, 'Held')}/attendance",
        {"attendance-members": [world.resident.id], "attendance-guests": "1"},
    )
    page = web.get(f"{_base(world)}/workshops")
    assert "Done: 1 · Scheduled: 1 · To schedule: 1" in page.text
    assert "2 people came" in page.text
    assert f"/polls/{poll_id}" in page.text
    assert "Availability poll, answers until" in page.text


def _overview_id(engine, world, title: str) -> int:
    with read_session(engine) as session:
        overview = path_overview(session, project_id=world.project.id)
    return next(step.workshop_id for step in overview if step.title == title)


def _step_ids(engine, world) -> list[int]:
    with read_session(engine) as session:
        return [step.step_id for step in path_overview(session, project_id=world.project.id)]


def test_a_facilitator_adds_moves_and_removes_steps(web, world, engine):
    for title in ("One", "Two"):
        new_workshop(engine, world.project.id, world.facilitator.id, title=title)
    web.sign_in(world.facilitator)
    response = web.post(
        f"{_base(world)}/workshops/steps",
        {"title": "Advice", "code": "B1c", "kind": "advice", "half_days": "1",
         "funder": "group", "position": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert _titles(engine, world) == ["Advice", "One", "Two"]
    page = web.get(f"{_base(world)}/workshops")
    assert "Funded by the group" in page.text
    # "Down" on the first step sends the whole order, as the page knew it.
    order = re.findall(r'name="order" value="([\d,]+)"', page.text)
    ids = _step_ids(engine, world)
    assert order[0] == f"{ids[1]},{ids[0]},{ids[2]}"
    assert web.post(f"{_base(world)}/workshops/order", {"order": order[0]}).status_code == 302
    assert _titles(engine, world) == ["One", "Advice", "Two"]
    # The same button again, from a page that is out of date now, is refused.
    before = everything(engine)
    stale = web.post(f"{_base(world)}/workshops/order", {"order": f"{ids[1]},{ids[0]}"})
    assert stale.status_code == 422
    assert "The path has changed meanwhile" in stale.text
    forged = web.post(f"{_base(world)}/workshops/order", {"order": "1,x"})
    assert forged.status_code == 422
    assert "The path has changed meanwhile" in forged.text
    assert everything(engine) == before
    response = web.post(f"{_base(world)}/workshops/steps/{ids[0]}/remove")
    assert response.status_code == 302
    assert _titles(engine, world) == ["One", "Two"]


def test_a_one_off_workshop_joins_the_end_of_the_path(web, world, engine):
    new_workshop(engine, world.project.id, world.facilitator.id, title="One")
    web.sign_in(world.facilitator)
    response = web.post(
        f"{_base(world)}/workshops/one-off",
        {"one-off-title": "Visit of La Ruche", "one-off-purpose": "See it built."},
    )
    assert response.status_code == 302
    assert _titles(engine, world) == ["One", "Visit of La Ruche"]
    page = web.get(response.location)
    assert "One-off workshop" in page.text
    assert "Ask for availabilities" in page.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "kind": "workshop", "half_days": "1"}, "Please fill in this field."),
        ({"title": "X", "kind": "workshop", "half_days": "0"}, "A step lasts from 1 to 20"),
        ({"title": "X" * 201, "kind": "workshop", "half_days": "1"}, "At most 200 characters."),
        ({"title": "X", "kind": "party", "half_days": "1"}, "Not a valid choice"),
    ],
    ids=["no-title", "no-length", "too-long", "unknown-kind"],
)
def test_a_bad_step_is_refused_with_a_message_and_nothing_written(
    web, world, engine, data, message
):
    web.sign_in(world.facilitator)
    before = everything(engine)
    response = web.post(f"{_base(world)}/workshops/steps", data)
    assert response.status_code == 422
    assert message in response.text
    assert everything(engine) == before


def test_a_step_with_a_scheduled_workshop_cannot_be_removed(web, world, engine):
    scheduled_workshop(engine, world.project.id, world.facilitator.id)
    web.sign_in(world.facilitator)
    before = everything(engine)
    [step_id] = _step_ids(engine, world)
    response = web.post(f"{_base(world)}/workshops/steps/{step_id}/remove")
    assert response.status_code == 409
    assert "cancel a scheduled one first" in response.text
    assert everything(engine) == before


# A workshop ----------------------------------------------------------------------------------


@pytest.fixture
def workshop_id(engine, world) -> int:
    return scheduled_workshop(engine, world.project.id, world.facilitator.id)


def test_the_workshop_page_shows_when_and_where_in_the_projects_time_zone(web, world, workshop_id):
    web.sign_in(world.resident)
    page = web.get(f"{_base(world)}/workshops/{workshop_id}")
    assert page.status_code == 200
    assert re.search(r"<dd>\w+day, \w+ \d+, \d{4}, 2:00\s*PM to 5:30\s*PM</dd>", page.text)
    assert "Salle commune" in page.text
    assert f"/workshops/{workshop_id}.ics" in page.text
    assert "You have not answered yet." in page.text
    # The facilitators' forms are theirs alone.
    assert "For the facilitators" not in page.text


def test_a_resident_rsvps_with_the_number_of_people(web, world, engine, workshop_id):
    web.sign_in(world.resident)
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/rsvp", {"answer": "coming", "people": "2"}
    )
    assert response.status_code == 302
    page = web.get(response.location)
    assert "Your answer is saved." in page.text
    assert "Your household: Coming. 2 people." in page.text
    assert re.search(r'<input checked id="answer-0"[^>]*value="coming"', page.text)
    with read_session(engine) as session:
        summary = rsvp_summary(session, project_id=world.project.id, workshop_id=workshop_id)
    assert (summary.coming, [row.name for row in summary.rows]) == (2, ["Foyer Benali"])
    response = web.post(f"{_base(world)}/workshops/{workshop_id}/rsvp", {"answer": "not_coming"})
    assert response.status_code == 302
    assert "Your household: Not coming." in web.get(response.location).text


def test_capacity_and_the_waiting_list_are_shown(web, world, engine, workshop_id):
    with unit_of_work(engine) as session:
        set_capacity(
            session,
            project_id=world.project.id,
            workshop_id=workshop_id,
            capacity=2,
            actor_id=world.facilitator.id,
        )
        rsvp(
            session,
            project_id=world.project.id,
            workshop_id=workshop_id,
            member_id=world.facilitator.id,
            status="coming",
            people=2,
        )
    web.sign_in(world.resident)
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/rsvp", {"answer": "coming", "people": "1"}
    )
    page = web.get(response.location)
    assert "The workshop is full: you are on the waiting list, number 1." in page.text
    assert "2 places, 0 left · 1 person on the waiting list" in page.text
    assert "Your household: On the waiting list. 1 person." in page.text


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"answer": "coming", "people": "3"}, 422, "At most 2 people can come to this workshop."),
        ({"answer": "coming", "people": "13"}, 422, "Say how many people come: from 1 to 12."),
        ({"answer": "coming", "people": "two"}, 422, "Not a valid integer value."),
        ({"answer": "perhaps", "people": "1"}, 422, "Not a valid choice"),
        ({"people": "1"}, 422, "Please fill in this field."),
    ],
    ids=["over-capacity", "too-many", "not-a-number", "unknown-answer", "no-answer"],
)
def test_a_bad_rsvp_is_refused_with_a_message_and_nothing_written(
    web, world, engine, workshop_id, data, status, message
):
    with unit_of_work(engine) as session:
        set_capacity(
            session,
            project_id=world.project.id,
            workshop_id=workshop_id,
            capacity=2,
            actor_id=world.facilitator.id,
        )
    web.sign_in(world.resident)
    before = everything(engine)
    response = web.post(f"{_base(world)}/workshops/{workshop_id}/rsvp", data)
    assert response.status_code == status
    assert message in response.text
    assert everything(engine) == before


def test_an_rsvp_to_a_workshop_without_a_date_is_refused(web, world, engine):
    workshop_id = new_workshop(engine, world.project.id, world.facilitator.id)
    web.sign_in(world.resident)
    before = everything(engine)
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/rsvp", {"answer": "coming", "people": "1"}
    )
    assert response.status_code == 409
    assert "This workshop is not scheduled" in response.text
    assert everything(engine) == before


def test_a_facilitator_dates_a_workshop_without_a_poll_and_bad_dates_are_refused(
    web, world, engine
):
    from tests.webforms.workshop_support import day

    workshop_id = new_workshop(engine, world.project.id, world.facilitator.id)
    web.sign_in(world.facilitator)
    url = f"{_base(world)}/workshops/{workshop_id}/schedule"
    before = everything(engine)
    for data, message in (
        ({"day": day(-1).isoformat(), "starts": "14:00", "ends": "17:00"}, "in the past"),
        ({"day": day(9).isoformat(), "starts": "17:00", "ends": "14:00"}, "The end must come"),
        ({"day": day(9).isoformat(), "starts": "", "ends": "17:00"}, "Please fill in this field"),
    ):
        response = web.post(url, {f"schedule-{key}": value for key, value in data.items()})
        assert (response.status_code, message in response.text) == (422, True)
    assert everything(engine) == before
    response = web.post(
        url,
        {"schedule-day": day(9).isoformat(), "schedule-starts": "09:30",
         "schedule-ends": "12:30", "schedule-place": "Garden"},
    )  # fmt: skip
    assert response.status_code == 302
    page = web.get(response.location)
    assert "Date saved; everyone invited is told." in page.text
    assert "9:30\u202fAM to 12:30\u202fPM" in page.text or "9:30 AM to 12:30 PM" in page.text


def test_a_facilitator_cancels_a_workshop_and_its_step_is_to_schedule_again(
    web, world, engine, workshop_id
):
    web.sign_in(world.facilitator)
    response = web.post(f"{_base(world)}/workshops/{workshop_id}/cancel")
    assert response.status_code == 302
    new_id = int(response.location.rsplit("/", 1)[1])
    assert new_id != workshop_id
    page = web.get(response.location)
    assert "Workshop cancelled; everyone invited is told." in page.text
    assert "To schedule" in page.text
    assert web.get(f"{_base(world)}/workshops/{workshop_id}").status_code == 200


def test_after_the_workshop_the_facilitator_records_attendance_and_the_minutes(
    web, other_web, world, engine
):
    workshop_id = scheduled_workshop(engine, world.project.id, world.facilitator.id, days=-1)
    web.sign_in(world.facilitator)
    page = web.get(f"{_base(world)}/workshops/{workshop_id}")
    assert "Record attendance" in page.text
    assert "Cancel this workshop" not in page.text
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/attendance",
        {"attendance-members": [world.resident.id, world.facilitator.id], "attendance-guests": "3"},
    )
    assert response.status_code == 302
    before = everything(engine)
    bad = web.post(
        f"{_base(world)}/workshops/{workshop_id}/minutes",
        {"minutes-minutes_url": "javascript:alert(1)", "minutes-notes": "x"},
    )
    assert bad.status_code == 422
    assert "Give the minutes&#39; address as a web link" in bad.text or (
        "Give the minutes' address as a web link" in bad.text
    )
    assert everything(engine) == before
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/minutes",
        {"minutes-minutes_url": "https://pad.example.org/a2", "minutes-notes": "Went well."},
    )
    assert response.status_code == 302
    with read_session(engine) as session:
        workshop = get_workshop(session, project_id=world.project.id, workshop_id=workshop_id)
    assert (workshop.status, workshop.attendance_count) == ("done", 5)
    other_web.sign_in(world.resident)
    page = other_web.get(f"{_base(world)}/workshops/{workshop_id}")
    assert "5 people came" in page.text
    assert 'href="https://pad.example.org/a2"' in page.text
    # The facilitators' notes stay theirs.
    assert "Went well." not in page.text


def test_attendance_before_the_workshop_is_refused(web, world, engine, workshop_id):
    web.sign_in(world.facilitator)
    before = everything(engine)
    response = web.post(
        f"{_base(world)}/workshops/{workshop_id}/attendance",
        {"attendance-members": [world.resident.id]},
    )
    assert response.status_code == 409
    assert "This workshop has not begun yet" in response.text
    assert everything(engine) == before


# The home page -------------------------------------------------------------------------------


def test_the_home_card_lists_the_next_workshops_and_the_open_polls(web, world, engine):
    workshop_id = scheduled_workshop(engine, world.project.id, world.facilitator.id, title="Vision")
    polled = new_workshop(engine, world.project.id, world.facilitator.id, title="Site")
    poll_id, _ = open_test_poll(engine, world.project.id, world.facilitator.id, polled)
    web.sign_in(world.resident)
    home = web.get(f"{_base(world)}/")
    assert f'href="{_base(world)}/workshops/{workshop_id}">Vision</a>' in home.text
    assert f'href="{_base(world)}/polls/{poll_id}">When can you come to Site?</a>' in home.text
    assert "Answers until" in home.text
    assert f'href="{_base(world)}/workshops">All workshops</a>' in home.text
    # The facilitators' list of their pages has the workshops too.
    assert 'id="facilitation-title"' not in home.text
    web.sign_in(world.facilitator)
    facilitation = web.get(f"{_base(world)}/").text.split('id="facilitation-title"')[1]
    assert ">Workshops</a></li>" in facilitation


def test_observers_read_the_next_workshops_on_the_home_page(web, world, engine):
    workshop_id = scheduled_workshop(engine, world.project.id, world.facilitator.id)
    web.sign_in(world.observer)
    home = web.get(f"{_base(world)}/")
    assert f'href="{_base(world)}/workshops/{workshop_id}">Vision</a>' in home.text
    page = web.get(f"{_base(world)}/workshops/{workshop_id}")
    # They read it; they are not asked to come.
    assert "Send my answer" not in page.text


def test_past_workshops_and_closed_polls_leave_the_home_page(web, world, engine):
    scheduled_workshop(engine, world.project.id, world.facilitator.id, days=-1)
    polled = new_workshop(engine, world.project.id, world.facilitator.id, title="Site")
    open_test_poll(
        engine,
        world.project.id,
        world.facilitator.id,
        polled,
        deadline=now() - HOUR,
        opened_days_ago=3,
    )
    web.sign_in(world.resident)
    assert "No workshop is planned for now." in web.get(f"{_base(world)}/").text


@pytest.mark.parametrize("growth", [3, 30])
def test_the_home_page_runs_as_many_queries_whatever_the_number_of_members(
    app, web, world, engine, growth
):
    scheduled_workshop(engine, world.project.id, world.facilitator.id)
    polled = new_workshop(engine, world.project.id, world.facilitator.id, title="Site")
    open_test_poll(engine, world.project.id, world.facilitator.id, polled)
    web.sign_in(world.resident)

    def count() -> int:
        with counting_queries(app) as statements:
            assert web.get(f"{_base(world)}/").status_code == 200
        return len(statements)

    small = count()
    with unit_of_work(engine) as session:
        for number in range(growth):
            household = add_household(session, project_id=world.project.id, name=f"F{number}")
            add_member(
                session, project_id=world.project.id, display_name=f"M{number}",
                household_id=household.id,
            )  # fmt: skip
    assert count() == small
