"""`voisinage summary`: where a project stands, as text or JSON (see docs/dashboard.md)."""

from __future__ import annotations

from datetime import datetime

import click
from sqlmodel import Session

from voisinage import projects
from voisinage.cli.base import Context, cli, emit, json_option, with_unit_of_work
from voisinage.funders_report import parse_day
from voisinage.project_summary import project_summary, summary_data
from voisinage.summary_text import summary_text
from voisinage.workshops import project_zone


def parse_since(value: str | None, session: Session, project_id: int) -> datetime | None:
    """Return midnight of a YYYY-MM-DD date in the project's time zone; refuse anything else."""
    return None if value is None else parse_day(value, project_zone(session, project_id))


@cli.command("summary")
@click.argument("slug")
@click.option("--since", "since", metavar="DATE", help="Start of 'what happened' (YYYY-MM-DD).")
@json_option
@with_unit_of_work
def summary(ctx: Context, session: Session, slug: str, since: str | None, as_json: bool) -> None:
    """Print where project SLUG stands: path, open questionnaires and ballots, what waits, news."""
    project = projects.get_project(session, slug)
    data = project_summary(
        session,
        project_id=project.id,
        actor_id=None,
        since=parse_since(since, session, project.id),
    )
    emit(as_json, summary_data(data), summary_text(data, ctx.translator))
