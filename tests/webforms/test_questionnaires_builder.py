"""Facilitators build questionnaires on the web: questions of every kind, order, locks, runs."""

from __future__ import annotations

import io
from dataclasses import replace

import yaml
from sqlmodel import func, select

from tests.webforms.test_questionnaires import COMPLETE, SPEC, _base, _create, _form
from voisinage.db import read_session
from voisinage.models import Question, Questionnaire
from voisinage.questionnaire_specs import Condition
from voisinage.questionnaire_templates import parse_template, shipped_template
from voisinage.questionnaires import load_questionnaire


def _load(engine, world, questionnaire_id):
    with read_session(engine) as session:
        return load_questionnaire(
            session, project_id=world.project.id, questionnaire_id=questionnaire_id
        )


def _count(engine, model) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _new(web, world, title="Shared spaces", **extra) -> int:
    response = web.post(
        f"{_base(world)}/manage",
        {"title": title, "introduction": "", "respondent_unit": "household", **extra},
    )
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].split("/")[-2])


def _add(web, world, questionnaire_id, kind, **fields):
    return web.post(f"{_base(world)}/{questionnaire_id}/questions/new", {"kind": kind, **fields})


def test_a_facilitator_creates_a_questionnaire_and_adds_a_question_of_each_kind(web, world, engine):
    web.sign_in(world.facilitator)
    questionnaire_id = _new(web, world)
    base = f"{_base(world)}/{questionnaire_id}"
    chooser = web.get(f"{base}/edit")
    assert "No question yet." in chooser.text
    for kind in (
        "single_choice",
        "multiple_choice",
        "yes_no",
        "scale",
        "number",
        "text",
        "ranking",
    ):
        form = web.get(f"{base}/questions/new?kind={kind}")
        assert form.status_code == 200
    additions = [
        ("single_choice", {"label": "Which tenure?", "new_options": "Buying\nSocial rent\n\n"}),
        ("multiple_choice", {"label": "Spaces?", "new_options": "Garden\nLaundry\nWorkshop", "max_choices": "2"}),
        ("yes_no", {"label": "Step-free access?"}),
        ("scale", {"label": "Involvement?", "min_value": "1", "max_value": "5", "min_label": "Little", "max_label": "A lot"}),
        ("number", {"label": "Monthly rent?", "min_value": "150", "max_value": "1 500", "step": "10", "unit": "€", "show_if": "which_tenure=social_rent"}),
        ("text", {"label": "Remarks?", "optional": "y", "max_length": "500"}),
        ("ranking", {"label": "Rank the spaces", "new_options": "Garden\nLaundry"}),
    ]  # fmt: skip
    for kind, fields in additions:
        response = _add(web, world, questionnaire_id, kind, **fields)
        assert response.status_code == 302, response.text
    view = _load(engine, world, questionnaire_id)
    assert [q.kind for q in view.questions] == [kind for kind, _ in additions]
    tenure, spaces, _access, scale, rent, remarks, ranking = view.questions
    assert [(o.key, o.label) for o in tenure.options] == [
        ("buying", "Buying"),
        ("social_rent", "Social rent"),
    ]
    assert spaces.max_choices == 2
    assert (scale.min_value, scale.max_value, scale.max_label) == (1, 5, "A lot")
    assert (rent.min_value, rent.max_value, rent.step, rent.unit) == (150, 1500, 10, "€")
    assert rent.show_if == Condition("which_tenure", "social_rent")
    assert (remarks.optional, remarks.max_length) == (True, 500)
    assert [o.label for o in ranking.options] == ["Garden", "Laundry"]
    page = web.get(f"{base}/edit")
    assert "only if which_tenure is “Social rent”" in page.text


def test_settings_that_do_not_make_sense_are_explained_next_to_their_field(web, world, engine):
    web.sign_in(world.facilitator)
    questionnaire_id = _new(web, world)
    cases = [
        ("number", {"label": "Rent", "min_value": "500", "max_value": "100"}, "Maximum: the maximum must be greater than the minimum."),
        ("number", {"label": "Rent", "min_value": "lots"}, "Please give a number, for example 65."),
        ("scale", {"label": "Mood", "min_value": "1", "max_value": "50"}, "Maximum: a scale runs between two whole numbers at most 10 apart."),
        ("single_choice", {"label": "Tenure", "new_options": "Only one"}, "New options, one per line: a choice question needs at least two options."),
        ("text", {"label": ""}, "Please fill in this field."),
    ]  # fmt: skip
    for kind, fields, message in cases:
        response = _add(web, world, questionnaire_id, kind, **fields)
        assert response.status_code == 422, (fields, response.status_code)
        assert message in response.text, (message, response.text)
    assert _count(engine, Question) == 0
    # An unknown kind is no page at all.
    assert web.get(f"{_base(world)}/{questionnaire_id}/questions/new?kind=essay").status_code == 404


