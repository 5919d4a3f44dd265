"""Magic links: signed, expiring, single-use links that open a web session without a password."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update
from sqlmodel import Session, col

from voisinage.audit import record_action
from voisinage.errors import LinkExpired, LinkInvalid, LinkUsed
from voisinage.models import LinkNonce, Member, utcnow
from voisinage.people import get_member
from voisinage.permissions import require_facilitator

LOGIN_LINK_MAX_AGE = 3 * 24 * 3600
# The same, for messages that tell how long a link works.
LOGIN_LINK_LIFETIME = timedelta(seconds=LOGIN_LINK_MAX_AGE)
_SALT = "voisinage.login"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue_login_token(session: Session, *, member_id: int, secret_key: str) -> str:
    """Return a token that signs `member_id` in once; its nonce is stored to stop replays."""
    nonce = secrets.token_urlsafe(24)
    session.add(LinkNonce(nonce=nonce, member_id=member_id))
    session.flush()
    return _serializer(secret_key).dumps({"m": member_id, "n": nonce})


def login_url(public_url: str, token: str) -> str:
    return f"{public_url}/login/{token}"


def _load_payload(token: str, secret_key: str, max_age: int) -> dict:
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired() from None
    except BadSignature:
        raise LinkInvalid() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        raise LinkInvalid()
    return payload


def redeem_login_token(
    session: Session,
    *,
    token: str,
    secret_key: str,
    max_age: int = LOGIN_LINK_MAX_AGE,
    now: datetime | None = None,
) -> Member:
    """Return the member a login token names and burn it; refuse forged, expired or used ones."""
    payload = _load_payload(token, secret_key, max_age)
    # A conditional UPDATE, so that two tabs opening the same link cannot both get a session.
    burnt = session.execute(
        update(LinkNonce)
        .where(
            col(LinkNonce.nonce) == payload["n"],
            col(LinkNonce.member_id) == payload.get("m"),
            col(LinkNonce.used_at).is_(None),
        )
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if burnt.rowcount != 1:
        # The nonce is gone with its member when the member was deleted: say "invalid" then.
        if session.get(LinkNonce, payload["n"]) is None:
            raise LinkInvalid()
        raise LinkUsed()
    member = session.get(Member, payload["m"])
    if member is None:
        raise LinkInvalid()
    return member


def check_login_token(
    session: Session, *, token: str, secret_key: str, max_age: int = LOGIN_LINK_MAX_AGE
) -> Member:
    """Return the member a login token names without using it up; refuse as redeeming would.

    Messaging apps open links to show a preview: the page a link opens must not burn it.
    """
    payload = _load_payload(token, secret_key, max_age)
    nonce = session.get(LinkNonce, payload["n"])
    if nonce is None or nonce.member_id != payload.get("m"):
        raise LinkInvalid()
    if nonce.used_at is not None:
        raise LinkUsed()
    member = session.get(Member, nonce.member_id)
    if member is None:
        raise LinkInvalid()
    return member


def issue_member_link(
    session: Session, *, project_id: int, member_id: int, actor_id: int | None, secret_key: str
) -> str:
    """Return a sign-in token for one of the project's members, at a facilitator's request."""
    require_facilitator(session, project_id=project_id, actor_id=actor_id)
    member = get_member(session, project_id=project_id, member_id=member_id)
    token = issue_login_token(session, member_id=member.id, secret_key=secret_key)
    # Whoever holds the link acts as that member: the log keeps who handed one out.
    record_action(
        session,
        project_id=project_id,
        actor_id=actor_id,
        action="member.sign_in_link",
        member_id=member.id,
    )
    return token
