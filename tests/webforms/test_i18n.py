"""The reader's language: chosen, stored on the member, else the browser's, else the project's."""

from __future__ import annotations

from datetime import timedelta

from voisinage.db import read_session, unit_of_work
from voisinage.i18n import translator
from voisinage.models import Member, utcnow
from voisinage.people import create_invitation, set_language


def _language(engine, member) -> str | None:
    with read_session(engine) as session:
        return session.get(Member, member.id).language


def test_the_browser_language_is_used_when_nobody_chose(web):
    assert '<html lang="fr">' in web.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.8"}).text
    english = web.get("/", headers={"Accept-Language": "en-GB,en;q=0.8,fr;q=0.5"})
    assert '<html lang="en">' in english.text
    assert "Welcome to Voisinage" in english.text


def test_without_any_preference_the_project_language_is_used(web, world):
    web.sign_in(world.other_resident)  # La Ruche speaks French; Zoé chose nothing
    page = web.get(f"/p/{world.other_project.slug}/", headers={"Accept-Language": "de"})
    assert '<html lang="fr">' in page.text


def test_the_member_language_wins_over_the_browser(web, world, engine):
    with unit_of_work(engine) as session:
        set_language(session, member_ids=[world.resident.id], language="fr")
    web.sign_in(world.resident)
    page = web.get(f"/p/{world.project.slug}/", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.text


def test_switching_before_signing_in_is_kept_in_the_session(web, engine, world):
    response = web.post("/language", {"language": "fr", "next": "/"})
    assert response.headers["Location"] == "/"
    page = web.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.text
    assert 'value="fr" lang="fr" aria-describedby="language-label" aria-pressed="true"' in page.text
    assert _language(engine, world.resident) is None


def test_switching_when_signed_in_stores_it_on_the_member(web, other_web, world, engine):
    web.sign_in(world.resident)
    web.post("/language", {"language": "fr", "next": f"/p/{world.project.slug}/"})
    assert _language(engine, world.resident) == "fr"
    # Another browser of the same person follows the stored choice.
    other_web.sign_in(world.resident)
    page = other_web.get(f"/p/{world.project.slug}/", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.text


def test_switching_applies_to_every_project_signed_in(web, world, engine):
    web.sign_in(world.resident)
    web.sign_in(world.other_resident)
    web.post("/language", {"language": "en", "next": "/"})
    assert (_language(engine, world.resident), _language(engine, world.other_resident)) == (
        "en",
        "en",
    )


def test_an_unknown_language_is_refused(web, world, engine):
    web.sign_in(world.resident)
    response = web.post("/language", {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert _language(engine, world.resident) is None


def test_dates_are_written_the_way_the_bot_writes_them(web, world, engine):
    with unit_of_work(engine) as session:
        invitation = create_invitation(
            session,
            project_id=world.project.id,
            actor_id=world.facilitator.id,
            days=3,
            now=utcnow() - timedelta(hours=1),
        )
    web.sign_in(world.facilitator)
    for language in ("fr", "en"):
        web.post("/language", {"language": language, "next": "/"})
        page = web.get(f"/p/{world.project.slug}/invitations/{invitation.code}")
        expected = translator(language).datetime(invitation.expires_at, world.project.timezone)
        assert expected in page.text
