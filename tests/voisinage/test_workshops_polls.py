"""Availability polls: slots in the project's time zone, answers until the deadline, the best slot."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from tests.voisinage.workshops_support import DAY, NOW, make_group, new_workshop
from voisinage import db, outbox
from voisinage.db import unit_of_work
from voisinage.errors import Conflict, Forbidden, InvalidValue, NotFound
from voisinage.models.workshops import AvailabilityPoll, PollAnswer, PollSlot, Workshop
from voisinage.workshop_agenda import member_agenda
from voisinage.workshop_polls import (
    PollClosed,
    SlotCount,
    SlotInput,
    add_slots,
    answer_poll,
    best_slot,
    cancel_poll,
    confirm_slot,
    open_poll,
    poll_table,
    rank_slots,
)
from voisinage.workshop_rsvps import rsvp

# Wall-clock times in Lille: Saturday mornings, the week of the clock change included.
SATURDAY_13 = datetime(2027, 3, 13, 9, 30)
SATURDAY_27 = datetime(2027, 3, 27, 9, 30)
SATURDAY_APRIL = datetime(2027, 4, 3, 9, 30)
DEADLINE = datetime(2027, 3, 10, 18, 0)


@pytest.fixture
def group(engine):
    return make_group(engine)


def _slots(*starts, hours=3):
    return [
        SlotInput(start, start.replace(hour=start.hour + hours), "Salle commune")
        for start in starts
    ]


def _open(engine, group, slots=None, deadline=DEADLINE, *, unit=None, now=NOW, workshop_id=None):
    workshop_id = workshop_id or new_workshop(engine, group)
    with unit_of_work(engine) as session:
        poll = open_poll(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            slots=slots or _slots(SATURDAY_13, SATURDAY_27, SATURDAY_APRIL),
            deadline=deadline,
            respondent_unit=unit,
            actor_id=group.facilitator_id,
            now=now,
        )
    return poll.id


def _slot_ids(engine, poll_id):
    with db.read_session(engine) as session:
        return list(
            session.exec(
                select(PollSlot.id).where(PollSlot.poll_id == poll_id).order_by(PollSlot.starts_at)
            )
        )


def _answer(engine, group, poll_id, name, answers, comment=None, now=NOW):
    with unit_of_work(engine) as session:
        return answer_poll(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            member_id=group.member(name),
            answers=answers,
            comment=comment,
            now=now,
        )


def _table(engine, group, poll_id, member=None, now=NOW):
    with db.read_session(engine) as session:
        return poll_table(
            session, project_id=group.project_id, poll_id=poll_id, member_id=member, now=now
        )


def _count(engine, model):
    with db.read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_local_times_are_read_in_the_projects_time_zone_across_the_clock_change(engine, group):
    poll_id = _open(engine, group)
    with db.read_session(engine) as session:
        slots = session.exec(
            select(PollSlot).where(PollSlot.poll_id == poll_id).order_by(PollSlot.starts_at)
        ).all()
        poll = session.get(AvailabilityPoll, poll_id)
    # 9:30 in Lille is 8:30 UTC in winter, 7:30 UTC from 28 March (summer time).
    assert [s.starts_at for s in slots] == [
        datetime(2027, 3, 13, 8, 30, tzinfo=UTC),
        datetime(2027, 3, 27, 8, 30, tzinfo=UTC),
        datetime(2027, 4, 3, 7, 30, tzinfo=UTC),
    ]
    assert poll.deadline == datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    assert poll.respondent_unit == "household"


@pytest.mark.parametrize(
    ("slots", "deadline", "error"),
    [
        (_slots(datetime(2027, 2, 27, 9, 30)), datetime(2027, 2, 26, 9), InvalidValue),
        ([SlotInput(SATURDAY_13, SATURDAY_13.replace(hour=8))], DEADLINE, InvalidValue),
        ([SlotInput(SATURDAY_13, SATURDAY_13)], DEADLINE, InvalidValue),
        (_slots(SATURDAY_13, SATURDAY_27), datetime(2027, 3, 20, 18), InvalidValue),
        (_slots(SATURDAY_13), datetime(2027, 2, 28, 18), InvalidValue),
        (_slots(SATURDAY_13, SATURDAY_13), DEADLINE, InvalidValue),
        ([], DEADLINE, InvalidValue),
        # 2:30 on 28 March 2027 does not exist in Lille: the clocks go from 2:00 to 3:00.
        (
            [SlotInput(datetime(2027, 3, 28, 2, 30), datetime(2027, 3, 28, 5))],
            DEADLINE,
            InvalidValue,
        ),
        ([SlotInput(SATURDAY_13, SATURDAY_13.replace(hour=12), "x" * 201)], DEADLINE, InvalidValue),
    ],
    ids=[
        "slot in the past",
        "end before start",
        "end at start",
        "deadline after the first slot",
        "deadline in the past",
        "same slot twice",
        "no slot",
        "time skipped by the clock change",
        "place too long",
    ],
)
def test_a_bad_poll_is_refused_and_nothing_is_written(engine, group, slots, deadline, error):
    workshop_id = new_workshop(engine, group)
    with pytest.raises(error), unit_of_work(engine) as session:
        open_poll(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            slots=slots,
            deadline=deadline,
            actor_id=group.facilitator_id,
            now=NOW,
        )
    assert (_count(engine, AvailabilityPoll), _count(engine, PollSlot)) == (0, 0)
    with db.read_session(engine) as session:
        assert outbox.list_notifications(session, project_id=group.project_id) == []


def test_only_facilitators_open_polls_and_one_at_a_time(engine, group):
    workshop_id = new_workshop(engine, group)
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        open_poll(
            session,
            project_id=group.project_id,
            workshop_id=workshop_id,
            slots=_slots(SATURDAY_13),
            deadline=DEADLINE,
            actor_id=group.member("Nadia"),
            now=NOW,
        )
    _open(engine, group, workshop_id=workshop_id)
    with pytest.raises(Conflict):
        _open(engine, group, workshop_id=workshop_id)


def test_a_household_answers_once_and_may_change_its_mind(engine, group):
    poll_id = _open(engine, group)
    first, second, third = _slot_ids(engine, poll_id)
    _answer(engine, group, poll_id, "Nadia", {first: "yes", second: "no"}, "Pas le 27")
    row = _answer(engine, group, poll_id, "Karim", {second: "if_need_be", third: "yes"})
    assert row.name == "Foyer Benali"
    assert row.answers == {first: "yes", second: "if_need_be", third: "yes"}
    assert row.comment == "Pas le 27"
    table = _table(engine, group, poll_id, member=group.member("Nadia"))
    assert [r.name for r in table.rows] == ["Foyer Benali"]
    assert table.mine == row
    assert _count(engine, PollAnswer) == 3


def test_a_poll_by_person_takes_each_members_answer(engine, group):
    poll_id = _open(engine, group, unit="person")
    first, _, _ = _slot_ids(engine, poll_id)
    _answer(engine, group, poll_id, "Nadia", {first: "yes"})
    _answer(engine, group, poll_id, "Karim", {first: "no"})
    table = _table(engine, group, poll_id)
    assert [(r.name, r.answers[first]) for r in table.rows] == [("Karim", "no"), ("Nadia", "yes")]
    assert table.slots[0].cannot_come == ["Karim"]


def test_the_table_ranks_slots_and_says_who_cannot_come(engine, group):
    poll_id = _open(engine, group)
    first, second, third = _slot_ids(engine, poll_id)
    answers = {
        "Nadia": {first: "yes", second: "yes", third: "no"},
        "Jeanne": {first: "if_need_be", second: "yes", third: "yes"},
        "Linh": {first: "yes", second: "if_need_be", third: "yes"},
        "Paul": {first: "no", second: "if_need_be", third: "yes"},
        "Camille": {first: "yes", second: "yes", third: "if_need_be"},
    }
    for name, choice in answers.items():
        _answer(engine, group, poll_id, name, choice)
    table = _table(engine, group, poll_id)
    totals = {s.slot_id: (s.yes, s.if_need_be, s.no, s.rank) for s in table.slots}
    # Three "yes" each; the second slot has more "if need be"; of the others, the earlier wins.
    assert totals == {first: (3, 1, 1, 2), second: (3, 2, 0, 1), third: (3, 1, 1, 3)}
    assert table.best_slot_id == second
    assert [r.name for r in table.rows] == [
        "Camille",
        "Foyer Benali",
        "Foyer Dubois",
        "Foyer Moreau",
        "Foyer Nguyen",
    ]
    assert table.slots[0].cannot_come == ["Foyer Moreau"]
    assert table.slots[2].cannot_come == ["Foyer Benali"]
    assert table.missing == ["Foyer Diallo", "Foyer Petit"]
    assert table.accepting_answers


def test_ranking_most_yes_then_most_possible_then_earliest():
    def count(slot_id, day, yes, maybe, no=0):
        return SlotCount(slot_id, datetime(2027, 3, day, tzinfo=UTC), yes, maybe, no)

    counts = [count(1, 13, 2, 4), count(2, 20, 3, 0), count(3, 27, 2, 5), count(4, 6, 2, 5)]
    assert rank_slots(counts) == [2, 4, 3, 1]
    assert best_slot(counts) == 2
    assert best_slot([count(1, 13, 0, 0, 5)]) is None
    assert best_slot([]) is None


@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(1, 28)),
        min_size=1,
        max_size=8,
    )
)
def test_the_best_slot_has_most_yes_then_most_possible_then_comes_first(slots):
    counts = [
        SlotCount(i, datetime(2027, 3, day, tzinfo=UTC), yes, maybe, 0)
        for i, (yes, maybe, day) in enumerate(slots)
    ]
    ranked = rank_slots(counts)
    assert sorted(ranked) == [c.slot_id for c in counts]
    by_id = {c.slot_id: c for c in counts}
    for better, worse in itertools.pairwise(ranked):
        a, b = by_id[better], by_id[worse]
        assert (a.yes, a.possible) >= (b.yes, b.possible)
        if (a.yes, a.possible) == (b.yes, b.possible):
            assert (a.starts_at, a.slot_id) < (b.starts_at, b.slot_id)
    best = best_slot(counts)
    if best is None:
        assert all(c.possible == 0 for c in counts)
    else:
        assert by_id[best].yes == max(c.yes for c in counts)


def test_answers_are_refused_after_the_deadline(engine, group):
    poll_id = _open(engine, group)
    first, _, _ = _slot_ids(engine, poll_id)
    _answer(engine, group, poll_id, "Nadia", {first: "yes"})
    deadline = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    with pytest.raises(PollClosed):
        _answer(engine, group, poll_id, "Nadia", {first: "no"}, now=deadline)
    assert _table(engine, group, poll_id, now=deadline).rows[0].answers == {first: "yes"}
    assert not _table(engine, group, poll_id, now=deadline).accepting_answers


def test_answers_to_another_polls_slot_or_another_project_are_refused(engine, group):
    poll_id = _open(engine, group)
    other_poll_id = _open(engine, group, deadline=datetime(2027, 3, 8, 18))
    [foreign, *_] = _slot_ids(engine, other_poll_id)
    with pytest.raises(NotFound):
        _answer(engine, group, poll_id, "Nadia", {foreign: "yes"})
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        answer_poll(
            session,
            project_id=group.other_project_id,
            poll_id=poll_id,
            member_id=group.other_resident_id,
            answers={},
            now=NOW,
        )
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        answer_poll(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            member_id=group.other_resident_id,
            answers={_slot_ids(engine, poll_id)[0]: "yes"},
            now=NOW,
        )
    assert _count(engine, PollAnswer) == 0


@pytest.mark.parametrize(
    ("name", "answers", "error"),
    [
        ("Bailleur", "first-yes", Forbidden),
        ("Nadia", "first-maybe", InvalidValue),
        ("Nadia", "nothing", InvalidValue),
    ],
)
def test_bad_answers_are_refused(engine, group, name, answers, error):
    poll_id = _open(engine, group)
    first = _slot_ids(engine, poll_id)[0]
    given_answers = {"first-yes": {first: "yes"}, "first-maybe": {first: "maybe"}, "nothing": {}}
    with pytest.raises(error):
        _answer(engine, group, poll_id, name, given_answers[answers])
    assert _count(engine, PollAnswer) == 0


def test_slots_added_later_ask_everyone_again(engine, group):
    poll_id = _open(engine, group, _slots(SATURDAY_13))
    [first] = _slot_ids(engine, poll_id)
    _answer(engine, group, poll_id, "Nadia", {first: "yes"})
    with unit_of_work(engine) as session:
        slots = add_slots(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            slots=_slots(SATURDAY_27),
            actor_id=group.facilitator_id,
            now=NOW + DAY,
        )
    assert len(slots) == 2
    table = _table(engine, group, poll_id)
    assert table.rows[0].answers == {first: "yes"}
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        add_slots(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            slots=_slots(datetime(2027, 3, 9, 9, 30)),
            actor_id=group.facilitator_id,
            now=NOW + DAY,
        )


def test_confirming_a_slot_schedules_the_workshop_and_closes_the_poll(engine, group):
    poll_id = _open(engine, group)
    first, second, _ = _slot_ids(engine, poll_id)
    _answer(engine, group, poll_id, "Nadia", {first: "yes", second: "no"})
    with unit_of_work(engine) as session:
        workshop = confirm_slot(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            slot_id=second,
            actor_id=group.facilitator_id,
            now=NOW + DAY,
        )
    assert (workshop.status, workshop.starts_at, workshop.place) == (
        "scheduled",
        datetime(2027, 3, 27, 8, 30, tzinfo=UTC),
        "Salle commune",
    )
    table = _table(engine, group, poll_id)
    assert table.status == "confirmed"
    assert not table.accepting_answers
    assert [s.confirmed for s in table.slots] == [False, True, False]
    with pytest.raises(PollClosed):
        _answer(engine, group, poll_id, "Jeanne", {first: "yes"}, now=NOW + DAY)
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        confirm_slot(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            slot_id=first,
            actor_id=group.facilitator_id,
            now=NOW + DAY,
        )
    with unit_of_work(engine) as session:
        result = rsvp(
            session,
            project_id=group.project_id,
            workshop_id=workshop.id,
            member_id=group.member("Nadia"),
            status="coming",
            people=2,
            now=NOW + DAY,
        )
    assert result.status == "coming"


def test_a_slot_of_another_poll_cannot_be_confirmed(engine, group):
    poll_id = _open(engine, group)
    other_poll_id = _open(engine, group)
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        confirm_slot(
            session,
            project_id=group.project_id,
            poll_id=poll_id,
            slot_id=_slot_ids(engine, other_poll_id)[0],
            actor_id=group.facilitator_id,
            now=NOW,
        )
    with db.read_session(engine) as session:
        assert (
            session.exec(select(Workshop.status).where(Workshop.status == "scheduled")).all() == []
        )


def test_a_cancelled_poll_takes_no_answers_and_its_workshop_stays_to_schedule(engine, group):
    poll_id = _open(engine, group)
    with unit_of_work(engine) as session:
        cancel_poll(
            session, project_id=group.project_id, poll_id=poll_id, actor_id=group.facilitator_id
        )
    with pytest.raises(PollClosed):
        _answer(engine, group, poll_id, "Nadia", {_slot_ids(engine, poll_id)[0]: "yes"})
    table = _table(engine, group, poll_id)
    assert table.status == "cancelled"
    with db.read_session(engine) as session:
        workshop = session.get(Workshop, table.workshop_id)
    assert workshop.status == "to_schedule"


def test_the_agenda_lists_open_polls_with_how_many_slots_the_household_answered(engine, group):
    poll_id = _open(engine, group)
    first, second, _ = _slot_ids(engine, poll_id)
    _answer(engine, group, poll_id, "Nadia", {first: "yes", second: "no"})
    with db.read_session(engine) as session:
        karim = member_agenda(
            session, project_id=group.project_id, member_id=group.member("Karim"), now=NOW
        )
        after = member_agenda(
            session,
            project_id=group.project_id,
            member_id=group.member("Karim"),
            now=datetime(2027, 3, 10, 17, 0, tzinfo=UTC),
        )
    assert [(p.poll_id, p.title, p.slots, p.answered) for p in karim.polls] == [
        (poll_id, "Vision commune", 3, 2)
    ]
    assert after.polls == []
