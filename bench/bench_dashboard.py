"""The project summary and the facilitators' dashboard, on a project at 1× and at 10×.

At 1×, a project of 60 households (120 residents), 10 open questionnaires, 100 ballots (10 open,
90 closed) and a path of 20 workshops (held, scheduled with RSVPs, to schedule with an open
poll); at 10×, ten times each. Shows that the summary and the dashboard read a fixed number of
SQL queries whatever the size, and how their time grows, as ratios to baselines measured in the
same run: for the summary, fetching the rows it reads with plain SELECTs and nothing else; for
the dashboard, a bare Flask "hello" page through the same test client. Structure (project,
questionnaires, ballots, path) is made by the services; the bulk (answers, votes, RSVPs,
attendance) is inserted through the models into a fresh SQLite file. Usage:

    .venv/bin/python bench/bench_dashboard.py [--households 60] [--scale 10] [--repeat 5]
        [--write docs/benchmarks.md | --no-write]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.bench_questionnaire_summary import count_queries  # noqa: E402
from bench.bench_votes import best_of, copy_decisions, web_client  # noqa: E402
from bench.bench_web import cpu_per_request, hello_app  # noqa: E402
from bench.report import write_section  # noqa: E402
from voisinage import ballots, db  # noqa: E402
from voisinage.enums import Role  # noqa: E402
from voisinage.models import (  # noqa: E402
    AnswerSet,
    Attendance,
    BallotParticipation,
    Household,
    Member,
    Rsvp,
)
from voisinage.people import add_member  # noqa: E402
from voisinage.project_summary import project_summary  # noqa: E402
from voisinage.projects import create_project  # noqa: E402
from voisinage.questionnaire_templates import import_questionnaire, shipped_template  # noqa: E402
from voisinage.questionnaires import open_questionnaire  # noqa: E402
from voisinage.workshop_path import STEPS_MAX, add_step  # noqa: E402
from voisinage.workshop_polls import SlotInput, open_poll  # noqa: E402
from voisinage.workshop_records import record_attendance  # noqa: E402
from voisinage.workshop_schedule import schedule_workshop  # noqa: E402
from voisinage.workshops import current_workshop  # noqa: E402

MARK_BEGIN = "<!-- bench_dashboard:begin -->"
MARK_END = "<!-- bench_dashboard:end -->"
DASHBOARD = "/p/{slug}/dashboard"
# The moment the summary is read: some workshops are behind it, some ahead.
NOW = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Dataset:
    engine: Engine
    slug: str
    project_id: int
    facilitator_id: int
    households: int
    questionnaires: int
    ballots: int
    workshops: int


def _people(session: Session, project_id: int, households: int) -> list[tuple[int, list[int]]]:
    """Insert `households` households of two residents each; return (household, members) ids."""
    first = (session.execute(text("SELECT max(id) FROM household")).scalar() or 0) + 1
    session.execute(
        insert(Household),
        [
            {"id": first + n, "project_id": project_id, "name": f"Foyer {n + 1}", "created_at": NOW}
            for n in range(households)
        ],
    )
    member = (session.execute(text("SELECT max(id) FROM member")).scalar() or 0) + 1
    rows, groups = [], []
    for n in range(households):
        ids = [member + 2 * n, member + 2 * n + 1]
        groups.append((first + n, ids))
        rows += [
            {
                "id": member_id,
                "project_id": project_id,
                "household_id": first + n,
                "display_name": f"Résident {member_id}",
                "role": Role.RESIDENT,
                "created_at": NOW - 60 * DAY,
            }
            for member_id in ids
        ]
    session.execute(insert(Member), rows)
    return groups


def _questionnaires(
    session: Session, project_id: int, facilitator_id: int, count: int, groups
) -> None:
    """Open `count` questionnaires by household: two thirds submitted, one sixth in draft."""
    template = shipped_template("fr")
    for _ in range(count):
        view = import_questionnaire(
            session, project_id=project_id, text=template, actor_id=facilitator_id
        )
        open_questionnaire(
            session, project_id=project_id, questionnaire_id=view.id, actor_id=facilitator_id
        )
        rows = []
        for index, (household_id, members) in enumerate(groups):
            if index % 6 == 5:
                continue  # not started
            submitted = NOW - DAY if index % 6 < 4 else None
            rows.append(
                {
                    "questionnaire_id": view.id,
                    "household_id": household_id,
                    "updated_by_id": members[0],
                    "submitted_at": submitted,
                    "created_at": NOW - 2 * DAY,
                    "updated_at": NOW - DAY,
                }
            )
        session.execute(insert(AnswerSet), rows)


def _ballots(session: Session, project_id: int, facilitator_id: int, count: int, groups) -> None:
    """`count` ballots by household: a tenth open, the rest closed this week (copies of one)."""
    opened = []
    for number in range(count // 10 + 1):
        view = ballots.open_ballot(
            session,
            project_id=project_id,
            question=f"Décision {number + 1}",
            method="threshold",
            voting_unit="household",
            secret=number % 2 == 1,
            opens_at=NOW - 5 * DAY,
            closes_at=NOW - 2 * DAY if number == 0 else NOW + 3 * DAY,
            actor_id=facilitator_id,
            now=NOW - 5 * DAY,
        )
        opened.append(view.id)
        session.execute(
            insert(BallotParticipation),
            [
                {
                    "ballot_id": view.id,
                    "household_id": household_id,
                    "cast_by_id": members[0],
                    "by_proxy": False,
                    "channel": "online",
                    "created_at": NOW - 4 * DAY,
                    "updated_at": NOW - 4 * DAY,
                }
                for index, (household_id, members) in enumerate(groups)
                if index % 3
            ],
        )
    # The first one closes through the service; the other closed ballots are copies of it.
    ballots.close_due_ballots(session, now=NOW)
    copy_decisions(session, opened[:1], count - len(opened) + 1)


def _workshops(session: Session, project_id: int, facilitator_id: int, count: int, groups) -> None:
    """A path of `count` steps: 40 % held, 30 % scheduled with RSVPs, 30 % with an open poll."""
    for number in range(count):
        step = add_step(
            session,
            project_id=project_id,
            title=f"Atelier {number + 1}",
            code=f"W{number + 1}",
            funder=("metropolis", "group", "other")[number % 3],
            actor_id=facilitator_id,
        )
        workshop = current_workshop(session, step_id=step.id)
        share = number % 10
        if share < 7:
            starts = datetime.combine(
                (NOW + (share - 3) * 7 * DAY).date(), time(9), tzinfo=UTC
            ) + timedelta(hours=number % 5)
            schedule_workshop(
                session,
                project_id=project_id,
                workshop_id=workshop.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                place="Salle commune",
                actor_id=facilitator_id,
                now=starts - 21 * DAY,
            )
            session.execute(
                insert(Rsvp),
                [
                    {
                        "workshop_id": workshop.id,
                        "household_id": household_id,
                        "status": "coming" if index % 4 else "maybe",
                        "people": 2,
                        "updated_by_id": members[0],
                        "updated_at": starts - 7 * DAY,
                    }
                    for index, (household_id, members) in enumerate(groups)
                    if index % 2
                ],
            )
            if share < 4:
                record_attendance(
                    session,
                    project_id=project_id,
                    workshop_id=workshop.id,
                    member_ids=[facilitator_id],
                    actor_id=facilitator_id,
                    now=starts + 4 * timedelta(hours=1),
                )
                session.execute(
                    insert(Attendance),
                    [
                        {"workshop_id": workshop.id, "member_id": members[0]}
                        for index, (_, members) in enumerate(groups)
                        if index % 2
                    ],
                )
        else:
            open_poll(
                session,
                project_id=project_id,
                workshop_id=workshop.id,
                slots=[
                    SlotInput(NOW + (7 + day) * DAY, NOW + (7 + day) * DAY + 3 * timedelta(hours=1))
                    for day in range(3)
                ],
                deadline=NOW + 5 * DAY,
                actor_id=facilitator_id,
                now=NOW - DAY,
            )


def build(path: Path, households: int, scale: int) -> Dataset:
    """Create a fresh database holding one project of `households` × `scale` households."""
    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.make_engine(url)
    # A path holds at most STEPS_MAX steps: at 10× the workshops stop there.
    sizes = {
        "questionnaires": 10 * scale,
        "ballots": 100 * scale,
        "workshops": min(20 * scale, STEPS_MAX),
    }
    with db.unit_of_work(engine) as session:
        project = create_project(
            session, name="Banc d'essai", slug="banc-essai", voting_unit="household"
        )
        facilitator = add_member(
            session, project_id=project.id, display_name="Camille", role=Role.FACILITATOR
        )
        groups = _people(session, project.id, households * scale)
        _questionnaires(session, project.id, facilitator.id, sizes["questionnaires"], groups)
        _ballots(session, project.id, facilitator.id, sizes["ballots"], groups)
        _workshops(session, project.id, facilitator.id, sizes["workshops"], groups)
    return Dataset(engine, project.slug, project.id, facilitator.id, households * scale, **sizes)


def _rows(engine: Engine, project_id: int) -> None:
    """Read the rows the summary reads, with plain SELECTs: the summary's baseline."""
    tables = {
        "member": "project_id = :p",
        "household": "project_id = :p",
        "questionnaire": "project_id = :p",
        "answer_set": "questionnaire_id IN (SELECT id FROM questionnaire WHERE project_id = :p)",
        "ballot": "project_id = :p",
        "ballot_participation": "ballot_id IN (SELECT id FROM ballot WHERE project_id = :p)",
        "path_step": "project_id = :p",
        "workshop": "project_id = :p",
        "rsvp": "workshop_id IN (SELECT id FROM workshop WHERE project_id = :p)",
        "attendance": "workshop_id IN (SELECT id FROM workshop WHERE project_id = :p)",
    }
    with engine.connect() as connection:
        for table, where in tables.items():
            # Table names and conditions are the constants above, never input.
            query = text(f"SELECT * FROM {table} WHERE {where}")  # noqa: S608
            connection.execute(query, {"p": project_id}).all()


