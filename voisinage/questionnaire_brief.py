"""The pré-programme (brief) the group hands to the architect, and one round beside the last.

The brief finds its questions by their stable keys, those of the shipped template
"Définition des attentes" (see docs/questionnaires.md): a questionnaire without one of these
keys simply lacks that figure. Like the summary, it reads a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session

from voisinage.errors import N_, InvalidValue
from voisinage.permissions import require_facilitator
from voisinage.questionnaire_results import Response, display_value, load_responses
from voisinage.questionnaire_specs import (
    NUMERIC_KINDS,
    OptionSpec,
    QuestionKind,
    QuestionnaireView,
    QuestionSpec,
    QuestionView,
    Value,
)
from voisinage.questionnaire_summary import (
    NumberStats,
    QuestionSummary,
    TextAnswer,
    borda,
    count_choices,
    number_stats,
    summarize_question,
)
from voisinage.questionnaires import load_questionnaire

# The keys the pré-programme reads (see docs/questionnaires.md).
ADULTS = "adults"
CHILDREN = "children"
TENURE = "tenure"
HOUSING_TYPE = "housing_type"
SURFACE = "surface"
BUDGET_KEYS = ("monthly_budget", "purchase_budget")
ACCESSIBILITY = "accessibility"
SHARED_SPACES = "shared_spaces"
SHARED_SPACES_PRIORITY = "shared_spaces_priority"
REMARKS = "remarks"


@dataclass(frozen=True)
class DemandRow:
    """How many respondents want a housing type, in all and by tenure (the brief's columns)."""

    housing_type: str
    label: str
    by_tenure: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class TypeSurface:
    housing_type: str
    label: str
    stats: NumberStats


@dataclass(frozen=True)
class TenureBudget:
    """The budget asked of one tenure: a number (monthly rent) or a choice of bands (purchase)."""

    tenure: str
    label: str
    summary: QuestionSummary


@dataclass(frozen=True)
class SharedSpace:
    key: str
    label: str
    # How many respondents want it, and what share of those who answered the question.
    wanted: int
    wanted_percent: Fraction
    # Borda points from the priority ranking (see `borda`), and how often it came first.
    points: int
    first_places: int


@dataclass(frozen=True)
class Brief:
    """The pré-programme's figures; a figure whose question is missing is None or empty."""

    questionnaire_id: int
    round_number: int
    respondents: int
    adults: int | None
    children: int | None
    tenures: tuple[OptionSpec, ...]
    demand: tuple[DemandRow, ...]
    demand_by_tenure: tuple[int, ...]
    surface: NumberStats | None
    surface_by_type: tuple[TypeSurface, ...]
    budgets: tuple[TenureBudget, ...]
    accessibility_needs: int | None
    # Ranked by the group: most points first, then most wanted.
    shared_spaces: tuple[SharedSpace, ...]
    remarks: tuple[TextAnswer, ...]


def _keyed(view: QuestionnaireView, key: str, *kinds: str) -> QuestionView | None:
    """Return the question with this key if it is of a kind the brief can read, else None."""
    question = view.question_by_key(key)
    return question if question is not None and question.kind in kinds else None


def _answers_to(question: QuestionSpec | None, response: Response) -> Value | None:
    return None if question is None else response.values.get(question.id)


def _total(view: QuestionnaireView, key: str, responses: Sequence[Response]) -> int | None:
    question = _keyed(view, key, *NUMERIC_KINDS)
    if question is None:
        return None
    return int(sum(Fraction(v) for r in responses if (v := _answers_to(question, r)) is not None))


def brief_from(view: QuestionnaireView, responses: Sequence[Response]) -> Brief:
    """Compute the pré-programme's figures from submitted responses."""
    tenure = _keyed(view, TENURE, QuestionKind.SINGLE_CHOICE)
    housing = _keyed(view, HOUSING_TYPE, QuestionKind.SINGLE_CHOICE)
    surface = _keyed(view, SURFACE, *NUMERIC_KINDS)
    tenures = tenure.options if tenure else ()
    demand: list[DemandRow] = []
    by_type: list[TypeSurface] = []
    for option in housing.options if housing else ():
        chosen = [r for r in responses if _answers_to(housing, r) == option.key]
        by_tenure = tuple(sum(_answers_to(tenure, r) == t.key for r in chosen) for t in tenures)
        demand.append(DemandRow(option.key, option.label, by_tenure, len(chosen)))
        if surface is not None:
            surfaces = [v for r in chosen if (v := _answers_to(surface, r)) is not None]
            by_type.append(TypeSurface(option.key, option.label, number_stats(surfaces)))
    budgets = []
    for key in BUDGET_KEYS:
        question = _keyed(view, key, QuestionKind.NUMBER, QuestionKind.SINGLE_CHOICE)
        if question is None:
            continue
        condition = question.show_if
        tenure_key = condition.value if condition and condition.question == TENURE else ""
        group = [r for r in responses if not tenure_key or _answers_to(tenure, r) == tenure_key]
        label = tenure.option_label(tenure_key) if tenure and tenure_key else ""
        budgets.append(TenureBudget(tenure_key, label, summarize_question(question, group)))
    accessibility = _keyed(view, ACCESSIBILITY, QuestionKind.YES_NO)
    remarks = _keyed(view, REMARKS, QuestionKind.TEXT)
    return Brief(
        questionnaire_id=view.id,
        round_number=view.round_number,
        respondents=len(responses),
        adults=_total(view, ADULTS, responses),
        children=_total(view, CHILDREN, responses),
        tenures=tenures,
        demand=tuple(demand),
        demand_by_tenure=tuple(
            sum(row.by_tenure[i] for row in demand) for i in range(len(tenures))
        ),
        surface=(
            number_stats([v for r in responses if (v := _answers_to(surface, r)) is not None])
            if surface
            else None
        ),
        surface_by_type=tuple(by_type),
        budgets=tuple(budgets),
        accessibility_needs=(
            sum(_answers_to(accessibility, r) == "yes" for r in responses)
            if accessibility
            else None
        ),
        shared_spaces=_shared_spaces(view, responses),
        remarks=summarize_question(remarks, responses).texts if remarks else (),
    )


def _shared_spaces(
    view: QuestionnaireView, responses: Sequence[Response]
) -> tuple[SharedSpace, ...]:
    wanted_question = _keyed(view, SHARED_SPACES, QuestionKind.MULTIPLE_CHOICE)
    priority = _keyed(view, SHARED_SPACES_PRIORITY, QuestionKind.RANKING)
    options = (priority or wanted_question).options if (priority or wanted_question) else ()
    wanted = {}
    if wanted_question is not None:
        answers = [v for r in responses if (v := _answers_to(wanted_question, r)) is not None]
        wanted = {c.key: c for c in count_choices(answers, options)}
    ranked = (
        borda([v for r in responses if (v := _answers_to(priority, r)) is not None], options)
        if priority
        else ()
    )
    points = {o.key: o for o in ranked}
    spaces = [
        SharedSpace(
            key=option.key,
            label=option.label,
            wanted=wanted[option.key].count if option.key in wanted else 0,
            wanted_percent=wanted[option.key].percent if option.key in wanted else Fraction(0),
            points=points[option.key].points if option.key in points else 0,
            first_places=points[option.key].first_places if option.key in points else 0,
        )
        for option in options
    ]
    order = {option.key: index for index, option in enumerate(options)}
    return tuple(
        sorted(spaces, key=lambda s: (-s.points, -s.first_places, -s.wanted, order[s.key]))
    )


def summarize_brief(
    session: Session, *, project_id: int, questionnaire_id: int, actor_id: int | None = None
) -> Brief:
    """Return the pré-programme's figures for a questionnaire (facilitators only)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    return brief_from(view, load_responses(session, view))


@dataclass(frozen=True)
class DemandChange:
    housing_type: str
    tenure: str
    before: int
    after: int


@dataclass(frozen=True)
class Change:
    question_key: str
    question_label: str
    # As a spreadsheet cell shows them ("" for no answer).
    before: str
    after: str


@dataclass(frozen=True)
class RespondentChanges:
    name: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class RoundComparison:
    """A round beside the one before it: the briefs, what moved, and who changed their answers."""

    previous: Brief
    current: Brief
    # The housing type × tenure cells whose demand changed ("" for the total of a type).
    demand: tuple[DemandChange, ...]
    # Respondents who submitted in both rounds and changed at least one answer, or none.
    changed: int
    unchanged: int
    # Respondents who submitted in only one of the two rounds.
    joined: int
    left: int
    # Who changed what; None for an anonymous questionnaire, which only gives the counts.
    who: tuple[RespondentChanges, ...] | None


def compare_rounds(
    session: Session, *, project_id: int, questionnaire_id: int, actor_id: int | None = None
) -> RoundComparison:
    """Compare a round with the previous one (facilitators only)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    current = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    if current.previous_round_id is None:
        raise InvalidValue(N_("This questionnaire has no previous round to compare with."))
    previous = load_questionnaire(
        session, project_id=project_id, questionnaire_id=current.previous_round_id
    )
    before = load_responses(session, previous, keep_identity=True)
    after = load_responses(session, current, keep_identity=True)
    return comparison_from(previous, before, current, after)


def comparison_from(
    previous: QuestionnaireView,
    before: Sequence[Response],
    current: QuestionnaireView,
    after: Sequence[Response],
) -> RoundComparison:
    """Compare two rounds' responses, matched by respondent; names only when not anonymous."""
    anonymous = previous.anonymous or current.anonymous
    old_brief = brief_from(previous, _forget_identity(before) if anonymous else before)
    new_brief = brief_from(current, _forget_identity(after) if anonymous else after)
    old_by_who = {(r.household_id, r.member_id): r for r in before}
    new_by_who = {(r.household_id, r.member_id): r for r in after}
    who: list[RespondentChanges] = []
    unchanged = 0
    for respondent in sorted(
        old_by_who.keys() & new_by_who.keys(), key=lambda k: new_by_who[k].name or ""
    ):
        changes = _changes(previous, old_by_who[respondent], current, new_by_who[respondent])
        if changes:
            who.append(RespondentChanges(new_by_who[respondent].name or "", changes))
        else:
            unchanged += 1
    return RoundComparison(
        previous=old_brief,
        current=new_brief,
        demand=_demand_changes(old_brief, new_brief),
        changed=len(who),
        unchanged=unchanged,
        joined=len(new_by_who.keys() - old_by_who.keys()),
        left=len(old_by_who.keys() - new_by_who.keys()),
        who=None if anonymous else tuple(who),
    )


def _forget_identity(responses: Sequence[Response]) -> list[Response]:
    return [Response(None, None, None, None, values=r.values, skipped=r.skipped) for r in responses]


def _changes(
    previous: QuestionnaireView, before: Response, current: QuestionnaireView, after: Response
) -> tuple[Change, ...]:
    changes = []
    for question in current.questions:
        old_question = previous.question_by_key(question.key)
        old = before.values.get(old_question.id) if old_question else None
        new = after.values.get(question.id)
        if old != new:
            changes.append(
                Change(
                    question.key,
                    question.label,
                    display_value(old_question or question, old),
                    display_value(question, new),
                )
            )
    return tuple(changes)


def _demand_changes(old: Brief, new: Brief) -> tuple[DemandChange, ...]:
    def cells(brief: Brief) -> dict[tuple[str, str], int]:
        found = {}
        for row in brief.demand:
            found[(row.housing_type, "")] = row.total
            for tenure, count in zip(brief.tenures, row.by_tenure, strict=True):
                found[(row.housing_type, tenure.key)] = count
        return found

    before, after = cells(old), cells(new)
    return tuple(
        DemandChange(
            housing, tenure, before.get((housing, tenure), 0), after.get((housing, tenure), 0)
        )
        for housing, tenure in dict.fromkeys([*before, *after])
        if before.get((housing, tenure), 0) != after.get((housing, tenure), 0)
    )
