"""A member's own data, and the single-use sign-in links."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from voisinage.db import unit_of_work
from voisinage.errors import Conflict, LinkExpired, LinkInvalid, LinkUsed
from voisinage.models import ActionLog, LinkNonce, Member
from voisinage.privacy import export_member_data, forget_member
from voisinage.tokens import issue_login_token, login_url, redeem_login_token

SECRET = "s3cret"


def test_export_holds_what_is_stored_about_the_member(engine, world):
    with unit_of_work(engine) as session:
        data = export_member_data(session, member_id=world.resident.id)
    json.dumps(data)  # it must be plain JSON
    assert data["member"]["display_name"] == "Nadia"
    assert data["household"]["name"] == "Foyer Benali"
    assert data["project"]["slug"] == "les-voisins-du-quai"


def test_forget_removes_the_member_and_keeps_the_log_anonymous(engine, world):
    with unit_of_work(engine) as session:
        issue_login_token(session, member_id=world.resident.id, secret_key=SECRET)
        session.add(ActionLog(project_id=world.project.id, actor_id=world.resident.id, action="x"))
    with unit_of_work(engine) as session:
        report = forget_member(session, member_id=world.resident.id)
    assert report.project_name == "Les Voisins du Quai"
    assert report.kept == [
        "the answers you gave for your household, which belong to the household, without your name",
        "the project's action log, without your name, because the group's decisions must stay traceable",
    ]
    assert len(report.removed) == 4
    with unit_of_work(engine) as session:
        assert session.get(Member, world.resident.id) is None
        assert session.exec(select(LinkNonce)).all() == []
        assert session.exec(select(ActionLog.actor_id).where(ActionLog.action == "x")).all() == [
            None
        ]


def test_the_only_facilitator_cannot_forget_themselves(engine, world):
    with unit_of_work(engine) as session, pytest.raises(Conflict):
        forget_member(session, member_id=world.facilitator.id)


def _token(engine, member_id):
    with unit_of_work(engine) as session:
        return issue_login_token(session, member_id=member_id, secret_key=SECRET)


def test_login_link_opens_once(engine, world):
    token = _token(engine, world.resident.id)
    assert login_url("https://v.example", token).startswith("https://v.example/login/")
    with unit_of_work(engine) as session:
        assert redeem_login_token(session, token=token, secret_key=SECRET).id == world.resident.id
    with unit_of_work(engine) as session, pytest.raises(LinkUsed):
        redeem_login_token(session, token=token, secret_key=SECRET)


def test_login_link_expires(engine, world):
    token = _token(engine, world.resident.id)
    with unit_of_work(engine) as session, pytest.raises(LinkExpired):
        redeem_login_token(session, token=token, secret_key=SECRET, max_age=-1)
    with unit_of_work(engine) as session:
        assert session.exec(select(LinkNonce.used_at)).all() == [None]


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-2] + "xx", lambda t: "garbage", lambda t: t + "."]
)
def test_forged_login_links_are_invalid(engine, world, mangle):
    token = _token(engine, world.resident.id)
    with unit_of_work(engine) as session, pytest.raises(LinkInvalid):
        redeem_login_token(session, token=mangle(token), secret_key=SECRET)


def test_link_signed_with_another_key_is_invalid(engine, world):
    token = _token(engine, world.resident.id)
    with unit_of_work(engine) as session, pytest.raises(LinkInvalid):
        redeem_login_token(session, token=token, secret_key="another key")


def test_link_of_a_forgotten_member_is_invalid(engine, world):
    token = _token(engine, world.resident.id)
    with unit_of_work(engine) as session:
        forget_member(session, member_id=world.resident.id)
    with unit_of_work(engine) as session, pytest.raises(LinkInvalid):
        redeem_login_token(session, token=token, secret_key=SECRET)


PERSONAL_QUESTIONNAIRE = """
format: voisinage.questionnaire
version: 1
title: Vos envies
respondent_unit: person
questions:
  - key: surface
    kind: number
    label: Surface souhaitée
    unit: m²
    min: 10
    max: 200
"""


def _answer_personal_questionnaire(engine, world) -> None:
    from voisinage.questionnaire_answers import save_answers
    from voisinage.questionnaire_templates import import_questionnaire
    from voisinage.questionnaires import open_questionnaire

    with unit_of_work(engine) as session:
        view = import_questionnaire(
            session, project_id=world.project.id, text=PERSONAL_QUESTIONNAIRE
        )
        open_questionnaire(session, project_id=world.project.id, questionnaire_id=view.id)
    with unit_of_work(engine) as session:
        save_answers(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            member_id=world.resident.id,
            values={view.questions[0].id: 65},
            submit=True,
        )


def test_export_holds_the_members_questionnaire_answers(engine, world):
    _answer_personal_questionnaire(engine, world)
    with unit_of_work(engine) as session:
        answers = export_member_data(session, member_id=world.resident.id)["questionnaire_answers"]
    assert [(a["questionnaire"], a["answered_as"]) for a in answers] == [("Vos envies", "person")]
    assert answers[0]["answers"] == [
        {"question": "Surface souhaitée", "skipped": False, "value": 65}
    ]


def test_forget_removes_the_members_own_answers(engine, world):
    from voisinage.models import AnswerSet

    _answer_personal_questionnaire(engine, world)
    with unit_of_work(engine) as session:
        forget_member(session, member_id=world.resident.id)
    with unit_of_work(engine) as session:
        assert session.exec(select(AnswerSet)).all() == []


def test_export_holds_workshop_answers_rsvps_and_attendance_from_the_demo(engine):
    from voisinage.demo import seed_demo
    from voisinage.models import Rsvp

    with unit_of_work(engine) as session:
        demo = seed_demo(session)
        rsvp = session.exec(select(Rsvp).where(Rsvp.household_id.is_not(None))).first()
        member = session.exec(
            select(Member).where(Member.household_id == rsvp.household_id)
        ).first()
        data = export_member_data(session, member_id=member.id)
        everyone = [
            export_member_data(session, member_id=m.id)
            for m in session.exec(select(Member).where(Member.project_id == demo.project.id))
        ]
    json.dumps(everyone)
    assert [(r["status"], r["people"]) for r in data["rsvps"]] == [(rsvp.status, rsvp.people)]
    assert any(d["availability"] for d in everyone)
    assert any(d["attendance"] for d in everyone)
