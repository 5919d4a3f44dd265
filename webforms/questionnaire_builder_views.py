"""The facilitators' questionnaires: list, create, import and export, build, open and close."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from voisinage import questionnaire_builder as builder
from voisinage import questionnaire_templates as templates
from voisinage import questionnaires as service
from voisinage.enums import Role
from voisinage.models import utcnow
from voisinage.project_summary import item_subject
from voisinage.questionnaire_participation import list_respondents
from voisinage.questionnaire_specs import (
    QuestionKind,
    QuestionnaireSpec,
    QuestionnaireView,
    QuestionView,
    state_at,
)
from webforms import auth
from webforms.db import get_session
from webforms.nudges import panel
from webforms.questionnaire_forms import (
    KIND_NAMES,
    PROGRESS_NAMES,
    STATE_NAMES,
    ActionForm,
    ImportForm,
    KindForm,
    MoveForm,
    OpenForm,
    QuestionForm,
    QuestionnaireForm,
    condition_choices,
    local_datetime,
    stored_datetime,
)
from webforms.questionnaires import render_answers

bp = auth.project_blueprint("questionnaire_builder", __name__, role=Role.FACILITATOR)

# A template file may be larger than the app's limit for short forms.
IMPORT_MAX_BYTES = templates.TEMPLATE_BYTES_MAX + 16 * 1024


@bp.url_value_preprocessor
def _allow_template_files(endpoint: str | None, _values: dict | None) -> None:
    # Before the CSRF check reads the form, with the app's limits otherwise.
    if endpoint == "questionnaire_builder.import_template":
        request.max_content_length = IMPORT_MAX_BYTES
        # Werkzeug's multipart reader holds chunks of up to 64 KiB against this limit too.
        request.max_form_memory_size = IMPORT_MAX_BYTES


@bp.context_processor
def _names() -> dict:
    return {"kind_names": KIND_NAMES, "state_names": STATE_NAMES}


def _project_id() -> int:
    return auth.current().project.id


def _actor_id() -> int:
    return auth.current().member.id


def _timezone() -> str:
    return auth.current().project.timezone


def _load(questionnaire_id: int) -> QuestionnaireView:
    return service.load_questionnaire(
        get_session(), project_id=_project_id(), questionnaire_id=questionnaire_id
    )


def _manage_page(
    *,
    create_form: QuestionnaireForm | None = None,
    import_form: ImportForm | None = None,
    status: int = 200,
):
    now = utcnow()
    listed = service.list_questionnaires(get_session(), project_id=_project_id())
    create_form = create_form or QuestionnaireForm(
        formdata=None, respondent_unit=auth.current().project.voting_unit
    )
    return render_template(
        "questionnaires/manage.html",
        questionnaires=[(q, state_at(q, now).value) for q in listed],
        create_form=create_form,
        import_form=import_form or ImportForm(formdata=None),
        shipped_form=ActionForm(formdata=None),
    ), status


@bp.get("/questionnaires/manage")
def manage():
    """List the project's questionnaires with their state; create or import one."""
    return _manage_page()


@bp.post("/questionnaires/manage")
def create():
    form = QuestionnaireForm()
    created = form.submit(
        lambda db: service.create_questionnaire(
            db,
            project_id=_project_id(),
            spec=QuestionnaireSpec(
                title=form.title.data,
                introduction=form.introduction.data or "",
                respondent_unit=form.respondent_unit.data,
                anonymous=bool(form.anonymous.data),
            ),
            actor_id=_actor_id(),
        )
    )
    if created is None:
        return _manage_page(create_form=form, status=form.status)
    flash(gettext("Questionnaire created. Add its questions."))
    return redirect(url_for(".edit", questionnaire_id=created.id))


@bp.post("/questionnaires/import")
def import_template():
    """Create a draft questionnaire from an uploaded YAML template."""
    form = ImportForm()
    created = form.submit(
        lambda db: templates.import_questionnaire(
            db,
            project_id=_project_id(),
            text=templates.decode_template(form.template.data.read()),
            actor_id=_actor_id(),
        )
    )
    if created is None:
        return _manage_page(import_form=form, status=form.status)
    flash(gettext("Questionnaire imported as a draft."))
    return redirect(url_for(".edit", questionnaire_id=created.id))


@bp.post("/questionnaires/import-shipped")
def import_shipped():
    """Create a draft from the shipped "Définition des attentes", in the project's language."""
    form = ActionForm()
    language = auth.current().project.language
    created = form.submit(
        lambda db: templates.import_questionnaire(
            db,
            project_id=_project_id(),
            text=templates.shipped_template(language),
            actor_id=_actor_id(),
        )
    )
    if created is None:
        return _manage_page(status=form.status)
    flash(gettext("Questionnaire imported as a draft."))
    return redirect(url_for(".edit", questionnaire_id=created.id))


