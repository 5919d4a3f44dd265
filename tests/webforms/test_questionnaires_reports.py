"""The facilitators' reading of the answers: summary, pré-programme, rounds, CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest
from sqlmodel import select

from tests.webforms.test_questionnaires import COMPLETE, SPEC, _base, _create, _form
from voisinage.db import read_session, unit_of_work
from voisinage.demo import seed_demo
from voisinage.models import Questionnaire
from voisinage.questionnaires import close_questionnaire

ENGLISH = {"Accept-Language": "en"}


def _text(html: str) -> str:
    """Return a page's text without tags, its spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def _section(html: str, heading: str) -> str:
    """Return the text of the section whose heading contains `heading`."""
    text = _text(html)
    start = text.index(heading)
    return text[start : start + 1500]


@pytest.fixture
def demo(engine):
    with unit_of_work(engine) as session:
        demo = seed_demo(session)
        questionnaire_id = session.exec(
            select(Questionnaire.id).where(Questionnaire.project_id == demo.project.id)
        ).one()
    return demo, questionnaire_id


def test_the_summary_of_the_demo_matches_the_figures_worked_out_by_hand(web, demo):
    demo, questionnaire_id = demo
    web.sign_in(demo.facilitator)
    page = web.get(
        f"/p/{demo.project.slug}/questionnaires/{questionnaire_id}/summary", headers=ENGLISH
    )
    assert page.status_code == 200
    text = _text(page.text)
    # Twelve households may answer; ten sent (Kaya has a draft, Lefebvre has not started).
    assert "Response rate: 83%" in text
    assert "10 sent out of 12 who may answer; 1 started but not sent" in text
    # Tenure: social rent = Benali, Dubois, Diallo, Garcia (4 of 10, 40%); ownership =
    # Nguyen, Moreau, Petit, Lambert, Vermeulen (5, 50%); undecided = Marchand (1, 10%).
    tenure = _section(page.text, "Quel statut souhaitez-vous ?")
    for figure in ("5 (50%)", "4 (40%)", "1 (10%)"):
        assert figure in tenure
    # Surfaces: 82+48+70+88+62+68+75+32+105+72 = 702 m²; mean 70.2; sorted, the middle two
    # are 70 and 72: median 71; from 32 to 105.
    surface = _section(page.text, "Quelle surface habitable")
    assert "Mean 70.2 m² Median 71 m² Minimum 32 m² Maximum 105 m² Total 702 m²" in surface
    # Involvement (scale 1–5): 4,3,4,3,5,2,5,3,4,2 → mean 35/10 = 3.5, median (3+4)/2 = 3.5;
    # one bar a point: 1 → 0, 2 → 2, 3 → 3, 4 → 3, 5 → 2.
    involvement = _section(page.text, "temps pensez-vous consacrer")
    assert "Mean 3.5 Median 3.5 Minimum 2 Maximum 5" in involvement
    assert "Values Answers 1 0 2 2 3 3 4 3 5 2" in involvement
    # Borda with 8 options (7 points for a first place, 6 for a second, …): the common room
    # gets 5+7+5+6+6+5+6+5+5+7 = 57 (first for Dubois and Marchand), the garden
    # 7+6+5+6+5+7+6 = 42, the guest room 5+4+7+7+3 = 26, the laundry 4+4+7+7 = 22.
    ranking = _section(page.text, "Classez les espaces partagés")
    assert (
        "1 Salle commune 57 2 10 2 Jardin et potagers 42 2 7 3 Chambre d'amis 26 2 5 4 Buanderie 22 2 4"
        in ranking
    )
    # Free texts, with who wrote them (this questionnaire is named).
    assert "Un potager collectif, avec un composteur. — Foyer Vermeulen" in text


def test_the_pre_programme_of_the_demo_matches_the_figures_worked_out_by_hand(web, demo):
    demo, questionnaire_id = demo
    web.sign_in(demo.facilitator)
    page = web.get(
        f"/p/{demo.project.slug}/questionnaires/{questionnaire_id}/brief", headers=ENGLISH
    )
    assert page.status_code == 200
    text = _text(page.text)
    # Adults 2+1+2+2+1+2+2+1+2+2 = 17; children 3+0+1+2+1+0+0+0+2+1 = 10; step-free needs:
    # Dubois and Lambert.
    assert "Respondents 10 Adults 17 Children 10 With accessibility needs 2" in text
    # Demand, columns Accession / Locatif social / Pas encore décidé: T3 = Nguyen, Petit,
    # Lambert (ownership), Diallo (social rent), Marchand (undecided); T4 = Moreau, Benali.
    demand = _section(page.text, "Demand by housing type and tenure")
    assert "T1 0 1 0 1 T2 0 1 0 1 T3 3 1 1 5 T4 1 1 0 2 T5 1 0 0 1 Total 5 4 1 10" in demand
    # T3 surfaces: 70 + 62 + 68 + 75 + 72 = 347 m², mean 69.4.
    assert "In all: 702 m², 70.2 m² on average (from 32 to 105 m²)." in text
    assert "T3 5 347 69.4 62 75" in text
    # Monthly rent (social rent only): 650, 420, 520, 350 → mean 485, median (420+520)/2 = 470.
    assert "Mean 485 €, median 470 €, from 350 € to 650 €." in text
    # Purchase bands (ownership): 120–160 k: Petit; 160–200 k: Nguyen, Lambert;
    # 200–250 k: Moreau, Vermeulen.
    bands = _section(page.text, "Accession")
    assert "1 (20%)" in _section(page.text, "Budget") or "1 (20%)" in bands
    spaces = _section(page.text, "Shared spaces, as the group ranks them")
    # Everyone wants a common room (10 of 10); the garden is wanted by 8.
    assert "1 Salle commune 57 2 10 (100%) 2 Jardin et potagers 42 2 8 (80%)" in spaces
    assert "Que les loyers restent accessibles aux familles monoparentales." in text
    # Charts come with their figures as tables, and are drawn without inline style.
    assert page.text.count("<svg") == page.text.count('class="chart-data sr-only"')
    assert "style=" not in page.text


