"""Calendars and reminders: the member's private feed URL, and the feed itself.

The feed is read by calendar apps, which have no session: its URL's secret token is the only
key, so the feed blueprint stands outside the project pages, answers GET only, and says 404
for an unknown or revoked token, as for any page that does not exist.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext

from voisinage import outbox
from voisinage.errors import LinkInvalid
from voisinage.workshop_calendars import (
    calendar_host,
    issue_calendar_token,
    member_feed_ics,
    revoke_calendar_token,
)
from webforms import auth
from webforms.db import get_session, get_settings
from webforms.forms import Form
from webforms.workshop_forms import RemindersForm
from webforms.workshops import is_invited

feed = Blueprint("calendar_feed", __name__)
bp = auth.project_blueprint("calendar", __name__)


@feed.get("/calendar/<token>.ics")
def member_feed(token: str):
    """Send the calendar of the token's member: every dated workshop of their project."""
    data = member_feed_ics(
        get_session(), token=token, host=calendar_host(get_settings().public_url)
    )
    return Response(data, mimetype="text/calendar")


@feed.errorhandler(LinkInvalid)
def unknown_feed(error: LinkInvalid):
    # Plain text for calendar apps, and no page around it: no form, so no session cookie.
    return Response(error.translate(gettext), status=404, mimetype="text/plain")


def feed_urls(token: str) -> tuple[str, str]:
    """Return the feed's https address, and the webcal:// one that phones subscribe to."""
    url = get_settings().public_url.rstrip("/") + url_for("calendar_feed.member_feed", token=token)
    return url, urlunsplit(("webcal", *urlsplit(url)[1:]))


def calendar_page(
    *,
    token: str | None = None,
    reminders: RemindersForm | None = None,
    action: Form | None = None,
    status: int = 200,
):
    member_id = auth.current().member.id
    enabled = outbox.reminders_enabled(get_session(), member_id=member_id)
    return render_template(
        "workshops/calendar.html",
        feed_url=feed_urls(token) if token else None,
        invited=is_invited(),
        reminders=reminders or RemindersForm(formdata=None, reminders=enabled),
        reminders_on=enabled,
        action=action or Form(formdata=None),
    ), status


@bp.get("/calendar")
def calendar():
    """Show the member's calendar feed and reminder settings."""
    return calendar_page()


@bp.post("/calendar/feed")
def issue_feed():
    """Make a new private feed URL, shown once; the previous one stops working."""
    form = Form()
    member_id = auth.current().member.id
    token = form.submit(
        lambda db: issue_calendar_token(
            db, project_id=auth.current().project.id, member_id=member_id
        )
    )
    if token is None:
        return calendar_page(action=form, status=form.status)
    # Shown on this page only, never put in the session cookie or a redirect.
    return calendar_page(token=token)


@bp.post("/calendar/feed/revoke")
def revoke_feed():
    """Make the member's feed URL stop working."""
    form = Form()
    member_id = auth.current().member.id
    revoked = form.submit(lambda db: revoke_calendar_token(db, member_id=member_id))
    if revoked:
        flash(gettext("Your calendar feed address no longer works."))
    elif revoked is not None:
        flash(gettext("You had no calendar feed address."))
    return redirect(url_for(".calendar"))


@bp.post("/calendar/reminders")
def reminders():
    """Turn the member's reminders on or off; their pending reminders follow at once."""
    form = RemindersForm()
    member_id = auth.current().member.id
    saved = form.submit(
        lambda db: (
            outbox.set_reminders(db, member_id=member_id, enabled=form.reminders.data) or True
        )
    )
    if saved is None:
        return calendar_page(reminders=form, status=form.status)
    flash(gettext("Reminders on.") if form.reminders.data else gettext("Reminders off."))
    return redirect(url_for(".calendar"))
