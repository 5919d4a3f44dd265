"""The facilitators' workplace: members and households, invitations, the project's settings."""

from __future__ import annotations

from datetime import time
from zoneinfo import available_timezones

from babel.dates import format_time, get_day_names
from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext
from wtforms import SelectChoice

from voisinage import digests, people, projects, tokens
from voisinage.enums import Role
from voisinage.models import Household, utcnow
from voisinage.tallies import Threshold
from webforms import auth, i18n, sharing
from webforms.db import get_session, get_settings, unit_of_work
from webforms.forms import (
    DigestForm,
    HouseholdForm,
    InvitationForm,
    MoveForm,
    RoleForm,
    SettingsForm,
    options,
)
from webforms.vote_forms import THRESHOLD_CHOICES

bp = auth.project_blueprint("facilitators", __name__, role=Role.FACILITATOR)

# Zones people pick from: "Europe/Paris", not the aliases and legacy names tzdata also holds.
_LEGACY_ZONE_AREAS = ("Etc", "SystemV", "US", "posix", "right")
TIMEZONES = [
    "UTC",
    *sorted(
        zone
        for zone in available_timezones()
        if "/" in zone and zone.split("/")[0] not in _LEGACY_ZONE_AREAS
    ),
]


def _project_id() -> int:
    return auth.current().project.id


def _actor_id() -> int:
    return auth.current().member.id


@bp.get("/members")
def members():
    """List the members, by household."""
    rows = people.list_members(get_session(), project_id=_project_id())
    return render_template("facilitators/members.html", members=rows)


def _household_choices(
    *, none_label: str, households: list[Household] | None = None
) -> list[SelectChoice]:
    if households is None:
        households = projects.list_households(get_session(), project_id=_project_id())
    return options([("", none_label)] + [(str(h.id), h.name) for h in households])


def _member_page(
    member_id: int,
    *,
    move_form: MoveForm | None = None,
    role_form: RoleForm | None = None,
    sign_in_link: str | None = None,
    status: int = 200,
):
    member = people.get_member(get_session(), project_id=_project_id(), member_id=member_id)
    move_form = move_form or MoveForm(formdata=None, household=str(member.household_id or ""))
    move_form.household.choices = _household_choices(none_label=gettext("No household"))
    role_form = role_form or RoleForm(formdata=None, role=member.role)
    return render_template(
        "facilitators/member.html",
        member=member,
        move_form=move_form,
        role_form=role_form,
        sign_in_link=sign_in_link,
        link_lifetime=i18n.translator().duration(tokens.LOGIN_LINK_LIFETIME),
        sign_in_qr=(
            sharing.qr_svg(sign_in_link, title=gettext("QR code of the sign-in link"))
            if sign_in_link
            else None
        ),
    ), status


@bp.get("/members/<int:member_id>")
def member(member_id: int):
    """Show one member with the forms to move them, change their role, or send a sign-in link."""
    return _member_page(member_id)


@bp.post("/members/<int:member_id>/household")
def move(member_id: int):
    """Move a member to another household."""
    form = MoveForm()
    form.household.choices = _household_choices(none_label=gettext("No household"))
    moved = form.submit(
        lambda db: people.move_member(
            db,
            project_id=_project_id(),
            member_id=member_id,
            household_id=form.household_id(),
            actor_id=_actor_id(),
        )
    )
    if moved is None:
        return _member_page(member_id, move_form=form, status=form.status)
    flash(gettext("%(name)s moved.", name=moved.display_name))
    return redirect(url_for(".member", member_id=member_id))


@bp.post("/members/<int:member_id>/role")
def change_role(member_id: int):
    """Give a member another role; a facilitator who steps down lands on the home page."""
    form = RoleForm()
    changed = form.submit(
        lambda db: people.change_role(
            db,
            project_id=_project_id(),
            member_id=member_id,
            role=form.role.data,
            actor_id=_actor_id(),
        )
    )
    if changed is None:
        return _member_page(member_id, role_form=form, status=form.status)
    flash(gettext("%(name)s's role changed.", name=changed.display_name))
    if changed.id == _actor_id() and changed.role != Role.FACILITATOR:
        return redirect(url_for("residents.home"))
    return redirect(url_for(".member", member_id=member_id))


