"""A majority-judgment ballot (tally, close, results page) and the decision log, at 1× and 10×.

A named majority-judgment ballot with 5 options and 1,000 voices (one per resident), then 10,000;
a decision log of 500 closed ballots, then 5,000. Shows that each of them reads a fixed number of
SQL queries whatever the number of voices or decisions, and how its time grows with the data, as a
ratio to a bare baseline measured in the same run: fetching the same rows with plain SELECTs and
nothing else. Residents, votes and decisions are bulk-inserted through the models into a fresh
SQLite file; the ballot itself and the two decisions copied into the log are made by the services.
The pages go through Flask's test client in this process, signed in as the facilitator. Each
measure alternates with its baseline, best of `--repeat` rounds. Usage:

    .venv/bin/python bench/bench_votes.py [--voices 1000] [--decisions 500] [--scale 10]
        [--repeat 5] [--write docs/benchmarks.md | --no-write]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.bench_questionnaire_summary import count_queries, timed  # noqa: E402
from bench.bench_web import _sign_in  # noqa: E402
from bench.report import write_section  # noqa: E402
from voisinage import ballots, db, documents  # noqa: E402
from voisinage.ballot_votes import cast_vote  # noqa: E402
from voisinage.config import Settings  # noqa: E402
from voisinage.enums import Role  # noqa: E402
from voisinage.models import (  # noqa: E402
    Ballot,
    BallotChoice,
    BallotOption,
    BallotParticipation,
    Member,
)
from voisinage.people import add_member  # noqa: E402
from voisinage.projects import create_project  # noqa: E402
from voisinage.tokens import issue_login_token  # noqa: E402
from webforms import create_app  # noqa: E402
from webforms.db import get_engine  # noqa: E402

OPTIONS = ["Atelier Nord", "Atelier Sud", "Archi & Co", "Maison Commune", "Bois et Paille"]
MARK_BEGIN = "<!-- bench_votes:begin -->"
MARK_END = "<!-- bench_votes:end -->"
T0 = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# Past the ballot's closing time: a count is final, and closing records it.
AFTER = T0 + 8 * DAY


@dataclass(frozen=True)
class Dataset:
    engine: Engine
    slug: str
    project_id: int
    facilitator_id: int
    ballot_id: int
    voices: int
    decisions: int


def _templates(
    session: Session, project_id: int, facilitator_id: int
) -> tuple[list[int], list[int]]:
    """Close two real ballots (majority judgment, for / against on an article): the log's models.

    Returns their ids, and their three voters'.
    """
    document = documents.create_document(
        session, project_id=project_id, kind="charter", title="Charte", actor_id=facilitator_id
    )
    article = documents.add_article(
        session,
        project_id=project_id,
        document_id=document.id,
        title="Invités",
        text="Les invités sont bienvenus.",
        actor_id=facilitator_id,
    )
    voters = [
        add_member(session, project_id=project_id, display_name=name).id
        for name in ("Nadia", "Jeanne", "Linh")
    ]
    closed = []
    for method, options, choices in (
        (
            "majority_judgment",
            OPTIONS,
            [
                dict(
                    zip(
                        "abcde",
                        ("good", "fairly_good", "passable", "good", "very_good"),
                        strict=True,
                    )
                )
            ],
        ),
        ("threshold", [], ["for", "for", "against"]),
    ):
        view = ballots.open_ballot(
            session,
            project_id=project_id,
            article_id=article.id if method == "threshold" else None,
            question=f"Décision ({method})",
            method=method,
            options=options,
            voting_unit="person",
            opens_at=T0,
            closes_at=T0 + 7 * DAY,
            actor_id=facilitator_id,
            now=T0,
        )
        for voter, choice in zip(voters, choices * 3, strict=False):
            cast_vote(
                session,
                project_id=project_id,
                ballot_id=view.id,
                member_id=voter,
                choice=choice,
                now=T0 + DAY,
            )
        ballots.close_ballot(
            session,
            project_id=project_id,
            ballot_id=view.id,
            actor_id=facilitator_id,
            now=T0 + 2 * DAY,
        )
        closed.append(view.id)
    return closed, voters


def copy_decisions(session: Session, template_ids: list[int], count: int) -> None:
    """Insert `count` closed ballots, copies of the templates in turn, with their options."""
    templates = [session.get(Ballot, ballot_id) for ballot_id in template_ids]
    options = {
        ballot_id: session.execute(select(BallotOption).where(BallotOption.ballot_id == ballot_id))
        .scalars()
        .all()
        for ballot_id in template_ids
    }
    skip = {"id", "previous_ballot_id"}
    first = session.execute(text("SELECT max(id) FROM ballot")).scalar() + 1
    rows, option_rows = [], []
    for number in range(count - len(templates)):
        model = templates[number % len(templates)]
        ballot_id = first + number
        row = {
            c.name: getattr(model, c.name) for c in Ballot.__table__.columns if c.name not in skip
        }
        row |= {"id": ballot_id, "closed_at": model.closed_at + timedelta(minutes=number)}
        rows.append(row)
        option_rows += [
            {
                "ballot_id": ballot_id,
                "position": o.position,
                "key": o.key,
                "label": o.label,
                "text": o.text,
            }
            for o in options[model.id]
        ]
    session.execute(insert(Ballot), rows)
    if option_rows:
        session.execute(insert(BallotOption), option_rows)


def _voices(
    session: Session, project_id: int, ballot_id: int, voices: int, grades: list[str]
) -> None:
    """Insert `voices` residents, each having voted on the ballot online with random grades."""
    rng = random.Random(7)
    first = session.execute(text("SELECT max(id) FROM member")).scalar() + 1
    ids = range(first, first + voices)
    session.execute(
        insert(Member),
        [
            {
                "id": member_id,
                "project_id": project_id,
                "display_name": f"Résident {member_id}",
                "role": Role.RESIDENT,
                "created_at": T0,
            }
            for member_id in ids
        ],
    )
    session.execute(
        insert(BallotParticipation),
        [
            {
                "ballot_id": ballot_id,
                "member_id": member_id,
                "cast_by_id": member_id,
                "by_proxy": False,
                "channel": "online",
                "created_at": T0 + DAY,
                "updated_at": T0 + DAY,
            }
            for member_id in ids
        ],
    )
    keys = "abcde"
    session.execute(
        insert(BallotChoice),
        [
            {
                "ballot_id": ballot_id,
                "member_id": member_id,
                "value": {key: rng.choice(grades) for key in keys},
            }
            for member_id in ids
        ],
    )


def build(path: Path, voices: int, decisions: int) -> Dataset:
    """Create a fresh database: a ballot with `voices` votes, and `decisions` closed ballots."""
    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.unit_of_work(engine) as session:
        project = create_project(
            session, name="Banc d'essai", slug="banc-essai", voting_unit="person"
        )
        facilitator = add_member(
            session, project_id=project.id, display_name="Camille", role=Role.FACILITATOR
        )
        templates, voters = _templates(session, project.id, facilitator.id)
        view = ballots.open_ballot(
            session,
            project_id=project.id,
            question="Quel architecte ?",
            method="majority_judgment",
            options=OPTIONS,
            voting_unit="person",
            opens_at=T0,
            closes_at=T0 + 7 * DAY,
            actor_id=facilitator.id,
            now=T0,
        )
        copy_decisions(session, templates, decisions)
        _voices(session, project.id, view.id, voices - 3, list(view.rules.grades))
        for voter in voters:  # the templates' voters vote too: `voices` in all
            cast_vote(
                session,
                project_id=project.id,
                ballot_id=view.id,
                member_id=voter,
                choice=dict.fromkeys("abcde", "good"),
                now=T0 + DAY,
            )
    return Dataset(engine, project.slug, project.id, facilitator.id, view.id, voices, decisions)


def best_of(
    work: Callable[[], object], baseline: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Time `work` and `baseline` in alternating rounds; return the best of each, in seconds."""
    work()  # warm the caches (statements, templates, pages) before timing
    baseline()
    rounds = [(timed(baseline), timed(work)) for _ in range(repeat)]
    return min(w for _, w in rounds), min(b for b, _ in rounds)


