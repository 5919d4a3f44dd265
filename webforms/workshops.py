"""Workshops on the web: the path overview, a workshop's page with RSVPs, its calendar file.

Everyone in the project reads; residents and facilitators RSVP; the facilitators' actions
(editing the path, dating, capacity, attendance, minutes) sit in a blueprint of their own
that refuses anyone else with 403 before a service runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext
from sqlmodel import Session

from voisinage.enums import Role
from voisinage.models import utcnow
from voisinage.models.workshops import Workshop
from voisinage.workshop_agenda import AgendaWorkshop, member_agenda
from voisinage.workshop_calendars import calendar_host, workshop_ics
from voisinage.workshop_path import (
    add_one_off_workshop,
    add_step,
    instantiate_path,
    path_overview,
    remove_step,
    reorder_steps,
)
from voisinage.workshop_records import attach_minutes, attendees, record_attendance
from voisinage.workshop_rsvps import rsvp, rsvp_summary, set_capacity
from voisinage.workshop_schedule import cancel_workshop, schedule_workshop
from voisinage.workshops import (
    INVITED_ROLES,
    RsvpStatus,
    WorkshopStatus,
    get_step,
    get_workshop,
    invited_members,
)
from webforms import auth, i18n
from webforms.db import get_session, get_settings
from webforms.forms import Form, options
from webforms.workshop_forms import (
    AttendanceForm,
    CapacityForm,
    MinutesForm,
    OneOffForm,
    OrderForm,
    RsvpForm,
    ScheduleForm,
    StepForm,
)

bp = auth.project_blueprint("workshops", __name__)
facilitation = auth.project_blueprint("workshops_admin", __name__, role=Role.FACILITATOR)


def _project_id() -> int:
    return auth.current().project.id


def _member_id() -> int:
    return auth.current().member.id


def is_invited() -> bool:
    """Say whether the member is asked to workshops (observers are not)."""
    return auth.current().member.role in INVITED_ROLES


def my_rsvp(workshop_id: int) -> AgendaWorkshop | None:
    """Return the member's household's RSVP to a workshop ahead (None when not answered)."""
    agenda = member_agenda(get_session(), project_id=_project_id(), member_id=_member_id())
    return next((w for w in agenda.workshops if w.workshop_id == workshop_id), None)


@bp.app_template_filter("day")
def format_day(value: datetime, timezone: str) -> str:
    """Format the day of a moment with its weekday: 'Saturday 10 April 2027'."""
    return i18n.translator().date(value, timezone, format="full")


@bp.app_template_filter("hours")
def format_hours(starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """Format the hours of a slot: '14:00 to 17:30'."""
    translator = i18n.translator()
    return gettext(
        "%(start)s to %(end)s",
        start=translator.time(starts_at, timezone),
        end=translator.time(ends_at, timezone),
    )


@bp.app_template_filter("moment")
def format_moment(value: datetime, timezone: str) -> str:
    """Format a moment as 'Wednesday, December 16, 2026 at 8:00 PM' (a poll's deadline)."""
    return gettext(
        "%(day)s at %(time)s",
        day=format_day(value, timezone),
        time=i18n.translator().time(value, timezone),
    )


@bp.app_template_filter("timespan")
def format_timespan(starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """Format a slot as 'Saturday 10 April 2027, 14:00 to 17:30' in the project's time zone."""
    return gettext(
        "%(day)s, %(hours)s",
        day=format_day(starts_at, timezone),
        hours=format_hours(starts_at, ends_at, timezone),
    )


# The path ------------------------------------------------------------------------------------


def _moves(step_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """Return, for each step, the path's order after moving it up, and after moving it down."""
    moves = {}
    for index, step_id in enumerate(step_ids):
        orders = []
        for other in (index - 1, index + 1):
            if 0 <= other < len(step_ids):
                order = list(step_ids)
                order[index], order[other] = order[other], order[index]
                orders.append(",".join(map(str, order)))
            else:
                orders.append(None)
        moves[step_id] = (orders[0], orders[1])
    return moves


def path_page(
    *,
    step_form: StepForm | None = None,
    one_off_form: OneOffForm | None = None,
    action_form: Form | None = None,
    status: int = 200,
):
    steps = path_overview(get_session(), project_id=_project_id())
    return render_template(
        "workshops/path.html",
        steps=steps,
        moves=_moves([step.step_id for step in steps]),
        step_form=step_form or StepForm(formdata=None),
        one_off_form=one_off_form or OneOffForm(formdata=None, prefix="one-off"),
        action_form=action_form or Form(formdata=None),
    ), status


@bp.get("/workshops")
def path():
    """Show where the group stands on its path: done, scheduled, to schedule."""
    return path_page()


@facilitation.post("/workshops/path")
def apply_template():
    """Add the GRT path's steps to the project (a second time adds nothing)."""
    form = Form()
    steps = form.submit(
        lambda db: instantiate_path(db, project_id=_project_id(), actor_id=_member_id())
    )
    if steps is None:
        return path_page(action_form=form, status=form.status)
    flash(gettext("The GRT path is in place: %(count)s steps.", count=len(steps)))
    return redirect(url_for("workshops.path"))


@facilitation.post("/workshops/steps")
def new_step():
    form = StepForm()
    step = form.submit(
        lambda db: add_step(
            db,
            project_id=_project_id(),
            title=form.title.data,
            actor_id=_member_id(),
            code=form.code.data or "",
            purpose=form.purpose.data or "",
            kind=form.kind.data,
            half_days=form.half_days.data,
            funder=form.funder.data or None,
            position=form.position.data,
        )
    )
    if step is None:
        return path_page(step_form=form, status=form.status)
    flash(gettext("Step %(title)s added.", title=step.title))
    return redirect(url_for("workshops.path"))


@facilitation.post("/workshops/one-off")
def new_one_off():
    form = OneOffForm(prefix="one-off")
    workshop = form.submit(
        lambda db: add_one_off_workshop(
            db,
            project_id=_project_id(),
            title=form.title.data,
            purpose=form.purpose.data or "",
            actor_id=_member_id(),
        )
    )
    if workshop is None:
        return path_page(one_off_form=form, status=form.status)
    flash(gettext("Workshop added: set its date, or ask for availabilities."))
    return redirect(url_for("workshops.workshop", workshop_id=workshop.id))


@facilitation.post("/workshops/steps/<int:step_id>/remove")
def drop_step(step_id: int):
    form = Form()
    done = form.submit(
        lambda db: (
            remove_step(db, project_id=_project_id(), step_id=step_id, actor_id=_member_id())
            or True
        )
    )
    if done is None:
        return path_page(action_form=form, status=form.status)
    flash(gettext("Step removed from the path."))
    return redirect(url_for("workshops.path"))


@facilitation.post("/workshops/order")
def reorder():
    form = OrderForm()
    steps = form.submit(
        lambda db: reorder_steps(
            db, project_id=_project_id(), step_ids=form.step_ids(), actor_id=_member_id()
        )
    )
    if steps is None:
        # The order travels in a hidden field: its error is the page's.
        form.form_errors.extend(form.order.errors)
        return path_page(action_form=form, status=form.status)
    flash(gettext("Steps reordered."))
    return redirect(url_for("workshops.path"))


# A workshop ----------------------------------------------------------------------------------


def _local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(auth.current().project.timezone))


def _rsvp_form(mine: AgendaWorkshop | None) -> RsvpForm:
    # Someone on the waiting list asked to come: the form says so.
    status = None
    if mine is not None and mine.rsvp_status is not None:
        waiting = mine.rsvp_status == RsvpStatus.WAITING
        status = RsvpStatus.COMING.value if waiting else mine.rsvp_status
    people = mine.rsvp_people if mine is not None and mine.rsvp_people else 1
    return RsvpForm(formdata=None, answer=status, people=people)


def _facilitator_forms(workshop: Workshop, forms: dict[str, Form]) -> None:
    """Fill in the facilitators' forms the page does not already carry (sent back wrong)."""
    session = get_session()
    if "schedule" not in forms:
        dated = {}
        if workshop.starts_at is not None:
            starts, ends = _local(workshop.starts_at), _local(workshop.ends_at)
            dated = {"day": starts.date(), "starts": starts.time(), "ends": ends.time()}
        forms["schedule"] = ScheduleForm(
            formdata=None, prefix="schedule", place=workshop.place, **dated
        )
    forms.setdefault(
        "capacity", CapacityForm(formdata=None, prefix="capacity", capacity=workshop.capacity)
    )
    if "attendance" not in forms:
        present = [
            member.id
            for member in attendees(
                session, project_id=workshop.project_id, workshop_id=workshop.id
            )
        ]
        guests = (workshop.attendance_count or len(present)) - len(present)
        forms["attendance"] = AttendanceForm(
            formdata=None, prefix="attendance", members=present, guests=guests
        )
    forms["attendance"].members.choices = _member_choices(workshop.project_id)
    forms.setdefault(
        "minutes",
        MinutesForm(
            formdata=None, prefix="minutes", minutes_url=workshop.minutes_url, notes=workshop.notes
        ),
    )


def _member_choices(project_id: int):
    members = invited_members(get_session(), project_id=project_id)
    return options((member.id, member.display_name) for member in members)


def workshop_page(workshop_id: int, *, forms: dict[str, Form] | None = None, status: int = 200):
    """Render a workshop's page; `forms` are forms sent back wrong, shown with their errors."""
    session = get_session()
    project_id = _project_id()
    workshop = get_workshop(session, project_id=project_id, workshop_id=workshop_id)
    step = get_step(session, project_id=project_id, step_id=workshop.path_step_id)
    now = utcnow()
    sent_back = dict(forms or {})
    forms = {}
    open_for_rsvp = (
        is_invited() and workshop.status == WorkshopStatus.SCHEDULED and now < workshop.starts_at
    )
    started = workshop.starts_at is not None and now >= workshop.starts_at
    dated = workshop.status in (WorkshopStatus.SCHEDULED, WorkshopStatus.DONE)
    shown = {
        "rsvp": open_for_rsvp,
        "schedule": workshop.status in (WorkshopStatus.TO_SCHEDULE, WorkshopStatus.SCHEDULED),
        "capacity": workshop.status in (WorkshopStatus.TO_SCHEDULE, WorkshopStatus.SCHEDULED),
        "attendance": started and dated,
        "minutes": dated,
    }
    action = sent_back.pop("action", None) or Form(formdata=None)
    for name, form in sent_back.items():
        if shown.get(name):
            forms[name] = form
        else:
            # Sent from a page that is out of date (the workshop moved on): say why at the top.
            action.form_errors.extend(form.form_errors)
    forms["action"] = action
    mine = None
    if open_for_rsvp:
        mine = my_rsvp(workshop.id)
        forms.setdefault("rsvp", _rsvp_form(mine))
    poll_id = None
    if workshop.status == WorkshopStatus.TO_SCHEDULE:
        overview = path_overview(session, project_id=project_id)
        poll_id = next((s.poll_id for s in overview if s.workshop_id == workshop.id), None)
    if auth.current().is_facilitator:
        _facilitator_forms(workshop, forms)
    summary = None
    if workshop.starts_at is not None:
        summary = rsvp_summary(session, project_id=project_id, workshop_id=workshop.id)
    return render_template(
        "workshops/workshop.html",
        workshop=workshop,
        step=step,
        summary=summary,
        mine=mine,
        poll_id=poll_id,
        open_for_rsvp=open_for_rsvp,
        started=started,
        forms=forms,
    ), status


@bp.get("/workshops/<int:workshop_id>")
def workshop(workshop_id: int):
    """Show a workshop: when and where, who comes, the RSVP form, the calendar links."""
    return workshop_page(workshop_id)


@bp.post("/workshops/<int:workshop_id>/rsvp")
def answer_rsvp(workshop_id: int):
    """Say whether the member's household comes, and how many people."""
    form = RsvpForm()
    result = form.submit(
        lambda db: rsvp(
            db,
            project_id=_project_id(),
            workshop_id=workshop_id,
            member_id=_member_id(),
            status=form.answer.data,
            people=form.people.data if form.people.data is not None else 1,
        )
    )
    if result is None:
        return workshop_page(workshop_id, forms={"rsvp": form}, status=form.status)
    if result.status == RsvpStatus.WAITING:
        flash(
            gettext(
                "The workshop is full: you are on the waiting list, number %(position)s. "
                "You will be told if places free up.",
                position=result.waiting_position,
            )
        )
    else:
        flash(gettext("Your answer is saved."))
    return redirect(url_for("workshops.workshop", workshop_id=workshop_id))


@bp.get("/workshops/<int:workshop_id>.ics")
def workshop_calendar_file(workshop_id: int):
    """Send the workshop as an .ics file, to add to a calendar."""
    data = workshop_ics(
        get_session(),
        project_id=_project_id(),
        workshop_id=workshop_id,
        host=calendar_host(get_settings().public_url),
    )
    return Response(
        data,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="workshop-{workshop_id}.ics"'},
    )


def _workshop_action(
    workshop_id: int, name: str, form: Form, write: Callable[[Session], Workshop], message: str
):
    """Run a facilitator's form on a workshop; back to its page, with the errors if refused."""
    done = form.submit(write)
    if done is None:
        return workshop_page(workshop_id, forms={name: form}, status=form.status)
    flash(message)
    # Cancelling gives the step a new workshop to schedule: that is the page to go on with.
    return redirect(url_for("workshops.workshop", workshop_id=done.id))


@facilitation.post("/workshops/<int:workshop_id>/schedule")
def set_date(workshop_id: int):
    """Give the workshop its date and place without a poll, or move it."""
    form = ScheduleForm(prefix="schedule")
    return _workshop_action(
        workshop_id,
        "schedule",
        form,
        lambda db: schedule_workshop(
            db,
            project_id=_project_id(),
            workshop_id=workshop_id,
            starts_at=form.times()[0],
            ends_at=form.times()[1],
            place=form.place.data or "",
            actor_id=_member_id(),
        ),
        gettext("Date saved; everyone invited is told."),
    )


@facilitation.post("/workshops/<int:workshop_id>/cancel")
def cancel(workshop_id: int):
    """Cancel a scheduled workshop; its step is to schedule again."""
    return _workshop_action(
        workshop_id,
        "action",
        Form(),
        lambda db: cancel_workshop(
            db, project_id=_project_id(), workshop_id=workshop_id, actor_id=_member_id()
        ),
        gettext("Workshop cancelled; everyone invited is told."),
    )


@facilitation.post("/workshops/<int:workshop_id>/capacity")
def capacity(workshop_id: int):
    form = CapacityForm(prefix="capacity")
    return _workshop_action(
        workshop_id,
        "capacity",
        form,
        lambda db: set_capacity(
            db,
            project_id=_project_id(),
            workshop_id=workshop_id,
            capacity=form.capacity.data,
            actor_id=_member_id(),
        ),
        gettext("Places saved."),
    )


@facilitation.post("/workshops/<int:workshop_id>/attendance")
def attendance(workshop_id: int):
    """Record who came; the workshop and its step are then done."""
    form = AttendanceForm(prefix="attendance")
    form.members.choices = _member_choices(_project_id())
    return _workshop_action(
        workshop_id,
        "attendance",
        form,
        lambda db: record_attendance(
            db,
            project_id=_project_id(),
            workshop_id=workshop_id,
            member_ids=form.members.data or [],
            guests=form.guests.data or 0,
            actor_id=_member_id(),
        ),
        gettext("Attendance recorded."),
    )


@facilitation.post("/workshops/<int:workshop_id>/minutes")
def minutes(workshop_id: int):
    form = MinutesForm(prefix="minutes")
    return _workshop_action(
        workshop_id,
        "minutes",
        form,
        lambda db: attach_minutes(
            db,
            project_id=_project_id(),
            workshop_id=workshop_id,
            notes=form.notes.data or "",
            minutes_url=form.minutes_url.data or "",
            actor_id=_member_id(),
        ),
        gettext("Notes and minutes saved."),
    )