@bp.post("/members/<int:member_id>/sign-in-link")
def sign_in_link(member_id: int):
    """Make a single-use sign-in link for a member, to hand over or show as a QR code."""
    with unit_of_work() as db:
        token = tokens.issue_member_link(
            db,
            project_id=_project_id(),
            member_id=member_id,
            actor_id=_actor_id(),
            secret_key=get_settings().secret_key,
        )
    # Shown once on this page, never put in the session cookie or a redirect.
    return _member_page(member_id, sign_in_link=tokens.login_url(get_settings().public_url, token))


def _households_page(
    *, add_form: HouseholdForm | None = None, failed: tuple[int, HouseholdForm] | None = None
):
    session = get_session()
    households = projects.list_households(session, project_id=_project_id())
    counts = projects.household_sizes(session, project_id=_project_id())
    rename_forms = {
        h.id: HouseholdForm(formdata=None, prefix=f"household-{h.id}", name=h.name)
        for h in households
    }
    if failed is not None:
        rename_forms[failed[0]] = failed[1]
    status = (add_form.status if add_form else 200) if failed is None else failed[1].status
    return render_template(
        "facilitators/households.html",
        households=households,
        counts=counts,
        rename_forms=rename_forms,
        add_form=add_form or HouseholdForm(formdata=None, prefix="new"),
    ), status


@bp.get("/households")
def households():
    """List the households with their size, to rename them or add one."""
    return _households_page()


@bp.post("/households")
def add_household():
    form = HouseholdForm(prefix="new")
    added = form.submit(
        lambda db: projects.add_household(
            db, project_id=_project_id(), name=form.name.data, actor_id=_actor_id()
        )
    )
    if added is None:
        return _households_page(add_form=form)
    flash(gettext("Household %(name)s added.", name=added.name))
    return redirect(url_for(".households"))


@bp.post("/households/<int:household_id>/name")
def rename_household(household_id: int):
    form = HouseholdForm(prefix=f"household-{household_id}")
    renamed = form.submit(
        lambda db: projects.rename_household(
            db,
            project_id=_project_id(),
            household_id=household_id,
            name=form.name.data,
            actor_id=_actor_id(),
        )
    )
    if renamed is None:
        return _households_page(failed=(household_id, form))
    flash(gettext("Household renamed to %(name)s.", name=renamed.name))
    return redirect(url_for(".households"))


def _invitations_page(form: InvitationForm | None = None):
    session = get_session()
    households = projects.list_households(session, project_id=_project_id())
    form = form or InvitationForm(formdata=None)
    form.household.choices = _household_choices(
        none_label=gettext("Chosen by the newcomer"), households=households
    )
    return render_template(
        "facilitators/invitations.html",
        invitations=people.list_invitations(
            session, project_id=_project_id(), actor_id=_actor_id()
        ),
        household_names={h.id: h.name for h in households},
        form=form,
        now=utcnow(),
        invitation_problem=people.invitation_problem,
    ), form.status


@bp.get("/invitations")
def invitations():
    """List the invitations, with the form to create one."""
    return _invitations_page()


@bp.post("/invitations")
def create_invitation():
    form = InvitationForm()
    form.household.choices = _household_choices(none_label=gettext("Chosen by the newcomer"))
    created = form.submit(
        lambda db: people.create_invitation(
            db,
            project_id=_project_id(),
            role=form.role.data,
            household_id=form.household_id(),
            max_uses=form.max_uses.data,
            days=form.days.data,
            label=form.label.data or "",
            actor_id=_actor_id(),
        )
    )
    if created is None:
        return _invitations_page(form)
    return redirect(url_for(".invitation", code=created.code))