def web_client(data: Dataset, path: Path) -> tuple[FlaskClient, Engine]:
    settings = Settings.from_env(
        {
            **os.environ,
            "DATABASE_URL": str(data.engine.url),
            "SECRET_KEY": "bench-secret-key",
            "INSTANCE_PATH": str(path),
            "PUBLIC_URL": "http://127.0.0.1",
        }
    )
    app = create_app(settings)
    with db.unit_of_work(data.engine) as session:
        token = issue_login_token(
            session, member_id=data.facilitator_id, secret_key=settings.secret_key
        )
    client = app.test_client()
    _sign_in(client, token)
    return client, get_engine(app)


def measure(data: Dataset, folder: Path, repeat: int) -> dict[str, dict[str, float]]:
    """Count queries and time each measure and its baseline."""
    engine = data.engine

    def tally() -> None:
        # The count of a ballot past its closing time, from its rows: what closing records.
        with db.read_session(engine) as session:
            ballots.ballot_result(
                session,
                project_id=data.project_id,
                ballot_id=data.ballot_id,
                viewer_id=data.facilitator_id,
                now=AFTER,
            )

    def close() -> None:
        # Closing writes the result and a notice to every member: rolled back, to close again.
        with Session(engine, expire_on_commit=False) as session:
            ballots.close_ballot(
                session,
                project_id=data.project_id,
                ballot_id=data.ballot_id,
                actor_id=data.facilitator_id,
                now=AFTER,
            )
            session.rollback()

    def ballot_rows() -> None:
        with engine.connect() as connection:
            connection.execute(
                text("SELECT id, household_id, role FROM member WHERE project_id = :p"),
                {"p": data.project_id},
            ).all()
            connection.execute(
                text(
                    "SELECT household_id, member_id, channel, by_proxy FROM ballot_participation "
                    "WHERE ballot_id = :b"
                ),
                {"b": data.ballot_id},
            ).all()
            connection.execute(
                text("SELECT value FROM ballot_choice WHERE ballot_id = :b"), {"b": data.ballot_id}
            ).all()

    def log_rows() -> None:
        with engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT * FROM ballot WHERE project_id = :p AND closed_at IS NOT NULL "
                    "ORDER BY closed_at DESC"
                ),
                {"p": data.project_id},
            ).all()
            connection.execute(text("SELECT * FROM ballot_option")).all()

    figures = {}
    for name, work, baseline in (("tally", tally, ballot_rows), ("close", close, ballot_rows)):
        best, base = best_of(work, baseline, repeat)
        figures[name] = {"queries": count_queries(engine, work), "time": best, "baseline": base}
    with db.unit_of_work(engine) as session:
        ballots.close_ballot(
            session,
            project_id=data.project_id,
            ballot_id=data.ballot_id,
            actor_id=data.facilitator_id,
            now=AFTER,
        )
    client, app_engine = web_client(data, folder)
    pages = {
        "results page": (f"/p/{data.slug}/votes/{data.ballot_id}/results", ballot_rows),
        "decision log page": (f"/p/{data.slug}/decisions", log_rows),
    }
    for name, (path, baseline) in pages.items():

        def page(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        best, base = best_of(page, baseline, repeat)
        figures[name] = {"queries": count_queries(app_engine, page), "time": best, "baseline": base}
    app_engine.dispose()
    return figures


DATA = {
    "tally": "voices",
    "close": "voices",
    "results page": "voices",
    "decision log page": "decisions",
}
WHAT = {
    "tally": "majority-judgment count from the rows",
    "close": "closing (count, record, notices)",
    "results page": "results page",
    "decision log page": "decision log page",
}


def _report(results: list[tuple[int, Dataset, dict]], args) -> str:
    load = os.getloadavg()[0]
    lines = [
        MARK_BEGIN,
        "## Votes: majority judgment and the decision log (`bench/bench_votes.py`)",
        "",
        *textwrap.wrap(
            f"A named majority-judgment ballot with {len(OPTIONS)} options and one voice per "
            f"resident, and a decision log of closed ballots (majority judgment and for / against, "
            f"in turn), on SQLite; pages through Flask's test client in process, signed in as the "
            f"facilitator. Best of {args.repeat} rounds that alternate with the baseline: fetching "
            "the rows the measure reads with plain `SELECT`s and nothing else (the members, the "
            "ballot's participation and choices; the closed ballots and their options). "
            f"{os.cpu_count()} CPUs, load average {load:.1f} during the run.",
            width=100,
        ),
        "",
        "| measure | data | SQL queries | time | baseline | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in DATA:
        for factor, data, figures in results:
            row = figures[name]
            size = getattr(data, DATA[name])
            lines.append(
                f"| {WHAT[name]} | {factor}×, {size:,} {DATA[name]} | {row['queries']} "
                f"| {row['time'] * 1000:.1f} ms | {row['baseline'] * 1000:.1f} ms "
                f"| {row['time'] / row['baseline']:.1f} |"
            )
    (_, _, small), (factor, _, large) = results
    growth = []
    for name in DATA:
        queries = (
            f"{small[name]['queries']} queries at both sizes"
            if small[name]["queries"] == large[name]["queries"]
            else f"queries from {small[name]['queries']} to {large[name]['queries']}"
        )
        growth.append(
            f"{WHAT[name]}: {queries}, time ×{large[name]['time'] / small[name]['time']:.1f} "
            f"(baseline ×{large[name]['baseline'] / small[name]['baseline']:.1f})"
        )
    extra = large["close"]["queries"] - small["close"]["queries"]
    members = results[1][1].voices - results[0][1].voices
    lines += [
        "",
        *textwrap.wrap(f"From 1× to {factor}× the data: " + "; ".join(growth) + ".", width=100),
    ]
    if extra:
        lines += textwrap.wrap(
            f"Closing sends {extra} more statements for {members:,} more members: the count reads "
            "a fixed number, but the result notice is written to the outbox one `INSERT … ON "
            "CONFLICT DO NOTHING` per member (`ballot_notices.announce_result` → "
            "`outbox.enqueue`); a batched enqueue would make it constant.",
            width=100,
        )
    lines.append(MARK_END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voices", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="Only print the results.")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for factor in (1, args.scale):
            data = build(
                Path(folder) / f"bench-{factor}.sqlite3",
                args.voices * factor,
                args.decisions * factor,
            )
            results.append((factor, data, measure(data, Path(folder), args.repeat)))
            data.engine.dispose()
    report = _report(results, args)
    print(report)
    if not args.no_write:
        write_section(args.write, report, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
