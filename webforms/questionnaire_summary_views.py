"""What the answers say, for the facilitators: the summary, the pré-programme, the rounds side
by side, and the raw answers as CSV. Charts are SVG drawn by the templates (charts.html)."""

from __future__ import annotations

from fractions import Fraction

from babel.numbers import format_percent
from flask import Response, render_template

from voisinage.enums import Role
from voisinage.exports import questionnaire_answers_csv
from voisinage.questionnaire_brief import compare_rounds, summarize_brief
from voisinage.questionnaire_summary import (
    Bucket,
    ChoiceSummary,
    NumberSummary,
    RankingSummary,
    TextSummary,
    round_percentages,
    summarize,
)
from voisinage.questionnaires import load_questionnaire
from webforms import auth
from webforms.db import get_session
from webforms.i18n import format_number, translator
from webforms.questionnaire_forms import KIND_NAMES

bp = auth.project_blueprint("questionnaire_reports", __name__, role=Role.FACILITATOR)


def figure(value: Fraction | int | float | None, digits: int = 1) -> str:
    """Return a figure as people read it: '65', '72,5' (one decimal at most), '—' for none."""
    if value is None:
        return "—"
    rounded = round(float(value), digits)
    return format_number(int(rounded) if rounded == int(rounded) else rounded)


def percent(value: Fraction | int) -> str:
    """Return a whole percentage ('34 %' in French, '34%' in English)."""
    return format_percent(float(value) / 100, locale=translator().locale)


def choice_rows(options) -> list[tuple[str, int, str]]:
    """Return (label, count, 'count (percent)') for each option counted, as the charts take them."""
    shares = round_percentages([option.percent for option in options])
    return [
        (option.label, option.count, f"{format_number(option.count)} ({percent(share)})")
        for option, share in zip(options, shares, strict=True)
    ]


def bucket_label(bucket: Bucket) -> str:
    """Return a histogram bar's values: '3', or '350–400' (the unit is said beside the chart)."""
    if bucket.low == bucket.high:
        return figure(bucket.low, 2)
    return f"{figure(bucket.low, 2)}–{figure(bucket.high, 2)}"


def histogram_rows(summary: NumberSummary) -> list[tuple[str, int, str]]:
    return [(bucket_label(b), b.count, format_number(b.count)) for b in summary.histogram]


def ranking_rows(summary: RankingSummary) -> list[tuple[str, int, str]]:
    return [(o.label, o.points, format_number(o.points)) for o in summary.options]


def series(items, label: str, value: str) -> list[tuple[str, int, str]]:
    """Return (label, value, written value) of each item, as the charts take them."""
    return [(getattr(i, label), getattr(i, value), format_number(getattr(i, value))) for i in items]


@bp.context_processor
def _helpers() -> dict:
    return {
        "figure": figure,
        "percent": percent,
        "choice_rows": choice_rows,
        "histogram_rows": histogram_rows,
        "ranking_rows": ranking_rows,
        "series": series,
        "kind_names": KIND_NAMES,
        "is_choice": lambda s: isinstance(s, ChoiceSummary),
        "is_number": lambda s: isinstance(s, NumberSummary),
        "is_ranking": lambda s: isinstance(s, RankingSummary),
        "is_text": lambda s: isinstance(s, TextSummary),
    }


def _ids(questionnaire_id: int) -> dict:
    membership = auth.current()
    return {
        "project_id": membership.project.id,
        "questionnaire_id": questionnaire_id,
        "actor_id": membership.member.id,
    }


@bp.get("/questionnaires/<int:questionnaire_id>/summary")
def summary(questionnaire_id: int):
    """Show each question's figures and the response rate."""
    result = summarize(get_session(), **_ids(questionnaire_id))
    return render_template("questionnaires/summary.html", summary=result)


@bp.get("/questionnaires/<int:questionnaire_id>/brief")
def brief(questionnaire_id: int):
    """Show the pré-programme: demand, surfaces, budgets, shared spaces, remarks; printable."""
    session = get_session()
    ids = _ids(questionnaire_id)
    result = summarize_brief(session, **ids)
    overview = summarize(session, **ids)
    return render_template(
        "questionnaires/brief.html",
        brief=result,
        questionnaire=overview.questionnaire,
        overview=overview,
    )


def _budget_key(budget) -> tuple[str, str]:
    return (budget.tenure, budget.summary.key)


def _beside(old, new) -> tuple:
    """Return a budget of both rounds, with the previous round's counts by option."""
    counts = {o.key: o.count for o in getattr(old.summary, "options", ())} if old else {}
    return old, new, counts


@bp.get("/questionnaires/<int:questionnaire_id>/compare")
def compare(questionnaire_id: int):
    """Show this round beside the previous one: what changed, and (if named) who changed."""
    session = get_session()
    ids = _ids(questionnaire_id)
    comparison = compare_rounds(session, **ids)
    current = load_questionnaire(
        session, project_id=ids["project_id"], questionnaire_id=questionnaire_id
    )
    before = comparison.previous
    after = comparison.current
    housing = {row.housing_type: row.label for brief in (before, after) for row in brief.demand}
    tenures = {t.key: t.label for brief in (before, after) for t in brief.tenures}
    old_budgets = {_budget_key(b): b for b in before.budgets}
    old_spaces = {s.key: s for s in before.shared_spaces}
    return render_template(
        "questionnaires/compare.html",
        questionnaire=current,
        comparison=comparison,
        housing=housing,
        tenures=tenures,
        budgets=[_beside(old_budgets.get(_budget_key(b)), b) for b in after.budgets],
        spaces=[(old_spaces.get(s.key), s) for s in after.shared_spaces],
    )


@bp.get("/questionnaires/<int:questionnaire_id>/answers.csv")
def answers_csv(questionnaire_id: int):
    """Download the submitted answers, one row a respondent (anonymous: without names)."""
    text = questionnaire_answers_csv(get_session(), **_ids(questionnaire_id))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="answers-{questionnaire_id}.csv"'},
    )
