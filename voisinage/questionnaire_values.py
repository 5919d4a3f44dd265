"""The rules an answer follows: typed numbers read, bounds and steps, options, and conditions.

Pure functions: the bot, the web page and the services check an answer with `check_answer`, and
decide which questions a respondent sees with `visible_questions`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from voisinage.errors import N_, InvalidValue
from voisinage.questionnaire_specs import (
    CONTROL_CHARACTERS,
    NUMBER_LIMIT,
    NUMERIC_KINDS,
    TEXT_LENGTH_DEFAULT,
    AnswerRequired,
    QuestionKind,
    QuestionSpec,
    StaleAnswer,
    Value,
    canonical_number,
    option_keys,
    plain_number,
)


def with_unit(value: Decimal, unit: str) -> str:
    return f"{plain_number(value)} {unit}".strip()


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_number(text: str, *, unit: str = "") -> Decimal:
    """Read a typed number: '1 250,5', '1250.5', '65 m²', '850 €' → Decimal; refuse anything else."""
    raw = text.strip()
    for suffix in (unit, "€", "eur", "m²", "m2"):
        if suffix and raw.lower().endswith(suffix.lower()):
            raw = raw[: -len(suffix)]
            break
    raw = _SPACES.sub("", raw)
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        # Both marks: the last one is the decimal mark, the other groups thousands.
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal == "," else ","
    elif commas == 1 or dots == 1:
        decimal, thousands = ("," if commas else "."), None
    else:
        decimal, thousands = None, ("," if commas else ".")
    grouped = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|" if thousands else ""
    fraction = rf"(?:{re.escape(decimal)}\d+)?" if decimal else ""
    if not re.fullmatch(rf"[-+]?(?:{grouped}\d+){fraction}", raw):
        raise InvalidValue(N_("Please give a number, for example %(example)s."), example="65")
    if thousands:
        raw = raw.replace(thousands, "")
    return Decimal(raw.replace(",", "."))


def _to_decimal(value: Any, unit: str) -> Decimal:
    if isinstance(value, bool):
        raise InvalidValue(N_("This answer does not fit the question."))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        number = parse_number(value, unit=unit)
    else:
        raise InvalidValue(N_("This answer does not fit the question."))
    if not number.is_finite():
        raise InvalidValue(N_("Please give a number, for example %(example)s."), example="65")
    return number


def check_number(question: QuestionSpec, value: Any) -> Decimal:
    """Return the number answered, if within the question's bounds and on its step."""
    number = _to_decimal(value, question.unit)
    low, high, step = question.min_value, question.max_value, question.step
    if question.kind == QuestionKind.SCALE:
        step = Decimal(1)
    out_of_bounds = (low is not None and number < low) or (high is not None and number > high)
    if out_of_bounds or abs(number) > NUMBER_LIMIT:
        unit = question.unit
        if low is not None and high is not None:
            raise InvalidValue(
                N_("Please give a number from %(min)s to %(max)s."),
                min=with_unit(low, unit),
                max=with_unit(high, unit),
            )
        if low is not None:
            raise InvalidValue(
                N_("Please give a number of at least %(min)s."), min=with_unit(low, unit)
            )
        limit = high if high is not None else NUMBER_LIMIT
        raise InvalidValue(
            N_("Please give a number of at most %(max)s."), max=with_unit(limit, unit)
        )
    if step is not None:
        base = low if low is not None else Decimal(0)
        remainder = (number - base) % step
        if remainder:
            lower = number - remainder if number >= base else number - remainder - step
            nearest = [
                plain_number(candidate)
                for candidate in (lower, lower + step)
                if (low is None or candidate >= low) and (high is None or candidate <= high)
            ]
            if len(nearest) == 2:
                raise InvalidValue(
                    N_(
                        "%(value)s is not possible here: choose %(lower)s or %(upper)s (steps of %(step)s)."
                    ),
                    value=plain_number(number),
                    lower=nearest[0],
                    upper=nearest[1],
                    step=plain_number(step),
                )
            raise InvalidValue(
                N_(
                    "%(value)s is not possible here: the nearest possible answer is %(nearest)s (steps of %(step)s)."
                ),
                value=plain_number(number),
                nearest=nearest[0],
                step=plain_number(step),
            )
    return canonical_number(number)


