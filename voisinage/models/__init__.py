"""Every table, imported here so that `SQLModel.metadata` (and Alembic) sees them all."""

from voisinage.models.access import LinkNonce
from voisinage.models.audit import ActionLog
from voisinage.models.ballots import (
    Ballot,
    BallotChoice,
    BallotOption,
    BallotParticipation,
    Proxy,
)
from voisinage.models.base import metadata, utcnow
from voisinage.models.documents import (
    Amendment,
    Article,
    ArticleComment,
    ArticleVersion,
    Document,
)
from voisinage.models.followup import DigestRun, DigestSchedule, Nudge, NudgeRecipient
from voisinage.models.outbox import Notification, NotificationPreference
from voisinage.models.people import Invitation, Member, Redemption
from voisinage.models.projects import Household, Project
from voisinage.models.questionnaires import (
    Answer,
    AnswerSet,
    Question,
    Questionnaire,
    QuestionOption,
)
from voisinage.models.telegram import BotState, TelegramUpdate
from voisinage.models.workshops import (
    Attendance,
    AvailabilityPoll,
    CalendarFeed,
    PathStep,
    PollAnswer,
    PollResponse,
    PollSlot,
    Rsvp,
    Workshop,
)

__all__ = [
    "ActionLog",
    "Amendment",
    "Answer",
    "AnswerSet",
    "Article",
    "ArticleComment",
    "ArticleVersion",
    "Attendance",
    "AvailabilityPoll",
    "Ballot",
    "BallotChoice",
    "BallotOption",
    "BallotParticipation",
    "BotState",
    "CalendarFeed",
    "DigestRun",
    "DigestSchedule",
    "Document",
    "Household",
    "Invitation",
    "LinkNonce",
    "Member",
    "Notification",
    "NotificationPreference",
    "Nudge",
    "NudgeRecipient",
    "PathStep",
    "PollAnswer",
    "PollResponse",
    "PollSlot",
    "Project",
    "Proxy",
    "Question",
    "QuestionOption",
    "Questionnaire",
    "Redemption",
    "Rsvp",
    "TelegramUpdate",
    "Workshop",
    "metadata",
    "utcnow",
]
