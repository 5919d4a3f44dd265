"""Nudges: exactly those missing are reminded, once a day at most, and every nudge is recorded."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from tests.sql_counter import counting
from tests.voisinage.workshops_support import (
    DAY,
    HOUR,
    HOUSEHOLDS,
    NOW,
    FakeTelegram,
    Group,
    make_group,
)
from voisinage import ballots
from voisinage.ballot_votes import cast_vote
from voisinage.db import read_session, unit_of_work
from voisinage.errors import Forbidden, NotFound
from voisinage.i18n import translator
from voisinage.models import Member, Nudge, NudgeRecipient
from voisinage.models.outbox import Notification
from voisinage.models.workshops import PollSlot
from voisinage.nudge_notices import render_nudge_notice
from voisinage.nudges import (
    KINDS,
    NUDGE_WINDOW,
    RATE_LIMIT,
    RATE_WINDOW,
    AlreadyNudged,
    NudgeRefused,
    nudge,
    nudge_history,
    parse_subject,
)
from voisinage.people import add_member
from voisinage.privacy import export_member_data, forget_member
from voisinage.questionnaire_answers import save_answers
from voisinage.questionnaire_templates import import_questionnaire
from voisinage.questionnaires import close_questionnaire, open_questionnaire
from voisinage.workshop_path import add_step
from voisinage.workshop_polls import SlotInput, answer_poll, open_poll
from voisinage.workshops import current_workshop

# Two days after the group was set up (workshops_support.NOW is a Monday, 09:00 in Paris).
AT = NOW + 2 * DAY
QUESTIONNAIRE = """
format: voisinage.questionnaire
version: 1
title: Attentes ({unit})
respondent_unit: {unit}
questions:
  - key: surface
    kind: number
    label: Surface souhaitée
    min: 10
    max: 200
