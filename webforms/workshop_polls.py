"""Availability polls on the web: the Framadate-like table, answering it, and running it.

Residents answer slot by slot (yes / if need be / no) until the deadline; facilitators open a
poll, add slots, confirm the best one or cancel. On a phone the member's own answers come as
a form of fieldsets, and the whole table scrolls sideways below it.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext

from voisinage.enums import Role
from voisinage.project_summary import item_subject
from voisinage.workshop_polls import (
    PollTable,
    add_slots,
    answer_poll,
    cancel_poll,
    confirm_slot,
    open_poll,
    poll_table,
)
from voisinage.workshops import PollStatus, WorkshopStatus, get_step, get_workshop
from webforms import auth
from webforms.db import get_session
from webforms.forms import Form, options
from webforms.nudges import panel
from webforms.workshop_forms import AnswerForm, ConfirmForm, PollForm, SlotsForm, answer_form
from webforms.workshops import format_timespan, is_invited

bp = auth.project_blueprint("polls", __name__)
facilitation = auth.project_blueprint("polls_admin", __name__, role=Role.FACILITATOR)


def _project_id() -> int:
    return auth.current().project.id


def _member_id() -> int:
    return auth.current().member.id


def _table(poll_id: int) -> PollTable:
    return poll_table(
        get_session(),
        project_id=_project_id(),
        poll_id=poll_id,
        member_id=_member_id() if is_invited() else None,
    )


def _slot_choices(table: PollTable):
    return options(
        (str(slot.slot_id), format_timespan(slot.starts_at, slot.ends_at, table.timezone))
        for slot in table.slots
    )


def poll_page(
    poll_id: int,
    *,
    answer: AnswerForm | None = None,
    confirm: ConfirmForm | None = None,
    more: SlotsForm | None = None,
    action: Form | None = None,
    status: int = 200,
):
    """Render a poll's page; the forms given are ones sent back wrong, shown with their errors."""
    table = _table(poll_id)
    action = action or Form(formdata=None)
    answering = table.mine is not None and table.accepting_answers
    if answer is None and answering:
        answer = answer_form(
            [slot.slot_id for slot in table.slots],
            answers=table.mine.answers,
            comment=table.mine.comment,
            formdata=None,
        )
    # A refusal sent with a form the page no longer shows (the poll closed meanwhile, an
    # observer answering) is told at the top.
    for form, shown in ((answer, answering), (confirm, table.status == PollStatus.OPEN)):
        if form is not None and not shown:
            action.form_errors.extend(form.form_errors)
    if auth.current().is_facilitator:
        best = str(table.best_slot_id) if table.best_slot_id else None
        confirm = confirm or ConfirmForm(formdata=None, prefix="confirm", slot=best)
        confirm.slot.choices = _slot_choices(table)
        more = more or SlotsForm(formdata=None, prefix="more")
    return render_template(
        "workshops/poll.html",
        table=table,
        answer=answer if answering else None,
        confirm=confirm,
        more=more,
        action=action,
        is_open=table.status == PollStatus.OPEN,
        nudges=panel(item_subject("poll", poll_id)) if auth.current().is_facilitator else None,
    ), status


@bp.get("/polls/<int:poll_id>")
def poll(poll_id: int):
    """Show the poll's table, with the member's own answers to give or change."""
    return poll_page(poll_id)


@bp.post("/polls/<int:poll_id>/answers")
def answer(poll_id: int):
    """Save the member's answers (for their household in a poll by household) and comment."""
    table = _table(poll_id)
    form = answer_form([slot.slot_id for slot in table.slots])
    answers = form.answers()
    comment = (form.comment.data or "").strip()
    saved = form.submit(
        lambda db: answer_poll(
            db,
            project_id=_project_id(),
            poll_id=poll_id,
            member_id=_member_id(),
            answers=answers,
            comment=comment if answers or comment else None,
        )
    )
    if saved is None:
        return poll_page(poll_id, answer=form, status=form.status)
    flash(gettext("Your answers are saved. You can change them until the deadline."))
    return redirect(url_for("polls.poll", poll_id=poll_id))


def _new_poll_page(workshop_id: int, form: PollForm | None = None):
    session = get_session()
    workshop = get_workshop(session, project_id=_project_id(), workshop_id=workshop_id)
    step = get_step(session, project_id=_project_id(), step_id=workshop.path_step_id)
    form = form or PollForm(formdata=None, respondent_unit=auth.current().project.voting_unit)
    return render_template(
        "workshops/new_poll.html",
        workshop=workshop,
        step=step,
        form=form,
        to_schedule=workshop.status == WorkshopStatus.TO_SCHEDULE,
    ), form.status


@facilitation.get("/workshops/<int:workshop_id>/poll")
def new_poll(workshop_id: int):
    """Show the form that proposes slots for a workshop, with a deadline."""
    return _new_poll_page(workshop_id)


@facilitation.post("/workshops/<int:workshop_id>/poll")
def create_poll(workshop_id: int):
    """Open the poll: everyone invited is told, and reminded before the deadline."""
    form = PollForm()
    created = form.submit(
        lambda db: open_poll(
            db,
            project_id=_project_id(),
            workshop_id=workshop_id,
            slots=form.slot_inputs(),
            deadline=form.deadline(),
            respondent_unit=form.respondent_unit.data,
            actor_id=_member_id(),
        )
    )
    if created is None:
        return _new_poll_page(workshop_id, form)
    flash(gettext("The poll is open; everyone invited is told."))
    return redirect(url_for("polls.poll", poll_id=created.id))


@facilitation.post("/polls/<int:poll_id>/slots")
def more_slots(poll_id: int):
    """Propose more slots in an open poll."""
    form = SlotsForm(prefix="more")
    added = form.submit(
        lambda db: add_slots(
            db,
            project_id=_project_id(),
            poll_id=poll_id,
            slots=form.slot_inputs(),
            actor_id=_member_id(),
        )
    )
    if added is None:
        return poll_page(poll_id, more=form, status=form.status)
    flash(gettext("Slots added; those who had answered are asked again."))
    return redirect(url_for("polls.poll", poll_id=poll_id))


@facilitation.post("/polls/<int:poll_id>/confirm")
def confirm(poll_id: int):
    """Schedule the workshop at the chosen slot; the poll closes and everyone is told."""
    form = ConfirmForm(prefix="confirm")
    form.slot.choices = _slot_choices(_table(poll_id))
    workshop = form.submit(
        lambda db: confirm_slot(
            db,
            project_id=_project_id(),
            poll_id=poll_id,
            slot_id=int(form.slot.data),
            actor_id=_member_id(),
        )
    )
    if workshop is None:
        return poll_page(poll_id, confirm=form, status=form.status)
    flash(gettext("Date confirmed; everyone invited is told."))
    return redirect(url_for("workshops.workshop", workshop_id=workshop.id))


@facilitation.post("/polls/<int:poll_id>/cancel")
def cancel(poll_id: int):
    """Withdraw the poll; its workshop stays to schedule."""
    form = Form()
    cancelled = form.submit(
        lambda db: cancel_poll(db, project_id=_project_id(), poll_id=poll_id, actor_id=_member_id())
    )
    if cancelled is None:
        return poll_page(poll_id, action=form, status=form.status)
    flash(gettext("Poll cancelled."))
    return redirect(url_for("workshops.workshop", workshop_id=cancelled.workshop_id))
