"""What a questionnaire is made of, as plain values, and the rules its questions and answers follow.

Pure functions over frozen dataclasses: the builder, the YAML templates, the bot and the web
forms all go through `clean_question` and `check_answer`, so a rule is written once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from voisinage.errors import N_, DomainError, InvalidValue
from voisinage.validation import slugify

TITLE_MAX = 200
INTRODUCTION_MAX = 5000
LABEL_MAX = 500
HELP_MAX = 2000
OPTION_LABEL_MAX = 200
SCALE_LABEL_MAX = 120
UNIT_MAX = 16
KEY_MAX = 64
OPTIONS_MAX = 30
QUESTIONS_MAX = 100
SCALE_SPAN_MAX = 10
TEXT_LENGTH_DEFAULT = 2000
TEXT_LENGTH_MAX = 10_000
# Far beyond any budget or surface: keeps numbers exact as floats in the database.
NUMBER_LIMIT = Decimal(10) ** 12

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*")
# Refused in texts: they cannot be shown (tab and line breaks are fine).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    SCALE = "scale"
    NUMBER = "number"
    TEXT = "text"
    RANKING = "ranking"


class QuestionnaireStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class QuestionnaireState(StrEnum):
    """Where a questionnaire stands at a given moment: its status read with its dates."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


CHOICE_KINDS = frozenset(
    {
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.YES_NO,
        QuestionKind.RANKING,
    }
)
# The kinds whose answer can decide whether a later question is shown.
CONDITION_KINDS = frozenset(
    {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.YES_NO}
)
NUMERIC_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.NUMBER})
YES, NO = "yes", "no"
# Yes/no options are not stored: their labels come in the questionnaire's language.
YES_NO_LABELS = {YES: N_("Yes"), NO: N_("No")}

# The settings each kind takes, by the names templates use; anything else is refused.
KIND_SETTINGS: dict[QuestionKind, frozenset[str]] = {
    QuestionKind.SINGLE_CHOICE: frozenset({"options"}),
    QuestionKind.MULTIPLE_CHOICE: frozenset({"options", "min_choices", "max_choices"}),
    QuestionKind.YES_NO: frozenset(),
    QuestionKind.SCALE: frozenset({"min", "max", "min_label", "max_label"}),
    QuestionKind.NUMBER: frozenset({"min", "max", "step", "unit"}),
    QuestionKind.TEXT: frozenset({"max_length"}),
    QuestionKind.RANKING: frozenset({"options", "min_choices", "max_choices"}),
}
# Template names of the settings, and the spec attributes holding them.
SETTING_ATTRIBUTES = {
    "options": "options",
    "min_choices": "min_choices",
    "max_choices": "max_choices",
    "min": "min_value",
    "max": "max_value",
    "step": "step",
    "unit": "unit",
    "min_label": "min_label",
    "max_label": "max_label",
    "max_length": "max_length",
}

Value = str | Decimal | tuple[str, ...]
"""An answer: an option key or a text (str), option keys (tuple), or a number (Decimal)."""


class QuestionnaireClosed(DomainError):
    code = "questionnaire_closed"
    message = N_("This questionnaire is closed: answers can no longer be given or changed.")


class QuestionnaireNotOpen(DomainError):
    code = "questionnaire_not_open"
    message = N_("This questionnaire is not open yet.")


class StaleAnswer(DomainError):
    """The answer names an option or question the questionnaire no longer has (an old button)."""

    code = "stale"
    message = N_(
        "This choice is no longer offered: the questionnaire has changed. Please answer again."
    )


class AnswerRequired(DomainError):
    code = "answer_required"
    message = N_("This question needs an answer.")


