"""The facilitators' "Summary" door: where the project stands (voisinage.project_summary), one
message per section, with buttons to open an item or to remind those missing.

A reminder is asked for, then confirmed, then sent by `voisinage.nudges.nudge`, whose 24-hour
rule also turns a second "Yes" (a double tap, an old message) into a refusal.
"""

from __future__ import annotations

from telegram import Update

from bot import run_db
from bot import summary_keyboards as screens
from bot.callback_data import Button
from bot.replies import show
from bot.visitor import Context, Visitor, engine_of, settings_of
from voisinage.nudges import NudgeResult, nudge, nudge_preview
from voisinage.project_summary import project_summary
from voisinage.summary_text import summary_sections, summary_title


async def show_summary(update: Update, context: Context, visitor: Visitor) -> None:
    """Show the summary's title in place of the menu, then one message per section."""
    summary = await run_db.read(
        engine_of(context),
        project_summary,
        project_id=visitor.project.id,
        actor_id=visitor.member.id,
    )
    await show(update, summary_title(summary, visitor.t))
    sections = summary_sections(summary, visitor.t)
    public_url = settings_of(context).public_url
    for number, section in enumerate(sections, start=1):
        text, keyboard = screens.section_message(
            visitor, section, public_url=public_url, slug=summary.slug, last=number == len(sections)
        )
        await update.effective_chat.send_message(text, reply_markup=keyboard)


def _result_text(visitor: Visitor, result: NudgeResult) -> str:
    lines = [
        visitor.t.ngettext(
            "Reminder sent to %(count)s member.",
            "Reminder sent to %(count)s members.",
            result.sent_count,
        )
        if result.sent_count
        else visitor._("Nobody could be reminded through the bot.")
    ]
    if result.without_telegram:
        lines.append(
            visitor._(
                "Without Telegram, reach them otherwise: %(names)s.",
                names=", ".join(result.without_telegram),
            )
        )
    if result.skipped:
        lines.append(
            visitor._(
                "Already reminded in the last 24 hours, so not again: %(names)s.",
                names=", ".join(result.skipped),
            )
        )
    return "\n".join(lines)


async def nudge_pressed(
    update: Update, context: Context, visitor: Visitor, pressed: Button
) -> None:
    """Ask whether to remind those missing from an item, then remind them, or not."""
    _, code, item_id, step = pressed.args
    subject = screens.nudge_subject(code, item_id)
    engine = engine_of(context)
    ids = {"project_id": visitor.project.id, "actor_id": visitor.member.id, "subject": subject}
    if step == "ask":
        item = await run_db.read(engine, nudge_preview, **ids)
        # A message of its own: the section's message and its other buttons stay.
        text, keyboard = screens.nudge_confirmation(visitor, code, item)
        await update.effective_chat.send_message(text, reply_markup=keyboard)
    elif step == "no":
        await show(update, visitor._("No reminder sent."))
    else:
        result = await run_db.write(engine, nudge, **ids)
        await show(update, _result_text(visitor, result))
