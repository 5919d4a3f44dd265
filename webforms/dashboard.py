"""The facilitators' dashboard: where the project stands, printable, and the funders' report."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta
from flask import render_template, request
from flask_babel import gettext

from voisinage.enums import Role
from voisinage.errors import InvalidValue
from voisinage.funders_report import funders_report, funders_report_csv, parse_day
from voisinage.nudges import nudge_history
from voisinage.project_summary import open_item_subjects, project_summary
from voisinage.summary_text import OUTCOMES
from webforms import auth, i18n
from webforms.db import get_session
from webforms.downloads import download

bp = auth.project_blueprint("dashboard", __name__, role=Role.FACILITATOR)


def _days(*names: str):
    """Return the days asked in the query string as UTC datetimes (None when absent) and errors.

    An unreadable day counts as absent, and its refusal is returned for the page to show.
    """
    zone = ZoneInfo(auth.current().project.timezone)
    days: list = []
    problems: list[InvalidValue] = []
    for name in names:
        value = request.args.get(name, "").strip()
        try:
            days.append(parse_day(value, zone) if value else None)
        except InvalidValue as error:
            days.append(None)
            problems.append(error)
    return days, problems


def _render(template: str, problems: list[InvalidValue], **context):
    """Render a page with the refusals of its query string; 400 when there are any."""
    messages = [problem.translate(gettext) for problem in problems]
    return render_template(template, problems=messages, **context), 400 if problems else 200


@bp.app_template_filter("duration")
def format_duration(seconds: int) -> str:
    """Format a number of seconds as '4 days' or '5 hours', in the reader's language."""
    return format_timedelta(timedelta(seconds=seconds), locale=i18n.translator().locale)


def _bar(label: str, done: int, total: int) -> tuple[str, float, str]:
    """Return a chart row: the label, the share out of 100, and "2 / 6" beside the bar."""
    share = done / total * 100 if total else 0
    return label, share, gettext("%(done)s / %(total)s", done=done, total=total)


def _ids() -> dict:
    membership = auth.current()
    return {"project_id": membership.project.id, "actor_id": membership.member.id}


@bp.get("/dashboard")
def dashboard():
    """Show where the project stands: path, open items, what waits, news, the funders' report."""
    (since,), problems = _days("since")
    session = get_session()
    summary = project_summary(session, since=since, **_ids())
    report = funders_report(session, **_ids())
    nudges = nudge_history(
        session, project_id=summary.project_id, subjects=open_item_subjects(summary)
    )
    return _render(
        "dashboard/dashboard.html",
        problems,
        summary=summary,
        report=report,
        questionnaire_bars=[_bar(q.title, q.submitted, q.eligible) for q in summary.questionnaires],
        ballot_bars=[_bar(b.question, b.took_part, b.eligible) for b in summary.ballots],
        outcomes=OUTCOMES,
        nudges=nudges,
        # A nudge comes back to the dashboard as it was, "since" included.
        back=request.full_path.rstrip("?"),
        since_value=request.args.get("since", ""),
    )


def _period():
    """Return the funders' report of the period asked (the end day included) and any problem."""
    (start, end), problems = _days("start", "end")
    # The end day is included: the report stops at the next midnight.
    report = funders_report(
        get_session(), start=start, end=end + timedelta(days=1) if end else None, **_ids()
    )
    return report, problems


@bp.get("/dashboard/funders")
def funders():
    """Show the workshops held per funder in a period, with dates and attendance; printable."""
    report, problems = _period()
    return _render(
        "dashboard/funders.html",
        problems,
        report=report,
        start_value=request.args.get("start", ""),
        end_value=request.args.get("end", ""),
    )


@bp.get("/dashboard/funders.csv")
def funders_csv():
    """Download the funders' report of the period as CSV, one row a workshop."""
    report, problems = _period()
    if problems:
        raise problems[0]
    project = auth.current().project
    return download(
        funders_report_csv(report, timezone=project.timezone),
        mimetype="text/csv",
        filename=f"voisinage-{project.slug}-funders.csv",
    )
