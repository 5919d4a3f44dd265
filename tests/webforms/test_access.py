"""Magic links, signing out, and people signed in to several projects."""

from __future__ import annotations

import time
from types import SimpleNamespace

import itsdangerous.timed
import pytest
from sqlmodel import select

from tests.webforms.conftest import csrf_token
from voisinage.db import read_session, unit_of_work
from voisinage.models import LinkNonce
from voisinage.privacy import forget_member
from voisinage.tokens import LOGIN_LINK_MAX_AGE, issue_login_token


def _used_links(engine) -> list:
    with read_session(engine) as session:
        return session.exec(select(LinkNonce.nonce).where(LinkNonce.used_at.is_not(None))).all()


def test_opening_a_link_shows_who_it_signs_in_without_using_it(web, world, engine):
    token = web.login_token(world.resident)
    for _ in range(3):  # Telegram's preview, then the person, then a reload
        page = web.get(f"/login/{token}")
        assert page.status_code == 200
        assert "This link signs you in to Les Voisins du Quai as Nadia." in page.text
    assert _used_links(engine) == []
    assert web.get(f"/p/{world.project.slug}/").status_code == 401


def test_the_button_signs_in_and_lands_on_the_project_home(web, world, engine):
    token = web.login_token(world.resident)
    page = web.get(f"/login/{token}")
    response = web.client.post(f"/login/{token}", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/p/{world.project.slug}/"
    home = web.get(response.headers["Location"])
    assert "Hello Nadia." in home.text
    assert len(_used_links(engine)) == 1


def test_a_used_link_gets_a_translated_page_and_opens_nothing(web, other_web, world):
    token = web.login_token(world.resident)
    page = web.get(f"/login/{token}")
    web.client.post(f"/login/{token}", data={"csrf_token": csrf_token(page)})

    # Someone else got hold of the same link afterwards.
    second = other_web.get(f"/login/{token}", headers={"Accept-Language": "fr"})
    assert second.status_code == 410
    assert "Ce lien a déjà été utilisé. Demandez-en un nouveau." in second.text
    page = other_web.get("/")
    replay = other_web.client.post(f"/login/{token}", data={"csrf_token": csrf_token(page)})
    assert replay.status_code == 410
    assert other_web.get(f"/p/{world.project.slug}/").status_code == 401


def test_two_tabs_posting_the_same_link_get_one_session(web, world, engine):
    token = web.login_token(world.resident)
    page = web.get(f"/login/{token}")
    first = web.client.post(f"/login/{token}", data={"csrf_token": csrf_token(page)})
    second = web.client.post(f"/login/{token}", data={"csrf_token": csrf_token(page)})
    assert (first.status_code, second.status_code) == (302, 410)
    assert len(_used_links(engine)) == 1


def test_an_expired_link_is_refused_and_stays_unused(web, world, engine, monkeypatch):
    issued_at = time.time() - LOGIN_LINK_MAX_AGE - 60
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: issued_at))
    token = web.login_token(world.resident)
    monkeypatch.undo()

    page = web.get(f"/login/{token}")
    assert page.status_code == 410
    assert "This link has expired. Ask for a new one." in page.text
    post = web.client.post(f"/login/{token}", data={"csrf_token": csrf_token(page)})
    assert post.status_code == 410
    assert _used_links(engine) == []


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), id="bad-signature"
        ),
        pytest.param(lambda token: "not-a-token", id="garbage"),
        pytest.param(lambda token: token.replace(".", "", 1), id="truncated"),
    ],
)
def test_a_forged_link_is_refused_and_uses_nothing(web, world, engine, forge):
    token = web.login_token(world.resident)
    page = web.get(f"/login/{forge(token)}")
    assert page.status_code == 404
    assert "This link is not valid. Ask for a new one." in page.text
    post = web.client.post(f"/login/{forge(token)}", data={"csrf_token": csrf_token(page)})
    assert post.status_code == 404
    assert _used_links(engine) == []
    assert web.get(f"/login/{token}").status_code == 200


def test_a_link_signed_with_another_key_is_refused(web, world, engine):
    with unit_of_work(engine) as session:
        token = issue_login_token(session, member_id=world.resident.id, secret_key="another key")
    assert web.get(f"/login/{token}").status_code == 404


def test_the_link_of_a_member_erased_since_is_invalid(web, world, engine):
    token = web.login_token(world.resident)
    with unit_of_work(engine) as session:
        forget_member(session, member_id=world.resident.id)
    assert web.get(f"/login/{token}").status_code == 404


def test_sign_out_closes_the_session(web, world):
    web.sign_in(world.resident)
    response = web.post("/logout")
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert "You are signed out." in web.get("/").text
    assert web.get(f"/p/{world.project.slug}/").status_code == 401


def test_a_member_of_several_projects_picks_one(web, world, engine):
    web.sign_in(world.resident)
    web.sign_in(world.other_resident)
    picker = web.get("/")
    assert picker.status_code == 200
    assert "Choose a project" in picker.text
    assert f'href="/p/{world.project.slug}/"' in picker.text
    assert f'href="/p/{world.other_project.slug}/"' in picker.text
    assert "Hello Nadia." in web.get(f"/p/{world.project.slug}/").text
    assert "Zoé" in web.get(f"/p/{world.other_project.slug}/").text


def test_one_project_sends_straight_to_its_home(web, world):
    web.sign_in(world.resident)
    response = web.get("/")
    assert (response.status_code, response.headers["Location"]) == (
        302,
        f"/p/{world.project.slug}/",
    )


def test_a_second_link_for_the_same_project_replaces_the_first_member(web, world):
    web.sign_in(world.resident)
    web.sign_in(world.facilitator)
    assert "Hello Camille." in web.get(f"/p/{world.project.slug}/").text
    web.post("/logout")
    assert web.get(f"/p/{world.project.slug}/").status_code == 401


def test_a_member_erased_elsewhere_drops_out_of_the_session(web, world, engine):
    web.sign_in(world.resident)
    web.sign_in(world.other_resident)
    with unit_of_work(engine) as session:
        forget_member(session, member_id=world.other_resident.id)
    response = web.get("/")
    assert response.headers["Location"] == f"/p/{world.project.slug}/"
    assert web.get(f"/p/{world.other_project.slug}/").status_code == 404


def test_the_start_page_explains_how_to_get_a_link(web):
    page = web.get("/")
    assert page.status_code == 200
    assert "send /web to the Voisinage bot on Telegram" in page.text
