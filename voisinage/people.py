"""Members, their roles, and the invitations that bring them into a project."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.enums import Role
from voisinage.errors import (
    N_,
    Conflict,
    DomainError,
    InvalidValue,
    InvitationExhausted,
    InvitationExpired,
    InvitationRevoked,
    InvitationUnknown,
    NotFound,
)
from voisinage.models import Household, Invitation, Member, Project, Redemption, utcnow
from voisinage.permissions import require_facilitator
from voisinage.projects import add_household, find_household, get_household
from voisinage.validation import check_language, check_role, clean_name

DISPLAY_NAME_MAX = 80
# No 0/O or 1/I: codes are read aloud in workshops and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
INVITATION_DAYS_DEFAULT = 14
INVITATION_DAYS_MAX = 365
INVITATION_USES_MAX = 500
INVITATION_LABEL_MAX = 120


@dataclass(frozen=True)
class InvitationPreview:
    """What a person about to join needs to know, before they give their name."""

    project: Project
    invitation: Invitation
    household: Household | None
    households: list[Household]

    @property
    def needs_household(self) -> bool:
        return self.household is None and self.invitation.role == Role.RESIDENT


@dataclass(frozen=True)
class JoinResult:
    member: Member
    project: Project
    created: bool


class MemberRow(NamedTuple):
    """One line of the members list: a plain tuple, cheap to make for a hundred members."""

    id: int
    display_name: str
    role: str
    household_id: int | None
    household_name: str | None
    language: str | None
    on_telegram: bool


def normalise_code(code: str) -> str:
    """Return a code as stored: upper case, without the spaces and dashes people add."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def get_member(session: Session, *, project_id: int, member_id: int) -> Member:
    """Return one of the project's members; another project's member is NotFound."""
    member = session.get(Member, member_id)
    if member is None or member.project_id != project_id:
        raise NotFound(N_("This member does not exist in this project."))
    return member


def create_invitation(
    session: Session,
    *,
    project_id: int,
    role: str = Role.RESIDENT,
    household_id: int | None = None,
    max_uses: int | None = 1,
    days: int = INVITATION_DAYS_DEFAULT,
    label: str = "",
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Invitation:
    """Create an invitation code valid `days` days for `max_uses` people (None: no limit)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    role = check_role(role)
    if household_id is not None:
        get_household(session, project_id=project_id, household_id=household_id)
        if role != Role.RESIDENT:
            raise InvalidValue(N_("Only residents belong to a household."))
    if max_uses is not None and not 1 <= max_uses <= INVITATION_USES_MAX:
        raise InvalidValue(
            N_("An invitation can be used from 1 to %(max)s times."), max=INVITATION_USES_MAX
        )
    if not 1 <= days <= INVITATION_DAYS_MAX:
        raise InvalidValue(
            N_("An invitation can be valid from 1 to %(max)s days."), max=INVITATION_DAYS_MAX
        )
    label = " ".join(label.split())
    if len(label) > INVITATION_LABEL_MAX:
        raise InvalidValue(
            N_("This note is too long: %(max)s characters at most."), max=INVITATION_LABEL_MAX
        )
    invitation = Invitation(
        project_id=project_id,
        code=new_code(),
        role=role,
        household_id=household_id,
        label=label,
        max_uses=max_uses,
        expires_at=(now or utcnow()) + timedelta(days=days),
        created_by_id=actor_id,
    )
    session.add(invitation)
    session.flush()
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="invitation.create",
        invitation_id=invitation.id,
        role=role,
        household_id=household_id,
        max_uses=max_uses,
        days=days,
    )
    return invitation


def revoke_invitation(
    session: Session, *, project_id: int, invitation_id: int, actor_id: int | None = None
) -> Invitation:
    """Withdraw an invitation so that nobody else can join with it; revoking twice is a no-op."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.project_id != project_id:
        raise NotFound(N_("This invitation does not exist in this project."))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.add(invitation)
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="invitation.revoke",
            invitation_id=invitation.id,
        )
    return invitation


