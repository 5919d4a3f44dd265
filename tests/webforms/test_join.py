"""Joining from an invitation's web link: name, household, and every way a code can fail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import func, select

from tests.webforms.conftest import csrf_token
from voisinage.db import read_session, unit_of_work
from voisinage.enums import Role
from voisinage.models import Household, Invitation, Member, utcnow
from voisinage.people import create_invitation, revoke_invitation

NONCE_FIELD = re.compile(r'name="nonce" type="hidden" value="([^"]+)"')


def _invite(engine, world, **options) -> Invitation:
    with unit_of_work(engine) as session:
        return create_invitation(
            session, project_id=world.project.id, actor_id=world.facilitator.id, **options
        )


def _count(engine, model, *where) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _form(web, code: str) -> dict[str, str]:
    page = web.get(f"/join/{code}")
    assert page.status_code == 200
    return {"csrf_token": csrf_token(page), "nonce": NONCE_FIELD.search(page.text).group(1)}


def test_the_join_page_says_where_it_leads_and_writes_nothing(web, world, engine):
    invitation = _invite(engine, world)
    for _ in range(2):
        page = web.get(f"/join/{invitation.code}")
        assert page.status_code == 200
        assert "<h1>Join Les Voisins du Quai</h1>" in page.text
        assert "You are invited as: Resident." in page.text
        assert "Foyer Benali" in page.text
    assert _count(engine, Member, Member.project_id == world.project.id) == 3
    with read_session(engine) as session:
        assert session.get(Invitation, invitation.id).use_count == 0


def test_a_newcomer_joins_with_a_new_household_and_is_signed_in(web, world, engine):
    invitation = _invite(engine, world)
    form = _form(web, invitation.code)
    response = web.client.post(
        f"/join/{invitation.code}",
        data={
            **form,
            "display_name": "  Karim  ",
            "household": "new",
            "household_name": "Foyer Kaya",
        },
    )
    assert (response.status_code, response.headers["Location"]) == (
        302,
        f"/p/{world.project.slug}/",
    )
    home = web.get(f"/p/{world.project.slug}/")
    assert "Hello Karim." in home.text
    assert "Your household: Foyer Kaya." in home.text


def test_a_newcomer_joins_an_existing_household(web, world, engine):
    invitation = _invite(engine, world)
    form = _form(web, invitation.code)
    web.client.post(
        f"/join/{invitation.code}",
        data={**form, "display_name": "Karim", "household": str(world.household.id)},
    )
    with read_session(engine) as session:
        karim = session.exec(select(Member).where(Member.display_name == "Karim")).one()
    assert karim.household_id == world.household.id


def test_submitting_the_join_form_twice_makes_one_member(web, world, engine):
    invitation = _invite(engine, world, max_uses=1)
    form = {
        **_form(web, invitation.code),
        "display_name": "Karim",
        "household": "new",
        "household_name": "Foyer Kaya",
    }
    first = web.client.post(f"/join/{invitation.code}", data=form)
    second = web.client.post(f"/join/{invitation.code}", data=form)
    assert (first.status_code, second.status_code) == (302, 302)
    assert _count(engine, Member, Member.display_name == "Karim") == 1
    with read_session(engine) as session:
        assert session.get(Invitation, invitation.id).use_count == 1


def test_two_people_on_one_single_use_code_only_one_gets_in(web, other_web, world, engine):
    invitation = _invite(engine, world, max_uses=1)
    first_form = _form(web, invitation.code)
    second_form = _form(other_web, invitation.code)
    data = {"household": str(world.household.id)}
    web.client.post(f"/join/{invitation.code}", data={**first_form, **data, "display_name": "A"})
    late = other_web.client.post(
        f"/join/{invitation.code}", data={**second_form, **data, "display_name": "B"}
    )
    assert late.status_code == 410
    assert "already been used as many times as allowed" in late.text
    assert _count(engine, Member, Member.display_name == "B") == 0


def test_an_invitation_naming_a_household_asks_for_the_name_only(web, world, engine):
    invitation = _invite(engine, world, household_id=world.household.id)
    page = web.get(f"/join/{invitation.code}")
    assert "You will join the household Foyer Benali." in page.text
    assert 'name="household"' not in page.text
    form = _form(web, invitation.code)
    web.client.post(f"/join/{invitation.code}", data={**form, "display_name": "Karim"})
    assert "Your household: Foyer Benali." in web.get(f"/p/{world.project.slug}/").text


def test_a_facilitator_invitation_needs_no_household(web, world, engine):
    invitation = _invite(engine, world, role=Role.FACILITATOR)
    form = _form(web, invitation.code)
    assert 'name="household"' not in web.get(f"/join/{invitation.code}").text
    web.client.post(f"/join/{invitation.code}", data={**form, "display_name": "Léa"})
    members = web.get(f"/p/{world.project.slug}/members")
    assert members.status_code == 200
    assert "Léa" in members.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"display_name": "", "household": "new", "household_name": "X"},
            "Please fill in this field.",
            id="no-name",
        ),
        pytest.param(
            {"display_name": "Karim"},
            "Choose your household, or give the name of a new one.",
            id="no-household",
        ),
        pytest.param(
            {"display_name": "K" * 81, "household": "new", "household_name": "X"},
            "At most 80 characters.",
            id="name-too-long",
        ),
        pytest.param(
            {"display_name": "Karim", "household": "new", "household_name": "H" * 121},
            "At most 120 characters.",
            id="household-too-long",
        ),
    ],
)
def test_a_bad_join_form_comes_back_with_the_reason_and_writes_nothing(
    web, world, engine, data, message
):
    invitation = _invite(engine, world)
    form = _form(web, invitation.code)
    response = web.client.post(f"/join/{invitation.code}", data={**form, **data})
    assert response.status_code == 422
    assert message in response.text
    assert _count(engine, Member, Member.project_id == world.project.id) == 3
    assert _count(engine, Household, Household.project_id == world.project.id) == 1


def test_a_household_of_another_project_cannot_be_joined(web, world, engine):
    invitation = _invite(engine, world)
    form = _form(web, invitation.code)
    response = web.client.post(
        f"/join/{invitation.code}",
        data={**form, "display_name": "Karim", "household": str(world.other_household.id)},
    )
    assert response.status_code == 404
    assert "Foyer Secret" not in response.text
    assert _count(engine, Member, Member.display_name == "Karim") == 0


def test_a_tampered_nonce_gets_a_fresh_form(web, world, engine):
    invitation = _invite(engine, world)
    form = {**_form(web, invitation.code), "nonce": "x", "display_name": "Karim"}
    response = web.client.post(f"/join/{invitation.code}", data=form)
    assert response.status_code == 422
    assert NONCE_FIELD.search(response.text).group(1) != "x"
    assert _count(engine, Member, Member.display_name == "Karim") == 0


def _expired(engine, world):
    return _invite(engine, world, days=1, now=utcnow() - timedelta(days=2))


def _revoked(engine, world):
    invitation = _invite(engine, world)
    with unit_of_work(engine) as session:
        revoke_invitation(session, project_id=world.project.id, invitation_id=invitation.id)
    return invitation


def _used_up(engine, world):
    invitation = _invite(engine, world, max_uses=1)
    with unit_of_work(engine) as session:
        session.get(Invitation, invitation.id).use_count = 1
    return invitation


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        pytest.param(_expired, 410, "Cette invitation a expiré.", id="expired"),
        pytest.param(_revoked, 410, "Cette invitation a été retirée", id="revoked"),
        pytest.param(
            _used_up, 410, "Cette invitation a déjà servi autant de fois que permis.", id="used-up"
        ),
    ],
)
def test_an_unusable_invitation_gets_a_translated_page(web, world, engine, make, status, message):
    invitation = make(engine, world)
    page = web.get(f"/join/{invitation.code}", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert page.status_code == status
    assert message in page.text
    post = web.post(
        f"/join/{invitation.code}",
        {"nonce": "a" * 32, "display_name": "Karim", "household": str(world.household.id)},
    )
    assert post.status_code == status
    assert _count(engine, Member, Member.display_name == "Karim") == 0


def test_an_unknown_code_is_not_found(web):
    page = web.get("/join/NOPE234567")
    assert page.status_code == 404
    assert "This invitation code does not exist." in page.text


def test_a_name_with_markup_is_shown_as_text(web, world, engine):
    invitation = _invite(engine, world)
    form = _form(web, invitation.code)
    web.client.post(
        f"/join/{invitation.code}",
        data={
            **form,
            "display_name": "<script>alert(1)</script>",
            "household": "new",
            "household_name": '<img src=x onerror="alert(2)">',
        },
    )
    home = web.get(f"/p/{world.project.slug}/").text
    assert "<script>alert(1)</script>" not in home
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home
    assert "<img src=x" not in home
