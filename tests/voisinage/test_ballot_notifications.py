"""Ballot and amendment notifications: enqueued in the outbox with the change they announce,
reminders cancelled by a vote, stale notices cancelled by the close, results and decisions told."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.sql_counter import counting
from tests.voisinage.ballots_support import DAY, HOUR, NOW, close, make_group, open_ballot, vote
from voisinage import amendments, ballots, documents
from voisinage.ballot_votes import record_room_votes
from voisinage.db import read_session, unit_of_work
from voisinage.errors import InvalidValue
from voisinage.i18n import translator
from voisinage.models import Member
from voisinage.models.outbox import Notification
from voisinage.outbox import render_amendment_notice, render_ballot_notice
from voisinage.people import add_member
from voisinage.projects import add_household, link_telegram_group
from voisinage.proxies import give_proxy

EN = translator("en")
GROUP_CHAT = -100500


@pytest.fixture
def group(engine):
    return make_group(engine)


def _rows(engine, kind, *, pending=False):
    with read_session(engine) as session:
        statement = select(Notification).where(Notification.kind == kind)
        if pending:
            statement = statement.where(Notification.cancelled_at.is_(None))
        return list(session.exec(statement.order_by(Notification.member_id)))


def _residents(group):
    return sorted(member_id for _, ids in group.households.values() for member_id in ids)


def test_opening_tells_every_resident_and_schedules_a_reminder_a_day_before_the_close(
    engine, group
):
    ballot = open_ballot(engine, group, question="Adopt the charter?", closes_at=NOW + 7 * DAY)
    opened = _rows(engine, "ballot.opened")
    assert [row.member_id for row in opened] == _residents(group)
    assert {row.due_at for row in opened} == {NOW}
    assert render_ballot_notice("ballot.opened", opened[0].params, EN) == (
        "A ballot is open: “Adopt the charter?”. Vote until Monday, March 8, 2027 at 7:00\u202fPM."
    )
    reminders = _rows(engine, "ballot.reminder")
    assert [row.member_id for row in reminders] == _residents(group)
    assert {(row.due_at, row.is_reminder) for row in reminders} == {(NOW + 6 * DAY, True)}
    assert render_ballot_notice("ballot.reminder", reminders[0].params, EN) == (
        "Reminder: your voice has not voted on “Adopt the charter?” yet. "
        "The ballot closes on Monday, March 8, 2027 at 7:00\u202fPM."
    )
    assert ballot.id == opened[0].params["ballot_id"]
    # No group is linked: nothing for a group.
    assert _rows(engine, "ballot.group_opened") == []


def test_a_scheduled_ballot_is_announced_when_it_opens_and_a_short_one_has_no_reminder(
    engine, group
):
    open_ballot(engine, group, opens_at=NOW + DAY, closes_at=NOW + DAY + 12 * HOUR)
    assert {row.due_at for row in _rows(engine, "ballot.opened")} == {NOW + DAY}
    assert _rows(engine, "ballot.reminder") == []
    open_ballot(engine, group, question="No closing time?", closes_at=None)
    [params] = [
        row.params
        for row in _rows(engine, "ballot.opened")
        if row.params["question"] == "No closing time?"
    ][:1]
    assert render_ballot_notice("ballot.opened", params, EN) == (
        "A ballot is open: “No closing time?”. Vote until the facilitators close it."
    )


def test_a_vote_cancels_the_reminders_of_every_member_of_its_voice(engine, group):
    ballot = open_ballot(engine, group, closes_at=NOW + 7 * DAY)
    vote(engine, group, ballot.id, "Nadia", "for")
    # Jeanne gives her voice to Paul, who votes for both.
    with unit_of_work(engine) as session:
        give_proxy(
            session,
            project_id=group.project_id,
            giver_id=group.member("Jeanne"),
            holder_id=group.member("Paul"),
            ballot_id=ballot.id,
        )
    vote(
        engine,
        group,
        ballot.id,
        "Paul",
        "against",
        for_member_ids=[group.member("Paul"), group.member("Jeanne")],
    )
    with unit_of_work(engine) as session:
        record_room_votes(
            session,
            project_id=group.project_id,
            ballot_id=ballot.id,
            votes={group.member("Aïssatou"): "for"},
            actor_id=group.facilitator_id,
            now=NOW + HOUR,
        )
    voted = {"Nadia", "Karim", "Jeanne", "Paul", "Inès", "Aïssatou"}
    pending = {group.names[row.member_id] for row in _rows(engine, "ballot.reminder", pending=True)}
    assert pending == {group.names[m] for m in _residents(group)} - voted
    cancelled = [row for row in _rows(engine, "ballot.reminder") if row.cancelled_at]
    assert {row.cancel_reason for row in cancelled} == {"voted"}


def test_the_close_cancels_stale_notices_and_tells_residents_and_facilitators_the_result(
    engine, group
):
    ballot = open_ballot(engine, group, question="Adopt the charter?", secret=True)
    vote(engine, group, ballot.id, "Nadia", "for")
    close(engine, group, ballot.id, now=NOW + 2 * DAY)
    close(engine, group, ballot.id, now=NOW + 3 * DAY)  # closing twice tells nobody twice
    assert _rows(engine, "ballot.reminder", pending=True) == []
    assert _rows(engine, "ballot.opened", pending=True) == []
    closed = _rows(engine, "ballot.closed")
    assert [row.member_id for row in closed] == sorted([*_residents(group), group.facilitator_id])
    assert {row.due_at for row in closed} == {NOW + 2 * DAY}
    text = render_ballot_notice("ballot.closed", closed[0].params, EN)
    assert text == (
        "The ballot on “Adopt the charter?” is closed: "
        "adopted (1 for, 0 against, 0 abstaining); 1 of 6 voices took part."
    )
    assert "Nadia" not in str(closed[0].params)


def _open_and_close(engine, group) -> tuple[int, int]:
    """Return the SQL statements of opening a ballot and of closing it with its notices."""
    with counting(engine) as opening:
        ballot = open_ballot(engine, group, question="Adopt the charter?", closes_at=NOW + DAY * 7)
    vote(engine, group, ballot.id, "Nadia", "for")
    with counting(engine) as closing:
        close(engine, group, ballot.id, now=NOW + 2 * DAY)
    return len(opening), len(closing)


def test_announcing_costs_the_same_queries_whatever_the_number_of_residents(engine, group):
    small = _open_and_close(engine, group)
    with unit_of_work(engine) as session:
        for number in range(20):
            household = add_household(session, project_id=group.project_id, name=f"Foyer {number}")
            for person in ("A", "B"):
                add_member(
                    session,
                    project_id=group.project_id,
                    display_name=f"{person} {number}",
                    household_id=household.id,
                )
    assert _open_and_close(engine, group) == small
    # Every resident of the grown group was told both times: nobody is left out by the batch.
    assert len(_rows(engine, "ballot.closed")) == 2 * len(_residents(group)) + 40 + 2


def test_ballots_closed_by_their_time_tell_their_result_at_the_closing_time(engine, group):
    ballot = open_ballot(
        engine, group, method="approval", options=["Laundry", "Workshop"], closes_at=NOW + DAY
    )
    vote(engine, group, ballot.id, "Nadia", ["b"])
    with unit_of_work(engine) as session:
        assert ballots.close_due_ballots(session, now=NOW + 2 * DAY) == [ballot.id]
    closed = _rows(engine, "ballot.closed")
    assert {row.due_at for row in closed} == {NOW + DAY}
    assert render_ballot_notice("ballot.closed", closed[0].params, EN).startswith(
        "The ballot on “Adopt the guest room rules?” is closed: adopted: Workshop "
        "(Laundry: 0 approvals; Workshop: 1 approvals)"
    )


def test_a_linked_group_is_told_by_a_row_a_facilitator_on_telegram_holds(engine, group):
    with unit_of_work(engine) as session:
        link_telegram_group(
            session,
            project_id=group.project_id,
            chat_id=GROUP_CHAT,
            actor_id=group.facilitator_id,
        )
    open_ballot(engine, group, question="First?")
    # Nobody to hold the row yet: the facilitator has no Telegram account.
    assert _rows(engine, "ballot.group_opened") == []
    with unit_of_work(engine) as session:
        facilitator = session.get(Member, group.facilitator_id)
        facilitator.telegram_user_id = 4242
        session.add(facilitator)
    open_ballot(engine, group, question="Adopt the charter?", closes_at=NOW + 7 * DAY)
    [row] = _rows(engine, "ballot.group_opened")
    assert (row.member_id, row.params["chat_id"]) == (group.facilitator_id, GROUP_CHAT)
    assert render_ballot_notice("ballot.group_opened", row.params, EN) == (
        "A ballot is open: “Adopt the charter?”. Members vote in private with the bot, "
        "until Monday, March 8, 2027 at 7:00\u202fPM."
    )


@pytest.fixture
def article_id(engine, group):
    with unit_of_work(engine) as session:
        document = documents.create_document(
            session,
            project_id=group.project_id,
            kind="charter",
            title="Charte de bon voisinage",
            actor_id=group.facilitator_id,
        )
        return documents.add_article(
            session,
            project_id=group.project_id,
            document_id=document.id,
            title="Quiet hours",
            text="Quiet from 22:00 to 7:00.",
            actor_id=group.facilitator_id,
        ).id


def _propose(engine, group, article_id, text):
    with unit_of_work(engine) as session:
        return amendments.propose_amendment(
            session,
            project_id=group.project_id,
            article_id=article_id,
            author_id=group.member("Nadia"),
            text=text,
        ).id


def _decision(engine):
    [row] = _rows(engine, "amendment.decided")
    return row.member_id, render_amendment_notice(row.kind, row.params, EN)


@pytest.mark.parametrize("decision", ["version", "option", "rejected"])
def test_the_author_is_told_the_decision_on_their_amendment(engine, group, article_id, decision):
    amendment_id = _propose(engine, group, article_id, "Quiet from 23:00 to 7:00.")
    with unit_of_work(engine) as session:
        common = {
            "project_id": group.project_id,
            "amendment_id": amendment_id,
            "actor_id": group.facilitator_id,
        }
        if decision == "version":
            amendments.accept_as_version(session, **common)
        elif decision == "option":
            ballot = ballots.open_ballot(
                session,
                project_id=group.project_id,
                method="approval",
                article_id=article_id,
                options=[("22:00", "Quiet from 22:00 to 7:00."), ("21:00", "From 21:00.")],
                opens_at=NOW + DAY,
                actor_id=group.facilitator_id,
                now=NOW,
            )
            amendments.accept_as_option(
                session, ballot_id=ballot.id, label="23:00", now=NOW, **common
            )
        else:
            amendments.reject_amendment(session, reason="The lease says 22:00.", **common)
    expected = {
        "version": "Your amendment to “Quiet hours” is accepted: it is now the article's wording.",
        "option": (
            "Your amendment to “Quiet hours” is accepted as an option of the ballot “Quiet hours”."
        ),
        "rejected": "Your amendment to “Quiet hours” is rejected: The lease says 22:00.",
    }
    assert _decision(engine) == (group.member("Nadia"), expected[decision])


def test_a_refused_decision_tells_nobody(engine, group, article_id):
    amendment_id = _propose(engine, group, article_id, "No quiet hours.")
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        amendments.reject_amendment(
            session,
            project_id=group.project_id,
            amendment_id=amendment_id,
            reason="  ",
            actor_id=group.facilitator_id,
        )
    assert _rows(engine, "amendment.decided") == []
