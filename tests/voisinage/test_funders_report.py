"""The funders' report and a facilitator's list of projects: hand-counted figures, fixed queries."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.sql_counter import counting
from tests.voisinage.ballots_support import DAY, HOUR, NOW, Group, make_group, open_ballot, vote
from tests.voisinage.test_project_summary import (
    AT,
    build_ballots,
    build_path,
    build_questionnaires,
)
from voisinage.db import read_session, unit_of_work
from voisinage.errors import Forbidden, InvalidValue
from voisinage.funders_report import (
    funders_report,
    funders_report_csv,
    parse_day,
    projects_overview,
)
from voisinage.people import add_member
from voisinage.privacy import forget_member
from voisinage.projects import add_household
from voisinage.workshop_path import add_step
from voisinage.workshop_records import record_attendance
from voisinage.workshop_schedule import schedule_workshop
from voisinage.workshops import current_workshop

PARIS = ZoneInfo("Europe/Paris")


def _held(
    engine,
    group: Group,
    *,
    title: str,
    code: str = "",
    funder: str | None,
    half_days: int = 1,
    days: int,
    members: tuple[str, ...] = (),
    guests: int = 0,
    project_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    """Add a step, schedule its workshop `days` after NOW and record who came (if anyone)."""
    project_id = project_id or group.project_id
    with unit_of_work(engine) as session:
        step = add_step(
            session,
            project_id=project_id,
            title=title,
            code=code,
            funder=funder,
            half_days=half_days,
            actor_id=actor_id,
        )
        workshop_id = current_workshop(session, step_id=step.id).id
        schedule_workshop(
            session,
            project_id=project_id,
            workshop_id=workshop_id,
            starts_at=NOW + days * DAY,
            ends_at=NOW + days * DAY + 3 * HOUR,
            place="Salle commune",
            actor_id=actor_id,
            now=NOW,
        )
        if members or guests:
            record_attendance(
                session,
                project_id=project_id,
                workshop_id=workshop_id,
                member_ids=[group.member(name) for name in members],
                guests=guests,
                actor_id=actor_id,
                now=NOW + days * DAY + 4 * HOUR,
            )
    return workshop_id


@pytest.fixture
def held(engine):
    """Four workshops held (two for the metropolis, one for the group, one unfunded), one not."""
    group = make_group(engine)
    ids = {
        "a1": _held(engine, group, title="Visite", code="A1", funder="metropolis", days=1,
                    members=("Nadia", "Jeanne"), guests=2),
        "hors": _held(engine, group, title="Pique-nique", funder=None, days=3, members=("Linh",)),
        "c1": _held(engine, group, title="Conseil juridique", code="C1", funder="group", days=5,
                    members=("Paul", "Inès", "Sophie"), guests=1),
        "a2": _held(engine, group, title="Vision", code="A2", funder="metropolis", half_days=2,
                    days=10, members=("Linh",)),
        # Scheduled, not held: not in the report.
        "b1": _held(engine, group, title="Programme", code="B1", funder="metropolis", days=30),
    }  # fmt: skip
    # Held in the other project: never in this one's report.
    _held(engine, group, title="Ailleurs", funder="metropolis", days=2, guests=5,
          project_id=group.other_project_id)  # fmt: skip
    return group, ids


def _report(engine, group, **kwargs):
    with read_session(engine) as session:
        return funders_report(
            session, project_id=group.project_id, actor_id=group.facilitator_id, **kwargs
        )


def test_the_report_counts_the_workshops_held_per_funder_by_hand(engine, held):
    group, ids = held
    report = _report(engine, group)
    rows = {
        funder.funder: (
            [w.workshop_id for w in funder.workshops],
            funder.half_days,
            funder.members,
            funder.guests,
            funder.attendance,
        )
        for funder in report.funders
    }
    # Metropolis: A1 (2 members + 2 guests) and A2 (1 member, 2 half-days), by date.
    # Group: C1 (3 members + 1 guest). Unfunded: the picnic (1 member).
    assert list(rows) == ["metropolis", "group", None]
    assert rows["metropolis"] == ([ids["a1"], ids["a2"]], 3, 3, 2, 5)
    assert rows["group"] == ([ids["c1"]], 1, 3, 1, 4)
    assert rows[None] == ([ids["hors"]], 1, 1, 0, 1)
    assert (report.half_days, report.attendance) == (5, 10)
    a1 = report.funders[0].workshops[0]
    assert (a1.code, a1.title, a1.starts_at, a1.half_days) == ("A1", "Visite", NOW + DAY, 1)


def test_a_period_keeps_the_workshops_that_began_in_it(engine, held):
    group, ids = held
    report = _report(engine, group, start=NOW + 2 * DAY, end=NOW + 6 * DAY)
    assert [(f.funder, [w.workshop_id for w in f.workshops]) for f in report.funders] == [
        ("group", [ids["c1"]]),
        (None, [ids["hors"]]),
    ]
    # The start is included, the end is not.
    assert _report(engine, group, start=NOW + DAY, end=NOW + 3 * DAY).attendance == 4
    assert _report(engine, group, start=NOW + 11 * DAY).funders == ()


def test_a_member_who_erased_their_data_still_counts_in_the_attendance(engine, held):
    group, _ = held
    with unit_of_work(engine) as session:
        forget_member(session, member_id=group.member("Jeanne"))
    a1 = _report(engine, group).funders[0].workshops[0]
    # Reported as 4 people: the total stays; Jeanne is no longer named among the members.
    assert (a1.attendance, a1.members, a1.guests) == (4, 1, 3)


def test_only_the_projects_facilitators_read_the_report(engine, held):
    group, _ = held
    for actor_id in (group.member("Nadia"), group.observer_id, group.other_facilitator_id):
        with read_session(engine) as session, pytest.raises(Forbidden):
            funders_report(session, project_id=group.project_id, actor_id=actor_id)


def test_the_csv_has_a_row_per_workshop_and_defuses_formulas(engine, held):
    group, _ = held
    _held(engine, group, title="=HYPERLINK(1)", funder="other", days=4, members=("Karim",))
    text = funders_report_csv(_report(engine, group), timezone="Europe/Paris")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["funder"], r["code"], r["title"]) for r in rows] == [
        ("metropolis", "A1", "Visite"),
        ("metropolis", "A2", "Vision"),
        ("group", "C1", "Conseil juridique"),
        ("other", "", "'=HYPERLINK(1)"),
        ("", "", "Pique-nique"),
    ]
    # 18:00 UTC on 2 March 2027 is 19:00 in Paris.
    assert rows[0] == {
        "funder": "metropolis",
        "code": "A1",
        "title": "Visite",
        "starts_at": "2027-03-02 19:00",
        "half_days": "1",
        "attendance": "4",
        "members": "2",
        "guests": "2",
    }


def _grow_path(engine, group: Group, times: int) -> None:
    for number in range(times):
        for funder in ("metropolis", "group", None):
            _held(engine, group, title=f"Atelier {number}", funder=funder, days=20 + number,
                  members=("Nadia", "Paul"), guests=number)  # fmt: skip


def test_the_report_reads_two_queries_whatever_the_number_of_workshops(engine, held):
    group, _ = held
    counts = []
    for times in (0, 4):
        _grow_path(engine, group, times)
        with read_session(engine) as session, counting(engine) as statements:
            report = funders_report(
                session, project_id=group.project_id, actor_id=group.facilitator_id
            )
        counts.append(len(statements))
    assert sum(len(f.workshops) for f in report.funders) == 4 + 12
    assert counts[0] == counts[1]


@given(st.dates())
def test_a_day_reads_as_its_midnight_in_the_projects_time_zone(day):
    midnight = parse_day(day.isoformat(), PARIS)
    assert midnight.astimezone(PARIS).date() == day
    assert midnight.astimezone(PARIS).time().hour == 0


# Without a digit, no text is a date.
@given(st.text(alphabet=st.characters(exclude_categories=("Nd",)), max_size=20))
def test_anything_but_a_day_is_refused_with_a_message(text):
    with pytest.raises(InvalidValue) as refused:
        parse_day(text, PARIS)
    assert "YYYY-MM-DD" in refused.value.message


# A facilitator's list of projects ------------------------------------------------------------


@pytest.fixture
def fixed(engine):
    group = make_group(engine)
    build_path(engine, group)
    build_questionnaires(engine, group)
    build_ballots(engine, group)
    return group


def _overview(engine, member_ids):
    with read_session(engine) as session:
        return projects_overview(session, member_ids=member_ids, now=AT)


def test_the_list_of_projects_gives_each_projects_key_figures(engine, fixed):
    group = fixed
    resident = group.member("Nadia")
    overview = _overview(engine, [group.other_facilitator_id, group.facilitator_id, resident])
    # By name: La Ruche, then Les Voisins du Quai; never a project where they are a resident.
    assert [p.name for p in overview] == ["La Ruche", "Les Voisins du Quai"]
    empty, quai = overview
    assert (empty.questionnaires, empty.ballots, empty.next_workshop, empty.waiting) == (
        (),
        (),
        None,
        0,
    )
    # As the summary counts them (tests/voisinage/test_project_summary.py): 2 of 6 households,
    # 1 of 10 residents; 3, 1 and 2 of 6 households voted; the next workshop in five days;
    # an amendment, a blocked consent, an overdue poll and an attendance to record.
    assert quai.questionnaires == (
        ("Attentes (household)", pytest.approx(2 / 6)),
        ("Attentes (person)", pytest.approx(0.1)),
    )
    assert quai.ballots == (
        ("Horaires du local vélo", 3, 6),
        ("Équipement du sous-sol", 1, 6),
        ("Projet du printemps", 2, 6),
    )
    assert (quai.next_workshop.title, quai.next_workshop.starts_at) == (
        "Vision commune",
        AT + 5 * DAY,
    )
    assert quai.waiting == 4
    assert _overview(engine, [resident]) == ()


def _grow(engine, group: Group, times: int) -> None:
    """Add households of two residents, and ballots they vote in, `times` over."""
    for number in range(times):
        with unit_of_work(engine) as session:
            household = add_household(session, project_id=group.project_id, name=f"Foyer {number}")
            for person in ("A", "B"):
                member = add_member(
                    session,
                    project_id=group.project_id,
                    display_name=f"{person}{number}",
                    household_id=household.id,
                )
                group.names[member.id] = member.display_name
        ballot = open_ballot(engine, group, question=f"Question {number}")
        vote(engine, group, ballot.id, f"A{number}", "for")


def _queries(engine, member_ids) -> int:
    with counting(engine) as statements:
        _overview(engine, member_ids)
    return len(statements)


def test_the_list_of_projects_reads_a_fixed_number_of_queries_per_project(engine, fixed):
    group = fixed
    ids = [group.facilitator_id, group.other_facilitator_id]
    small = _queries(engine, ids)
    # Each project costs its own summary's queries, whatever the other projects hold; the list
    # itself costs one more (the facilitators' projects), and the BEGIN that SQLite needs.
    alone = [_queries(engine, [member_id]) for member_id in ids]
    shared = sum(alone) - small
    assert shared == (2 if engine.dialect.name == "sqlite" else 1)
    _grow(engine, group, 5)
    with read_session(engine) as session:
        assert len(projects_overview(session, member_ids=ids, now=AT)[1].ballots) == 3 + 5
    assert _queries(engine, ids) == small
