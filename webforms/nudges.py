"""Reminding those missing on an item, from its facilitator page (voisinage.nudges).

The button posts the item's subject and the page to come back to; the outcome, or the reason
it was refused, is flashed on that page.
"""

from __future__ import annotations

from flask import flash, redirect
from flask_babel import gettext, ngettext
from wtforms import HiddenField

from voisinage.enums import Role
from voisinage.models import utcnow
from voisinage.nudges import NudgeRefused, NudgeResult, nudge, nudge_history, pending
from webforms import auth
from webforms.access import local_path
from webforms.db import get_session
from webforms.errors import render_error
from webforms.forms import Form

bp = auth.project_blueprint("nudges", __name__, role=Role.FACILITATOR)


class NudgeForm(Form):
    subject = HiddenField()
    next = HiddenField()


def panel(subject: str) -> dict:
    """Return what `nudges.html`'s nudge_form needs for an item: history, and who is missing.

    `missing` is 0 once the item no longer takes answers: the history stays, the button goes.
    """
    session = get_session()
    membership = auth.current()
    project_id = membership.project.id
    history = nudge_history(session, project_id=project_id, subjects=[subject]).get(subject, ())
    try:
        missing = len(
            pending(
                session,
                project_id=project_id,
                subject=subject,
                actor_id=membership.member.id,
                now=utcnow(),
            ).members
        )
    except NudgeRefused:
        missing = 0
    return {"subject": subject, "history": history, "missing": missing}


def _outcome(result: NudgeResult) -> list[str]:
    lines = [
        ngettext(
            "Reminder sent through the bot to %(num)s member.",
            "Reminder sent through the bot to %(num)s members.",
            result.sent_count,
        )
    ]
    if result.without_telegram:
        lines.append(
            gettext(
                "The bot cannot reach these members, remind them otherwise: %(names)s.",
                names=", ".join(result.without_telegram),
            )
        )
    if result.skipped:
        lines.append(
            gettext(
                "Already reminded in the last 24 hours, so not reminded again: %(names)s.",
                names=", ".join(result.skipped),
            )
        )
    return lines


@bp.post("/nudges")
def send():
    """Remind those missing on the item, then go back to the page the button was on."""
    form = NudgeForm()
    membership = auth.current()
    result = form.submit(
        lambda db: nudge(
            db,
            project_id=membership.project.id,
            actor_id=membership.member.id,
            subject=form.subject.data,
        )
    )
    if form.refusal_status in (403, 404):
        # Another project's item, or a forged subject: no page of ours to go back to.
        return render_error(form.refusal_status, form.form_errors[-1])
    for line in _outcome(result) if result is not None else form.form_errors:
        flash(line)
    return redirect(local_path(form.next.data))
