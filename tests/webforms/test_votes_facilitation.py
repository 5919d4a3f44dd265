"""Facilitators run votes on the web: open, record the room, close, results, rounds, export."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.webforms.votes_support import charter, close, neighbour, open_ballot, rows
from voisinage.db import read_session
from voisinage.models import Ballot, utcnow


def _url(world, path=""):
    return f"/p/{world.project.slug}{path}"


def _newest_ballot(engine) -> Ballot:
    with read_session(engine) as session:
        return session.exec(select(Ballot).order_by(Ballot.id.desc())).first()


ADMIN_PAGES = ["/votes/new", "/votes/{id}/room", "/votes/{id}/next-round"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize(
    ("who", "status"), [("facilitator", 200), ("resident", 403), ("observer", 403)]
)
def test_only_facilitators_reach_the_vote_running_pages(web, world, engine, path, who, status):
    ballot = open_ballot(engine, world)
    web.sign_in(getattr(world, who))
    assert web.get(_url(world, path.format(id=ballot.id))).status_code == status


def test_another_projects_facilitator_gets_404(other_web, world, engine):
    ballot = open_ballot(engine, world)
    other_web.sign_in(world.other_facilitator)
    slug = world.other_project.slug
    for path in (f"/votes/{ballot.id}/room", f"/votes/{ballot.id}/export.json"):
        assert other_web.get(f"/p/{slug}{path}").status_code == 404
    assert other_web.post(f"/p/{slug}/votes/{ballot.id}/close").status_code == 404
    assert _newest_ballot(other_web.engine).closed_at is None


def test_the_form_explains_each_method_and_rule_in_a_sentence(web, world):
    web.sign_in(world.facilitator)
    page = web.get(_url(world, "/votes/new")).get_data(as_text=True)
    assert "one objection blocks" in page
    assert "best median grade" in page
    assert "at least two thirds of the votes cast" in page


def test_a_facilitator_opens_a_majority_judgment_closes_it_and_sees_merit_profiles(
    web, other_web, world, engine
):
    web.sign_in(world.facilitator)
    response = web.post(
        _url(world, "/votes/new"),
        {
            "question": "Which architect?",
            "method": "majority_judgment",
            "options": "Atelier Nord\nStudio Sud",
            "voting_unit": "project",
            "threshold": "simple_majority",
            "fallback_threshold": "two_thirds",
        },
    )
    assert response.status_code == 302
    ballot = _newest_ballot(engine)
    other_web.sign_in(world.resident)
    other_web.post(
        _url(world, f"/votes/{ballot.id}"), {"grade-a": "very_good", "grade-b": "passable"}
    )
    assert web.post(_url(world, f"/votes/{ballot.id}/close")).status_code == 302
    page = web.get(_url(world, f"/votes/{ballot.id}/results")).get_data(as_text=True)
    assert "adopted: Atelier Nord" in page
    assert 'class="chart merit"' in page
    assert "Majority grade" in page


def test_a_bad_ballot_form_is_refused_and_opens_nothing(web, world, engine):
    web.sign_in(world.facilitator)
    response = web.post(
        _url(world, "/votes/new"),
        {
            "question": "Which?",
            "method": "approval",
            "options": "Only one",
            "voting_unit": "project",
        },
    )
    assert response.status_code == 422
    assert "This method needs at least two options." in response.get_data(as_text=True)
    assert _newest_ballot(engine) is None


def test_a_ballot_on_an_article_adopts_its_wording(web, world, engine):
    _, (article_id,) = charter(engine, world)
    web.sign_in(world.facilitator)
    page = web.get(_url(world, f"/votes/new?article={article_id}")).get_data(as_text=True)
    assert (
        f'<option selected value="{article_id}">' in page
        or f'value="{article_id}" selected' in page
    )
    web.post(
        _url(world, "/votes/new"),
        {
            "article": str(article_id),
            "method": "threshold",
            "threshold": "simple_majority",
            "voting_unit": "project",
            "fallback_threshold": "two_thirds",
        },
    )
    ballot = _newest_ballot(engine)
    assert ballot.question == "Noise"
    assert ballot.article_version_id is not None


def test_named_room_votes_are_recorded_member_by_member(web, world, engine):
    karim = neighbour(engine, world)
    ballot = open_ballot(engine, world, voting_unit="person")
    web.sign_in(world.facilitator)
    page = web.get(_url(world, f"/votes/{ballot.id}/room")).get_data(as_text=True)
    assert "Karim" in page
    response = web.post(
        _url(world, f"/votes/{ballot.id}/room"),
        {
            "present": [str(karim.id), str(world.resident.id)],
            f"m{karim.id}-choice": "for",
            f"m{world.resident.id}-choice": "against",
        },
    )
    assert response.status_code == 302
    close(engine, world, ballot.id)
    results = web.get(_url(world, f"/votes/{ballot.id}/results")).get_data(as_text=True)
    assert "1 for, 1 against" in results
    assert "2 in the room" in results


def test_a_secret_paper_vote_is_recorded_as_counts(web, world, engine):
    karim = neighbour(engine, world)
    ballot = open_ballot(engine, world, voting_unit="person", secret=True)
    web.sign_in(world.facilitator)
    before = rows(engine)
    wrong = web.post(
        _url(world, f"/votes/{ballot.id}/room"),
        {"present": [str(karim.id), str(world.resident.id)], "count-for": "3"},
    )
    assert wrong.status_code == 422
    assert "the numbers must match" in wrong.get_data(as_text=True)
    assert rows(engine) == before
    web.post(
        _url(world, f"/votes/{ballot.id}/room"),
        {
            "present": [str(karim.id), str(world.resident.id)],
            "count-for": "1",
            "count-against": "1",
        },
    )
    web.post(_url(world, f"/votes/{ballot.id}/close"))
    export = json.loads(
        web.get(_url(world, f"/votes/{ballot.id}/export.json")).get_data(as_text=True)
    )
    assert sorted(paper["choice"] for paper in export["ballots"]) == ["against", "for"]
    assert all(set(paper) == {"choice"} for paper in export["ballots"])


def test_a_blocked_consent_shows_the_reasons_and_opens_the_next_round(
    web, other_web, world, engine
):
    _, (article_id,) = charter(engine, world)
    ballot = open_ballot(engine, world, method="consent", question=None, article_id=article_id)
    other_web.sign_in(world.resident)
    other_web.post(
        _url(world, f"/votes/{ballot.id}"), {"choice": "objection", "reason": "Too strict"}
    )
    close(engine, world, ballot.id)
    web.sign_in(world.facilitator)
    results = web.get(_url(world, f"/votes/{ballot.id}/results")).get_data(as_text=True)
    assert "Too strict" in results
    assert "Open the next round" in results
    response = web.post(
        _url(world, f"/votes/{ballot.id}/next-round"), {"text": "Quiet after 11 pm."}
    )
    assert response.status_code == 302
    second = _newest_ballot(engine)
    assert second.round == 2
    assert second.previous_ballot_id == ballot.id
    again = web.post(_url(world, f"/votes/{ballot.id}/next-round"), {"text": "Other."})
    assert again.status_code == 409


def test_an_open_ballot_cannot_be_exported(web, world, engine):
    ballot = open_ballot(engine, world)
    web.sign_in(world.facilitator)
    assert web.get(_url(world, f"/votes/{ballot.id}/export.json")).status_code == 422


def test_a_scheduled_ballot_is_listed_for_facilitators_only(web, other_web, world, engine):
    ballot = open_ballot(engine, world, opens_at=utcnow() + timedelta(days=2))
    web.sign_in(world.facilitator)
    page = web.get(_url(world, "/votes")).get_data(as_text=True)
    assert "Scheduled ballots" in page
    assert f"/votes/{ballot.id}" in page
    other_web.sign_in(world.resident)
    assert "Scheduled ballots" not in other_web.get(_url(world, "/votes")).get_data(as_text=True)
    refused = other_web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "for"})
    assert refused.status_code == 409
    assert "This ballot is not open yet." in refused.get_data(as_text=True)


def test_closing_without_the_csrf_token_is_refused(web, world, engine):
    ballot = open_ballot(engine, world)
    web.sign_in(world.facilitator)
    response = web.client.post(_url(world, f"/votes/{ballot.id}/close"))
    assert response.status_code == 400
    assert _newest_ballot(engine).closed_at is None
