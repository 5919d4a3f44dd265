"""Ballots: open them, find them, close them (by hand or at their closing time), read results.

Votes are cast in `ballot_votes`, proxies given in `proxies`, choices checked and counted in
`ballot_rules`, kept secret in `ballot_secrecy`; consent's integration rounds are opened in
`consent_rounds`. docs/voting.md tells residents and facilitators how it all counts.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from sqlmodel import Session, col, select

from voisinage import ballot_notices, ballot_secrecy, documents
from voisinage.audit import record_action
from voisinage.ballot_rules import (
    OPTION_METHODS,
    Rules,
    check_fallback,
    check_rules,
    tally,
)
from voisinage.errors import N_, DomainError, InvalidValue, NotFound
from voisinage.models import (
    ArticleVersion,
    Ballot,
    BallotChoice,
    BallotOption,
    BallotParticipation,
    Household,
    Member,
    Project,
    utcnow,
)
from voisinage.people import get_member
from voisinage.permissions import require_facilitator
from voisinage.tallies import Method, Outcome, Result, Threshold
from voisinage.validation import check_voting_unit
from voisinage.voices import Voice, eligible_voices
from voisinage.workshops import one_line

QUESTION_MAX = 500
LABEL_MAX = 200
OPTIONS_MAX = 20


class BallotState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class Channel(StrEnum):
    ONLINE = "online"
    ROOM = "room"  # a show of hands or paper ballots, recorded by a facilitator


class BallotNotOpen(DomainError):
    code = "ballot_not_open"
    message = N_("This ballot is not open yet.")


class BallotClosed(DomainError):
    code = "ballot_closed"
    message = N_("This ballot is closed: votes can no longer be cast or changed.")


class ResultsHidden(DomainError):
    code = "results_hidden"
    message = N_("The results of this ballot are shown when it closes.")


@dataclass(frozen=True)
class OptionView:
    key: str
    label: str
    text: str  # an article wording, or ""


@dataclass(frozen=True)
class BallotView:
    id: int
    project_id: int
    question: str
    article_version_id: int | None
    rules: Rules
    options: tuple[OptionView, ...]
    voting_unit: str
    secret: bool
    results_live: bool
    opens_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    round: int
    previous_ballot_id: int | None
    fallback_after_rounds: int | None
    fallback_threshold: str | None
    outcome: str | None

    @property
    def method(self) -> Method:
        return self.rules.method

    def state(self, now: datetime) -> BallotState:
        """Return where the ballot stands: past its closing time, it is closed even unsealed."""
        if self.closed_at is not None or (self.closes_at is not None and now >= self.closes_at):
            return BallotState.CLOSED
        return BallotState.OPEN if now >= self.opens_at else BallotState.SCHEDULED


@dataclass(frozen=True)
class Participation:
    """Who took part, never what they chose: the figures shown with every ballot."""

    eligible: int
    took_part: int
    online: int
    room: int
    by_proxy: int
    voted: tuple[Voice, ...]
    not_voted: tuple[Voice, ...]


def rules_of(ballot: Ballot, options: Sequence[BallotOption]) -> Rules:
    """Return a stored ballot's counting rules."""
    quorum = (
        Fraction(ballot.quorum_numerator, ballot.quorum_denominator)
        if ballot.quorum_numerator is not None
        else None
    )
    return Rules(
        method=Method(ballot.method),
        options=tuple(option.key for option in options),
        threshold=Threshold(ballot.threshold) if ballot.threshold else None,
        grades=tuple(ballot.grades) if ballot.grades is not None else None,
        minimum_grade=ballot.minimum_grade,
        quorum=quorum,
    )


def _view(ballot: Ballot, options: Sequence[BallotOption]) -> BallotView:
    return BallotView(
        id=ballot.id,
        project_id=ballot.project_id,
        question=ballot.question,
        article_version_id=ballot.article_version_id,
        rules=rules_of(ballot, options),
        options=tuple(OptionView(o.key, o.label, o.text) for o in options),
        voting_unit=ballot.voting_unit,
        secret=ballot.secret,
        results_live=ballot.results_live,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
        closed_at=ballot.closed_at,
        round=ballot.round,
        previous_ballot_id=ballot.previous_ballot_id,
        fallback_after_rounds=ballot.fallback_after_rounds,
        fallback_threshold=ballot.fallback_threshold,
        outcome=ballot.outcome,
    )


def _options(session: Session, ballot_id: int) -> list[BallotOption]:
    return list(
        session.exec(
            select(BallotOption)
            .where(col(BallotOption.ballot_id) == ballot_id)
            .order_by(col(BallotOption.position))
        )
    )


