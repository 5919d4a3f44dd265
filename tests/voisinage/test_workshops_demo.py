"""The demo project walks the GRT path: A1 held twice, A2 coming with RSVPs, a poll open for A3."""

from __future__ import annotations

from voisinage import db
from voisinage.db import unit_of_work
from voisinage.demo import DEMO_A3_ANSWERS, DEMO_HOUSEHOLDS, seed_demo
from voisinage.workshop_path import path_overview
from voisinage.workshop_polls import poll_table
from voisinage.workshop_rsvps import rsvp_summary


def test_the_demo_walks_the_path_and_seeding_again_adds_nothing(engine):
    with unit_of_work(engine) as session:
        demo = seed_demo(session)
    with unit_of_work(engine) as session:
        seed_demo(session)
    with db.read_session(engine) as session:
        project_id = demo.project.id
        overview = path_overview(session, project_id=project_id)
        a2 = next(step for step in overview if step.code == "A2")
        rsvps = rsvp_summary(session, project_id=project_id, workshop_id=a2.workshop_id)
        a3 = next(step for step in overview if step.code == "A3")
        table = poll_table(session, project_id=project_id, poll_id=a3.poll_id)
    assert len(overview) == 11
    assert [(s.code, s.state) for s in overview[:4]] == [
        ("A1", "done"),
        ("A1", "done"),
        ("A2", "scheduled"),
        ("A3", "to_schedule"),
    ]
    assert [s.attendance_count for s in overview[:2]] == [12, 10]
    assert (rsvps.capacity, rsvps.coming, rsvps.waiting, rsvps.maybe) == (16, 14, 3, 1)
    assert table.accepting_answers
    assert len(table.rows) == len(DEMO_A3_ANSWERS)
    assert len(table.missing) == len(DEMO_HOUSEHOLDS) - len(DEMO_A3_ANSWERS) + 1  # + the AMO
    assert table.best_slot_id is not None
