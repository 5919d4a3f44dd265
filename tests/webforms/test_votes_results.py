"""Results and room counts on the web: who chose what for named ballots only, paper counts."""

from __future__ import annotations

import re

import pytest

from tests.webforms.votes_support import close, neighbour, open_ballot, rows
from voisinage.ballot_votes import cast_vote
from voisinage.ballots import open_ballot as open_in_project
from voisinage.db import unit_of_work
from voisinage.people import add_member
from voisinage.projects import add_household


def _url(project, path=""):
    return f"/p/{project.slug}{path}"


def _vote(engine, world, ballot_id, member, choice):
    with unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=world.project.id,
            ballot_id=ballot_id,
            member_id=member.id,
            choice=choice,
        )


def _results(web, world, ballot_id) -> str:
    page = web.get(_url(world.project, f"/votes/{ballot_id}/results"))
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _people(engine, world, *names):
    """Add residents, each in a household of their own, in the world's project."""
    with unit_of_work(engine) as session:
        return [
            add_member(
                session,
                project_id=world.project.id,
                display_name=name,
                household_id=add_household(
                    session, project_id=world.project.id, name=f"Foyer {name}"
                ).id,
            )
            for name in names
        ]


@pytest.mark.parametrize("secret", [False, True])
def test_the_results_show_who_chose_what_for_named_ballots_only(web, world, engine, secret):
    karim = neighbour(engine, world)
    ballot = open_ballot(engine, world, voting_unit="person", secret=secret)
    _vote(engine, world, ballot.id, world.resident, "for")
    _vote(engine, world, ballot.id, karim, "against")
    close(engine, world, ballot.id)
    web.sign_in(world.facilitator)
    page = _results(web, world, ballot.id)
    assert "1 for, 1 against" in page
    if secret:
        assert 'class="named-votes"' not in page
        assert "who chose what" not in page
        # No voter's name appears anywhere near a choice: neither name is on the page at all.
        assert "Nadia" not in page
        assert "Karim" not in page
    else:
        table = page.split('<table class="named-votes">')[1].split("</table>")[0]
        assert "Named ballot: who chose what" in table
        cells = re.findall(r"<tr><th scope=\"row\">([^<]+)</th>\s*<td>([^<]+)</td>", table)
        assert cells == [("Karim", "Against"), ("Nadia", "For")]


def test_a_named_consent_and_approval_table_reads_in_words(web, world, engine):
    karim = neighbour(engine, world)
    consent = open_ballot(engine, world, method="consent", voting_unit="person")
    _vote(engine, world, consent.id, world.resident, {"choice": "objection", "reason": "Trop tôt"})
    _vote(engine, world, consent.id, karim, {"choice": "stand_aside"})
    approval = open_ballot(
        engine, world, method="approval", options=["Potager", "Verger"], voting_unit="person"
    )
    _vote(engine, world, approval.id, world.resident, ["a", "b"])
    _vote(engine, world, approval.id, karim, [])
    close(engine, world, consent.id)
    close(engine, world, approval.id)
    web.sign_in(world.resident)
    assert "<td>Objection: Trop tôt</td>" in _results(web, world, consent.id)
    page = _results(web, world, approval.id)
    assert "<td>Potager, Verger</td>" in page
    assert "<td>No option</td>" in page


def _post_room(web, world, ballot_id, data):
    return web.post(_url(world.project, f"/votes/{ballot_id}/room"), data)


ROOM_FIELDS = [
    ("threshold", 'name="count-against"'),
    ("consent", 'name="objections"'),
    ("approval", 'name="count-b"'),
    ("majority_judgment", 'name="count-b-to_reject"'),
    ("ranked", 'name="paper5-rank-b"'),
]


@pytest.mark.parametrize(("method", "field"), ROOM_FIELDS)
def test_the_room_page_counts_secret_papers_for_every_method(web, world, engine, method, field):
    options = [] if method in ("threshold", "consent") else ["Potager", "Verger"]
    ballot = open_ballot(engine, world, method=method, options=options, secret=True)
    web.sign_in(world.facilitator)
    page = web.get(_url(world.project, f"/votes/{ballot.id}/room"))
    assert page.status_code == 200
    assert field in page.get_data(as_text=True)


def test_consent_papers_with_an_objection_block_and_show_its_reason(web, world, engine):
    people = _people(engine, world, "Jeanne", "Linh", "Paul")
    ballot = open_ballot(engine, world, method="consent", secret=True)
    web.sign_in(world.facilitator)
    response = _post_room(
        web,
        world,
        ballot.id,
        {
            "present": [str(p.id) for p in people],
            "count-consent": "1",
            "count-stand_aside": "1",
            "objections": "\nLe local vélos est trop petit.\n",
        },
    )
    assert response.status_code == 302
    close(engine, world, ballot.id)
    page = _results(web, world, ballot.id)
    assert "not adopted: blocked by 1 objection(s) (1 consent, 1 object, 1 stand aside)" in page
    assert "<li>Le local vélos est trop petit.</li>" in page


