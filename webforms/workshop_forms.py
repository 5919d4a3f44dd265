"""The workshop forms: path steps, availability polls, RSVPs, dates, attendance, minutes.

Dates and times are typed as wall-clock times of the project's time zone; the services turn
them into UTC and refuse a slot in the past or an end before its start.
"""

from __future__ import annotations

from datetime import datetime, time

import wtforms
from flask_babel import lazy_gettext
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import InputRequired, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from voisinage.enums import VotingUnit
from voisinage.workshop_path import CODE_MAX, HALF_DAYS_MAX, PURPOSE_MAX, TITLE_MAX
from voisinage.workshop_polls import COMMENT_MAX, SLOTS_MAX, SlotInput
from voisinage.workshop_records import GUESTS_MAX, URL_MAX
from voisinage.workshop_rsvps import CAPACITY_MAX, PEOPLE_MAX
from voisinage.workshops import PLACE_MAX, Availability, Funder, RsvpStatus, StepKind
from webforms.forms import Form, _at_most, _required, options

# Empty slot rows a facilitator fills in without JavaScript; the empty ones are ignored.
NEW_POLL_SLOT_ROWS = 4
MORE_SLOT_ROWS = 2
DEFAULT_DEADLINE_TIME = time(20, 0)

AVAILABILITY_CHOICES = options(
    [
        (Availability.YES.value, lazy_gettext("Yes")),
        (Availability.IF_NEED_BE.value, lazy_gettext("If need be")),
        (Availability.NO.value, lazy_gettext("No")),
    ]
)
RSVP_CHOICES = options(
    [
        (RsvpStatus.COMING.value, lazy_gettext("Coming")),
        (RsvpStatus.MAYBE.value, lazy_gettext("Maybe")),
        (RsvpStatus.NOT_COMING.value, lazy_gettext("Not coming")),
    ]
)
FUNDER_CHOICES = options(
    [
        ("", lazy_gettext("Not said")),
        (Funder.METROPOLIS.value, lazy_gettext("The metropolis")),
        (Funder.GROUP.value, lazy_gettext("The group")),
        (Funder.OTHER.value, lazy_gettext("Someone else")),
    ]
)


class SlotForm(wtforms.Form):
    """One candidate slot; a row left empty is no slot, a row half filled in is refused."""

    day = DateField(lazy_gettext("Date"), validators=[Optional()])
    starts = TimeField(lazy_gettext("Start"), validators=[Optional()])
    ends = TimeField(lazy_gettext("End"), validators=[Optional()])
    place = StringField(
        lazy_gettext("Place"),
        validators=[Optional(), _at_most(PLACE_MAX)],
        render_kw={"maxlength": PLACE_MAX},
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        times = (self.day, self.starts, self.ends)
        if any(f.data is not None for f in times) or (self.place.data or "").strip():
            for f in times:
                if f.data is None and not f.errors:
                    f.errors.append(lazy_gettext("Please fill in this field."))
                    valid = False
        return valid

    def slot_input(self) -> SlotInput | None:
        if self.day.data is None:
            return None
        return SlotInput(
            starts_at=datetime.combine(self.day.data, self.starts.data),
            ends_at=datetime.combine(self.day.data, self.ends.data),
            place=self.place.data or "",
        )


class SlotsForm(Form):
    """More slots for an open poll."""

    slots = FieldList(FormField(SlotForm), min_entries=MORE_SLOT_ROWS, max_entries=SLOTS_MAX)

    def slot_inputs(self) -> list[SlotInput]:
        return [slot for entry in self.slots if (slot := entry.form.slot_input()) is not None]


class PollForm(SlotsForm):
    """A new availability poll: its deadline, who answers, and its candidate slots."""

    deadline_day = DateField(lazy_gettext("Answers until: date"), validators=[_required()])
    deadline_time = TimeField(
        lazy_gettext("Answers until: time"),
        default=DEFAULT_DEADLINE_TIME,
        validators=[_required()],
    )
    respondent_unit = RadioField(
        lazy_gettext("Who answers"),
        choices=options(
            [
                (VotingUnit.HOUSEHOLD.value, lazy_gettext("One answer per household")),
                (VotingUnit.PERSON.value, lazy_gettext("One answer per person")),
            ]
        ),
        validators=[_required()],
    )
    slots = FieldList(FormField(SlotForm), min_entries=NEW_POLL_SLOT_ROWS, max_entries=SLOTS_MAX)

    def deadline(self) -> datetime:
        return datetime.combine(self.deadline_day.data, self.deadline_time.data)


class AnswerForm(Form):
    """A member's answers to a poll's slots; `answer_form` adds one radio group per slot."""

    comment = TextAreaField(
        lazy_gettext("Comment (optional)"),
        description=lazy_gettext("For example: only after 6 pm, or with the children."),
        validators=[_at_most(COMMENT_MAX)],
        render_kw={"maxlength": COMMENT_MAX, "rows": 2},
    )

    def answers(self) -> dict[int, str]:
        """Return the slots answered: slot id → yes / if_need_be / no."""
        return {
            int(field.name.removeprefix("slot-")): field.data
            for field in self
            if field.name.startswith("slot-") and field.data
        }


def answer_form(
    slot_ids: list[int], *, answers: dict[int, str] | None = None, comment: str = "", **kwargs
) -> AnswerForm:
    """Return the answer form of a poll's slots, prefilled with the answers given so far."""
    fields = {
        f"slot-{slot_id}": RadioField(
            lazy_gettext("Your answer"), choices=AVAILABILITY_CHOICES, validate_choice=False
        )
        for slot_id in slot_ids
    }
    form_class = type("PollAnswerForm", (AnswerForm,), fields)
    prefill = {f"slot-{slot_id}": choice for slot_id, choice in (answers or {}).items()}
    return form_class(comment=comment, **prefill, **kwargs)


class ConfirmForm(Form):
    slot = RadioField(lazy_gettext("The slot to confirm"), choices=[], validators=[_required()])


class RsvpForm(Form):
    answer = RadioField(
        lazy_gettext("Will you come?"), choices=RSVP_CHOICES, validators=[_required()]
    )
    people = IntegerField(
        lazy_gettext("How many people from your household"),
        description=lazy_gettext("Counting yourself; not needed if you do not come."),
        default=1,
        validators=[Optional()],
        render_kw={"min": 1, "max": PEOPLE_MAX, "inputmode": "numeric"},
    )


class CapacityForm(Form):
    capacity = IntegerField(
        lazy_gettext("Places (people)"),
        description=lazy_gettext("Leave empty for no limit."),
        validators=[Optional()],
        render_kw={"min": 1, "max": CAPACITY_MAX, "inputmode": "numeric"},
    )


class ScheduleForm(Form):
    """A date set without a poll, or a workshop moved."""

    day = DateField(lazy_gettext("Date"), validators=[_required()])
    starts = TimeField(lazy_gettext("Start"), validators=[_required()])
    ends = TimeField(lazy_gettext("End"), validators=[_required()])
    place = StringField(
        lazy_gettext("Place"), validators=[_at_most(PLACE_MAX)], render_kw={"maxlength": PLACE_MAX}
    )

    def times(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.day.data, self.starts.data),
            datetime.combine(self.day.data, self.ends.data),
        )


