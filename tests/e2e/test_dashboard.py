"""The facilitators' dashboard in Chromium, on the demo project: a laptop, a phone, and paper.

The demo seeds the path, questionnaires and closed votes; the test adds an open secret ballot
and an open ballot with hidden results, both voted, whose choices must show nowhere.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.test_pages import UNLABELLED
from voisinage.ballot_votes import cast_vote
from voisinage.ballots import open_ballot
from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.models import Member, utcnow
from voisinage.tokens import issue_login_token

pytestmark = pytest.mark.e2e

LAPTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "en-GB"}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
}
SECRET_OPTIONS = ["Piscine secrète", "Sauna caché"]
HIDDEN_OPTIONS = ["Jardin confidentiel", "Vélo confidentiel"]
# True when the page is wider than the screen: a phone would scroll sideways.
OVERFLOWS = "() => document.documentElement.scrollWidth > window.innerWidth"


@pytest.fixture
def voted(engine, demo):
    """Open a secret ballot and one with hidden results, each voted by three residents."""
    with unit_of_work(engine) as session:
        residents = session.exec(
            select(Member.id)
            .where(Member.project_id == demo.project.id, Member.role == Role.RESIDENT)
            .order_by(Member.id)
        ).all()
        facilitator = demo.facilitator.id
        closes_at = utcnow().replace(microsecond=0)
        ballots = [
            open_ballot(
                session,
                project_id=demo.project.id,
                actor_id=facilitator,
                method="approval",
                question=question,
                options=options,
                closes_at=closes_at.replace(year=closes_at.year + 1),
                **settings,
            )
            for question, options, settings in (
                ("Équipement du sous-sol", SECRET_OPTIONS, {"secret": True}),
                ("Projet du printemps", HIDDEN_OPTIONS, {"results_live": False}),
            )
        ]
    for ballot in ballots:
        for member_id in residents[:3]:
            with unit_of_work(engine) as session:
                cast_vote(
                    session,
                    project_id=demo.project.id,
                    ballot_id=ballot.id,
                    member_id=member_id,
                    choice=["a"],
                )
    return ballots


def _sign_in(page, live_server, engine, member_id: int) -> None:
    with unit_of_work(engine) as session:
        token = issue_login_token(
            session, member_id=member_id, secret_key=live_server.settings.secret_key
        )
    page.goto(f"{live_server.url}/login/{token}")
    page.get_by_role("button", name="Sign in").click()


def _no_choice_shows(page) -> None:
    text = page.content()
    for label in SECRET_OPTIONS + HIDDEN_OPTIONS:
        assert label not in text


def test_the_dashboard_on_a_laptop_and_on_paper(
    new_page, live_server, demo, engine, voted, screenshot, console_errors
):
    page = new_page(**LAPTOP)
    _sign_in(page, live_server, engine, demo.facilitator.id)
    # A facilitator lands on the dashboard.
    expect(page).to_have_url(f"{live_server.url}/p/{demo.project.slug}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Project status")
    for name in ("Path", "Open now", "Waiting for the facilitators", "Funders' report"):
        expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    votes = page.get_by_role("region", name="Open now")
    expect(votes.get_by_role("link", name="Équipement du sous-sol")).to_be_visible()
    expect(votes.locator("svg.chart.bars").last).to_be_visible()
    # The bars are filled from the style sheet (no inline style under the CSP).
    fill = page.locator("rect.chart-bar").first.evaluate("e => getComputedStyle(e).fill")
    assert fill not in ("", "rgb(0, 0, 0)")
    assert page.evaluate(UNLABELLED) == []
    _no_choice_shows(page)
    screenshot(page, "1-laptop")

    # "What happened since": a date further back shows more.
    page.get_by_label("Since (YYYY-MM-DD)").fill("2020-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"since=2020-01-01"))
    expect(
        page.get_by_role("heading", level=2, name=re.compile("What happened since"))
    ).to_contain_text("2020")

    # On paper: no navigation and no forms; the funders' report and the figures' tables.
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("form.since")).to_be_hidden()
    funders = page.get_by_role("region", name="Funders' report")
    expect(funders).to_be_visible()
    expect(funders.locator("table.funder").first).to_be_visible()
    expect(page.locator("table.chart-data").first).to_be_visible()
    screenshot(page, "2-print")
    assert console_errors == []


def test_the_dashboard_and_the_funders_report_on_a_phone(
    new_page, live_server, demo, engine, voted, screenshot, console_errors
):
    page = new_page(**PHONE)
    _sign_in(page, live_server, engine, demo.facilitator.id)
    expect(page.get_by_role("heading", level=1)).to_have_text("Project status")
    assert page.evaluate(OVERFLOWS) is False
    _no_choice_shows(page)
    screenshot(page, "1-dashboard")
    page.get_by_role("link", name="Funders' report").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funders' report")
    expect(page.get_by_role("table").first).to_be_visible()
    expect(page.get_by_role("link", name="Download as CSV")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    screenshot(page, "2-funders")
    assert console_errors == []


def test_a_resident_is_refused_the_dashboard(new_page, live_server, demo, engine, voted):
    page = new_page(**PHONE)
    _sign_in(page, live_server, engine, demo.resident.id)
    expect(page).to_have_url(f"{live_server.url}/p/{demo.project.slug}/")
    response = page.goto(f"{live_server.url}/p/{demo.project.slug}/dashboard")
    assert response.status == 403
