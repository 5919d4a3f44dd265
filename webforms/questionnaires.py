"""Residents' questionnaires: those open for them, and each one answered on a single page.

Conditional questions without JavaScript: the page shows every question; a question that
depends on an earlier answer says so, and is folded (a <details>) while the answers given so
far do not call for it. When the page is sent, the answers on it decide which questions count:
the others are left out before the service sees them, so a stray value in a question that does
not apply can neither block the page nor be stored.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from voisinage.enums import Role
from voisinage.errors import DomainError
from voisinage.models import utcnow
from voisinage.questionnaire_answers import AnswersInvalid, progress, save_answers
from voisinage.questionnaire_participation import open_questionnaires
from voisinage.questionnaire_specs import (
    CONDITION_KINDS,
    AnswerRequired,
    QuestionnaireClosed,
    QuestionnaireNotOpen,
    QuestionnaireState,
    QuestionnaireView,
    QuestionView,
)
from voisinage.questionnaire_values import is_empty, visible_questions
from webforms import auth
from webforms.db import get_session, unit_of_work
from webforms.errors import status_for
from webforms.questionnaire_forms import (
    PROGRESS_NAMES,
    ActionForm,
    raw_answers,
    shown_values,
)

bp = auth.project_blueprint("questionnaires", __name__)

# A page of answers may hold long texts (each up to TEXT_LENGTH_MAX characters, up to twelve
# bytes each once a browser has encoded them): more than the app's limit for short forms.
ANSWERS_MAX_BYTES = 1024 * 1024


@bp.url_value_preprocessor
def _allow_long_answers(endpoint: str | None, _values: dict | None) -> None:
    # Before the CSRF check reads the form, with the app's limits otherwise.
    if endpoint == "questionnaires.answer" and request.method == "POST":
        request.max_content_length = ANSWERS_MAX_BYTES
        # Werkzeug holds a whole url-encoded body against this limit.
        request.max_form_memory_size = ANSWERS_MAX_BYTES


# How far a respondent is ("not started", …), for the home page and the lists.
bp.add_app_template_global(PROGRESS_NAMES, "questionnaire_progress")


@bp.app_template_global()
def questionnaires_to_answer() -> list:
    """Return the questionnaires the signed-in resident can answer now (for the home page)."""
    membership = auth.current()
    if membership.member.role != Role.RESIDENT:
        # The service answers [] for them too; asking it would cost the page a query.
        return []
    return open_questionnaires(
        get_session(), project_id=membership.project.id, member_id=membership.member.id
    )


@bp.get("/questionnaires")
def index():
    """List the questionnaires open for the member, with how far they are in each."""
    return render_template("questionnaires/index.html", questionnaires=questionnaires_to_answer())


def condition_notes(view: QuestionnaireView) -> dict[int, str]:
    """Return, for each conditional question, when it applies: 'Only if you answered …'."""
    numbers = {q.key: index for index, q in enumerate(view.questions, start=1)}
    notes = {}
    for question in view.questions:
        if question.show_if is None:
            continue
        target = view.question_by_key(question.show_if.question)
        notes[question.id] = gettext(
            "Answer only if you answered “%(option)s” to question %(number)s.",
            option=target.option_label(question.show_if.value),
            number=numbers[target.key],
        )
    return notes


def applying(view: QuestionnaireView, raw: dict[int, Any]) -> list[QuestionView]:
    """Return the questions the answers on the page call for (the domain's rule, on raw input)."""
    keyed = {
        q.key: raw[q.id]
        for q in view.questions
        if q.kind in CONDITION_KINDS and q.id in raw and not is_empty(raw[q.id])
    }
    return visible_questions(view.questions, keyed)


def render_answers(
    view: QuestionnaireView,
    *,
    values: dict[int, Any],
    errors: dict[int, str] | None = None,
    form: ActionForm | None = None,
    mode: str = "answer",
    submitted_at=None,
    status: int = 200,
):
    """Render the questionnaire as residents see it; `mode` is answer, closed or preview."""
    shown = {q.id for q in applying(view, values)}
    return render_template(
        "questionnaires/answer.html",
        questionnaire=view,
        values=values,
        errors=errors or {},
        shown=shown,
        notes=condition_notes(view),
        form=form or ActionForm(formdata=None),
        mode=mode,
        submitted_at=submitted_at,
    ), status


def _progress(questionnaire_id: int):
    membership = auth.current()
    return progress(
        get_session(),
        project_id=membership.project.id,
        questionnaire_id=questionnaire_id,
        member_id=membership.member.id,
    )


@bp.route("/questionnaires/<int:questionnaire_id>", methods=["GET", "POST"])
def answer(questionnaire_id: int):
    """Show the whole questionnaire as one page; save it as a draft, or send it."""
    current = _progress(questionnaire_id)
    view = current.questionnaire
    state = view.state(utcnow())
    if state == QuestionnaireState.DRAFT:
        abort(404)
    form = ActionForm()
    if request.method == "GET" or state != QuestionnaireState.OPEN:
        if request.method == "POST":
            form.validate_on_submit()
            refusal = (
                QuestionnaireClosed()
                if state == QuestionnaireState.CLOSED
                else QuestionnaireNotOpen()
            )
            form.form_errors.append(refusal.translate(gettext))
        return render_answers(
            view,
            values=shown_values(current.answers),
            form=form,
            mode="answer" if state == QuestionnaireState.OPEN else state.value,
            submitted_at=current.submitted_at,
            status=409 if request.method == "POST" else 200,
        )
    raw = raw_answers(view.questions, request.form)
    submit = request.form.get("action") == "submit"
    values = {q.id: raw[q.id] for q in applying(view, raw)}
    errors: dict[int, str] = {}
    if not form.validate_on_submit():
        return render_answers(view, values=raw, form=form, status=400)
    try:
        with unit_of_work() as session:
            saved = save_answers(
                session,
                project_id=view.project_id,
                questionnaire_id=view.id,
                member_id=auth.current().member.id,
                values=values,
                submit=submit,
            )
    except AnswersInvalid as refusal:
        errors = {qid: error.translate(gettext) for qid, error in refusal.errors.items()}
        form.form_errors.append(refusal.translate(gettext))
        return render_answers(view, values=raw, errors=errors, form=form, status=422)
    except AnswerRequired as refusal:
        needed = AnswerRequired().translate(gettext)
        errors = {
            q.id: needed
            for q in applying(view, raw)
            if not q.optional and is_empty(values.get(q.id))
        }
        form.form_errors.append(refusal.translate(gettext))
        return render_answers(view, values=raw, errors=errors, form=form, status=422)
    except DomainError as refusal:
        form.form_errors.append(refusal.translate(gettext))
        return render_answers(view, values=raw, form=form, status=status_for(refusal))
    if saved.submitted:
        flash(gettext("Thank you: your answers are sent. You can change them until it closes."))
    else:
        flash(gettext("Your answers are saved as a draft. They count once you send them."))
    return redirect(url_for(".answer", questionnaire_id=view.id))
