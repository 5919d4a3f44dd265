"""`voisinage summary SLUG [--since DATE] [--json]`, and the export's summary section."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.cli.test_cli import run, run_json
from voisinage import ballots
from voisinage.ballot_votes import cast_vote
from voisinage.db import unit_of_work
from voisinage.demo import DEMO_SLUG, seed_demo
from voisinage.models import Member, utcnow

WEEK = 7 * 24 * 3600


@pytest.fixture
def demo(engine):
    """The demo project, plus a secret ballot open now that one household has voted in."""
    with unit_of_work(engine) as session:
        project = seed_demo(session).project
        ballot = ballots.open_ballot(
            session,
            project_id=project.id,
            method="approval",
            question="Équipement du sous-sol",
            options=["Piscine secrète", "Sauna caché"],
            secret=True,
            closes_at=utcnow() + timedelta(seconds=WEEK),
        )
        voter = session.exec(
            select(Member).where(Member.project_id == project.id, Member.role == "resident")
        ).first()
        cast_vote(
            session, project_id=project.id, ballot_id=ballot.id, member_id=voter.id, choice=["b"]
        )
    return project


def test_summary_prints_where_the_demo_stands(environ, demo):
    out, _ = run(environ, "summary", DEMO_SLUG)
    lines = out.splitlines()
    assert lines[0].startswith("Les Voisins du Quai — where the project stands on ")
    assert "Path" in lines
    assert "Waiting for the facilitators" in lines
    # A1's two sessions: 11 and 9 households' first members came, with the facilitator.
    assert any(line.startswith("  ✓ A1 Culture commune (1re séance): held on ") for line in lines)
    assert any(line.endswith(", 12 came") for line in lines)
    (a2,) = [line for line in lines if line.startswith("  → A2 Vision commune: ")]
    assert a2.endswith("14 coming of 16 places, 3 on the waiting list")
    (a3,) = [line for line in lines if line.startswith("  · A3 ")]
    assert "9 of 13 answered, best slot so far" in a3
    assert a3.endswith("(6 yes, 2 if need be)")
    (questionnaire,) = [line for line in lines if line.startswith("  Questionnaire ")]
    # 12 households: 10 submitted, Kaya has a draft, Lefebvre has not started (demo.py).
    assert questionnaire.endswith(
        "Définition des attentes: 10 of 12 answered; missing: Foyer Kaya (draft), Foyer Lefebvre"
    )
    (ballot,) = [line for line in lines if line.startswith("  Ballot Équipement du sous-sol")]
    assert ": 1 of 12 voices voted, closes in " in ballot
    assert "Piscine" not in out
    assert "Sauna" not in out


def test_summary_json_is_the_summary_as_data(environ, demo):
    data = run_json(environ, "summary", DEMO_SLUG, "--since", "2026-01-01")
    assert data["slug"] == DEMO_SLUG
    # Midnight in the project's time zone (Europe/Paris, winter: UTC+1).
    assert data["since"]["since"] == "2025-12-31T23:00:00+00:00"
    (questionnaire,) = data["questionnaires"]
    assert (questionnaire["eligible"], questionnaire["submitted"], questionnaire["drafts"]) == (
        12,
        10,
        1,
    )
    assert [m["state"] for m in questionnaire["missing"]].count("draft") == 1
    held = data["since"]["workshops_held"]
    assert [w["attendance_count"] for w in held] == [12, 10]
    # The demo may hold ballots of its own: ours is found by its question.
    (ballot,) = [b for b in data["ballots"] if b["question"] == "Équipement du sous-sol"]
    assert (ballot["secret"], ballot["took_part"], ballot["eligible"]) == (True, 1, 12)
    assert WEEK - 3600 < ballot["seconds_left"] <= WEEK
    text = json.dumps(data, ensure_ascii=False)
    assert "Piscine" not in text
    assert "Sauna" not in text


def test_the_export_holds_the_same_summary(environ, demo):
    export = json.loads(run(environ, "export", DEMO_SLUG, "--format", "json")[0])
    summary = run_json(environ, "summary", DEMO_SLUG)
    for key in ("path", "questionnaires", "waiting"):
        assert export["summary"][key] == summary[key]
    assert [b["id"] for b in export["summary"]["ballots"]] == [b["id"] for b in summary["ballots"]]
    assert "Piscine" not in json.dumps(export["summary"], ensure_ascii=False)


@pytest.mark.parametrize("since", ["03/01/2027", "2027-02-30", "yesterday"])
def test_a_bad_date_is_refused_with_a_clear_message(environ, demo, since):
    _, err = run(environ, "summary", DEMO_SLUG, "--since", since, expect=2)
    assert err == (
        f"voisinage: Give the date as YYYY-MM-DD, for example 2027-03-01: {since} is not one.\n"
    )


def test_an_unknown_project_is_refused(environ, demo):
    _, err = run(environ, "summary", "nowhere", expect=2)
    assert err == "voisinage: There is no project with the short name nowhere.\n"
