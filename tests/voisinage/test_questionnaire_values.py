"""The rules a question and an answer follow, as pure functions: every kind, bounds, steps, ranks."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voisinage.errors import InvalidValue
from voisinage.questionnaire_specs import (
    AnswerRequired,
    Condition,
    OptionSpec,
    QuestionnaireSpec,
    QuestionSpec,
    StaleAnswer,
    clean_question,
    clean_questionnaire,
)
from voisinage.questionnaire_values import check_answer, visible_questions

SPACES = tuple(
    OptionSpec(key, label)
    for key, label in [
        ("common_room", "Salle commune"),
        ("laundry", "Buanderie"),
        ("garden", "Jardin"),
        ("workshop", "Atelier"),
        ("bike_shed", "Local vélos"),
    ]
)


def number(low=None, high=None, step=None, unit="") -> QuestionSpec:
    return QuestionSpec(
        key="n",
        kind="number",
        label="Combien ?",
        min_value=low,
        max_value=high,
        step=step,
        unit=unit,
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("65", Decimal(65)),
        (" 65,5 ", Decimal("65.5")),
        ("1 250,50", Decimal("1250.5")),
        ("1\u202f250", Decimal(1250)),
        ("1,250.5", Decimal("1250.5")),
        ("1.250,5", Decimal("1250.5")),
        ("250.000.000", Decimal(250_000_000)),
        ("65 m²", Decimal(65)),
        ("850 €", Decimal(850)),
        ("-3", Decimal(-3)),
    ],
)
def test_typed_numbers_are_read_as_people_write_them(typed, expected):
    assert check_answer(number(unit="m²"), typed) == expected


@pytest.mark.parametrize("typed", ["soixante", "65 m3", "1e6", "6,5,5.2", "NaN", "∞", "--1"])
def test_unreadable_numbers_say_what_is_expected(typed):
    with pytest.raises(InvalidValue) as refused:
        check_answer(number(unit="m²"), typed)
    assert str(refused.value) == "Please give a number, for example 65."


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        (
            number(Decimal(15), Decimal(200), unit="m²"),
            10,
            "Please give a number from 15 m² to 200 m².",
        ),
        (number(Decimal(0)), -1, "Please give a number of at least 0."),
        (number(high=Decimal(8)), 9, "Please give a number of at most 8."),
        (
            number(Decimal(150), Decimal(1500), Decimal(10)),
            "655",
            "655 is not possible here: choose 650 or 660 (steps of 10).",
        ),
        (
            number(Decimal(0), Decimal(100), Decimal(30)),
            95,
            "95 is not possible here: the nearest possible answer is 90 (steps of 30).",
        ),
        (
            number(step=Decimal("0.5")),
            "-0.2",
            "-0.2 is not possible here: choose -0.5 or 0 (steps of 0.5).",
        ),
        (number(), 10**13, "Please give a number of at most 1000000000000."),
    ],
)
def test_numbers_out_of_bounds_or_off_step_say_what_would_do(question, value, message):
    with pytest.raises(InvalidValue) as refused:
        check_answer(question, value)
    assert str(refused.value) == message


bounds = st.decimals(min_value=-1000, max_value=1000, places=1, allow_nan=False)
steps = st.one_of(
    st.none(), st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(10), Decimal("2.5")])
)


@given(
    low=st.one_of(st.none(), bounds),
    span=st.one_of(st.none(), st.decimals(min_value="0.1", max_value=500, places=1)),
    step=steps,
    value=st.decimals(min_value=-2000, max_value=2000, places=2, allow_nan=False),
)
def test_a_number_is_accepted_exactly_when_within_bounds_and_on_the_step(low, span, step, value):
    high = None if span is None else (low or Decimal(0)) + span
    question = number(low, high, step)
    exact = Fraction(value)
    base = Fraction(low) if low is not None else Fraction(0)
    expected = (
        (low is None or exact >= low)
        and (high is None or exact <= high)
        and (step is None or ((exact - base) / Fraction(step)).denominator == 1)
    )
    try:
        accepted, refusal = check_answer(question, str(value)), None
    except InvalidValue as refused:
        accepted, refusal = None, refused
    assert (accepted == value) if expected else (refusal is not None)
    # A refusal's suggestions are themselves accepted answers.
    for key in ("lower", "upper", "nearest"):
        if refusal is not None and key in refusal.params:
            assert check_answer(question, refusal.params[key]) is not None


def scale() -> QuestionSpec:
    return QuestionSpec(
        key="s",
        kind="scale",
        label="Implication",
        min_value=Decimal(1),
        max_value=Decimal(5),
        min_label="Peu",
        max_label="Beaucoup",
    )


def test_scale_takes_whole_points_between_its_ends():
    assert check_answer(scale(), "4") == 4
    assert check_answer(scale(), 1) == 1
    for value, message in [
        (6, "Please give a number from 1 to 5."),
        ("3,5", "3.5 is not possible here: choose 3 or 4 (steps of 1)."),
    ]:
        with pytest.raises(InvalidValue) as refused:
            check_answer(scale(), value)
        assert str(refused.value) == message


def choice(kind: str, **settings) -> QuestionSpec:
    return QuestionSpec(key="c", kind=kind, label="Espaces", options=SPACES, **settings)


def test_single_choice_and_yes_no_take_one_known_key():
    assert check_answer(choice("single_choice"), "garden") == "garden"
    assert check_answer(QuestionSpec(key="y", kind="yes_no", label="?"), "no") == "no"
    with pytest.raises(StaleAnswer):
        check_answer(choice("single_choice"), "pool")
    with pytest.raises(StaleAnswer):
        check_answer(QuestionSpec(key="y", kind="yes_no", label="?"), "maybe")
    with pytest.raises(InvalidValue):
        check_answer(choice("single_choice"), ["garden"])


def test_multiple_choice_keeps_the_options_order_and_its_limits():
    question = choice("multiple_choice", min_choices=2, max_choices=3)
    assert check_answer(question, ["garden", "common_room", "garden"]) == ("common_room", "garden")
    with pytest.raises(InvalidValue) as refused:
        check_answer(question, ["garden", "laundry", "workshop", "bike_shed"])
    assert str(refused.value) == "Too many options chosen: the limit is 3."
    with pytest.raises(InvalidValue) as refused:
        check_answer(question, ["garden"])
    assert str(refused.value) == "Too few options chosen: choose at least 2."
    with pytest.raises(StaleAnswer):
        check_answer(question, ["garden", "pool"])


@given(
    ranking=st.lists(st.sampled_from([o.key for o in SPACES] + ["pool"]), max_size=7),
    low=st.integers(1, 5),
    extra=st.integers(0, 4),
)
def test_a_ranking_is_accepted_exactly_without_duplicates_unknowns_or_wrong_length(
    ranking, low, extra
):
    high = min(low + extra, len(SPACES))
    question = choice("ranking", min_choices=low, max_choices=high)
    known = {o.key for o in SPACES}
    valid = (
        bool(ranking)
        and set(ranking) <= known
        and len(set(ranking)) == len(ranking)
        and low <= len(ranking) <= high
    )
    try:
        accepted = check_answer(question, ranking)
    except (InvalidValue, StaleAnswer, AnswerRequired):
        assert not valid
    else:
        assert valid
        assert accepted == tuple(ranking)


def test_ranking_refusals_explain_themselves():
    question = choice("ranking", max_choices=2)
    for value, message in [
        (["garden", "garden"], "Each option can be ranked only once."),
        (["garden", "laundry", "workshop"], "Too many options ranked: the limit is 2."),
    ]:
        with pytest.raises(InvalidValue) as refused:
            check_answer(question, value)
        assert str(refused.value) == message


def test_text_is_trimmed_and_limited():
    question = QuestionSpec(key="t", kind="text", label="Remarques", max_length=10)
    assert check_answer(question, "  Un potager\x00 ") == "Un potager"
    with pytest.raises(InvalidValue) as refused:
        check_answer(question, "x" * 11)
    assert str(refused.value) == "Your text is 11 characters long; the limit is 10."


@pytest.mark.parametrize("empty", [None, "", "   ", [], ()])
def test_an_empty_answer_is_no_answer(empty):
    with pytest.raises(AnswerRequired):
        check_answer(choice("multiple_choice"), empty)


def test_conditions_chain_and_follow_multiple_choices():
    questions = clean_questionnaire(
        QuestionnaireSpec(
            title="T",
            questions=(
                QuestionSpec(
                    key="tenure",
                    kind="single_choice",
                    label="Statut",
                    options=(OptionSpec("own", "Accession"), OptionSpec("rent", "Location")),
                ),
                QuestionSpec(
                    key="rent",
                    kind="number",
                    label="Loyer",
                    show_if=Condition("tenure", "rent"),
                ),
                QuestionSpec(key="spaces", kind="multiple_choice", label="Espaces", options=SPACES),
                QuestionSpec(
                    key="plots",
                    kind="yes_no",
                    label="Une parcelle ?",
                    show_if=Condition("spaces", "garden"),
                ),
                QuestionSpec(
                    key="plot_size",
                    kind="number",
                    label="Taille",
                    show_if=Condition("plots", "yes"),
                ),
            ),
        )
    ).questions

    def shown(**answers):
        return [q.key for q in visible_questions(questions, answers)]

    assert shown() == ["tenure", "spaces"]
    assert shown(tenure="rent", spaces=("garden",)) == ["tenure", "rent", "spaces", "plots"]
    assert shown(spaces=("laundry",), plots="yes") == ["tenure", "spaces"]
    assert shown(spaces=("garden", "laundry"), plots="yes") == [
        "tenure",
        "spaces",
        "plots",
        "plot_size",
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (QuestionSpec(kind="poll", label="Q"), "kind: unknown kind poll; expected one of"),
        (QuestionSpec(kind="text", label="  "), "label: this field is required."),
        (QuestionSpec(kind="text", label="Q", key="Bad Key"), "key: use lowercase letters"),
        (
            QuestionSpec(kind="single_choice", label="Q", options=SPACES[:1]),
            "options: a choice question needs at least two options.",
        ),
        (
            QuestionSpec(
                kind="single_choice",
                label="Q",
                options=(SPACES[0], OptionSpec("common_room", "Bis")),
            ),
            "options[1].key: the key common_room is used twice.",
        ),
        (
            QuestionSpec(kind="number", label="Q", options=SPACES),
            "options: this setting does not apply to a question of kind number.",
        ),
        (
            QuestionSpec(kind="number", label="Q", min_value=Decimal(5), max_value=Decimal(5)),
            "max: the maximum must be greater than the minimum.",
        ),
        (
            QuestionSpec(kind="number", label="Q", step=Decimal(0)),
            "step: the step must be greater than zero.",
        ),
        (
            QuestionSpec(kind="scale", label="Q", min_value=Decimal(1), max_value=Decimal(20)),
            "max: a scale runs between two whole numbers at most 10 apart.",
        ),
        (
            QuestionSpec(kind="scale", label="Q", min_value=Decimal("0.5"), max_value=Decimal(5)),
            "min: expected a whole number.",
        ),
        (
            QuestionSpec(kind="ranking", label="Q", options=SPACES, max_choices=6),
            "max_choices: must be a whole number from 1 to 5.",
        ),
        (
            QuestionSpec(kind="text", label="Q", max_length=0),
            "max_length: must be a whole number from 1 to 10000.",
        ),
        (
            QuestionSpec(kind="text", label="Q", show_if=Condition("later", "x")),
            "show_if.question: the question later must come before this one.",
        ),
    ],
)
def test_a_faulty_question_is_refused_naming_the_field(spec, message):
    with pytest.raises(InvalidValue) as refused:
        clean_question(spec, earlier=[], field="")
    assert str(refused.value).startswith(message)


def test_a_condition_needs_a_choice_question_and_one_of_its_options():
    earlier = [
        QuestionSpec(key="surface", kind="number", label="Surface"),
        QuestionSpec(key="tenure", kind="single_choice", label="Statut", options=SPACES),
    ]
    with pytest.raises(InvalidValue) as refused:
        clean_question(
            QuestionSpec(kind="text", label="Q", show_if=Condition("surface", "60")),
            earlier=earlier,
        )
    assert "can only depend on a single choice" in str(refused.value)
    with pytest.raises(InvalidValue) as refused:
        clean_question(
            QuestionSpec(kind="text", label="Q", show_if=Condition("tenure", "pool")),
            earlier=earlier,
        )
    assert str(refused.value) == "show_if.value: pool is not an option of the question tenure."


def test_missing_keys_are_made_from_labels_and_kept_unique():
    spec = clean_questionnaire(
        QuestionnaireSpec(
            title="T",
            questions=(
                QuestionSpec(kind="text", label="Surface souhaitée ?"),
                QuestionSpec(kind="text", label="Surface souhaitée !"),
                QuestionSpec(
                    kind="single_choice",
                    label="Statut",
                    options=(OptionSpec("", "Accession sociale"), OptionSpec("", "Location")),
                ),
            ),
        )
    )
    assert [q.key for q in spec.questions] == ["surface_souhaitee", "surface_souhaitee_2", "statut"]
    assert [o.key for o in spec.questions[2].options] == ["accession_sociale", "location"]
