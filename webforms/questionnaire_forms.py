"""The questionnaire forms: settings, questions of every kind, and a page of answers.

They turn what the browser sends into the plain values the services take; every rule (bounds,
options, conditions, locks) is checked by the services in `voisinage.questionnaire_*`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask_babel import gettext, lazy_gettext
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import Form as PlainForm
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from voisinage.enums import VotingUnit
from voisinage.errors import DomainError, InvalidValue
from voisinage.questionnaire_specs import (
    CONDITION_KINDS,
    HELP_MAX,
    INTRODUCTION_MAX,
    KIND_SETTINGS,
    LABEL_MAX,
    OPTION_LABEL_MAX,
    SCALE_LABEL_MAX,
    TEXT_LENGTH_MAX,
    TITLE_MAX,
    UNIT_MAX,
    Condition,
    OptionSpec,
    QuestionKind,
    QuestionSpec,
    QuestionView,
    Value,
    plain_number,
)
from voisinage.questionnaire_values import parse_number
from webforms.forms import Form, options

KIND_NAMES = {
    QuestionKind.SINGLE_CHOICE.value: lazy_gettext("Single choice"),
    QuestionKind.MULTIPLE_CHOICE.value: lazy_gettext("Multiple choice"),
    QuestionKind.YES_NO.value: lazy_gettext("Yes / no"),
    QuestionKind.SCALE.value: lazy_gettext("Scale"),
    QuestionKind.NUMBER.value: lazy_gettext("Number"),
    QuestionKind.TEXT.value: lazy_gettext("Free text"),
    QuestionKind.RANKING.value: lazy_gettext("Ranking"),
}
STATE_NAMES = {
    "draft": lazy_gettext("Draft"),
    "scheduled": lazy_gettext("Scheduled"),
    "open": lazy_gettext("Open"),
    "closed": lazy_gettext("Closed"),
}
PROGRESS_NAMES = {
    "not_started": lazy_gettext("Not started"),
    "draft": lazy_gettext("Started, not sent"),
    "submitted": lazy_gettext("Sent"),
}
UNIT_CHOICES = options(
    [
        (VotingUnit.HOUSEHOLD.value, lazy_gettext("Once per household")),
        (VotingUnit.PERSON.value, lazy_gettext("Once per person")),
    ]
)
# Options a facilitator may add at once on a page without JavaScript.
NEW_OPTION_LINES_MAX = 30


def _required():
    return InputRequired(message=lazy_gettext("Please fill in this field."))


def _at_most(limit: int):
    return Length(max=limit, message=lazy_gettext("At most %(max)d characters."))


class NumberText(StringField):
    """A number typed as people write it ('1 250,5', '65 m²'), read by the domain's parser."""

    data: Decimal | None

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        self.raw_text = text
        if not text:
            self.data = None
            return
        try:
            self.data = parse_number(text)
        except InvalidValue as error:
            self.data = None
            raise ValueError(error.translate(gettext)) from None

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        return plain_number(self.data) if isinstance(self.data, Decimal) else ""


def local_datetime(value: datetime | None, timezone: str) -> datetime | None:
    """Return a stored (UTC) moment as the naive local time a datetime-local input shows."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def stored_datetime(value: datetime | None, timezone: str) -> datetime | None:
    """Return a naive local time typed in the project's time zone as an aware UTC moment."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def _moment(label):
    return DateTimeLocalField(
        label,
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=lazy_gettext("Leave empty for no date."),
    )


class RoutedForm(Form):
    """A form that shows a service's refusal next to the field it names (`field` parameter)."""

    # The form field of each field name the services use; others go above the form.
    ROUTES: ClassVar[dict[str, str]] = {}

    def refuse(self, error: DomainError) -> None:
        """Show a service's refusal next to the field it names, else above the form."""
        name = str(error.params.get("field", "")).split(".")[0].split("[")[0]
        field_name = self.ROUTES.get(name)
        if field_name is None:
            self.form_errors.append(error.translate(gettext))
            return
        field = self[field_name]
        params = {**error.params, "field": field.label.text}
        field.errors = [*field.errors, gettext(error.message) % params]


class QuestionnaireForm(RoutedForm):
    """A questionnaire's settings; a new questionnaire leaves the dates out."""

    ROUTES: ClassVar[dict[str, str]] = {"title": "title", "introduction": "introduction"}

    title = StringField(
        lazy_gettext("Title"),
        validators=[_required(), _at_most(TITLE_MAX)],
        render_kw={"maxlength": TITLE_MAX},
    )
    introduction = TextAreaField(
        lazy_gettext("Introduction"),
        description=lazy_gettext("Shown to residents above the questions."),
        validators=[_at_most(INTRODUCTION_MAX)],
        render_kw={"maxlength": INTRODUCTION_MAX, "rows": 4},
    )
    respondent_unit = RadioField(
        lazy_gettext("Who answers"), choices=UNIT_CHOICES, validators=[_required()]
    )
    anonymous = BooleanField(
        lazy_gettext("Anonymous: facilitators see who answered, never what they answered")
    )
    opens_at = _moment(lazy_gettext("Opens at"))
    closes_at = _moment(lazy_gettext("Closes at"))


