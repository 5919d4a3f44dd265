"""Who may open each questionnaire page and press each button: role × project, and CSRF."""

from __future__ import annotations

import pytest

from tests.webforms.test_authorization import _snapshot, _visit_as
from tests.webforms.test_questionnaires import COMPLETE, SPEC, _create, _form
from voisinage.db import unit_of_work
from voisinage.models import Questionnaire
from voisinage.questionnaire_answers import save_answers
from voisinage.questionnaires import (
    close_questionnaire,
    load_questionnaire,
    open_questionnaire,
    start_second_round,
)

RESIDENT_PAGES = ["/questionnaires", "/questionnaires/{q}"]
FACILITATOR_PAGES = [
    "/questionnaires/manage",
    "/questionnaires/{q}/edit",
    "/questionnaires/{q}/questions/new?kind=text",
    "/questionnaires/{q}/questions/{question}",
    "/questionnaires/{q}/preview",
    "/questionnaires/{q}/export.yaml",
    "/questionnaires/{q}/respondents",
    "/questionnaires/{q}/summary",
    "/questionnaires/{q}/brief",
    "/questionnaires/{q}/compare",
    "/questionnaires/{q}/answers.csv",
]
FACILITATOR_ACTIONS = [
    "/questionnaires/manage",
    "/questionnaires/import-shipped",
    "/questionnaires/{q}/settings",
    "/questionnaires/{q}/questions/new",
    "/questionnaires/{q}/questions/{question}",
    "/questionnaires/{q}/questions/{question}/move",
    "/questionnaires/{q}/questions/{question}/remove",
    "/questionnaires/{q}/open",
    "/questionnaires/{q}/close",
    "/questionnaires/{q}/duplicate",
    "/questionnaires/{q}/next-round",
    "/questionnaires/{q}/delete",
]
# Who visits project A, and the status of: the list, the answer page, a facilitator page.
# Only residents answer: the others get 403 on the answer page (facilitators have a preview).
VISITORS = {
    "nobody": (401, 401, 401),
    "resident": (200, 200, 403),
    "observer": (200, 403, 403),
    "facilitator": (200, 403, 200),
    "other-facilitator": (404, 404, 404),
    "other-resident": (404, 404, 404),
}
SECRETS = ["Nadia", "Foyer Benali", "Monthly rent?", "A shared kitchen."]


@pytest.fixture
def rounds(engine, world):
    """A first round answered by Foyer Benali and closed, and its second round, open."""
    first = _create(engine, world)
    values = {q.id: COMPLETE.get(q.key) for q in first.questions}
    values[first.questions[4].id] = ["garden", "common_room"]
    with unit_of_work(engine) as session:
        ids = {"project_id": world.project.id, "questionnaire_id": first.id}
        save_answers(session, member_id=world.resident.id, values=values, submit=True, **ids)
        close_questionnaire(session, actor_id=world.facilitator.id, **ids)
        second = start_second_round(session, actor_id=world.facilitator.id, **ids)
        open_questionnaire(
            session,
            project_id=world.project.id,
            questionnaire_id=second.id,
            actor_id=world.facilitator.id,
        )
        return load_questionnaire(session, project_id=world.project.id, questionnaire_id=second.id)


def _path(template: str, world, view) -> str:
    path = template.format(q=view.id, question=view.questions[2].id)
    return f"/p/{world.project.slug}{path}"


def _pages():
    for visitor, (listing, answer, facilitator) in VISITORS.items():
        yield pytest.param(visitor, RESIDENT_PAGES[0], listing, id=f"{visitor}-GET-list")
        yield pytest.param(visitor, RESIDENT_PAGES[1], answer, id=f"{visitor}-GET-answer")
        for page in FACILITATOR_PAGES:
            yield pytest.param(visitor, page, facilitator, id=f"{visitor}-GET{page}")


@pytest.mark.parametrize(("visitor", "page", "status"), list(_pages()))
def test_who_may_open_each_questionnaire_page(web, world, rounds, visitor, page, status):
    _visit_as(web, world, visitor)
    response = web.get(_path(page, world, rounds))
    assert response.status_code == status
    if status != 200:
        assert [secret for secret in SECRETS if secret in response.text] == []


def _refused():
    for visitor, (_listing, answer, facilitator) in VISITORS.items():
        if answer != 200:
            yield pytest.param(visitor, RESIDENT_PAGES[1], answer, id=f"{visitor}-POST-answer")
        if facilitator != 200:
            for action in FACILITATOR_ACTIONS:
                yield pytest.param(visitor, action, facilitator, id=f"{visitor}-POST{action}")


@pytest.mark.parametrize(("visitor", "action", "status"), list(_refused()))
def test_refused_questionnaire_actions_change_nothing(
    web, world, engine, rounds, visitor, action, status
):
    _visit_as(web, world, visitor)
    before = _snapshot(engine, world.project.id)
    data = {
        **_form(rounds, **COMPLETE),
        "action": "submit",
        "title": "Taken over",
        "respondent_unit": "person",
        "label": "Taken over",
        "kind": "text",
        "direction": "up",
    }
    response = web.post(_path(action, world, rounds), data)
    assert response.status_code == status
    assert _snapshot(engine, world.project.id) == before


def test_another_projects_questionnaires_are_not_found_from_ones_own(web, world, engine):
    theirs = _create(engine, world, SPEC, open_it=False)
    mine = _create(engine, world, SPEC, open_it=False)
    # Move "theirs" to project B, as if B's facilitator had made it.
    with unit_of_work(engine) as session:
        row = session.get(Questionnaire, theirs.id)
        row.project_id = world.other_project.id
        session.add(row)
    web.sign_in(world.facilitator)
    base = f"/p/{world.project.slug}/questionnaires"
    before = _snapshot(engine, world.other_project.id)
    for path in (f"{base}/{theirs.id}/edit", f"{base}/{theirs.id}/summary"):
        assert web.get(path).status_code == 404
    assert web.post(f"{base}/{theirs.id}/open").status_code == 404
    assert web.post(f"{base}/{theirs.id}/delete").status_code == 404
    # A question of another questionnaire, under this one's address.
    foreign = theirs.questions[0].id
    assert web.get(f"{base}/{mine.id}/questions/{foreign}").status_code == 404
    assert web.post(f"{base}/{mine.id}/questions/{foreign}/remove").status_code == 404
    assert _snapshot(engine, world.other_project.id) == before


@pytest.mark.parametrize(
    "action", ["/questionnaires/manage", "/questionnaires/{q}/open", "/questionnaires/{q}/close"]
)
def test_facilitator_forms_without_their_csrf_token_are_refused(web, world, engine, rounds, action):
    web.sign_in(world.facilitator)
    before = _snapshot(engine, world.project.id)
    response = web.client.post(_path(action, world, rounds), data={"title": "No token"})
    assert response.status_code == 400
    assert "This form has expired or did not come from this site." in response.text
    assert _snapshot(engine, world.project.id) == before
