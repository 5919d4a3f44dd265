"""The facilitators' door to invite someone: a deep link and its QR code."""

from __future__ import annotations

import io

import segno
from telegram import InputFile, Update

from bot import keyboards, run_db
from bot.callback_data import Button
from bot.replies import show
from bot.visitor import Context, Visitor, engine_of, settings_of
from voisinage.links import invitation_links
from voisinage.people import INVITATION_DAYS_DEFAULT, create_invitation


async def offer_invitation(update: Update, context: Context, visitor: Visitor) -> None:
    await show(
        update,
        visitor._(
            "Whom do you want to invite to %(project)s? The link lets one person join, "
            "for %(days)s days.",
            project=visitor.project.name,
            days=INVITATION_DAYS_DEFAULT,
        ),
        keyboards.invitation_roles(visitor),
    )


async def invitation_requested(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    """Create a single-use invitation and send its links, then its QR code to show on a screen."""
    role = pressed.args[1]
    invitation = await run_db.write(
        engine_of(context),
        create_invitation,
        project_id=visitor.project.id,
        role=role,
        actor_id=visitor.member.id,
    )
    links = invitation_links(settings_of(context), invitation.code, username=context.bot.username)
    expires = visitor.t.datetime(invitation.expires_at, visitor.project.timezone, format="short")
    await update.effective_chat.send_message(
        visitor._(
            "Invitation for %(role)s of %(project)s, valid until %(date)s.\n"
            "Code: %(code)s\nOn Telegram: %(telegram)s\nOn the web: %(web)s",
            role=visitor._(keyboards.ROLE_NAMES[role]),
            project=visitor.project.name,
            date=expires,
            code=invitation.code,
            telegram=links.telegram,
            web=links.web,
        )
    )
    png = io.BytesIO()
    segno.make(links.telegram, error="m").save(png, kind="png", scale=8, border=2)
    await update.effective_chat.send_photo(
        InputFile(png.getvalue(), filename=f"invitation-{invitation.code}.png"),
        caption=visitor._(
            "Scan this code with a phone to join %(project)s on Telegram.",
            project=visitor.project.name,
        ),
    )
