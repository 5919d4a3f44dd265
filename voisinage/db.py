"""Engines, sessions and transactions on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from voisinage.errors import N_, DomainError

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"

# SQLite waits this long for another writer (the bot, a web worker) before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(database_url: str, *, echo: bool = False) -> Engine:
    """Create an engine with the settings each database needs to be safe under concurrency."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(database_url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Take over transaction control from pysqlite, which would otherwise begin lazily
        # and let two writers deadlock on the upgrade from a read to a write lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE) so that concurrent votes
        # queue on busy_timeout instead of failing with "database is locked" mid-transaction.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """Run one write transaction: commit at the end, roll everything back on any error."""
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """Open a session for reading; it never commits."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


class SchemaOutOfDate(DomainError):
    code = "schema_out_of_date"
    message = N_(
        "The database schema is at revision %(current)s but this version of Voisinage "
        "needs %(head)s. Run: voisinage db upgrade"
    )


# Alembic is imported where it is used: it costs more than half a second of every process
# start (the bot, each CLI call), and only migrations and schema checks need it.


@lru_cache(maxsize=1)
def alembic_config(database_url: str | None = None):
    """Return the Alembic configuration of the project's migrations."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """Return the newest migration revision in the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Refuse to run on a database the migrations have not brought up to date."""
    current, head = current_revision(engine), head_revision()
    if current is None:
        raise SchemaOutOfDate(N_("The database has no schema yet. Run: voisinage db upgrade"))
    if current != head:
        raise SchemaOutOfDate(current=current, head=head)


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply the migrations up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)