def _edit_page(
    view: QuestionnaireView,
    *,
    settings_form: QuestionnaireForm | None = None,
    open_form: OpenForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
):
    session = get_session()
    timezone = _timezone()
    settings_form = settings_form or QuestionnaireForm(
        formdata=None,
        title=view.title,
        introduction=view.introduction,
        respondent_unit=view.respondent_unit,
        anonymous=view.anonymous,
        opens_at=local_datetime(view.opens_at, timezone),
        closes_at=local_datetime(view.closes_at, timezone),
    )
    now = utcnow()
    return render_template(
        "questionnaires/edit.html",
        questionnaire=view,
        state=view.state(now).value,
        answered=builder.answered_question_ids(session, questionnaire_id=view.id),
        has_answers=service.has_answer_sets(session, view.id),
        settings_form=settings_form,
        open_form=open_form
        or OpenForm(formdata=None, closes_at=local_datetime(view.closes_at, timezone)),
        action_form=action_form or ActionForm(formdata=None),
        move_form=MoveForm(formdata=None),
        kind_form=KindForm(formdata=None),
    ), status


@bp.get("/questionnaires/<int:questionnaire_id>/edit")
def edit(questionnaire_id: int):
    """Show a questionnaire's settings, its questions and what can be done with it."""
    return _edit_page(_load(questionnaire_id))


@bp.post("/questionnaires/<int:questionnaire_id>/settings")
def settings(questionnaire_id: int):
    view = _load(questionnaire_id)
    form = QuestionnaireForm()
    timezone = _timezone()
    saved = form.submit(
        lambda db: service.update_questionnaire(
            db,
            project_id=_project_id(),
            questionnaire_id=view.id,
            title=form.title.data,
            introduction=form.introduction.data or "",
            anonymous=bool(form.anonymous.data),
            respondent_unit=form.respondent_unit.data,
            opens_at=stored_datetime(form.opens_at.data, timezone),
            closes_at=stored_datetime(form.closes_at.data, timezone),
            actor_id=_actor_id(),
        )
    )
    if saved is None:
        return _edit_page(view, settings_form=form, status=form.status)
    flash(gettext("Settings saved."))
    return redirect(url_for(".edit", questionnaire_id=view.id))


def _question_page(
    view: QuestionnaireView,
    form: QuestionForm,
    *,
    kind: str,
    question: QuestionView | None = None,
    locked: bool = False,
    status: int = 200,
):
    position = question.position if question else len(view.questions)
    form.show_if.choices = condition_choices(list(view.questions[:position]))
    return render_template(
        "questionnaires/question.html",
        questionnaire=view,
        question=question,
        number=position + 1,
        kind=kind,
        form=form,
        setting_fields=form.fields_for(kind),
        locked=locked,
    ), status


def _kind(value: str | None) -> str:
    try:
        return QuestionKind(value or "").value
    except ValueError:
        abort(404)


@bp.route("/questionnaires/<int:questionnaire_id>/questions/new", methods=["GET", "POST"])
def add_question(questionnaire_id: int):
    """Add a question of the kind chosen on the questionnaire's page, at the end."""
    view = _load(questionnaire_id)
    kind = _kind(request.values.get("kind"))
    if request.method == "GET":
        return _question_page(view, QuestionForm(formdata=None), kind=kind)
    form = QuestionForm()
    form.show_if.choices = condition_choices(list(view.questions))
    added = form.submit(
        lambda db: builder.add_question(
            db,
            project_id=_project_id(),
            questionnaire_id=view.id,
            spec=form.question_spec(kind),
            actor_id=_actor_id(),
        )
    )
    if added is None:
        return _question_page(view, form, kind=kind, status=form.status)
    flash(gettext("Question added."))
    return redirect(url_for(".edit", questionnaire_id=view.id, _anchor=f"question-{added.id}"))


def _question(view: QuestionnaireView, question_id: int) -> QuestionView:
    found = next((q for q in view.questions if q.id == question_id), None)
    if found is None:
        abort(404)
    return found


@bp.route(
    "/questionnaires/<int:questionnaire_id>/questions/<int:question_id>", methods=["GET", "POST"]
)
def edit_question(questionnaire_id: int, question_id: int):
    """Change a question; once it has answers, only its wording (the page says why)."""
    view = _load(questionnaire_id)
    question = _question(view, question_id)
    locked = question.id in builder.answered_question_ids(get_session(), questionnaire_id=view.id)
    if request.method == "GET":
        form = QuestionForm.for_question(question)
        return _question_page(view, form, kind=question.kind, question=question, locked=locked)
    form = QuestionForm()
    form.show_if.choices = condition_choices(list(view.questions[: question.position]))
    changed = form.submit(
        lambda db: builder.update_question(
            db,
            project_id=_project_id(),
            question_id=question.id,
            spec=form.question_spec(question.kind, locked=question if locked else None),
            actor_id=_actor_id(),
        )
    )
    if changed is None:
        return _question_page(
            view, form, kind=question.kind, question=question, locked=locked, status=form.status
        )
    flash(gettext("Question saved."))
    return redirect(url_for(".edit", questionnaire_id=view.id, _anchor=f"question-{question.id}"))


