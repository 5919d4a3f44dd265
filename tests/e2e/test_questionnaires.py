"""Questionnaires in Chromium: a resident answers on a phone, a facilitator builds one, and the
summaries draw their charts without breaking the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.e2e.test_pages import UNLABELLED
from voisinage.db import read_session
from voisinage.models import AnswerSet, Questionnaire
from voisinage.questionnaires import load_questionnaire

pytestmark = pytest.mark.e2e

# A small phone; the pages speak English here (the questionnaire itself is French).
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
}
# What Chromium logs for a form sent back to be corrected (422): expected, not an error of ours.
REFUSED = (
    "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"
)
DESKTOP = {"viewport": {"width": 1024, "height": 800}, "locale": "en-GB"}


def _sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()


def _demo_questionnaire(engine, demo):
    with read_session(engine) as session:
        questionnaire_id = session.exec(
            select(Questionnaire.id).where(Questionnaire.project_id == demo.project.id)
        ).one()
        return load_questionnaire(
            session, project_id=demo.project.id, questionnaire_id=questionnaire_id
        )


def test_a_resident_answers_the_questionnaire_on_a_phone_without_javascript(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    view = _demo_questionnaire(engine, demo)
    page = new_page(java_script_enabled=False, **PHONE)
    _sign_in(page, live_server.login_url(demo.resident.id, engine))
    page.get_by_role("link", name="Définition des attentes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Définition des attentes")
    screenshot(page, "1-empty")
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("Combien d'adultes compte votre foyer ?").fill("2")
    page.get_by_label("Combien d'enfants vivront avec vous ?").fill("1")
    page.locator("fieldset", has_text="plus de 65 ans").get_by_label("Non").check()
    page.get_by_label("Location sociale").check()
    # The rent applies to social rent only: folded until opened, its condition said.
    page.locator("summary", has_text="Quel loyer mensuel").click()
    page.get_by_label("Quel loyer mensuel", exact=False).fill("480")
    page.get_by_label("T3", exact=True).check()
    page.get_by_label("Quelle surface habitable souhaitez-vous ?").fill("500")
    page.locator("fieldset", has_text="besoins d'accessibilité").get_by_label("Non").check()
    spaces = page.locator("fieldset", has_text="Quels espaces partagés souhaitez-vous ?")
    spaces.get_by_label("Salle commune").check()
    spaces.get_by_label("Jardin et potagers").check()
    ranking = page.locator("fieldset", has_text="Classez les espaces partagés")
    ranking.get_by_label("Place 1", exact=True).select_option(label="Jardin et potagers")
    ranking.get_by_label("Place 2", exact=True).select_option(label="Salle commune")
    page.locator("fieldset", has_text="vie collective").get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()

    # 500 m² is out of bounds: said next to the question, nothing saved, the rest kept.
    expect(
        page.locator("p.error", has_text="Please give a number from 15 m² to 200 m².")
    ).to_be_visible()
    # The alert at the top links to each question to correct.
    page.get_by_role("link", name="Question 6: Please give a number").click()
    expect(page).to_have_url(re.compile(r"#q\d+-block$"))
    expect(page.get_by_label("Quel loyer mensuel", exact=False)).to_have_value("480")
    screenshot(page, "2-refused")
    with read_session(engine) as session:
        assert (
            session.exec(
                select(AnswerSet)
                .where(AnswerSet.questionnaire_id == view.id)
                .where(AnswerSet.household_id == demo.resident.household_id)
            ).first()
            is None
        )

    page.get_by_label("Quelle surface habitable souhaitez-vous ?").fill("68")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: your answers are sent.")).to_be_visible()
    expect(page.get_by_label("Quelle surface habitable souhaitez-vous ?")).to_have_value("68")
    screenshot(page, "3-sent")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with read_session(engine) as session:
        answer_set = session.exec(
            select(AnswerSet).where(
                AnswerSet.questionnaire_id == view.id,
                AnswerSet.household_id == demo.resident.household_id,
            )
        ).one()
        assert answer_set.submitted_at is not None
    page.goto(f"{live_server.url}/p/{demo.project.slug}/")
    expect(page.locator(".questionnaires-card .to-answer")).to_contain_text("Sent")
    assert console_errors == [
        f"{live_server.url}/p/{demo.project.slug}/questionnaires/{view.id}: {REFUSED}"
    ]


def test_a_facilitator_builds_previews_and_opens_a_questionnaire(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    page = new_page(**DESKTOP)
    _sign_in(page, live_server.login_url(demo.facilitator.id, engine))
    page.get_by_role("region", name="Facilitation").get_by_role(
        "link", name="Questionnaires"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaires")
    page.get_by_label("Title").fill("Garden day")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_text("Questionnaire created. Add its questions.")).to_be_visible()

    page.get_by_label("Kind of question").select_option(label="Single choice")
    page.get_by_role("button", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("Which Saturday suits you?")
    page.get_by_label("New options, one per line").fill("12 April\n19 April\n26 April")
    page.get_by_role("button", name="Add the question").click()

    page.get_by_label("Kind of question").select_option(label="Number")
    page.get_by_role("button", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("How many of you will come?")
    page.get_by_label("Minimum").fill("0")
    page.get_by_label("Maximum").fill("8")
    page.get_by_role("button", name="Add the question").click()

    page.get_by_label("Kind of question").select_option(label="Yes / no")
    page.get_by_role("button", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("Can you bring tools?")
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator("ol.questions > li")).to_have_count(3)
    screenshot(page, "1-built")

    page.get_by_role("button", name="Move up question 3").click()
    expect(page.locator("ol.questions > li").nth(1)).to_contain_text("Can you bring tools?")

    page.get_by_role("link", name="Preview as residents see it").click()
    expect(
        page.get_by_text("Preview: this is how residents see the questionnaire.")
    ).to_be_visible()
    expect(page.get_by_label("12 April")).to_be_disabled()
    screenshot(page, "2-preview")
    page.get_by_role("link", name="Back to the questions").click()

    page.get_by_label("Answers accepted until").fill("2099-06-30T18:00")
    page.get_by_role("button", name="Open for answers").click()
    expect(page.get_by_text("The questionnaire is open: residents can answer it.")).to_be_visible()
    screenshot(page, "3-open")
    with read_session(engine) as session:
        built = session.exec(select(Questionnaire).where(Questionnaire.title == "Garden day")).one()
        view = load_questionnaire(session, project_id=demo.project.id, questionnaire_id=built.id)
    assert view.status == "open"
    assert [q.kind for q in view.questions] == ["single_choice", "yes_no", "number"]
    assert console_errors == []


def test_summaries_draw_their_charts_within_the_content_security_policy(
    new_page, live_server, demo, engine, screenshot, console_errors
):
    view = _demo_questionnaire(engine, demo)
    page = new_page(**DESKTOP)
    _sign_in(page, live_server.login_url(demo.facilitator.id, engine))
    base = f"{live_server.url}/p/{demo.project.slug}/questionnaires"
    for name in ("manage", f"{view.id}/edit", f"{view.id}/preview", f"{view.id}/respondents",
                 f"{view.id}/questions/new?kind=ranking", f"{view.id}/questions/{view.questions[4].id}",
                 f"{view.id}/summary", f"{view.id}/brief"):  # fmt: skip
        page.goto(f"{base}/{name}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate(UNLABELLED) == []
        screenshot(page, name.replace("/", "-").replace("?", "-"))
    # The bars take their colour from the style sheet: drawn, not black boxes.
    fill = page.locator("rect.chart-bar").first.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(31, 95, 74)"
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("table.chart-data").first).to_be_visible()
    screenshot(page, "brief-print")
    assert console_errors == []
