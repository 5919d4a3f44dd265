"""The digest settings on the facilitators' settings page: saved, refused with a reason, and
closed to residents."""

from __future__ import annotations

import re

import pytest

from voisinage.db import read_session, unit_of_work
from voisinage.models import Project
from voisinage.models.followup import DigestSchedule

WEEKLY = {"frequency": "weekly", "weekday": "4", "hour": "18"}


@pytest.fixture
def facilitator(web, world):
    web.sign_in(world.facilitator)
    return web


def _schedule(engine, project_id):
    with read_session(engine) as session:
        return session.get(DigestSchedule, project_id)


def _selected(page, name):
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page.text, re.S).group(0)
    return re.search(r'<option selected value="([^"]*)">([^<]*)</option>', select).groups()


def test_the_form_offers_days_and_hours_in_the_readers_language_and_the_projects_zone(
    facilitator, world
):
    page = facilitator.get(f"/p/{world.project.slug}/settings")
    assert page.status_code == 200
    assert '<option value="6">Sunday</option>' in page.text
    assert _selected(page, "frequency") == ("off", "Off")
    assert _selected(page, "hour") == ("9", "9:00\u202fAM")
    assert "Days and hours are in the project&#39;s time zone, Europe/Paris" in page.text


def test_a_weekly_digest_is_saved_and_shown_again(facilitator, world, engine):
    response = facilitator.post(f"/p/{world.project.slug}/settings/digests", WEEKLY)
    assert response.status_code == 302
    schedule = _schedule(engine, world.project.id)
    assert (schedule.frequency, schedule.weekday, schedule.hour, schedule.group_digest) == (
        "weekly",
        4,
        18,
        False,
    )
    page = facilitator.get(response.headers["Location"])
    assert "Digest settings saved." in page.text
    assert _selected(page, "weekday") == ("4", "Friday")
    assert _selected(page, "hour") == ("18", "6:00\u202fPM")


def test_the_group_digest_needs_a_linked_group_and_says_so(facilitator, world, engine):
    url = f"/p/{world.project.slug}/settings/digests"
    response = facilitator.post(url, {**WEEKLY, "group_digest": "y"})
    assert response.status_code == 422
    assert "link a group to the project first" in response.text
    # The rest of the page is still there, unchanged.
    assert 'value="Les Voisins du Quai"' in response.text
    assert _schedule(engine, world.project.id) is None

    with unit_of_work(engine) as session:
        project = session.get(Project, world.project.id)
        project.telegram_chat_id = -100123
        session.add(project)
    assert facilitator.post(url, {**WEEKLY, "group_digest": "y"}).status_code == 302
    assert _schedule(engine, world.project.id).group_digest is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"frequency": "hourly"}, "Not a valid choice", id="frequency"),
        pytest.param({"hour": "24"}, "Not a valid choice", id="hour"),
        pytest.param({"weekday": "Sunday"}, "Invalid Choice: could not coerce", id="weekday"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_is_saved(facilitator, world, engine, fields, message):
    response = facilitator.post(f"/p/{world.project.slug}/settings/digests", {**WEEKLY, **fields})
    assert response.status_code == 422
    assert message in response.text
    assert _schedule(engine, world.project.id) is None


def test_a_resident_cannot_change_the_digests(web, world, engine):
    web.sign_in(world.resident)
    response = web.post(f"/p/{world.project.slug}/settings/digests", WEEKLY)
    assert response.status_code == 403
    assert _schedule(engine, world.project.id) is None
