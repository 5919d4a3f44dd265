"""`voisinage import`: load a questionnaire from a YAML template."""

from __future__ import annotations

from pathlib import Path

import click
from sqlmodel import Session

from voisinage import projects, questionnaire_templates
from voisinage.cli.base import Context, cli, emit, json_option, with_unit_of_work


@cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@with_unit_of_work
def import_questionnaire(
    ctx: Context, session: Session, slug: str, file: Path, as_json: bool
) -> None:
    """Import the questionnaire in FILE (YAML, see docs/questionnaires.md) into project SLUG.

    It arrives as a draft, for the facilitators to check and open.
    """
    project = projects.get_project(session, slug)
    text = questionnaire_templates.decode_template(file.read_bytes())
    view = questionnaire_templates.import_questionnaire(session, project_id=project.id, text=text)
    data = {
        "id": view.id,
        "project": project.slug,
        "title": view.title,
        "questions": len(view.questions),
        "status": view.status,
    }
    emit(
        as_json,
        data,
        ctx._(
            "Questionnaire %(title)s imported into %(project)s as a draft: %(count)s questions (id %(id)s).",
            title=view.title,
            project=project.slug,
            count=len(view.questions),
            id=view.id,
        ),
    )