class AttendanceForm(Form):
    members = SelectMultipleField(
        lazy_gettext("Who came"),
        choices=[],
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    guests = IntegerField(
        lazy_gettext("Guests (people who are not members)"),
        default=0,
        validators=[Optional()],
        render_kw={"min": 0, "max": GUESTS_MAX, "inputmode": "numeric"},
    )


class MinutesForm(Form):
    minutes_url = URLField(
        lazy_gettext("Link to the minutes"),
        description=lazy_gettext("A web address (https://…) where the group reads them."),
        validators=[_at_most(URL_MAX)],
        render_kw={"maxlength": URL_MAX},
    )
    notes = TextAreaField(
        lazy_gettext("Facilitators' notes"), render_kw={"rows": 5, "maxlength": 20_000}
    )


class StepForm(Form):
    """A step added to the path (a usual workshop or an advice session)."""

    code = StringField(
        lazy_gettext("Code"),
        description=lazy_gettext("For example B2. Optional."),
        validators=[_at_most(CODE_MAX)],
        render_kw={"maxlength": CODE_MAX},
    )
    title = StringField(
        lazy_gettext("Title"),
        validators=[_required(), _at_most(TITLE_MAX)],
        render_kw={"maxlength": TITLE_MAX},
    )
    purpose = StringField(
        lazy_gettext("Purpose, in one sentence"),
        validators=[_at_most(PURPOSE_MAX)],
        render_kw={"maxlength": PURPOSE_MAX},
    )
    kind = RadioField(
        lazy_gettext("Kind"),
        choices=options(
            [
                (StepKind.WORKSHOP.value, lazy_gettext("Workshop")),
                (StepKind.ADVICE.value, lazy_gettext("Advice session")),
            ]
        ),
        default=StepKind.WORKSHOP.value,
        validators=[_required()],
    )
    half_days = IntegerField(
        lazy_gettext("Length in half-days"),
        default=1,
        validators=[InputRequired(message=lazy_gettext("Please fill in this field."))],
        render_kw={"min": 1, "max": HALF_DAYS_MAX, "inputmode": "numeric"},
    )
    funder = SelectField(lazy_gettext("Funded by"), choices=FUNDER_CHOICES, default="")
    position = IntegerField(
        lazy_gettext("Position on the path"),
        description=lazy_gettext("1 is first. Leave empty to add it at the end."),
        validators=[Optional()],
        render_kw={"min": 1, "inputmode": "numeric"},
    )


class OneOffForm(Form):
    """A workshop outside the usual path: a visit, a party."""

    title = StringField(
        lazy_gettext("Title"),
        validators=[_required(), _at_most(TITLE_MAX)],
        render_kw={"maxlength": TITLE_MAX},
    )
    purpose = StringField(
        lazy_gettext("Purpose, in one sentence"),
        validators=[_at_most(PURPOSE_MAX)],
        render_kw={"maxlength": PURPOSE_MAX},
    )


class OrderForm(Form):
    """The path's step ids in their new order, as the page that sent it knew them."""

    order = HiddenField(
        validators=[
            Regexp(
                r"^\d+(,\d+)*$",
                message=lazy_gettext(
                    "The path has changed meanwhile: reload it and order its steps again."
                ),
            )
        ]
    )

    def step_ids(self) -> list[int]:
        return [int(step_id) for step_id in self.order.data.split(",")]


class RemindersForm(Form):
    reminders = BooleanField(
        lazy_gettext("Remind me before a poll closes and before a workshop I come to")
    )
