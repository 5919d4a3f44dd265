"""Log lines never carry a sign-in token, an invitation code or the bot token."""

from __future__ import annotations

import io
import logging

import pytest

from voisinage.logs import RedactSecrets


@pytest.mark.parametrize(
    ("message", "args", "expected"),
    [
        (
            '127.0.0.1 - - "GET /login/eyJtIjoxfQ.abc.def HTTP/1.1" 200 -',
            (),
            '127.0.0.1 - - "GET /login/… HTTP/1.1" 200 -',
        ),
        (
            '"%s %s %s" %s',
            ("POST", "/join/K7QX2M9PTA", "HTTP/1.1", 302),
            '"POST /join/… HTTP/1.1" 302',
        ),
        (
            "HTTP Request: POST https://api.telegram.org/bot123456:AAH-secret/getUpdates",
            (),
            "HTTP Request: POST https://api.telegram.org/bot123456:…/getUpdates",
        ),
        ("Nothing secret in /p/voisins-du-quai/", (), "Nothing secret in /p/voisins-du-quai/"),
    ],
    ids=["login", "join-with-args", "bot-token", "untouched"],
)
def test_secrets_are_redacted_from_log_lines(message, args, expected):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == expected + "\n"
