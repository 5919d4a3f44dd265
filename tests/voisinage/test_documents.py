"""Documents and articles: versions, comments, amendments, the adopted text and the log."""

from __future__ import annotations

import pytest

from tests.voisinage.ballots_support import DAY, NOW, close, make_group, open_ballot, vote
from voisinage import adopted_documents, amendments, documents
from voisinage.ballot_results import describe_result
from voisinage.db import read_session, unit_of_work
from voisinage.decision_log import decision_log
from voisinage.errors import Conflict, DomainError, Forbidden, InvalidValue, NotFound
from voisinage.i18n import translator


@pytest.fixture
def group(engine):
    return make_group(engine)


@pytest.fixture
def charter(engine, group):
    """A charter with two articles."""
    with unit_of_work(engine) as session:
        document = documents.create_document(
            session,
            project_id=group.project_id,
            kind="charter",
            title="Charte de bon voisinage",
            actor_id=group.facilitator_id,
        )
        for title, text in (
            ("Guest room", "Book the guest room **a week** ahead."),
            ("Quiet hours", "Quiet from 22:00 to 7:00."),
        ):
            documents.add_article(
                session,
                project_id=group.project_id,
                document_id=document.id,
                title=title,
                text=text,
                actor_id=group.facilitator_id,
            )
    with read_session(engine) as session:
        return documents.load_document(
            session, project_id=group.project_id, document_id=document.id
        )


def test_editing_an_article_keeps_every_previous_wording(engine, group, charter):
    article = charter.articles[0]
    with unit_of_work(engine) as session:
        edited = documents.edit_article(
            session,
            project_id=group.project_id,
            article_id=article.id,
            title="Guest room",
            text="Book the guest room two weeks ahead.",
            actor_id=group.facilitator_id,
        )
        # The same wording again is no new version.
        documents.edit_article(
            session,
            project_id=group.project_id,
            article_id=article.id,
            title="Guest room",
            text="Book the guest room two weeks ahead.\n",
            actor_id=group.facilitator_id,
        )
    assert (edited.number, edited.version) == (1, 2)
    with read_session(engine) as session:
        versions = documents.list_versions(
            session, project_id=group.project_id, article_id=article.id
        )
    assert [(v.number, v.text) for v in versions] == [
        (1, "Book the guest room **a week** ahead."),
        (2, "Book the guest room two weeks ahead."),
    ]


def test_residents_neither_write_documents_nor_reach_another_projects(engine, group, charter):
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        documents.create_document(
            session,
            project_id=group.project_id,
            kind="vision",
            title="Vision",
            actor_id=group.member("Nadia"),
        )
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        documents.edit_article(
            session,
            project_id=group.other_project_id,
            article_id=charter.articles[0].id,
            title="x",
            text="y",
            actor_id=group.other_facilitator_id,
        )
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        documents.create_document(
            session, project_id=group.project_id, kind="minutes", title="Notes"
        )


def test_comments_are_kept_in_order_and_observers_cannot_comment(engine, group, charter):
    article_id = charter.articles[0].id
    with unit_of_work(engine) as session:
        documents.add_comment(
            session,
            project_id=group.project_id,
            article_id=article_id,
            author_id=group.member("Nadia"),
            text="A week is short in summer.",
        )
    with pytest.raises(Forbidden), unit_of_work(engine) as session:
        documents.add_comment(
            session,
            project_id=group.project_id,
            article_id=article_id,
            author_id=group.observer_id,
            text="Hello",
        )
    with read_session(engine) as session:
        comments = documents.list_comments(
            session, project_id=group.project_id, article_id=article_id
        )
    assert [c.text for c in comments] == ["A week is short in summer."]


def _propose(engine, group, article_id, text, author="Nadia"):
    with unit_of_work(engine) as session:
        return amendments.propose_amendment(
            session,
            project_id=group.project_id,
            article_id=article_id,
            author_id=group.member(author),
            text=text,
        ).id


def test_an_amendment_accepted_as_a_version_becomes_the_current_wording(engine, group, charter):
    article = charter.articles[0]
    amendment_id = _propose(engine, group, article.id, "Book the guest room ten days ahead.")
    with unit_of_work(engine) as session:
        decided = amendments.accept_as_version(
            session,
            project_id=group.project_id,
            amendment_id=amendment_id,
            actor_id=group.facilitator_id,
        )
        assert decided.status == "accepted_as_version"
        view = documents.load_article(session, project_id=group.project_id, article_id=article.id)
    assert (view.version, view.text) == (2, "Book the guest room ten days ahead.")
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        amendments.reject_amendment(
            session,
            project_id=group.project_id,
            amendment_id=amendment_id,
            reason="Too late",
            actor_id=group.facilitator_id,
        )


def test_a_rejected_amendment_carries_its_reason_for_the_author(engine, group, charter):
    amendment_id = _propose(engine, group, charter.articles[1].id, "No quiet hours.")
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        amendments.reject_amendment(
            session,
            project_id=group.project_id,
            amendment_id=amendment_id,
            reason="  ",
            actor_id=group.facilitator_id,
        )
    with unit_of_work(engine) as session:
        amendments.reject_amendment(
            session,
            project_id=group.project_id,
            amendment_id=amendment_id,
            reason="The building's rules require them.",
            actor_id=group.facilitator_id,
        )
    with read_session(engine) as session:
        [amendment] = amendments.list_amendments(
            session, project_id=group.project_id, article_id=charter.articles[1].id
        )
    assert (amendment.status, amendment.reason, amendment.author_id) == (
        "rejected",
        "The building's rules require them.",
        group.member("Nadia"),
    )