def get_ballot(
    session: Session, *, project_id: int, ballot_id: int, lock: str | None = None
) -> Ballot:
    """Return one of the project's ballots; `lock` "share" or "update" holds its row.

    Votes hold it shared and the close holds it exclusively, so that on PostgreSQL no vote
    slips in while a ballot is being counted and sealed (SQLite has a single writer anyway).
    """
    statement = select(Ballot).where(col(Ballot.id) == ballot_id)
    if lock is not None:
        statement = statement.with_for_update(read=lock == "share").execution_options(
            populate_existing=True
        )
    ballot = session.exec(statement).first()
    if ballot is None or ballot.project_id != project_id:
        raise NotFound(N_("This ballot does not exist in this project."))
    return ballot


def view_of(session: Session, ballot: Ballot) -> BallotView:
    """Return the view of a ballot row already loaded (and perhaps locked)."""
    return _view(ballot, _options(session, ballot.id))


def load_ballot(session: Session, *, project_id: int, ballot_id: int) -> BallotView:
    """Return a ballot with its options."""
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id)
    return _view(ballot, _options(session, ballot.id))


def list_ballots(session: Session, *, project_id: int) -> list[BallotView]:
    """Return the project's ballots, newest first, in two queries."""
    ballots = list(
        session.exec(
            select(Ballot)
            .where(col(Ballot.project_id) == project_id)
            .order_by(col(Ballot.opens_at).desc(), col(Ballot.id).desc())
        )
    )
    options: dict[int, list[BallotOption]] = {ballot.id: [] for ballot in ballots}
    for option in session.exec(
        select(BallotOption)
        .where(col(BallotOption.ballot_id).in_(list(options)))
        .order_by(col(BallotOption.ballot_id), col(BallotOption.position))
    ):
        options[option.ballot_id].append(option)
    return [_view(ballot, options[ballot.id]) for ballot in ballots]


def _clean_options(
    options: Sequence[str | tuple[str, str]], *, wordings: bool
) -> list[tuple[str, str]]:
    if len(options) > OPTIONS_MAX:
        raise InvalidValue(N_("A ballot has %(max)s options at most."), max=OPTIONS_MAX)
    cleaned: list[tuple[str, str]] = []
    for option in options:
        label, text = (option, "") if isinstance(option, str) else option
        label = one_line(label, max_length=LABEL_MAX)
        if not label:
            raise InvalidValue(N_("Every option needs a name."))
        if label in (seen for seen, _ in cleaned):
            raise InvalidValue(N_("The option %(value)s is listed twice."), value=label)
        text = documents.clean_text(text, required=wordings)
        cleaned.append((label, text))
    return cleaned


def check_dates(opens_at: datetime, closes_at: datetime | None, now: datetime) -> None:
    """Refuse a closing time that is not after both the opening time and now."""
    if closes_at is not None and closes_at <= max(opens_at, now):
        raise InvalidValue(N_("The closing time must come after the opening time and now."))


@dataclass(frozen=True)
class RoundSetup:
    """What a new ballot copies from the ballot whose next round it is."""

    round: int = 1
    previous_ballot_id: int | None = None


