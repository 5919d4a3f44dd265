"""`voisinage db …`: the schema."""

from __future__ import annotations

import click

from voisinage import db
from voisinage.cli.base import Context, cli, emit, json_option, pass_context


@cli.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@json_option
@pass_context
def upgrade(ctx: Context, revision: str, as_json: bool) -> None:
    """Create or migrate the database to the current schema."""
    db.upgrade(ctx.settings.database_url, revision)
    current = db.current_revision(ctx.raw_engine)
    emit(
        as_json,
        {"revision": current},
        ctx._("Database schema at revision %(revision)s.", revision=current),
    )


@db_group.command("current")
@json_option
@pass_context
def current(ctx: Context, as_json: bool) -> None:
    """Say which revision the database is at, and whether it is up to date."""
    current, head = db.current_revision(ctx.raw_engine), db.head_revision()
    text = (
        ctx._("Database schema at revision %(revision)s: up to date.", revision=current)
        if current == head
        else ctx._(
            "Database schema at revision %(revision)s; the code needs %(head)s. Run: voisinage db upgrade",
            revision=current or "-",
            head=head,
        )
    )
    emit(as_json, {"revision": current, "head": head, "up_to_date": current == head}, text)
