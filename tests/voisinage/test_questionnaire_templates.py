"""YAML templates: the shipped ones, round trips, strict errors, and `voisinage import`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.test_cli import run, run_json
from voisinage.db import unit_of_work
from voisinage.errors import InvalidValue
from voisinage.questionnaire_specs import QuestionKind
from voisinage.questionnaire_templates import (
    TEMPLATE_BYTES_MAX,
    decode_template,
    dump_template,
    export_questionnaire,
    import_questionnaire,
    parse_template,
    shipped_template,
)

BRIEF_KEYS = {
    "adults",
    "children",
    "tenure",
    "housing_type",
    "surface",
    "monthly_budget",
    "purchase_budget",
    "accessibility",
    "shared_spaces",
    "shared_spaces_priority",
    "remarks",
}


def _shape(spec):
    return [
        (q.key, q.kind, q.optional, [o.key for o in q.options], q.min_value, q.max_value, q.show_if)
        for q in spec.questions
    ]


def test_the_shipped_templates_say_the_same_thing_in_french_and_english():
    french = parse_template(shipped_template("fr"))
    english = parse_template(shipped_template("en"))
    assert (french.title, english.title) == ("Définition des attentes", "Defining expectations")
    assert _shape(french) == _shape(english)
    assert {q.key for q in french.questions} >= BRIEF_KEYS
    assert {q.kind for q in french.questions} == set(QuestionKind)
    spaces = {q.key: [o.key for o in q.options] for q in french.questions}
    assert spaces["shared_spaces"] == spaces["shared_spaces_priority"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_import_then_export_gives_the_template_back(engine, world, language):
    text = shipped_template(language)
    with unit_of_work(engine) as session:
        view = import_questionnaire(
            session, project_id=world.project.id, text=text, actor_id=world.facilitator.id
        )
        exported = export_questionnaire(
            session, project_id=world.project.id, questionnaire_id=view.id
        )
    assert yaml.safe_load(exported) == yaml.safe_load(text)
    assert parse_template(dump_template(parse_template(exported))) == parse_template(text)


def test_the_documented_example_is_a_valid_template():
    guide = (Path(__file__).parents[2] / "docs" / "questionnaires.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = parse_template(example)
    assert [(q.key, q.kind) for q in spec.questions] == [
        ("tenure", "single_choice"),
        ("monthly_budget", "number"),
        ("involvement", "scale"),
        ("shared_spaces_priority", "ranking"),
        ("remarks", "text"),
    ]


def test_defaults_are_left_out_and_numbers_keep_their_type():
    text = """
format: voisinage.questionnaire
version: 1
title: Surfaces
anonymous: true
questions:
  - key: surface
    kind: number
    label: Surface
    optional: true
    min: 15
    step: 0.5
