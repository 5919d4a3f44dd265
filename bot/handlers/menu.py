"""The member's menu and its doors, help, switching projects, and the web sign-in link."""

from __future__ import annotations

from telegram import Update

from bot import keyboards, run_db
from bot.callback_data import Button
from bot.commands import PRIVATE_COMMANDS, command_lines
from bot.handlers import (
    facilitator,
    language,
    privacy,
    questionnaires,
    summary,
    votes,
    workshops,
)
from bot.replies import show
from bot.visitor import (
    NOT_A_MEMBER,
    Context,
    StaleButton,
    Visitor,
    engine_of,
    on_message,
    settings_of,
)
from voisinage.tokens import LOGIN_LINK_LIFETIME, issue_login_token, login_url


async def show_menu(update: Update, context: Context, visitor: Visitor) -> None:
    if visitor.member is None:
        await show(update, visitor._(NOT_A_MEMBER))
        return
    await show(update, keyboards.menu_text(visitor), keyboards.main_menu(visitor))


@on_message
async def menu(update: Update, context: Context, visitor: Visitor) -> None:
    await show_menu(update, context, visitor)


@on_message
async def help_(update: Update, context: Context, visitor: Visitor) -> None:
    """List what the member's role can do."""
    if visitor.member is None:
        await update.effective_chat.send_message(visitor._(NOT_A_MEMBER))
        return
    parts = [
        visitor._(
            "In %(project)s you are %(role)s. Here is what you can do:",
            project=visitor.project.name,
            role=visitor._(keyboards.ROLE_NAMES[visitor.member.role]),
        ),
        command_lines(visitor.t, PRIVATE_COMMANDS),
    ]
    if visitor.is_facilitator:
        parts.append(
            visitor._(
                "As a facilitator, your menu also lets you invite people, with a link and a "
                "QR code, and read the project's summary. In your group's chat, /linkgroup "
                "links the group to the project."
            )
        )
    await update.effective_chat.send_message("\n\n".join(parts))


@on_message
async def project(update: Update, context: Context, visitor: Visitor) -> None:
    await offer_projects(update, context, visitor)


async def offer_projects(update: Update, context: Context, visitor: Visitor) -> None:
    if visitor.member is None:
        await show(update, visitor._(NOT_A_MEMBER))
    elif len(visitor.memberships) == 1:
        await show(
            update,
            visitor._("You belong to one project only: %(project)s.", project=visitor.project.name),
            keyboards.back_to_menu(visitor),
        )
    else:
        await show(
            update, visitor._("Which project do you want to look at?"), keyboards.projects(visitor)
        )


async def project_chosen(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    # The visitor is already in the pressed project (see visitor.on_button), and it is remembered.
    await show(
        update,
        f"{visitor._('You are now in %(project)s.', project=visitor.project.name)}\n\n"
        f"{keyboards.menu_text(visitor)}",
        keyboards.main_menu(visitor),
    )


@on_message
async def web(update: Update, context: Context, visitor: Visitor) -> None:
    await send_web_link(update, context, visitor)


async def send_web_link(update: Update, context: Context, visitor: Visitor) -> None:
    """Send a single-use sign-in link to the web forms."""
    if visitor.member is None:
        await update.effective_chat.send_message(visitor._(NOT_A_MEMBER))
        return
    settings = settings_of(context)
    token = await run_db.write(
        engine_of(context),
        issue_login_token,
        member_id=visitor.member.id,
        secret_key=settings.secret_key,
    )
    await update.effective_chat.send_message(
        visitor._(
            "Here is your sign-in link to the web forms of %(project)s. It works once and "
            "expires in %(lifetime)s: do not share it.\n%(url)s",
            project=visitor.project.name,
            lifetime=visitor.t.duration(LOGIN_LINK_LIFETIME),
            url=login_url(settings.public_url, token),
        )
    )


DOORS = {
    "main": show_menu,
    "invite": facilitator.offer_invitation,
    "summary": summary.show_summary,
    "web": send_web_link,
    "language": language.offer_languages,
    "mydata": privacy.send_my_data,
    "project": offer_projects,
    "workshops": workshops.show_workshops,
    "questionnaires": questionnaires.show_questionnaires,
    "votes": votes.show_votes,
}


async def door_pressed(update: Update, context: Context, visitor: Visitor, pressed: Button) -> None:
    """Open a door of the menu, if the member's menu has it."""
    door = pressed.args[1]
    if door != "main" and door not in keyboards.doors_of(visitor):
        raise StaleButton()
    await DOORS[door](update, context, visitor)