def measure(data: Dataset, folder: Path, repeat: int) -> dict[str, dict[str, float]]:
    """Count queries and time the summary and the dashboard, each against its baseline."""

    def summary() -> None:
        with db.read_session(data.engine) as session:
            project_summary(
                session, project_id=data.project_id, actor_id=data.facilitator_id, now=NOW
            )

    def baseline() -> None:
        _rows(data.engine, data.project_id)

    best, base = best_of(summary, baseline, repeat)
    figures = {
        "summary": {
            "queries": count_queries(data.engine, summary),
            "time": best,
            "baseline": base,
        }
    }
    client, app_engine = web_client(data, folder)
    path = DASHBOARD.format(slug=data.slug)

    def page() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    hello = hello_app().test_client()
    figures["dashboard"] = {
        "queries": count_queries(app_engine, page),
        # CPU time of one request, best of many, as the web benchmark measures pages.
        "time": cpu_per_request(client, path, batches=max(repeat, 3), size=2) / 1000,
        "baseline": cpu_per_request(hello, "/hello") / 1000,
    }
    app_engine.dispose()
    return figures


def _report(results: list[tuple[Dataset, dict]], args) -> str:
    load = os.getloadavg()[0]
    small, big = results[0], results[-1]
    lines = [
        MARK_BEGIN,
        "## Project summary and dashboard (`bench/bench_dashboard.py`)",
        "",
        textwrap.fill(
            f"A project at 1× ({small[0].households} households, {small[0].questionnaires} "
            f"open questionnaires, {small[0].ballots} ballots of which a tenth open, "
            f"{small[0].workshops} workshops) and at {args.scale}× ({big[0].households} "
            f"households, {big[0].questionnaires} questionnaires, {big[0].ballots} ballots, "
            f"{big[0].workshops} workshops: a path's maximum), SQLite. The summary is timed against reading "
            "its rows with plain SELECTs; the dashboard page (Flask test client, signed in as "
            "the facilitator, CPU time of one request) against a bare Flask hello page. "
            f"Best of {args.repeat} rounds; load average {load:.1f} when written.",
            width=100,
        ),
        "",
        "| measure | size | SQL queries | time (ms) | baseline (ms) | ratio to baseline |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for data, figures in results:
        size = "1×" if data is small[0] else f"{args.scale}×"
        for name, figure in figures.items():
            lines.append(
                f"| {name} | {size} | {figure['queries']} | {figure['time'] * 1000:.1f} "
                f"| {figure['baseline'] * 1000:.2f} | {figure['time'] / figure['baseline']:.1f} |"
            )
    lines += [
        "",
        "Queries are the same at both sizes: every list is read for the whole project at once. "
        "Time grows with the rows read and the items shown (the dashboard lists every open "
        "item and every step of the path).",
        MARK_END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=60)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for scale in (1, args.scale):
            data = build(Path(folder) / f"bench-{scale}.sqlite3", args.households, scale)
            figures = measure(data, Path(folder), args.repeat)
            results.append((data, figures))
            for name, figure in figures.items():
                print(f"{scale}× {name}: {figure}")
            data.engine.dispose()
    section = _report(results, args)
    print(section)
    if not args.no_write:
        write_section(args.write, section, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