@dataclass(frozen=True)
class OptionSpec:
    key: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show a question only when question `question` (a key) was answered `value` (an option key)."""

    question: str
    value: str


@dataclass(frozen=True, kw_only=True)
class QuestionSpec:
    kind: str
    label: str
    key: str = ""
    help: str = ""
    optional: bool = False
    options: tuple[OptionSpec, ...] = ()
    unit: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    step: Decimal | None = None
    min_label: str = ""
    max_label: str = ""
    max_length: int | None = None
    min_choices: int | None = None
    max_choices: int | None = None
    show_if: Condition | None = None

    def option_label(self, key: str) -> str:
        return next((option.label for option in self.options if option.key == key), key)


@dataclass(frozen=True, kw_only=True)
class QuestionView(QuestionSpec):
    """A stored question; yes/no questions carry their two options, labelled."""

    id: int
    position: int


@dataclass(frozen=True, kw_only=True)
class QuestionnaireSpec:
    title: str
    introduction: str = ""
    # None: the project's voting unit.
    respondent_unit: str | None = None
    anonymous: bool = False
    questions: tuple[QuestionSpec, ...] = ()


@dataclass(frozen=True, kw_only=True)
class QuestionnaireView:
    id: int
    project_id: int
    title: str
    introduction: str
    respondent_unit: str
    anonymous: bool
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    round_number: int
    previous_round_id: int | None
    questions: tuple[QuestionView, ...] = field(default=())

    def state(self, now: datetime) -> QuestionnaireState:
        """Return whether the questionnaire is a draft, scheduled, open or closed at `now`."""
        return state_at(self, now)

    def question(self, question_id: int) -> QuestionView:
        """Return the question with this id; an id the questionnaire no longer has is stale."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise StaleAnswer(N_("This question no longer exists: the questionnaire has changed."))

    def question_by_key(self, key: str) -> QuestionView | None:
        return next((q for q in self.questions if q.key == key), None)

    def to_spec(self) -> QuestionnaireSpec:
        """Return the questionnaire's content, as a template holds it."""
        return QuestionnaireSpec(
            title=self.title,
            introduction=self.introduction,
            respondent_unit=self.respondent_unit,
            anonymous=self.anonymous,
            questions=tuple(question_spec(q) for q in self.questions),
        )


def state_at(questionnaire: Any, now: datetime) -> QuestionnaireState:
    """Return where a questionnaire (a view or a stored row) stands at `now`, given its dates."""
    if questionnaire.status == QuestionnaireStatus.DRAFT:
        return QuestionnaireState.DRAFT
    if questionnaire.status == QuestionnaireStatus.CLOSED or (
        questionnaire.closes_at is not None and questionnaire.closes_at <= now
    ):
        return QuestionnaireState.CLOSED
    if questionnaire.opens_at is not None and now < questionnaire.opens_at:
        return QuestionnaireState.SCHEDULED
    return QuestionnaireState.OPEN


def question_spec(question: QuestionSpec) -> QuestionSpec:
    """Return a question's content without its storage details (id, position, yes/no labels)."""
    values = {name: getattr(question, name) for name in QuestionSpec.__dataclass_fields__}
    if question.kind == QuestionKind.YES_NO:
        values["options"] = ()
    return QuestionSpec(**values)


# -- Checking questions -----------------------------------------------------------------------


def _invalid(message: str, *, field: str, **params: Any) -> InvalidValue:
    return InvalidValue(message, field=field, **params)


def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def check_key(key: str, *, field: str) -> str:
    """Return `key` if it is a valid stable key (lowercase letters, digits, '_' and '-')."""
    if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > KEY_MAX:
        raise _invalid(
            N_(
                "%(field)s: use lowercase letters, digits, '_' or '-' (at most %(max)s characters)."
            ),
            field=field,
            max=KEY_MAX,
        )
    return key


