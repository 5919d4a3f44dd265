"""The facilitators' dashboard: who may read it, its figures and links, secrecy, fixed queries."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.webforms.conftest import counting_queries
from tests.webforms.votes_support import charter, open_ballot
from tests.webforms.workshop_support import DAY, local, new_workshop, now, open_test_poll
from voisinage.amendments import propose_amendment
from voisinage.ballot_votes import cast_vote
from voisinage.db import read_session, unit_of_work
from voisinage.people import add_member
from voisinage.project_summary import project_summary
from voisinage.projects import add_household
from voisinage.questionnaire_answers import save_answers
from voisinage.questionnaire_templates import import_questionnaire
from voisinage.questionnaires import open_questionnaire
from voisinage.workshop_path import add_step
from voisinage.workshop_records import record_attendance
from voisinage.workshop_schedule import schedule_workshop
from voisinage.workshops import current_workshop

# Options of open ballots whose choices must not show: a secret one and one with hidden results.
SECRET_OPTIONS = ["Piscine secrète", "Sauna caché"]
HIDDEN_OPTIONS = ["Jardin confidentiel", "Vélo confidentiel"]

QUESTIONNAIRE = """
format: voisinage.questionnaire
version: 1
title: Expectations <b>& wishes</b>
respondent_unit: household
questions:
  - key: surface
    kind: number
    label: Surface
    min: 10
    max: 200
