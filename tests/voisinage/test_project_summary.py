"""The project summary: its figures by hand, its secrecy, and its fixed number of queries."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction

import pytest

from tests.sql_counter import counting
from tests.voisinage.ballots_support import (
    DAY,
    HOUR,
    NOW,
    Group,
    close,
    make_group,
    open_ballot,
    vote,
)
from voisinage import ballots, documents
from voisinage.amendments import propose_amendment
from voisinage.ballot_votes import cast_vote
from voisinage.db import read_session, unit_of_work
from voisinage.demo import DEMO_HOUSEHOLDS, seed_demo
from voisinage.errors import Forbidden
from voisinage.exports import export_project
from voisinage.models import utcnow
from voisinage.people import add_member
from voisinage.project_summary import project_summary, resident_summary, summary_data
from voisinage.projects import add_household
from voisinage.questionnaire_answers import save_answers
from voisinage.questionnaire_templates import import_questionnaire
from voisinage.questionnaires import open_questionnaire
from voisinage.workshop_path import add_step
from voisinage.workshop_polls import SlotInput, answer_poll, open_poll
from voisinage.workshop_records import record_attendance
from voisinage.workshop_rsvps import rsvp, set_capacity
from voisinage.workshop_schedule import schedule_workshop
from voisinage.workshops import current_workshop

# The summary is read three days after the ballots opened; "since" is when they opened.
AT = NOW + 3 * DAY
SINCE = NOW
SECRET_WORDS = ["Piscine secrète", "Sauna caché", "Jardin confidentiel", "Vélo confidentiel"]

QUESTIONNAIRE = """
format: voisinage.questionnaire
version: 1
title: {title}
respondent_unit: {unit}
questions:
  - key: surface
    kind: number
    label: Surface souhaitée
    min: 10
    max: 200
