"""What a questionnaire's answers say, question by question, for the facilitators.

Pure functions over `Response` values do the maths with exact fractions; `summarize` reads what
it needs in a fixed number of queries, whatever the number of respondents. Only submitted answer
sets count. The pré-programme and the comparison of rounds are in `questionnaire_brief`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlmodel import Session, select

from voisinage.models import AnswerSet
from voisinage.permissions import require_facilitator
from voisinage.questionnaire_participation import eligible_respondents
from voisinage.questionnaire_results import Response, load_responses
from voisinage.questionnaire_specs import (
    OptionSpec,
    QuestionKind,
    QuestionnaireView,
    QuestionView,
    Value,
)
from voisinage.questionnaires import load_questionnaire

# Up to this many distinct values, a number's histogram has one bar a value.
DISCRETE_BUCKETS_MAX = 12
# Otherwise it has about this many bars, of a round width.
TARGET_BUCKETS = 6


@dataclass(frozen=True, kw_only=True)
class QuestionSummary:
    question_id: int
    key: str
    label: str
    kind: str
    # Submitted answer sets that answered the question, and that skipped it.
    answered: int
    skipped: int


@dataclass(frozen=True)
class OptionCount:
    key: str
    label: str
    count: int
    # Of those who answered the question, exact: a single choice's percentages add up to 100.
    percent: Fraction


@dataclass(frozen=True, kw_only=True)
class ChoiceSummary(QuestionSummary):
    options: tuple[OptionCount, ...]


@dataclass(frozen=True)
class Bucket:
    """A histogram bar: the values from `low` (included) to `high` (excluded, except for the
    last bar); a bar whose `low` equals its `high` holds that value alone."""

    low: Fraction
    high: Fraction
    count: int


@dataclass(frozen=True)
class NumberStats:
    count: int
    total: Fraction
    mean: Fraction | None
    median: Fraction | None
    minimum: Fraction | None
    maximum: Fraction | None


@dataclass(frozen=True, kw_only=True)
class NumberSummary(QuestionSummary):
    unit: str
    stats: NumberStats
    histogram: tuple[Bucket, ...]


@dataclass(frozen=True)
class RankedOption:
    key: str
    label: str
    points: int
    first_places: int
    # How many respondents ranked it at all.
    ranked_by: int


@dataclass(frozen=True, kw_only=True)
class RankingSummary(QuestionSummary):
    # Most points first (see `borda`).
    options: tuple[RankedOption, ...]


@dataclass(frozen=True)
class TextAnswer:
    text: str
    # None when the questionnaire is anonymous.
    respondent: str | None


@dataclass(frozen=True, kw_only=True)
class TextSummary(QuestionSummary):
    texts: tuple[TextAnswer, ...]


@dataclass(frozen=True)
class QuestionnaireSummary:
    questionnaire: QuestionnaireView
    # Households (or residents) who may answer, plus any who submitted and since left.
    eligible: int
    submitted: int
    drafts: int
    response_rate: Fraction
    questions: tuple[QuestionSummary, ...]


# -- The maths, on plain values ---------------------------------------------------------------


def percentages(counts: Sequence[int], total: int) -> list[Fraction]:
    """Return each count as an exact percentage of `total` (0 when nobody answered)."""
    return [Fraction(100 * count, total) if total else Fraction(0) for count in counts]


def round_percentages(values: Sequence[Fraction]) -> list[int]:
    """Round percentages to whole numbers that add up to their rounded total (largest remainder).

    So that three thirds show as 34 %, 33 %, 33 % rather than a total of 99 %.
    """
    floors = [math.floor(value) for value in values]
    missing = round(sum(values, Fraction(0))) - sum(floors)
    by_remainder = sorted(range(len(values)), key=lambda i: (floors[i] - values[i], i))
    for index in by_remainder[: max(0, missing)]:
        floors[index] += 1
    return floors


Number = Fraction | Decimal


def _tally(values: Sequence[Number]) -> list[tuple[Fraction, int]]:
    """Return the distinct values as exact fractions, smallest first, each with its count.

    Answers repeat (65 m², 3 on a scale): exact arithmetic then runs once a distinct value.
    """
    return [(Fraction(value), count) for value, count in sorted(Counter(values).items())]


def number_stats(values: Sequence[Number]) -> NumberStats:
    """Return the count, total, mean, median, minimum and maximum of some numbers, exactly."""
    tally = _tally(values)
    if not tally:
        return NumberStats(0, Fraction(0), None, None, None, None)
    count = sum(n for _, n in tally)
    total = sum((value * n for value, n in tally), Fraction(0))
    middle = [(count - 1) // 2, count // 2]
    found, seen = [], 0
    for value, n in tally:
        found += [value for position in middle if seen <= position < seen + n]
        seen += n
    median = (found[0] + found[1]) / 2
    return NumberStats(count, total, total / count, median, tally[0][0], tally[-1][0])


def _nice_width(raw: Fraction) -> Fraction:
    """Return the smallest round width (1, 2, 2.5 or 5 times a power of ten) at least `raw`."""
    power = Fraction(1)
    while power * 10 <= raw:
        power *= 10
    while power > raw:
        power /= 10
    return next(m * power for m in (1, 2, Fraction(5, 2), 5, 10) if m * power >= raw)


def histogram(
    values: Sequence[Number],
    *,
    low: Fraction | None = None,
    high: Fraction | None = None,
    step: Fraction | None = None,
) -> tuple[Bucket, ...]:
    """Return histogram bars for numbers: one a value when few, else about six of round width.

    A scale passes its bounds as `low` and `high` (with step 1), so every point of it has a bar.
    """
    tally = _tally(values)
    bounds = [value for value, _ in tally] + [b for b in (low, high) if b is not None]
    if not tally and (low is None or high is None):
        return ()
    first, last = min(bounds), max(bounds)
    if first == last:
        return (Bucket(first, last, len(values)),)
    step = step or (Fraction(1) if all(v.denominator == 1 for v, _ in tally) else None)
    if step is not None and (last - first) / step < DISCRETE_BUCKETS_MAX:
        points = dict.fromkeys(first + i * step for i in range(int((last - first) / step) + 1))
        if all(value in points for value, _ in tally):
            counts = dict(tally)
            return tuple(Bucket(point, point, counts.get(point, 0)) for point in points)
    width = _nice_width((last - first) / TARGET_BUCKETS)
    if step is not None:
        width = math.ceil(width / step) * step
    start = math.floor(first / width) * width
    size = math.floor((last - start) / width) + 1
    counts_by_index = [0] * size
    for value, n in tally:
        counts_by_index[min(math.floor((value - start) / width), size - 1)] += n
    return tuple(
        Bucket(start + i * width, start + (i + 1) * width, count)
        for i, count in enumerate(counts_by_index)
    )


def count_choices(
    answers: Sequence[Value], options: Sequence[OptionSpec]
) -> tuple[OptionCount, ...]:
    """Count how many answers chose each option (an answer is a key, or a tuple of keys)."""
    counts = dict.fromkeys((option.key for option in options), 0)
    for answer in answers:
        for key in (answer,) if isinstance(answer, str) else answer:
            if key in counts:
                counts[key] += 1
    shares = percentages(list(counts.values()), len(answers))
    return tuple(
        OptionCount(option.key, option.label, counts[option.key], share)
        for option, share in zip(options, shares, strict=True)
    )


def borda(
    rankings: Sequence[Sequence[str]], options: Sequence[OptionSpec]
) -> tuple[RankedOption, ...]:
    """Score rankings Borda-style and return the options, most points first.

    With n options, an option a respondent ranks r-th (1 for first) gets n − r points from them:
    n − 1 for the first, 0 for the n-th; an option they leave unranked gets 0. An option's
    points are the sum over respondents. Ties go to the option ranked first more often, then
    to the option listed first.
    """
    n = len(options)
    points = dict.fromkeys((option.key for option in options), 0)
    firsts = dict.fromkeys(points, 0)
    ranked_by = dict.fromkeys(points, 0)
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            if key in points:
                points[key] += n - rank
                ranked_by[key] += 1
                firsts[key] += rank == 1
    order = {option.key: index for index, option in enumerate(options)}
    ranked = sorted(options, key=lambda o: (-points[o.key], -firsts[o.key], order[o.key]))
    return tuple(
        RankedOption(o.key, o.label, points[o.key], firsts[o.key], ranked_by[o.key]) for o in ranked
    )


def _fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def summarize_question(question: QuestionView, responses: Sequence[Response]) -> QuestionSummary:
    """Summarise the answers to one question."""
    answers = [r.values[question.id] for r in responses if question.id in r.values]
    common = {
        "question_id": question.id,
        "key": question.key,
        "label": question.label,
        "kind": question.kind,
        "answered": len(answers),
        "skipped": sum(question.id in r.skipped for r in responses),
    }
    if question.kind == QuestionKind.RANKING:
        return RankingSummary(**common, options=borda(answers, question.options))
    if question.kind in (
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.YES_NO,
    ):
        return ChoiceSummary(**common, options=count_choices(answers, question.options))
    if question.kind == QuestionKind.TEXT:
        texts = [
            TextAnswer(r.values[question.id], r.name) for r in responses if question.id in r.values
        ]
        return TextSummary(**common, texts=tuple(texts))
    is_scale = question.kind == QuestionKind.SCALE
    return NumberSummary(
        **common,
        unit=question.unit,
        stats=number_stats(answers),
        histogram=histogram(
            answers,
            low=_fraction(question.min_value) if is_scale else None,
            high=_fraction(question.max_value) if is_scale else None,
            step=Fraction(1) if is_scale else _fraction(question.step),
        ),
    )


# -- Reading and summarising --------------------------------------------------------------------


def _participation(session: Session, view: QuestionnaireView) -> tuple[int, int, int]:
    """Return (eligible, submitted, drafts) in two queries."""
    eligible = {
        (household_id, member_id)
        for household_id, member_id, _ in eligible_respondents(
            session, project_id=view.project_id, unit=view.respondent_unit
        )
    }
    submitted, drafts = set(), 0
    for household_id, member_id, submitted_at in session.exec(
        select(AnswerSet.household_id, AnswerSet.member_id, AnswerSet.submitted_at).where(
            AnswerSet.questionnaire_id == view.id
        )
    ):
        if submitted_at is None:
            drafts += 1
        else:
            submitted.add((household_id, member_id))
    return len(eligible | submitted), len(submitted), drafts


def summarize(
    session: Session, *, project_id: int, questionnaire_id: int, actor_id: int | None = None
) -> QuestionnaireSummary:
    """Summarise every question of a questionnaire, with its response rate (facilitators only)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    responses = load_responses(session, view)
    eligible, submitted, drafts = _participation(session, view)
    return QuestionnaireSummary(
        questionnaire=view,
        eligible=eligible,
        submitted=submitted,
        drafts=drafts,
        response_rate=Fraction(submitted, eligible) if eligible else Fraction(0),
        questions=tuple(summarize_question(q, responses) for q in view.questions),
    )
