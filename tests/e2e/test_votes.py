"""Votes in Chromium, on the demo project: a facilitator opens a majority judgment, a resident
grades on a phone (without JavaScript) and changes her grades, the facilitator closes the
ballot and reads the merit profiles; the adopted charter prints without console errors.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.test_pages import UNLABELLED
from voisinage import ballots, documents
from voisinage.ballot_votes import cast_vote
from voisinage.db import read_session, unit_of_work
from voisinage.models import Ballot, Member

pytestmark = pytest.mark.e2e

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _member(engine, name: str) -> Member:
    with read_session(engine) as session:
        return session.exec(select(Member).where(Member.display_name == name)).one()


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()


def _grade(page, option: str, grade: str) -> None:
    page.get_by_role("group", name=f"Your grade for {option}").get_by_label(
        grade, exact=True
    ).check()


def test_a_majority_judgment_from_opening_to_result(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    facilitator = new_page(**DESKTOP)
    _sign_in(facilitator, live_server.login_url(demo.facilitator.id, engine))
    facilitator.get_by_role("region", name="Facilitation").get_by_role(
        "link", name="Open a ballot"
    ).click()
    facilitator.get_by_label("Question", exact=True).fill("Which architect?")
    facilitator.get_by_role("radio", name="Majority judgment").check()
    facilitator.get_by_label("Options, one a line").fill("Atelier Nord\nStudio Sud")
    screenshot(facilitator, "1-new-ballot")
    facilitator.get_by_role("button", name="Open the ballot").click()
    expect(facilitator.get_by_text("The ballot is open.")).to_be_visible()
    ballot_url = facilitator.url

    sophie = _member(engine, "Sophie Petit")
    page = new_page(java_script_enabled=False, **PHONE)
    _sign_in(page, live_server.login_url(sophie.id, engine))
    card = page.locator(".cards > li").filter(has=page.get_by_role("heading", name="Votes"))
    expect(card).to_contain_text("You have not voted yet")
    card.get_by_role("link", name="Which architect?").click()
    _grade(page, "Atelier Nord", "Good")
    _grade(page, "Studio Sud", "Passable")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "2-paper")
    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_text("Your vote is recorded (Foyer Petit).")).to_be_visible()
    expect(page.locator(".recap")).to_contain_text("Atelier Nord: Good; Studio Sud: Passable")
    _grade(page, "Studio Sud", "Excellent")
    page.get_by_role("button", name="Change my vote").click()
    expect(page.get_by_text("Your vote is changed (Foyer Petit).")).to_be_visible()
    expect(page.locator(".recap")).to_contain_text("Studio Sud: Excellent")
    screenshot(page, "3-changed")

    facilitator.goto(ballot_url)
    facilitator.get_by_role("button", name="Close the ballot now").click()
    expect(facilitator.get_by_text("The ballot is closed.")).to_be_visible()
    expect(facilitator.locator(".outcome")).to_contain_text("adopted: Studio Sud")
    expect(facilitator.locator("svg.merit")).to_be_visible()
    screenshot(facilitator, "4-results")
    page.reload()
    expect(page.get_by_text("This ballot is closed")).to_be_visible()
    with read_session(engine) as session:
        ballot = session.exec(select(Ballot).where(Ballot.question == "Which architect?")).one()
    assert ballot.outcome == "adopted"
    assert console_errors == []


def test_the_adopted_charter_page_prints_cleanly(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    residents = [_member(engine, name) for name in ("Sophie Petit", "Régis Marchand")]
    with unit_of_work(engine) as session:
        charter = documents.create_document(
            session,
            project_id=demo.project.id,
            kind="charter",
            title="Charte de bon voisinage",
            actor_id=demo.facilitator.id,
        )
        article = documents.add_article(
            session,
            project_id=demo.project.id,
            document_id=charter.id,
            title="Le calme",
            text="Pas de bruit **après 22 h**.",
            actor_id=demo.facilitator.id,
        )
        ballot = ballots.open_ballot(
            session,
            project_id=demo.project.id,
            method="threshold",
            article_id=article.id,
            actor_id=demo.facilitator.id,
        )
        for resident in residents:
            cast_vote(
                session,
                project_id=demo.project.id,
                ballot_id=ballot.id,
                member_id=resident.id,
                choice="for",
            )
        ballots.close_ballot(
            session, project_id=demo.project.id, ballot_id=ballot.id, actor_id=demo.facilitator.id
        )
    page = new_page(**DESKTOP)
    _sign_in(page, live_server.login_url(residents[0].id, engine))
    page.goto(f"{live_server.url}/p/{demo.project.slug}/documents/{charter.id}/adopted")
    expect(page.get_by_role("heading", level=2)).to_have_text("1. Le calme")
    expect(page.locator(".adoption")).to_contain_text(re.compile(r"adopted \(2 for"))
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator(".downloads")).to_be_hidden()
    screenshot(page, "1-print")
    assert console_errors == []


METHODS = {
    "threshold": {},
    "consent": {},
    "majority_judgment": {"options": ["Nord", "Sud"]},
    "approval": {"options": ["Nord", "Sud"]},
    "ranked": {"options": ["Nord", "Sud", "Est"]},
}


def test_vote_and_document_pages_label_every_field_without_console_errors(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    with unit_of_work(engine) as session:
        charter = documents.create_document(
            session,
            project_id=demo.project.id,
            kind="charter",
            title="Charte",
            actor_id=demo.facilitator.id,
        )
        article = documents.add_article(
            session,
            project_id=demo.project.id,
            document_id=charter.id,
            title="Le calme",
            text="Pas de bruit après 22 h.",
            actor_id=demo.facilitator.id,
        )
        ids = {
            method: ballots.open_ballot(
                session,
                project_id=demo.project.id,
                method=method,
                question=f"Question {method}",
                actor_id=demo.facilitator.id,
                **settings,
            ).id
            for method, settings in METHODS.items()
        }
        closed = ballots.open_ballot(
            session,
            project_id=demo.project.id,
            method="consent",
            article_id=article.id,
            secret=True,
            actor_id=demo.facilitator.id,
        ).id
        ballots.close_ballot(
            session, project_id=demo.project.id, ballot_id=closed, actor_id=demo.facilitator.id
        )
    base = f"{live_server.url}/p/{demo.project.slug}"
    common = [
        "/votes",
        f"/votes/{closed}",
        f"/votes/{closed}/results",
        "/proxies",
        "/documents",
        f"/documents/{charter.id}",
        f"/articles/{article.id}",
        "/decisions",
        f"/documents/{charter.id}/adopted",
    ]
    resident_pages = common + [f"/votes/{ballot_id}" for ballot_id in ids.values()]
    facilitator_pages = [
        *common,
        "/votes/new",
        *(f"/votes/{ballot_id}/room" for ballot_id in ids.values()),
    ]
    sophie = _member(engine, "Sophie Petit")
    for member_id, paths in ((sophie.id, resident_pages), (demo.facilitator.id, facilitator_pages)):
        page = new_page(**DESKTOP)
        _sign_in(page, live_server.login_url(member_id, engine))
        for path in paths:
            response = page.goto(base + path)
            assert (path, response.status) == (path, 200)
            expect(page.locator("h1")).to_have_count(1)
            assert (path, page.evaluate(UNLABELLED)) == (path, [])
        screenshot(page, f"member-{member_id}")
    assert console_errors == []
