"""Open questionnaires and open ballots in a project summary: who took part, who is missing.

Never what anyone answered or chose: an open ballot's summary holds participation only, so
that hidden results and secret ballots say nothing before the close.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import or_
from sqlmodel import Session, col, select

from voisinage.models import AnswerSet, Ballot, BallotParticipation, Questionnaire
from voisinage.questionnaire_participation import eligible_respondents
from voisinage.questionnaire_specs import QuestionnaireStatus
from voisinage.tallies import check_quorum
from voisinage.voices import Voice, eligible_voices


@dataclass(frozen=True)
class Missing:
    """A household or a member who has not answered or voted yet."""

    household_id: int | None
    member_id: int | None
    name: str
    # Questionnaires: "draft" (started, not submitted) or "not_started"; ballots: "not_voted".
    state: str


@dataclass(frozen=True)
class QuestionnaireSummary:
    id: int
    title: str
    round_number: int
    respondent_unit: str
    anonymous: bool
    closes_at: datetime | None
    # Among the eligible respondents (households, or residents per person).
    eligible: int
    submitted: int
    drafts: int
    # submitted / eligible, None when nobody is eligible.
    response_rate: float | None
    missing: tuple[Missing, ...]


@dataclass(frozen=True)
class BallotSummary:
    """An open ballot: participation against the quorum, time left, voices missing; no choices."""

    id: int
    question: str
    method: str
    voting_unit: str
    secret: bool
    results_live: bool
    opens_at: datetime
    closes_at: datetime | None
    # Seconds until the close; None for a ballot closed by hand only.
    seconds_left: int | None
    eligible: int
    took_part: int
    # The quorum as "3/4" and the voices it needs (⌈share × eligible⌉); None without a quorum.
    quorum: str | None
    quorum_needed: int | None
    quorum_reached: bool | None
    missing: tuple[Missing, ...]


def _by_unit(units: set[str], load: Callable[[str], list]) -> dict[str, list]:
    # One load per unit used (two at most), not one per questionnaire or ballot.
    return {unit: load(unit) for unit in sorted(units)}


def questionnaire_summaries(
    session: Session, *, project_id: int, now: datetime
) -> tuple[QuestionnaireSummary, ...]:
    """Return the questionnaires open now with their response rate and who is missing."""
    questionnaires = [
        q
        for q in session.exec(
            select(Questionnaire)
            .where(
                col(Questionnaire.project_id) == project_id,
                col(Questionnaire.status) == QuestionnaireStatus.OPEN,
            )
            .order_by(col(Questionnaire.created_at), col(Questionnaire.id))
        )
        if (q.opens_at is None or q.opens_at <= now) and (q.closes_at is None or now < q.closes_at)
    ]
    if not questionnaires:
        return ()
    sets: dict[int, dict[tuple[int | None, int | None], bool]] = defaultdict(dict)
    for questionnaire_id, household_id, member_id, submitted_at in session.exec(
        select(
            AnswerSet.questionnaire_id,
            AnswerSet.household_id,
            AnswerSet.member_id,
            AnswerSet.submitted_at,
        ).where(col(AnswerSet.questionnaire_id).in_([q.id for q in questionnaires]))
    ):
        sets[questionnaire_id][(household_id, member_id)] = submitted_at is not None
    eligible_by_unit = _by_unit(
        {q.respondent_unit for q in questionnaires},
        lambda unit: eligible_respondents(session, project_id=project_id, unit=unit),
    )
    summaries = []
    for questionnaire in questionnaires:
        eligible = eligible_by_unit[questionnaire.respondent_unit]
        states = sets[questionnaire.id]
        submitted = sum(states.get((h, m)) is True for h, m, _ in eligible)
        summaries.append(
            QuestionnaireSummary(
                id=questionnaire.id,
                title=questionnaire.title,
                round_number=questionnaire.round_number,
                respondent_unit=questionnaire.respondent_unit,
                anonymous=questionnaire.anonymous,
                closes_at=questionnaire.closes_at,
                eligible=len(eligible),
                submitted=submitted,
                drafts=sum(states.get((h, m)) is False for h, m, _ in eligible),
                response_rate=submitted / len(eligible) if eligible else None,
                missing=tuple(
                    Missing(h, m, name, "draft" if (h, m) in states else "not_started")
                    for h, m, name in eligible
                    if states.get((h, m)) is not True
                ),
            )
        )
    return tuple(summaries)


def ballot_summaries(
    session: Session, *, project_id: int, now: datetime
) -> tuple[BallotSummary, ...]:
    """Return the ballots open now, soonest to close first, with participation and no choice."""
    ballots = list(
        session.exec(
            select(Ballot)
            .where(
                col(Ballot.project_id) == project_id,
                col(Ballot.closed_at).is_(None),
                col(Ballot.opens_at) <= now,
                or_(col(Ballot.closes_at).is_(None), col(Ballot.closes_at) > now),
            )
            .order_by(col(Ballot.opens_at), col(Ballot.id))
        )
    )
    if not ballots:
        return ()
    voted: dict[int, set[str]] = defaultdict(set)
    for ballot_id, household_id, member_id in session.exec(
        select(
            BallotParticipation.ballot_id,
            BallotParticipation.household_id,
            BallotParticipation.member_id,
        ).where(col(BallotParticipation.ballot_id).in_([b.id for b in ballots]))
    ):
        voted[ballot_id].add(Voice(household_id, member_id, "").key)
    voices_by_unit = _by_unit(
        {b.voting_unit for b in ballots},
        lambda unit: eligible_voices(session, project_id=project_id, unit=unit),
    )
    summaries = []
    for ballot in ballots:
        voices = {voice.key: voice for voice in voices_by_unit[ballot.voting_unit]}
        keys = voted[ballot.id]
        # As `ballots.participation` counts: a voice that voted, then lost its vote, still counts.
        eligible = len(voices.keys() | keys)
        took_part = len(keys)
        share = (
            Fraction(ballot.quorum_numerator, ballot.quorum_denominator)
            if ballot.quorum_numerator is not None
            else None
        )
        quorum = (
            check_quorum(took_part=took_part, eligible=eligible, share=share)
            if share is not None
            else None
        )
        summaries.append(
            BallotSummary(
                id=ballot.id,
                question=ballot.question,
                method=ballot.method,
                voting_unit=ballot.voting_unit,
                secret=ballot.secret,
                results_live=ballot.results_live,
                opens_at=ballot.opens_at,
                closes_at=ballot.closes_at,
                seconds_left=int((ballot.closes_at - now).total_seconds())
                if ballot.closes_at is not None
                else None,
                eligible=eligible,
                took_part=took_part,
                quorum=str(share) if share is not None else None,
                quorum_needed=quorum.needed if quorum else None,
                quorum_reached=quorum.reached if quorum else None,
                missing=tuple(
                    Missing(voice.household_id, voice.member_id, voice.name, "not_voted")
                    for key, voice in sorted(voices.items(), key=lambda item: item[1].name)
                    if key not in keys
                ),
            )
        )
    return tuple(sorted(summaries, key=_closing_order))


def _closing_order(summary: BallotSummary) -> tuple:
    return (summary.closes_at is None, summary.closes_at or summary.opens_at, summary.id)
