"""The guards around every page: CSRF, security headers, cookies, sizes, redirects."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select

from tests.webforms.conftest import Web, csrf_token
from voisinage.db import read_session, unit_of_work
from voisinage.exports import export_project
from voisinage.models import LinkNonce, Member
from voisinage.people import create_invitation

TEMPLATES = Path(__file__).parents[2] / "webforms" / "templates"


@pytest.fixture
def code(engine, world) -> str:
    with unit_of_work(engine) as session:
        return create_invitation(
            session, project_id=world.project.id, actor_id=world.facilitator.id
        ).code


def _state(engine, world) -> tuple:
    with read_session(engine) as session:
        data = export_project(session, project_id=world.project.id, actor_id=None)
        links = session.exec(select(func.count()).select_from(LinkNonce)).one()
        languages = session.exec(select(Member.language).order_by(Member.id)).all()
    del data["exported_at"]
    return data, links, languages


def _all_posts(world, code: str) -> list[tuple[str, dict]]:
    base = f"/p/{world.project.slug}"
    household = world.household.id
    return [
        ("/logout", {}),
        ("/language", {"language": "fr", "next": "/"}),
        (
            f"/join/{code}",
            {
                "nonce": "n" * 32,
                "display_name": "Eve",
                "household": "new",
                "household_name": "Foyer Eve",
            },
        ),
        (f"{base}/my-data/delete", {"confirm": "y"}),
        (f"{base}/members/{world.resident.id}/household", {"household": ""}),
        (f"{base}/members/{world.resident.id}/role", {"role": "facilitator"}),
        (f"{base}/members/{world.resident.id}/sign-in-link", {}),
        (f"{base}/households", {"new-name": "Foyer Eve"}),
        (f"{base}/households/{household}/name", {f"household-{household}-name": "Eve"}),
        (f"{base}/invitations", {"role": "facilitator", "household": "", "days": "3"}),
        (f"{base}/invitations/{code}/revoke", {}),
        (
            f"{base}/settings",
            {"name": "Eve", "language": "fr", "timezone": "UTC", "voting_unit": "person"},
        ),
    ]


def test_every_form_without_its_csrf_token_is_refused_and_changes_nothing(web, world, engine, code):
    web.sign_in(world.facilitator)
    before = _state(engine, world)
    for path, data in _all_posts(world, code):
        response = web.client.post(path, data=data)
        assert (path, response.status_code) == (path, 400)
        assert "This form has expired or did not come from this site." in response.text
    assert _state(engine, world) == before
    assert web.get(f"/p/{world.project.slug}/members").status_code == 200


def test_a_csrf_token_from_another_browser_is_refused(web, other_web, world, engine, code):
    web.sign_in(world.facilitator)
    stolen = csrf_token(other_web.get("/"))
    before = _state(engine, world)
    path, data = _all_posts(world, code)[-1]
    assert web.client.post(path, data={**data, "csrf_token": stolen}).status_code == 400
    assert _state(engine, world) == before


def test_pages_carry_the_security_headers(web, world):
    web.sign_in(world.facilitator)
    for path in (
        "/",
        f"/p/{world.project.slug}/",
        f"/p/{world.project.slug}/invitations",
        "/no-such-page",
    ):
        headers = web.get(path).headers
        assert headers["Content-Security-Policy"] == (
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"
    static = web.get("/static/style.css")
    assert static.status_code == 200
    assert static.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_templates_hold_no_inline_script_style_or_event_handler():
    offenders = {
        str(path.relative_to(TEMPLATES)): marker
        for path in TEMPLATES.rglob("*.html")
        for marker in (
            "<script",
            "<style",
            "style=",
            "onclick=",
            "onload=",
            "onsubmit=",
            "javascript:",
            "http://",
            "https://",
        )
        if marker in path.read_text()
    }
    assert offenders == {}


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    return cookies[-1]


def test_the_session_cookie_is_httponly_and_samesite_lax_over_http(web):
    cookie = _session_cookie(web.get("/"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.fixture
def https_app(make_app):
    return make_app(PUBLIC_URL="https://voisinage.test")


def test_the_session_cookie_is_secure_when_the_site_is_https(https_app):
    client = https_app.test_client()
    cookie = _session_cookie(client.get("/", base_url="https://voisinage.test"))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_over_https_a_form_posted_from_our_own_pages_passes(https_app):
    """The Referrer-Policy lets our pages send a same-origin Referer, which Flask-WTF requires
    over HTTPS; a post with no Referer (or another site's) is refused."""
    https = "https://voisinage.test"
    client = https_app.test_client()
    page = client.get("/", base_url=https)
    data = {"csrf_token": csrf_token(page), "language": "fr", "next": "/"}
    refused = client.post("/language", data=data, base_url=https)
    assert refused.status_code == 400
    foreign = client.post(
        "/language", data=data, base_url=https, headers={"Referer": "https://evil.example/"}
    )
    assert foreign.status_code == 400
    passed = client.post("/language", data=data, base_url=https, headers={"Referer": f"{https}/"})
    assert passed.status_code == 302


def _members(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Member)).one()


def test_a_request_too_large_gets_a_translated_page_and_writes_nothing(web, world, engine, code):
    before = _members(engine)
    page = web.get(f"/join/{code}", headers={"Accept-Language": "fr"})
    form = {
        "csrf_token": csrf_token(page),
        "nonce": "n" * 32,
        "household": "new",
        "household_name": "Foyer X",
    }
    response = web.client.post(
        f"/join/{code}",
        data={**form, "display_name": "x" * 20_000},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 413
    assert "Ce que vous avez envoyé est trop long" in response.text
    assert _members(engine) == before
    # A long name in a request of ordinary size reaches the form, which says what is wrong.
    response = web.client.post(f"/join/{code}", data={**form, "display_name": "x" * 2_000})
    assert response.status_code == 422
    assert _members(engine) == before


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        pytest.param("/p/somewhere/", "/p/somewhere/", id="local-path"),
        pytest.param("https://evil.example/", "/", id="other-site"),
        pytest.param("//evil.example/", "/", id="scheme-relative"),
        pytest.param("/\\evil.example/", "/", id="backslash"),
        pytest.param("javascript:alert(1)", "/", id="javascript"),
    ],
)
def test_the_language_switch_only_redirects_within_the_site(web: Web, target, landing):
    response = web.post("/language", {"language": "fr", "next": target})
    assert (response.status_code, response.headers["Location"]) == (302, landing)