def key_from_label(label: str, taken: set[str]) -> str:
    """Return a key made from `label`, not in `taken`: 'Surface souhaitée' → 'surface_souhaitee'."""
    base = slugify(label).replace("-", "_")[:40].strip("_") or "q"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def clean_text(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    """Return `value` trimmed, without control characters; refuse it empty (if required) or long."""
    text = CONTROL_CHARACTERS.sub("", value or "").strip()
    if required and not text:
        raise _invalid(N_("%(field)s: this field is required."), field=field)
    if len(text) > max_length:
        raise _invalid(N_("%(field)s: at most %(max)s characters."), field=field, max=max_length)
    return text


def clean_questionnaire(spec: QuestionnaireSpec, *, field: str = "") -> QuestionnaireSpec:
    """Return a questionnaire's content checked and normalised; refuse naming the faulty field."""
    if len(spec.questions) > QUESTIONS_MAX:
        raise _invalid(
            N_("%(field)s: at most %(max)s questions."),
            field=_path(field, "questions"),
            max=QUESTIONS_MAX,
        )
    questions: list[QuestionSpec] = []
    for index, question in enumerate(spec.questions):
        questions.append(
            clean_question(question, earlier=questions, field=_path(field, f"questions[{index}]"))
        )
    return replace(
        spec,
        title=clean_text(
            spec.title, field=_path(field, "title"), max_length=TITLE_MAX, required=True
        ),
        introduction=clean_text(
            spec.introduction, field=_path(field, "introduction"), max_length=INTRODUCTION_MAX
        ),
        questions=tuple(questions),
    )


def clean_question(
    spec: QuestionSpec, *, earlier: Sequence[QuestionSpec], field: str = ""
) -> QuestionSpec:
    """Return a question checked against its kind's rules and the questions before it.

    `earlier` are the questions placed before it (a condition may only look back); a missing key
    is made from the label.
    """
    try:
        kind = QuestionKind(spec.kind)
    except ValueError:
        raise _invalid(
            N_("%(field)s: unknown kind %(value)s; expected one of %(expected)s."),
            field=_path(field, "kind"),
            value=spec.kind,
            expected=", ".join(QuestionKind),
        ) from None
    label = clean_text(spec.label, field=_path(field, "label"), max_length=LABEL_MAX, required=True)
    taken = {q.key for q in earlier}
    key = (
        check_key(spec.key, field=_path(field, "key")) if spec.key else key_from_label(label, taken)
    )
    if key in taken:
        raise _invalid(
            N_("%(field)s: the key %(key)s is used twice."), field=_path(field, "key"), key=key
        )
    for name, attribute in SETTING_ATTRIBUTES.items():
        if name not in KIND_SETTINGS[kind] and getattr(spec, attribute) not in (None, "", ()):
            raise _invalid(
                N_("%(field)s: this setting does not apply to a question of kind %(kind)s."),
                field=_path(field, name),
                kind=kind.value,
            )
    cleaned = replace(
        spec,
        kind=kind.value,
        key=key,
        label=label,
        help=clean_text(spec.help, field=_path(field, "help"), max_length=HELP_MAX),
        optional=bool(spec.optional),
        unit=clean_text(spec.unit, field=_path(field, "unit"), max_length=UNIT_MAX),
        min_label=clean_text(
            spec.min_label, field=_path(field, "min_label"), max_length=SCALE_LABEL_MAX
        ),
        max_label=clean_text(
            spec.max_label, field=_path(field, "max_label"), max_length=SCALE_LABEL_MAX
        ),
        options=_clean_options(spec.options, kind=kind, field=field),
    )
    if kind == QuestionKind.SCALE:
        _check_scale(cleaned, field)
    elif kind == QuestionKind.NUMBER:
        _check_number_settings(cleaned, field)
    elif kind == QuestionKind.TEXT and cleaned.max_length is not None:
        _check_count(cleaned.max_length, 1, TEXT_LENGTH_MAX, field=_path(field, "max_length"))
    elif kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING):
        _check_choice_counts(cleaned, field)
    if cleaned.show_if is not None:
        _check_condition(cleaned.show_if, earlier=earlier, field=_path(field, "show_if"))
    return cleaned


