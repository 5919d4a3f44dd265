"""The words of workshop and poll notifications, rendered in the recipient's language at send time.

The outbox stores plain parameters (titles, ISO datetimes, the project's time zone); the text is
chosen and the dates formatted only when the bot sends, in the language the member has then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voisinage.errors import N_
from voisinage.i18n import Translator

TEXTS = {
    "poll.opened": N_(
        "New availability poll for “%(title)s”: say which dates suit you before %(deadline)s."
    ),
    "poll.reminder": N_(
        "Reminder: you have not given your availability for “%(title)s” yet. "
        "The poll closes on %(deadline)s."
    ),
    "poll.deadline_passed": N_(
        "The availability poll for “%(title)s” closed on %(deadline)s. "
        "Choose a slot to schedule the workshop."
    ),
    "workshop.scheduled": N_(
        "“%(title)s” is scheduled on %(when)s (%(place)s). Tell us whether you are coming."
    ),
    "workshop.changed": N_(
        "“%(title)s” has changed: it is now on %(when)s (%(place)s). Check that you can still come."
    ),
    "workshop.cancelled": N_("“%(title)s” planned on %(when)s is cancelled."),
    "workshop.reminder_48h": N_("Reminder: “%(title)s” is in two days, on %(when)s (%(place)s)."),
    "workshop.reminder_2h": N_("Reminder: “%(title)s” starts in two hours (%(place)s)."),
    "rsvp.promoted": N_(
        "A place has opened up: you are now registered for “%(title)s” on %(when)s (%(place)s)."
    ),
}


def when(translator: Translator, starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """Return a workshop's date and hours, e.g. 'mercredi 3 mars 2027, de 14:00 à 17:30'."""
    return translator.gettext(
        "%(date)s, from %(start)s to %(end)s",
        date=translator.date(starts_at, timezone, format="full"),
        start=translator.time(starts_at, timezone),
        end=translator.time(ends_at, timezone),
    )


def moment(translator: Translator, value: datetime, timezone: str) -> str:
    """Return a date and time, e.g. 'vendredi 26 février 2027 à 18:00'."""
    return translator.gettext(
        "%(date)s at %(time)s",
        date=translator.date(value, timezone, format="full"),
        time=translator.time(value, timezone),
    )


def render_workshop_notice(kind: str, params: dict[str, Any], translator: Translator) -> str:
    """Return the text of a workshop, poll or RSVP notification in the translator's language."""
    values: dict[str, str] = {"title": params["title"]}
    timezone = params["timezone"]
    if "deadline" in params:
        values["deadline"] = moment(
            translator, datetime.fromisoformat(params["deadline"]), timezone
        )
    if "starts_at" in params:
        starts_at = datetime.fromisoformat(params["starts_at"])
        ends_at = datetime.fromisoformat(params["ends_at"])
        values["when"] = when(translator, starts_at, ends_at, timezone)
        values["place"] = params.get("place") or translator.gettext("place to be announced")
    return translator.gettext(TEXTS[kind], **values)
