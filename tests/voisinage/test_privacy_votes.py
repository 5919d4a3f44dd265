"""A resident's votes, proxies, amendments and comments: in their export, and when they leave."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from tests.voisinage.ballots_support import HOUR, NOW, close, make_group, open_ballot, vote
from voisinage import amendments, documents
from voisinage.ballot_exports import export_ballot, matches_recorded, read_export, recount
from voisinage.db import read_session, unit_of_work
from voisinage.models import (
    Amendment,
    ArticleComment,
    ArticleVersion,
    Ballot,
    BallotChoice,
    BallotParticipation,
    Proxy,
)
from voisinage.privacy import export_member_data, forget_member
from voisinage.proxies import give_proxy


@pytest.fixture
def group(engine):
    return make_group(engine, voting_unit="person")


def _export(engine, member_id):
    with read_session(engine) as session:
        return json.loads(json.dumps(export_member_data(session, member_id=member_id)))


def _forget(engine, member_id):
    with unit_of_work(engine) as session:
        return forget_member(session, member_id=member_id)


def _recount_matches(engine, group, ballot_id) -> tuple[bool | None, dict]:
    with read_session(engine) as session:
        data = export_ballot(
            session, project_id=group.project_id, ballot_id=ballot_id, viewer_id=None
        )
    data = json.loads(json.dumps(data))
    export = read_export(data)
    return matches_recorded(export, recount(export)), data


def _choices(engine, ballot_id):
    with read_session(engine) as session:
        return session.exec(
            select(BallotChoice.member_id, BallotChoice.value).where(
                BallotChoice.ballot_id == ballot_id
            )
        ).all()


def test_the_export_holds_named_choices_and_never_what_a_secret_ballot_hides(engine, group):
    named = open_ballot(engine, group, question="Adopt the garden rules?")
    secret = open_ballot(engine, group, question="Hire the architect?", secret=True)
    vote(engine, group, named.id, "Nadia", "for")
    vote(engine, group, secret.id, "Nadia", "against")
    with unit_of_work(engine) as session:
        give_proxy(
            session,
            project_id=group.project_id,
            giver_id=group.member("Jeanne"),
            holder_id=group.member("Nadia"),
            ballot_id=named.id,
            now=NOW,
        )
    vote(engine, group, named.id, "Nadia", "for", for_member_ids=[group.member("Jeanne")])

    open_data = _export(engine, group.member("Nadia"))
    by_question = {entry["ballot"]: entry for entry in open_data["ballots"]}
    assert by_question["Adopt the garden rules?"]["choice"] == "for"
    assert by_question["Adopt the garden rules?"]["channel"] == "online"
    # While open, a secret ballot says "you voted", never the choice nor the tag that finds it.
    assert "choice" not in by_question["Hire the architect?"]
    with read_session(engine) as session:
        tag = session.exec(
            select(BallotChoice.voice_tag).where(col(BallotChoice.voice_tag).is_not(None))
        ).first()
    assert tag
    assert tag not in json.dumps(open_data)
    assert "against" not in json.dumps(open_data)
    assert open_data["proxies_held"] == [
        {
            "member": "Jeanne",
            "ballot": "Adopt the garden rules?",
            "given_at": open_data["proxies_held"][0]["given_at"],
            "revoked_at": None,
        }
    ]
    jeanne = _export(engine, group.member("Jeanne"))
    assert [p["member"] for p in jeanne["proxies_given"]] == ["Nadia"]
    # Jeanne's voice, cast by Nadia with the proxy: in Jeanne's export, not in Nadia's.
    [jeanne_vote] = jeanne["ballots"]
    assert (jeanne_vote["by_proxy"], jeanne_vote["cast_by_you"], jeanne_vote["choice"]) == (
        True,
        False,
        "for",
    )
    assert len(open_data["ballots"]) == 2

    close(engine, group, named.id)
    close(engine, group, secret.id)
    closed_data = _export(engine, group.member("Nadia"))
    assert {e["ballot"]: e.get("choice") for e in closed_data["ballots"]} == {
        "Adopt the garden rules?": "for",
        "Hire the architect?": None,
    }
    assert "against" not in json.dumps(closed_data)


def _documents(engine, group):
    """An article with a comment, a pending and a rejected amendment, and a wording by Nadia."""
    nadia = group.member("Nadia")
    with unit_of_work(engine) as session:
        document = documents.create_document(
            session,
            project_id=group.project_id,
            kind="charter",
            title="Charte",
            actor_id=group.facilitator_id,
        )
        article = documents.add_article(
            session,
            project_id=group.project_id,
            document_id=document.id,
            title="Invités",
            text="Les invités sont bienvenus.",
            actor_id=group.facilitator_id,
        )
        documents.add_comment(
            session,
            project_id=group.project_id,
            article_id=article.id,
            author_id=nadia,
            text="Combien de nuits ?",
        )
        rejected = amendments.propose_amendment(
            session,
            project_id=group.project_id,
            article_id=article.id,
            author_id=nadia,
            text="Les invités sont bienvenus trois nuits.",
        )
        amendments.reject_amendment(
            session,
            project_id=group.project_id,
            amendment_id=rejected.id,
            reason="Trop court.",
            actor_id=group.facilitator_id,
        )
        amendments.propose_amendment(
            session,
            project_id=group.project_id,
            article_id=article.id,
            author_id=nadia,
            text="Les invités sont bienvenus une semaine.",
        )
        documents.add_version(
            session,
            article_id=article.id,
            title="Invités",
            text="Les invités sont bienvenus deux semaines.",
            author_id=nadia,
        )
    return article.id


def test_the_export_holds_amendments_comments_and_wordings(engine, group):
    _documents(engine, group)
    data = _export(engine, group.member("Nadia"))
    assert [c["text"] for c in data["comments"]] == ["Combien de nuits ?"]
    assert [(a["status"], a["reason"]) for a in data["amendments"]] == [
        ("rejected", "Trop court."),
        ("proposed", ""),
    ]
    assert [(v["version"], v["text"]) for v in data["article_versions"]] == [
        (2, "Les invités sont bienvenus deux semaines.")
    ]
    assert data["amendments"][0]["document"] == "Charte"


def test_forgetting_a_member_keeps_closed_results_recountable(engine, group):
    names = {"Nadia": "for", "Jeanne": "against", "Linh": "for"}
    named = open_ballot(engine, group, question="Named")
    secret = open_ballot(engine, group, question="Secret", secret=True)
    for ballot in (named, secret):
        for name, choice in names.items():
            vote(engine, group, ballot.id, name, choice)
        close(engine, group, ballot.id)
    still_open = open_ballot(engine, group, question="Open named")
    still_secret = open_ballot(engine, group, question="Open secret", secret=True)
    for ballot in (still_open, still_secret):
        for name, choice in names.items():
            vote(engine, group, ballot.id, name, choice, now=NOW + 3 * HOUR)
    nadia = group.member("Nadia")
    with read_session(engine) as session:
        recorded = {
            b.id: b.result
            for b in session.exec(select(Ballot).where(col(Ballot.closed_at).is_not(None)))
        }

    report = _forget(engine, nadia)

    assert "your votes in ballots not closed yet: they no longer count" in report.removed
    assert any(
        line.startswith("the record of the closed ballots you voted in") for line in report.removed
    )
    for ballot in (named, secret):
        matches, data = _recount_matches(engine, group, ballot.id)
        assert matches is True
        assert data["result"] == recorded[ballot.id]
        assert sorted(p["choice"] for p in data["ballots"]) == ["against", "for", "for"]
    # The named paper stays, without her name; the export names nobody for it.
    assert sorted(_choices(engine, named.id), key=str) == sorted(
        [(None, "for"), (group.member("Jeanne"), "against"), (group.member("Linh"), "for")],
        key=str,
    )
    _, data = _recount_matches(engine, group, named.id)
    assert sorted(p["voice"] for p in data["ballots"]) == ["", "Jeanne", "Linh"]
    # Open ballots count her no more, the secret one too (its paper found through the tag).
    assert sorted(v for _, v in _choices(engine, still_open.id)) == ["against", "for"]
    assert sorted(v for _, v in _choices(engine, still_secret.id)) == ["against", "for"]
    with read_session(engine) as session:
        assert (
            session.exec(
                select(BallotParticipation).where(BallotParticipation.member_id == nadia)
            ).all()
            == []
        )
    close(engine, group, still_secret.id, now=NOW + 4 * HOUR)
    matches, data = _recount_matches(engine, group, still_secret.id)
    assert matches is True
    assert data["result"]["took_part"] == 2


def test_forgetting_a_member_removes_proxies_comments_and_undecided_amendments(engine, group):
    article_id = _documents(engine, group)
    nadia = group.member("Nadia")
    with unit_of_work(engine) as session:
        for giver, holder in ((nadia, group.member("Jeanne")), (group.member("Linh"), nadia)):
            give_proxy(
                session, project_id=group.project_id, giver_id=giver, holder_id=holder, now=NOW
            )

    report = _forget(engine, nadia)

    for line in (
        "the proxies you gave and those you held",
        "your comments on the documents",
        "the amendments you proposed that were not decided yet",
    ):
        assert line in report.removed
    assert (
        "the decided amendments and the article wordings you wrote, without your name, "
        "because they are part of the group's documents"
    ) in report.kept
    with read_session(engine) as session:
        assert session.exec(select(Proxy)).all() == []
        assert session.exec(select(ArticleComment)).all() == []
        assert session.exec(select(Amendment.status, Amendment.author_id)).all() == [
            ("rejected", None)
        ]
        assert session.exec(
            select(ArticleVersion.number, ArticleVersion.author_id)
            .where(ArticleVersion.article_id == article_id)
            .order_by(ArticleVersion.number)
        ).all() == [(1, group.facilitator_id), (2, None)]


def test_household_votes_stay_with_the_household(engine):
    group = make_group(engine, voting_unit="household")
    ballot = open_ballot(engine, group)
    vote(engine, group, ballot.id, "Nadia", "for")
    close(engine, group, ballot.id)
    still_open = open_ballot(engine, group, question="Open")
    vote(engine, group, still_open.id, "Nadia", "against", now=NOW + 3 * HOUR)

    report = _forget(engine, group.member("Nadia"))

    assert report.kept[-1] == (
        "the votes you cast for your household or with a proxy, which belong to them, "
        "without your name"
    )
    assert not any("ballots" in line for line in report.removed)
    household = group.households["Foyer Benali"][0]
    with read_session(engine) as session:
        rows = session.exec(
            select(BallotParticipation.household_id, BallotParticipation.cast_by_id)
        ).all()
    assert rows == [(household, None), (household, None)]
    assert _choices(engine, still_open.id) == [(None, "against")]
    karim = _export(engine, group.member("Karim"))
    assert [v["choice"] for v in karim["ballots"]] == ["for", "against"]


def test_a_member_without_votes_gets_no_vote_lines(engine, group):
    report = _forget(engine, group.member("Sophie"))
    assert len(report.removed) == 4
    assert len(report.kept) == 2
