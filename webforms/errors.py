"""Every refusal as a page in the reader's language, with the status that says what happened."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from voisinage import ballots, errors
from voisinage.db import SchemaOutOfDate
from voisinage.errors import N_

# Unknown links and codes are "not found"; links and codes that did exist but can no longer
# be used are "gone", so that nobody keeps retrying them.
STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.InvalidValue: 422,
    errors.Conflict: 409,
    errors.InvitationUnknown: 404,
    errors.InvitationExpired: 410,
    errors.InvitationExhausted: 410,
    errors.InvitationRevoked: 410,
    errors.LinkInvalid: 404,
    errors.LinkExpired: 410,
    errors.LinkUsed: 410,
    SchemaOutOfDate: 503,
    # A ballot not taking votes (yet, or any more), or whose results are not shown yet.
    ballots.BallotNotOpen: 409,
    ballots.BallotClosed: 409,
    ballots.ResultsHidden: 403,
}

HTTP_MESSAGES = {
    400: (N_("Bad request"), N_("This request could not be understood.")),
    401: (
        N_("Please sign in"),
        N_(
            "Open the sign-in link you received: send /web to the Voisinage bot on Telegram, "
            "or ask your facilitator for one."
        ),
    ),
    403: (N_("Not allowed"), N_("Your role in this project does not allow this.")),
    404: (N_("Page not found"), N_("This page does not exist, or not for you.")),
    405: (N_("Not allowed"), N_("This page cannot be used this way.")),
    409: (N_("Already done"), N_("This already exists.")),
    410: (N_("Link no longer valid"), N_("This link can no longer be used.")),
    413: (
        N_("Too much text"),
        N_("What you sent is too long. Shorten it and try again; nothing was saved."),
    ),
    422: (N_("Please check the form"), N_("This value is not valid.")),
    503: (N_("Temporarily unavailable"), N_("Voisinage is being updated. Try again shortly.")),
}
DEFAULT_MESSAGE = (
    N_("Something went wrong"),
    N_("Something went wrong on our side; nothing was saved. Try again in a moment."),
)


def status_for(error: errors.DomainError) -> int:
    """Return the HTTP status of a refusal: that of its closest known class."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def init_app(app: Flask) -> None:
    app.register_error_handler(errors.DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def render_error(status: int, message: str | None = None):
    title, text = HTTP_MESSAGES.get(status, DEFAULT_MESSAGE)
    page = render_template("error.html", title=gettext(title), message=message or gettext(text))
    return page, status


def _domain_error(error: errors.DomainError):
    return render_error(status_for(error), error.translate(gettext))


def _csrf_error(_error: CSRFError):
    return render_error(
        400,
        gettext(
            "This form has expired or did not come from this site. "
            "Go back, reload the page and send it again."
        ),
    )


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)
