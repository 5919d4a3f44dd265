"""The facilitators' summary of a 40-question questionnaire, at 200 and at 2,000 households.

Shows that the summary (every question, then the pré-programme) reads a fixed number of SQL
queries whatever the number of respondents, and how its time grows with the data, as a ratio to
a bare baseline measured in the same run: fetching the same answer rows with a plain SELECT and
nothing else. Data is bulk-inserted into a fresh SQLite file (valid answers, conditions
respected); the summary and the baseline are timed in alternating rounds, best of each. Usage:

    .venv/bin/python bench/bench_questionnaire_summary.py [--households 200] [--scale 10]
        [--repeat 7] [--write docs/benchmarks.md | --no-write]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script, the bench package still imports

from sqlalchemy import event, insert, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from bench.report import write_section  # noqa: E402
from voisinage import db  # noqa: E402
from voisinage.models import Answer, AnswerSet, Household, utcnow  # noqa: E402
from voisinage.projects import create_project  # noqa: E402
from voisinage.questionnaire_brief import summarize_brief  # noqa: E402
from voisinage.questionnaire_specs import (  # noqa: E402
    NUMERIC_KINDS,
    OptionSpec,
    QuestionKind,
    QuestionnaireSpec,
    QuestionSpec,
    QuestionView,
)
from voisinage.questionnaire_summary import summarize  # noqa: E402
from voisinage.questionnaire_templates import parse_template, shipped_template  # noqa: E402
from voisinage.questionnaire_values import shows  # noqa: E402
from voisinage.questionnaires import create_questionnaire, open_questionnaire  # noqa: E402

QUESTIONS = 40
MARK_BEGIN = "<!-- questionnaire-summary:start -->"
MARK_END = "<!-- questionnaire-summary:end -->"
KINDS = [
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.YES_NO,
    QuestionKind.SCALE,
    QuestionKind.NUMBER,
    QuestionKind.TEXT,
    QuestionKind.RANKING,
]


def _extra_question(index: int) -> QuestionSpec:
    kind = KINDS[index % len(KINDS)]
    options = tuple(OptionSpec(f"o{n}", f"Option {n}") for n in range(6))
    settings = {
        QuestionKind.SINGLE_CHOICE: {"options": options},
        QuestionKind.MULTIPLE_CHOICE: {"options": options, "max_choices": 4},
        QuestionKind.RANKING: {"options": options, "max_choices": 4},
        QuestionKind.SCALE: {"min_value": Decimal(1), "max_value": Decimal(5)},
        QuestionKind.NUMBER: {"min_value": Decimal(0), "max_value": Decimal(5000)},
    }.get(kind, {})
    return QuestionSpec(key=f"extra_{index}", kind=kind, label=f"Question {index}", **settings)


def _answer(question: QuestionView, rng: random.Random):
    """Return a valid random answer to `question`, as `Answer` columns."""
    kind = question.kind
    keys = [option.key for option in question.options]
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        return {"choice": rng.choice(keys)}
    if kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING):
        picked = rng.sample(keys, rng.randint(1, question.max_choices or len(keys)))
        if kind == QuestionKind.MULTIPLE_CHOICE:
            picked = [key for key in keys if key in picked]
        return {"choices": picked}
    if kind in NUMERIC_KINDS:
        low, high = int(question.min_value or 0), int(question.max_value or 1000)
        return {"number": float(rng.randint(low, high))}
    return {"text": rng.choice(["Un potager.", "Une salle commune.", "Rien à ajouter."])}


def _value(question: QuestionView, columns: dict):
    if "choices" in columns:
        return tuple(columns["choices"])
    if "number" in columns:
        return Decimal(int(columns["number"]))
    return columns.get("choice", columns.get("text"))


@dataclass(frozen=True)
class Dataset:
    engine: Engine
    project_id: int
    questionnaire_id: int
    households: int
    answers: int


def build(path: Path, households: int, *, seed: int = 6) -> Dataset:
    """Create a fresh database holding one questionnaire answered by `households` households."""
    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.make_engine(url)
    template = parse_template(shipped_template("fr"))
    extra = tuple(_extra_question(i) for i in range(QUESTIONS - len(template.questions)))
    spec = QuestionnaireSpec(
        title=template.title, respondent_unit="household", questions=template.questions + extra
    )
    with db.unit_of_work(engine) as session:
        project = create_project(session, name="Banc d'essai", slug="banc-essai")
        view = create_questionnaire(session, project_id=project.id, spec=spec)
        open_questionnaire(session, project_id=project.id, questionnaire_id=view.id)
    rng = random.Random(seed)
    now = utcnow()
    answers = []
    with db.unit_of_work(engine) as session:
        session.execute(
            insert(Household),
            [
                {"id": n, "project_id": project.id, "name": f"Foyer {n}", "created_at": now}
                for n in range(1, households + 1)
            ],
        )
        session.execute(
            insert(AnswerSet),
            [
                {
                    "id": n,
                    "questionnaire_id": view.id,
                    "household_id": n,
                    "submitted_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(1, households + 1)
            ],
        )
        for n in range(1, households + 1):
            given: dict[str, object] = {}
            for question in view.questions:
                # Conditions look back only: a question's visibility is known when it comes.
                if not shows(question, given) or (
                    question.show_if and question.show_if.question not in given
                ):
                    continue
                columns = _answer(question, rng)
                given[question.key] = _value(question, columns)
                answers.append(
                    {
                        "answer_set_id": n,
                        "question_id": question.id,
                        "skipped": False,
                        "updated_at": now,
                        **{"choice": None, "choices": None, "number": None, "text": None},
                        **columns,
                    }
                )
        session.execute(insert(Answer), answers)
    return Dataset(engine, project.id, view.id, households, len(answers))


def count_queries(engine: Engine, work: Callable[[], object]) -> int:
    """Return how many SQL statements `work` sends to the database."""
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def timed(work: Callable[[], object]) -> float:
    """Return how long `work` takes, in seconds, without the garbage collector (as timeit does)."""
    gc.disable()
    try:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start
    finally:
        gc.enable()


def measure(data: Dataset, repeat: int) -> dict[str, float]:
    """Count the summary's queries; time it and the baseline in alternating rounds, best of each."""

    def summary() -> None:
        with db.read_session(data.engine) as session:
            summarize(session, project_id=data.project_id, questionnaire_id=data.questionnaire_id)
            summarize_brief(
                session, project_id=data.project_id, questionnaire_id=data.questionnaire_id
            )

    def baseline() -> None:
        # The summary reads the answers twice (per question, then the pré-programme): so here.
        with data.engine.connect() as connection:
            for _ in range(2):
                connection.execute(
                    text(
                        "SELECT answer_set_id, question_id, choice, choices, number, text, "
                        "skipped FROM answer"
                    )
                ).all()

    summary()  # warm the caches (statements, catalogs, pages) before timing
    baseline()
    rounds = [(timed(baseline), timed(summary)) for _ in range(repeat)]
    return {
        "queries": count_queries(data.engine, summary),
        "summary": min(s for _, s in rounds),
        "baseline": min(b for b, _ in rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--write", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="Only print the results.")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for factor in (1, args.scale):
            data = build(Path(folder) / f"bench-{factor}.sqlite3", args.households * factor)
            results.append((factor, data, measure(data, args.repeat)))
            data.engine.dispose()
    report = _report(results, args)
    print(report)
    if not args.no_write:
        write_section(args.write, report, MARK_BEGIN, MARK_END)


def _report(results, args) -> str:
    load = os.getloadavg()[0]
    lines = [
        MARK_BEGIN,
        "## Questionnaire summary (`bench/bench_questionnaire_summary.py`)",
        "",
        *textwrap.wrap(
            f"The summary of every question plus the pré-programme, for a questionnaire of "
            f"{QUESTIONS} questions (the French template and {QUESTIONS - 15} more of every "
            f"kind), on SQLite; best of {args.repeat} rounds that alternate with the baseline: "
            "fetching the same answer rows as the summary does (twice, with a plain `SELECT`) "
            f"and nothing else. {os.cpu_count()} CPUs, load average {load:.1f} during the run.",
            width=100,
        ),
        "",
        "| data | households | answers | SQL queries | summary | baseline | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for factor, data, figures in results:
        lines.append(
            f"| {factor}× | {data.households} | {data.answers} | {figures['queries']} "
            f"| {figures['summary'] * 1000:.0f} ms | {figures['baseline'] * 1000:.0f} ms "
            f"| {figures['summary'] / figures['baseline']:.1f} |"
        )
    (_, _, small), (factor, _, large) = results
    queries = (
        "stays the same"
        if small["queries"] == large["queries"]
        else f"goes from {small['queries']} to {large['queries']}"
    )
    lines += [
        "",
        *textwrap.wrap(
            f"The number of SQL queries {queries} from 1× to {factor}× the households; the time "
            f"grows {large['summary'] / small['summary']:.1f}× for {factor}× the data (the "
            f"baseline: {large['baseline'] / small['baseline']:.1f}×).",
            width=100,
        ),
        MARK_END,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
