"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from voisinage import db
from voisinage.models import metadata


def test_migrated_schema_equals_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_migrated_database_is_at_head(engine):
    assert db.current_revision(engine) == db.head_revision()
    db.check_schema(engine)


def test_downgrade_to_base_then_upgrade_again(database_url, engine):
    db.upgrade(database_url, "head")
    from alembic import command

    command.downgrade(db.alembic_config(database_url), "base")
    assert db.current_revision(engine) is None
    db.upgrade(database_url)
    assert db.current_revision(engine) == db.head_revision()