"""


def _workshop(session, group: Group, title: str) -> int:
    step = add_step(session, project_id=group.project_id, title=title, actor_id=None)
    return current_workshop(session, step_id=step.id).id


def _schedule(session, group, workshop_id, starts_at, *, now=NOW) -> None:
    schedule_workshop(
        session,
        project_id=group.project_id,
        workshop_id=workshop_id,
        starts_at=starts_at,
        ends_at=starts_at + 3 * HOUR,
        place="Salle commune",
        actor_id=None,
        now=now,
    )


def build_path(engine, group: Group) -> dict[str, int]:
    """Five steps: held, scheduled with a waiting list, polled, ended unrecorded, poll overdue."""
    ids = {}
    with unit_of_work(engine) as session:
        # Held a day after NOW, 2 members and 1 guest: attendance 3.
        ids["held"] = held = _workshop(session, group, "Visite")
        _schedule(session, group, held, NOW + DAY)
        record_attendance(
            session,
            project_id=group.project_id,
            workshop_id=held,
            member_ids=[group.member("Nadia"), group.member("Jeanne")],
            guests=1,
            actor_id=None,
            now=NOW + DAY + 4 * HOUR,
        )
        # Scheduled in five days, room for 4 people.
        ids["scheduled"] = scheduled = _workshop(session, group, "Vision commune")
        _schedule(session, group, scheduled, AT + 5 * DAY)
        set_capacity(
            session,
            project_id=group.project_id,
            workshop_id=scheduled,
            capacity=4,
            actor_id=None,
            now=NOW,
        )
        # Benali 2 + Dubois 1 come (3 of 4); Nguyen's 2 do not fit: waiting; Moreau maybe.
        for name, status, people in (
            ("Nadia", "coming", 2),
            ("Jeanne", "coming", 1),
            ("Linh", "coming", 2),
            ("Paul", "maybe", 1),
        ):
            rsvp(
                session,
                project_id=group.project_id,
                workshop_id=scheduled,
                member_id=group.member(name),
                status=status,
                people=people,
                now=NOW + HOUR,
            )
        # Ended two days before AT, attendance never recorded.
        ids["unrecorded"] = unrecorded = _workshop(session, group, "Atelier budget")
        _schedule(session, group, unrecorded, AT - 2 * DAY)
        # A poll open until AT + 2 days, two slots.
        ids["polled"] = polled = _workshop(session, group, "Fonctionnement")
        poll = open_poll(
            session,
            project_id=group.project_id,
            workshop_id=polled,
            slots=[
                SlotInput(AT + 10 * DAY, AT + 10 * DAY + 3 * HOUR),
                SlotInput(AT + 11 * DAY, AT + 11 * DAY + 3 * HOUR),
            ],
            deadline=AT + 2 * DAY,
            actor_id=None,
            now=NOW,
        )
        ids["poll"] = poll.id
        slots = sorted(s.id for s in session.exec(_slots_of(poll.id)))
        for name, answers in (
            ("Nadia", ("yes", "no")),
            ("Jeanne", ("yes", "if_need_be")),
            ("Linh", ("if_need_be", "yes")),
            ("Paul", ("no", "yes")),
        ):
            answer_poll(
                session,
                project_id=group.project_id,
                poll_id=poll.id,
                member_id=group.member(name),
                answers=dict(zip(slots, answers, strict=True)),
                now=NOW + HOUR,
            )
        ids["first_slot"] = slots[0]
        # A poll whose deadline (AT - 1 day) passed without a slot confirmed.
        ids["overdue_workshop"] = overdue = _workshop(session, group, "Choix du terrain")
        ids["overdue_poll"] = open_poll(
            session,
            project_id=group.project_id,
            workshop_id=overdue,
            slots=[SlotInput(AT + 20 * DAY, AT + 20 * DAY + 3 * HOUR)],
            deadline=AT - DAY,
            actor_id=None,
            now=NOW,
        ).id
    return ids


def _slots_of(poll_id: int):
    from sqlmodel import select

    from voisinage.models.workshops import PollSlot

    return select(PollSlot).where(PollSlot.poll_id == poll_id)


def build_questionnaires(engine, group: Group) -> dict[str, int]:
    """By household: Benali and Dubois submit, Nguyen keeps a draft. By person: Nadia submits."""
    ids = {}
    with unit_of_work(engine) as session:
        for key, unit in (("household", "household"), ("person", "person")):
            view = import_questionnaire(
                session,
                project_id=group.project_id,
                text=QUESTIONNAIRE.format(title=f"Attentes ({key})", unit=unit),
            )
            open_questionnaire(
                session, project_id=group.project_id, questionnaire_id=view.id, now=NOW
            )
            ids[key] = view.id
            ids[f"{key}_question"] = view.questions[0].id
    for key, name, submit in (
        ("household", "Nadia", True),
        ("household", "Jeanne", True),
        ("household", "Linh", False),
        ("person", "Nadia", True),
    ):
        with unit_of_work(engine) as session:
            save_answers(
                session,
                project_id=group.project_id,
                questionnaire_id=ids[key],
                member_id=group.member(name),
                values={ids[f"{key}_question"]: 80},
                submit=submit,
                now=NOW + HOUR,
            )
    return ids


def build_ballots(engine, group: Group) -> dict[str, int]:
    """Open: a counted one, a secret one, a hidden one. Closed: adopted, blocked, an article."""
    ids = {}
    counted = open_ballot(
        engine, group, question="Horaires du local vélo", threshold="simple_majority",
        quorum=Fraction(1, 2),
    )  # fmt: skip
    for name, choice in (("Nadia", "for"), ("Jeanne", "against"), ("Linh", "for")):
        vote(engine, group, counted.id, name, choice)
    secret = open_ballot(
        engine, group, method="approval", question="Équipement du sous-sol",
        options=["Piscine secrète", "Sauna caché"], secret=True,
    )  # fmt: skip
    vote(engine, group, secret.id, "Paul", ["a"])
    hidden = open_ballot(
        engine, group, method="approval", question="Projet du printemps",
        options=["Jardin confidentiel", "Vélo confidentiel"], results_live=False,
    )  # fmt: skip
    vote(engine, group, hidden.id, "Nadia", ["b"])
    vote(engine, group, hidden.id, "Aïssatou", ["a", "b"])
    adopted = open_ballot(
        engine, group, question="Fête des voisins en juin", threshold="simple_majority"
    )
    for name, choice in (("Nadia", "for"), ("Jeanne", "for"), ("Linh", "against")):
        vote(engine, group, adopted.id, name, choice)
    close(engine, group, adopted.id, now=NOW + 2 * DAY)
    blocked = open_ballot(engine, group, method="consent", question="Poules dans la cour")
    vote(engine, group, blocked.id, "Nadia", {"choice": "objection", "reason": "Trop de bruit"})
    vote(engine, group, blocked.id, "Jeanne", {"choice": "consent"})
    close(engine, group, blocked.id, now=NOW + 2 * DAY + HOUR)
    with unit_of_work(engine) as session:
        charter = documents.create_document(
            session, project_id=group.project_id, kind="charter", title="Charte"
        )
        article = documents.add_article(
            session,
            project_id=group.project_id,
            document_id=charter.id,
            title="Animaux",
            text="Les chats sont bienvenus.",
        )
    on_article = open_ballot(
        engine, group, question=None, article_id=article.id, threshold="simple_majority"
    )
    for name in ("Nadia", "Jeanne"):
        vote(engine, group, on_article.id, name, "for")
    close(engine, group, on_article.id, now=NOW + 2 * DAY + 2 * HOUR)
    with unit_of_work(engine) as session:
        propose_amendment(
            session,
            project_id=group.project_id,
            article_id=article.id,
            author_id=group.member("Karim"),
            text="Les chats et les chiens sont bienvenus.",
            now=NOW + 2 * DAY + 3 * HOUR,
        )
    ids.update(
        counted=counted.id,
        secret=secret.id,
        hidden=hidden.id,
        adopted=adopted.id,
        blocked=blocked.id,
        on_article=on_article.id,
        article=article.id,
        charter=charter.id,
    )
    return ids


@pytest.fixture
def fixed(engine):
    group = make_group(engine)
    ids = {
        **build_path(engine, group),
        **build_questionnaires(engine, group),
        **build_ballots(engine, group),
    }
    return group, ids


def _summary(engine, group, **kwargs):
    with read_session(engine) as session:
        return project_summary(
            session,
            project_id=group.project_id,
            actor_id=group.facilitator_id,
            since=SINCE,
            now=AT,
            **kwargs,
        )


def test_the_path_figures_match_the_hand_count(engine, fixed):
    group, ids = fixed
    path = {step.workshop_id: step for step in _summary(engine, group).path}
    held = path[ids["held"]]
    # 2 members + 1 guest.
    assert (held.state, held.attendance_count) == ("done", 3)
    scheduled = path[ids["scheduled"]]
    # Coming 2 (Benali) + 1 (Dubois) = 3 of 4, 1 place left; Nguyen's 2 wait; Moreau maybe 1.
    assert (scheduled.state, scheduled.starts_at) == ("scheduled", AT + 5 * DAY)
    assert (scheduled.capacity, scheduled.coming, scheduled.places_left) == (4, 3, 1)
    assert (scheduled.waiting, scheduled.maybe) == (2, 1)
    poll = path[ids["polled"]].poll
    assert path[ids["polled"]].state == "to_schedule"
    assert (poll.deadline, poll.past_deadline) == (AT + 2 * DAY, False)
    # Asked: 6 households + the facilitator (no household) = 7; answered 4.
    assert (poll.asked, poll.answered) == (7, 4)
    assert poll.missing == ("Camille", "Foyer Diallo", "Foyer Petit")
    # Slot 1: yes Benali, Dubois; if need be Nguyen; no Moreau → 2 / 1 / 1.
    # Slot 2: yes Nguyen, Moreau; if need be Dubois; no Benali → 2 / 1 / 1: a tie, the earlier wins.
    best = poll.best_slot
    assert (best.slot_id, best.yes, best.if_need_be, best.no) == (ids["first_slot"], 2, 1, 1)
    assert path[ids["unrecorded"]].state == "scheduled"


def test_the_questionnaire_figures_match_the_hand_count(engine, fixed):
    group, ids = fixed
    by_id = {q.id: q for q in _summary(engine, group).questionnaires}
    household = by_id[ids["household"]]
    # 6 households; Benali and Dubois submitted, Nguyen has a draft: 2 / 6.
    assert (household.eligible, household.submitted, household.drafts) == (6, 2, 1)
    assert household.response_rate == pytest.approx(2 / 6)
    assert [(m.name, m.state) for m in household.missing] == [
        ("Foyer Diallo", "not_started"),
        ("Foyer Moreau", "not_started"),
        ("Foyer Nguyen", "draft"),
        ("Foyer Petit", "not_started"),
    ]
    person = by_id[ids["person"]]
    # 10 residents (not the facilitator, not the observer); Nadia submitted: 1 / 10.
    assert (person.eligible, person.submitted, person.drafts) == (10, 1, 0)
    assert person.response_rate == pytest.approx(0.1)
    assert len(person.missing) == 9
    assert "Nadia" not in {m.name for m in person.missing}


def test_the_ballot_figures_match_the_hand_count(engine, fixed):
    group, ids = fixed
    summary = _summary(engine, group)
    by_id = {b.id: b for b in summary.ballots}
    assert set(by_id) == {ids["counted"], ids["secret"], ids["hidden"]}
    counted = by_id[ids["counted"]]
    # 6 households; Benali, Dubois, Nguyen voted: 3; quorum 1/2 of 6 = 3 needed: reached.
    assert (counted.eligible, counted.took_part) == (6, 3)
    assert (counted.quorum, counted.quorum_needed, counted.quorum_reached) == ("1/2", 3, True)
    # Closes at NOW + 7 days, read at NOW + 3 days: 4 days left.
    assert counted.seconds_left == 4 * 24 * 3600
    assert [m.name for m in counted.missing] == ["Foyer Diallo", "Foyer Moreau", "Foyer Petit"]
    hidden = by_id[ids["hidden"]]
    assert (hidden.took_part, hidden.quorum_needed, len(hidden.missing)) == (2, None, 4)
    since = summary.since
    # Closed since NOW: the June party (2 for, 1 against of 3: adopted), the hens (blocked),
    # and the article's ballot (adopted).
    assert [(b.id, b.outcome, b.took_part, b.eligible) for b in since.ballots_closed] == [
        (ids["adopted"], "adopted", 3, 6),
        (ids["blocked"], "blocked", 2, 6),
        (ids["on_article"], "adopted", 2, 6),
    ]
    assert [(a.article_id, a.title, a.version) for a in since.articles_adopted] == [
        (ids["article"], "Animaux", 1)
    ]
    assert [w.workshop_id for w in since.workshops_held] == [ids["held"]]


def test_what_waits_for_the_facilitator(engine, fixed):
    group, ids = fixed
    waiting = _summary(engine, group).waiting
    assert [(a.article_id, a.article_title, a.document_title) for a in waiting.amendments] == [
        (ids["article"], "Animaux", "Charte")
    ]
    assert [(b.ballot_id, b.objections, b.reasons) for b in waiting.blocked_consents] == [
        (ids["blocked"], 1, ("Trop de bruit",))
    ]
    assert [(p.poll_id, p.deadline) for p in waiting.polls_past_deadline] == [
        (ids["overdue_poll"], AT - DAY)
    ]
    assert [w.workshop_id for w in waiting.attendance_to_record] == [ids["unrecorded"]]


def test_a_blocked_consent_leaves_the_list_once_its_next_round_is_open(engine, fixed):
    from voisinage.consent_rounds import next_round

    group, ids = fixed
    with unit_of_work(engine) as session:
        next_round(
            session,
            project_id=group.project_id,
            ballot_id=ids["blocked"],
            closes_at=AT + 7 * DAY,
            question="Poules dans la cour, au fond",
            now=AT - HOUR,
        )
    assert _summary(engine, group).waiting.blocked_consents == ()


def _open_now(engine, group: Group, **settings) -> int:
    """Open a ballot at the real time, for what reads the clock (the export)."""
    with unit_of_work(engine) as session:
        return ballots.open_ballot(
            session,
            project_id=group.project_id,
            actor_id=group.facilitator_id,
            closes_at=utcnow() + 7 * DAY,
            **settings,
        ).id


def _vote_now(engine, group: Group, ballot_id: int, name: str, choice) -> None:
    with unit_of_work(engine) as session:
        cast_vote(
            session,
            project_id=group.project_id,
            ballot_id=ballot_id,
            member_id=group.member(name),
            choice=choice,
        )


def test_hidden_and_secret_ballots_leak_no_choice_through_summary_or_export(engine, fixed):
    group, _ = fixed
    # The same kinds of ballots, open now: the export reads the real clock.
    secret = _open_now(
        engine, group, method="approval", question="Salle secrète",
        options=["Piscine secrète", "Sauna caché"], secret=True,
    )  # fmt: skip
    hidden = _open_now(
        engine, group, method="majority_judgment", question="Projet caché",
        options=["Jardin confidentiel", "Vélo confidentiel"],
    )  # fmt: skip
    _vote_now(engine, group, secret, "Paul", ["b"])
    _vote_now(engine, group, hidden, "Nadia", {"a": "excellent", "b": "to_reject"})
    with read_session(engine) as session:
        export = export_project(session, project_id=group.project_id, actor_id=None)
        resident = resident_summary(session, project_id=group.project_id, since=SINCE, now=AT)
    assert {b["id"] for b in export["summary"]["ballots"]} == {secret, hidden}
    assert [b["took_part"] for b in export["summary"]["ballots"]] == [1, 1]
    texts = [
        json.dumps(summary_data(_summary(engine, group)), ensure_ascii=False),
        json.dumps(export["summary"], ensure_ascii=False),
        json.dumps(summary_data(resident), ensure_ascii=False),
    ]
    for text in texts:
        for word in [*SECRET_WORDS, "excellent", "to_reject"]:
            assert word not in text
        for field in ('"options"', '"choices"', '"choice"', '"figures"', '"ranking"'):
            assert field not in text


def test_the_resident_summary_names_nobody(engine, fixed):
    group, _ = fixed
    with read_session(engine) as session:
        resident = resident_summary(session, project_id=group.project_id, since=SINCE, now=AT)
    text = json.dumps(summary_data(resident), ensure_ascii=False)
    for name in [*group.names.values(), "Camille", "Bailleur", "Foyer"]:
        assert name not in text
    assert '"missing"' not in text
    assert "Trop de bruit" not in text
    assert resident.next_workshop.title == "Vision commune"
    assert (resident.ballots[0].took_part, resident.ballots[0].eligible) == (3, 6)


def test_only_facilitators_get_the_summary(engine, fixed):
    group, _ = fixed
    with read_session(engine) as session, pytest.raises(Forbidden):
        project_summary(
            session, project_id=group.project_id, actor_id=group.member("Nadia"), now=AT
        )
    with read_session(engine) as session, pytest.raises(Forbidden):
        project_summary(
            session, project_id=group.project_id, actor_id=group.other_facilitator_id, now=AT
        )


def test_the_demo_summary_matches_the_demo_seed(engine):
    with unit_of_work(engine) as session:
        demo = seed_demo(session)
    with read_session(engine) as session:
        summary = project_summary(session, project_id=demo.project.id, actor_id=None)
    # The expectations questionnaire: 12 households; 10 submitted, 1 draft (demo.py).
    (expectations,) = [q for q in summary.questionnaires if q.title == "Définition des attentes"]
    assert (expectations.eligible, expectations.submitted, expectations.drafts) == (12, 10, 1)
    assert [m.state for m in expectations.missing].count("draft") == 1
    steps = {step.code: step for step in summary.path if step.kind == "workshop"}
    done = [step for step in summary.path if step.state == "done"]
    # Both A1 sessions held: 11 and 9 households' first members, plus the facilitator.
    assert [step.attendance_count for step in done] == [12, 10]
    # A2: capacity 16; coming 2+2+1+2+2+1+2+2 = 14, Vermeulen's 3 do not fit and wait; Kaya maybe.
    a2 = steps["A2"]
    assert (a2.capacity, a2.coming, a2.waiting, a2.maybe, a2.places_left) == (16, 14, 3, 1, 2)
    poll = steps["A3"].poll
    # 12 households + the facilitator asked; 9 households answered.
    assert (poll.asked, poll.answered) == (len(DEMO_HOUSEHOLDS) + 1, 9)
    # First slot: yes 6 (Lefebvre, Benali, Dubois, Moreau, Lambert, Vermeulen), if need be 2
    # (Nguyen, Marchand), no 1 (Diallo); the others have fewer yes.
    assert (poll.best_slot.yes, poll.best_slot.if_need_be, poll.best_slot.no) == (6, 2, 1)


def _grow(engine, group: Group, numbers: range) -> None:
    """Add, per number: a household of two, the path's five steps, two questionnaires, a ballot,
    and `build_ballots`'s six ballots, an article and an amendment."""
    with unit_of_work(engine) as session:
        for number in numbers:
            household = add_household(session, project_id=group.project_id, name=f"Foyer {number}")
            for person in ("A", "B"):
                member = add_member(
                    session,
                    project_id=group.project_id,
                    display_name=f"{person} {number}",
                    household_id=household.id,
                )
                group.names[member.id] = f"{person} {number}"
    for number in numbers:
        build_path(engine, group)
        build_questionnaires(engine, group)
        ballot = open_ballot(engine, group, question=f"Question {number}", threshold="unanimity")
        for name in (f"A {number}", "Nadia", "Jeanne"):
            vote(engine, group, ballot.id, name, "for")
        build_ballots(engine, group)


