"""The two services the web door added: a member's proxies, and moving an article."""

from __future__ import annotations

import pytest

from tests.voisinage.ballots_support import DAY, HOUR, NOW, close, make_group, open_ballot, vote
from voisinage import ballot_overview, documents, proxies
from voisinage.db import read_session, unit_of_work
from voisinage.errors import Forbidden, NotFound


@pytest.fixture
def group(engine):
    return make_group(engine, voting_unit="person")


def test_a_member_sees_the_proxies_they_gave_and_hold_until_revoked(engine, group):
    with unit_of_work(engine) as session:
        given = proxies.give_proxy(
            session,
            project_id=group.project_id,
            giver_id=group.member("Jeanne"),
            holder_id=group.member("Nadia"),
            now=NOW,
        )
    with read_session(engine) as session:
        for name in ("Jeanne", "Nadia"):
            rows = proxies.proxies_of(
                session, project_id=group.project_id, member_id=group.member(name)
            )
            assert [(p.id, giver, holder) for p, giver, holder in rows] == [
                (given.id, "Jeanne", "Nadia")
            ]
        assert (
            proxies.proxies_of(session, project_id=group.project_id, member_id=group.member("Paul"))
            == []
        )
        with pytest.raises(NotFound):
            proxies.proxies_of(
                session, project_id=group.other_project_id, member_id=group.member("Paul")
            )
    with unit_of_work(engine) as session:
        proxies.revoke_proxy(
            session, project_id=group.project_id, proxy_id=given.id, actor_id=group.member("Jeanne")
        )
    with read_session(engine) as session:
        assert (
            proxies.proxies_of(
                session, project_id=group.project_id, member_id=group.member("Nadia")
            )
            == []
        )


def _charter(engine, group):
    with unit_of_work(engine) as session:
        document = documents.create_document(
            session,
            project_id=group.project_id,
            kind="charter",
            title="Charte",
            actor_id=group.facilitator_id,
        )
        ids = [
            documents.add_article(
                session,
                project_id=group.project_id,
                document_id=document.id,
                title=title,
                text=f"Texte {title}",
                actor_id=group.facilitator_id,
            ).id
            for title in ("Bruit", "Jardin", "Parking")
        ]
    return document.id, ids


def _titles(engine, group, document_id):
    with read_session(engine) as session:
        view = documents.load_document(
            session, project_id=group.project_id, document_id=document_id
        )
        return [article.title for article in view.articles]


def test_a_facilitator_moves_an_article_up_and_down(engine, group):
    document_id, (noise, garden, parking) = _charter(engine, group)

    def move(article_id, offset):
        with unit_of_work(engine) as session:
            return documents.move_article(
                session,
                project_id=group.project_id,
                article_id=article_id,
                offset=offset,
                actor_id=group.facilitator_id,
            )

    assert move(parking, -1).number == 2
    assert _titles(engine, group, document_id) == ["Bruit", "Parking", "Jardin"]
    move(noise, 1)
    assert _titles(engine, group, document_id) == ["Parking", "Bruit", "Jardin"]
    move(garden, 1)  # already last: nothing moves
    assert _titles(engine, group, document_id) == ["Parking", "Bruit", "Jardin"]


def test_only_a_facilitator_of_the_project_moves_an_article(engine, group):
    document_id, (noise, _, _) = _charter(engine, group)
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        documents.move_article(
            session,
            project_id=group.project_id,
            article_id=noise,
            offset=1,
            actor_id=group.member("Nadia"),
        )
    with pytest.raises((NotFound, Forbidden)), unit_of_work(engine) as session:
        documents.move_article(
            session,
            project_id=group.other_project_id,
            article_id=noise,
            offset=1,
            actor_id=group.other_facilitator_id,
        )
    assert _titles(engine, group, document_id) == ["Bruit", "Jardin", "Parking"]


def test_the_open_ballots_at_a_glance_say_whether_the_members_voice_voted(engine):
    group = make_group(engine, voting_unit="household")
    nadia, karim = group.member("Nadia"), group.member("Karim")
    household_id = group.households["Foyer Benali"][0]
    later = NOW + HOUR
    by_household = open_ballot(engine, group, opens_at=NOW)
    by_person = open_ballot(engine, group, opens_at=NOW, voting_unit="person")
    open_ballot(engine, group, opens_at=NOW + DAY)  # scheduled: not listed
    closed = open_ballot(engine, group, opens_at=NOW)
    close(engine, group, closed.id)
    vote(engine, group, by_household.id, "Karim", "for", now=later)
    vote(engine, group, by_person.id, "Karim", "for", now=later)

    def lines(member_id, role="resident"):
        with read_session(engine) as session:
            return [
                (line.id, line.voted)
                for line in ballot_overview.open_ballot_lines(
                    session,
                    project_id=group.project_id,
                    member_id=member_id,
                    role=role,
                    household_id=household_id,
                    now=later,
                )
            ]

    # Karim's vote is his household's in one ballot, his own in the other.
    assert sorted(lines(nadia)) == sorted([(by_household.id, True), (by_person.id, False)])
    assert sorted(lines(karim)) == sorted([(by_household.id, True), (by_person.id, True)])
    assert {voted for _, voted in lines(group.facilitator_id, role="facilitator")} == {None}