def test_questions_move_up_and_down_and_are_removed(web, world, engine):
    view = _create(engine, world, open_it=False)
    web.sign_in(world.facilitator)
    base = f"{_base(world)}/{view.id}/questions"
    surface = view.questions[2]
    assert web.post(f"{base}/{surface.id}/move", {"direction": "up"}).status_code == 302
    keys = [q.key for q in _load(engine, world, view.id).questions]
    assert keys[:3] == ["tenure", "surface", "rent"]
    assert web.post(f"{base}/{surface.id}/move", {"direction": "down"}).status_code == 302
    assert [q.key for q in _load(engine, world, view.id).questions][:3] == [
        "tenure",
        "rent",
        "surface",
    ]
    # The rent depends on the tenure: it cannot go above it, and the tenure cannot go.
    refused = web.post(f"{base}/{view.questions[1].id}/move", {"direction": "up"})
    assert refused.status_code == 422
    assert "the question tenure must come before this one." in refused.text
    refused = web.post(f"{base}/{view.questions[0].id}/remove")
    assert refused.status_code == 409
    assert "The question rent depends on this one" in refused.text
    assert web.post(f"{base}/{surface.id}/remove").status_code == 302
    assert "surface" not in [q.key for q in _load(engine, world, view.id).questions]
    assert web.post(f"{base}/{surface.id}/move", {"direction": "up"}).status_code == 404


def test_a_question_is_edited_freely_before_anyone_answers(web, world, engine):
    view = _create(engine, world, open_it=False)
    web.sign_in(world.facilitator)
    spaces = view.questions[3]
    url = f"{_base(world)}/{view.id}/questions/{spaces.id}"
    page = web.get(url)
    assert 'value="Common room"' in page.text
    assert "Remove option 1" in page.text
    assert "Remove option 4" not in page.text
    response = web.post(
        url,
        {
            "label": "Which shared spaces do you want?",
            "options-0-key": "common_room",
            "options-0-text": "Common room",
            "options-1-key": "laundry",
            "options-1-text": "Laundry",
            "options-1-remove": "y",
            "options-2-key": "garden",
            "options-2-text": "Garden and plots",
            "new_options": "Bike shed",
            "max_choices": "3",
        },
    )
    assert response.status_code == 302, response.text
    question = _load(engine, world, view.id).question(spaces.id)
    assert question.label == "Which shared spaces do you want?"
    assert [(o.key, o.label) for o in question.options] == [
        ("common_room", "Common room"),
        ("garden", "Garden and plots"),
        ("bike_shed", "Bike shed"),
    ]
    assert question.max_choices == 3


def test_once_answered_a_question_keeps_its_kind_and_options_and_the_page_says_why(
    web, world, engine
):
    view = _create(engine, world)
    web.sign_in(world.resident)
    web.post(f"{_base(world)}/{view.id}", {**_form(view, **COMPLETE), "action": "submit"})
    web.sign_in(world.facilitator)
    spaces = view.questions[3]
    url = f"{_base(world)}/{view.id}/questions/{spaces.id}"
    page = web.get(url)
    assert (
        "People have already answered this question: its kind, options and limits can no longer change"
        in page.text
    )
    assert "New options, one per line" not in page.text
    assert "Remove option" not in page.text
    edit_page = web.get(f"{_base(world)}/{view.id}/edit")
    assert "answered: structure locked" in edit_page.text
    assert f"/questions/{spaces.id}/remove" not in edit_page.text
    # A hand-made post cannot slip a structural change through: only the wording is taken.
    response = web.post(
        url,
        {
            "label": "Which shared spaces, in a few words?",
            "options-0-key": "common_room",
            "options-0-text": "Common hall",
            "options-1-key": "laundry",
            "options-1-text": "Laundry",
            "options-1-remove": "y",
            "options-2-key": "garden",
            "options-2-text": "Garden",
            "new_options": "Sauna",
            "max_choices": "1",
            "kind": "ranking",
        },
    )
    assert response.status_code == 302
    question = _load(engine, world, view.id).question(spaces.id)
    assert question.label == "Which shared spaces, in a few words?"
    assert (question.kind, question.max_choices) == ("multiple_choice", 2)
    assert [(o.key, o.label) for o in question.options] == [
        ("common_room", "Common hall"),
        ("laundry", "Laundry"),
        ("garden", "Garden"),
    ]
    # Removing an answered question is refused with the reason.
    refused = web.post(f"{_base(world)}/{view.id}/questions/{spaces.id}/remove")
    assert refused.status_code == 409
    assert "People have already answered this question, so it cannot be removed" in refused.text


