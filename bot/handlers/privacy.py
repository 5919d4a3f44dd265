"""A person's own data: `/mydata` sends all of it, `/forget` erases it after a confirmation."""

from __future__ import annotations

import json

from telegram import InputFile, Update

from bot import keyboards, run_db
from bot.callback_data import Button
from bot.replies import show
from bot.visitor import Context, Visitor, engine_of, on_message
from voisinage.privacy import export_telegram_person, forget_telegram_person

EXPORT_FILENAME = "voisinage-my-data.json"


@on_message
async def mydata(update: Update, context: Context, visitor: Visitor) -> None:
    await send_my_data(update, context, visitor)


async def send_my_data(update: Update, context: Context, visitor: Visitor) -> None:
    """Send everything stored about the person, as one JSON document."""
    data = await run_db.read(
        engine_of(context), export_telegram_person, telegram_user_id=visitor.telegram_user_id
    )
    document = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await update.effective_chat.send_document(
        InputFile(document, filename=EXPORT_FILENAME),
        caption=visitor._(
            "Here is everything Voisinage stores about you. To delete it, send /forget."
        ),
    )


@on_message
async def forget(update: Update, context: Context, visitor: Visitor) -> None:
    """Ask for confirmation before erasing anything."""
    projects = ", ".join(project.name for _, project in visitor.memberships)
    if projects:
        text = visitor._(
            "This deletes your membership of %(projects)s and everything Voisinage stores "
            "about you. It cannot be undone. Do you want to continue?",
            projects=projects,
        )
    else:
        text = visitor._(
            "This deletes everything Voisinage stores about you. It cannot be undone. "
            "Do you want to continue?"
        )
    await show(update, text, keyboards.forget_confirmation(visitor))


async def forget_answered(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    """Erase everything on "yes", then say what went and what was kept, and why."""
    if pressed.args[0] == "no":
        await show(update, visitor._("Nothing was deleted."))
        return
    reports = await run_db.write(
        engine_of(context), forget_telegram_person, telegram_user_id=visitor.telegram_user_id
    )
    # PTB would otherwise write the person's data back at the end of this update.
    context.user_data.clear()
    parts = [visitor._("Your data has been deleted.")]
    for report in reports:
        removed = "\n".join(f"• {visitor._(item)}" for item in report.removed)
        kept = "\n".join(f"• {visitor._(item)}" for item in report.kept)
        parts.append(
            visitor._(
                "In %(project)s, removed:\n%(removed)s\nKept:\n%(kept)s",
                project=report.project_name,
                removed=removed,
                kept=kept,
            )
        )
    if reports:
        parts.append(visitor._("To join again, you will need a new invitation."))
    await show(update, "\n\n".join(parts))
