"""Workshops in Chromium, on the demo project: answering a poll on a phone, confirming the best
slot, RSVPing; every workshop page without console errors and with labelled fields.

The browser asks for English: the demo members have no language of their own, so the pages
follow the browser, while the path's titles stay in the project's French.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.test_pages import UNLABELLED
from voisinage.db import read_session
from voisinage.models import Member
from voisinage.workshop_path import path_overview
from voisinage.workshop_polls import poll_table
from voisinage.workshop_rsvps import rsvp_summary
from voisinage.workshops import get_workshop

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


def _step(engine, project_id: int, code: str):
    with read_session(engine) as session:
        return next(s for s in path_overview(session, project_id=project_id) if s.code == code)


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()


def test_a_resident_answers_a_poll_on_a_phone(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    sophie = _member(engine, "Sophie Petit")
    a3 = _step(engine, demo.project.id, "A3")
    # No JavaScript at all: answering must work without it.
    page = new_page(java_script_enabled=False, **PHONE)
    _sign_in(page, live_server.login_url(sophie.id, engine))
    card = page.locator(".workshops-card")
    expect(card).to_contain_text("Answers until")
    screenshot(page, "1-home")
    card.get_by_role("link", name=re.compile(r"When can you come to")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Availability:")
    expect(
        page.get_by_role("heading", name="Your household's answers (Foyer Petit)")
    ).to_be_visible()
    # The page itself does not scroll sideways; only the table does, inside its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "2-poll")
    slots = page.locator("fieldset.slot-answer")
    expect(slots).to_have_count(3)
    for index, label in enumerate(["Yes", "If need be", "No"]):
        slots.nth(index).get_by_label(label, exact=True).check()
    page.get_by_label("Comment (optional)").fill("Plutôt le matin")
    screenshot(page, "3-answered")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    # Her row of the table, marked as hers.
    row = page.locator("tr.mine")
    expect(row.get_by_role("rowheader")).to_have_text("Foyer Petit")
    expect(row).to_contain_text("Plutôt le matin")
    screenshot(page, "4-saved")
    with read_session(engine) as session:
        table = poll_table(session, project_id=demo.project.id, poll_id=a3.poll_id)
    [mine] = [r for r in table.rows if r.name == "Foyer Petit"]
    assert [mine.answers[slot.slot_id] for slot in table.slots] == ["yes", "if_need_be", "no"]
    assert console_errors == []


def test_a_facilitator_confirms_the_best_slot(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    a3 = _step(engine, demo.project.id, "A3")
    with read_session(engine) as session:
        best = poll_table(session, project_id=demo.project.id, poll_id=a3.poll_id).best_slot_id
    page = new_page(**DESKTOP)
    _sign_in(page, live_server.login_url(demo.facilitator.id, engine))
    page.get_by_role("region", name="Facilitation").get_by_role("link", name="Workshops").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshops")
    screenshot(page, "1-path")
    page.get_by_role("link", name=re.compile("Availability poll, answers until")).click()
    expect(page.locator("thead th.best")).to_have_count(1)
    expect(page.locator("thead th.best")).to_contain_text("Best slot")
    screenshot(page, "2-table")
    # The best slot comes checked: confirming it is one click.
    expect(page.locator(f'input[name="confirm-slot"][value="{best}"]')).to_be_checked()
    page.get_by_role("button", name="Confirm this slot").click()
    expect(page.get_by_text("Date confirmed; everyone invited is told.")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("Scheduled")
    screenshot(page, "3-scheduled")
    with read_session(engine) as session:
        workshop = get_workshop(session, project_id=demo.project.id, workshop_id=a3.workshop_id)
        table = poll_table(session, project_id=demo.project.id, poll_id=a3.poll_id)
    [slot] = [s for s in table.slots if s.confirmed]
    assert (slot.slot_id, workshop.status, workshop.starts_at) == (
        best,
        "scheduled",
        slot.starts_at,
    )
    assert console_errors == []


def test_a_resident_rsvps_on_a_phone(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    regis = _member(engine, "Régis Marchand")
    a2 = _step(engine, demo.project.id, "A2")
    page = new_page(**PHONE)
    _sign_in(page, live_server.login_url(regis.id, engine))
    page.locator(".workshops-card").get_by_role("link", name=a2.title).click()
    expect(page.get_by_text("You have not answered yet.")).to_be_visible()
    expect(page.get_by_text("16 places, 2 left")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "1-workshop")
    page.get_by_label("Coming", exact=True).check()
    page.get_by_label("How many people from your household").fill("2")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer is saved.")).to_be_visible()
    expect(page.get_by_text("Your household: Coming. 2 people.")).to_be_visible()
    expect(page.get_by_text("16 places, 0 left")).to_be_visible()
    screenshot(page, "2-coming")
    with read_session(engine) as session:
        summary = rsvp_summary(session, project_id=demo.project.id, workshop_id=a2.workshop_id)
    assert (summary.coming, summary.places_left) == (16, 0)
    assert console_errors == []


def test_workshop_pages_have_no_console_errors_and_label_every_field(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    base = f"{live_server.url}/p/{demo.project.slug}"
    a1 = _step(engine, demo.project.id, "A1")
    a2 = _step(engine, demo.project.id, "A2")
    a3 = _step(engine, demo.project.id, "A3")
    page = new_page(**DESKTOP)
    _sign_in(page, live_server.login_url(demo.facilitator.id, engine))
    pages = {
        "path": f"{base}/workshops",
        "done": f"{base}/workshops/{a1.workshop_id}",
        "scheduled": f"{base}/workshops/{a2.workshop_id}",
        "to-schedule": f"{base}/workshops/{a3.workshop_id}",
        "poll": f"{base}/polls/{a3.poll_id}",
        "new-poll": f"{base}/workshops/{_step(engine, demo.project.id, 'B1').workshop_id}/poll",
        "calendar": f"{base}/calendar",
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert (name, response.status) == (name, 200)
        expect(page.locator("h1")).to_have_count(1)
        # Folded sections too: open them all before looking for unlabelled fields.
        page.locator("details").evaluate_all("nodes => nodes.forEach(n => n.open = true)")
        assert (name, page.evaluate(UNLABELLED)) == (name, [])
        screenshot(page, name)
    page.goto(pages["calendar"])
    page.get_by_role("button", name="Show me a feed address").click()
    feed = page.get_by_label("Your calendar feed address").input_value()
    assert re.fullmatch(rf"{live_server.url}/calendar/[\w-]+\.ics", feed)
    screenshot(page, "feed")
    assert console_errors == []
