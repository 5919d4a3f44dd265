"""A member's home page and their own data: see it, download it, erase it."""

from __future__ import annotations

import json

from voisinage.db import read_session
from voisinage.models import Member


def test_the_home_page_lists_the_doors_of_the_project(web, world):
    web.sign_in(world.resident)
    page = web.get(f"/p/{world.project.slug}/")
    assert page.status_code == 200
    for text in (
        "Hello Nadia.",
        "Your household: Foyer Benali.",
        "Questionnaires",
        "Votes",
        "Workshops",
    ):
        assert text in page.text
    assert "Facilitation" not in page.text
    assert f'href="/p/{world.project.slug}/members"' not in page.text


def test_a_facilitator_home_page_leads_to_the_facilitation_pages(web, world):
    web.sign_in(world.facilitator)
    page = web.get(f"/p/{world.project.slug}/")
    assert "Facilitation" in page.text
    assert f'href="/p/{world.project.slug}/invitations"' in page.text


def test_my_data_shows_what_is_stored(web, world):
    web.sign_in(world.resident)
    page = web.get(f"/p/{world.project.slug}/my-data")
    assert page.status_code == 200
    assert "<dd>Nadia</dd>" in page.text
    assert "<dd>Foyer Benali</dd>" in page.text
    assert "<dd>Not linked</dd>" in page.text


def test_my_data_downloads_as_the_same_json_as_the_bot(web, world):
    web.sign_in(world.resident)
    response = web.get(f"/p/{world.project.slug}/my-data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="voisinage-les-voisins-du-quai-my-data.json"'
    )
    data = json.loads(response.data)
    assert data["schema"] == "voisinage.personal-data"
    assert (data["member"]["display_name"], data["household"]["name"]) == ("Nadia", "Foyer Benali")
    assert [link["used_at"] is not None for link in data["sign_in_links"]] == [True]


def test_deleting_needs_the_box_ticked(web, world, engine):
    web.sign_in(world.resident)
    form = web.get(f"/p/{world.project.slug}/my-data/delete")
    assert form.status_code == 200
    response = web.post(f"/p/{world.project.slug}/my-data/delete", {})
    assert response.status_code == 422
    assert "Tick the box to confirm." in response.text
    with read_session(engine) as session:
        assert session.get(Member, world.resident.id) is not None


def test_deleting_erases_the_member_and_signs_them_out(web, world, engine):
    web.sign_in(world.resident)
    response = web.post(f"/p/{world.project.slug}/my-data/delete", {"confirm": "y"})
    assert response.status_code == 200
    assert "Your data has been deleted" in response.text
    assert "your place in your household" in response.text
    assert "Nadia" not in response.text
    with read_session(engine) as session:
        assert session.get(Member, world.resident.id) is None
    assert web.get(f"/p/{world.project.slug}/").status_code == 401


def test_the_only_facilitator_cannot_leave(web, world, engine):
    web.sign_in(world.facilitator)
    response = web.post(f"/p/{world.project.slug}/my-data/delete", {"confirm": "y"})
    assert response.status_code == 409
    assert "You are the project&#39;s only facilitator" in response.text
    with read_session(engine) as session:
        assert session.get(Member, world.facilitator.id) is not None