"""
    data = yaml.safe_load(dump_template(parse_template(text)))
    assert data == {**yaml.safe_load(text)}


def _template(**question) -> str:
    body = {"key": "q", "kind": "number", "label": "Combien ?", **question}
    return yaml.safe_dump(
        {"format": "voisinage.questionnaire", "version": 1, "title": "T", "questions": [body]}
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: [unclosed", "This file is not valid YAML (line 1):"),
        ("- just\n- a list", "This file does not describe a questionnaire"),
        ("", "This file does not describe a questionnaire"),
        ("format: voisinage.survey\nversion: 1", "format: expected voisinage.questionnaire."),
        (
            "format: voisinage.questionnaire\nversion: 2",
            "version: unsupported version 2; this version of Voisinage reads version 1.",
        ),
        (
            "format: voisinage.questionnaire\nversion: 1\ntitle: T\nowner: me\nquestions: []",
            "owner: unknown field; expected one of format, version, title",
        ),
        (
            "format: voisinage.questionnaire\nversion: 1\ntitle: T",
            "questions: this field is required.",
        ),
        (
            "format: voisinage.questionnaire\nversion: 1\ntitle: T\nquestions: []",
            "questions: a questionnaire needs at least one question.",
        ),
        (
            "format: voisinage.questionnaire\nversion: 1\nquestions: [{kind: text, label: Q}]",
            "title: this field is required.",
        ),
        (
            "format: voisinage.questionnaire\nversion: 1\ntitle: T\nrespondent_unit: flat\n"
            "questions: [{kind: text, label: Q}]",
            "respondent_unit: expected household, person.",
        ),
        (_template(colour="red"), "questions[0].colour: unknown field; expected one of key, kind"),
        (_template(kind="essay"), "questions[0].kind: unknown kind essay; expected one of"),
        (_template(label=None), "questions[0].label: this field is required."),
        (_template(min="15"), "questions[0].min: expected a number."),
        (
            _template(min=5, max=1),
            "questions[0].max: the maximum must be greater than the minimum.",
        ),
        (_template(optional="oui"), "questions[0].optional: expected true or false."),
        (_template(max_length=2.5), "questions[0].max_length: expected a whole number."),
        (
            _template(options=[{"key": "a", "label": "A"}]),
            "questions[0].options: this setting does not apply to a question of kind number.",
        ),
        (
            _template(kind="single_choice", options="a, b"),
            "questions[0].options: expected a list.",
        ),
        (
            _template(kind="single_choice", options=[{"key": "a", "label": "A"}, {"key": "a"}]),
            "questions[0].options[1].label: this field is required.",
        ),
        (
            _template(kind="single_choice", options=[{"key": "A b", "label": "A"}, {"label": "B"}]),
            "questions[0].options[0].key: use lowercase letters",
        ),
        (
            _template(show_if={"question": "tenure", "value": "social_rent"}),
            "questions[0].show_if.question: the question tenure must come before this one.",
        ),
        (_template(show_if="tenure"), "questions[0].show_if: expected a mapping of fields"),
    ],
)
def test_a_faulty_template_is_refused_naming_the_field(text, message):
    with pytest.raises(InvalidValue) as refused:
        parse_template(text)
    assert str(refused.value).startswith(message), str(refused.value)


def test_a_bare_yes_in_a_condition_means_the_yes_option():
    text = shipped_template("en").replace('value: "yes"', "value: yes")
    spec = parse_template(text)
    details = next(q for q in spec.questions if q.key == "accessibility_details")
    assert details.show_if.value == "yes"


def test_files_too_large_or_not_utf8_are_refused():
    with pytest.raises(InvalidValue) as refused:
        decode_template("é".encode("latin-1"))
    assert str(refused.value) == "This file is not UTF-8 text: save it as UTF-8 and try again."
    with pytest.raises(InvalidValue):
        decode_template(b" " * (TEMPLATE_BYTES_MAX + 1))
    assert decode_template("\ufefftitle: é".encode()) == "title: é"


def test_voisinage_import_loads_a_template_as_a_draft(environ, tmp_path):
    run(environ, "project", "create", "Les Voisins du Quai")
    template = tmp_path / "attentes.yaml"
    template.write_text(shipped_template("fr"), encoding="utf-8")
    result = run_json(environ, "import", "les-voisins-du-quai", str(template))
    assert result == {
        "id": result["id"],
        "project": "les-voisins-du-quai",
        "title": "Définition des attentes",
        "questions": 15,
        "status": "draft",
    }
    out, _ = run(environ, "import", "les-voisins-du-quai", str(template))
    assert out == (
        "Questionnaire Définition des attentes imported into les-voisins-du-quai as a draft: "
        f"15 questions (id {result['id'] + 1}).\n"
    )
    exported = json.loads(run(environ, "export", "les-voisins-du-quai")[0])
    assert [q["title"] for q in exported["questionnaires"]] == ["Définition des attentes"] * 2


def test_voisinage_import_says_what_is_wrong(environ, tmp_path):
    run(environ, "project", "create", "Les Voisins du Quai")
    broken = tmp_path / "broken.yaml"
    broken.write_text(_template(min=5, max=1), encoding="utf-8")
    _, err = run(environ, "import", "les-voisins-du-quai", str(broken), expect=2)
    assert err == "voisinage: questions[0].max: the maximum must be greater than the minimum.\n"
    _, err = run(environ, "import", "nowhere", str(broken), expect=2)
    assert err == "voisinage: There is no project with the short name nowhere.\n"
    _, err = run(environ, "import", "les-voisins-du-quai", str(tmp_path / "missing.yaml"), expect=2)
    assert "does not exist" in err
    exported = json.loads(run(environ, "export", "les-voisins-du-quai")[0])
    assert exported["questionnaires"] == []
