"""Who may open what: every project route against every kind of visitor.

A resident of project A gets 404 for anything of project B, as if it did not exist; a resident
or an observer gets 403 on facilitator pages; nobody signed in gets 401. Refused posts write
nothing, and the pages refused hold data that could have leaked.
"""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from voisinage.db import read_session, unit_of_work
from voisinage.exports import export_project
from voisinage.models import LinkNonce
from voisinage.people import create_invitation

RESIDENT_PAGES = ["/", "/my-data", "/my-data.json", "/my-data/delete"]
FACILITATOR_PAGES = [
    "/members",
    "/members/{resident}",
    "/households",
    "/invitations",
    "/invitations/{code}",
    "/settings",
]
RESIDENT_ACTIONS = ["/my-data/delete"]
FACILITATOR_ACTIONS = [
    "/members/{resident}/household",
    "/members/{resident}/role",
    "/members/{resident}/sign-in-link",
    "/households",
    "/households/{household}/name",
    "/invitations",
    "/invitations/{code}/revoke",
    "/settings",
]
# Who visits project A, and the status of a page for residents / a page for facilitators.
VISITORS = {
    "nobody": (401, 401),
    "resident": (200, 403),
    "observer": (200, 403),
    "facilitator": (200, 200),
    "other-facilitator": (404, 404),
    "other-resident": (404, 404),
}
SIGNED_IN = {
    "resident": "resident",
    "observer": "observer",
    "facilitator": "facilitator",
    "other-facilitator": "other_facilitator",
    "other-resident": "other_resident",
}


@pytest.fixture
def code(engine, world) -> str:
    with unit_of_work(engine) as session:
        invitation = create_invitation(
            session, project_id=world.project.id, actor_id=world.facilitator.id, label="for Ana"
        )
    return invitation.code


def _path(template: str, world, code: str) -> str:
    path = template.format(resident=world.resident.id, household=world.household.id, code=code)
    return f"/p/{world.project.slug}{path}"


def _visit_as(web, world, visitor: str) -> None:
    if visitor in SIGNED_IN:
        web.sign_in(getattr(world, SIGNED_IN[visitor]))


def _snapshot(engine, project_id: int) -> tuple:
    """Return everything a project holds, and how many sign-in links exist."""
    with read_session(engine) as session:
        data = export_project(session, project_id=project_id, actor_id=None)
        links = session.exec(select(func.count()).select_from(LinkNonce)).one()
    del data["exported_at"]
    return data, links


def _pages():
    for visitor, (resident_status, facilitator_status) in VISITORS.items():
        for page in RESIDENT_PAGES:
            yield pytest.param(visitor, page, resident_status, id=f"{visitor}-GET{page}")
        for page in FACILITATOR_PAGES:
            yield pytest.param(visitor, page, facilitator_status, id=f"{visitor}-GET{page}")


@pytest.mark.parametrize(("visitor", "page", "status"), list(_pages()))
def test_who_may_open_each_page(web, world, code, visitor, page, status):
    _visit_as(web, world, visitor)
    response = web.get(_path(page, world, code))
    assert response.status_code == status
    if status != 200:
        # Nothing of project A shows on a refusal (beyond the address the visitor typed).
        secrets = ["Nadia", "Foyer Benali", "for Ana"]
        if status != 403:
            secrets.append(world.project.name)
        assert [secret for secret in secrets if secret in response.text] == []


def _refused_actions():
    for visitor, (resident_status, facilitator_status) in VISITORS.items():
        if resident_status != 200:
            for action in RESIDENT_ACTIONS:
                yield pytest.param(visitor, action, resident_status, id=f"{visitor}-POST{action}")
        if facilitator_status != 200:
            for action in FACILITATOR_ACTIONS:
                yield pytest.param(
                    visitor, action, facilitator_status, id=f"{visitor}-POST{action}"
                )


@pytest.mark.parametrize(("visitor", "action", "status"), list(_refused_actions()))
def test_refused_actions_change_nothing(web, world, engine, code, visitor, action, status):
    _visit_as(web, world, visitor)
    before = _snapshot(engine, world.project.id)
    response = web.post(
        _path(action, world, code),
        {
            "household": "",
            "role": "facilitator",
            "name": "Taken over",
            "new-name": "Taken over",
            f"household-{world.household.id}-name": "Taken over",
            "language": "fr",
            "timezone": "UTC",
            "voting_unit": "person",
            "days": "3",
            "confirm": "y",
        },
    )
    assert response.status_code == status
    assert _snapshot(engine, world.project.id) == before


def test_ids_of_another_project_are_not_found_from_ones_own(web, world, engine):
    with unit_of_work(engine) as session:
        other_code = create_invitation(
            session, project_id=world.other_project.id, actor_id=world.other_facilitator.id
        ).code
    web.sign_in(world.facilitator)
    base = f"/p/{world.project.slug}"
    for path in (f"{base}/members/{world.other_resident.id}", f"{base}/invitations/{other_code}"):
        response = web.get(path)
        assert response.status_code == 404
        assert "Zoé" not in response.text
    before = _snapshot(engine, world.project.id), _snapshot(engine, world.other_project.id)
    other_household = world.other_household.id
    for path, data, status in (
        (f"{base}/members/{world.other_resident.id}/role", {"role": "observer"}, 404),
        (f"{base}/members/{world.resident.id}/household", {"household": other_household}, 422),
        (
            f"{base}/households/{other_household}/name",
            {f"household-{other_household}-name": "X"},
            404,
        ),
        (f"{base}/invitations/{other_code}/revoke", {}, 404),
        (f"{base}/members/{world.other_resident.id}/sign-in-link", {}, 404),
    ):
        assert (path, web.post(path, data).status_code) == (path, status)
    after = _snapshot(engine, world.project.id), _snapshot(engine, world.other_project.id)
    assert after == before
