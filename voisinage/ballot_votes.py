"""Casting votes: online (for oneself and the voices held by proxy) and in the room.

One voice, one ballot: the database's unique constraints on participation and choices make a
second ballot for the same voice impossible, and concurrent submissions of one voice queue on
its participation row, so that double clicks store one vote, the last one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from voisinage import ballot_notices, ballot_secrecy
from voisinage.audit import record_action
from voisinage.ballot_rules import check_choice
from voisinage.ballots import (
    BallotState,
    BallotView,
    Channel,
    get_ballot,
    list_ballots,
    participation,
    require_open,
    view_of,
)
from voisinage.errors import N_, Conflict, Forbidden, InvalidValue
from voisinage.models import Ballot, BallotChoice, BallotParticipation, Member, utcnow
from voisinage.people import get_member
from voisinage.permissions import require_facilitator
from voisinage.proxies import givers_for, proxy_for
from voisinage.tallies import Method
from voisinage.voices import Voice, voice_of

PAPER_BALLOTS_MAX = 10_000


@dataclass(frozen=True)
class VoteReceipt:
    voice: Voice
    by_proxy: bool
    changed: bool  # an earlier vote of this voice was replaced


@dataclass(frozen=True)
class VoiceStatus:
    """A voice a member may vote with in a ballot, and whether (and what) it has voted."""

    voice: Voice
    member_id: int  # whose voice: the member themselves, or who gave them a proxy
    by_proxy: bool
    voted: bool
    channel: str | None
    # The choice, while the voter can still see it: named ballots, and secret ones while open.
    choice: Any


def _voice_filter(model: type, voice: Voice) -> Any:
    if voice.household_id is not None:
        return col(model.household_id) == voice.household_id
    return col(model.member_id) == voice.member_id


def _participation(
    session: Session, ballot_id: int, voice: Voice, *, lock: bool
) -> BallotParticipation | None:
    statement = select(BallotParticipation).where(
        col(BallotParticipation.ballot_id) == ballot_id, _voice_filter(BallotParticipation, voice)
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.exec(statement).first()


def _insert_participation(
    session: Session,
    ballot_id: int,
    voice: Voice,
    *,
    cast_by: int | None,
    by_proxy: bool,
    channel: Channel,
    now: datetime,
) -> bool:
    """Insert a voice's participation; False when it already exists (a concurrent vote)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        dialect.insert(BallotParticipation)
        .values(
            ballot_id=ballot_id,
            household_id=voice.household_id,
            member_id=voice.member_id,
            cast_by_id=cast_by,
            by_proxy=by_proxy,
            channel=channel.value,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        # RETURNING, not rowcount: psycopg reports -1 rows for this statement.
        .returning(BallotParticipation.id)
    )
    return inserted.first() is not None


def _choice_row(session: Session, ballot: Ballot, voice: Voice) -> BallotChoice | None:
    if ballot.secret:
        if ballot.secret_key is None:
            return None
        tag = ballot_secrecy.voice_tag(ballot.secret_key, voice.key)
        condition = col(BallotChoice.voice_tag) == tag
    else:
        condition = _voice_filter(BallotChoice, voice)
    return session.exec(
        select(BallotChoice).where(col(BallotChoice.ballot_id) == ballot.id, condition)
    ).first()


def _put_choice(session: Session, ballot: Ballot, voice: Voice, value: Any) -> None:
    row = _choice_row(session, ballot, voice)
    if row is None:
        row = BallotChoice(ballot_id=ballot.id, value=value)
        if ballot.secret:
            row.voice_tag = ballot_secrecy.voice_tag(ballot.secret_key, voice.key)
        else:
            row.household_id, row.member_id = voice.household_id, voice.member_id
    else:
        row.value = value
    session.add(row)
    session.flush()


def _refuse_room_vote(row: BallotParticipation | None, voice: Voice) -> None:
    if row is not None and row.channel == Channel.ROOM:
        raise Conflict(
            N_("The vote of %(name)s was recorded in the room: it cannot be changed online."),
            name=voice.name,
        )


