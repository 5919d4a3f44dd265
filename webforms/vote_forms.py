"""The vote forms: a ballot paper read from the posted fields, and the facilitators' forms.

The paper's fields are named after the method: `choice` (for / against / abstain, consent)
with `reason`; `grade-<option>` (majority judgment, one radio group per option); `approve`
(approval, checkboxes); `rank-<option>` (ranked, a number per option). The rules that
accept or refuse a choice stay in `voisinage.ballot_rules.check_choice`.

A secret vote counted on paper in the room posts counts instead: `count-<choice>` (for /
against / abstain, consent) with one objection reason per line in `objections`;
`count-<option>` (approvals); `count-<option>-<grade>` (majority judgment); and for ranked
papers, rows of a paper's fields prefixed `paper<n>-` with the number of such papers in
`paper<n>-count`.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from voisinage.ballot_rules import REASON_MAX
from voisinage.ballot_votes import counted_papers, paper_ballots
from voisinage.ballots import LABEL_MAX, OPTIONS_MAX, QUESTION_MAX, BallotView
from voisinage.enums import VotingUnit
from voisinage.errors import N_, InvalidValue
from voisinage.tallies import Method, Threshold
from webforms.forms import Form
from webforms.forms import options as choices_of
from webforms.questionnaire_forms import stored_datetime

METHOD_CHOICES = [
    (
        Method.THRESHOLD.value,
        lazy_gettext("For / against / abstain"),
        lazy_gettext("Everyone says for, against or abstains; the threshold below decides."),
    ),
    (
        Method.CONSENT.value,
        lazy_gettext("Consent"),
        lazy_gettext(
            "Everyone consents, stands aside or objects with a reason; one objection blocks, "
            "and the wording is reworked in a new round."
        ),
    ),
    (
        Method.MAJORITY_JUDGMENT.value,
        lazy_gettext("Majority judgment"),
        lazy_gettext(
            "Everyone grades every option from Excellent to To reject; the option with the "
            "best median grade wins if it reaches the minimum grade."
        ),
    ),
    (
        Method.APPROVAL.value,
        lazy_gettext("Approval"),
        lazy_gettext("Everyone ticks every option they accept; the most approved option wins."),
    ),
    (
        Method.RANKED.value,
        lazy_gettext("Ranked choice"),
        lazy_gettext(
            "Everyone ranks the options; the option that beats every other one head to head "
            "wins (Schulze method)."
        ),
    ),
]
THRESHOLD_CHOICES = [
    (
        Threshold.SIMPLE_MAJORITY.value,
        lazy_gettext("Simple majority"),
        lazy_gettext("Adopted with more votes for than against; abstentions do not count."),
    ),
    (
        Threshold.ABSOLUTE_MAJORITY.value,
        lazy_gettext("Absolute majority"),
        lazy_gettext("Adopted when more than half of all the voices, voting or not, are for."),
    ),
    (
        Threshold.TWO_THIRDS.value,
        lazy_gettext("Two thirds"),
        lazy_gettext("Adopted when at least two thirds of the votes cast are for."),
    ),
    (
        Threshold.UNANIMITY.value,
        lazy_gettext("Unanimity"),
        lazy_gettext("Adopted when every vote cast is for; abstentions do not block."),
    ),
]
PROJECT_UNIT = "project"


def _required():
    return InputRequired(message=lazy_gettext("Please fill in this field."))


def _explained(choices) -> list:
    return choices_of((value, label) for value, label, _ in choices)


class BallotForm(Form):
    """A new ballot, on an article or on a free question, with its method and rules."""

    article = SelectField(lazy_gettext("Article voted on"), choices=[], default="")
    question = StringField(
        lazy_gettext("Question"),
        description=lazy_gettext("On an article, leave empty to ask about its title."),
        render_kw={"maxlength": QUESTION_MAX},
    )
    method = RadioField(
        lazy_gettext("Method"),
        choices=_explained(METHOD_CHOICES),
        default=Method.THRESHOLD.value,
        validators=[_required()],
    )
    options = TextAreaField(
        lazy_gettext("Options, one a line"),
        description=lazy_gettext(
            "For majority judgment, approval and ranked choice. On an article, write each "
            "option as: name | wording."
        ),
        render_kw={"rows": 4},
    )
    threshold = RadioField(
        lazy_gettext("Threshold (for / against / abstain)"),
        choices=_explained(THRESHOLD_CHOICES),
        default=Threshold.SIMPLE_MAJORITY.value,
    )
    grades = TextAreaField(
        lazy_gettext("Grades, best first, one a line (majority judgment)"),
        description=lazy_gettext("Leave empty for the seven usual grades, Excellent to To reject."),
        render_kw={"rows": 3},
    )
    minimum_grade = StringField(
        lazy_gettext("Minimum grade to adopt (majority judgment)"),
        description=lazy_gettext("Leave empty for Fairly good, or the middle grade."),
    )
    voting_unit = RadioField(
        lazy_gettext("Who has a voice"),
        choices=choices_of(
            [
                (PROJECT_UNIT, lazy_gettext("As in the project's settings")),
                (VotingUnit.HOUSEHOLD.value, lazy_gettext("One voice per household")),
                (VotingUnit.PERSON.value, lazy_gettext("One voice per person")),
            ]
        ),
        default=PROJECT_UNIT,
    )
    quorum = IntegerField(
        lazy_gettext("Quorum, in percent of the voices"),
        description=lazy_gettext(
            "The share of voices that must take part for the vote to count. Leave empty for none."
        ),
        validators=[Optional(), NumberRange(min=1, max=100)],
        render_kw={"min": 1, "max": 100, "inputmode": "numeric"},
    )
    secret = BooleanField(
        lazy_gettext("Secret ballot: once closed, nobody can tell who chose what"),
    )
    results_live = BooleanField(
        lazy_gettext("Show the results while the vote is open (otherwise at the close)"),
    )
    opens_at = DateTimeLocalField(
        lazy_gettext("Opens at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=lazy_gettext(
            "Leave empty to open it now. Until it opens, amendments can join it as options."
        ),
    )
    closes_at = DateTimeLocalField(
        lazy_gettext("Closes at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=lazy_gettext("Leave empty to close it by hand."),
    )
    fallback_after_rounds = IntegerField(
        lazy_gettext("Consent fallback: after how many blocked rounds"),
        description=lazy_gettext(
            "If consent still fails after this many rounds, the next round is a vote for or "
            "against at the threshold below. Filled in from the project's settings; leave "
            "empty to use them."
        ),
        validators=[Optional()],
        render_kw={"min": 1, "max": 10, "inputmode": "numeric"},
    )
    fallback_threshold = SelectField(
        lazy_gettext("Consent fallback threshold"),
        choices=_explained(THRESHOLD_CHOICES),
        default=Threshold.TWO_THIRDS.value,
    )

    def service_arguments(self, timezone: str) -> dict[str, Any]:
        """Return what `open_ballot` takes, from the fields as typed."""
        method = self.method.data
        lines = [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]
        if len(lines) > OPTIONS_MAX:
            raise InvalidValue(N_("A ballot has %(max)s options at most."), max=OPTIONS_MAX)
        article_id = int(self.article.data) if (self.article.data or "").isdigit() else None
        choices: list[str | tuple[str, str]] = []
        for line in lines:
            if article_id is not None:
                label, _, text = line.partition("|")
                choices.append((label.strip()[:LABEL_MAX], text.strip()))
            else:
                choices.append(line)
        grades = [line.strip() for line in (self.grades.data or "").splitlines() if line.strip()]
        consent = method == Method.CONSENT
        return {
            "method": method,
            "article_id": article_id,
            "question": (self.question.data or "").strip() or None,
            "options": choices,
            "threshold": self.threshold.data if method == Method.THRESHOLD else None,
            "grades": grades or None if method == Method.MAJORITY_JUDGMENT else None,
            "minimum_grade": (self.minimum_grade.data or "").strip() or None
            if method == Method.MAJORITY_JUDGMENT
            else None,
            "voting_unit": None if self.voting_unit.data == PROJECT_UNIT else self.voting_unit.data,
            "quorum": Fraction(self.quorum.data, 100) if self.quorum.data else None,
            "secret": self.secret.data,
            "results_live": self.results_live.data,
            "opens_at": stored_datetime(self.opens_at.data, timezone),
            "closes_at": stored_datetime(self.closes_at.data, timezone),
            "fallback_after_rounds": self.fallback_after_rounds.data if consent else None,
            "fallback_threshold": self.fallback_threshold.data
            if consent and self.fallback_after_rounds.data
            else None,
        }


class NextRoundForm(Form):
    """The next round of a blocked consent ballot, on an amended wording."""

    text = TextAreaField(
        lazy_gettext("Amended wording"),
        description=lazy_gettext("Leave empty to vote again on the same wording."),
        render_kw={"rows": 6},
    )
    closes_at = DateTimeLocalField(
        lazy_gettext("Closes at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=lazy_gettext("Leave empty to close it by hand."),
    )

    def closing(self, timezone: str) -> datetime | None:
        return stored_datetime(self.closes_at.data, timezone)


def _text(form: MultiDict, name: str) -> str:
    return (form.get(name) or "").strip()


def paper_choice(view: BallotView, form: MultiDict) -> Any:
    """Return the choice a posted ballot paper holds, in the form `check_choice` reads."""
    method = view.method
    if method is Method.THRESHOLD:
        choice = _text(form, "choice")
        if not choice:
            raise InvalidValue(N_("Choose for, against or abstain."))
        return choice
    if method is Method.CONSENT:
        choice = _text(form, "choice")
        if not choice:
            raise InvalidValue(N_("Choose consent, objection or stand aside."))
        reason = _text(form, "reason")
        if len(reason) > REASON_MAX:
            raise InvalidValue(
                N_("This reason is too long: %(max)s characters at most."), max=REASON_MAX
            )
        return {"choice": choice, "reason": reason if choice == "objection" else ""}
    if method is Method.MAJORITY_JUDGMENT:
        grades = {}
        for option in view.options:
            grade = _text(form, f"grade-{option.key}")
            if not grade:
                raise InvalidValue(N_("Give a grade to %(option)s."), option=option.label)
            grades[option.key] = grade
        return grades
    if method is Method.APPROVAL:
        return form.getlist("approve")
    ranks: dict[int, str] = {}
    for option in view.options:
        raw = _text(form, f"rank-{option.key}")
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= len(view.options):
            raise InvalidValue(
                N_("A rank is a whole number from 1 to %(max)s."), max=len(view.options)
            )
        if int(raw) in ranks:
            raise InvalidValue(N_("Give each option its own rank."))
        ranks[int(raw)] = option.key
    if not ranks:
        raise InvalidValue(N_("Rank at least one option."))
    return [ranks[rank] for rank in sorted(ranks)]


def paper_voices(form: MultiDict, *, own_id: int, offered: bool) -> list[int]:
    """Return whose voices the paper is for: the ticked ones when proxies are offered."""
    if not offered:
        return [own_id]
    ids = [int(value) for value in form.getlist("voice") if value.isdigit()]
    if not ids:
        raise InvalidValue(N_("Tick whose voice you vote with."))
    return ids


RANKED_PAPER_ROWS = 6
COUNTED_VOTES = ("for", "against", "abstain")


def _count(form: MultiDict, name: str) -> int:
    raw = _text(form, name) or "0"
    if not raw.isdigit():
        raise InvalidValue(N_("A count is a whole number, zero or more."))
    return int(raw)


def prefixed_fields(form: MultiDict, prefix: str) -> MultiDict:
    """Return the fields posted under `prefix`, without it: one row of a table of papers."""
    fields = MultiDict()
    for key in form:
        if key.startswith(prefix):
            for value in form.getlist(key):
                fields.add(key[len(prefix) :], value)
    return fields


def room_papers(view: BallotView, form: MultiDict, *, papers: int) -> list[Any]:
    """Return the paper ballots a secret vote counted in the room stands for."""
    method = view.method
    if method is Method.THRESHOLD:
        return paper_ballots({value: _count(form, f"count-{value}") for value in COUNTED_VOTES})
    if method is Method.CONSENT:
        counted = paper_ballots(
            {value: _count(form, f"count-{value}") for value in ("consent", "stand_aside")}
        )
        reasons = [line.strip() for line in (form.get("objections") or "").splitlines()]
        return [{"choice": value, "reason": ""} for value in counted] + [
            {"choice": "objection", "reason": reason} for reason in reasons if reason
        ]
    if method is Method.APPROVAL:
        counts = {option.key: _count(form, f"count-{option.key}") for option in view.options}
        return counted_papers(view, counts, papers=papers)
    if method is Method.MAJORITY_JUDGMENT:
        grades = {
            option.key: {
                grade: _count(form, f"count-{option.key}-{grade}") for grade in view.rules.grades
            }
            for option in view.options
        }
        return counted_papers(view, grades, papers=papers)
    rows = []
    for row in range(RANKED_PAPER_ROWS):
        fields = prefixed_fields(form, f"paper{row}-")
        count = _count(fields, "count")
        if count:
            rows.append((paper_choice(view, fields), count))
    return paper_ballots(rows)
