"""Questionnaires as YAML templates: read strictly, written canonically (docs/questionnaires.md)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from voisinage.errors import N_, InvalidValue
from voisinage.questionnaire_specs import (
    SETTING_ATTRIBUTES,
    Condition,
    OptionSpec,
    QuestionnaireSpec,
    QuestionnaireView,
    QuestionSpec,
    canonical_number,
    clean_questionnaire,
    question_spec,
)
from voisinage.questionnaires import create_questionnaire, load_questionnaire

FORMAT = "voisinage.questionnaire"
VERSION = 1
TEMPLATE_BYTES_MAX = 1_000_000
TEMPLATES_DIR = Path(__file__).parent / "templates"
# The shipped "Définition des attentes" (expectations) template, one file per language.
EXPECTATIONS = "expectations"

_TOP_FIELDS = (
    "format",
    "version",
    "title",
    "introduction",
    "respondent_unit",
    "anonymous",
    "questions",
)
_QUESTION_FIELDS = ("key", "kind", "label", "help", "optional", *SETTING_ATTRIBUTES, "show_if")
_TEXT_FIELDS = {"key", "kind", "label", "help", "unit", "min_label", "max_label"}
_COUNT_FIELDS = {"max_length", "min_choices", "max_choices"}
_NUMBER_FIELDS = {"min", "max", "step"}


def _invalid(message: str, field: str, **params: Any) -> InvalidValue:
    return InvalidValue(message, field=field, **params)


def _mapping(value: Any, field: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(N_("%(field)s: expected a mapping of fields (name: value)."), field)
    for name in value:
        if name not in allowed:
            where = f"{field}.{name}" if field else str(name)
            raise _invalid(
                N_("%(field)s: unknown field; expected one of %(expected)s."),
                where,
                expected=", ".join(allowed),
            )
    return value


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _invalid(N_("%(field)s: expected text."), field)
    return value


def _required(data: dict[str, Any], name: str, field: str) -> Any:
    if data.get(name) is None:
        raise _invalid(
            N_("%(field)s: this field is required."), f"{field}.{name}" if field else name
        )
    return data[name]


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(N_("%(field)s: expected true or false."), field)
    return value


def _list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise _invalid(N_("%(field)s: expected a list."), field)
    return value


def _number(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(N_("%(field)s: expected a number."), field)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise _invalid(N_("%(field)s: expected a number."), field)
    return canonical_number(number)


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(N_("%(field)s: expected a whole number."), field)
    return value


def decode_template(data: bytes) -> str:
    """Return the text of an uploaded or read template file; refuse one that is not UTF-8."""
    if len(data) > TEMPLATE_BYTES_MAX:
        raise InvalidValue(
            N_("This file is too large for a questionnaire: %(max)s bytes at most."),
            max=TEMPLATE_BYTES_MAX,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidValue(
            N_("This file is not UTF-8 text: save it as UTF-8 and try again.")
        ) from None


def parse_template(text: str) -> QuestionnaireSpec:
    """Read a YAML template into a checked questionnaire; refuse naming the faulty field."""
    if len(text.encode("utf-8")) > TEMPLATE_BYTES_MAX:
        raise InvalidValue(
            N_("This file is too large for a questionnaire: %(max)s bytes at most."),
            max=TEMPLATE_BYTES_MAX,
        )
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InvalidValue(
            N_("This file is not valid YAML (line %(line)s): %(error)s"),
            line=mark.line + 1 if mark else "?",
            error=getattr(error, "problem", None) or str(error),
        ) from None
    return clean_questionnaire(spec_from_data(data))


def spec_from_data(data: Any) -> QuestionnaireSpec:
    """Turn the data of a template (as YAML or JSON reads it) into a questionnaire, unchecked."""
    if not isinstance(data, dict):
        raise InvalidValue(
            N_("This file does not describe a questionnaire: see docs/questionnaires.md.")
        )
    data = _mapping(data, "", _TOP_FIELDS)
    if data.get("format") != FORMAT:
        raise _invalid(N_("%(field)s: expected %(expected)s."), "format", expected=FORMAT)
    if data.get("version") != VERSION:
        raise _invalid(
            N_(
                "%(field)s: unsupported version %(value)s; this version of Voisinage reads version %(expected)s."
            ),
            "version",
            value=data.get("version"),
            expected=VERSION,
        )
    questions = _list(_required(data, "questions", ""), "questions")
    if not questions:
        raise _invalid(N_("%(field)s: a questionnaire needs at least one question."), "questions")
    unit = data.get("respondent_unit")
    if unit is not None and unit not in ("household", "person"):
        raise _invalid(
            N_("%(field)s: expected %(expected)s."),
            "respondent_unit",
            expected="household, person",
        )
    return QuestionnaireSpec(
        title=_text(_required(data, "title", ""), "title"),
        introduction=_text(data.get("introduction", ""), "introduction"),
        respondent_unit=unit,
        anonymous=_bool(data.get("anonymous", False), "anonymous"),
        questions=tuple(
            _question(item, f"questions[{index}]") for index, item in enumerate(questions)
        ),
    )


def _question(item: Any, field: str) -> QuestionSpec:
    data = _mapping(item, field, _QUESTION_FIELDS)
    _required(data, "kind", field)
    _required(data, "label", field)
    values: dict[str, Any] = {}
    for name, value in data.items():
        where = f"{field}.{name}"
        if value is None:
            continue
        if name in _TEXT_FIELDS:
            values[SETTING_ATTRIBUTES.get(name, name)] = _text(value, where)
        elif name in _NUMBER_FIELDS:
            values[SETTING_ATTRIBUTES[name]] = _number(value, where)
        elif name in _COUNT_FIELDS:
            values[name] = _count(value, where)
        elif name == "optional":
            values[name] = _bool(value, where)
        elif name == "options":
            values[name] = tuple(
                _option(option, f"{where}[{index}]")
                for index, option in enumerate(_list(value, where))
            )
        elif name == "show_if":
            values[name] = _condition(value, where)
    return QuestionSpec(**values)


def _option(item: Any, field: str) -> OptionSpec:
    data = _mapping(item, field, ("key", "label"))
    return OptionSpec(
        key=_text(data.get("key", ""), f"{field}.key"),
        label=_text(_required(data, "label", field), f"{field}.label"),
    )


def _condition(item: Any, field: str) -> Condition:
    data = _mapping(item, field, ("question", "value"))
    value = _required(data, "value", field)
    # YAML 1.1 reads a bare `yes` or `no` as a boolean: take it as the yes/no option it means.
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return Condition(
        question=_text(_required(data, "question", field), f"{field}.question"),
        value=_text(value, f"{field}.value"),
    )


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def template_data(spec: QuestionnaireSpec) -> dict[str, Any]:
    """Return a questionnaire as template data, in canonical order, without default values."""
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "title": spec.title}
    if spec.introduction:
        data["introduction"] = spec.introduction
    if spec.respondent_unit:
        data["respondent_unit"] = spec.respondent_unit
    data["anonymous"] = spec.anonymous
    data["questions"] = [question_data(question) for question in spec.questions]
    return data


def question_data(question: QuestionSpec) -> dict[str, Any]:
    """Return one question as template data (yes/no options, implied, are left out)."""
    question = question_spec(question)
    data: dict[str, Any] = {"key": question.key, "kind": question.kind, "label": question.label}
    if question.help:
        data["help"] = question.help
    if question.optional:
        data["optional"] = True
    for name, attribute in SETTING_ATTRIBUTES.items():
        value = getattr(question, attribute)
        if value in (None, "", ()):
            continue
        if name == "options":
            value = [{"key": option.key, "label": option.label} for option in value]
        elif isinstance(value, Decimal):
            value = _plain(value)
        data[name] = value
    if question.show_if is not None:
        data["show_if"] = {"question": question.show_if.question, "value": question.show_if.value}
    return data


def dump_template(spec: QuestionnaireSpec) -> str:
    """Return a questionnaire as YAML text that `parse_template` reads back the same."""
    return yaml.safe_dump(
        template_data(spec), allow_unicode=True, sort_keys=False, width=100, indent=2
    )


def shipped_template(language: str, name: str = EXPECTATIONS) -> str:
    """Return the text of a template shipped with Voisinage, in French or English."""
    return (TEMPLATES_DIR / f"{name}.{language}.yaml").read_text(encoding="utf-8")


def import_questionnaire(
    session: Session, *, project_id: int, text: str, actor_id: int | None = None
) -> QuestionnaireView:
    """Create a draft questionnaire from YAML text (facilitators only)."""
    spec = parse_template(text)
    return create_questionnaire(session, project_id=project_id, spec=spec, actor_id=actor_id)


def export_questionnaire(session: Session, *, project_id: int, questionnaire_id: int) -> str:
    """Return a questionnaire as a YAML template, to reuse in this project or another."""
    view = load_questionnaire(session, project_id=project_id, questionnaire_id=questionnaire_id)
    return dump_template(view.to_spec())