def open_ballot(
    session: Session,
    *,
    project_id: int,
    method: str,
    question: str | None = None,
    article_id: int | None = None,
    options: Sequence[str | tuple[str, str]] = (),
    threshold: str | None = None,
    grades: Sequence[str] | None = None,
    minimum_grade: str | None = None,
    voting_unit: str | None = None,
    quorum: Fraction | None = None,
    secret: bool = False,
    results_live: bool = False,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    fallback_after_rounds: int | None = None,
    fallback_threshold: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
    round_of: RoundSetup | None = None,
) -> BallotView:
    """Open a ballot on an article's current wording or on a free question (facilitators only).

    Options are names, or (name, wording) pairs; on an article, every option is a wording,
    and a majority judgment without options grades the current wording alone. The voting
    unit is the project's unless given; `opens_at` in the future schedules the ballot.
    `round_of` is for `consent_rounds`, which opens a blocked ballot's next round.
    """
    setup = round_of or RoundSetup()
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(N_("This project does not exist."))
    now = now or utcnow()
    opens_at = opens_at or now
    check_dates(opens_at, closes_at, now)
    version = None
    if article_id is not None:
        documents.get_article(session, project_id=project_id, article_id=article_id)
        version = documents.current_version(session, article_id)
    cleaned = _clean_options(options, wordings=version is not None)
    if version is not None and not cleaned and method == Method.MAJORITY_JUDGMENT:
        cleaned = [(version.title, version.text)]
    keys = string.ascii_lowercase[: len(cleaned)]
    rules = check_rules(
        method=method,
        options=keys,
        threshold=threshold,
        grades=grades,
        minimum_grade=minimum_grade,
        quorum=quorum,
    )
    if question is None and version is not None:
        question = version.title
    question = one_line(question, max_length=QUESTION_MAX)
    if not question:
        raise InvalidValue(N_("Please write the question."))
    if fallback_after_rounds is not None or fallback_threshold is not None:
        if rules.method is not Method.CONSENT:
            raise InvalidValue(N_("Only a consent ballot has a fallback."))
        fallback_after_rounds, fallback_threshold = check_fallback(
            fallback_after_rounds, fallback_threshold
        )
    elif rules.method is Method.CONSENT and round_of is None:
        # A first consent round without its own fallback takes the project's.
        fallback_after_rounds = project.consent_fallback_after_rounds
        fallback_threshold = project.consent_fallback_threshold
    ballot = Ballot(
        project_id=project_id,
        article_version_id=version.id if version else None,
        question=question,
        method=rules.method,
        threshold=rules.threshold,
        grades=list(rules.grades) if rules.grades is not None else None,
        minimum_grade=rules.minimum_grade,
        voting_unit=check_voting_unit(voting_unit or project.voting_unit).value,
        secret=bool(secret),
        results_live=bool(results_live),
        quorum_numerator=rules.quorum.numerator if rules.quorum is not None else None,
        quorum_denominator=rules.quorum.denominator if rules.quorum is not None else None,
        opens_at=opens_at,
        closes_at=closes_at,
        round=setup.round,
        previous_ballot_id=setup.previous_ballot_id,
        fallback_after_rounds=fallback_after_rounds,
        fallback_threshold=fallback_threshold,
        secret_key=ballot_secrecy.new_key() if secret else None,
        created_by_id=actor_id,
        created_at=now,
    )
    session.add(ballot)
    session.flush()
    session.add_all(
        BallotOption(ballot_id=ballot.id, position=position, key=key, label=label, text=text)
        for position, (key, (label, text)) in enumerate(zip(keys, cleaned, strict=True))
    )
    session.flush()
    ballot_notices.announce_ballot(session, ballot, now=now)
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="ballot.open",
        ballot_id=ballot.id,
        method=rules.method.value,
        secret=ballot.secret,
        round=ballot.round,
    )
    return load_ballot(session, project_id=project_id, ballot_id=ballot.id)


def require_open(view: BallotView, now: datetime) -> None:
    """Refuse unless the ballot takes votes at `now`."""
    state = view.state(now)
    if state is BallotState.CLOSED:
        raise BallotClosed()
    if state is BallotState.SCHEDULED:
        raise BallotNotOpen()


def _participations(session: Session, ballot_id: int) -> list[BallotParticipation]:
    return list(
        session.exec(
            select(BallotParticipation)
            .where(col(BallotParticipation.ballot_id) == ballot_id)
            .order_by(col(BallotParticipation.id))
        )
    )


def _row_voice(session: Session, row: BallotParticipation, voices: dict[str, Voice]) -> Voice:
    voice = Voice(row.household_id, row.member_id, "")
    if voice.key in voices:
        return voices[voice.key]
    # A voice that voted and is no longer eligible: a resident who changed household or role.
    if row.household_id is not None:
        return replace(voice, name=session.get(Household, row.household_id).name)
    return replace(voice, name=session.get(Member, row.member_id).display_name)


def participation(session: Session, *, project_id: int, ballot_id: int) -> Participation:
    """Return who took part in a ballot, by which channel, and who has not yet."""
    view = load_ballot(session, project_id=project_id, ballot_id=ballot_id)
    rows = _participations(session, ballot_id)
    voices = {
        voice.key: voice
        for voice in eligible_voices(session, project_id=project_id, unit=view.voting_unit)
    }
    voted = [_row_voice(session, row, voices) for row in rows]
    voted_keys = {voice.key for voice in voted}
    return Participation(
        eligible=len(voices.keys() | voted_keys),
        took_part=len(rows),
        online=sum(row.channel == Channel.ONLINE for row in rows),
        room=sum(row.channel == Channel.ROOM for row in rows),
        by_proxy=sum(row.by_proxy for row in rows),
        voted=tuple(sorted(voted, key=lambda voice: voice.name)),
        not_voted=tuple(
            sorted(
                (voice for key, voice in voices.items() if key not in voted_keys),
                key=lambda voice: voice.name,
            )
        ),
    )