class OpenForm(Form):
    closes_at = _moment(lazy_gettext("Answers accepted until"))


class ImportForm(Form):
    template = FileField(
        lazy_gettext("YAML file"),
        description=lazy_gettext("A questionnaire exported from Voisinage, or written by hand."),
        validators=[FileRequired(message=lazy_gettext("Choose a file."))],
        render_kw={"accept": ".yaml,.yml,text/yaml"},
    )


class ActionForm(Form):
    """A button that changes something: only the CSRF token travels with it."""


class MoveForm(Form):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class KindForm(PlainForm):
    """The kind of question to add: asked first, since each kind has its own settings."""

    kind = SelectField(
        lazy_gettext("Kind of question"),
        choices=options(KIND_NAMES.items()),
        validators=[InputRequired()],
    )


class OptionForm(PlainForm):
    # Not "label": a FormField's own label would hide it.
    key = HiddenField()
    text = StringField(
        lazy_gettext("Option"),
        validators=[_at_most(OPTION_LABEL_MAX)],
        render_kw={"maxlength": OPTION_LABEL_MAX},
    )
    remove = BooleanField(lazy_gettext("Remove"))


# The form fields of each template setting, to show a refusal next to its field.
FIELD_OF_SETTING = {
    "label": "label",
    "key": "label",
    "help": "help",
    "options": "new_options",
    "min_choices": "min_choices",
    "max_choices": "max_choices",
    "min": "min_value",
    "max": "max_value",
    "step": "step",
    "unit": "unit",
    "min_label": "min_label",
    "max_label": "max_label",
    "max_length": "max_length",
    "show_if": "show_if",
}
# The form fields holding each template setting.
SETTING_FIELDS = {
    "options": ("options", "new_options"),
    "min_choices": ("min_choices",),
    "max_choices": ("max_choices",),
    "min": ("min_value",),
    "max": ("max_value",),
    "step": ("step",),
    "unit": ("unit",),
    "min_label": ("min_label",),
    "max_label": ("max_label",),
    "max_length": ("max_length",),
}


