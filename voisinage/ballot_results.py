"""Results in words: one sentence per ballot, the same in the bot, the web, the log and the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voisinage.errors import N_
from voisinage.i18n import Translator
from voisinage.tallies import GRADE_LABELS, Method, Outcome

METHOD_NAMES = {
    Method.THRESHOLD: N_("for / against / abstain"),
    Method.CONSENT: N_("consent"),
    Method.MAJORITY_JUDGMENT: N_("majority judgment"),
    Method.APPROVAL: N_("approval"),
    Method.RANKED: N_("ranked choice (Schulze)"),
}


def method_name(method: str, translator: Translator) -> str:
    """Return a method's name in the reader's language."""
    return translator.gettext(METHOD_NAMES[Method(method)])


def grade_label(grade: str, translator: Translator) -> str:
    """Return a grade's label: the default grades translated, custom ones as written."""
    return translator.gettext(GRADE_LABELS[grade]) if grade in GRADE_LABELS else grade


def _outcome(result: Mapping[str, Any], labels: Mapping[str, str], _: Translator) -> str:
    outcome = Outcome(result["outcome"])
    winners = ", ".join(labels.get(key, key) for key in result["winners"])
    if outcome is Outcome.ADOPTED:
        return _.gettext("adopted: %(winner)s", winner=winners) if winners else _.gettext("adopted")
    if outcome is Outcome.TIE:
        if winners:
            return _.gettext("not adopted: tie between %(options)s", options=winners)
        return _.gettext("not adopted: tie")
    if outcome is Outcome.NO_QUORUM:
        return _.gettext(
            "not adopted: quorum not reached, %(took_part)s of %(eligible)s took part, %(needed)s needed",
            took_part=result["took_part"],
            eligible=result["eligible"],
            needed=result["quorum"]["needed"],
        )
    if outcome is Outcome.BLOCKED:
        return _.gettext(
            "not adopted: blocked by %(count)s objection(s)",
            count=result["figures"]["objections"],
        )
    return _.gettext("not adopted")


def _figures(result: Mapping[str, Any], labels: Mapping[str, str], _: Translator) -> str:
    figures = result["figures"]
    method = Method(result["method"])
    if method is Method.THRESHOLD:
        return _.gettext(
            "%(for)s for, %(against)s against, %(abstain)s abstaining",
            **{
                "for": figures["votes_for"],
                "against": figures["votes_against"],
                "abstain": figures["abstentions"],
            },
        )
    if method is Method.CONSENT:
        return _.gettext(
            "%(consents)s consent, %(objections)s object, %(asides)s stand aside",
            consents=figures["consents"],
            objections=figures["objections"],
            asides=figures["stand_asides"],
        )
    if method is Method.MAJORITY_JUDGMENT:
        return "; ".join(
            _.gettext(
                "%(option)s: %(grade)s",
                option=labels.get(profile["option"], profile["option"]),
                grade=grade_label(profile["majority_grade"], _)
                if profile["majority_grade"]
                else "—",
            )
            for profile in figures["profiles"]
        )
    if method is Method.APPROVAL:
        return "; ".join(
            _.gettext(
                "%(option)s: %(count)s approvals",
                option=labels.get(row["option"], row["option"]),
                count=row["approvals"],
            )
            for row in figures["options"]
        )
    return " > ".join(
        " = ".join(labels.get(key, key) for key in group) for group in result["ranking"]
    )


def describe_result(
    result: Mapping[str, Any], translator: Translator, *, labels: Mapping[str, str] | None = None
) -> str:
    """Return a result (as recorded) in one sentence: outcome, figures, participation.

    "not adopted: quorum not reached, 8 of 12 took part, 9 needed (7 for, 1 against, 0 abstaining)"
    """
    labels = labels or {}
    text = translator.gettext(
        "%(outcome)s (%(figures)s)",
        outcome=_outcome(result, labels, translator),
        figures=_figures(result, labels, translator),
    )
    if result["outcome"] != Outcome.NO_QUORUM and result.get("eligible"):
        text += translator.gettext(
            "; %(took_part)s of %(eligible)s voices took part",
            took_part=result["took_part"],
            eligible=result["eligible"],
        )
    channels = result.get("channels") or {}
    if channels.get("room"):
        text += translator.gettext("; %(count)s in the room", count=channels["room"])
    if channels.get("by_proxy"):
        text += translator.gettext("; %(count)s by proxy", count=channels["by_proxy"])
    return text
