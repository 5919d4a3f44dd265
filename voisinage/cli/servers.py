"""`voisinage web|bot|demo`: run the front doors."""

from __future__ import annotations

import signal
import subprocess
import sys

import click

from voisinage import db, tokens
from voisinage.cli.base import Context, cli, emit, json_option, pass_context
from voisinage.demo import seed_demo
from voisinage.logs import configure_logging


def _serve_web(ctx: Context, host: str, port: int) -> None:
    configure_logging()
    # Imported here: the domain core never imports Flask at module level.
    from webforms import create_app

    app = create_app(ctx.settings)
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


@cli.command("web")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), help="Default: PORT, else 5000.")
@pass_context
def web(ctx: Context, host: str, port: int | None) -> None:
    """Run the web forms locally (production uses gunicorn, see the Procfile)."""
    db.check_schema(ctx.raw_engine)
    _serve_web(ctx, host, port or ctx.settings.port)


@cli.command("bot")
@click.option(
    "--set-webhook", is_flag=True, help="Register PUBLIC_URL's webhook with Telegram, then exit."
)
@pass_context
def bot(ctx: Context, set_webhook: bool) -> None:
    """Run the Telegram bot (long polling, or draining webhook updates)."""
    db.check_schema(ctx.raw_engine)
    from bot.runtime import run

    run(ctx.settings, set_webhook=set_webhook)


@cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), help="Default: PORT, else 5000.")
@click.option("--no-serve", is_flag=True, help="Seed and print the links, then exit.")
@json_option
@pass_context
def demo(ctx: Context, host: str, port: int | None, no_serve: bool, as_json: bool) -> None:
    """Set up the demo project "Les Voisins du Quai" and run the web app (and the bot)."""
    db.upgrade(ctx.settings.database_url)
    with db.unit_of_work(ctx.raw_engine) as session:
        seeded = seed_demo(session)
        secret = ctx.settings.secret_key
        facilitator_url = tokens.login_url(
            ctx.settings.public_url,
            tokens.issue_login_token(session, member_id=seeded.facilitator.id, secret_key=secret),
        )
        resident_url = tokens.login_url(
            ctx.settings.public_url,
            tokens.issue_login_token(session, member_id=seeded.resident.id, secret_key=secret),
        )
    data = {
        "project": seeded.project.slug,
        "facilitator": {"name": seeded.facilitator.display_name, "url": facilitator_url},
        "resident": {"name": seeded.resident.display_name, "url": resident_url},
    }
    emit(
        as_json,
        data,
        "\n".join(
            [
                ctx._("Demo project ready: %(name)s", name=seeded.project.name),
                ctx._(
                    "Facilitator (%(name)s): %(url)s",
                    name=seeded.facilitator.display_name,
                    url=facilitator_url,
                ),
                ctx._(
                    "Resident (%(name)s): %(url)s",
                    name=seeded.resident.display_name,
                    url=resident_url,
                ),
                ctx._(
                    "Each link opens a session once and expires in %(lifetime)s.",
                    lifetime=ctx.translator.duration(tokens.LOGIN_LINK_LIFETIME),
                ),
            ]
        ),
    )
    if no_serve:
        return
    bot_process = None
    if ctx.settings.telegram_bot_token:
        bot_process = subprocess.Popen([sys.executable, "-m", "voisinage", "bot"])
    try:
        _serve_web(ctx, host, port or ctx.settings.port)
    finally:
        if bot_process is not None:
            bot_process.send_signal(signal.SIGINT)
            bot_process.wait(timeout=15)
