"""Proxies (procurations): a resident gives their voice to another, for one ballot or all.

As in a French association's general meeting, one person holds at most a few proxies (the
project's `max_proxies`, two by default). A general proxy lasts until revoked; a proxy for one
ballot overrides it for that ballot. The giver keeps their voice: voting themselves replaces
whatever their holder chose for them, and the other way round, while the ballot is open.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from voisinage.audit import record_action
from voisinage.enums import Role
from voisinage.errors import N_, Conflict, Forbidden, InvalidValue, NotFound
from voisinage.models import Ballot, Member, Project, Proxy, utcnow
from voisinage.people import get_member
from voisinage.permissions import is_facilitator


def _active() -> tuple:
    # A proxy for a ballot that has closed is spent: it no longer counts against the holder.
    return (
        col(Proxy.revoked_at).is_(None),
        or_(col(Proxy.ballot_id).is_(None), col(Ballot.closed_at).is_(None)),
    )


def _resident(session: Session, *, project_id: int, member_id: int) -> Member:
    member = get_member(session, project_id=project_id, member_id=member_id)
    if member.role != Role.RESIDENT:
        raise Forbidden(N_("Only residents give or hold proxies."))
    return member


def proxies_held(session: Session, *, holder_id: int) -> int:
    """Return how many active proxies a member holds."""
    return session.exec(
        select(func.count())
        .select_from(Proxy)
        .outerjoin(Ballot, col(Ballot.id) == col(Proxy.ballot_id))
        .where(col(Proxy.holder_id) == holder_id, *_active())
    ).one()


def give_proxy(
    session: Session,
    *,
    project_id: int,
    giver_id: int,
    holder_id: int,
    ballot_id: int | None = None,
    now: datetime | None = None,
) -> Proxy:
    """Give a resident's voice to another resident, for one ballot or for all until revoked."""
    giver = _resident(session, project_id=project_id, member_id=giver_id)
    # Lock the holder's row so that two proxies given at once cannot both take the last place.
    holder = session.exec(
        select(Member).where(col(Member.id) == holder_id).with_for_update()
    ).first()
    if holder is None or holder.project_id != project_id:
        raise NotFound(N_("This member does not exist in this project."))
    if holder.role != Role.RESIDENT:
        raise Forbidden(N_("Only residents give or hold proxies."))
    if holder.id == giver.id:
        raise InvalidValue(N_("You cannot give a proxy to yourself."))
    if ballot_id is not None:
        ballot = session.get(Ballot, ballot_id)
        if ballot is None or ballot.project_id != project_id:
            raise NotFound(N_("This ballot does not exist in this project."))
        if ballot.closed_at is not None:
            raise InvalidValue(N_("This ballot is closed: a proxy for it is no use."))
    existing = session.exec(
        select(Proxy, Member)
        .join(Member, col(Member.id) == col(Proxy.holder_id))
        .outerjoin(Ballot, col(Ballot.id) == col(Proxy.ballot_id))
        .where(
            col(Proxy.giver_id) == giver.id,
            col(Proxy.ballot_id) == ballot_id
            if ballot_id is not None
            else col(Proxy.ballot_id).is_(None),
            *_active(),
        )
    ).first()
    if existing is not None:
        raise Conflict(
            N_("You have already given this voice to %(name)s: revoke that proxy first."),
            name=existing[1].display_name,
        )
    limit = session.get(Project, project_id).max_proxies
    if proxies_held(session, holder_id=holder.id) >= limit:
        raise Conflict(
            N_("%(name)s already holds %(max)s proxies, the most allowed."),
            name=holder.display_name,
            max=limit,
        )
    proxy = Proxy(
        project_id=project_id,
        giver_id=giver.id,
        holder_id=holder.id,
        ballot_id=ballot_id,
        created_at=now or utcnow(),
    )
    session.add(proxy)
    session.flush()
    record_action(
        session,
        project_id=project_id,
        actor_id=giver.id,
        action="proxy.give",
        proxy_id=proxy.id,
        holder_id=holder.id,
        ballot_id=ballot_id,
    )
    return proxy


def revoke_proxy(
    session: Session,
    *,
    project_id: int,
    proxy_id: int,
    actor_id: int | None,
    now: datetime | None = None,
) -> Proxy:
    """Take a proxy back (its giver or a facilitator); revoking twice is a no-op."""
    proxy = session.get(Proxy, proxy_id)
    if proxy is None or proxy.project_id != project_id:
        raise NotFound(N_("This proxy does not exist in this project."))
    if actor_id is not None and actor_id != proxy.giver_id:
        actor = session.get(Member, actor_id)
        if actor is None or actor.project_id != project_id or not is_facilitator(actor):
            raise Forbidden(N_("Only the member who gave a proxy can revoke it."))
    if proxy.revoked_at is None:
        proxy.revoked_at = now or utcnow()
        session.add(proxy)
        record_action(
            session,
            project_id=project_id,
            actor_id=actor_id,
            action="proxy.revoke",
            proxy_id=proxy.id,
        )
    return proxy


def proxy_for(session: Session, *, ballot_id: int, giver_id: int) -> Proxy | None:
    """Return the proxy that carries a member's voice in a ballot: its own, else a general one."""
    proxies = session.exec(
        select(Proxy).where(
            col(Proxy.giver_id) == giver_id,
            col(Proxy.revoked_at).is_(None),
            or_(col(Proxy.ballot_id) == ballot_id, col(Proxy.ballot_id).is_(None)),
        )
    ).all()
    return min(proxies, key=lambda proxy: proxy.ballot_id is None, default=None)


def givers_for(session: Session, *, ballot_id: int, holder_id: int) -> list[Member]:
    """Return the members whose voice `holder_id` carries in a ballot, by name."""
    candidates = (
        session.exec(
            select(Member)
            .join(Proxy, col(Proxy.giver_id) == col(Member.id))
            .where(
                col(Proxy.holder_id) == holder_id,
                col(Proxy.revoked_at).is_(None),
                or_(col(Proxy.ballot_id) == ballot_id, col(Proxy.ballot_id).is_(None)),
            )
            .order_by(col(Member.display_name), col(Member.id))
        )
        .unique()
        .all()
    )
    return [
        giver
        for giver in candidates
        if (proxy := proxy_for(session, ballot_id=ballot_id, giver_id=giver.id)) is not None
        and proxy.holder_id == holder_id
    ]


def proxies_of(
    session: Session, *, project_id: int, member_id: int
) -> list[tuple[Proxy, str, str]]:
    """Return the active proxies a member gave or holds, each with its giver's and holder's names."""
    get_member(session, project_id=project_id, member_id=member_id)
    giver = Member.__table__.alias("giver")
    holder = Member.__table__.alias("holder")
    rows = session.exec(
        select(Proxy, giver.c.display_name, holder.c.display_name)
        .join(giver, giver.c.id == col(Proxy.giver_id))
        .join(holder, holder.c.id == col(Proxy.holder_id))
        .outerjoin(Ballot, col(Ballot.id) == col(Proxy.ballot_id))
        .where(
            col(Proxy.project_id) == project_id,
            or_(col(Proxy.giver_id) == member_id, col(Proxy.holder_id) == member_id),
            *_active(),
        )
        .order_by(col(Proxy.created_at), col(Proxy.id))
    ).all()
    return [(proxy, giver_name, holder_name) for proxy, giver_name, holder_name in rows]