def test_the_preview_shows_the_questionnaire_as_residents_see_it_without_sending(
    web, world, engine
):
    view = _create(engine, world, open_it=False)
    web.sign_in(world.facilitator)
    page = web.get(f"{_base(world)}/{view.id}/preview")
    assert page.status_code == 200
    assert "Preview: this is how residents see the questionnaire." in page.text
    for question in view.questions:
        assert question.label in page.text
    assert "Send my answers" not in page.text
    assert " disabled" in page.text


def test_open_close_duplicate_next_round_and_delete(web, world, engine):
    view = _create(engine, world, open_it=False)
    web.sign_in(world.facilitator)
    base = f"{_base(world)}/{view.id}"
    refused = web.post(f"{base}/open", {"closes_at": "2001-01-01T10:00"})
    assert refused.status_code == 422
    assert "The closing date must be in the future." in refused.text
    assert _load(engine, world, view.id).status == "draft"
    assert web.post(f"{base}/open", {"closes_at": "2099-06-30T18:00"}).status_code == 302
    opened = _load(engine, world, view.id)
    assert opened.status == "open"
    # Typed in the project's time zone: Paris, two hours ahead of UTC in summer.
    assert opened.closes_at.isoformat() == "2099-06-30T16:00:00+00:00"
    web.sign_in(world.resident)
    web.post(f"{base}", {**_form(view, **COMPLETE), "action": "submit"})
    web.sign_in(world.facilitator)
    assert web.post(f"{base}/close").status_code == 302
    assert _load(engine, world, view.id).status == "closed"
    page = web.get(f"{base}/edit")
    assert "This questionnaire is closed: duplicate it to make changes." in page.text

    copied = web.post(f"{base}/duplicate")
    copy_id = int(copied.headers["Location"].split("/")[-2])
    copy = _load(engine, world, copy_id)
    assert (copy.title, copy.status) == ("Defining expectations (copy)", "draft")

    second = web.post(f"{base}/next-round")
    assert second.status_code == 302
    round_id = int(second.headers["Location"].split("/")[-2])
    assert _load(engine, world, round_id).round_number == 2
    again = web.post(f"{base}/next-round")
    assert again.status_code == 409
    assert "This questionnaire already has a next round." in again.text
    # The resident finds their answers filled in, to confirm.
    web.post(f"{_base(world)}/{round_id}/open", {"closes_at": ""})
    web.sign_in(world.resident)
    round_page = web.get(f"{_base(world)}/{round_id}")
    assert 'value="82"' in round_page.text

    web.sign_in(world.facilitator)
    assert web.post(f"{_base(world)}/{copy_id}/delete").status_code == 302
    with read_session(engine) as session:
        assert session.get(Questionnaire, copy_id) is None
    refused = web.post(f"{base}/delete")
    assert refused.status_code == 409
    assert "Only a questionnaire that was never opened can be deleted." in refused.text


def test_settings_change_and_lock_once_answers_exist(web, world, engine):
    view = _create(engine, world)
    web.sign_in(world.facilitator)
    url = f"{_base(world)}/{view.id}/settings"
    response = web.post(
        url, {"title": "Expectations", "introduction": "Hi", "respondent_unit": "person"}
    )
    assert response.status_code == 302
    assert _load(engine, world, view.id).respondent_unit == "person"
    assert web.post(url, {"title": "", "respondent_unit": "person"}).status_code == 422
    web.sign_in(world.resident)
    web.post(f"{_base(world)}/{view.id}", {**_form(view, tenure="buying"), "action": "save"})
    web.post(f"{_base(world)}/{view.id}", {**_form(view, tenure="ownership"), "action": "save"})
    web.sign_in(world.facilitator)
    page = web.get(f"{_base(world)}/{view.id}/edit")
    assert "who answers and whether the answers are anonymous can no longer change" in page.text
    refused = web.post(
        url, {"title": "Expectations", "respondent_unit": "person", "anonymous": "y"}
    )
    assert refused.status_code == 409
    assert _load(engine, world, view.id).anonymous is False