class QuestionForm(RoutedForm):
    """One question and the settings of its kind; fields of other kinds are left out."""

    ROUTES = FIELD_OF_SETTING

    label = TextAreaField(
        lazy_gettext("Question"),
        validators=[_required(), _at_most(LABEL_MAX)],
        render_kw={"maxlength": LABEL_MAX, "rows": 2},
    )
    help = TextAreaField(
        lazy_gettext("Help text"),
        description=lazy_gettext("Optional: shown under the question."),
        validators=[_at_most(HELP_MAX)],
        render_kw={"maxlength": HELP_MAX, "rows": 2},
    )
    optional = BooleanField(lazy_gettext("Optional: residents may leave it unanswered"))
    options = FieldList(FormField(OptionForm), min_entries=0, max_entries=NEW_OPTION_LINES_MAX)
    new_options = TextAreaField(
        lazy_gettext("New options, one per line"),
        render_kw={"rows": 4},
        validators=[_at_most(NEW_OPTION_LINES_MAX * (OPTION_LABEL_MAX + 2))],
    )
    min_choices = IntegerField(
        lazy_gettext("At least how many options"),
        description=lazy_gettext("Leave empty for one."),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    max_choices = IntegerField(
        lazy_gettext("At most how many options"),
        description=lazy_gettext("Leave empty for no limit."),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    min_value = NumberText(lazy_gettext("Minimum"), render_kw={"inputmode": "decimal"})
    max_value = NumberText(lazy_gettext("Maximum"), render_kw={"inputmode": "decimal"})
    step = NumberText(
        lazy_gettext("Step"),
        description=lazy_gettext("For example 1 for whole numbers, 10 for tens. Optional."),
        render_kw={"inputmode": "decimal"},
    )
    unit = StringField(
        lazy_gettext("Unit"),
        description=lazy_gettext("For example €, m² or rooms."),
        validators=[_at_most(UNIT_MAX)],
        render_kw={"maxlength": UNIT_MAX},
    )
    min_label = StringField(
        lazy_gettext("Label of the lowest point"),
        validators=[_at_most(SCALE_LABEL_MAX)],
        render_kw={"maxlength": SCALE_LABEL_MAX},
    )
    max_label = StringField(
        lazy_gettext("Label of the highest point"),
        validators=[_at_most(SCALE_LABEL_MAX)],
        render_kw={"maxlength": SCALE_LABEL_MAX},
    )
    max_length = IntegerField(
        lazy_gettext("Longest answer, in characters"),
        description=lazy_gettext("Leave empty for 2,000."),
        validators=[Optional()],
        render_kw={"inputmode": "numeric", "min": 1, "max": TEXT_LENGTH_MAX},
    )
    show_if = SelectField(lazy_gettext("Show this question"), choices=[], default="")

    @classmethod
    def for_question(cls, question: QuestionView) -> QuestionForm:
        """Return the form filled with a stored question, as the edit page first shows it."""
        return cls(
            formdata=None,
            label=question.label,
            help=question.help,
            optional=question.optional,
            options=(
                []
                if question.kind == QuestionKind.YES_NO
                else [{"key": o.key, "text": o.label} for o in question.options]
            ),
            min_choices=question.min_choices,
            max_choices=question.max_choices,
            min_value=question.min_value,
            max_value=question.max_value,
            step=question.step,
            unit=question.unit,
            min_label=question.min_label,
            max_label=question.max_label,
            max_length=question.max_length,
            show_if=condition_value(question.show_if),
        )

    def fields_for(self, kind: str) -> list[str]:
        """Return the names of the setting fields a question of `kind` takes, in form order."""
        names = [
            name
            for setting in KIND_SETTINGS[QuestionKind(kind)]
            for name in SETTING_FIELDS[setting]
        ]
        return [field.name for field in self if field.name in names]

    def question_spec(self, kind: str, *, locked: QuestionView | None = None) -> QuestionSpec:
        """Return the question the form describes, of `kind`.

        `locked`: a question with answers, whose structure stays as stored; only its wording
        (label, help, unit, scale labels, option labels) comes from the form.
        """
        settings = KIND_SETTINGS[QuestionKind(kind)]
        labels = {row.key.data: (row.text.data or "") for row in self.options}
        if locked is not None:
            return QuestionSpec(
                kind=locked.kind,
                key=locked.key,
                label=self.label.data or "",
                help=self.help.data or "",
                optional=locked.optional,
                options=(
                    ()
                    if locked.kind == QuestionKind.YES_NO
                    else tuple(
                        OptionSpec(o.key, labels.get(o.key, o.label)) for o in locked.options
                    )
                ),
                unit=(self.unit.data or "") if "unit" in settings else "",
                min_value=locked.min_value,
                max_value=locked.max_value,
                step=locked.step,
                min_label=(self.min_label.data or "") if "min_label" in settings else "",
                max_label=(self.max_label.data or "") if "max_label" in settings else "",
                max_length=locked.max_length,
                min_choices=locked.min_choices,
                max_choices=locked.max_choices,
                show_if=locked.show_if,
            )
        values: dict[str, Any] = {}
        if "options" in settings:
            kept = [
                OptionSpec(row.key.data or "", row.text.data or "")
                for row in self.options
                if not row.remove.data
            ]
            added = [
                OptionSpec("", line.strip())
                for line in (self.new_options.data or "").splitlines()
                if line.strip()
            ]
            values["options"] = tuple(kept + added)
        for setting, attribute in (
            ("min_choices", "min_choices"),
            ("max_choices", "max_choices"),
            ("min", "min_value"),
            ("max", "max_value"),
            ("step", "step"),
            ("max_length", "max_length"),
        ):
            if setting in settings:
                values[attribute] = self[attribute].data
        for name in ("unit", "min_label", "max_label"):
            if name in settings:
                values[name] = self[name].data or ""
        return QuestionSpec(
            kind=kind,
            label=self.label.data or "",
            help=self.help.data or "",
            optional=bool(self.optional.data),
            show_if=parse_condition(self.show_if.data),
            **values,
        )


def condition_value(condition: Condition | None) -> str:
    return f"{condition.question}={condition.value}" if condition else ""


def parse_condition(value: str | None) -> Condition | None:
    """Read a condition as the show-if menu sends it: 'question_key=option_key'."""
    if not value or "=" not in value:
        return None
    question, option = value.split("=", 1)
    return Condition(question=question, value=option)


def condition_choices(earlier: list[QuestionView]) -> list:
    """Return the show-if menu: always, or when an earlier choice question has a given answer."""
    pairs = [("", gettext("Always"))]
    for number, question in enumerate(earlier, start=1):
        if question.kind not in CONDITION_KINDS:
            continue
        for option in question.options:
            pairs.append(
                (
                    condition_value(Condition(question.key, option.key)),
                    gettext(
                        "Only if question %(number)s (%(question)s) is answered “%(option)s”",
                        number=number,
                        question=_shorten(question.label),
                        option=option.label,
                    ),
                )
            )
    return options(pairs)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- A page of answers --------------------------------------------------------------------------
# Inputs are named after the question's id: "q12"; a ranking sends one menu a place, "q12-1",
# "q12-2", … each naming the option put there.


def field_name(question: QuestionView) -> str:
    return f"q{question.id}"


def raw_answers(questions: tuple[QuestionView, ...], formdata: MultiDict) -> dict[int, Any]:
    """Return what the page sent for each question, as the answering service takes it."""
    raw: dict[int, Any] = {}
    for question in questions:
        name = field_name(question)
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            raw[question.id] = tuple(formdata.getlist(name))
        elif question.kind == QuestionKind.RANKING:
            places = [
                formdata.get(f"{name}-{place}", "") for place in range(1, 1 + len(question.options))
            ]
            raw[question.id] = tuple(key for key in places if key)
        else:
            raw[question.id] = formdata.get(name, "")
    return raw


def shown_values(answers: Mapping[int, Value]) -> dict[int, Any]:
    """Return stored answers as the page's inputs show them (numbers as typed text)."""
    return {
        question_id: plain_number(value) if isinstance(value, Decimal) else value
        for question_id, value in answers.items()
    }