def _clean_options(
    options: Sequence[OptionSpec], *, kind: QuestionKind, field: str
) -> tuple[OptionSpec, ...]:
    if kind not in CHOICE_KINDS or kind == QuestionKind.YES_NO:
        return ()
    if len(options) < 2:
        raise _invalid(
            N_("%(field)s: a choice question needs at least two options."),
            field=_path(field, "options"),
        )
    if len(options) > OPTIONS_MAX:
        raise _invalid(
            N_("%(field)s: at most %(max)s options."),
            field=_path(field, "options"),
            max=OPTIONS_MAX,
        )
    cleaned: list[OptionSpec] = []
    taken: set[str] = set()
    for index, option in enumerate(options):
        where = _path(field, f"options[{index}]")
        label = clean_text(
            option.label, field=_path(where, "label"), max_length=OPTION_LABEL_MAX, required=True
        )
        key = (
            check_key(option.key, field=_path(where, "key"))
            if option.key
            else key_from_label(label, taken)
        )
        if key in taken:
            raise _invalid(
                N_("%(field)s: the key %(key)s is used twice."), field=_path(where, "key"), key=key
            )
        taken.add(key)
        cleaned.append(OptionSpec(key=key, label=label))
    return tuple(cleaned)


def _check_count(value: Any, low: int, high: int, *, field: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _invalid(
            N_("%(field)s: must be a whole number from %(min)s to %(max)s."),
            field=field,
            min=low,
            max=high,
        )


def _check_scale(spec: QuestionSpec, field: str) -> None:
    low, high = spec.min_value, spec.max_value
    for name, value in (("min", low), ("max", high)):
        if value is None or value != value.to_integral_value():
            raise _invalid(N_("%(field)s: expected a whole number."), field=_path(field, name))
    if not 0 < high - low <= SCALE_SPAN_MAX or abs(low) > SCALE_SPAN_MAX * 10:
        raise _invalid(
            N_("%(field)s: a scale runs between two whole numbers at most %(max)s apart."),
            field=_path(field, "max"),
            max=SCALE_SPAN_MAX,
        )


def _check_number_settings(spec: QuestionSpec, field: str) -> None:
    for name, value in (("min", spec.min_value), ("max", spec.max_value), ("step", spec.step)):
        if value is not None and (not value.is_finite() or abs(value) > NUMBER_LIMIT):
            raise _invalid(
                N_("%(field)s: expected a number between -%(max)s and %(max)s."),
                field=_path(field, name),
                max=plain_number(NUMBER_LIMIT),
            )
    if (
        spec.min_value is not None
        and spec.max_value is not None
        and spec.min_value >= spec.max_value
    ):
        raise _invalid(
            N_("%(field)s: the maximum must be greater than the minimum."),
            field=_path(field, "max"),
        )
    if spec.step is not None and spec.step <= 0:
        raise _invalid(
            N_("%(field)s: the step must be greater than zero."), field=_path(field, "step")
        )


def _check_choice_counts(spec: QuestionSpec, field: str) -> None:
    count = len(spec.options)
    if spec.min_choices is not None:
        _check_count(spec.min_choices, 1, count, field=_path(field, "min_choices"))
    if spec.max_choices is not None:
        _check_count(
            spec.max_choices, spec.min_choices or 1, count, field=_path(field, "max_choices")
        )


def _check_condition(condition: Condition, *, earlier: Sequence[QuestionSpec], field: str) -> None:
    target = next((q for q in earlier if q.key == condition.question), None)
    if target is None:
        raise _invalid(
            N_("%(field)s: the question %(key)s must come before this one."),
            field=_path(field, "question"),
            key=condition.question,
        )
    if target.kind not in CONDITION_KINDS:
        raise _invalid(
            N_(
                "%(field)s: a question can only depend on a single choice, multiple choice or yes/no question."
            ),
            field=_path(field, "question"),
        )
    if condition.value not in option_keys(target):
        raise _invalid(
            N_("%(field)s: %(value)s is not an option of the question %(key)s."),
            field=_path(field, "value"),
            value=condition.value,
            key=condition.question,
        )


def option_keys(question: QuestionSpec) -> tuple[str, ...]:
    """Return the keys an answer to `question` may hold."""
    if question.kind == QuestionKind.YES_NO:
        return (YES, NO)
    return tuple(option.key for option in question.options)


def plain_number(value: Decimal) -> str:
    """Return a number as people write it: '65', '0.5', '1250000' (no exponent, no trailing 0)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def canonical_number(number: Decimal) -> Decimal:
    """Return a number in one spelling: Decimal('65'), Decimal('65.5'), never '65.50' or '6.5E+1'."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1)) + 0
    return number.normalize()
