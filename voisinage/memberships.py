"""The projects a person signed in on the web belongs to, one membership each."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlmodel import Session

from voisinage.errors import NotFound
from voisinage.models import Household, Member, Project
from voisinage.permissions import is_facilitator


# Every web page looks its reader up first: plain read-only copies of the two rows, read with
# one Core statement, cost less than half as much as ORM objects (bench/bench_web.py), and no
# page writes through them: writes go through services, which load what they change.
@dataclass(frozen=True, slots=True)
class MemberRecord:
    """The member's row as it was when the request began."""

    id: int
    project_id: int
    household_id: int | None
    display_name: str
    role: str
    language: str | None
    telegram_user_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """The project's row as it was when the request began."""

    id: int
    slug: str
    name: str
    language: str
    timezone: str
    voting_unit: str
    max_proxies: int
    telegram_chat_id: int | None
    consent_fallback_after_rounds: int | None
    consent_fallback_threshold: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    """One member of one project, with what every page about that project shows."""

    member: MemberRecord
    project: ProjectRecord
    household_name: str | None

    @property
    def is_facilitator(self) -> bool:
        return is_facilitator(self.member)


def _columns(record: type, table) -> list:
    return [table.c[field.name] for field in fields(record)]


_MEMBER_COLUMNS = _columns(MemberRecord, Member.__table__)
_PROJECT_COLUMNS = _columns(ProjectRecord, Project.__table__)
_SPLIT = len(_MEMBER_COLUMNS)
_SPLIT_HOUSEHOLD = _SPLIT + len(_PROJECT_COLUMNS)
# Built once: composing the statement costs more than running it, on every page.
_MEMBERSHIPS = (
    select(*_MEMBER_COLUMNS, *_PROJECT_COLUMNS, Household.__table__.c.name)
    .join_from(Member.__table__, Project.__table__)
    .outerjoin(Household.__table__, Household.__table__.c.id == Member.__table__.c.household_id)
    .where(Member.__table__.c.id.in_(bindparam("member_ids", expanding=True)))
)
_MEMBERSHIPS_BY_NAME = _MEMBERSHIPS.order_by(Project.__table__.c.name, Project.__table__.c.id)
_MEMBERSHIP_IN_PROJECT = _MEMBERSHIPS.where(Project.__table__.c.slug == bindparam("slug"))


def _membership(row) -> Membership:
    return Membership(
        MemberRecord(*row[:_SPLIT]),
        ProjectRecord(*row[_SPLIT:_SPLIT_HOUSEHOLD]),
        row[_SPLIT_HOUSEHOLD],
    )


def list_memberships(session: Session, *, member_ids: Collection[int]) -> list[Membership]:
    """Return the memberships among `member_ids` that still exist, by project name."""
    if not member_ids:
        return []
    params = {"member_ids": list(member_ids)}
    rows = session.connection().execute(_MEMBERSHIPS_BY_NAME, params)
    return [_membership(row) for row in rows]


def get_membership(session: Session, *, member_ids: Collection[int], slug: str) -> Membership:
    """Return the membership among `member_ids` in project `slug`; any other project is NotFound.

    A person signed in to one project learns nothing about another, not even that it exists.
    """
    row = None
    if member_ids:
        params = {"member_ids": list(member_ids), "slug": slug}
        row = session.connection().execute(_MEMBERSHIP_IN_PROJECT, params).first()
    if row is None:
        raise NotFound()
    return _membership(row)