def find_invitation(
    session: Session, *, project_id: int, code: str, actor_id: int | None
) -> Invitation:
    """Return the project's invitation with this code; a code of another project is NotFound.

    Facilitators only: a code lets anyone join the project.
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    invitation = _invitation_by_code(session, code)
    if invitation is None or invitation.project_id != project_id:
        raise NotFound(N_("This invitation does not exist in this project."))
    return invitation


def list_invitations(
    session: Session, *, project_id: int, actor_id: int | None
) -> list[Invitation]:
    """Return the project's invitations, newest first (facilitators only: codes let people in)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    statement = (
        select(Invitation)
        .where(Invitation.project_id == project_id)
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    )
    return list(session.exec(statement))


def _invitation_by_code(session: Session, code: str) -> Invitation | None:
    return session.exec(select(Invitation).where(Invitation.code == normalise_code(code))).first()


def _usable_invitation(session: Session, code: str, now: datetime) -> Invitation:
    invitation = _invitation_by_code(session, code)
    if invitation is None:
        raise InvitationUnknown()
    problem = invitation_problem(invitation, now=now)
    if problem is not None:
        raise problem
    return invitation


def preview_invitation(
    session: Session, *, code: str, now: datetime | None = None
) -> InvitationPreview:
    """Check a code and say what joining with it means; refuse with the reason it is unusable."""
    invitation = _usable_invitation(session, code, now or utcnow())
    household = session.get(Household, invitation.household_id) if invitation.household_id else None
    households = list(
        session.exec(
            select(Household)
            .where(Household.project_id == invitation.project_id)
            .order_by(Household.name)
        )
    )
    return InvitationPreview(
        project=session.get(Project, invitation.project_id),
        invitation=invitation,
        household=household,
        households=households,
    )


def _existing_join(
    session: Session, *, code: str, person_key: str, telegram_user_id: int | None
) -> JoinResult | None:
    invitation = _invitation_by_code(session, code)
    if invitation is None:
        return None
    member = None
    if telegram_user_id is not None:
        member = session.exec(
            select(Member).where(
                Member.project_id == invitation.project_id,
                Member.telegram_user_id == telegram_user_id,
            )
        ).first()
    if member is None:
        member = session.exec(
            select(Member)
            .join(Redemption, col(Redemption.member_id) == col(Member.id))
            .where(Redemption.invitation_id == invitation.id, Redemption.person_key == person_key)
        ).first()
    if member is None:
        return None
    return JoinResult(member=member, project=session.get(Project, member.project_id), created=False)


