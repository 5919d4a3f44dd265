"""Fixtures shared by every layer: settings, a real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from voisinage import db
from voisinage.config import Settings, normalise_database_url
from voisinage.models import metadata

TEST_SECRET_KEY = "test-secret-key-not-for-production"
PG_SKIP_REASON = (
    "PostgreSQL not configured: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test "
    "to run this test on PostgreSQL too"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once; each test gets a copy (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the server TEST_DATABASE_URL names, migrated once for the session.

    Each test session creates its own database and drops it at the end, so that several
    sessions (two developers, or CI) can share one server without seeing each other's rows.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    server = make_url(normalise_database_url(url))
    name = f"voisinage_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    test_url = server.set(database=name).render_as_string(hide_password=False)
    db.upgrade(test_url)
    yield test_url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@cache
def _emptying_statement(url: str) -> str:
    """Return the SQL that empties every table and restarts every sequence of the database.

    DELETE, children first, rather than TRUNCATE: on tables this small, TRUNCATE's new files
    for every table and index cost ten times as much, and it ran before every test.
    """
    engine = db.make_engine(url)
    with engine.connect() as connection:
        sequences = connection.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
            )
        ).scalars()
        restarts = [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
    engine.dispose()
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(metadata.sorted_tables)]
    return "; ".join(deletes + restarts)


def _empty_postgres(url: str) -> None:
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(_emptying_statement(url))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.pg)])
def database_url(request, tmp_path) -> str:
    """A migrated, empty database for one test: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "voisinage.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def environ(database_url, tmp_path) -> dict[str, str]:
    """Environment variables for a process under test, pointing at the test database."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "PUBLIC_URL": "http://voisinage.test",
        "DEFAULT_LANGUAGE": "en",
        "DEFAULT_TIMEZONE": "Europe/Paris",
    }


@pytest.fixture
def settings(environ) -> Settings:
    return Settings.from_env(environ)


def pytest_terminal_summary(terminalreporter) -> None:
    """Say once per reason how many tests were skipped (pytest's -rs lists every location)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason.removeprefix("Skipped: ")] = (
            reasons.get(reason.removeprefix("Skipped: "), 0) + 1
        )
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"SKIPPED {count} tests: {reason}")
