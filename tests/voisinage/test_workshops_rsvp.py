"""RSVPs: one per household, places counted in people, a waiting list that moves up by itself."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from tests.voisinage.workshops_support import (
    DAY,
    HOUR,
    NOW,
    FakeTelegram,
    make_group,
    new_workshop,
    scheduled_workshop,
)
from voisinage import db, outbox
from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.errors import Conflict, Forbidden, InvalidValue, NotFound
from voisinage.models import Member
from voisinage.models.workshops import Rsvp
from voisinage.people import add_member
from voisinage.workshop_agenda import member_agenda
from voisinage.workshop_rsvps import rsvp, rsvp_summary, set_capacity

MINUTE = timedelta(minutes=1)


@pytest.fixture
def group(engine):
    return make_group(engine)


def _rsvp(engine, group, workshop_id, name, status="coming", people=1, now=NOW):
    with unit_of_work(engine) as session:
        return rsvp(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            member_id=group.member(name) if isinstance(name, str) else name,
            status=status,
            people=people,
            now=now,
        )


def _capacity(engine, group, workshop_id, capacity, now=NOW):
    with unit_of_work(engine) as session:
        return set_capacity(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            capacity=capacity,
            actor_id=group.facilitator_id,
            now=now,
        )


def _summary(engine, group, workshop_id):
    with db.read_session(engine) as session:
        return rsvp_summary(session, project_id=group.project_id, workshop_id=workshop_id)


def test_a_household_answers_once_for_all_its_members(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    _rsvp(engine, group, workshop_id, "Nadia", people=2)
    result = _rsvp(engine, group, workshop_id, "Karim", people=3)
    assert (result.status, result.people, result.places_left) == ("coming", 3, None)
    summary = _summary(engine, group, workshop_id)
    assert [(r.name, r.status, r.people) for r in summary.rows] == [("Foyer Benali", "coming", 3)]
    assert summary.coming == 3


def test_without_room_a_household_waits_and_moves_up_when_someone_cancels(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    _capacity(engine, group, workshop_id, 4)
    _rsvp(engine, group, workshop_id, "Nadia", people=2)
    _rsvp(engine, group, workshop_id, "Linh", people=2)
    waiting = _rsvp(engine, group, workshop_id, "Paul", people=2, now=NOW + MINUTE)
    later = _rsvp(engine, group, workshop_id, "Jeanne", people=1, now=NOW + 2 * MINUTE)
    assert (waiting.status, waiting.waiting_position, waiting.places_left) == ("waiting", 1, 0)
    assert (later.status, later.waiting_position) == ("waiting", 2)

    _rsvp(engine, group, workshop_id, "Karim", status="not_coming", now=NOW + HOUR)
    summary = _summary(engine, group, workshop_id)
    assert [(r.name, r.status) for r in summary.rows] == [
        ("Foyer Nguyen", "coming"),
        ("Foyer Moreau", "coming"),
        ("Foyer Dubois", "waiting"),
        ("Foyer Benali", "not_coming"),
    ]
    assert (summary.coming, summary.waiting, summary.places_left) == (4, 1, 0)
    telegram = FakeTelegram(engine)
    telegram.drain(NOW + HOUR)
    assert sorted(telegram.received("rsvp.promoted")) == sorted(
        [group.member("Paul"), group.member("Inès")]
    )
    with db.read_session(engine) as session:
        paul = session.get(Member, group.member("Paul")).telegram_user_id
    assert telegram.inbox[paul][-1].startswith("Une place s'est libérée")


def test_the_first_in_line_who_fits_moves_up(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    _capacity(engine, group, workshop_id, 3)
    _rsvp(engine, group, workshop_id, "Nadia", people=3)
    _rsvp(engine, group, workshop_id, "Linh", people=3, now=NOW + MINUTE)
    _rsvp(engine, group, workshop_id, "Jeanne", people=1, now=NOW + 2 * MINUTE)
    _rsvp(engine, group, workshop_id, "Nadia", people=1, now=NOW + 3 * MINUTE)
    summary = _summary(engine, group, workshop_id)
    assert [(r.name, r.status) for r in summary.rows] == [
        ("Foyer Benali", "coming"),
        ("Foyer Dubois", "coming"),
        ("Foyer Nguyen", "waiting"),
    ]


def test_asking_for_more_places_than_are_left_is_refused_and_keeps_yours(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    _capacity(engine, group, workshop_id, 4)
    _rsvp(engine, group, workshop_id, "Nadia", people=2)
    _rsvp(engine, group, workshop_id, "Linh", people=1)
    with pytest.raises(Conflict) as refused:
        _rsvp(engine, group, workshop_id, "Karim", people=4)
    assert refused.value.params == {"left": 1}
    assert _rsvp(engine, group, workshop_id, "Karim", people=3).status == "coming"
    with pytest.raises(InvalidValue):
        _rsvp(engine, group, workshop_id, "Paul", people=5)
    assert _summary(engine, group, workshop_id).coming == 4


@pytest.mark.parametrize(
    ("status", "people"), [("coming", 0), ("coming", 13), ("waiting", 1), ("yes", 1)]
)
def test_bad_rsvps_are_refused(engine, group, status, people):
    workshop_id = scheduled_workshop(engine, group)
    with pytest.raises(InvalidValue):
        _rsvp(engine, group, workshop_id, "Nadia", status=status, people=people)
    assert _summary(engine, group, workshop_id).rows == []


def test_rsvps_wait_for_a_date_and_close_when_the_workshop_begins(engine, group):
    to_schedule = new_workshop(engine, group)
    with pytest.raises(Conflict):
        _rsvp(engine, group, to_schedule, "Nadia")
    workshop_id = scheduled_workshop(engine, group, starts_at=NOW + DAY)
    with pytest.raises(Conflict):
        _rsvp(engine, group, workshop_id, "Nadia", now=NOW + DAY)
    with pytest.raises(Forbidden):
        _rsvp(engine, group, workshop_id, "Bailleur")
    with pytest.raises(NotFound):
        _rsvp(engine, group, workshop_id, group.other_resident_id)
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        rsvp(
            session,
            project_id=group.other_project_id,
            workshop_id=workshop_id,
            member_id=group.other_resident_id,
            status="coming",
            now=NOW,
        )
    assert _summary(engine, group, workshop_id).rows == []


def test_a_larger_room_moves_the_waiting_list_up_and_a_smaller_one_cannot_evict(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    _capacity(engine, group, workshop_id, 2)
    _rsvp(engine, group, workshop_id, "Nadia", people=2)
    _rsvp(engine, group, workshop_id, "Linh", people=2, now=NOW + MINUTE)
    with pytest.raises(Conflict):
        _capacity(engine, group, workshop_id, 1)
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        set_capacity(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            capacity=10,
            actor_id=group.member("Nadia"),
        )
    _capacity(engine, group, workshop_id, 4)
    summary = _summary(engine, group, workshop_id)
    assert (summary.coming, summary.waiting, summary.places_left) == (4, 0, 0)
    _capacity(engine, group, workshop_id, None)
    assert _summary(engine, group, workshop_id).places_left is None


def test_the_agenda_shows_workshops_ahead_with_the_households_rsvp(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    scheduled_workshop(engine, group, starts_at=NOW + 2 * DAY)
    _rsvp(engine, group, workshop_id, "Nadia", people=2)
    with db.read_session(engine) as session:
        agenda = member_agenda(
            session, project_id=group.project_id, member_id=group.member("Karim"), now=NOW
        )
    assert [(w.starts_at, w.rsvp_status, w.rsvp_people) for w in agenda.workshops] == [
        (NOW + 2 * DAY, None, 0),
        (NOW + 10 * DAY, "coming", 2),
    ]


# -- The waiting list over random sequences of changes, against a model of the rules. --

RESPONDENTS = ["Nadia", "Jeanne", "Linh", "Paul", "Aïssatou", "Sophie", "Camille"]
operations = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(RESPONDENTS),
            st.sampled_from(["coming", "coming", "maybe", "not_coming"]),
            st.integers(1, 4),
        ),
        st.tuples(st.just("capacity"), st.integers(1, 8)),
    ),
    min_size=1,
    max_size=12,
)


class WaitingListModel:
    """The rules of docs/workshops.md, in plain Python."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.rsvps: dict[str, tuple[str, int, int]] = {}  # status, people, place in line
        self.line = 0
        self.promoted: list[str] = []

    def left(self) -> int:
        taken = sum(p for s, p, _ in self.rsvps.values() if s == "coming")
        return self.capacity - taken

    def move_up(self) -> None:
        waiting = sorted((n, r) for r, (s, _, n) in self.rsvps.items() if s == "waiting")
        for _, who in waiting:
            _, people, _ = self.rsvps[who]
            if people <= self.left():
                self.rsvps[who] = ("coming", people, 0)
                self.promoted.append(who)

    def answer(self, who: str, status: str, people: int) -> type[Exception] | None:
        current = self.rsvps.get(who)
        if status == "not_coming":
            self.rsvps[who] = ("not_coming", 0, 0)
        elif status == "maybe":
            self.rsvps[who] = ("maybe", people, 0)
        elif people > self.capacity:
            return InvalidValue
        elif current and current[0] == "coming":
            if people - current[1] > self.left():
                return Conflict
            self.rsvps[who] = ("coming", people, 0)
        elif people <= self.left():
            self.rsvps[who] = ("coming", people, 0)
        else:
            self.line += 1
            place = current[2] if current and current[0] == "waiting" else self.line
            self.rsvps[who] = ("waiting", people, place)
        self.move_up()
        return None

    def resize(self, capacity: int) -> type[Exception] | None:
        if capacity < self.capacity - self.left():
            return Conflict
        self.capacity = capacity
        self.move_up()
        return None


