"""Getting in and out: magic links, joining from an invitation, signing out, the language."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext

from voisinage import people, tokens
from voisinage.funders_report import projects_overview
from voisinage.memberships import list_memberships
from voisinage.models import Project
from voisinage.permissions import is_facilitator
from webforms import auth, i18n, sharing
from webforms.db import get_session, get_settings, unit_of_work
from webforms.forms import NEW_HOUSEHOLD, JoinForm, LanguageForm, options

bp = Blueprint("access", __name__)


@bp.get("/")
def index():
    """Send a member to their project; let a member of several pick one."""
    member_ids = auth.signed_in_member_ids()
    memberships = list_memberships(get_session(), member_ids=member_ids)
    gone = set(member_ids) - {m.member.id for m in memberships}
    if gone:
        # Members erased since (from the bot's /forget, for example) no longer count.
        auth.sign_out(member_ids=list(gone))
    if len(memberships) == 1:
        return redirect(_project_home(memberships[0].member, memberships[0].project.slug))
    # Facilitators see where each of their projects stands before picking one.
    figures = {
        overview.project_id: overview
        for overview in projects_overview(
            get_session(), member_ids=[m.member.id for m in memberships if m.is_facilitator]
        )
    }
    return render_template("access/index.html", memberships=memberships, figures=figures)


def _project_home(member, slug: str) -> str:
    """Return where a member lands in their project: the dashboard for its facilitators."""
    endpoint = "dashboard.dashboard" if is_facilitator(member) else "residents.home"
    return url_for(endpoint, slug=slug)


@bp.get("/login/<token>")
def login_page(token: str):
    """Show who the link signs in, and a button: opening the link alone must not use it up."""
    member = tokens.check_login_token(
        get_session(), token=token, secret_key=get_settings().secret_key
    )
    project = get_session().get(Project, member.project_id)
    # Not signed in yet: a language chosen on this browser comes before the member's own.
    i18n.prefer(
        member_language=session.get(i18n.SESSION_LANGUAGE) or member.language,
        project_language=project.language,
    )
    return render_template("access/login.html", member=member, project=project)


@bp.post("/login/<token>")
def login(token: str):
    """Use the link up and open the session (CSRFProtect has checked the form already)."""
    with unit_of_work() as db:
        member = tokens.redeem_login_token(db, token=token, secret_key=get_settings().secret_key)
        project = db.get(Project, member.project_id)
    auth.sign_in(member)
    return redirect(_project_home(member, project.slug))


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str):
    """Show what an invitation leads to and take the newcomer's name and household."""
    form = JoinForm()
    household_id, household_name = form.chosen_household()
    joined = form.submit(
        lambda db: people.redeem_invitation(
            db,
            code=code,
            person_key=people.web_person_key(form.nonce.data),
            display_name=form.display_name.data,
            household_id=household_id,
            household_name=household_name,
            language=session.get(i18n.SESSION_LANGUAGE),
        )
    )
    if joined is not None:
        auth.sign_in(joined.member)
        return redirect(url_for("residents.home", slug=joined.project.slug))
    # A refusal is shown with the form, unless the invitation itself is the problem:
    # then the preview refuses too, and the error page says why.
    preview = people.preview_invitation(get_session(), code=code)
    i18n.prefer(member_language=None, project_language=preview.project.language)
    if not form.is_submitted() or form.nonce.errors:
        form.nonce.data = secrets.token_urlsafe(24)
    form.household.choices = options(
        [(str(h.id), h.name) for h in preview.households]
        + [(NEW_HOUSEHOLD, gettext("A new household"))]
    )
    telegram_link = sharing.invitation_links(preview.invitation.code).telegram
    return render_template(
        "access/join.html", form=form, preview=preview, telegram_link=telegram_link
    ), form.status


@bp.post("/logout")
def logout():
    """Sign out of every project on this browser."""
    auth.sign_out()
    flash(gettext("You are signed out."))
    return redirect(url_for("access.index"))


@bp.post("/language")
def choose_language():
    """Remember the language chosen: on the member when signed in, in the session otherwise."""
    form = LanguageForm()
    if form.validate_on_submit():
        language = form.language.data
        session[i18n.SESSION_LANGUAGE] = language
        member_ids = auth.signed_in_member_ids()
        if member_ids:
            with unit_of_work() as db:
                people.set_language(db, member_ids=member_ids, language=language)
    return redirect(local_path(form.next.data))


def local_path(target: str | None) -> str:
    """Return `target` when it is a path on this site, else the home page (no open redirect)."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "\\" in target:
        return url_for("access.index")
    return target