"""


def _base(world) -> str:
    return f"/p/{world.project.slug}"


def _household(engine, world, name: str, person: str) -> int:
    with unit_of_work(engine) as session:
        household = add_household(session, project_id=world.project.id, name=name)
        return add_member(
            session, project_id=world.project.id, display_name=person, household_id=household.id
        ).id


def _vote(engine, world, ballot_id: int, member_id: int, choice) -> None:
    with unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=world.project.id,
            ballot_id=ballot_id,
            member_id=member_id,
            choice=choice,
        )


def _held_workshop(engine, world, *, title: str, funder: str, days_ago: int, guests: int) -> int:
    """Return a workshop held `days_ago` days ago, Nadia and `guests` guests present."""
    actor = world.facilitator.id
    with unit_of_work(engine) as session:
        step = add_step(
            session, project_id=world.project.id, title=title, code="A1", funder=funder,
            actor_id=actor,
        )  # fmt: skip
        workshop_id = current_workshop(session, step_id=step.id).id
        schedule_workshop(
            session,
            project_id=world.project.id,
            workshop_id=workshop_id,
            starts_at=local(-days_ago, time(14)),
            ends_at=local(-days_ago, time(17)),
            place="Salle commune",
            actor_id=actor,
            now=now() - (days_ago + 10) * DAY,
        )
        record_attendance(
            session,
            project_id=world.project.id,
            workshop_id=workshop_id,
            member_ids=[world.resident.id],
            guests=guests,
            actor_id=actor,
        )
    return workshop_id


@pytest.fixture
def busy(engine, world):
    """Project A with something in every section, and choices cast in a secret and a hidden ballot."""
    jeanne = _household(engine, world, "Foyer Dubois", "Jeanne")
    ids = {"jeanne": jeanne}
    with unit_of_work(engine) as session:
        view = import_questionnaire(session, project_id=world.project.id, text=QUESTIONNAIRE)
        open_questionnaire(session, project_id=world.project.id, questionnaire_id=view.id)
    with unit_of_work(engine) as session:
        save_answers(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            member_id=world.resident.id,
            values={view.questions[0].id: 80},
            submit=True,
        )
    ids["questionnaire"] = view.id
    ids["counted"] = open_ballot(engine, world, question="Bike shed hours").id
    _vote(engine, world, ids["counted"], world.resident.id, "for")
    ids["secret"] = open_ballot(
        engine, world, method="approval", question="Basement", options=SECRET_OPTIONS,
        secret=True,
    ).id  # fmt: skip
    ids["hidden"] = open_ballot(
        engine, world, method="approval", question="Spring project", options=HIDDEN_OPTIONS,
        results_live=False,
    ).id  # fmt: skip
    for ballot in ("secret", "hidden"):
        _vote(engine, world, ids[ballot], world.resident.id, ["a"])
        _vote(engine, world, ids[ballot], jeanne, ["a", "b"])
    ids["held"] = _held_workshop(
        engine, world, title="Visit of the site", funder="metropolis", days_ago=3, guests=2
    )
    ids["polled"] = new_workshop(engine, world.project.id, world.facilitator.id, "Site choice")
    ids["poll"], _ = open_test_poll(engine, world.project.id, world.facilitator.id, ids["polled"])
    _, (article_id,) = charter(engine, world, articles=("Pets",))
    with unit_of_work(engine) as session:
        propose_amendment(
            session,
            project_id=world.project.id,
            article_id=article_id,
            author_id=world.resident.id,
            text="Cats and dogs welcome.",
        )
    ids["article"] = article_id
    return ids


def test_only_the_projects_facilitators_read_the_dashboard(web, other_web, world, busy):
    paths = ["/dashboard", "/dashboard/funders", "/dashboard/funders.csv"]
    for path in paths:
        assert web.get(_base(world) + path).status_code == 401
    web.sign_in(world.resident)
    other_web.sign_in(world.other_facilitator)
    web2 = other_web
    for path in paths:
        assert web.get(_base(world) + path).status_code == 403
        # A facilitator of another project learns nothing, not even that the project exists.
        assert web2.get(_base(world) + path).status_code == 404
    web.sign_in(world.observer)
    assert web.get(_base(world) + "/dashboard").status_code == 403
    web.sign_in(world.facilitator)
    for path in paths:
        assert web.get(_base(world) + path).status_code == 200


def _dashboard(web, world, query: str = ""):
    web.sign_in(world.facilitator)
    response = web.get(f"{_base(world)}/dashboard{query}")
    return response, html.unescape(response.text)


def test_the_figures_are_the_summarys(web, world, engine, busy):
    response, text = _dashboard(web, world)
    assert response.status_code == 200
    with read_session(engine) as session:
        summary = project_summary(
            session, project_id=world.project.id, actor_id=world.facilitator.id
        )
    (questionnaire,) = summary.questionnaires
    # 1 of the 2 households answered: the bar, the table beside it, and the line.
    assert (questionnaire.submitted, questionnaire.eligible) == (1, 2)
    assert "1 of 2 answered, 0 started." in text
    assert re.search(r"<th scope=\"row\">Expectations <b>& wishes</b></th><td>1 / 2</td>", text)
    for ballot in summary.ballots:
        assert f"{ballot.took_part} of {ballot.eligible} voices voted." in text
    assert [(b.took_part, b.eligible) for b in summary.ballots] == [(1, 2), (2, 2), (2, 2)]
    # Who is missing, by name: Foyer Dubois for the questionnaire and the counted ballot.
    assert "Foyer Dubois" in text
    (step_held, step_polled) = summary.path
    assert f"{step_held.attendance_count} came." in text
    assert f"{step_polled.poll.answered} of {step_polled.poll.asked} answered." in text
    assert "Amendment to decide:" in text
    # A title someone typed is escaped, never markup.
    assert "Expectations &lt;b&gt;&amp; wishes&lt;/b&gt;" in response.text
    assert "<b>& wishes</b>" not in response.text


def test_each_item_links_to_its_page(web, world, busy):
    response, _ = _dashboard(web, world)
    base = _base(world)
    for href in (
        f"{base}/questionnaires/{busy['questionnaire']}/summary",
        f"{base}/questionnaires/{busy['questionnaire']}/respondents",
        f"{base}/votes/{busy['counted']}",
        f"{base}/votes/{busy['secret']}",
        f"{base}/votes/{busy['hidden']}",
        f"{base}/workshops/{busy['held']}",
        f"{base}/workshops/{busy['polled']}",
        f"{base}/polls/{busy['poll']}",
        f"{base}/articles/{busy['article']}",
        f"{base}/dashboard/funders",
    ):
        assert f'href="{href}"' in response.text, href
    # The charts: SVG bars drawn on the server, and tables beside them for screen readers.
    assert response.text.count('<svg class="chart bars"') == 2
    assert response.text.count('<table class="chart-data sr-only">') == 2


def test_no_choice_of_an_open_secret_or_hidden_ballot_shows(web, world, busy):
    response, text = _dashboard(web, world)
    assert response.status_code == 200
    for label in SECRET_OPTIONS + HIDDEN_OPTIONS:
        assert label not in text
    # Not on the list of projects either.
    assert web.get("/").status_code == 302
    web.sign_in(world.other_facilitator)
    picker = html.unescape(web.get("/").text)
    assert "Spring project" in picker
    for label in SECRET_OPTIONS + HIDDEN_OPTIONS:
        assert label not in picker


def test_what_happened_starts_at_the_date_asked(web, world, busy):
    _, text = _dashboard(web, world)
    # A week by default: the workshop held three days ago is in it.
    assert "Workshop held:" in text
    _, text = _dashboard(web, world, f"?since={local(-1, time()).date().isoformat()}")
    assert "Workshop held:" not in text
    day = local(-30, time()).date()
    response, text = _dashboard(web, world, f"?since={day.isoformat()}")
    assert response.status_code == 200
    assert "Workshop held:" in text
    assert f'value="{day.isoformat()}"' in text


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(alphabet=st.characters(exclude_categories=("Nd", "Cs")), min_size=1))
def test_an_unreadable_since_gets_a_message_and_the_default_week(web, world, value):
    web.sign_in(world.facilitator)
    response = web.get(f"{_base(world)}/dashboard", query_string={"since": value})
    if not value.strip():
        assert response.status_code == 200
        return
    assert response.status_code == 400
    text = html.unescape(response.text)
    assert "Give the date as YYYY-MM-DD" in text
    assert "What happened since" in text


def test_the_french_dashboard_is_in_french(web, world, engine):
    web.sign_in(world.other_facilitator)
    response = web.get(f"/p/{world.other_project.slug}/dashboard?since=hier")
    text = html.unescape(response.text)
    assert response.status_code == 400
    assert "État du projet" in text
    assert "Donnez la date" in text


def test_the_funders_report_and_its_csv(web, world, engine, busy):
    web.sign_in(world.facilitator)
    text = html.unescape(web.get(f"{_base(world)}/dashboard/funders").text)
    assert "Funded by the metropolis" in text
    assert "Visit of the site" in text
    # Nadia and two guests.
    assert re.search(r"<td>1</td>\s*<td>2</td>\s*<td>3</td>", text)
    # A period that ends before the workshop: nothing held.
    end = local(-10, time()).date().isoformat()
    text = web.get(f"{_base(world)}/dashboard/funders?end={end}").text
    assert "No workshop held in this period." in text
    start = local(-5, time()).date().isoformat()
    download = web.get(f"{_base(world)}/dashboard/funders.csv?start={start}")
    assert download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert [(r["funder"], r["title"], r["attendance"]) for r in rows] == [
        ("metropolis", "Visit of the site", "3")
    ]
    refused = web.get(f"{_base(world)}/dashboard/funders.csv?start=yesterday")
    assert refused.status_code == 422
    page = web.get(f"{_base(world)}/dashboard/funders?start=yesterday")
    assert page.status_code == 400
    assert "YYYY-MM-DD" in page.text


def test_facilitators_land_on_the_dashboard_and_residents_on_their_home(web, world):
    web.sign_in(world.facilitator)
    response = web.get("/")
    assert response.headers["Location"] == f"{_base(world)}/dashboard"
    home = web.get(f"{_base(world)}/").text
    assert f'href="{_base(world)}/dashboard"' in home
    web.post("/logout")
    web.sign_in(world.resident)
    assert web.get("/").headers["Location"] == f"{_base(world)}/"
    assert f'href="{_base(world)}/dashboard"' not in web.get(f"{_base(world)}/").text


def test_the_list_of_projects_shows_each_projects_key_figures(web, world, busy):
    web.sign_in(world.facilitator)
    web.sign_in(world.other_facilitator)
    text = " ".join(html.unescape(web.get("/").text).split())
    assert f'href="{_base(world)}/dashboard"' in text
    assert f'href="/p/{world.other_project.slug}/dashboard"' in text
    assert "1 questionnaire open: Expectations <b>& wishes</b> (50% answered)" in text
    assert "Bike shed hours (1 of 2 voices voted)" in text
    # The amendment and the poll: nothing overdue yet.
    assert "1 item waits for you" in text


def _grow(engine, world, busy, households: int) -> None:
    """Add households of one resident, each voting in the counted ballot."""
    for number in range(households):
        member_id = _household(engine, world, f"Foyer {number}", f"Voisin {number}")
        _vote(engine, world, busy["counted"], member_id, "for")


def test_the_dashboard_reads_a_fixed_number_of_queries(app, web, world, engine, busy):
    web.sign_in(world.facilitator)
    with counting_queries(app) as small:
        assert web.get(f"{_base(world)}/dashboard").status_code == 200
    # Two households, then ten: five times as many voices, votes and names missing.
    _grow(engine, world, busy, 8)
    with counting_queries(app) as big:
        assert web.get(f"{_base(world)}/dashboard").status_code == 200
    assert len(small) == len(big)


def test_items_with_people_missing_have_a_reminder_and_show_those_sent(web, world, busy):
    _, text = _dashboard(web, world, "?since=2026-01-01")
    # The questionnaire, the counted ballot and the poll miss someone: a button each. Both
    # households voted in the other two ballots: no button.
    for subject in (f"questionnaire:{busy['questionnaire']}", f"ballot:{busy['counted']}",
                    f"poll:{busy['poll']}"):  # fmt: skip
        assert f'name="subject" value="{subject}"' in text
    for ballot in ("secret", "hidden"):
        assert f'name="subject" value="ballot:{busy[ballot]}"' not in text
    assert f'name="next" value="/p/{world.project.slug}/dashboard?since=2026-01-01"' in text
    sent = web.post(
        f"{_base(world)}/nudges",
        {"subject": f"ballot:{busy['counted']}", "next": f"{_base(world)}/dashboard"},
    )
    assert sent.headers["Location"] == f"{_base(world)}/dashboard"
    _, text = _dashboard(web, world)
    assert "Nudged 1 member on" in text
