"""Calendars on the web: a workshop's .ics file, the private feed by token, and reminders."""

from __future__ import annotations

import re
from datetime import time

import pytest
from icalendar import Calendar

from tests.webforms.workshop_support import (
    everything,
    local,
    new_workshop,
    scheduled_workshop,
)
from voisinage import outbox
from voisinage.db import read_session, unit_of_work
from voisinage.workshop_schedule import schedule_workshop

FEED_URL = re.compile(
    r'id="feed-url" type="text" readonly value="(http://voisinage\.test/calendar/[^"]+\.ics)"'
)


def _base(world) -> str:
    return f"/p/{world.project.slug}"


@pytest.fixture
def workshop_id(engine, world) -> int:
    return scheduled_workshop(engine, world.project.id, world.facilitator.id, place="Hall")


def _event(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_workshop_downloads_as_an_ics_file_with_its_time_zone_and_a_stable_uid(
    web, world, engine, workshop_id
):
    web.sign_in(world.resident)
    response = web.get(f"{_base(world)}/workshops/{workshop_id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="workshop-{workshop_id}.ics"'
    )
    calendar, event = _event(response.data)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    start = event.decoded("DTSTART")
    assert start.tzinfo.key == "Europe/Paris"
    assert start.replace(tzinfo=None) == local(10, time(14))
    assert event.decoded("DTEND").replace(tzinfo=None) == local(10, time(17, 30))
    assert str(event["UID"]) == f"workshop-{workshop_id}@voisinage.test"
    assert (str(event["SUMMARY"]), str(event["LOCATION"]), event["SEQUENCE"]) == (
        "Vision",
        "Hall",
        0,
    )
    # Moved: the same UID, a higher SEQUENCE, so that calendars replace the event.
    with unit_of_work(engine) as session:
        schedule_workshop(
            session,
            project_id=world.project.id,
            workshop_id=workshop_id,
            starts_at=local(11, time(9)),
            ends_at=local(11, time(12)),
            place="Hall",
            actor_id=world.facilitator.id,
        )
    _, moved = _event(web.get(f"{_base(world)}/workshops/{workshop_id}.ics").data)
    assert str(moved["UID"]) == str(event["UID"])
    assert moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART").replace(tzinfo=None) == local(11, time(9))


def test_a_workshop_without_a_date_has_no_calendar_file(web, world, engine):
    workshop_id = new_workshop(engine, world.project.id, world.facilitator.id)
    web.sign_in(world.resident)
    response = web.get(f"{_base(world)}/workshops/{workshop_id}.ics")
    assert response.status_code == 409
    assert "This workshop has no date yet" in response.text


def _issue(web, world) -> str:
    page = web.post(f"{_base(world)}/calendar/feed")
    assert page.status_code == 200
    match = FEED_URL.search(page.text)
    assert match, "the page shows no feed address"
    assert 'href="webcal://voisinage.test/calendar/' in page.text
    return match.group(1).removeprefix("http://voisinage.test")


def test_a_member_gets_a_private_feed_that_calendar_apps_read_without_a_session(
    web, other_web, world, engine, workshop_id
):
    web.sign_in(world.resident)
    page = web.get(f"{_base(world)}/calendar")
    assert "Show me a feed address" in page.text
    path = _issue(web, world)
    # Read as a calendar app would: another client, no cookie, nothing signed in.
    app_client = other_web.client
    response = app_client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"workshop-{workshop_id}@voisinage.test"
    assert str(calendar["X-WR-CALNAME"]) == world.project.name
    # The address is shown once: the page does not show it again.
    assert FEED_URL.search(web.get(f"{_base(world)}/calendar").text) is None


def test_a_new_feed_address_or_revoking_it_kills_the_old_one(web, other_web, world, workshop_id):
    web.sign_in(world.resident)
    first = _issue(web, world)
    second = _issue(web, world)
    assert first != second
    assert other_web.client.get(first).status_code == 404
    assert other_web.client.get(second).status_code == 200
    response = web.post(f"{_base(world)}/calendar/feed/revoke")
    assert response.status_code == 302
    assert "Your calendar feed address no longer works." in web.get(response.location).text
    assert other_web.client.get(second).status_code == 404
    response = web.post(f"{_base(world)}/calendar/feed/revoke")
    assert "You had no calendar feed address." in web.get(response.location).text


@pytest.mark.parametrize("token", ["unknown-token", "x" * 43, "%00"])
def test_an_unknown_feed_token_is_not_found(other_web, world, token):
    response = other_web.client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Set-Cookie" not in response.headers


def test_observers_have_no_feed(web, world, engine):
    web.sign_in(world.observer)
    page = web.get(f"{_base(world)}/calendar")
    assert page.status_code == 200
    assert "Show me a feed address" not in page.text
    before = everything(engine)
    response = web.post(f"{_base(world)}/calendar/feed")
    assert response.status_code == 403
    assert "Observers are not asked to workshops." in response.text
    assert everything(engine) == before


def test_a_member_turns_reminders_off_and_on(web, world, engine):
    web.sign_in(world.resident)
    page = web.get(f"{_base(world)}/calendar")
    assert "Reminders are on." in page.text
    response = web.post(f"{_base(world)}/calendar/reminders", {})
    assert response.status_code == 302
    page = web.get(response.location)
    assert "Reminders off." in page.text
    assert "Reminders are off." in page.text
    with read_session(engine) as session:
        assert not outbox.reminders_enabled(session, member_id=world.resident.id)
    web.post(f"{_base(world)}/calendar/reminders", {"reminders": "y"})
    with read_session(engine) as session:
        assert outbox.reminders_enabled(session, member_id=world.resident.id)


def test_the_workshop_page_links_to_the_calendars(web, world, workshop_id):
    web.sign_in(world.resident)
    page = web.get(f"{_base(world)}/workshops/{workshop_id}")
    assert f'href="{_base(world)}/workshops/{workshop_id}.ics" download' in page.text
    assert f'href="{_base(world)}/calendar"' in page.text
