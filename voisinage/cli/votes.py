"""`voisinage recount` and `voisinage export-ballot`: anyone can count a ballot again."""

from __future__ import annotations

import json
from pathlib import Path

import click
from sqlmodel import Session

from voisinage import ballot_exports, projects
from voisinage.ballot_results import describe_result
from voisinage.cli.base import Context, cli, emit, json_option, pass_context, with_unit_of_work
from voisinage.errors import N_, InvalidValue


@cli.command("recount")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_context
def recount(ctx: Context, file: Path, as_json: bool) -> None:
    """Count again the ballot exported in FILE (see docs/voting.md), with the same rules."""
    try:
        data = json.loads(file.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ballot_exports.ExportInvalid(
            "(file)", InvalidValue(N_("This is not JSON: %(error)s"), error=str(error))
        ) from None
    export = ballot_exports.read_export(data)
    result = ballot_exports.recount(export)
    matches = ballot_exports.matches_recorded(export, result)
    text = ctx._(
        "%(question)s: %(result)s",
        question=export.question,
        result=describe_result(result.to_dict(), ctx.translator, labels=export.labels),
    )
    if matches is not None:
        text += "\n" + (
            ctx._("The recount gives the recorded result.")
            if matches
            else ctx._("The recount DIFFERS from the recorded result.")
        )
    emit(as_json, {"result": result.to_dict(), "matches_recorded": matches}, text)


@cli.command("export-ballot")
@click.argument("slug")
@click.argument("ballot_id", type=int)
@with_unit_of_work
def export_ballot(ctx: Context, session: Session, slug: str, ballot_id: int) -> None:
    """Print the closed ballot BALLOT_ID of project SLUG as a JSON export, for `recount`."""
    project = projects.get_project(session, slug)
    data = ballot_exports.export_ballot(
        session, project_id=project.id, ballot_id=ballot_id, viewer_id=None
    )
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
