"""Links people open: invitation links for the web and Telegram deep links."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from voisinage.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvitationLinks:
    web: str
    telegram: str | None


def bot_username(settings: Settings, *, timeout: float = 5.0) -> str | None:
    """Return the bot's @username: from the settings, else asked of the Bot API (getMe)."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username
    if not settings.telegram_bot_token:
        return None
    url = f"{settings.telegram_api_url}{settings.telegram_bot_token}/getMe"
    try:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
        return response.json()["result"]["username"]
    except (httpx.HTTPError, KeyError, ValueError) as error:
        # Never log the URL: it holds the bot token.
        log.warning("Could not ask the Bot API for the bot's username: %s", type(error).__name__)
        return None


def invitation_links(settings: Settings, code: str, *, username: str | None) -> InvitationLinks:
    """Return the web link and, when the bot is known, the Telegram deep link of a code."""
    telegram = f"https://t.me/{username}?start={code}" if username else None
    return InvitationLinks(web=f"{settings.public_url}/join/{code}", telegram=telegram)