def _count(session: Session, ballot: Ballot, view: BallotView, eligible: int) -> Result:
    values = session.exec(select(BallotChoice.value).where(BallotChoice.ballot_id == ballot.id))
    return tally(view.rules, values, eligible=eligible)


def _result_record(result: Result, figures: Participation) -> dict[str, Any]:
    return result.to_dict() | {
        "channels": {
            "online": figures.online,
            "room": figures.room,
            "by_proxy": figures.by_proxy,
        }
    }


def _adopted_version(session: Session, view: BallotView, result: Result) -> int | None:
    """Return the article wording a ballot adopted; a winning new wording becomes a version."""
    if result.outcome is not Outcome.ADOPTED or view.article_version_id is None:
        return None
    voted = session.get(ArticleVersion, view.article_version_id)
    if view.method not in OPTION_METHODS:
        return voted.id
    winner = next(option for option in view.options if option.key == result.winners[0])
    if winner.text == voted.text:
        return voted.id
    version = documents.add_version(
        session, article_id=voted.article_id, title=voted.title, text=winner.text, author_id=None
    )
    return version.id


def _finish(session: Session, ballot: Ballot, *, actor_id: int | None, now: datetime) -> None:
    """Count, record the result and what it adopted, and seal a secret ballot."""
    view = _view(ballot, _options(session, ballot.id))
    figures = participation(session, project_id=ballot.project_id, ballot_id=ballot.id)
    result = _count(session, ballot, view, figures.eligible)
    ballot.outcome = result.outcome.value
    ballot.result = _result_record(result, figures)
    ballot.closed_at = now
    ballot.adopted_version_id = _adopted_version(session, view, result)
    session.add(ballot)
    if ballot.secret:
        ballot_secrecy.seal(session, ballot)
    ballot_notices.announce_result(session, ballot, now=now)
    record_action(
        session,
        project_id=ballot.project_id,
        actor_id=actor_id,
        action="ballot.close",
        ballot_id=ballot.id,
        outcome=ballot.outcome,
        took_part=result.took_part,
        eligible=figures.eligible,
    )
    session.flush()


def close_ballot(
    session: Session,
    *,
    project_id: int,
    ballot_id: int,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> BallotView:
    """Close a ballot now and record its result (facilitators only); closing twice is a no-op."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    now = now or utcnow()
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id, lock="update")
    if ballot.closed_at is None:
        if now < ballot.opens_at:
            raise BallotNotOpen(N_("This ballot has not opened yet: there is nothing to close."))
        _finish(session, ballot, actor_id=actor_id, now=now)
    return load_ballot(session, project_id=project_id, ballot_id=ballot_id)


def close_due_ballots(session: Session, *, now: datetime | None = None) -> list[int]:
    """Close every ballot whose closing time has come; return their ids (for announcements)."""
    now = now or utcnow()
    due = session.exec(
        select(Ballot.id, Ballot.project_id)
        .where(col(Ballot.closed_at).is_(None), col(Ballot.closes_at) <= now)
        .order_by(col(Ballot.closes_at), col(Ballot.id))
    ).all()
    closed = []
    for ballot_id, project_id in due:
        ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id, lock="update")
        # Another process may have closed it between the query and the lock.
        if ballot.closed_at is None:
            _finish(session, ballot, actor_id=None, now=ballot.closes_at)
            closed.append(ballot_id)
    return closed


def ballot_result(
    session: Session,
    *,
    project_id: int,
    ballot_id: int,
    viewer_id: int | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return a ballot's result as JSON-ready data: recorded at the close, or live if allowed.

    Hidden results stay hidden until the close from everyone, facilitators included.
    `viewer_id=None` is the operator at the command line.
    """
    if viewer_id is not None:
        get_member(session, project_id=project_id, member_id=viewer_id)
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id)
    if ballot.result is not None:
        return ballot.result
    view = _view(ballot, _options(session, ballot.id))
    state = view.state(now or utcnow())
    if state is BallotState.SCHEDULED:
        raise BallotNotOpen()
    # Past its closing time a ballot takes no more votes: its count is final, even before
    # `close_due_ballots` records it.
    if state is BallotState.OPEN and not ballot.results_live:
        raise ResultsHidden()
    figures = participation(session, project_id=project_id, ballot_id=ballot_id)
    return _result_record(_count(session, ballot, view, figures.eligible), figures)
