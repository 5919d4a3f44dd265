"""Residents and facilitators in a real browser: joining, signing in, invitations, languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from voisinage.db import read_session, unit_of_work
from voisinage.models import Invitation, Member
from voisinage.people import create_invitation

pytestmark = pytest.mark.e2e

# What Chromium logs for a page answered 410, the status of used or withdrawn links.
GONE = "Failed to load resource: the server responded with a status of 410 (GONE)"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Se connecter").click()


def test_a_resident_joins_from_an_invitation_link_on_a_phone(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    with unit_of_work(engine) as session:
        code = create_invitation(session, project_id=demo.project.id).code
    # No JavaScript at all: the pages must work without it.
    page = new_page(java_script_enabled=False, **PHONE)
    page.goto(f"{live_server.url}/join/{code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre Les Voisins du Quai")
    screenshot(page, "1-invitation")

    page.get_by_label("Votre nom, tel que le groupe le verra").fill("Karim Haddad")
    page.get_by_label("Un nouveau foyer").check()
    page.get_by_label("Nom du nouveau foyer").fill("Foyer Haddad")
    # An impatient double tap sends the form twice: still one member, one use of the code.
    page.get_by_role("button", name="Rejoindre").dblclick()

    expect(page).to_have_url(f"{live_server.url}/p/{demo.project.slug}/")
    expect(page.get_by_text("Bonjour Karim Haddad.")).to_be_visible()
    expect(page.get_by_text("Votre foyer : Foyer Haddad.")).to_be_visible()
    screenshot(page, "2-home")
    with read_session(engine) as session:
        joined = session.exec(select(Member).where(Member.display_name == "Karim Haddad")).all()
        assert len(joined) == 1
        assert session.exec(select(Invitation.use_count).where(Invitation.code == code)).one() == 1
    assert console_errors == []


def test_the_join_page_fits_a_phone_screen(new_page, live_server, demo, engine):
    with unit_of_work(engine) as session:
        code = create_invitation(session, project_id=demo.project.id).code
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/join/{code}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_member_signs_in_with_a_magic_link_once(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    url = live_server.login_url(demo.resident.id, engine)
    page = new_page(**PHONE)
    page.goto(url)
    expect(
        page.get_by_text("Ce lien vous connecte à Les Voisins du Quai en tant que Claire Lefebvre.")
    ).to_be_visible()
    screenshot(page, "1-link")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Bonjour Claire Lefebvre.")).to_be_visible()
    screenshot(page, "2-home")

    # The same link, opened again in another browser, opens nothing.
    other = new_page()
    response = other.goto(url)
    assert response.status == 410
    expect(other.get_by_text("Ce lien a déjà été utilisé. Demandez-en un nouveau.")).to_be_visible()
    screenshot(other, "3-used")
    # Signing out closes the session.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté·e.")).to_be_visible()
    assert console_errors == [f"{url}: {GONE}"]


def test_a_facilitator_creates_an_invitation_and_revokes_it(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    page = new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, live_server.login_url(demo.facilitator.id, engine))
    page.get_by_role("navigation").get_by_role("link", name="Invitations").click()
    page.get_by_label("Rôle").select_option(label="Habitant·e")
    page.get_by_label("Foyer").select_option(label="Foyer Dubois")
    page.get_by_label("Nombre de personnes pouvant l'utiliser").fill("2")
    page.get_by_label("Durée de validité (en jours)").fill("7")
    page.get_by_label("Note pour l'équipe d'animation").fill("Pour la fille de Jeanne")
    screenshot(page, "1-form")
    page.get_by_role("button", name="Créer l'invitation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Invitation [A-Z2-9]{10}")
    )
    web_link = page.get_by_label("Lien web").input_value()
    assert re.fullmatch(rf"{live_server.url}/join/[A-Z2-9]{{10}}", web_link)
    expect(page.locator("svg.qr")).to_be_visible()
    expect(page.get_by_text("Utilisée 0 fois sur 2")).to_be_visible()
    screenshot(page, "2-created")

    page.get_by_role("button", name="Retirer cette invitation").click()
    expect(page.get_by_text(re.compile(r"Invitation [A-Z2-9]{10} retirée\."))).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Retirée")).to_be_visible()
    screenshot(page, "3-revoked")

    newcomer = new_page(**PHONE)
    response = newcomer.goto(web_link)
    assert response.status == 410
    expect(newcomer.get_by_text("Cette invitation a été retirée")).to_be_visible()
    listing = page.get_by_role("navigation").get_by_role("link", name="Invitations")
    listing.click()
    expect(page.get_by_role("row").filter(has_text="Pour la fille de Jeanne")).to_contain_text(
        "Retirée"
    )
    assert console_errors == [f"{web_link}: {GONE}"]


def test_the_language_switch_changes_the_pages_and_is_remembered(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    page = new_page()
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue sur Voisinage")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Voisinage")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "1-english")

    # The choice made before signing in carries over to the sign-in page.
    page.goto(live_server.login_url(demo.resident.id, engine))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Hello Claire Lefebvre.")).to_be_visible()
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_text("Bonjour Claire Lefebvre.")).to_be_visible()
    screenshot(page, "2-french")
    # Stored on the member: another browser, in English, gets French once she signs in.
    other = new_page(locale="en-GB")
    other.goto(live_server.login_url(demo.resident.id, engine))
    other.get_by_role("button", name="Se connecter").click()
    expect(other.get_by_text("Bonjour Claire Lefebvre.")).to_be_visible()
    assert console_errors == []
