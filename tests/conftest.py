"""Fixtures shared by every layer: settings, a real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from voisinage import db
from voisinage.config import Settings
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
def postgres_url() -> str:
    """The PostgreSQL database given by TEST_DATABASE_URL, migrated once for the session."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(PG_SKIP_REASON)
    from voisinage.config import normalise_database_url

    url = normalise_database_url(url)
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    db.upgrade(url)
    return url


def _empty_postgres(url: str) -> None:
    engine = db.make_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
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