def _respondent_names(group) -> dict[tuple[str, int], str]:
    """Map each RSVP row's respondent (household or member) to the name that answers for it."""
    keys = {}
    for name in RESPONDENTS:
        member_id = group.member(name)
        household = next(
            (h for h, members in group.households.values() if member_id in members), None
        )
        keys[("household", household) if household else ("member", member_id)] = name
    return keys


def _members_answered_for(group, name) -> list[int]:
    member_id = group.member(name)
    for _, members in group.households.values():
        if member_id in members:
            return members
    return [member_id]


examples = itertools.count()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(capacity=st.integers(1, 8), steps=operations)
def test_the_waiting_list_never_exceeds_capacity_nor_keeps_anyone_who_fits(engine, capacity, steps):
    group = make_group(engine, suffix=f" {next(examples)}")
    workshop_id = scheduled_workshop(engine, group)
    _capacity(engine, group, workshop_id, capacity)
    model = WaitingListModel(capacity)
    names = _respondent_names(group)
    for index, step in enumerate(steps):
        now = NOW + (index + 1) * MINUTE
        if step[0] == "capacity":
            expected = model.resize(step[1])
            action = partial(_capacity, engine, group, workshop_id, step[1], now=now)
        else:
            who, status, people = step
            expected = model.answer(who, status, people)
            action = partial(_rsvp, engine, group, workshop_id, who, status, people, now=now)
        if expected is None:
            action()
        else:
            with pytest.raises(expected):
                action()
        summary = _summary(engine, group, workshop_id)
        assert summary.coming <= summary.capacity
        assert all(r.people > summary.places_left for r in summary.rows if r.status == "waiting")
        with db.read_session(engine) as session:
            stored = session.exec(select(Rsvp).where(Rsvp.workshop_id == workshop_id)).all()
        actual = {
            names[("household", r.household_id) if r.household_id else ("member", r.member_id)]: (
                r.status,
                r.people,
            )
            for r in stored
        }
        assert actual == {who: (s, people) for who, (s, people, _) in model.rsvps.items()}
    with db.read_session(engine) as session:
        promoted = [
            n.member_id
            for n in outbox.list_notifications(session, subject=f"workshop:{workshop_id}")
            if n.kind == "rsvp.promoted"
        ]
    told = [m for who in model.promoted for m in _members_answered_for(group, who)]
    assert sorted(promoted) == sorted(told)


