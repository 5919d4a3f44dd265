"""The domain services the bot relies on, and its persistence, against a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.persistence import DatabasePersistence
from tests.bot.conftest import CAMILLE, SAM
from voisinage import bot_state
from voisinage.db import read_session, unit_of_work
from voisinage.enums import Role
from voisinage.errors import Conflict, InvalidValue
from voisinage.models import BotState, Member, utcnow
from voisinage.people import (
    create_invitation,
    redeem_invitation,
    set_telegram_user_language,
)
from voisinage.privacy import forget_telegram_person
from voisinage.telegram_inbox import (
    claim_update,
    pending_updates,
    purge_processed_updates,
    store_update,
)


def test_store_update_keeps_each_update_once(engine):
    with unit_of_work(engine) as session:
        first = store_update(session, payload={"update_id": 7, "message": {"text": "a"}})
        again = store_update(session, payload={"update_id": 7, "message": {"text": "a"}})
        store_update(session, payload={"update_id": 5})
    assert (first, again) == (True, False)
    with read_session(engine) as session:
        assert [(u.update_id, u.payload) for u in pending_updates(session)] == [
            (5, {"update_id": 5}),
            (7, {"update_id": 7, "message": {"text": "a"}}),
        ]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {},
        {"update_id": "7"},
        {"update_id": True},
        {"update_id": -1},
        {"update_id": 2**63},
    ],
    ids=repr,
)
def test_store_update_refuses_what_is_not_an_update(engine, payload):
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        store_update(session, payload=payload)


def test_an_update_is_claimed_once_and_purged_a_week_after(engine):
    now = utcnow()
    with unit_of_work(engine) as session:
        for update_id in (1, 2, 3):
            store_update(session, payload={"update_id": update_id})
    with unit_of_work(engine) as session:
        claims = [
            claim_update(session, update_id=1, now=now - timedelta(days=8)),
            claim_update(session, update_id=1, now=now),
            claim_update(session, update_id=2, now=now),
        ]
    assert claims == [True, False, True]
    with unit_of_work(engine) as session:
        assert [u.update_id for u in pending_updates(session)] == [3]
        assert purge_processed_updates(session, now=now) == 1
    with unit_of_work(engine) as session:
        assert (claim_update(session, update_id=2), claim_update(session, update_id=3)) == (
            False,
            True,
        )


def test_states_of_a_telegram_user_are_only_theirs(engine):
    saved = [
        (bot_state.USER_DATA, "5"),
        (bot_state.USER_DATA, "15"),
        (bot_state.conversation_kind("onboarding"), "5:5"),
        (bot_state.conversation_kind("onboarding"), "-1005:5"),
        (bot_state.conversation_kind("onboarding"), "5:15"),
        (bot_state.conversation_kind("onboarding"), "15:15"),
    ]
    with unit_of_work(engine) as session:
        for kind, key in saved:
            bot_state.save_state(session, kind=kind, key=key, data={"k": key})
    with unit_of_work(engine) as session:
        mine = bot_state.states_of_telegram_user(session, telegram_user_id=5)
        assert sorted(s.key for s in mine) == ["-1005:5", "5", "5:5"]
        assert bot_state.erase_states_of_telegram_user(session, telegram_user_id=5) == 3
    with read_session(engine) as session:
        assert sorted(s.key for s in session.exec(select(BotState))) == ["15", "15:15", "5:15"]


async def test_persistence_brings_back_conversations_and_user_data(engine):
    persistence = DatabasePersistence(engine)
    await persistence.update_conversation("onboarding", (42, 42), 1)
    await persistence.update_conversation("onboarding", (43, 43), 0)
    await persistence.update_conversation("onboarding", (43, 43), None)
    await persistence.update_user_data(42, {"joining": {"code": "ABCDEFGHJK"}})
    await persistence.update_user_data(43, {"project_id": 1})
    await persistence.update_user_data(43, {})
    await persistence.flush()

    restarted = DatabasePersistence(engine)
    assert await restarted.get_conversations("onboarding") == {(42, 42): 1}
    assert await restarted.get_user_data() == {42: {"joining": {"code": "ABCDEFGHJK"}}}
    with read_session(engine) as session:
        assert sorted((s.kind, s.key) for s in session.exec(select(BotState))) == [
            ("conversation:onboarding", "42:42"),
            ("user_data", "42"),
        ]


def test_forgetting_a_person_in_two_projects_is_all_or_nothing(engine, people):
    with unit_of_work(engine) as session:
        code = create_invitation(
            session, project_id=people.other_project.id, role=Role.OBSERVER
        ).code
        redeem_invitation(
            session,
            code=code,
            person_key="tg:1001",
            display_name="Camille",
            telegram_user_id=CAMILLE,
        )
        bot_state.save_state(session, kind=bot_state.USER_DATA, key=str(CAMILLE), data={"a": 1})
    # Camille is the only facilitator of Les Voisins du Quai: nothing of hers may go.
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        forget_telegram_person(session, telegram_user_id=CAMILLE)
    with read_session(engine) as session:
        projects = session.exec(select(Member.project_id).where(Member.telegram_user_id == CAMILLE))
        assert sorted(projects.all()) == sorted([people.project.id, people.other_project.id])
        assert len(bot_state.states_of_telegram_user(session, telegram_user_id=CAMILLE)) == 1


def test_language_is_set_on_every_membership_of_a_telegram_account(engine, people):
    with unit_of_work(engine) as session:
        code = create_invitation(session, project_id=people.project.id).code
        redeem_invitation(
            session,
            code=code,
            person_key=f"tg:{SAM}",
            display_name="Sam",
            household_name="Foyer Sam",
            telegram_user_id=SAM,
        )
    with unit_of_work(engine) as session:
        assert set_telegram_user_language(session, telegram_user_id=SAM, language="fr") == 2
        assert set_telegram_user_language(session, telegram_user_id=SAM, language="fr") == 0
    with pytest.raises(InvalidValue), unit_of_work(engine) as session:
        set_telegram_user_language(session, telegram_user_id=SAM, language="de")
    with read_session(engine) as session:
        languages = session.exec(select(Member.language).where(Member.telegram_user_id == SAM))
        assert languages.all() == ["fr", "fr"]
