"""The facilitators' pages: members, households, invitations and the project's settings."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from tests.webforms.conftest import Web, csrf_token
from voisinage.db import read_session
from voisinage.models import ActionLog, Household, Invitation, Member, Project


@pytest.fixture
def facilitator(web, world) -> Web:
    web.sign_in(world.facilitator)
    return web


def _get(engine, model, id_):
    with read_session(engine) as session:
        return session.get(model, id_)


def _count(engine, model) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_members_are_listed_by_household_with_their_role(facilitator, world):
    page = facilitator.get(f"/p/{world.project.slug}/members")
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\"><a [^>]+>([^<]+)</a></th>\s*<td>([^<]+)</td>\s*"
        r"<td>([^<]+)</td>",
        page.text,
    )
    assert rows == [
        ("Nadia", "Foyer Benali", "Resident"),
        ("Bailleur", "—", "Observer (partner)"),
        ("Camille", "—", "Facilitator"),
    ]
    assert "3 members." in page.text
    assert "Zoé" not in page.text


def test_a_member_moves_to_another_household(facilitator, world, engine):
    base = f"/p/{world.project.slug}"
    facilitator.post(f"{base}/households", {"new-name": "Foyer Kaya"})
    with read_session(engine) as session:
        kaya = session.exec(select(Household).where(Household.name == "Foyer Kaya")).one()
    response = facilitator.post(
        f"{base}/members/{world.resident.id}/household", {"household": str(kaya.id)}
    )
    assert response.status_code == 302
    assert "Nadia moved." in facilitator.get(response.headers["Location"]).text
    assert _get(engine, Member, world.resident.id).household_id == kaya.id


def test_a_resident_cannot_be_left_without_household(facilitator, world, engine):
    response = facilitator.post(
        f"/p/{world.project.slug}/members/{world.resident.id}/household", {"household": ""}
    )
    assert response.status_code == 422
    assert "A resident belongs to a household." in response.text
    assert _get(engine, Member, world.resident.id).household_id == world.household.id


def test_a_role_changes_and_is_logged(facilitator, world, engine):
    response = facilitator.post(
        f"/p/{world.project.slug}/members/{world.observer.id}/role", {"role": "facilitator"}
    )
    assert response.status_code == 302
    assert _get(engine, Member, world.observer.id).role == "facilitator"
    with read_session(engine) as session:
        actions = session.exec(select(ActionLog.action, ActionLog.actor_id)).all()
    assert ("member.change_role", world.facilitator.id) in actions


def test_the_last_facilitator_cannot_step_down(facilitator, world, engine):
    response = facilitator.post(
        f"/p/{world.project.slug}/members/{world.facilitator.id}/role", {"role": "resident"}
    )
    assert response.status_code == 409
    assert "A project needs at least one facilitator" in response.text
    assert _get(engine, Member, world.facilitator.id).role == "facilitator"


def test_a_facilitator_who_steps_down_loses_the_facilitation_pages(facilitator, world):
    base = f"/p/{world.project.slug}"
    facilitator.post(f"{base}/members/{world.observer.id}/role", {"role": "facilitator"})
    response = facilitator.post(f"{base}/members/{world.facilitator.id}/role", {"role": "observer"})
    assert response.headers["Location"] == f"{base}/"
    assert facilitator.get(f"{base}/members").status_code == 403


def test_an_unknown_role_is_refused(facilitator, world, engine):
    response = facilitator.post(
        f"/p/{world.project.slug}/members/{world.resident.id}/role", {"role": "admin"}
    )
    assert response.status_code == 422
    assert _get(engine, Member, world.resident.id).role == "resident"


def test_a_sign_in_link_for_a_member_works_once(facilitator, other_web, world, engine):
    response = facilitator.post(f"/p/{world.project.slug}/members/{world.resident.id}/sign-in-link")
    assert response.status_code == 200
    link = re.search(r'id="sign-in-link" type="text" readonly value="([^"]+)"', response.text)
    assert link.group(1).startswith("http://voisinage.test/login/")
    assert '<svg viewBox="0 0' in response.text
    # How long it works, as the sign-in links are signed for: three days.
    assert "It works once, for 3 days." in response.text
    path = link.group(1).removeprefix("http://voisinage.test")
    page = other_web.get(path)
    assert "as Nadia." in page.text
    other_web.client.post(path, data={"csrf_token": csrf_token(page)})
    assert "Hello Nadia." in other_web.get(f"/p/{world.project.slug}/").text
    with read_session(engine) as session:
        logged = session.exec(
            select(ActionLog.actor_id).where(ActionLog.action == "member.sign_in_link")
        ).all()
    assert logged == [world.facilitator.id]


def test_households_are_added_and_renamed(facilitator, world, engine):
    base = f"/p/{world.project.slug}"
    assert facilitator.post(f"{base}/households", {"new-name": " Foyer  Kaya "}).status_code == 302
    field = f"household-{world.household.id}-name"
    response = facilitator.post(f"{base}/households/{world.household.id}/name", {field: "Benali"})
    assert response.status_code == 302
    page = facilitator.get(f"{base}/households")
    assert "Household renamed to Benali." in page.text
    assert "<h2>Foyer Kaya</h2>" in page.text
    assert "1 member" in page.text
    assert _get(engine, Household, world.household.id).name == "Benali"


def test_a_household_name_in_use_is_refused_next_to_its_form(facilitator, world, engine):
    base = f"/p/{world.project.slug}"
    facilitator.post(f"{base}/households", {"new-name": "Foyer Kaya"})
    field = f"household-{world.household.id}-name"
    response = facilitator.post(
        f"{base}/households/{world.household.id}/name", {field: "foyer kaya"}
    )
    assert response.status_code == 409
    assert "A household named foyer kaya already exists." in response.text
    assert _get(engine, Household, world.household.id).name == "Foyer Benali"
    duplicate = facilitator.post(f"{base}/households", {"new-name": "Foyer Kaya"})
    assert duplicate.status_code == 409
    assert _count(engine, Household) == 3


def _create(web: Web, world, **fields) -> str:
    data = {"role": "resident", "household": "", "max_uses": "1", "days": "14", "label": ""}
    response = web.post(f"/p/{world.project.slug}/invitations", {**data, **fields})
    assert response.status_code == 302, response.text
    return response.headers["Location"].rsplit("/", 1)[1]


def test_an_invitation_is_created_with_its_options_and_links(facilitator, world, engine):
    code = _create(
        facilitator,
        world,
        household=str(world.household.id),
        max_uses="3",
        days="7",
        label="Pour les Benali",
    )
    with read_session(engine) as session:
        invitation = session.exec(select(Invitation).where(Invitation.code == code)).one()
    assert (invitation.household_id, invitation.max_uses, invitation.role) == (
        world.household.id,
        3,
        "resident",
    )
    assert round((invitation.expires_at - invitation.created_at).total_seconds() / 3600) == 7 * 24
    page = facilitator.get(f"/p/{world.project.slug}/invitations/{code}")
    assert f'value="http://voisinage.test/join/{code}"' in page.text
    assert '<svg viewBox="0 0' in page.text
    assert "<title>QR code of the invitation link</title>" in page.text
    assert "Telegram link" not in page.text
    assert "Used 0 of 3" in page.text
    listing = facilitator.get(f"/p/{world.project.slug}/invitations")
    assert "Pour les Benali" in listing.text


def test_an_invitation_with_no_limit_says_so(facilitator, world):
    code = _create(facilitator, world, max_uses="")
    page = facilitator.get(f"/p/{world.project.slug}/invitations/{code}")
    assert "Used 0 times, no limit" in page.text


def test_the_telegram_deep_link_shows_when_the_bot_is_known(make_app, engine, world, settings):
    app = make_app(TELEGRAM_BOT_USERNAME="@voisinage_bot")
    web = Web(app.test_client(), engine, settings.secret_key)
    web.sign_in(world.facilitator)
    code = _create(web, world)
    page = web.get(f"/p/{world.project.slug}/invitations/{code}")
    assert f'value="https://t.me/voisinage_bot?start={code}"' in page.text
    join = web.get(f"/join/{code}")
    assert f'href="https://t.me/voisinage_bot?start={code}"' in join.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"days": "0"}, "An invitation can be valid from 1 to 365 days.", id="days-0"),
        pytest.param(
            {"days": "366"}, "An invitation can be valid from 1 to 365 days.", id="days-366"
        ),
        pytest.param({"days": "soon"}, "Not a valid integer value.", id="days-not-a-number"),
        pytest.param(
            {"max_uses": "0"}, "An invitation can be used from 1 to 500 times.", id="uses-0"
        ),
        pytest.param(
            {"role": "observer", "household": "HOUSEHOLD"},
            "Only residents belong to a household.",
            id="observer-in-household",
        ),
        pytest.param({"role": "king"}, "Not a valid choice.", id="unknown-role"),
    ],
)
def test_a_bad_invitation_is_refused_and_nothing_is_created(
    facilitator, world, engine, fields, message
):
    data = {"role": "resident", "household": "", "max_uses": "1", "days": "14", "label": ""}
    fields = {k: str(world.household.id) if v == "HOUSEHOLD" else v for k, v in fields.items()}
    response = facilitator.post(f"/p/{world.project.slug}/invitations", {**data, **fields})
    assert response.status_code == 422
    assert message in response.text
    assert _count(engine, Invitation) == 0


def test_a_revoked_invitation_no_longer_lets_anyone_join(facilitator, world, engine):
    code = _create(facilitator, world)
    base = f"/p/{world.project.slug}/invitations/{code}"
    response = facilitator.post(f"{base}/revoke")
    assert response.headers["Location"] == base
    page = facilitator.get(base)
    assert f"Invitation {code} withdrawn." in page.text
    assert "<dd>Withdrawn</dd>" in page.text
    assert "Withdraw this invitation" not in page.text
    assert facilitator.post(f"{base}/revoke").status_code == 302
    with read_session(engine) as session:
        revocations = session.exec(
            select(func.count())
            .select_from(ActionLog)
            .where(ActionLog.action == "invitation.revoke")
        ).one()
    assert revocations == 1
    assert facilitator.get(f"/join/{code}").status_code == 410


def test_the_project_settings_are_saved(facilitator, world, engine):
    response = facilitator.post(
        f"/p/{world.project.slug}/settings",
        {
            "name": "Les Voisins du Quai (Lille)",
            "language": "fr",
            "timezone": "America/Montreal",
            "voting_unit": "person",
        },
    )
    assert response.status_code == 302
    project = _get(engine, Project, world.project.id)
    assert (project.name, project.language, project.timezone, project.voting_unit) == (
        "Les Voisins du Quai (Lille)",
        "fr",
        "America/Montreal",
        "person",
    )
    page = facilitator.get(f"/p/{world.project.slug}/settings")
    assert '<option selected value="America/Montreal">' in page.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"timezone": "Mars/Olympus"}, "Not a valid choice.", id="unknown-zone"),
        pytest.param({"name": "   "}, "Please give a name.", id="blank-name"),
        pytest.param({"voting_unit": "cat"}, "Not a valid choice.", id="unknown-unit"),
    ],
)
def test_bad_settings_are_refused(facilitator, world, engine, fields, message):
    data = {"name": "X", "language": "fr", "timezone": "UTC", "voting_unit": "person"}
    response = facilitator.post(f"/p/{world.project.slug}/settings", {**data, **fields})
    assert response.status_code == 422
    assert message in response.text
    project = _get(engine, Project, world.project.id)
    assert (project.name, project.voting_unit) == ("Les Voisins du Quai", "household")