def _count(engine, group) -> int:
    with counting(engine) as statements:
        summary = _summary(engine, group)
    assert summary.ballots
    return len(statements)


def test_the_summary_reads_a_fixed_number_of_queries(engine):
    group = make_group(engine)
    _grow(engine, group, range(1))
    small = _count(engine, group)
    _grow(engine, group, range(1, 5))
    assert _count(engine, group) == small
    # About one query per list, plus one or two per respondent unit in use.
    assert small <= 30
    # The bigger project does hold five times more of everything.
    big = _summary(engine, group)
    assert (len(big.ballots), len(big.questionnaires), len(big.path)) == (20, 10, 25)


def test_a_summary_reads_the_week_before_by_default(engine, fixed):
    group, _ = fixed
    with read_session(engine) as session:
        summary = project_summary(
            session, project_id=group.project_id, actor_id=None, now=AT + 30 * DAY
        )
    assert summary.since.since == AT + 30 * DAY - timedelta(days=7)
    assert summary.since.ballots_closed == ()
    assert summary.since.workshops_held == ()


def test_two_exports_of_an_unchanged_project_differ_only_by_their_date(engine, fixed):
    group, _ = fixed
    with read_session(engine) as session:
        first, second = (
            export_project(session, project_id=group.project_id, actor_id=None) for _ in range(2)
        )
    del first["exported_at"], second["exported_at"]
    assert first == second
    # In an export, what happened covers the whole life of the project.
    assert first["summary"]["since"]["since"] == first["project"]["created_at"]
    assert len(first["summary"]["since"]["ballots_closed"]) == 3