def test_fifty_concurrent_rsvps_never_exceed_capacity(engine, group):
    workshop_id = scheduled_workshop(engine, group)
    _capacity(engine, group, workshop_id, 20)
    with unit_of_work(engine) as session:
        people = [
            add_member(
                session, project_id=group.project_id, display_name=f"Voisin {i}", role=Role.RESIDENT
            ).id
            for i in range(50)
        ]
    barrier = threading.Barrier(len(people))
    results, errors = {}, []

    def answer(member_id, index):
        try:
            barrier.wait()
            results[member_id] = _rsvp(engine, group, workshop_id, member_id, people=1 + index % 3)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=answer, args=(m, i)) for i, m in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    summary = _summary(engine, group, workshop_id)
    assert summary.coming <= 20
    assert all(r.people > summary.places_left for r in summary.rows if r.status == "waiting")
    with db.read_session(engine) as session:
        taken = session.exec(
            select(func.sum(Rsvp.people)).where(
                Rsvp.workshop_id == workshop_id, Rsvp.status == "coming"
            )
        ).one()
    assert taken == summary.coming
    # Nobody leaves the line here: each newcomer who waits is told the next place in it.
    positions = sorted(r.waiting_position for r in results.values() if r.waiting_position)
    assert positions == list(range(1, 1 + sum(r.status == "waiting" for r in summary.rows)))
