"""`/healthz`, and refusing to start on a database the migrations have not brought up to date."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from voisinage.config import Settings, normalise_database_url
from voisinage.db import SchemaOutOfDate, head_revision, make_engine
from webforms import create_app
from webforms.db import get_engine


def test_healthz_reports_the_database_and_its_revision(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "revision": head_revision(),
        "head": head_revision(),
        "up_to_date": True,
    }


def test_healthz_fails_when_the_database_is_unreachable(app, monkeypatch):
    # Nothing listens on port 9 (discard) of loopback.
    unreachable = normalise_database_url("postgresql://nobody@127.0.0.1:9/none?connect_timeout=1")
    monkeypatch.setitem(app.extensions, "voisinage.engine", make_engine(unreachable))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert "nobody" not in response.get_data(as_text=True)


@pytest.fixture
def schema_behind(app) -> Iterator[None]:
    """Make the database claim an old revision, then put it back (PostgreSQL's is shared)."""
    with get_engine(app).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    yield
    with get_engine(app).begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
        )


def test_healthz_fails_when_the_schema_falls_behind(app, schema_behind):
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert (response.json["revision"], response.json["up_to_date"]) == ("old", False)


def test_the_app_refuses_to_start_on_an_empty_database(environ, tmp_path):
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with pytest.raises(SchemaOutOfDate):
        create_app(Settings.from_env({**environ, "DATABASE_URL": empty}))
