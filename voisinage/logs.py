"""Logging for the web and bot processes: useful lines, and never a secret in them."""

from __future__ import annotations

import logging
import re

# Sign-in tokens and invitation codes open the door to a project, and Bot API URLs carry the
# bot's token: a log line must never hold one (logs are read by hosts and pasted in issues).
_SECRETS = re.compile(r"(/login/|/join/|/bot\d+:|/file/bot\d+:)[^\s/?\"']+")


class RedactSecrets(logging.Filter):
    """Replace the secret part of any URL in a log record by '…'."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRETS.sub(r"\1…", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr with times, quiet the chatty libraries, and redact secrets everywhere."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
    # httpx logs every request at INFO; the scheduler logs every job run.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
