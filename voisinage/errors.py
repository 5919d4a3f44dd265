"""Refusals that reach a person: a stable code for machines, a lazy msgid for people."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, in the reader's language."""
    return message


class DomainError(Exception):
    """A rule said no. Raised before any write, so nothing is half-done.

    Front doors render `message` through the reader's translator with `params`.
    """

    code = "error"
    message = N_("This action is not possible.")

    def __init__(self, message: str | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.message % params if params else self.message)

    def translate(self, gettext) -> str:
        """Return the message in the language of `gettext`, with its parameters filled in."""
        text = gettext(self.message)
        return text % self.params if self.params else text


class NotFound(DomainError):
    code = "not_found"
    message = N_("This item does not exist, or not in this project.")


class Forbidden(DomainError):
    code = "forbidden"
    message = N_("Your role in this project does not allow this.")


class InvalidValue(DomainError):
    code = "invalid"
    message = N_("This value is not valid.")


class Conflict(DomainError):
    code = "conflict"
    message = N_("This already exists.")


class InvitationUnusable(DomainError):
    """An invitation code that cannot bring anyone in; each subclass says why."""

    code = "invitation_unusable"


class InvitationUnknown(InvitationUnusable):
    code = "invitation_unknown"
    message = N_(
        "This invitation code does not exist. Check it, or ask your facilitator for a new one."
    )


class InvitationExpired(InvitationUnusable):
    code = "invitation_expired"
    message = N_("This invitation has expired. Ask your facilitator for a new one.")


class InvitationExhausted(InvitationUnusable):
    code = "invitation_exhausted"
    message = N_(
        "This invitation has already been used as many times as allowed. Ask your facilitator for a new one."
    )


class InvitationRevoked(InvitationUnusable):
    code = "invitation_revoked"
    message = N_("This invitation has been withdrawn by the facilitators. Ask them for a new one.")


class LinkInvalid(DomainError):
    code = "link_invalid"
    message = N_("This link is not valid. Ask for a new one.")


class LinkExpired(DomainError):
    code = "link_expired"
    message = N_("This link has expired. Ask for a new one.")


class LinkUsed(DomainError):
    code = "link_used"
    message = N_("This link has already been used. Ask for a new one.")
