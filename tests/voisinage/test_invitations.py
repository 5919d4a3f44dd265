"""Invitations: creating, revoking and redeeming them, with every way a code can be unusable."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import func, select

from voisinage.db import unit_of_work
from voisinage.enums import Role
from voisinage.errors import (
    Forbidden,
    InvalidValue,
    InvitationExhausted,
    InvitationExpired,
    InvitationRevoked,
    InvitationUnknown,
    NotFound,
)
from voisinage.models import ActionLog, Household, Invitation, Member, Redemption, utcnow
from voisinage.people import (
    create_invitation,
    preview_invitation,
    redeem_invitation,
    revoke_invitation,
)


def _invite(engine, world, **options) -> Invitation:
    with unit_of_work(engine) as session:
        return create_invitation(
            session, project_id=world.project.id, actor_id=world.facilitator.id, **options
        )


def _join(engine, code, key="tg:1", name="Karim", **options):
    with unit_of_work(engine) as session:
        return redeem_invitation(session, code=code, person_key=key, display_name=name, **options)


def _count(engine, model) -> int:
    with unit_of_work(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_code_is_readable_and_unique(engine, world):
    codes = {_invite(engine, world).code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 10 and not set(c) & set("01IO") for c in codes)


def test_redeem_joins_the_invitation_household_with_its_role(engine, world):
    invitation = _invite(engine, world, household_id=world.household.id)
    result = _join(engine, invitation.code, telegram_user_id=1)
    assert result.created
    assert (result.member.role, result.member.household_id, result.member.display_name) == (
        Role.RESIDENT,
        world.household.id,
        "Karim",
    )
    assert result.project.slug == "les-voisins-du-quai"


def test_code_is_accepted_as_people_type_it(engine, world):
    invitation = _invite(engine, world, household_id=world.household.id)
    typed = " " + "-".join([invitation.code[:5].lower(), invitation.code[5:]]) + " "
    assert _join(engine, typed).created


def test_same_telegram_user_twice_gets_the_same_membership_and_uses_nothing(engine, world):
    invitation = _invite(engine, world, household_id=world.household.id, max_uses=2)
    first = _join(engine, invitation.code, telegram_user_id=42)
    again = _join(engine, invitation.code, key="tg:42", telegram_user_id=42)
    assert (again.created, again.member.id) == (False, first.member.id)
    with unit_of_work(engine) as session:
        assert session.get(Invitation, invitation.id).use_count == 1
    assert _count(engine, Member) == 3 + 1  # two facilitators and a resident, plus Karim


def test_same_web_form_submitted_twice_is_one_join(engine, world):
    invitation = _invite(engine, world, household_id=world.household.id)
    first = _join(engine, invitation.code, key="web:nonce-1")
    again = _join(engine, invitation.code, key="web:nonce-1")
    assert again.member.id == first.member.id
    assert not again.created


def test_a_member_already_in_the_project_joining_with_another_code_stays_one_member(engine, world):
    first = _invite(engine, world, household_id=world.household.id)
    second = _invite(engine, world, household_id=world.household.id)
    member = _join(engine, first.code, telegram_user_id=7).member
    assert _join(engine, second.code, telegram_user_id=7).member.id == member.id


def test_unknown_code(engine, world):
    with pytest.raises(InvitationUnknown):
        _join(engine, "NOPENOPE22")


def test_expired_code(engine, world):
    invitation = _invite(engine, world, household_id=world.household.id, days=1)
    with pytest.raises(InvitationExpired):
        _join(engine, invitation.code, now=utcnow() + timedelta(days=1, seconds=1))


def test_exhausted_code(engine, world):
    invitation = _invite(engine, world, household_id=world.household.id, max_uses=1)
    _join(engine, invitation.code, key="tg:1", telegram_user_id=1)
    with pytest.raises(InvitationExhausted):
        _join(engine, invitation.code, key="tg:2", telegram_user_id=2)


def test_revoked_code_even_when_also_expired_says_revoked(engine, world):
    invitation = _invite(engine, world, household_id=world.household.id, days=1)
    with unit_of_work(engine) as session:
        revoke_invitation(
            session,
            project_id=world.project.id,
            invitation_id=invitation.id,
            actor_id=world.facilitator.id,
        )
    with pytest.raises(InvitationRevoked):
        _join(engine, invitation.code, now=utcnow() + timedelta(days=2))


def test_each_unusable_code_has_its_own_message(engine, world):
    messages = {
        error.code: error.message
        for error in (
            InvitationUnknown(),
            InvitationExpired(),
            InvitationExhausted(),
            InvitationRevoked(),
        )
    }
    assert len(set(messages.values())) == 4


def test_revoking_twice_is_harmless(engine, world):
    invitation = _invite(engine, world)
    for _ in range(2):
        with unit_of_work(engine) as session:
            revoke_invitation(session, project_id=world.project.id, invitation_id=invitation.id)
    with unit_of_work(engine) as session:
        logged = session.exec(
            select(ActionLog).where(ActionLog.action == "invitation.revoke")
        ).all()
    assert len(logged) == 1


def test_unlimited_code_lets_a_whole_workshop_join(engine, world):
    invitation = _invite(engine, world, max_uses=None)
    for n in range(15):
        _join(
            engine, invitation.code, key=f"tg:{n}", telegram_user_id=n, household_name=f"Foyer {n}"
        )
    with unit_of_work(engine) as session:
        assert session.get(Invitation, invitation.id).use_count == 15


def test_resident_without_household_must_choose_one_and_nothing_is_written(engine, world):
    invitation = _invite(engine, world)
    before = _count(engine, Member), _count(engine, Redemption)
    with pytest.raises(InvalidValue) as refused:
        _join(engine, invitation.code)
    assert refused.value.message == "Choose your household, or give the name of a new one."
    assert (_count(engine, Member), _count(engine, Redemption)) == before
    with unit_of_work(engine) as session:
        assert session.get(Invitation, invitation.id).use_count == 0


def test_naming_a_new_household_creates_it_and_an_existing_name_joins_it(engine, world):
    invitation = _invite(engine, world, max_uses=3)
    new = _join(engine, invitation.code, key="tg:1", household_name="Foyer  Kaya").member
    same = _join(engine, invitation.code, key="tg:2", household_name="foyer kaya").member
    existing = _join(engine, invitation.code, key="tg:3", household_name="FOYER BENALI").member
    assert new.household_id == same.household_id
    assert existing.household_id == world.household.id
    with unit_of_work(engine) as session:
        assert session.get(Household, new.household_id).name == "Foyer Kaya"


def test_choosing_another_projects_household_is_refused(engine, world):
    invitation = _invite(engine, world)
    with unit_of_work(engine) as session:
        from voisinage.projects import add_household

        foreign = add_household(session, project_id=world.other_project.id, name="Foyer X")
    with pytest.raises(NotFound):
        _join(engine, invitation.code, household_id=foreign.id)


def test_observer_invitation_needs_no_household(engine, world):
    invitation = _invite(engine, world, role=Role.OBSERVER)
    member = _join(engine, invitation.code, name="Bailleur LMH").member
    assert (member.role, member.household_id) == (Role.OBSERVER, None)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Please give a name."),
        ("x" * 81, "This name is too long: %(max)s characters at most."),
        ("Karim\x07", "This name contains characters that cannot be shown."),
    ],
    ids=["empty", "too-long", "control-character"],
)
def test_bad_display_names_are_refused_before_any_write(engine, world, name, message):
    invitation = _invite(engine, world, household_id=world.household.id)
    with pytest.raises(InvalidValue) as refused:
        _join(engine, invitation.code, name=name)
    assert refused.value.message == message
    with unit_of_work(engine) as session:
        assert session.get(Invitation, invitation.id).use_count == 0


def test_preview_says_whether_a_household_is_needed(engine, world):
    fixed = _invite(engine, world, household_id=world.household.id)
    open_ = _invite(engine, world)
    with unit_of_work(engine) as session:
        assert not preview_invitation(session, code=fixed.code).needs_household
        preview = preview_invitation(session, code=open_.code)
    assert preview.needs_household
    assert [h.name for h in preview.households] == ["Foyer Benali"]
    assert preview.project.name == "Les Voisins du Quai"


def test_only_facilitators_of_the_project_create_or_revoke(engine, world):
    with unit_of_work(engine) as session, pytest.raises(Forbidden):
        create_invitation(session, project_id=world.project.id, actor_id=world.resident.id)
    with unit_of_work(engine) as session, pytest.raises(Forbidden):
        create_invitation(session, project_id=world.project.id, actor_id=world.other_facilitator.id)
    invitation = _invite(engine, world)
    with unit_of_work(engine) as session, pytest.raises(NotFound):
        revoke_invitation(
            session,
            project_id=world.other_project.id,
            invitation_id=invitation.id,
            actor_id=world.other_facilitator.id,
        )


@pytest.mark.parametrize(
    "options",
    [
        {"max_uses": 0},
        {"max_uses": 501},
        {"days": 0},
        {"days": 366},
        {"role": "owner"},
        {"label": "x" * 121},
    ],
    ids=["no-use", "too-many-uses", "zero-days", "over-a-year", "unknown-role", "long-note"],
)
def test_invalid_invitation_settings_are_refused(engine, world, options):
    with pytest.raises(InvalidValue):
        _invite(engine, world, **options)
    assert _count(engine, Invitation) == 0


def test_last_use_taken_by_two_people_at_once_lets_only_one_in(database_url, engine, world):
    invitation = _invite(engine, world, household_id=world.household.id, max_uses=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            _join(engine, invitation.code, key=f"tg:{n}", telegram_user_id=n)
            outcomes.append("joined")
        except InvitationExhausted:
            outcomes.append("exhausted")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (101, 102)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["exhausted", "joined"]
    with unit_of_work(engine) as session:
        assert session.get(Invitation, invitation.id).use_count == 1


def test_one_join_form_submitted_twice_at_once_is_one_join(engine, world):
    # A double tap on a phone: the same form (same nonce) reaches the server twice at once.
    invitation = _invite(engine, world, max_uses=5)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit() -> None:
        barrier.wait()
        try:
            results.append(
                _join(engine, invitation.code, key="web:double-tap", household_name="Foyer Neuf")
            )
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({result.member.id for result in results}) == 1
    assert sorted(result.created for result in results) == [False, True]
    with unit_of_work(engine) as session:
        assert session.get(Invitation, invitation.id).use_count == 1
        named = select(func.count()).select_from(Household).where(Household.name == "Foyer Neuf")
        assert session.exec(named).one() == 1


def test_residents_cannot_read_invitation_codes(engine, world):
    from voisinage.exports import export_project
    from voisinage.people import find_invitation, list_invitations

    invitation = _invite(engine, world)
    with unit_of_work(engine) as session:
        for read in (
            lambda actor: list_invitations(session, project_id=world.project.id, actor_id=actor),
            lambda actor: find_invitation(
                session, project_id=world.project.id, code=invitation.code, actor_id=actor
            ),
            lambda actor: export_project(session, project_id=world.project.id, actor_id=actor),
        ):
            for outsider in (world.resident.id, world.other_facilitator.id):
                with pytest.raises(Forbidden):
                    read(outsider)
        codes = [
            i.code
            for i in list_invitations(
                session, project_id=world.project.id, actor_id=world.facilitator.id
            )
        ]
    assert codes == [invitation.code]