def _run(view: QuestionnaireView, form, write, done: str):
    """Run one service for a button on the questionnaire's page; show a refusal on that page.

    The page shown next is that of the questionnaire the service returns (a copy, a next round).
    """
    result = form.submit(write)
    if result is None:
        return _edit_page(view, action_form=form, status=form.status)
    flash(done)
    return redirect(url_for(".edit", questionnaire_id=result.id))


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/move")
def move_question(questionnaire_id: int, question_id: int):
    view = _load(questionnaire_id)
    question = _question(view, question_id)
    form = MoveForm()
    step = -1 if form.direction.data == "up" else 1
    return _run(
        view,
        form,
        lambda db: builder.move_question(
            db,
            project_id=_project_id(),
            question_id=question.id,
            position=question.position + step,
            actor_id=_actor_id(),
        ),
        gettext("Question moved."),
    )


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/remove")
def remove_question(questionnaire_id: int, question_id: int):
    view = _load(questionnaire_id)
    question = _question(view, question_id)
    return _run(
        view,
        ActionForm(),
        lambda db: builder.remove_question(
            db, project_id=_project_id(), question_id=question.id, actor_id=_actor_id()
        ),
        gettext("Question removed."),
    )


@bp.get("/questionnaires/<int:questionnaire_id>/preview")
def preview(questionnaire_id: int):
    """Show the questionnaire exactly as residents see it, without a way to send it."""
    view = _load(questionnaire_id)
    return render_answers(view, values={}, mode="preview")


@bp.post("/questionnaires/<int:questionnaire_id>/open")
def open_(questionnaire_id: int):
    view = _load(questionnaire_id)
    form = OpenForm()
    result = form.submit(
        lambda db: service.open_questionnaire(
            db,
            project_id=_project_id(),
            questionnaire_id=view.id,
            closes_at=stored_datetime(form.closes_at.data, _timezone()),
            actor_id=_actor_id(),
        )
    )
    if result is None:
        return _edit_page(view, open_form=form, status=form.status)
    flash(gettext("The questionnaire is open: residents can answer it."))
    return redirect(url_for(".edit", questionnaire_id=view.id))


@bp.post("/questionnaires/<int:questionnaire_id>/close")
def close(questionnaire_id: int):
    view = _load(questionnaire_id)
    return _run(
        view,
        ActionForm(),
        lambda db: service.close_questionnaire(
            db, project_id=_project_id(), questionnaire_id=view.id, actor_id=_actor_id()
        ),
        gettext("The questionnaire is closed: answers can no longer change."),
    )


@bp.post("/questionnaires/<int:questionnaire_id>/duplicate")
def duplicate(questionnaire_id: int):
    view = _load(questionnaire_id)
    return _run(
        view,
        ActionForm(),
        lambda db: service.duplicate_questionnaire(
            db, project_id=_project_id(), questionnaire_id=view.id, actor_id=_actor_id()
        ),
        gettext("Copy created as a draft."),
    )


@bp.post("/questionnaires/<int:questionnaire_id>/next-round")
def next_round(questionnaire_id: int):
    view = _load(questionnaire_id)
    return _run(
        view,
        ActionForm(),
        lambda db: service.start_second_round(
            db, project_id=_project_id(), questionnaire_id=view.id, actor_id=_actor_id()
        ),
        gettext(
            "Next round created as a draft: each respondent's answers are filled in for them to "
            "confirm or change. Open it when ready."
        ),
    )


@bp.post("/questionnaires/<int:questionnaire_id>/delete")
def delete(questionnaire_id: int):
    view = _load(questionnaire_id)
    form = ActionForm()
    deleted = form.submit(
        lambda db: (
            service.delete_draft_questionnaire(
                db, project_id=_project_id(), questionnaire_id=view.id, actor_id=_actor_id()
            )
            or True
        )
    )
    if deleted is None:
        return _edit_page(view, action_form=form, status=form.status)
    flash(gettext("Questionnaire %(title)s deleted.", title=view.title))
    return redirect(url_for(".manage"))


@bp.get("/questionnaires/<int:questionnaire_id>/export.yaml")
def export(questionnaire_id: int):
    """Download the questionnaire as a YAML template."""
    text = templates.export_questionnaire(
        get_session(), project_id=_project_id(), questionnaire_id=questionnaire_id
    )
    return Response(
        text,
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f'attachment; filename="questionnaire-{questionnaire_id}.yaml"'
        },
    )


@bp.get("/questionnaires/<int:questionnaire_id>/respondents")
def respondents(questionnaire_id: int):
    """List who has answered and who has not, to nudge them; never what they answered."""
    view = _load(questionnaire_id)
    rows = list_respondents(
        get_session(), project_id=_project_id(), questionnaire_id=view.id, actor_id=_actor_id()
    )
    return render_template(
        "questionnaires/respondents.html",
        questionnaire=view,
        rows=rows,
        counts={state: sum(row.state == state for row in rows) for state in PROGRESS_NAMES},
        nudges=panel(item_subject("questionnaire", view.id)),
    )
