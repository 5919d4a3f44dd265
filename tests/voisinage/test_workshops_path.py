"""The GRT path: the shipped template, applying it once, editing it, where the group stands."""

from __future__ import annotations

import threading

import pytest

from tests.voisinage.workshops_support import DAY, HOUR, NOW, make_group, scheduled_workshop
from voisinage import db, outbox
from voisinage.audit import list_actions
from voisinage.db import unit_of_work
from voisinage.errors import Conflict, Forbidden, InvalidValue, NotFound
from voisinage.workshop_path import (
    add_one_off_workshop,
    add_step,
    instantiate_path,
    list_steps,
    path_overview,
    path_template,
    remove_step,
    reorder_steps,
)
from voisinage.workshop_polls import SlotInput, open_poll
from voisinage.workshop_records import record_attendance
from voisinage.workshop_schedule import schedule_workshop
from voisinage.workshops import current_workshop

# The GRT table: code, then who funds each session (BMO: the metropolis; "par groupe": the group).
GRT_TABLE = [
    ("A1", "workshop", "metropolis"),
    ("A1", "workshop", "metropolis"),
    ("A2", "workshop", "metropolis"),
    ("A3", "workshop", "metropolis"),
    ("B1", "workshop", "metropolis"),
    ("B1", "advice", "group"),
    ("B2", "workshop", "metropolis"),
    ("B3", "workshop", "metropolis"),
    ("B3", "advice", "group"),
    ("C1", "workshop", "metropolis"),
    ("C1", "advice", "group"),
]


@pytest.fixture
def group(engine):
    return make_group(engine)


def _instantiate(engine, group, actor=None, **kw):
    with unit_of_work(engine) as session:
        return instantiate_path(
            session,
            project_id=kw.get("project_id", group.project_id),
            actor_id=actor or group.facilitator_id,
            language=kw.get("language"),
        )


def _overview(engine, group):
    with db.read_session(engine) as session:
        return path_overview(session, project_id=group.project_id)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_shipped_template_follows_the_grt_table(language):
    template = path_template(language)
    assert [(s.code, s.kind, s.funder) for s in template.steps] == GRT_TABLE
    assert all(s.half_days == 1 for s in template.steps)
    # One sentence of purpose each, and titles that tell the two A1 sessions apart.
    assert all(s.purpose.endswith(".") and s.purpose.count(". ") == 0 for s in template.steps)
    assert len({s.title for s in template.steps}) == len(template.steps)


def test_both_languages_have_the_same_steps():
    french, english = path_template("fr"), path_template("en")
    assert [s.key for s in french.steps] == [s.key for s in english.steps]
    assert french.steps[2].title == "Vision commune"
    assert english.steps[2].title == "Shared vision"


def test_applying_the_path_twice_adds_it_once_in_the_projects_language(engine, group):
    first = _instantiate(engine, group)
    second = _instantiate(engine, group)
    assert [s.id for s in first] == [s.id for s in second]
    assert [(s.position, s.code) for s in first] == [
        (i, code) for i, (code, _, _) in enumerate(GRT_TABLE, start=1)
    ]
    assert first[0].title == "Culture commune (1re séance)"
    assert [s.state for s in _overview(engine, group)] == ["to_schedule"] * len(GRT_TABLE)
    with db.read_session(engine) as session:
        actions = [a.action for a in list_actions(session, project_id=group.project_id)]
    assert actions.count("path.instantiate") == 1


def test_two_facilitators_applying_the_path_at_once_get_one_path(engine, group):
    barrier = threading.Barrier(2)
    errors = []

    def apply():
        try:
            barrier.wait()
            _instantiate(engine, group)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.read_session(engine) as session:
        assert len(list_steps(session, project_id=group.project_id)) == len(GRT_TABLE)


def test_only_facilitators_of_the_project_edit_the_path(engine, group):
    with pytest.raises(Forbidden):
        _instantiate(engine, group, actor=group.member("Nadia"))
    with pytest.raises(Forbidden):
        _instantiate(engine, group, actor=group.other_facilitator_id)
    with db.read_session(engine) as session:
        assert list_steps(session, project_id=group.project_id) == []


