"""Whole-project exports, JSON or a ZIP of CSV files, versioned as documented in docs/export.md."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from typing import Any, BinaryIO

from sqlmodel import Session, select

from voisinage import __version__
from voisinage.audit import list_actions
from voisinage.models import Project, Questionnaire, utcnow
from voisinage.people import list_invitations, list_members
from voisinage.permissions import require_facilitator
from voisinage.project_summary import project_summary, summary_data
from voisinage.projects import list_households
from voisinage.questionnaire_results import (
    answer_rows,
    count_drafts,
    json_value,
    load_responses,
)
from voisinage.questionnaire_templates import question_data
from voisinage.questionnaires import list_questionnaires, load_questionnaire

EXPORT_SCHEMA = "voisinage.project-export"
EXPORT_VERSION = 1


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_project(session: Session, *, project_id: int, actor_id: int | None) -> dict[str, Any]:
    """Return everything the project holds as plain JSON-ready data (schema version 1).

    Facilitators only (`actor_id=None` is the operator at the command line).
    """
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    project = session.exec(select(Project).where(Project.id == project_id)).one()
    return {
        "schema": EXPORT_SCHEMA,
        "version": EXPORT_VERSION,
        "generator": f"voisinage {__version__}",
        "exported_at": utcnow().isoformat(),
        "project": {
            "slug": project.slug,
            "name": project.name,
            "language": project.language,
            "timezone": project.timezone,
            "voting_unit": project.voting_unit,
            "created_at": _iso(project.created_at),
        },
        "households": [
            {"id": h.id, "name": h.name, "created_at": _iso(h.created_at)}
            for h in list_households(session, project_id=project_id)
        ],
        "members": [
            {
                "id": m.id,
                "display_name": m.display_name,
                "role": m.role,
                "household_id": m.household_id,
                "household": m.household_name,
                "language": m.language,
                "on_telegram": m.on_telegram,
            }
            for m in list_members(session, project_id=project_id)
        ],
        "invitations": [
            {
                "id": i.id,
                "code": i.code,
                "role": i.role,
                "household_id": i.household_id,
                "label": i.label,
                "max_uses": i.max_uses,
                "use_count": i.use_count,
                "expires_at": _iso(i.expires_at),
                "revoked_at": _iso(i.revoked_at),
                "created_at": _iso(i.created_at),
            }
            for i in list_invitations(session, project_id=project_id, actor_id=actor_id)
        ],
        "actions": [
            {
                "id": a.id,
                "actor_id": a.actor_id,
                "action": a.action,
                "details": a.details,
                "created_at": _iso(a.created_at),
            }
            for a in reversed(list_actions(session, project_id=project_id, limit=None))
        ],
        "questionnaires": [
            _questionnaire(session, questionnaire)
            for questionnaire in reversed(list_questionnaires(session, project_id=project_id))
        ],
        "summary": _summary(session, project, actor_id),
    }


def _summary(session: Session, project: Project, actor_id: int | None) -> dict[str, Any]:
    """Return where the project stands, as `voisinage summary --json` does, since its creation.

    Without the figures only the clock changes (`exported_at` and `closes_at` say them), so that
    two exports of an unchanged project are equal but for `exported_at`.
    """
    data = summary_data(
        project_summary(session, project_id=project.id, actor_id=actor_id, since=project.created_at)
    )
    del data["generated_at"]
    for ballot in data["ballots"]:
        del ballot["seconds_left"]
    return data


def _questionnaire(session: Session, questionnaire: Questionnaire) -> dict[str, Any]:
    """Return a questionnaire, its questions and its submitted answers (anonymous: no one's)."""
    view = load_questionnaire(
        session, project_id=questionnaire.project_id, questionnaire_id=questionnaire.id
    )
    keys = {q.id: q.key for q in view.questions}
    responses = []
    for response in load_responses(session, view):
        row: dict[str, Any] = {}
        if not view.anonymous:
            row["household_id"] = response.household_id
            row["member_id"] = response.member_id
            row["respondent"] = response.name
            row["submitted_at"] = _iso(response.submitted_at)
        row["answers"] = {keys[qid]: json_value(value) for qid, value in response.values.items()}
        row["skipped"] = [keys[qid] for qid in keys if qid in response.skipped]
        responses.append(row)
    return {
        "id": view.id,
        "title": view.title,
        "introduction": view.introduction,
        "respondent_unit": view.respondent_unit,
        "anonymous": view.anonymous,
        "status": view.status,
        "opens_at": _iso(view.opens_at),
        "closes_at": _iso(view.closes_at),
        "round_number": view.round_number,
        "previous_round_id": view.previous_round_id,
        "created_at": _iso(questionnaire.created_at),
        "questions": [{"id": q.id, **question_data(q)} for q in view.questions],
        "drafts": count_drafts(session, questionnaire_id=view.id),
        "responses": responses,
    }


def questionnaire_answers_csv(
    session: Session, *, project_id: int, questionnaire_id: int, actor_id: int | None = None
) -> str:
    """Return the raw answers as CSV, one row a respondent (anonymous: without names)."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    header = [] if view.anonymous else ["respondent", "submitted_at"]
    header += [question.key for question in view.questions]
    return _csv_text(answer_rows(view, load_responses(session, view)), fieldnames=header)


def write_csv_zip(export: dict[str, Any], target: BinaryIO) -> None:
    """Write an export as a ZIP holding one CSV file a table, plus project.csv."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        tables = {"project": [export["project"]]}
        tables.update(
            {name: export[name] for name in ("households", "members", "invitations", "actions")}
        )
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", _csv_text(rows))
        archive.writestr(
            "README.txt",
            f"{EXPORT_SCHEMA} version {EXPORT_VERSION}, {export['generator']}, {export['exported_at']}\n",
        )


def _csv_text(rows: list[dict[str, Any]], fieldnames: list[str] | None = None) -> str:
    buffer = io.StringIO()
    if rows or fieldnames:
        writer = csv.DictWriter(buffer, fieldnames=fieldnames or list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(value) for key, value in row.items()})
    # A byte-order mark so that spreadsheet programs read accents correctly.
    return "\ufeff" + buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Defuse formulas: a display name like "=HYPERLINK(...)" must stay text in a spreadsheet.
        return "'" + value
    return value
