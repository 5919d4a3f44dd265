"""Summaries: the maths (hypothesis), the demo's figures against hand counts, anonymity, rounds."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event
from sqlmodel import select

from voisinage.db import unit_of_work
from voisinage.demo import DEMO_HOUSEHOLDS, seed_demo
from voisinage.errors import Forbidden, InvalidValue
from voisinage.exports import export_project, questionnaire_answers_csv
from voisinage.models import Member
from voisinage.people import add_member
from voisinage.projects import add_household
from voisinage.questionnaire_answers import progress, save_answer, save_answers, submit_answers
from voisinage.questionnaire_brief import brief_from, compare_rounds, summarize_brief
from voisinage.questionnaire_participation import list_respondents
from voisinage.questionnaire_results import Response
from voisinage.questionnaire_specs import OptionSpec, QuestionnaireView, QuestionView
from voisinage.questionnaire_summary import (
    TextAnswer,
    borda,
    count_choices,
    histogram,
    number_stats,
    round_percentages,
    summarize,
)
from voisinage.questionnaire_templates import parse_template, shipped_template
from voisinage.questionnaires import (
    close_questionnaire,
    create_questionnaire,
    list_questionnaires,
    open_questionnaire,
    start_second_round,
)

# -- The maths ----------------------------------------------------------------------------------


@given(st.lists(st.integers(0, 40), min_size=1, max_size=8).filter(any))
def test_single_choice_percentages_add_up_to_exactly_100(counts):
    options = [OptionSpec(f"o{i}", f"Option {i}") for i in range(len(counts))]
    answers = [f"o{i}" for i, count in enumerate(counts) for _ in range(count)]
    result = count_choices(answers, options)
    assert [o.count for o in result] == counts
    assert sum(o.percent for o in result) == 100
    shown = round_percentages([o.percent for o in result])
    assert sum(shown) == 100
    assert all(abs(s - o.percent) < 1 for s, o in zip(shown, result, strict=True))


@st.composite
def rankings(draw):
    n = draw(st.integers(2, 8))
    keys = [f"s{i}" for i in range(n)]
    people = draw(
        st.lists(st.permutations(keys).flatmap(lambda p: st.integers(1, n).map(lambda k: p[:k])))
    )
    return keys, people


@given(rankings())
def test_borda_points_are_the_sum_over_respondents_of_n_minus_rank(data):
    keys, people = data
    n = len(keys)
    result = borda(people, [OptionSpec(key, key.upper()) for key in keys])
    assert sum(o.points for o in result) == sum(n - r for p in people for r in range(1, len(p) + 1))
    for option in result:
        assert option.points == sum(n - 1 - p.index(option.key) for p in people if option.key in p)
        assert 0 <= option.points <= (n - 1) * len(people)
        assert option.ranked_by == sum(option.key in p for p in people)
    assert sum(o.first_places for o in result) == len(people)
    assert [o.points for o in result] == sorted((o.points for o in result), reverse=True)


def test_borda_scores_a_partial_ranking_and_breaks_ties_by_first_places():
    options = [OptionSpec(k, k) for k in ("garden", "laundry", "workshop", "bike_shed")]
    result = borda([["laundry", "garden"], ["garden"], ["workshop", "laundry"]], options)
    assert [(o.key, o.points, o.first_places) for o in result] == [
        ("garden", 5, 1),  # 2 + 3
        ("laundry", 5, 1),  # 3 + 2, ranked first as often: listed after garden
        ("workshop", 3, 1),
        ("bike_shed", 0, 0),
    ]


numbers = st.fractions(min_value=-1000, max_value=100_000, max_denominator=100)


@given(st.lists(numbers, min_size=1, max_size=60), st.sampled_from([None, Fraction(1, 2), 10]))
def test_number_figures_hold_together(values, step):
    stats = number_stats(values)
    assert stats.count == len(values)
    assert stats.total == sum(values)
    assert stats.mean * stats.count == stats.total
    assert stats.minimum <= stats.median <= stats.maximum
    assert stats.minimum <= stats.mean <= stats.maximum
    if step is not None:
        values = [round(v / step) * step for v in values]
    bars = histogram(values, step=step)
    assert sum(bar.count for bar in bars) == len(values)
    assert len(bars) <= 13
    for index, bar in enumerate(bars):
        last = index == len(bars) - 1
        inside = [
            v
            for v in values
            if (v == bar.low if bar.low == bar.high else bar.low <= v < bar.high)
            or (last and v == bar.high)
        ]
        assert len(inside) == bar.count


def test_a_scale_shows_every_point_even_unchosen_ones():
    bars = histogram([Fraction(2), Fraction(2), Fraction(5)], low=Fraction(1), high=Fraction(5))
    assert [(b.low, b.count) for b in bars] == [(1, 0), (2, 2), (3, 0), (4, 0), (5, 1)]


# -- The demo's figures, counted by hand -------------------------------------------------------


@pytest.fixture
def demo(engine):
    with unit_of_work(engine) as session:
        seeded = seed_demo(session)
        questionnaire = list_questionnaires(session, project_id=seeded.project.id)[0]
    return seeded, questionnaire


def _summary(engine, demo, service=summarize, questionnaire_id=None):
    seeded, questionnaire = demo
    with unit_of_work(engine) as session:
        return service(
            session,
            project_id=seeded.project.id,
            questionnaire_id=questionnaire_id or questionnaire.id,
            actor_id=seeded.facilitator.id,
        )


def test_the_demo_summary_matches_the_hand_counts(engine, demo):
    summary = _summary(engine, demo)
    assert (summary.eligible, summary.submitted, summary.drafts) == (12, 10, 1)
    assert summary.response_rate == Fraction(10, 12)
    by_key = {q.key: q for q in summary.questions}
    tenure = {o.key: (o.count, o.percent) for o in by_key["tenure"].options}
    assert tenure == {"ownership": (5, 50), "social_rent": (4, 40), "undecided": (1, 10)}
    surface = by_key["surface"].stats
    # 32 48 62 68 70 | 72 75 82 88 105
    assert (surface.total, surface.mean, surface.median) == (702, Fraction(702, 10), 71)
    assert (surface.minimum, surface.maximum) == (32, 105)
    rent = by_key["monthly_budget"]
    # Benali 650, Dubois 420, Diallo 520, Garcia 350; hidden for the six others.
    assert (rent.answered, rent.stats.mean, rent.stats.median) == (4, 485, 470)
    involvement = by_key["involvement"]
    assert [(b.low, b.count) for b in involvement.histogram] == [
        (1, 0),
        (2, 2),
        (3, 3),
        (4, 3),
        (5, 2),
    ]
    assert involvement.stats.mean == Fraction(7, 2)
    garden = next(o for o in by_key["shared_spaces"].options if o.key == "garden")
    assert (garden.count, garden.percent) == (8, 80)
    # Borda with 8 options: 1st → 7, 2nd → 6, 3rd → 5…
    priority = by_key["shared_spaces_priority"].options
    assert [(o.key, o.points) for o in priority[:3]] == [
        ("common_room", 5 + 7 + 5 + 6 + 6 + 5 + 6 + 5 + 5 + 7),
        ("garden", 7 + 6 + 5 + 6 + 5 + 7 + 6),
        ("guest_room", 5 + 4 + 7 + 7 + 3),
    ]
    sharing = by_key["sharing"]
    assert (sharing.answered, sharing.skipped) == (9, 1)  # Foyer Garcia skipped it
    remarks = by_key["remarks"]
    assert [t.respondent for t in remarks.texts] == [
        "Foyer Benali",
        "Foyer Diallo",
        "Foyer Lambert",
        "Foyer Marchand",
        "Foyer Nguyen",
        "Foyer Vermeulen",
    ]


def test_the_demo_brief_matches_the_hand_counts(engine, demo):
    brief = _summary(engine, demo, summarize_brief)
    assert brief.respondents == 10
    assert (brief.adults, brief.children) == (17, 10)
    assert [t.key for t in brief.tenures] == ["ownership", "social_rent", "undecided"]
    assert [(row.housing_type, row.by_tenure, row.total) for row in brief.demand] == [
        ("t1", (0, 1, 0), 1),  # Garcia
        ("t2", (0, 1, 0), 1),  # Dubois
        ("t3", (3, 1, 1), 5),  # Nguyen, Petit, Lambert | Diallo | Marchand
        ("t4", (1, 1, 0), 2),  # Moreau | Benali
        ("t5", (1, 0, 0), 1),  # Vermeulen
    ]
    assert brief.demand_by_tenure == (5, 4, 1)
    assert brief.surface.total == 702
    assert [(s.housing_type, s.stats.total, s.stats.mean) for s in brief.surface_by_type] == [
        ("t1", 32, 32),
        ("t2", 48, 48),
        ("t3", 70 + 62 + 68 + 75 + 72, Fraction(347, 5)),
        ("t4", 82 + 88, 85),
        ("t5", 105, 105),
    ]
    rent, purchase = brief.budgets
    assert (rent.tenure, rent.summary.stats.total) == ("social_rent", 650 + 420 + 520 + 350)
    assert purchase.tenure == "ownership"
    assert [(o.key, o.count) for o in purchase.summary.options] == [
        ("lt_120k", 0),
        ("120k_160k", 1),  # Petit
        ("160k_200k", 2),  # Nguyen, Lambert
        ("200k_250k", 2),  # Moreau, Vermeulen
        ("gt_250k", 0),
    ]
    assert brief.accessibility_needs == 2  # Dubois, Lambert
    spaces = [(s.key, s.wanted, s.points) for s in brief.shared_spaces]
    assert spaces[:2] == [("common_room", 10, 57), ("garden", 8, 42)]
    assert spaces[-1] == ("car_park", 2, 3 + 2)  # Moreau 5th, Vermeulen 6th
    assert len(brief.remarks) == 6


def test_summaries_are_for_facilitators(engine, demo):
    seeded, questionnaire = demo
    with unit_of_work(engine) as session:
        for service in (summarize, summarize_brief):
            with pytest.raises(Forbidden):
                service(
                    session,
                    project_id=seeded.project.id,
                    questionnaire_id=questionnaire.id,
                    actor_id=seeded.resident.id,
                )


def _count_queries(engine, work):
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_summary_takes_as_many_queries_for_30_households_as_for_10(engine, demo):
    def summaries():
        _summary(engine, demo)
        _summary(engine, demo, summarize_brief)

    few = _count_queries(engine, summaries)
    seeded, questionnaire = demo
    with unit_of_work(engine) as session:
        benali = session.exec(select(Member).where(Member.display_name == "Nadia Benali")).one()
        mine = progress(
            session,
            project_id=seeded.project.id,
            questionnaire_id=questionnaire.id,
            member_id=benali.id,
        )
        values = {q.id: mine.answers.get(q.id) for q in mine.visible}
        for n in range(20):
            household = add_household(session, project_id=seeded.project.id, name=f"Foyer {n}")
            member = add_member(
                session,
                project_id=seeded.project.id,
                display_name=f"Habitant {n}",
                household_id=household.id,
            )
            save_answers(
                session,
                project_id=seeded.project.id,
                questionnaire_id=questionnaire.id,
                member_id=member.id,
                values=values,
                submit=True,
            )
    assert _summary(engine, demo).submitted == 30
    assert _count_queries(engine, summaries) == few


def test_the_raw_answers_csv_has_one_row_a_respondent(engine, demo):
    seeded, questionnaire = demo
    with unit_of_work(engine) as session:
        text = questionnaire_answers_csv(
            session, project_id=seeded.project.id, questionnaire_id=questionnaire.id
        )
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 10
    benali = rows[0]
    assert benali["respondent"] == "Foyer Benali"
    assert (benali["tenure"], benali["surface"], benali["purchase_budget"]) == (
        "Location sociale",
        "82",
        "",
    )
    assert benali["shared_spaces_priority"].startswith("1. Jardin et potagers; 2. Espace de jeux")


def test_the_project_export_holds_the_questionnaires(engine, demo):
    seeded, _ = demo
    with unit_of_work(engine) as session:
        data = export_project(session, project_id=seeded.project.id, actor_id=None)
    (questionnaire,) = data["questionnaires"]
    assert (questionnaire["status"], questionnaire["drafts"]) == ("open", 1)
    assert len(questionnaire["questions"]) == 15
    assert questionnaire["questions"][3]["options"][0] == {
        "key": "ownership",
        "label": "Accession à la propriété",
    }
    benali = questionnaire["responses"][0]
    assert benali["respondent"] == "Foyer Benali"
    assert benali["answers"]["shared_spaces"] == ["common_room", "laundry", "garden", "play_area"]
    assert benali["answers"]["surface"] == 82
    garcia = next(r for r in questionnaire["responses"] if r["respondent"] == "Foyer Garcia")
    assert garcia["skipped"] == ["sharing", "remarks"]


# -- Anonymous questionnaires -------------------------------------------------------------------


def _anonymous(engine, demo, remarks):
    """Open an anonymous copy of the template; two demo households answer it."""
    seeded, _ = demo
    spec = replace(parse_template(shipped_template("fr")), anonymous=True, title="Anonyme")
    with unit_of_work(engine) as session:
        view = create_questionnaire(session, project_id=seeded.project.id, spec=spec)
        open_questionnaire(session, project_id=seeded.project.id, questionnaire_id=view.id)
        ids = {q.key: q.id for q in view.questions}
        for household, remark in remarks.items():
            member = session.exec(
                select(Member).where(Member.display_name == DEMO_HOUSEHOLDS[household][0])
            ).one()
            values = {
                "adults": 1,
                "children": 0,
                "seniors": "no",
                "tenure": "undecided",
                "housing_type": "t2",
                "surface": 45,
                "accessibility": "no",
                "shared_spaces": ["garden"],
                "shared_spaces_priority": ["garden"],
                "sharing": None,
                "involvement": 3,
                "remarks": remark,
            }
            save_answers(
                session,
                project_id=seeded.project.id,
                questionnaire_id=view.id,
                member_id=member.id,
                values={ids[k]: v for k, v in values.items()},
                submit=True,
            )
    return view


def test_an_anonymous_questionnaire_says_who_answered_never_who_answered_what(engine, demo):
    seeded, _ = demo
    view = _anonymous(
        engine, demo, {"Foyer Benali": '=HYPERLINK("x")', "Foyer Dubois": "Un banc au soleil"}
    )
    summary = _summary(engine, demo, questionnaire_id=view.id)
    remarks = next(q for q in summary.questions if q.key == "remarks")
    assert [(t.text, t.respondent) for t in remarks.texts] == [
        ('=HYPERLINK("x")', None),
        ("Un banc au soleil", None),
    ]
    with unit_of_work(engine) as session:
        text = questionnaire_answers_csv(
            session, project_id=seeded.project.id, questionnaire_id=view.id
        )
        exported = export_project(session, project_id=seeded.project.id, actor_id=None)
        who = list_respondents(session, project_id=seeded.project.id, questionnaire_id=view.id)
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    assert reader.fieldnames[:2] == ["adults", "children"]
    # Sorted by content, not by who answered; a formula stays text in a spreadsheet.
    assert [row["remarks"] for row in reader] == ['\'=HYPERLINK("x")', "Un banc au soleil"]
    assert "Foyer" not in text
    (anonymous,) = [q for q in exported["questionnaires"] if q["anonymous"]]
    assert all(set(r) == {"answers", "skipped"} for r in anonymous["responses"])
    assert [r.name for r in who if r.state == "submitted"] == ["Foyer Benali", "Foyer Dubois"]


# -- Rounds compared ----------------------------------------------------------------------------


def _second_round(engine, demo, questionnaire_id):
    seeded, _ = demo
    with unit_of_work(engine) as session:
        close_questionnaire(
            session, project_id=seeded.project.id, questionnaire_id=questionnaire_id
        )
        second = start_second_round(
            session, project_id=seeded.project.id, questionnaire_id=questionnaire_id
        )
        open_questionnaire(session, project_id=seeded.project.id, questionnaire_id=second.id)
    return second


def _resubmit(engine, demo, second, household, changes):
    seeded, _ = demo
    ids = {q.key: q.id for q in second.questions}
    with unit_of_work(engine) as session:
        member = session.exec(
            select(Member).where(Member.display_name == DEMO_HOUSEHOLDS[household][0])
        ).one()
        for key, value in changes.items():
            save_answer(
                session,
                project_id=seeded.project.id,
                questionnaire_id=second.id,
                question_id=ids[key],
                member_id=member.id,
                value=value,
            )
        submit_answers(
            session, project_id=seeded.project.id, questionnaire_id=second.id, member_id=member.id
        )


def test_the_second_round_shows_what_moved_and_who_changed(engine, demo):
    _, questionnaire = demo
    with pytest.raises(InvalidValue):
        _summary(engine, demo, compare_rounds)
    second = _second_round(engine, demo, questionnaire.id)
    _resubmit(engine, demo, second, "Foyer Benali", {"surface": 78})
    _resubmit(
        engine, demo, second, "Foyer Marchand", {"tenure": "social_rent", "monthly_budget": 600}
    )
    _resubmit(engine, demo, second, "Foyer Dubois", {})
    _resubmit(engine, demo, second, "Foyer Nguyen", {})
    comparison = _summary(engine, demo, compare_rounds, questionnaire_id=second.id)
    assert (comparison.previous.respondents, comparison.current.respondents) == (10, 4)
    assert (comparison.changed, comparison.unchanged, comparison.joined, comparison.left) == (
        2,
        2,
        0,
        6,
    )
    assert [
        (w.name, [(c.question_key, c.before, c.after) for c in w.changes]) for w in comparison.who
    ] == [
        ("Foyer Benali", [("surface", "82", "78")]),
        (
            "Foyer Marchand",
            [
                ("tenure", "Je ne sais pas encore", "Location sociale"),
                ("monthly_budget", "", "600"),
            ],
        ),
    ]
    demand = {(d.housing_type, d.tenure): (d.before, d.after) for d in comparison.demand}
    # T3 in round 2: Nguyen (ownership) and Marchand (now social rent).
    assert demand[("t3", "")] == (5, 2)
    assert ("t3", "social_rent") not in demand  # Diallo before, Marchand now
    assert demand[("t3", "undecided")] == (1, 0)
    assert comparison.current.surface.total == 78 + 48 + 70 + 72


def test_an_anonymous_comparison_gives_counts_not_names(engine, demo):
    view = _anonymous(engine, demo, {"Foyer Benali": "Rien", "Foyer Dubois": "Rien"})
    second = _second_round(engine, demo, view.id)
    _resubmit(engine, demo, second, "Foyer Benali", {"surface": 50})
    _resubmit(engine, demo, second, "Foyer Dubois", {})
    comparison = _summary(engine, demo, compare_rounds, questionnaire_id=second.id)
    assert comparison.who is None
    assert (comparison.changed, comparison.unchanged) == (1, 1)
    assert all(t.respondent is None for t in comparison.current.remarks)


def test_the_brief_reads_only_keys_of_a_fitting_kind():
    view = QuestionnaireView(
        id=1,
        project_id=1,
        title="Fait main",
        introduction="",
        respondent_unit="household",
        anonymous=False,
        status="open",
        opens_at=None,
        closes_at=None,
        round_number=1,
        previous_round_id=None,
        questions=(
            QuestionView(id=1, position=0, key="surface", kind="text", label="Surface ?"),
            QuestionView(id=2, position=1, key="remarks", kind="text", label="Remarques"),
        ),
    )
    response = Response(
        1, None, "Foyer Kaya", None, values={1: "grand", 2: "Rien"}, skipped=frozenset()
    )
    brief = brief_from(view, [response])
    assert (brief.surface, brief.adults, brief.accessibility_needs) == (None, None, None)
    assert (brief.demand, brief.budgets, brief.shared_spaces) == ((), (), ())
    assert brief.remarks == (TextAnswer("Rien", "Foyer Kaya"),)