def _store(
    session: Session,
    ballot: Ballot,
    voice: Voice,
    value: Any,
    *,
    cast_by: int,
    by_proxy: bool,
    now: datetime,
) -> bool:
    """Record an online vote of a voice, or replace its earlier one; return True if replaced."""
    row = _participation(session, ballot.id, voice, lock=True)
    if row is None and not _insert_participation(
        session,
        ballot.id,
        voice,
        cast_by=cast_by,
        by_proxy=by_proxy,
        channel=Channel.ONLINE,
        now=now,
    ):
        # A concurrent submission of the same voice inserted it first: wait for it, then replace.
        row = _participation(session, ballot.id, voice, lock=True)
    if row is not None:
        _refuse_room_vote(row, voice)
        row.cast_by_id, row.by_proxy, row.updated_at = cast_by, by_proxy, now
        session.add(row)
    _put_choice(session, ballot, voice, value)
    ballot_notices.voice_voted(session, ballot, voice, now=now)
    return row is not None


def _targets(
    session: Session, ballot: Ballot, member: Member, for_member_ids: Sequence[int]
) -> list[tuple[Voice, bool]]:
    """Return the voices a member votes with, refusing one they do not carry."""
    own = voice_of(session, member, unit=ballot.voting_unit)
    targets: dict[str, tuple[Voice, bool]] = {}
    for target_id in for_member_ids:
        if target_id == member.id:
            voice, by_proxy = own, False
        else:
            giver = get_member(session, project_id=ballot.project_id, member_id=target_id)
            proxy = proxy_for(session, ballot_id=ballot.id, giver_id=giver.id)
            if proxy is None or proxy.holder_id != member.id:
                raise Forbidden(
                    N_("You do not hold a proxy from %(name)s for this ballot."),
                    name=giver.display_name,
                )
            voice = voice_of(session, giver, unit=ballot.voting_unit)
            by_proxy = voice.key != own.key
        targets.setdefault(voice.key, (voice, by_proxy))
    return list(targets.values())


def cast_vote(
    session: Session,
    *,
    project_id: int,
    ballot_id: int,
    member_id: int,
    choice: Any,
    for_member_ids: Sequence[int] | None = None,
    now: datetime | None = None,
) -> list[VoteReceipt]:
    """Cast or change a vote, for the member's own voice or (`for_member_ids`) proxies held.

    `for_member_ids` names whose voices to vote with: the member themselves and those who
    gave them a proxy, all with the same choice in one go, or one by one in separate calls.
    """
    now = now or utcnow()
    member = get_member(session, project_id=project_id, member_id=member_id)
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id, lock="share")
    view = view_of(session, ballot)
    require_open(view, now)
    value = check_choice(view.rules, choice)
    targets = _targets(session, ballot, member, for_member_ids or [member_id])
    for voice, _ in targets:
        _refuse_room_vote(_participation(session, ballot.id, voice, lock=False), voice)
    return [
        VoteReceipt(
            voice=voice,
            by_proxy=by_proxy,
            changed=_store(
                session, ballot, voice, value, cast_by=member.id, by_proxy=by_proxy, now=now
            ),
        )
        for voice, by_proxy in targets
    ]


def my_voices(
    session: Session,
    *,
    project_id: int,
    ballot_id: int,
    member_id: int,
    now: datetime | None = None,
) -> list[VoiceStatus]:
    """Return the voices a member votes with in a ballot (their own first), and their votes."""
    member = get_member(session, project_id=project_id, member_id=member_id)
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id)
    open_ = view_of(session, ballot).state(now or utcnow()) is not BallotState.CLOSED
    people = [
        (member, False),
        *((giver, True) for giver in givers_for(session, ballot_id=ballot_id, holder_id=member.id)),
    ]
    statuses: dict[str, VoiceStatus] = {}
    for person, by_proxy in people:
        voice = voice_of(session, person, unit=ballot.voting_unit)
        if voice.key in statuses:
            continue
        row = _participation(session, ballot.id, voice, lock=False)
        choice = None
        if row is not None and (not ballot.secret or open_):
            found = _choice_row(session, ballot, voice)
            choice = found.value if found is not None else None
        statuses[voice.key] = VoiceStatus(
            voice=voice,
            member_id=person.id,
            by_proxy=by_proxy,
            voted=row is not None,
            channel=row.channel if row is not None else None,
            choice=choice,
        )
    return list(statuses.values())


@dataclass(frozen=True)
class NamedVote:
    voice: Voice
    channel: str
    by_proxy: bool
    choice: Any