def test_steps_are_added_where_asked_reordered_and_removed(engine, group):
    steps = _instantiate(engine, group, language="en")
    with unit_of_work(engine) as session:
        visit = add_step(
            session,
            project_id=group.project_id,
            title="  Visit of  a cohousing  ",
            code="V",
            funder="group",
            position=2,
            actor_id=group.facilitator_id,
        )
    assert (visit.title, visit.position) == ("Visit of a cohousing", 2)
    assert [s.code for s in _overview(engine, group)][:3] == ["A1", "V", "A1"]

    order = [s.id for s in steps]
    order = [order[1], order[0], visit.id, *order[2:]]
    with unit_of_work(engine) as session:
        reorder_steps(
            session, project_id=group.project_id, step_ids=order, actor_id=group.facilitator_id
        )
    assert [s.step_id for s in _overview(engine, group)] == order

    with unit_of_work(engine) as session:
        remove_step(
            session, project_id=group.project_id, step_id=visit.id, actor_id=group.facilitator_id
        )
    overview = _overview(engine, group)
    assert visit.id not in [s.step_id for s in overview]
    assert [s.position for s in overview] == list(range(1, len(GRT_TABLE) + 1))


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"title": "   "}, InvalidValue),
        ({"title": "x" * 201}, InvalidValue),
        ({"title": "Visit", "kind": "party"}, InvalidValue),
        ({"title": "Visit", "funder": "bank"}, InvalidValue),
        ({"title": "Visit", "half_days": 0}, InvalidValue),
    ],
)
def test_a_step_with_bad_values_is_refused(engine, group, changes, error):
    with pytest.raises(error), unit_of_work(engine) as session:
        add_step(session, project_id=group.project_id, actor_id=group.facilitator_id, **changes)
    assert _overview(engine, group) == []


def test_reordering_a_stale_list_is_refused(engine, group):
    steps = _instantiate(engine, group)
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        reorder_steps(
            session,
            project_id=group.project_id,
            step_ids=[s.id for s in steps][1:],
            actor_id=group.facilitator_id,
        )


def test_a_step_with_a_scheduled_or_held_workshop_stays(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    with db.read_session(engine) as session:
        [step] = list_steps(session, project_id=group.project_id)
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        remove_step(
            session, project_id=group.project_id, step_id=step.id, actor_id=group.facilitator_id
        )
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        remove_step(
            session,
            project_id=group.other_project_id,
            step_id=step.id,
            actor_id=group.other_facilitator_id,
        )
    assert [s.workshop_id for s in _overview(engine, group)] == [workshop_id]


def test_removing_a_step_withdraws_its_open_poll_and_its_notices(engine, group):
    [step, *_] = _instantiate(engine, group)
    with unit_of_work(engine) as session:
        workshop = current_workshop(session, step_id=step.id)
        open_poll(
            session,
            project_id=group.project_id,
            workshop_id=workshop.id,
            slots=[SlotInput(NOW + 10 * DAY, NOW + 10 * DAY + 3 * HOUR)],
            deadline=NOW + 5 * DAY,
            actor_id=group.facilitator_id,
            now=NOW,
        )
        remove_step(
            session, project_id=group.project_id, step_id=step.id, actor_id=group.facilitator_id
        )
    with db.read_session(engine) as session:
        notices = outbox.list_notifications(session, project_id=group.project_id)
    assert notices
    assert all(n.cancel_reason == "step_removed" for n in notices)


def test_a_one_off_workshop_joins_the_path_at_its_end(engine, group):
    _instantiate(engine, group)
    with unit_of_work(engine) as session:
        workshop = add_one_off_workshop(
            session,
            project_id=group.project_id,
            title="Visite de la Maison des Babayagas",
            funder="group",
            actor_id=group.facilitator_id,
        )
    last = _overview(engine, group)[-1]
    assert (last.kind, last.title, last.funder, last.workshop_id, last.state) == (
        "one_off",
        "Visite de la Maison des Babayagas",
        "group",
        workshop.id,
        "to_schedule",
    )


def test_the_overview_says_what_is_done_scheduled_and_to_schedule(engine, group):
    steps = _instantiate(engine, group)
    with unit_of_work(engine) as session:
        a1, a2, a3 = (current_workshop(session, step_id=s.id) for s in steps[:3])
    with unit_of_work(engine) as session:
        for workshop, days in ((a1, 2), (a2, 20)):
            schedule_workshop(
                session,
                project_id=group.project_id,
                workshop_id=workshop.id,
                starts_at=NOW + days * DAY,
                ends_at=NOW + days * DAY + 3 * HOUR,
                place="Salle commune",
                actor_id=group.facilitator_id,
                now=NOW,
            )
        poll = open_poll(
            session,
            project_id=group.project_id,
            workshop_id=a3.id,
            slots=[SlotInput(NOW + 40 * DAY, NOW + 40 * DAY + 3 * HOUR)],
            deadline=NOW + 30 * DAY,
            actor_id=group.facilitator_id,
            now=NOW,
        )
    with unit_of_work(engine) as session:
        record_attendance(
            session,
            project_id=group.project_id,
            workshop_id=a1.id,
            member_ids=group.residents[:5],
            guests=1,
            actor_id=group.facilitator_id,
            now=NOW + 2 * DAY + 4 * HOUR,
        )
    first, second, third, fourth = _overview(engine, group)[:4]
    assert (first.state, first.attendance_count) == ("done", 6)
    assert (second.state, second.starts_at, second.place) == (
        "scheduled",
        NOW + 20 * DAY,
        "Salle commune",
    )
    assert (third.state, third.poll_id, third.poll_deadline) == (
        "to_schedule",
        poll.id,
        NOW + 30 * DAY,
    )
    assert (fourth.state, fourth.poll_id) == ("to_schedule", None)
