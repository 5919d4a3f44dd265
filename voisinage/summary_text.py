"""The project summary as text, section by section: the command line, the bot and the digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_timedelta

from voisinage.errors import N_
from voisinage.i18n import Translator
from voisinage.project_summary import (
    ProjectSummary,
    ResidentBallot,
    ResidentSummary,
    item_subject,
)
from voisinage.summary_votes import BallotSummary
from voisinage.workshops import WorkshopStatus

OUTCOMES = {
    "adopted": N_("adopted"),
    "rejected": N_("rejected"),
    "tie": N_("tie"),
    "no_quorum": N_("quorum not reached"),
    "blocked": N_("blocked"),
}
# Names listed per item; a digest's data holds fewer (voisinage.digests).
NAMES_SHOWN = 12


@dataclass(frozen=True)
class Item:
    """One line of a section, and the item it is about, for the front doors that link or nudge."""

    text: str
    # "questionnaire:<id>", "ballot:<id>", "poll:<id>" (as nudges name them), "article:<id>",
    # "consent:<ballot id>" or "workshop:<id>"; None for a line about no one item.
    subject: str | None = None
    # Those a nudge would remind now (households or members, as the item counts them).
    missing: int = 0


@dataclass(frozen=True)
class Section:
    """One part of the summary: "path", "open", "waiting" or "since", its heading and lines."""

    key: str
    heading: str
    lines: list[str]
    # The items behind the lines, in the same order; none when the section is empty.
    items: tuple[Item, ...] = ()


def _when(value: datetime, summary: ProjectSummary, _: Translator) -> str:
    return _.datetime(value, summary.timezone, format="short")


def _label(code: str, title: str) -> str:
    return f"{code} {title}".strip()


def _names(names: list[str], total: int, limit: int = NAMES_SHOWN) -> str:
    # `total` counts everyone missing: a compact summary (a digest) holds only a few names.
    shown = names[:limit]
    more = total - len(shown)
    return ", ".join(shown) + (f", … (+{more})" if more > 0 else "")


def _path_items(summary: ProjectSummary, _: Translator) -> list[Item]:
    items = []
    for step in summary.path:
        subject, missing = None, 0
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
                subject = item_subject("poll", step.poll.poll_id)
                # Past its deadline, a poll takes no more answers: nobody to remind.
                missing = 0 if step.poll.past_deadline else len(step.poll.missing)
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
        items.append(Item(line, subject, missing))
    return items


def _open_items(summary: ProjectSummary, _: Translator) -> list[Item]:
    items = []
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
            line += _.gettext(
                "; missing: %(names)s",
                names=_names(names, q.eligible - q.submitted),
            )
        items.append(Item(line, item_subject("questionnaire", q.id), len(q.missing)))
    for ballot in summary.ballots:
        left = None if ballot.seconds_left is None else timedelta(seconds=ballot.seconds_left)
        line = ballot_line(ballot, left, _)
        if ballot.missing:
            line += _.gettext(
                "; missing: %(names)s",
                names=_names(
                    [missing.name for missing in ballot.missing],
                    ballot.eligible - ballot.took_part,
                ),
            )
        items.append(Item(line, item_subject("ballot", ballot.id), len(ballot.missing)))
    return items


def ballot_line(
    ballot: BallotSummary | ResidentBallot, left: timedelta | None, _: Translator
) -> str:
    """Return an open ballot's participation as one line: voices voted, quorum, time left."""
    line = _.gettext(
        "Ballot %(question)s: %(took_part)s of %(eligible)s voices voted",
        question=ballot.question,
        took_part=ballot.took_part,
        eligible=ballot.eligible,
    )
    if ballot.quorum_needed is not None:
        line += (
            _.gettext(", quorum reached (%(needed)s)", needed=ballot.quorum_needed)
            if ballot.took_part >= ballot.quorum_needed
            else _.gettext(", quorum: %(needed)s needed", needed=ballot.quorum_needed)
        )
    if left is not None:
        line += _.gettext(", closes in %(time)s", time=format_timedelta(left, locale=_.locale))
    return line


def _waiting_items(summary: ProjectSummary, _: Translator) -> list[Item]:
    waiting = summary.waiting
    items = [
        Item(
            _.gettext(
                "Amendment to decide: %(article)s (%(document)s)",
                article=a.article_title,
                document=a.document_title,
            ),
            f"article:{a.article_id}",
        )
        for a in waiting.amendments
    ]
    items += [
        Item(
            _.ngettext(
                "Consent blocked by %(count)s objection, next round to open: %(question)s",
                "Consent blocked by %(count)s objections, next round to open: %(question)s",
                b.objections,
                question=b.question,
            ),
            f"consent:{b.ballot_id}",
        )
        for b in waiting.blocked_consents
    ]
    items += [
        Item(
            _.gettext(
                "Poll past its deadline, a slot to confirm: %(title)s (%(deadline)s)",
                title=p.title,
                deadline=_when(p.deadline, summary, _),
            ),
            item_subject("poll", p.poll_id),
        )
        for p in waiting.polls_past_deadline
    ]
    items += [
        Item(
            _.gettext(
                "Attendance to record: %(title)s (%(date)s)",
                title=_label(w.code, w.title),
                date=_when(w.starts_at, summary, _),
            ),
            f"workshop:{w.workshop_id}",
        )
        for w in waiting.attendance_to_record
    ]
    return items


def _since_items(summary: ProjectSummary | ResidentSummary, _: Translator) -> list[Item]:
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
    return [Item(line) for line in lines]


def _section(key: str, heading: str, items: list[Item], empty: str) -> Section:
    lines = ["  " + item.text for item in items] or ["  " + empty]
    return Section(key, heading, lines, tuple(items))


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
    return [
        _section("path", _.gettext("Path"), _path_items(summary, _), _.gettext("No path yet.")),
        _section(
            "open",
            _.gettext("Open questionnaires and ballots"),
            _open_items(summary, _),
            _.gettext("Nothing open."),
        ),
        _section(
            "waiting",
            _.gettext("Waiting for the facilitators"),
            _waiting_items(summary, _),
            _.gettext("Nothing waits for you."),
        ),
        since_section(summary, _),
    ]


def since_section(summary: ProjectSummary | ResidentSummary, translator: Translator) -> Section:
    """Return what happened since the summary's date: results, adopted articles, workshops held."""
    _ = translator
    heading = _.gettext("Since %(date)s", date=_.date(summary.since.since, summary.timezone))
    return _section("since", heading, _since_items(summary, _), _.gettext("Nothing new."))


def summary_text(summary: ProjectSummary, translator: Translator) -> str:
    """Return the summary as text for a terminal, one section after another."""
    parts = [summary_title(summary, translator)]
    for section in summary_sections(summary, translator):
        parts += ["", section.heading, *section.lines]
    return "\n".join(parts)
