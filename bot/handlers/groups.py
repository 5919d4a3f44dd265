"""Group chats: the bot answers /help, lets a facilitator link the group to their project,
and sends everything personal to a private chat."""

from __future__ import annotations

from telegram import Update

from bot import keyboards, run_db
from bot.callback_data import Button
from bot.replies import show
from bot.visitor import Context, Visitor, engine_of, on_message
from voisinage.errors import N_, Forbidden
from voisinage.models import Member, Project
from voisinage.permissions import is_facilitator
from voisinage.projects import link_telegram_group


@on_message
async def group_help(update: Update, context: Context, visitor: Visitor) -> None:
    await update.effective_chat.send_message(
        visitor._(
            "In this group I only answer /help. A facilitator can send /linkgroup to link the "
            "group to their project, so that announcements and results are posted here. For "
            "everything else, write to me in private."
        ),
        reply_markup=keyboards.private_chat(visitor, context.bot.username),
    )


@on_message
async def to_private_chat(update: Update, context: Context, visitor: Visitor) -> None:
    """Answer a personal command sent in a group with a way to the private chat."""
    await update.effective_chat.send_message(
        visitor._("Let us talk about this in private: your data stays between us."),
        reply_markup=keyboards.private_chat(visitor, context.bot.username),
    )


@on_message
async def linkgroup(update: Update, context: Context, visitor: Visitor) -> None:
    """Link the group to the sender's project; a facilitator of several projects picks one."""
    facilitating = [
        (member, project) for member, project in visitor.memberships if is_facilitator(member)
    ]
    if not facilitating:
        raise Forbidden(N_("Only the project's facilitators can do this."))
    if len(facilitating) == 1:
        await _link(update, context, visitor, *facilitating[0])
        return
    await update.effective_chat.send_message(
        visitor._("Which project should this group belong to?"),
        reply_markup=keyboards.group_projects(
            (project.id, project.name) for _, project in facilitating
        ),
    )


async def group_project_chosen(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    await _link(update, context, visitor, visitor.member, visitor.project)


async def _link(
    update: Update, context: Context, visitor: Visitor, member: Member, project: Project
) -> None:
    # The service checks that the sender is a facilitator of that very project.
    await run_db.write(
        engine_of(context),
        link_telegram_group,
        project_id=project.id,
        chat_id=update.effective_chat.id,
        actor_id=member.id,
    )
    await show(
        update,
        visitor._(
            "This group is now linked to %(project)s: announcements and results will be "
            "posted here.",
            project=project.name,
        ),
    )
