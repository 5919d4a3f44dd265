"""Ballot exports: the anonymous ballot papers of a closed ballot, for anyone to recount.

The format is versioned JSON, documented in docs/voting.md ("Recounting a ballot").
`read_export` checks a file field by field and names the faulty one; `recount` counts it
with the same tally functions as the ballot itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlmodel import Session, col, select

from voisinage.ballot_rules import Rules, check_choice, check_rules, tally
from voisinage.ballots import get_ballot, view_of
from voisinage.errors import N_, DomainError, InvalidValue
from voisinage.models import ArticleVersion, BallotChoice, Household, Member, Project
from voisinage.people import get_member
from voisinage.tallies import Result

FORMAT = "voisinage-ballot"
VERSION = 1


class ExportInvalid(InvalidValue):
    """A ballot export that cannot be read: says which field, and what is wrong with it."""

    code = "export_invalid"
    message = N_("The field %(field)s is not valid: %(problem)s")

    def __init__(self, field: str, problem: DomainError) -> None:
        self.problem = problem
        super().__init__(field=field, problem=str(problem))

    def translate(self, gettext) -> str:
        """Return the message with the problem itself translated too."""
        return gettext(self.message) % {
            "field": self.params["field"],
            "problem": self.problem.translate(gettext),
        }


@dataclass(frozen=True)
class BallotExport:
    """An export read and checked: what a recount needs."""

    question: str
    rules: Rules
    labels: dict[str, str]
    eligible: int | None
    ballots: tuple[Any, ...]
    recorded: dict[str, Any] | None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def export_ballot(
    session: Session, *, project_id: int, ballot_id: int, viewer_id: int | None
) -> dict[str, Any]:
    """Return a closed ballot as an export: rules, options, and every ballot paper.

    Papers are sorted by their content, so that their order says nothing of who voted when;
    a named ballot's papers say whose they are, a secret ballot's never do.
    """
    if viewer_id is not None:
        get_member(session, project_id=project_id, member_id=viewer_id)
    ballot = get_ballot(session, project_id=project_id, ballot_id=ballot_id)
    if ballot.closed_at is None:
        raise InvalidValue(N_("A ballot can be exported once it is closed."))
    view = view_of(session, ballot)
    rows = session.exec(
        select(BallotChoice, Household.name, Member.display_name)
        .outerjoin(Household, col(Household.id) == col(BallotChoice.household_id))
        .outerjoin(Member, col(Member.id) == col(BallotChoice.member_id))
        .where(col(BallotChoice.ballot_id) == ballot.id)
    ).all()
    papers = [
        {"choice": row.value}
        if ballot.secret
        else {"voice": household or member or "", "choice": row.value}
        for row, household, member in rows
    ]
    papers.sort(key=_canonical)
    version = (
        session.get(ArticleVersion, ballot.article_version_id)
        if ballot.article_version_id
        else None
    )
    quorum = view.rules.quorum
    return {
        "format": FORMAT,
        "version": VERSION,
        "ballot": {
            "id": ballot.id,
            "project": session.get(Project, project_id).slug,
            "question": ballot.question,
            "wording": version.text if version else "",
            "secret": ballot.secret,
            "voting_unit": ballot.voting_unit,
            "round": ballot.round,
            "opens_at": ballot.opens_at.isoformat(),
            "closed_at": ballot.closed_at.isoformat(),
        },
        "method": view.method.value,
        "rules": {
            "threshold": view.rules.threshold,
            "quorum": f"{quorum.numerator}/{quorum.denominator}" if quorum else None,
            "eligible": (ballot.result or {}).get("eligible"),
            "minimum_grade": view.rules.minimum_grade,
        },
        "options": [{"key": option.key, "label": option.label} for option in view.options],
        "grades": list(view.rules.grades) if view.rules.grades is not None else None,
        "ballots": papers,
        "result": ballot.result,
    }


def _problem(message: str, **params: Any) -> InvalidValue:
    return InvalidValue(message, **params)


def _tuple(kinds: type | tuple) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _require(data: Mapping[str, Any], field: str, kinds: type | tuple, *, path: str = "") -> Any:
    name = f"{path}{field}"
    if field not in data:
        raise ExportInvalid(name, _problem(N_("It is missing.")))
    value = data[field]
    # JSON's true and false are not numbers, whatever Python thinks of bool.
    if not isinstance(value, kinds) or (isinstance(value, bool) and int in _tuple(kinds)):
        raise ExportInvalid(name, _problem(N_("It has the wrong type.")))
    return value


def _quorum(value: Any) -> Fraction | None:
    if value is None:
        return None
    try:
        numerator, denominator = (int(part) for part in str(value).split("/"))
        return Fraction(numerator, denominator)
    except (ValueError, ZeroDivisionError):
        raise ExportInvalid(
            "rules.quorum", _problem(N_('Write the quorum as a fraction, like "3/4".'))
        ) from None


def read_export(data: Any) -> BallotExport:
    """Check a decoded export field by field; refuse with the first faulty field named."""
    if not isinstance(data, Mapping):
        raise ExportInvalid("(file)", _problem(N_("The file must hold one JSON object.")))
    if _require(data, "format", str) != FORMAT:
        raise ExportInvalid("format", _problem(N_("This is not a Voisinage ballot export.")))
    version = _require(data, "version", int)
    if version != VERSION:
        raise ExportInvalid(
            "version", _problem(N_("Version %(value)s is not supported."), value=version)
        )
    method = _require(data, "method", str)
    rules_data = _require(data, "rules", Mapping)
    options = _require(data, "options", list)
    labels: dict[str, str] = {}
    for index, option in enumerate(options):
        if not isinstance(option, Mapping):
            raise ExportInvalid(f"options[{index}]", _problem(N_("It has the wrong type.")))
        key = _require(option, "key", str, path=f"options[{index}].")
        labels[key] = _require(option, "label", str, path=f"options[{index}].")
    grades = _require(data, "grades", (list, type(None)))
    eligible = _require(rules_data, "eligible", (int, type(None)), path="rules.")
    if eligible is not None and eligible < 0:
        raise ExportInvalid("rules.eligible", _problem(N_("It must be zero or more.")))
    try:
        rules = check_rules(
            method=method,
            options=[option["key"] for option in options],
            threshold=rules_data.get("threshold"),
            grades=grades,
            minimum_grade=rules_data.get("minimum_grade"),
            quorum=_quorum(rules_data.get("quorum")),
        )
    except ExportInvalid:
        raise
    except DomainError as error:
        raise ExportInvalid("method / rules / options / grades", error) from None
    papers = _require(data, "ballots", list)
    ballots = []
    for index, paper in enumerate(papers):
        if not isinstance(paper, Mapping) or "choice" not in paper:
            raise ExportInvalid(f"ballots[{index}]", _problem(N_("It has no choice.")))
        try:
            ballots.append(check_choice(rules, paper["choice"]))
        except DomainError as error:
            raise ExportInvalid(f"ballots[{index}]", error) from None
    if eligible is not None and len(ballots) > eligible:
        raise ExportInvalid(
            "rules.eligible",
            _problem(
                N_("There are more ballots (%(ballots)s) than eligible voices (%(eligible)s)."),
                ballots=len(ballots),
                eligible=eligible,
            ),
        )
    if rules.quorum is not None and eligible is None:
        raise ExportInvalid(
            "rules.eligible", _problem(N_("A quorum is counted from the eligible voices."))
        )
    recorded = data.get("result")
    ballot = data.get("ballot") if isinstance(data.get("ballot"), Mapping) else {}
    return BallotExport(
        question=str(ballot.get("question", "")),
        rules=rules,
        labels=labels,
        eligible=eligible,
        ballots=tuple(ballots),
        recorded=recorded if isinstance(recorded, Mapping) else None,
    )


def recount(export: BallotExport) -> Result:
    """Count an export's ballots again with the ballot method's tally."""
    try:
        return tally(export.rules, export.ballots, eligible=export.eligible)
    except DomainError as error:
        raise ExportInvalid("rules", error) from None


def matches_recorded(export: BallotExport, result: Result) -> bool | None:
    """Say whether a recount gives the result recorded in the export (None: none recorded)."""
    if export.recorded is None:
        return None
    recorded = {key: value for key, value in export.recorded.items() if key != "channels"}
    return recorded == json.loads(json.dumps(result.to_dict()))
