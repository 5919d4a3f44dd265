"""The digests as text, rendered when sent in the reader's language (voisinage.digests).

A digest's notification holds the summary as data (`summary_data`); it is read back into the
summary's dataclasses here, so the text is the same as the other front doors'.
"""

from __future__ import annotations

import types
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta
from typing import Any, Union, get_args, get_origin, get_type_hints

from voisinage.i18n import Translator
from voisinage.project_summary import ProjectSummary, ResidentSummary
from voisinage.summary_text import (
    Section,
    ballot_line,
    since_section,
    summary_sections,
    summary_title,
)
from voisinage.workshop_notices import moment

FACILITATOR_DIGEST = "digest.facilitator"
GROUP_DIGEST = "digest.group"
# Telegram refuses a message longer than this, counted in UTF-16 code units.
MESSAGE_LIMIT = 4096
# Lines shown per section before "… and N more".
LINES_PER_SECTION = 8


def from_data(kind: Any, data: Any) -> Any:
    """Return `summary_data`'s output read back as `kind` (a summary dataclass, or a part)."""
    if data is None:
        return None
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        (kind,) = [arg for arg in get_args(kind) if arg is not type(None)]
        return from_data(kind, data)
    if origin is tuple:
        return tuple(from_data(get_args(kind)[0], item) for item in data)
    if is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(
            **{field.name: from_data(hints[field.name], data[field.name]) for field in fields(kind)}
        )
    if kind is datetime:
        return datetime.fromisoformat(data)
    return data


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _join(head: list[str], sections: list[Section], shown: int, _: Translator) -> str:
    parts = list(head)
    for section in sections:
        lines = section.lines[:shown]
        if len(section.lines) > shown:
            more = len(section.lines) - shown
            lines.append("  " + _.gettext("… and %(count)s more", count=more))
        parts += ["", section.heading, *lines]
    return "\n".join(parts)


def fit_message(head: list[str], sections: list[Section], translator: Translator) -> str:
    """Return the head and sections as one message within Telegram's limit, the longest cut."""
    for shown in range(LINES_PER_SECTION, 0, -1):
        text = _join(head, sections, shown, translator)
        if _length(text) <= MESSAGE_LIMIT:
            return text
    # Even one line per section is too long (very long titles): cut the end.
    while _length(text) > MESSAGE_LIMIT - 1:
        text = text[: -max(_length(text) - MESSAGE_LIMIT + 1, 1)]
    return text + "…"


def _open_section(summary: ResidentSummary, _: Translator) -> Section:
    lines = []
    for ballot in summary.ballots:
        left = None
        if ballot.closes_at is not None:
            left = max(ballot.closes_at - summary.generated_at, timedelta(0))
        lines.append("  " + ballot_line(ballot, left, _))
    for questionnaire in summary.questionnaires:
        line = _.gettext(
            "Questionnaire %(title)s: %(submitted)s of %(eligible)s answered",
            title=questionnaire.title,
            submitted=questionnaire.submitted,
            eligible=questionnaire.eligible,
        )
        if questionnaire.closes_at is not None:
            line += _.gettext(
                ", until %(moment)s", moment=moment(_, questionnaire.closes_at, summary.timezone)
            )
        lines.append("  " + line)
    return Section("open", _.gettext("Open now"), lines or ["  " + _.gettext("Nothing open.")])


def _next_section(summary: ResidentSummary, _: Translator) -> Section:
    step = summary.next_workshop
    if step is None:
        return Section("next", _.gettext("Next workshop"), ["  " + _.gettext("None scheduled.")])
    line = _.gettext(
        "%(title)s: %(moment)s, %(place)s",
        title=" ".join(part for part in (step.code, step.title) if part),
        moment=moment(_, step.starts_at, summary.timezone),
        place=step.place,
    )
    if step.places_left is not None:
        line += _.gettext(" (places left: %(count)s)", count=step.places_left)
    return Section("next", _.gettext("Next workshop"), ["  " + line])


def _late(params: dict[str, Any], timezone: str, _: Translator) -> list[str]:
    if not params["late"]:
        return []
    planned = datetime.fromisoformat(params["scheduled_for"])
    return [_.gettext("(late: planned for %(moment)s)", moment=moment(_, planned, timezone))]


def render_digest(kind: str, params: dict[str, Any], translator: Translator) -> str:
    """Return a digest's text: the facilitators' summary, or the group's (no names)."""
    _ = translator
    if kind == FACILITATOR_DIGEST:
        summary = from_data(ProjectSummary, params["summary"])
        head = [summary_title(summary, _), *_late(params, summary.timezone, _)]
        return fit_message(head, summary_sections(summary, _), _)
    resident = from_data(ResidentSummary, params["summary"])
    title = _.gettext(
        "%(project)s — the group's digest of %(date)s",
        project=resident.name,
        date=_.date(resident.generated_at, resident.timezone),
    )
    sections = [
        _open_section(resident, _),
        since_section(resident, _),
        _next_section(resident, _),
    ]
    return fit_message([title, *_late(params, resident.timezone, _)], sections, _)
