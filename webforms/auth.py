"""Who is signed in, to which projects, and the checks every project page runs first."""

from __future__ import annotations

from flask import Blueprint, abort, g, session

from voisinage.enums import Role
from voisinage.errors import NotFound
from voisinage.memberships import Membership, get_membership
from voisinage.models import Member
from webforms import i18n
from webforms.db import get_session

# The session holds, for each project the person signed in to, their member id there:
# {"<project id>": <member id>}. A cookie signed with SECRET_KEY, so it cannot be forged.
SESSION_MEMBERS = "members"


def signed_in_member_ids() -> list[int]:
    return list(session.get(SESSION_MEMBERS, {}).values())


def sign_in(member: Member) -> None:
    """Open a session for `member`, replacing anyone this browser had signed in to their project."""
    members = dict(session.get(SESSION_MEMBERS, {}))
    members[str(member.project_id)] = member.id
    session[SESSION_MEMBERS] = members
    session.permanent = True


def sign_out(*, member_ids: list[int] | None = None) -> None:
    """Close the session of `member_ids` (everyone signed in when None); keep the language chosen."""
    membership: Membership | None = g.get("membership")
    if membership is not None and (member_ids is None or membership.member.id in member_ids):
        g.membership = None
    if member_ids is None:
        language = session.get(i18n.SESSION_LANGUAGE)
        session.clear()
        if language:
            session[i18n.SESSION_LANGUAGE] = language
        return
    session[SESSION_MEMBERS] = {
        project: member
        for project, member in session.get(SESSION_MEMBERS, {}).items()
        if member not in member_ids
    }


def project_blueprint(name: str, import_name: str, *, role: Role | None = None) -> Blueprint:
    """Return a blueprint under /p/<slug> whose every view runs for a member of that project.

    Nobody signed in gets 401; a person signed in elsewhere gets 404, as if the project did
    not exist; a member without `role` gets 403.
    """
    blueprint = Blueprint(name, import_name, url_prefix="/p/<slug>")

    @blueprint.url_value_preprocessor
    def load_membership(_endpoint: str | None, values: dict | None) -> None:
        slug = (values or {}).pop("slug", "")
        member_ids = signed_in_member_ids()
        if not member_ids:
            abort(401)
        try:
            g.membership = get_membership(get_session(), member_ids=member_ids, slug=slug)
        except NotFound:
            abort(404)
        i18n.prefer(
            member_language=g.membership.member.language,
            project_language=g.membership.project.language,
        )
        if role is not None and g.membership.member.role != role:
            abort(403)

    @blueprint.url_defaults
    def add_slug(_endpoint: str, values: dict) -> None:
        membership: Membership | None = g.get("membership")
        if membership is not None:
            values.setdefault("slug", membership.project.slug)

    return blueprint


def current() -> Membership:
    """Return the membership the current project page is about."""
    return g.membership
