"""Telegram's webhook: store each update for the bot process and acknowledge it at once.

Telegram proves each request with the secret given at `voisinage bot --set-webhook`, in the
X-Telegram-Bot-Api-Secret-Token header; the request carries no form and no session, so CSRF
checks do not apply (the app exempts this blueprint).
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, request

from voisinage.errors import InvalidValue
from voisinage.telegram_inbox import WEBHOOK_PATH, store_update
from webforms.db import get_settings, unit_of_work

bp = Blueprint("telegram_webhook", __name__)
log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)
# A 4,096-character message escaped as JSON, with its entities and the message it replies to,
# passes the web forms' 16 KiB limit; a refused update would be retried by Telegram for ever.
UPDATE_MAX_BYTES = 1024 * 1024


@bp.post(WEBHOOK_PATH)
def receive_update() -> Response:
    """Keep one update for the bot process; answer 200 as soon as it is stored."""
    expected = get_settings().telegram_webhook_secret
    if expected is None:
        # Polling mode: there is no webhook to post to.
        return Response(status=404)
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return Response(status=403)
    request.max_content_length = UPDATE_MAX_BYTES
    try:
        with unit_of_work() as session:
            store_update(session, payload=request.get_json(silent=True))
    except InvalidValue:
        # We don't recognise the format, but don't want Telegram retrying this over and over
        # again, so we answer 200 all the same.
        log.warning("Ignored a webhook request that is not a Telegram update")
    return Response(status=200)
