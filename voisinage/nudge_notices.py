"""The words of a nudge, rendered in the recipient's language when the bot sends it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voisinage.errors import N_
from voisinage.i18n import Translator
from voisinage.workshop_notices import moment

TEXTS = {
    "nudge.questionnaire": N_(
        "A reminder from %(project)s: the questionnaire “%(title)s” waits for your answers "
        "(it closes on %(deadline)s)."
    ),
    "nudge.questionnaire_until_closed": N_(
        "A reminder from %(project)s: the questionnaire “%(title)s” waits for your answers."
    ),
    "nudge.ballot": N_(
        "A reminder from %(project)s: your voice has not voted on “%(title)s” yet "
        "(the ballot closes on %(deadline)s)."
    ),
    "nudge.ballot_until_closed": N_(
        "A reminder from %(project)s: your voice has not voted on “%(title)s” yet."
    ),
    "nudge.poll": N_(
        "A reminder from %(project)s: give your availability for “%(title)s” before %(deadline)s."
    ),
}


def render_nudge_notice(kind: str, params: dict[str, Any], translator: Translator) -> str:
    """Return the text of a nudge: the item that waits for the member, and until when."""
    values = {"project": params["project"], "title": params["title"]}
    if params["closes_at"] is None:
        return translator.gettext(TEXTS[f"{kind}_until_closed"], **values)
    deadline = datetime.fromisoformat(params["closes_at"])
    return translator.gettext(
        TEXTS[kind], deadline=moment(translator, deadline, params["timezone"]), **values
    )