def test_approval_papers_counted_per_option_decide_the_result(web, world, engine):
    people = _people(engine, world, "Jeanne", "Linh", "Paul")
    ballot = open_ballot(
        engine, world, method="approval", options=["Potager", "Verger"], secret=True
    )
    _vote(engine, world, ballot.id, world.resident, ["b"])
    web.sign_in(world.facilitator)
    page = web.get(_url(world.project, f"/votes/{ballot.id}/room")).get_data(as_text=True)
    assert "Approvals per option" in page
    response = _post_room(
        web,
        world,
        ballot.id,
        {"present": [str(p.id) for p in people], "count-a": "3", "count-b": "1"},
    )
    assert response.status_code == 302
    close(engine, world, ballot.id)
    page = _results(web, world, ballot.id)
    # Online: Verger 1. Papers: Potager 3, Verger 1. Potager 3 > Verger 2.
    assert "adopted: Potager (Potager: 3 approvals; Verger: 2 approvals)" in page
    assert "(1 online, 3 in the room, 0 by proxy)" in page


def test_majority_judgment_grade_counts_change_the_winner(web, world, engine):
    people = _people(engine, world, "Jeanne", "Linh", "Paul")
    ballot = open_ballot(
        engine, world, method="majority_judgment", options=["Atelier", "Collectif"], secret=True
    )
    _vote(engine, world, ballot.id, world.resident, {"a": "good", "b": "passable"})
    web.sign_in(world.facilitator)
    response = _post_room(
        web,
        world,
        ballot.id,
        {
            "present": [str(p.id) for p in people],
            "count-a-passable": "3",
            "count-b-very_good": "2",
            "count-b-excellent": "1",
        },
    )
    assert response.status_code == 302
    close(engine, world, ballot.id)
    web.sign_in(world.resident)
    page = _results(web, world, ballot.id)
    # Online alone, Atelier (Good) would beat Collectif (Passable). With the papers, four
    # grades each, best first: Atelier G P P P → lower median (2nd) Passable; Collectif
    # E VG VG P → Very good. Collectif wins.
    assert "adopted: Collectif (Atelier: Passable; Collectif: Very good)" in page


def test_ranked_piles_of_papers_elect_the_condorcet_winner(web, world, engine):
    people = _people(engine, world, "Jeanne", "Linh", "Paul")
    ballot = open_ballot(
        engine, world, method="ranked", options=["Nord", "Sud", "Est"], secret=True
    )
    _vote(engine, world, ballot.id, world.resident, ["a", "b", "c"])
    web.sign_in(world.facilitator)
    response = _post_room(
        web,
        world,
        ballot.id,
        {
            "present": [str(p.id) for p in people],
            "paper0-rank-b": "1",
            "paper0-rank-c": "2",
            "paper0-rank-a": "3",
            "paper0-count": "3",
        },
    )
    assert response.status_code == 302
    close(engine, world, ballot.id)
    page = _results(web, world, ballot.id)
    # Papers: Sud > Est > Nord ×3; online: Nord > Sud > Est. Duels: Sud–Nord 3–1, Sud–Est 4–0,
    # Est–Nord 3–1: Sud is the Condorcet winner, then Est, then Nord.
    assert "adopted: Sud (Sud &gt; Est &gt; Nord); 4 of 4 voices took part; 3 in the room" in page


BAD_COUNTS = [
    ("threshold", {"count-for": "-1"}, "A count is a whole number, zero or more."),
    ("approval", {"count-a": "4"}, "Potager has 4 approvals for 3 paper ballots."),
    ("majority_judgment", {"count-a-good": "2"}, "Potager has 2 grades for 3 paper ballots"),
    ("ranked", {"paper0-rank-a": "1", "paper0-count": "x"}, "A count is a whole number"),
]


@pytest.mark.parametrize(("method", "data", "message"), BAD_COUNTS)
def test_bad_counts_are_refused_and_write_nothing(web, world, engine, method, data, message):
    people = _people(engine, world, "Jeanne", "Linh", "Paul")
    ballot = open_ballot(
        engine,
        world,
        method=method,
        options=[] if method == "threshold" else ["Potager", "Verger"],
        secret=True,
    )
    web.sign_in(world.facilitator)
    before = rows(engine)
    response = _post_room(web, world, ballot.id, {"present": [str(p.id) for p in people], **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert rows(engine) == before


def test_more_papers_than_voices_not_yet_voted_are_refused(web, world, engine):
    people = _people(engine, world, "Jeanne", "Linh", "Paul")
    ballot = open_ballot(engine, world, secret=True)
    _vote(engine, world, ballot.id, world.resident, "for")
    web.sign_in(world.facilitator)
    before = rows(engine)
    # Every voice left is ticked (3): four papers are one too many.
    response = _post_room(
        web,
        world,
        ballot.id,
        {"present": [str(p.id) for p in people], "count-for": "2", "count-against": "2"},
    )
    assert response.status_code == 422
    assert "There are 4 paper ballots for 3 voices: the numbers must match." in (
        response.get_data(as_text=True)
    )
    assert rows(engine) == before


def test_a_bad_count_is_refused_in_the_projects_language(other_web, world, engine):
    with unit_of_work(engine) as session:
        ballot_id = _open_in_other_project(session, world)
    other_web.sign_in(world.other_facilitator)
    before = rows(engine)
    response = other_web.post(
        _url(world.other_project, f"/votes/{ballot_id}/room"),
        {"present": [str(world.other_resident.id)], "count-for": "-2"},
    )
    assert response.status_code == 422
    assert "Un décompte est un nombre entier, zéro ou plus." in response.get_data(as_text=True)
    assert rows(engine) == before


def _open_in_other_project(session, world):
    return open_in_project(
        session,
        project_id=world.other_project.id,
        method="threshold",
        question="Adopter la charte ?",
        secret=True,
        actor_id=world.other_facilitator.id,
    ).id
