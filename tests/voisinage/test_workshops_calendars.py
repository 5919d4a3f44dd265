"""Calendars: a workshop's `.ics` read back with icalendar, and each member's private feed."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlmodel import select

from tests.voisinage.workshops_support import (
    DAY,
    HOUR,
    NOW,
    make_group,
    new_workshop,
    scheduled_workshop,
)
from voisinage import db
from voisinage.db import unit_of_work
from voisinage.errors import Conflict, Forbidden, LinkInvalid, NotFound
from voisinage.models.workshops import CalendarFeed
from voisinage.workshop_calendars import (
    calendar_host,
    issue_calendar_token,
    member_feed_ics,
    revoke_calendar_token,
    workshop_ics,
)
from voisinage.workshop_schedule import cancel_workshop, schedule_workshop

HOST = calendar_host("https://voisinage.example.org/app")
# Saturday 10 April 2027, 14:00 in Lille (summer time, UTC+2).
SUMMER = datetime(2027, 4, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def group(engine):
    return make_group(engine)


def _ics(engine, group, workshop_id):
    with db.read_session(engine) as session:
        data = workshop_ics(
            session, project_id=group.project_id, workshop_id=workshop_id, host=HOST
        )
    return Calendar.from_ical(data)


def _events(calendar):
    return list(calendar.walk("VEVENT"))


def test_a_workshop_file_has_the_projects_time_zone_and_a_stable_uid(engine, group):
    workshop_id = scheduled_workshop(engine, group, starts_at=SUMMER)
    calendar = _ics(engine, group, workshop_id)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    [event] = _events(calendar)
    start = event.decoded("DTSTART")
    assert (start.tzinfo.key, start.hour, start.minute) == ("Europe/Paris", 14, 0)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTEND") - start == 3.5 * HOUR
    assert str(event["UID"]) == f"workshop-{workshop_id}@voisinage.example.org"
    assert (event["SEQUENCE"], str(event["STATUS"])) == (0, "CONFIRMED")
    assert str(event["SUMMARY"]) == "Vision commune"
    assert str(event["LOCATION"]) == "Salle commune, 3 quai de l'Ouest"


def test_a_change_keeps_the_uid_and_bumps_the_sequence_and_a_cancellation_says_so(engine, group):
    workshop_id = scheduled_workshop(engine, group, starts_at=SUMMER)
    with unit_of_work(engine) as session:
        schedule_workshop(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            starts_at=SUMMER + DAY,
            ends_at=SUMMER + DAY + 3 * HOUR,
            actor_id=group.facilitator_id,
            now=NOW,
        )
    [moved] = _events(_ics(engine, group, workshop_id))
    assert moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART").day == 11
    assert "LOCATION" not in moved
    with unit_of_work(engine) as session:
        cancel_workshop(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            actor_id=group.facilitator_id,
            now=NOW + HOUR,
        )
    [cancelled] = _events(_ics(engine, group, workshop_id))
    assert (cancelled["SEQUENCE"], str(cancelled["STATUS"])) == (2, "CANCELLED")
    assert str(cancelled["UID"]) == str(moved["UID"])


def test_a_workshop_without_a_date_or_of_another_project_has_no_file(engine, group):
    with pytest.raises(Conflict):
        _ics(engine, group, new_workshop(engine, group))
    workshop_id = scheduled_workshop(engine, group)
    with pytest.raises(NotFound), db.read_session(engine) as session:
        workshop_ics(session, project_id=group.other_project_id, workshop_id=workshop_id, host=HOST)


def _token(engine, group, name):
    with unit_of_work(engine) as session:
        return issue_calendar_token(
            session, project_id=group.project_id, member_id=group.member(name), now=NOW
        )


def _feed(engine, token):
    with db.read_session(engine) as session:
        return Calendar.from_ical(member_feed_ics(session, token=token, host=HOST))


def test_a_members_feed_lists_the_projects_dated_workshops(engine, group):
    first = scheduled_workshop(engine, group, starts_at=SUMMER)
    second = scheduled_workshop(engine, group, starts_at=SUMMER + 7 * DAY)
    new_workshop(engine, group)  # not dated yet: not in calendars
    with unit_of_work(engine) as session:
        cancel_workshop(
            session,
            project_id=group.project_id,
            workshop_id=second,
            actor_id=group.facilitator_id,
            now=NOW,
        )
    token = _token(engine, group, "Nadia")
    calendar = _feed(engine, token)
    events = {str(e["UID"]): str(e["STATUS"]) for e in _events(calendar)}
    assert events == {
        f"workshop-{first}@voisinage.example.org": "CONFIRMED",
        f"workshop-{second}@voisinage.example.org": "CANCELLED",
    }
    assert str(calendar["X-WR-CALNAME"]) == "Les Voisins du Quai"
    assert calendar.decoded("REFRESH-INTERVAL") == HOUR
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_only_a_hash_of_the_feed_token_is_stored(engine, group):
    token = _token(engine, group, "Nadia")
    with db.read_session(engine) as session:
        [feed] = session.exec(select(CalendarFeed)).all()
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash
    assert len(token) >= 40


def test_a_revoked_or_replaced_feed_url_stops_working(engine, group):
    scheduled_workshop(engine, group)
    old = _token(engine, group, "Nadia")
    new = _token(engine, group, "Nadia")
    with pytest.raises(LinkInvalid):
        _feed(engine, old)
    assert len(_events(_feed(engine, new))) == 1
    with unit_of_work(engine) as session:
        assert revoke_calendar_token(session, member_id=group.member("Nadia")) == 1
    with pytest.raises(LinkInvalid):
        _feed(engine, new)
    with pytest.raises(LinkInvalid):
        _feed(engine, "forged-token")


def test_observers_and_other_projects_members_get_no_feed_here(engine, group):
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        issue_calendar_token(session, project_id=group.project_id, member_id=group.observer_id)
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        issue_calendar_token(
            session, project_id=group.project_id, member_id=group.other_resident_id
        )
    scheduled_workshop(engine, group)
    with unit_of_work(engine) as session:
        token = issue_calendar_token(
            session, project_id=group.other_project_id, member_id=group.other_resident_id
        )
    assert _events(_feed(engine, token)) == []