"""
examples = itertools.count()
EVERYONE = {
    "Nadia",
    "Karim",
    "Jeanne",
    "Linh",
    "Thomas",
    "Paul",
    "Inès",
    "Aïssatou",
    "Sophie",
    "Julien",
}


@pytest.fixture
def group(engine) -> Group:
    return make_group(engine)


def questionnaire(engine, group: Group, unit: str, *, answers=(), drafts=()) -> int:
    """Open a questionnaire closing in a week; `answers` submit, `drafts` save without sending."""
    with unit_of_work(engine) as session:
        view = import_questionnaire(
            session, project_id=group.project_id, text=QUESTIONNAIRE.format(unit=unit)
        )
        open_questionnaire(
            session,
            project_id=group.project_id,
            questionnaire_id=view.id,
            closes_at=NOW + 7 * DAY,
            now=NOW,
        )
    for names, submit in ((answers, True), (drafts, False)):
        for name in names:
            with unit_of_work(engine) as session:
                save_answers(
                    session,
                    project_id=group.project_id,
                    questionnaire_id=view.id,
                    member_id=group.member(name),
                    values={view.questions[0].id: 80},
                    submit=submit,
                    now=NOW + HOUR,
                )
    return view.id


def ballot(engine, group: Group, unit: str = "household", *, voters=(), **settings) -> int:
    settings.setdefault("closes_at", NOW + 7 * DAY)
    with unit_of_work(engine) as session:
        view = ballots.open_ballot(
            session,
            project_id=group.project_id,
            method="threshold",
            question=settings.pop("question", "Adopt the guest room rules?"),
            voting_unit=unit,
            actor_id=group.facilitator_id,
            now=NOW,
            **settings,
        )
    for name in voters:
        with unit_of_work(engine) as session:
            cast_vote(
                session,
                project_id=group.project_id,
                ballot_id=view.id,
                member_id=group.member(name),
                choice="for",
                now=NOW + HOUR,
            )
    return view.id


def poll(engine, group: Group, unit: str = "household", *, answered=()) -> int:
    """Open a poll with one slot, answers until five days after NOW; `answered` say yes."""
    with unit_of_work(engine) as session:
        step = add_step(session, project_id=group.project_id, title="Vision commune", actor_id=None)
        created = open_poll(
            session,
            project_id=group.project_id,
            workshop_id=current_workshop(session, step_id=step.id).id,
            slots=[SlotInput(NOW + 10 * DAY, NOW + 10 * DAY + 3 * HOUR)],
            deadline=NOW + 5 * DAY,
            respondent_unit=unit,
            actor_id=group.facilitator_id,
            now=NOW,
        )
        slot_id = session.exec(select(PollSlot.id).where(PollSlot.poll_id == created.id)).one()
    for name in answered:
        with unit_of_work(engine) as session:
            answer_poll(
                session,
                project_id=group.project_id,
                poll_id=created.id,
                member_id=group.member(name),
                answers={slot_id: "yes"},
                now=NOW + HOUR,
            )
    return created.id


def remind(engine, group: Group, subject: str, *, now=AT, actor_id=None):
    with unit_of_work(engine) as session:
        return nudge(
            session,
            project_id=group.project_id,
            actor_id=actor_id or group.facilitator_id,
            subject=subject,
            now=now,
        )


def reminded(engine, group: Group, kind: str, now=AT) -> set[str]:
    """Return the names of those the bot reminded with `kind`, draining the outbox at `now`."""
    telegram = FakeTelegram(engine)
    telegram.drain(now)
    return {group.names[member_id] for member_id in telegram.received(kind)}


def recorded(engine) -> tuple[int, int, int]:
    with read_session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Nudge, NudgeRecipient, Notification)
        )


def test_a_questionnaire_by_household_reminds_the_residents_of_households_that_have_not_sent(
    engine, group
):
    qid = questionnaire(engine, group, "household", answers=["Nadia"], drafts=["Linh"])
    result = remind(engine, group, f"questionnaire:{qid}")
    missing = EVERYONE - {"Nadia", "Karim"}
    assert result.sent_count == len(missing)
    assert (result.without_telegram, result.skipped) == ((), ())
    # Not the household that sent (Karim too), not the facilitator, not the observer.
    assert reminded(engine, group, "nudge.questionnaire") == missing


def test_a_questionnaire_by_person_reminds_each_resident_who_has_not_sent(engine, group):
    qid = questionnaire(engine, group, "person", answers=["Nadia"], drafts=["Linh"])
    remind(engine, group, f"questionnaire:{qid}")
    assert reminded(engine, group, "nudge.questionnaire") == EVERYONE - {"Nadia"}


@pytest.mark.parametrize(
    ("unit", "spared"), [("household", {"Nadia", "Karim"}), ("person", {"Nadia"})]
)
def test_a_ballot_reminds_the_members_of_the_voices_that_have_not_voted(
    engine, group, unit, spared
):
    bid = ballot(engine, group, unit, voters=["Nadia"])
    remind(engine, group, f"ballot:{bid}")
    assert reminded(engine, group, "nudge.ballot") == EVERYONE - spared


def test_a_poll_reminds_the_households_that_have_not_answered(engine, group):
    pid = poll(engine, group, "household", answered=["Karim", "Jeanne"])
    result = remind(engine, group, f"poll:{pid}")
    # The facilitator is asked too, but is the one pressing the button.
    assert reminded(engine, group, "nudge.poll") == EVERYONE - {"Nadia", "Karim", "Jeanne"}
    assert result.sent_count == 7


def test_the_reminder_names_the_project_the_item_and_its_deadline(engine, group):
    qid = questionnaire(engine, group, "person")
    remind(engine, group, f"questionnaire:{qid}")
    with read_session(engine) as session:
        notice = session.exec(select(Notification)).first()
    text = render_nudge_notice(notice.kind, notice.params, translator("en"))
    assert text == (
        "A reminder from Les Voisins du Quai: the questionnaire “Attentes (person)” waits for "
        "your answers (it closes on Monday, March 8, 2027 at 9:00\u202fAM)."
    )


def test_those_without_telegram_are_listed_to_reach_otherwise_and_recorded(engine, group):
    with unit_of_work(engine) as session:
        for name in ("Jeanne", "Paul"):
            member = session.get(Member, group.member(name))
            member.telegram_user_id = None
            session.add(member)
    qid = questionnaire(engine, group, "person", answers=["Nadia"])
    result = remind(engine, group, f"questionnaire:{qid}")
    assert result.without_telegram == ("Jeanne", "Paul")
    assert result.sent_count == 7
    assert reminded(engine, group, "nudge.questionnaire") == EVERYONE - {"Nadia", "Jeanne", "Paul"}
    with read_session(engine) as session:
        record = session.exec(select(Nudge)).one()
        recipients = session.exec(select(NudgeRecipient.member_id)).all()
    assert (record.sent_count, record.without_telegram_count, record.skipped_count) == (7, 2, 0)
    assert {group.names[m] for m in recipients} == EVERYONE - {"Nadia"}


def test_a_second_nudge_within_24_hours_is_refused_and_says_when_it_becomes_possible(engine, group):
    bid = ballot(engine, group)
    remind(engine, group, f"ballot:{bid}")
    before = recorded(engine)
    with pytest.raises(AlreadyNudged) as refused:
        remind(engine, group, f"ballot:{bid}", now=AT + 23 * HOUR)
    # AT is 09:00 in Paris (UTC+1): the next nudge is possible 24 hours later.
    assert str(refused.value) == (
        "Everyone missing on “Adopt the guest room rules?” was already reminded in the last "
        "24 hours. The next reminder is possible from 2027-03-04 09:00 (Europe/Paris)."
    )
    assert refused.value.next_at == AT + NUDGE_WINDOW
    assert recorded(engine) == before


def test_after_24_hours_the_same_members_can_be_nudged_again(engine, group):
    bid = ballot(engine, group, voters=["Nadia"])
    first = remind(engine, group, f"ballot:{bid}")
    again = remind(engine, group, f"ballot:{bid}", now=AT + NUDGE_WINDOW)
    assert again.sent_count == first.sent_count == 8
    assert reminded(engine, group, "nudge.ballot", now=AT + NUDGE_WINDOW) == EVERYONE - {
        "Nadia",
        "Karim",
    }
    with read_session(engine) as session:
        nudges = select(func.count()).where(Notification.kind == "nudge.ballot")
        assert session.exec(nudges).one() == 16


def test_members_nudged_in_the_last_24_hours_are_skipped_and_named(engine, group):
    bid = ballot(engine, group, "person")
    remind(engine, group, f"ballot:{bid}")
    with unit_of_work(engine) as session:
        newcomer = add_member(session, project_id=group.project_id, display_name="Zoé")
        newcomer.telegram_user_id = 9999
        session.add(newcomer)
    result = remind(engine, group, f"ballot:{bid}", now=AT + 2 * HOUR)
    assert result.sent_count == 1
    assert set(result.skipped) == EVERYONE
    with read_session(engine) as session:
        assert session.exec(
            select(NudgeRecipient.member_id).where(NudgeRecipient.nudge_id == result.nudge_id)
        ).all() == [newcomer.id]


def test_nudges_are_rate_limited_per_project(engine, group):
    ids = [ballot(engine, group, question=f"Question {n}?") for n in range(RATE_LIMIT + 1)]
    for n, bid in enumerate(ids[:RATE_LIMIT]):
        remind(engine, group, f"ballot:{bid}", now=AT + n * timedelta(minutes=1))
    before = recorded(engine)
    with pytest.raises(NudgeRefused) as refused:
        remind(engine, group, f"ballot:{ids[-1]}", now=AT + 30 * timedelta(minutes=1))
    assert str(refused.value) == (
        f"At most {RATE_LIMIT} reminders can be sent per hour in a project. "
        "Try again after 2027-03-03 10:00 (Europe/Paris)."
    )
    assert recorded(engine) == before
    assert remind(engine, group, f"ballot:{ids[-1]}", now=AT + RATE_WINDOW).sent_count == 10


def test_another_projects_item_or_a_forged_subject_is_not_found(engine, group):
    with unit_of_work(engine) as session:
        theirs = ballots.open_ballot(
            session,
            project_id=group.other_project_id,
            method="threshold",
            question="Elsewhere?",
            closes_at=NOW + 7 * DAY,
            now=NOW,
        )
    for subject in (f"ballot:{theirs.id}", "ballot:abc", "vote:1", "ballot:01", "poll:1:x", ""):
        with pytest.raises(NotFound):
            remind(engine, group, subject)
    for kind in ("questionnaire", "poll"):
        with pytest.raises(NotFound):
            remind(engine, group, f"{kind}:{theirs.id}")
    assert recorded(engine)[:2] == (0, 0)


def test_residents_and_observers_cannot_nudge(engine, group):
    bid = ballot(engine, group)
    for actor in (group.member("Nadia"), group.observer_id, group.other_facilitator_id):
        with pytest.raises(Forbidden), unit_of_work(engine) as session:
            nudge(session, project_id=group.project_id, actor_id=actor, subject=f"ballot:{bid}")
    assert recorded(engine)[:2] == (0, 0)


def test_closed_items_and_items_with_nobody_missing_are_refused(engine, group):
    bid = ballot(engine, group)
    qid = questionnaire(engine, group, "person")
    pid = poll(engine, group)
    with unit_of_work(engine) as session:
        ballots.close_ballot(
            session, project_id=group.project_id, ballot_id=bid, actor_id=None, now=NOW + DAY
        )
        close_questionnaire(session, project_id=group.project_id, questionnaire_id=qid)
    refusals = {
        f"ballot:{bid}": "The ballot “Adopt the guest room rules?” is not open: nobody can vote on it now.",
        f"questionnaire:{qid}": "The questionnaire “Attentes (person)” is not open: nobody can answer it now.",
        # Past its deadline (five days after NOW).
        f"poll:{pid}": "The availability poll for “Vision commune” no longer takes answers.",
    }
    for subject, message in refusals.items():
        with pytest.raises(NudgeRefused) as refused:
            remind(engine, group, subject, now=NOW + 6 * DAY)
        assert str(refused.value) == message
    everyone = ballot(engine, group, "person", voters=sorted(EVERYONE), question="All in?")
    with pytest.raises(NudgeRefused) as refused:
        remind(engine, group, f"ballot:{everyone}")
    assert str(refused.value) == "Nobody is missing on “All in?”: there is nobody to remind."
    assert recorded(engine)[:2] == (0, 0)


def test_history_lists_each_items_nudges_newest_first(engine, group):
    bid = ballot(engine, group)
    qid = questionnaire(engine, group, "person")
    first = remind(engine, group, f"ballot:{bid}")
    second = remind(engine, group, f"ballot:{bid}", now=AT + 2 * DAY)
    remind(engine, group, f"questionnaire:{qid}")
    with read_session(engine) as session:
        history = nudge_history(session, project_id=group.project_id)
        only = nudge_history(session, project_id=group.project_id, subjects=[f"ballot:{bid}"])
        other = nudge_history(session, project_id=group.other_project_id)
    assert [r.id for r in history[f"ballot:{bid}"]] == [second.nudge_id, first.nudge_id]
    assert history[f"ballot:{bid}"][0].created_at == AT + 2 * DAY
    assert history[f"ballot:{bid}"][0].sent_by == "Camille"
    assert history[f"ballot:{bid}"][0].sent_count == 10
    assert set(history) == {f"ballot:{bid}", f"questionnaire:{qid}"}
    assert set(only) == {f"ballot:{bid}"}
    assert other == {}


def test_a_members_reminders_are_in_their_export_and_erased_with_them(engine, group):
    bid = ballot(engine, group)
    remind(engine, group, f"ballot:{bid}")
    with read_session(engine) as session:
        data = export_member_data(session, member_id=group.member("Jeanne"))
    assert data["reminders_received"] == [{"about": f"ballot:{bid}", "at": AT.isoformat()}]
    with unit_of_work(engine) as session:
        report = forget_member(session, member_id=group.member("Jeanne"))
    assert "the record of the reminders the facilitators sent you" in report.removed
    with read_session(engine) as session:
        remaining = session.exec(select(NudgeRecipient.member_id)).all()
    assert group.member("Jeanne") not in remaining
    assert len(remaining) == 9


def test_the_queries_do_not_grow_with_the_members(engine, group):
    def count(subject: str, now) -> int:
        with counting(engine) as statements:
            remind(engine, group, subject, now=now)
        return len(statements)

    bid = ballot(engine, group, "person")
    small = count(f"ballot:{bid}", AT)
    with unit_of_work(engine) as session:
        for n in range(30):
            add_member(session, project_id=group.project_id, display_name=f"Voisin {n}")
    assert count(f"ballot:{bid}", AT + NUDGE_WINDOW) == small


def test_two_clicks_at_once_send_one_nudge(engine, group):
    bid = ballot(engine, group, voters=["Nadia"])
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def click() -> None:
        start.wait()
        try:
            outcomes.append(remind(engine, group, f"ballot:{bid}"))
        except AlreadyNudged as refusal:
            outcomes.append(refusal)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "AlreadyNudged",
        "NudgeResult",
    ]
    with read_session(engine) as session:
        recipients = session.exec(select(NudgeRecipient.member_id)).all()
        assert session.exec(select(func.count()).select_from(Nudge)).one() == 1
    assert len(recipients) == len(set(recipients)) == 8
    assert reminded(engine, group, "nudge.ballot") == EVERYONE - {"Nadia", "Karim"}


@given(st.text(max_size=24) | st.builds("{}:{}".format, st.sampled_from(KINDS), st.integers()))
def test_a_subject_is_understood_only_when_it_names_a_kind_and_an_id_exactly(text):
    try:
        kind, item_id = parse_subject(text)
    except NotFound:
        return
    assert kind in KINDS
    assert item_id > 0
    assert f"{kind}:{item_id}" == text


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    unit=st.sampled_from(["household", "person"]),
    voters=st.sets(st.sampled_from(sorted(EVERYONE))),
    offline=st.sets(st.sampled_from(sorted(EVERYONE))),
)
def test_exactly_the_members_of_voices_that_have_not_voted_are_reached(
    engine, unit, voters, offline
):
    group = make_group(engine, suffix=f" {next(examples)}")
    with unit_of_work(engine) as session:
        for name in offline:
            member = session.get(Member, group.member(name))
            member.telegram_user_id = None
            session.add(member)
    bid = ballot(engine, group, unit, voters=sorted(voters))
    if unit == "household":
        missing = {n for people in HOUSEHOLDS.values() if not voters & set(people) for n in people}
    else:
        missing = EVERYONE - voters
    if not missing:
        with pytest.raises(NudgeRefused):
            remind(engine, group, f"ballot:{bid}")
        return
    result = remind(engine, group, f"ballot:{bid}")
    with read_session(engine) as session:
        sent_to = session.exec(
            select(Notification.member_id).where(
                Notification.subject == f"ballot:{bid}", Notification.kind == "nudge.ballot"
            )
        ).all()
        recipients = session.exec(
            select(NudgeRecipient.member_id).where(NudgeRecipient.nudge_id == result.nudge_id)
        ).all()
    assert sorted(group.names[m] for m in sent_to) == sorted(missing - offline)
    assert set(result.without_telegram) == missing & offline
    assert sorted(group.names[m] for m in recipients) == sorted(missing)
