"""Residents vote on the web: every method's paper, the recap, changes, proxies, refusals."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from tests.webforms.votes_support import close, neighbour, open_ballot, rows

GRADES = ["excellent", "very_good", "good", "fairly_good", "passable", "insufficient", "to_reject"]


def _url(world, path=""):
    return f"/p/{world.project.slug}{path}"


def test_the_home_card_lists_open_ballots_and_whether_i_voted(web, world, engine):
    ballot = open_ballot(engine, world)
    web.sign_in(world.resident)
    home = web.get(_url(world, "/")).get_data(as_text=True)
    assert "Adopt the garden rules?" in home
    assert "You have not voted yet" in home
    response = web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "for"})
    assert response.status_code == 302
    home = web.get(_url(world, "/")).get_data(as_text=True)
    assert "You have voted" in home
    listing = web.get(_url(world, "/votes")).get_data(as_text=True)
    assert "You have voted" in listing


def test_a_resident_votes_sees_the_recap_and_changes_until_the_close(web, world, engine):
    ballot = open_ballot(engine, world)
    web.sign_in(world.resident)
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert 'name="choice" id="choice-for"' in page
    web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "for"})
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert "Your vote is recorded (Foyer Benali)." in page
    assert "Change my vote" in page
    assert 'value="for" checked' in page
    web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "against"})
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert "Your vote is changed (Foyer Benali)." in page
    assert 'value="against" checked' in page
    assert rows(engine)["BallotChoice"] == 1
    close(engine, world, ballot.id)
    before = rows(engine)
    refused = web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "for"})
    assert refused.status_code == 409
    assert "This ballot is closed" in refused.get_data(as_text=True)
    assert rows(engine) == before


def test_majority_judgment_takes_one_grade_per_option(web, world, engine):
    ballot = open_ballot(
        engine,
        world,
        method="majority_judgment",
        question="Which architect?",
        options=["Atelier Nord", "Studio Sud"],
    )
    web.sign_in(world.resident)
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert page.count('type="radio" name="grade-a"') == 7
    assert "Your grade for Studio Sud" in page
    before = rows(engine)
    refused = web.post(_url(world, f"/votes/{ballot.id}"), {"grade-a": "good"})
    assert refused.status_code == 422
    assert "Give a grade to Studio Sud." in refused.get_data(as_text=True)
    assert rows(engine) == before
    web.post(_url(world, f"/votes/{ballot.id}"), {"grade-a": "good", "grade-b": "excellent"})
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert "Atelier Nord: Good; Studio Sud: Excellent" in page


def test_approval_and_ranked_papers(web, world, engine):
    approval = open_ballot(
        engine, world, method="approval", question="Shared rooms?", options=["Laundry", "Workshop"]
    )
    ranked = open_ballot(
        engine, world, method="ranked", question="Which colour?", options=["Red", "Blue", "Green"]
    )
    web.sign_in(world.resident)
    web.post(_url(world, f"/votes/{approval.id}"), {"approve": ["a", "b"]})
    page = web.get(_url(world, f"/votes/{approval.id}")).get_data(as_text=True)
    assert "You approve: Laundry, Workshop." in page
    before = rows(engine)
    refused = web.post(_url(world, f"/votes/{ranked.id}"), {"rank-a": "1", "rank-b": "1"})
    assert refused.status_code == 422
    assert "Give each option its own rank." in refused.get_data(as_text=True)
    assert rows(engine) == before
    web.post(_url(world, f"/votes/{ranked.id}"), {"rank-a": "2", "rank-c": "1"})
    page = web.get(_url(world, f"/votes/{ranked.id}")).get_data(as_text=True)
    assert "Green &gt; Red" in page
    assert 'id="rank-c" min="1" max="3" inputmode="numeric" value="1"' in page


def test_an_objection_needs_a_reason(web, world, engine):
    ballot = open_ballot(engine, world, method="consent", question="Adopt article 3?")
    web.sign_in(world.resident)
    before = rows(engine)
    refused = web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "objection", "reason": " "})
    assert refused.status_code == 422
    assert rows(engine) == before
    web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "objection", "reason": "Too noisy"})
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert "I object: Too noisy" in page


@pytest.mark.parametrize("who", ["observer", "facilitator"])
def test_who_has_no_voice_gets_no_paper_and_a_refusal(web, world, engine, who):
    ballot = open_ballot(engine, world)
    web.sign_in(getattr(world, who))
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert "Only residents vote." in page
    assert 'name="choice"' not in page
    before = rows(engine)
    refused = web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "for"})
    assert refused.status_code == 403
    assert rows(engine) == before


def test_another_projects_ballot_is_not_found_and_nothing_is_written(web, other_web, world, engine):
    ballot = open_ballot(engine, world)
    other_web.sign_in(world.other_resident)
    slug = world.other_project.slug
    assert other_web.get(f"/p/{slug}/votes/{ballot.id}").status_code == 404
    before = rows(engine)
    assert other_web.post(f"/p/{slug}/votes/{ballot.id}", {"choice": "for"}).status_code == 404
    assert other_web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "for"}).status_code == 404
    assert rows(engine) == before


def test_a_vote_without_the_csrf_token_is_refused(web, world, engine):
    ballot = open_ballot(engine, world)
    web.sign_in(world.resident)
    before = rows(engine)
    response = web.client.post(_url(world, f"/votes/{ballot.id}"), data={"choice": "for"})
    assert response.status_code == 400
    assert rows(engine) == before


def test_a_proxy_holder_chooses_for_whom_they_vote(web, other_web, world, engine):
    karim = neighbour(engine, world)
    ballot = open_ballot(engine, world, voting_unit="person")
    other_web.sign_in(karim)
    given = other_web.post(
        _url(world, "/proxies"), {"holder": str(world.resident.id), "ballot": ""}
    )
    assert given.status_code == 302
    assert "You gave your voice to Nadia" in other_web.get(_url(world, "/proxies")).get_data(
        as_text=True
    )
    web.sign_in(world.resident)
    assert "Karim gave you their voice" in web.get(_url(world, "/proxies")).get_data(as_text=True)
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert "Karim, by proxy" in page
    refused = web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "for", "voices": "1"})
    assert refused.status_code == 422
    web.post(
        _url(world, f"/votes/{ballot.id}"),
        {"choice": "for", "voices": "1", "voice": [str(world.resident.id), str(karim.id)]},
    )
    assert rows(engine)["BallotParticipation"] == 2
    close(engine, world, ballot.id)
    results = web.get(_url(world, f"/votes/{ballot.id}/results")).get_data(as_text=True)
    assert "1 by proxy" in results


def test_a_proxy_is_revoked_only_by_its_giver(web, other_web, world, engine):
    karim = neighbour(engine, world)
    other_web.sign_in(karim)
    other_web.post(_url(world, "/proxies"), {"holder": str(world.resident.id)})
    proxy_page = other_web.get(_url(world, "/proxies")).get_data(as_text=True)
    proxy_id = proxy_page.split("/proxies/")[1].split("/revoke")[0]
    web.sign_in(world.resident)
    refused = web.post(_url(world, f"/proxies/{proxy_id}/revoke"))
    assert refused.status_code == 403
    assert other_web.post(_url(world, f"/proxies/{proxy_id}/revoke")).status_code == 302
    assert "You have given no proxy" in other_web.get(_url(world, "/proxies")).get_data(
        as_text=True
    )


def test_results_are_hidden_until_the_close_then_shown_with_the_quorum_line(web, world, engine):
    ballot = open_ballot(engine, world, quorum=Fraction(3, 4))
    web.sign_in(world.resident)
    assert web.get(_url(world, f"/votes/{ballot.id}/results")).status_code == 403
    close(engine, world, ballot.id)
    page = web.get(_url(world, f"/votes/{ballot.id}/results")).get_data(as_text=True)
    assert "not adopted: quorum not reached, 0 of 1 took part, 1 needed" in page
    assert "Quorum not reached: 0 of 1 voices took part, 1 needed." in page
    assert "<svg" in page
    listing = web.get(_url(world, "/votes")).get_data(as_text=True)
    assert "quorum not reached" in listing


def test_a_secret_ballot_never_shows_who_chose_what(web, other_web, world, engine):
    karim = neighbour(engine, world)
    ballot = open_ballot(engine, world, secret=True, voting_unit="person")
    web.sign_in(world.resident)
    web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "for"})
    other_web.sign_in(karim)
    other_web.post(_url(world, f"/votes/{ballot.id}"), {"choice": "against"})
    close(engine, world, ballot.id)
    # After the close even the voter's own page no longer knows their choice.
    page = web.get(_url(world, f"/votes/{ballot.id}")).get_data(as_text=True)
    assert "You have voted." in page
    assert "Your vote is" not in page.split("Your vote</h2>")[1].split("</div>")[0]
    facilitator = other_web
    facilitator.sign_in(world.facilitator)
    results = facilitator.get(_url(world, f"/votes/{ballot.id}/results")).get_data(as_text=True)
    assert "1 for, 1 against" in results
    # Any member may recount: the resident downloads the anonymous papers too.
    assert "voisinage recount FILE" in web.get(_url(world, f"/votes/{ballot.id}/results")).get_data(
        as_text=True
    )
    export = web.get(_url(world, f"/votes/{ballot.id}/export.json"))
    data = json.loads(export.get_data(as_text=True))
    assert data["ballots"] == [{"choice": "against"}, {"choice": "for"}]
    assert "Nadia" not in export.get_data(as_text=True)
    assert "Karim" not in export.get_data(as_text=True)
