"""After the workshop: attendance, notes and the minutes' link; the path step is then done."""

from __future__ import annotations

import pytest

from tests.voisinage.workshops_support import DAY, HOUR, NOW, make_group, scheduled_workshop
from voisinage import db
from voisinage.db import unit_of_work
from voisinage.errors import Conflict, Forbidden, InvalidValue, NotFound
from voisinage.models.workshops import Workshop
from voisinage.workshop_path import path_overview
from voisinage.workshop_records import attach_minutes, attendees, record_attendance
from voisinage.workshop_schedule import cancel_workshop

AFTER = NOW + 10 * DAY + 4 * HOUR


@pytest.fixture
def group(engine):
    return make_group(engine)


def _record(engine, group, workshop_id, names, guests=0, now=AFTER, actor=None):
    with unit_of_work(engine) as session:
        return record_attendance(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            member_ids=[group.member(n) if isinstance(n, str) else n for n in names],
            guests=guests,
            actor_id=actor or group.facilitator_id,
            now=now,
        )


def _attendees(engine, group, workshop_id):
    with db.read_session(engine) as session:
        members = attendees(session, project_id=group.project_id, workshop_id=workshop_id)
    return [m.display_name for m in members]


def test_recording_who_came_marks_the_step_done(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    workshop = _record(engine, group, workshop_id, ["Nadia", "Linh", "Camille"], guests=2)
    assert (workshop.status, workshop.attendance_count, workshop.attendance_recorded_at) == (
        "done",
        5,
        AFTER,
    )
    assert _attendees(engine, group, workshop_id) == ["Camille", "Linh", "Nadia"]
    with db.read_session(engine) as session:
        [step] = path_overview(session, project_id=group.project_id)
    assert (step.state, step.attendance_count) == ("done", 5)


def test_recording_again_replaces_the_list(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    _record(engine, group, workshop_id, ["Nadia", "Linh"])
    workshop = _record(engine, group, workshop_id, ["Linh"], now=AFTER + DAY)
    assert workshop.attendance_count == 1
    assert _attendees(engine, group, workshop_id) == ["Linh"]


def test_attendance_waits_for_the_workshop_and_names_only_the_projects_members(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    with pytest.raises(Conflict):
        _record(engine, group, workshop_id, ["Nadia"], now=NOW + DAY)
    with pytest.raises(NotFound):
        _record(engine, group, workshop_id, ["Nadia", group.other_resident_id])
    with pytest.raises(NotFound):
        _record(engine, group, workshop_id, ["Bailleur"])
    with pytest.raises(Forbidden):
        _record(engine, group, workshop_id, ["Nadia"], actor=group.member("Nadia"))
    with pytest.raises(InvalidValue):
        _record(engine, group, workshop_id, ["Nadia"], guests=-1)
    with db.read_session(engine) as session:
        assert session.get(Workshop, workshop_id).status == "scheduled"
    assert _attendees(engine, group, workshop_id) == []


def test_a_cancelled_workshop_takes_no_attendance(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    with unit_of_work(engine) as session:
        cancel_workshop(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            actor_id=group.facilitator_id,
            now=NOW,
        )
    with pytest.raises(Conflict):
        _record(engine, group, workshop_id, ["Nadia"])


def _minutes(engine, group, workshop_id, **kw):
    with unit_of_work(engine) as session:
        return attach_minutes(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            actor_id=group.facilitator_id,
            now=AFTER,
            **kw,
        )


def test_notes_and_a_link_to_the_minutes_are_kept(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    workshop = _minutes(
        engine,
        group,
        workshop_id,
        notes="Vision : 7 valeurs retenues.\n\tÀ voter le 3 avril.\x07",
        minutes_url=" https://pad.example.org/p/vision-commune ",
    )
    assert workshop.notes == "Vision : 7 valeurs retenues.\n\tÀ voter le 3 avril."
    assert workshop.minutes_url == "https://pad.example.org/p/vision-commune"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.org/minutes",
        "https://",
        "https://pad.example.org/p/a b",
        "https://example.org/" + "x" * 500,
    ],
)
def test_a_minutes_link_that_is_not_a_web_address_is_refused(engine, group, url):
    workshop_id = scheduled_workshop(engine, group)
    with pytest.raises(InvalidValue):
        _minutes(engine, group, workshop_id, notes="Notes", minutes_url=url)
    with db.read_session(engine) as session:
        assert session.get(Workshop, workshop_id).notes == ""
