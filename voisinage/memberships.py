"""The projects a person signed in on the web belongs to, one membership each."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from voisinage.errors import NotFound
from voisinage.models import Household, Member, Project
from voisinage.permissions import is_facilitator


@dataclass(frozen=True)
class Membership:
    """One member of one project, with what every page about that project shows."""

    member: Member
    project: Project
    household_name: str | None

    @property
    def is_facilitator(self) -> bool:
        return is_facilitator(self.member)


# Built once: composing the statement costs more than running it, on every page.
_MEMBERSHIPS = (
    select(Member, Project, Household.name)
    .join(Project, col(Project.id) == col(Member.project_id))
    .join(Household, col(Household.id) == col(Member.household_id), isouter=True)
    .where(col(Member.id).in_(bindparam("member_ids", expanding=True)))
)
_MEMBERSHIPS_BY_NAME = _MEMBERSHIPS.order_by(Project.name, Project.id)
_MEMBERSHIP_IN_PROJECT = _MEMBERSHIPS.where(Project.slug == bindparam("slug"))


def list_memberships(session: Session, *, member_ids: Collection[int]) -> list[Membership]:
    """Return the memberships among `member_ids` that still exist, by project name."""
    if not member_ids:
        return []
    rows = session.exec(_MEMBERSHIPS_BY_NAME, params={"member_ids": list(member_ids)})
    return [Membership(*row) for row in rows]


def get_membership(session: Session, *, member_ids: Collection[int], slug: str) -> Membership:
    """Return the membership among `member_ids` in project `slug`; any other project is NotFound.

    A person signed in to one project learns nothing about another, not even that it exists.
    """
    row = None
    if member_ids:
        params = {"member_ids": list(member_ids), "slug": slug}
        row = session.exec(_MEMBERSHIP_IN_PROJECT, params=params).first()
    if row is None:
        raise NotFound()
    return Membership(*row)
