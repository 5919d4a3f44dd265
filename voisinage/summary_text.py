"""The project summary as text, section by section: the command line, the bot and the digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_timedelta

from voisinage.errors import N_
from voisinage.i18n import Translator
from voisinage.project_summary import ProjectSummary
from voisinage.workshops import WorkshopStatus

OUTCOMES = {
    "adopted": N_("adopted"),
    "rejected": N_("rejected"),
    "tie": N_("tie"),
    "no_quorum": N_("quorum not reached"),
    "blocked": N_("blocked"),
}


@dataclass(frozen=True)
class Section:
    """One part of the summary: "path", "open", "waiting" or "since", its heading and lines."""

    key: str
    heading: str
    lines: list[str]


def _when(value: datetime, summary: ProjectSummary, _: Translator) -> str:
    return _.datetime(value, summary.timezone, format="short")


def _label(code: str, title: str) -> str:
    return f"{code} {title}".strip()


def _names(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … (+{len(names) - limit})" if len(names) > limit else "")


def _path_lines(summary: ProjectSummary, _: Translator) -> list[str]:
    lines = []
    for step in summary.path:
        name = _label(step.code, step.title)
        if step.state == WorkshopStatus.DONE:
            line = _.gettext(
                "✓ %(step)s: held on %(date)s, %(count)s came",
                step=name,
                date=_.date(step.starts_at, summary.timezone),
                count=step.attendance_count,
            )
        elif step.state == WorkshopStatus.SCHEDULED:
            line = _.gettext(
                "→ %(step)s: %(date)s, %(coming)s coming",
                step=name,
                date=_when(step.starts_at, summary, _),
                coming=step.coming,
            )
            if step.capacity is not None:
                line += _.gettext(" of %(capacity)s places", capacity=step.capacity)
            if step.waiting:
                line += _.gettext(", %(count)s on the waiting list", count=step.waiting)
        else:
            line = _.gettext("· %(step)s: to schedule", step=name)
            if step.poll is not None:
                line += _.gettext(
                    "; poll until %(deadline)s, %(answered)s of %(asked)s answered",
                    deadline=_when(step.poll.deadline, summary, _),
                    answered=step.poll.answered,
                    asked=step.poll.asked,
                )
                best = step.poll.best_slot
                if best is not None:
                    line += _.gettext(
                        ", best slot so far %(date)s (%(yes)s yes, %(maybe)s if need be)",
                        date=_when(best.starts_at, summary, _),
                        yes=best.yes,
                        maybe=best.if_need_be,
                    )
        lines.append("  " + line)
    return lines or ["  " + _.gettext("No path yet.")]


def _open_lines(summary: ProjectSummary, _: Translator) -> list[str]:
    lines = []
    for q in summary.questionnaires:
        line = _.gettext(
            "Questionnaire %(title)s: %(submitted)s of %(eligible)s answered",
            title=q.title,
            submitted=q.submitted,
            eligible=q.eligible,
        )
        if q.missing:
            names = [
                _.gettext("%(name)s (draft)", name=m.name) if m.state == "draft" else m.name
                for m in q.missing
            ]
            line += _.gettext("; missing: %(names)s", names=_names(names))
        lines.append("  " + line)
    for ballot in summary.ballots:
        line = _.gettext(
            "Ballot %(question)s: %(took_part)s of %(eligible)s voices voted",
            question=ballot.question,
            took_part=ballot.took_part,
            eligible=ballot.eligible,
        )
        if ballot.quorum_needed is not None:
            line += (
                _.gettext(", quorum reached (%(needed)s)", needed=ballot.quorum_needed)
                if ballot.quorum_reached
                else _.gettext(", quorum: %(needed)s needed", needed=ballot.quorum_needed)
            )
        if ballot.seconds_left is not None:
            line += _.gettext(
                ", closes in %(time)s",
                time=format_timedelta(timedelta(seconds=ballot.seconds_left), locale=_.locale),
            )
        if ballot.missing:
            line += _.gettext(
                "; missing: %(names)s", names=_names([missing.name for missing in ballot.missing])
            )
        lines.append("  " + line)
    return lines or ["  " + _.gettext("Nothing open.")]


def _waiting_lines(summary: ProjectSummary, _: Translator) -> list[str]:
    waiting = summary.waiting
    lines = [
        _.gettext(
            "Amendment to decide: %(article)s (%(document)s)",
            article=a.article_title,
            document=a.document_title,
        )
        for a in waiting.amendments
    ]
    lines += [
        _.gettext(
            "Consent blocked by %(count)s objection(s), next round to open: %(question)s",
            count=b.objections,
            question=b.question,
        )
        for b in waiting.blocked_consents
    ]
    lines += [
        _.gettext(
            "Poll past its deadline, a slot to confirm: %(title)s (%(deadline)s)",
            title=p.title,
            deadline=_when(p.deadline, summary, _),
        )
        for p in waiting.polls_past_deadline
    ]
    lines += [
        _.gettext(
            "Attendance to record: %(title)s (%(date)s)",
            title=_label(w.code, w.title),
            date=_when(w.starts_at, summary, _),
        )
        for w in waiting.attendance_to_record
    ]
    return ["  " + line for line in lines] or ["  " + _.gettext("Nothing waits for you.")]


def _since_lines(summary: ProjectSummary, _: Translator) -> list[str]:
    since = summary.since
    lines = []
    for ballot in since.ballots_closed:
        outcome = _.gettext(OUTCOMES.get(ballot.outcome, ballot.outcome))
        if ballot.winners:
            outcome += f": {', '.join(ballot.winners)}"
        lines.append(
            _.gettext(
                "Ballot closed: %(question)s — %(outcome)s",
                question=ballot.question,
                outcome=outcome,
            )
        )
    lines += [
        _.gettext(
            "Article adopted: %(title)s (%(document)s)",
            title=article.title,
            document=article.document_title,
        )
        for article in since.articles_adopted
    ]
    lines += [
        _.gettext(
            "Workshop held: %(title)s on %(date)s, %(count)s came",
            title=_label(w.code, w.title),
            date=_.date(w.starts_at, summary.timezone),
            count=w.attendance_count,
        )
        for w in since.workshops_held
    ]
    return ["  " + line for line in lines] or ["  " + _.gettext("Nothing new.")]


def summary_title(summary: ProjectSummary, translator: Translator) -> str:
    """Return the summary's title line: the project and the moment it was computed."""
    return translator.gettext(
        "%(project)s — where the project stands on %(date)s",
        project=summary.name,
        date=_when(summary.generated_at, summary, translator),
    )


def summary_sections(summary: ProjectSummary, translator: Translator) -> list[Section]:
    """Return the summary's four sections as translated text, in reading order."""
    _ = translator
    since = _.gettext("Since %(date)s", date=_.date(summary.since.since, summary.timezone))
    return [
        Section("path", _.gettext("Path"), _path_lines(summary, _)),
        Section("open", _.gettext("Open questionnaires and ballots"), _open_lines(summary, _)),
        Section("waiting", _.gettext("Waiting for the facilitators"), _waiting_lines(summary, _)),
        Section("since", since, _since_lines(summary, _)),
    ]


def summary_text(summary: ProjectSummary, translator: Translator) -> str:
    """Return the summary as text for a terminal, one section after another."""
    parts = [summary_title(summary, translator)]
    for section in summary_sections(summary, translator):
        parts += ["", section.heading, *section.lines]
    return "\n".join(parts)
