"""A member's own data: export it, or erase it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from voisinage import ballot_secrecy
from voisinage.amendments import AmendmentStatus
from voisinage.bot_state import erase_states_of_telegram_user, states_of_telegram_user
from voisinage.enums import Role
from voisinage.errors import N_, Conflict, NotFound
from voisinage.models import (
    ActionLog,
    Amendment,
    ArticleComment,
    ArticleVersion,
    Ballot,
    BallotChoice,
    BallotParticipation,
    Household,
    LinkNonce,
    Member,
    NudgeRecipient,
    Project,
    Proxy,
    Redemption,
    utcnow,
)
from voisinage.people import memberships_of_telegram_user
from voisinage.personal_records import (
    iso,
    questionnaire_records,
    vote_records,
    workshop_records,
)
from voisinage.voices import Voice

PERSONAL_EXPORT_SCHEMA = "voisinage.personal-data"
PERSONAL_EXPORT_VERSION = 1
TELEGRAM_EXPORT_SCHEMA = "voisinage.telegram-personal-data"


@dataclass(frozen=True)
class ForgetReport:
    """What erasing a member removed, and what was kept and why (shown to the person)."""

    project_name: str
    removed: list[str]
    kept: list[str]


def export_member_data(session: Session, *, member_id: int) -> dict[str, Any]:
    """Return everything stored about one member, as JSON-ready data."""
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(N_("This member does not exist in this project."))
    project = session.get(Project, member.project_id)
    household = session.get(Household, member.household_id) if member.household_id else None
    redemptions = session.exec(select(Redemption).where(Redemption.member_id == member_id)).all()
    actions = session.exec(
        select(ActionLog).where(ActionLog.actor_id == member_id).order_by(col(ActionLog.id))
    ).all()
    links = session.exec(select(LinkNonce).where(LinkNonce.member_id == member_id)).all()
    nudges = session.exec(
        select(NudgeRecipient)
        .where(NudgeRecipient.member_id == member_id)
        .order_by(col(NudgeRecipient.id))
    ).all()
    return {
        "schema": PERSONAL_EXPORT_SCHEMA,
        "version": PERSONAL_EXPORT_VERSION,
        "exported_at": utcnow().isoformat(),
        "member": {
            "id": member.id,
            "display_name": member.display_name,
            "role": member.role,
            "language": member.language,
            "telegram_user_id": member.telegram_user_id,
            "joined_at": iso(member.created_at),
        },
        "project": {"slug": project.slug, "name": project.name},
        "household": {"id": household.id, "name": household.name} if household else None,
        "joined_with_invitations": [
            {"invitation_id": r.invitation_id, "at": iso(r.created_at)} for r in redemptions
        ],
        "sign_in_links": [
            {"issued_at": iso(n.created_at), "used_at": iso(n.used_at)} for n in links
        ],
        "actions": [
            {"action": a.action, "details": a.details, "at": iso(a.created_at)} for a in actions
        ],
        "questionnaire_answers": questionnaire_records(session, member),
        # The facilitators' reminders about an item ("ballot:3") this member had not answered.
        "reminders_received": [{"about": n.subject, "at": iso(n.created_at)} for n in nudges],
        **workshop_records(session, member),
        **vote_records(session, member),
    }


def forget_member(session: Session, *, member_id: int) -> ForgetReport:
    """Erase a member and their personal data; keep only what the group's records need, anonymised."""
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(N_("This member does not exist in this project."))
    if member.role == Role.FACILITATOR:
        facilitators = session.exec(
            select(func.count())
            .select_from(Member)
            .where(Member.project_id == member.project_id, Member.role == Role.FACILITATOR)
        ).one()
        if facilitators <= 1:
            raise Conflict(
                N_("You are the project's only facilitator: name another one before leaving.")
            )
    project = session.get(Project, member.project_id)
    votes_removed, votes_kept = _erase_votes(session, member)
    nudged = _count(session, NudgeRecipient, col(NudgeRecipient.member_id) == member.id)
    session.delete(member)
    session.flush()
    # The database removes sign-in links, invitation use records and reminders received with
    # the member (ON DELETE CASCADE) and keeps the facilitators' log with the author blanked (SET NULL).
    return ForgetReport(
        project_name=project.name,
        removed=[
            N_("your name, role, language and Telegram account"),
            N_("your place in your household"),
            N_("your sign-in links and the record of the invitation you used"),
            N_("the questionnaire answers you gave for yourself"),
            *votes_removed,
            *([N_("the record of the reminders the facilitators sent you")] if nudged else []),
        ],
        kept=[
            N_(
                "the answers you gave for your household, which belong to the household, "
                "without your name"
            ),
            N_(
                "the project's action log, without your name, because the group's decisions must stay traceable"
            ),
            *votes_kept,
        ],
    )


def _count(session: Session, model: type, *conditions: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*conditions)).one()