def test_import_a_yaml_file_and_export_it_back(web, world, engine):
    web.sign_in(world.facilitator)
    text = shipped_template("en")
    response = web.post(
        f"{_base(world)}/import",
        {"template": (io.BytesIO(text.encode()), "expectations.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    questionnaire_id = int(response.headers["Location"].split("/")[-2])
    view = _load(engine, world, questionnaire_id)
    assert view.status == "draft"
    assert view.to_spec().questions == parse_template(text).questions
    exported = web.get(f"{_base(world)}/{questionnaire_id}/export.yaml")
    assert exported.mimetype == "application/yaml"
    assert "attachment" in exported.headers["Content-Disposition"]
    assert parse_template(exported.text) == parse_template(text)
    assert yaml.safe_load(exported.text)["title"] == "Defining expectations"


def test_a_bad_yaml_file_is_explained_and_nothing_is_created(web, world, engine):
    web.sign_in(world.facilitator)
    for content, message in [
        (b"title: [unclosed", "This file is not valid YAML (line 1)"),
        (b"format: voisinage.questionnaire\nversion: 1\ntitle: X\nquestions: []\n", "questions: a questionnaire needs at least one question."),
        ("é".encode("latin-1"), "This file is not UTF-8 text"),
    ]:  # fmt: skip
        response = web.post(
            f"{_base(world)}/import",
            {"template": (io.BytesIO(content), "bad.yaml")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        assert message in response.text
    missing = web.post(f"{_base(world)}/import", {}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Choose a file." in missing.text
    assert _count(engine, Questionnaire) == 0


def test_the_shipped_template_starts_a_draft_in_the_projects_language(web, world, engine):
    web.sign_in(world.facilitator)
    response = web.post(f"{_base(world)}/import-shipped")
    assert response.status_code == 302
    questionnaire_id = int(response.headers["Location"].split("/")[-2])
    view = _load(engine, world, questionnaire_id)
    assert view.title == "Defining expectations"
    assert "shared_spaces_priority" in [q.key for q in view.questions]
    listing = web.get(f"{_base(world)}/manage")
    assert "Defining expectations" in listing.text
    assert "Draft" in listing.text


def test_the_respondents_list_says_who_answered_never_what(web, world, engine):
    anonymous = _create(engine, world, replace(SPEC, anonymous=True))
    web.sign_in(world.resident)
    web.post(f"{_base(world)}/{anonymous.id}", {**_form(anonymous, **COMPLETE), "action": "submit"})
    web.sign_in(world.facilitator)
    page = web.get(f"{_base(world)}/{anonymous.id}/respondents")
    assert page.status_code == 200
    assert "Foyer Benali" in page.text
    assert "Sent" in page.text
    assert "this list says who answered, never what they answered" in page.text
    for answer in ("Social rent", "650", "A shared kitchen"):
        assert answer not in page.text


def test_creating_with_a_missing_title_writes_nothing(web, world, engine):
    web.sign_in(world.facilitator)
    response = web.post(f"{_base(world)}/manage", {"title": " ", "respondent_unit": "household"})
    assert response.status_code == 422
    assert "Title: this field is required." in response.text
    assert _count(engine, Questionnaire) == 0


def test_a_template_file_may_be_larger_than_a_short_form_but_not_unbounded(web, world, engine):
    web.sign_in(world.facilitator)
    # 100 KB of comments: well past the 16 KiB of ordinary forms, within the template limit.
    padded = "# " + "x" * 100_000 + "\n" + shipped_template("en")
    response = web.post(
        f"{_base(world)}/import",
        {"template": (io.BytesIO(padded.encode()), "padded.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    huge = "# " + "x" * 1_100_000 + "\n"
    refused = web.post(
        f"{_base(world)}/import",
        {"template": (io.BytesIO(huge.encode()), "huge.yaml")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    assert _count(engine, Questionnaire) == 1
