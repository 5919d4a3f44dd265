"""The buttons under a digest (sent by bot.outbox_sender): act on the summary, or open the bot."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import encode
from voisinage.config import Settings
from voisinage.digest_text import FACILITATOR_DIGEST
from voisinage.i18n import Translator

FAMILY = "digest."
# Telegram refuses URL buttons to hosts it cannot reach, and the whole message with them.
_PRIVATE_HOSTS = ("localhost", "127.0.0.1", "::1")


def dashboard_url(settings: Settings, slug: str) -> str | None:
    """Return the project's dashboard address, or None when the site is not public."""
    parts = urlsplit(settings.public_url)
    if parts.scheme not in ("http", "https") or parts.hostname in (None, *_PRIVATE_HOSTS):
        return None
    return f"{settings.public_url.rstrip('/')}/p/{slug}/dashboard"


def digest_keyboard(
    kind: str,
    project_id: int,
    params: dict[str, Any],
    t: Translator,
    settings: Settings,
    bot_username: str,
) -> InlineKeyboardMarkup:
    """Return the facilitators' Summary and Dashboard buttons, or the group's way to the bot."""
    if kind != FACILITATOR_DIGEST:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(t.gettext("Open the bot"), url=f"https://t.me/{bot_username}")]]
        )
    buttons = [
        InlineKeyboardButton(
            t.gettext("Summary"), callback_data=encode("menu", project_id, "summary")
        )
    ]
    url = dashboard_url(settings, params["slug"])
    if url is not None:
        buttons.append(InlineKeyboardButton(t.gettext("Dashboard"), url=url))
    return InlineKeyboardMarkup([buttons])