def _erase_votes(session: Session, member: Member) -> tuple[list[str], list[str]]:
    """Withdraw the member's votes from ballots not counted yet; keep counted ones unnamed.

    A closed ballot's result is recorded, and its export must recount to it: a named ballot
    paper of the member stays, its name blanked. Their participation rows go with them (a row
    names exactly one voice, so it cannot be kept unnamed); the recorded result still counts
    the voice. A ballot still open counts the member no more: its choice goes too, found through
    its tag in a secret ballot. Returns the report's lines (removed, kept), only those that apply.
    """
    mine = col(BallotParticipation.member_id) == member.id
    closed_ids = select(Ballot.id).where(col(Ballot.closed_at).is_not(None))
    took_part_closed = _count(
        session, BallotParticipation, mine, col(BallotParticipation.ballot_id).in_(closed_ids)
    )
    # Named papers of open ballots go with the member (ON DELETE CASCADE); secret ones carry
    # no name, only the tag of the member's voice while the ballot is open.
    voice_key = Voice(None, member.id, "").key
    open_secret = session.exec(
        select(Ballot)
        .join(BallotParticipation, col(BallotParticipation.ballot_id) == col(Ballot.id))
        .where(mine, col(Ballot.closed_at).is_(None), col(Ballot.secret).is_(True))
    ).all()
    for ballot in open_secret:
        if ballot.secret_key is not None:
            session.execute(
                delete(BallotChoice).where(
                    col(BallotChoice.ballot_id) == ballot.id,
                    col(BallotChoice.voice_tag)
                    == ballot_secrecy.voice_tag(ballot.secret_key, voice_key),
                )
            )
    took_part_open = _count(
        session, BallotParticipation, mine, col(BallotParticipation.ballot_id).not_in(closed_ids)
    )
    session.execute(
        update(BallotChoice)
        .where(
            col(BallotChoice.member_id) == member.id, col(BallotChoice.ballot_id).in_(closed_ids)
        )
        .values(member_id=None)
    )
    cast_for_others = _count(
        session,
        BallotParticipation,
        col(BallotParticipation.cast_by_id) == member.id,
        col(BallotParticipation.member_id).is_(None)
        | (col(BallotParticipation.member_id) != member.id),
    )
    proxies = _count(
        session, Proxy, (col(Proxy.giver_id) == member.id) | (col(Proxy.holder_id) == member.id)
    )
    authored = col(Amendment.author_id) == member.id
    proposed = col(Amendment.status) == AmendmentStatus.PROPOSED
    comments = session.execute(
        delete(ArticleComment).where(col(ArticleComment.author_id) == member.id)
    ).rowcount
    undecided = session.execute(delete(Amendment).where(authored, proposed)).rowcount
    written = _count(session, Amendment, authored) + _count(
        session, ArticleVersion, col(ArticleVersion.author_id) == member.id
    )
    removed = [
        line
        for line, applies in (
            (
                N_("your votes in ballots not closed yet: they no longer count"),
                took_part_open,
            ),
            (
                N_(
                    "the record of the closed ballots you voted in; their recorded results "
                    "still count your vote, without your name, so that they can be recounted"
                ),
                took_part_closed,
            ),
            (N_("the proxies you gave and those you held"), proxies),
            (N_("your comments on the documents"), comments),
            (N_("the amendments you proposed that were not decided yet"), undecided),
        )
        if applies
    ]
    kept = [
        line
        for line, applies in (
            (
                N_(
                    "the votes you cast for your household or with a proxy, which belong to "
                    "them, without your name"
                ),
                cast_for_others,
            ),
            (
                N_(
                    "the decided amendments and the article wordings you wrote, without your "
                    "name, because they are part of the group's documents"
                ),
                written,
            ),
        )
        if applies
    ]
    return removed, kept


def export_telegram_person(session: Session, *, telegram_user_id: int) -> dict[str, Any]:
    """Return everything stored about one Telegram account: each membership, and the bot's notes."""
    memberships = memberships_of_telegram_user(session, telegram_user_id=telegram_user_id)
    states = states_of_telegram_user(session, telegram_user_id=telegram_user_id)
    return {
        "schema": TELEGRAM_EXPORT_SCHEMA,
        "version": PERSONAL_EXPORT_VERSION,
        "exported_at": utcnow().isoformat(),
        "telegram_user_id": telegram_user_id,
        "memberships": [export_member_data(session, member_id=m.id) for m, _ in memberships],
        "bot_state": [
            {"kind": s.kind, "key": s.key, "data": s.data, "updated_at": iso(s.updated_at)}
            for s in states
        ],
    }


def forget_telegram_person(session: Session, *, telegram_user_id: int) -> list[ForgetReport]:
    """Erase every membership of one Telegram account and what the bot keeps about it.

    One transaction: when one membership may not go (the only facilitator of a project), the
    refusal rolls back the others too, so that nothing is half-erased.
    """
    memberships = memberships_of_telegram_user(session, telegram_user_id=telegram_user_id)
    reports = [forget_member(session, member_id=member.id) for member, _ in memberships]
    erase_states_of_telegram_user(session, telegram_user_id=telegram_user_id)
    return reports