def redeem_invitation(
    session: Session,
    *,
    code: str,
    person_key: str,
    display_name: str,
    household_id: int | None = None,
    household_name: str | None = None,
    language: str | None = None,
    telegram_user_id: int | None = None,
    now: datetime | None = None,
) -> JoinResult:
    """Join a project with an invitation code.

    The same person joining again (same Telegram account, or the same web form submitted
    twice) gets their existing membership back and uses nothing up. A resident joins the
    invitation's household if it names one, else the household chosen by id, else the one
    named (created when new).

    :param person_key: who is joining: "tg:<user id>" or "web:<nonce of the join form>".
    """
    # A double tap sends one form twice: the second submission waits here for the first to
    # commit, then finds its membership below. (SQLite writers are serialised already.)
    session.exec(
        select(Invitation.id).where(Invitation.code == normalise_code(code)).with_for_update()
    ).first()
    existing = _existing_join(
        session, code=code, person_key=person_key, telegram_user_id=telegram_user_id
    )
    if existing is not None:
        return existing
    now = now or utcnow()
    invitation = _usable_invitation(session, code, now)
    display_name = clean_name(display_name, max_length=DISPLAY_NAME_MAX)
    if language is not None:
        check_language(language)
    household = _household_for(
        session, invitation=invitation, household_id=household_id, household_name=household_name
    )
    # Count the use with a conditional UPDATE so that two people taking the last use of a
    # code at the same moment cannot both get in.
    claimed = session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation.id,
            col(Invitation.revoked_at).is_(None),
            or_(
                col(Invitation.max_uses).is_(None),
                col(Invitation.use_count) < col(Invitation.max_uses),
            ),
        )
        .values(use_count=col(Invitation.use_count) + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InvitationExhausted()
    if household is not None and household.id is None:
        household = add_household(session, project_id=invitation.project_id, name=household.name)
    member = Member(
        project_id=invitation.project_id,
        household_id=household.id if household else None,
        display_name=display_name,
        role=invitation.role,
        language=language,
        telegram_user_id=telegram_user_id,
    )
    session.add(member)
    session.flush()
    session.add(Redemption(invitation_id=invitation.id, member_id=member.id, person_key=person_key))
    record_action(
        session,
        project_id=invitation.project_id,
        actor_id=member.id,
        action="invitation.redeem",
        invitation_id=invitation.id,
        member_id=member.id,
    )
    session.refresh(invitation)
    return JoinResult(
        member=member, project=session.get(Project, invitation.project_id), created=True
    )


def _household_for(
    session: Session,
    *,
    invitation: Invitation,
    household_id: int | None,
    household_name: str | None,
) -> Household | None:
    """Return the household a newcomer joins: an unsaved one when they name a new household."""
    if invitation.household_id is not None:
        return session.get(Household, invitation.household_id)
    if household_id is not None:
        return get_household(session, project_id=invitation.project_id, household_id=household_id)
    if household_name and household_name.strip():
        found = find_household(session, project_id=invitation.project_id, name=household_name)
        return found or Household(project_id=invitation.project_id, name=household_name)
    if invitation.role == Role.RESIDENT:
        raise InvalidValue(N_("Choose your household, or give the name of a new one."))
    return None


def change_role(
    session: Session, *, project_id: int, member_id: int, role: str, actor_id: int | None = None
) -> Member:
    """Give a member another role; the project always keeps at least one facilitator."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    role = check_role(role)
    member = get_member(session, project_id=project_id, member_id=member_id)
    if member.role == role:
        return member
    if member.role == Role.FACILITATOR and _facilitator_count(session, project_id) <= 1:
        raise Conflict(N_("A project needs at least one facilitator: name another one first."))
    previous, member.role = member.role, role
    session.add(member)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="member.change_role",
        member_id=member.id,
        previous=previous,
        role=role,
    )
    return member


def _facilitator_count(session: Session, project_id: int) -> int:
    statement = select(Member.id).where(
        Member.project_id == project_id, Member.role == Role.FACILITATOR
    )
    return len(session.exec(statement).all())


def add_member(
    session: Session,
    *,
    project_id: int,
    display_name: str,
    role: str = Role.RESIDENT,
    household_id: int | None = None,
    language: str | None = None,
    actor_id: int | None = None,
) -> Member:
    """Add a member directly, without an invitation (used by the CLI and the demo)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    role = check_role(role)
    if household_id is not None:
        get_household(session, project_id=project_id, household_id=household_id)
    member = Member(
        project_id=project_id,
        display_name=clean_name(display_name, max_length=DISPLAY_NAME_MAX),
        role=role,
        household_id=household_id,
        language=check_language(language) if language else None,
    )
    session.add(member)
    session.flush()
    record_action(
        session, project_id=project_id, actor_id=actor_id, action="member.add", member_id=member.id
    )
    return member


_MEMBER = Member.__table__
_HOUSEHOLD = Household.__table__
# Plain columns, not Member objects, in a statement built once: the facilitators' members page
# lists everyone, and ORM objects, or composing the statement, cost more than the query
# (bench/bench_web.py).
_MEMBERS = (
    sa.select(
        _MEMBER.c.id,
        _MEMBER.c.display_name,
        _MEMBER.c.role,
        _MEMBER.c.household_id,
        _HOUSEHOLD.c.name,
        _MEMBER.c.language,
        _MEMBER.c.telegram_user_id.is_not(None),
    )
    .outerjoin_from(_MEMBER, _HOUSEHOLD, _MEMBER.c.household_id == _HOUSEHOLD.c.id)
    .where(_MEMBER.c.project_id == sa.bindparam("project_id"))
    .order_by(_HOUSEHOLD.c.name.is_(None), _HOUSEHOLD.c.name, _MEMBER.c.display_name, _MEMBER.c.id)
)


def list_members(session: Session, *, project_id: int) -> list[MemberRow]:
    """Return the project's members with their household, grouped by household then name."""
    rows = session.connection().execute(_MEMBERS, {"project_id": project_id})
    return list(map(MemberRow._make, rows))


def move_member(
    session: Session,
    *,
    project_id: int,
    member_id: int,
    household_id: int | None,
    actor_id: int | None = None,
) -> Member:
    """Move a member to another household of the project (None: no household)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    member = get_member(session, project_id=project_id, member_id=member_id)
    if household_id is not None:
        get_household(session, project_id=project_id, household_id=household_id)
    elif member.role == Role.RESIDENT:
        raise InvalidValue(N_("A resident belongs to a household."))
    if member.household_id != household_id:
        previous, member.household_id = member.household_id, household_id
        session.add(member)
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="member.move",
            member_id=member.id,
            previous=previous,
            household_id=household_id,
        )
    return member


def set_language(session: Session, *, member_ids: Collection[int], language: str | None) -> int:
    """Store the language a person chose on each of their memberships; return how many changed.

    A person speaks one language, whichever project they are looking at. None: follow their
    device, then the project.
    """
    language = check_language(language) if language is not None else None
    members = session.exec(select(Member).where(col(Member.id).in_(list(member_ids)))).all()
    changed = [member for member in members if member.language != language]
    for member in changed:
        member.language = language
        session.add(member)
    return len(changed)


def memberships_of_telegram_user(
    session: Session, *, telegram_user_id: int
) -> list[tuple[Member, Project]]:
    """Return every membership of one Telegram account, by project name."""
    statement = (
        select(Member, Project)
        .join(Project, col(Project.id) == col(Member.project_id))
        .where(Member.telegram_user_id == telegram_user_id)
        .order_by(Project.name)
    )
    return [(member, project) for member, project in session.exec(statement)]


def set_telegram_user_language(
    session: Session, *, telegram_user_id: int, language: str | None
) -> int:
    """Store a language for every membership of one Telegram account; return how many changed."""
    members = memberships_of_telegram_user(session, telegram_user_id=telegram_user_id)
    return set_language(session, member_ids=[m.id for m, _ in members], language=language)


def invitation_problem(
    invitation: Invitation, *, now: datetime | None = None
) -> DomainError | None:
    """Return the refusal joining with `invitation` would meet now, or None if it is usable."""
    now = now or utcnow()
    if invitation.revoked_at is not None:
        return InvitationRevoked()
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return InvitationExpired()
    if invitation.max_uses is not None and invitation.use_count >= invitation.max_uses:
        return InvitationExhausted()
    return None


def telegram_person_key(telegram_user_id: int) -> str:
    """Return the person key of a Telegram account, as `redeem_invitation` takes it."""
    return f"tg:{telegram_user_id}"


def web_person_key(form_nonce: str) -> str:
    """Return the person key of a web join form, as `redeem_invitation` takes it."""
    return f"web:{form_nonce}"


def existing_telegram_join(
    session: Session, *, code: str, telegram_user_id: int
) -> JoinResult | None:
    """Return the membership a Telegram account already has in the project of `code`, if any.

    Someone opening their invitation link again is welcomed back, even once the code is used up.
    """
    return _existing_join(
        session,
        code=code,
        person_key=telegram_person_key(telegram_user_id),
        telegram_user_id=telegram_user_id,
    )