def named_votes(session: Session, *, project_id: int, ballot_id: int) -> list[NamedVote]:
    """Return who chose what in a named ballot, by voice name; refuse a secret ballot."""
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id)
    if ballot.secret:
        raise Forbidden(N_("This ballot is secret: nobody can see who chose what."))
    voices = {
        voice.key: voice
        for voice in participation(session, project_id=project_id, ballot_id=ballot_id).voted
    }
    choices = {
        Voice(row.household_id, row.member_id, "").key: row.value
        for row in session.exec(
            select(BallotChoice).where(col(BallotChoice.ballot_id) == ballot_id)
        )
    }
    rows = session.exec(
        select(BallotParticipation).where(col(BallotParticipation.ballot_id) == ballot_id)
    )
    votes = []
    for row in rows:
        voice = voices[Voice(row.household_id, row.member_id, "").key]
        votes.append(NamedVote(voice, row.channel, row.by_proxy, choices.get(voice.key)))
    return sorted(votes, key=lambda vote: vote.voice.name)


@dataclass(frozen=True)
class OpenBallot:
    ballot: BallotView
    voted: bool  # whether the member's own voice has voted


def open_ballots_for(
    session: Session, *, project_id: int, member_id: int, now: datetime | None = None
) -> list[OpenBallot]:
    """Return the ballots open now, newest first, each with whether the member's voice voted."""
    now = now or utcnow()
    member = get_member(session, project_id=project_id, member_id=member_id)
    views = [
        view
        for view in list_ballots(session, project_id=project_id)
        if view.state(now) is BallotState.OPEN
    ]
    voices = {unit: voice_of(session, member, unit=unit) for unit in ("household", "person")}
    voted = {
        (row.ballot_id, Voice(row.household_id, row.member_id, "").key)
        for row in session.exec(
            select(BallotParticipation).where(
                col(BallotParticipation.ballot_id).in_([view.id for view in views]),
                (col(BallotParticipation.member_id) == member.id)
                | (
                    (col(BallotParticipation.household_id) == member.household_id)
                    & col(BallotParticipation.household_id).is_not(None)
                ),
            )
        )
    }
    return [
        OpenBallot(ballot=view, voted=(view.id, voices[view.voting_unit].key) in voted)
        for view in views
    ]


def _room_voices(session: Session, ballot: Ballot, member_ids: Sequence[int]) -> list[Voice]:
    """Return the voices of members voting in the room; refuse a voice twice or already voted."""
    voices: dict[str, Voice] = {}
    for member_id in member_ids:
        member = get_member(session, project_id=ballot.project_id, member_id=member_id)
        voice = voice_of(session, member, unit=ballot.voting_unit)
        if voice.key in voices:
            raise InvalidValue(N_("%(name)s has one voice: it is listed twice."), name=voice.name)
        if _participation(session, ballot.id, voice, lock=False) is not None:
            raise Conflict(N_("%(name)s has already voted."), name=voice.name)
        voices[voice.key] = voice
    if not voices:
        raise InvalidValue(N_("Record at least one vote."))
    return list(voices.values())


def _room_ballot(
    session: Session, *, project_id: int, ballot_id: int, actor_id: int | None, now: datetime
) -> Ballot:
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id, lock="share")
    require_open(view_of(session, ballot), now)
    return ballot


def _insert_room_participation(
    session: Session, ballot: Ballot, voice: Voice, *, actor_id: int | None, now: datetime
) -> None:
    if not _insert_participation(
        session, ballot.id, voice, cast_by=actor_id, by_proxy=False, channel=Channel.ROOM, now=now
    ):
        raise Conflict(N_("%(name)s has already voted."), name=voice.name)
    ballot_notices.voice_voted(session, ballot, voice, now=now)