def test_the_answers_download_as_csv_one_row_a_respondent(web, demo):
    demo, questionnaire_id = demo
    web.sign_in(demo.facilitator)
    response = web.get(f"/p/{demo.project.slug}/questionnaires/{questionnaire_id}/answers.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="answers-' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 10
    benali = next(row for row in rows if row["respondent"] == "Foyer Benali")
    assert (benali["surface"], benali["monthly_budget"], benali["purchase_budget"]) == (
        "82",
        "650",
        "",
    )
    assert benali["shared_spaces_priority"].startswith("1. Jardin et potagers; 2. ")


def test_csv_cells_that_look_like_formulas_are_defused(web, world, engine):
    view = _create(engine, world)
    web.sign_in(world.resident)
    web.post(
        f"{_base(world)}/{view.id}",
        {**_form(view, **{**COMPLETE, "remarks": '=HYPERLINK("http://x")'}), "action": "submit"},
    )
    web.sign_in(world.facilitator)
    response = web.get(f"{_base(world)}/{view.id}/answers.csv")
    row = next(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert row["remarks"] == '\'=HYPERLINK("http://x")'
    assert row["respondent"] == "Foyer Benali"


def test_an_anonymous_questionnaire_never_shows_who_answered_what(web, world, engine):
    view = _create(engine, world, replace(SPEC, anonymous=True))
    web.sign_in(world.resident)
    web.post(f"{_base(world)}/{view.id}", {**_form(view, **COMPLETE), "action": "submit"})
    web.sign_in(world.facilitator)
    for page in ("summary", "brief"):
        response = web.get(f"{_base(world)}/{view.id}/{page}")
        assert response.status_code == 200
        assert "Foyer Benali" not in response.text
        assert "Nadia" not in response.text
    summary = web.get(f"{_base(world)}/{view.id}/summary")
    assert "A shared kitchen." in summary.text
    response = web.get(f"{_base(world)}/{view.id}/answers.csv")
    assert "Foyer Benali" not in response.text
    assert "respondent" not in response.text.splitlines()[0]
    # Who answered is known, never next to what.
    respondents = web.get(f"{_base(world)}/{view.id}/respondents")
    assert "Foyer Benali" in respondents.text
    assert "A shared kitchen." not in respondents.text


def _two_rounds(web, world, engine, spec=SPEC):
    view = _create(engine, world, spec)
    web.sign_in(world.resident)
    web.post(f"{_base(world)}/{view.id}", {**_form(view, **COMPLETE), "action": "submit"})
    with unit_of_work(engine) as session:
        close_questionnaire(
            session,
            project_id=world.project.id,
            questionnaire_id=view.id,
            actor_id=world.facilitator.id,
        )
    web.sign_in(world.facilitator)
    second = web.post(f"{_base(world)}/{view.id}/next-round")
    round_id = int(second.headers["Location"].split("/")[-2])
    web.post(f"{_base(world)}/{round_id}/open", {"closes_at": ""})
    with read_session(engine) as session:
        from voisinage.questionnaires import load_questionnaire

        second_view = load_questionnaire(
            session, project_id=world.project.id, questionnaire_id=round_id
        )
    web.sign_in(world.resident)
    changed = {**COMPLETE, "surface": "70", "spaces": ["laundry"]}
    response = web.post(
        f"{_base(world)}/{round_id}", {**_form(second_view, **changed), "action": "submit"}
    )
    assert response.status_code == 302
    web.sign_in(world.facilitator)
    return view, round_id


def test_the_second_round_is_compared_with_the_first(web, world, engine):
    first, round_id = _two_rounds(web, world, engine)
    page = web.get(f"{_base(world)}/{round_id}/compare")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Round 2 beside round 1" in text
    assert "Answered both rounds and changed something 1" in text
    assert "Surface wanted? 82 70" in text
    assert "Which shared spaces? Common room; Garden Laundry" in text
    assert "Foyer Benali" in text
    assert web.get(f"{_base(world)}/{round_id}/edit").text.count("/compare") == 1
    # A first round has nothing to compare with.
    refused = web.get(f"{_base(world)}/{first.id}/compare")
    assert refused.status_code == 422
    assert "This questionnaire has no previous round to compare with." in refused.text


def test_rounds_of_an_anonymous_questionnaire_give_only_counts(web, world, engine):
    _first, round_id = _two_rounds(web, world, engine, replace(SPEC, anonymous=True))
    text = _text(web.get(f"{_base(world)}/{round_id}/compare").text)
    assert "Answered both rounds and changed something 1" in text
    assert "only these counts are shown, never who changed what" in text
    assert "Foyer Benali" not in text
