"""What facilitators hand out: invitation and sign-in links, as text and as QR codes."""

from __future__ import annotations

import time

import segno
from flask import current_app
from markupsafe import Markup

from voisinage import links
from webforms.db import get_settings

# When the Bot API cannot tell us the bot's name, pages show no Telegram link for a while
# rather than waiting on Telegram at every request.
BOT_USERNAME_RETRY_SECONDS = 300


def bot_username() -> str | None:
    """Return the bot's @username, asked of Telegram once per process."""
    settings = get_settings()
    cache = current_app.extensions.setdefault("voisinage.bot_username", {})
    if "value" in cache or time.monotonic() < cache.get("retry_at", 0.0):
        return cache.get("value")
    username = links.bot_username(settings)
    if username or not settings.telegram_bot_token:
        cache["value"] = username
    else:
        cache["retry_at"] = time.monotonic() + BOT_USERNAME_RETRY_SECONDS
    return username


def invitation_links(code: str) -> links.InvitationLinks:
    return links.invitation_links(get_settings(), code, username=bot_username())


def qr_svg(url: str, *, title: str) -> Markup:
    """Return `url` as an inline SVG QR code; segno escapes the title it embeds."""
    svg = segno.make(url, error="m").svg_inline(
        scale=4, border=4, omitsize=True, light="#fff", title=title, svgclass="qr"
    )
    return Markup(svg)  # noqa: S704 - segno's own markup: the URL is drawn, never written out
