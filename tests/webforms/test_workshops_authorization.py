"""Who may open and send what on the workshop pages, and forms without their CSRF token.

As everywhere: nobody signed in gets 401, a member of another project 404, a resident or an
observer 403 on facilitators' actions; refused posts write nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.webforms.test_authorization import SIGNED_IN, VISITORS
from tests.webforms.workshop_support import (
    day,
    everything,
    new_workshop,
    open_test_poll,
    scheduled_workshop,
)
from voisinage.db import read_session
from voisinage.workshop_path import path_overview

# Pages anyone of the project may open; pages for facilitators only.
MEMBER_PAGES = [
    "/workshops",
    "/workshops/{scheduled}",
    "/workshops/{scheduled}.ics",
    "/polls/{poll}",
    "/calendar",
]
FACILITATOR_PAGES = ["/workshops/{unscheduled}/poll"]
MEMBER_ACTIONS = [
    "/workshops/{scheduled}/rsvp",
    "/polls/{poll}/answers",
    "/calendar/feed",
    "/calendar/feed/revoke",
    "/calendar/reminders",
]
FACILITATOR_ACTIONS = [
    "/workshops/path",
    "/workshops/steps",
    "/workshops/one-off",
    "/workshops/steps/{step}/remove",
    "/workshops/order",
    "/workshops/{unscheduled}/poll",
    "/polls/{poll}/slots",
    "/polls/{poll}/confirm",
    "/polls/{poll}/cancel",
    "/workshops/{scheduled}/schedule",
    "/workshops/{scheduled}/cancel",
    "/workshops/{scheduled}/capacity",
    "/workshops/{scheduled}/attendance",
    "/workshops/{scheduled}/minutes",
]


@dataclass
class Ids:
    scheduled: int
    unscheduled: int
    polled: int
    poll: int
    slots: list[int]
    step: int
    steps: list[int]


def _ids(engine, project_id: int, facilitator_id: int) -> Ids:
    scheduled = scheduled_workshop(engine, project_id, facilitator_id, title="Dated")
    unscheduled = new_workshop(engine, project_id, facilitator_id, title="Undated")
    polled = new_workshop(engine, project_id, facilitator_id, title="Polled")
    poll, slots = open_test_poll(engine, project_id, facilitator_id, polled)
    with read_session(engine) as session:
        overview = path_overview(session, project_id=project_id)
    steps = [step.step_id for step in overview]
    step = next(s.step_id for s in overview if s.workshop_id == unscheduled)
    return Ids(scheduled, unscheduled, polled, poll, slots, step, steps)


@pytest.fixture
def ids(engine, world) -> Ids:
    return _ids(engine, world.project.id, world.facilitator.id)


def _path(template: str, world, ids: Ids) -> str:
    return f"/p/{world.project.slug}" + template.format(
        scheduled=ids.scheduled, unscheduled=ids.unscheduled, poll=ids.poll, step=ids.step
    )


def _form(world, ids: Ids) -> dict:
    """Every field any workshop form takes, filled in well: only the role check may refuse."""
    slot = {"day": day(20).isoformat(), "starts": "10:00", "ends": "12:00", "place": "Hall"}
    return {
        "title": "Taken over",
        "kind": "workshop",
        "half_days": "1",
        "one-off-title": "Taken over",
        "order": ",".join(map(str, reversed(ids.steps))),
        "deadline_day": day(15).isoformat(),
        "deadline_time": "20:00",
        "respondent_unit": "household",
        **{f"slots-0-{key}": value for key, value in slot.items()},
        **{f"more-slots-0-{key}": value for key, value in slot.items()},
        **{f"schedule-{key}": value for key, value in slot.items()},
        "confirm-slot": str(ids.slots[0]),
        "capacity-capacity": "3",
        "attendance-members": [world.resident.id],
        "minutes-minutes_url": "https://example.org/x",
        "answer": "coming",
        "people": "1",
        **{f"slot-{slot_id}": "yes" for slot_id in ids.slots},
        "reminders": "",
    }


def _visit_as(web, world, visitor: str) -> None:
    if visitor in SIGNED_IN:
        web.sign_in(getattr(world, SIGNED_IN[visitor]))


def _pages():
    for visitor, (member_status, facilitator_status) in VISITORS.items():
        for page in MEMBER_PAGES:
            yield pytest.param(visitor, page, member_status, id=f"{visitor}-GET{page}")
        for page in FACILITATOR_PAGES:
            yield pytest.param(visitor, page, facilitator_status, id=f"{visitor}-GET{page}")


@pytest.mark.parametrize(("visitor", "page", "status"), list(_pages()))
def test_who_may_open_each_workshop_page(web, world, ids, visitor, page, status):
    _visit_as(web, world, visitor)
    response = web.get(_path(page, world, ids))
    assert response.status_code == status
    if status != 200:
        assert [
            secret for secret in ("Dated", "Polled", "Salle commune") if secret in response.text
        ] == []


def _refused_actions():
    for visitor, (member_status, facilitator_status) in VISITORS.items():
        if member_status != 200:
            for action in MEMBER_ACTIONS:
                yield pytest.param(visitor, action, member_status, id=f"{visitor}-POST{action}")
        if facilitator_status != 200:
            for action in FACILITATOR_ACTIONS:
                yield pytest.param(
                    visitor, action, facilitator_status, id=f"{visitor}-POST{action}"
                )


@pytest.mark.parametrize(("visitor", "action", "status"), list(_refused_actions()))
def test_refused_workshop_actions_change_nothing(web, world, engine, ids, visitor, action, status):
    _visit_as(web, world, visitor)
    before = everything(engine)
    response = web.post(_path(action, world, ids), _form(world, ids))
    assert response.status_code == status
    assert everything(engine) == before


@pytest.mark.parametrize("action", FACILITATOR_ACTIONS + MEMBER_ACTIONS)
def test_the_same_form_succeeds_for_a_facilitator(web, world, engine, ids, action):
    """The matrix above is not refusing broken forms: from a facilitator they go through."""
    web.sign_in(world.facilitator)
    response = web.post(_path(action, world, ids), _form(world, ids))
    # Attendance waits for the workshop to begin: the service, not the role, refuses it.
    expected = {409} if action.endswith("/attendance") else {200, 302}
    assert response.status_code in expected


def test_ids_of_another_project_are_not_found_from_ones_own(web, world, engine):
    theirs = _ids(engine, world.other_project.id, world.other_facilitator.id)
    web.sign_in(world.facilitator)
    before = everything(engine)
    for template in MEMBER_PAGES[1:4] + FACILITATOR_PAGES:
        path = _path(template, world, theirs)
        assert (path, web.get(path).status_code) == (path, 404)
    for template in [*MEMBER_ACTIONS[:2], *FACILITATOR_ACTIONS[3:4], *FACILITATOR_ACTIONS[5:]]:
        path = _path(template, world, theirs)
        response = web.post(path, _form(world, theirs))
        assert (path, response.status_code) == (path, 404)
        assert "Dated" not in response.text
    assert everything(engine) == before


def test_every_workshop_form_without_its_csrf_token_is_refused(web, world, engine, ids):
    web.sign_in(world.facilitator)
    before = everything(engine)
    for template in FACILITATOR_ACTIONS + MEMBER_ACTIONS:
        path = _path(template, world, ids)
        response = web.client.post(path, data=_form(world, ids))
        assert (path, response.status_code) == (path, 400)
        assert "This form has expired or did not come from this site." in response.text
    assert everything(engine) == before