@bp.get("/invitations/<code>")
def invitation(code: str):
    """Show an invitation's links and QR code, and the button to withdraw it."""
    session = get_session()
    found = people.find_invitation(
        session, project_id=_project_id(), code=code, actor_id=_actor_id()
    )
    household = (
        projects.get_household(session, project_id=_project_id(), household_id=found.household_id)
        if found.household_id
        else None
    )
    links = sharing.invitation_links(found.code)
    return render_template(
        "facilitators/invitation.html",
        invitation=found,
        household=household,
        links=links,
        problem=people.invitation_problem(found),
        qr=sharing.qr_svg(links.web, title=gettext("QR code of the invitation link")),
    )


@bp.post("/invitations/<code>/revoke")
def revoke_invitation(code: str):
    """Withdraw an invitation; withdrawing it again changes nothing."""
    with unit_of_work() as db:
        found = people.find_invitation(
            db, project_id=_project_id(), code=code, actor_id=_actor_id()
        )
        people.revoke_invitation(
            db, project_id=_project_id(), invitation_id=found.id, actor_id=_actor_id()
        )
    flash(gettext("Invitation %(code)s withdrawn.", code=found.code))
    return redirect(url_for(".invitation", code=found.code))


def _settings_form(project, *, sent: bool) -> SettingsForm:
    form = SettingsForm(obj=project) if sent else SettingsForm(formdata=None, obj=project)
    # A zone set from the command line may be one the list leaves out: keep it selectable.
    zones = TIMEZONES if project.timezone in TIMEZONES else [project.timezone, *TIMEZONES]
    form.timezone.choices = options((zone, zone) for zone in zones)
    form.consent_fallback_threshold.choices = options(
        (value, label) for value, label, _ in THRESHOLD_CHOICES
    )
    if form.consent_fallback_threshold.data is None:
        form.consent_fallback_threshold.data = Threshold.TWO_THIRDS.value
    return form


def _digest_form(project, *, sent: bool) -> DigestForm:
    if sent:
        form = DigestForm()
    else:
        schedule = digests.digest_schedule(
            get_session(), project_id=project.id, actor_id=_actor_id()
        )
        form = DigestForm(formdata=None, obj=schedule)
    locale = get_locale()
    form.weekday.choices = options(get_day_names("wide", locale=locale).items())
    form.hour.choices = options(
        (hour, format_time(time(hour), "short", locale=locale)) for hour in range(24)
    )
    form.hour.description = gettext(
        "Days and hours are in the project's time zone, %(zone)s, summer time included.",
        zone=project.timezone,
    )
    return form


def _settings_page(form: SettingsForm, digest_form: DigestForm):
    status = max(form.status, digest_form.status)
    return render_template("facilitators/settings.html", form=form, digest_form=digest_form), status


@bp.post("/settings/digests")
def digest_settings():
    """Choose when the digests go out: off, daily or weekly, at an hour, to the group too."""
    project = auth.current().project
    form = _digest_form(project, sent=True)
    saved = form.submit(
        lambda db: digests.set_digest_schedule(
            db,
            project_id=project.id,
            actor_id=_actor_id(),
            frequency=form.frequency.data,
            weekday=form.weekday.data,
            hour=form.hour.data,
            group_digest=form.group_digest.data,
        )
    )
    if saved is not None:
        flash(gettext("Digest settings saved."))
        return redirect(url_for(".settings", _anchor="digests"))
    return _settings_page(_settings_form(project, sent=False), form)


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Change the project's name, language, time zone, voting unit, consent fallback, proxies."""
    project = auth.current().project
    form = _settings_form(project, sent=True)
    fallback_rounds = form.consent_fallback_after_rounds.data
    saved = form.submit(
        lambda db: projects.update_project_settings(
            db,
            project_id=project.id,
            name=form.name.data,
            language=form.language.data,
            timezone=form.timezone.data,
            voting_unit=form.voting_unit.data,
            consent_fallback_after_rounds=fallback_rounds,
            consent_fallback_threshold=form.consent_fallback_threshold.data
            if fallback_rounds is not None
            else None,
            max_proxies=form.max_proxies.data,
            actor_id=_actor_id(),
        )
    )
    if saved is not None:
        flash(gettext("Settings saved."))
        return redirect(url_for(".settings"))
    return _settings_page(form, _digest_form(project, sent=False))
