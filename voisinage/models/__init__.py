"""Every table, imported here so that `SQLModel.metadata` (and Alembic) sees them all."""

from voisinage.models.access import LinkNonce
from voisinage.models.audit import ActionLog
from voisinage.models.base import metadata, utcnow
from voisinage.models.people import Invitation, Member, Redemption
from voisinage.models.projects import Household, Project
from voisinage.models.telegram import BotState, TelegramUpdate

__all__ = [
    "ActionLog",
    "BotState",
    "Household",
    "Invitation",
    "LinkNonce",
    "Member",
    "Project",
    "Redemption",
    "TelegramUpdate",
    "metadata",
    "utcnow",
]
