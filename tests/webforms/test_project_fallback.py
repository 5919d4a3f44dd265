"""The project's consent fallback: set on the settings page, pre-filled on a new consent ballot."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from voisinage.db import read_session, unit_of_work
from voisinage.models import ActionLog, Project
from voisinage.people import set_language

SETTINGS = {
    "name": "Les Voisins du Quai",
    "language": "fr",
    "timezone": "UTC",
    "voting_unit": "household",
}


def _settings_url(world) -> str:
    return f"/p/{world.project.slug}/settings"


def _fallback(engine, world) -> tuple:
    with read_session(engine) as session:
        project = session.get(Project, world.project.id)
        return project.consent_fallback_after_rounds, project.consent_fallback_threshold


def _log_size(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(ActionLog)).one()


def test_the_fallback_is_saved_explained_and_pre_fills_a_new_ballot(web, world, engine):
    web.sign_in(world.facilitator)
    page = web.get(_settings_url(world)).text
    assert "When consent still fails after this many integration rounds" in page
    assert '<option selected value="two_thirds">' in page
    response = web.post(
        _settings_url(world),
        {
            **SETTINGS,
            "consent_fallback_after_rounds": "3",
            "consent_fallback_threshold": "unanimity",
        },
    )
    assert response.status_code == 302
    assert _fallback(engine, world) == (3, "unanimity")
    page = web.get(_settings_url(world)).text
    assert re.search(r"<input[^>]*name=\"consent_fallback_after_rounds\"[^>]*value=\"3\"", page)
    assert '<option selected value="unanimity">' in page
    new_ballot = web.get(f"/p/{world.project.slug}/votes/new").text
    assert 'name="fallback_after_rounds"' in new_ballot
    assert re.search(r"<input[^>]*name=\"fallback_after_rounds\"[^>]*value=\"3\"", new_ballot)
    assert '<option selected value="unanimity">' in new_ballot
    # An empty number clears the fallback.
    response = web.post(
        _settings_url(world),
        {
            **SETTINGS,
            "consent_fallback_after_rounds": "",
            "consent_fallback_threshold": "two_thirds",
        },
    )
    assert response.status_code == 302
    assert _fallback(engine, world) == (None, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"consent_fallback_after_rounds": "0"},
            "Le repli intervient après 1 à 10 tours bloqués.",
            id="rounds-0",
        ),
        pytest.param(
            {"consent_fallback_after_rounds": "11"},
            "Le repli intervient après 1 à 10 tours bloqués.",
            id="rounds-11",
        ),
        pytest.param(
            {"consent_fallback_after_rounds": "2", "consent_fallback_threshold": "most"},
            "choix valide",
            id="unknown-threshold",
        ),
    ],
)
def test_a_bad_fallback_is_refused_in_the_reader_language_and_nothing_changes(
    web, world, engine, fields, message
):
    with unit_of_work(engine) as session:
        set_language(session, member_ids=[world.facilitator.id], language="fr")
    web.sign_in(world.facilitator)
    before = _log_size(engine)
    response = web.post(
        _settings_url(world),
        {**SETTINGS, "name": "Renamed", "consent_fallback_threshold": "two_thirds", **fields},
    )
    assert response.status_code == 422
    assert message in response.text
    assert _fallback(engine, world) == (None, None)
    with read_session(engine) as session:
        assert session.get(Project, world.project.id).name == "Les Voisins du Quai"
    assert _log_size(engine) == before


def test_how_many_proxies_one_member_holds_is_a_project_setting(web, world, engine):
    web.sign_in(world.facilitator)
    assert "how many voices besides their own" in web.get(_settings_url(world)).text
    assert web.post(_settings_url(world), {**SETTINGS, "max_proxies": "3"}).status_code == 302
    with read_session(engine) as session:
        assert session.get(Project, world.project.id).max_proxies == 3
    before = _log_size(engine)
    # SETTINGS made the project French: the refusal reads in French.
    refused = web.post(_settings_url(world), {**SETTINGS, "name": "Renamed", "max_proxies": "11"})
    assert refused.status_code == 422
    assert "Un membre peut détenir de 0 à 10 procurations." in refused.text
    with read_session(engine) as session:
        project = session.get(Project, world.project.id)
        assert (project.max_proxies, project.name) == (3, "Les Voisins du Quai")
    assert _log_size(engine) == before