def record_room_votes(
    session: Session,
    *,
    project_id: int,
    ballot_id: int,
    votes: Mapping[int, Any],
    actor_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record a named vote held in the room, member by member (facilitators only).

    A voice that already voted online is refused by name: every voice counts once.
    """
    now = now or utcnow()
    ballot = _room_ballot(
        session, project_id=project_id, ballot_id=ballot_id, actor_id=actor_id, now=now
    )
    if ballot.secret:
        raise InvalidValue(
            N_("This ballot is secret: record the paper ballots, not who chose what.")
        )
    rules = view_of(session, ballot).rules
    voices = _room_voices(session, ballot, list(votes))
    values = [check_choice(rules, choice) for choice in votes.values()]
    for voice, value in zip(voices, values, strict=True):
        _insert_room_participation(session, ballot, voice, actor_id=actor_id, now=now)
        _put_choice(session, ballot, voice, value)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="ballot.room_votes",
        ballot_id=ballot_id,
        voices=len(voices),
    )
    return len(voices)


def _check_count(count: Any) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InvalidValue(N_("A count is a whole number, zero or more."))
    if count > PAPER_BALLOTS_MAX:
        raise InvalidValue(N_("There are too many ballots."))
    return count


def paper_ballots(counts: Mapping[Any, int] | Sequence[tuple[Any, int]]) -> list[Any]:
    """Return the paper ballots a count per choice stands for: {"for": 2} → ["for", "for"].

    Choices that are not names (a ranked paper's order) come as (choice, count) pairs.
    """
    ballots: list[Any] = []
    pairs = counts.items() if isinstance(counts, Mapping) else counts
    for choice, count in pairs:
        if len(ballots) + _check_count(count) > PAPER_BALLOTS_MAX:
            raise InvalidValue(N_("There are too many ballots."))
        ballots += [choice] * count
    return ballots


def counted_papers(view: BallotView, counts: Mapping[str, Any], *, papers: int) -> list[Any]:
    """Return `papers` ballots that count as a secret paper vote counted per option.

    Approval: `counts` maps each option key to its approvals; majority judgment: each option
    key to its {grade: papers}, every paper grading every option. Both tallies read only these
    figures per option (approvals; merit profiles), so the ballots returned, the i-th paper
    taking the i-th best mark of each option, give exactly the result of the papers in the
    box; which marks shared a paper is not kept. For / against, consent and ranked papers are
    counted per whole paper with `paper_ballots`.
    """
    rules = view.rules
    labels = {option.key: option.label for option in view.options}
    unknown = sorted(set(counts) - set(labels))
    if unknown:
        raise InvalidValue(N_("Unknown option %(value)s."), value=unknown[0])
    if rules.method is Method.APPROVAL:
        approvals = {key: _check_count(counts.get(key, 0)) for key in rules.options}
        for key, count in approvals.items():
            if count > papers:
                raise InvalidValue(
                    N_("%(option)s has %(count)s approvals for %(papers)s paper ballots."),
                    option=labels[key],
                    count=count,
                    papers=papers,
                )
        return [[key for key in rules.options if index < approvals[key]] for index in range(papers)]
    if rules.method is Method.MAJORITY_JUDGMENT:
        marks: dict[str, list[str]] = {}
        for key in rules.options:
            given = counts.get(key) or {}
            strange = sorted(given.keys() - set(rules.grades))
            if strange:
                raise InvalidValue(N_("Unknown grade %(value)s."), value=strange[0])
            marks[key] = paper_ballots([(grade, given.get(grade, 0)) for grade in rules.grades])
            if len(marks[key]) != papers:
                raise InvalidValue(
                    N_(
                        "%(option)s has %(count)s grades for %(papers)s paper ballots: "
                        "every paper grades every option."
                    ),
                    option=labels[key],
                    count=len(marks[key]),
                    papers=papers,
                )
        return [{key: marks[key][index] for key in rules.options} for index in range(papers)]
    raise InvalidValue(N_("Count these paper ballots per choice."))


def record_paper_ballots(
    session: Session,
    *,
    project_id: int,
    ballot_id: int,
    voter_ids: Sequence[int],
    ballots: Sequence[Any],
    actor_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record a secret paper vote held in the room: who voted, and the ballots, unlinked.

    There must be one paper ballot per voice; a voice that already voted online is refused
    by name, so that every voice counts once.
    """
    now = now or utcnow()
    ballot = _room_ballot(
        session, project_id=project_id, ballot_id=ballot_id, actor_id=actor_id, now=now
    )
    if not ballot.secret:
        raise InvalidValue(N_("This ballot is named: record each member's vote."))
    rules = view_of(session, ballot).rules
    voices = _room_voices(session, ballot, voter_ids)
    if len(ballots) != len(voices):
        raise InvalidValue(
            N_(
                "There are %(ballots)s paper ballots for %(voices)s voices: the numbers must match."
            ),
            ballots=len(ballots),
            voices=len(voices),
        )
    values = [check_choice(rules, choice) for choice in ballots]
    for voice in voices:
        _insert_room_participation(session, ballot, voice, actor_id=actor_id, now=now)
    session.add_all(BallotChoice(ballot_id=ballot.id, value=value) for value in values)
    session.flush()
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="ballot.paper_ballots",
        ballot_id=ballot_id,
        voices=len(voices),
    )
    return len(voices)
