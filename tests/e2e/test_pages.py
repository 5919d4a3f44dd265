"""Every page in Chromium: no console errors (CSP violations show there), labelled fields,
a visible focus, one main heading."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from voisinage.db import unit_of_work
from voisinage.people import create_invitation

pytestmark = pytest.mark.e2e

# Every form control of a page that has no label a screen reader would announce.
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map(el => el.name)"""


def test_pages_have_no_console_errors_and_label_every_field(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    with unit_of_work(engine) as session:
        code = create_invitation(session, project_id=demo.project.id).code
    base = f"{live_server.url}/p/{demo.project.slug}"
    page = new_page(viewport={"width": 1024, "height": 800})
    for path in (f"{live_server.url}/", f"{live_server.url}/join/{code}"):
        page.goto(path)
        assert page.evaluate(UNLABELLED) == []
    page.goto(live_server.login_url(demo.facilitator.id, engine))
    page.get_by_role("button", name="Se connecter").click()
    pages = {
        "home": f"{base}/",
        "my-data": f"{base}/my-data",
        "forget": f"{base}/my-data/delete",
        "members": f"{base}/members",
        "member": f"{base}/members/{demo.resident.id}",
        "households": f"{base}/households",
        "invitations": f"{base}/invitations",
        "invitation": f"{base}/invitations/{code}",
        "settings": f"{base}/settings",
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert (name, response.status) == (name, 200)
        expect(page.locator("h1")).to_have_count(1)
        assert (name, page.evaluate(UNLABELLED)) == (name, [])
        screenshot(page, name)
    page.goto(pages["member"])
    page.get_by_role("button", name="Créer un lien de connexion").click()
    expect(page.locator("svg.qr")).to_be_visible()
    screenshot(page, "sign-in-link")
    assert console_errors == []


def test_the_keyboard_focus_is_visible(new_page, live_server):
    page = new_page()
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Aller au contenu")
    expect(focused).to_be_in_viewport()
    outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
