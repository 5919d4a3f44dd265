"""Reminding those missing from an item's page: the button, its outcome, its history."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.webforms.votes_support import neighbour, open_ballot
from tests.webforms.workshop_support import new_workshop, open_test_poll
from voisinage.db import read_session, unit_of_work
from voisinage.i18n import translator
from voisinage.models import Member, Nudge, NudgeRecipient, utcnow
from voisinage.questionnaire_templates import import_questionnaire
from voisinage.questionnaires import open_questionnaire

QUESTIONNAIRE = """
format: voisinage.questionnaire
version: 1
title: Expectations
respondent_unit: person
questions:
  - key: surface
    kind: number
    label: Wished surface
"""


def _url(world, path=""):
    return f"/p/{world.project.slug}{path}"


def _on_telegram(engine, member, telegram_user_id=7001):
    with unit_of_work(engine) as session:
        row = session.get(Member, member.id)
        row.telegram_user_id = telegram_user_id
        session.add(row)


def _nudges(engine) -> tuple[int, int]:
    with read_session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Nudge, NudgeRecipient)
        )


def _remind(web, world, subject, next_path):
    return web.post(_url(world, "/nudges"), data={"subject": subject, "next": next_path})


def test_a_facilitator_reminds_those_missing_from_the_ballot_page(web, world, engine):
    ballot = open_ballot(engine, world, voting_unit="person")
    karim = neighbour(engine, world)
    _on_telegram(engine, karim)
    page = _url(world, f"/votes/{ballot.id}")
    web.sign_in(world.facilitator)
    assert "Remind the 2 people missing" in web.get(page).get_data(as_text=True)
    response = _remind(web, world, f"ballot:{ballot.id}", page)
    assert response.status_code == 302
    assert response.headers["Location"] == page
    shown = web.get(page).get_data(as_text=True)
    assert "Reminder sent through the bot to 1 member." in shown
    assert "The bot cannot reach these members, remind them otherwise: Nadia." in shown
    today = translator("en").date(utcnow(), world.project.timezone)
    assert f"Nudged 2 members on {today}" in shown
    assert _nudges(engine) == (1, 2)


def test_a_second_click_within_24_hours_is_refused_with_the_reason(web, world, engine):
    ballot = open_ballot(engine, world)
    page = _url(world, f"/votes/{ballot.id}")
    web.sign_in(world.facilitator)
    _remind(web, world, f"ballot:{ballot.id}", page)
    response = _remind(web, world, f"ballot:{ballot.id}", page)
    assert response.status_code == 302
    shown = web.get(page).get_data(as_text=True)
    assert "was already reminded in the last 24 hours" in shown
    assert "The next reminder is possible from" in shown
    assert _nudges(engine) == (1, 1)


def test_the_questionnaire_respondents_page_has_the_button_and_the_history(web, world, engine):
    with unit_of_work(engine) as session:
        view = import_questionnaire(session, project_id=world.project.id, text=QUESTIONNAIRE)
        open_questionnaire(session, project_id=world.project.id, questionnaire_id=view.id)
    page = _url(world, f"/questionnaires/{view.id}/respondents")
    web.sign_in(world.facilitator)
    assert "Remind the 1 person missing" in web.get(page).get_data(as_text=True)
    _remind(web, world, f"questionnaire:{view.id}", page)
    assert "Nudged 1 member on" in web.get(page).get_data(as_text=True)


def test_the_poll_page_has_the_button_and_the_history(web, world, engine):
    workshop_id = new_workshop(engine, world.project.id, world.facilitator.id)
    poll_id, _ = open_test_poll(engine, world.project.id, world.facilitator.id, workshop_id)
    page = _url(world, f"/polls/{poll_id}")
    web.sign_in(world.facilitator)
    # Those asked: the resident's household, and the facilitator, who knows already.
    assert "Remind the 1 person missing" in web.get(page).get_data(as_text=True)
    _remind(web, world, f"poll:{poll_id}", page)
    shown = web.get(page).get_data(as_text=True)
    assert "remind them otherwise: Nadia." in shown
    assert "Nudged 1 member on" in shown


@pytest.mark.parametrize("who", ["resident", "observer"])
def test_residents_and_observers_get_403(web, world, engine, who):
    ballot = open_ballot(engine, world)
    web.sign_in(getattr(world, who))
    assert "Remind" not in web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert _remind(web, world, f"ballot:{ballot.id}", "/").status_code == 403
    assert _nudges(engine) == (0, 0)


def test_another_projects_item_is_404(web, other_web, world, engine):
    ballot = open_ballot(engine, world)
    other_web.sign_in(world.other_facilitator)
    slug = world.other_project.slug
    response = other_web.post(
        f"/p/{slug}/nudges", data={"subject": f"ballot:{ballot.id}", "next": "/"}
    )
    assert response.status_code == 404
    # Nor through our project's address, where they are not a member.
    assert _remind(other_web, world, f"ballot:{ballot.id}", "/").status_code == 404
    web.sign_in(world.facilitator)
    assert _remind(web, world, "ballot:999999", "/").status_code == 404
    assert _nudges(engine) == (0, 0)


def test_a_nudge_without_the_csrf_token_is_refused(web, world, engine):
    ballot = open_ballot(engine, world)
    web.sign_in(world.facilitator)
    response = web.client.post(_url(world, "/nudges"), data={"subject": f"ballot:{ballot.id}"})
    assert response.status_code == 400
    assert _nudges(engine) == (0, 0)


def test_it_never_redirects_to_another_site(web, world, engine):
    ballot = open_ballot(engine, world)
    web.sign_in(world.facilitator)
    response = _remind(web, world, f"ballot:{ballot.id}", "https://evil.example/")
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