def _keys(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise InvalidValue(N_("This answer does not fit the question."))
    keys = tuple(value)
    if not all(isinstance(key, str) for key in keys):
        raise InvalidValue(N_("This answer does not fit the question."))
    return keys


def _check_known(question: QuestionSpec, keys: Sequence[str]) -> None:
    known = set(option_keys(question))
    if any(key not in known for key in keys):
        raise StaleAnswer()


def _check_how_many(question: QuestionSpec, count: int, *, ranking: bool) -> None:
    low = question.min_choices or 1
    high = question.max_choices or len(question.options)
    if count < low:
        raise InvalidValue(
            N_("Too few options ranked: rank at least %(min)s.")
            if ranking
            else N_("Too few options chosen: choose at least %(min)s."),
            min=low,
        )
    if count > high:
        raise InvalidValue(
            N_("Too many options ranked: the limit is %(max)s.")
            if ranking
            else N_("Too many options chosen: the limit is %(max)s."),
            max=high,
        )


def is_empty(value: Any) -> bool:
    """Tell whether a raw answer says nothing: None, blank text or no option."""
    if value is None:
        return True
    if isinstance(value, str):
        return not CONTROL_CHARACTERS.sub("", value).strip()
    return isinstance(value, Sequence | set | frozenset) and len(value) == 0


def check_answer(question: QuestionSpec, value: Any) -> Value:
    """Return a raw answer normalised as stored, or refuse it with what the question expects.

    An empty answer is refused too: skipping is a separate, explicit act.
    """
    if is_empty(value):
        raise AnswerRequired()
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        if not isinstance(value, str):
            raise InvalidValue(N_("This answer does not fit the question."))
        _check_known(question, [value])
        return value
    if kind == QuestionKind.MULTIPLE_CHOICE:
        keys = set(_keys(value))
        _check_known(question, list(keys))
        _check_how_many(question, len(keys), ranking=False)
        return tuple(key for key in option_keys(question) if key in keys)
    if kind == QuestionKind.RANKING:
        keys = _keys(value)
        _check_known(question, keys)
        if len(set(keys)) != len(keys):
            raise InvalidValue(N_("Each option can be ranked only once."))
        _check_how_many(question, len(keys), ranking=True)
        return keys
    if kind in NUMERIC_KINDS:
        return check_number(question, value)
    if not isinstance(value, str):
        raise InvalidValue(N_("This answer does not fit the question."))
    text = CONTROL_CHARACTERS.sub("", value).strip()
    limit = question.max_length or TEXT_LENGTH_DEFAULT
    if len(text) > limit:
        raise InvalidValue(
            N_("Your text is %(length)s characters long; the limit is %(max)s."),
            length=len(text),
            max=limit,
        )
    return text


def shows(question: QuestionSpec, answers: Mapping[str, Value]) -> bool:
    """Tell whether `question`'s condition holds for `answers` (by question key)."""
    if question.show_if is None:
        return True
    given = answers.get(question.show_if.question)
    if isinstance(given, tuple):
        return question.show_if.value in given
    return given == question.show_if.value


def visible_questions(
    questions: Sequence[QuestionSpec], answers: Mapping[str, Value]
) -> list[QuestionSpec]:
    """Return the questions a respondent sees given their answers (by question key), in order.

    A question whose condition depends on a hidden question is hidden too.
    """
    visible: list[QuestionSpec] = []
    seen: set[str] = set()
    for question in questions:
        condition = question.show_if
        if condition is None or (condition.question in seen and shows(question, answers)):
            visible.append(question)
            seen.add(question.key)
    return visible