def test_an_amendment_as_an_option_can_win_and_become_the_article_in_force(engine, group, charter):
    article = charter.articles[0]
    ballot = open_ballot(
        engine,
        group,
        method="majority_judgment",
        question=None,
        article_id=article.id,
        opens_at=NOW + DAY,
        closes_at=NOW + 5 * DAY,
    )
    amendment_id = _propose(engine, group, article.id, "Book the guest room two weeks ahead.")
    with unit_of_work(engine) as session:
        amendments.accept_as_option(
            session,
            project_id=group.project_id,
            amendment_id=amendment_id,
            ballot_id=ballot.id,
            label="Two weeks (Nadia's amendment)",
            actor_id=group.facilitator_id,
            now=NOW,
        )
    for name in ("Nadia", "Jeanne", "Linh"):
        vote(engine, group, ballot.id, name, {"a": "passable", "b": "very_good"}, now=NOW + DAY)
    # Once the ballot has opened, its options are fixed.
    late = _propose(engine, group, article.id, "Book it a month ahead.", author="Jeanne")
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        amendments.accept_as_option(
            session,
            project_id=group.project_id,
            amendment_id=late,
            ballot_id=ballot.id,
            label="A month",
            actor_id=group.facilitator_id,
            now=NOW + DAY,
        )
    close(engine, group, ballot.id, now=NOW + 2 * DAY)
    with read_session(engine) as session:
        adopted = adopted_documents.adopted_document(
            session, project_id=group.project_id, document_id=charter.id
        )
    [in_force] = adopted.articles
    assert (in_force.title, in_force.text, in_force.version) == (
        "Guest room",
        "Book the guest room two weeks ahead.",
        2,
    )


def _adopt(engine, group, article_id, *, closed):
    ballot = open_ballot(engine, group, question=None, article_id=article_id)
    for name in ("Nadia", "Jeanne", "Linh"):
        vote(engine, group, ballot.id, name, "for")
    vote(engine, group, ballot.id, "Paul", "against")
    close(engine, group, ballot.id, now=closed)
    return ballot


def test_the_adopted_document_renders_as_markdown_and_sanitized_html(engine, group, charter):
    _adopt(engine, group, charter.articles[1].id, closed=NOW + 2 * DAY)
    with unit_of_work(engine) as session:
        documents.edit_article(
            session,
            project_id=group.project_id,
            article_id=charter.articles[0].id,
            title="Guest room",
            text='Book ahead. <script>alert("x")</script> [link](javascript:alert(1))',
            actor_id=group.facilitator_id,
        )
    _adopt(engine, group, charter.articles[0].id, closed=NOW + 3 * DAY)
    with read_session(engine) as session:
        adopted = adopted_documents.adopted_document(
            session, project_id=group.project_id, document_id=charter.id
        )
    english = translator("en")
    markdown = adopted_documents.to_markdown(adopted, english)
    assert markdown == (
        "# Charte de bon voisinage\n\n"
        "## 1. Guest room\n\n"
        'Book ahead. <script>alert("x")</script> [link](javascript:alert(1))\n\n'
        "*Adopted on March 4, 2027 by for / against / abstain: adopted (3 for, 1 against,"
        " 0 abstaining); 4 of 6 voices took part.*\n\n"
        "## 2. Quiet hours\n\n"
        "Quiet from 22:00 to 7:00.\n\n"
        "*Adopted on March 3, 2027 by for / against / abstain: adopted (3 for, 1 against,"
        " 0 abstaining); 4 of 6 voices took part.*\n"
    )
    page = adopted_documents.to_html(adopted, english)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript' not in page
    assert "<h2>2. Quiet hours</h2>" in page


def test_the_decision_log_lists_every_closed_ballot_with_its_figures(engine, group, charter):
    _adopt(engine, group, charter.articles[1].id, closed=NOW + 2 * DAY)
    missed = open_ballot(engine, group, question="Paint the door red?", quorum=1)
    vote(engine, group, missed.id, "Nadia", "for")
    close(engine, group, missed.id, now=NOW + 3 * DAY)
    open_ballot(engine, group, question="Still open?")
    with read_session(engine) as session:
        log = decision_log(session, project_id=group.project_id)
    assert [(d.question, d.outcome, d.document) for d in log] == [
        ("Paint the door red?", "no_quorum", None),
        ("Quiet hours", "adopted", "Charte de bon voisinage"),
    ]
    assert log[1].wording == "Quiet from 22:00 to 7:00."
    assert describe_result(log[0].result, translator("en")) == (
        "not adopted: quorum not reached, 1 of 6 took part, 6 needed"
        " (1 for, 0 against, 0 abstaining)"
    )


def test_bad_texts_are_refused_before_anything_is_written(engine, group, charter):
    with pytest.raises(DomainError) as refused, unit_of_work(engine) as session:
        documents.add_article(
            session,
            project_id=group.project_id,
            document_id=charter.id,
            title="Empty",
            text="   ",
            actor_id=group.facilitator_id,
        )
    assert str(refused.value) == "Please write the text."
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        amendments.propose_amendment(
            session,
            project_id=group.project_id,
            article_id=charter.articles[0].id,
            author_id=group.member("Nadia"),
            text="Book the guest room **a week** ahead.",
        )
    with read_session(engine) as session:
        assert (
            len(
                documents.load_document(
                    session, project_id=group.project_id, document_id=charter.id
                ).articles
            )
            == 2
        )
        assert (
            amendments.list_amendments(
                session, project_id=group.project_id, article_id=charter.articles[0].id
            )
            == []
        )
