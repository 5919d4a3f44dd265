"""The demo's votes: the charter and vision written, two ballots closed, one open, proxies."""

from __future__ import annotations

from voisinage import db
from voisinage.adopted_documents import adopted_document
from voisinage.amendments import list_amendments
from voisinage.ballot_votes import my_voices
from voisinage.ballots import BallotState, list_ballots, participation
from voisinage.db import unit_of_work
from voisinage.decision_log import decision_log
from voisinage.demo import DEMO_CHARTER, DEMO_VISION, seed_demo
from voisinage.documents import list_comments, list_documents, load_document
from voisinage.models import utcnow


def _seed_twice(engine):
    with unit_of_work(engine) as session:
        demo = seed_demo(session)
    with unit_of_work(engine) as session:
        seed_demo(session)
    return demo


def test_the_demo_closed_ballots_count_as_worked_by_hand(engine):
    demo = _seed_twice(engine)
    with db.read_session(engine) as session:
        log = {d.question: d for d in decision_log(session, project_id=demo.project.id)}
    assert len(log) == 2
    # Named show of hands on « Les espaces communs », one voice per household (12 eligible):
    # for: Lefebvre, Benali, Dubois, Garcia (by proxy, carried by Dubois), Nguyen, Diallo,
    # Vermeulen, Lambert (room) = 8; against: Moreau, Marchand (room) = 2; abstain: Petit = 1;
    # Kaya did not vote. Votes cast = 8 + 2 = 10 (abstention not counted); 8/10 = 4/5 > 1/2:
    # adopted; at least 6 of 10 needed. 11 of 12 took part: 9 online (1 by proxy), 2 in the room.
    named = log["Les espaces communs"]
    assert not named.secret
    assert named.outcome == "adopted"
    figures = named.result["figures"]
    assert (figures["votes_for"], figures["votes_against"], figures["abstentions"]) == (8, 2, 1)
    assert (figures["out_of"], figures["needed"], figures["share"]["fraction"]) == (10, 6, "4/5")
    assert (named.result["took_part"], named.result["eligible"]) == (11, 12)
    assert named.result["channels"] == {"online": 9, "room": 2, "by_proxy": 1}
    # Secret majority judgment between two architects' teams, ten households (two on paper).
    # Atelier Quai Nord, best first: E E E VG VG VG G G FG P → sorted ten grades, the lower
    # median is the 6th (index 5): Very good. Collectif Brique et Bois: E VG VG G G G FG FG P I
    # → 6th grade: Good. Very good > Good, and Very good ≥ Fairly good (the minimum): adopted.
    secret = log["Quelle équipe de maîtrise d'œuvre retenir pour concevoir la résidence ?"]
    assert secret.secret
    assert secret.outcome == "adopted"
    assert secret.options == {"a": "Atelier Quai Nord", "b": "Collectif Brique et Bois"}
    profiles = secret.result["figures"]["profiles"]
    assert [p["counts"] for p in profiles] == [[3, 3, 2, 1, 1, 0, 0], [1, 2, 3, 2, 1, 1, 0]]
    assert [p["majority_grade"] for p in profiles] == ["very_good", "good"]
    assert secret.result["winners"] == ["a"]
    assert secret.result["channels"] == {"online": 8, "room": 2, "by_proxy": 0}


def test_the_demo_adopted_charter_open_consent_ballot_and_contributions(engine):
    demo = _seed_twice(engine)
    project_id = demo.project.id
    with db.read_session(engine) as session:
        documents = {d.title: d for d in list_documents(session, project_id=project_id)}
        assert set(documents) == {DEMO_VISION, DEMO_CHARTER}
        charter = load_document(
            session, project_id=project_id, document_id=documents[DEMO_CHARTER].id
        )
        vision = load_document(
            session, project_id=project_id, document_id=documents[DEMO_VISION].id
        )
        adopted = adopted_document(
            session, project_id=project_id, document_id=documents[DEMO_CHARTER].id
        )
        ballots = list_ballots(session, project_id=project_id)
        open_now = [b for b in ballots if b.state(utcnow()) is BallotState.OPEN]
        figures = participation(session, project_id=project_id, ballot_id=open_now[0].id)
        voices = my_voices(
            session, project_id=project_id, ballot_id=open_now[0].id, member_id=demo.resident.id
        )
        amendments = list_amendments(
            session, project_id=project_id, article_id=charter.articles[3].id
        )
        comments = list_comments(session, project_id=project_id, article_id=charter.articles[0].id)
    assert (len(charter.articles), len(vision.articles)) == (4, 4)
    assert [a.title for a in adopted.articles] == ["Les espaces communs"]
    assert adopted.articles[0].result["figures"]["votes_for"] == 8
    assert len(ballots) == 3
    assert len(open_now) == 1
    assert open_now[0].method == "consent"
    assert open_now[0].question == "Nos décisions"
    assert (figures.took_part, figures.eligible) == (5, 12)
    # The demo resident has not voted yet and holds Foyer Marchand's voice by proxy.
    assert [(v.voice.name, v.by_proxy, v.voted) for v in voices] == [
        ("Foyer Lefebvre", False, False),
        ("Foyer Marchand", True, False),
    ]
    assert len(amendments) == 1
    assert amendments[0].author_id != demo.facilitator.id
    assert len(comments) == 1
